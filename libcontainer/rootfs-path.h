/* Paths inside the container's root, resolved from the host before
 * pivot_root without ever leaving the root.
 *
 * Every lookup is openat2(2) with RESOLVE_IN_ROOT relative to an O_PATH fd
 * of the rootfs, so "..", absolute symlinks and symlinks to "../.." in the
 * (untrusted) rootfs resolve as they would inside the container.  Callers
 * then act on "/proc/self/fd/N" or with *at() calls on the returned fds.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"

/* Cleans a container path lexically: "a//b/./c/../d" -> "/a/b/d".  Relative
 * paths are taken from "/", and ".." at the root stays at the root, so the
 * result never names anything above it.  Caller frees. */
char *husk_path_clean(const char *path);

/* Opens `path` (a cleaned container path) under root_fd as O_PATH, following
 * symlinks inside the root.  Returns an fd, or -1 with errno set. */
int husk_root_open(int root_fd, const char *path);

/* The container path of an fd under root_fd, from the kernel's own view of
 * both (so symlinks already followed are not re-interpreted lexically);
 * NULL when fd is not under root_fd.  Caller frees. */
char *husk_root_path_of(int root_fd, int fd);

/* husk_root_open() without openat2 (its fallback on kernels before 5.6, and
 * exposed for tests): one component at a time with O_NOFOLLOW, each symlink
 * read and resolved against the root, ".." kept at the root, at most 40
 * links.  Magic links are read as plain symlinks, so they stay inside too. */
int husk_root_open_walk(int root_fd, const char *path);

enum husk_root_kind {
	HUSK_ROOT_DIR,  /* create missing components as directories */
	HUSK_ROOT_FILE, /* ... and the last one as an empty regular file */
};

/* Opens `path` under root_fd (O_PATH), creating whatever is missing with
 * mode 0755 for directories and 0644 for the file.  An existing path of
 * another kind is fine (runc's rule: the mount itself will judge).  Errors
 * name the container path: mkdir "/dev/pts": Read-only file system */
int husk_root_mkpath(int root_fd, const char *path, enum husk_root_kind kind,
                     struct husk_error **err);

/* Splits a cleaned path into its parent, opened with husk_root_mkpath(), and
 * its last component.  *ret_name points into `path`.  The root itself has no
 * parent: fails with EINVAL. */
int husk_root_open_parent(int root_fd, const char *path, const char **ret_name,
                          struct husk_error **err);

/* "/proc/self/fd/N" for mount(2) and friends; buf must hold 32 bytes. */
const char *husk_fd_path(int fd, char buf[32]);
