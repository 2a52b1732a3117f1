/* Parent side of create: clone the init into its namespaces and drive it
 * through the sync protocol (sync.h) until it reports READY. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "init.h"

struct husk_spawned {
	pid_t pid;
	int pidfd;   /* pidfd of the init, O_CLOEXEC */
	int sync_fd; /* parent end; husk_spawn_ack() closes it */
};

/* Clones the init, writes its id maps, sends GO and waits for READY.  On
 * failure the init is killed and reaped and *ret is untouched. */
/* Runs the runtime's hooks when the init stops for them (sync.h: HOOKS);
 * pid is the init's.  A failure aborts the create. */
struct husk_spawn_hooks {
	int (*run)(void *data, pid_t pid, struct husk_error **err);
	/* Optional: called once the init exists in its namespaces (id maps
	 * written) and before GO, for work the parent does in them from
	 * outside (the bridge network).  A failure aborts the create. */
	int (*attach)(void *data, pid_t pid, struct husk_error **err);
	void *data;
};

/* With cg, the init is born in that cgroup (clone3 CLONE_INTO_CGROUP), or
 * moved there before it does anything when the kernel cannot. */
struct husk_cgroup;
int husk_spawn_init(struct husk_init_args *args, const struct husk_spawn_hooks *hooks,
                    struct husk_cgroup *cg, struct husk_spawned *ret, struct husk_error **err);

/* Tells the init its container is recorded, so it may outlive us. */
int husk_spawn_ack(struct husk_spawned *sp, struct husk_error **err);

/* Kills and reaps a spawned init whose container could not be recorded. */
void husk_spawn_abort(struct husk_spawned *sp);

/* clone3() when the kernel has it, else clone(): returns 0 in the child, the
 * child's pid in the parent; *ret_pidfd gets a pidfd of the child.  With
 * cgroup_fd >= 0 the child is born in that cgroup, and there is no clone()
 * fallback: on failure, husk_clone_cgroup_unsupported(errno) says whether
 * to clone without it and move the child (husk_cgroup_add_process). */
pid_t husk_clone(unsigned long flags, int cgroup_fd, int *ret_pidfd);
bool husk_clone_cgroup_unsupported(int errnum);

#include "husk/state.h"
int husk_spawn_serve_seccomp(int fd, const struct husk_spec *spec, const char *id,
                             const char *bundle, const char *rootfs, enum husk_status status,
                             pid_t pid, struct husk_error **err);
