/* The state store: <root>/<id>/ directories, their flock, state.json on disk
 * and the liveness check that turns a vanished init into "stopped".  JSON
 * shapes live in state-json.c; cgroups, fifo and processes belong elsewhere.
 *
 * Every path below the root is resolved with *at() calls on directory fds
 * opened O_NOFOLLOW, so an id directory replaced by a symlink is refused
 * rather than followed.  The root itself may be a symlink (/run often is).
 * "does not exist" errors carry errnum ENOENT and "already exists" EEXIST,
 * though their message has no strerror suffix, so callers can test for them. */
#include "husk/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "state-json.h"
#include "util/file.h"
#include "util/proc.h"
#include "util/xalloc.h"

#define STATE_FILE     "state.json"
#define STATE_FILE_MAX (16u * 1024 * 1024)
#define QUOTE_MAX      64

/* The id as it can appear inside double quotes on one line: '"', '\\' and
 * every byte outside printable ASCII escaped, and a long one cut short. */
static char *escape_id(const char *id)
{
	size_t n = strlen(id);
	size_t shown = n > QUOTE_MAX ? QUOTE_MAX : n;
	char *out = xmalloc(shown * 4 + 4);
	char *p = out;

	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)id[i];
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			p += sprintf(p, "\\x%02x", c);
		} else {
			*p++ = (char)c;
		}
	}
	if (shown < n)
		p = stpcpy(p, "...");
	*p = '\0';
	return out;
}

static bool id_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '_' || c == '.' || c == '+' || c == '-');
}

int husk_id_validate(const char *id, struct husk_error **err)
{
	size_t n = 0;
	/* The first character excludes ".", ".." and option-like "-x"; the
	 * alphabet excludes '/', so an id is always one path component. */
	for (; id[n] && n <= HUSK_ID_MAX; n++)
		if (!id_char(id[n], n == 0))
			break;
	if (n > 0 && n <= HUSK_ID_MAX && id[n] == '\0')
		return 0;
	_cleanup_free_ char *shown = escape_id(id);
	return husk_error_set(err, 0,
	                      "invalid container id \"%s\": must match [A-Za-z0-9][A-Za-z0-9_.+-]* "
	                      "and be at most %d characters",
	                      shown, HUSK_ID_MAX);
}

/* A message without strerror that still carries errnum for callers. */
static int set_with_errnum(struct husk_error **err, int errnum, const char *what, const char *id)
{
	bool fresh = err && !*err;
	husk_error_set(err, 0, "container \"%s\" %s", id, what);
	if (fresh)
		(*err)->errnum = errnum;
	return -1;
}

static int not_exist(const char *id, struct husk_error **err)
{
	return set_with_errnum(err, ENOENT, "does not exist", id);
}

/* ret_fd is -1 with no error set when the root is missing and missing_ok. */
static int open_root(const char *root, bool missing_ok, int *ret_fd, struct husk_error **err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && !(missing_ok && errno == ENOENT))
		return husk_error_set(err, errno, "open state root \"%s\"", root);
	/* A user's containers live under a root of their own (0700 dirs do
	 * the rest): a root someone else owns is refused by name rather than
	 * used half-way.  Root itself may act on anyone's, as with runc. */
	struct stat st;
	uid_t me = geteuid();
	if (fd >= 0 && me != 0 && fstat(fd, &st) == 0 && st.st_uid != me) {
		close(fd);
		return husk_error_set(err, EACCES,
		                      "state root \"%s\" belongs to uid %u, not to you (uid %u)",
		                      root, (unsigned)st.st_uid, (unsigned)me);
	}
	*ret_fd = fd;
	return 0;
}

static int open_container_dir(int root_fd, const char *id, int *ret_fd, struct husk_error **err)
{
	int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return not_exist(id, err);
		return husk_error_set(err, errno, "open state directory of container \"%s\"", id);
	}
	*ret_fd = fd;
	return 0;
}

/* Opens <root>/<id>/; a missing root means a missing container. */
static int open_state_dir(const char *root, const char *id, int *ret_root_fd, int *ret_fd,
                          struct husk_error **err)
{
	_cleanup_close_ int root_fd = -1;
	if (husk_id_validate(id, err) < 0 || open_root(root, true, &root_fd, err) < 0)
		return -1;
	if (root_fd < 0)
		return not_exist(id, err);
	if (open_container_dir(root_fd, id, ret_fd, err) < 0)
		return -1;
	if (ret_root_fd)
		*ret_root_fd = TAKE_FD(root_fd);
	return 0;
}

