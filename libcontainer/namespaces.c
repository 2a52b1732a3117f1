/* Namespace plans, setns() order, user-namespace id maps and time offsets.
 * The clone itself is spawn.c's; this module decides what it asks for.
 * Maps the kernel refuses from an unprivileged caller go through the
 * setuid helpers (rootless.c). */
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "rootless.h"
#include "subid.h"
#include "util/xalloc.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	unsigned long flag;
	const char *proc_name;
} ns_info[HUSK_NS_TYPE_COUNT] = {
    [HUSK_NS_PID] = {CLONE_NEWPID, "pid"},          [HUSK_NS_NETWORK] = {CLONE_NEWNET, "net"},
    [HUSK_NS_MOUNT] = {CLONE_NEWNS, "mnt"},         [HUSK_NS_IPC] = {CLONE_NEWIPC, "ipc"},
    [HUSK_NS_UTS] = {CLONE_NEWUTS, "uts"},          [HUSK_NS_USER] = {CLONE_NEWUSER, "user"},
    [HUSK_NS_CGROUP] = {CLONE_NEWCGROUP, "cgroup"}, [HUSK_NS_TIME] = {CLONE_NEWTIME, "time"},
};

unsigned long husk_ns_clone_flag(enum husk_ns_type type)
{
	return ns_info[type].flag;
}

const char *husk_ns_proc_name(enum husk_ns_type type)
{
	return ns_info[type].proc_name;
}

int husk_ns_plan_build(const struct husk_spec *spec, struct husk_ns_plan *plan,
                       struct husk_error **err)
{
	memset(plan, 0, sizeof(*plan));
	for (int i = 0; i < HUSK_NS_TYPE_COUNT; i++)
		plan->join_fd[i] = -1;
	const struct husk_spec_linux *lx = spec->linux_;
	if (!lx)
		return 0;
	for (size_t i = 0; i < lx->n_namespaces; i++) {
		const struct husk_spec_namespace *ns = &lx->namespaces[i];
		if (!ns->path) {
			if (ns->type == HUSK_NS_TIME)
				plan->new_time = true;
			else
				plan->clone_flags |= ns_info[ns->type].flag;
			continue;
		}
		int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			husk_ns_plan_close(plan);
			return husk_error_set(err, errno, "open %s namespace \"%s\"",
			                      husk_ns_type_name(ns->type), ns->path);
		}
		plan->join_fd[ns->type] = fd;
	}
	return 0;
}

void husk_ns_plan_close(struct husk_ns_plan *plan)
{
	for (int i = 0; i < HUSK_NS_TYPE_COUNT; i++) {
		if (plan->join_fd[i] >= 0)
			close(plan->join_fd[i]);
		plan->join_fd[i] = -1;
	}
}

static int join_one(const struct husk_ns_plan *plan, enum husk_ns_type type,
                    struct husk_error **err)
{
	int fd = plan->join_fd[type];
	if (fd < 0)
		return 0;
	if (setns(fd, (int)ns_info[type].flag) < 0)
		return husk_error_set(err, errno, "join %s namespace", husk_ns_type_name(type));
	return 0;
}

int husk_ns_join(const struct husk_ns_plan *plan, struct husk_error **err)
{
	/* user first: joining it grants the capabilities the other setns()
	 * calls are checked against; mount last: it changes root and cwd. */
	static const enum husk_ns_type order[] = {
	    HUSK_NS_USER, HUSK_NS_IPC,  HUSK_NS_UTS,    HUSK_NS_NETWORK,
	    HUSK_NS_PID,  HUSK_NS_TIME, HUSK_NS_CGROUP, HUSK_NS_MOUNT,
	};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (join_one(plan, order[i], err) < 0)
			return -1;
	return 0;
}

static int write_proc_file(pid_t pid, const char *name, const char *data, struct husk_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", path);
	size_t len = strlen(data);
	ssize_t n = write(fd, data, len);
	if (n != (ssize_t)len)
		return husk_error_set(err, n < 0 ? errno : EIO, "write %s \"%s\"", name, path);
	return 0;
}

