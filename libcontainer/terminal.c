/* The container's terminal.  The pty is opened from inside the container,
 * after pivot_root, so its slave lives in the container's devpts and the
 * program sees a /dev/pts/N that exists there.  The master leaves through the
 * console socket; the receiving end (containerd's shim, or husk itself for a
 * foreground `run -t`) owns it from then on.  Reading and writing the master
 * is not this module's job. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "process.h"
#include "terminal.h"
#include "util/xalloc.h"

/* Room for a pty name; a longer payload is cut there. */
#define NAME_MAX_LEN 4096
/* Enough control space to notice, and close, descriptors beyond the one we
 * expect instead of letting the kernel drop them silently. */
#define MAX_RECV_FDS 8

int husk_terminal_send_fd(int sock_fd, const char *name, int fd, struct husk_error **err)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	/* A stream socket carries ancillary data only along with at least one
	 * byte, so an empty name goes as a single NUL. */
	static const char nul = '\0';
	size_t len = name ? strlen(name) : 0;
	struct iovec iov = {.iov_base = len ? (void *)name : (void *)&nul,
	                    .iov_len = len ? len : 1};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control.buf,
	    .msg_controllen = sizeof(control.buf),
	};

	memset(&control, 0, sizeof(control));
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));

	ssize_t r;
	do
		r = sendmsg(sock_fd, &msg, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return husk_error_set(err, errno, "send terminal over console socket");
	if ((size_t)r != iov.iov_len)
		return husk_error_set(err, 0, "send terminal over console socket: short write");
	return 0;
}

static void close_all(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

/* Collects every descriptor the message carried, however it was split. */
static size_t collect_fds(struct msghdr *msg, int *fds, size_t max)
{
	size_t n = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count && n < max; i++)
			memcpy(&fds[n++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	return n;
}

int husk_terminal_recv_fd(int sock_fd, char **ret_name, int *ret_fd, struct husk_error **err)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * MAX_RECV_FDS)];
	} control;
	_cleanup_free_ char *name = xmalloc(NAME_MAX_LEN + 1);
	struct iovec iov = {.iov_base = name, .iov_len = NAME_MAX_LEN};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control.buf,
	    .msg_controllen = sizeof(control.buf),
	};
	int fds[MAX_RECV_FDS];

	memset(&control, 0, sizeof(control));
	ssize_t r;
	do
		r = recvmsg(sock_fd, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return husk_error_set(err, errno, "receive terminal from console socket");
	size_t n = collect_fds(&msg, fds, MAX_RECV_FDS);
	if (msg.msg_flags & MSG_CTRUNC) {
		close_all(fds, n);
		return husk_error_set(err, 0,
		                      "receive terminal from console socket: too many descriptors");
	}
	if (n != 1) {
		close_all(fds, n);
		if (r == 0 && n == 0)
			return husk_error_set(
			    err, 0,
			    "receive terminal from console socket: closed without a message");
		return husk_error_set(
		    err, 0,
		    "receive terminal from console socket: expected 1 descriptor, "
		    "got %zu",
		    n);
	}
	name[r] = '\0';
	*ret_fd = fds[0];
	if (ret_name)
		*ret_name = TAKE_PTR(name);
	return 0;
}

static int open_ptmx(struct husk_error **err)
{
	/* /dev/pts/ptmx belongs to the devpts mounted in the container.  A
	 * /dev/ptmx that is a device node bind-mounted from the host would
	 * hand out ptys of the host's devpts, which have no /dev/pts/N here,
	 * so it is only the fallback (for a /dev/pts whose ptmx is mode 000
	 * and thus unusable to a user namespace without CAP_DAC_OVERRIDE). */
	int fd = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "open /dev/ptmx");
	return fd;
}

int husk_terminal_open_pty(int *ret_master_fd, int *ret_slave_fd, char **ret_name,
                           struct husk_error **err)
{
	_cleanup_close_ int master_fd = -1;
	_cleanup_close_ int slave_fd = -1;
	unsigned int index;
	int unlock = 0;

