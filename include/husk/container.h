/* Container lifecycle: the library calls behind create, start, run, kill,
 * delete and exec.  Each takes the context (state root etc.) and reports
 * failures through struct husk_error; none prints or exits. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "husk/context.h"
#include "husk/error.h"

struct husk_create_options {
	const char *bundle;         /* NULL: the current directory */
	const char *pid_file;       /* NULL: none */
	const char *console_socket; /* NULL: none */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds; /* fds 3 .. 3+N-1 are passed to the container */
};

/* Builds the container and leaves its init blocked before exec. */
int husk_container_create(const struct husk_context *ctx, const char *id,
                          const struct husk_create_options *opts, struct husk_error **err);

/* Lets a created container's init exec the user's program. */
int husk_container_start(const struct husk_context *ctx, const char *id, struct husk_error **err);

/* Sends signo to the init, or with `all` to every process of the container. */
int husk_container_kill(const struct husk_context *ctx, const char *id, int signo, bool all,
                        struct husk_error **err);

/* Removes a stopped (or created) container; with force, kills a running one
 * first and waits for it. */
int husk_container_delete(const struct husk_context *ctx, const char *id, bool force,
                          struct husk_error **err);

struct husk_run_options {
	struct husk_create_options create;
	bool detach;
	bool keep; /* do not delete after the process exits */
};

/* create + start; unless detached, forwards signals to the container, waits
 * for it, deletes it (unless keep) and sets *ret_status to the exit status
 * as a shell reports it (code, or 128 + signal). */
int husk_container_run(const struct husk_context *ctx, const char *id,
                       const struct husk_run_options *opts, int *ret_status,
                       struct husk_error **err);

struct husk_exec_options {
	const char *process_file; /* --process: a JSON process object; else: */
	char **args;              /* the command and its arguments */
	size_t n_args;
	bool tty;
	bool detach;
	const char *pid_file;
	const char *console_socket;
	const char *cwd;
	char **env; /* extra KEY=value entries */
	size_t n_env;
	const char *user; /* "UID[:GID]" */
	char **caps;      /* extra capabilities */
	size_t n_caps;
	bool no_new_privs;
	int preserve_fds;
};

/* Runs another process in a running container; unless detached, waits and
 * sets *ret_status as husk_container_run() does. */
int husk_container_exec(const struct husk_context *ctx, const char *id,
                        const struct husk_exec_options *opts, int *ret_status,
                        struct husk_error **err);
