/* The state store's JSON: the private state.json document and the
 * runc-shaped `husk state` rendering.  File access, locking and liveness
 * belong to state.c.
 *
 * state.json keeps "owner" as the numeric uid (names can change and a lookup
 * may need NSS at create time); husk_state_to_json() renders the user name as
 * runc does, or "#<uid>" when the uid has no passwd entry.  The husk-only
 * fields are "initStartTime" (pid-reuse detection), "cgroupPath" and, for
 * the cgroup v1 driver, "cgroupPaths" (hierarchy -> directory).
 *
 * The file is read back by every later command, which then signals the
 * recorded pid and writes to the recorded cgroup: a document that was
 * tampered with must fail to load rather than aim those at something else.
 * So decoding also validates what each field may hold (a valid id, clean
 * absolute paths, a pid that can be an init), and state_init_in_cgroup()
 * lets the liveness check refuse a pid outside the container's cgroup. */
#include "state-json.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "json/json.h"
#include "util/xalloc.h"

static const char *const status_names[] = {
    [HUSK_STATUS_CREATING] = "creating", [HUSK_STATUS_CREATED] = "created",
    [HUSK_STATUS_RUNNING] = "running",   [HUSK_STATUS_PAUSED] = "paused",
    [HUSK_STATUS_STOPPED] = "stopped",
};

const char *husk_status_name(enum husk_status status)
{
	if ((size_t)status >= HUSK_ARRAY_SIZE(status_names))
		return "unknown";
	return status_names[status];
}

static void gen_kv(struct json_gen *g, const char *key, const struct husk_kv *kv, size_t n)
{
	json_gen_key(g, key);
	json_gen_object_open(g);
	for (size_t i = 0; i < n; i++)
		json_gen_kv_string(g, kv[i].key, kv[i].value);
	json_gen_object_close(g);
}

static void gen_annotations(struct json_gen *g, const struct husk_state *state)
{
	gen_kv(g, "annotations", state->annotations, state->n_annotations);
}

static char *gen_take(struct json_gen *g, size_t *ret_len)
{
	size_t len = 0;
	const char *out = json_gen_result(g, &len);
	/* NULL means a mis-nested generator call above: a bug, not input. */
	if (!out)
		abort();
	char *copy = xstrndup(out, len);
	if (ret_len)
		*ret_len = len;
	json_gen_free(g);
	return copy;
}

char *state_json_encode(const struct husk_state *state, size_t *ret_len)
{
	struct json_gen *g = json_gen_new(false);
	json_gen_object_open(g);
	json_gen_kv_string(g, "ociVersion", state->oci_version ? state->oci_version : "");
	json_gen_kv_string(g, "id", state->id);
	json_gen_kv_string(g, "status", husk_status_name(state->status));
	json_gen_kv_i64(g, "pid", state->pid);
	json_gen_kv_u64(g, "initStartTime", state->init_start_time);
	json_gen_kv_string(g, "bundle", state->bundle ? state->bundle : "");
	json_gen_kv_string(g, "rootfs", state->rootfs ? state->rootfs : "");
	json_gen_kv_string(g, "created", state->created ? state->created : "");
	json_gen_kv_u64(g, "owner", state->owner);
	if (state->cgroup_path)
		json_gen_kv_string(g, "cgroupPath", state->cgroup_path);
	if (state->n_cgroup_paths)
		gen_kv(g, "cgroupPaths", state->cgroup_paths, state->n_cgroup_paths);
	gen_annotations(g, state);
	json_gen_object_close(g);
	return gen_take(g, ret_len);
}

static char *owner_name(uid_t uid)
{
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t len = size > 0 ? (size_t)size : 1024;

	for (int tries = 0; tries < 8; tries++, len *= 2) {
		_cleanup_free_ char *buf = xmalloc(len);
		struct passwd pw, *found = NULL;
		int r = getpwuid_r(uid, &pw, buf, len, &found);
		if (r == ERANGE)
			continue;
		if (r == 0 && found)
			return xstrdup(found->pw_name);
		break;
	}
	return xasprintf("#%u", (unsigned)uid);
}

char *husk_state_to_json(const struct husk_state *state)
{
	_cleanup_free_ char *owner = owner_name(state->owner);
	struct json_gen *g = json_gen_new(true);

	json_gen_object_open(g);
	json_gen_kv_string(g, "ociVersion", state->oci_version ? state->oci_version : "");
	json_gen_kv_string(g, "id", state->id);
	/* runc reports no pid for a stopped container: the recorded one may
	 * already belong to an unrelated process. */
	json_gen_kv_i64(g, "pid", state->status == HUSK_STATUS_STOPPED ? 0 : state->pid);
	json_gen_kv_string(g, "status", husk_status_name(state->status));
	json_gen_kv_string(g, "bundle", state->bundle ? state->bundle : "");
	json_gen_kv_string(g, "rootfs", state->rootfs ? state->rootfs : "");
	json_gen_kv_string(g, "created", state->created ? state->created : "");
	json_gen_kv_string(g, "owner", owner);
	/* runc omits an empty annotations map. */
	if (state->n_annotations > 0)
		gen_annotations(g, state);
	json_gen_object_close(g);
	return gen_take(g, NULL);
}

