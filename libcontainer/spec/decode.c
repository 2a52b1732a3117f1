/* The config decoder's core: JSON path tracking, error wording, the typed
 * field helpers every decode*.c file uses, the top-level object (root,
 * mounts, annotations...) and the public parse/load/free entry points.
 *
 * Decoding checks types and ranges only; whether a value makes sense
 * (required fields, absolute paths, known names) is validate.c's business.
 * Unknown keys are ignored, as the runtime spec requires.
 */
#include "spec/decode.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/arena.h"
#include "util/xalloc.h"

/* ---- path ---------------------------------------------------------------- */

static void path_reserve(struct spec_decoder *d, size_t extra)
{
	size_t need = d->path_len + extra + 1;
	if (need <= d->path_cap)
		return;
	size_t cap = d->path_cap ? d->path_cap : 128;
	while (cap < need)
		cap *= 2;
	d->path = xrealloc(d->path, cap);
	d->path_cap = cap;
}

static size_t path_append(struct spec_decoder *d, const char *s, size_t len)
{
	size_t mark = d->path_len;
	path_reserve(d, len);
	memcpy(d->path + d->path_len, s, len);
	d->path_len += len;
	d->path[d->path_len] = '\0';
	return mark;
}

size_t spec_dec_push_key(struct spec_decoder *d, const char *key)
{
	size_t mark = d->path_len;
	if (d->path_len > 0)
		path_append(d, ".", 1);
	path_append(d, key, strlen(key));
	return mark;
}

size_t spec_dec_push_index(struct spec_decoder *d, size_t index)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "[%zu]", index);
	return path_append(d, buf, (size_t)n);
}

/* Map keys are user data: always bracketed and quoted, with '"', '\' and
 * control characters escaped so the path stays one unambiguous line. */
