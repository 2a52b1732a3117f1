/* The cgroup v1 driver: a container's cgroup is one directory in every
 * mounted v1 hierarchy (cpu, memory, pids, ..., name=systemd), as runc's fs
 * driver makes it, and on a hybrid host one in the cgroup2 hierarchy too,
 * handled by the v2 driver's steps, so /proc/PID/cgroup reads 0::/<path>
 * and the controllers v1 left to cgroup2 (often hugetlb) still apply.
 *
 * Like the v2 driver it works on any root it is given (fake hierarchies in
 * the unit tests).  Limits are mapped by v1-resources.c; counters and OOM
 * notifications are v1-stats.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cgroup/files.h"
#include "cgroup/internal.h"
#include "cgroup/v1.h"
#include "husk/cleanup.h"
#include "util/xalloc.h"
#include "util/time.h"

#define FREEZE_TIMEOUT_MS 10000

struct husk_cgroup_v1_dir *husk_cgroup_v1_find(struct husk_cgroup *cg, const char *controller)
{
	for (size_t i = 0; i < cg->n_v1; i++)
		if (husk_cgfs_has_item(cg->v1[i].controllers, controller))
			return &cg->v1[i];
	return NULL;
}

static void add_path(struct husk_cgroup *cg, const char *key, const char *dir)
{
	cg->paths = xreallocarray(cg->paths, cg->n_paths + 1, sizeof(*cg->paths));
	cg->paths[cg->n_paths++] = (struct husk_kv){.key = xstrdup(key), .value = xstrdup(dir)};
}

static void add_dir(struct husk_cgroup *cg, const char *controllers, const char *root,
                    const char *dir, int fd)
{
	cg->v1 = xreallocarray(cg->v1, cg->n_v1 + 1, sizeof(*cg->v1));
	cg->v1[cg->n_v1++] = (struct husk_cgroup_v1_dir){
	    .controllers = xstrdup(controllers),
	    .root = root ? xstrdup(root) : NULL,
	    .dir = xstrdup(dir),
	    .fd = fd,
	    .keep = true, /* until this create makes it */
	};
	add_path(cg, controllers, dir);
}

/* cg->dir (state.json's cgroupPath): the cgroup2 directory when there is
 * one, as /proc/PID/cgroup's 0:: line names it; else the first v1 one. */
static void set_primary(struct husk_cgroup *cg)
{
	const char *dir = cg->unified ? cg->unified->dir : cg->v1[0].dir;
	free(cg->dir);
	cg->dir = xstrdup(dir);
}

int husk_cgroup_v1_new(const struct husk_cgroup_host *host, const char *cgroups_path,
                       const char *state_root, const char *id, struct husk_cgroup **ret,
                       struct husk_error **err)
{
	struct husk_cgroup *cg = xzalloc(sizeof(*cg));
	cg->driver = &husk_cgroup_v1_driver;
	cg->mode = host->mode;
	cg->dir_fd = -1;
	for (size_t i = 0; i < host->n_v1; i++) {
		const struct husk_cgroup_hierarchy *h = &host->v1[i];
		_cleanup_free_ char *path = NULL;
		if (husk_cgroup_resolve_path_v1(cgroups_path, h->own, state_root, id, &path, err) <
		    0)
			goto fail;
		_cleanup_free_ char *dir = xasprintf("%s%s", h->mount, path);
		add_dir(cg, h->controllers, h->mount, dir, -1);
	}
	if (host->v2_root) {
		_cleanup_free_ char *path = NULL;
		if (husk_cgroup_resolve_path(cgroups_path, host->own, state_root, id, &path, err) <
		    0)
			goto fail;
		cg->unified =
		    husk_cgroup_new(&husk_cgroup_v2_driver, host->mode, host->v2_root, path);
		/* not ours to remove until husk_cgroup_v2_make() says it made it */
		cg->unified->reused = true;
		add_path(cg, "unified", cg->unified->dir);
	}
	cg->root = xstrdup(cg->unified ? cg->unified->root : cg->v1[0].root);
	cg->path = xstrdup(cg->unified ? cg->unified->path : cg->v1[0].dir + strlen(cg->root));
	set_primary(cg);
	*ret = cg;
	return 0;
fail:
	husk_cgroup_free(cg);
	return -1;
}

