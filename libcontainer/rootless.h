/* Running as an ordinary user: when husk is rootless, what a config must
 * hold for an unprivileged caller, and the id maps that only the setuid
 * helpers newuidmap and newgidmap (Debian's package "uidmap") may write.
 *
 * Rootless mode changes two decisions elsewhere: the cgroup is made only
 * inside a delegated subtree (cgroup/delegation.c), and the bridge network
 * annotation means user-mode networking (net/rootless.c).  docs/design.md
 * ("Rootless") describes the whole.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "husk/context.h"
#include "husk/error.h"
#include "husk/spec.h"

/* --rootless true or false as given; auto: true for a caller other than
 * root, and for root inside a user namespace other than the host's (whose
 * cgroups and network are then not its own either). */
bool husk_rootless_active(const struct husk_context *ctx);

/* For a caller other than root, at create before any side effect: a user
 * namespace is required; mappings beyond the caller's own id need the
 * helper installed and subordinate ids to cover them; mount options uid=
 * and gid= must name mapped ids; idmapped mounts are refused (they need
 * privilege over the source's filesystem).  Root passes unchecked. */
int husk_rootless_check(const struct husk_spec *spec, struct husk_error **err);

/* Writes the uid (gid false) or gid map of pid's new user namespace with
 * newuidmap or newgidmap.  Errors name the field and carry the helper's
 * own words:
 *   linux.uidMappings: newuidmap: exited with status 1: newuidmap: ... */
int husk_rootless_write_map(pid_t pid, bool gid, const struct husk_spec_id_mapping *m, size_t n,
                            struct husk_error **err);

/* The absolute path of program in $PATH (or /usr/bin:/bin:/usr/sbin:/sbin
 * without one), malloc'd; NULL when there is none. */
char *husk_find_program(const char *program);
