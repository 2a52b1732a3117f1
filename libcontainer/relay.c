/* The foreground loop of run and exec: signalfd + pidfd + pty in one poll().
 * Signals are blocked before the clone and read from a signalfd here, so a
 * signal that arrives while the container starts is forwarded, not lost. */
#include "relay.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "husk/cleanup.h"

static const int forwarded[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1,  SIGUSR2,
                                SIGALRM, SIGTERM, SIGCONT, SIGWINCH, SIGPIPE};

static void forwarded_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

void husk_block_forwarded_signals(sigset_t *old)
{
	sigset_t set;
	forwarded_set(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

static void copy_winsize(int master_fd)
{
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master_fd, TIOCSWINSZ, &ws);
}

/* Copies what is readable from `from` to `to`; false at EOF or error. */
static bool pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN);
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return false;
		off += w;
	}
	return true;
}

struct raw_tty {
	bool active;
	struct termios saved;
};

static void raw_tty_enter(struct raw_tty *t)
{
	t->active = false;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t->saved) < 0)
		return;
	struct termios raw = t->saved;
	cfmakeraw(&raw);
	t->active = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
}

static void raw_tty_leave(struct raw_tty *t)
{
	if (t->active)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
}

static void handle_signal(const struct signalfd_siginfo *si, int pidfd, int master_fd)
{
	if (si->ssi_signo == SIGCHLD)
		return;
	if (si->ssi_signo == SIGWINCH && master_fd >= 0) {
		copy_winsize(master_fd);
		return;
	}
	syscall(SYS_pidfd_send_signal, pidfd, (int)si->ssi_signo, NULL, 0);
}

int husk_wait_forward(pid_t pid, int pidfd, int master_fd, int *ret_status, struct husk_error **err)
{
	sigset_t set;
	forwarded_set(&set);
	_cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return husk_error_set(err, errno, "signalfd");
	struct raw_tty tty = {0};
	bool stdin_open = master_fd >= 0, master_open = master_fd >= 0;
	if (master_fd >= 0) {
		copy_winsize(master_fd);
		raw_tty_enter(&tty);
	}
	for (;;) {
		struct pollfd p[4] = {
		    {.fd = sfd, .events = POLLIN},
		    {.fd = pidfd, .events = POLLIN},
		    {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
		    {.fd = master_open ? master_fd : -1, .events = POLLIN},
		};
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			raw_tty_leave(&tty);
			return husk_error_set(err, errno, "poll");
		}
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == sizeof(si))
			handle_signal(&si, pidfd, master_fd);
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			stdin_open = pump(STDIN_FILENO, master_fd);
		if (p[3].revents & (POLLIN | POLLHUP | POLLERR))
			master_open = pump(master_fd, STDOUT_FILENO);
		/* the output still in the pty is drained before reaping */
		if ((p[1].revents & POLLIN) && !(master_open && (p[3].revents & POLLIN)))
			break;
	}
	raw_tty_leave(&tty);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return husk_error_set(err, errno, "wait for the container's process");
	}
	*ret_status = exit_status(status);
	return 0;
}
