/* process.rlimits: OCI names to RLIMIT_* numbers and setrlimit() on the
 * calling process. */
#pragma once

#include <stddef.h>

#include "husk/error.h"
#include "husk/spec.h"

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 when unknown. */
int husk_rlimit_from_name(const char *name);

/* Sets each limit in order.  Errors read
 *   setrlimit RLIMIT_NOFILE (soft 1024, hard 1024): Operation not permitted
 * (UINT64_MAX prints as "unlimited"). */
int husk_rlimits_apply(const struct husk_spec_rlimit *rlimits, size_t n, struct husk_error **err);
