/* linux.seccomp: the OCI profile compiled into a libseccomp filter, loaded in
 * the container's process, and the SCMP_ACT_NOTIFY listener handover.
 *
 * Compile in the parent, before clone: every libseccomp-level failure then
 * fails `create`/`exec` before anything runs, and the init and exec'd
 * processes load the copy they inherit.  Loading is the child's.
 *
 * Where the load goes (init.c and exec.c, same rule for both):
 *   seccomp_init refuses a filter unless the process has no_new_privs or
 *   CAP_SYS_ADMIN (in its user namespace).  husk_process_apply() drops the
 *   capabilities and then sets no_new_privs, so:
 *   - process.noNewPrivileges false: load BEFORE husk_process_apply(), while
 *     CAP_SYS_ADMIN is still held.  husk's own setuid/capset/prctl/chdir
 *     calls then run under the filter (as in runc): a profile must allow
 *     them, Docker's does.
 *   - process.noNewPrivileges true: load AFTER husk_process_apply() and
 *     husk_process_close_fds(): as late as possible, so husk's setup is not
 *     filtered.
 *   husk_seccomp_load_early() answers which of the two applies.
 *   Either way the load happens before READY (init) / before execve (exec),
 *   never after the exec.fifo wait: a filter that fails to load must fail
 *   `create`, and the notify fd must reach the parent while it still
 *   listens on the sync socket.
 *
 * SCMP_ACT_NOTIFY: the load returns the listener fd; the child passes it to
 * the parent (the listener path is a host path, invisible after pivot_root),
 * and the parent calls husk_seccomp_send_notify_fd() and only then lets the
 * child continue: a notified call made before the listener has the fd would
 * block the child for good.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

struct husk_seccomp;

/* Translates a decoded profile.  sc may be NULL (no seccomp): *ret is then
 * NULL, which husk_seccomp_load() and husk_seccomp_free() accept.  Errors
 * name the JSON path:
 *   linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"
 *   linux.seccomp.syscalls[3]: add rule for "open": Invalid argument
 * As runc does: syscall names libseccomp does not know are skipped (a
 * profile lists calls of newer kernels and other architectures); rules whose
 * action equals the default action are skipped; conditions that repeat an
 * argument index become one rule per condition (so they OR), other
 * conditions of a rule AND.  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is
 * honoured when a rule notifies (libseccomp 2.5 has no attribute for it,
 * so such a filter is loaded with seccomp(2) directly) and ignored
 * otherwise (the kernel accepts it only with a listener). */
int husk_seccomp_compile(const struct husk_spec_seccomp *sc, struct husk_seccomp **ret,
                         struct husk_error **err);

/* husk_seccomp_compile() through the compiled-filter cache in cache_dir
 * (seccomp-cache.h; NULL: no cache): a profile compiled before is read
 * back instead of compiled. */
int husk_seccomp_compile_cached(const struct husk_spec_seccomp *sc, const char *cache_dir,
                                struct husk_seccomp **ret, struct husk_error **err);

/* True when the filter must be loaded before husk_process_apply() (see
 * above): the process keeps no no_new_privs to rely on. */
bool husk_seccomp_load_early(const struct husk_spec_process *process);

/* True when a rule uses SCMP_ACT_NOTIFY: the load yields a listener fd. */
bool husk_seccomp_has_notify(const struct husk_seccomp *f);

/* Loads the filter into the calling process (all threads with TSYNC).
 * *ret_notify_fd gets the listener fd (O_CLOEXEC) when the filter notifies,
 * else -1; ret_notify_fd may be NULL only for a filter without notify.
 * f NULL loads nothing. */
int husk_seccomp_load(const struct husk_seccomp *f, int *ret_notify_fd, struct husk_error **err);

void husk_seccomp_free(struct husk_seccomp *f);

/* What the listener is told along with the fd (the OCI
 * ContainerProcessState). */
struct husk_seccomp_listener {
	const char *path;       /* linux.seccomp.listenerPath */
	const char *metadata;   /* linux.seccomp.listenerMetadata, NULL for none */
	pid_t pid;              /* the filtered process as husk sees it */
	const char *state_json; /* the container's state: husk_state_to_json() */
};

/* The ContainerProcessState document: {"ociVersion", "fds": ["seccompFd"],
 * "pid", "metadata", "state"}.  Caller frees. */
char *husk_seccomp_process_state(const struct husk_seccomp_listener *l);

/* Connects to l->path (a unix stream socket), sends the process state as
 * the payload with notify_fd as the one SCM_RIGHTS descriptor, and closes
 * the connection: the listener reads the document to EOF.  notify_fd stays
 * the caller's. */
int husk_seccomp_send_notify_fd(const struct husk_seccomp_listener *l, int notify_fd,
                                struct husk_error **err);