/* ---- decoding ------------------------------------------------------------ */

/* Errors name the position and JSON path: "line 1, column 9: $.pid:
 * expected unsigned integer, got string". */
static int bad(const struct json_value *v, const char *key, const char *what,
               struct husk_error **err)
{
	return husk_error_set(err, EINVAL, "line %u, column %u: $%s%s: %s, got %s", v->line, v->col,
	                      key ? "." : "", key ? key : "", what, json_type_name(v->type));
}

/* Absent or null leaves *ret NULL. */
static int get_string(const struct json_value *obj, const char *key, char **ret,
                      struct husk_error **err)
{
	const struct json_value *v = json_object_get(obj, key);
	if (!v || v->type == JSON_NULL)
		return 0;
	if (v->type != JSON_STRING)
		return bad(v, key, "expected string", err);
	*ret = xstrdup(v->string.str);
	return 0;
}

static int get_u64(const struct json_value *obj, const char *key, uint64_t max, uint64_t *ret,
                   struct husk_error **err)
{
	const struct json_value *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (v->type != JSON_NUMBER)
		return bad(v, key, "expected unsigned integer", err);
	uint64_t n;
	if (json_number_u64(v, &n) < 0 || n > max)
		return husk_error_set(err, EINVAL, "line %u, column %u: $.%s: %s is out of range",
		                      v->line, v->col, key, v->number);
	*ret = n;
	return 0;
}

static int get_status(const struct json_value *obj, enum husk_status *ret, struct husk_error **err)
{
	const struct json_value *v = json_object_get(obj, "status");
	if (!v)
		return husk_error_set(err, EINVAL, "line %u, column %u: $.status: missing",
		                      obj->line, obj->col);
	if (v->type != JSON_STRING)
		return bad(v, "status", "expected string", err);
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(status_names); i++) {
		if (strcmp(v->string.str, status_names[i]) == 0) {
			*ret = (enum husk_status)i;
			return 0;
		}
	}
	return husk_error_set(err, EINVAL, "line %u, column %u: $.status: unknown status \"%s\"",
	                      v->line, v->col, v->string.str);
}

/* A string -> string object (annotations, cgroupPaths); absent or null is
 * empty. */
static int get_kv(const struct json_value *obj, const char *key, struct husk_kv **ret,
                  size_t *ret_n, struct husk_error **err)
{
	const struct json_value *v = json_object_get(obj, key);
	if (!v || v->type == JSON_NULL)
		return 0;
	if (v->type != JSON_OBJECT)
		return bad(v, key, "expected object", err);
	*ret = xcalloc(v->object.len ? v->object.len : 1, sizeof(**ret));
	for (size_t i = 0; i < v->object.len; i++) {
		const struct json_member *m = &v->object.members[i];
		if (m->value->type != JSON_STRING)
			return husk_error_set(err, EINVAL,
			                      "line %u, column %u: $.%s[\"%s\"]: expected "
			                      "string, got %s",
			                      m->value->line, m->value->col, key, m->key,
			                      json_type_name(m->value->type));
		(*ret)[i].key = xstrdup(m->key);
		(*ret)[i].value = xstrdup(m->value->string.str);
		*ret_n = i + 1;
	}
	return 0;
}

/* ---- validation ---------------------------------------------------------- */

/* Absolute, no "." or ".." component, no empty component ("//" or a
 * trailing '/'), no control character: the form husk itself records, and
 * one that cannot climb out of the directory it names. */
static bool clean_absolute_path(const char *p)
{
	if (p[0] != '/')
		return false;
	if (p[1] == '\0')
		return true;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	for (const char *c = p + 1;;) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (c[n] == '\0')
			return true;
		c += n + 1;
	}
}

/* value on one line: '"', '\\' and control bytes escaped, cut at 64 bytes. */
static char *shown_value(const char *value)
{
	size_t n = strnlen(value, 65);
	char *out = xmalloc(64 * 4 + 4), *p = out;
	for (size_t i = 0; i < n && i < 64; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c == '"' || c == '\\')
			p += sprintf(p, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			p += sprintf(p, "\\x%02x", c);
		else
			*p++ = (char)c;
	}
	strcpy(p, n > 64 ? "..." : "");
	return out;
}

static int bad_value(const struct json_value *root, const char *key, const char *what,
                     const char *value, struct husk_error **err)
{
	const struct json_value *v = json_object_get(root, key);
	unsigned line = v ? v->line : root->line, col = v ? v->col : root->col;
	_cleanup_free_ char *shown = shown_value(value);
	return husk_error_set(err, EINVAL, "line %u, column %u: $.%s: %s, got \"%s\"", line, col,
	                      key, what, shown);
}

