/* The OCI runtime configuration (runtime-spec 1.2, Linux) as typed C.
 *
 * Every string and array hangs off the arena owned by struct husk_spec, so
 * husk_spec_free() releases it all at once.  Optional objects are NULL when
 * absent; optional scalars carry a has_<field> flag; arrays are (items, n)
 * pairs, n == 0 when absent.  Values are as written in config.json: mapping
 * them to kernel terms is the job of the modules that apply them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/error.h"

struct husk_arena;

struct husk_kv {
	char *key;
	char *value;
};

struct husk_spec_root {
	char *path;
	bool readonly;
};

struct husk_spec_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct husk_spec_mount {
	char *destination;
	char *type;   /* NULL when absent */
	char *source; /* NULL when absent */
	char **options;
	size_t n_options;
	struct husk_spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct husk_spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
};

struct husk_spec_user {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
};

struct husk_spec_capabilities {
	char **bounding;
	size_t n_bounding;
	char **effective;
	size_t n_effective;
	char **inheritable;
	size_t n_inheritable;
	char **permitted;
	size_t n_permitted;
	char **ambient;
	size_t n_ambient;
};

struct husk_spec_rlimit {
	char *type; /* "RLIMIT_NOFILE", ... */
	uint64_t soft;
	uint64_t hard;
};

struct husk_spec_scheduler {
	char *policy; /* "SCHED_OTHER", ... */
	bool has_nice;
	int32_t nice;
	bool has_priority;
	int32_t priority;
	char **flags;
	size_t n_flags;
	bool has_runtime;
	uint64_t runtime;
	bool has_deadline;
	uint64_t deadline;
	bool has_period;
	uint64_t period;
};

struct husk_spec_io_priority {
	char *klass; /* "IOPRIO_CLASS_RT" | "IOPRIO_CLASS_BE" | "IOPRIO_CLASS_IDLE" */
	int32_t priority;
};

struct husk_spec_cpu_affinity {
	char *initial; /* cpu list such as "0-3,7", NULL when absent */
	char *final;
};

struct husk_spec_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height;
	uint32_t console_width;
	struct husk_spec_user user;
	char **args;
	size_t n_args;
	char *command_line; /* Windows only; kept for round trips */
	char **env;
	size_t n_env;
	char *cwd;
	struct husk_spec_capabilities *capabilities;
	struct husk_spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int32_t oom_score_adj;
	struct husk_spec_scheduler *scheduler;
	char *selinux_label;
	struct husk_spec_io_priority *io_priority;
	struct husk_spec_cpu_affinity *exec_cpu_affinity;
};

struct husk_spec_hook {
	char *path;
	char **args;
	size_t n_args;
	char **env;
	size_t n_env;
	bool has_timeout;
	int64_t timeout; /* seconds, > 0 */
};

enum husk_hook_kind {
	HUSK_HOOK_PRESTART,
	HUSK_HOOK_CREATE_RUNTIME,
	HUSK_HOOK_CREATE_CONTAINER,
	HUSK_HOOK_START_CONTAINER,
	HUSK_HOOK_POSTSTART,
	HUSK_HOOK_POSTSTOP,
	HUSK_HOOK_KIND_COUNT,
};

struct husk_spec_hooks {
	struct husk_spec_hook *hooks[HUSK_HOOK_KIND_COUNT];
	size_t n_hooks[HUSK_HOOK_KIND_COUNT];
};

enum husk_ns_type {
	HUSK_NS_PID,
	HUSK_NS_NETWORK,
	HUSK_NS_MOUNT,
	HUSK_NS_IPC,
	HUSK_NS_UTS,
	HUSK_NS_USER,
	HUSK_NS_CGROUP,
	HUSK_NS_TIME,
	HUSK_NS_TYPE_COUNT,
};

struct husk_spec_namespace {
	enum husk_ns_type type;
	char *path; /* NULL: create a new one */
};

