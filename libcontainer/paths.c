/* linux.maskedPaths and linux.readonlyPaths, applied by the init after
 * pivot_root, so every path resolves inside the container's root.
 *
 * Each path is opened once with O_PATH|O_NOFOLLOW and mounted on through
 * /proc/self/fd/N: what was checked is what gets mounted on, and a final
 * component that is a symlink is refused rather than followed (masking the
 * link's target instead would hide something the config did not name, and
 * skipping it would leave the path readable).
 *
 * The init's order: husk_sysctl_apply() first, as /proc/sys is usually one
 * of the read-only paths; then husk_paths_readonly(); then husk_paths_mask(),
 * so a masked path inside a read-only one is hidden on top of it (binding
 * the read-only path afterwards would instead copy the mask into it).
 */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "rootfs-path.h"

/* A path opened for mounting on.  `name` is what mount(2) is given. */
struct target {
	int fd;
	struct stat st;
	char buf[32];
	const char *name;
};

static void target_close(struct target *t)
{
	husk_closep(&t->fd);
}

/* Without /proc (a config may leave it out) the magic links are missing:
 * then the path itself, checked just before, is the best there is.  Asked
 * once per list: masking and read-only binds never mount /proc away. */
static const char *mount_name(int fd, const char *path, char buf[32], bool have_proc)
{
	return have_proc ? husk_fd_path(fd, buf) : path;
}

/* Returns 1 with t filled in, 0 when the path does not exist (skipped, as
 * runc does: a kernel without /proc/kcore has nothing to hide), -1 on error. */
static int open_target(const char *path, bool have_proc, struct target *t, struct husk_error **err)
{
	t->fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (t->fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return husk_error_set(err, errno, "open");
	}
	if (fstat(t->fd, &t->st) < 0)
		return husk_error_set(err, errno, "stat");
	if (S_ISLNK(t->st.st_mode))
		return husk_error_set(err, ELOOP, "refusing a symbolic link");
	t->name = mount_name(t->fd, path, t->buf, have_proc);
	return 1;
}

/* Masking "/proc" (or "/") takes the magic links away for what follows. */
static bool covers_proc(const char *path)
{
	return strcmp(path, "/") == 0 || strcmp(path, "/proc") == 0 || strcmp(path, "/proc/") == 0;
}

/* ---- masked paths ---- */

/* The source of file masks.  A rootfs could make its /dev/null a symlink to
 * a writable file (say /proc/sys/kernel/core_pattern): binding that over a
 * masked path would expose instead of hide, so only the real null device
 * (1:3) is used. */
static int open_null(struct target *t, bool have_proc, struct husk_error **err)
{
	int r = open_target("/dev/null", have_proc, t, err);
	if (r == 0)
		return husk_error_set(err, ENOENT, "open \"/dev/null\"");
	if (r < 0)
		return husk_error_prefix(err, "\"/dev/null\"");
	if (!S_ISCHR(t->st.st_mode) || t->st.st_rdev != makedev(1, 3))
		return husk_error_set(err, 0, "\"/dev/null\" is not the null device");
	return 0;
}

static int mask_one(const char *path, bool have_proc, struct target *null, struct husk_error **err)
{
	_cleanup_(target_close) struct target t = {.fd = -1};
	int r = open_target(path, have_proc, &t, err);
	if (r <= 0)
		return r;
	if (S_ISDIR(t.st.st_mode)) {
		/* Empty and read-only: nothing to read, nowhere to write. */
		if (mount("tmpfs", t.name, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          NULL) < 0)
			return husk_error_set(err, errno, "mount tmpfs");
		return 0;
	}
	if (null->fd < 0 && open_null(null, have_proc, err) < 0)
		return -1;
	if (mount(null->name, t.name, NULL, MS_BIND, NULL) < 0)
		return husk_error_set(err, errno, "bind \"/dev/null\"");
	return 0;
}

int husk_paths_mask(const struct husk_spec *spec, struct husk_error **err)
{
	if (!spec->linux_)
		return 0;
	/* opened on the first file to mask: a config may mask only directories */
	_cleanup_(target_close) struct target null = {.fd = -1};
	bool have_proc = access("/proc/self/fd", F_OK) == 0;
	for (size_t i = 0; i < spec->linux_->n_masked_paths; i++) {
		const char *path = spec->linux_->masked_paths[i];
		if (mask_one(path, have_proc, &null, err) < 0)
			return husk_error_prefix(err, "mask \"%s\"", path);
		if (covers_proc(path))
			have_proc = access("/proc/self/fd", F_OK) == 0;
	}
	return 0;
}

/* ---- read-only paths ---- */

/* The flags a bind remount must repeat: in a user namespace the kernel
 * locks nosuid/nodev/noexec of mounts inherited from outside and refuses a
 * remount that would clear them.  Access-time flags are left out, so the
 * kernel keeps them as they are. */
static int kept_flags(int fd, unsigned long *ret, struct husk_error **err)
{
	struct statvfs st;
	if (fstatvfs(fd, &st) < 0)
		return husk_error_set(err, errno, "statvfs");
	unsigned long flags = 0;
	if (st.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (st.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (st.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	*ret = flags;
	return 0;
}

static int readonly_one(const char *path, bool have_proc, struct husk_error **err)
{
	_cleanup_(target_close) struct target t = {.fd = -1};
	int r = open_target(path, have_proc, &t, err);
	if (r <= 0)
		return r;
	/* A bind of the path onto itself: the read-only flag is per mount, and
	 * this one covers exactly the path (not all of /proc). */
	if (mount(t.name, t.name, NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_error_set(err, errno, "bind");
	/* The fd still names the mount now underneath: look the path up again
	 * to reach the new one, and make sure it is the same file. */
	_cleanup_(target_close) struct target top = {.fd = -1};
	r = open_target(path, have_proc, &top, err);
	if (r == 0)
		return husk_error_set(err, ENOENT, "reopen");
	if (r < 0)
		return -1;
	if (top.st.st_dev != t.st.st_dev || top.st.st_ino != t.st.st_ino)
		return husk_error_set(err, 0, "changed while being bound");
	/* mount_setattr(2) makes the new mount and every one below it
	 * (binfmt_misc under /proc/sys, say) read-only in one call, and only
	 * sets a flag, so the ones the kernel locks in a user namespace stay
	 * as they are. */
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (mount_setattr(top.fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS)
		return husk_error_set(err, errno, "make the mounts read-only");
	/* Before 5.12: a remount of the top mount, repeating its locked
	 * flags; mounts below stay writable, as with runc. */
	unsigned long flags = 0;
	if (kept_flags(top.fd, &flags, err) < 0)
		return -1;
	if (mount(NULL, top.name, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | flags, NULL) < 0)
		return husk_error_set(err, errno, "remount read-only");
	return 0;
}

int husk_paths_readonly(const struct husk_spec *spec, struct husk_error **err)
{
	if (!spec->linux_)
		return 0;
	bool have_proc = access("/proc/self/fd", F_OK) == 0;
	for (size_t i = 0; i < spec->linux_->n_readonly_paths; i++) {
		const char *path = spec->linux_->readonly_paths[i];
		if (readonly_one(path, have_proc, err) < 0)
			return husk_error_prefix(err, "make \"%s\" read-only", path);
	}
	return 0;
}
