/* json_parse(): bytes -> husk's JSON tree, built from yajl's callback parser.
 *
 * This module owns the limits and the strictness the config needs (depth,
 * size, duplicate keys, NUL and strict UTF-8 in strings, no comments, no
 * trailing text) and the line:column of every value.  It does not interpret
 * values: numbers stay raw text for number.c, and meaning belongs to spec/.
 * Building is driven by callbacks with an explicit frame stack, and the tree
 * lives in one arena, so neither parsing nor freeing recurses.
 */
#include "json/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "json/utf8.h"
#include "util/arena.h"
#include "util/xalloc.h"

struct json_doc {
	struct husk_arena *arena;
	struct json_value *root;
};

/* Objects up to this many members find duplicates by a linear scan; larger
 * ones get a hash index so a hostile object with 10^6 keys stays O(n). */
#define HASH_THRESHOLD 32

/* One open container.  Slots are reused by later containers at the same
 * depth, so their buffers keep their capacity across siblings. */
struct frame {
	struct json_value *value;
	struct json_value **items; /* arrays */
	size_t n_items, cap_items;
	struct json_member *members; /* objects */
	size_t n_members, cap_members;
	const char *key; /* key waiting for its value */
	uint32_t *index; /* open addressing: member index + 1, 0 = empty */
	size_t index_cap;
	bool indexed;
};

struct parser {
	const char *buf;
	size_t len;
	yajl_handle handle;
	/* In yajl_complete_parse() yajl parses a private one-space buffer, so
	 * its byte counts mean nothing; the token being finished then ends at
	 * the end of the input. */
	bool finishing;
	struct husk_arena *arena;
	struct json_value *root;
	struct frame *frames;
	size_t depth, n_frames;
	size_t prev_end; /* end offset of the last token a callback saw */
	/* Position cursor: moves forward only, so positions cost O(n) total. */
	size_t cur_off;
	unsigned cur_line, cur_col;
	struct husk_error *err;
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const struct parser *p, size_t off)
{
	while (off < p->len && is_ws(p->buf[off]))
		off++;
	return off;
}

static size_t token_end(const struct parser *p)
{
	size_t end = p->finishing ? p->len : yajl_get_bytes_consumed(p->handle);
	return end > p->len ? p->len : end;
}

/* Columns count characters, not bytes, so they match what an editor shows
 * for non-ASCII text (continuation bytes do not advance the column). */
static void advance_to(struct parser *p, size_t off)
{
	if (off < p->cur_off) {
		p->cur_off = 0;
		p->cur_line = 1;
		p->cur_col = 1;
	}
	for (; p->cur_off < off; p->cur_off++) {
		unsigned char c = (unsigned char)p->buf[p->cur_off];
		if (c == '\n') {
			p->cur_line++;
			p->cur_col = 1;
		} else if ((c & 0xc0) != 0x80) {
			p->cur_col++;
		}
	}
}

/* Called at the top of every callback.  yajl reports how far it has read,
 * which is the end of the token just lexed (it never reads ahead), so the
 * token's start is found by skipping forward from the end of the previous
 * callback's token over whitespace and the one ',' or ':' that yajl has
 * already checked.  Leaves the cursor at the token's first character. */
static void begin_token(struct parser *p)
{
	size_t off = skip_ws(p, p->prev_end);
	if (off < p->len && (p->buf[off] == ',' || p->buf[off] == ':'))
		off = skip_ws(p, off + 1);
	advance_to(p, off);
	p->prev_end = token_end(p);
}

/* Records an error at the cursor; returns 0, which tells yajl to stop. */
static int fail(struct parser *p, const char *what, const char *problem)
{
	husk_error_set(&p->err, 0, "line %u, column %u: %s%s", p->cur_line, p->cur_col, what,
	               problem);
	return 0;
}

static struct json_value *new_value(struct parser *p, enum json_type type)
{
	struct json_value *v = husk_arena_alloc(p->arena, sizeof(*v));
	v->type = type;
	v->line = p->cur_line;
	v->col = p->cur_col;
	return v;
}

static uint64_t key_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static void index_insert(struct frame *f, size_t i)
{
	size_t mask = f->index_cap - 1;
	size_t h = key_hash(f->members[i].key) & mask;
	while (f->index[h])
		h = (h + 1) & mask;
	f->index[h] = (uint32_t)(i + 1);
}

