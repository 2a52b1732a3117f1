/* The container's cgroup: one driver interface, one driver per cgroup
 * layout (v2 on a unified host; v1 on legacy and hybrid hosts, which also
 * keeps the container's cgroup2 directory through the v2 driver), and the
 * pure mappings of linux.resources to cgroup files (resources.c for v2,
 * v1-resources.c for v1).
 *
 * Callers hold a struct husk_cgroup and use the husk_cgroup_*() wrappers;
 * they never test which version is behind it.  docs/cgroups.md describes
 * paths, defaults, both mappings and the hybrid-host routing.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/container.h"
#include "husk/error.h"
#include "husk/spec.h"
#include "husk/state.h"

enum husk_cgroup_mode {
	HUSK_CGROUP_UNIFIED, /* cgroup2 on /sys/fs/cgroup */
	HUSK_CGROUP_HYBRID,  /* v1 controllers, cgroup2 on /sys/fs/cgroup/unified */
	HUSK_CGROUP_LEGACY,  /* v1 only */
};

/* One mounted cgroup v1 hierarchy. */
struct husk_cgroup_hierarchy {
	char *controllers; /* as /proc/self/cgroup names it: "cpu,cpuacct", "name=systemd" */
	char *mount;       /* where it is mounted: "/sys/fs/cgroup/cpu,cpuacct" */
	char *own;         /* our cgroup in it, from the mount point: "/", "/a/b" */
};

/* What the host offers; tests fill one by hand with a fake root. */
struct husk_cgroup_host {
	enum husk_cgroup_mode mode;
	char *v2_root; /* mount point of the cgroup2 hierarchy; NULL on legacy */
	char *own;     /* our own cgroup2 path ("/a/b"), from /proc/self/cgroup */
	struct husk_cgroup_hierarchy *v1; /* hybrid and legacy: the v1 hierarchies */
	size_t n_v1;
};

/* One file write of a mapped resource. */
struct husk_cgroup_setting {
	char *field;      /* the config path, for errors: "linux.resources.memory.limit" */
	char *controller; /* "memory"; NULL for core files (cgroup.*) */
	char *file;       /* "memory.max" */
	char *value;      /* "1048576" */
	bool optional;    /* a missing file is no error: the value is already true */
};

struct husk_cgroup_settings {
	struct husk_cgroup_setting *items;
	size_t n, cap;
	char **ignored; /* fields the driver cannot honour and that are skipped, as runc */
	size_t n_ignored;
};

/* The few counters the library itself needs (update's memory check, run's
 * OOM notice); `husk stats` reads struct husk_container_stats instead. */
struct husk_cgroup_stats {
	uint64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	uint64_t nr_periods, nr_throttled, throttled_usec;
	bool has_memory;
	uint64_t memory_current, memory_max; /* UINT64_MAX: "max" */
	bool has_oom;
	uint64_t oom_kill;
	bool has_pids;
	uint64_t pids_current, pids_max; /* UINT64_MAX: "max" */
};

/* What `husk events` keeps between looks for OOM kills. */
struct husk_cgroup_oom_watch {
	int fd;        /* readable (POLLIN) when an OOM may have happened; -1: poll only */
	uint64_t seen; /* the driver's counter at the last look */
};

struct husk_cgroup;

/* A cgroup layout's implementation.  Every entry is required but
 * join_self. */
struct husk_cgroup_driver {
	const char *name;              /* "v2", "v1": for messages */
	const char *memory_limit_file; /* named in run's OOM notice */
	/* the init can be born in the cgroup (clone3 CLONE_INTO_CGROUP on
	 * dir_fd); otherwise it is moved with add_process before it runs */
	bool clone_into;
	/* mkdir along the path, refuse a busy cgroup, write the limits; a
	 * failure leaves nothing this call made */
	int (*create)(struct husk_cgroup *cg, const struct husk_spec_resources *r,
	              struct husk_error **err);
	int (*apply)(struct husk_cgroup *cg, const struct husk_spec_resources *r,
	             struct husk_error **err);
	/* the whole device allow/deny list, replacing the previous one */
	int (*set_devices)(struct husk_cgroup *cg, const struct husk_spec_device_cgroup *rules,
	                   size_t n, struct husk_error **err);
	int (*add_process)(struct husk_cgroup *cg, pid_t pid, struct husk_error **err);
	/* run by a new single-threaded process itself, cloned into the
	 * cgroup2 directory (if any): moves it into the rest.  A thread
	 * moving itself skips the kernel's global threadgroup lock, whose
	 * first writer waits an RCU grace period (milliseconds) when another
	 * process is moved in through cgroup.procs. */
	int (*join_self)(struct husk_cgroup *cg, struct husk_error **err);
	int (*set_frozen)(struct husk_cgroup *cg, bool frozen, struct husk_error **err);
	int (*kill_all)(struct husk_cgroup *cg, int signo, struct husk_error **err);
	int (*procs)(struct husk_cgroup *cg, pid_t **ret, size_t *ret_n, struct husk_error **err);
	int (*stats)(struct husk_cgroup *cg, struct husk_cgroup_stats *ret,
	             struct husk_error **err);
	/* every counter `husk stats` and `events` report; a missing file
	 * leaves its part empty, a missing cgroup is an error */
	int (*read_stats)(struct husk_cgroup *cg, struct husk_container_stats *ret,
	                  struct husk_error **err);
	int (*oom_watch)(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w,
	                 struct husk_error **err);
	/* after a wake-up or a timeout: whether an OOM kill happened since */
	bool (*oom_check)(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w);
	int (*destroy)(struct husk_cgroup *cg, struct husk_error **err);
};

