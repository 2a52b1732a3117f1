/* Reading a cgroup v2 directory's counters into struct
 * husk_container_stats, and the host's own figures beside them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/container.h"
#include "husk/error.h"
#include "husk/spec.h"

/* Fills *ret from the cgroup v2 directory at dir_fd; files the host lacks
 * leave their part empty.  Only an unreadable cgroup (gone) is an error. */
int husk_cgroup_v2_read_stats(int dir_fd, const char *dir, struct husk_container_stats *ret,
                              struct husk_error **err);

/* The PSI file name ("cpu.pressure") at dir_fd into *ret. */
void husk_cgroup_read_psi(int dir_fd, const char *name, struct husk_psi *ret);

/* memory.stat-style "key value" lines into s->memory_raw. */
void husk_cgroup_read_memory_raw(const char *buf, struct husk_container_stats *s);

/* CPUs, memory and pressure of the host (/proc), into the host_* fields. */
void husk_host_read_stats(struct husk_container_stats *s);

/* Honours the annotation husk.oom.group on a new container's cgroup:
 * "false" turns memory.oom.group (which create sets to 1) off; "true" or
 * no annotation leaves it.  Another value is an error naming it.  Without
 * the file (no v2 memory controller) or a cgroup2 directory (dir_fd -1,
 * the v1 driver: v1 has no group kills) there is nothing to turn off. */
int husk_cgroup_oom_group_annotation(int dir_fd, const char *dir, const struct husk_kv *annotations,
                                     size_t n, struct husk_error **err);
