/* The v1 driver's counters and OOM notices.  `husk stats` and `events`
 * report the same fields on v1 as on v2 (docs/cgroups.md lists where each
 * comes from): the cgroup2 directory of a hybrid host gives what it has
 * (core cpu.stat, PSI, the controllers v1 left to it), then each v1
 * hierarchy adds its own: cpuacct usage, cpu throttling, memory, pids,
 * blkio, hugetlb.  OOMs are told by an eventfd registered on
 * memory.oom_control through cgroup.event_control.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cgroup/files.h"
#include "cgroup/stats.h"
#include "cgroup/v1.h"
#include "husk/cleanup.h"
#include "util/xalloc.h"

/* v1 spells "no limit" as the largest page-aligned value below INT64_MAX
 * (PAGE_COUNTER_MAX pages); anything that high reads as UINT64_MAX, as
 * "max" does on v2. */
#define V1_UNLIMITED ((uint64_t)INT64_MAX - (1u << 20))

static bool number(int fd, const char *name, uint64_t *ret)
{
	_cleanup_free_ char *buf = husk_cgfs_slurp(fd, name);
	if (!buf)
		return false;
	if (!strncmp(buf, "max", 3) || !strncmp(buf, "-1", 2)) {
		*ret = UINT64_MAX;
		return true;
	}
	*ret = strtoull(buf, NULL, 10);
	if (*ret >= V1_UNLIMITED)
		*ret = UINT64_MAX;
	return true;
}

static void read_cpuacct(int fd, struct husk_container_stats *s)
{
	uint64_t ns = 0;
	if (!number(fd, "cpuacct.usage", &ns))
		return;
	s->has_cpu = true;
	s->cpu_usage_usec = ns / 1000;
	/* user and system in clock ticks (USER_HZ) */
	_cleanup_free_ char *stat = husk_cgfs_slurp(fd, "cpuacct.stat");
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t ticks = 0;
	if (stat && hz > 0 && husk_cgfs_keyed(stat, "user", &ticks))
		s->cpu_user_usec = ticks * 1000000 / (uint64_t)hz;
	if (stat && hz > 0 && husk_cgfs_keyed(stat, "system", &ticks))
		s->cpu_system_usec = ticks * 1000000 / (uint64_t)hz;
}

static void read_cpu(int fd, struct husk_container_stats *s)
{
	_cleanup_free_ char *stat = husk_cgfs_slurp(fd, "cpu.stat");
	uint64_t ns = 0;
	if (stat) {
		husk_cgfs_keyed(stat, "nr_periods", &s->cpu_periods);
		husk_cgfs_keyed(stat, "nr_throttled", &s->cpu_throttled_periods);
		if (husk_cgfs_keyed(stat, "throttled_time", &ns))
			s->cpu_throttled_usec = ns / 1000;
	}
	_cleanup_free_ char *quota = husk_cgfs_slurp(fd, "cpu.cfs_quota_us");
	uint64_t period = 0;
	if (quota && number(fd, "cpu.cfs_period_us", &period)) {
		s->has_cpu_max = true;
		long long q = strtoll(quota, NULL, 10);
		s->cpu_quota_usec = q < 0 ? UINT64_MAX : (uint64_t)q;
		s->cpu_period_usec = period;
	}
}

