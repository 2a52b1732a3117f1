/* The tables of names an OCI config may use (capabilities, rlimits,
 * namespaces, seccomp terms, mount options, ...).  Validation and
 * `husk features` both read them, so what husk advertises is exactly what it
 * accepts.  The order of husk_namespace_names and husk_hook_names follows
 * enum husk_ns_type and enum husk_hook_kind: the validator indexes them. */
#include <string.h>

#include "husk/cleanup.h"
#include "husk/spec.h"
#include "spec/names.h"

#define NAME_LIST(var, ...)                                                                        \
	static const char *const var##_items[] = {__VA_ARGS__};                                    \
	const struct husk_name_list var = {var##_items, HUSK_ARRAY_SIZE(var##_items)}

/* In kernel numbering order: CAP_CHOWN is 0, CAP_CHECKPOINT_RESTORE is 40. */
NAME_LIST(husk_capability_names, "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
          "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
          "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
          "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
          "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
          "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
          "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
          "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
          "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

NAME_LIST(husk_rlimit_names, "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA",
          "RLIMIT_FSIZE", "RLIMIT_LOCKS", "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
          "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
          "RLIMIT_SIGPENDING", "RLIMIT_STACK");

/* Indexed by enum husk_ns_type. */
NAME_LIST(husk_namespace_names, "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time");
_Static_assert(HUSK_ARRAY_SIZE(husk_namespace_names_items) == HUSK_NS_TYPE_COUNT,
               "one name per namespace type");

NAME_LIST(husk_seccomp_actions, "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
          "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",
          "SCMP_ACT_NOTIFY");

NAME_LIST(husk_seccomp_ops, "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
          "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");

NAME_LIST(husk_seccomp_archs, "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
          "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
          "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
          "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
          "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
          "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB");

NAME_LIST(husk_seccomp_flags, "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
          "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");

/* Options mount(8) and the OCI spec define; anything else in a mount's
 * options is passed to the filesystem as data, so this list is what husk
 * interprets itself, not a filter. */
NAME_LIST(husk_mount_options, "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec", "exec",
          "sync", "async", "dirsync", "remount", "mand", "nomand", "noatime", "atime", "nodiratime",
          "diratime", "relatime", "norelatime", "strictatime", "nostrictatime", "nosymfollow",
          "symfollow", "bind", "rbind", "private", "rprivate", "shared", "rshared", "slave",
          "rslave", "unbindable", "runbindable", "tmpcopyup", "rro", "rrw", "rnosuid", "rsuid",
          "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime", "rdiratime", "rrelatime",
          "rnorelatime", "ratime", "rnoatime", "rstrictatime", "rnostrictatime", "idmap", "ridmap",
          "lazytime", "nolazytime", "silent", "loud", "iversion", "noiversion");

NAME_LIST(husk_propagations, "private", "rprivate", "shared", "rshared", "slave", "rslave",
          "unbindable", "runbindable");

/* Indexed by enum husk_hook_kind. */
NAME_LIST(husk_hook_names, "prestart", "createRuntime", "createContainer", "startContainer",
          "poststart", "poststop");
_Static_assert(HUSK_ARRAY_SIZE(husk_hook_names_items) == HUSK_HOOK_KIND_COUNT,
               "one name per hook kind");

NAME_LIST(husk_sched_policies, "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO",
          "SCHED_IDLE", "SCHED_DEADLINE");

NAME_LIST(husk_sched_flags, "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
          "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS",
          "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX");

NAME_LIST(husk_ioprio_classes, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE");

NAME_LIST(husk_personality_domains, "LINUX", "LINUX32");

bool husk_name_list_contains(const struct husk_name_list *list, const char *name)
{
	if (!name)
		return false;
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->names[i], name) == 0)
			return true;
	return false;
}