static int load_unified(struct husk_cgroup *cg, const struct husk_cgroup_host *host,
                        const char *dir, struct husk_error **err)
{
	if (!host->v2_root)
		return husk_error_set(err, 0, "cgroup \"%s\": this host has no cgroup v2 hierarchy",
		                      dir);
	if (husk_cgroup_v2_open(cg->mode, host->v2_root, dir, &cg->unified, err) < 0)
		return -1;
	add_path(cg, "unified", dir);
	cg->missing = cg->missing && cg->unified->missing;
	return 0;
}

int husk_cgroup_v1_load(const struct husk_cgroup_host *host, const struct husk_state *st,
                        struct husk_cgroup **ret, struct husk_error **err)
{
	struct husk_cgroup *cg = xzalloc(sizeof(*cg));
	cg->driver = &husk_cgroup_v1_driver;
	cg->mode = host->v2_root ? HUSK_CGROUP_HYBRID : HUSK_CGROUP_LEGACY;
	cg->dir_fd = -1;
	cg->missing = true;
	for (size_t i = 0; i < st->n_cgroup_paths; i++) {
		const struct husk_kv *kv = &st->cgroup_paths[i];
		if (!strcmp(kv->key, "unified")) {
			if (load_unified(cg, host, kv->value, err) < 0) {
				husk_cgroup_free(cg);
				return -1;
			}
			continue;
		}
		int fd = open(kv->value, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 && errno != ENOENT) {
			husk_error_set(err, errno, "open cgroup \"%s\"", kv->value);
			husk_cgroup_free(cg);
			return -1;
		}
		add_dir(cg, kv->key, NULL, kv->value, fd);
		cg->v1[cg->n_v1 - 1].keep = false;
		cg->missing = cg->missing && fd < 0;
	}
	if (!cg->n_v1 && !cg->unified) {
		husk_cgroup_free(cg);
		return husk_error_set(err, 0, "container \"%s\" has no cgroup", st->id);
	}
	cg->root = xstrdup("");
	cg->path = xstrdup("");
	set_primary(cg);
	*ret = cg;
	return 0;
}

/* ---- create ---- */

/* cpuset.cpus and cpuset.mems start empty in a new v1 cpuset cgroup, and
 * no process may join it then: copy the parent's, as runc does. */
static int cpuset_inherit(int parent_fd, int fd, const char *dir, struct husk_error **err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *mine = husk_cgfs_slurp(fd, files[i]);
		if (!mine || mine[strspn(mine, " \n")])
			continue;
		_cleanup_free_ char *theirs = husk_cgfs_slurp(parent_fd, files[i]);
		if (!theirs || !theirs[strspn(theirs, " \n")])
			continue;
		if (husk_cgfs_write(fd, files[i], theirs) < 0)
			return husk_error_set(err, errno, "copy %s into \"%s\"", files[i], dir);
	}
	return 0;
}

