/* /etc/hosts, /etc/hostname and /etc/resolv.conf of a container on the
 * bridge: written to <root>/<id>/net/ and added to the config's mounts,
 * each only when the bundle does not mount that path itself. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

#define HUSK_NET_FILES_DIR   "net"
#define HUSK_NET_FILES_COUNT 3

/* The files' text; callers free. */
char *husk_net_hosts_text(const char *hostname, uint32_t address);
/* The host's resolv.conf without loopback nameservers (a resolver on the
 * host's 127.0.0.x is not reachable from the container's namespace). */
char *husk_net_resolv_text(const char *host_resolv);

struct husk_net_files {
	/* per file: its index in spec->mounts, or -1 when the bundle mounts
	 * that path itself */
	int mount_index[HUSK_NET_FILES_COUNT];
	char *path[HUSK_NET_FILES_COUNT]; /* absolute, on the host */
};

/* Writes the files under state_dir_fd and appends a bind mount for each to
 * spec->mounts (in the spec's arena).  state_dir is the absolute path of
 * that directory; the hostname is the config's, or the container id. */
int husk_net_files_add(struct husk_spec *spec, int state_dir_fd, const char *state_dir,
                       const char *id, uint32_t address, struct husk_net_files *ret,
                       struct husk_error **err);
void husk_net_files_done(struct husk_net_files *f);

/* Detached copies (open_tree) of the files for the mounts added above, put
 * into fds (one per spec->mounts entry, as husk_rootfs_options.idmap_fds;
 * allocated when NULL): the init attaches them, since in a user namespace
 * it could not reach the state directory to bind them by path. */
int husk_net_files_trees(const struct husk_net_files *f, size_t n_mounts, int **fds, size_t *n_fds,
                         struct husk_error **err);
