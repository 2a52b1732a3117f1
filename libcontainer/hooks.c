/* OCI hooks: fork+exec of each hook of one kind, in order.
 *
 * This module owns the hook's process: its argv/env exactly as configured,
 * the state JSON fed to its stdin, its output captured for the error text,
 * its timeout, and reaping it.  It does not choose the namespace a hook runs
 * in nor build the state JSON: the caller does both.  A pidfd tells us the
 * hook exited, so a caller that blocked SIGCHLD (husk run does) is fine and
 * no other child of the caller is ever reaped here.
 */
#include "hooks.h"
#include "husk/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "husk/signals.h"
#include "util/xalloc.h"
#include "util/time.h"

/* Enough of the hook's output to explain a failure, small enough for one
 * log line. */
#define TAIL_MAX 512
/* After the hook exits, a background child of it may still hold the output
 * pipe and keep writing: read what is there, but only this much. */
#define DRAIN_MAX_READS 64
/* In the child, fd 3 carries errno back when execve fails. */
#define EXEC_ERR_FD 3

struct hook_io {
	int pidfd;
	int in_fd;  /* parent's end of the hook's stdin, O_NONBLOCK; -1 once done */
	int out_fd; /* parent's end of the hook's stdout+stderr, O_NONBLOCK */
	const char *data;
	size_t len, off;
	char tail[TAIL_MAX];
	size_t tail_len;
	bool truncated; /* output was longer than the tail kept */
};

int husk_hooks_count(const struct husk_spec_hooks *hooks, enum husk_hook_kind kind)
{
	if (!hooks || (unsigned)kind >= HUSK_HOOK_KIND_COUNT)
		return 0;
	return hooks->n_hooks[kind] > INT_MAX ? INT_MAX : (int)hooks->n_hooks[kind];
}

/* ---- child side: only async-signal-safe calls until execve --------------- */

static void __attribute__((noreturn))
exec_child(const char *path, char *const *argv, char *const *envp, int in_fd, int out_fd,
           int err_fd, int max_fd)
{
	/* Handlers are reset by execve, but ignored signals and the mask are
	 * inherited; the hook must not start with husk's SIGPIPE or SIGCHLD
	 * settings. */
	husk_signals_reset_all();

	/* Own process group, so a timeout kills the hook's children too. */
	setpgid(0, 0);

	/* Lift every fd above 2 first: a caller with 0-2 closed may have
	 * been handed our pipes there, and dup2 onto itself would keep
	 * O_CLOEXEC. */
	int in = fcntl(in_fd, F_DUPFD_CLOEXEC, 3);
	int out = fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
	int ex = fcntl(err_fd, F_DUPFD_CLOEXEC, 3);
	if (in < 0 || out < 0 || ex < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(out, 2) < 0 || dup2(ex, EXEC_ERR_FD) < 0 ||
	    fcntl(EXEC_ERR_FD, F_SETFD, FD_CLOEXEC) < 0)
		_exit(127);
	if (syscall(SYS_close_range, EXEC_ERR_FD + 1, ~0U, 0) < 0)
		for (int fd = EXEC_ERR_FD + 1; fd < max_fd; fd++)
			close(fd);

	execve(path, argv, envp);
	int e = errno;
	ssize_t n = write(EXEC_ERR_FD, &e, sizeof(e));
	(void)n;
	_exit(127);
}

/* ---- parent side --------------------------------------------------------- */

static void tail_append(struct hook_io *io, const char *buf, size_t n)
{
	if (n >= TAIL_MAX) {
		memcpy(io->tail, buf + n - TAIL_MAX, TAIL_MAX);
		io->truncated = io->truncated || n > TAIL_MAX || io->tail_len > 0;
		io->tail_len = TAIL_MAX;
		return;
	}
	if (io->tail_len + n > TAIL_MAX) {
		size_t drop = io->tail_len + n - TAIL_MAX;
		memmove(io->tail, io->tail + drop, io->tail_len - drop);
		io->tail_len -= drop;
		io->truncated = true;
	}
	memcpy(io->tail + io->tail_len, buf, n);
	io->tail_len += n;
}

/* Reads what the output pipe has now; closes it at EOF.  Returns whether
 * anything was read. */
