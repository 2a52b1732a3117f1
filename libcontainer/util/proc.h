/* Reading /proc/PID/stat: the process state letter and its start time, which
 * together with the pid identify a process across pid reuse. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"

struct proc_stat {
	char state;          /* field 3: R, S, D, Z, X, T, t, I, ... */
	pid_t ppid;          /* field 4 */
	uint64_t start_time; /* field 22, clock ticks since boot */
};

/* Parses one /proc/PID/stat line (NUL-terminated).  The command name (field
 * 2) may hold spaces and ')', so fields are counted from the last ')'.
 * Returns 0, or -EINVAL when the text is malformed. */
int proc_stat_parse(const char *line, struct proc_stat *ret);

/* Reads and parses /proc/PID/stat.  A process that is gone is ESRCH:
 * "process 123: No such process", returning -ESRCH. */
int proc_stat_read(pid_t pid, struct proc_stat *ret, struct husk_error **err);
