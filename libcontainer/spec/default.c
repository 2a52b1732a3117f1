/* The config.json `husk spec` writes: the same defaults runc's `spec` gives,
 * so bundles made with either runtime behave alike.  The rootless variant
 * maps the caller to root in a new user namespace and drops what an
 * unprivileged user cannot set up: a network namespace (no veth without
 * privilege), a fresh sysfs, cgroup resources and the cgroup mount (there is
 * no delegated cgroup to mount), and devpts' gid= option (gid 5 is unmapped).
 * Writing the file is cmd/'s job; this module only builds the text.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/features.h"
#include "husk/spec.h"
#include "json/json.h"
#include "util/xalloc.h"

enum mount_mode {
	IN_BOTH,
	ROOTFUL_ONLY,
	ROOTLESS_ONLY,
};

struct default_mount {
	const char *destination;
	const char *type;
	const char *source;
	const char *options[8]; /* NULL-terminated */
	enum mount_mode mode;
};

static const struct default_mount default_mounts[] = {
    {"/proc", "proc", "proc", {NULL}, IN_BOTH},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}, IN_BOTH},
    {"/dev/pts",
     "devpts",
     "devpts",
     {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL},
     IN_BOTH},
    {"/dev/shm",
     "tmpfs",
     "shm",
     {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL},
     IN_BOTH},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}, IN_BOTH},
    /* A fresh sysfs needs a network namespace owned by the mounter's user
     * namespace; a rootless container gets a read-only view of the host's. */
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}, ROOTFUL_ONLY},
    {"/sys", "none", "/sys", {"nosuid", "noexec", "nodev", "rbind", "ro", NULL}, ROOTLESS_ONLY},
    {"/sys/fs/cgroup",
     "cgroup",
     "cgroup",
     {"nosuid", "noexec", "nodev", "relatime", "ro", NULL},
     ROOTFUL_ONLY},
};

static const char *const masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/sys/firmware",
    "/proc/scsi",
    "/sys/devices/virtual/powercap",
};

static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};

static void gen_strings(struct json_gen *g, const char *key, const char *const *items, size_t n)
{
	json_gen_key(g, key);
	json_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		json_gen_string(g, items[i]);
	json_gen_array_close(g);
}

