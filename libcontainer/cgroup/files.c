/* The cgroup drivers' shared file work: control file writes and reads,
 * process lists and signals, removal of a cgroup tree.  Both v1 and v2
 * cgroups are directories of such files, with cgroup.procs in each; what
 * the files mean is each driver's business.
 */
#include "cgroup/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/file.h"
#include "util/xalloc.h"

#define FILE_MAX    (1024 * 1024)
#define RMDIR_TRIES 500 /* 10 ms apart: 5 s for the last processes to exit */

int husk_cgfs_write(int dir_fd, const char *name, const char *value)
{
	_cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int husk_cgfs_read(int dir_fd, const char *name, char **ret, struct husk_error **err)
{
	return read_file_at(dir_fd, name, FILE_MAX, ret, NULL, err);
}

int husk_cgfs_check_empty(int dir_fd, const char *dir, struct husk_error **err)
{
	_cleanup_free_ char *procs = NULL;
	if (husk_cgfs_read(dir_fd, "cgroup.procs", &procs, err) < 0)
		return husk_error_prefix(err, "cgroup \"%s\"", dir);
	if (procs[strspn(procs, " \n")])
		return husk_error_set(err, EBUSY, "cgroup \"%s\" already holds processes", dir);
	return 0;
}

char *husk_cgfs_slurp(int dir_fd, const char *name)
{
	char *buf = NULL;
	struct husk_error *tmp = NULL;
	if (dir_fd < 0 || read_file_at(dir_fd, name, FILE_MAX, &buf, NULL, &tmp) < 0) {
		husk_error_release(&tmp);
		return NULL;
	}
	return buf;
}

bool husk_cgfs_has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		p += strspn(p, " \n\t");
		size_t len = strcspn(p, " \n\t");
		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
	}
	return false;
}

bool husk_cgfs_has_item(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
		p += *p == ',';
	}
	return false;
}

bool husk_cgfs_keyed(const char *buf, const char *key, uint64_t *ret)
{
	size_t n = strlen(key);
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ') {
			*ret = strtoull(p + n + 1, NULL, 10);
			return true;
		}
	return false;
}

int husk_cgfs_procs(int dir_fd, const char *dir, pid_t **ret, size_t *ret_n,
                    struct husk_error **err)
{
	_cleanup_free_ char *buf = NULL;
	if (husk_cgfs_read(dir_fd, "cgroup.procs", &buf, err) < 0)
		return husk_error_prefix(err, "cgroup \"%s\"", dir);
	size_t n = 0, cap = 0;
	pid_t *pids = NULL;
	for (char *p = buf, *end; *p; p = end) {
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			pids = xreallocarray(pids, cap, sizeof(pid_t));
		}
		pids[n++] = (pid_t)v;
	}
	*ret = pids;
	*ret_n = n;
	return 0;
}

int husk_cgfs_signal_procs(int dir_fd, const char *dir, int signo, struct husk_error **err)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	if (husk_cgfs_procs(dir_fd, dir, &pids, &n, err) < 0)
		return -1;
	int sent = 0;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], signo) == 0)
			sent++;
	return sent;
}

int husk_cgfs_remove_tree(const char *dir, struct husk_error **err)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : husk_error_set(err, errno, "open cgroup \"%s\"", dir);
	_cleanup_(closedirp) DIR *d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3));
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
		if (husk_cgfs_remove_tree(sub, err) < 0)
			return -1;
	}
	for (int i = 0; i < RMDIR_TRIES; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		struct husk_error *tmp = NULL;
		if (husk_cgfs_signal_procs(fd, dir, SIGKILL, &tmp) < 0)
			husk_error_release(&tmp);
		usleep(10 * 1000);
	}
	return husk_error_set(err, errno, "remove cgroup \"%s\"", dir);
}
