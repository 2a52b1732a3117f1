/* Copying a directory's contents into another directory, for "tmpcopyup":
 * the rootfs directory a tmpfs is about to hide is copied into the tmpfs. */
#pragma once

#include "husk/error.h"

/* Copies everything under src_dir_fd into dst_dir_fd (both O_RDONLY
 * directory fds): directories, regular files, symlinks (as links, never
 * followed), fifos and device nodes, with mode, owner and times.  Sockets
 * are skipped; hard links become separate copies.  Errors name the path
 * relative to the source: copy "a/b": No space left on device */
int husk_copy_tree(int src_dir_fd, int dst_dir_fd, struct husk_error **err);
