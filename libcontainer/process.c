/* The container process's last steps before execve(), shared by the init and
 * by `exec`: finding the executable, identity and limits (apply), closing
 * husk's descriptors, and the execve itself.  Capabilities, rlimits and the
 * terminal have their own modules; this file decides the order they run in.
 * Namespaces, mounts, cgroups and seccomp are not done here. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "husk/cleanup.h"
#include "process.h"

#include "exec-stub.h"
#include "rlimits.h"
#include "util/xalloc.h"

/* What runc and Go's os/exec fall back to when the config sets no PATH. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- finding the executable ---- */

/* The last PATH= wins: runc applies the environment one entry at a time
 * before its lookup, so a later entry overrides an earlier one. */
static const char *process_path(const struct husk_spec_process *process)
{
	const char *path = NULL;

	for (size_t i = 0; i < process->n_env; i++)
		if (process->env[i] && strncmp(process->env[i], "PATH=", 5) == 0)
			path = process->env[i] + 5;
	return path ? path : DEFAULT_PATH;
}

/* "exec "PATH": <reason>".  Docker's client picks the exit status of a
 * container that could not start from the runtime's words, spelled as Go
 * spells them: "no such file or directory" makes it 127, "permission
 * denied" 126, anything else 125.  So those two errnos read that way here
 * (errnum still carries the errno); others get strerror's text. */
static int exec_error(struct husk_error **err, int errnum, const char *path)
{
	const char *reason = errnum == ENOENT   ? "no such file or directory"
	                     : errnum == EACCES ? "permission denied"
	                                        : NULL;
	if (!reason)
		return husk_error_set(err, errnum, "exec \"%s\"", path);
	bool fresh = err && !*err;
	husk_error_set(err, 0, "exec \"%s\": %s", path, reason);
	if (fresh)
		(*err)->errnum = errnum;
	return -1;
}

/* 0 when path is something execve() can run as the current credentials,
 * else an errno.  A directory or a file without any x bit is EACCES even
 * for root (whom access(2) would let through). */
static int check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111))
		return EACCES;
	if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
		return errno;
	return 0;
}

int husk_process_find_exec(const struct husk_spec_process *process, char **ret_path,
                           struct husk_error **err)
{
	if (process->n_args == 0 || !process->args[0])
		return husk_error_set(err, 0, "exec: process.args is empty");
	const char *name = process->args[0];

	if (strchr(name, '/')) {
		int r = check_executable(name);
		if (r != 0)
			return exec_error(err, r, name);
		*ret_path = xstrdup(name);
		return 0;
	}
	if (name[0] != '\0') {
		const char *p = process_path(process);
		while (*p) {
			size_t len = strcspn(p, ":");
			/* An empty element means the current directory. */
			_cleanup_free_ char *candidate =
			    len ? xasprintf("%.*s/%s", (int)len, p, name) : xasprintf("./%s", name);
			if (check_executable(candidate) == 0) {
				*ret_path = TAKE_PTR(candidate);
				return 0;
			}
			p += len;
			if (*p == ':')
				p++;
		}
	}
	/* ENOENT for callers that tell "not found" apart, without the
	 * strerror text that husk_error_set() would append. */
	struct husk_error *e = NULL;
	husk_error_set(&e, 0, "exec \"%s\": executable file not found in $PATH", name);
	e->errnum = ENOENT;
	if (err && !*err)
		*err = e;
	else
		husk_error_free(e);
	return -1;
}

/* ---- scheduling ---- */

/* struct sched_attr as of Linux 5.3 (SCHED_ATTR_SIZE_VER1).  Older kernels
 * accept the larger size as long as the fields they do not know are 0.
 * glibc declares its own struct only from 2.41 on, hence a private name. */
struct husk_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};

struct name_value {
	const char *name;
	unsigned long value;
};

/* Kernel numbers from include/uapi/linux/sched.h. */
static const struct name_value sched_policies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};

static const struct name_value sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

/* include/uapi/linux/ioprio.h */
static const struct name_value ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
};
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

static int lookup(const struct name_value *table, size_t n, const char *name, unsigned long *ret)
{
	for (size_t i = 0; name && i < n; i++) {
		if (strcmp(table[i].name, name) == 0) {
			*ret = table[i].value;
			return 0;
		}
	}
	return -1;
}

