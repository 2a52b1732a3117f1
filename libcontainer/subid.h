/* Subordinate ids (/etc/subuid, /etc/subgid): the host ids an unprivileged
 * user may map into a user namespace through newuidmap and newgidmap.
 *
 * Only reading and checking: the setuid helpers themselves write the maps
 * (rootless.c runs them).  The checks follow the helpers' own rules, so a
 * config they would refuse is refused at create, before anything exists,
 * with the range and the file named.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

#define HUSK_SUBUID_FILE "/etc/subuid"
#define HUSK_SUBGID_FILE "/etc/subgid"

struct husk_subid_range {
	uint64_t start;
	uint64_t count;
};

/* The ranges of the user whose entries are named `name` or the decimal
 * `uid` ("alice:100000:65536", "1001:100000:65536"), in file order.  A
 * missing file is no range at all, not an error; a malformed line is
 * skipped, as the helpers skip it.  Free *ret with free(). */
int husk_subid_read(const char *file, const char *name, uid_t uid, struct husk_subid_range **ret,
                    size_t *ret_n, struct husk_error **err);

/* Whether [start, start + count) lies within the ranges, which may cover it
 * together when they are adjacent (the helpers accept that too). */
bool husk_subid_covers(const struct husk_subid_range *ranges, size_t n, uint64_t start,
                       uint64_t count);

/* Whether writing these mappings needs the setuid helper: the kernel lets
 * an unprivileged process write only one line, mapping its own id alone. */
bool husk_subid_needs_helper(const struct husk_spec_id_mapping *m, size_t n, uint32_t own_id);

/* Checks that every line of the mappings is the caller's own id alone or
 * lies within its subordinate ranges in `file`.  Errors read:
 *   linux.uidMappings[1]: host ids 200000-265535 are not subordinate ids of
 *   user "alice" (uid 1001) in /etc/subuid */
int husk_subid_check(const char *field, const char *file, const char *name, uid_t uid,
                     uint32_t own_id, const struct husk_spec_id_mapping *m, size_t n,
                     struct husk_error **err);
