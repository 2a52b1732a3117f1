/* Rootless mode: deciding it, the checks an unprivileged caller's config
 * must pass before create changes anything, and writing id maps through
 * newuidmap/newgidmap.  The kernel lets an unprivileged process map only
 * its own id into a user namespace it made (after denying setgroups, for
 * gids); every other host id must be one of the caller's subordinate ids,
 * which only those setuid helpers may write.  Cgroups and networking read
 * husk_rootless_active() but live in their own modules.
 */
#include "rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hooks.h"
#include "husk/cleanup.h"
#include "mount-opts.h"
#include "subid.h"
#include "util/file.h"
#include "util/xalloc.h"

#define HELPER_TIMEOUT_S 30
#define DEFAULT_PATH     "/usr/bin:/bin:/usr/sbin:/sbin"

/* The host's user namespace maps every id to itself, in one line. */
static bool in_initial_userns(void)
{
	_cleanup_free_ char *buf = NULL;
	struct husk_error *tmp = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/uid_map", 4096, &buf, NULL, &tmp) < 0) {
		husk_error_release(&tmp);
		return true;
	}
	unsigned long inside, outside, count;
	return sscanf(buf, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
	       outside == 0 && count == 4294967295UL;
}

bool husk_rootless_active(const struct husk_context *ctx)
{
	if (ctx->rootless == HUSK_ROOTLESS_TRUE)
		return true;
	if (ctx->rootless == HUSK_ROOTLESS_FALSE)
		return false;
	return geteuid() != 0 || !in_initial_userns();
}

char *husk_find_program(const char *program)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *dirs = xstrdup(path && *path ? path : DEFAULT_PATH);
	char *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (d[0] != '/')
			continue; /* a relative PATH entry would depend on the cwd */
		char *candidate = xasprintf("%s/%s", d, program);
		if (access(candidate, X_OK) == 0)
			return candidate;
		free(candidate);
	}
	return NULL;
}

static bool creates_userns(const struct husk_spec_linux *lx, bool *joins)
{
	bool creates = false;
	*joins = false;
	for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
		if (lx->namespaces[i].type != HUSK_NS_USER)
			continue;
		if (lx->namespaces[i].path)
			*joins = true;
		else
			creates = true;
	}
	return creates;
}

/* One direction (uid or gid) of a new user namespace's mappings. */
static int check_mapping(const char *field, const char *helper, const char *file, uint32_t own_id,
                         const struct husk_spec_id_mapping *m, size_t n, struct husk_error **err)
{
	if (!husk_subid_needs_helper(m, n, own_id))
		return 0;
	_cleanup_free_ char *path = husk_find_program(helper);
	if (!path)
		return husk_error_set(err, 0,
		                      "%s: mapping more than your own id (%u) needs %s, which is "
		                      "not in $PATH (Debian package \"uidmap\")",
		                      field, own_id, helper);
	uid_t uid = geteuid();
	struct passwd *pw = getpwuid(uid);
	if (!pw)
		return husk_error_set(err, 0,
		                      "%s: %s needs a user name for uid %u, and there is none "
		                      "in the passwd database",
		                      field, helper, (unsigned)uid);
	return husk_subid_check(field, file, pw->pw_name, uid, own_id, m, n, err);
}

static bool id_mapped(const struct husk_spec_id_mapping *m, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
			return true;
	return false;
}

/* uid=N and gid=N of a filesystem (devpts gid=5, tmpfs uid=) must exist in
 * the user namespace, or the kernel refuses the mount with a bare EINVAL. */
