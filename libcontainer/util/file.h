/* Whole-file reads with a size cap, crash-safe replacement of a file, and
 * mkdir -p.  Everything works on directory fds so callers can pin a directory
 * once (opened O_NOFOLLOW) and never resolve a path through it again. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "husk/error.h"

/* Reads fd to EOF into a malloc'd, NUL-terminated buffer.  More than max
 * bytes is an error (EFBIG), so a hostile or runaway file cannot exhaust
 * memory.  Errors read "read: <strerror>" or "larger than N bytes". */
int read_all_fd(int fd, size_t max, char **ret_buf, size_t *ret_len, struct husk_error **err);

/* Writes all len bytes, retrying short writes and EINTR; 0 or -errno. */
int write_all_fd(int fd, const void *buf, size_t len);

/* Opens name relative to dir_fd (O_NOFOLLOW: a symlink is an error) and
 * reads it like read_all_fd.  Errors read "open NAME: ..." or "read NAME: ...";
 * err->errnum is ENOENT when the file is absent. */
int read_file_at(int dir_fd, const char *name, size_t max, char **ret_buf, size_t *ret_len,
                 struct husk_error **err);

/* Replaces dir_fd/name with data so that a reader, or a command that
 * crashed half-way, sees either the old or the new content, never a mix: a
 * temp file created O_EXCL in the same directory, written, renamed over
 * name.  Nothing is fsync()ed: these are runtime files (state, pid files)
 * that describe processes a reboot ends anyway, and they usually live on a
 * tmpfs (/run); on a disk, two syncs per file cost more than the rest of a
 * container's start.  mode is applied exactly (not masked by umask).
 * dir_fd must be a real directory fd (not AT_FDCWD, not O_PATH). */
int write_file_atomic(int dir_fd, const char *name, const void *data, size_t len, mode_t mode,
                      struct husk_error **err);

/* Creates path and its missing parents with mode (subject to umask).  An
 * existing directory is fine; an existing non-directory is ENOTDIR. */
int mkdir_p(const char *path, mode_t mode, struct husk_error **err);
