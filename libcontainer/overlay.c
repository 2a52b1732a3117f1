/* The OverlayFS rootfs of hand-run bundles: the annotations, the upper and
 * work directories in the state directory (parent side) and the overlay
 * mount itself (child side, through the new mount API so each lower is its
 * own parameter and no path needs escaping).  Removing the upper directory
 * is the state store's job: it goes with <root>/<id>/.
 */
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "rootfs-path.h"
#include "rootfs.h"
#include "util/xalloc.h"

static const char *annotation(const struct husk_spec *spec, const char *key)
{
	for (size_t i = 0; i < spec->n_annotations; i++)
		if (strcmp(spec->annotations[i].key, key) == 0)
			return spec->annotations[i].value;
	return NULL;
}

static bool truthy(const char *v)
{
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

bool husk_overlay_requested(const struct husk_spec *spec)
{
	return truthy(annotation(spec, HUSK_ANNOTATION_OVERLAY));
}

static void overlay_free(struct husk_overlay *ov)
{
	if (!ov)
		return;
	if (ov->upper_fd >= 0)
		close(ov->upper_fd);
	if (ov->work_fd >= 0)
		close(ov->work_fd);
	if (ov->mnt_fd >= 0)
		close(ov->mnt_fd);
	for (size_t i = 0; i < ov->n_lowers; i++)
		free(ov->lowers[i]);
	free(ov->lowers);
	free(ov);
}

void husk_overlay_release(struct husk_rootfs_options *opts)
{
	overlay_free(opts->overlay);
	opts->overlay = NULL;
}

/* "/a:/b" -> absolute, existing directories; relative ones are taken from
 * the bundle, like root.path. */
static int parse_lowers(const char *value, const char *bundle, struct husk_overlay *ov,
                        struct husk_error **err)
{
	_cleanup_free_ char *copy = xstrdup(value);
	char *save = NULL;
	for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *joined =
		    p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", bundle, p);
		char *real = realpath(joined, NULL);
		struct stat st;
		if (!real)
			return husk_error_set(err, errno, "lower \"%s\"", p);
		if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(real);
			return husk_error_set(err, ENOTDIR, "lower \"%s\"", p);
		}
		ov->lowers = xrealloc(ov->lowers, (ov->n_lowers + 1) * sizeof(char *));
		ov->lowers[ov->n_lowers++] = real;
	}
	if (ov->n_lowers == 0)
		return husk_error_set(err, 0, "annotation \"%s\" names no directory",
		                      HUSK_ANNOTATION_OVERLAY_LOWERS);
	return 0;
}

static uint32_t host_id_of_root(const struct husk_spec_id_mapping *m, size_t n, uint32_t dflt)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0)
			return m[i].host_id;
	return dflt;
}

static bool creates_userns(const struct husk_spec *spec)
{
	for (size_t i = 0; spec->linux_ && i < spec->linux_->n_namespaces; i++)
		if (spec->linux_->namespaces[i].type == HUSK_NS_USER &&
		    !spec->linux_->namespaces[i].path)
			return true;
	return false;
}

