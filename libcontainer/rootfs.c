/* The container's root filesystem, built by the init in its own mount
 * namespace: root propagation, the rootfs bind, every mounts[] entry in
 * order, /dev (devices.c), pivot_root, and the read-only root at the end.
 * Paths inside the rootfs are resolved with rootfs-path.c so a hostile
 * rootfs cannot redirect a mount outside itself; option words are
 * mount-opts.c's.  The rootfs may be an overlay (overlay.c, or a mounts[]
 * overlay on "/"); idmapped trees come ready from the parent
 * (rootfs-parent.c).  Masked/readonly paths are not handled here yet.
 */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "copy-tree.h"
#include "devices.h"
#include "husk/cleanup.h"
#include "lsm.h"
#include "mount-opts.h"
#include "rootfs-cgroup.h"
#include "rootfs-path.h"
#include "util/xalloc.h"

/* What one mounts[] entry needs while it is being applied. */
struct mnt {
	int root_fd;
	const struct husk_rootfs_options *opts;
	const struct husk_spec_mount *spec;
	char *dest; /* cleaned container path, for lookups and errors */
	const char *type;
	struct husk_mount_opts o;
};

/* Flags a remount must repeat, or the kernel refuses it (EPERM) when the
 * mount was locked by a less privileged user namespace.  ST_* equal MS_*. */
static unsigned long locked_flags(const struct statvfs *st, unsigned long wanted)
{
	unsigned long keep = st->f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC);
	if (!(wanted & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)))
		keep |= st->f_flag & (ST_NOATIME | ST_RELATIME);
	if (!(wanted & MS_NODIRATIME))
		keep |= st->f_flag & ST_NODIRATIME;
	return keep;
}

/* The mount point holding `path`, from mountinfo, when it is shared. */
static char *shared_mount_point(int mnt_id)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	if (!f)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		int id;
		char point[4096];
		if (sscanf(line, "%d %*d %*s %*s %4095s", &id, point) != 2 || id != mnt_id)
			continue;
		char *sep = strstr(line, " - ");
		char *shared = strstr(line, " shared:");
		if (!shared || (sep && shared > sep))
			return NULL;
		/* mountinfo escapes space, tab, newline and backslash as \ooo. */
		char *out = xmalloc(strlen(point) + 1), *o = out;
		for (char *p = point; *p; p++) {
			unsigned v;
			if (p[0] == '\\' && sscanf(p + 1, "%3o", &v) == 1) {
				*o++ = (char)v;
				p += 3;
			} else {
				*o++ = *p;
			}
		}
		*o = '\0';
		return out;
	}
	return NULL;
}

/* pivot_root refuses a new root whose parent mount is shared, and a shared
 * parent would carry our rootfs bind back to the host's peers.  Only the
 * shared case is changed: a slave parent keeps receiving host mounts. */
static int make_parent_private(const char *rootfs, struct husk_error **err)
{
	struct statx stx;
	if (statx(AT_FDCWD, rootfs, 0, STATX_MNT_ID, &stx) < 0)
		return husk_error_set(err, errno, "stat \"%s\"", rootfs);
	_cleanup_free_ char *point = shared_mount_point((int)stx.stx_mnt_id);
	if (point && mount(NULL, point, NULL, MS_PRIVATE, NULL) < 0)
		return husk_error_set(err, errno, "make \"%s\" private", point);
	return 0;
}

static int root_propagation(const struct husk_spec *spec, unsigned long *ret,
                            struct husk_error **err)
{
	const char *word = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;
	*ret = MS_SLAVE | MS_REC; /* runc's default: host mounts still appear, ours stay */
	if (word && !husk_mount_propagation_parse(word, ret))
		return husk_error_set(err, 0, "unknown rootfsPropagation \"%s\"", word);
	return 0;
}

/* Re-resolves the destination after the mount, so the fd is the new
 * mount's root rather than the directory now hidden under it. */
