/* What this build of husk implements, as the OCI features document
 * (runtime-spec features.md) that `husk features` prints, and the versions
 * `husk --version` reports.
 */
#pragma once

/* The features document as pretty-printed JSON ending in '\n'.  Determined at
 * build time, not by probing the host (the spec asks for that).  Caller
 * frees. */
char *husk_features_json(void);

/* The libseccomp husk runs with, "2.5.4".  Caller frees. */
char *husk_libseccomp_version(void);

#define HUSK_OCI_VERSION_MIN "1.0.0"
#define HUSK_OCI_VERSION_MAX "1.2.0"
