/* The compiled-filter cache.  libseccomp takes about 10 ms to turn Docker's
 * default profile (some 350 syscall names) into BPF, more than the rest of
 * a container's start; Docker, containerd and podman pass that same profile
 * for nearly every container.  So the BPF program and the flags it is
 * loaded with are kept under the state root in .cache/seccomp/, named by a
 * SHA-256 of all they depend on, and a hit is loaded with seccomp(2)
 * without libseccomp being involved at all.
 *
 * The key covers every field of linux.seccomp, length-prefixed so that no
 * two profiles serialise alike, plus libseccomp's version (name-to-number
 * tables, code generation), the native architecture and husk's version.
 * Entries are only ever written whole (atomic rename) by husk running as
 * the state root's owner in a 0700 directory, and read back with a size
 * check.  The cache is bounded: past MAX_ENTRIES it is emptied and starts
 * again. */
#include "seccomp-cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/file.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#define MAGIC       "husk-seccomp-1\n"
#define MAX_ENTRIES 128

#ifndef HUSK_VERSION
#define HUSK_VERSION "unknown"
#endif
#ifndef HUSK_COMMIT
#define HUSK_COMMIT "unknown"
#endif

char *husk_seccomp_cache_dir(const char *state_root)
{
	return xasprintf("%s/.cache/seccomp", state_root);
}

static void put_str(struct husk_sha256 *c, const char *s)
{
	uint64_t len = s ? strlen(s) + 1 : 0; /* NULL and "" differ */
	husk_sha256_update(c, &len, sizeof(len));
	if (s)
		husk_sha256_update(c, s, len);
}

static void put_u64(struct husk_sha256 *c, uint64_t v)
{
	husk_sha256_update(c, &v, sizeof(v));
}

static void put_strs(struct husk_sha256 *c, char *const *v, size_t n)
{
	put_u64(c, n);
	for (size_t i = 0; i < n; i++)
		put_str(c, v[i]);
}

void husk_seccomp_cache_key(const struct husk_spec_seccomp *sc, char key[65])
{
	struct husk_sha256 c;
	husk_sha256_init(&c);
	const struct scmp_version *v = seccomp_version();
	char versions[160];
	struct utsname u;
	snprintf(versions, sizeof(versions), "husk %s %s; libseccomp %u.%u.%u; %s", HUSK_VERSION,
	         HUSK_COMMIT, v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0,
	         uname(&u) == 0 ? u.machine : "?");
	put_str(&c, versions);
	put_str(&c, sc->default_action);
	put_u64(&c, sc->has_default_errno_ret);
	put_u64(&c, sc->default_errno_ret);
	put_strs(&c, sc->architectures, sc->n_architectures);
	put_strs(&c, sc->flags, sc->n_flags);
	put_str(&c, sc->listener_path);
	put_str(&c, sc->listener_metadata);
	put_u64(&c, sc->n_syscalls);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct husk_spec_seccomp_syscall *s = &sc->syscalls[i];
		put_strs(&c, s->names, s->n_names);
		put_str(&c, s->action);
		put_u64(&c, s->has_errno_ret);
		put_u64(&c, s->errno_ret);
		put_u64(&c, s->n_args);
		for (size_t a = 0; a < s->n_args; a++) {
			put_u64(&c, s->args[a].index);
			put_u64(&c, s->args[a].value);
			put_u64(&c, s->args[a].has_value_two);
			put_u64(&c, s->args[a].value_two);
			put_str(&c, s->args[a].op);
		}
	}
	husk_sha256_final_hex(&c, key);
}

/* An entry: MAGIC, then kernel flags, notify and length as fixed-size
 * fields, then the instructions. */
struct entry_header {
	uint32_t kernel_flags;
	uint32_t notify;
	uint32_t len;
};

bool husk_seccomp_cache_read(const char *dir, const char *key, struct husk_seccomp_program *ret)
{
	_cleanup_close_ int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t n = 0;
	struct husk_error *err = NULL;
	const size_t max =
	    sizeof(MAGIC) + sizeof(struct entry_header) + BPF_MAXINSNS * sizeof(struct sock_filter);
	if (dir_fd < 0)
		return false;
	if (read_file_at(dir_fd, key, max, &buf, &n, &err) < 0) {
		husk_error_release(&err);
		return false;
	}
	const size_t head = strlen(MAGIC) + sizeof(struct entry_header);
	struct entry_header h;
	if (n < head || memcmp(buf, MAGIC, strlen(MAGIC)) != 0)
		return false;
	memcpy(&h, buf + strlen(MAGIC), sizeof(h));
	if (h.len == 0 || h.len > BPF_MAXINSNS || h.notify > 1 ||
	    n != head + (size_t)h.len * sizeof(struct sock_filter))
		return false;
	ret->insns = xmalloc((size_t)h.len * sizeof(struct sock_filter));
	memcpy(ret->insns, buf + head, (size_t)h.len * sizeof(struct sock_filter));
	ret->len = (unsigned short)h.len;
	ret->kernel_flags = h.kernel_flags;
	ret->notify = h.notify;
	return true;
}

/* Empties a cache that grew past MAX_ENTRIES (profiles that change with
 * every container would otherwise fill it for good). */
static void bound_entries(int dir_fd)
{
	int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	size_t count = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		count += de->d_name[0] != '.';
	if (count >= MAX_ENTRIES) {
		rewinddir(d);
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				unlinkat(dir_fd, de->d_name, 0);
	}
	closedir(d);
}

void husk_seccomp_cache_write(const char *dir, const char *key,
                              const struct husk_seccomp_program *p)
{
	struct husk_error *err = NULL;
	if (mkdir_p(dir, 0700, &err) < 0) {
		husk_error_release(&err);
		return;
	}
	_cleanup_close_ int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0)
		return;
	bound_entries(dir_fd);
	const size_t body = (size_t)p->len * sizeof(struct sock_filter);
	const size_t head = strlen(MAGIC) + sizeof(struct entry_header);
	_cleanup_free_ char *buf = xmalloc(head + body);
	struct entry_header h = {
	    .kernel_flags = p->kernel_flags, .notify = p->notify, .len = p->len};
	memcpy(buf, MAGIC, strlen(MAGIC));
	memcpy(buf + strlen(MAGIC), &h, sizeof(h));
	memcpy(buf + head, p->insns, body);
	if (write_file_atomic(dir_fd, key, buf, head + body, 0600, &err) < 0)
		husk_error_release(&err);
}
