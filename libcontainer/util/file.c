/* File helpers shared by the state store and anyone else that persists small
 * files: capped reads, atomic replace (temp + rename) and
 * mkdir -p.  Path-safety policy (what may be followed) belongs to callers;
 * these helpers only refuse to follow a symlink at the final component. */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/xalloc.h"

int read_all_fd(int fd, size_t max, char **ret_buf, size_t *ret_len, struct husk_error **err)
{
	size_t cap = 4096, len = 0;
	_cleanup_free_ char *buf = xmalloc(cap + 1);

	for (;;) {
		if (len == cap) {
			if (cap > max)
				return husk_error_set(err, EFBIG, "larger than %zu bytes", max);
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return husk_error_set(err, errno, "read");
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return husk_error_set(err, EFBIG, "larger than %zu bytes", max);
	}
	buf[len] = '\0';
	*ret_buf = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int read_file_at(int dir_fd, const char *name, size_t max, char **ret_buf, size_t *ret_len,
                 struct husk_error **err)
{
	_cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return husk_error_set(err, errno, "open %s", name);
	if (read_all_fd(fd, max, ret_buf, ret_len, err) < 0)
		return husk_error_prefix(err, "%s", name);
	return 0;
}

/* A name nobody else picks: the random part makes O_EXCL collisions with a
 * concurrent writer (or a stale temp file left by a crash) unlikely, and the
 * retry loop in the caller handles the rest. */
static char *temp_name(const char *name)
{
	uint64_t r;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec;
	}
	return xasprintf(".%s.%016llx.tmp", name, (unsigned long long)r);
}

int write_all_fd(int fd, const void *buf, size_t len)
{
	const char *data = buf;
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes and syncs the temp file; the caller unlinks it on failure. */
static int fill_temp(int fd, const void *data, size_t len, mode_t mode, const char *name,
                     struct husk_error **err)
{
	/* fchmod: the requested mode, not mode & ~umask; state files must not
	 * become group-readable because a caller ran with umask 002. */
	if (fchmod(fd, mode) < 0)
		return husk_error_set(err, errno, "chmod temporary file for %s", name);
	int r = write_all_fd(fd, data, len);
	if (r < 0)
		return husk_error_set(err, -r, "write temporary file for %s", name);
	return 0;
}

int write_file_atomic(int dir_fd, const char *name, const void *data, size_t len, mode_t mode,
                      struct husk_error **err)
{
	_cleanup_free_ char *tmp = NULL;
	int fd = -1;

	for (int tries = 0; fd < 0 && tries < 16; tries++) {
		free(tmp);
		tmp = temp_name(name);
		fd =
		    openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		return husk_error_set(err, errno, "create temporary file for %s", name);

	int r = fill_temp(fd, data, len, mode, name, err);
	/* close() can report a deferred write error (NFS); treat it as one. */
	if (close(fd) < 0 && r == 0)
		r = husk_error_set(err, errno, "close temporary file for %s", name);
	if (r == 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
		r = husk_error_set(err, errno, "rename temporary file to %s", name);
	if (r < 0) {
		unlinkat(dir_fd, tmp, 0);
		return r;
	}
	return 0;
}

static int mkdir_one(const char *path, mode_t mode, struct husk_error **err)
{
	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return husk_error_set(err, errno, "mkdir \"%s\"", path);
	struct stat st;
	if (stat(path, &st) < 0)
		return husk_error_set(err, errno, "stat \"%s\"", path);
	if (!S_ISDIR(st.st_mode))
		return husk_error_set(err, ENOTDIR, "mkdir \"%s\"", path);
	return 0;
}

int mkdir_p(const char *path, mode_t mode, struct husk_error **err)
{
	if (!*path)
		return husk_error_set(err, ENOENT, "mkdir \"\"");
	_cleanup_free_ char *p = xstrdup(path);

	/* Create each prefix ending before a '/', then the whole path; repeated
	 * and trailing slashes are harmless (the prefix was made already). */
	for (char *s = p + 1; *s; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		int r = mkdir_one(p, mode, err);
		*s = '/';
		if (r < 0)
			return r;
	}
	return mkdir_one(p, mode, err);
}
