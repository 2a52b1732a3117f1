/* The container's init between clone and execve.
 *
 * Steps run in a fixed order; each comment says what forces its place.  A
 * failure is sent to the parent as an ERROR message and the init exits; the
 * parent then removes everything that was built.  After READY the parent may
 * be gone, so the few failures left are written to the container's stderr.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "husk/signals.h"
#include "husk/state.h"
#include "cgroup/cgroup.h"
#include "hooks.h"
#include "lsm.h"
#include "net/loopback.h"
#include "paths.h"
#include "util/time.h"
#include "process.h"
#include "sync.h"
#include "terminal.h"
#include "seccomp-filter.h"
#include "util/xalloc.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

void husk_init_reset_signals(uint64_t which)
{
	/* An ignored signal stays ignored across exec: the container's process
	 * must not inherit what husk's caller ignored. */
	husk_signals_reset(which);
}

int husk_init_listen_fds(struct husk_spec_process *process, pid_t listen_pid)
{
	const char *listen = getenv("LISTEN_FDS");
	if (!listen || !*listen)
		return 0;
	char *end;
	long n = strtol(listen, &end, 10);
	if (*end || n <= 0 || n > 4096)
		return 0;
	char **env = xcalloc(process->n_env + 3, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < process->n_env; i++)
		if (strncmp(process->env[i], "LISTEN_FDS=", 11) != 0 &&
		    strncmp(process->env[i], "LISTEN_PID=", 11) != 0)
			env[k++] = process->env[i];
	env[k++] = xasprintf("LISTEN_FDS=%ld", n);
	env[k++] = xasprintf("LISTEN_PID=%d", (int)listen_pid);
	process->env = env;
	process->n_env = k;
	return (int)n;
}

int husk_init_load_seccomp(const struct husk_seccomp *f, int sync_fd, struct husk_error **err)
{
	int nfd = -1;
	if (husk_seccomp_load(f, &nfd, err) < 0)
		return -1;
	if (nfd < 0)
		return 0;
	int r = husk_sync_send(sync_fd, HUSK_SYNC_SECCOMP, 0, err);
	if (r >= 0)
		r = husk_terminal_send_fd(sync_fd, "seccompFd", nfd, err);
	close(nfd);
	if (r >= 0)
		r = husk_sync_expect(sync_fd, HUSK_SYNC_SECCOMP_DONE, NULL, err);
	return r;
}

static int become_ns_root(struct husk_error **err)
{
	/* In a new user namespace the init's ids are whatever its host ids map
	 * to; the rootfs and process setup expect to run as root inside. */
	if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
		return husk_error_set(err, errno, "setresgid to the namespace's root");
	if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
		return husk_error_set(err, errno, "setresuid to the namespace's root");
	return 0;
}

static int set_names(const struct husk_spec *spec, struct husk_error **err)
{
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return husk_error_set(err, errno, "set hostname \"%s\"", spec->hostname);
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return husk_error_set(err, errno, "set domainname \"%s\"", spec->domainname);
	return 0;
}

static void join_session_keyring(const char *id)
{
	/* A fresh session keyring keeps the container out of the caller's keys;
	 * kernels without keyrings (ENOSYS) or with them restricted (EACCES,
	 * EPERM in some user namespaces) simply run without one, as runc does. */
	char name[64 + 8];
	snprintf(name, sizeof(name), "_ses.%.64s", id);
	(void)syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
}

/* The OCI state a hook of the init gets on stdin. */
static int run_hooks(const struct husk_init_args *a, enum husk_hook_kind kind, pid_t host_pid,
                     struct husk_error **err)
{
	if (!husk_hooks_count(a->spec->hooks, kind))
		return 0;
	_cleanup_free_ char *now = husk_time_rfc3339_now();
	struct husk_state st = {
	    .created = now,
	    .owner = geteuid(),
	    .oci_version = a->spec->oci_version,
	    .id = (char *)a->id,
	    .status =
	        kind == HUSK_HOOK_START_CONTAINER ? HUSK_STATUS_CREATED : HUSK_STATUS_CREATING,
	    .pid = host_pid,
	    .bundle = (char *)a->rootfs.bundle,
	    .rootfs = (char *)a->rootfs.rootfs,
	    .annotations = a->spec->annotations,
	    .n_annotations = a->spec->n_annotations,
	};
	_cleanup_free_ char *json = husk_state_to_json(&st);
	return husk_hooks_run(a->spec->hooks, kind, json, err);
}

/* Hands over to the parent for prestart and createRuntime hooks; its answer
 * carries our pid as the host sees it. */
static int run_runtime_hooks(const struct husk_init_args *a, int sync_fd, pid_t *host_pid,
                             struct husk_error **err)
{
	(void)a;
	int32_t pid = 0;
	if (husk_sync_send(sync_fd, HUSK_SYNC_HOOKS, 0, err) < 0 ||
	    husk_sync_expect(sync_fd, HUSK_SYNC_HOOKS_DONE, &pid, err) < 0)
		return -1;
	*host_pid = pid;
	return 0;
}

