/* The parent's share of the rootfs: pieces built in the host's namespaces
 * before the init is spawned, handed over as fds in husk_rootfs_options.
 * The init (rootfs.c) only attaches them. */
#include "idmap.h"
#include "overlay.h"
#include "rootfs.h"

int husk_rootfs_parent_prepare(const struct husk_spec *spec, int state_dir_fd,
                               struct husk_rootfs_options *opts, struct husk_error **err)
{
	if (husk_overlay_prepare(spec, state_dir_fd, opts, err) < 0)
		return -1;
	if (husk_idmap_prepare(spec, opts->bundle, &opts->idmap_fds, err) < 0) {
		husk_overlay_release(opts);
		return -1;
	}
	opts->n_idmap_fds = opts->idmap_fds ? spec->n_mounts : 0;
	return 0;
}

void husk_rootfs_parent_release(struct husk_rootfs_options *opts)
{
	husk_overlay_release(opts);
	husk_idmap_release(opts->idmap_fds, opts->n_idmap_fds);
	opts->idmap_fds = NULL;
	opts->n_idmap_fds = 0;
}
