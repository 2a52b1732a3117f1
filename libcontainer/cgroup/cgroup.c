/* Which cgroup driver a host gets, where a container's cgroup lives, and
 * the version-independent wrappers callers use.
 *
 * Modes: unified (cgroup2 on /sys/fs/cgroup), hybrid (v1 controllers with
 * cgroup2 on /sys/fs/cgroup/unified) and legacy (v1 only).  On unified and
 * hybrid hosts the container is tracked in the cgroup2 hierarchy by the v2
 * driver; on a hybrid host a limit whose controller is bound to v1 is
 * refused there (v2.c) until the v1 driver exists.
 */
#include "cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

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
#define PROC_CG_MAX   (64 * 1024)

static bool is_cgroup2(const char *path)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* The "0::/path" line of /proc/self/cgroup: our place in the v2 tree. */
static int own_cgroup(char **ret, struct husk_error **err)
{
	_cleanup_free_ char *buf = NULL;
	if (read_file_at(AT_FDCWD, PROC_SELF_CG, PROC_CG_MAX, &buf, NULL, err) < 0)
		return -1;
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "0::", 3)) {
			*ret = xstrdup(line[3] ? line + 3 : "/");
			return 0;
		}
	}
	*ret = xstrdup("/");
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
		return 0;
	}
	if (own_cgroup(&ret->own, err) < 0) {
		husk_cgroup_host_release(ret);
		return -1;
	}
	return 0;
}

void husk_cgroup_host_release(struct husk_cgroup_host *h)
{
	free(h->v2_root);
	free(h->own);
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

int husk_cgroup_resolve_path(const char *cgroups_path, const char *own, const char *state_root,
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
	if (rel[0] != '/') {
		/* runc's rule: beside our own cgroup, which may hold processes
		 * and then could not enable controllers for a child */
		_cleanup_free_ char *parent = xstrdup(own && own[0] ? own : "/");
		char *slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		if (append_clean(out, sizeof(out), parent, err) < 0)
			return -1;
	}
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

static struct husk_cgroup *cgroup_new(enum husk_cgroup_mode mode, const char *root,
                                      const char *path)
{
	struct husk_cgroup *cg = xzalloc(sizeof(*cg));
	cg->driver = &husk_cgroup_v2_driver;
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
	free(cg);
}

int husk_cgroup_create_at(const struct husk_cgroup_host *host, const char *path,
                          const struct husk_spec_resources *r, struct husk_cgroup **ret,
                          struct husk_error **err)
{
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings s = {0};
	*ret = NULL;
	if (husk_cgroup_v2_settings(r, &s, err) < 0)
		return -1;
	if (host->mode == HUSK_CGROUP_LEGACY) {
		if (s.n)
			return husk_error_set(err, 0,
			                      "%s: this host has no cgroup v2 hierarchy and husk "
			                      "does not drive cgroup v1 yet",
			                      s.items[0].field);
		return 0;
	}
	struct husk_cgroup *cg = cgroup_new(host->mode, host->v2_root, path);
	if (cg->driver->create(cg, &s, err) < 0) {
		husk_cgroup_free(cg);
		return -1;
	}
	if (cg->driver->apply(cg, &s, err) < 0) {
		if (cg->created)
			husk_cgroup_destroy(cg, NULL);
		husk_cgroup_free(cg);
		return -1;
	}
	cg->ignored = TAKE_PTR(s.ignored);
	cg->n_ignored = s.n_ignored;
	s.n_ignored = 0;
	*ret = cg;
	return 0;
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
	_cleanup_free_ char *path = NULL;
	if (husk_cgroup_host_detect(&host, err) < 0)
		return -1;
	int r = -1;
	if (host.mode == HUSK_CGROUP_LEGACY ||
	    husk_cgroup_resolve_path(lx ? lx->cgroups_path : NULL, host.own, state_root, id, &path,
	                             err) == 0)
		r = husk_cgroup_create_at(&host, path ? path : "/", lx ? lx->resources : NULL, ret,
		                          err);
	husk_cgroup_host_release(&host);
	if (r < 0 || !*ret)
		return r;
	if (set_devices(*ret, lx, err) < 0) {
		if ((*ret)->created)
			husk_cgroup_destroy(*ret, NULL);
		husk_cgroup_free(*ret);
		*ret = NULL;
		return -1;
	}
	return 0;
}

int husk_cgroup_load(const char *dir, struct husk_cgroup **ret, struct husk_error **err)
{
	struct husk_cgroup_host host;
	if (husk_cgroup_host_detect(&host, err) < 0)
		return -1;
	size_t n = host.v2_root ? strlen(host.v2_root) : 0;
	if (!n || strncmp(dir, host.v2_root, n) != 0 || dir[n] != '/') {
		husk_cgroup_host_release(&host);
		return husk_error_set(err, 0, "cgroup \"%s\" is not in this host's cgroup v2 tree",
		                      dir);
	}
	struct husk_cgroup *cg = cgroup_new(host.mode, host.v2_root, dir + n);
	husk_cgroup_host_release(&host);
	cg->dir_fd = open(cg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->dir_fd < 0 && errno != ENOENT) {
		husk_error_set(err, errno, "open cgroup \"%s\"", cg->dir);
		husk_cgroup_free(cg);
		return -1;
	}
	*ret = cg;
	return 0;
}

int husk_cgroup_apply(struct husk_cgroup *cg, const struct husk_spec_resources *r,
                      struct husk_error **err)
{
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings s = {0};
	if (husk_cgroup_v2_settings(r, &s, err) < 0)
		return -1;
	return cg->driver->apply(cg, &s, err);
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

int husk_cgroup_destroy(struct husk_cgroup *cg, struct husk_error **err)
{
	return cg->driver->destroy(cg, err);
}
