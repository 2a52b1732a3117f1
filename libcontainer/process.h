/* Process setup shared by a container's init and by exec'd processes: the
 * steps between "in the container's namespaces and root" and execve().
 *
 * The caller runs them in this order (each step's comment says why):
 *   husk_process_find_exec()     resolve args[0] with the container's PATH,
 *                                before reporting ready, so a bad executable
 *                                fails `create`, not `start`
 *   husk_process_setup_terminal() when process.terminal: a pty whose master
 *                                goes over the console socket
 *   husk_process_apply()         oom_score_adj, rlimits, scheduler, io
 *                                priority, umask, cwd, groups, uid/gid,
 *                                capabilities (5 sets), no_new_privs
 *   husk_process_close_fds()     no descriptor of husk leaks into the container
 *   husk_process_exec()          execve with process.env
 */
#pragma once

#include <stdbool.h>

#include "husk/error.h"
#include "husk/spec.h"

/* Resolves args[0]: an absolute or relative path with '/' is used as is,
 * otherwise searched in PATH from process.env (or the default PATH).  The
 * error reads: exec "nosuch": executable file not found in $PATH */
int husk_process_find_exec(const struct husk_spec_process *process, char **ret_path,
                           struct husk_error **err);

/* Opens a new pty inside the container (/dev/ptmx of its devpts), sends the
 * master over console_socket_fd (one message: a name and one SCM_RIGHTS fd),
 * makes the slave the controlling terminal and stdin/stdout/stderr.  Applies
 * process.consoleSize when set. */
int husk_process_setup_terminal(const struct husk_spec_process *process, int console_socket_fd,
                                struct husk_error **err);

/* Applies identity and limits; see the order above.  After it returns the
 * process has its final credentials and capabilities. */
int husk_process_apply(const struct husk_spec_process *process, struct husk_error **err);

/* Closes every fd >= 3 except: fds 3 .. 3+preserve_fds-1 (--preserve-fds) and
 * the fds in keep[0..n_keep) (which must be O_CLOEXEC, so exec closes them).
 * Sets LISTEN_FDS/LISTEN_PID handling is the caller's (it edits env). */
int husk_process_close_fds(int preserve_fds, const int *keep, int n_keep, struct husk_error **err);

/* execve(path, args, env) through the exec stub in stub_fd (exec-stub.h;
 * -1: directly); returns only on failure. */
int husk_process_exec(const char *path, const struct husk_spec_process *process, int stub_fd,
                      struct husk_error **err);
