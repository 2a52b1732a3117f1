/* Names the OCI config may use, shared by validation and `husk features`,
 * so what features advertises is exactly what validation accepts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct husk_name_list {
	const char *const *names;
	size_t n;
};

extern const struct husk_name_list
    husk_capability_names; /* "CAP_CHOWN", ... as known to libcap/kernel headers */
extern const struct husk_name_list husk_rlimit_names;    /* "RLIMIT_AS", ... */
extern const struct husk_name_list husk_namespace_names; /* "pid", "network", ... (OCI spelling) */
extern const struct husk_name_list husk_seccomp_actions; /* "SCMP_ACT_KILL", ... */
extern const struct husk_name_list husk_seccomp_ops;     /* "SCMP_CMP_NE", ... */
extern const struct husk_name_list husk_seccomp_archs;   /* "SCMP_ARCH_X86_64", ... */
extern const struct husk_name_list husk_seccomp_flags;   /* "SECCOMP_FILTER_FLAG_TSYNC", ... */
extern const struct husk_name_list husk_mount_options;   /* "ro", "nosuid", "rbind", ... */
extern const struct husk_name_list husk_propagations;    /* "private", "rshared", ... */
extern const struct husk_name_list husk_hook_names;      /* "prestart", "createRuntime", ... */
extern const struct husk_name_list husk_sched_policies;  /* "SCHED_OTHER", ... */
extern const struct husk_name_list husk_sched_flags;     /* "SCHED_FLAG_RESET_ON_FORK", ... */
extern const struct husk_name_list husk_ioprio_classes;  /* "IOPRIO_CLASS_RT", ... */
extern const struct husk_name_list husk_personality_domains; /* "LINUX", "LINUX32" */

bool husk_name_list_contains(const struct husk_name_list *list, const char *name);