static bool read_output(struct hook_io *io)
{
	char buf[4096];
	ssize_t n = read(io->out_fd, buf, sizeof(buf));
	if (n > 0) {
		tail_append(io, buf, (size_t)n);
		return true;
	}
	if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(io->out_fd);
		io->out_fd = -1;
	}
	return false;
}

/* Feeds the state; a hook that exits or closes stdin without reading it all
 * is its own business (EPIPE, with SIGPIPE blocked by the caller). */
static void write_input(struct hook_io *io)
{
	size_t chunk = io->len - io->off;
	if (chunk > 65536)
		chunk = 65536;
	ssize_t n = chunk ? write(io->in_fd, io->data + io->off, chunk) : 0;
	if (n > 0)
		io->off += (size_t)n;
	if ((n < 0 && errno != EAGAIN && errno != EINTR) || io->off == io->len) {
		close(io->in_fd);
		io->in_fd = -1;
	}
}

/* Moves data both ways until the hook exits (returns 1) or the deadline
 * passes (returns 0).  deadline < 0: none. */
static int io_loop(struct hook_io *io, int64_t deadline, struct husk_error **err)
{
	for (;;) {
		int timeout_ms = -1;
		if (deadline >= 0) {
			int64_t left = deadline - husk_time_monotonic_ms();
			if (left <= 0)
				return 0;
			timeout_ms = left > INT_MAX ? INT_MAX : (int)left;
		}
		struct pollfd pfd[3] = {
		    {.fd = io->pidfd, .events = POLLIN},
		    {.fd = io->out_fd, .events = POLLIN},
		    {.fd = io->in_fd, .events = POLLOUT},
		};
		int r = poll(pfd, 3, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return husk_error_set(err, errno, "poll");
		if (pfd[1].revents)
			read_output(io);
		if (pfd[2].revents)
			write_input(io);
		if (pfd[0].revents)
			return 1;
	}
}

static void drain_output(struct hook_io *io)
{
	/* Stop at EAGAIN: the hook is gone, nobody we wait for writes more. */
	for (int i = 0; i < DRAIN_MAX_READS && io->out_fd >= 0; i++)
		if (!read_output(io))
			break;
}

/* The captured output as one line: lines trimmed and joined with "; ",
 * control bytes shown as '?'.  NULL when there was no output. */
static char *tail_text(const struct hook_io *io)
{
	size_t start = 0;
	/* A cut inside a UTF-8 sequence would leave stray continuation bytes. */
	while (io->truncated && start < io->tail_len &&
	       ((unsigned char)io->tail[start] & 0xc0) == 0x80)
		start++;
	char *out = xmalloc(3 + 2 * io->tail_len + 1);
	size_t n = 0;
	if (io->truncated) {
		memcpy(out, "...", 3);
		n = 3;
	}
	bool have_line = false;
	size_t i = start;
	while (i < io->tail_len) {
		size_t end = i;
		while (end < io->tail_len && io->tail[end] != '\n' && io->tail[end] != '\r')
			end++;
		size_t b = i, e = end;
		while (b < e && (io->tail[b] == ' ' || io->tail[b] == '\t'))
			b++;
		while (e > b && (io->tail[e - 1] == ' ' || io->tail[e - 1] == '\t'))
			e--;
		if (e > b) {
			if (have_line) {
				memcpy(out + n, "; ", 2);
				n += 2;
			}
			for (size_t k = b; k < e; k++) {
				unsigned char c = (unsigned char)io->tail[k];
				out[n++] = c == '\t'                 ? ' '
				           : (c < 0x20 || c == 0x7f) ? '?'
				                                     : (char)c;
			}
			have_line = true;
		}
		i = end + 1;
	}
	if (!have_line) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return out;
}

static int hook_failed(struct hook_io *io, const char *what, struct husk_error **err)
{
	_cleanup_free_ char *text = tail_text(io);
	if (text)
		return husk_error_set(err, 0, "%s: %s", what, text);
	return husk_error_set(err, 0, "%s", what);
}

/* Turns how the hook ended into 0 or an error. */
static int hook_result(struct hook_io *io, int status, int exec_errno, struct husk_error **err)
{
	if (exec_errno)
		return husk_error_set(err, exec_errno, "exec");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	_cleanup_free_ char *what = NULL;
	if (WIFEXITED(status)) {
		what = xasprintf("exited with status %d", WEXITSTATUS(status));
	} else {
		int sig = WTERMSIG(status);
		const char *name = husk_signal_name(sig);
		what = name ? xasprintf("killed by signal %d (%s)", sig, name)
		            : xasprintf("killed by signal %d", sig);
	}
	return hook_failed(io, what, err);
}

/* Reaps the hook; only this pid, so the caller's other children stay. */
static int reap(pid_t pid, int *ret_status, struct husk_error **err)
{
	while (waitpid(pid, ret_status, 0) < 0) {
		if (errno != EINTR)
			return husk_error_set(err, errno, "wait for pid %d", (int)pid);
	}
	return 0;
}

static int read_exec_errno(int fd)
{
	int e = 0;
	ssize_t n;
	do {
		n = read(fd, &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(e) ? e : 0;
}

/* Kills the hook and everything in its process group.  The group cannot be
 * reused before the hook, its leader, is reaped. */
static void kill_hook(pid_t pid, int pidfd)
{
	kill(-pid, SIGKILL);
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0)
		kill(pid, SIGKILL);
}

struct hook_pipes {
	int in[2];  /* hook's stdin: [0] for the hook, [1] ours */
	int out[2]; /* hook's stdout and stderr: [0] ours, [1] for the hook */
	int ex[2];  /* execve's errno: [0] ours, [1] for the hook */
};

static void close_pipes(struct hook_pipes *p)
{
	int *fds[] = {&p->in[0], &p->in[1], &p->out[0], &p->out[1], &p->ex[0], &p->ex[1]};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(fds); i++)
		husk_closep(fds[i]);
}

static int open_pipes(struct hook_pipes *p, struct husk_error **err)
{
	if (pipe2(p->in, O_CLOEXEC) < 0 || pipe2(p->out, O_CLOEXEC) < 0 ||
	    pipe2(p->ex, O_CLOEXEC) < 0)
		return husk_error_set(err, errno, "pipe");
	/* Only our ends: the hook's stdin and stdout stay blocking. */
	if (fcntl(p->in[1], F_SETFL, O_NONBLOCK) < 0 || fcntl(p->out[0], F_SETFL, O_NONBLOCK) < 0)
		return husk_error_set(err, errno, "fcntl O_NONBLOCK");
	return 0;
}

/* argv as configured; with no args, the path alone. */
static char **build_argv(const struct husk_spec_hook *h)
{
	char **argv = xcalloc(h->n_args + 2, sizeof(*argv));
	if (h->n_args == 0)
		argv[0] = h->path;
	for (size_t i = 0; i < h->n_args; i++)
		argv[i] = h->args[i];
	return argv;
}

/* The environment exactly as configured: nothing of husk's leaks in. */
static char **build_envp(const struct husk_spec_hook *h)
{
	char **envp = xcalloc(h->n_env + 1, sizeof(*envp));
	for (size_t i = 0; i < h->n_env; i++)
		envp[i] = h->env[i];
	return envp;
}

/* The highest fd + 1 to close one by one should close_range be missing;
 * computed before fork because sysconf is not async-signal-safe. */
static int fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > 65536)
		return 65536;
	return (int)rl.rlim_cur;
}