static int check_mount_ids(const struct husk_spec *spec, struct husk_error **err)
{
	const struct husk_spec_linux *lx = spec->linux_;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct husk_spec_mount *sm = &spec->mounts[i];
		for (size_t k = 0; k < sm->n_options; k++) {
			const char *o = sm->options[k];
			bool is_gid = !strncmp(o, "gid=", 4);
			if (!is_gid && strncmp(o, "uid=", 4) != 0)
				continue;
			char *end;
			unsigned long id = strtoul(o + 4, &end, 10);
			if (end == o + 4 || *end)
				continue; /* not a number: the kernel judges it */
			bool mapped = is_gid ? id_mapped(lx->gid_mappings, lx->n_gid_mappings, id)
			                     : id_mapped(lx->uid_mappings, lx->n_uid_mappings, id);
			if (!mapped)
				return husk_error_set(
				    err, 0,
				    "mounts[%zu].options: \"%s\" names an id that linux.%s does not "
				    "map (husk spec --rootless drops such options)",
				    i, o, is_gid ? "gidMappings" : "uidMappings");
		}
	}
	return 0;
}

/* An idmapped mount needs CAP_SYS_ADMIN over the source's filesystem, which
 * belongs to the host's user namespace: no unprivileged user has that. */
static int check_no_idmap(const struct husk_spec *spec, struct husk_error **err)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		struct husk_mount_opts o;
		husk_mount_opts_parse(spec->mounts[i].options, spec->mounts[i].n_options, &o);
		unsigned ext = o.extensions;
		husk_mount_opts_done(&o);
		if (ext & (HUSK_MOUNT_EXT_IDMAP | HUSK_MOUNT_EXT_RIDMAP))
			return husk_error_set(
			    err, 0,
			    "mounts[%zu]: an idmapped mount needs privilege over "
			    "the filesystem of \"%s\", which an unprivileged user "
			    "does not have",
			    i, spec->mounts[i].source ? spec->mounts[i].source : "");
	}
	return 0;
}

int husk_rootless_check(const struct husk_spec *spec, struct husk_error **err)
{
	if (geteuid() == 0)
		return 0;
	const struct husk_spec_linux *lx = spec->linux_;
	bool joins = false;
	bool creates = creates_userns(lx, &joins);
	if (!creates && !joins)
		return husk_error_set(err, 0,
		                      "linux.namespaces: a container run by an unprivileged user "
		                      "needs a user namespace (husk spec --rootless writes one)");
	if (check_no_idmap(spec, err) < 0)
		return -1;
	if (!creates)
		return 0;
	if (check_mapping("linux.uidMappings", "newuidmap", HUSK_SUBUID_FILE, geteuid(),
	                  lx->uid_mappings, lx->n_uid_mappings, err) < 0 ||
	    check_mapping("linux.gidMappings", "newgidmap", HUSK_SUBGID_FILE, getegid(),
	                  lx->gid_mappings, lx->n_gid_mappings, err) < 0)
		return -1;
	return check_mount_ids(spec, err);
}

int husk_rootless_write_map(pid_t pid, bool gid, const struct husk_spec_id_mapping *m, size_t n,
                            struct husk_error **err)
{
	const char *helper = gid ? "newgidmap" : "newuidmap";
	const char *field = gid ? "linux.gidMappings" : "linux.uidMappings";
	_cleanup_free_ char *path = husk_find_program(helper);
	if (!path)
		return husk_error_set(err, 0, "%s: %s is not in $PATH (Debian package \"uidmap\")",
		                      field, helper);
	/* newuidmap PID ID LOWER COUNT [ID LOWER COUNT]... */
	size_t argc = 2 + 3 * n;
	_cleanup_free_ char **args = xcalloc(argc + 1, sizeof(char *));
	args[0] = (char *)helper;
	args[1] = xasprintf("%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		args[2 + 3 * i] = xasprintf("%u", m[i].container_id);
		args[3 + 3 * i] = xasprintf("%u", m[i].host_id);
		args[4 + 3 * i] = xasprintf("%u", m[i].size);
	}
	struct husk_spec_hook h = {.path = path,
	                           .args = args,
	                           .n_args = argc,
	                           .has_timeout = true,
	                           .timeout = HELPER_TIMEOUT_S};
	int r = husk_hooks_run_program(&h, err);
	for (size_t i = 1; i < argc; i++)
		free(args[i]);
	if (r < 0)
		return husk_error_prefix(err, "%s: %s", field, helper);
	return 0;
}