/* mode and owner set exactly (no umask); the fd is O_PATH. */
static int make_dir(int parent_fd, const char *name, mode_t mode, uid_t uid, gid_t gid,
                    struct husk_error **err)
{
	if (mkdirat(parent_fd, name, 0700) < 0)
		return husk_error_set(err, errno, "mkdir \"%s\"", name);
	if (fchownat(parent_fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_error_set(err, errno, "chown \"%s\"", name);
	/* after chown: chown clears the set-id bits */
	if (fchmodat(parent_fd, name, mode, 0) < 0)
		return husk_error_set(err, errno, "chmod \"%s\"", name);
	int fd = openat(parent_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", name);
	return fd;
}

/* The upper directory becomes the overlay's root directory, so it takes
 * root.path's mode; its owner is whoever is root in the container, so the
 * container's root can write there (and copy-ups, made with the mounter's
 * credentials, can be created). */
static int make_layers(const struct husk_spec *spec, int state_dir_fd, const char *rootfs,
                       struct husk_overlay *ov, struct husk_error **err)
{
	struct stat st;
	if (stat(rootfs, &st) < 0)
		return husk_error_set(err, errno, "stat \"%s\"", rootfs);
	uid_t uid = st.st_uid;
	gid_t gid = st.st_gid;
	if (creates_userns(spec)) {
		const struct husk_spec_linux *lx = spec->linux_;
		uid = host_id_of_root(lx->uid_mappings, lx->n_uid_mappings, uid);
		gid = host_id_of_root(lx->gid_mappings, lx->n_gid_mappings, gid);
	}
	if (mkdirat(state_dir_fd, "overlay", 0700) < 0)
		return husk_error_set(err, errno, "mkdir \"overlay\"");
	_cleanup_close_ int dir_fd =
	    openat(state_dir_fd, "overlay", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0)
		return husk_error_set(err, errno, "open \"overlay\"");
	ov->upper_fd = make_dir(dir_fd, "upper", st.st_mode & 07777, uid, gid, err);
	if (ov->upper_fd < 0 && ov->in_userns && (*err)->errnum == EPERM)
		return husk_error_prefix(err,
		                         "the container's root (host uid %u) must be you (uid %u) "
		                         "for a rootless overlay",
		                         (unsigned)uid, (unsigned)geteuid());
	if (ov->upper_fd < 0)
		return -1;
	ov->work_fd = make_dir(dir_fd, "work", 0700, uid, gid, err);
	return ov->work_fd < 0 ? -1 : 0;
}

/* The kernel explains a refused overlay in the context's message log
 * ("e overlay: workdir and upperdir must reside under the same mount");
 * the first error line beats a bare EINVAL. */
static int config_error(int fs_fd, const char *what, struct husk_error **err)
{
	int saved = errno;
	char msg[512];
	ssize_t n;
	while ((n = read(fs_fd, msg, sizeof(msg) - 1)) > 0) {
		msg[n] = '\0';
		if (msg[0] == 'e' && n > 2)
			return husk_error_set(err, saved, "%s: %s", what, msg + 2);
	}
	return husk_error_set(err, saved, "%s", what);
}

static int set_string(int fs_fd, const char *key, const char *value, struct husk_error **err)
{
	if (fsconfig(fs_fd, FSCONFIG_SET_STRING, key, value, 0) < 0)
		return config_error(fs_fd, key, err);
	return 0;
}

static int set_flag(int fs_fd, const char *key, struct husk_error **err)
{
	if (fsconfig(fs_fd, FSCONFIG_SET_FLAG, key, NULL, 0) < 0)
		return config_error(fs_fd, key, err);
	return 0;
}

/* The path of a directory we created and hold open, as the kernel sees
 * it: mountinfo then names the real upper dir, not /proc/self/fd/N. */
static char *real_path(int fd, struct husk_error **err)
{
	char buf[32], path[PATH_MAX];
	ssize_t n = readlink(husk_fd_path(fd, buf), path, sizeof(path) - 1);
	if (n <= 0) {
		husk_error_set(err, errno, "readlink \"%s\"", buf);
		return NULL;
	}
	path[n] = '\0';
	return xstrdup(path);
}

/* Each lower as "lowerdir+" (Linux 6.5): no ':' or ',' escaping. */
static int configure(int fs_fd, const struct husk_overlay *ov, const char *rootfs,
                     struct husk_error **err)
{
	if (set_string(fs_fd, "lowerdir+", rootfs, err) < 0)
		return -1;
	for (size_t i = 0; i < ov->n_lowers; i++)
		if (set_string(fs_fd, "lowerdir+", ov->lowers[i], err) < 0)
			return -1;
	_cleanup_free_ char *upper = real_path(ov->upper_fd, err);
	_cleanup_free_ char *work = upper ? real_path(ov->work_fd, err) : NULL;
	if (!work || set_string(fs_fd, "upperdir", upper, err) < 0 ||
	    set_string(fs_fd, "workdir", work, err) < 0)
		return -1;
	if (ov->volatile_ && set_flag(fs_fd, "volatile", err) < 0)
		return -1;
	/* trusted.* xattrs need privilege over the host: in a user namespace
	 * overlayfs keeps its metadata in user.* ones */
	if (ov->in_userns && set_flag(fs_fd, "userxattr", err) < 0)
		return husk_error_prefix(err, "an overlay in a user namespace needs Linux 5.11");
	if (fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return config_error(fs_fd, "create", err);
	return 0;
}

/* The overlay is created here, by the parent, as a detached mount that the
 * init only moves into place: the layers live in the host's mount
 * namespace (the kernel refuses an upper dir reached through a mount of
 * another namespace), and in a user namespace the init could neither
 * search the 0700 state directory nor use trusted.* xattrs.  A rootless
 * caller has no such choice (it may mount only in a user namespace of its
 * own), so its init makes the mount: its root is the caller, who owns
 * the state directory. */
static int make_mount(const struct husk_overlay *ov, const char *rootfs, int *ret_fd,
                      struct husk_error **err)
{
	_cleanup_close_ int fs_fd = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs_fd < 0)
		return husk_error_set(err, errno, "open overlay filesystem");
	if (configure(fs_fd, ov, rootfs, err) < 0)
		return -1;
	*ret_fd = fsmount(fs_fd, FSMOUNT_CLOEXEC, 0);
	if (*ret_fd < 0)
		return husk_error_set(err, errno, "mount");
	return 0;
}

int husk_overlay_prepare(const struct husk_spec *spec, int state_dir_fd,
                         struct husk_rootfs_options *opts, struct husk_error **err)
{
	opts->overlay = NULL;
	const char *want = annotation(spec, HUSK_ANNOTATION_OVERLAY);
	if (!want || strcmp(want, "false") == 0 || strcmp(want, "0") == 0)
		return 0;
	if (!truthy(want))
		return husk_error_set(err, 0,
		                      "annotation \"%s\": expected \"true\" or \"false\", "
		                      "got \"%s\"",
		                      HUSK_ANNOTATION_OVERLAY, want);
	struct husk_overlay *ov = xzalloc(sizeof(*ov));
	ov->upper_fd = ov->work_fd = ov->mnt_fd = -1;
	ov->volatile_ = truthy(annotation(spec, HUSK_ANNOTATION_OVERLAY_VOLATILE));
	ov->in_userns = geteuid() != 0;
	const char *lowers = annotation(spec, HUSK_ANNOTATION_OVERLAY_LOWERS);
	if ((lowers && parse_lowers(lowers, opts->bundle, ov, err) < 0) ||
	    make_layers(spec, state_dir_fd, opts->rootfs, ov, err) < 0 ||
	    (!ov->in_userns && make_mount(ov, opts->rootfs, &ov->mnt_fd, err) < 0)) {
		overlay_free(ov);
		return husk_error_prefix(err, "overlay rootfs");
	}
	opts->overlay = ov;
	return 0;
}

int husk_overlay_mount(const struct husk_overlay *ov, const char *target, struct husk_error **err)
{
	_cleanup_close_ int own_fd = -1;
	if (ov->in_userns && make_mount(ov, target, &own_fd, err) < 0)
		return husk_error_prefix(err, "overlay rootfs");
	int fd = ov->in_userns ? own_fd : ov->mnt_fd;
	if (move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return husk_error_set(err, errno, "mount overlay rootfs on \"%s\"", target);
	return 0;
}
