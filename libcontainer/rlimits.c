/* Resource limits of the container's process.  Applying them is one
 * setrlimit() each; when in the setup they run (before capabilities are
 * dropped) is process.c's decision. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "husk/cleanup.h"
#include "rlimits.h"

static const struct {
	const char *name;
	int resource;
} rlimit_table[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

int husk_rlimit_from_name(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(rlimit_table); i++)
		if (strcmp(rlimit_table[i].name, name) == 0)
			return rlimit_table[i].resource;
	return -1;
}

static void format_limit(char *buf, size_t size, uint64_t value)
{
	if (value == UINT64_MAX)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%" PRIu64, value);
}

int husk_rlimits_apply(const struct husk_spec_rlimit *rlimits, size_t n, struct husk_error **err)
{
	for (size_t i = 0; i < n; i++) {
		int resource = husk_rlimit_from_name(rlimits[i].type);
		if (resource < 0)
			return husk_error_set(err, 0, "unknown rlimit \"%s\"",
			                      rlimits[i].type ? rlimits[i].type : "");
		/* rlim_t is 64 bits on every Linux ABI glibc supports, and
		 * RLIM_INFINITY is all ones, the same as the OCI's UINT64_MAX. */
		struct rlimit limit = {.rlim_cur = rlimits[i].soft, .rlim_max = rlimits[i].hard};
		if (setrlimit((__rlimit_resource_t)resource, &limit) < 0) {
			int saved = errno;
			char soft[24], hard[24];
			format_limit(soft, sizeof(soft), rlimits[i].soft);
			format_limit(hard, sizeof(hard), rlimits[i].hard);
			return husk_error_set(err, saved, "setrlimit %s (soft %s, hard %s)",
			                      rlimits[i].type, soft, hard);
		}
	}
	return 0;
}
