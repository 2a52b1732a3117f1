/* Reading a cgroup v2 directory's counters into struct
 * husk_container_stats, and the host's own figures beside them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/container.h"
#include "husk/error.h"
#include "husk/spec.h"

/* Fills *ret from the cgroup at dir_fd; files the host lacks leave their
 * part empty.  Only an unreadable cgroup (gone) is an error. */
int husk_cgroup_read_stats(int dir_fd, const char *dir, struct husk_container_stats *ret,
                           struct husk_error **err);

/* CPUs, memory and pressure of the host (/proc), into the host_* fields. */
void husk_host_read_stats(struct husk_container_stats *s);

/* memory.events oom_kill of the cgroup; -1 when there is no such file. */
int husk_cgroup_oom_kills(int dir_fd, uint64_t *ret);

/* memory.max; false when absent or "max". */
bool husk_cgroup_memory_limit(int dir_fd, uint64_t *ret);

/* Honours the annotation husk.oom.group on a new container's cgroup:
 * "false" turns memory.oom.group (which create sets to 1) off; "true" or
 * no annotation leaves it.  Another value is an error naming it. */
int husk_cgroup_oom_group_annotation(int dir_fd, const char *dir, const struct husk_kv *annotations,
                                     size_t n, struct husk_error **err);
