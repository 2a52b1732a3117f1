/* The parent <-> child protocol, over a SOCK_SEQPACKET socketpair.
 *
 *   parent (husk create / exec)              child (container init / exec'd process)
 *   ---------------------------              ---------------------------------------
 *   clone3() ------------------------------> born in its new namespaces
 *   [new userns] write uid_map, gid_map
 *   GO ------------------------------------> (waits for GO before anything needs ids)
 *                                            join namespaces, hostname, mounts
 *                     <--------------------- HOOKS      (only when the config has
 *   prestart + createRuntime hooks                       hooks of those kinds)
 *   HOOKS_DONE(pid) -----------------------> createContainer hooks, pivot_root,
 *                                            process setup (ids, caps, fds)
 *                     <--------------------- READY            or  ERROR(errnum, msg)
 *   write state.json, pid file
 *   ACK -----------------------------------> clear the parent-death signal
 *   (waits for EOF) <----------------------- close the socket
 *   exit                                     block opening exec.fifo; exec on start
 *
 * HOOKS_DONE carries the init's pid as the host sees it, for the state JSON
 * the init hands its own hooks.
 * exec uses the same messages; its first child also sends PID (the pid of the
 * process it cloned into the container's pid namespace) before READY.
 * Until ACK the child has PR_SET_PDEATHSIG(SIGKILL), so a parent that dies
 * half-way never leaves an orphan init behind; EOF on the socket means the
 * parent is gone and the child exits.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "husk/error.h"

enum husk_sync_type {
	HUSK_SYNC_GO = 1,
	HUSK_SYNC_READY,
	HUSK_SYNC_ACK,
	HUSK_SYNC_PID,
	HUSK_SYNC_ERROR,
	HUSK_SYNC_HOOKS,
	HUSK_SYNC_HOOKS_DONE,
	HUSK_SYNC_SECCOMP,
	HUSK_SYNC_SECCOMP_DONE,
};

#define HUSK_SYNC_MSG_MAX 4096

struct husk_sync_msg {
	uint32_t type;
	int32_t value;                /* PID: the pid; ERROR: errno (0 when none) */
	char text[HUSK_SYNC_MSG_MAX]; /* ERROR: the message, NUL-terminated */
};

const char *husk_sync_type_name(uint32_t type);

/* Creates the SOCK_SEQPACKET|SOCK_CLOEXEC pair. */
int husk_sync_pair(int fds[2], struct husk_error **err);

int husk_sync_send(int fd, enum husk_sync_type type, int32_t value, struct husk_error **err);

/* Sends ERROR carrying err's message (used by the child; never fails loudly:
 * if the parent is gone there is nobody to tell). */
void husk_sync_send_error(int fd, const struct husk_error *err);

/* Receives one message.  An ERROR message becomes *err (its text, errnum
 * preserved).  EOF becomes "the other side exited before sending 'READY'". */
int husk_sync_recv(int fd, struct husk_sync_msg *msg, struct husk_error **err);

/* Receives and checks the type: "expected 'READY', got 'PID'". */
int husk_sync_expect(int fd, enum husk_sync_type type, int32_t *ret_value, struct husk_error **err);
