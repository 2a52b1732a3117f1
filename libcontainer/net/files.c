/* The name-resolution files of a networked container.  They live in the
 * state directory, so they go with it, and are bind-mounted read-write as
 * Docker does (a program may rewrite its /etc/hosts); the bundle's own
 * mounts of the same paths win. */
#include "net/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "net/config.h"
#include "rootfs-path.h"
#include "util/arena.h"
#include "util/file.h"
#include "util/xalloc.h"

#define RESOLV_MAX_BYTES (64 * 1024)

static const char *const file_names[HUSK_NET_FILES_COUNT] = {"hosts", "hostname", "resolv.conf"};

char *husk_net_hosts_text(const char *hostname, uint32_t address)
{
	char a[16];
	return xasprintf("127.0.0.1\tlocalhost\n"
	                 "::1\tlocalhost ip6-localhost ip6-loopback\n"
	                 "%s\t%s\n",
	                 husk_net_format_ipv4(address, a), hostname);
}

static bool loopback_nameserver(const char *line)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "nameserver", 10) != 0 || (p[10] != ' ' && p[10] != '\t'))
		return false;
	p += 10;
	while (*p == ' ' || *p == '\t')
		p++;
	return strncmp(p, "127.", 4) == 0 || strncmp(p, "::1", 3) == 0;
}

char *husk_net_resolv_text(const char *host_resolv)
{
	size_t len = strlen(host_resolv);
	char *out = xmalloc(len + 2);
	size_t n = 0;
	for (const char *line = host_resolv; *line;) {
		const char *end = strchr(line, '\n');
		size_t l = end ? (size_t)(end - line) : strlen(line);
		_cleanup_free_ char *copy = xstrndup(line, l);
		if (!loopback_nameserver(copy)) {
			memcpy(out + n, line, l);
			n += l;
			out[n++] = '\n';
		}
		line += l + (end ? 1 : 0);
	}
	out[n] = '\0';
	return out;
}

static bool has_nameserver(const char *text)
{
	for (const char *p = text; (p = strstr(p, "nameserver")); p++)
		if (p == text || p[-1] == '\n')
			return true;
	return false;
}

/* The host's resolv.conf, filtered; where that leaves no nameserver and
 * systemd-resolved runs, its list of real upstream servers instead. */
static char *resolv_for_container(void)
{
	static const char *const sources[] = {"/etc/resolv.conf",
	                                      "/run/systemd/resolve/resolv.conf"};
	char *best = NULL;
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(sources); i++) {
		_cleanup_free_ char *text = NULL;
		struct husk_error *tmp = NULL;
		/* followed: /etc/resolv.conf is a symlink under resolvconf,
		 * NetworkManager and systemd-resolved */
		_cleanup_close_ int fd = open(sources[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (read_all_fd(fd, RESOLV_MAX_BYTES, &text, NULL, &tmp) < 0) {
			husk_error_release(&tmp);
			continue;
		}
		char *filtered = husk_net_resolv_text(text);
		if (has_nameserver(filtered)) {
			free(best);
			return filtered;
		}
		if (!best)
			best = filtered;
		else
			free(filtered);
	}
	return best ? best : xstrdup("");
}

static bool bundle_mounts(const struct husk_spec *spec, const char *dest)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		_cleanup_free_ char *clean = husk_path_clean(spec->mounts[i].destination);
		if (strcmp(clean, dest) == 0)
			return true;
	}
	return false;
}

static void append_mount(struct husk_spec *spec, const char *dest, const char *source)
{
	struct husk_arena *a = spec->arena;
	struct husk_spec_mount *m = husk_arena_array(a, spec->n_mounts + 1, sizeof(*m));
	if (spec->n_mounts)
		memcpy(m, spec->mounts, spec->n_mounts * sizeof(*m));
	struct husk_spec_mount *new = &m[spec->n_mounts];
	new->destination = husk_arena_strdup(a, dest);
	new->type = husk_arena_strdup(a, "bind");
	new->source = husk_arena_strdup(a, source);
	new->options = husk_arena_array(a, 1, sizeof(char *));
	new->options[0] = husk_arena_strdup(a, "bind");
	new->n_options = 1;
	spec->mounts = m;
	spec->n_mounts++;
}

int husk_net_files_add(struct husk_spec *spec, int state_dir_fd, const char *state_dir,
                       const char *id, uint32_t address, struct husk_net_files *ret,
                       struct husk_error **err)
{
	memset(ret, 0, sizeof(*ret));
	if (mkdirat(state_dir_fd, HUSK_NET_FILES_DIR, 0755) < 0 && errno != EEXIST)
		return husk_error_set(err, errno, "create \"%s/%s\"", state_dir,
		                      HUSK_NET_FILES_DIR);
	_cleanup_close_ int dir_fd = openat(state_dir_fd, HUSK_NET_FILES_DIR,
	                                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0)
		return husk_error_set(err, errno, "open \"%s/%s\"", state_dir, HUSK_NET_FILES_DIR);
	const char *hostname = spec->hostname && *spec->hostname ? spec->hostname : id;
	char *texts[HUSK_NET_FILES_COUNT] = {husk_net_hosts_text(hostname, address),
	                                     xasprintf("%s\n", hostname), resolv_for_container()};
	int r = 0;
	for (size_t i = 0; i < HUSK_NET_FILES_COUNT; i++) {
		_cleanup_free_ char *dest = xasprintf("/etc/%s", file_names[i]);
		ret->mount_index[i] = -1;
		if (r == 0 && !bundle_mounts(spec, dest)) {
			r = write_file_atomic(dir_fd, file_names[i], texts[i], strlen(texts[i]),
			                      0644, err);
			if (r == 0) {
				ret->path[i] = xasprintf("%s/%s/%s", state_dir, HUSK_NET_FILES_DIR,
				                         file_names[i]);
				ret->mount_index[i] = (int)spec->n_mounts;
				append_mount(spec, dest, ret->path[i]);
			}
		}
		free(texts[i]);
	}
	if (r < 0)
		husk_net_files_done(ret);
	return r;
}

void husk_net_files_done(struct husk_net_files *f)
{
	for (size_t i = 0; i < HUSK_NET_FILES_COUNT; i++) {
		free(f->path[i]);
		f->path[i] = NULL;
	}
}

int husk_net_files_trees(const struct husk_net_files *f, size_t n_mounts, int **fds, size_t *n_fds,
                         struct husk_error **err)
{
	if (!*fds) {
		*fds = xmalloc(n_mounts * sizeof(int));
		for (size_t i = 0; i < n_mounts; i++)
			(*fds)[i] = -1;
		*n_fds = n_mounts;
	}
	for (size_t i = 0; i < HUSK_NET_FILES_COUNT; i++) {
		int index = f->mount_index[i];
		if (index < 0 || (size_t)index >= *n_fds)
			continue;
		int fd = open_tree(AT_FDCWD, f->path[i], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (fd < 0)
			return husk_error_set(err, errno, "clone \"%s\"", f->path[i]);
		(*fds)[index] = fd;
	}
	return 0;
}