size_t spec_dec_push_map_key(struct spec_decoder *d, const char *k)
{
	size_t mark = path_append(d, "[\"", 2);
	for (const unsigned char *p = (const unsigned char *)k; *p; p++) {
		char buf[8];
		int n;
		if (*p == '"' || *p == '\\')
			n = snprintf(buf, sizeof(buf), "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			n = snprintf(buf, sizeof(buf), "\\u%04x", *p);
		else
			n = snprintf(buf, sizeof(buf), "%c", *p);
		path_append(d, buf, (size_t)n);
	}
	path_append(d, "\"]", 2);
	return mark;
}

void spec_dec_pop(struct spec_decoder *d, size_t len)
{
	d->path_len = len;
	if (d->path)
		d->path[len] = '\0';
}

/* ---- errors -------------------------------------------------------------- */

int spec_dec_fail(struct spec_decoder *d, const struct json_value *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (d->path_len == 0)
		return husk_error_set(d->err, 0, "%s: %s (line %u, column %u)", d->name, msg,
		                      v->line, v->col);
	return husk_error_set(d->err, 0, "%s: %s: %s (line %u, column %u)", d->name, d->path, msg,
	                      v->line, v->col);
}

int spec_dec_fail_type(struct spec_decoder *d, const struct json_value *v, const char *what)
{
	return spec_dec_fail(d, v, "expected %s, got %s", what, json_type_name(v->type));
}

int spec_dec_expect(struct spec_decoder *d, const struct json_value *v, enum json_type type)
{
	if (v->type == type)
		return 0;
	return spec_dec_fail_type(d, v, json_type_name(type));
}

/* ---- values -------------------------------------------------------------- */

static const struct int_kind {
	const char *name;
	bool is_unsigned;
	uint64_t umax;
	int64_t smin;
	int64_t smax;
} int_kinds[] = {
    [SPEC_INT_U16] = {"unsigned 16-bit integer", true, UINT16_MAX, 0, 0},
    [SPEC_INT_U32] = {"unsigned 32-bit integer", true, UINT32_MAX, 0, 0},
    [SPEC_INT_U64] = {"unsigned 64-bit integer", true, UINT64_MAX, 0, 0},
    [SPEC_INT_I32] = {"32-bit integer", false, 0, INT32_MIN, INT32_MAX},
    [SPEC_INT_I64] = {"64-bit integer", false, 0, INT64_MIN, INT64_MAX},
};

static int fail_range(struct spec_decoder *d, const struct json_value *v, const struct int_kind *k)
{
	return spec_dec_fail(d, v, "%s is out of range for %s", v->number, k->name);
}

static int decode_unsigned(struct spec_decoder *d, const struct json_value *v,
                           const struct int_kind *k, uint64_t *ret)
{
	int r = json_number_u64(v, ret);
	if (r == -EINVAL) {
		/* "-1" is an integer, just not an unsigned one: say so rather
		 * than calling it a non-integer. */
		int64_t s;
		int rs = json_number_i64(v, &s);
		if (rs == 0 || rs == -ERANGE)
			return fail_range(d, v, k);
		return spec_dec_fail(d, v, "expected %s, got number %s", k->name, v->number);
	}
	if (r < 0 || *ret > k->umax)
		return fail_range(d, v, k);
	return 0;
}

static int decode_signed(struct spec_decoder *d, const struct json_value *v,
                         const struct int_kind *k, int64_t *ret)
{
	int r = json_number_i64(v, ret);
	if (r == -EINVAL)
		return spec_dec_fail(d, v, "expected %s, got number %s", k->name, v->number);
	if (r < 0 || *ret < k->smin || *ret > k->smax)
		return fail_range(d, v, k);
	return 0;
}

int spec_dec_int_value(struct spec_decoder *d, const struct json_value *v, enum spec_int_kind kind,
                       void *ret)
{
	const struct int_kind *k = &int_kinds[kind];
	uint64_t u = 0;
	int64_t s = 0;
	int r;

	if (v->type != JSON_NUMBER)
		return spec_dec_fail_type(d, v, k->name);
	r = k->is_unsigned ? decode_unsigned(d, v, k, &u) : decode_signed(d, v, k, &s);
	if (r < 0)
		return r;
	switch (kind) {
	case SPEC_INT_U16:
		*(uint16_t *)ret = (uint16_t)u;
		break;
	case SPEC_INT_U32:
		*(uint32_t *)ret = (uint32_t)u;
		break;
	case SPEC_INT_U64:
		*(uint64_t *)ret = u;
		break;
	case SPEC_INT_I32:
		*(int32_t *)ret = (int32_t)s;
		break;
	case SPEC_INT_I64:
		*(int64_t *)ret = s;
		break;
	}
	return 0;
}

int spec_dec_string_value(struct spec_decoder *d, const struct json_value *v, char **ret)
{
	if (v->type != JSON_STRING)
		return spec_dec_fail_type(d, v, "string");
	*ret = husk_arena_strndup(d->arena, v->string.str, v->string.len);
	return 0;
}

/* ---- fields -------------------------------------------------------------- */

/* The value at obj[key] with the key pushed on the path, or NULL (nothing
 * pushed) when absent or null: null means "not set", as in Go. */
static const struct json_value *field(struct spec_decoder *d, const struct json_value *obj,
                                      const char *key, size_t *ret_mark)
{
	const struct json_value *v = json_object_get(obj, key);
	if (!v || v->type == JSON_NULL)
		return NULL;
	*ret_mark = spec_dec_push_key(d, key);
	return v;
}

int spec_dec_string(struct spec_decoder *d, const struct json_value *obj, const char *key,
                    char **ret)
{
	size_t mark;
	const struct json_value *v = field(d, obj, key, &mark);
	if (!v)
		return 0;
	int r = spec_dec_string_value(d, v, ret);
	spec_dec_pop(d, mark);
	return r;
}

int spec_dec_bool(struct spec_decoder *d, const struct json_value *obj, const char *key, bool *ret,
                  bool *ret_has)
{
	size_t mark;
	const struct json_value *v = field(d, obj, key, &mark);
	if (ret_has)
		*ret_has = false;
	if (!v)
		return 0;
	if (v->type != JSON_BOOL)
		return spec_dec_fail_type(d, v, "boolean");
	*ret = v->boolean;
	if (ret_has)
		*ret_has = true;
	spec_dec_pop(d, mark);
	return 0;
}

static int int_field(struct spec_decoder *d, const struct json_value *obj, const char *key,
                     enum spec_int_kind kind, void *ret, bool *ret_has)
{
	size_t mark;
	const struct json_value *v = field(d, obj, key, &mark);
	if (ret_has)
		*ret_has = false;
	if (!v)
		return 0;
	int r = spec_dec_int_value(d, v, kind, ret);
	if (r < 0)
		return r;
	if (ret_has)
		*ret_has = true;
	spec_dec_pop(d, mark);
	return 0;
}

int spec_dec_u16(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 uint16_t *ret, bool *ret_has)
{
	return int_field(d, obj, key, SPEC_INT_U16, ret, ret_has);
}

int spec_dec_u32(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 uint32_t *ret, bool *ret_has)
{
	return int_field(d, obj, key, SPEC_INT_U32, ret, ret_has);
}

int spec_dec_u64(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 uint64_t *ret, bool *ret_has)
{
	return int_field(d, obj, key, SPEC_INT_U64, ret, ret_has);
}

int spec_dec_i32(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 int32_t *ret, bool *ret_has)
{
	return int_field(d, obj, key, SPEC_INT_I32, ret, ret_has);
}

int spec_dec_i64(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 int64_t *ret, bool *ret_has)
{
	return int_field(d, obj, key, SPEC_INT_I64, ret, ret_has);
}

/* Elements of arrays are never optional: a null element has no sensible
 * C value (Go would turn it into "" or 0 silently), so it is a type error. */
int spec_dec_strings(struct spec_decoder *d, const struct json_value *obj, const char *key,
                     char ***ret, size_t *ret_n)
{
	size_t mark;
	const struct json_value *v = field(d, obj, key, &mark);
	if (!v)
		return 0;
	if (v->type != JSON_ARRAY)
		return spec_dec_fail_type(d, v, "array of strings");
	size_t n = v->array.len;
	char **items = n ? husk_arena_array(d->arena, n, sizeof(*items)) : NULL;
	for (size_t i = 0; i < n; i++) {
		size_t m = spec_dec_push_index(d, i);
		int r = spec_dec_string_value(d, v->array.items[i], &items[i]);
		if (r < 0)
			return r;
		spec_dec_pop(d, m);
	}
	*ret = items;
	*ret_n = n;
	spec_dec_pop(d, mark);
	return 0;
}

int spec_dec_u32s(struct spec_decoder *d, const struct json_value *obj, const char *key,
                  uint32_t **ret, size_t *ret_n)
{
	size_t mark;
	const struct json_value *v = field(d, obj, key, &mark);
	if (!v)
		return 0;
	if (v->type != JSON_ARRAY)
		return spec_dec_fail_type(d, v, "array");
	size_t n = v->array.len;
	uint32_t *items = n ? husk_arena_array(d->arena, n, sizeof(*items)) : NULL;
	for (size_t i = 0; i < n; i++) {
		size_t m = spec_dec_push_index(d, i);
		int r = spec_dec_int_value(d, v->array.items[i], SPEC_INT_U32, &items[i]);
		if (r < 0)
			return r;
		spec_dec_pop(d, m);
	}
	*ret = items;
	*ret_n = n;
	spec_dec_pop(d, mark);
	return 0;
}

int spec_dec_string_map(struct spec_decoder *d, const struct json_value *obj, const char *key,
                        struct husk_kv **ret, size_t *ret_n)
{
	size_t mark;
	const struct json_value *v = field(d, obj, key, &mark);
	if (!v)
		return 0;
	if (v->type != JSON_OBJECT)
		return spec_dec_fail_type(d, v, "object");
	size_t n = v->object.len;
	struct husk_kv *items = n ? husk_arena_array(d->arena, n, sizeof(*items)) : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct json_member *mb = &v->object.members[i];
		size_t m = spec_dec_push_map_key(d, mb->key);
		items[i].key = husk_arena_strdup(d->arena, mb->key);
		int r = spec_dec_string_value(d, mb->value, &items[i].value);
		if (r < 0)
			return r;
		spec_dec_pop(d, m);
	}
	*ret = items;
	*ret_n = n;
	spec_dec_pop(d, mark);
	return 0;
}