static char *format_map(const struct husk_spec_id_mapping *m, size_t n)
{
	size_t cap = n * 40 + 1, used = 0;
	char *buf = xmalloc(cap);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%u %u %u\n", m[i].container_id,
		                         m[i].host_id, m[i].size);
	return buf;
}

/* One map: written directly when the kernel allows it (root, or the
 * caller's own id alone), else through newuidmap/newgidmap (rootless.c). */
static int write_one_map(pid_t pid, bool gid, const struct husk_spec_id_mapping *m, size_t n,
                         struct husk_error **err)
{
	uint32_t own = gid ? getegid() : geteuid();
	if (geteuid() != 0 && husk_subid_needs_helper(m, n, own))
		return husk_rootless_write_map(pid, gid, m, n, err);
	_cleanup_free_ char *map = format_map(m, n);
	if (write_proc_file(pid, gid ? "gid_map" : "uid_map", map, err) < 0)
		return husk_error_prefix(err, gid ? "linux.gidMappings" : "linux.uidMappings");
	return 0;
}

int husk_userns_write_maps(pid_t pid, const struct husk_spec *spec, struct husk_error **err)
{
	const struct husk_spec_linux *lx = spec->linux_;
	/* Without CAP_SETGID in the parent namespace the kernel accepts a
	 * gid_map only after setgroups is denied (user_namespaces(7)).  The
	 * helper decides that itself: it allows setgroups when the map holds
	 * subordinate gids. */
	if (geteuid() != 0 &&
	    !husk_subid_needs_helper(lx->gid_mappings, lx->n_gid_mappings, getegid()) &&
	    write_proc_file(pid, "setgroups", "deny", err) < 0)
		return -1;
	if (write_one_map(pid, false, lx->uid_mappings, lx->n_uid_mappings, err) < 0 ||
	    write_one_map(pid, true, lx->gid_mappings, lx->n_gid_mappings, err) < 0)
		return -1;
	return 0;
}

int husk_timens_prepare(const struct husk_spec *spec, int *ret_saved_fd, struct husk_error **err)
{
	const struct husk_spec_linux *lx = spec->linux_;
	_cleanup_close_ int saved = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return husk_error_set(err, errno,
		                      "time namespace: open /proc/self/ns/time_for_children");
	if (unshare(CLONE_NEWTIME) < 0)
		return husk_error_set(err, errno, "time namespace: unshare");
	char buf[128] = "";
	size_t used = 0;
	if (lx->time_monotonic.present)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "monotonic %lld %u\n",
		                         (long long)lx->time_monotonic.secs,
		                         lx->time_monotonic.nanosecs);
	if (lx->time_boottime.present)
		snprintf(buf + used, sizeof(buf) - used, "boottime %lld %u\n",
		         (long long)lx->time_boottime.secs, lx->time_boottime.nanosecs);
	if (buf[0] && write_proc_file(getpid(), "timens_offsets", buf, err) < 0) {
		(void)setns(saved, CLONE_NEWTIME);
		return husk_error_prefix(err, "linux.timeOffsets");
	}
	*ret_saved_fd = TAKE_FD(saved);
	return 0;
}

int husk_timens_restore(int saved_fd, struct husk_error **err)
{
	if (saved_fd < 0)
		return 0;
	if (setns(saved_fd, CLONE_NEWTIME) < 0)
		return husk_error_set(err, errno, "time namespace: restore");
	return 0;
}

bool husk_ns_differs(pid_t pid, enum husk_ns_type type)
{
	char path[64];
	struct stat ours, theirs;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_info[type].proc_name);
	if (stat(path, &ours) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_info[type].proc_name);
	if (stat(path, &theirs) < 0)
		return false;
	return ours.st_ino != theirs.st_ino || ours.st_dev != theirs.st_dev;
}
