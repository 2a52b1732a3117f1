/* The counters `husk events` and `husk stats` report, read from the files
 * of a cgroup v2 directory: cpu.stat, cpu.max, memory.*, pids.*, io.stat,
 * hugetlb.*, and the PSI files.  A file the host does not provide (its
 * controller is bound to v1 on a hybrid host, or PSI is off) is not an
 * error: that part of the stats stays empty.  The cgroup directory itself
 * being gone is.  Output formats are events.c's and cmd/stats.c's concern.
 */
#include "cgroup/stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/files.h"
#include "husk/cleanup.h"
#include "util/file.h"
#include "util/xalloc.h"

/* A single-value file: a number or "max" (UINT64_MAX). */
static bool single(int dir_fd, const char *name, uint64_t *ret)
{
	_cleanup_free_ char *buf = husk_cgfs_slurp(dir_fd, name);
	if (!buf)
		return false;
	*ret = !strncmp(buf, "max", 3) ? UINT64_MAX : strtoull(buf, NULL, 10);
	return true;
}

static void read_cpu(int dir_fd, struct husk_container_stats *s)
{
	_cleanup_free_ char *cpu = husk_cgfs_slurp(dir_fd, "cpu.stat");
	/* cpu.stat's usage counters are core (present without the cpu
	 * controller, e.g. on a hybrid host); the throttling keys then read 0 */
	if (cpu && husk_cgfs_keyed(cpu, "usage_usec", &s->cpu_usage_usec)) {
		s->has_cpu = true;
		husk_cgfs_keyed(cpu, "user_usec", &s->cpu_user_usec);
		husk_cgfs_keyed(cpu, "system_usec", &s->cpu_system_usec);
		husk_cgfs_keyed(cpu, "nr_periods", &s->cpu_periods);
		husk_cgfs_keyed(cpu, "nr_throttled", &s->cpu_throttled_periods);
		husk_cgfs_keyed(cpu, "throttled_usec", &s->cpu_throttled_usec);
	}
	_cleanup_free_ char *max = husk_cgfs_slurp(dir_fd, "cpu.max");
	if (max) {
		s->has_cpu_max = true;
		s->cpu_quota_usec = !strncmp(max, "max", 3) ? UINT64_MAX : strtoull(max, NULL, 10);
		const char *sp = strchr(max, ' ');
		s->cpu_period_usec = sp ? strtoull(sp + 1, NULL, 10) : 100000;
	}
}

/* memory.stat keys are the kernel's ([a-z0-9_]); anything else is skipped
 * so the names can go into JSON unescaped. */
void husk_cgroup_read_memory_raw(const char *buf, struct husk_container_stats *s)
{
	size_t cap = 0;
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t klen = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
		if (!klen || p[klen] != ' ')
			continue;
		if (s->n_memory_raw == cap) {
			cap = cap ? cap * 2 : 64;
			s->memory_raw = xreallocarray(s->memory_raw, cap, sizeof(*s->memory_raw));
		}
		struct husk_stat_entry *e = &s->memory_raw[s->n_memory_raw++];
		e->key = xstrndup(p, klen);
		e->value = strtoull(p + klen + 1, NULL, 10);
	}
}

static void read_memory(int dir_fd, struct husk_container_stats *s)
{
	s->has_memory = single(dir_fd, "memory.current", &s->memory_usage) &&
	                single(dir_fd, "memory.max", &s->memory_limit);
	if (s->has_memory && !single(dir_fd, "memory.peak", &s->memory_peak))
		s->memory_peak = 0;
	s->has_swap = single(dir_fd, "memory.swap.current", &s->swap_usage) &&
	              single(dir_fd, "memory.swap.max", &s->swap_limit);
	_cleanup_free_ char *events = husk_cgfs_slurp(dir_fd, "memory.events");
	if (events) {
		s->has_oom = husk_cgfs_keyed(events, "oom_kill", &s->oom_kills);
		/* times usage hit memory.max: v1's failcnt as v2 tells it */
		husk_cgfs_keyed(events, "max", &s->memory_failcnt);
	}
	_cleanup_free_ char *stat = husk_cgfs_slurp(dir_fd, "memory.stat");
	if (stat)
		husk_cgroup_read_memory_raw(stat, s);
}

static void read_io(int dir_fd, struct husk_container_stats *s)
{
	_cleanup_free_ char *buf = husk_cgfs_slurp(dir_fd, "io.stat");
	size_t cap = 0;
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		struct husk_io_device d = {0};
		if (sscanf(line, "%u:%u", &d.major, &d.minor) != 2)
			continue;
		for (char *f = strchr(line, ' '); f; f = strchr(f + 1, ' ')) {
			uint64_t *dst = !strncmp(f + 1, "rbytes=", 7)   ? &d.rbytes
			                : !strncmp(f + 1, "wbytes=", 7) ? &d.wbytes
			                : !strncmp(f + 1, "rios=", 5)   ? &d.rios
			                : !strncmp(f + 1, "wios=", 5)   ? &d.wios
			                                                : NULL;
			if (dst)
				*dst = strtoull(strchr(f, '=') + 1, NULL, 10);
		}
		if (s->n_io == cap) {
			cap = cap ? cap * 2 : 8;
			s->io = xreallocarray(s->io, cap, sizeof(*s->io));
		}
		s->io[s->n_io++] = d;
	}
}

