/* The container's cgroup: one driver interface, one driver per cgroup
 * version (v2 first; v1 and systemd plug into the same table later), and
 * the pure mapping of linux.resources to cgroup files (resources.c).
 *
 * Callers hold a struct husk_cgroup and use the husk_cgroup_*() wrappers;
 * they never test which version is behind it.  docs/cgroups.md describes
 * paths, defaults, the mapping and the hybrid-host behaviour.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

enum husk_cgroup_mode {
	HUSK_CGROUP_UNIFIED, /* cgroup2 on /sys/fs/cgroup */
	HUSK_CGROUP_HYBRID,  /* v1 controllers, cgroup2 on /sys/fs/cgroup/unified */
	HUSK_CGROUP_LEGACY,  /* v1 only */
};

/* What the host offers; tests fill one by hand with a fake root. */
struct husk_cgroup_host {
	enum husk_cgroup_mode mode;
	char *v2_root; /* mount point of the cgroup2 hierarchy; NULL on legacy */
	char *own;     /* our own cgroup2 path ("/a/b"), from /proc/self/cgroup */
};

/* One file write of a mapped resource. */
struct husk_cgroup_setting {
	char *field;      /* the config path, for errors: "linux.resources.memory.limit" */
	char *controller; /* "memory"; NULL for core files (cgroup.*) */
	char *file;       /* "memory.max" */
	char *value;      /* "1048576" */
};

struct husk_cgroup_settings {
	struct husk_cgroup_setting *items;
	size_t n, cap;
	char **ignored; /* fields v2 cannot honour and that are skipped, as runc */
	size_t n_ignored;
};

struct husk_cgroup_stats {
	uint64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	uint64_t nr_periods, nr_throttled, throttled_usec;
	bool has_memory;
	uint64_t memory_current, memory_max; /* UINT64_MAX: "max" */
	uint64_t oom_kill;
	bool has_pids;
	uint64_t pids_current, pids_max; /* UINT64_MAX: "max" */
};

struct husk_cgroup;

/* A cgroup version's implementation.  Every entry is required. */
struct husk_cgroup_driver {
	const char *name;
	/* mkdir along the path, enable controllers, refuse a busy cgroup */
	int (*create)(struct husk_cgroup *cg, const struct husk_cgroup_settings *s,
	              struct husk_error **err);
	int (*apply)(struct husk_cgroup *cg, const struct husk_cgroup_settings *s,
	             struct husk_error **err);
	/* the whole device allow/deny list, replacing the previous one */
	int (*set_devices)(struct husk_cgroup *cg, const struct husk_spec_device_cgroup *rules,
	                   size_t n, struct husk_error **err);
	int (*add_process)(struct husk_cgroup *cg, pid_t pid, struct husk_error **err);
	int (*set_frozen)(struct husk_cgroup *cg, bool frozen, struct husk_error **err);
	int (*kill_all)(struct husk_cgroup *cg, int signo, struct husk_error **err);
	int (*procs)(struct husk_cgroup *cg, pid_t **ret, size_t *ret_n, struct husk_error **err);
	int (*stats)(struct husk_cgroup *cg, struct husk_cgroup_stats *ret,
	             struct husk_error **err);
	int (*destroy)(struct husk_cgroup *cg, struct husk_error **err);
};

struct husk_cgroup {
	const struct husk_cgroup_driver *driver;
	enum husk_cgroup_mode mode;
	char *root;     /* the hierarchy's mount point */
	char *path;     /* "/a/b", relative to root */
	char *dir;      /* root + path: what state.json records */
	int dir_fd;     /* O_DIRECTORY of dir once created, for CLONE_INTO_CGROUP */
	bool created;   /* this create made the leaf (a failed create removes it) */
	char **ignored; /* config fields this driver skips (warn about them) */
	size_t n_ignored;
};

/* ---- resources.c: pure ---- */

/* Maps linux.resources (NULL: nothing) to cgroup v2 files, in write order. */
int husk_cgroup_v2_settings(const struct husk_spec_resources *r, struct husk_cgroup_settings *ret,
                            struct husk_error **err);
void husk_cgroup_settings_free(struct husk_cgroup_settings *s);

/* OCI cpu.shares [2, 262144] -> cpu.weight [1, 10000]; 0 means unset. */
uint64_t husk_cgroup_shares_to_weight(uint64_t shares);
/* OCI blockIO weight [10, 1000] -> io.weight [1, 10000]. */
uint64_t husk_cgroup_blkio_to_io_weight(uint64_t weight);

/* ---- cgroup.c ---- */

/* Mode and cgroup2 mount point from statfs() of /sys/fs/cgroup. */
int husk_cgroup_host_detect(struct husk_cgroup_host *ret, struct husk_error **err);
void husk_cgroup_host_release(struct husk_cgroup_host *h);

/* linux.cgroupsPath -> a clean absolute path in the hierarchy: absolute
 * as given; relative under the parent of `own`; absent (NULL or "") is
 * "husk-<hash of state_root>-<id>" there.  `..` components are refused. */
int husk_cgroup_resolve_path(const char *cgroups_path, const char *own, const char *state_root,
                             const char *id, char **ret, struct husk_error **err);

/* Creates the container's cgroup at `path` and applies the resources.
 * *ret is NULL on a legacy host with no resources asked for (the container
 * then runs in the caller's cgroups).  On failure nothing is left. */
int husk_cgroup_create_at(const struct husk_cgroup_host *host, const char *path,
                          const struct husk_spec_resources *r, struct husk_cgroup **ret,
                          struct husk_error **err);

/* husk_cgroup_create_at() on this host for a container's config, then the
 * device rules: linux.resources.devices, an allow rule per linux.devices
 * entry, then the devices every container gets (as runc orders them). */
int husk_cgroup_create(const char *state_root, const char *id, const struct husk_spec_linux *lx,
                       struct husk_cgroup **ret, struct husk_error **err);

/* Opens the cgroup whose directory state.json recorded. */
int husk_cgroup_load(const char *dir, struct husk_cgroup **ret, struct husk_error **err);

/* Closes the handle; the cgroup stays. */
void husk_cgroup_free(struct husk_cgroup *cg);

int husk_cgroup_apply(struct husk_cgroup *cg, const struct husk_spec_resources *r,
                      struct husk_error **err);
int husk_cgroup_add_process(struct husk_cgroup *cg, pid_t pid, struct husk_error **err);
/* Freezes (waiting until the kernel reports the cgroup frozen) or thaws. */
int husk_cgroup_freeze(struct husk_cgroup *cg, struct husk_error **err);
int husk_cgroup_thaw(struct husk_cgroup *cg, struct husk_error **err);
/* Signals every process; returns how many were signalled (SIGKILL through
 * cgroup.kill counts as 1). */
int husk_cgroup_kill_all(struct husk_cgroup *cg, int signo, struct husk_error **err);
int husk_cgroup_procs(struct husk_cgroup *cg, pid_t **ret, size_t *ret_n, struct husk_error **err);
int husk_cgroup_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *ret,
                      struct husk_error **err);
/* Kills what is left, removes the cgroup (and cgroups made inside it); a
 * cgroup already gone is fine. */
int husk_cgroup_destroy(struct husk_cgroup *cg, struct husk_error **err);

extern const struct husk_cgroup_driver husk_cgroup_v2_driver;