static int lock_dir(int fd, const char *id, struct husk_error **err)
{
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return husk_error_set(err, errno, "lock container \"%s\"", id);
	/* The previous holder may have been a delete: a removed directory
	 * still locks fine, but its link count has dropped to zero. */
	struct stat st;
	if (fstat(fd, &st) < 0)
		return husk_error_set(err, errno, "stat state directory of container \"%s\"", id);
	if (st.st_nlink == 0)
		return not_exist(id, err);
	return 0;
}

int husk_state_root_ensure(const char *root, struct husk_error **err)
{
	if (mkdir_p(root, 0700, err) < 0)
		return husk_error_prefix(err, "create state root");
	return 0;
}

int husk_state_create(const char *root, const char *id, int *ret_lock_fd, struct husk_error **err)
{
	_cleanup_close_ int root_fd = -1;
	_cleanup_close_ int fd = -1;

	if (husk_id_validate(id, err) < 0 || open_root(root, false, &root_fd, err) < 0)
		return -1;
	if (mkdirat(root_fd, id, 0700) < 0) {
		if (errno == EEXIST)
			return set_with_errnum(err, EEXIST, "already exists", id);
		return husk_error_set(err, errno, "create state directory of container \"%s\"", id);
	}
	if (open_container_dir(root_fd, id, &fd, err) < 0)
		goto err_remove_dir;
	/* fchmod: 0700 regardless of umask, the directory holds the config. */
	if (fchmod(fd, 0700) < 0) {
		husk_error_set(err, errno, "chmod state directory of container \"%s\"", id);
		goto err_remove_dir;
	}
	/* Not undone on failure: a directory gone by now was removed by a
	 * concurrent delete, and the name may already be someone else's. */
	if (lock_dir(fd, id, err) < 0)
		return -1;
	*ret_lock_fd = TAKE_FD(fd);
	return 0;

err_remove_dir:
	unlinkat(root_fd, id, AT_REMOVEDIR);
	return -1;
}

int husk_state_lock(const char *root, const char *id, int *ret_lock_fd, struct husk_error **err)
{
	_cleanup_close_ int fd = -1;
	if (open_state_dir(root, id, NULL, &fd, err) < 0 || lock_dir(fd, id, err) < 0)
		return -1;
	*ret_lock_fd = TAKE_FD(fd);
	return 0;
}

int husk_state_write(const char *root, const struct husk_state *state, struct husk_error **err)
{
	_cleanup_close_ int fd = -1;
	if (open_state_dir(root, state->id, NULL, &fd, err) < 0)
		return -1;

	size_t len = 0;
	_cleanup_free_ char *buf = state_json_encode(state, &len);
	/* 0600: the state names the bundle and annotations, which may be
	 * private to the owner. */
	if (write_file_atomic(fd, STATE_FILE, buf, len, 0600, err) < 0)
		return husk_error_prefix(err, "write state of container \"%s\"", state->id);
	return 0;
}

static int read_at(int root_fd, const char *id, struct husk_state **ret, struct husk_error **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	struct husk_state *s = NULL;

	if (open_container_dir(root_fd, id, &fd, err) < 0)
		return -1;
	if (read_file_at(fd, STATE_FILE, STATE_FILE_MAX, &buf, &len, err) < 0)
		return husk_error_prefix(err, "state of container \"%s\"", id);
	if (state_json_decode(buf, len, &s, err) < 0)
		return husk_error_prefix(err, "state of container \"%s\": %s", id, STATE_FILE);
	/* A copied or renamed directory must not answer for another id. */
	if (strcmp(s->id, id) != 0) {
		_cleanup_free_ char *shown = escape_id(s->id);
		husk_state_free(s);
		return husk_error_set(err, 0, "state of container \"%s\": %s: records id \"%s\"",
		                      id, STATE_FILE, shown);
	}
	*ret = s;
	return 0;
}

int husk_state_read(const char *root, const char *id, struct husk_state **ret,
                    struct husk_error **err)
{
	_cleanup_close_ int root_fd = -1;
	_cleanup_close_ int fd = -1;
	if (open_state_dir(root, id, &root_fd, &fd, err) < 0)
		return -1;
	return read_at(root_fd, id, ret, err);
}

