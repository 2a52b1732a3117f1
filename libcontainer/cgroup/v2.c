/* The cgroup v2 driver: directories and files of one cgroup2 hierarchy.
 *
 * It works on any root it is given (the real mount point, or a directory
 * of plain files in the unit tests), so it never assumes the kernel made a
 * file: a missing one is an error naming the config field that wanted it.
 * On a hybrid host the hierarchy holds only the controllers v1 did not
 * take; a limit needing another is refused, saying so.  Device rules are
 * attached by v2-devices.c, not here.  On a hybrid host the v1 driver uses
 * this one's steps for the container's cgroup2 directory.
 */
#include "cgroup/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/files.h"
#include "cgroup/internal.h"
#include "cgroup/stats.h"
#include "cgroup/v2-devices.h"
#include "husk/cleanup.h"
#include "util/file.h"
#include "util/xalloc.h"
#include "util/time.h"

#define FREEZE_TIMEOUT_MS 10000

static int read_available(const struct husk_cgroup *cg, char **ret, struct husk_error **err)
{
	_cleanup_close_ int root_fd = open(cg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return husk_error_set(err, errno, "open cgroup root \"%s\"", cg->root);
	if (husk_cgfs_read(root_fd, "cgroup.controllers", ret, err) < 0)
		return husk_error_prefix(err, "cgroup root \"%s\"", cg->root);
	return 0;
}

static int check_controller(const struct husk_cgroup *cg, const char *available,
                            const struct husk_cgroup_setting *s, struct husk_error **err)
{
	if (!s->controller || husk_cgfs_has_word(available, s->controller))
		return 0;
	if (cg->mode == HUSK_CGROUP_HYBRID)
		return husk_error_set(err, 0,
		                      "%s: the %s controller is not available in the cgroup v2 "
		                      "hierarchy of this hybrid host (it is bound to cgroup v1)",
		                      s->field, s->controller);
	return husk_error_set(err, 0,
	                      "%s: the %s controller is not available in this host's cgroup "
	                      "v2 hierarchy",
	                      s->field, s->controller);
}

/* Enables controllers in dir_fd's cgroup.subtree_control: every one the
 * hierarchy offers, as runc does, so a later `update` can set a limit the
 * config did not have at create; in one write, else one by one, failing
 * only for one the settings need. */
static int enable_controllers(int dir_fd, const char *dir, const char *available,
                              const struct husk_cgroup_settings *s, struct husk_error **err)
{
	_cleanup_free_ char *current = NULL;
	struct husk_error *tmp = NULL;
	if (husk_cgfs_read(dir_fd, "cgroup.subtree_control", &current, &tmp) < 0)
		husk_error_release(&tmp); /* absent: nothing enabled yet */
	const char *want[32];
	size_t n = 0;
	_cleanup_free_ char *offered = xstrdup(available ? available : "");
	char *save = NULL;
	for (char *w = strtok_r(offered, " \n", &save); w && n < HUSK_ARRAY_SIZE(want);
	     w = strtok_r(NULL, " \n", &save))
		want[n++] = w;
	for (size_t i = 0; i < s->n && n < HUSK_ARRAY_SIZE(want); i++) {
		bool dup = !s->items[i].controller;
		for (size_t j = 0; !dup && j < n; j++)
			dup = !strcmp(want[j], s->items[i].controller);
		if (!dup)
			want[n++] = s->items[i].controller;
	}
	char line[256] = "";
	for (size_t i = 0; i < n; i++)
		if (husk_cgfs_has_word(available, want[i]) &&
		    !husk_cgfs_has_word(current, want[i]) &&
		    strlen(line) + strlen(want[i]) + 3 < sizeof(line))
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s+%s",
			         line[0] ? " " : "", want[i]);
	if (!line[0] || husk_cgfs_write(dir_fd, "cgroup.subtree_control", line) == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!husk_cgfs_has_word(available, want[i]) || husk_cgfs_has_word(current, want[i]))
			continue;
		char one[64];
		snprintf(one, sizeof(one), "+%s", want[i]);
		if (husk_cgfs_write(dir_fd, "cgroup.subtree_control", one) == 0)
			continue;
		bool needed = false;
		for (size_t j = 0; j < s->n && !needed; j++)
			needed = s->items[j].controller && !strcmp(s->items[j].controller, want[i]);
		if (needed)
			return husk_error_set(
			    err, errno, "enable the %s controller in \"%s/cgroup.subtree_control\"",
			    want[i], dir);
	}
	return 0;
}

