/* The JSON generator husk writes its own documents with (state, features,
 * spec, list/ps output).
 *
 * yajl_gen does the escaping; this wrapper adds what it lacks: a check that
 * keys are only written where an object expects one, replacement of invalid
 * UTF-8 (paths and process titles are bytes, not text) and the pretty
 * layout.  Misuse is a programmer error that shows up as a NULL result, so
 * the individual calls return nothing.
 */
#include "json/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "json/utf8.h"
#include "util/xalloc.h"

/* yajl_gen's own fixed limit (YAJL_MAX_DEPTH). */
#define GEN_MAX_DEPTH 128

struct json_gen {
	yajl_gen handle;
	bool pretty;
	bool failed;   /* a call was out of place; the result is NULL */
	bool complete; /* the top-level value is finished */
	bool have_key; /* the innermost object has a key waiting for a value */
	unsigned depth;
	bool is_object[GEN_MAX_DEPTH];
	char *result;
};

struct json_gen *json_gen_new(bool pretty)
{
	struct json_gen *g = xzalloc(sizeof(*g));
	g->handle = yajl_gen_alloc(NULL);
	if (!g->handle)
		abort();
	/* Compact output from yajl; json_gen_result() lays it out, because
	 * yajl_gen_beautify renders an empty {} over three lines. */
	yajl_gen_config(g->handle, yajl_gen_beautify, 0);
	yajl_gen_config(g->handle, yajl_gen_validate_utf8, 1);
	g->pretty = pretty;
	return g;
}

void json_gen_free(struct json_gen *g)
{
	if (!g)
		return;
	yajl_gen_free(g->handle);
	free(g->result);
	free(g);
}

static void check(struct json_gen *g, yajl_gen_status st)
{
	if (st != yajl_gen_status_ok)
		g->failed = true;
}

/* Whether a value may be written here; marks the key as used. */
static bool value_allowed(struct json_gen *g)
{
	bool ok;
	if (g->depth == 0)
		ok = !g->complete;
	else if (g->is_object[g->depth - 1])
		ok = g->have_key;
	else
		ok = true;
	if (!ok)
		g->failed = true;
	g->have_key = false;
	return ok;
}

static void value_done(struct json_gen *g)
{
	if (g->depth == 0)
		g->complete = true;
}

static void open_container(struct json_gen *g, bool object)
{
	if (!value_allowed(g) || g->depth == GEN_MAX_DEPTH) {
		g->failed = true;
		return;
	}
	g->is_object[g->depth++] = object;
	check(g, object ? yajl_gen_map_open(g->handle) : yajl_gen_array_open(g->handle));
}

static void close_container(struct json_gen *g, bool object)
{
	if (g->depth == 0 || g->is_object[g->depth - 1] != object || g->have_key) {
		g->failed = true;
		return;
	}
	g->depth--;
	check(g, object ? yajl_gen_map_close(g->handle) : yajl_gen_array_close(g->handle));
	value_done(g);
}

void json_gen_object_open(struct json_gen *g)
{
	open_container(g, true);
}

void json_gen_object_close(struct json_gen *g)
{
	close_container(g, true);
}

void json_gen_array_open(struct json_gen *g)
{
	open_container(g, false);
}

void json_gen_array_close(struct json_gen *g)
{
	close_container(g, false);
}

/* Writes s as a JSON string; bytes that are not UTF-8 become U+FFFD one
 * for one, as Go's encoding/json does, so the output is always valid. */
static void put_text(struct json_gen *g, const char *s)
{
	size_t len = strlen(s);
	size_t bad = json_utf8_invalid_at(s, len);
	if (bad == len) {
		check(g, yajl_gen_string(g->handle, (const unsigned char *)s, len));
		return;
	}
	char *clean = xmalloc(len * 3 + 1), *o = clean;
	o = mempcpy(o, s, bad);
	for (size_t i = bad; i < len;) {
		size_t n = json_utf8_seq((const unsigned char *)s + i, len - i);
		if (n == 0) {
			o = mempcpy(o, "\xef\xbf\xbd", 3);
			i++;
		} else {
			o = mempcpy(o, s + i, n);
			i += n;
		}
	}
	check(g, yajl_gen_string(g->handle, (const unsigned char *)clean, (size_t)(o - clean)));
	free(clean);
}

