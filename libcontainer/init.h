/* Child side of create: the container's init, from clone until execve.
 * It runs library code in the cloned copy of the husk process (no re-exec)
 * and reports every failure to the parent over the sync socket. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/spec.h"
#include "namespaces.h"
#include "rootfs.h"
#include "seccomp-filter.h"

struct husk_cgroup;

struct husk_init_args {
	const struct husk_spec *spec;
	const char *id;
	struct husk_rootfs_options rootfs;
	const struct husk_ns_plan *plan;
	pid_t parent_pid;
	int console_fd; /* connected console socket, -1 without a terminal */
	int fifo_fd;    /* O_PATH fd of <state>/exec.fifo */
	int preserve_fds;
	bool no_new_keyring;
	bool new_user_ns;
	bool new_pid_ns;
	/* set when a user namespace is joined by path: the init joins it, then
	 * creates these namespaces with unshare() so the user namespace owns them */
	unsigned long unshare_flags;
	/* prestart/createRuntime/createContainer/startContainer hooks exist:
	 * stop before pivot_root for the parent's hooks (sync.h: HOOKS) */
	bool hooks_step;
	const struct husk_seccomp *seccomp; /* compiled by the parent, NULL without */
	int exec_stub_fd;                   /* exec-stub.h; -1 without */
	uint64_t reset_signals;             /* husk_signals_non_default() of the parent */
	struct husk_cgroup *join_cgroup;    /* joined by the init itself after GO, or NULL */
};

/* Never returns: execs the user's program or exits non-zero. */
__attribute__((noreturn)) void husk_init_main(const struct husk_init_args *args, int sync_fd);

/* Resets what the init inherited from the husk process that it must not
 * pass on: blocked signals, and the dispositions in `which` (the signals
 * the parent ignored or caught when it cloned us). */
void husk_init_reset_signals(uint64_t which);

/* Builds process.env plus LISTEN_FDS/LISTEN_PID when husk was socket
 * activated; returns the number of activation fds (0 when none). */
int husk_init_listen_fds(struct husk_spec_process *process, pid_t listen_pid);

/* Loads the filter; a notify fd goes to the parent (SECCOMP + fd, waits for
 * SECCOMP_DONE). */
int husk_init_load_seccomp(const struct husk_seccomp *f, int sync_fd, struct husk_error **err);