static int set_scheduler(const struct husk_spec_scheduler *s, struct husk_error **err)
{
	struct husk_sched_attr attr = {.size = sizeof(attr)};
	unsigned long value;

	if (lookup(sched_policies, HUSK_ARRAY_SIZE(sched_policies), s->policy, &value) < 0)
		return husk_error_set(err, 0, "unknown scheduler policy \"%s\"",
		                      s->policy ? s->policy : "");
	attr.sched_policy = (uint32_t)value;
	for (size_t i = 0; i < s->n_flags; i++) {
		if (lookup(sched_flags, HUSK_ARRAY_SIZE(sched_flags), s->flags[i], &value) < 0)
			return husk_error_set(err, 0, "unknown scheduler flag \"%s\"", s->flags[i]);
		attr.sched_flags |= value;
	}
	attr.sched_nice = s->has_nice ? s->nice : 0;
	attr.sched_priority = s->has_priority ? (uint32_t)s->priority : 0;
	attr.sched_runtime = s->has_runtime ? s->runtime : 0;
	attr.sched_deadline = s->has_deadline ? s->deadline : 0;
	attr.sched_period = s->has_period ? s->period : 0;
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
		return husk_error_set(err, errno, "sched_setattr %s", s->policy);
	return 0;
}

static int set_io_priority(const struct husk_spec_io_priority *io, struct husk_error **err)
{
	unsigned long klass;

	if (lookup(ioprio_classes, HUSK_ARRAY_SIZE(ioprio_classes), io->klass, &klass) < 0)
		return husk_error_set(err, 0, "unknown io priority class \"%s\"",
		                      io->klass ? io->klass : "");
	if (io->priority < 0 || io->priority > 7)
		return husk_error_set(err, 0, "io priority %d out of range 0-7", io->priority);
	int value = (int)(klass << IOPRIO_CLASS_SHIFT) | io->priority;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, value) < 0)
		return husk_error_set(err, errno, "ioprio_set %s %d", io->klass, io->priority);
	return 0;
}

/* The kernel's own limit on CPU numbers is far lower; this only stops a
 * hostile "0-4000000000" from allocating gigabytes. */
#define MAX_CPU 65536

static int parse_cpu(const char **p, unsigned long *ret)
{
	char *end;

	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	*ret = strtoul(*p, &end, 10);
	if (errno || *ret >= MAX_CPU)
		return -1;
	*p = end;
	return 0;
}

/* "0-3,7" -> a CPU set sized to its highest CPU (caller CPU_FREEs). */
static int parse_cpu_list(const char *list, cpu_set_t **ret, size_t *ret_size)
{
	unsigned long max = 0, lo, hi;
	const char *p = list;

	/* First pass: validate and find the highest CPU, to size the set. */
	for (;;) {
		if (parse_cpu(&p, &lo) < 0)
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &hi) < 0 || hi < lo)
				return -1;
		}
		if (hi > max)
			max = hi;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return -1;
	}
	size_t size = CPU_ALLOC_SIZE(max + 1);
	cpu_set_t *set = CPU_ALLOC(max + 1);
	if (!set)
		abort(); /* out of memory, as xmalloc */
	CPU_ZERO_S(size, set);
	for (p = list;;) {
		parse_cpu(&p, &lo);
		hi = lo;
		if (*p == '-') {
			p++;
			parse_cpu(&p, &hi);
		}
		for (unsigned long cpu = lo; cpu <= hi; cpu++)
			CPU_SET_S(cpu, size, set);
		if (*p++ == '\0')
			break;
	}
	*ret = set;
	*ret_size = size;
	return 0;
}

static int set_cpu_affinity(const char *list, struct husk_error **err)
{
	cpu_set_t *set;
	size_t size;

	if (parse_cpu_list(list, &set, &size) < 0)
		return husk_error_set(err, 0, "invalid cpu list \"%s\"", list);
	int r = sched_setaffinity(0, size, set);
	int saved = errno;
	CPU_FREE(set);
	if (r < 0)
		return husk_error_set(err, saved, "set cpu affinity \"%s\"", list);
	return 0;
}

/* Scheduler policy, I/O priority and CPU affinity, each only when set.  A
 * real-time policy or class needs CAP_SYS_NICE (or CAP_SYS_ADMIN), so this
 * runs while the process still has every capability. */
static int set_scheduling(const struct husk_spec_process *process, struct husk_error **err)
{
	if (process->scheduler && set_scheduler(process->scheduler, err) < 0)
		return -1;
	if (process->io_priority && set_io_priority(process->io_priority, err) < 0)
		return -1;
	/* The init is born in its cgroup (CLONE_INTO_CGROUP), so there is no
	 * cgroup transition left to span here: what must hold at execve() is
	 * the final list, or the initial one when only that is given. */
	const struct husk_spec_cpu_affinity *aff = process->exec_cpu_affinity;
	const char *list = aff ? (aff->final ? aff->final : aff->initial) : NULL;
	if (list && set_cpu_affinity(list, err) < 0)
		return -1;
	return 0;
}

