/* linux.sysctl and linux.personality.
 *
 * The parent refuses, at create, a sysctl that would reach past the
 * container: only keys of a namespace the container owns (IPC, network,
 * UTS) may be set, so nothing written here can change the host.  The init
 * then writes the values under its own /proc/sys.  Keys come in either
 * sysctl(8) form: "net.ipv4.ip_forward" or "net/ipv4/conf/eth0.100/rp_filter"
 * (in the second, dots belong to the names).  Which mount /proc is, and
 * masking it, are the rootfs's and paths.c's business.
 */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/xalloc.h"

/* The IPC namespace's own sysctls (ipc/ipc_sysctl.c and ipc/mq_sysctl.c);
 * every other "kernel." key is global. */
static const char *const ipc_keys[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shm_rmid_forced", "kernel.shmmni",
};

/* The separator of a key is whichever of '.' and '/' comes first. */
static char key_separator(const char *key)
{
	size_t n = strcspn(key, "./");
	return key[n] == '/' ? '/' : '.';
}

/* The key with '.' between its components, for matching against names.
 * (The slash form may hold dots inside a component: they stay.)  Caller
 * frees. */
static char *dotted_key(const char *key)
{
	char *s = xstrdup(key);
	if (key_separator(key) == '/')
		for (char *p = s; *p; p++)
			if (*p == '/')
				*p = '.';
	return s;
}

/* The path under /proc/sys: the dotted form swaps '.' and '/', as an
 * interface name such as "eth0.100" must be written "eth0/100" there.
 * Fails with NULL on an empty, "." or ".." component, which could leave
 * /proc/sys (the validator refuses those already). */
static char *proc_sys_path(const char *key)
{
	char *s = xstrdup(key);
	if (key_separator(key) == '.')
		for (char *p = s; *p; p++)
			*p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
	for (const char *c = s;;) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
			free(s);
			return NULL;
		}
		if (!c[n])
			return s;
		c += n + 1;
	}
}

/* ---- the parent's check ---- */

static const struct husk_spec_namespace *find_ns(const struct husk_spec *spec,
                                                 enum husk_ns_type type)
{
	for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
		if (spec->linux_->namespaces[i].type == type)
			return &spec->linux_->namespaces[i];
	return NULL;
}

/* Whether `path` names the namespace husk itself runs in (the host's):
 * joining it by path gives the container nothing of its own.  A path that
 * cannot be read is for husk_ns_plan_build() to report. */