/* Keeps the load factor at most 1/2 so probes stay short. */
static void index_update(struct frame *f)
{
	if (f->n_members <= HASH_THRESHOLD)
		return;
	if (f->indexed && f->n_members * 2 <= f->index_cap) {
		index_insert(f, f->n_members - 1);
		return;
	}
	size_t cap = f->index_cap ? f->index_cap : 128;
	while (cap < f->n_members * 4)
		cap *= 2;
	if (cap != f->index_cap) {
		free(f->index);
		f->index = xcalloc(cap, sizeof(*f->index));
		f->index_cap = cap;
	} else {
		memset(f->index, 0, cap * sizeof(*f->index));
	}
	for (size_t i = 0; i < f->n_members; i++)
		index_insert(f, i);
	f->indexed = true;
}

static bool has_key(const struct frame *f, const char *key)
{
	if (!f->indexed) {
		for (size_t i = 0; i < f->n_members; i++)
			if (strcmp(f->members[i].key, key) == 0)
				return true;
		return false;
	}
	size_t mask = f->index_cap - 1;
	for (size_t h = key_hash(key) & mask; f->index[h]; h = (h + 1) & mask)
		if (strcmp(f->members[f->index[h] - 1].key, key) == 0)
			return true;
	return false;
}

static void attach(struct parser *p, struct json_value *v)
{
	if (p->depth == 0) {
		p->root = v;
		return;
	}
	struct frame *f = &p->frames[p->depth - 1];
	if (f->value->type == JSON_ARRAY) {
		if (f->n_items == f->cap_items) {
			f->cap_items = f->cap_items ? f->cap_items * 2 : 16;
			f->items = xreallocarray(f->items, f->cap_items, sizeof(*f->items));
		}
		f->items[f->n_items++] = v;
		return;
	}
	if (f->n_members == f->cap_members) {
		f->cap_members = f->cap_members ? f->cap_members * 2 : 16;
		f->members = xreallocarray(f->members, f->cap_members, sizeof(*f->members));
	}
	f->members[f->n_members++] = (struct json_member){.key = f->key, .value = v};
	f->key = NULL;
	index_update(f);
}

static unsigned hex4(const char *s)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

/* yajl replaces an unpaired high surrogate escape with '?' and encodes an
 * unpaired low one as invalid UTF-8; both are rejected here, from the raw
 * token text (already checked by yajl: every \u has four hex digits), so
 * the message names the real problem. */
static bool has_lone_surrogate(const char *raw, size_t len)
{
	for (size_t i = 0; i + 6 <= len; i++) {
		if (raw[i] != '\\')
			continue;
		if (raw[i + 1] != 'u') {
			i++; /* skip the escaped character, which may be a '\\' */
			continue;
		}
		unsigned cp = hex4(raw + i + 2);
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return true; /* low half with no high half before it */
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (i + 12 > len || raw[i + 6] != '\\' || raw[i + 7] != 'u')
				return true;
			unsigned low = hex4(raw + i + 8);
			if (low < 0xdc00 || low > 0xdfff)
				return true;
			i += 6;
		}
		i += 5;
	}
	return false;
}

/* Checks a decoded string or key; its raw token text spans the cursor to
 * prev_end (see begin_token). */
static bool check_text(struct parser *p, const char *what, const char *s, size_t len)
{
	size_t start = p->cur_off, end = p->prev_end;
	if (memchr(s, '\0', len))
		return fail(p, what, " contains a NUL character");
	if (end > start && memchr(p->buf + start, '\\', end - start) &&
	    has_lone_surrogate(p->buf + start, end - start))
		return fail(p, what, " contains an unpaired UTF-16 surrogate escape");
	if (json_utf8_invalid_at(s, len) != len)
		return fail(p, what, " is not valid UTF-8");
	return true;
}

static int on_null(void *ctx)
{
	struct parser *p = ctx;
	begin_token(p);
	attach(p, new_value(p, JSON_NULL));
	return 1;
}

static int on_boolean(void *ctx, int b)
{
	struct parser *p = ctx;
	begin_token(p);
	struct json_value *v = new_value(p, JSON_BOOL);
	v->boolean = b != 0;
	attach(p, v);
	return 1;
}

static int on_number(void *ctx, const char *s, size_t len)
{
	struct parser *p = ctx;
	begin_token(p);
	struct json_value *v = new_value(p, JSON_NUMBER);
	v->number = husk_arena_strndup(p->arena, s, len);
	attach(p, v);
	return 1;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct parser *p = ctx;
	begin_token(p);
	if (!check_text(p, "string", (const char *)s, len))
		return 0;
	struct json_value *v = new_value(p, JSON_STRING);
	v->string.str = husk_arena_strndup(p->arena, (const char *)s, len);
	v->string.len = len;
	attach(p, v);
	return 1;
}

/* Quotes a key for an error message: escaped so the message stays on one
 * line, shortened so a hostile key cannot flood the terminal. */
