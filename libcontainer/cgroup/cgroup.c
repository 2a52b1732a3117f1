/* Which cgroup driver a host gets, where a container's cgroup lives, and
 * the version-independent wrappers callers use.
 *
 * Modes: unified (cgroup2 on /sys/fs/cgroup), hybrid (v1 controllers with
 * cgroup2 on /sys/fs/cgroup/unified) and legacy (v1 only).  A unified host
 * gets the v2 driver; hybrid and legacy hosts the v1 driver, which makes a
 * directory in every mounted v1 hierarchy and, on a hybrid host, one in
 * the cgroup2 hierarchy too (v1.c).  The hierarchies and our own place in
 * each come from /proc/self/mountinfo and /proc/self/cgroup.
 */
#include "cgroup/cgroup.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "cgroup/v2-devices.h"
#include "husk/cleanup.h"
#include "util/file.h"
#include "util/xalloc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CGROUP_FS     "/sys/fs/cgroup"
#define CGROUP_HYBRID CGROUP_FS "/unified"
#define PROC_SELF_CG  "/proc/self/cgroup"
#define PROC_SELF_MNT "/proc/self/mountinfo"
#define PROC_FILE_MAX (4 * 1024 * 1024)
#define UNIFIED_KEY   "unified"

static bool is_cgroup2(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* The "0::/path" line of /proc/self/cgroup: our place in the v2 tree. */
static char *own_v2(const char *proc_cgroup)
{
	for (const char *line = proc_cgroup; line && *line;) {
		size_t len = strcspn(line, "\n");
		if (!strncmp(line, "0::", 3))
			return len > 3 ? xstrndup(line + 3, len - 3) : xstrdup("/");
		line += len;
		line += *line == '\n';
	}
	return xstrdup("/");
}

/* A mountinfo line's mount root (field 4), mount point (field 5), type and
 * super options (after " - "); false when it is no cgroup v1 mount. */
static bool parse_v1_mount(char *line, char **root, char **point, char **super)
{
	char *sep = strstr(line, " - ");
	if (!sep)
		return false;
	*sep = '\0';
	char *fields[5] = {0}, *save = NULL;
	int n = 0;
	for (char *w = strtok_r(line, " ", &save); w && n < 5; w = strtok_r(NULL, " ", &save))
		fields[n++] = w;
	char *type = strtok_r(sep + 3, " ", &save);
	(void)strtok_r(NULL, " ", &save); /* source */
	char *opts = strtok_r(NULL, " \n", &save);
	if (n < 5 || !type || !opts || strcmp(type, "cgroup") != 0)
		return false;
	*root = fields[3];
	*point = fields[4];
	*super = opts;
	return true;
}

/* Whether every controller of a /proc/self/cgroup line is a super option
 * of the mount ("name=systemd" included). */
static bool mount_has_all(const char *super, const char *controllers)
{
	_cleanup_free_ char *copy = xstrdup(controllers);
	char *save = NULL;
	for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		_cleanup_free_ char *want = xasprintf(",%s,", c);
		_cleanup_free_ char *have = xasprintf(",%s,", super);
		if (!strstr(have, want))
			return false;
	}
	return true;
}

/* Our cgroup `path` as seen under a mount of root `root`: "/" and below. */
static char *below_root(const char *root, const char *path)
{
	if (!strcmp(root, "/"))
		return xstrdup(path);
	size_t n = strlen(root);
	if (strncmp(path, root, n) != 0 || (path[n] && path[n] != '/'))
		return NULL;
	return xstrdup(path[n] ? path + n : "/");
}

/* Finds the mount of one hierarchy; the first under /sys/fs/cgroup wins
 * over others (a bind elsewhere). */