static void read_memory(int fd, struct husk_container_stats *s)
{
	s->has_memory = number(fd, "memory.usage_in_bytes", &s->memory_usage) &&
	                number(fd, "memory.limit_in_bytes", &s->memory_limit);
	if (!s->has_memory)
		return;
	number(fd, "memory.max_usage_in_bytes", &s->memory_peak);
	number(fd, "memory.failcnt", &s->memory_failcnt);
	/* memsw counts memory plus swap; v2 and the JSON count swap alone */
	uint64_t memsw = 0, memsw_limit = 0;
	if (number(fd, "memory.memsw.usage_in_bytes", &memsw) &&
	    number(fd, "memory.memsw.limit_in_bytes", &memsw_limit)) {
		s->has_swap = true;
		s->swap_usage = memsw > s->memory_usage ? memsw - s->memory_usage : 0;
		s->swap_limit =
		    memsw_limit == UINT64_MAX || s->memory_limit == UINT64_MAX
		        ? UINT64_MAX
		        : (memsw_limit > s->memory_limit ? memsw_limit - s->memory_limit : 0);
	}
	_cleanup_free_ char *oom = husk_cgfs_slurp(fd, "memory.oom_control");
	s->has_oom = oom && husk_cgfs_keyed(oom, "oom_kill", &s->oom_kills);
	_cleanup_free_ char *stat = husk_cgfs_slurp(fd, "memory.stat");
	if (stat)
		husk_cgroup_read_memory_raw(stat, s);
}

static struct husk_io_device *io_device(struct husk_container_stats *s, unsigned major,
                                        unsigned minor)
{
	for (size_t i = 0; i < s->n_io; i++)
		if (s->io[i].major == major && s->io[i].minor == minor)
			return &s->io[i];
	s->io = xreallocarray(s->io, s->n_io + 1, sizeof(*s->io));
	s->io[s->n_io] = (struct husk_io_device){.major = major, .minor = minor};
	return &s->io[s->n_io++];
}

/* "8:0 Read 4096" lines; the Total lines and other ops are skipped. */
static void read_blkio_file(int fd, const char *name, bool bytes, struct husk_container_stats *s)
{
	_cleanup_free_ char *buf = husk_cgfs_slurp(fd, name);
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		unsigned major, minor;
		char op[16];
		uint64_t v;
		if (sscanf(line, "%u:%u %15s %" SCNu64, &major, &minor, op, &v) != 4)
			continue;
		bool read = !strcmp(op, "Read");
		if (!read && strcmp(op, "Write") != 0)
			continue;
		struct husk_io_device *d = io_device(s, major, minor);
		*(bytes ? (read ? &d->rbytes : &d->wbytes) : (read ? &d->rios : &d->wios)) = v;
	}
}

/* hugetlb.<size>.usage_in_bytes for every page size the kernel lists. */
static void read_hugetlb(int fd, struct husk_container_stats *s)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_(closedirp) DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (dfd >= 0 && !d)
		close(dfd);
	const char *suffix = ".usage_in_bytes";
	struct dirent *de;
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name), sl = strlen(suffix);
		if (strncmp(de->d_name, "hugetlb.", 8) || len <= 8 + sl ||
		    strcmp(de->d_name + len - sl, suffix))
			continue;
		_cleanup_free_ char *size = xstrndup(de->d_name + 8, len - 8 - sl);
		if (strchr(size, '.')) /* hugetlb.2MB.rsvd.usage_in_bytes */
			continue;
		struct husk_hugetlb_stat h = {0};
		if (!number(fd, de->d_name, &h.usage))
			continue;
		_cleanup_free_ char *fail = xasprintf("hugetlb.%s.failcnt", size);
		number(fd, fail, &h.failcnt);
		h.page_size = TAKE_PTR(size);
		s->hugetlb = xreallocarray(s->hugetlb, s->n_hugetlb + 1, sizeof(*s->hugetlb));
		s->hugetlb[s->n_hugetlb++] = h;
	}
}

static void read_hierarchy(const struct husk_cgroup_v1_dir *d, struct husk_container_stats *s)
{
	if (husk_cgfs_has_item(d->controllers, "cpuacct"))
		read_cpuacct(d->fd, s);
	if (husk_cgfs_has_item(d->controllers, "cpu"))
		read_cpu(d->fd, s);
	if (husk_cgfs_has_item(d->controllers, "memory"))
		read_memory(d->fd, s);
	if (husk_cgfs_has_item(d->controllers, "pids"))
		s->has_pids = number(d->fd, "pids.current", &s->pids_current) &&
		              number(d->fd, "pids.max", &s->pids_limit);
	if (husk_cgfs_has_item(d->controllers, "blkio")) {
		read_blkio_file(d->fd, "blkio.throttle.io_service_bytes_recursive", true, s);
		read_blkio_file(d->fd, "blkio.throttle.io_serviced_recursive", false, s);
	}
	if (husk_cgfs_has_item(d->controllers, "hugetlb"))
		read_hugetlb(d->fd, s);
}

