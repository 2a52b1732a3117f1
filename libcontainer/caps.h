/* Capabilities of the container's process: OCI names to numbers, and the
 * five sets applied to the calling thread.  The only place that includes
 * libcap; callers see plain bit masks. */
#pragma once

#include <stdint.h>

#include "husk/context.h"
#include "husk/error.h"
#include "husk/spec.h"

/* One bit per capability number; the kernel defines fewer than 64. */
struct husk_caps {
	uint64_t bounding;
	uint64_t effective;
	uint64_t permitted;
	uint64_t inheritable;
	uint64_t ambient;
};

/* "CAP_CHOWN" -> 0 by libcap's table; -1 when the name is unknown.  Only the
 * OCI spelling is accepted (libcap alone would also take "chown" or "12"). */
int husk_cap_from_name(const char *name);

/* The highest capability number this kernel knows: /proc/sys/kernel/cap_last_cap,
 * or probed with PR_CAPBSET_READ when /proc is not readable. */
int husk_caps_last_cap(int *ret, struct husk_error **err);

/* Turns the OCI sets into masks.  NULL caps give empty sets.  A name this
 * kernel does not know (above last_cap) is left out, as runc does, and named
 * in *ret_skipped ("CAP_BPF, CAP_PERFMON", malloc'd; NULL when none) so the
 * caller can warn.  An unknown name is an error:
 *   unknown capability "CAP_FOO" in process.capabilities.bounding */
int husk_caps_from_spec(const struct husk_spec_capabilities *caps, int last_cap,
                        struct husk_caps *ret, char **ret_skipped, struct husk_error **err);

/* With --debug, reports through ctx the configured capabilities this kernel
 * does not know (they are skipped, see above): "process.capabilities:
 * CAP_BPF, CAP_PERFMON unknown to this kernel, skipped".  Silent otherwise,
 * and on any error (validation reports those). */
void husk_caps_log_skipped(const struct husk_context *ctx, const struct husk_spec_process *process);

/* Drops every capability 0..last_cap that is not in caps->bounding from the
 * bounding set.  Needs CAP_SETPCAP in the effective set. */
int husk_caps_apply_bounding(const struct husk_caps *caps, int last_cap, struct husk_error **err);

/* Sets effective, permitted and inheritable in one capset(), then clears the
 * ambient set and raises caps->ambient (each must be permitted and
 * inheritable by then). */
int husk_caps_apply_sets(const struct husk_caps *caps, int last_cap, struct husk_error **err);