static bool is_own_ns(const char *path, const char *proc_name)
{
	char self[64];
	struct stat a, b;
	snprintf(self, sizeof(self), "/proc/self/ns/%s", proc_name);
	return stat(path, &a) == 0 && stat(self, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static const char *ns_label(enum husk_ns_type type)
{
	switch (type) {
	case HUSK_NS_NETWORK:
		return "network";
	case HUSK_NS_IPC:
		return "IPC";
	default:
		return "UTS";
	}
}

static const char *ns_proc_name(enum husk_ns_type type)
{
	switch (type) {
	case HUSK_NS_NETWORK:
		return "net";
	case HUSK_NS_IPC:
		return "ipc";
	default:
		return "uts";
	}
}

/* Which namespace a key belongs to; false for a global key. */
static bool key_namespace(const char *dotted, enum husk_ns_type *ret)
{
	if (strncmp(dotted, "net.", 4) == 0) {
		*ret = HUSK_NS_NETWORK;
		return true;
	}
	if (strncmp(dotted, "fs.mqueue.", 10) == 0) {
		*ret = HUSK_NS_IPC;
		return true;
	}
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(ipc_keys); i++)
		if (strcmp(dotted, ipc_keys[i]) == 0) {
			*ret = HUSK_NS_IPC;
			return true;
		}
	if (strcmp(dotted, "kernel.hostname") == 0 || strcmp(dotted, "kernel.domainname") == 0) {
		*ret = HUSK_NS_UTS;
		return true;
	}
	return false;
}

/* Why a key may not be set, or NULL when it may; buf holds the text. */
static const char *refusal(const struct husk_spec *spec, const char *key, char *buf, size_t len)
{
	_cleanup_free_ char *dotted = dotted_key(key);
	enum husk_ns_type type;
	if (!key_namespace(dotted, &type))
		return "is not namespaced and cannot be set for a container";
	const struct husk_spec_namespace *ns = find_ns(spec, type);
	if (!ns) {
		snprintf(buf, len, "requires a new %s namespace", ns_label(type));
		return buf;
	}
	if (ns->path && is_own_ns(ns->path, ns_proc_name(type))) {
		snprintf(buf, len, "not allowed in the host's %s namespace", ns_label(type));
		return buf;
	}
	/* Two values for one name, and which wins would depend on the order
	 * of init steps: refuse rather than pick. */
	if (strcmp(dotted, "kernel.hostname") == 0 && spec->hostname)
		return "conflicts with \"hostname\"";
	if (strcmp(dotted, "kernel.domainname") == 0 && spec->domainname)
		return "conflicts with \"domainname\"";
	return NULL;
}

int husk_sysctl_check(const struct husk_spec *spec, struct husk_error **err)
{
	if (!spec->linux_)
		return 0;
	char buf[64];
	for (size_t i = 0; i < spec->linux_->n_sysctl; i++) {
		const char *key = spec->linux_->sysctl[i].key;
		const char *why = refusal(spec, key, buf, sizeof(buf));
		if (why)
			return husk_error_set(err, 0, "linux.sysctl[\"%s\"]: %s", key, why);
	}
	return 0;
}

/* ---- the init's writes ---- */

static int write_one(int dir_fd, const struct husk_kv *kv, struct husk_error **err)
{
	_cleanup_free_ char *rel = proc_sys_path(kv->key);
	if (!rel)
		return husk_error_set(err, EINVAL, "sysctl \"%s\" = \"%s\"", kv->key, kv->value);
	/* O_NOFOLLOW: /proc/sys holds no links, so one would be a trick. */
	_cleanup_close_ int fd = openat(dir_fd, rel, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return husk_error_set(err, errno, "sysctl \"%s\" = \"%s\"", kv->key, kv->value);
	size_t len = strlen(kv->value);
	/* A sysctl takes its value in one write: a short one is a failure. */
	ssize_t n = write(fd, kv->value, len);
	if (n < 0 || (size_t)n != len)
		return husk_error_set(err, n < 0 ? errno : EIO, "sysctl \"%s\" = \"%s\"", kv->key,
		                      kv->value);
	return 0;
}

int husk_sysctl_apply(const struct husk_spec *spec, struct husk_error **err)
{
	if (!spec->linux_ || spec->linux_->n_sysctl == 0)
		return 0;
	_cleanup_close_ int dir_fd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return husk_error_set(err, errno, "open \"/proc/sys\"");
	for (size_t i = 0; i < spec->linux_->n_sysctl; i++)
		if (write_one(dir_fd, &spec->linux_->sysctl[i], err) < 0)
			return -1;
	return 0;
}

/* ---- execution domain ---- */

int husk_personality_apply(const struct husk_spec *spec, struct husk_error **err)
{
	const struct husk_spec_personality *p = spec->linux_ ? spec->linux_->personality : NULL;
	if (!p)
		return 0;
	unsigned long persona;
	if (!p->domain)
		return husk_error_set(err, EINVAL, "personality: no domain");
	if (strcmp(p->domain, "LINUX") == 0)
		persona = PER_LINUX;
	else if (strcmp(p->domain, "LINUX32") == 0)
		persona = PER_LINUX32;
	else
		return husk_error_set(err, EINVAL, "personality \"%s\"", p->domain);
	/* linux.personality.flags: the runtime-spec defines no values yet, so
	 * there is nothing to add to the domain. */
	if (personality(persona) < 0)
		return husk_error_set(err, errno, "personality \"%s\"", p->domain);
	return 0;
}
