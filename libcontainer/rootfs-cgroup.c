/* The container's /sys/fs/cgroup on hosts with cgroup v1 hierarchies
 * (legacy or hybrid), as runc builds it: a tmpfs, and in it a directory
 * per hierarchy the host has under /sys/fs/cgroup (same names, cgroup2 for
 * the unified one) showing the container's own cgroup, never its siblings,
 * plus links for co-mounted controllers (cpu -> cpu,cpuacct).
 *
 * With a cgroup namespace each is a fresh mount, which shows the
 * namespace's root: the container's cgroup (the init joined it before
 * making the namespace).  Without one a fresh mount would show the whole
 * host tree, so the container's directory of each hierarchy, found from
 * /proc/self/cgroup, is bound there instead, always read-only.
 */
#include "rootfs-cgroup.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "rootfs-path.h"
#include "util/xalloc.h"

#define HOST_CGROUP_DIR "/sys/fs/cgroup/"

struct hierarchy {
	char *name;    /* directory under /sys/fs/cgroup: "memory", "cpu,cpuacct" */
	char *fstype;  /* "cgroup" or "cgroup2" */
	char *options; /* v1: the controllers / name=, comma separated */
	char *root;    /* the mount's root in the hierarchy (mountinfo field 4) */
};

/* The super options of a v1 hierarchy less the generic ones. */
static char *v1_options(const char *super)
{
	char *copy = xstrdup(super);
	char *out = xzalloc(strlen(super) + 1);
	char *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "rw") || !strcmp(w, "ro") || !strcmp(w, "relatime"))
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, w);
	}
	free(copy);
	return out;
}

/* Parses one mountinfo line; true when it is a hierarchy under
 * /sys/fs/cgroup/ (the mount point is field 5, the type and super options
 * follow the " - " separator). */
static bool parse_hierarchy(char *line, struct hierarchy *h)
{
	char *sep = strstr(line, " - ");
	if (!sep)
		return false;
	*sep = '\0';
	char *fields[6] = {0};
	char *save = NULL;
	int n = 0;
	for (char *w = strtok_r(line, " ", &save); w && n < 6; w = strtok_r(NULL, " ", &save))
		fields[n++] = w;
	char type[32], source[256], super[512];
	if (n < 5 || sscanf(sep + 3, "%31s %255s %511s", type, source, super) != 3)
		return false;
	const char *point = fields[4];
	if (strncmp(point, HOST_CGROUP_DIR, strlen(HOST_CGROUP_DIR)) != 0)
		return false;
	const char *name = point + strlen(HOST_CGROUP_DIR);
	if (!*name || strchr(name, '/'))
		return false;
	if (strcmp(type, "cgroup") != 0 && strcmp(type, "cgroup2") != 0)
		return false;
	h->name = xstrdup(name);
	h->fstype = xstrdup(type);
	h->options = strcmp(type, "cgroup") == 0 ? v1_options(super) : xstrdup("");
	h->root = xstrdup(fields[3]);
	return true;
}

static void hierarchies_free_one(struct hierarchy *h)
{
	free(h->name);
	free(h->fstype);
	free(h->options);
	free(h->root);
}

static void hierarchies_free(struct hierarchy *hs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hierarchies_free_one(&hs[i]);
	free(hs);
}

/* Whether a mountinfo line mounts /sys/fs/cgroup itself (field 5). */
static bool mounts_cgroup_dir(const char *line)
{
	const char *p = line;
	for (int i = 0; i < 4 && p; i++) {
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	size_t n = strlen(HOST_CGROUP_DIR) - 1; /* without the trailing '/' */
	return p && !strncmp(p, HOST_CGROUP_DIR, n) && p[n] == ' ';
}

static int list_hierarchies(struct hierarchy **ret, size_t *ret_n, struct husk_error **err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return husk_error_set(err, errno, "open /proc/self/mountinfo");
	struct hierarchy *hs = NULL;
	size_t n = 0;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		/* a later mount on /sys/fs/cgroup itself hides the hierarchies
		 * mounted below the earlier one */
		if (mounts_cgroup_dir(line)) {
			hierarchies_free(hs, n);
			hs = NULL;
			n = 0;
			continue;
		}
		struct hierarchy h;
		if (!parse_hierarchy(line, &h))
			continue;
		size_t i = 0;
		while (i < n && strcmp(hs[i].name, h.name) != 0)
			i++;
		if (i < n) { /* mounted over: the later mount is the one seen */
			hierarchies_free_one(&hs[i]);
			hs[i] = h;
			continue;
		}
		hs = xreallocarray(hs, n + 1, sizeof(*hs));
		hs[n++] = h;
	}
	free(line);
	*ret = hs;
	*ret_n = n;
	return 0;
}

static int mount_one(int tmpfs_fd, const struct hierarchy *h, unsigned long flags, const char *dest,
                     struct husk_error **err)
{
	if (mkdirat(tmpfs_fd, h->name, 0755) < 0 && errno != EEXIST)
		return husk_error_set(err, errno, "mkdir \"%s/%s\"", dest, h->name);
	char target[64 + 256];
	snprintf(target, sizeof(target), "/proc/self/fd/%d/%s", tmpfs_fd, h->name);
	const char *data = *h->options ? h->options : NULL;
	if (mount("cgroup", target, h->fstype, flags, data) < 0)
		return husk_error_set(err, errno, "mount %s \"%s\" on \"%s/%s\"", h->fstype,
		                      h->options, dest, h->name);
	return 0;
}