static void gen_process(struct json_gen *g)
{
	static const char *const args[] = {"sh"};
	static const char *const env[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
	size_t n_caps = sizeof(default_caps) / sizeof(default_caps[0]);

	json_gen_key(g, "process");
	json_gen_object_open(g);
	json_gen_kv_bool(g, "terminal", true);
	json_gen_key(g, "user");
	json_gen_object_open(g);
	json_gen_kv_u64(g, "uid", 0);
	json_gen_kv_u64(g, "gid", 0);
	json_gen_object_close(g);
	gen_strings(g, "args", args, 1);
	gen_strings(g, "env", env, 2);
	json_gen_kv_string(g, "cwd", "/");
	json_gen_key(g, "capabilities");
	json_gen_object_open(g);
	gen_strings(g, "bounding", default_caps, n_caps);
	gen_strings(g, "effective", default_caps, n_caps);
	gen_strings(g, "permitted", default_caps, n_caps);
	json_gen_object_close(g);
	json_gen_key(g, "rlimits");
	json_gen_array_open(g);
	json_gen_object_open(g);
	json_gen_kv_string(g, "type", "RLIMIT_NOFILE");
	json_gen_kv_u64(g, "hard", 1024);
	json_gen_kv_u64(g, "soft", 1024);
	json_gen_object_close(g);
	json_gen_array_close(g);
	json_gen_kv_bool(g, "noNewPrivileges", true);
	json_gen_object_close(g);
}

static void gen_mount(struct json_gen *g, const struct default_mount *m, bool rootless)
{
	json_gen_object_open(g);
	json_gen_kv_string(g, "destination", m->destination);
	json_gen_kv_string(g, "type", m->type);
	json_gen_kv_string(g, "source", m->source);
	if (m->options[0]) {
		json_gen_key(g, "options");
		json_gen_array_open(g);
		for (const char *const *o = m->options; *o; o++) {
			/* The caller's is the only id a rootless container maps. */
			if (rootless && (!strncmp(*o, "gid=", 4) || !strncmp(*o, "uid=", 4)))
				continue;
			json_gen_string(g, *o);
		}
		json_gen_array_close(g);
	}
	json_gen_object_close(g);
}

static void gen_mounts(struct json_gen *g, bool rootless)
{
	json_gen_key(g, "mounts");
	json_gen_array_open(g);
	for (size_t i = 0; i < sizeof(default_mounts) / sizeof(default_mounts[0]); i++) {
		const struct default_mount *m = &default_mounts[i];
		if (m->mode == (rootless ? ROOTFUL_ONLY : ROOTLESS_ONLY))
			continue;
		gen_mount(g, m, rootless);
	}
	json_gen_array_close(g);
}

static void gen_id_mapping(struct json_gen *g, const char *key, unsigned host_id)
{
	json_gen_key(g, key);
	json_gen_array_open(g);
	json_gen_object_open(g);
	json_gen_kv_u64(g, "containerID", 0);
	json_gen_kv_u64(g, "hostID", host_id);
	json_gen_kv_u64(g, "size", 1);
	json_gen_object_close(g);
	json_gen_array_close(g);
}

static void gen_namespaces(struct json_gen *g, bool rootless)
{
	static const char *const rootful[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
	static const char *const unprivileged[] = {"pid", "ipc", "uts", "mount", "cgroup", "user"};
	const char *const *names = rootless ? unprivileged : rootful;

	json_gen_key(g, "namespaces");
	json_gen_array_open(g);
	for (size_t i = 0; i < 6; i++) {
		json_gen_object_open(g);
		json_gen_kv_string(g, "type", names[i]);
		json_gen_object_close(g);
	}
	json_gen_array_close(g);
}

static void gen_linux(struct json_gen *g, bool rootless)
{
	json_gen_key(g, "linux");
	json_gen_object_open(g);
	if (rootless) {
		gen_id_mapping(g, "uidMappings", geteuid());
		gen_id_mapping(g, "gidMappings", getegid());
	} else {
		/* Deny every device by default; the runtime adds the standard ones. */
		json_gen_key(g, "resources");
		json_gen_object_open(g);
		json_gen_key(g, "devices");
		json_gen_array_open(g);
		json_gen_object_open(g);
		json_gen_kv_bool(g, "allow", false);
		json_gen_kv_string(g, "access", "rwm");
		json_gen_object_close(g);
		json_gen_array_close(g);
		json_gen_object_close(g);
	}
	gen_namespaces(g, rootless);
	gen_strings(g, "maskedPaths", masked_paths, sizeof(masked_paths) / sizeof(masked_paths[0]));
	gen_strings(g, "readonlyPaths", readonly_paths,
	            sizeof(readonly_paths) / sizeof(readonly_paths[0]));
	json_gen_object_close(g);
}

int husk_spec_default_json(bool rootless, char **ret_json, struct husk_error **err)
{
	struct json_gen *g = json_gen_new(true);
	json_gen_object_open(g);
	json_gen_kv_string(g, "ociVersion", HUSK_OCI_VERSION_MAX);
	gen_process(g);
	json_gen_key(g, "root");
	json_gen_object_open(g);
	json_gen_kv_string(g, "path", "rootfs");
	json_gen_kv_bool(g, "readonly", true);
	json_gen_object_close(g);
	json_gen_kv_string(g, "hostname", "husk");
	gen_mounts(g, rootless);
	gen_linux(g, rootless);
	json_gen_object_close(g);

	size_t len = 0;
	const char *text = json_gen_result(g, &len);
	if (!text) {
		json_gen_free(g);
		return husk_error_set(err, 0, "generate default config: invalid generator call");
	}
	while (len > 0 && text[len - 1] == '\n')
		len--;
	*ret_json = xasprintf("%.*s\n", (int)len, text);
	json_gen_free(g);
	return 0;
}
