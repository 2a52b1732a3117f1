/* Rootless cgroups: a container's cgroup made only inside a cgroup v2
 * subtree delegated to the caller (systemd's Delegate=yes: the caller owns
 * the directory and its cgroup.procs and cgroup.subtree_control), or no
 * cgroup at all.  docs/cgroups.md ("Rootless") says what each case gives.
 */
#pragma once

#include <stdbool.h>

#include "cgroup/cgroup.h"
#include "husk/error.h"
#include "husk/spec.h"

/* Whether the caller may create the cgroup `path` of the v2 hierarchy
 * mounted at v2_root (mkdir in its deepest existing ancestor) and clone or
 * move a process from its own cgroup `own` into it (the kernel checks
 * write access to cgroup.procs of the two cgroups' common ancestor).  When
 * not, *ret_why (malloc'd) names the file the caller cannot write. */
bool husk_cgroup_delegated(const char *v2_root, const char *own, const char *path, char **ret_why);

/* husk_cgroup_create() for a rootless container.  Delegated: the cgroup
 * is made there and linux.resources applied, without device rules (a
 * device program needs CAP_SYS_ADMIN, and in a user namespace devices are
 * bind mounts of the host's nodes, whose permissions already apply).  Not
 * delegated: *ret is NULL and the container runs in the caller's cgroup,
 * unless the config asks for a limit or a linux.cgroupsPath, which is an
 * error naming the field, why, and what to do. */
int husk_cgroup_create_rootless(const char *state_root, const char *id,
                                const struct husk_spec_linux *lx, struct husk_cgroup **ret,
                                struct husk_error **err);
