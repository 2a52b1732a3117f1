/* What the cgroup drivers share inside cgroup/: the handle's constructor
 * and the v2 driver's steps, which the v1 driver uses for the cgroup2
 * directory of a hybrid host. */
#pragma once

#include "cgroup/cgroup.h"

/* A handle for root + path (no I/O); dir_fd -1. */
struct husk_cgroup *husk_cgroup_new(const struct husk_cgroup_driver *driver,
                                    enum husk_cgroup_mode mode, const char *root, const char *path);

/* v2: mkdir along the path enabling controllers, refuse a busy leaf. */
int husk_cgroup_v2_make(struct husk_cgroup *cg, const struct husk_cgroup_settings *s,
                        struct husk_error **err);
/* v2: write the settings (controllers checked first). */
int husk_cgroup_v2_write(struct husk_cgroup *cg, const struct husk_cgroup_settings *s,
                         struct husk_error **err);
/* v2: the directory's handle for a loaded cgroup2 directory under a root. */
int husk_cgroup_v2_open(enum husk_cgroup_mode mode, const char *root, const char *dir,
                        struct husk_cgroup **ret, struct husk_error **err);

/* v1: the handle for a container on a v1 or hybrid host (no I/O): a
 * directory per hierarchy for cgroupsPath, and the cgroup2 one. */
int husk_cgroup_v1_new(const struct husk_cgroup_host *host, const char *cgroups_path,
                       const char *state_root, const char *id, struct husk_cgroup **ret,
                       struct husk_error **err);
/* v1: the handle for the directories state.json recorded. */
int husk_cgroup_v1_load(const struct husk_cgroup_host *host, const struct husk_state *st,
                        struct husk_cgroup **ret, struct husk_error **err);

/* The settings' list of skipped fields becomes the handle's (replacing
 * the previous one), for the caller to warn about. */
void husk_cgroup_take_ignored(struct husk_cgroup *cg, struct husk_cgroup_settings *s);

/* linux.resources.rdma as rdma.max lines: the same file and format in
 * cgroup v1 and v2. */
void husk_cgroup_map_rdma(struct husk_cgroup_settings *s, const struct husk_spec_rdma *r, size_t n);
