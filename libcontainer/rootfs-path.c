/* Container paths resolved from the host side, never escaping the rootfs:
 * lexical cleaning plus openat2(RESOLVE_IN_ROOT) lookups (or, where the
 * kernel has no openat2, a walk that resolves each symlink itself) and
 * creation of missing directories one component at a time.  Mounting on the results is
 * rootfs.c's business; this module only finds and creates.
 */
#include "rootfs-path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/xalloc.h"

char *husk_path_clean(const char *path)
{
	size_t len = strlen(path);
	char *out = xmalloc(len + 2);
	size_t o = 0;

	out[o++] = '/';
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing to add */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			/* drop the last component; at the root ".." is the root */
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
		} else {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	out[o] = '\0';
	return out;
}

/* The walk's state: the directories from the root down to the current one
 * (fds[0] is the caller's root fd, not owned). */
struct walk {
	int *fds;
	size_t n, cap;
};

static void walk_pop(struct walk *w)
{
	if (w->n > 1)
		close(w->fds[--w->n]);
}

static void walk_reset(struct walk *w)
{
	while (w->n > 1)
		walk_pop(w);
}

static void walk_push(struct walk *w, int fd)
{
	if (w->n == w->cap) {
		w->cap *= 2;
		w->fds = xreallocarray(w->fds, w->cap, sizeof(int));
	}
	w->fds[w->n++] = fd;
}

/* One component: a symlink is replaced by its target in front of `rest`
 * (from the root when absolute); returns the new rest, or NULL on error. */