/* The v1 driver's directory in one hierarchy. */
struct husk_cgroup_v1_dir {
	char *controllers; /* the hierarchy's, as struct husk_cgroup_hierarchy */
	char *root;        /* its mount point; NULL when loaded from state.json */
	char *dir;
	int fd;    /* O_DIRECTORY of dir; -1 when it is gone */
	bool keep; /* an existing empty cgroup this create reused: not removed on failure */
};

struct husk_cgroup {
	const struct husk_cgroup_driver *driver;
	enum husk_cgroup_mode mode;
	char *root;     /* the hierarchy's mount point */
	char *path;     /* "/a/b", relative to root */
	char *dir;      /* root + path: what state.json records as cgroupPath */
	int dir_fd;     /* O_DIRECTORY of dir once created, for CLONE_INTO_CGROUP */
	bool created;   /* this create made a leaf (a failed create removes it) */
	bool reused;    /* this create found the leaf empty and took it: kept on failure */
	bool missing;   /* loaded, but the directory is gone */
	char **ignored; /* config fields this driver skips (warn about them) */
	size_t n_ignored;
	/* v1 driver only: a directory per hierarchy; on a hybrid host the
	 * container's cgroup2 directory too, a v2 cgroup of its own */
	struct husk_cgroup_v1_dir *v1;
	size_t n_v1;
	struct husk_cgroup *unified;
	/* what state.json records as cgroupPaths: hierarchy -> directory
	 * ("unified" for the cgroup2 one); none for the v2 driver */
	struct husk_kv *paths;
	size_t n_paths;
};

/* ---- resources.c, v1-resources.c: pure ---- */

/* Maps linux.resources (NULL: nothing) to cgroup v2 files, in write order. */
int husk_cgroup_v2_settings(const struct husk_spec_resources *r, struct husk_cgroup_settings *ret,
                            struct husk_error **err);
/* Maps linux.resources (NULL: nothing) to cgroup v1 files, in write order,
 * as runc's fs driver does; device rules are not here. */
int husk_cgroup_v1_settings(const struct husk_spec_resources *r, struct husk_cgroup_settings *ret,
                            struct husk_error **err);
/* The device rules as v1 devices.allow/devices.deny writes, in order,
 * after a "deny all" so that, as on v2, what no rule allows is denied. */
int husk_cgroup_v1_device_settings(const struct husk_spec_device_cgroup *rules, size_t n,
                                   struct husk_cgroup_settings *ret, struct husk_error **err);
/* Which hierarchy each setting goes to on a v1 or hybrid host: a v1 item
 * to its v1 hierarchy when one has the controller, else the v2 items for
 * the same field to the cgroup2 hierarchy when that has the controller
 * (v2_controllers: its cgroup.controllers; NULL on legacy hosts), else an
 * error naming the field.  unified[] keys go to cgroup2, or are refused
 * when it lacks their controller or there is none.  v2: the v2 mapping of
 * the same resources. */
int husk_cgroup_v1_route(const struct husk_cgroup_settings *v1,
                         const struct husk_cgroup_settings *v2, const char *const *v1_controllers,
                         size_t n_v1, const char *v2_controllers,
                         struct husk_cgroup_settings *ret_v1, struct husk_cgroup_settings *ret_v2,
                         struct husk_error **err);
