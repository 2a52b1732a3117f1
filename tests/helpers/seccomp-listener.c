/* A seccomp notify listener for the integration tests (static, libc only).
 *
 *   seccomp-listener SOCKET LOG MODE
 *
 * Listens on the unix socket SOCKET.  Each connection brings what a runtime
 * sends for linux.seccomp.listenerPath: the container process state JSON
 * with the notify fd as SCM_RIGHTS.  Notified mkdir/mkdirat calls are then
 * answered per MODE without being run: "success" (return 0) or "errno:N"
 * (fail with errno N); any other notified call is let through.  LOG gets one
 * line per event:
 *   state <the JSON document> fds=<number of fds received>
 *   notify pid=<pid> syscall=<mkdir|mkdirat|nr> path=<the path argument>
 * Runs until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 32

static int log_fd = -1;
static int reply_errno; /* 0: success */

static void logf_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_line(const char *fmt, ...)
{
	char buf[16384];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(log_fd, buf, (size_t)n) < 0)
		_exit(3);
}

static void die(const char *what)
{
	fprintf(stderr, "seccomp-listener: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Reads one connection to EOF; returns the fd it carried, or -1. */
static int take_connection(int conn)
{
	static char doc[65536];
	size_t len = 0;
	int got = -1, n_fds = 0;
	for (;;) {
		char control[CMSG_SPACE(sizeof(int) * 4)];
		struct iovec iov = {.iov_base = doc + len, .iov_len = sizeof(doc) - 1 - len};
		struct msghdr msg = {.msg_iov = &iov,
		                     .msg_iovlen = 1,
		                     .msg_control = control,
		                     .msg_controllen = sizeof(control)};
		ssize_t r = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (int i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (got < 0)
					got = fd;
				else
					close(fd);
				n_fds++;
			}
		}
		len += (size_t)r;
		if (len >= sizeof(doc) - 1)
			break;
	}
	doc[len] = '\0';
	/* one line per event, whatever the sender's layout */
	for (size_t i = 0; i < len; i++)
		if (doc[i] == '\n')
			doc[i] = ' ';
	logf_line("state %s fds=%d", doc, n_fds);
	close(conn);
	return got;
}

static void read_path(pid_t pid, unsigned long long addr, char *out, size_t size)
{
	char mem[64];
	snprintf(mem, sizeof(mem), "/proc/%d/mem", (int)pid);
	int fd = open(mem, O_RDONLY | O_CLOEXEC);
	out[0] = '\0';
	if (fd < 0)
		return;
	ssize_t n = pread(fd, out, size - 1, (off_t)addr);
	close(fd);
	out[n > 0 ? n : 0] = '\0';
	out[strnlen(out, size - 1)] = '\0';
}

/* Answers one notification; returns -1 when the fd is finished. */
static int serve(int nfd)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	memset(&req, 0, sizeof(req));
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return errno == EINTR || errno == ENOENT ? 0 : -1;
	const char *name = NULL;
	unsigned long long path_arg = 0;
#ifdef SYS_mkdir
	if (req.data.nr == SYS_mkdir) {
		name = "mkdir";
		path_arg = req.data.args[0];
	}
#endif
	if (req.data.nr == SYS_mkdirat) {
		name = "mkdirat";
		path_arg = req.data.args[1];
	}
	char path[256] = "";
	if (name)
		read_path((pid_t)req.pid, path_arg, path, sizeof(path));
	/* the path is trusted only if the caller still waits on this call */
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) < 0)
		return 0;
	if (name)
		logf_line("notify pid=%u syscall=%s path=%s", req.pid, name, path);
	else
		logf_line("notify pid=%u syscall=%d", req.pid, req.data.nr);
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	if (!name) {
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else {
		resp.error = reply_errno ? -reply_errno : 0;
		resp.val = 0;
	}
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		logf_line("send failed: %s", strerror(errno));
	return 0;
}

static int listen_on(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0)
		die(path);
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: seccomp-listener SOCKET LOG success|errno:N\n");
		return 2;
	}
	if (strncmp(argv[3], "errno:", 6) == 0)
		reply_errno = atoi(argv[3] + 6);
	else if (strcmp(argv[3], "success") != 0)
		return 2;
	log_fd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0)
		die(argv[2]);
	struct pollfd pfd[MAX_FDS + 1];
	int n = 1;
	pfd[0] = (struct pollfd){.fd = listen_on(argv[1]), .events = POLLIN};
	logf_line("listening");
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (int i = n - 1; i >= 1; i--) {
			if (!pfd[i].revents)
				continue;
			/* POLLHUP: every filtered process is gone */
			if ((pfd[i].revents & (POLLHUP | POLLERR)) || serve(pfd[i].fd) < 0) {
				close(pfd[i].fd);
				pfd[i] = pfd[--n];
			}
		}
		if (pfd[0].revents & POLLIN) {
			int conn = accept4(pfd[0].fd, NULL, NULL, SOCK_CLOEXEC);
			int nfd = conn >= 0 ? take_connection(conn) : -1;
			if (nfd >= 0 && n <= MAX_FDS)
				pfd[n++] = (struct pollfd){.fd = nfd, .events = POLLIN};
			else if (nfd >= 0)
				close(nfd);
		}
	}
}
