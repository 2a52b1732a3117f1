/* Typed messages over the parent/child socketpair; the protocol itself is
 * drawn in sync.h.  SOCK_SEQPACKET keeps message boundaries, so a short read
 * is a protocol error rather than a partial message to reassemble. */
#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const char *const sync_names[] = {
    [HUSK_SYNC_GO] = "GO",
    [HUSK_SYNC_READY] = "READY",
    [HUSK_SYNC_ACK] = "ACK",
    [HUSK_SYNC_PID] = "PID",
    [HUSK_SYNC_ERROR] = "ERROR",
    [HUSK_SYNC_HOOKS] = "HOOKS",
    [HUSK_SYNC_HOOKS_DONE] = "HOOKS_DONE",
    [HUSK_SYNC_SECCOMP] = "SECCOMP",
    [HUSK_SYNC_SECCOMP_DONE] = "SECCOMP_DONE",
};

const char *husk_sync_type_name(uint32_t type)
{
	if (type < sizeof(sync_names) / sizeof(sync_names[0]) && sync_names[type])
		return sync_names[type];
	return "UNKNOWN";
}

int husk_sync_pair(int fds[2], struct husk_error **err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return husk_error_set(err, errno, "socketpair");
	return 0;
}

static int send_msg(int fd, const struct husk_sync_msg *msg, size_t len)
{
	ssize_t n;
	do {
		n = send(fd, msg, len, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

int husk_sync_send(int fd, enum husk_sync_type type, int32_t value, struct husk_error **err)
{
	struct husk_sync_msg msg = {.type = type, .value = value};
	if (send_msg(fd, &msg, offsetof(struct husk_sync_msg, text) + 1) < 0)
		return husk_error_set(err, errno, "send '%s' to %s", husk_sync_type_name(type),
		                      "the other side");
	return 0;
}

void husk_sync_send_error(int fd, const struct husk_error *err)
{
	struct husk_sync_msg msg = {.type = HUSK_SYNC_ERROR};
	msg.value = err ? err->errnum : 0;
	snprintf(msg.text, sizeof(msg.text), "%s", err ? err->msg : "unknown error");
	(void)send_msg(fd, &msg, offsetof(struct husk_sync_msg, text) + strlen(msg.text) + 1);
}

int husk_sync_recv(int fd, struct husk_sync_msg *msg, struct husk_error **err)
{
	ssize_t n;
	memset(msg, 0, sizeof(*msg));
	do {
		n = recv(fd, msg, sizeof(*msg), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return husk_error_set(err, errno, "receive from the other side");
	if (n == 0)
		return husk_error_set(err, 0, "the other side exited before reporting");
	if ((size_t)n <= offsetof(struct husk_sync_msg, text))
		return husk_error_set(err, 0, "short sync message (%zd bytes)", n);
	msg->text[sizeof(msg->text) - 1] = '\0';
	if (msg->type == HUSK_SYNC_ERROR) {
		husk_error_set(err, 0, "%s", msg->text);
		if (*err)
			(*err)->errnum = msg->value;
		return -1;
	}
	return 0;
}

int husk_sync_expect(int fd, enum husk_sync_type type, int32_t *ret_value, struct husk_error **err)
{
	struct husk_sync_msg msg;
	if (husk_sync_recv(fd, &msg, err) < 0)
		return -1;
	if (msg.type != type)
		return husk_error_set(err, 0, "expected '%s', got '%s'", husk_sync_type_name(type),
		                      husk_sync_type_name(msg.type));
	if (ret_value)
		*ret_value = msg.value;
	return 0;
}
