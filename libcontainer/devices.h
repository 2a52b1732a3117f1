/* Device nodes inside the container's /dev (child side, before pivot_root).
 *
 * config-linux.md "Default Devices" (null zero full random urandom tty),
 * then linux.devices in order, then the links every /dev has (fd, stdin,
 * stdout, stderr, core, ptmx -> pts/ptmx).  In a new user namespace mknod
 * is not allowed, so each node is an empty file with the host's device
 * bind-mounted over it (runc's rule).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

struct husk_device {
	const char *path; /* absolute container path; also the host path when bound */
	char type;        /* 'c' (and 'u'), 'b' or 'p' */
	unsigned major;
	unsigned minor;
	mode_t mode; /* permission bits only */
	uid_t uid;
	gid_t gid;
};

/* Fills *ret from a linux.devices entry ('u' becomes 'c'; fileMode defaults
 * to 0666, uid/gid to 0).  Fails on an unknown type or a missing major/minor
 * for "c"/"b" devices. */
int husk_device_from_spec(const struct husk_spec_device *in, struct husk_device *ret,
                          struct husk_error **err);

/* Creates one node under root_fd (an O_PATH fd of the rootfs); missing
 * parent directories are created.  An existing node is left as it is.
 * With bind, or when mknod is refused with EPERM, the host's node at the same
 * path is bind-mounted over an empty file instead. */
int husk_device_create(int root_fd, const struct husk_device *dev, bool bind,
                       struct husk_error **err);

/* The whole /dev: default devices (skipping those linux.devices redefines),
 * linux.devices, then the links.  `spec` may have no linux section. */
int husk_devices_setup(int root_fd, const struct husk_spec *spec, bool bind,
                       struct husk_error **err);