void husk_cgroup_settings_free(struct husk_cgroup_settings *s);
struct husk_cgroup_setting *husk_cgroup_settings_add(struct husk_cgroup_settings *s,
                                                     const char *field, const char *controller,
                                                     const char *file, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Records a skipped field once. */
void husk_cgroup_settings_ignore(struct husk_cgroup_settings *s, const char *field);

/* OCI cpu.shares [2, 262144] -> cpu.weight [1, 10000]; 0 means unset. */
uint64_t husk_cgroup_shares_to_weight(uint64_t shares);
/* OCI blockIO weight [10, 1000] -> io.weight [1, 10000]. */
uint64_t husk_cgroup_blkio_to_io_weight(uint64_t weight);

/* ---- cgroup.c ---- */

/* Mode from statfs() of /sys/fs/cgroup, the cgroup2 mount point, and on
 * hybrid and legacy hosts the v1 hierarchies from /proc/self/mountinfo with
 * our own place in each from /proc/self/cgroup. */
int husk_cgroup_host_detect(struct husk_cgroup_host *ret, struct husk_error **err);
void husk_cgroup_host_release(struct husk_cgroup_host *h);

/* The v1 hierarchies of /proc/self/cgroup text that mountinfo text shows
 * mounted (one under /sys/fs/cgroup preferred), with our place in each. */
int husk_cgroup_parse_v1(const char *proc_cgroup, const char *mountinfo,
                         struct husk_cgroup_hierarchy **ret, size_t *ret_n);

/* linux.cgroupsPath -> a clean absolute path in the cgroup2 hierarchy:
 * absolute as given; relative under the parent of `own`; absent (NULL or
 * "") is "husk-<hash of state_root>-<id>" there.  `..` components are
 * refused. */
int husk_cgroup_resolve_path(const char *cgroups_path, const char *own, const char *state_root,
                             const char *id, char **ret, struct husk_error **err);
/* The same for a v1 hierarchy, where runc places a relative path under
 * `own` itself (v1 has no rule against processes in inner cgroups). */
int husk_cgroup_resolve_path_v1(const char *cgroups_path, const char *own, const char *state_root,
                                const char *id, char **ret, struct husk_error **err);

/* The v2 driver at `path` of host->v2_root, with the resources applied.
 * On failure nothing is left. */
int husk_cgroup_create_at(const struct husk_cgroup_host *host, const char *path,
                          const struct husk_spec_resources *r, struct husk_cgroup **ret,
                          struct husk_error **err);

/* The container's cgroup on this host for linux.cgroupsPath: the v2 driver
 * on a unified host, the v1 driver on hybrid and legacy ones.  *ret is NULL
 * on a host with no cgroup hierarchy at all when nothing is asked for. */
int husk_cgroup_create_in(const struct husk_cgroup_host *host, const char *cgroups_path,
                          const char *state_root, const char *id,
                          const struct husk_spec_resources *r, struct husk_cgroup **ret,
                          struct husk_error **err);

/* husk_cgroup_create_in() on this host for a container's config, then the
 * device rules: linux.resources.devices, an allow rule per linux.devices
 * entry, then the devices every container gets (as runc orders them). */
int husk_cgroup_create(const char *state_root, const char *id, const struct husk_spec_linux *lx,
                       struct husk_cgroup **ret, struct husk_error **err);

/* Opens the cgroup state.json recorded (cgroupPaths, else cgroupPath);
 * ->missing when it is gone. */
int husk_cgroup_load(const struct husk_state *st, struct husk_cgroup **ret,
                     struct husk_error **err);

/* Closes the handle; the cgroup stays. */
void husk_cgroup_free(struct husk_cgroup *cg);

/* Whether a new process must be moved in with husk_cgroup_add_process()
 * (before it runs, and before it makes a cgroup namespace) rather than
 * cloned into dir_fd. */
bool husk_cgroup_joins_after_clone(const struct husk_cgroup *cg);

/* How a new process enters cg (NULL: no cgroup): returns the directory to
 * clone it into (-1: none), and sets *ret_join when the process must then
 * call husk_cgroup_join_self() itself, or *ret_move when the parent must
 * move it with husk_cgroup_add_process(); either way before it runs and
 * before it makes a cgroup namespace.  A process that will not be in the
 * host's user namespace (userns) cannot write root's cgroup files: it is
 * moved.  If clone3 then refuses the directory, the caller clones without
 * one and moves the process. */
int husk_cgroup_entry(struct husk_cgroup *cg, bool userns, struct husk_cgroup **ret_join,
                      bool *ret_move);
int husk_cgroup_join_self(struct husk_cgroup *cg, struct husk_error **err);

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
int husk_cgroup_read_stats(struct husk_cgroup *cg, struct husk_container_stats *ret,
                           struct husk_error **err);
int husk_cgroup_oom_watch(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w,
                          struct husk_error **err);
bool husk_cgroup_oom_check(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w);
void husk_cgroup_oom_unwatch(struct husk_cgroup_oom_watch *w);
/* Kills what is left, removes the cgroup (and cgroups made inside it); a
 * cgroup already gone is fine. */
int husk_cgroup_destroy(struct husk_cgroup *cg, struct husk_error **err);

extern const struct husk_cgroup_driver husk_cgroup_v2_driver;
extern const struct husk_cgroup_driver husk_cgroup_v1_driver;
