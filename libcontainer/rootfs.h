/* Child side: building the container's filesystem view.
 *
 * Runs in the init after it is in its new mount namespace (and user
 * namespace, when one is created) and before the process is prepared.
 * The parent first builds what the init cannot (husk_rootfs_parent_prepare,
 * below: the overlay rootfs, idmapped trees).  Order, as the init calls it:
 *   husk_rootfs_prepare()   propagation, bind the rootfs (or mount the
 *                           overlay, or a mounts[] overlay on "/"), every mounts[]
 *                           entry in order, /dev nodes and links
 *   husk_rootfs_pivot()     pivot_root (or MS_MOVE + chroot with no_pivot)
 *   husk_rootfs_finalize()  root.readonly, after the old root is gone
 */
#pragma once

#include <stdbool.h>

#include "husk/error.h"
#include "husk/spec.h"
#include "overlay.h"

struct husk_rootfs_options {
	const char *rootfs; /* absolute path of the rootfs on the host */
	const char *bundle; /* absolute bundle path: relative mount sources resolve here */
	bool new_cgroup_ns; /* a new cgroup namespace: cgroup mounts show its root */
	bool in_user_ns;    /* a new user namespace: devices are bind-mounted, not mknod'ed */
	bool no_pivot;      /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
	/* Set by husk_overlay_prepare() (parent side): the rootfs is an overlay
	 * with root.path as its top lower instead of a bind of root.path. */
	struct husk_overlay *overlay;
	/* Set by husk_rootfs_parent_prepare(): per mounts[] entry, a detached
	 * idmapped tree to attach (-1 for other entries); NULL when none. */
	int *idmap_fds;
	size_t n_idmap_fds;
};

/* Parent side, at create, after the state directory exists and before the
 * init is spawned: what the init cannot do from inside the container's
 * namespaces.  Builds the overlay rootfs when the annotation asks for one
 * (overlay.h) and the idmapped trees of "idmap"/"ridmap" mounts (idmap.h),
 * and records them in opts (rootfs and bundle must be set).  Call
 * husk_rootfs_parent_release() once the init has been spawned, or failed to
 * be: the init holds its own copies of the fds. */
int husk_rootfs_parent_prepare(const struct husk_spec *spec, int state_dir_fd,
                               struct husk_rootfs_options *opts, struct husk_error **err);
void husk_rootfs_parent_release(struct husk_rootfs_options *opts);

int husk_rootfs_prepare(const struct husk_spec *spec, const struct husk_rootfs_options *opts,
                        struct husk_error **err);
int husk_rootfs_pivot(const struct husk_rootfs_options *opts, struct husk_error **err);
int husk_rootfs_finalize(const struct husk_spec *spec, struct husk_error **err);