static char *quote_key(const char *key)
{
	size_t len = strlen(key), cut = len < 64 ? len : 64;
	while (cut < len && cut > 0 && ((unsigned char)key[cut] & 0xc0) == 0x80)
		cut--; /* do not split a UTF-8 sequence */
	char *out = xmalloc(cut * 4 + 8), *o = out;
	*o++ = '"';
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)key[i];
		if (c == '"' || c == '\\')
			o += sprintf(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o++ = '"';
	if (cut < len)
		o = stpcpy(o, "...");
	*o = '\0';
	return out;
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct parser *p = ctx;
	struct frame *f = &p->frames[p->depth - 1];
	begin_token(p);
	if (!check_text(p, "object key", (const char *)s, len))
		return 0;
	char *key = husk_arena_strndup(p->arena, (const char *)s, len);
	if (has_key(f, key)) {
		char *quoted = quote_key(key);
		fail(p, "duplicate key ", quoted);
		free(quoted);
		return 0;
	}
	f->key = key;
	return 1;
}

static int open_container(struct parser *p, enum json_type type)
{
	begin_token(p);
	/* The limit is ours, not yajl's: its parser grows its state stack
	 * without bound, and whatever walks the tree later should not have
	 * to worry about depth. */
	if (p->depth >= JSON_MAX_DEPTH) {
		husk_error_set(&p->err, 0, "line %u, column %u: nesting deeper than %d levels",
		               p->cur_line, p->cur_col, JSON_MAX_DEPTH);
		return 0;
	}
	struct json_value *v = new_value(p, type);
	attach(p, v);
	if (p->depth == p->n_frames) {
		size_t n = p->n_frames ? p->n_frames * 2 : 16;
		p->frames = xreallocarray(p->frames, n, sizeof(*p->frames));
		memset(p->frames + p->n_frames, 0, (n - p->n_frames) * sizeof(*p->frames));
		p->n_frames = n;
	}
	struct frame *f = &p->frames[p->depth++];
	f->value = v;
	f->n_items = 0;
	f->n_members = 0;
	f->key = NULL;
	f->indexed = false;
	return 1;
}

/* Copies the finished container's children into the arena, exactly sized. */
static int close_container(struct parser *p)
{
	begin_token(p);
	struct frame *f = &p->frames[--p->depth];
	struct json_value *v = f->value;
	if (v->type == JSON_ARRAY) {
		v->array.len = f->n_items;
		if (f->n_items) {
			v->array.items = husk_arena_array(p->arena, f->n_items, sizeof(*f->items));
			memcpy(v->array.items, f->items, f->n_items * sizeof(*f->items));
		}
	} else {
		v->object.len = f->n_members;
		if (f->n_members) {
			v->object.members =
			    husk_arena_array(p->arena, f->n_members, sizeof(*f->members));
			memcpy(v->object.members, f->members, f->n_members * sizeof(*f->members));
		}
	}
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, JSON_OBJECT);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, JSON_ARRAY);
}

static int on_end(void *ctx)
{
	return close_container(ctx);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number, /* raw text: no integer/double callbacks */
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = on_end,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end,
};

/* yajl's reasons, reworded where its wording would puzzle a user. */
static const struct {
	const char *yajl, *ours;
} reasons[] = {
    {"premature EOF", "unexpected end of input"},
    {"probable comment found in input text, comments are not enabled", "comments are not allowed"},
    {"invalid bytes in UTF8 string", "string is not valid UTF-8"},
    {"invalid string in json text", "invalid literal (expected true, false or null)"},
    {"trailing garbage", "unexpected text after the top-level value"},
};

/* Where a syntax error is: the start of the token yajl choked on, found like
 * begin_token() does.  A ',' or ':' can be the bad token itself only for a
 * parse (grammar) error that yajl detected right after reading it. */
static size_t error_offset(struct parser *p, bool lexical, const char *reason)
{
	if (strcmp(reason, "premature EOF") == 0)
		return p->len;
	size_t off = skip_ws(p, p->prev_end);
	if (off < p->len && (p->buf[off] == ',' || p->buf[off] == ':')) {
		size_t next = skip_ws(p, off + 1);
		if (next < p->len && (lexical || next < token_end(p)))
			off = next;
	}
	/* For bad bytes inside a string, point at the bytes themselves. */
	if (strcmp(reason, "invalid bytes in UTF8 string") == 0 && off < p->len)
		off += json_utf8_invalid_at(p->buf + off, p->len - off);
	return off;
}

