/* OCI mount option words -> mount(2) flags, propagation, recursive
 * mount_setattr(2) attributes and extensions.  Pure table lookups: applying
 * them is rootfs.c's job.  The tables follow the OCI list (config.md
 * "Mounts") and mount(8) for the meaning of each word.
 */
#include "mount-opts.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "husk/cleanup.h"
#include "util/xalloc.h"

struct flag_word {
	const char *word;
	bool clear; /* the word removes the flag instead of setting it */
	unsigned long flag;
};

/* "defaults" is mount(8)'s rw,suid,dev,exec,async: all kernel defaults. */
static const struct flag_word flag_words[] = {
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"symfollow", true, MS_NOSYMFOLLOW},
    {"bind", false, MS_BIND},
    {"rbind", false, MS_BIND | MS_REC},
};

static const struct flag_word propagation_words[] = {
    {"private", false, MS_PRIVATE},       {"rprivate", false, MS_PRIVATE | MS_REC},
    {"shared", false, MS_SHARED},         {"rshared", false, MS_SHARED | MS_REC},
    {"slave", false, MS_SLAVE},           {"rslave", false, MS_SLAVE | MS_REC},
    {"unbindable", false, MS_UNBINDABLE}, {"runbindable", false, MS_UNBINDABLE | MS_REC},
};

/* The access-time setting is one field of mount_setattr(2), not a set of
 * bits: setting it needs MOUNT_ATTR__ATIME in attr_clr as well, and the
 * kernel refuses a partial field in attr_clr.  So every "r*atime" word sets
 * the whole field; the negative words (ratime, rnorelatime, rnostrictatime)
 * return it to the kernel default, relatime, as "atime" does for mount(8). */
static const struct flag_word rec_attr_words[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

/* `clear` is unused here: the value is the field's new setting. */
static const struct flag_word rec_atime_words[] = {
    {"rnoatime", false, MOUNT_ATTR_NOATIME},         {"ratime", false, MOUNT_ATTR_RELATIME},
    {"rrelatime", false, MOUNT_ATTR_RELATIME},       {"rnorelatime", false, MOUNT_ATTR_RELATIME},
    {"rstrictatime", false, MOUNT_ATTR_STRICTATIME}, {"rnostrictatime", false, MOUNT_ATTR_RELATIME},
};

static const struct {
	const char *word;
	unsigned ext;
} ext_words[] = {
    {"tmpcopyup", HUSK_MOUNT_EXT_TMPCOPYUP},
    {"idmap", HUSK_MOUNT_EXT_IDMAP},
    {"ridmap", HUSK_MOUNT_EXT_RIDMAP},
};

static const struct flag_word *find_word(const struct flag_word *table, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].word, word) == 0)
			return &table[i];
	return NULL;
}

bool husk_mount_propagation_parse(const char *word, unsigned long *ret_flags)
{
	const struct flag_word *w =
	    find_word(propagation_words, HUSK_ARRAY_SIZE(propagation_words), word);
	if (!w)
		return false;
	*ret_flags = w->flag;
	return true;
}

static void apply_rec_atime(struct husk_mount_opts *o, const struct flag_word *w)
{
	o->rec_attr_set = (o->rec_attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | w->flag;
	o->rec_attr_clr |= MOUNT_ATTR__ATIME;
}

static void apply_rec_attr(struct husk_mount_opts *o, const struct flag_word *w)
{
	if (w->clear) {
		o->rec_attr_clr |= w->flag;
		o->rec_attr_set &= ~(uint64_t)w->flag;
	} else {
		o->rec_attr_set |= w->flag;
		o->rec_attr_clr &= ~(uint64_t)w->flag;
	}
}

static void append_data(struct husk_mount_opts *o, const char *word)
{
	if (!o->data) {
		o->data = xstrdup(word);
		return;
	}
	char *joined = xasprintf("%s,%s", o->data, word);
	free(o->data);
	o->data = joined;
}

static bool apply_ext(struct husk_mount_opts *o, const char *word)
{
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(ext_words); i++) {
		if (strcmp(ext_words[i].word, word) == 0) {
			o->extensions |= ext_words[i].ext;
			return true;
		}
	}
	return false;
}

static void apply_word(struct husk_mount_opts *o, const char *word)
{
	const struct flag_word *w;
	unsigned long prop;

	if ((w = find_word(flag_words, HUSK_ARRAY_SIZE(flag_words), word))) {
		if (w->clear) {
			o->flags &= ~w->flag;
			o->clear_flags |= w->flag;
		} else {
			o->flags |= w->flag;
			o->clear_flags &= ~w->flag;
		}
	} else if (husk_mount_propagation_parse(word, &prop)) {
		o->propagation = prop;
	} else if ((w = find_word(rec_attr_words, HUSK_ARRAY_SIZE(rec_attr_words), word))) {
		apply_rec_attr(o, w);
	} else if ((w = find_word(rec_atime_words, HUSK_ARRAY_SIZE(rec_atime_words), word))) {
		apply_rec_atime(o, w);
	} else if (!apply_ext(o, word)) {
		append_data(o, word);
	}
}

void husk_mount_opts_parse(char *const *options, size_t n_options, struct husk_mount_opts *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < n_options; i++)
		if (options[i][0] != '\0') /* "ro,,nodev" split by a caller */
			apply_word(ret, options[i]);
}

void husk_mount_opts_done(struct husk_mount_opts *opts)
{
	if (!opts)
		return;
	free(opts->data);
	opts->data = NULL;
}