	master_fd = open_ptmx(err);
	if (master_fd < 0)
		return -1;
	if (ioctl(master_fd, TIOCSPTLCK, &unlock) < 0)
		return husk_error_set(err, errno, "unlock pty");
	if (ioctl(master_fd, TIOCGPTN, &index) < 0)
		return husk_error_set(err, errno, "get pty number");
	_cleanup_free_ char *name = xasprintf("/dev/pts/%u", index);

	/* TIOCGPTPEER opens the slave through the master, so a path the
	 * container controls (/dev/pts/N could be a symlink) is never
	 * followed; kernels before 4.13 lack it. */
	slave_fd = ioctl(master_fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave_fd < 0) {
		if (errno != EINVAL && errno != ENOTTY)
			return husk_error_set(err, errno, "open pty slave");
		slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
		if (slave_fd < 0)
			return husk_error_set(err, errno, "open %s", name);
	}
	*ret_master_fd = TAKE_FD(master_fd);
	*ret_slave_fd = TAKE_FD(slave_fd);
	*ret_name = TAKE_PTR(name);
	return 0;
}

static int become_controlling(int slave_fd, struct husk_error **err)
{
	/* Only a session leader without a terminal may acquire one.  A caller
	 * that already leads its session (setsid() says EPERM) can go on. */
	if (setsid() < 0 && !(errno == EPERM && getsid(0) == getpid()))
		return husk_error_set(err, errno, "setsid");
	if (ioctl(slave_fd, TIOCSCTTY, 0) < 0)
		return husk_error_set(err, errno, "make the pty the controlling terminal");
	for (int fd = 0; fd <= 2; fd++) {
		if (fd == slave_fd) {
			/* dup2() onto itself would keep O_CLOEXEC. */
			if (fcntl(fd, F_SETFD, 0) < 0)
				return husk_error_set(err, errno, "clear close-on-exec on fd %d",
				                      fd);
			continue;
		}
		if (dup2(slave_fd, fd) < 0)
			return husk_error_set(err, errno, "dup pty onto fd %d", fd);
	}
	return 0;
}

int husk_terminal_become_controlling(int slave_fd, struct husk_error **err)
{
	int r = become_controlling(slave_fd, err);
	if (slave_fd > 2)
		close(slave_fd);
	return r;
}

int husk_process_setup_terminal(const struct husk_spec_process *process, int console_socket_fd,
                                struct husk_error **err)
{
	_cleanup_close_ int master_fd = -1;
	_cleanup_close_ int slave_fd = -1;
	_cleanup_free_ char *name = NULL;

	if (husk_terminal_open_pty(&master_fd, &slave_fd, &name, err) < 0)
		return husk_error_prefix(err, "set up terminal");
	/* Sized before the master leaves, so the receiver never sees 0x0. */
	if (process->has_console_size) {
		struct winsize ws = {.ws_row = (unsigned short)process->console_height,
		                     .ws_col = (unsigned short)process->console_width};
		if (ioctl(master_fd, TIOCSWINSZ, &ws) < 0)
			return husk_error_set(err, errno, "set up terminal: set window size");
	}
	if (husk_terminal_send_fd(console_socket_fd, name, master_fd, err) < 0)
		return husk_error_prefix(err, "set up terminal");
	/* The receiver holds the master now; our copy would keep the pty
	 * open after the receiver is gone, and the program would never see
	 * a hangup. */
	close(TAKE_FD(master_fd));
	if (husk_terminal_become_controlling(TAKE_FD(slave_fd), err) < 0)
		return husk_error_prefix(err, "set up terminal");
	return 0;
}

int husk_terminal_bind_console(struct husk_error **err)
{
	/* /dev/console of the container is its init's terminal, as with runc:
	 * programs that write to the console reach the caller's pty. */
	char name[64];
	if (ttyname_r(STDIN_FILENO, name, sizeof(name)) != 0)
		return husk_error_set(err, errno, "bind /dev/console: find the terminal");
	int fd = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0 && errno != EEXIST)
		return husk_error_set(err, errno, "bind /dev/console: create \"/dev/console\"");
	if (fd >= 0)
		close(fd);
	if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return husk_error_set(err, errno, "bind \"%s\" on \"/dev/console\"", name);
	return 0;
}
