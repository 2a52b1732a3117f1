/* Cloning the init and the parent's half of the sync protocol.
 *
 * The init is created with clone3() directly in all its new namespaces, so
 * no intermediate process is needed in the common case.  Two namespaces
 * can't be handled that way and are prepared in the parent around the
 * clone: a time namespace (its offsets must be written before any process
 * enters it) and a pid namespace joined by path (setns() on a pid namespace
 * only affects children).  A user namespace joined by path must come before
 * the others are created, so then the init joins it and unshares the rest.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "husk/cleanup.h"
#include "husk/signals.h"
#include "sync.h"
#include "terminal.h"
#include "seccomp-filter.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The 88-byte version of struct clone_args (Linux 5.7), which has the
 * cgroup field. */
struct clone_args_v2 {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

pid_t husk_clone(unsigned long flags, int cgroup_fd, int *ret_pidfd)
{
	int pidfd = -1;
	struct clone_args_v2 ca = {
	    .flags = flags | CLONE_PIDFD,
	    .pidfd = (uint64_t)(uintptr_t)&pidfd,
	    .exit_signal = SIGCHLD,
	};
	if (cgroup_fd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup_fd;
	}
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0 && cgroup_fd < 0 && (errno == ENOSYS || errno == E2BIG)) {
		/* clone() without a stack forks; the pidfd comes back through
		 * the parent_tid slot, which CLONE_PIDFD reuses. */
		pid = syscall(SYS_clone, flags | CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0);
	}
	if (pid > 0)
		*ret_pidfd = pidfd;
	return (pid_t)pid;
}

bool husk_clone_cgroup_unsupported(int errnum)
{
	/* EAGAIN and ENOMEM are the cgroup's own limits (pids.max) speaking:
	 * moving the child afterwards would only dodge them */
	return errnum != EAGAIN && errnum != ENOMEM && errnum != EINTR;
}