int spec_dec_inline(struct spec_decoder *d, const struct json_value *obj, const char *key,
                    spec_dec_item_fn fn, void *item)
{
	size_t mark;
	const struct json_value *v = field(d, obj, key, &mark);
	if (!v)
		return 0;
	int r = spec_dec_expect(d, v, JSON_OBJECT);
	if (r < 0)
		return r;
	r = fn(d, v, item);
	if (r < 0)
		return r;
	spec_dec_pop(d, mark);
	return 0;
}

int spec_dec_sub(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 size_t item_size, spec_dec_item_fn fn, void **ret)
{
	size_t mark;
	const struct json_value *v = field(d, obj, key, &mark);
	if (!v)
		return 0;
	int r = spec_dec_expect(d, v, JSON_OBJECT);
	if (r < 0)
		return r;
	void *item = husk_arena_alloc(d->arena, item_size);
	r = fn(d, v, item);
	if (r < 0)
		return r;
	*ret = item;
	spec_dec_pop(d, mark);
	return 0;
}

int spec_dec_array(struct spec_decoder *d, const struct json_value *obj, const char *key,
                   size_t item_size, spec_dec_item_fn fn, void **ret_items, size_t *ret_n)
{
	size_t mark;
	const struct json_value *v = field(d, obj, key, &mark);
	if (!v)
		return 0;
	int r = spec_dec_expect(d, v, JSON_ARRAY);
	if (r < 0)
		return r;
	size_t n = v->array.len;
	char *items = n ? husk_arena_array(d->arena, n, item_size) : NULL;
	for (size_t i = 0; i < n; i++) {
		size_t m = spec_dec_push_index(d, i);
		r = spec_dec_expect(d, v->array.items[i], JSON_OBJECT);
		if (r < 0)
			return r;
		r = fn(d, v->array.items[i], items + i * item_size);
		if (r < 0)
			return r;
		spec_dec_pop(d, m);
	}
	*ret_items = items;
	*ret_n = n;
	spec_dec_pop(d, mark);
	return 0;
}

