/* /sys/fs/cgroup for a container with a cgroup namespace on a host with
 * cgroup v1 hierarchies; see rootfs-cgroup.c. */
#pragma once

#include "husk/error.h"

/* Mounts a tmpfs on dest (a container path resolved inside root_fd, created
 * when missing) and under it a fresh mount of every hierarchy the host has in
 * /sys/fs/cgroup.  flags: the entry's MS_* flags (MS_RDONLY, MS_NOSUID...). */
int husk_mount_cgroup_v1_tree(int root_fd, const char *dest, unsigned long flags,
                              struct husk_error **err);
