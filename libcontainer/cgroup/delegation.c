/* Whether a rootless caller owns a cgroup v2 subtree to put its container
 * in, and the rootless create built on that answer.  Access is tested with
 * faccessat(AT_EACCESS) on the files the kernel itself checks, rather than
 * by comparing owners, so ACLs and group-writable delegations count too.
 */
#include "cgroup/delegation.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/xalloc.h"

static bool can_write(const char *file, char **ret_why)
{
	if (faccessat(AT_FDCWD, file, W_OK, AT_EACCESS) == 0)
		return true;
	*ret_why = xasprintf("\"%s\" is not writable by uid %u", file, (unsigned)geteuid());
	return false;
}

/* "/a/b/c" -> "/a/b"; "/a" -> "/" (in place). */
static void parent_of(char *path)
{
	char *slash = strrchr(path, '/');
	if (slash == path)
		path[1] = '\0';
	else if (slash)
		*slash = '\0';
}

/* The longest common ancestor of two clean absolute cgroup paths. */
static char *common_ancestor(const char *a, const char *b)
{
	size_t i = 0, last = 0;
	for (; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			last = i;
	if ((!a[i] || a[i] == '/') && (!b[i] || b[i] == '/'))
		last = i; /* one is an ancestor of the other, or they are equal */
	return last ? xasprintf("%.*s", (int)last, a) : xstrdup("/");
}

bool husk_cgroup_delegated(const char *v2_root, const char *own, const char *path, char **ret_why)
{
	*ret_why = NULL;
	_cleanup_free_ char *base = xstrdup(path);
	struct stat st;
	for (;;) {
		_cleanup_free_ char *dir = xasprintf("%s%s", v2_root, base);
		if (stat(dir, &st) == 0 || strcmp(base, "/") == 0)
			break;
		parent_of(base);
	}
	bool exists = strcmp(base, path) == 0;
	_cleanup_free_ char *target =
	    exists ? xasprintf("%s%s/cgroup.procs", v2_root, path)
	           : xasprintf("%s%s", v2_root, strcmp(base, "/") ? base : "");
	if (!can_write(target, ret_why))
		return false;
	_cleanup_free_ char *common = common_ancestor(own, path);
	_cleanup_free_ char *procs =
	    xasprintf("%s%s/cgroup.procs", v2_root, strcmp(common, "/") ? common : "");
	return can_write(procs, ret_why);
}

/* The first linux.resources field that needs a cgroup file, or NULL. */
static int first_limit(const struct husk_spec_resources *r, char **ret_field,
                       struct husk_error **err)
{
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings s = {0};
	*ret_field = NULL;
	if (husk_cgroup_v2_settings(r, &s, err) < 0)
		return -1;
	if (s.n)
		*ret_field = xstrdup(s.items[0].field);
	return 0;
}

static int refuse(const char *field, const char *why, struct husk_error **err)
{
	return husk_error_set(err, 0,
	                      "%s: a rootless container gets a cgroup only inside a delegated "
	                      "cgroup v2 subtree, and there is none here (%s): run husk in one "
	                      "(systemd-run --user --scope -p Delegate=yes husk ...) or drop "
	                      "the setting",
	                      field, why);
}

int husk_cgroup_create_rootless(const char *state_root, const char *id,
                                const struct husk_spec_linux *lx, struct husk_cgroup **ret,
                                struct husk_error **err)
{
	*ret = NULL;
	const char *cgroups_path =
	    lx && lx->cgroups_path && *lx->cgroups_path ? lx->cgroups_path : NULL;
	_cleanup_free_ char *limit = NULL;
	if (first_limit(lx ? lx->resources : NULL, &limit, err) < 0)
		return -1;
	struct husk_cgroup_host host;
	if (husk_cgroup_host_detect(&host, err) < 0)
		return -1;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *why = NULL;
	int r = 0;
	if (host.mode == HUSK_CGROUP_LEGACY) {
		why = xstrdup("this host has no cgroup v2 hierarchy");
	} else {
		r = husk_cgroup_resolve_path(cgroups_path, host.own, state_root, id, &path, err);
		if (r == 0 && husk_cgroup_delegated(host.v2_root, host.own, path, &why))
			r = husk_cgroup_create_at(&host, path, lx ? lx->resources : NULL, ret, err);
	}
	husk_cgroup_host_release(&host);
	if (r < 0 || *ret)
		return r;
	/* No delegation: the container shares the caller's cgroup, which is
	 * fine unless the config wanted a cgroup of its own. */
	if (cgroups_path)
		return refuse("linux.cgroupsPath", why, err);
	if (limit)
		return refuse(limit, why, err);
	return 0;
}
