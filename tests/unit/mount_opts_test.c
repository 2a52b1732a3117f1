/* OCI mount option words -> mount(2) flags, propagation, recursive
 * mount_setattr attributes, extensions and the data string. */
#include <check.h>
#include <string.h>
#include <sys/mount.h>

#include "mount-opts.h"

static struct husk_mount_opts parse1(const char *word)
{
	char *opts[] = {(char *)word};
	struct husk_mount_opts o;
	husk_mount_opts_parse(opts, 1, &o);
	return o;
}

static const struct {
	const char *word;
	unsigned long set;
	unsigned long clear;
} flag_cases[] = {
    {"ro", MS_RDONLY, 0},
    {"rw", 0, MS_RDONLY},
    {"nosuid", MS_NOSUID, 0},
    {"suid", 0, MS_NOSUID},
    {"nodev", MS_NODEV, 0},
    {"dev", 0, MS_NODEV},
    {"noexec", MS_NOEXEC, 0},
    {"exec", 0, MS_NOEXEC},
    {"sync", MS_SYNCHRONOUS, 0},
    {"async", 0, MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC, 0},
    {"remount", MS_REMOUNT, 0},
    {"mand", MS_MANDLOCK, 0},
    {"nomand", 0, MS_MANDLOCK},
    {"noatime", MS_NOATIME, 0},
    {"atime", 0, MS_NOATIME},
    {"nodiratime", MS_NODIRATIME, 0},
    {"diratime", 0, MS_NODIRATIME},
    {"relatime", MS_RELATIME, 0},
    {"norelatime", 0, MS_RELATIME},
    {"strictatime", MS_STRICTATIME, 0},
    {"nostrictatime", 0, MS_STRICTATIME},
    {"lazytime", MS_LAZYTIME, 0},
    {"nosymfollow", MS_NOSYMFOLLOW, 0},
    {"symfollow", 0, MS_NOSYMFOLLOW},
    {"bind", MS_BIND, 0},
    {"rbind", MS_BIND | MS_REC, 0},
    {"defaults", 0, 0},
};

START_TEST(test_flag_words)
{
	for (size_t i = 0; i < sizeof(flag_cases) / sizeof(flag_cases[0]); i++) {
		struct husk_mount_opts o = parse1(flag_cases[i].word);
		ck_assert_msg(o.flags == flag_cases[i].set, "\"%s\": flags %#lx",
		              flag_cases[i].word, o.flags);
		ck_assert_msg(o.clear_flags == flag_cases[i].clear, "\"%s\": clear %#lx",
		              flag_cases[i].word, o.clear_flags);
		ck_assert_msg(!o.propagation && !o.rec_attr_set && !o.rec_attr_clr && !o.extensions,
		              "\"%s\" leaked into another field", flag_cases[i].word);
		ck_assert_ptr_null(o.data);
		husk_mount_opts_done(&o);
	}
}
END_TEST

