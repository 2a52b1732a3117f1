/* A directory tree copied file by file with *at() calls on directory fds:
 * nothing is looked up by path, and nothing is followed, so a symlink in the
 * (untrusted) source cannot make the copy read or write outside the two
 * trees.  Used by tmpcopyup, whose sources are small image directories; the
 * recursion is bounded by a depth cap.
 */
#include "copy-tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/xalloc.h"

#define COPY_DEPTH_MAX 128

static int copy_dir(int src_fd, int dst_fd, const char *rel, int depth, struct husk_error **err);

static int copy_data(int in, int out)
{
	char buf[65536];
	for (;;) {
		/* copy_file_range cannot cross filesystems on every kernel; a
		 * plain loop always can, and tmpcopyup sources are small. */
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			off += w;
		}
	}
}

static int copy_file(int src_dir, int dst_dir, const char *name)
{
	_cleanup_close_ int in =
	    openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (in < 0)
		return -1;
	_cleanup_close_ int out =
	    openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -1;
	return copy_data(in, out) < 0 ? -1 : 0;
}

static int copy_symlink(int src_dir, int dst_dir, const char *name)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	return symlinkat(target, dst_dir, name);
}

/* Owner first: chown clears set-id bits that chmod then restores. */
static int copy_attrs(int dst_dir, const char *name, const struct stat *st)
{
	if (fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (!S_ISLNK(st->st_mode) && fchmodat(dst_dir, name, st->st_mode & 07777, 0) < 0)
		return -1;
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	return utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW);
}

static int copy_entry(int src_fd, int dst_fd, const char *name, const char *rel, int depth,
                      struct husk_error **err)
{
	_cleanup_free_ char *path = rel[0] ? xasprintf("%s/%s", rel, name) : xstrdup(name);
	struct stat st;
	int r = 0;
	if (fstatat(src_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_error_set(err, errno, "stat \"%s\"", path);
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(dst_fd, name, 0700) < 0)
			return husk_error_set(err, errno, "mkdir \"%s\"", path);
		_cleanup_close_ int sub_src =
		    openat(src_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int sub_dst =
		    openat(dst_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_src < 0 || sub_dst < 0)
			return husk_error_set(err, errno, "open \"%s\"", path);
		if (copy_dir(sub_src, sub_dst, path, depth + 1, err) < 0)
			return -1;
	} else if (S_ISREG(st.st_mode)) {
		r = copy_file(src_fd, dst_fd, name);
	} else if (S_ISLNK(st.st_mode)) {
		r = copy_symlink(src_fd, dst_fd, name);
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
		r = mknodat(dst_fd, name, st.st_mode & S_IFMT, st.st_rdev);
	} else {
		return 0; /* a socket means nothing without its listener */
	}
	if (r < 0 || copy_attrs(dst_fd, name, &st) < 0)
		return husk_error_set(err, errno, "copy \"%s\"", path);
	return 0;
}

static int copy_dir(int src_fd, int dst_fd, const char *rel, int depth, struct husk_error **err)
{
	if (depth > COPY_DEPTH_MAX)
		return husk_error_set(err, ELOOP, "copy \"%s\": nested deeper than %d directories",
		                      rel, COPY_DEPTH_MAX);
	int dup_fd = fcntl(src_fd, F_DUPFD_CLOEXEC, 3);
	if (dup_fd < 0)
		return husk_error_set(err, errno, "dup");
	_cleanup_(closedirp) DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return husk_error_set(err, errno, "open \"%s\"", rel[0] ? rel : ".");
	}
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(src_fd, dst_fd, de->d_name, rel, depth, err) < 0)
			return -1;
	}
	if (errno != 0)
		return husk_error_set(err, errno, "read \"%s\"", rel[0] ? rel : ".");
	return 0;
}

int husk_copy_tree(int src_dir_fd, int dst_dir_fd, struct husk_error **err)
{
	return copy_dir(src_dir_fd, dst_dir_fd, "", 0, err);
}
