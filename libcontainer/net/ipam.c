/* The address allocator's file and its lock.  The file is small text so a
 * person can read what husk handed out; it is replaced atomically, so a
 * crash leaves the old or the new allocation, never half of one. */
#include "net/ipam.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "net/files.h"
#include "util/file.h"
#include "util/xalloc.h"

#define IPAM_MAX_BYTES (8 * 1024 * 1024)

static int by_address(const void *a, const void *b)
{
	const struct husk_ipam_entry *x = a, *y = b;
	return x->address < y->address ? -1 : x->address > y->address;
}

static void add_entry(struct husk_ipam *ipam, uint32_t address, const char *id)
{
	ipam->entries = xreallocarray(ipam->entries, ipam->n + 1, sizeof(*ipam->entries));
	ipam->entries[ipam->n].address = address;
	ipam->entries[ipam->n].id = xstrdup(id);
	ipam->n++;
	qsort(ipam->entries, ipam->n, sizeof(*ipam->entries), by_address);
}

static int parse_line(char *line, const char *name, unsigned no, bool *have_subnet,
                      struct husk_ipam *ipam, struct husk_error **err)
{
	char *sp = strchr(line, ' ');
	if (!sp)
		return husk_error_set(err, 0, "%s:%u: expected two fields", name, no);
	*sp = '\0';
	const char *value = sp + 1;
	if (strcmp(line, "subnet") == 0) {
		const char *why = NULL;
		if (*have_subnet || husk_net_parse_subnet(value, &ipam->subnet, &why) < 0)
			return husk_error_set(err, 0, "%s:%u: bad subnet \"%s\"", name, no, value);
		*have_subnet = true;
		return 0;
	}
	uint32_t address;
	if (!*have_subnet || husk_net_parse_ipv4(line, &address) < 0 || !*value ||
	    strchr(value, ' '))
		return husk_error_set(err, 0, "%s:%u: bad entry", name, no);
	for (size_t i = 0; i < ipam->n; i++)
		if (ipam->entries[i].address == address)
			return husk_error_set(err, 0, "%s:%u: address given twice", name, no);
	add_entry(ipam, address, value);
	return 0;
}

int husk_ipam_parse(const char *text, const char *name, struct husk_ipam *ret,
                    struct husk_error **err)
{
	struct husk_ipam ipam = {0};
	_cleanup_free_ char *copy = xstrdup(text);
	bool have_subnet = false;
	unsigned no = 0;
	for (char *line = copy, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		no++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (parse_line(line, name, no, &have_subnet, &ipam, err) < 0) {
			husk_ipam_free(&ipam);
			return -1;
		}
	}
	if (!have_subnet)
		return husk_error_set(err, 0, "%s: no subnet line", name);
	*ret = ipam;
	return 0;
}

char *husk_ipam_format(const struct husk_ipam *ipam)
{
	char net[16], addr[16];
	size_t cap = 128, len = 0;
	char *out = xmalloc(cap);
	len =
	    (size_t)snprintf(out, cap,
	                     "# husk address allocator: the subnet, then \"address id\"\n"
	                     "subnet %s/%u\n",
	                     husk_net_format_ipv4(ipam->subnet.network, net), ipam->subnet.prefix);
	for (size_t i = 0; i < ipam->n; i++) {
		size_t need = len + strlen(ipam->entries[i].id) + 20;
		if (need > cap) {
			cap = need * 2;
			out = xrealloc(out, cap);
		}
		len += (size_t)snprintf(out + len, cap - len, "%s %s\n",
		                        husk_net_format_ipv4(ipam->entries[i].address, addr),
		                        ipam->entries[i].id);
	}
	return out;
}

int husk_ipam_allocate(struct husk_ipam *ipam, const char *id, uint32_t want, uint32_t *ret,
                       struct husk_error **err)
{
	char buf[16];
	if (want) {
		for (size_t i = 0; i < ipam->n; i++)
			if (ipam->entries[i].address == want)
				return husk_error_set(
				    err, 0, "address %s is used by container \"%s\"",
				    husk_net_format_ipv4(want, buf), ipam->entries[i].id);
		add_entry(ipam, want, id);
		*ret = want;
		return 0;
	}
	/* entries are sorted: the first gap above the gateway is the lowest
	 * free address */
	uint32_t candidate = husk_net_gateway(&ipam->subnet) + 1;
	for (size_t i = 0; i < ipam->n && ipam->entries[i].address <= candidate; i++)
		if (ipam->entries[i].address == candidate)
			candidate++;
	if (!husk_net_address_usable(&ipam->subnet, candidate))
		return husk_error_set(err, 0, "no free address left in %s/%u",
		                      husk_net_format_ipv4(ipam->subnet.network, buf),
		                      ipam->subnet.prefix);
	add_entry(ipam, candidate, id);
	*ret = candidate;
	return 0;
}