static bool find_mount(const char *mountinfo, const char *controllers, const char *path,
                       struct husk_cgroup_hierarchy *ret)
{
	bool found = false;
	for (const char *p = mountinfo; p && *p && !found;) {
		size_t len = strcspn(p, "\n");
		_cleanup_free_ char *line = xstrndup(p, len);
		p += len;
		p += *p == '\n';
		char *root, *point, *super;
		if (!parse_v1_mount(line, &root, &point, &super) ||
		    !mount_has_all(super, controllers))
			continue;
		_cleanup_free_ char *own = below_root(root, path);
		if (!own)
			continue;
		bool preferred = !strncmp(point, CGROUP_FS "/", strlen(CGROUP_FS) + 1);
		if (ret->mount && !preferred)
			continue;
		free(ret->mount);
		free(ret->own);
		ret->mount = xstrdup(point);
		ret->own = TAKE_PTR(own);
		found = preferred;
	}
	return ret->mount != NULL;
}

int husk_cgroup_parse_v1(const char *proc_cgroup, const char *mountinfo,
                         struct husk_cgroup_hierarchy **ret, size_t *ret_n)
{
	struct husk_cgroup_hierarchy *hs = NULL;
	size_t n = 0;
	for (const char *line = proc_cgroup; line && *line;) {
		size_t len = strcspn(line, "\n");
		_cleanup_free_ char *copy = xstrndup(line, len);
		line += len;
		line += *line == '\n';
		/* "4:memory:/a/b"; hierarchy 0 is cgroup2 */
		char *c1 = strchr(copy, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || !strncmp(copy, "0:", 2) || c2 == c1 + 1)
			continue;
		*c2 = '\0';
		struct husk_cgroup_hierarchy h = {0};
		if (!find_mount(mountinfo, c1 + 1, c2[1] ? c2 + 1 : "/", &h))
			continue; /* not mounted where we can see it */
		h.controllers = xstrdup(c1 + 1);
		hs = xreallocarray(hs, n + 1, sizeof(*hs));
		hs[n++] = h;
	}
	*ret = hs;
	*ret_n = n;
	return 0;
}

int husk_cgroup_host_detect(struct husk_cgroup_host *ret, struct husk_error **err)
{
	memset(ret, 0, sizeof(*ret));
	if (is_cgroup2(CGROUP_FS)) {
		ret->mode = HUSK_CGROUP_UNIFIED;
		ret->v2_root = xstrdup(CGROUP_FS);
	} else if (is_cgroup2(CGROUP_HYBRID)) {
		ret->mode = HUSK_CGROUP_HYBRID;
		ret->v2_root = xstrdup(CGROUP_HYBRID);
	} else {
		ret->mode = HUSK_CGROUP_LEGACY;
	}
	_cleanup_free_ char *cg = NULL;
	if (read_file_at(AT_FDCWD, PROC_SELF_CG, PROC_FILE_MAX, &cg, NULL, err) < 0) {
		husk_cgroup_host_release(ret);
		return -1;
	}
	if (ret->v2_root)
		ret->own = own_v2(cg);
	if (ret->mode == HUSK_CGROUP_UNIFIED)
		return 0;
	_cleanup_free_ char *mi = NULL;
	if (read_file_at(AT_FDCWD, PROC_SELF_MNT, PROC_FILE_MAX, &mi, NULL, err) < 0) {
		husk_cgroup_host_release(ret);
		return -1;
	}
	return husk_cgroup_parse_v1(cg, mi, &ret->v1, &ret->n_v1);
}

void husk_cgroup_host_release(struct husk_cgroup_host *h)
{
	free(h->v2_root);
	free(h->own);
	for (size_t i = 0; i < h->n_v1; i++) {
		free(h->v1[i].controllers);
		free(h->v1[i].mount);
		free(h->v1[i].own);
	}
	free(h->v1);
	memset(h, 0, sizeof(*h));
}

/* Appends the components of `rel` to `out` (which starts "/"), dropping
 * empty and "." ones; ".." is refused so a path never leaves its base. */
static int append_clean(char *out, size_t size, const char *rel, struct husk_error **err)
{
	_cleanup_free_ char *copy = xstrdup(rel);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, ".."))
			return husk_error_set(
			    err, 0, "linux.cgroupsPath \"%s\": must not contain \"..\"", rel);
		size_t len = strlen(out);
		if (len + 1 + strlen(c) + 1 > size)
			return husk_error_set(err, ENAMETOOLONG, "linux.cgroupsPath \"%s\"", rel);
		snprintf(out + len, size - len, "%s%s", len > 1 ? "/" : "", c);
	}
	return 0;
}