struct husk_spec_time_offset {
	bool present;
	int64_t secs;
	uint32_t nanosecs;
};

struct husk_spec_device {
	char *type; /* "c", "b", "u" or "p" */
	char *path;
	bool has_major;
	int64_t major;
	bool has_minor;
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
};

struct husk_spec_device_cgroup {
	bool allow;
	char *type; /* "a", "c", "b"; NULL means all */
	bool has_major;
	int64_t major;
	bool has_minor;
	int64_t minor;
	char *access; /* subset of "rwm"; NULL means all */
};

struct husk_spec_memory {
	bool has_limit;
	int64_t limit;
	bool has_reservation;
	int64_t reservation;
	bool has_swap;
	int64_t swap;
	bool has_kernel;
	int64_t kernel;
	bool has_kernel_tcp;
	int64_t kernel_tcp;
	bool has_swappiness;
	uint64_t swappiness;
	bool has_disable_oom_killer;
	bool disable_oom_killer;
	bool has_use_hierarchy;
	bool use_hierarchy;
	bool has_check_before_update;
	bool check_before_update;
};

struct husk_spec_cpu {
	bool has_shares;
	uint64_t shares;
	bool has_quota;
	int64_t quota;
	bool has_burst;
	uint64_t burst;
	bool has_period;
	uint64_t period;
	bool has_realtime_runtime;
	int64_t realtime_runtime;
	bool has_realtime_period;
	uint64_t realtime_period;
	char *cpus;
	char *mems;
	bool has_idle;
	int64_t idle;
};

struct husk_spec_pids {
	bool has_limit;
	int64_t limit;
};

struct husk_spec_weight_device {
	int64_t major;
	int64_t minor;
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
};

struct husk_spec_throttle_device {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};

struct husk_spec_block_io {
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
	struct husk_spec_weight_device *weight_device;
	size_t n_weight_device;
	struct husk_spec_throttle_device *throttle_read_bps;
	size_t n_throttle_read_bps;
	struct husk_spec_throttle_device *throttle_write_bps;
	size_t n_throttle_write_bps;
	struct husk_spec_throttle_device *throttle_read_iops;
	size_t n_throttle_read_iops;
	struct husk_spec_throttle_device *throttle_write_iops;
	size_t n_throttle_write_iops;
};

struct husk_spec_hugepage_limit {
	char *page_size; /* "2MB", "1GB", ... */
	uint64_t limit;
};

struct husk_spec_net_priority {
	char *name;
	uint32_t priority;
};

struct husk_spec_network {
	bool has_class_id;
	uint32_t class_id;
	struct husk_spec_net_priority *priorities;
	size_t n_priorities;
};

struct husk_spec_rdma {
	char *device;
	bool has_hca_handles;
	uint32_t hca_handles;
	bool has_hca_objects;
	uint32_t hca_objects;
};

struct husk_spec_resources {
	struct husk_spec_device_cgroup *devices;
	size_t n_devices;
	struct husk_spec_memory *memory;
	struct husk_spec_cpu *cpu;
	struct husk_spec_pids *pids;
	struct husk_spec_block_io *block_io;
	struct husk_spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct husk_spec_network *network;
	struct husk_spec_rdma *rdma;
	size_t n_rdma;
	struct husk_kv *unified;
	size_t n_unified;
};

struct husk_spec_intel_rdt {
	char *clos_id;
	char *l3_cache_schema;
	char *mem_bw_schema;
	char **schemata;
	size_t n_schemata;
	bool enable_cmt;
	bool enable_mbm;
};

struct husk_spec_seccomp_arg {
	uint32_t index;
	uint64_t value;
	bool has_value_two;
	uint64_t value_two;
	char *op; /* "SCMP_CMP_EQ", ... */
};

struct husk_spec_seccomp_syscall {
	char **names;
	size_t n_names;
	char *action; /* "SCMP_ACT_ERRNO", ... */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct husk_spec_seccomp_arg *args;
	size_t n_args;
};

