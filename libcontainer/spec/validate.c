/* The config validator: a table of named checks, each reading one part of a
 * decoded spec and appending every problem it finds, so a user fixing a
 * config sees how much is wrong at once.  The decoder already enforced JSON
 * types and integer ranges; what is checked here is meaning (known names,
 * absolute paths, values the kernel accepts, fields that need a namespace).
 * This file holds the problem list, shared helpers, the checks of top-level
 * fields and the table; validate-process.c, validate-linux.c and
 * validate-resources.c hold the rest. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/cleanup.h"
#include "spec/names.h"
#include "spec/validate.h"
#include "util/arena.h"
#include "util/xalloc.h"

/* ---- problem list and helpers ------------------------------------------- */

void husk_spec_problem_add(struct husk_spec_problems *p, const char *path, const char *fmt, ...)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->items = xreallocarray(p->items, p->cap, sizeof(*p->items));
	}
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	p->items[p->n++] = (struct husk_spec_problem){
	    .check = p->check,
	    .path = husk_arena_strdup(p->arena, path),
	    .msg = husk_arena_strdup(p->arena, msg),
	};
}

const char *husk_spec_fmt(struct husk_spec_problems *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return husk_arena_strdup(p->arena, s);
}

const char *husk_spec_quote(struct husk_spec_problems *p, const char *s)
{
	if (!s)
		return "null";
	size_t len = strlen(s);
	/* Worst case every byte becomes \u00XX. */
	char *out = husk_arena_array(p->arena, len * 6 + 3, 1);
	char *o = out;
	*o++ = '"';
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\') {
			*o++ = '\\';
			*o++ = (char)*c;
		} else if (*c < 0x20 || *c == 0x7f) {
			o += sprintf(o, "\\u%04x", *c);
		} else {
			*o++ = (char)*c;
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

bool husk_spec_path_is_absolute(const char *s)
{
	return s && s[0] == '/';
}

bool husk_spec_check_abs_path(struct husk_spec_problems *p, const char *path, const char *s)
{
	if (!s || !*s) {
		husk_spec_problem_add(p, path, "required");
		return false;
	}
	if (!husk_spec_path_is_absolute(s)) {
		husk_spec_problem_add(p, path, "must be an absolute path, got %s",
		                      husk_spec_quote(p, s));
		return false;
	}
	return true;
}

void husk_spec_check_env(struct husk_spec_problems *p, const char *base, char *const *env, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');
		if (!eq || eq == env[i])
			husk_spec_problem_add(p, husk_spec_fmt(p, "%s[%zu]", base, i),
			                      "%s is not in KEY=value form",
			                      husk_spec_quote(p, env[i]));
	}
}

void husk_spec_check_range(struct husk_spec_problems *p, const char *path, long long v,
                           long long lo, long long hi)
{
	if (v < lo || v > hi)
		husk_spec_problem_add(p, path, "must be between %lld and %lld, got %lld", lo, hi,
		                      v);
}

void husk_spec_check_cpu_list(struct husk_spec_problems *p, const char *path, const char *s)
{
	/* An empty list means "not set", as in runc. */
	if (s && s[0] && !husk_spec_cpu_list_is_valid(s))
		husk_spec_problem_add(p, path,
		                      "invalid list %s, want numbers and ranges such as %s",
		                      husk_spec_quote(p, s), "\"0-3,7\"");
}

static bool parse_uint(const char **s, unsigned long *ret)
{
	const char *c = *s;
	unsigned long v = 0;
	if (*c < '0' || *c > '9')
		return false;
	for (; *c >= '0' && *c <= '9'; c++) {
		if (v > 1000000)
			return false; /* no machine has that many CPUs or nodes */
		v = v * 10 + (unsigned long)(*c - '0');
	}
	*s = c;
	*ret = v;
	return true;
}

bool husk_spec_cpu_list_is_valid(const char *s)
{
	const char *c = s;
	for (;;) {
		unsigned long lo, hi;
		if (!parse_uint(&c, &lo))
			return false;
		hi = lo;
		if (*c == '-') {
			c++;
			if (!parse_uint(&c, &hi) || hi < lo)
				return false;
		}
		if (*c == '\0')
			return true;
		if (*c++ != ',')
			return false;
	}
}

