/* The OCI features document: what this commit of husk implements, not what
 * the host supports.  Name lists come from spec/names.h, the same tables the
 * validator accepts, so the two cannot drift apart.
 *
 * Each "enabled"-style flag below flips to true in the commit that
 * implements the feature, never before: callers such as containerd and
 * podman trust this document to decide what they may ask for.  The one
 * thing probed on the host is which LSMs could label a container, reported
 * as annotations (the spec's "enabled" is about husk, not the host).
 */
#include "husk/features.h"

#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>

#include "json/json.h"
#include "lsm.h"
#include "spec/names.h"
#include "util/xalloc.h"

#define HUSK_ANNOTATION_PREFIX "io.github.husk."

static void gen_names(struct json_gen *g, const char *key, const struct husk_name_list *list)
{
	json_gen_key(g, key);
	json_gen_array_open(g);
	for (size_t i = 0; i < list->n; i++)
		json_gen_string(g, list->names[i]);
	json_gen_array_close(g);
}

static void gen_enabled(struct json_gen *g, const char *key, bool enabled)
{
	json_gen_key(g, key);
	json_gen_object_open(g);
	json_gen_kv_bool(g, "enabled", enabled);
	json_gen_object_close(g);
}

static void gen_cgroup(struct json_gen *g)
{
	/* The v2 driver (cgroup/v2.c) on unified hosts, the v1 driver
	 * (cgroup/v1.c) on legacy and hybrid ones; systemd is not driven yet.
	 * rdma limits are written to rdma.max on both. */
	json_gen_key(g, "cgroup");
	json_gen_object_open(g);
	json_gen_kv_bool(g, "v1", true);
	json_gen_kv_bool(g, "v2", true);
	json_gen_kv_bool(g, "systemd", false);
	json_gen_kv_bool(g, "systemdUser", false);
	json_gen_kv_bool(g, "rdma", true);
	json_gen_object_close(g);
}

static void gen_seccomp(struct json_gen *g)
{
	json_gen_key(g, "seccomp");
	json_gen_object_open(g);
	json_gen_kv_bool(g, "enabled", true);
	gen_names(g, "actions", &husk_seccomp_actions);
	gen_names(g, "operators", &husk_seccomp_ops);
	gen_names(g, "archs", &husk_seccomp_archs);
	gen_names(g, "knownFlags", &husk_seccomp_flags);
	/* every known flag is honoured: WAIT_KILLABLE_RECV through a direct
	 * seccomp(2) load when the filter has a notify rule */
	gen_names(g, "supportedFlags", &husk_seccomp_flags);
	json_gen_object_close(g);
}

static void gen_linux(struct json_gen *g)
{
	json_gen_key(g, "linux");
	json_gen_object_open(g);
	gen_names(g, "namespaces", &husk_namespace_names);
	gen_names(g, "capabilities", &husk_capability_names);
	gen_cgroup(g);
	gen_seccomp(g);
	/* the runtime spec: support in the runtime, whatever the host has;
	 * the host's side is in the annotations below */
	gen_enabled(g, "apparmor", true);
	gen_enabled(g, "selinux", true);
	gen_enabled(g, "intelRdt", false);
	json_gen_key(g, "mountExtensions");
	json_gen_object_open(g);
	gen_enabled(g, "idmap", true);
	json_gen_object_close(g);
	json_gen_object_close(g);
}

char *husk_libseccomp_version(void)
{
	const struct scmp_version *v = seccomp_version();
	if (!v)
		return xstrdup("unknown");
	return xasprintf("%u.%u.%u", v->major, v->minor, v->micro);
}

char *husk_features_json(void)
{
	return husk_features_json_at(NULL);
}

char *husk_features_json_at(const char *prefix)
{
	struct husk_lsm_host host;
	const struct husk_lsm_host *lsm = &host;
	husk_lsm_detect(prefix, &host);
	struct json_gen *g = json_gen_new(true);
	json_gen_object_open(g);
	json_gen_kv_string(g, "ociVersionMin", HUSK_OCI_VERSION_MIN);
	json_gen_kv_string(g, "ociVersionMax", HUSK_OCI_VERSION_MAX);
	gen_names(g, "hooks", &husk_hook_names);
	gen_names(g, "mountOptions", &husk_mount_options);
	gen_linux(g);

	char *seccomp = husk_libseccomp_version();
	json_gen_key(g, "annotations");
	json_gen_object_open(g);
	json_gen_kv_string(g, "io.github.seccomp.libseccomp.version", seccomp);
	json_gen_kv_string(g, HUSK_ANNOTATION_PREFIX "commit", HUSK_COMMIT);
	json_gen_kv_string(g, HUSK_ANNOTATION_PREFIX "host.apparmor",
	                   lsm->apparmor ? "enabled" : "disabled");
	json_gen_kv_string(g, HUSK_ANNOTATION_PREFIX "host.selinux",
	                   lsm->selinux ? "enabled" : "disabled");
	json_gen_kv_string(g, HUSK_ANNOTATION_PREFIX "version", HUSK_VERSION);
	json_gen_object_close(g);
	free(seccomp);

	json_gen_object_close(g);
	size_t len = 0;
	const char *text = json_gen_result(g, &len);
	/* The pretty generator may or may not end the document with a newline. */
	while (len > 0 && text[len - 1] == '\n')
		len--;
	char *out = xasprintf("%.*s\n", (int)len, text);
	json_gen_free(g);
	return out;
}