static char *walk_step(struct walk *w, const char *name, char *rest, int *links)
{
	if (strcmp(name, "..") == 0) {
		walk_pop(w); /* at the root ".." is the root */
		return rest;
	}
	int fd = openat(w->fds[w->n - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		free(rest);
		return NULL;
	}
	if (!S_ISLNK(st.st_mode)) {
		walk_push(w, fd);
		return rest;
	}
	char target[PATH_MAX];
	ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
	close(fd);
	if (n < 0 || ++*links > 40) {
		if (n >= 0)
			errno = ELOOP;
		free(rest);
		return NULL;
	}
	target[n] = '\0';
	if (target[0] == '/')
		walk_reset(w);
	char *joined = xasprintf("%s/%s", target, rest);
	free(rest);
	return joined;
}

int husk_root_open_walk(int root_fd, const char *path)
{
	struct walk w = {.fds = xmalloc(16 * sizeof(int)), .n = 1, .cap = 16};
	w.fds[0] = root_fd;
	char *rest = xstrdup(path);
	int links = 0, fd = -1;
	while (rest) {
		char *p = rest;
		while (*p == '/')
			p++;
		if (*p == '\0') {
			fd = fcntl(w.fds[w.n - 1], F_DUPFD_CLOEXEC, 3);
			free(rest);
			break;
		}
		char *end = strchrnul(p, '/');
		_cleanup_free_ char *name = xstrndup(p, (size_t)(end - p));
		char *tail = xstrdup(end);
		free(rest);
		rest = strcmp(name, ".") == 0 ? tail : walk_step(&w, name, tail, &links);
	}
	int saved = errno;
	walk_reset(&w);
	free(w.fds);
	errno = saved;
	return fd;
}

int husk_root_open(int root_fd, const char *path)
{
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC,
	    /* Magic links (/proc/self/root, ...) would jump out of the root. */
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	/* EAGAIN: a concurrent rename moved something; the kernel asks for a retry. */
	for (int tries = 0; tries < 16; tries++) {
		long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		/* Before Linux 5.6, or a seccomp filter that hides openat2. */
		if (fd < 0 && errno == ENOSYS)
			return husk_root_open_walk(root_fd, path);
		if (fd >= 0 || errno != EAGAIN)
			return (int)fd;
	}
	return -1;
}

static int create_component(int parent_fd, const char *name, bool file)
{
	if (!file)
		return mkdirat(parent_fd, name, 0755);
	/* O_NOFOLLOW|O_EXCL: never create through a symlink planted in the rootfs. */
	int fd =
	    openat(parent_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

char *husk_root_path_of(int root_fd, int fd)
{
	char buf[32], root[PATH_MAX], path[PATH_MAX];
	ssize_t rn = readlink(husk_fd_path(root_fd, buf), root, sizeof(root) - 1);
	ssize_t pn = readlink(husk_fd_path(fd, buf), path, sizeof(path) - 1);
	if (rn <= 0 || pn <= 0)
		return NULL;
	root[rn] = path[pn] = '\0';
	size_t len = strcmp(root, "/") == 0 ? 0 : (size_t)rn;
	if (strncmp(path, root, len) != 0 || (path[len] != '/' && path[len] != '\0'))
		return NULL;
	return xstrdup(path[len] ? path + len : "/");
}

/* A dangling symlink in the way: continue with its target, as the kernel
 * would, so "/var/run -> /run" with no /run yet creates /run. */
static char *follow_dangling(int root_fd, int parent_fd, const char *name, const char *rest)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(parent_fd, name, target, sizeof(target) - 1);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	if (target[0] == '/')
		return xasprintf("%s/%s", target, rest);
	_cleanup_free_ char *dir = husk_root_path_of(root_fd, parent_fd);
	return dir ? xasprintf("%s/%s/%s", dir, target, rest) : NULL;
}

static int mkpath(int root_fd, const char *path, enum husk_root_kind kind, int depth,
                  struct husk_error **err);

/* Walks prefix by prefix: each lookup is again confined to the root, so a
 * symlink met half way is resolved inside it. */
static int mkpath_walk(int root_fd, char *clean, enum husk_root_kind kind, int depth,
                       struct husk_error **err)
{
	_cleanup_close_ int parent_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
	if (parent_fd < 0)
		return husk_error_set(err, errno, "dup rootfs fd");
	for (char *p = clean + 1; *p;) {
		char *end = strchrnul(p, '/');
		bool last = *end == '\0';
		*end = '\0';
		int next_fd = husk_root_open(root_fd, clean);
		if (next_fd < 0 && errno == ENOENT) {
			bool file = last && kind == HUSK_ROOT_FILE;
			if (create_component(parent_fd, p, file) == 0) {
				next_fd = husk_root_open(root_fd, clean);
			} else if (errno == EEXIST) {
				_cleanup_free_ char *next =
				    follow_dangling(root_fd, parent_fd, p, last ? "" : end + 1);
				if (next)
					return mkpath(root_fd, next, kind, depth + 1, err);
				errno = ENOENT;
			} else {
				return husk_error_set(err, errno, "%s \"%s\"",
				                      file ? "create" : "mkdir", clean);
			}
		}
		if (next_fd < 0)
			return husk_error_set(err, errno, "open \"%s\"", clean);
		if (!last)
			*end = '/';
		close(parent_fd);
		parent_fd = next_fd;
		p = last ? end : end + 1;
	}
	return TAKE_FD(parent_fd);
}

static int mkpath(int root_fd, const char *path, enum husk_root_kind kind, int depth,
                  struct husk_error **err)
{
	_cleanup_free_ char *clean = husk_path_clean(path);
	if (depth > 40) /* the kernel's own limit on links in one lookup */
		return husk_error_set(err, ELOOP, "open \"%s\"", clean);
	int fd = husk_root_open(root_fd, clean);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return husk_error_set(err, errno, "open \"%s\"", clean);
	return mkpath_walk(root_fd, clean, kind, depth, err);
}

int husk_root_mkpath(int root_fd, const char *path, enum husk_root_kind kind,
                     struct husk_error **err)
{
	return mkpath(root_fd, path, kind, 0, err);
}

int husk_root_open_parent(int root_fd, const char *path, const char **ret_name,
                          struct husk_error **err)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash[1] == '\0')
		return husk_error_set(err, EINVAL, "open parent of \"%s\"", path);
	_cleanup_free_ char *dir = xstrndup(path, (size_t)(slash - path));
	int fd = husk_root_mkpath(root_fd, dir[0] ? dir : "/", HUSK_ROOT_DIR, err);
	if (fd < 0)
		return fd;
	*ret_name = slash + 1;
	return fd;
}

const char *husk_fd_path(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}
