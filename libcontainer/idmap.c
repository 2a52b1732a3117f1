/* Idmapped mounts, prepared by the parent: a helper process in a fresh user
 * namespace carries the mount's mappings, open_tree(OPEN_TREE_CLONE) makes a
 * detached copy of the source, mount_setattr(MOUNT_ATTR_IDMAP) maps it, and
 * the fd goes to the init, which attaches it with move_mount (rootfs.c).
 */
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "mount-opts.h"
#include "rootfs-path.h"
#include "util/xalloc.h"

static int write_map(pid_t pid, const char *file, const struct husk_spec_id_mapping *m, size_t n,
                     struct husk_error **err)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int)pid, file);
	_cleanup_free_ char *text = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *next =
		    xasprintf("%s%u %u %u\n", text, m[i].container_id, m[i].host_id, m[i].size);
		free(text);
		text = next;
	}
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", path);
	/* the kernel takes a map in one write or not at all */
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return husk_error_set(err, errno, "write \"%s\"", path);
	return 0;
}

int husk_idmap_userns(const struct husk_spec_id_mapping *uids, size_t n_uids,
                      const struct husk_spec_id_mapping *gids, size_t n_gids,
                      struct husk_error **err)
{
	/* A raw clone: the child only waits to be killed, so none of the
	 * caller's state (locks, buffers) matters to it. */
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid < 0)
		return husk_error_set(err, errno, "create a user namespace for an idmapped mount");
	if (pid == 0) {
		for (;;)
			pause();
	}
	int fd = -1;
	if (write_map((pid_t)pid, "uid_map", uids, n_uids, err) == 0 &&
	    write_map((pid_t)pid, "gid_map", gids, n_gids, err) == 0) {
		_cleanup_free_ char *ns = xasprintf("/proc/%ld/ns/user", pid);
		fd = open(ns, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			husk_error_set(err, errno, "open \"%s\"", ns);
	}
	kill((pid_t)pid, SIGKILL);
	while (waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}

/* One entry: a detached, idmapped copy of its source. */
static int prepare_entry(const struct husk_spec_mount *sm, const struct husk_mount_opts *o,
                         const char *bundle, int *ret_fd, struct husk_error **err)
{
	if (sm->n_uid_mappings == 0 || sm->n_gid_mappings == 0)
		return husk_error_set(err, 0, "uidMappings and gidMappings are required");
	bool bind = (o->flags & MS_BIND) || (sm->type && strcmp(sm->type, "bind") == 0);
	if (!bind || !sm->source || !*sm->source)
		return husk_error_set(err, 0, "only bind mounts with a source can be idmapped");
	_cleanup_free_ char *src =
	    sm->source[0] == '/' ? xstrdup(sm->source) : xasprintf("%s/%s", bundle, sm->source);
	bool ridmap = o->extensions & HUSK_MOUNT_EXT_RIDMAP;
	unsigned tree_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	if (ridmap || (o->flags & MS_REC))
		tree_flags |= AT_RECURSIVE;
	_cleanup_close_ int tree_fd = open_tree(AT_FDCWD, src, tree_flags);
	if (tree_fd < 0)
		return husk_error_set(err, errno, "clone \"%s\"", src);
	_cleanup_close_ int userns_fd = husk_idmap_userns(
	    sm->uid_mappings, sm->n_uid_mappings, sm->gid_mappings, sm->n_gid_mappings, err);
	if (userns_fd < 0)
		return -1;
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
	unsigned at = AT_EMPTY_PATH | (ridmap ? AT_RECURSIVE : 0);
	if (mount_setattr(tree_fd, "", at, &attr, sizeof(attr)) < 0)
		return husk_error_set(err, errno, "idmap \"%s\"", src);
	*ret_fd = TAKE_FD(tree_fd);
	return 0;
}

int husk_idmap_prepare(const struct husk_spec *spec, const char *bundle, int **ret_fds,
                       struct husk_error **err)
{
	*ret_fds = NULL;
	int *fds = NULL;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct husk_spec_mount *sm = &spec->mounts[i];
		struct husk_mount_opts o;
		husk_mount_opts_parse(sm->options, sm->n_options, &o);
		int r = 0;
		if (o.extensions & (HUSK_MOUNT_EXT_IDMAP | HUSK_MOUNT_EXT_RIDMAP)) {
			if (!fds) {
				fds = xmalloc(spec->n_mounts * sizeof(int));
				for (size_t k = 0; k < spec->n_mounts; k++)
					fds[k] = -1;
			}
			r = prepare_entry(sm, &o, bundle, &fds[i], err);
		}
		husk_mount_opts_done(&o);
		if (r < 0) {
			husk_idmap_release(fds, spec->n_mounts);
			return husk_error_prefix(err, "mount on \"%s\": idmap", sm->destination);
		}
	}
	*ret_fds = fds;
	return 0;
}

void husk_idmap_release(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}
