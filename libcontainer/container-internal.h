/* Pieces of the lifecycle shared by create, run and exec, not for cmd/. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "husk/container.h"
#include "husk/spec.h"
#include "spawn.h"

/* A loaded, validated bundle. */
struct husk_bundle {
	struct husk_spec *spec;
	char *bundle; /* absolute */
	char *rootfs; /* absolute, resolved */
};

int husk_bundle_load(const char *bundle_arg, struct husk_bundle *ret, struct husk_error **err);
void husk_bundle_free(struct husk_bundle *b);

/* What run adds to create: its own end of a console socket pair when it
 * relays the terminal itself. */
struct husk_internal_create {
	int console_socket_fd; /* -1: none */
	bool used_terminal;    /* out: process.terminal was set, the master comes */
};

/* create; with ret, the spawned init (pid, pidfd) is handed to the caller. */
int husk_container_create_internal(const struct husk_context *ctx, const char *id,
                                   const struct husk_create_options *opts,
                                   struct husk_internal_create *in, struct husk_spawned *ret,
                                   struct husk_error **err);

/* Connects to the unix socket a caller gave with --console-socket. */
int husk_console_socket_connect(const char *path, int *ret_fd, struct husk_error **err);

int husk_write_pid_file(const char *path, pid_t pid, struct husk_error **err);

/* pidfd_send_signal(2); -1 with errno on failure. */
int husk_pidfd_signal(int pidfd, int signo);
