/* The parts of the cgroup v1 driver that live in more than one file:
 * v1.c (directories, limits, freezer) and v1-stats.c (counters, OOM). */
#pragma once

#include <stdbool.h>

#include "cgroup/cgroup.h"
#include "husk/container.h"

/* The container's directory in the hierarchy that has controller. */
struct husk_cgroup_v1_dir *husk_cgroup_v1_find(struct husk_cgroup *cg, const char *controller);

int husk_cgroup_v1_stats(struct husk_cgroup *cg, struct husk_cgroup_stats *ret,
                         struct husk_error **err);
int husk_cgroup_v1_read_stats(struct husk_cgroup *cg, struct husk_container_stats *ret,
                              struct husk_error **err);
int husk_cgroup_v1_oom_watch(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w,
                             struct husk_error **err);
bool husk_cgroup_v1_oom_check(struct husk_cgroup *cg, struct husk_cgroup_oom_watch *w);
