/* The validator's inside: a list of problems that named checks append to.
 *
 * husk_spec_validate() reports the first problem and counts the rest; tests
 * and tools that want every problem call husk_spec_validate_all().  The
 * check functions are split over validate*.c by the part of the config they
 * read; the table that names and orders them lives in validate.c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "husk/spec.h"

struct husk_arena;

struct husk_spec_problem {
	const char *check; /* name of the check that found it, e.g. "namespaces" */
	const char *path;  /* "linux.namespaces[3].type" */
	const char *msg;   /* "duplicate namespace \"pid\"" */
};

struct husk_spec_problems {
	struct husk_spec_problem *items;
	size_t n;
	size_t cap;
	const char *check;        /* the check running now */
	struct husk_arena *arena; /* paths, messages and quoted values */
};

/* Runs every check in table order; *ret holds all problems found (n == 0:
 * the spec is valid).  Free with husk_spec_problems_free(). */
void husk_spec_validate_all(const struct husk_spec *spec, struct husk_spec_problems *ret);
void husk_spec_problems_free(struct husk_spec_problems *p);

/* The checks' names in the order they run; NULL past the end. */
size_t husk_spec_check_count(void);
const char *husk_spec_check_name(size_t i);

/* ---- helpers for the check functions ------------------------------------ */

void husk_spec_problem_add(struct husk_spec_problems *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A path or message fragment formatted into the problem list's arena. */
const char *husk_spec_fmt(struct husk_spec_problems *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s as a JSON string literal ("a\"b"), escaped as the decoder escapes map keys
 * in paths; in the arena.  NULL gives null. */
const char *husk_spec_quote(struct husk_spec_problems *p, const char *s);

bool husk_spec_path_is_absolute(const char *s);
/* Reports "<path>: must be an absolute path, got \"x\"" (or "required" when
 * s is NULL or empty) and returns false when s is not absolute. */
bool husk_spec_check_abs_path(struct husk_spec_problems *p, const char *path, const char *s);
/* Reports env entries that are not KEY=value; base is "process.env". */
void husk_spec_check_env(struct husk_spec_problems *p, const char *base, char *const *env,
                         size_t n);
/* Reports "<path>: must be between lo and hi, got v" when v is outside. */
void husk_spec_check_range(struct husk_spec_problems *p, const char *path, long long v,
                           long long lo, long long hi);
/* Reports a malformed cpu or memory-node list ("0-3,7"); NULL or "" is unset. */
void husk_spec_check_cpu_list(struct husk_spec_problems *p, const char *path, const char *s);
/* Reports id mappings of size 0 or running past the 32-bit id space; base
 * is "linux.uidMappings". */
void husk_spec_check_mapping_sizes(struct husk_spec_problems *p, const char *base,
                                   const struct husk_spec_id_mapping *m, size_t n);
/* "0-3,5,7": numbers and ascending ranges separated by commas. */
bool husk_spec_cpu_list_is_valid(const char *s);
/* True when the spec has a namespace of this type (new or joined). */
bool husk_spec_has_namespace(const struct husk_spec *spec, enum husk_ns_type type,
                             bool *ret_joined);

/* The checks: each reads one part of the spec and appends what is wrong. */
void husk_spec_check_process(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_capabilities(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_labels(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_rlimits(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_scheduling(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_namespaces(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_id_mappings(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_time_offsets(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_devices(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_cgroups_path(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_sysctl(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_seccomp(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_rootfs(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_personality(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_net_devices(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_device_cgroup(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_memory(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_cpu(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_pids(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_block_io(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_hugepages(const struct husk_spec *spec, struct husk_spec_problems *p);
void husk_spec_check_unified(const struct husk_spec *spec, struct husk_spec_problems *p);
