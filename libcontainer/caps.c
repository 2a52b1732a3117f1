/* Capabilities: OCI names mapped through libcap, then the bounding set
 * dropped with prctl() and the other sets installed with capset().  Which
 * step runs when (relative to the uid change) is decided by process.c; this
 * file only knows how to apply a set. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"
#include "husk/cleanup.h"
#include "spec/names.h"
#include "util/xalloc.h"

int husk_cap_from_name(const char *name)
{
	cap_value_t value;

	/* libcap matches without case and takes bare numbers; the OCI config
	 * names capabilities only as "CAP_" followed by the upper-case name. */
	if (!name || strncmp(name, "CAP_", 4) != 0 || name[4] == '\0')
		return -1;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return -1;
	if (cap_from_name(name, &value) < 0 || value < 0 || value > 63)
		return -1;
	return value;
}

int husk_caps_last_cap(int *ret, struct husk_error **err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = -1;

	if (f && fscanf(f, "%d", &last) == 1 && last >= 0 && last < 64) {
		*ret = last;
		return 0;
	}
	/* /proc may be masked or not mounted yet: PR_CAPBSET_READ fails with
	 * EINVAL for a number the kernel does not know. */
	for (last = 0; last < 64; last++) {
		if (prctl(PR_CAPBSET_READ, (unsigned long)last, 0, 0, 0) < 0) {
			if (errno != EINVAL)
				return husk_error_set(err, errno, "read capability bounding set");
			break;
		}
	}
	if (last == 0)
		return husk_error_set(err, 0, "cannot find the last capability of this kernel");
	*ret = last - 1;
	return 0;
}

struct cap_set_spec {
	const char *set;
	char *const *names;
	size_t n;
	uint64_t *mask;
};

static void append_skipped(char **skipped, const char *name)
{
	if (*skipped && strstr(*skipped, name))
		return;
	char *next = *skipped ? xasprintf("%s, %s", *skipped, name) : xstrdup(name);
	free(*skipped);
	*skipped = next;
}

int husk_caps_from_spec(const struct husk_spec_capabilities *caps, int last_cap,
                        struct husk_caps *ret, char **ret_skipped, struct husk_error **err)
{
	struct husk_caps out = {0};
	_cleanup_free_ char *skipped = NULL;

	if (caps) {
		const struct cap_set_spec sets[] = {
		    {"bounding", caps->bounding, caps->n_bounding, &out.bounding},
		    {"effective", caps->effective, caps->n_effective, &out.effective},
		    {"permitted", caps->permitted, caps->n_permitted, &out.permitted},
		    {"inheritable", caps->inheritable, caps->n_inheritable, &out.inheritable},
		    {"ambient", caps->ambient, caps->n_ambient, &out.ambient},
		};
		for (size_t s = 0; s < HUSK_ARRAY_SIZE(sets); s++) {
			for (size_t i = 0; i < sets[s].n; i++) {
				int value = husk_cap_from_name(sets[s].names[i]);
				if (value < 0)
					return husk_error_set(
					    err, 0,
					    "unknown capability \"%s\" in process.capabilities.%s",
					    sets[s].names[i], sets[s].set);
				if (value > last_cap) {
					append_skipped(&skipped, sets[s].names[i]);
					continue;
				}
				*sets[s].mask |= UINT64_C(1) << value;
			}
		}
	}
	*ret = out;
	if (ret_skipped)
		*ret_skipped = TAKE_PTR(skipped);
	return 0;
}

void husk_caps_log_skipped(const struct husk_context *ctx, const struct husk_spec_process *process)
{
	struct husk_caps caps;
	_cleanup_free_ char *skipped = NULL;
	int last_cap;
	if (!ctx || !ctx->debug || !process || !process->capabilities ||
	    husk_caps_last_cap(&last_cap, NULL) < 0 ||
	    husk_caps_from_spec(process->capabilities, last_cap, &caps, &skipped, NULL) < 0 ||
	    !skipped)
		return;
	husk_warn(ctx, "process.capabilities: %s unknown to this kernel, skipped", skipped);
}

/* Names for error messages; husk_capability_names is in kernel order. */
static const char *cap_name(int cap)
{
	if (cap >= 0 && (size_t)cap < husk_capability_names.n)
		return husk_capability_names.names[cap];
	return "an unnamed capability";
}

int husk_caps_apply_bounding(const struct husk_caps *caps, int last_cap, struct husk_error **err)
{
	for (int cap = 0; cap <= last_cap; cap++) {
		if (caps->bounding & (UINT64_C(1) << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0)
			return husk_error_set(err, errno, "drop %s from the bounding set",
			                      cap_name(cap));
	}
	return 0;
}

static int fill_flag(cap_t state, cap_flag_t flag, uint64_t mask, int last_cap)
{
	cap_value_t values[64];
	int n = 0;

	for (int cap = 0; cap <= last_cap; cap++)
		if (mask & (UINT64_C(1) << cap))
			values[n++] = cap;
	return n ? cap_set_flag(state, flag, n, values, CAP_SET) : 0;
}

static int raise_ambient(const struct husk_caps *caps, int last_cap, struct husk_error **err)
{
	/* The process may have inherited ambient capabilities from whoever
	 * ran husk; the container gets exactly the configured ones.  One
	 * prctl, not libcap's cap_reset_ambient(), which first asks about
	 * each capability in turn.  EINVAL: a kernel before ambient sets. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && caps->ambient)
		return husk_error_set(err, errno, "clear the ambient capability set");
	for (int cap = 0; cap <= last_cap; cap++) {
		if (!(caps->ambient & (UINT64_C(1) << cap)))
			continue;
		/* the kernel's rule: an ambient capability must be permitted
		 * and inheritable too; EPERM otherwise */
		if (cap_set_ambient(cap, CAP_SET) < 0)
			return husk_error_set(
			    err, errno,
			    "process.capabilities.ambient: raise %s (it must also "
			    "be in permitted and inheritable)",
			    cap_name(cap));
	}
	return 0;
}

int husk_caps_apply_sets(const struct husk_caps *caps, int last_cap, struct husk_error **err)
{
	cap_t state = cap_init();

	if (!state)
		return husk_error_set(err, errno, "allocate capability state");
	if (fill_flag(state, CAP_EFFECTIVE, caps->effective, last_cap) < 0 ||
	    fill_flag(state, CAP_PERMITTED, caps->permitted, last_cap) < 0 ||
	    fill_flag(state, CAP_INHERITABLE, caps->inheritable, last_cap) < 0) {
		int saved = errno;
		cap_free(state);
		return husk_error_set(err, saved, "build capability sets");
	}
	int r = cap_set_proc(state);
	int saved = errno;
	cap_free(state);
	if (r < 0)
		return husk_error_set(err, saved, "set capabilities");
	return raise_ambient(caps, last_cap, err);
}
