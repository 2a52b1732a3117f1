/* The cgroup v2 driver: directories and files of one cgroup2 hierarchy.
 *
 * It works on any root it is given (the real mount point, or a directory
 * of plain files in the unit tests), so it never assumes the kernel made a
 * file: a missing one is an error naming the config field that wanted it.
 * On a hybrid host the hierarchy holds only the controllers v1 did not
 * take; a limit needing another is refused, saying so.  Device rules are
 * attached by v2-devices.c, not here.
 */
#include "cgroup/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/v2-devices.h"
#include "husk/cleanup.h"
#include "util/file.h"
#include "util/xalloc.h"

#define FILE_MAX          (1024 * 1024)
#define FREEZE_TIMEOUT_MS 10000
#define RMDIR_TRIES       500 /* 10 ms apart: 5 s for the last processes to exit */

/* Controllers enabled for every container when the host has them, so that
 * stats (memory.current, pids.current, io.stat) exist even without limits. */

static int write_at(int dir_fd, const char *name, const char *value)
{
	_cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static int read_at(int dir_fd, const char *name, char **ret, struct husk_error **err)
{
	return read_file_at(dir_fd, name, FILE_MAX, ret, NULL, err);
}

/* Whether a space/newline separated list holds word. */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		p += strspn(p, " \n\t");
		size_t len = strcspn(p, " \n\t");
		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
	}
	return false;
}

static int read_available(const struct husk_cgroup *cg, char **ret, struct husk_error **err)
{
	_cleanup_close_ int root_fd = open(cg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return husk_error_set(err, errno, "open cgroup root \"%s\"", cg->root);
	if (read_at(root_fd, "cgroup.controllers", ret, err) < 0)
		return husk_error_prefix(err, "cgroup root \"%s\"", cg->root);
	return 0;
}

static int check_controller(const struct husk_cgroup *cg, const char *available,
                            const struct husk_cgroup_setting *s, struct husk_error **err)
{
	if (!s->controller || has_word(available, s->controller))
		return 0;
	if (cg->mode == HUSK_CGROUP_HYBRID)
		return husk_error_set(err, 0,
		                      "%s: the %s controller is not available in the cgroup v2 "
		                      "hierarchy of this hybrid host (it is bound to cgroup v1, "
		                      "which husk does not drive yet)",
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
	if (read_at(dir_fd, "cgroup.subtree_control", &current, &tmp) < 0)
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
		if (has_word(available, want[i]) && !has_word(current, want[i]) &&
		    strlen(line) + strlen(want[i]) + 3 < sizeof(line))
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s+%s",
			         line[0] ? " " : "", want[i]);
	if (!line[0] || write_at(dir_fd, "cgroup.subtree_control", line) == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!has_word(available, want[i]) || has_word(current, want[i]))
			continue;
		char one[64];
		snprintf(one, sizeof(one), "+%s", want[i]);
		if (write_at(dir_fd, "cgroup.subtree_control", one) == 0)
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

static int leaf_is_empty(int leaf_fd, const char *dir, struct husk_error **err)
{
	_cleanup_free_ char *procs = NULL;
	if (read_at(leaf_fd, "cgroup.procs", &procs, err) < 0)
		return husk_error_prefix(err, "cgroup \"%s\"", dir);
	if (procs[strspn(procs, " \n")])
		return husk_error_set(err, EBUSY, "cgroup \"%s\" already holds processes", dir);
	return 0;
}

static int v2_create(struct husk_cgroup *cg, const struct husk_cgroup_settings *s,
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
		if (last)
			cg->created = made;
	}
	/* runc's rule: an existing cgroup may be reused, never shared */
	if (!cg->created && leaf_is_empty(cur, cg->dir, err) < 0)
		return -1;
	/* an OOM kill takes the whole container down rather than leaving it
	 * maimed (docs/cgroups.md); no file without the memory controller */
	if (write_at(cur, "memory.oom.group", "1") < 0 && errno != ENOENT)
		return husk_error_set(err, errno, "write \"1\" to \"%s/memory.oom.group\"",
		                      cg->dir);
	cg->dir_fd = TAKE_FD(cur);
	return 0;
}

static int v2_apply(struct husk_cgroup *cg, const struct husk_cgroup_settings *s,
                    struct husk_error **err)
{
	_cleanup_free_ char *available = NULL;
	if (s->n && read_available(cg, &available, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct husk_cgroup_setting *it = &s->items[i];
		if (check_controller(cg, available, it, err) < 0)
			return -1;
		if (write_at(cg->dir_fd, it->file, it->value) == 0)
			continue;
		/* no swap accounting: "no limit" or "no swap" is already true */
		if (errno == ENOENT && !strcmp(it->file, "memory.swap.max") &&
		    (!strcmp(it->value, "max") || !strcmp(it->value, "0")))
			continue;
		return husk_error_set(err, errno, "%s: write \"%s\" to %s", it->field, it->value,
		                      it->file);
	}
	return 0;
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
	if (write_at(cg->dir_fd, "cgroup.procs", buf) < 0)
		return husk_error_set(err, errno, "move process %d into cgroup \"%s\"", (int)pid,
		                      cg->dir);
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* cgroup.freeze only asks; cgroup.events says "frozen 1" once every task
 * has stopped, and the kernel notifies pollers (POLLPRI) when it changes. */
static int v2_set_frozen(struct husk_cgroup *cg, bool frozen, struct husk_error **err)
{
	if (write_at(cg->dir_fd, "cgroup.freeze", frozen ? "1" : "0") < 0)
		return husk_error_set(err, errno, "%s cgroup \"%s\"", frozen ? "freeze" : "thaw",
		                      cg->dir);
	_cleanup_close_ int fd = openat(cg->dir_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "open \"%s/cgroup.events\"", cg->dir);
	const char *want = frozen ? "frozen 1" : "frozen 0";
	long deadline = now_ms() + FREEZE_TIMEOUT_MS;
	for (;;) {
		char buf[512];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return husk_error_set(err, errno, "read \"%s/cgroup.events\"", cg->dir);
		buf[n] = '\0';
		if (strstr(buf, want))
			return 0;
		long left = deadline - now_ms();
		if (left <= 0)
			return husk_error_set(err, ETIMEDOUT, "wait for cgroup \"%s\" to be %s",
			                      cg->dir, frozen ? "frozen" : "thawed");
		struct pollfd p = {.fd = fd, .events = POLLPRI};
		(void)poll(&p, 1, left < 100 ? (int)left : 100);
	}
}

static int procs_at(int dir_fd, const char *dir, pid_t **ret, size_t *ret_n,
                    struct husk_error **err)
{
	_cleanup_free_ char *buf = NULL;
	if (read_at(dir_fd, "cgroup.procs", &buf, err) < 0)
		return husk_error_prefix(err, "cgroup \"%s\"", dir);
	size_t n = 0, cap = 0;
	pid_t *pids = NULL;
	for (char *p = buf, *end; *p; p = end) {
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			pids = xreallocarray(pids, cap, sizeof(pid_t));
		}
		pids[n++] = (pid_t)v;
	}
	*ret = pids;
	*ret_n = n;
	return 0;
}

static int v2_procs(struct husk_cgroup *cg, pid_t **ret, size_t *ret_n, struct husk_error **err)
{
	return procs_at(cg->dir_fd, cg->dir, ret, ret_n, err);
}

static int signal_procs(int dir_fd, const char *dir, int signo, struct husk_error **err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	if (procs_at(dir_fd, dir, &pids, &n, err) < 0)
		return -1;
	int sent = 0;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], signo) == 0)
			sent++;
	return sent;
}