/* Whether the recorded init is still the same, live, unreaped process. */
static bool init_alive(const struct husk_state *state)
{
	if (state->pid <= 0)
		return false;
	/* EPERM means the pid exists but belongs to someone else's process;
	 * the start time below decides whether it is ours. */
	if (kill(state->pid, 0) < 0 && errno == ESRCH)
		return false;
	struct proc_stat st;
	if (proc_stat_read(state->pid, &st, NULL) < 0)
		return false;
	if (st.start_time != state->init_start_time)
		return false;
	/* a forged pid + start time still has to be in the container's cgroup */
	if (!state_init_in_cgroup(state))
		return false;
	/* A zombie init has exited; only its parent has not reaped it yet.
	 * Its container is over, so it counts as stopped. */
	return st.state != 'Z' && st.state != 'X' && st.state != 'x';
}

void husk_state_refresh(struct husk_state *state)
{
	switch (state->status) {
	case HUSK_STATUS_CREATED:
	case HUSK_STATUS_RUNNING:
	case HUSK_STATUS_PAUSED:
		if (!init_alive(state))
			state->status = HUSK_STATUS_STOPPED;
		break;
	case HUSK_STATUS_CREATING:
	case HUSK_STATUS_STOPPED:
		break;
	}
}

/* Removing a state directory: it may hold an overlay upper directory that a
 * container filled, so it can be arbitrarily deep, hold files of any owner
 * and mode, and its names are untrusted.  The walk is iterative and holds
 * one directory fd at a time; the (dev, ino) of every directory on the way
 * down is kept, so the way back up through ".." is checked against them.
 * Nothing is followed: entries are looked at with AT_SYMLINK_NOFOLLOW and
 * opened O_NOFOLLOW, and a directory on another filesystem (a mount point)
 * stops the removal instead of being entered. */
struct remove_walk {
	struct stat *path; /* the directories from the top down to the current one */
	size_t n, cap;
};

/* Empties what it can of dir_fd without descending.  Returns 1 with
 * *ret_name set (caller frees) to a subdirectory that is not empty, 0 when
 * dir_fd is empty, -1 on error. */
static int clear_level(int dir_fd, char **ret_name, struct husk_error **err)
{
	int dup_fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
	if (dup_fd < 0)
		return husk_error_set(err, errno, "dup");
	_cleanup_(closedirp) DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return husk_error_set(err, errno, "opendir");
	}
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return husk_error_set(err, errno, "stat \"%s\"", de->d_name);
		}
		bool dir = S_ISDIR(st.st_mode);
		if (unlinkat(dir_fd, de->d_name, dir ? AT_REMOVEDIR : 0) == 0 || errno == ENOENT)
			continue;
		if (dir && (errno == ENOTEMPTY || errno == EEXIST)) {
			*ret_name = xstrdup(de->d_name);
			return 1;
		}
		return husk_error_set(err, errno, "remove \"%s\"", de->d_name);
	}
	if (errno != 0)
		return husk_error_set(err, errno, "readdir");
	return 0;
}

/* Without root's override of permissions (a rootless container's upper
 * directory), a directory of ours that we may not read or write is made
 * so first: overlayfs leaves its work/work directory at mode 0. */
static int open_subdir(int dir_fd, const char *name)
{
	int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dir_fd, name, flags);
	if (fd < 0 && errno == EACCES && geteuid() != 0 &&
	    fchmodat(dir_fd, name, S_IRWXU, AT_SYMLINK_NOFOLLOW) == 0)
		fd = openat(dir_fd, name, flags);
	struct stat st;
	if (fd >= 0 && geteuid() != 0 && fstat(fd, &st) == 0 && st.st_uid == geteuid() &&
	    (st.st_mode & S_IRWXU) != S_IRWXU)
		(void)fchmod(fd, (st.st_mode & 07777) | S_IRWXU);
	return fd;
}

static int walk_down(struct remove_walk *w, int *cur_fd, const char *name, struct husk_error **err)
{
	int fd = open_subdir(*cur_fd, name);
	if (fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", name);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return husk_error_set(err, errno, "stat \"%s\"", name);
	}
	if (st.st_dev != w->path[0].st_dev) {
		close(fd);
		return husk_error_set(err, EXDEV, "\"%s\" is on another filesystem", name);
	}
	if (w->n == w->cap) {
		w->cap *= 2;
		w->path = xreallocarray(w->path, w->cap, sizeof(*w->path));
	}
	w->path[w->n++] = st;
	close(*cur_fd);
	*cur_fd = fd;
	return 0;
}