int husk_cgroup_v1_read_stats(struct husk_cgroup *cg, struct husk_container_stats *ret,
                              struct husk_error **err)
{
	memset(ret, 0, sizeof(*ret));
	if (cg->unified &&
	    husk_cgroup_v2_read_stats(cg->unified->dir_fd, cg->unified->dir, ret, err) < 0)
		return -1;
	bool any = cg->unified != NULL;
	for (size_t i = 0; i < cg->n_v1; i++) {
		const struct husk_cgroup_v1_dir *d = &cg->v1[i];
		if (d->fd < 0 || faccessat(d->fd, "cgroup.procs", F_OK, 0) < 0)
			continue;
		any = true;
		read_hierarchy(d, ret);
	}
	if (!any)
		return husk_error_set(err, ENOENT, "cgroup \"%s\"", cg->dir);
	return 0;
}

int husk_cgroup_v1_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *ret,
                         struct husk_error **err)
{
	struct husk_container_stats s;
	memset(ret, 0, sizeof(*ret));
	if (husk_cgroup_v1_read_stats(cg, &s, err) < 0)
		return -1;
	ret->cpu_usage_usec = s.cpu_usage_usec;
	ret->cpu_user_usec = s.cpu_user_usec;
	ret->cpu_system_usec = s.cpu_system_usec;
	ret->nr_periods = s.cpu_periods;
	ret->nr_throttled = s.cpu_throttled_periods;
	ret->throttled_usec = s.cpu_throttled_usec;
	ret->has_memory = s.has_memory;
	ret->memory_current = s.memory_usage;
	ret->memory_max = s.memory_limit;
	ret->has_oom = s.has_oom;
	ret->oom_kill = s.oom_kills;
	ret->has_pids = s.has_pids;
	ret->pids_current = s.pids_current;
	ret->pids_max = s.pids_limit;
	husk_container_stats_release(&s);
	return 0;
}

/* An eventfd the kernel signals on every OOM in the memory cgroup (and
 * once more when the cgroup is removed). */
int husk_cgroup_v1_oom_watch(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w,
                             struct husk_error **err)
{
	struct husk_cgroup_v1_dir *d = husk_cgroup_v1_find(cg, "memory");
	w->fd = -1;
	if (!d || d->fd < 0)
		return 0; /* no memory controller: no OOM to tell */
	_cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return husk_error_set(err, errno, "eventfd");
	_cleanup_close_ int ofd = openat(d->fd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
	if (ofd < 0)
		return husk_error_set(err, errno, "open \"%s/memory.oom_control\"", d->dir);
	char line[64];
	snprintf(line, sizeof(line), "%d %d", efd, ofd);
	if (husk_cgfs_write(d->fd, "cgroup.event_control", line) < 0)
		return husk_error_set(err, errno, "register for OOM notices in \"%s\"", d->dir);
	w->fd = TAKE_FD(efd);
	return 0;
}

bool husk_cgroup_v1_oom_check(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w)
{
	uint64_t count = 0;
	if (w->fd < 0 || read(w->fd, &count, sizeof(count)) != (ssize_t)sizeof(count))
		return false;
	/* the removal of the cgroup signals too: no OOM then */
	struct husk_cgroup_v1_dir *d = husk_cgroup_v1_find(cg, "memory");
	return d && d->fd >= 0 && faccessat(d->fd, "memory.oom_control", F_OK, 0) == 0;
}
