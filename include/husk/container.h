/* Container lifecycle: the library calls behind create, start, run, kill,
 * delete and exec.  Each takes the context (state root etc.) and reports
 * failures through struct husk_error; none prints or exits. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/context.h"
#include "husk/error.h"
#include "husk/spec.h"

struct husk_create_options {
	const char *bundle;         /* NULL: the current directory */
	const char *pid_file;       /* NULL: none */
	const char *console_socket; /* NULL: none */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds; /* fds 3 .. 3+N-1 are passed to the container */
};

/* Builds the container and leaves its init blocked before exec. */
int husk_container_create(const struct husk_context *ctx, const char *id,
                          const struct husk_create_options *opts, struct husk_error **err);

/* Lets a created container's init exec the user's program. */
int husk_container_start(const struct husk_context *ctx, const char *id, struct husk_error **err);

/* The values of husk's own annotations (husk.net.*: docs/network.md), as
 * create checks them; `husk validate` reports them too. */
int husk_annotations_check(const struct husk_spec *spec, struct husk_error **err);

/* Sends signo to the init, or with `all` to every process of the container. */
int husk_container_kill(const struct husk_context *ctx, const char *id, int signo, bool all,
                        struct husk_error **err);

/* Removes a stopped (or created) container; with force, kills a running one
 * first and waits for it. */
int husk_container_delete(const struct husk_context *ctx, const char *id, bool force,
                          struct husk_error **err);

struct husk_run_options {
	struct husk_create_options create;
	bool detach;
	bool keep; /* do not delete after the process exits */
};

/* create + start; unless detached, forwards signals to the container, waits
 * for it, deletes it (unless keep) and sets *ret_status to the exit status
 * as a shell reports it (code, or 128 + signal). */
int husk_container_run(const struct husk_context *ctx, const char *id,
                       const struct husk_run_options *opts, int *ret_status,
                       struct husk_error **err);

struct husk_exec_options {
	const char *process_file; /* --process: a JSON process object; else: */
	char **args;              /* the command and its arguments */
	size_t n_args;
	bool tty;
	bool detach;
	const char *pid_file;
	const char *console_socket;
	const char *cwd;
	char **env; /* extra KEY=value entries */
	size_t n_env;
	const char *user; /* "UID[:GID]" */
	char **caps;      /* extra capabilities, each within the container's bounding set */
	size_t n_caps;
	const char *apparmor;      /* --apparmor: process.apparmorProfile */
	const char *process_label; /* --process-label: process.selinuxLabel */
	bool no_new_privs;
	int preserve_fds;
};

/* Runs another process in a running container; unless detached, waits and
 * sets *ret_status as husk_container_run() does. */
int husk_container_exec(const struct husk_context *ctx, const char *id,
                        const struct husk_exec_options *opts, int *ret_status,
                        struct husk_error **err);

/* ---- stats and events ---- */

/* A pressure stall line of a PSI file: averages in percent, total in µs. */
struct husk_psi_line {
	double avg10, avg60, avg300;
	uint64_t total;
};

struct husk_psi {
	bool present, has_full; /* "full" is absent for cpu on older kernels */
	struct husk_psi_line some, full;
};

struct husk_stat_entry {
	char *key;
	uint64_t value;
};

struct husk_io_device {
	unsigned major, minor;
	uint64_t rbytes, wbytes, rios, wios;
};

struct husk_hugetlb_stat {
	char *page_size; /* "2MB" */
	uint64_t usage, failcnt;
};

/* A container's cgroup counters; a has_* flag is false, or a list empty,
 * when the host does not provide the file (no such controller in the
 * hierarchy).  Limits read UINT64_MAX for "max". */
struct husk_container_stats {
	bool has_cpu;
	uint64_t cpu_usage_usec, cpu_user_usec, cpu_system_usec;
	uint64_t cpu_periods, cpu_throttled_periods, cpu_throttled_usec;
	bool has_cpu_max;
	uint64_t cpu_quota_usec, cpu_period_usec;
	bool has_memory;
	uint64_t memory_usage, memory_limit, memory_peak, memory_failcnt;
	bool has_swap;
	uint64_t swap_usage, swap_limit;
	struct husk_stat_entry *memory_raw; /* memory.stat */
	size_t n_memory_raw;
	bool has_oom;
	uint64_t oom_kills;
	bool has_pids;
	uint64_t pids_current, pids_limit;
	struct husk_io_device *io;
	size_t n_io;
	struct husk_hugetlb_stat *hugetlb;
	size_t n_hugetlb;
	struct husk_psi cpu_pressure, memory_pressure, io_pressure;
	/* the host's view, for comparison */
	unsigned host_cpus;
	uint64_t host_memory_total, host_memory_available; /* bytes; 0: unknown */
	struct husk_psi host_cpu_pressure, host_memory_pressure, host_io_pressure;
};

/* Reads the counters of a container's cgroup. */
int husk_container_stats_read(const struct husk_context *ctx, const char *id,
                              struct husk_container_stats *ret, struct husk_error **err);
void husk_container_stats_release(struct husk_container_stats *s);

struct husk_events_options {
	unsigned interval_ms; /* between stats events; 0: 5 s */
	bool stats_once;      /* one stats event, then return */
};

/* Streams a container's events as JSON lines (runc's shape): a "stats"
 * event every interval and an "oom" event whenever the kernel's OOM killer
 * kills in the container.  Each line goes to emit (without a newline); a
 * negative return from emit stops the stream with that error.  Returns
 * when the container stops. */
int husk_container_events(const struct husk_context *ctx, const char *id,
                          const struct husk_events_options *opts,
                          int (*emit)(void *data, const char *line, struct husk_error **err),
                          void *data, struct husk_error **err);

/* Freezes a running container's cgroup (waiting until the kernel reports
 * it frozen) and records it paused; resume thaws a paused one. */
int husk_container_pause(const struct husk_context *ctx, const char *id, struct husk_error **err);
int husk_container_resume(const struct husk_context *ctx, const char *id, struct husk_error **err);

/* The host pids in the container's cgroup; caller frees *ret. */
int husk_container_ps(const struct husk_context *ctx, const char *id, pid_t **ret, size_t *ret_n,
                      struct husk_error **err);

struct husk_spec_resources;
/* Writes the fields of resources that are set (memory, cpu, pids, blkio
 * weight, unified: as runc's update) over the container's limits and
 * records them in its config copy; nothing changes when one is refused
 * before writing. */
int husk_container_update(const struct husk_context *ctx, const char *id,
                          const struct husk_spec_resources *resources, struct husk_error **err);