void json_gen_key(struct json_gen *g, const char *key)
{
	if (g->depth == 0 || !g->is_object[g->depth - 1] || g->have_key || !key) {
		g->failed = true;
		return;
	}
	put_text(g, key);
	g->have_key = true;
}

void json_gen_string(struct json_gen *g, const char *s)
{
	if (!s) {
		json_gen_null(g);
		return;
	}
	if (!value_allowed(g))
		return;
	put_text(g, s);
	value_done(g);
}

void json_gen_bool(struct json_gen *g, bool b)
{
	if (!value_allowed(g))
		return;
	check(g, yajl_gen_bool(g->handle, b));
	value_done(g);
}

void json_gen_null(struct json_gen *g)
{
	if (!value_allowed(g))
		return;
	check(g, yajl_gen_null(g->handle));
	value_done(g);
}

/* Numbers go out as text: yajl_gen_integer takes a long long, which would
 * wrap a uint64_t above INT64_MAX. */
static void put_number(struct json_gen *g, const char *text)
{
	if (!value_allowed(g))
		return;
	check(g, yajl_gen_number(g->handle, text, strlen(text)));
	value_done(g);
}

void json_gen_i64(struct json_gen *g, int64_t n)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRId64, n);
	put_number(g, buf);
}

void json_gen_u64(struct json_gen *g, uint64_t n)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%" PRIu64, n);
	put_number(g, buf);
}

void json_gen_kv_string(struct json_gen *g, const char *key, const char *s)
{
	json_gen_key(g, key);
	json_gen_string(g, s);
}

void json_gen_kv_bool(struct json_gen *g, const char *key, bool b)
{
	json_gen_key(g, key);
	json_gen_bool(g, b);
}

void json_gen_kv_i64(struct json_gen *g, const char *key, int64_t n)
{
	json_gen_key(g, key);
	json_gen_i64(g, n);
}

void json_gen_kv_u64(struct json_gen *g, const char *key, uint64_t n)
{
	json_gen_key(g, key);
	json_gen_u64(g, n);
}

static void newline(FILE *f, unsigned depth)
{
	fputc('\n', f);
	for (unsigned i = 0; i < depth; i++)
		fputs("  ", f);
}

/* Lays compact JSON out with two-space indents, one member or element per
 * line, "key": value, and empty containers kept as {} and [].  Compact yajl
 * output has no whitespace outside strings, so tracking strings suffices. */
static char *indent(const char *in, size_t len, size_t *ret_len)
{
	char *out = NULL;
	size_t out_len = 0;
	FILE *f = open_memstream(&out, &out_len);
	if (!f)
		abort();
	unsigned depth = 0;
	bool in_string = false, escaped = false;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (in_string) {
			fputc(c, f);
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
			continue;
		}
		switch (c) {
		case '"':
			in_string = true;
			fputc(c, f);
			break;
		case '{':
		case '[':
			fputc(c, f);
			if (i + 1 < len && in[i + 1] == (c == '{' ? '}' : ']'))
				fputc(in[++i], f);
			else
				newline(f, ++depth);
			break;
		case '}':
		case ']':
			newline(f, --depth);
			fputc(c, f);
			break;
		case ',':
			fputc(c, f);
			newline(f, depth);
			break;
		case ':':
			fputs(": ", f);
			break;
		default:
			fputc(c, f);
		}
	}
	if (fclose(f) != 0)
		abort();
	*ret_len = out_len;
	return out;
}

const char *json_gen_result(struct json_gen *g, size_t *ret_len)
{
	const unsigned char *buf;
	size_t len;

	free(g->result);
	g->result = NULL;
	if (ret_len)
		*ret_len = 0;
	if (g->failed || !g->complete)
		return NULL;
	if (yajl_gen_get_buf(g->handle, &buf, &len) != yajl_gen_status_ok)
		return NULL;
	if (g->pretty) {
		g->result = indent((const char *)buf, len, &len);
	} else {
		g->result = xmalloc(len + 1);
		memcpy(g->result, buf, len);
		g->result[len] = '\0';
	}
	if (ret_len)
		*ret_len = len;
	return g->result;
}