/* ---- apply ---- */

static int set_oom_score_adj(int32_t value, struct husk_error **err)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", value);
	_cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return husk_error_set(err, errno, "open /proc/self/oom_score_adj");
	if (write(fd, buf, (size_t)len) != len)
		return husk_error_set(err, errno, "write \"%s\" to /proc/self/oom_score_adj", buf);
	return 0;
}

/* A cwd reached through a magic link (process.cwd "/proc/self/fd/N" naming
 * one of husk's own descriptors) can be a directory outside the container's
 * root: the class of CVE-2024-21626.  getcwd() then fails with ENOENT or
 * answers "(unreachable)/..." instead of an absolute path. */
static int check_cwd_inside(const char *cwd, struct husk_error **err)
{
	char buf[4096];
	bool unreachable;
	if (getcwd(buf, sizeof(buf)) == NULL)
		unreachable = errno == ENOENT; /* else too long to show, still inside */
	else
		unreachable = buf[0] != '/';
	if (unreachable)
		return husk_error_set(
		    err, 0, "process.cwd \"%s\": outside the container's root filesystem", cwd);
	return 0;
}

/* Changes to cwd.  When allow_later is set, a permission error is left for
 * a second try under the container's user (*ret_later set): the directory
 * may be one only that user can enter, such as a volume chowned to it. */
static int enter_cwd(const char *cwd, bool allow_later, bool *ret_later, struct husk_error **err)
{
	*ret_later = false;
	if (!cwd)
		return 0;
	if (chdir(cwd) == 0)
		return check_cwd_inside(cwd, err);
	if (allow_later && (errno == EACCES || errno == EPERM)) {
		*ret_later = true;
		return 0;
	}
	return husk_error_set(err, errno, "chdir \"%s\"", cwd);
}

/* A user namespace set up by an unprivileged user has setgroups "deny"
 * (Linux 3.19 and later); the call would fail with EPERM there. */
static bool setgroups_denied(void)
{
	char buf[8] = "";
	_cleanup_close_ int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
		return false;
	return strncmp(buf, "deny", 4) == 0;
}

