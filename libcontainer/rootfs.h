/* Child side: building the container's filesystem view.
 *
 * Runs in the init after it is in its new mount namespace (and user
 * namespace, when one is created) and before the process is prepared.
 * Order, as the init calls it:
 *   husk_rootfs_prepare()   propagation, bind the rootfs, every mounts[]
 *                           entry in order, /dev nodes and links
 *   husk_rootfs_pivot()     pivot_root (or MS_MOVE + chroot with no_pivot)
 *   husk_rootfs_finalize()  root.readonly, after the old root is gone
 */
#pragma once

#include <stdbool.h>

#include "husk/error.h"
#include "husk/spec.h"

struct husk_rootfs_options {
	const char *rootfs; /* absolute path of the rootfs on the host */
	const char *bundle; /* absolute bundle path: relative mount sources resolve here */
	bool in_user_ns;    /* a new user namespace: devices are bind-mounted, not mknod'ed */
	bool no_pivot;      /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
};

int husk_rootfs_prepare(const struct husk_spec *spec, const struct husk_rootfs_options *opts,
                        struct husk_error **err);
int husk_rootfs_pivot(const struct husk_rootfs_options *opts, struct husk_error **err);
int husk_rootfs_finalize(const struct husk_spec *spec, struct husk_error **err);