/* mkdir along d->dir from its hierarchy's mount; d->fd on the leaf. */
static int make_dir(struct husk_cgroup_v1_dir *d, struct husk_error **err)
{
	_cleanup_close_ int cur = open(d->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return husk_error_set(err, errno, "open cgroup hierarchy \"%s\"", d->root);
	bool cpuset = husk_cgfs_has_item(d->controllers, "cpuset");
	_cleanup_free_ char *path = xstrdup(d->dir + strlen(d->root));
	char *save = NULL;
	bool made = false;
	for (char *c = strtok_r(path, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		made = mkdirat(cur, c, 0755) == 0;
		if (!made && errno != EEXIST)
			return husk_error_set(err, errno, "create cgroup \"%s\"", d->dir);
		int next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return husk_error_set(err, errno, "open cgroup \"%s\"", d->dir);
		int r = cpuset ? cpuset_inherit(cur, next, d->dir, err) : 0;
		close(cur);
		cur = next;
		if (r < 0)
			goto undo;
	}
	d->keep = !made;
	if (!made) {
		/* runc's rule: an existing cgroup may be reused, never shared */
		if (husk_cgfs_check_empty(cur, d->dir, err) < 0)
			return -1;
	}
	d->fd = TAKE_FD(cur);
	return 0;
undo:
	if (made)
		(void)rmdir(d->dir);
	return -1;
}

/* The limits by hierarchy: v1 items for the v1 hierarchies, cgroup2 items
 * for the unified one (hybrid hosts). */
static int route(struct husk_cgroup *cg, const struct husk_spec_resources *r,
                 struct husk_cgroup_settings *ret_v1, struct husk_cgroup_settings *ret_v2,
                 struct husk_error **err)
{
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings v1 = {0};
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings v2 = {0};
	_cleanup_free_ char *available = NULL;
	/* the v2 mapping too on a legacy host: its unified[] keys are refused */
	if (husk_cgroup_v1_settings(r, &v1, err) < 0 || husk_cgroup_v2_settings(r, &v2, err) < 0)
		return -1;
	if (cg->unified) {
		_cleanup_close_ int root_fd =
		    open(cg->unified->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		available = husk_cgfs_slurp(root_fd, "cgroup.controllers");
		if (!available)
			available = xstrdup("");
	}
	_cleanup_free_ const char **names = xcalloc(cg->n_v1 + 1, sizeof(char *));
	for (size_t i = 0; i < cg->n_v1; i++)
		names[i] = cg->v1[i].controllers;
	return husk_cgroup_v1_route(&v1, &v2, names, cg->n_v1, available, ret_v1, ret_v2, err);
}

/* A file some kernels name otherwise (blkio.weight is CFQ's, BFQ's is
 * blkio.bfq.weight); NULL when there is no other name. */
static const char *other_name(const char *file)
{
	if (!strcmp(file, "blkio.weight"))
		return "blkio.bfq.weight";
	if (!strcmp(file, "blkio.weight_device"))
		return "blkio.bfq.weight_device";
	return NULL;
}

/* 0 written or skipped; 1 refused with EINVAL (retry later); -1 error. */
static int write_one(struct husk_cgroup *cg, const struct husk_cgroup_setting *it,
                     struct husk_error **err)
{
	struct husk_cgroup_v1_dir *d = husk_cgroup_v1_find(cg, it->controller);
	if (!d || d->fd < 0)
		return husk_error_set(err, ENOENT, "%s: no cgroup of the %s controller", it->field,
		                      it->controller);
	if (husk_cgfs_write(d->fd, it->file, it->value) == 0)
		return 0;
	if (errno == ENOENT && it->optional)
		return 0;
	const char *alt = errno == ENOENT ? other_name(it->file) : NULL;
	if (alt && husk_cgfs_write(d->fd, alt, it->value) == 0)
		return 0;
	if (errno == EINVAL)
		return 1;
	return husk_error_set(err, errno, "%s: write \"%s\" to %s", it->field, it->value,
	                      alt ? alt : it->file);
}

/* In order; a write the kernel refuses with EINVAL is tried again once the
 * rest is written: memory.limit_in_bytes must stay below
 * memory.memsw.limit_in_bytes and cpu.cfs_period_us fit the old quota at
 * every moment, so which of a pair goes first depends on the old values. */
static int write_v1(struct husk_cgroup *cg, const struct husk_cgroup_settings *s,
                    struct husk_error **err)
{
	_cleanup_free_ bool *again = xcalloc(s->n + 1, sizeof(bool));
	for (size_t i = 0; i < s->n; i++) {
		int r = write_one(cg, &s->items[i], err);
		if (r < 0)
			return -1;
		again[i] = r > 0;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct husk_cgroup_setting *it = &s->items[i];
		if (!again[i])
			continue;
		int r = write_one(cg, it, err);
		if (r < 0)
			return -1;
		if (r > 0)
			return husk_error_set(err, EINVAL, "%s: write \"%s\" to %s", it->field,
			                      it->value, it->file);
	}
	return 0;
}

static int v1_destroy(struct husk_cgroup *cg, struct husk_error **err);

static int v1_create(struct husk_cgroup *cg, const struct husk_spec_resources *r,
                     struct husk_error **err)
{
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings v1 = {0};
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings v2 = {0};
	/* every refusal the mapping can tell comes before any mkdir */
	if (route(cg, r, &v1, &v2, err) < 0)
		return -1;
	for (size_t i = 0; i < cg->n_v1; i++)
		if (make_dir(&cg->v1[i], err) < 0)
			goto fail;
	if (cg->unified && husk_cgroup_v2_make(cg->unified, &v2, err) < 0)
		goto fail;
	if (write_v1(cg, &v1, err) < 0 ||
	    (cg->unified && husk_cgroup_v2_write(cg->unified, &v2, err) < 0))
		goto fail;
	for (size_t i = 0; i < cg->n_v1; i++)
		cg->created = cg->created || !cg->v1[i].keep;
	cg->created = cg->created || (cg->unified && cg->unified->created);
	husk_cgroup_take_ignored(cg, &v1);
	return 0;
fail:
	v1_destroy(cg, NULL);
	return -1;
}

static int v1_apply(struct husk_cgroup *cg, const struct husk_spec_resources *r,
                    struct husk_error **err)
{
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings v1 = {0};
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings v2 = {0};
	if (route(cg, r, &v1, &v2, err) < 0 || write_v1(cg, &v1, err) < 0)
		return -1;
	return cg->unified ? husk_cgroup_v2_write(cg->unified, &v2, err) : 0;
}

/* The devices hierarchy's allow/deny lists; with no such hierarchy, the
 * cgroup2 directory's device program (a hybrid host without v1 devices). */
static int v1_set_devices(struct husk_cgroup *cg, const struct husk_spec_device_cgroup *rules,
                          size_t n, struct husk_error **err)
{
	if (!husk_cgroup_v1_find(cg, "devices")) {
		if (cg->unified)
			return cg->unified->driver->set_devices(cg->unified, rules, n, err);
		return husk_error_set(err, 0,
		                      "linux.resources.devices: this host has no devices "
		                      "controller");
	}
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings s = {0};
	if (husk_cgroup_v1_device_settings(rules, n, &s, err) < 0)
		return -1;
	for (size_t i = 0; i < s.n; i++) {
		int r = write_one(cg, &s.items[i], err);
		if (r < 0)
			return -1;
		if (r > 0)
			return husk_error_set(err, EINVAL, "%s: write \"%s\" to %s",
			                      s.items[i].field, s.items[i].value, s.items[i].file);
	}
	return 0;
}

static int v1_add_process(struct husk_cgroup *cg, pid_t pid, struct husk_error **err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n_v1; i++)
		if (husk_cgfs_write(cg->v1[i].fd, "cgroup.procs", buf) < 0)
			return husk_error_set(err, errno, "move process %d into cgroup \"%s\"",
			                      (int)pid, cg->v1[i].dir);
	if (cg->unified)
		return cg->unified->driver->add_process(cg->unified, pid, err);
	return 0;
}

/* "tasks" moves one thread; "0" is the writer itself (see join_self). */
static int v1_join_self(struct husk_cgroup *cg, struct husk_error **err)
{
	for (size_t i = 0; i < cg->n_v1; i++)
		if (husk_cgfs_write(cg->v1[i].fd, "tasks", "0") < 0)
			return husk_error_set(err, errno, "join cgroup \"%s\"", cg->v1[i].dir);
	return 0;
}

/* ---- freezer, signals, processes ---- */

/* freezer.state goes FREEZING until every task has stopped; writing
 * FROZEN again retries the tasks that were busy (runc does the same). */
static int freezer_set(const struct husk_cgroup_v1_dir *d, bool frozen, struct husk_error **err)
{
	const char *want = frozen ? "FROZEN" : "THAWED";
	int64_t deadline = husk_time_monotonic_ms() + FREEZE_TIMEOUT_MS;
	for (unsigned i = 0;; i++) {
		if (husk_cgfs_write(d->fd, "freezer.state", want) < 0)
			return husk_error_set(err, errno, "%s cgroup \"%s\"",
			                      frozen ? "freeze" : "thaw", d->dir);
		_cleanup_free_ char *state = husk_cgfs_slurp(d->fd, "freezer.state");
		if (state && !strncmp(state, want, strlen(want)))
			return 0;
		if (husk_time_monotonic_ms() > deadline) {
			if (frozen)
				(void)husk_cgfs_write(d->fd, "freezer.state", "THAWED");
			return husk_error_set(err, ETIMEDOUT, "wait for cgroup \"%s\" to be %s",
			                      d->dir, frozen ? "frozen" : "thawed");
		}
		usleep(i < 10 ? 100 : 10 * 1000);
	}
}

static bool freezer_frozen(const struct husk_cgroup_v1_dir *d)
{
	_cleanup_free_ char *state = husk_cgfs_slurp(d->fd, "freezer.state");
	return state && !strncmp(state, "FROZEN", 6);
}

/* The v1 freezer when mounted, else cgroup.freeze in the cgroup2 tree. */
static int v1_set_frozen(struct husk_cgroup *cg, bool frozen, struct husk_error **err)
{
	struct husk_cgroup_v1_dir *d = husk_cgroup_v1_find(cg, "freezer");
	if (d && d->fd >= 0)
		return freezer_set(d, frozen, err);
	if (cg->unified)
		return cg->unified->driver->set_frozen(cg->unified, frozen, err);
	return husk_error_set(err, 0, "this host has no freezer for cgroup \"%s\"", cg->dir);
}

/* Where the container's process list is read: every hierarchy holds the
 * same processes; the cgroup2 one first. */
static int procs_source(struct husk_cgroup *cg, const char **dir)
{
	if (cg->unified && cg->unified->dir_fd >= 0) {
		*dir = cg->unified->dir;
		return cg->unified->dir_fd;
	}
	struct husk_cgroup_v1_dir *d = husk_cgroup_v1_find(cg, "freezer");
	for (size_t i = 0; (!d || d->fd < 0) && i < cg->n_v1; i++)
		d = &cg->v1[i];
	*dir = d ? d->dir : cg->dir;
	return d ? d->fd : -1;
}

static int v1_procs(struct husk_cgroup *cg, pid_t **ret, size_t *ret_n, struct husk_error **err)
{
	const char *dir = NULL;
	int fd = procs_source(cg, &dir);
	if (fd < 0)
		return husk_error_set(err, ENOENT, "cgroup \"%s\" is gone", cg->dir);
	return husk_cgfs_procs(fd, dir, ret, ret_n, err);
}

/* cgroup.kill in the cgroup2 directory takes everything at once; without
 * it the freezer holds the processes still while each is signalled, so
 * none forks a child that escapes (runc's way).  A frozen process only
 * acts on SIGKILL once thawed, so the freezer ends thawed unless it was
 * frozen before and the signal is not SIGKILL. */
static int v1_kill_all(struct husk_cgroup *cg, int signo, struct husk_error **err)
{
	struct husk_cgroup_v1_dir *fz = husk_cgroup_v1_find(cg, "freezer");
	if (fz && fz->fd < 0)
		fz = NULL;
	bool was_frozen = fz && freezer_frozen(fz);
	int sent = -1;
	if (signo == SIGKILL && cg->unified && cg->unified->dir_fd >= 0 &&
	    husk_cgfs_write(cg->unified->dir_fd, "cgroup.kill", "1") == 0) {
		sent = 1;
	} else {
		struct husk_error *tmp = NULL;
		if (fz && !was_frozen && freezer_set(fz, true, &tmp) < 0)
			husk_error_release(&tmp);
		const char *dir = NULL;
		int fd = procs_source(cg, &dir);
		sent = fd < 0 ? 0 : husk_cgfs_signal_procs(fd, dir, signo, err);
	}
	if (fz && (signo == SIGKILL || !was_frozen)) {
		struct husk_error *tmp = NULL;
		if (freezer_set(fz, false, &tmp) < 0)
			husk_error_release(&tmp);
	}
	return sent;
}

/* ---- destroy ---- */

/* Kills what is left, then removes every directory this handle owns: all
 * of a loaded cgroup's; of a create, the ones it made.  Goes on past a
 * failure so that as little as possible is left; the first error counts. */
static int v1_destroy(struct husk_cgroup *cg, struct husk_error **err)
{
	struct husk_error *tmp = NULL;
	if (v1_kill_all(cg, SIGKILL, &tmp) < 0)
		husk_error_release(&tmp);
	int r = 0;
	for (size_t i = 0; i < cg->n_v1; i++) {
		struct husk_cgroup_v1_dir *d = &cg->v1[i];
		if (d->fd >= 0)
			close(d->fd);
		d->fd = -1;
		if (!d->keep && husk_cgfs_remove_tree(d->dir, r < 0 ? &tmp : err) < 0)
			r = -1;
		husk_error_release(&tmp);
	}
	if (cg->unified && !cg->unified->reused &&
	    cg->unified->driver->destroy(cg->unified, r < 0 ? &tmp : err) < 0)
		r = -1;
	husk_error_release(&tmp);
	return r;
}

const struct husk_cgroup_driver husk_cgroup_v1_driver = {
    .name = "v1",
    .memory_limit_file = "memory.limit_in_bytes",
    .clone_into = false,
    .create = v1_create,
    .apply = v1_apply,
    .set_devices = v1_set_devices,
    .add_process = v1_add_process,
    .join_self = v1_join_self,
    .set_frozen = v1_set_frozen,
    .kill_all = v1_kill_all,
    .procs = v1_procs,
    .stats = husk_cgroup_v1_stats,
    .read_stats = husk_cgroup_v1_read_stats,
    .oom_watch = husk_cgroup_v1_oom_watch,
    .oom_check = husk_cgroup_v1_oom_check,
    .destroy = v1_destroy,
};