int spec_dec_map(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 size_t item_size, spec_dec_entry_fn fn, void **ret_items, size_t *ret_n)
{
	size_t mark;
	const struct json_value *v = field(d, obj, key, &mark);
	if (!v)
		return 0;
	int r = spec_dec_expect(d, v, JSON_OBJECT);
	if (r < 0)
		return r;
	size_t n = v->object.len;
	char *items = n ? husk_arena_array(d->arena, n, item_size) : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct json_member *mb = &v->object.members[i];
		size_t m = spec_dec_push_map_key(d, mb->key);
		r = spec_dec_expect(d, mb->value, JSON_OBJECT);
		if (r < 0)
			return r;
		r = fn(d, mb->key, mb->value, items + i * item_size);
		if (r < 0)
			return r;
		spec_dec_pop(d, m);
	}
	*ret_items = items;
	*ret_n = n;
	spec_dec_pop(d, mark);
	return 0;
}

/* ---- the top-level object ------------------------------------------------ */

int spec_dec_id_mapping(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_id_mapping *m = item;
	int r = spec_dec_u32(d, v, "containerID", &m->container_id, NULL);
	if (r >= 0)
		r = spec_dec_u32(d, v, "hostID", &m->host_id, NULL);
	if (r >= 0)
		r = spec_dec_u32(d, v, "size", &m->size, NULL);
	return r;
}

static int dec_root(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_root *root = item;
	int r = spec_dec_string(d, v, "path", &root->path);
	if (r >= 0)
		r = spec_dec_bool(d, v, "readonly", &root->readonly, NULL);
	return r;
}

static int dec_mount(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_mount *m = item;
	int r = spec_dec_string(d, v, "destination", &m->destination);
	if (r >= 0)
		r = spec_dec_string(d, v, "type", &m->type);
	if (r >= 0)
		r = spec_dec_string(d, v, "source", &m->source);
	if (r >= 0)
		r = spec_dec_strings(d, v, "options", &m->options, &m->n_options);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "uidMappings", spec_dec_id_mapping, &m->uid_mappings,
		                   &m->n_uid_mappings);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "gidMappings", spec_dec_id_mapping, &m->gid_mappings,
		                   &m->n_gid_mappings);
	return r;
}

