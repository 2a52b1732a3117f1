/* After pivot_root, in the init: the config's masked and read-only paths,
 * sysctls and execution domain.  Each runs in the container's own view.
 * Init order: husk_sysctl_apply, husk_paths_readonly, husk_paths_mask
 * (sysctls first: /proc/sys is usually read-only). */
#pragma once

#include "husk/error.h"
#include "husk/spec.h"

/* linux.maskedPaths: /dev/null bound over files, an empty read-only tmpfs
 * over directories; paths that do not exist are skipped (as runc). */
int husk_paths_mask(const struct husk_spec *spec, struct husk_error **err);

/* linux.readonlyPaths: each bound onto itself read-only (recursively). */
int husk_paths_readonly(const struct husk_spec *spec, struct husk_error **err);

/* Parent side, at create, before anything is built: refuses a sysctl of a
 * namespace the container does not own, e.g.
 *   linux.sysctl["net.ipv4.ip_forward"]: requires a new network namespace */
int husk_sysctl_check(const struct husk_spec *spec, struct husk_error **err);

/* Init side: writes each linux.sysctl key under /proc/sys. */
int husk_sysctl_apply(const struct husk_spec *spec, struct husk_error **err);

/* linux.personality: LINUX or LINUX32 (with flags). */
int husk_personality_apply(const struct husk_spec *spec, struct husk_error **err);
