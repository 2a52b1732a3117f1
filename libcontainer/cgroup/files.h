/* File and directory helpers the cgroup drivers share: one-shot writes of
 * control files, reading a cgroup's process list, signalling it, and
 * removing a cgroup directory tree.  Internal to cgroup/.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"

/* Writes value to dir_fd/name in one write(2); -1 with errno set. */
int husk_cgfs_write(int dir_fd, const char *name, const char *value);

/* Reads dir_fd/name (at most 1 MiB). */
int husk_cgfs_read(int dir_fd, const char *name, char **ret, struct husk_error **err);

/* An error (EBUSY) when the cgroup at dir_fd (named dir) holds processes. */
int husk_cgfs_check_empty(int dir_fd, const char *dir, struct husk_error **err);

/* The file's text, or NULL when it cannot be read (absent). */
char *husk_cgfs_slurp(int dir_fd, const char *name);

/* Whether a space/newline separated list holds word. */
bool husk_cgfs_has_word(const char *list, const char *word);

/* Whether a comma separated list ("cpu,cpuacct") holds word. */
bool husk_cgfs_has_item(const char *list, const char *word);

/* "key value" lines (cpu.stat, memory.stat, memory.oom_control): key's value. */
bool husk_cgfs_keyed(const char *buf, const char *key, uint64_t *ret);

/* The pids in dir_fd's cgroup.procs. */
int husk_cgfs_procs(int dir_fd, const char *dir, pid_t **ret, size_t *ret_n,
                    struct husk_error **err);

/* Sends signo to every pid in dir_fd's cgroup.procs; returns how many. */
int husk_cgfs_signal_procs(int dir_fd, const char *dir, int signo, struct husk_error **err);

/* Removes dir and the cgroups made inside it, deepest first; a cgroup still
 * busy with exiting processes is retried for a bounded time, killing what is
 * left in it.  A directory already gone is fine. */
int husk_cgfs_remove_tree(const char *dir, struct husk_error **err);