static int dec_spec(struct spec_decoder *d, const struct json_value *v, struct husk_spec *spec)
{
	if (v->type != JSON_OBJECT)
		return spec_dec_fail(d, v, "expected object at top level, got %s",
		                     json_type_name(v->type));
	int r = spec_dec_string(d, v, "ociVersion", &spec->oci_version);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "root", dec_root, &spec->root);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "mounts", dec_mount, &spec->mounts, &spec->n_mounts);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "process", spec_dec_process, &spec->process);
	if (r >= 0)
		r = spec_dec_string(d, v, "hostname", &spec->hostname);
	if (r >= 0)
		r = spec_dec_string(d, v, "domainname", &spec->domainname);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "hooks", spec_dec_hooks, &spec->hooks);
	if (r >= 0)
		r = spec_dec_string_map(d, v, "annotations", &spec->annotations,
		                        &spec->n_annotations);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "linux", spec_dec_linux, &spec->linux_);
	return r;
}

/* ---- public entry points ------------------------------------------------- */

static void json_doc_freep(struct json_doc **doc)
{
	json_doc_free(*doc);
}

int husk_spec_parse(const char *name, const char *buf, size_t len, struct husk_spec **ret,
                    struct husk_error **err)
{
	_cleanup_(json_doc_freep) struct json_doc *doc = NULL;

	/* The JSON layer's errors start with "line L, column C": the file
	 * name goes in front, as for decode errors. */
	if (json_parse(buf, len, &doc, err) < 0)
		return husk_error_prefix(err, "%s", name);

	struct husk_spec *spec = xzalloc(sizeof(*spec));
	spec->arena = husk_arena_new();
	struct spec_decoder d = {.name = name, .arena = spec->arena, .err = err};
	int r = dec_spec(&d, json_doc_root(doc), spec);
	free(d.path);
	if (r < 0) {
		husk_spec_free(spec);
		return r;
	}
	*ret = spec;
	return 0;
}

/* Reads at most JSON_MAX_INPUT_SIZE bytes; one more means "too large". */
static int read_config(const char *path, char **ret_buf, size_t *ret_len, struct husk_error **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return husk_error_set(err, errno, "open '%s'", path);

	size_t cap = 64 * 1024, len = 0;
	_cleanup_free_ char *buf = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			if (len > JSON_MAX_INPUT_SIZE)
				break;
			cap = cap * 2 > JSON_MAX_INPUT_SIZE ? JSON_MAX_INPUT_SIZE + 1 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return husk_error_set(err, errno, "read '%s'", path);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > JSON_MAX_INPUT_SIZE)
		return husk_error_set(err, 0, "read '%s': larger than %u bytes", path,
		                      JSON_MAX_INPUT_SIZE);
	*ret_buf = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int husk_spec_load(const char *path, struct husk_spec **ret, struct husk_error **err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r = read_config(path, &buf, &len, err);
	if (r < 0)
		return r;
	const char *slash = strrchr(path, '/');
	const char *name = slash && slash[1] ? slash + 1 : path;
	return husk_spec_parse(name, buf, len, ret, err);
}

void husk_spec_free(struct husk_spec *spec)
{
	if (!spec)
		return;
	husk_arena_free(spec->arena);
	free(spec);
}

static const char *const ns_names[HUSK_NS_TYPE_COUNT] = {
    [HUSK_NS_PID] = "pid",       [HUSK_NS_NETWORK] = "network", [HUSK_NS_MOUNT] = "mount",
    [HUSK_NS_IPC] = "ipc",       [HUSK_NS_UTS] = "uts",         [HUSK_NS_USER] = "user",
    [HUSK_NS_CGROUP] = "cgroup", [HUSK_NS_TIME] = "time",
};

/* NULL for a value outside the enum: a programmer error. */
const char *husk_ns_type_name(enum husk_ns_type type)
{
	if ((unsigned)type >= HUSK_NS_TYPE_COUNT)
		return NULL;
	return ns_names[type];
}

static const char *const hook_names[HUSK_HOOK_KIND_COUNT] = {
    [HUSK_HOOK_PRESTART] = "prestart",
    [HUSK_HOOK_CREATE_RUNTIME] = "createRuntime",
    [HUSK_HOOK_CREATE_CONTAINER] = "createContainer",
    [HUSK_HOOK_START_CONTAINER] = "startContainer",
    [HUSK_HOOK_POSTSTART] = "poststart",
    [HUSK_HOOK_POSTSTOP] = "poststop",
};

const char *husk_hook_kind_name(enum husk_hook_kind kind)
{
	if ((unsigned)kind >= HUSK_HOOK_KIND_COUNT)
		return NULL;
	return hook_names[kind];
}