static const struct {
	const char *word;
	unsigned long prop;
} prop_cases[] = {
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

START_TEST(test_propagation_words)
{
	for (size_t i = 0; i < sizeof(prop_cases) / sizeof(prop_cases[0]); i++) {
		struct husk_mount_opts o = parse1(prop_cases[i].word);
		ck_assert_msg(o.propagation == prop_cases[i].prop, "\"%s\": %#lx",
		              prop_cases[i].word, o.propagation);
		ck_assert_msg(o.flags == 0, "\"%s\" set mount flags", prop_cases[i].word);
		unsigned long p = 0;
		ck_assert(husk_mount_propagation_parse(prop_cases[i].word, &p));
		ck_assert_uint_eq(p, prop_cases[i].prop);
		husk_mount_opts_done(&o);
	}
	unsigned long p = 42;
	ck_assert(!husk_mount_propagation_parse("rbind", &p));
	ck_assert(!husk_mount_propagation_parse("", &p));
	ck_assert_uint_eq(p, 42);
}
END_TEST

static const struct {
	const char *word;
	uint64_t set;
	uint64_t clr;
} rec_cases[] = {
    {"rro", MOUNT_ATTR_RDONLY, 0},
    {"rrw", 0, MOUNT_ATTR_RDONLY},
    {"rnosuid", MOUNT_ATTR_NOSUID, 0},
    {"rsuid", 0, MOUNT_ATTR_NOSUID},
    {"rnodev", MOUNT_ATTR_NODEV, 0},
    {"rdev", 0, MOUNT_ATTR_NODEV},
    {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
    {"rexec", 0, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
    {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
    /* the atime field is set whole: attr_clr always carries MOUNT_ATTR__ATIME */
    {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    {"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rnorelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
};

START_TEST(test_recursive_words)
{
	for (size_t i = 0; i < sizeof(rec_cases) / sizeof(rec_cases[0]); i++) {
		struct husk_mount_opts o = parse1(rec_cases[i].word);
		ck_assert_msg(o.rec_attr_set == rec_cases[i].set, "\"%s\": set %#llx",
		              rec_cases[i].word, (unsigned long long)o.rec_attr_set);
		ck_assert_msg(o.rec_attr_clr == rec_cases[i].clr, "\"%s\": clr %#llx",
		              rec_cases[i].word, (unsigned long long)o.rec_attr_clr);
		ck_assert_msg(o.flags == 0 && o.clear_flags == 0, "\"%s\" set mount flags",
		              rec_cases[i].word);
		ck_assert_ptr_null(o.data);
		husk_mount_opts_done(&o);
	}
}
END_TEST

START_TEST(test_recursive_atime_last_wins)
{
	char *opts[] = {"rnoatime", "rstrictatime", "rro"};
	struct husk_mount_opts o;
	husk_mount_opts_parse(opts, 3, &o);
	ck_assert_uint_eq(o.rec_attr_set, MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_RDONLY);
	ck_assert_uint_eq(o.rec_attr_clr, MOUNT_ATTR__ATIME);
	husk_mount_opts_done(&o);

	char *flip[] = {"rro", "rrw", "rnosuid"};
	husk_mount_opts_parse(flip, 3, &o);
	ck_assert_uint_eq(o.rec_attr_set, MOUNT_ATTR_NOSUID);
	ck_assert_uint_eq(o.rec_attr_clr, MOUNT_ATTR_RDONLY);
	husk_mount_opts_done(&o);
}
END_TEST

START_TEST(test_extensions)
{
	struct husk_mount_opts o = parse1("tmpcopyup");
	ck_assert_uint_eq(o.extensions, HUSK_MOUNT_EXT_TMPCOPYUP);
	ck_assert_ptr_null(o.data);
	o = parse1("idmap");
	ck_assert_uint_eq(o.extensions, HUSK_MOUNT_EXT_IDMAP);
	o = parse1("ridmap");
	ck_assert_uint_eq(o.extensions, HUSK_MOUNT_EXT_RIDMAP);
	ck_assert_uint_eq(o.flags, 0);
}
END_TEST

/* Overlay's own words are data for the filesystem, in order; commas inside
 * a path list are not split again. */
START_TEST(test_overlay_words_are_data)
{
	char *opts[] = {"ro",         "lowerdir=/a:/b", "upperdir=/u",
	                "workdir=/w", "userxattr",      "volatile"};
	struct husk_mount_opts o;
	husk_mount_opts_parse(opts, 6, &o);
	ck_assert_str_eq(o.data, "lowerdir=/a:/b,upperdir=/u,workdir=/w,userxattr,volatile");
	ck_assert_uint_eq(o.flags, MS_RDONLY);
	ck_assert_uint_eq(o.extensions, 0);
	husk_mount_opts_done(&o);
}
END_TEST

START_TEST(test_data_words_in_order)
{
	char *opts[] = {"nosuid",      "mode=755",    "strictatime",
	                "size=65536k", "newinstance", "ptmxmode=0666"};
	struct husk_mount_opts o;
	husk_mount_opts_parse(opts, 6, &o);
	ck_assert_str_eq(o.data, "mode=755,size=65536k,newinstance,ptmxmode=0666");
	ck_assert_uint_eq(o.flags, MS_NOSUID | MS_STRICTATIME);
	husk_mount_opts_done(&o);
	ck_assert_ptr_null(o.data);

	/* Unknown words are not judged here: the kernel refuses them. */
	o = parse1("gid=5");
	ck_assert_str_eq(o.data, "gid=5");
	husk_mount_opts_done(&o);
	o = parse1("RO"); /* words are case-sensitive, as for mount(8) */
	ck_assert_str_eq(o.data, "RO");
	ck_assert_uint_eq(o.flags, 0);
	husk_mount_opts_done(&o);
}
END_TEST

START_TEST(test_later_word_wins)
{
	char *ro_rw[] = {"ro", "rw"};
	struct husk_mount_opts o;
	husk_mount_opts_parse(ro_rw, 2, &o);
	ck_assert_uint_eq(o.flags, 0);
	ck_assert_uint_eq(o.clear_flags, MS_RDONLY);

	char *rw_ro[] = {"rw", "ro"};
	husk_mount_opts_parse(rw_ro, 2, &o);
	ck_assert_uint_eq(o.flags, MS_RDONLY);
	ck_assert_uint_eq(o.clear_flags, 0);

	char *props[] = {"rprivate", "slave"};
	husk_mount_opts_parse(props, 2, &o);
	ck_assert_uint_eq(o.propagation, MS_SLAVE);
}
END_TEST

START_TEST(test_typical_bind_and_empty)
{
	char *opts[] = {"rbind", "ro", "nosuid", "nodev", "rslave", ""};
	struct husk_mount_opts o;
	husk_mount_opts_parse(opts, 6, &o);
	ck_assert_uint_eq(o.flags, MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV);
	ck_assert_uint_eq(o.propagation, MS_SLAVE | MS_REC);
	ck_assert_ptr_null(o.data); /* the empty word is not data */
	husk_mount_opts_done(&o);

	husk_mount_opts_parse(NULL, 0, &o);
	ck_assert_uint_eq(o.flags | o.clear_flags | o.propagation | o.extensions, 0);
	ck_assert_uint_eq(o.rec_attr_set | o.rec_attr_clr, 0);
	ck_assert_ptr_null(o.data);
	husk_mount_opts_done(&o);
	husk_mount_opts_done(NULL);
}
END_TEST

Suite *mount_opts_suite(void)
{
	Suite *s = suite_create("mount_opts");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_flag_words);
	tcase_add_test(tc, test_propagation_words);
	tcase_add_test(tc, test_recursive_words);
	tcase_add_test(tc, test_recursive_atime_last_wins);
	tcase_add_test(tc, test_extensions);
	tcase_add_test(tc, test_data_words_in_order);
	tcase_add_test(tc, test_overlay_words_are_data);
	tcase_add_test(tc, test_later_word_wins);
	tcase_add_test(tc, test_typical_bind_and_empty);
	suite_add_tcase(s, tc);
	return s;
}
