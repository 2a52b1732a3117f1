/* run: create + start, and in the foreground wait for the container's
 * process, forwarding signals and (without --console-socket) relaying its
 * terminal, then delete it unless --keep. */
#include "husk/container.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container-internal.h"
#include "events.h"
#include "husk/cleanup.h"
#include "relay.h"
#include "terminal.h"

static int wait_and_cleanup(const struct husk_context *ctx, const char *id,
                            const struct husk_run_options *opts, struct husk_spawned *sp,
                            int master_fd, int *ret_status, struct husk_error **err)
{
	int r = husk_wait_forward(sp->pid, sp->pidfd, master_fd, ret_status, err);
	if (r >= 0)
		husk_container_oom_report(ctx, id, *ret_status);
	if (!opts->keep) {
		struct husk_error *tmp = NULL;
		if (husk_container_delete(ctx, id, true, r < 0 ? &tmp : err) < 0)
			r = -1;
		husk_error_release(&tmp);
	}
	return r;
}

int husk_container_run(const struct husk_context *ctx, const char *id,
                       const struct husk_run_options *opts, int *ret_status,
                       struct husk_error **err)
{
	sigset_t old;
	husk_block_forwarded_signals(&old);
	int console_pair[2] = {-1, -1};
	struct husk_internal_create in = {.console_socket_fd = -1};
	/* Without a console socket, a foreground run owns the terminal itself:
	 * the init sends the pty master over a socket pair of ours. */
	bool relay = !opts->detach && !opts->create.console_socket;
	if (relay && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console_pair) == 0)
		in.console_socket_fd = console_pair[1];
	struct husk_spawned sp = {.pid = -1, .pidfd = -1, .sync_fd = -1};
	_cleanup_close_ int master_fd = -1;
	int r = husk_container_create_internal(ctx, id, &opts->create,
	                                       in.console_socket_fd >= 0 ? &in : NULL, &sp, err);
	if (console_pair[1] >= 0)
		close(console_pair[1]);
	if (r < 0) {
		husk_error_prefix(err, "run \"%s\"", id);
		goto out;
	}
	if (in.used_terminal) {
		if (husk_terminal_recv_fd(console_pair[0], NULL, &master_fd, err) < 0)
			goto err_delete;
	}
	if (husk_container_start(ctx, id, err) < 0)
		goto err_delete;
	if (opts->detach) {
		*ret_status = 0;
		goto out_close;
	}
	r = wait_and_cleanup(ctx, id, opts, &sp, master_fd, ret_status, err);
	goto out_close;

err_delete:
	r = -1;
	{
		struct husk_error *tmp = NULL;
		husk_container_delete(ctx, id, true, &tmp);
		husk_error_release(&tmp);
	}
out_close:
	if (sp.pidfd >= 0)
		close(sp.pidfd);
out:
	if (console_pair[0] >= 0)
		close(console_pair[0]);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