/* FNV-1a: a short stable tag for the state root in default names. */
static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* cgroupsPath -> path; a relative (or absent) one goes under `base`. */
static int resolve(const char *cgroups_path, const char *base, const char *state_root,
                   const char *id, char **ret, struct husk_error **err)
{
	char out[4096] = "/";
	_cleanup_free_ char *def = NULL;
	const char *rel = cgroups_path;
	if (!rel || !rel[0]) {
		/* ids are unique only within a state root: the tag keeps two
		 * roots (two users, two test runs) from sharing a cgroup */
		def = xasprintf("husk-%08x-%s", fnv1a(state_root ? state_root : ""), id);
		rel = def;
	}
	if (rel[0] != '/' && append_clean(out, sizeof(out), base, err) < 0)
		return -1;
	if (append_clean(out, sizeof(out), rel, err) < 0)
		return -1;
	if (!strcmp(out, "/"))
		return husk_error_set(err, 0,
		                      "linux.cgroupsPath \"%s\": the root cgroup cannot hold a "
		                      "container",
		                      cgroups_path ? cgroups_path : "");
	*ret = xstrdup(out);
	return 0;
}

int husk_cgroup_resolve_path(const char *cgroups_path, const char *own, const char *state_root,
                             const char *id, char **ret, struct husk_error **err)
{
	/* runc's rule on v2: beside our own cgroup, which may hold processes
	 * and then could not enable controllers for a child */
	_cleanup_free_ char *parent = xstrdup(own && own[0] ? own : "/");
	char *slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	return resolve(cgroups_path, parent, state_root, id, ret, err);
}

int husk_cgroup_resolve_path_v1(const char *cgroups_path, const char *own, const char *state_root,
                                const char *id, char **ret, struct husk_error **err)
{
	return resolve(cgroups_path, own && own[0] ? own : "/", state_root, id, ret, err);
}

struct husk_cgroup *husk_cgroup_new(const struct husk_cgroup_driver *driver,
                                    enum husk_cgroup_mode mode, const char *root, const char *path)
{
	struct husk_cgroup *cg = xzalloc(sizeof(*cg));
	cg->driver = driver;
	cg->mode = mode;
	cg->root = xstrdup(root);
	cg->path = xstrdup(path);
	cg->dir = xasprintf("%s%s", root, path);
	cg->dir_fd = -1;
	return cg;
}

void husk_cgroup_free(struct husk_cgroup *cg)
{
	if (!cg)
		return;
	if (cg->dir_fd >= 0)
		close(cg->dir_fd);
	free(cg->root);
	free(cg->path);
	free(cg->dir);
	for (size_t i = 0; i < cg->n_ignored; i++)
		free(cg->ignored[i]);
	free(cg->ignored);
	for (size_t i = 0; i < cg->n_v1; i++) {
		if (cg->v1[i].fd >= 0)
			close(cg->v1[i].fd);
		free(cg->v1[i].controllers);
		free(cg->v1[i].root);
		free(cg->v1[i].dir);
	}
	free(cg->v1);
	husk_cgroup_free(cg->unified);
	for (size_t i = 0; i < cg->n_paths; i++) {
		free(cg->paths[i].key);
		free(cg->paths[i].value);
	}
	free(cg->paths);
	free(cg);
}

static int create_with(struct husk_cgroup *cg, const struct husk_spec_resources *r,
                       struct husk_cgroup **ret, struct husk_error **err)
{
	if (cg->driver->create(cg, r, err) < 0) {
		husk_cgroup_free(cg);
		return -1;
	}
	*ret = cg;
	return 0;
}

int husk_cgroup_create_at(const struct husk_cgroup_host *host, const char *path,
                          const struct husk_spec_resources *r, struct husk_cgroup **ret,
                          struct husk_error **err)
{
	*ret = NULL;
	if (!host->v2_root)
		return husk_error_set(err, 0, "this host has no cgroup v2 hierarchy");
	return create_with(husk_cgroup_new(&husk_cgroup_v2_driver, host->mode, host->v2_root, path),
	                   r, ret, err);
}

