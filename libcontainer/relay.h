/* Foreground waiting for run and exec: forward signals to the container's
 * process, relay its terminal when husk owns it, collect its exit status. */
#pragma once

#include <signal.h>
#include <sys/types.h>

#include "husk/error.h"

/* Blocks the signals a foreground husk forwards (and SIGCHLD) so none is
 * lost between clone and the wait loop; *old gets the previous mask. */
void husk_block_forwarded_signals(sigset_t *old);

/* Waits for pid (a child of ours) while forwarding signals to it through
 * pidfd and, with master_fd >= 0, copying stdin to the pty and the pty to
 * stdout (stdin in raw mode when it is a terminal).  *ret_status is the exit
 * code, or 128 + the signal that killed it. */
int husk_wait_forward(pid_t pid, int pidfd, int master_fd, int *ret_status,
                      struct husk_error **err);