static int switch_user(const struct husk_spec_user *user, struct husk_error **err)
{
	_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");

	/* setresuid() from root to another uid clears the permitted set unless
	 * keep-caps is on; the capabilities step after this one still needs
	 * them to install the configured sets. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return husk_error_set(err, errno, "prctl PR_SET_KEEPCAPS");
	/* Always set, even to none: the groups of whoever ran husk must not
	 * leak into the container. */
	if (!setgroups_denied()) {
		if (setgroups(user->n_additional_gids, (const gid_t *)user->additional_gids) < 0)
			return husk_error_set(err, errno, "setgroups");
	} else if (user->n_additional_gids > 0) {
		return husk_error_set(err, 0,
		                      "cannot set additional gids: setgroups is denied in this "
		                      "user namespace");
	}
	/* gid first: once the uid is not 0, CAP_SETGID is no longer effective. */
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return husk_error_set(err, errno, "setresgid %u", user->gid);
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return husk_error_set(err, errno, "setresuid %u", user->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return husk_error_set(err, errno, "prctl PR_SET_KEEPCAPS");
	return 0;
}

/* The order below is the point of this function; each step says why it is
 * where it is.  Seccomp, which comes after all of it, is not done here. */
int husk_process_apply(const struct husk_spec_process *process, struct husk_error **err)
{
	struct husk_caps caps;
	bool cwd_later;
	int last_cap;

	/* Names are resolved before anything changes, so a bad config leaves
	 * the process as it found it. */
	if (husk_caps_last_cap(&last_cap, err) < 0 ||
	    husk_caps_from_spec(process->capabilities, last_cap, &caps, NULL, err) < 0)
		return -1;

	/* Lowering oom_score_adj below its current value needs
	 * CAP_SYS_RESOURCE: before any privilege is dropped. */
	if (process->has_oom_score_adj && set_oom_score_adj(process->oom_score_adj, err) < 0)
		return -1;
	/* Raising a hard limit needs CAP_SYS_RESOURCE too. */
	if (husk_rlimits_apply(process->rlimits, process->n_rlimits, err) < 0)
		return -1;
	if (set_scheduling(process, err) < 0)
		return -1;
	umask(process->user.has_umask ? (mode_t)process->user.umask : 0022);

	/* Tried as root first: the directory may be reachable only with
	 * husk's credentials (root's DAC override). */
	if (enter_cwd(process->cwd, true, &cwd_later, err) < 0)
		return -1;
	/* PR_CAPBSET_DROP needs CAP_SETPCAP in the effective set, which
	 * setresuid() to a non-zero uid clears: drop the bounding set while
	 * still root. */
	if (husk_caps_apply_bounding(&caps, last_cap, err) < 0)
		return -1;
	if (switch_user(&process->user, err) < 0)
		return -1;
	if (cwd_later && enter_cwd(process->cwd, false, &cwd_later, err) < 0)
		return -1;
	/* After the uid change: it would have cleared the effective set, and
	 * the permitted set kept by keep-caps is what capset() narrows. */
	if (husk_caps_apply_sets(&caps, last_cap, err) < 0)
		return -1;
	/* Last, so nothing above runs with it (it is inherited and cannot be
	 * unset); seccomp, after this, relies on it when unprivileged. */
	if (process->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return husk_error_set(err, errno, "prctl PR_SET_NO_NEW_PRIVS");
	return 0;
}

/* ---- closing descriptors ---- */

static int compare_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static bool is_kept(int fd, const int *keep, int n_keep)
{
	for (int i = 0; i < n_keep; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

/* Without close_range() (before Linux 5.9): close what /proc lists. */
static int close_listed_fds(int first, const int *keep, int n_keep, struct husk_error **err)
{
	_cleanup_close_ int dir_fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return husk_error_set(err, errno, "open /proc/self/fd");
	DIR *dir = fdopendir(dir_fd);
	if (!dir)
		return husk_error_set(err, errno, "read /proc/self/fd");
	int own_fd = TAKE_FD(dir_fd);
	struct dirent *de;
	while ((de = readdir(dir))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || fd < first || fd == own_fd ||
		    is_kept((int)fd, keep, n_keep))
			continue;
		close((int)fd);
	}
	closedir(dir);
	return 0;
}

int husk_process_close_fds(int preserve_fds, const int *keep, int n_keep, struct husk_error **err)
{
	if (preserve_fds < 0 || n_keep < 0)
		return husk_error_set(err, EINVAL, "close fds");
	int first = 3 + preserve_fds;

	/* --preserve-fds passes these to the program: they must survive
	 * execve(), whatever flags husk's caller opened them with.  A kept
	 * fd in that range stays close-on-exec: it is husk's. */
	for (int fd = 3; fd < first; fd++) {
		if (is_kept(fd, keep, n_keep))
			continue;
		int flags = fcntl(fd, F_GETFD);
		if (flags < 0 || !(flags & FD_CLOEXEC))
			continue;
		if (fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
			return husk_error_set(err, errno, "clear close-on-exec on fd %d", fd);
	}

	/* Close the gaps between the kept fds above the preserved range. */
	_cleanup_free_ int *sorted = xcalloc((size_t)n_keep + 1, sizeof(int));
	if (n_keep)
		memcpy(sorted, keep, (size_t)n_keep * sizeof(int));
	qsort(sorted, (size_t)n_keep, sizeof(int), compare_int);
	unsigned int lo = (unsigned int)first;
	for (int i = 0; i <= n_keep; i++) {
		unsigned int hi;
		if (i < n_keep) {
			if (sorted[i] < first || (unsigned int)sorted[i] < lo)
				continue;
			hi = (unsigned int)sorted[i] - 1;
		} else {
			hi = ~0U;
		}
		if (hi >= lo && close_range(lo, hi, 0) < 0) {
			if (errno == ENOSYS)
				return close_listed_fds(first, keep, n_keep, err);
			return husk_error_set(err, errno, "close fds %u-%u", lo, hi);
		}
		if (i < n_keep)
			lo = (unsigned int)sorted[i] + 1;
	}
	return 0;
}

/* ---- exec ---- */

int husk_process_exec(const char *path, const struct husk_spec_process *process, int stub_fd,
                      struct husk_error **err)
{
	_cleanup_free_ char **argv = xcalloc(process->n_args + 1, sizeof(char *));
	_cleanup_free_ char **envp = xcalloc(process->n_env + 1, sizeof(char *));

	if (process->n_args)
		memcpy(argv, process->args, process->n_args * sizeof(char *));
	if (process->n_env)
		memcpy(envp, process->env, process->n_env * sizeof(char *));
	/* Exactly the configured environment: nothing of husk's own leaks. */
	husk_exec_stub_exec(stub_fd, path, argv, process->n_args, envp);
	return exec_error(err, errno, path);
}