static int64_t hook_deadline(const struct husk_spec_hook *h)
{
	if (!h->has_timeout)
		return -1;
	/* Far enough to mean "never" without overflowing. */
	int64_t ms = h->timeout > INT64_MAX / 4000 ? INT64_MAX / 4 : h->timeout * 1000;
	return husk_time_monotonic_ms() + ms;
}

/* Waits for the started hook while feeding its stdin and collecting its
 * output, then reaps it and judges how it ended. */
static int supervise(const struct husk_spec_hook *h, pid_t pid, struct hook_io *io, int ex_fd,
                     struct husk_error **err)
{
	int r = io_loop(io, hook_deadline(h), err);
	if (r <= 0)
		kill_hook(pid, io->pidfd);
	int status = 0;
	/* After a poll failure the hook is still reaped, but that error stands. */
	if (reap(pid, &status, r < 0 ? NULL : err) < 0 || r < 0)
		return -1;
	if (r == 0)
		return husk_error_set(err, 0, "timed out after %llds", (long long)h->timeout);
	drain_output(io);
	return hook_result(io, status, read_exec_errno(ex_fd), err);
}

static int run_one(const struct husk_spec_hook *h, const char *state, size_t len,
                   struct husk_error **err)
{
	if (!h->path || h->path[0] != '/')
		return husk_error_set(err, 0, "path is not absolute");
	if (h->has_timeout && h->timeout <= 0)
		return husk_error_set(err, 0, "timeout must be greater than zero, got %lld",
		                      (long long)h->timeout);
	_cleanup_free_ char **argv = build_argv(h);
	_cleanup_free_ char **envp = build_envp(h);
	int max_fd = fd_limit();
	_cleanup_(close_pipes) struct hook_pipes p = {{-1, -1}, {-1, -1}, {-1, -1}};
	if (open_pipes(&p, err) < 0)
		return -1;