int husk_cgroup_v2_make(struct husk_cgroup *cg, const struct husk_cgroup_settings *s,
                        struct husk_error **err)
{
	_cleanup_free_ char *available = NULL;
	if (read_available(cg, &available, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (check_controller(cg, available, &s->items[i], err) < 0)
			return -1;
	_cleanup_close_ int cur = open(cg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return husk_error_set(err, errno, "open cgroup root \"%s\"", cg->root);
	_cleanup_free_ char *path = xstrdup(cg->path);
	_cleanup_free_ char *walked = xstrdup(cg->root);
	char *save = NULL;
	for (char *c = strtok_r(path, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		bool last = !save || !*save;
		if (enable_controllers(cur, walked, available, s, err) < 0)
			return -1;
		bool made = mkdirat(cur, c, 0755) == 0;
		if (!made && errno != EEXIST)
			return husk_error_set(err, errno, "create cgroup \"%s/%s\"", walked, c);
		int next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return husk_error_set(err, errno, "open cgroup \"%s/%s\"", walked, c);
		close(cur);
		cur = next;
		char *w = xasprintf("%s/%s", walked, c);
		free(walked);
		walked = w;
		if (last) {
			cg->created = made;
			cg->reused = !made;
		}
	}
	/* runc's rule: an existing cgroup may be reused, never shared */
	if (!cg->created && husk_cgfs_check_empty(cur, cg->dir, err) < 0)
		return -1;
	/* an OOM kill takes the whole container down rather than leaving it
	 * maimed (docs/cgroups.md); no file without the memory controller */
	if (husk_cgfs_write(cur, "memory.oom.group", "1") < 0 && errno != ENOENT)
		return husk_error_set(err, errno, "write \"1\" to \"%s/memory.oom.group\"",
		                      cg->dir);
	cg->dir_fd = TAKE_FD(cur);
	return 0;
}

int husk_cgroup_v2_write(struct husk_cgroup *cg, const struct husk_cgroup_settings *s,
                         struct husk_error **err)
{
	_cleanup_free_ char *available = NULL;
	if (s->n && read_available(cg, &available, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct husk_cgroup_setting *it = &s->items[i];
		if (check_controller(cg, available, it, err) < 0)
			return -1;
		if (husk_cgfs_write(cg->dir_fd, it->file, it->value) == 0)
			continue;
		if (errno == ENOENT && it->optional)
			continue;
		return husk_error_set(err, errno, "%s: write \"%s\" to %s", it->field, it->value,
		                      it->file);
	}
	return 0;
}

static int v2_create(struct husk_cgroup *cg, const struct husk_spec_resources *r,
                     struct husk_error **err)
{
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings s = {0};
	if (husk_cgroup_v2_settings(r, &s, err) < 0)
		return -1;
	/* make can fail after it made the leaf (memory.oom.group) */
	if (husk_cgroup_v2_make(cg, &s, err) < 0 || husk_cgroup_v2_write(cg, &s, err) < 0) {
		if (cg->created)
			husk_cgroup_destroy(cg, NULL);
		return -1;
	}
	husk_cgroup_take_ignored(cg, &s);
	return 0;
}

static int v2_apply(struct husk_cgroup *cg, const struct husk_spec_resources *r,
                    struct husk_error **err)
{
	_cleanup_(husk_cgroup_settings_free) struct husk_cgroup_settings s = {0};
	if (husk_cgroup_v2_settings(r, &s, err) < 0)
		return -1;
	return husk_cgroup_v2_write(cg, &s, err);
}

static int v2_set_devices(struct husk_cgroup *cg, const struct husk_spec_device_cgroup *rules,
                          size_t n, struct husk_error **err)
{
	if (husk_cgroup_devices_attach(cg->dir_fd, rules, n, err) < 0)
		return husk_error_prefix(err, "linux.resources.devices: cgroup \"%s\"", cg->dir);
	return 0;
}

static int v2_add_process(struct husk_cgroup *cg, pid_t pid, struct husk_error **err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (husk_cgfs_write(cg->dir_fd, "cgroup.procs", buf) < 0)
		return husk_error_set(err, errno, "move process %d into cgroup \"%s\"", (int)pid,
		                      cg->dir);
	return 0;
}

/* cgroup.freeze only asks; cgroup.events says "frozen 1" once every task
 * has stopped, and the kernel notifies pollers (POLLPRI) when it changes. */
static int v2_set_frozen(struct husk_cgroup *cg, bool frozen, struct husk_error **err)
{
	if (husk_cgfs_write(cg->dir_fd, "cgroup.freeze", frozen ? "1" : "0") < 0)
		return husk_error_set(err, errno, "%s cgroup \"%s\"", frozen ? "freeze" : "thaw",
		                      cg->dir);
	_cleanup_close_ int fd = openat(cg->dir_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "open \"%s/cgroup.events\"", cg->dir);
	const char *want = frozen ? "frozen 1" : "frozen 0";
	int64_t deadline = husk_time_monotonic_ms() + FREEZE_TIMEOUT_MS;
	for (;;) {
		char buf[512];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return husk_error_set(err, errno, "read \"%s/cgroup.events\"", cg->dir);
		buf[n] = '\0';
		if (strstr(buf, want))
			return 0;
		int64_t left = deadline - husk_time_monotonic_ms();
		if (left <= 0)
			return husk_error_set(err, ETIMEDOUT, "wait for cgroup \"%s\" to be %s",
			                      cg->dir, frozen ? "frozen" : "thawed");
		struct pollfd p = {.fd = fd, .events = POLLPRI};
		(void)poll(&p, 1, left < 100 ? (int)left : 100);
	}
}

static int v2_procs(struct husk_cgroup *cg, pid_t **ret, size_t *ret_n, struct husk_error **err)
{
	return husk_cgfs_procs(cg->dir_fd, cg->dir, ret, ret_n, err);
}

static int v2_kill_all(struct husk_cgroup *cg, int signo, struct husk_error **err)
{
	if (cg->dir_fd < 0)
		return 0;
	/* cgroup.kill (5.14) takes the whole subtree at once, with no race
	 * against processes forking while we read cgroup.procs */
	if (signo == SIGKILL && husk_cgfs_write(cg->dir_fd, "cgroup.kill", "1") == 0)
		return 1;
	return husk_cgfs_signal_procs(cg->dir_fd, cg->dir, signo, err);
}

static bool read_u64(int dir_fd, const char *name, uint64_t *ret)
{
	_cleanup_free_ char *buf = husk_cgfs_slurp(dir_fd, name);
	if (!buf)
		return false;
	*ret = !strncmp(buf, "max", 3) ? UINT64_MAX : strtoull(buf, NULL, 10);
	return true;
}

static int v2_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *ret, struct husk_error **err)
{
	memset(ret, 0, sizeof(*ret));
	_cleanup_free_ char *cpu = NULL;
	if (husk_cgfs_read(cg->dir_fd, "cpu.stat", &cpu, err) < 0)
		return husk_error_prefix(err, "cgroup \"%s\"", cg->dir);
	husk_cgfs_keyed(cpu, "usage_usec", &ret->cpu_usage_usec);
	husk_cgfs_keyed(cpu, "user_usec", &ret->cpu_user_usec);
	husk_cgfs_keyed(cpu, "system_usec", &ret->cpu_system_usec);
	husk_cgfs_keyed(cpu, "nr_periods", &ret->nr_periods);
	husk_cgfs_keyed(cpu, "nr_throttled", &ret->nr_throttled);
	husk_cgfs_keyed(cpu, "throttled_usec", &ret->throttled_usec);
	ret->has_memory = read_u64(cg->dir_fd, "memory.current", &ret->memory_current) &&
	                  read_u64(cg->dir_fd, "memory.max", &ret->memory_max);
	_cleanup_free_ char *events = husk_cgfs_slurp(cg->dir_fd, "memory.events");
	ret->has_oom = events && husk_cgfs_keyed(events, "oom_kill", &ret->oom_kill);
	ret->has_pids = read_u64(cg->dir_fd, "pids.current", &ret->pids_current) &&
	                read_u64(cg->dir_fd, "pids.max", &ret->pids_max);
	return 0;
}

static int v2_read_stats(struct husk_cgroup *cg, struct husk_container_stats *ret,
                         struct husk_error **err)
{
	return husk_cgroup_v2_read_stats(cg->dir_fd, cg->dir, ret, err);
}

/* memory.events' oom_kill: the kernel notifies inotify watchers of a
 * modified memory.events, so a kill is seen at once; the counter is
 * compared on every look, for file systems that do not notify. */
static int v2_oom_watch(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w,
                        struct husk_error **err)
{
	(void)err;
	w->seen = 0;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd >= 0) {
		_cleanup_free_ char *path = xasprintf("%s/memory.events", cg->dir);
		(void)inotify_add_watch(w->fd, path, IN_MODIFY); /* absent: polling only */
	}
	_cleanup_free_ char *events = husk_cgfs_slurp(cg->dir_fd, "memory.events");
	if (events)
		husk_cgfs_keyed(events, "oom_kill", &w->seen);
	return 0;
}

static bool v2_oom_check(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w)
{
	char buf[4096];
	while (w->fd >= 0 && read(w->fd, buf, sizeof(buf)) > 0)
		;
	uint64_t now = 0;
	_cleanup_free_ char *events = husk_cgfs_slurp(cg->dir_fd, "memory.events");
	if (!events || !husk_cgfs_keyed(events, "oom_kill", &now) || now <= w->seen)
		return false;
	w->seen = now;
	return true;
}

static int v2_destroy(struct husk_cgroup *cg, struct husk_error **err)
{
	if (cg->dir_fd >= 0) {
		struct husk_error *tmp = NULL;
		if (v2_kill_all(cg, SIGKILL, &tmp) < 0)
			husk_error_release(&tmp);
		close(cg->dir_fd);
		cg->dir_fd = -1;
	}
	return husk_cgfs_remove_tree(cg->dir, err);
}

int husk_cgroup_v2_open(enum husk_cgroup_mode mode, const char *root, const char *dir,
                        struct husk_cgroup **ret, struct husk_error **err)
{
	size_t n = strlen(root);
	if (strncmp(dir, root, n) != 0 || dir[n] != '/')
		return husk_error_set(err, 0, "cgroup \"%s\" is not in this host's cgroup v2 tree",
		                      dir);
	struct husk_cgroup *cg = husk_cgroup_new(&husk_cgroup_v2_driver, mode, root, dir + n);
	cg->dir_fd = open(cg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->dir_fd < 0 && errno != ENOENT) {
		husk_error_set(err, errno, "open cgroup \"%s\"", cg->dir);
		husk_cgroup_free(cg);
		return -1;
	}
	cg->missing = cg->dir_fd < 0;
	*ret = cg;
	return 0;
}

const struct husk_cgroup_driver husk_cgroup_v2_driver = {
    .name = "v2",
    .memory_limit_file = "memory.max",
    .clone_into = true,
    .create = v2_create,
    .apply = v2_apply,
    .set_devices = v2_set_devices,
    .add_process = v2_add_process,
    .set_frozen = v2_set_frozen,
    .kill_all = v2_kill_all,
    .procs = v2_procs,
    .stats = v2_stats,
    .read_stats = v2_read_stats,
    .oom_watch = v2_oom_watch,
    .oom_check = v2_oom_check,
    .destroy = v2_destroy,
};
