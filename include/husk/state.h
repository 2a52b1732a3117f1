/* The state store: one directory per container under the state root.
 *
 *   <root>/               0700
 *   <root>/<id>/          0700, flock()ed by every command that changes it
 *   <root>/<id>/state.json  written atomically (temp + fsync + rename)
 *   <root>/<id>/config.json the bundle config as create saw it
 *
 * A container's init is identified by (pid, start time from /proc/PID/stat),
 * so a recycled pid is never mistaken for the container.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

#define HUSK_ID_MAX 1024

enum husk_status {
	HUSK_STATUS_CREATING,
	HUSK_STATUS_CREATED,
	HUSK_STATUS_RUNNING,
	HUSK_STATUS_PAUSED,
	HUSK_STATUS_STOPPED,
};

struct husk_state {
	char *oci_version;
	char *id;
	enum husk_status status;
	pid_t pid;                /* 0 when there is no init */
	uint64_t init_start_time; /* field 22 of /proc/PID/stat, in clock ticks */
	char *bundle;             /* absolute path */
	char *rootfs;             /* absolute path */
	char *created;            /* RFC 3339 with nanoseconds, UTC */
	uid_t owner;
	char *cgroup_path;            /* NULL until the cgroup driver sets it */
	struct husk_kv *cgroup_paths; /* cgroup v1: hierarchy -> directory; none on v2 */
	size_t n_cgroup_paths;
	struct husk_kv *annotations; /* malloc'd array, strings malloc'd */
	size_t n_annotations;
};

/* "creating", "created", "running", "paused", "stopped". */
const char *husk_status_name(enum husk_status status);

/* Checks a container id: [A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}.  The error names
 * the id: "invalid container id \"a/b\": ..." */
int husk_id_validate(const char *id, struct husk_error **err);

/* Creates <root> (0700, parents as needed) when missing. */
int husk_state_root_ensure(const char *root, struct husk_error **err);

/* Creates <root>/<id>/ (0700) and returns it locked; fails with
 * "container \"id\" already exists" (errnum EEXIST) when it does.  *ret_lock_fd is the
 * directory's fd holding an exclusive flock; close it to unlock. */
int husk_state_create(const char *root, const char *id, int *ret_lock_fd, struct husk_error **err);

/* Takes the exclusive lock of an existing container, waiting for another
 * command that holds it.  "container \"id\" does not exist" (errnum ENOENT) when absent. */
int husk_state_lock(const char *root, const char *id, int *ret_lock_fd, struct husk_error **err);

/* Atomically replaces <root>/<id>/state.json. */
int husk_state_write(const char *root, const struct husk_state *state, struct husk_error **err);

/* Reads <root>/<id>/state.json; "container \"id\" does not exist" (errnum ENOENT) when absent.
 * The returned status is as recorded: call husk_state_refresh() to reconcile
 * it with the live process. */
int husk_state_read(const char *root, const char *id, struct husk_state **ret,
                    struct husk_error **err);

/* Updates state->status from the live system: a created/running/paused
 * container whose init is gone, or whose pid now belongs to another process
 * (different start time), becomes stopped. */
void husk_state_refresh(struct husk_state *state);

/* Removes <root>/<id>/ and everything in it. */
int husk_state_remove(const char *root, const char *id, struct husk_error **err);

/* All containers under root, sorted by id; a missing root is an empty list.
 * Entries whose state.json cannot be read are skipped. */
int husk_state_list(const char *root, struct husk_state ***ret, size_t *ret_n,
                    struct husk_error **err);
void husk_state_list_free(struct husk_state **list, size_t n);

/* runc-shaped `husk state` JSON: ociVersion, id, pid, status, bundle, rootfs,
 * created, owner, annotations.  Caller frees. */
char *husk_state_to_json(const struct husk_state *state);

/* Start time (field 22 of /proc/PID/stat); -ESRCH style error when gone. */
int husk_proc_start_time(pid_t pid, uint64_t *ret, struct husk_error **err);

void husk_state_free(struct husk_state *state);