bool husk_spec_has_namespace(const struct husk_spec *spec, enum husk_ns_type type, bool *ret_joined)
{
	if (!spec->linux_)
		return false;
	for (size_t i = 0; i < spec->linux_->n_namespaces; i++) {
		const struct husk_spec_namespace *ns = &spec->linux_->namespaces[i];
		if (ns->type != type)
			continue;
		if (ret_joined)
			*ret_joined = ns->path && ns->path[0];
		return true;
	}
	return false;
}

/* ---- checks of top-level fields ----------------------------------------- */

/* Accepts MAJOR.MINOR.PATCH with an optional -pre-release and +build part. */
static bool parse_semver(const char *s, unsigned long *ret_major)
{
	const char *c = s;
	unsigned long major, n;
	if (!parse_uint(&c, &major) || *c++ != '.' || !parse_uint(&c, &n) || *c++ != '.' ||
	    !parse_uint(&c, &n))
		return false;
	if (*c == '-' || *c == '+') {
		if (!c[1])
			return false;
		for (c++; *c; c++)
			if (!strchr(
			        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-+",
			        *c))
				return false;
	}
	if (*c)
		return false;
	*ret_major = major;
	return true;
}

static void check_oci_version(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	unsigned long major;
	if (!spec->oci_version)
		husk_spec_problem_add(p, "ociVersion", "required");
	else if (!parse_semver(spec->oci_version, &major))
		husk_spec_problem_add(p, "ociVersion", "%s is not a version such as \"1.2.0\"",
		                      husk_spec_quote(p, spec->oci_version));
	else if (major != 1)
		husk_spec_problem_add(p, "ociVersion", "unsupported version %s, want 1.x",
		                      husk_spec_quote(p, spec->oci_version));
}

static void check_root(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	if (!spec->root)
		husk_spec_problem_add(p, "root", "required");
	else if (!spec->root->path || !spec->root->path[0])
		husk_spec_problem_add(p, "root.path", "required");
}

void husk_spec_check_mapping_sizes(struct husk_spec_problems *p, const char *base,
                                   const struct husk_spec_id_mapping *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (m[i].size == 0)
			husk_spec_problem_add(p, husk_spec_fmt(p, "%s[%zu].size", base, i),
			                      "must be positive");
		else if ((uint64_t)m[i].container_id + m[i].size - 1 > UINT32_MAX ||
		         (uint64_t)m[i].host_id + m[i].size - 1 > UINT32_MAX)
			husk_spec_problem_add(p, husk_spec_fmt(p, "%s[%zu]", base, i),
			                      "range goes past the largest 32-bit id");
	}
}

static void check_mounts(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct husk_spec_mount *m = &spec->mounts[i];
		husk_spec_check_abs_path(p, husk_spec_fmt(p, "mounts[%zu].destination", i),
		                         m->destination);
		/* Unknown options are filesystem data ("size=64k", "mode=755"),
		 * so only an empty one is certainly a mistake. */
		for (size_t j = 0; j < m->n_options; j++)
			if (!m->options[j][0])
				husk_spec_problem_add(
				    p, husk_spec_fmt(p, "mounts[%zu].options[%zu]", i, j),
				    "must not be empty");
		husk_spec_check_mapping_sizes(p, husk_spec_fmt(p, "mounts[%zu].uidMappings", i),
		                              m->uid_mappings, m->n_uid_mappings);
		husk_spec_check_mapping_sizes(p, husk_spec_fmt(p, "mounts[%zu].gidMappings", i),
		                              m->gid_mappings, m->n_gid_mappings);
	}
}

/* Both names live in the UTS namespace: setting them in the host's would
 * rename the host. */
static void check_uts_name(const struct husk_spec *spec, struct husk_spec_problems *p,
                           const char *field, const char *value)
{
	if (!value || !value[0])
		return;
	if (!husk_spec_has_namespace(spec, HUSK_NS_UTS, NULL))
		husk_spec_problem_add(p, field, "requires a new UTS namespace");
	size_t len = strlen(value);
	if (len > 64) /* __NEW_UTS_LEN */
		husk_spec_problem_add(p, field, "must be at most 64 bytes long, got %zu", len);
}

static void check_hostname(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	check_uts_name(spec, p, "hostname", spec->hostname);
	check_uts_name(spec, p, "domainname", spec->domainname);
}

