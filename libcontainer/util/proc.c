/* /proc/PID/stat parsing for the state store's (pid, start time) identity
 * check.  Only the fields husk needs are decoded; the rest are skipped
 * without interpretation so new kernel fields never break parsing. */
#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "husk/state.h"
#include "util/file.h"

/* Parses an unsigned decimal field at *p (after one space) and advances. */
static int next_u64(const char **p, uint64_t *ret)
{
	const char *s = *p;
	if (*s != ' ')
		return -EINVAL;
	s++;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -EINVAL;
	*ret = v;
	*p = end;
	return 0;
}

/* Skips one space-separated field (which may be negative, e.g. priority). */
static int skip_field(const char **p)
{
	const char *s = *p;
	if (*s != ' ' || s[1] == ' ' || s[1] == '\0' || s[1] == '\n')
		return -EINVAL;
	s++;
	while (*s && *s != ' ' && *s != '\n')
		s++;
	*p = s;
	return 0;
}

int proc_stat_parse(const char *line, struct proc_stat *ret)
{
	/* comm is "(name)" and name is arbitrary text set by the process
	 * itself, so the only ')' that can be trusted is the last one. */
	const char *p = strrchr(line, ')');
	if (!p || !strchr(line, '('))
		return -EINVAL;
	p++;
	if (p[0] != ' ' || p[1] == '\0' || p[2] != ' ')
		return -EINVAL;
	char state = p[1];
	p += 2;

	uint64_t ppid;
	if (next_u64(&p, &ppid) < 0 || ppid > INT32_MAX)
		return -EINVAL;
	/* Fields 5..21 lie between ppid (4) and starttime (22). */
	for (int field = 5; field <= 21; field++)
		if (skip_field(&p) < 0)
			return -EINVAL;
	uint64_t start;
	if (next_u64(&p, &start) < 0)
		return -EINVAL;

	ret->state = state;
	ret->ppid = (pid_t)ppid;
	ret->start_time = start;
	return 0;
}

static int gone(pid_t pid, struct husk_error **err)
{
	husk_error_set(err, ESRCH, "process %d", (int)pid);
	return -ESRCH;
}

int proc_stat_read(pid_t pid, struct proc_stat *ret, struct husk_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0)
		return gone(pid, err);

	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return gone(pid, err);
		return husk_error_set(err, errno, "open %s", path);
	}
	_cleanup_free_ char *buf = NULL;
	struct husk_error *read_err = NULL;
	if (read_all_fd(fd, 64 * 1024, &buf, NULL, &read_err) < 0) {
		/* A process reaped between open and read reads as ESRCH. */
		int errnum = read_err->errnum;
		husk_error_release(&read_err);
		if (errnum == ESRCH)
			return gone(pid, err);
		return husk_error_set(err, errnum, "read %s", path);
	}
	if (proc_stat_parse(buf, ret) < 0)
		return husk_error_set(err, EINVAL, "%s: unexpected format", path);
	return 0;
}

int husk_proc_start_time(pid_t pid, uint64_t *ret, struct husk_error **err)
{
	struct proc_stat st;
	int r = proc_stat_read(pid, &st, err);
	if (r < 0)
		return r;
	*ret = st.start_time;
	return 0;
}
