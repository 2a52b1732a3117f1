/* OCI mount options (mounts[].options) as kernel terms.
 *
 * Pure: no system calls.  Every word of the OCI list maps to mount(2)
 * flags, a propagation change, mount_setattr(2) attributes applied to the
 * whole tree (the "r" forms), or a husk extension; any other word is
 * filesystem data ("mode=755", "size=64k") passed through in order.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Extensions that are not kernel flags; the rootfs code acts on them. */
enum {
	HUSK_MOUNT_EXT_TMPCOPYUP = 1u << 0, /* copy the dir's content into the new tmpfs */
	HUSK_MOUNT_EXT_IDMAP = 1u << 1,     /* idmapped mount of this mount only */
	HUSK_MOUNT_EXT_RIDMAP = 1u << 2,    /* idmapped mount, recursively */
};

struct husk_mount_opts {
	unsigned long flags;       /* MS_* to pass to mount(2), MS_BIND|MS_REC for rbind */
	unsigned long clear_flags; /* MS_* explicitly cleared ("rw", "suid", "exec", ...) */
	unsigned long propagation; /* 0 or MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [|MS_REC] */
	uint64_t rec_attr_set;     /* MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) */
	uint64_t rec_attr_clr;
	unsigned extensions; /* HUSK_MOUNT_EXT_* */
	char *data;          /* unknown words joined with ',', NULL when none; owned */
};

/* Fills *ret from the options in order; a later word overrides an earlier
 * one ("ro,rw" is read-write).  Of several propagation words the last one
 * wins.  Never fails: the kernel judges the data words.  Release with
 * husk_mount_opts_done(). */
void husk_mount_opts_parse(char *const *options, size_t n_options, struct husk_mount_opts *ret);
void husk_mount_opts_done(struct husk_mount_opts *opts);

/* Maps a propagation word ("rslave", "private", ...) to MS_* flags.
 * Returns false for any other word. */
bool husk_mount_propagation_parse(const char *word, unsigned long *ret_flags);