struct husk_spec_seccomp {
	char *default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;
	size_t n_architectures;
	char **flags;
	size_t n_flags;
	char *listener_path;
	char *listener_metadata;
	struct husk_spec_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct husk_spec_personality {
	char *domain; /* "LINUX" | "LINUX32" */
	char **flags;
	size_t n_flags;
};

struct husk_spec_net_device {
	char *host_name; /* the key in linux.netDevices */
	char *name;      /* name inside the container, NULL: keep host_name */
};

struct husk_spec_linux {
	struct husk_spec_namespace *namespaces;
	size_t n_namespaces;
	struct husk_spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct husk_spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
	struct husk_spec_time_offset time_monotonic;
	struct husk_spec_time_offset time_boottime;
	struct husk_spec_device *devices;
	size_t n_devices;
	char *cgroups_path;
	struct husk_spec_resources *resources;
	struct husk_spec_intel_rdt *intel_rdt;
	struct husk_kv *sysctl;
	size_t n_sysctl;
	struct husk_spec_seccomp *seccomp;
	char *rootfs_propagation;
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	struct husk_spec_personality *personality;
	struct husk_spec_net_device *net_devices;
	size_t n_net_devices;
};

struct husk_spec {
	struct husk_arena *arena;
	char *oci_version;
	struct husk_spec_root *root;
	struct husk_spec_mount *mounts;
	size_t n_mounts;
	struct husk_spec_process *process;
	char *hostname;
	char *domainname;
	struct husk_spec_hooks *hooks;
	struct husk_kv *annotations;
	size_t n_annotations;
	struct husk_spec_linux *linux_; /* "linux" is a predefined macro in gnu11 */
};

/* Parses and decodes config.json bytes.  `name` is used as the error prefix
 * ("config.json").  Errors read
 *   config.json: process.user.uid: expected unsigned 32-bit integer, got string "root" (line 7,
 * column 14) Decoding checks types and ranges only; call husk_spec_validate() next. */
int husk_spec_parse(const char *name, const char *buf, size_t len, struct husk_spec **ret,
                    struct husk_error **err);
/* Reads <path> and parses it; name in errors is the file's base name. */
int husk_spec_load(const char *path, struct husk_spec **ret, struct husk_error **err);

/* Reads a lone OCI process object (`exec --process FILE`) into a spec whose
 * only field is process; the spec owns the memory. */
int husk_spec_load_process(const char *path, struct husk_spec **ret, struct husk_error **err);

/* Decodes a lone OCI linux.resources object (`update --resources`) into a
 * spec whose only field is linux.resources; `name` prefixes errors.  The
 * load variant reads path, or standard input for "-". */
int husk_spec_parse_resources(const char *name, const char *buf, size_t len, struct husk_spec **ret,
                              struct husk_error **err);
int husk_spec_load_resources(const char *path, struct husk_spec **ret, struct husk_error **err);

/* Runs every named check; the error reports the first failing check as
 *   config.json: linux.namespaces[2].type: duplicate namespace "pid"
 * followed by " (and N more problems)" when several fail. */
int husk_spec_validate(const char *name, const struct husk_spec *spec, struct husk_error **err);

/* The default config that `husk spec` writes (runc's defaults), as JSON text.
 * Caller frees *ret_json. */
int husk_spec_default_json(bool rootless, char **ret_json, struct husk_error **err);

/* Serialises a spec back to JSON (for round trips and the state dir copy).
 * Caller frees *ret_json. */
int husk_spec_to_json(const struct husk_spec *spec, char **ret_json, struct husk_error **err);

void husk_spec_free(struct husk_spec *spec);

const char *husk_ns_type_name(enum husk_ns_type type);     /* "pid", "network", ... */
const char *husk_hook_kind_name(enum husk_hook_kind kind); /* "prestart", ... */