static int read_own(char **ret, struct husk_error **err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return husk_error_set(err, errno, "open /proc/self/cgroup");
	char *buf = NULL;
	size_t len = 0;
	ssize_t n = getdelim(&buf, &len, '\0', f);
	if (n < 0) {
		free(buf);
		return husk_error_set(err, EIO, "read /proc/self/cgroup");
	}
	*ret = buf;
	return 0;
}

/* Whether each of the comma separated controllers is one of options'. */
static bool all_in(const char *controllers, const char *options)
{
	_cleanup_free_ char *have = xasprintf(",%s,", options);
	_cleanup_free_ char *copy = xstrdup(controllers);
	char *save = NULL;
	for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		_cleanup_free_ char *want = xasprintf(",%s,", c);
		if (!strstr(have, want))
			return false;
	}
	return true;
}

/* Our cgroup in h, from /proc/self/cgroup, relative to the mount's root;
 * NULL when it is not below it. */
static char *own_path(const char *own, const struct hierarchy *h)
{
	bool v2 = !strcmp(h->fstype, "cgroup2");
	for (const char *p = own; p && *p;) {
		size_t len = strcspn(p, "\n");
		_cleanup_free_ char *line = xstrndup(p, len);
		p += len;
		p += *p == '\n';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		bool match = v2 ? c1 == line + 1 && line[0] == '0' && c2 == c1 + 1
		                : c2 != c1 + 1 && all_in(c1 + 1, h->options);
		if (!match)
			continue;
		const char *path = c2[1] ? c2 + 1 : "/";
		size_t n = strlen(h->root);
		if (!strcmp(h->root, "/"))
			return xstrdup(path);
		if (strncmp(path, h->root, n) != 0 || (path[n] && path[n] != '/'))
			return NULL;
		return xstrdup(path[n] ? path + n : "/");
	}
	return NULL;
}

/* The container's directory of h, bound read-only.  A hierarchy we are
 * in no cgroup of (none in /proc/self/cgroup) is left an empty dir. */
static int bind_one(int tmpfs_fd, const struct hierarchy *h, const char *own, unsigned long common,
                    const char *dest, struct husk_error **err)
{
	if (mkdirat(tmpfs_fd, h->name, 0755) < 0 && errno != EEXIST)
		return husk_error_set(err, errno, "mkdir \"%s/%s\"", dest, h->name);
	_cleanup_free_ char *path = own_path(own, h);
	if (!path)
		return 0;
	_cleanup_free_ char *src =
	    xasprintf(HOST_CGROUP_DIR "%s%s", h->name, strcmp(path, "/") ? path : "");
	char target[64 + 256];
	snprintf(target, sizeof(target), "/proc/self/fd/%d/%s", tmpfs_fd, h->name);
	if (mount(src, target, NULL, MS_BIND, NULL) < 0)
		return husk_error_set(err, errno, "bind \"%s\" on \"%s/%s\"", src, dest, h->name);
	if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | common, NULL) < 0)
		return husk_error_set(err, errno, "remount \"%s/%s\" read-only", dest, h->name);
	return 0;
}

/* cpu -> cpu,cpuacct and cpuacct -> cpu,cpuacct, unless a hierarchy of
 * that name exists itself. */
static void link_comounted(int tmpfs_fd, const struct hierarchy *hs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!strchr(hs[i].name, ','))
			continue;
		_cleanup_free_ char *copy = xstrdup(hs[i].name);
		char *save = NULL;
		for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
			(void)symlinkat(hs[i].name, tmpfs_fd, w);
	}
}

int husk_mount_cgroup_v1_tree(int root_fd, const char *dest, unsigned long flags, bool own_ns,
                              struct husk_error **err)
{
	_cleanup_close_ int dest_fd = husk_root_mkpath(root_fd, dest, HUSK_ROOT_DIR, err);
	if (dest_fd < 0)
		return -1;
	struct hierarchy *hs = NULL;
	size_t n = 0;
	if (list_hierarchies(&hs, &n, err) < 0)
		return -1;
	int r = -1;
	_cleanup_free_ char *own = NULL;
	char target[64];
	snprintf(target, sizeof(target), "/proc/self/fd/%d", dest_fd);
	unsigned long common = flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
	_cleanup_close_ int tmpfs_fd = -1;
	if (mount("tmpfs", target, "tmpfs", common, "mode=755") < 0) {
		husk_error_set(err, errno, "mount tmpfs on \"%s\"", dest);
		goto out;
	}
	/* dest_fd still names the directory below: a fresh lookup from the
	 * root crosses into the tmpfs */
	tmpfs_fd = husk_root_open(root_fd, dest);
	if (tmpfs_fd < 0) {
		husk_error_set(err, errno, "open \"%s\"", dest);
		goto out;
	}
	char tmpfs_path[64];
	snprintf(tmpfs_path, sizeof(tmpfs_path), "/proc/self/fd/%d", tmpfs_fd);
	if (!own_ns && read_own(&own, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if ((own_ns ? mount_one(tmpfs_fd, &hs[i], flags & ~MS_REMOUNT, dest, err)
		            : bind_one(tmpfs_fd, &hs[i], own, common, dest, err)) < 0)
			goto out;
	link_comounted(tmpfs_fd, hs, n);
	if ((flags & MS_RDONLY) &&
	    mount(NULL, tmpfs_path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | common, NULL) < 0) {
		husk_error_set(err, errno, "remount \"%s\" read-only", dest);
		goto out;
	}
	r = 0;
out:
	hierarchies_free(hs, n);
	return r;
}
