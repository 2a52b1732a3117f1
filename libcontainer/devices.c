/* The container's device nodes and /dev links, created from the host side
 * under the rootfs before pivot_root.  Which devices the container may open
 * is the device cgroup's business (cgroup/), not this module's: here nodes
 * are only made to exist, with their mode and owner.
 */
#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "rootfs-path.h"
#include "util/xalloc.h"

/* config-linux.md "Default Devices"; runc's modes and owners. */
static const struct husk_device default_devices[] = {
    {"/dev/null", 'c', 1, 3, 0666, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
    {"/dev/full", 'c', 1, 7, 0666, 0, 0},    {"/dev/random", 'c', 1, 8, 0666, 0, 0},
    {"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

static const struct {
	const char *target;
	const char *name;
} dev_links[] = {
    {"/proc/self/fd", "fd"},
    {"/proc/self/fd/0", "stdin"},
    {"/proc/self/fd/1", "stdout"},
    {"/proc/self/fd/2", "stderr"},
};

int husk_device_from_spec(const struct husk_spec_device *in, struct husk_device *ret,
                          struct husk_error **err)
{
	memset(ret, 0, sizeof(*ret));
	ret->path = in->path;
	if (!in->path || in->path[0] != '/')
		return husk_error_set(err, 0, "device path \"%s\" is not absolute",
		                      in->path ? in->path : "");
	if (!in->type || strlen(in->type) != 1 || !strchr("cubp", in->type[0]))
		return husk_error_set(err, 0, "device \"%s\": unknown type \"%s\"", in->path,
		                      in->type ? in->type : "");
	ret->type = in->type[0] == 'u' ? 'c' : in->type[0];
	if (ret->type != 'p') {
		if (!in->has_major || !in->has_minor)
			return husk_error_set(err, 0, "device \"%s\": major and minor are required",
			                      in->path);
		if (in->major < 0 || in->major > 0xfff || in->minor < 0 || in->minor > 0xfffff)
			return husk_error_set(err, 0, "device \"%s\": major or minor out of range",
			                      in->path);
		ret->major = (unsigned)in->major;
		ret->minor = (unsigned)in->minor;
	}
	ret->mode = in->has_file_mode ? (mode_t)(in->file_mode & 07777) : 0666;
	ret->uid = in->has_uid ? in->uid : 0;
	ret->gid = in->has_gid ? in->gid : 0;
	return 0;
}

static int bind_device(int root_fd, const struct husk_device *dev, struct husk_error **err)
{
	char buf[32];
	_cleanup_close_ int fd = husk_root_mkpath(root_fd, dev->path, HUSK_ROOT_FILE, err);
	if (fd < 0)
		return -1;
	if (mount(dev->path, husk_fd_path(fd, buf), NULL, MS_BIND, NULL) < 0)
		return husk_error_set(err, errno, "bind \"%s\" on \"%s\"", dev->path, dev->path);
	return 0;
}

static mode_t type_bits(char type)
{
	switch (type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR;
	}
}

int husk_device_create(int root_fd, const struct husk_device *dev, bool bind,
                       struct husk_error **err)
{
	if (bind)
		return bind_device(root_fd, dev, err);

	const char *name;
	_cleanup_free_ char *clean = husk_path_clean(dev->path);
	_cleanup_close_ int parent_fd = husk_root_open_parent(root_fd, clean, &name, err);
	if (parent_fd < 0)
		return -1;
	dev_t rdev = dev->type == 'p' ? 0 : makedev(dev->major, dev->minor);
	if (mknodat(parent_fd, name, type_bits(dev->type) | dev->mode, rdev) < 0) {
		if (errno == EEXIST)
			return 0;
		/* A user namespace we were not told about, or a seccomp filter. */
		if (errno == EPERM)
			return bind_device(root_fd, dev, err);
		return husk_error_set(err, errno, "mknod \"%s\"", dev->path);
	}
	/* mknod applied the umask; the config's mode is exact. */
	if (fchmodat(parent_fd, name, dev->mode, 0) < 0)
		return husk_error_set(err, errno, "chmod \"%s\"", dev->path);
	if (fchownat(parent_fd, name, dev->uid, dev->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return husk_error_set(err, errno, "chown \"%s\"", dev->path);
	return 0;
}

static bool spec_has_device(const struct husk_spec *spec, const char *path)
{
	if (!spec->linux_)
		return false;
	for (size_t i = 0; i < spec->linux_->n_devices; i++)
		if (spec->linux_->devices[i].path &&
		    strcmp(spec->linux_->devices[i].path, path) == 0)
			return true;
	return false;
}

static int make_link(int dev_fd, const char *target, const char *name, struct husk_error **err)
{
	if (symlinkat(target, dev_fd, name) < 0 && errno != EEXIST)
		return husk_error_set(err, errno, "symlink \"%s\" to \"/dev/%s\"", target, name);
	return 0;
}

/* /dev/ptmx must be the devpts instance's ptmx (so ptys come from the
 * container's devpts), whatever the rootfs shipped there. */
static int setup_links(int root_fd, struct husk_error **err)
{
	_cleanup_close_ int dev_fd = husk_root_mkpath(root_fd, "/dev", HUSK_ROOT_DIR, err);
	if (dev_fd < 0)
		return -1;
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(dev_links); i++)
		if (make_link(dev_fd, dev_links[i].target, dev_links[i].name, err) < 0)
			return -1;
	/* Kernels built without CONFIG_PROC_KCORE have no /proc/kcore; this
	 * runs before pivot_root, so /proc is the host's (same kernel). */
	if (access("/proc/kcore", F_OK) == 0 && make_link(dev_fd, "/proc/kcore", "core", err) < 0)
		return -1;
	if (unlinkat(dev_fd, "ptmx", 0) < 0 && errno != ENOENT)
		return husk_error_set(err, errno, "remove \"/dev/ptmx\"");
	return make_link(dev_fd, "pts/ptmx", "ptmx", err);
}

int husk_devices_setup(int root_fd, const struct husk_spec *spec, bool bind,
                       struct husk_error **err)
{
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(default_devices); i++) {
		if (spec_has_device(spec, default_devices[i].path))
			continue;
		if (husk_device_create(root_fd, &default_devices[i], bind, err) < 0)
			return -1;
	}
	for (size_t i = 0; spec->linux_ && i < spec->linux_->n_devices; i++) {
		struct husk_device dev;
		if (husk_device_from_spec(&spec->linux_->devices[i], &dev, err) < 0)
			return -1;
		if (husk_device_create(root_fd, &dev, bind, err) < 0)
			return -1;
	}
	return setup_links(root_fd, err);
}