static int v2_kill_all(struct husk_cgroup *cg, int signo, struct husk_error **err)
{
	if (cg->dir_fd < 0)
		return 0;
	/* cgroup.kill (5.14) takes the whole subtree at once, with no race
	 * against processes forking while we read cgroup.procs */
	if (signo == SIGKILL && write_at(cg->dir_fd, "cgroup.kill", "1") == 0)
		return 1;
	return signal_procs(cg->dir_fd, cg->dir, signo, err);
}

static uint64_t value_of(const char *buf, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
	return 0;
}

static bool read_u64(int dir_fd, const char *name, uint64_t *ret)
{
	_cleanup_free_ char *buf = NULL;
	struct husk_error *tmp = NULL;
	if (read_at(dir_fd, name, &buf, &tmp) < 0) {
		husk_error_release(&tmp);
		return false;
	}
	*ret = !strncmp(buf, "max", 3) ? UINT64_MAX : strtoull(buf, NULL, 10);
	return true;
}

static int v2_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *ret, struct husk_error **err)
{
	memset(ret, 0, sizeof(*ret));
	_cleanup_free_ char *cpu = NULL;
	if (read_at(cg->dir_fd, "cpu.stat", &cpu, err) < 0)
		return husk_error_prefix(err, "cgroup \"%s\"", cg->dir);
	ret->cpu_usage_usec = value_of(cpu, "usage_usec");
	ret->cpu_user_usec = value_of(cpu, "user_usec");
	ret->cpu_system_usec = value_of(cpu, "system_usec");
	ret->nr_periods = value_of(cpu, "nr_periods");
	ret->nr_throttled = value_of(cpu, "nr_throttled");
	ret->throttled_usec = value_of(cpu, "throttled_usec");
	ret->has_memory = read_u64(cg->dir_fd, "memory.current", &ret->memory_current) &&
	                  read_u64(cg->dir_fd, "memory.max", &ret->memory_max);
	_cleanup_free_ char *events = NULL;
	struct husk_error *tmp = NULL;
	if (read_at(cg->dir_fd, "memory.events", &events, &tmp) == 0)
		ret->oom_kill = value_of(events, "oom_kill");
	husk_error_release(&tmp);
	ret->has_pids = read_u64(cg->dir_fd, "pids.current", &ret->pids_current) &&
	                read_u64(cg->dir_fd, "pids.max", &ret->pids_max);
	return 0;
}

/* Removes dir and the cgroups made inside it, deepest first; a cgroup
 * still busy with exiting processes is retried for a bounded time, killing
 * what is left in it. */
static int remove_tree(const char *dir, struct husk_error **err)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : husk_error_set(err, errno, "open cgroup \"%s\"", dir);
	_cleanup_(closedirp) DIR *d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3));
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
		if (remove_tree(sub, err) < 0)
			return -1;
	}
	for (int i = 0; i < RMDIR_TRIES; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		struct husk_error *tmp = NULL;
		if (signal_procs(fd, dir, SIGKILL, &tmp) < 0)
			husk_error_release(&tmp);
		usleep(10 * 1000);
	}
	return husk_error_set(err, errno, "remove cgroup \"%s\"", dir);
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
	return remove_tree(cg->dir, err);
}

const struct husk_cgroup_driver husk_cgroup_v2_driver = {
    .name = "v2",
    .create = v2_create,
    .apply = v2_apply,
    .set_devices = v2_set_devices,
    .add_process = v2_add_process,
    .set_frozen = v2_set_frozen,
    .kill_all = v2_kill_all,
    .procs = v2_procs,
    .stats = v2_stats,
    .destroy = v2_destroy,
};
