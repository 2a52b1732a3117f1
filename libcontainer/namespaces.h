/* Which namespaces a container gets, and entering them.
 *
 * The parent builds a plan from linux.namespaces: flags for the new ones,
 * opened fds for the ones joined by path (opened in the parent, so a bad path
 * fails before anything is cloned, with the path in the message).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

struct husk_ns_plan {
	unsigned long clone_flags;       /* CLONE_NEW* for the namespaces to create (no time) */
	bool new_time;                   /* created with unshare in the parent, see spawn.c */
	int join_fd[HUSK_NS_TYPE_COUNT]; /* -1: not joined by path */
};

/* CLONE_NEWPID etc. for a namespace type. */
unsigned long husk_ns_clone_flag(enum husk_ns_type type);

/* The /proc/PID/ns/<name> file name: "pid", "net", "mnt", ... */
const char *husk_ns_proc_name(enum husk_ns_type type);

int husk_ns_plan_build(const struct husk_spec *spec, struct husk_ns_plan *plan,
                       struct husk_error **err);
void husk_ns_plan_close(struct husk_ns_plan *plan);

/* Child side: setns() into every namespace joined by path.  The user
 * namespace first (it decides what the others may do), the mount namespace
 * last (after it, paths resolve in the container's view). */
int husk_ns_join(const struct husk_ns_plan *plan, struct husk_error **err);

/* Parent side: writes /proc/PID/{setgroups,uid_map,gid_map} from the config's
 * mappings for a child in a new user namespace. */
int husk_userns_write_maps(pid_t pid, const struct husk_spec *spec, struct husk_error **err);

/* Parent side, before clone: moves the parent's *children* into a new time
 * namespace with linux.timeOffsets.  The offsets can only be written before
 * any process is in the namespace, which rules out creating it with clone3.
 * *ret_saved_fd gets the parent's original time namespace for
 * husk_timens_restore() once the child exists. */
int husk_timens_prepare(const struct husk_spec *spec, int *ret_saved_fd, struct husk_error **err);
int husk_timens_restore(int saved_fd, struct husk_error **err);

/* Whether the process is in a namespace other than ours (inode compare). */
bool husk_ns_differs(pid_t pid, enum husk_ns_type type);
