/* Finding and signalling a container's processes before cgroups track them:
 * with a private pid namespace, every process in it; otherwise the init and
 * its descendants.  The cgroup driver replaces this with cgroup.procs. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/state.h"

/* A pidfd for the container's init, refusing a pid that now belongs to
 * another process (start time differs): "container not running". */
int husk_init_pidfd(const struct husk_state *state, int *ret_pidfd, struct husk_error **err);

/* Whether the init runs as pid 1 of a pid namespace of its own. */
bool husk_init_has_private_pidns(pid_t pid);

/* The container's processes as /proc shows them (the init's pid namespace
 * when it has its own, else the init and its descendants); for containers
 * without a cgroup.  Caller frees *ret. */
int husk_container_pids(const struct husk_state *state, pid_t **ret, size_t *ret_n);

/* Sends signo to every process of the container; returns how many got it. */
int husk_signal_all(const struct husk_state *state, int signo, struct husk_error **err);

/* Waits up to timeout_ms for the process behind pidfd to exit. */
int husk_pidfd_wait(int pidfd, int timeout_ms, struct husk_error **err);