static void set_yajl_error(struct parser *p)
{
	unsigned char *raw = yajl_get_error(p->handle, 0, (const unsigned char *)p->buf, p->len);
	char *reason = xstrdup(raw ? (const char *)raw : "syntax error");
	yajl_free_error(p->handle, raw);

	/* Non-verbose yajl text is "lexical error: <reason>.\n" or
	 * "parse error: <reason>\n". */
	bool lexical = strncmp(reason, "lexical error: ", 15) == 0;
	char *text = strstr(reason, "error: ");
	text = text ? text + 7 : reason;
	size_t n = strlen(text);
	while (n > 0 && (is_ws(text[n - 1]) || text[n - 1] == '.'))
		text[--n] = '\0';

	advance_to(p, error_offset(p, lexical, text));
	const char *msg = text;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(text, reasons[i].yajl) == 0)
			msg = reasons[i].ours;
	if (msg == text && text[0] >= 'A' && text[0] <= 'Z')
		text[0] = (char)(text[0] - 'A' + 'a');
	husk_error_set(&p->err, 0, "line %u, column %u: %s", p->cur_line, p->cur_col, msg);
	free(reason);
}

/* yajl's allocations abort on exhaustion like every other in husk. */
static void *yajl_xmalloc(void *ctx, size_t size)
{
	(void)ctx;
	return xmalloc(size);
}

static void *yajl_xrealloc(void *ctx, void *ptr, size_t size)
{
	(void)ctx;
	return xrealloc(ptr, size);
}

static void yajl_xfree(void *ctx, void *ptr)
{
	(void)ctx;
	free(ptr);
}

static void run_yajl(struct parser *p)
{
	yajl_alloc_funcs funcs = {yajl_xmalloc, yajl_xrealloc, yajl_xfree, NULL};
	p->handle = yajl_alloc(&callbacks, &funcs, p);
	if (!p->handle)
		abort();
	/* All of these are yajl's defaults today; spelled out because each
	 * one is a decision about what config.json may contain. */
	yajl_config(p->handle, yajl_allow_comments, 0);
	yajl_config(p->handle, yajl_dont_validate_strings, 0);
	yajl_config(p->handle, yajl_allow_trailing_garbage, 0);
	yajl_config(p->handle, yajl_allow_multiple_values, 0);
	yajl_config(p->handle, yajl_allow_partial_values, 0);

	yajl_status st = yajl_parse(p->handle, (const unsigned char *)p->buf, p->len);
	if (st == yajl_status_ok) {
		p->finishing = true;
		st = yajl_complete_parse(p->handle);
	}
	/* A cancelled parse already carries our own, more precise error. */
	if (st != yajl_status_ok && !p->err)
		set_yajl_error(p);
	yajl_free(p->handle);
	for (size_t i = 0; i < p->n_frames; i++) {
		free(p->frames[i].items);
		free(p->frames[i].members);
		free(p->frames[i].index);
	}
	free(p->frames);
}

int json_parse(const char *buf, size_t len, struct json_doc **ret_doc, struct husk_error **err)
{
	*ret_doc = NULL;
	if (len > JSON_MAX_INPUT_SIZE)
		return husk_error_set(err, 0, "document is larger than %u MiB",
		                      JSON_MAX_INPUT_SIZE / (1024 * 1024));
	size_t first = 0;
	while (first < len && is_ws(buf[first]))
		first++;
	if (first == len)
		return husk_error_set(err, 0, "empty document");

	struct parser p = {
	    .buf = buf,
	    .len = len,
	    .arena = husk_arena_new(),
	    .cur_line = 1,
	    .cur_col = 1,
	};
	run_yajl(&p);
	if (p.err) {
		husk_arena_free(p.arena);
		if (err && !*err)
			*err = p.err;
		else
			husk_error_free(p.err);
		return -1;
	}
	struct json_doc *doc = xmalloc(sizeof(*doc));
	doc->arena = p.arena;
	doc->root = p.root;
	*ret_doc = doc;
	return 0;
}

void json_doc_free(struct json_doc *doc)
{
	if (!doc)
		return;
	husk_arena_free(doc->arena);
	free(doc);
}

const struct json_value *json_doc_root(const struct json_doc *doc)
{
	return doc->root;
}

const struct json_value *json_object_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->object.len; i++)
		if (strcmp(obj->object.members[i].key, key) == 0)
			return obj->object.members[i].value;
	return NULL;
}

const char *json_type_name(enum json_type type)
{
	switch (type) {
	case JSON_NULL:
		return "null";
	case JSON_BOOL:
		return "boolean";
	case JSON_NUMBER:
		return "number";
	case JSON_STRING:
		return "string";
	case JSON_ARRAY:
		return "array";
	case JSON_OBJECT:
		return "object";
	}
	return "unknown";
}
