/* console-receiver: the far end of --console-socket for integration tests.
 *
 *   console-receiver SOCKET_PATH [--once] [--out FILE]
 *
 * Listens on SOCKET_PATH (it appears only once listening, so a test can wait
 * for the file), accepts a connection, takes the one pty master sent on it,
 * prints the pty name sent with it to stderr, then copies the master's output
 * to stdout (or FILE) and its own stdin to the master until the pty hangs up.
 * With --once it exits then; otherwise it accepts the next connection.  A
 * message with other than exactly one descriptor is an error (exit 1).
 * Built static, libc only, so it runs anywhere. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 8

static void die(const char *what)
{
	fprintf(stderr, "console-receiver: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void fail(const char *what)
{
	fprintf(stderr, "console-receiver: %s\n", what);
	exit(1);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Binds under a temporary name and renames it into place once listening, so
 * whoever waits for SOCKET_PATH to exist can connect at once. */
static int listen_at(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char tmp[sizeof(addr.sun_path)];

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		fail("socket path too long");
	memcpy(addr.sun_path, tmp, strlen(tmp) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("bind");
	if (listen(fd, 4) < 0)
		die("listen");
	if (rename(tmp, path) < 0)
		die("rename");
	return fd;
}

/* One message: the name as payload, exactly one SCM_RIGHTS descriptor. */
static int receive_master(int conn_fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
	} control;
	char name[4096];
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = control.buf,
	                     .msg_controllen = sizeof(control.buf)};
	int fds[MAX_FDS];
	size_t n_fds = 0;
	ssize_t n;

	memset(&control, 0, sizeof(control));
	do
		n = recvmsg(conn_fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die("recvmsg");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count && n_fds < MAX_FDS; i++)
			memcpy(&fds[n_fds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	if (msg.msg_flags & MSG_CTRUNC)
		fail("message truncated: too many descriptors");
	if (n_fds != 1) {
		fprintf(stderr, "console-receiver: expected 1 descriptor, got %zu\n", n_fds);
		exit(1);
	}
	name[n] = '\0';
	fprintf(stderr, "%s\n", name);
	return fds[0];
}

/* Copies master -> out and stdin -> master until the pty hangs up (EIO or
 * EOF on the master, once every slave holder is gone). */
static void relay(int master_fd, int out_fd)
{
	struct pollfd pfd[2] = {{.fd = master_fd, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
	nfds_t n_pfd = 2;
	char buf[8192];

	for (;;) {
		if (poll(pfd, n_pfd, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (pfd[0].revents) {
			ssize_t n = read(master_fd, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n < 0 && errno != EIO)
				die("read pty");
			if (n <= 0)
				return;
			if (write_all(out_fd, buf, (size_t)n) < 0)
				die("write output");
		}
		if (n_pfd == 2 && pfd[1].revents) {
			ssize_t n = read(0, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			/* stdin done: stop forwarding, keep reading the pty. */
			if (n <= 0)
				n_pfd = 1;
			else if (write_all(master_fd, buf, (size_t)n) < 0)
				die("write pty");
		}
	}
}

int main(int argc, char **argv)
{
	const char *socket_path = NULL, *out_path = NULL;
	int once = 0, bad = 0;

	for (int i = 1; i < argc && !bad; i++) {
		if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out_path = argv[++i];
		else if (argv[i][0] != '-' && !socket_path)
			socket_path = argv[i];
		else
			bad = 1;
	}
	if (bad || !socket_path) {
		fprintf(stderr, "usage: console-receiver SOCKET_PATH [--once] [--out FILE]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	int out_fd = 1;
	if (out_path) {
		out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out_fd < 0)
			die("open output");
	}
	int listen_fd = listen_at(socket_path);
	for (;;) {
		int conn_fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (conn_fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		int master_fd = receive_master(conn_fd);
		close(conn_fd);
		relay(master_fd, out_fd);
		close(master_fd);
		if (once)
			break;
	}
	close(listen_fd);
	unlink(socket_path);
	return 0;
}
