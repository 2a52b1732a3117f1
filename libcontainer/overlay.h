/* An OverlayFS root filesystem for bundles run by hand.
 *
 * With the annotation husk.rootfs.overlay=true, root.path (plus the
 * read-only lowers of husk.rootfs.overlay.lowers, below it) becomes the
 * lower layer of an overlay whose upper and work directories live in the
 * container's state directory (<root>/<id>/overlay/{upper,work}), so many
 * containers share one base and deleting the state removes their writes.
 *
 * Parent side, at create, after the state directory exists and before the
 * init is spawned (through husk_rootfs_parent_prepare() in rootfs.h):
 * husk_overlay_prepare() creates the layers and the overlay itself, as a
 * detached mount.  Child side: rootfs.c moves it onto the
 * rootfs path (husk_overlay_mount) instead of binding root.path on itself.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "husk/error.h"
#include "husk/spec.h"

#define HUSK_ANNOTATION_OVERLAY          "husk.rootfs.overlay"
#define HUSK_ANNOTATION_OVERLAY_LOWERS   "husk.rootfs.overlay.lowers"
#define HUSK_ANNOTATION_OVERLAY_VOLATILE "husk.rootfs.overlay.volatile"

struct husk_overlay {
	int upper_fd;  /* O_PATH fd of <state>/overlay/upper */
	int work_fd;   /* O_PATH fd of <state>/overlay/work */
	int mnt_fd;    /* the detached overlay mount (fsmount) */
	char **lowers; /* extra lowers as absolute host paths, topmost first */
	size_t n_lowers;
	bool volatile_; /* "volatile": no syncs; the upper is thrown away anyway */
	/* Made by the init instead (mnt_fd -1): an unprivileged caller cannot
	 * mount in the host's namespaces, so the init mounts the overlay in its
	 * own user namespace, with "userxattr" (Linux 5.11). */
	bool in_userns;
};

struct husk_rootfs_options;

/* Reads the annotations; without husk.rootfs.overlay=true it does nothing
 * and leaves opts->overlay NULL.  Otherwise creates overlay/{upper,work}
 * under state_dir_fd (owned by the container's root: the host id that
 * container id 0 maps to when a user namespace is created, else root.path's
 * owner), checks every lower and sets opts->overlay.  opts->rootfs and
 * opts->bundle (which resolves relative lowers) must be set.  The mount is
 * owned by the host's user namespace, so no userxattr is needed even when
 * the container has its own; for a caller other than root it is left to
 * the init (in_userns).  Release with
 * husk_overlay_release() once the init has been spawned (or failed to be).
 * Errors read: overlay rootfs: lower "/x": No such file or directory */
int husk_overlay_prepare(const struct husk_spec *spec, int state_dir_fd,
                         struct husk_rootfs_options *opts, struct husk_error **err);
void husk_overlay_release(struct husk_rootfs_options *opts);

/* Child side, in the container's mount namespace: moves the overlay
 * (lowers root.path, then the extra ones) onto `target`, the rootfs path;
 * with in_userns, creates it first. */
int husk_overlay_mount(const struct husk_overlay *ov, const char *target, struct husk_error **err);

/* True when the annotation asks for an overlay rootfs ("true" or "1"). */
bool husk_overlay_requested(const struct husk_spec *spec);
