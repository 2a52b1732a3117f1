/* The SCMP_ACT_NOTIFY handover: the listener fd and the container process
 * state go to the process listening on linux.seccomp.listenerPath, as the
 * OCI runtime spec describes (one connection, the ContainerProcessState
 * document as the payload, the fd as SCM_RIGHTS index 0 named "seccompFd").
 * Runs in the parent; getting the fd from the child is the sync protocol's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "husk/features.h"
#include "json/json.h"
#include "seccomp-filter.h"
#include "util/xalloc.h"

char *husk_seccomp_process_state(const struct husk_seccomp_listener *l)
{
	struct json_gen *g = json_gen_new(false);
	json_gen_object_open(g);
	json_gen_kv_string(g, "ociVersion", HUSK_OCI_VERSION_MAX);
	json_gen_key(g, "fds");
	json_gen_array_open(g);
	json_gen_string(g, "seccompFd");
	json_gen_array_close(g);
	json_gen_kv_i64(g, "pid", l->pid);
	/* omitted when empty, as Go's omitempty does */
	if (l->metadata && l->metadata[0])
		json_gen_kv_string(g, "metadata", l->metadata);
	json_gen_object_close(g);
	size_t len = 0;
	const char *head = json_gen_result(g, &len);
	/* The state is already a JSON document: it goes in as the last member,
	 * in place of the closing brace. */
	while (len > 0 && head[len - 1] != '}')
		len--;
	char *doc = xasprintf("%.*s,\"state\":%s}", (int)(len - 1), head,
	                      l->state_json ? l->state_json : "null");
	json_gen_free(g);
	return doc;
}

static int send_all(int fd, const char *doc, size_t len, int notify_fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	memset(&control, 0, sizeof(control));
	struct iovec iov = {.iov_base = (void *)doc, .iov_len = len};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control.buf,
	    .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &notify_fd, sizeof(int));
	/* the fd rides on the first chunk; a short write sends the rest plain */
	while (iov.iov_len > 0) {
		ssize_t r = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		iov.iov_base = (char *)iov.iov_base + r;
		iov.iov_len -= (size_t)r;
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
	}
	return 0;
}

int husk_seccomp_send_notify_fd(const struct husk_seccomp_listener *l, int notify_fd,
                                struct husk_error **err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (!l->path || !l->path[0])
		return husk_error_set(err, 0, "linux.seccomp.listenerPath: required");
	if (strlen(l->path) >= sizeof(addr.sun_path))
		return husk_error_set(err, ENAMETOOLONG, "linux.seccomp.listenerPath \"%s\"",
		                      l->path);
	strcpy(addr.sun_path, l->path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_error_set(err, errno, "seccomp listener: socket");
	int r;
	do
		r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return husk_error_set(err, errno, "linux.seccomp.listenerPath: connect to \"%s\"",
		                      l->path);
	_cleanup_free_ char *doc = husk_seccomp_process_state(l);
	r = send_all(fd, doc, strlen(doc), notify_fd);
	if (r < 0)
		return husk_error_set(
		    err, -r, "linux.seccomp.listenerPath: send the notify fd to \"%s\"", l->path);
	return 0;
}