static void check_hooks(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	if (!spec->hooks)
		return;
	for (int k = 0; k < HUSK_HOOK_KIND_COUNT; k++) {
		const char *kind = husk_hook_kind_name(k);
		for (size_t i = 0; i < spec->hooks->n_hooks[k]; i++) {
			const struct husk_spec_hook *h = &spec->hooks->hooks[k][i];
			const char *base = husk_spec_fmt(p, "hooks.%s[%zu]", kind, i);
			husk_spec_check_abs_path(p, husk_spec_fmt(p, "%s.path", base), h->path);
			husk_spec_check_env(p, husk_spec_fmt(p, "%s.env", base), h->env, h->n_env);
			if (h->has_timeout && h->timeout <= 0)
				husk_spec_problem_add(p, husk_spec_fmt(p, "%s.timeout", base),
				                      "must be positive, got %lld",
				                      (long long)h->timeout);
		}
	}
}

static void check_annotations(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	for (size_t i = 0; i < spec->n_annotations; i++)
		if (!spec->annotations[i].key[0])
			husk_spec_problem_add(p, "annotations[\"\"]", "key must not be empty");
}

/* ---- the table ----------------------------------------------------------- */

struct check {
	const char *name;
	void (*fn)(const struct husk_spec *spec, struct husk_spec_problems *p);
};

/* In the order the runtime spec lists the fields, so the first problem
 * reported is usually the one nearest the top of the file. */
static const struct check checks[] = {
    {"oci-version", check_oci_version},
    {"root", check_root},
    {"mounts", check_mounts},
    {"process", husk_spec_check_process},
    {"capabilities", husk_spec_check_capabilities},
    {"labels", husk_spec_check_labels},
    {"rlimits", husk_spec_check_rlimits},
    {"scheduling", husk_spec_check_scheduling},
    {"hostname", check_hostname},
    {"hooks", check_hooks},
    {"annotations", check_annotations},
    {"namespaces", husk_spec_check_namespaces},
    {"id-mappings", husk_spec_check_id_mappings},
    {"time-offsets", husk_spec_check_time_offsets},
    {"devices", husk_spec_check_devices},
    {"cgroups-path", husk_spec_check_cgroups_path},
    {"device-cgroup", husk_spec_check_device_cgroup},
    {"memory", husk_spec_check_memory},
    {"cpu", husk_spec_check_cpu},
    {"pids", husk_spec_check_pids},
    {"block-io", husk_spec_check_block_io},
    {"hugepages", husk_spec_check_hugepages},
    {"unified", husk_spec_check_unified},
    {"sysctl", husk_spec_check_sysctl},
    {"seccomp", husk_spec_check_seccomp},
    {"rootfs", husk_spec_check_rootfs},
    {"personality", husk_spec_check_personality},
    {"net-devices", husk_spec_check_net_devices},
};

size_t husk_spec_check_count(void)
{
	return HUSK_ARRAY_SIZE(checks);
}

const char *husk_spec_check_name(size_t i)
{
	return i < HUSK_ARRAY_SIZE(checks) ? checks[i].name : NULL;
}

void husk_spec_validate_all(const struct husk_spec *spec, struct husk_spec_problems *ret)
{
	*ret = (struct husk_spec_problems){.arena = husk_arena_new()};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(checks); i++) {
		ret->check = checks[i].name;
		checks[i].fn(spec, ret);
	}
	ret->check = NULL;
}

void husk_spec_problems_free(struct husk_spec_problems *p)
{
	free(p->items);
	husk_arena_free(p->arena);
	*p = (struct husk_spec_problems){0};
}

int husk_spec_validate(const char *name, const struct husk_spec *spec, struct husk_error **err)
{
	struct husk_spec_problems p;
	husk_spec_validate_all(spec, &p);
	if (p.n == 0) {
		husk_spec_problems_free(&p);
		return 0;
	}
	_cleanup_free_ char *more =
	    p.n == 1 ? xstrdup("")
	             : xasprintf(" (and %zu more problem%s)", p.n - 1, p.n == 2 ? "" : "s");
	husk_error_set(err, 0, "%s: %s: %s%s", name ? name : "config.json", p.items[0].path,
	               p.items[0].msg, more);
	husk_spec_problems_free(&p);
	return -1;
}
