/* Internal to libcontainer/spec: the decoder context shared by decode*.c.
 *
 * A decoder walks the JSON tree once, copying what it keeps into the spec's
 * arena, and tracks the JSON path of the value it is looking at so that an
 * error can say exactly where it is ("linux.namespaces[2].type").
 *
 * Field helpers take the parent object and a key.  A key that is absent or
 * null leaves the output untouched (and *ret_has false): Go, which wrote most
 * configs in the wild, treats null as "not set" for pointers, slices and maps
 * and leaves plain scalars at their zero value, so null never is an error
 * for an optional field.  All helpers return < 0 with d->err set on failure.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/error.h"
#include "husk/spec.h"
#include "json/json.h"

struct husk_arena;

struct spec_decoder {
	const char *name; /* "config.json": the first word of every error */
	struct husk_arena *arena;
	struct husk_error **err;
	char *path; /* "process.user.uid", NUL-terminated, grows as needed */
	size_t path_len;
	size_t path_cap;
};

/* ---- path ---------------------------------------------------------------- */

/* Each push returns the previous length; pass it to spec_dec_pop(). */
size_t spec_dec_push_key(struct spec_decoder *d, const char *key);   /* .key */
size_t spec_dec_push_index(struct spec_decoder *d, size_t index);    /* [3] */
size_t spec_dec_push_map_key(struct spec_decoder *d, const char *k); /* ["k"] */
void spec_dec_pop(struct spec_decoder *d, size_t len);

/* ---- errors -------------------------------------------------------------- */

/* "<name>: <path>: <message> (line L, column C)" at value v.  Returns -1. */
int spec_dec_fail(struct spec_decoder *d, const struct json_value *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "expected <what>, got <json type of v>".  Returns -1. */
int spec_dec_fail_type(struct spec_decoder *d, const struct json_value *v, const char *what);

/* ---- values (the path already names v) ----------------------------------- */

enum spec_int_kind {
	SPEC_INT_U16,
	SPEC_INT_U32,
	SPEC_INT_U64,
	SPEC_INT_I32,
	SPEC_INT_I64,
};

/* Checks v's type; "expected object, got array" otherwise. */
int spec_dec_expect(struct spec_decoder *d, const struct json_value *v, enum json_type type);
/* Range-checked integer into *ret, which must be the C type kind names. */
int spec_dec_int_value(struct spec_decoder *d, const struct json_value *v, enum spec_int_kind kind,
                       void *ret);
int spec_dec_string_value(struct spec_decoder *d, const struct json_value *v, char **ret);

/* ---- fields of an object ------------------------------------------------- */

/* ret_has may be NULL; it is set to whether the key carried a value. */
int spec_dec_string(struct spec_decoder *d, const struct json_value *obj, const char *key,
                    char **ret);
int spec_dec_bool(struct spec_decoder *d, const struct json_value *obj, const char *key, bool *ret,
                  bool *ret_has);
int spec_dec_u16(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 uint16_t *ret, bool *ret_has);
int spec_dec_u32(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 uint32_t *ret, bool *ret_has);
int spec_dec_u64(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 uint64_t *ret, bool *ret_has);
int spec_dec_i32(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 int32_t *ret, bool *ret_has);
int spec_dec_i64(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 int64_t *ret, bool *ret_has);
int spec_dec_strings(struct spec_decoder *d, const struct json_value *obj, const char *key,
                     char ***ret, size_t *ret_n);
int spec_dec_u32s(struct spec_decoder *d, const struct json_value *obj, const char *key,
                  uint32_t **ret, size_t *ret_n);
/* A map of strings, kept in document order. */
int spec_dec_string_map(struct spec_decoder *d, const struct json_value *obj, const char *key,
                        struct husk_kv **ret, size_t *ret_n);

/* Object-valued fields.  fn decodes the object v (already checked to be an
 * object, path already at the key) into item.  spec_dec_inline fills a
 * struct embedded in its parent; spec_dec_sub allocates one item_size slot
 * in the arena and leaves *ret NULL when the key is absent or null. */
typedef int (*spec_dec_item_fn)(struct spec_decoder *d, const struct json_value *v, void *item);
int spec_dec_inline(struct spec_decoder *d, const struct json_value *obj, const char *key,
                    spec_dec_item_fn fn, void *item);
int spec_dec_sub(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 size_t item_size, spec_dec_item_fn fn, void **ret);

/* Arrays of objects: fn decodes one element (path already at "[i]") into
 * item, a zeroed slot of item_size bytes. */
int spec_dec_array(struct spec_decoder *d, const struct json_value *obj, const char *key,
                   size_t item_size, spec_dec_item_fn fn, void **ret_items, size_t *ret_n);
/* Maps of objects: fn gets the member's key as well. */
typedef int (*spec_dec_entry_fn)(struct spec_decoder *d, const char *key,
                                 const struct json_value *v, void *item);
int spec_dec_map(struct spec_decoder *d, const struct json_value *obj, const char *key,
                 size_t item_size, spec_dec_entry_fn fn, void **ret_items, size_t *ret_n);

#define SPEC_DEC_ARRAY(d, obj, key, fn, items, n)                                                  \
	({                                                                                         \
		void *_items = NULL;                                                               \
		int _r = spec_dec_array((d), (obj), (key), sizeof(**(items)), (fn), &_items, (n)); \
		*(items) = _items;                                                                 \
		_r;                                                                                \
	})

#define SPEC_DEC_MAP(d, obj, key, fn, items, n)                                                    \
	({                                                                                         \
		void *_items = NULL;                                                               \
		int _r = spec_dec_map((d), (obj), (key), sizeof(**(items)), (fn), &_items, (n));   \
		*(items) = _items;                                                                 \
		_r;                                                                                \
	})

#define SPEC_DEC_SUB(d, obj, key, fn, ret)                                                         \
	({                                                                                         \
		void *_item = NULL;                                                                \
		int _r = spec_dec_sub((d), (obj), (key), sizeof(**(ret)), (fn), &_item);           \
		*(ret) = _item;                                                                    \
		_r;                                                                                \
	})

/* ---- the per-object decoders, one file each ------------------------------ */

/* spec_dec_item_fn decoders for the objects one file shares with another. */
int spec_dec_id_mapping(struct spec_decoder *d, const struct json_value *v, void *item);
int spec_dec_process(struct spec_decoder *d, const struct json_value *v, void *item);
int spec_dec_hooks(struct spec_decoder *d, const struct json_value *v, void *item);
int spec_dec_linux(struct spec_decoder *d, const struct json_value *v, void *item);
int spec_dec_resources(struct spec_decoder *d, const struct json_value *v, void *item);
int spec_dec_seccomp(struct spec_decoder *d, const struct json_value *v, void *item);
