/* /sys/fs/cgroup for a container on a host with cgroup v1 hierarchies;
 * see rootfs-cgroup.c. */
#pragma once

#include <stdbool.h>

#include "husk/error.h"

/* Mounts a tmpfs on dest (a container path resolved inside root_fd, created
 * when missing) and under it, for every hierarchy the host has in
 * /sys/fs/cgroup, the container's own cgroup: a fresh mount when the caller
 * is in a cgroup namespace of its own (own_ns), else a read-only bind of
 * its directory.  flags: the entry's MS_* flags (MS_RDONLY, MS_NOSUID...). */
int husk_mount_cgroup_v1_tree(int root_fd, const char *dest, unsigned long flags, bool own_ns,
                              struct husk_error **err);