	pid_t pid = fork();
	if (pid < 0)
		return husk_error_set(err, errno, "fork");
	if (pid == 0)
		exec_child(h->path, argv, envp, p.in[0], p.out[1], p.ex[1], max_fd);
	/* Our copies of the hook's ends must go, or we would never see EOF
	 * on its output nor the execve errno pipe close. */
	husk_closep(&p.in[0]);
	husk_closep(&p.out[1]);
	husk_closep(&p.ex[1]);
	p.in[0] = p.out[1] = p.ex[1] = -1;

	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		int e = errno;
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		int status;
		reap(pid, &status, NULL);
		return husk_error_set(err, e, "pidfd_open");
	}
	struct hook_io io = {
	    .pidfd = pidfd, .in_fd = p.in[1], .out_fd = p.out[0], .data = state, .len = len};
	if (len == 0) {
		husk_closep(&p.in[1]);
		io.in_fd = -1;
	}
	/* io now tracks (and may close) these two; keep the cleanup off them. */
	p.in[1] = p.out[0] = -1;
	int r = supervise(h, pid, &io, p.ex[0], err);
	husk_closep(&io.in_fd);
	husk_closep(&io.out_fd);
	return r;
}

/* Joins a later failure onto the first, for kinds that keep going. */
static void append_error(struct husk_error *first, struct husk_error *more)
{
	char *msg = xasprintf("%s; %s", first->msg, more->msg);
	free(first->msg);
	first->msg = msg;
	husk_error_free(more);
}

/* Runs with SIGPIPE blocked, and any SIGPIPE our writes raised discarded:
 * a hook that exits without reading its stdin must not kill husk. */
int husk_hooks_run(const struct husk_spec_hooks *hooks, enum husk_hook_kind kind,
                   const char *state_json, struct husk_error **err)
{
	size_t n = (size_t)husk_hooks_count(hooks, kind);
	if (n == 0)
		return 0;
	/* runtime.md: a failing poststart or poststop hook is only a warning,
	 * and "the remaining hooks ... continue as if the hook had succeeded". */
	bool keep_going = kind == HUSK_HOOK_POSTSTART || kind == HUSK_HOOK_POSTSTOP;
	const char *state = state_json ? state_json : "";
	size_t len = strlen(state);

	sigset_t pipe_set, old_mask, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old_mask);
	bool was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);

	struct husk_error *first = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct husk_spec_hook *h = &hooks->hooks[kind][i];
		struct husk_error *one = NULL;
		if (run_one(h, state, len, &one) >= 0)
			continue;
		husk_error_prefix(&one, "%s hook \"%s\" (#%zu)", husk_hook_kind_name(kind),
		                  h->path ? h->path : "", i + 1);
		if (!first)
			first = one;
		else
			append_error(first, one);
		if (!keep_going)
			break;
	}

	if (!was_pending) {
		struct timespec zero = {0, 0};
		while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
			;
	}
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (!first)
		return 0;
	if (err && !*err)
		*err = first;
	else
		husk_error_free(first);
	return -1;
}

int husk_hooks_run_program(const struct husk_spec_hook *h, struct husk_error **err)
{
	return run_one(h, "", 0, err);
}