/* hugetlb.<size>.current for every page size the kernel lists. */
static void read_hugetlb(int dir_fd, struct husk_container_stats *s)
{
	/* a fresh open, not a dup: a dup would share (and use up) the
	 * directory offset of dir_fd for the next read */
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_(closedirp) DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (fd >= 0 && !d)
		close(fd);
	struct dirent *de;
	size_t cap = 0;
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (strncmp(de->d_name, "hugetlb.", 8) || len < 17 ||
		    strcmp(de->d_name + len - 8, ".current"))
			continue;
		_cleanup_free_ char *size = xstrndup(de->d_name + 8, len - 16);
		if (strchr(size, '.')) /* hugetlb.2MB.rsvd.current */
			continue;
		struct husk_hugetlb_stat h = {0};
		if (!single(dir_fd, de->d_name, &h.usage))
			continue;
		_cleanup_free_ char *ev_name = xasprintf("hugetlb.%s.events", size);
		_cleanup_free_ char *ev = husk_cgfs_slurp(dir_fd, ev_name);
		if (ev)
			husk_cgfs_keyed(ev, "max", &h.failcnt);
		h.page_size = TAKE_PTR(size);
		if (s->n_hugetlb == cap) {
			cap = cap ? cap * 2 : 4;
			s->hugetlb = xreallocarray(s->hugetlb, cap, sizeof(*s->hugetlb));
		}
		s->hugetlb[s->n_hugetlb++] = h;
	}
}

static bool psi_line(const char *buf, const char *kind, struct husk_psi_line *ret)
{
	size_t n = strlen(kind);
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, kind, n) && p[n] == ' ')
			return sscanf(p + n, " avg10=%lf avg60=%lf avg300=%lf total=%" SCNu64,
			              &ret->avg10, &ret->avg60, &ret->avg300, &ret->total) == 4;
	return false;
}

void husk_cgroup_read_psi(int dir_fd, const char *name, struct husk_psi *ret)
{
	_cleanup_free_ char *buf = husk_cgfs_slurp(dir_fd, name);
	/* reading fails with EOPNOTSUPP when PSI is compiled in but off */
	if (!buf)
		return;
	ret->present = psi_line(buf, "some", &ret->some);
	ret->has_full = ret->present && psi_line(buf, "full", &ret->full);
}

int husk_cgroup_v2_read_stats(int dir_fd, const char *dir, struct husk_container_stats *ret,
                              struct husk_error **err)
{
	memset(ret, 0, sizeof(*ret));
	if (faccessat(dir_fd, "cgroup.procs", F_OK, 0) < 0)
		return husk_error_set(err, errno, "cgroup \"%s\"", dir);
	read_cpu(dir_fd, ret);
	read_memory(dir_fd, ret);
	ret->has_pids = single(dir_fd, "pids.current", &ret->pids_current) &&
	                single(dir_fd, "pids.max", &ret->pids_limit);
	read_io(dir_fd, ret);
	read_hugetlb(dir_fd, ret);
	husk_cgroup_read_psi(dir_fd, "cpu.pressure", &ret->cpu_pressure);
	husk_cgroup_read_psi(dir_fd, "memory.pressure", &ret->memory_pressure);
	husk_cgroup_read_psi(dir_fd, "io.pressure", &ret->io_pressure);
	return 0;
}

void husk_host_read_stats(struct husk_container_stats *s)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	s->host_cpus = n > 0 ? (unsigned)n : 0;
	_cleanup_close_ int proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc_fd < 0)
		return;
	_cleanup_free_ char *mem = husk_cgfs_slurp(proc_fd, "meminfo");
	uint64_t kb = 0;
	/* meminfo pads with spaces after the colon: "MemTotal:   16318412 kB" */
	for (char *p = mem; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (sscanf(p, "MemTotal: %" SCNu64, &kb) == 1)
			s->host_memory_total = kb * 1024;
		else if (sscanf(p, "MemAvailable: %" SCNu64, &kb) == 1)
			s->host_memory_available = kb * 1024;
	}
	husk_cgroup_read_psi(proc_fd, "pressure/cpu", &s->host_cpu_pressure);
	husk_cgroup_read_psi(proc_fd, "pressure/memory", &s->host_memory_pressure);
	husk_cgroup_read_psi(proc_fd, "pressure/io", &s->host_io_pressure);
}

int husk_cgroup_oom_group_annotation(int dir_fd, const char *dir, const struct husk_kv *annotations,
                                     size_t n, struct husk_error **err)
{
	const char *v = NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(annotations[i].key, "husk.oom.group"))
			v = annotations[i].value;
	if (!v || !strcmp(v, "true"))
		return 0;
	if (strcmp(v, "false") != 0)
		return husk_error_set(err, 0,
		                      "annotations.husk.oom.group: expected \"true\" or \"false\", "
		                      "got \"%s\"",
		                      v);
	if (dir_fd < 0)
		return 0;
	_cleanup_close_ int fd =
	    openat(dir_fd, "memory.oom.group", O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) /* no memory controller: nothing groups kills */
		return 0;
	if (fd < 0 || write(fd, "0", 1) != 1)
		return husk_error_set(err, errno, "write \"0\" to \"%s/memory.oom.group\"", dir);
	return 0;
}