static int build_container(const struct husk_init_args *a, int sync_fd, pid_t *host_pid,
                           struct husk_spec_process *process, char **ret_exec_path,
                           struct husk_error **err)
{
	if (husk_ns_join(a->plan, err) < 0)
		return -1;
	if (a->unshare_flags && unshare((int)a->unshare_flags) < 0)
		return husk_error_set(err, errno,
		                      "create namespaces inside the joined user namespace");
	/* a new network namespace starts with lo down; runc brings it up */
	if (((a->plan->clone_flags | a->unshare_flags) & CLONE_NEWNET) &&
	    husk_net_loopback_up(err) < 0)
		return -1;
	if (!a->no_new_keyring)
		join_session_keyring(a->id);
	if (set_names(a->spec, err) < 0)
		return -1;
	/* The rootfs is built before the process is prepared: PATH lookup,
	 * the pty and cwd must all see the container's files. */
	if (husk_rootfs_prepare(a->spec, &a->rootfs, err) < 0)
		return -1;
	/* The runtime's hooks run once the mounts exist; createContainer
	 * hooks then run here, in the container's namespaces but before
	 * pivot_root, so their paths resolve as on the host (as runc). */
	if (a->hooks_step && (run_runtime_hooks(a, sync_fd, host_pid, err) < 0 ||
	                      run_hooks(a, HUSK_HOOK_CREATE_CONTAINER, *host_pid, err) < 0))
		return -1;
	/* After the root is final: sysctls first (/proc/sys is usually one of
	 * the read-only paths), then read-only paths, then masks, so a masked
	 * path inside a read-only one ends up on top. */
	if (husk_rootfs_pivot(&a->rootfs, err) < 0 || husk_rootfs_finalize(a->spec, err) < 0 ||
	    husk_sysctl_apply(a->spec, err) < 0 || husk_paths_readonly(a->spec, err) < 0 ||
	    husk_paths_mask(a->spec, err) < 0)
		return -1;
	int listen = husk_init_listen_fds(process, a->new_pid_ns ? 1 : getpid());
	int preserve = a->preserve_fds > listen ? a->preserve_fds : listen;
	/* Resolved before READY so a missing program fails `create`. */
	if (husk_process_find_exec(process, ret_exec_path, err) < 0)
		return -1;
	if (process->terminal && (husk_process_setup_terminal(process, a->console_fd, err) < 0 ||
	                          husk_terminal_bind_console(err) < 0))
		return -1;
	/* personality before seccomp, which may forbid personality(2) */
	bool early = husk_seccomp_load_early(process);
	if (husk_personality_apply(a->spec, err) < 0 ||
	    husk_lsm_set_exec_labels(NULL, process, err) < 0 ||
	    (early && husk_init_load_seccomp(a->seccomp, sync_fd, err) < 0) ||
	    husk_process_apply(process, err) < 0)
		return -1;
	int keep[] = {a->fifo_fd, sync_fd, a->exec_stub_fd};
	if (husk_process_close_fds(preserve, keep, a->exec_stub_fd >= 0 ? 3 : 2, err) < 0)
		return -1;
	return early ? 0 : husk_init_load_seccomp(a->seccomp, sync_fd, err);
}

/* Blocks until `husk start` opens the fifo for reading, then tells it the
 * init is about to exec.  The fifo is reopened through /proc because the
 * init now lives under the container's root, where the state dir is not. */
static int wait_for_start(int fifo_fd, struct husk_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fifo_fd);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "open exec fifo");
	if (write(fd, "0", 1) != 1)
		return husk_error_set(err, errno, "write exec fifo");
	close(fifo_fd);
	return 0;
}

static void __attribute__((noreturn)) die(int sync_fd, struct husk_error *err)
{
	if (sync_fd >= 0) {
		husk_sync_send_error(sync_fd, err);
	} else {
		/* after READY nobody listens on the socket any more */
		dprintf(STDERR_FILENO, "husk: %s\n", err ? err->msg : "init failed");
	}
	_exit(EXIT_FAILURE);
}

void husk_init_main(const struct husk_init_args *a, int sync_fd)
{
	struct husk_error *err = NULL;
	husk_init_reset_signals(a->reset_signals);
	/* Until the parent ACKs, its death must take the init with it: a
	 * half-built container is nobody's to clean up otherwise.  A parent
	 * that died before this call is noticed as EOF instead of GO (getppid()
	 * can't tell: it is 0 in a new pid namespace). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(EXIT_FAILURE);
	if (husk_sync_expect(sync_fd, HUSK_SYNC_GO, NULL, &err) < 0)
		_exit(EXIT_FAILURE);
	/* Non-dumpable from here to the exec: a process of the container
	 * (one already in a joined namespace, or the container's own after
	 * `husk exec`) must not open this process's /proc/PID/exe, husk's
	 * binary, or its fds.  Not before GO: the parent writes our id maps
	 * under /proc/PID, which this makes root's. */
	prctl(PR_SET_DUMPABLE, 0);
	if (a->join_cgroup && husk_cgroup_join_self(a->join_cgroup, &err) < 0)
		die(sync_fd, err);
	if (a->new_user_ns && become_ns_root(&err) < 0)
		die(sync_fd, err);

	struct husk_spec_process process = *a->spec->process;
	_cleanup_free_ char *exec_path = NULL;
	pid_t host_pid = 0;
	if (build_container(a, sync_fd, &host_pid, &process, &exec_path, &err) < 0)
		die(sync_fd, err);
	if (husk_sync_send(sync_fd, HUSK_SYNC_READY, 0, &err) < 0 ||
	    husk_sync_expect(sync_fd, HUSK_SYNC_ACK, NULL, &err) < 0)
		_exit(EXIT_FAILURE);
	/* The parent has recorded the container; from here the init outlives it. */
	prctl(PR_SET_PDEATHSIG, 0);
	close(sync_fd);

	if (wait_for_start(a->fifo_fd, &err) < 0 ||
	    run_hooks(a, HUSK_HOOK_START_CONTAINER, host_pid, &err) < 0)
		die(-1, err);
	husk_process_exec(exec_path, &process, a->exec_stub_fd, &err);
	die(-1, err);
}