void husk_ipam_drop(struct husk_ipam *ipam, size_t index)
{
	free(ipam->entries[index].id);
	memmove(&ipam->entries[index], &ipam->entries[index + 1],
	        (ipam->n - index - 1) * sizeof(*ipam->entries));
	ipam->n--;
}

void husk_ipam_free(struct husk_ipam *ipam)
{
	for (size_t i = 0; i < ipam->n; i++)
		free(ipam->entries[i].id);
	free(ipam->entries);
	memset(ipam, 0, sizeof(*ipam));
}

int husk_ipam_lock(const char *root, bool create, int *ret_fd, struct husk_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", root, HUSK_IPAM_DIR);
	*ret_fd = -1;
	for (;;) {
		if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
			return husk_error_set(err, errno, "create \"%s\"", path);
		_cleanup_close_ int fd =
		    open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && !create)
			return 0;
		if (fd < 0 && errno == ENOENT)
			continue; /* removed by husk_ipam_unlock() between the two */
		if (fd < 0)
			return husk_error_set(err, errno, "open \"%s\"", path);
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return husk_error_set(err, errno, "lock \"%s\"", path);
		/* the last holder may have removed the directory while we
		 * waited: its lock is then worth nothing, take the new one */
		struct stat st;
		if (fstat(fd, &st) < 0)
			return husk_error_set(err, errno, "stat \"%s\"", path);
		if (st.st_nlink == 0) {
			if (!create)
				return 0;
			continue;
		}
		*ret_fd = TAKE_FD(fd);
		return 0;
	}
}

void husk_ipam_unlock(const char *root, int dir_fd)
{
	if (dir_fd < 0)
		return;
	/* gone with the last bridge file, so an unused state root holds
	 * nothing of the network; rmdir fails harmlessly otherwise */
	_cleanup_free_ char *path = xasprintf("%s/%s", root, HUSK_IPAM_DIR);
	(void)rmdir(path);
	close(dir_fd);
}

int husk_ipam_load(int dir_fd, const char *bridge, struct husk_ipam *ret, bool *ret_found,
                   struct husk_error **err)
{
	_cleanup_free_ char *name = xasprintf("%s%s", bridge, HUSK_IPAM_SUFFIX);
	_cleanup_free_ char *text = NULL;
	struct husk_error *tmp = NULL;
	memset(ret, 0, sizeof(*ret));
	*ret_found = false;
	if (read_file_at(dir_fd, name, IPAM_MAX_BYTES, &text, NULL, &tmp) < 0) {
		if (tmp->errnum == ENOENT) {
			husk_error_release(&tmp);
			return 0;
		}
		/* tmp's message already ends in strerror: hand it over whole */
		if (err && !*err)
			*err = tmp;
		else
			husk_error_release(&tmp);
		return -1;
	}
	if (husk_ipam_parse(text, name, ret, err) < 0)
		return -1;
	*ret_found = true;
	return 0;
}

int husk_ipam_store(int dir_fd, const char *bridge, const struct husk_ipam *ipam,
                    struct husk_error **err)
{
	_cleanup_free_ char *name = xasprintf("%s%s", bridge, HUSK_IPAM_SUFFIX);
	if (ipam->n == 0) {
		if (unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT)
			return husk_error_set(err, errno, "remove \"%s\"", name);
		return 0;
	}
	_cleanup_free_ char *text = husk_ipam_format(ipam);
	return write_file_atomic(dir_fd, name, text, strlen(text), 0600, err);
}

int husk_ipam_bridges(int dir_fd, char ***ret, size_t *ret_n, struct husk_error **err)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "open allocator directory");
	_cleanup_(closedirp) DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return husk_error_set(err, errno, "open allocator directory");
	}
	char **names = NULL;
	size_t n = 0, suffix = strlen(HUSK_IPAM_SUFFIX);
	for (struct dirent *de; (de = readdir(d));) {
		size_t len = strlen(de->d_name);
		if (len <= suffix || strcmp(de->d_name + len - suffix, HUSK_IPAM_SUFFIX) != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrndup(de->d_name, len - suffix);
	}
	*ret = names;
	*ret_n = n;
	return 0;
}