/* A host with no hierarchy husk can use: nothing is made, and a config
 * with limits is refused. */
static int no_hierarchy(const struct husk_spec_resources *r, struct husk_error **err)
{
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings s = {0};
	if (husk_cgroup_v1_settings(r, &s, err) < 0)
		return -1;
	if (s.n)
		return husk_error_set(err, 0, "%s: this host has no cgroup hierarchy mounted",
		                      s.items[0].field);
	return 0;
}

int husk_cgroup_create_in(const struct husk_cgroup_host *host, const char *cgroups_path,
                          const char *state_root, const char *id,
                          const struct husk_spec_resources *r, struct husk_cgroup **ret,
                          struct husk_error **err)
{
	*ret = NULL;
	if (host->mode == HUSK_CGROUP_UNIFIED || (host->v2_root && !host->n_v1)) {
		_cleanup_free_ char *path = NULL;
		if (husk_cgroup_resolve_path(cgroups_path, host->own, state_root, id, &path, err) <
		    0)
			return -1;
		return husk_cgroup_create_at(host, path, r, ret, err);
	}
	if (!host->n_v1)
		return no_hierarchy(r, err);
	struct husk_cgroup *cg = NULL;
	if (husk_cgroup_v1_new(host, cgroups_path, state_root, id, &cg, err) < 0)
		return -1;
	return create_with(cg, r, ret, err);
}

/* The config's rules, linux.devices as allowed, then the defaults last so
 * that under last-match-wins the config cannot take them away. */
static int set_devices(struct husk_cgroup *cg, const struct husk_spec_linux *lx,
                       struct husk_error **err)
{
	size_t n_def = 0, n = 0;
	const struct husk_spec_device_cgroup *def = husk_cgroup_devices_default_rules(&n_def);
	size_t n_res = lx && lx->resources ? lx->resources->n_devices : 0;
	size_t n_dev = lx ? lx->n_devices : 0;
	_cleanup_free_ struct husk_spec_device_cgroup *rules =
	    xcalloc(n_res + n_dev + n_def, sizeof(*rules));
	for (size_t i = 0; i < n_res; i++)
		rules[n++] = lx->resources->devices[i];
	for (size_t i = 0; i < n_dev; i++) {
		const struct husk_spec_device *d = &lx->devices[i];
		if (!d->type || !strchr("cub", d->type[0]))
			continue; /* a fifo is no device node the controller sees */
		rules[n++] = (struct husk_spec_device_cgroup){
		    .allow = true,
		    .type = d->type[0] == 'b' ? "b" : "c",
		    .has_major = d->has_major,
		    .major = d->major,
		    .has_minor = d->has_minor,
		    .minor = d->minor,
		    .access = "rwm",
		};
	}
	for (size_t i = 0; i < n_def; i++)
		rules[n++] = def[i];
	return cg->driver->set_devices(cg, rules, n, err);
}

int husk_cgroup_create(const char *state_root, const char *id, const struct husk_spec_linux *lx,
                       struct husk_cgroup **ret, struct husk_error **err)
{
	struct husk_cgroup_host host;
	*ret = NULL;
	if (husk_cgroup_host_detect(&host, err) < 0)
		return -1;
	int r = husk_cgroup_create_in(&host, lx ? lx->cgroups_path : NULL, state_root, id,
	                              lx ? lx->resources : NULL, ret, err);
	husk_cgroup_host_release(&host);
	if (r < 0 || !*ret)
		return r;
	if (set_devices(*ret, lx, err) < 0) {
		if ((*ret)->created)
			husk_cgroup_destroy(*ret, NULL);
		else
			husk_cgroup_kill_all(*ret, SIGKILL, NULL);
		husk_cgroup_free(*ret);
		*ret = NULL;
		return -1;
	}
	return 0;
}