static void kill_and_reap(pid_t pid, int pidfd)
{
	if (pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	else
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* What the parent changes in itself around the clone, and undoes after. */
struct parent_ns_switch {
	int saved_time_fd;
	int saved_pid_fd;
};

static int switch_parent_ns(struct husk_init_args *a, struct parent_ns_switch *sw,
                            struct husk_error **err)
{
	sw->saved_time_fd = -1;
	sw->saved_pid_fd = -1;
	if (a->plan->new_time && husk_timens_prepare(a->spec, &sw->saved_time_fd, err) < 0)
		return -1;
	int pid_fd = a->plan->join_fd[HUSK_NS_PID];
	if (pid_fd >= 0) {
		sw->saved_pid_fd = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
		if (sw->saved_pid_fd < 0 || setns(pid_fd, CLONE_NEWPID) < 0) {
			husk_timens_restore(sw->saved_time_fd, NULL);
			return husk_error_set(err, errno, "join pid namespace");
		}
	}
	return 0;
}

static void restore_parent_ns(struct parent_ns_switch *sw)
{
	if (sw->saved_pid_fd >= 0) {
		(void)setns(sw->saved_pid_fd, CLONE_NEWPID);
		close(sw->saved_pid_fd);
	}
	if (sw->saved_time_fd >= 0) {
		husk_timens_restore(sw->saved_time_fd, NULL);
		close(sw->saved_time_fd);
	}
}

/* Waits for READY, serving a HOOKS stop on the way. */
int husk_spawn_serve_seccomp(int fd, const struct husk_spec *spec, const char *id,
                             const char *bundle, const char *rootfs, enum husk_status status,
                             pid_t pid, struct husk_error **err)
{
	int nfd = -1;
	if (husk_terminal_recv_fd(fd, NULL, &nfd, err) < 0)
		return -1;
	struct husk_state st = {.oci_version = spec->oci_version,
	                        .id = (char *)id,
	                        .status = status,
	                        .pid = pid,
	                        .bundle = (char *)bundle,
	                        .rootfs = (char *)rootfs,
	                        .owner = geteuid(),
	                        .annotations = spec->annotations,
	                        .n_annotations = spec->n_annotations};
	_cleanup_free_ char *json = husk_state_to_json(&st);
	const struct husk_spec_seccomp *sc = spec->linux_->seccomp;
	struct husk_seccomp_listener l = {.path = sc->listener_path,
	                                  .metadata = sc->listener_metadata,
	                                  .pid = pid,
	                                  .state_json = json};
	int r = husk_seccomp_send_notify_fd(&l, nfd, err);
	close(nfd);
	if (r < 0)
		return -1;
	return husk_sync_send(fd, HUSK_SYNC_SECCOMP_DONE, 0, err);
}

static int wait_ready(int fd, pid_t pid, const struct husk_spawn_hooks *hooks,
                      const struct husk_init_args *a, struct husk_error **err)
{
	struct husk_sync_msg msg;
	if (husk_sync_recv(fd, &msg, err) < 0)
		return -1;
	if (msg.type == HUSK_SYNC_HOOKS) {
		if (hooks && hooks->run && hooks->run(hooks->data, pid, err) < 0)
			return -1;
		if (husk_sync_send(fd, HUSK_SYNC_HOOKS_DONE, pid, err) < 0 ||
		    husk_sync_recv(fd, &msg, err) < 0)
			return -1;
	}
	if (msg.type == HUSK_SYNC_SECCOMP) {
		if (husk_spawn_serve_seccomp(fd, a->spec, a->id, a->rootfs.bundle, a->rootfs.rootfs,
		                             HUSK_STATUS_CREATING, pid, err) < 0 ||
		    husk_sync_recv(fd, &msg, err) < 0)
			return -1;
	}
	if (msg.type != HUSK_SYNC_READY)
		return husk_error_set(err, 0, "expected 'READY', got '%s'",
		                      husk_sync_type_name(msg.type));
	return 0;
}

int husk_spawn_init(struct husk_init_args *a, const struct husk_spawn_hooks *hooks,
                    struct husk_cgroup *cg, struct husk_spawned *ret, struct husk_error **err)
{
	int sync_fds[2];
	if (husk_sync_pair(sync_fds, err) < 0)
		return -1;
	_cleanup_close_ int parent_fd = sync_fds[0];
	_cleanup_close_ int child_fd = sync_fds[1];

	/* The child's copy of the plan: the pid namespace is joined here. */
	struct husk_ns_plan child_plan = *a->plan;
	child_plan.join_fd[HUSK_NS_PID] = -1;
	unsigned long flags = a->plan->clone_flags;
	if (a->plan->join_fd[HUSK_NS_USER] >= 0) {
		a->unshare_flags = flags;
		flags = 0;
	}
	a->new_user_ns = flags & CLONE_NEWUSER;
	a->new_pid_ns = (a->plan->clone_flags & CLONE_NEWPID) != 0;
	a->parent_pid = getpid();

	a->reset_signals = husk_signals_non_default();
	struct parent_ns_switch sw;
	if (switch_parent_ns(a, &sw, err) < 0)
		return -1;
	int pidfd = -1;
	/* v1 hierarchies cannot be cloned into: the child joins them itself
	 * right after GO, or is moved before GO; either way it makes its
	 * cgroup namespace after that, below */
	bool move;
	int cgroup_fd = husk_cgroup_entry(cg, flags & CLONE_NEWUSER, &a->join_cgroup, &move);
	if (move || a->join_cgroup) {
		a->unshare_flags |= flags & CLONE_NEWCGROUP;
		flags &= ~(unsigned long)CLONE_NEWCGROUP;
	}
	pid_t pid = husk_clone(flags, cgroup_fd, &pidfd);
	if (pid < 0 && cgroup_fd >= 0 && husk_clone_cgroup_unsupported(errno)) {
		/* The kernel cannot clone into the cgroup (before 5.7): the
		 * child is moved before GO instead, and creates its cgroup
		 * namespace itself after that, so the namespace is rooted at
		 * the container's cgroup rather than ours. */
		move = true;
		a->join_cgroup = NULL;
		a->unshare_flags |= flags & CLONE_NEWCGROUP;
		flags &= ~(unsigned long)CLONE_NEWCGROUP;
		pid = husk_clone(flags, -1, &pidfd);
	}
	if (pid == 0) {
		close(parent_fd);
		a->plan = &child_plan;
		husk_init_main(a, child_fd);
	}
	int clone_errno = errno;
	restore_parent_ns(&sw);
	if (pid < 0)
		return husk_error_set(err, clone_errno, "clone the container's init");
	close(TAKE_FD(child_fd));

	if (move && husk_cgroup_add_process(cg, pid, err) < 0)
		goto err_kill;

	if (a->new_user_ns && husk_userns_write_maps(pid, a->spec, err) < 0)
		goto err_kill;
	if (hooks && hooks->attach && hooks->attach(hooks->data, pid, err) < 0)
		goto err_kill;
	if (husk_sync_send(parent_fd, HUSK_SYNC_GO, 0, err) < 0 ||
	    wait_ready(parent_fd, pid, hooks, a, err) < 0)
		goto err_kill;
	ret->pid = pid;
	ret->pidfd = pidfd;
	ret->sync_fd = TAKE_FD(parent_fd);
	return 0;

err_kill:
	kill_and_reap(pid, pidfd);
	if (pidfd >= 0)
		close(pidfd);
	return -1;
}

int husk_spawn_ack(struct husk_spawned *sp, struct husk_error **err)
{
	int r = husk_sync_send(sp->sync_fd, HUSK_SYNC_ACK, 0, err);
	/* The init closes its end once it has cleared its parent-death signal;
	 * exiting before that EOF would kill it. */
	char c;
	while (r == 0 && recv(sp->sync_fd, &c, 1, 0) < 0 && errno == EINTR)
		;
	close(sp->sync_fd);
	sp->sync_fd = -1;
	return r;
}

void husk_spawn_abort(struct husk_spawned *sp)
{
	kill_and_reap(sp->pid, sp->pidfd);
	if (sp->sync_fd >= 0)
		close(sp->sync_fd);
	if (sp->pidfd >= 0)
		close(sp->pidfd);
	sp->sync_fd = sp->pidfd = -1;
}
