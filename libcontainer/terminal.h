/* The container's terminal: a pty opened inside the container, whose master
 * travels to the caller over the console socket (as runc's
 * --console-socket), and the fd-passing messages that carry it. */
#pragma once

#include "husk/error.h"

/* Sends one message on the unix socket sock_fd: name as the payload and fd
 * as the only SCM_RIGHTS descriptor. */
int husk_terminal_send_fd(int sock_fd, const char *name, int fd, struct husk_error **err);

/* Receives one such message.  Exactly one descriptor must come with it;
 * it arrives O_CLOEXEC.  *ret_name is malloc'd (empty when the sender sent
 * no name); ret_name may be NULL. */
int husk_terminal_recv_fd(int sock_fd, char **ret_name, int *ret_fd, struct husk_error **err);

/* Opens a new pty on the devpts visible at /dev (the container's, after
 * pivot_root): master and slave both O_CLOEXEC, the slave not made the
 * controlling terminal yet, *ret_name its path ("/dev/pts/3", malloc'd). */
int husk_terminal_open_pty(int *ret_master_fd, int *ret_slave_fd, char **ret_name,
                           struct husk_error **err);

/* Starts a new session, makes slave_fd its controlling terminal and the
 * process's stdin, stdout and stderr.  slave_fd itself is closed when > 2,
 * also on failure. */
int husk_terminal_become_controlling(int slave_fd, struct husk_error **err);

/* In the init, after the pty is its stdin: binds it onto /dev/console. */
int husk_terminal_bind_console(struct husk_error **err);