int husk_cgroup_load(const struct husk_state *st, struct husk_cgroup **ret, struct husk_error **err)
{
	struct husk_cgroup_host host;
	*ret = NULL;
	if (!st->cgroup_path && !st->n_cgroup_paths)
		return husk_error_set(err, 0, "container \"%s\" has no cgroup", st->id);
	/* the v2 root only: loading needs no hierarchy list */
	memset(&host, 0, sizeof(host));
	if (is_cgroup2(CGROUP_FS)) {
		host.mode = HUSK_CGROUP_UNIFIED;
		host.v2_root = CGROUP_FS;
	} else if (is_cgroup2(CGROUP_HYBRID)) {
		host.mode = HUSK_CGROUP_HYBRID;
		host.v2_root = CGROUP_HYBRID;
	} else {
		host.mode = HUSK_CGROUP_LEGACY;
	}
	if (st->n_cgroup_paths)
		return husk_cgroup_v1_load(&host, st, ret, err);
	if (!host.v2_root)
		return husk_error_set(err, 0, "cgroup \"%s\" is not in this host's cgroup v2 tree",
		                      st->cgroup_path);
	return husk_cgroup_v2_open(host.mode, host.v2_root, st->cgroup_path, ret, err);
}

bool husk_cgroup_joins_after_clone(const struct husk_cgroup *cg)
{
	return cg && !cg->driver->clone_into;
}

int husk_cgroup_entry(struct husk_cgroup *cg, bool userns, struct husk_cgroup **ret_join,
                      bool *ret_move)
{
	*ret_join = NULL;
	*ret_move = false;
	if (!cg)
		return -1;
	if (cg->driver->clone_into)
		return cg->dir_fd;
	if (cg->driver->join_self && !userns) {
		*ret_join = cg;
		return cg->unified ? cg->unified->dir_fd : -1;
	}
	*ret_move = true;
	return -1;
}

int husk_cgroup_join_self(struct husk_cgroup *cg, struct husk_error **err)
{
	return cg->driver->join_self(cg, err);
}

int husk_cgroup_apply(struct husk_cgroup *cg, const struct husk_spec_resources *r,
                      struct husk_error **err)
{
	return cg->driver->apply(cg, r, err);
}

int husk_cgroup_add_process(struct husk_cgroup *cg, pid_t pid, struct husk_error **err)
{
	return cg->driver->add_process(cg, pid, err);
}

int husk_cgroup_freeze(struct husk_cgroup *cg, struct husk_error **err)
{
	return cg->driver->set_frozen(cg, true, err);
}

int husk_cgroup_thaw(struct husk_cgroup *cg, struct husk_error **err)
{
	return cg->driver->set_frozen(cg, false, err);
}

int husk_cgroup_kill_all(struct husk_cgroup *cg, int signo, struct husk_error **err)
{
	return cg->driver->kill_all(cg, signo, err);
}

int husk_cgroup_procs(struct husk_cgroup *cg, pid_t **ret, size_t *ret_n, struct husk_error **err)
{
	return cg->driver->procs(cg, ret, ret_n, err);
}

int husk_cgroup_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *ret,
                      struct husk_error **err)
{
	return cg->driver->stats(cg, ret, err);
}

int husk_cgroup_read_stats(struct husk_cgroup *cg, struct husk_container_stats *ret,
                           struct husk_error **err)
{
	return cg->driver->read_stats(cg, ret, err);
}

int husk_cgroup_oom_watch(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w,
                          struct husk_error **err)
{
	w->fd = -1;
	w->seen = 0;
	return cg->driver->oom_watch(cg, w, err);
}

bool husk_cgroup_oom_check(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w)
{
	return cg->driver->oom_check(cg, w);
}

void husk_cgroup_oom_unwatch(struct husk_cgroup_oom_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

int husk_cgroup_destroy(struct husk_cgroup *cg, struct husk_error **err)
{
	return cg->driver->destroy(cg, err);
}

void husk_cgroup_take_ignored(struct husk_cgroup *cg, struct husk_cgroup_settings *s)
{
	for (size_t i = 0; i < cg->n_ignored; i++)
		free(cg->ignored[i]);
	free(cg->ignored);
	cg->ignored = TAKE_PTR(s->ignored);
	cg->n_ignored = s->n_ignored;
	s->n_ignored = 0;
}
