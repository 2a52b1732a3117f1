/* What this build of husk implements, as the OCI features document
 * (runtime-spec features.md) that `husk features` prints, and the versions
 * `husk --version` reports.
 */
#pragma once

/* The features document as pretty-printed JSON ending in '\n'.  Determined at
 * build time, not by probing the host (the spec asks for that), except for
 * the annotations io.github.husk.host.apparmor and .selinux ("enabled" or
 * "disabled"): whether a label of that LSM can be applied here.  Caller
 * frees. */
char *husk_features_json(void);

/* The same with the host's /sys and /proc looked up under prefix (NULL:
 * the live system), so tests can show a host with an LSM. */
char *husk_features_json_at(const char *prefix);

/* The libseccomp husk runs with, "2.5.4".  Caller frees. */
char *husk_libseccomp_version(void);

#define HUSK_OCI_VERSION_MIN "1.0.0"
#define HUSK_OCI_VERSION_MAX "1.2.0"
