/* husk's own JSON tree: the only interface to yajl in the project.
 *
 * yajl's callback parser feeds a small tree that keeps line:column for every
 * value, enforces size and depth limits, rejects duplicate object keys (Go's
 * encoding/json keeps the last, yajl's tree the first: one file, two
 * meanings), rejects NUL inside strings and keeps numbers as their raw text
 * so typed accessors can range-check them exactly.  The whole tree lives in
 * one arena owned by struct json_doc.
 *
 * The generator side wraps yajl_gen for the documents husk writes (state,
 * features, spec, list/ps output).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/error.h"

#define JSON_MAX_DEPTH      512
#define JSON_MAX_INPUT_SIZE (64u * 1024 * 1024)

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_value;

struct json_member {
	const char *key;
	struct json_value *value;
};

struct json_value {
	enum json_type type;
	unsigned line; /* 1-based position of the value's first character */
	unsigned col;  /* counted in characters; a tab is one */
	union {
		bool boolean;
		const char *number; /* raw text as written, e.g. "-12", "1e3" */
		struct {
			const char *str; /* NUL-terminated, contains no NUL */
			size_t len;
		} string;
		struct {
			struct json_value **items;
			size_t len;
		} array;
		struct {
			struct json_member *members; /* in document order */
			size_t len;
		} object;
	};
};

struct json_doc;

/* Parses buf[0..len) into a tree.  Errors read
 * "line 3, column 7: <what is wrong>" (no file name: the caller prefixes it).
 * Empty input, trailing garbage, truncated input, invalid UTF-8, nesting
 * deeper than JSON_MAX_DEPTH, duplicate keys and NUL in strings are errors. */
int json_parse(const char *buf, size_t len, struct json_doc **ret_doc, struct husk_error **err);
void json_doc_free(struct json_doc *doc);
const struct json_value *json_doc_root(const struct json_doc *doc);

/* Lookup in an object; NULL when absent or when obj is not an object. */
const struct json_value *json_object_get(const struct json_value *obj, const char *key);

/* "string", "number", "object", ... for error messages. */
const char *json_type_name(enum json_type type);

/* Exact conversions of a JSON_NUMBER's raw text.  Return 0 on success, -ERANGE
 * when out of range for the target type, -EINVAL when the text is not an
 * integer (fraction, exponent, or a '-' for an unsigned type). */
int json_number_u64(const struct json_value *v, uint64_t *ret);
int json_number_i64(const struct json_value *v, int64_t *ret);
int json_number_double(const struct json_value *v, double *ret);

/* ---- generator ---------------------------------------------------------- */

struct json_gen;

/* pretty: indent with two spaces (husk spec/state); otherwise compact. */
struct json_gen *json_gen_new(bool pretty);
void json_gen_free(struct json_gen *g);
void json_gen_object_open(struct json_gen *g);
void json_gen_object_close(struct json_gen *g);
void json_gen_array_open(struct json_gen *g);
void json_gen_array_close(struct json_gen *g);
void json_gen_key(struct json_gen *g, const char *key);
void json_gen_string(struct json_gen *g, const char *s); /* NULL writes null */
void json_gen_bool(struct json_gen *g, bool b);
void json_gen_null(struct json_gen *g);
void json_gen_i64(struct json_gen *g, int64_t n);
void json_gen_u64(struct json_gen *g, uint64_t n);
/* Convenience: key + value in one call. */
void json_gen_kv_string(struct json_gen *g, const char *key, const char *s);
void json_gen_kv_bool(struct json_gen *g, const char *key, bool b);
void json_gen_kv_i64(struct json_gen *g, const char *key, int64_t n);
void json_gen_kv_u64(struct json_gen *g, const char *key, uint64_t n);
/* Returns the buffer (owned by g, valid until the next call or free).
 * Returns NULL when an earlier call was invalid (e.g. key outside object);
 * that is a programmer error. */
const char *json_gen_result(struct json_gen *g, size_t *ret_len);