/* A path field is optional ("" or absent) but, when set, clean. */
static int check_path(const struct json_value *root, const char *key, const char *value,
                      bool empty_ok, struct husk_error **err)
{
	if (!value || (empty_ok && value[0] == '\0'))
		return 0;
	if (!clean_absolute_path(value) || (!empty_ok && strcmp(value, "/") == 0))
		return bad_value(root, key, "must be a clean absolute path", value, err);
	return 0;
}

static int validate(const struct json_value *root, const struct husk_state *s,
                    struct husk_error **err)
{
	struct husk_error *id_err = NULL;
	if (husk_id_validate(s->id, &id_err) < 0) {
		husk_error_release(&id_err);
		return bad_value(root, "id", "not a valid container id", s->id, err);
	}
	/* pid 1 of the reader's namespace is never an init husk cloned; a
	 * document naming it would have kill and exec act on the host's. */
	if (s->pid == 1) {
		const struct json_value *v = json_object_get(root, "pid");
		return husk_error_set(err, EINVAL,
		                      "line %u, column %u: $.pid: 1 cannot be a container's init",
		                      v->line, v->col);
	}
	if (check_path(root, "bundle", s->bundle, true, err) < 0 ||
	    check_path(root, "rootfs", s->rootfs, true, err) < 0 ||
	    check_path(root, "cgroupPath", s->cgroup_path, false, err) < 0)
		return -1;
	/* the v1 driver opens, signals and removes these as it does cgroupPath */
	for (size_t i = 0; i < s->n_cgroup_paths; i++)
		if (check_path(root, "cgroupPaths", s->cgroup_paths[i].value, false, err) < 0)
			return -1;
	return 0;
}

static int decode_fields(const struct json_value *root, struct husk_state *s,
                         struct husk_error **err)
{
	uint64_t pid = 0, owner = 0;

	if (get_string(root, "ociVersion", &s->oci_version, err) < 0 ||
	    get_string(root, "id", &s->id, err) < 0 || get_status(root, &s->status, err) < 0 ||
	    get_u64(root, "pid", INT32_MAX, &pid, err) < 0 ||
	    get_u64(root, "initStartTime", UINT64_MAX, &s->init_start_time, err) < 0 ||
	    get_string(root, "bundle", &s->bundle, err) < 0 ||
	    get_string(root, "rootfs", &s->rootfs, err) < 0 ||
	    get_string(root, "created", &s->created, err) < 0 ||
	    get_u64(root, "owner", UINT32_MAX, &owner, err) < 0 ||
	    get_string(root, "cgroupPath", &s->cgroup_path, err) < 0 ||
	    get_kv(root, "cgroupPaths", &s->cgroup_paths, &s->n_cgroup_paths, err) < 0 ||
	    get_kv(root, "annotations", &s->annotations, &s->n_annotations, err) < 0)
		return -1;
	if (!s->id)
		return husk_error_set(err, EINVAL, "line %u, column %u: $.id: missing", root->line,
		                      root->col);
	s->pid = (pid_t)pid;
	s->owner = (uid_t)owner;
	return validate(root, s, err);
}

int state_json_decode(const char *buf, size_t len, struct husk_state **ret, struct husk_error **err)
{
	struct json_doc *doc = NULL;
	if (json_parse(buf, len, &doc, err) < 0)
		return -1;

	const struct json_value *root = json_doc_root(doc);
	struct husk_state *s = xzalloc(sizeof(*s));
	int r = 0;
	if (root->type != JSON_OBJECT)
		r = bad(root, NULL, "expected object", err);
	else
		r = decode_fields(root, s, err);
	json_doc_free(doc);
	if (r < 0) {
		husk_state_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

/* ---- the init's cgroup --------------------------------------------------- */

/* The cgroup v2 path of pid ("0::/a/b" in /proc/PID/cgroup), malloc'd. */
/* Whether some leading part of `own` (a path from /proc/PID/cgroup,
 * relative to its hierarchy's mount: "/husk-x-c1" of
 * "/husk-x-c1/init.scope" when the container made cgroups of its own) ends
 * the recorded directory. */
static bool ends_recorded_dir(const char *dir, const char *own)
{
	size_t dir_len = strlen(dir);
	for (size_t k = strlen(own); k > 1; k--) {
		if (own[k] != '\0' && own[k] != '/')
			continue;
		if (k <= dir_len && strncmp(dir + dir_len - k, own, k) == 0)
			return true;
	}
	return false;
}

/* The recorded cgroupPath is a directory in one hierarchy: the cgroup2 one,
 * or (cgroup v1 driver on a legacy host) the first v1 one.  Every line of
 * /proc/PID/cgroup is tried, "0::/path" and "N:controllers:/path" alike. */
bool state_init_in_cgroup(const struct husk_state *state)
{
	if (!state->cgroup_path)
		return true;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)state->pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char buf[8192];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *line = buf; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *colon = strchr(line, ':');
		char *own = colon ? strchr(colon + 1, ':') : NULL;
		if (own && ends_recorded_dir(state->cgroup_path, own + 1))
			return true;
		line = next;
	}
	return false;
}