static int reopen_dest(const struct mnt *m, struct husk_error **err)
{
	int fd = husk_root_open(m->root_fd, m->dest);
	if (fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", m->dest);
	return fd;
}

static int set_rec_attrs(int fd, const char *dest, uint64_t set, uint64_t clr,
                         struct husk_error **err)
{
	struct mount_attr attr = {.attr_set = set, .attr_clr = clr};
	if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return husk_error_set(err, errno, "set recursive attributes of \"%s\"", dest);
	return 0;
}

/* After the mount itself: the propagation word, then the "r*" attributes.
 * Propagation is its own mount(2) call: the kernel ignores it when
 * combined with a new mount. */
static int after_mount(const struct mnt *m, struct husk_error **err)
{
	if (!m->o.propagation && !m->o.rec_attr_set && !m->o.rec_attr_clr)
		return 0;
	char buf[32];
	_cleanup_close_ int fd = reopen_dest(m, err);
	if (fd < 0)
		return -1;
	if (m->o.propagation &&
	    mount(NULL, husk_fd_path(fd, buf), NULL, m->o.propagation, NULL) < 0)
		return husk_error_set(err, errno, "set propagation of \"%s\"", m->dest);
	if (m->o.rec_attr_set || m->o.rec_attr_clr)
		return set_rec_attrs(fd, m->dest, m->o.rec_attr_set, m->o.rec_attr_clr, err);
	return 0;
}

/* A bind mount ignores every flag but MS_REC; the others need a remount of
 * the new mount (read-only, nosuid, ...). */
static int remount_bind(const struct mnt *m, unsigned long flags, struct husk_error **err)
{
	char buf[32];
	_cleanup_close_ int fd = reopen_dest(m, err);
	if (fd < 0)
		return -1;
	const char *target = husk_fd_path(fd, buf);
	unsigned long rflags = MS_REMOUNT | MS_BIND | flags;
	if (mount(NULL, target, NULL, rflags, NULL) == 0)
		return 0;
	struct statvfs st;
	if (errno != EPERM || fstatvfs(fd, &st) < 0)
		return husk_error_set(err, errno, "remount \"%s\"", m->dest);
	if (mount(NULL, target, NULL, rflags | locked_flags(&st, flags), NULL) < 0)
		return husk_error_set(err, errno, "remount \"%s\"", m->dest);
	return 0;
}

/* Binds a host path (not under the rootfs: the config names it) on dest. */
static int bind_host_path(const struct mnt *m, const char *src, unsigned long bind_flags,
                          struct husk_error **err)
{
	struct stat st;
	if (stat(src, &st) < 0)
		return husk_error_set(err, errno, "mount \"%s\" on \"%s\": stat source", src,
		                      m->dest);
	enum husk_root_kind kind = S_ISDIR(st.st_mode) ? HUSK_ROOT_DIR : HUSK_ROOT_FILE;
	_cleanup_close_ int fd = husk_root_mkpath(m->root_fd, m->dest, kind, err);
	if (fd < 0)
		return -1;
	char buf[32];
	if (mount(src, husk_fd_path(fd, buf), NULL, bind_flags, NULL) < 0)
		return husk_error_set(err, errno, "mount \"%s\" on \"%s\"", src, m->dest);
	return 0;
}

static int mount_bind(const struct mnt *m, struct husk_error **err)
{
	const char *src = m->spec->source;
	if (!src || !*src)
		return husk_error_set(err, 0, "bind mount on \"%s\" has no source", m->dest);
	_cleanup_free_ char *host_src =
	    src[0] == '/' ? xstrdup(src) : xasprintf("%s/%s", m->opts->bundle, src);
	if (bind_host_path(m, host_src, m->o.flags & (MS_BIND | MS_REC), err) < 0)
		return -1;
	unsigned long extra = m->o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	if (extra && remount_bind(m, extra, err) < 0)
		return -1;
	return after_mount(m, err);
}

/* Where an unprivileged mount of a kernel filesystem fails, the host's
 * instance is bound instead (runc): sysfs needs a network namespace owned
 * by our user namespace, mqueue an IPC namespace. */
static const char *fallback_source(const char *type)
{
	if (strcmp(type, "sysfs") == 0)
		return "/sys";
	if (strcmp(type, "mqueue") == 0)
		return "/dev/mqueue";
	return NULL;
}

/* Binds host_path recursively, with the entry's restrictions on the whole
 * tree (a bind of /sys carries its submounts). */
static int bind_fallback(const struct mnt *m, const char *host_path, bool force_ro,
                         struct husk_error **err)
{
	if (bind_host_path(m, host_path, MS_BIND | MS_REC, err) < 0)
		return -1;
	uint64_t set = 0;
	if (force_ro || (m->o.flags & MS_RDONLY))
		set |= MOUNT_ATTR_RDONLY;
	if (m->o.flags & MS_NOSUID)
		set |= MOUNT_ATTR_NOSUID;
	if (m->o.flags & MS_NODEV)
		set |= MOUNT_ATTR_NODEV;
	if (m->o.flags & MS_NOEXEC)
		set |= MOUNT_ATTR_NOEXEC;
	if (set) {
		_cleanup_close_ int fd = reopen_dest(m, err);
		if (fd < 0 || set_rec_attrs(fd, m->dest, set, 0, err) < 0)
			return -1;
	}
	return after_mount(m, err);
}

/* The directory the new mount will hide, opened for reading before the
 * mount for tmpcopyup; *ret_fd is -1 when the destination does not exist. */
static int open_hidden_dir(const struct mnt *m, int *ret_fd, struct husk_error **err)
{
	*ret_fd = -1;
	_cleanup_close_ int path_fd = husk_root_open(m->root_fd, m->dest);
	if (path_fd < 0)
		return errno == ENOENT ? 0 : husk_error_set(err, errno, "open \"%s\"", m->dest);
	*ret_fd = openat(path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*ret_fd < 0)
		return husk_error_set(err, errno, "tmpcopyup \"%s\"", m->dest);
	return 0;
}

/* tmpcopyup: the hidden directory's content is copied into the new tmpfs,
 * which was mounted writable; a read-only one is remounted afterwards. */
static int copy_up(const struct mnt *m, int hidden_fd, struct husk_error **err)
{
	char buf[32];
	_cleanup_close_ int top_fd = reopen_dest(m, err);
	if (top_fd < 0)
		return -1;
	_cleanup_close_ int dst_fd = openat(top_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dst_fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", m->dest);
	if (husk_copy_tree(hidden_fd, dst_fd, err) < 0)
		return husk_error_prefix(err, "tmpcopyup \"%s\"", m->dest);
	if ((m->o.flags & MS_RDONLY) &&
	    mount(NULL, husk_fd_path(top_fd, buf), NULL, MS_REMOUNT | m->o.flags, m->o.data) < 0)
		return husk_error_set(err, errno, "remount \"%s\" read-only", m->dest);
	return 0;
}

/* Mounts a kernel filesystem.  An existing directory under a tmpfs keeps
 * its mode unless mode= says otherwise (runc: /tmp stays 1777 or 0755). */
static int mount_fs(const struct mnt *m, const char *fstype, struct husk_error **err)
{
	struct stat before;
	bool keep_mode = false;
	bool copyup = m->o.extensions & HUSK_MOUNT_EXT_TMPCOPYUP;
	if (copyup && strcmp(fstype, "tmpfs") != 0)
		return husk_error_set(err, 0, "mount on \"%s\": tmpcopyup needs type \"tmpfs\"",
		                      m->dest);
	_cleanup_close_ int hidden_fd = -1;
	if (copyup && open_hidden_dir(m, &hidden_fd, err) < 0)
		return -1;
	int probe_fd = husk_root_open(m->root_fd, m->dest);
	if (probe_fd >= 0) {
		keep_mode = strcmp(fstype, "tmpfs") == 0 && fstat(probe_fd, &before) == 0 &&
		            S_ISDIR(before.st_mode) && !(m->o.data && strstr(m->o.data, "mode="));
		close(probe_fd);
	}
	_cleanup_close_ int fd = husk_root_mkpath(m->root_fd, m->dest, HUSK_ROOT_DIR, err);
	if (fd < 0)
		return -1;
	const char *src = m->spec->source && *m->spec->source ? m->spec->source : fstype;
	unsigned long flags = hidden_fd >= 0 ? m->o.flags & ~MS_RDONLY : m->o.flags;
	char buf[32];
	if (mount(src, husk_fd_path(fd, buf), fstype, flags, m->o.data) < 0) {
		const char *fallback = fallback_source(fstype);
		if (errno == EPERM && fallback)
			return bind_fallback(m, fallback, false, err);
		return husk_error_set(err, errno, "mount \"%s\" on \"%s\"", src, m->dest);
	}
	if (keep_mode) {
		_cleanup_close_ int top_fd = reopen_dest(m, err);
		if (top_fd < 0)
			return -1;
		if (fchmodat(AT_FDCWD, husk_fd_path(top_fd, buf), before.st_mode & 07777, 0) < 0)
			return husk_error_set(err, errno, "chmod \"%s\"", m->dest);
	}
	if (hidden_fd >= 0 && copy_up(m, hidden_fd, err) < 0)
		return -1;
	return after_mount(m, err);
}

/* type "cgroup": on a pure cgroup v2 host, a cgroup2 mount (rooted at the
 * container's cgroup when it has a cgroup namespace).  On hybrid and v1
 * hosts, the container's own cgroup of each hierarchy (rootfs-cgroup.c).
 * Where cgroup2 cannot be mounted (a user namespace without a cgroup
 * namespace), the host's /sys/fs/cgroup tree is bound, always read-only
 * so the container cannot reach other cgroups. */
static int mount_cgroup(const struct mnt *m, struct husk_error **err)
{
	struct statfs sfs;
	if (statfs("/sys/fs/cgroup", &sfs) < 0)
		return husk_error_set(err, errno, "statfs \"/sys/fs/cgroup\"");
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return husk_mount_cgroup_v1_tree(m->root_fd, m->dest, m->o.flags,
		                                 m->opts->new_cgroup_ns, err);

	_cleanup_close_ int fd = husk_root_mkpath(m->root_fd, m->dest, HUSK_ROOT_DIR, err);
	if (fd < 0)
		return -1;
	const char *src = m->spec->source && *m->spec->source ? m->spec->source : "cgroup";
	char buf[32];
	if (mount(src, husk_fd_path(fd, buf), "cgroup2", m->o.flags, m->o.data) < 0) {
		if (errno == EPERM || errno == EBUSY)
			return bind_fallback(m, "/sys/fs/cgroup", true, err);
		return husk_error_set(err, errno, "mount \"%s\" on \"%s\"", src, m->dest);
	}
	return after_mount(m, err);
}

/* Only procfs may cover /proc: anything else there could hide or replace
 * the files that the kernel's protections rely on (and the LSM attr files
 * lsm.c writes labels to: CVE-2019-16884).  Inside /proc only the files
 * lxcfs emulates may be covered (runc's list). */
static bool proc_file_allowed(const char *dest)
{
	static const char *const allowed[] = {"/proc/cpuinfo", "/proc/diskstats",
	                                      "/proc/meminfo", "/proc/stat",
	                                      "/proc/swaps",   "/proc/uptime",
	                                      "/proc/loadavg", "/proc/slabinfo",
	                                      "/proc/net/dev", "/proc/sys/kernel/ns_last_pid"};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(allowed); i++)
		if (strcmp(dest, allowed[i]) == 0)
			return true;
	return false;
}

/* The rules for one container path: the one written in the config, or the
 * one it resolves to through the rootfs's symlinks. */
static int check_proc_path(const struct mnt *m, const char *path, bool bind,
                           struct husk_error **err)
{
	if (strncmp(path, "/proc", 5) != 0 || (path[5] != '\0' && path[5] != '/'))
		return 0;
	if (path[5] == '/')
		return proc_file_allowed(path) ? 0
		                               : husk_error_set(err, 0,
		                                                "mount on \"%s\": only proc may be "
		                                                "mounted in /proc",
		                                                m->dest);
	if (!bind) {
		if (m->type && strcmp(m->type, "proc") == 0)
			return 0;
		return husk_error_set(
		    err, 0,
		    "mount on \"%s\": only proc may be mounted in /proc, got type "
		    "\"%s\"",
		    m->dest, m->type ? m->type : "");
	}
	/* a bind of a real procfs (rootless setups pass the host's) is fine */
	const char *src = m->spec->source ? m->spec->source : "";
	_cleanup_free_ char *host_src =
	    src[0] == '/' ? xstrdup(src) : xasprintf("%s/%s", m->opts->bundle, src);
	struct statfs sfs;
	if (statfs(host_src, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return husk_error_set(
		    err, 0,
		    "mount on \"%s\": only proc may be mounted in /proc, bind source "
		    "\"%s\" is not a procfs",
		    m->dest, src);
	return 0;
}

/* The container path dest resolves to inside the root, NULL when it does
 * not exist (yet). */
static char *resolved_dest(const struct mnt *m)
{
	_cleanup_close_ int fd = husk_root_open(m->root_fd, m->dest);
	return fd < 0 ? NULL : husk_root_path_of(m->root_fd, fd);
}

/* Before the mount: the path as written and as resolved (a symlink in the
 * rootfs may lead a harmless-looking destination onto /proc). */
static int check_proc_dest(const struct mnt *m, bool bind, bool *ret_covers_proc,
                           struct husk_error **err)
{
	_cleanup_free_ char *real = resolved_dest(m);
	*ret_covers_proc = strcmp(m->dest, "/proc") == 0 || (real && strcmp(real, "/proc") == 0);
	if (check_proc_path(m, m->dest, bind, err) < 0)
		return -1;
	return real && strcmp(real, m->dest) != 0 ? check_proc_path(m, real, bind, err) : 0;
}

/* After it: whatever now covers the container's /proc must be procfs, by
 * the file system's own word rather than by what the config called it. */
static int check_proc_mounted(int root_fd, const char *dest, struct husk_error **err)
{
	_cleanup_close_ int fd = husk_root_open(root_fd, "/proc");
	struct statfs sfs;
	if (fd < 0 || fstatfs(fd, &sfs) < 0)
		return husk_error_set(err, errno, "mount on \"%s\": stat \"/proc\"", dest);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return husk_error_set(err, 0, "mount on \"%s\": \"/proc\" is not a procfs", dest);
	return 0;
}

/* Attaches the idmapped tree the parent prepared, then applies the entry's
 * flags and propagation as for any bind. */
static int mount_idmapped(const struct mnt *m, int tree_fd, struct husk_error **err)
{
	struct stat st;
	if (fstat(tree_fd, &st) < 0)
		return husk_error_set(err, errno, "mount on \"%s\": stat source", m->dest);
	enum husk_root_kind kind = S_ISDIR(st.st_mode) ? HUSK_ROOT_DIR : HUSK_ROOT_FILE;
	_cleanup_close_ int fd = husk_root_mkpath(m->root_fd, m->dest, kind, err);
	if (fd < 0)
		return -1;
	if (move_mount(tree_fd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return husk_error_set(err, errno, "mount idmapped \"%s\" on \"%s\"",
		                      m->spec->source, m->dest);
	unsigned long extra = m->o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	if (extra && remount_bind(m, extra, err) < 0)
		return -1;
	return after_mount(m, err);
}

static int mount_by_kind(struct mnt *m, size_t index, bool bind, struct husk_error **err)
{
	/* The parent made the tree (husk_rootfs_parent_prepare, or the
	 * network's files: net/files.h); an idmap entry without one is
	 * refused rather than mounted plain, which would show the wrong owners. */
	if (index < m->opts->n_idmap_fds && m->opts->idmap_fds[index] >= 0)
		return mount_idmapped(m, m->opts->idmap_fds[index], err);
	if (m->o.extensions & (HUSK_MOUNT_EXT_IDMAP | HUSK_MOUNT_EXT_RIDMAP))
		return husk_error_set(err, EOPNOTSUPP,
		                      "mount on \"%s\": idmapped tree not prepared", m->dest);
	if (bind) {
		m->o.flags |= MS_BIND;
		return mount_bind(m, err);
	}
	if (!m->type || !*m->type)
		return husk_error_set(err, 0, "mount on \"%s\" has no type", m->dest);
	if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)
		return mount_cgroup(m, err);
	return mount_fs(m, m->type, err);
}

static int mount_entry(int root_fd, const struct husk_rootfs_options *opts, size_t index,
                       const struct husk_spec_mount *sm, const char *mount_label,
                       struct husk_error **err)
{
	struct mnt m = {.root_fd = root_fd, .opts = opts, .spec = sm, .type = sm->type};
	_cleanup_free_ char *dest = m.dest = husk_path_clean(sm->destination);
	husk_mount_opts_parse(sm->options, sm->n_options, &m.o);
	bool bind = (m.o.flags & MS_BIND) || (m.type && strcmp(m.type, "bind") == 0);
	/* linux.mountLabel as context="..." (lsm.c says on which types) */
	m.o.data = husk_lsm_mount_data(m.type, bind, m.o.data, mount_label);
	_cleanup_free_ char *data = m.o.data; /* released with the entry */
	bool covers_proc = false;
	if (check_proc_dest(&m, bind, &covers_proc, err) < 0 ||
	    mount_by_kind(&m, index, bind, err) < 0)
		return -1;
	return covers_proc ? check_proc_mounted(root_fd, dest, err) : 0;
}

/* /dev is populated unless the config binds one in (runc's rule): a tmpfs
 * /dev, or the rootfs's own /dev directory, gets the default devices. */
static bool needs_dev_setup(const struct husk_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct husk_spec_mount *sm = &spec->mounts[i];
		_cleanup_free_ char *dest = husk_path_clean(sm->destination);
		struct husk_mount_opts o;
		husk_mount_opts_parse(sm->options, sm->n_options, &o);
		bool bind = (o.flags & MS_BIND) || (sm->type && strcmp(sm->type, "bind") == 0);
		husk_mount_opts_done(&o);
		if (bind && strcmp(dest, "/dev") == 0)
			return false;
	}
	return true;
}

/* The first mounts[] entry of type overlay on "/", or -1.  It replaces the
 * rootfs bind: it is mounted on the rootfs path itself, before every other
 * entry. */
static ssize_t root_overlay_index(const struct husk_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct husk_spec_mount *sm = &spec->mounts[i];
		if (!sm->type || strcmp(sm->type, "overlay") != 0)
			continue;
		_cleanup_free_ char *dest = husk_path_clean(sm->destination);
		if (strcmp(dest, "/") == 0)
			return (ssize_t)i;
	}
	return -1;
}

static int mount_root_overlay(const struct husk_spec_mount *sm, const char *rootfs,
                              struct husk_error **err)
{
	struct husk_mount_opts o;
	husk_mount_opts_parse(sm->options, sm->n_options, &o);
	_cleanup_free_ char *data = o.data;
	const char *src = sm->source && *sm->source ? sm->source : "overlay";
	if (mount(src, rootfs, "overlay", o.flags & ~(MS_BIND | MS_REC), data) < 0)
		return husk_error_set(err, errno, "mount overlay on \"/\"");
	return 0;
}

/* The rootfs mount: pivot_root needs the new root to be a mount point. */
static int mount_root(const struct husk_spec *spec, const struct husk_rootfs_options *opts,
                      ssize_t root_idx, struct husk_error **err)
{
	if (opts->overlay && root_idx >= 0)
		return husk_error_set(err, 0,
		                      "annotation \"%s\" and an overlay mount on \"/\" both "
		                      "define the rootfs",
		                      HUSK_ANNOTATION_OVERLAY);
	if (opts->overlay)
		return husk_overlay_mount(opts->overlay, opts->rootfs, err);
	if (root_idx >= 0)
		return mount_root_overlay(&spec->mounts[root_idx], opts->rootfs, err);
	if (mount(opts->rootfs, opts->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return husk_error_set(err, errno, "bind \"%s\" on itself", opts->rootfs);
	return 0;
}

int husk_rootfs_prepare(const struct husk_spec *spec, const struct husk_rootfs_options *opts,
                        struct husk_error **err)
{
	unsigned long prop;
	if (root_propagation(spec, &prop, err) < 0)
		return -1;
	/* Applied to our copy of the host's tree first, so nothing mounted
	 * below reaches the host (unless "shared" is asked for). */
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return husk_error_set(err, errno, "set propagation of \"/\"");
	/* Before the rootfs mount: it looks up the mount holding the path. */
	if (make_parent_private(opts->rootfs, err) < 0)
		return -1;
	ssize_t root_idx = root_overlay_index(spec);
	if (mount_root(spec, opts, root_idx, err) < 0)
		return -1;
	_cleanup_close_ int root_fd = open(opts->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", opts->rootfs);

	const char *label = spec->linux_ ? spec->linux_->mount_label : NULL;
	for (size_t i = 0; i < spec->n_mounts; i++)
		if ((ssize_t)i != root_idx &&
		    mount_entry(root_fd, opts, i, &spec->mounts[i], label, err) < 0)
			return -1;
	if (needs_dev_setup(spec) && husk_devices_setup(root_fd, spec, opts->in_user_ns, err) < 0)
		return -1;
	return 0;
}

/* --no-pivot: for roots pivot_root cannot leave (an initramfs).  The old
 * root stays reachable to a process that can escape the chroot. */
static int move_root(const char *rootfs, struct husk_error **err)
{
	if (chdir(rootfs) < 0)
		return husk_error_set(err, errno, "chdir \"%s\"", rootfs);
	if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return husk_error_set(err, errno, "move \"%s\" to \"/\"", rootfs);
	if (chroot(".") < 0)
		return husk_error_set(err, errno, "chroot \"%s\"", rootfs);
	if (chdir("/") < 0)
		return husk_error_set(err, errno, "chdir \"/\"");
	return 0;
}

int husk_rootfs_pivot(const struct husk_rootfs_options *opts, struct husk_error **err)
{
	if (opts->no_pivot)
		return move_root(opts->rootfs, err);

	_cleanup_close_ int old_fd = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (old_fd < 0)
		return husk_error_set(err, errno, "open \"/\"");
	_cleanup_close_ int new_fd = open(opts->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (new_fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", opts->rootfs);
	/* pivot_root(".", "."): the old root ends up stacked on the new one, so
	 * no put_old directory has to exist in (or be left in) the rootfs. */
	if (fchdir(new_fd) < 0)
		return husk_error_set(err, errno, "chdir \"%s\"", opts->rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return husk_error_set(err, errno, "pivot_root \"%s\"", opts->rootfs);
	if (fchdir(old_fd) < 0)
		return husk_error_set(err, errno, "chdir to the old root");
	/* With "shared" root propagation the detach below would otherwise
	 * propagate to the host's peers and unmount the host's tree. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return husk_error_set(err, errno, "make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return husk_error_set(err, errno, "unmount the old root");
	if (chdir("/") < 0)
		return husk_error_set(err, errno, "chdir \"/\"");
	return 0;
}

int husk_rootfs_finalize(const struct husk_spec *spec, struct husk_error **err)
{
	/* The configured propagation once more, now on the container's own
	 * root: before pivot it applied to our copy of the host's "/". */
	if (spec->linux_ && spec->linux_->rootfs_propagation) {
		unsigned long prop;
		if (root_propagation(spec, &prop, err) < 0)
			return -1;
		if (mount(NULL, "/", NULL, prop, NULL) < 0)
			return husk_error_set(err, errno, "set propagation of \"/\"");
	}
	if (!spec->root || !spec->root->readonly)
		return 0;
	struct statvfs st;
	if (statvfs("/", &st) < 0)
		return husk_error_set(err, errno, "statvfs \"/\"");
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(&st, 0);
	if (mount(NULL, "/", NULL, flags, NULL) < 0)
		return husk_error_set(err, errno, "remount \"/\" read-only");
	return 0;
}