static int walk_up(struct remove_walk *w, int *cur_fd, struct husk_error **err)
{
	int fd = openat(*cur_fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return husk_error_set(err, errno, "open \"..\"");
	w->n--;
	const struct stat *want = &w->path[w->n - 1];
	if (fstat(fd, &st) < 0 || st.st_dev != want->st_dev || st.st_ino != want->st_ino) {
		close(fd);
		return husk_error_set(err, ESTALE, "a directory moved during removal");
	}
	close(*cur_fd);
	*cur_fd = fd;
	return 0;
}

/* Empties top_fd (an O_RDONLY directory fd, not closed). */
static int remove_contents(int top_fd, struct husk_error **err)
{
	_cleanup_close_ int cur_fd = fcntl(top_fd, F_DUPFD_CLOEXEC, 3);
	if (cur_fd < 0)
		return husk_error_set(err, errno, "dup");
	struct remove_walk w = {.path = xmalloc(16 * sizeof(struct stat)), .n = 1, .cap = 16};
	int r;
	if (fstat(cur_fd, &w.path[0]) < 0) {
		free(w.path);
		return husk_error_set(err, errno, "stat");
	}
	for (;;) {
		_cleanup_free_ char *name = NULL;
		r = clear_level(cur_fd, &name, err);
		if (r > 0)
			r = walk_down(&w, &cur_fd, name, err);
		else if (r == 0 && w.n > 1)
			r = walk_up(&w, &cur_fd, err);
		else
			break;
		if (r < 0)
			break;
	}
	free(w.path);
	return r;
}

int husk_state_remove(const char *root, const char *id, struct husk_error **err)
{
	_cleanup_close_ int root_fd = -1;
	_cleanup_close_ int fd = -1;
	if (open_state_dir(root, id, &root_fd, &fd, err) < 0)
		return -1;
	if (remove_contents(fd, err) < 0 || unlinkat(root_fd, id, AT_REMOVEDIR) < 0) {
		husk_error_set(err, errno, "remove \"%s\"", id);
		return husk_error_prefix(err, "remove state of container \"%s\"", id);
	}
	return 0;
}

static int compare_by_id(const void *a, const void *b)
{
	const struct husk_state *const *x = a, *const *y = b;
	return strcmp((*x)->id, (*y)->id);
}

/* Reads one root entry; *ret stays NULL for anything that is not a
 * container (a stray file, an invalid name, a half-created directory). */
static void list_entry(int root_fd, const char *name, struct husk_state **ret)
{
	struct stat st;
	struct husk_error *skip = NULL;

	if (husk_id_validate(name, NULL) < 0)
		return;
	if (fstatat(root_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return;
	if (read_at(root_fd, name, ret, &skip) < 0) {
		husk_error_free(skip);
		*ret = NULL;
		return;
	}
	husk_state_refresh(*ret);
}

int husk_state_list(const char *root, struct husk_state ***ret, size_t *ret_n,
                    struct husk_error **err)
{
	_cleanup_close_ int root_fd = -1;
	struct husk_state **list = NULL;
	size_t n = 0;

	*ret = NULL;
	*ret_n = 0;
	if (open_root(root, true, &root_fd, err) < 0)
		return -1;
	if (root_fd < 0)
		return 0;
	int dup_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!d) {
		husk_error_set(err, errno, "read state root \"%s\"", root);
		if (dup_fd >= 0)
			close(dup_fd);
		return -1;
	}
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		struct husk_state *s = NULL;
		list_entry(root_fd, de->d_name, &s);
		if (!s)
			continue;
		list = xreallocarray(list, n + 1, sizeof(*list));
		list[n++] = s;
	}
	if (errno != 0) {
		husk_error_set(err, errno, "read state root \"%s\"", root);
		closedir(d);
		husk_state_list_free(list, n);
		return -1;
	}
	closedir(d);
	if (n > 1)
		qsort(list, n, sizeof(*list), compare_by_id);
	*ret = list;
	*ret_n = n;
	return 0;
}

void husk_state_list_free(struct husk_state **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		husk_state_free(list[i]);
	free(list);
}

void husk_state_free(struct husk_state *state)
{
	if (!state)
		return;
	free(state->oci_version);
	free(state->id);
	free(state->bundle);
	free(state->rootfs);
	free(state->created);
	free(state->cgroup_path);
	for (size_t i = 0; i < state->n_cgroup_paths; i++) {
		free(state->cgroup_paths[i].key);
		free(state->cgroup_paths[i].value);
	}
	free(state->cgroup_paths);
	for (size_t i = 0; i < state->n_annotations; i++) {
		free(state->annotations[i].key);
		free(state->annotations[i].value);
	}
	free(state->annotations);
	free(state);
}
