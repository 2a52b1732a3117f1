/* Tests of libcontainer/json: the strict parser (limits, positions, error
 * lines), the exact number accessors and the generator. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"

static struct json_doc *parse_ok(const char *buf, size_t len)
{
	struct json_doc *doc = NULL;
	struct husk_error *err = NULL;
	int r = json_parse(buf, len, &doc, &err);
	if (r < 0)
		ck_abort_msg("unexpected parse error: %s", err->msg);
	ck_assert_ptr_null(err);
	ck_assert_ptr_nonnull(doc);
	return doc;
}

/* Returns the error message (caller frees); every error is one line. */
static char *parse_error(const char *buf, size_t len)
{
	struct json_doc *doc = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_lt(json_parse(buf, len, &doc, &err), 0);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_null(strchr(err->msg, '\n'));
	char *msg = strdup(err->msg);
	husk_error_free(err);
	return msg;
}

#define ASSERT_ERROR_LEN(buf, len, expected)                                                       \
	do {                                                                                       \
		char *msg_ = parse_error((buf), (len));                                            \
		ck_assert_str_eq(msg_, (expected));                                                \
		free(msg_);                                                                        \
	} while (0)
#define ASSERT_ERROR(str, expected) ASSERT_ERROR_LEN((str), strlen(str), (expected))

static struct json_doc *parse_str(const char *s)
{
	return parse_ok(s, strlen(s));
}

/* "[[[...]]]" or {"a":{"a":...}} nested n deep. */
static char *nested(size_t n, bool objects)
{
	size_t unit = objects ? 5 : 1;
	char *s = malloc(n * (unit + 1) + 2), *o = s;
	for (size_t i = 0; i < n; i++)
		o = objects ? stpcpy(o, "{\"a\":") : stpcpy(o, "[");
	if (objects)
		o = stpcpy(o, "1");
	for (size_t i = 0; i < n; i++)
		*o++ = objects ? '}' : ']';
	*o = '\0';
	return s;
}

START_TEST(test_scalars)
{
	struct json_doc *doc = parse_str("null");
	ck_assert_int_eq(json_doc_root(doc)->type, JSON_NULL);
	json_doc_free(doc);

	doc = parse_str(" true ");
	ck_assert_int_eq(json_doc_root(doc)->type, JSON_BOOL);
	ck_assert(json_doc_root(doc)->boolean);
	json_doc_free(doc);

	doc = parse_str("false");
	ck_assert(!json_doc_root(doc)->boolean);
	json_doc_free(doc);

	/* A top-level number is completed by yajl_complete_parse(). */
	doc = parse_str("-12.5e3");
	ck_assert_int_eq(json_doc_root(doc)->type, JSON_NUMBER);
	ck_assert_str_eq(json_doc_root(doc)->number, "-12.5e3");
	json_doc_free(doc);

	doc = parse_str("\"h\\u00e9\\n\"");
	const struct json_value *v = json_doc_root(doc);
	ck_assert_int_eq(v->type, JSON_STRING);
	ck_assert_str_eq(v->string.str, "h\xc3\xa9\n");
	ck_assert_uint_eq(v->string.len, 4);
	json_doc_free(doc);
}
END_TEST

START_TEST(test_nesting_and_order)
{
	struct json_doc *doc = parse_str("{\"b\": 1, \"a\": [true, {\"c\": null}, []], \"e\": {}}");
	const struct json_value *root = json_doc_root(doc);
	ck_assert_int_eq(root->type, JSON_OBJECT);
	ck_assert_uint_eq(root->object.len, 3);
	ck_assert_str_eq(root->object.members[0].key, "b");
	ck_assert_str_eq(root->object.members[1].key, "a");
	ck_assert_str_eq(root->object.members[2].key, "e");
	const struct json_value *a = json_object_get(root, "a");
	ck_assert_int_eq(a->type, JSON_ARRAY);
	ck_assert_uint_eq(a->array.len, 3);
	ck_assert_int_eq(a->array.items[1]->type, JSON_OBJECT);
	ck_assert_int_eq(json_object_get(a->array.items[1], "c")->type, JSON_NULL);
	ck_assert_uint_eq(a->array.items[2]->array.len, 0);
	ck_assert_uint_eq(json_object_get(root, "e")->object.len, 0);
	ck_assert_ptr_null(json_object_get(root, "missing"));
	ck_assert_ptr_null(json_object_get(a, "b")); /* not an object */
	ck_assert_ptr_null(json_object_get(NULL, "b"));
	json_doc_free(doc);
}
END_TEST

START_TEST(test_positions)
{
	const char *text = "{\n"
	                   "  \"ociVersion\": \"1.0.2\",\n"
	                   "  \"process\": {\n"
	                   "\t\"args\": [ \"sh\",\n"
	                   "    -1 ],\n"
	                   "    \"t\": true }\n"
	                   "}";
	struct json_doc *doc = parse_str(text);
	const struct json_value *root = json_doc_root(doc);
	ck_assert_uint_eq(root->line, 1);
	ck_assert_uint_eq(root->col, 1);
	const struct json_value *v = json_object_get(root, "ociVersion");
	ck_assert_uint_eq(v->line, 2);
	ck_assert_uint_eq(v->col, 17);
	const struct json_value *proc = json_object_get(root, "process");
	ck_assert_uint_eq(proc->line, 3);
	ck_assert_uint_eq(proc->col, 14);
	const struct json_value *args = json_object_get(proc, "args");
	ck_assert_uint_eq(args->line, 4);
	ck_assert_uint_eq(args->col, 10); /* a tab is one column */
	ck_assert_uint_eq(args->array.items[0]->line, 4);
	ck_assert_uint_eq(args->array.items[0]->col, 12);
	ck_assert_uint_eq(args->array.items[1]->line, 5);
	ck_assert_uint_eq(args->array.items[1]->col, 5);
	v = json_object_get(proc, "t");
	ck_assert_uint_eq(v->line, 6);
	ck_assert_uint_eq(v->col, 10);
	json_doc_free(doc);

	/* Columns count characters: "é" is two bytes but one column. */
	doc = parse_str("{\"\xc3\xa9\": 7}");
	v = json_doc_root(doc)->object.members[0].value;
	ck_assert_uint_eq(v->col, 7);
	json_doc_free(doc);

	doc = parse_str("\r\n  42");
	ck_assert_uint_eq(json_doc_root(doc)->line, 2);
	ck_assert_uint_eq(json_doc_root(doc)->col, 3);
	json_doc_free(doc);
}
END_TEST

START_TEST(test_duplicate_keys)
{
	ASSERT_ERROR("{\"a\": 1,\n \"b\": 2, \"a\": 3}", "line 2, column 10: duplicate key \"a\"");
	/* Same key in different objects is fine. */
	json_doc_free(parse_str("{\"a\": {\"a\": 1}, \"b\": {\"a\": 2}}"));
	/* Keys are quoted with escapes so the message stays one line. */
	ASSERT_ERROR("{\"x\\ny\": 1, \"x\\ny\": 2}",
	             "line 1, column 13: duplicate key \"x\\x0ay\"");
}
END_TEST

/* Past 32 members duplicates are found through a hash index: check both
 * that it finds them and that it does not invent any. */
START_TEST(test_duplicate_keys_large_object)
{
	size_t n = 5000;
	char *buf = malloc(n * 16 + 32), *o = buf;
	*o++ = '{';
	for (size_t i = 0; i < n; i++)
		o += sprintf(o, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	strcpy(o, "}");
	struct json_doc *doc = parse_str(buf);
	const struct json_value *root = json_doc_root(doc);
	ck_assert_uint_eq(root->object.len, n);
	ck_assert_str_eq(root->object.members[4999].key, "k4999");
	ck_assert_str_eq(json_object_get(root, "k1234")->number, "1234");
	json_doc_free(doc);

	sprintf(o, ",\"k4321\":0}");
	char *msg = parse_error(buf, strlen(buf));
	ck_assert_ptr_nonnull(strstr(msg, ": duplicate key \"k4321\""));
	free(msg);
	free(buf);
}
END_TEST

START_TEST(test_nul_in_strings)
{
	ASSERT_ERROR("[\"ab\\u0000c\"]", "line 1, column 2: string contains a NUL character");
	ASSERT_ERROR("{\"a\": 1, \"k\\u0000\": 2}",
	             "line 1, column 10: object key contains a NUL character");
	/* A raw NUL byte is not even a valid character inside a string. */
	ASSERT_ERROR_LEN("[\"a\0\"]", 6, "line 1, column 2: invalid character inside string");
}
END_TEST

START_TEST(test_comments_rejected)
{
	ASSERT_ERROR("/* c */ {}", "line 1, column 1: comments are not allowed");
	ASSERT_ERROR("[1, // c\n2]", "line 1, column 5: comments are not allowed");
	/* After the value yajl only looks for the end, so a comment there is
	 * reported as trailing text: rejected either way. */
	ASSERT_ERROR("{}\n/* c */", "line 2, column 1: unexpected text after the top-level value");
}
END_TEST

START_TEST(test_trailing_garbage)
{
	ASSERT_ERROR("{}x", "line 1, column 3: unexpected text after the top-level value");
	ASSERT_ERROR("{} {}", "line 1, column 4: unexpected text after the top-level value");
	ASSERT_ERROR("1 2", "line 1, column 3: unexpected text after the top-level value");
	json_doc_free(parse_str("{}\n\t \r\n"));
}
END_TEST

START_TEST(test_syntax_errors)
{
	ASSERT_ERROR("{\"a\": x}", "line 1, column 7: invalid char in json text");
	ASSERT_ERROR("[1,]", "line 1, column 4: unallowed token at this point in JSON text");
	ASSERT_ERROR("[1,,2]", "line 1, column 4: unallowed token at this point in JSON text");
	ASSERT_ERROR("{\"a\" 1}",
	             "line 1, column 6: object key and value must be separated by a colon (':')");
	ASSERT_ERROR("[\n  tru]",
	             "line 2, column 3: invalid literal (expected true, false or null)");
	ASSERT_ERROR("[01]", "line 1, column 3: after array element, I expect ',' or ']'");
	ASSERT_ERROR("{1: 2}", "line 1, column 2: invalid object key (must be a string)");
}
END_TEST

START_TEST(test_truncated)
{
	ASSERT_ERROR("{\"a\":", "line 1, column 6: unexpected end of input");
	ASSERT_ERROR("[1", "line 1, column 3: unexpected end of input");
	ASSERT_ERROR("\"abc", "line 1, column 5: unexpected end of input");
	ASSERT_ERROR("-", "line 1, column 1: malformed number, a digit is required after the minus "
	                  "sign");
}
END_TEST

START_TEST(test_empty)
{
	ASSERT_ERROR_LEN(NULL, 0, "empty document");
	ASSERT_ERROR("", "empty document");
	ASSERT_ERROR(" \n\t\r\n", "empty document");
}
END_TEST

START_TEST(test_size_limit)
{
	size_t len = JSON_MAX_INPUT_SIZE + 1;
	char *buf = malloc(len);
	memset(buf, ' ', len);
	buf[0] = '1';
	ASSERT_ERROR_LEN(buf, len, "document is larger than 64 MiB");
	free(buf);
}
END_TEST

START_TEST(test_invalid_utf8)
{
	ASSERT_ERROR("[\"ab\xff\"]", "line 1, column 5: string is not valid UTF-8");
	ASSERT_ERROR("\xff", "line 1, column 1: invalid char in json text");
	ASSERT_ERROR("[1, \xc3\xa9]", "line 1, column 5: invalid char in json text");
	/* yajl lets these through; the strict check does not. */
	ASSERT_ERROR("[\"\xc0\x80\"]",
	             "line 1, column 2: string is not valid UTF-8"); /* overlong */
	ASSERT_ERROR("[\"\xe0\x80\xaf\"]", "line 1, column 2: string is not valid UTF-8");
	ASSERT_ERROR("[\"\xed\xa0\x80\"]", "line 1, column 2: string is not valid UTF-8");
	ASSERT_ERROR("[\"\xf4\x90\x80\x80\"]", "line 1, column 2: string is not valid UTF-8");
	ASSERT_ERROR("{\"\xc1\xbf\": 1}", "line 1, column 2: object key is not valid UTF-8");
	json_doc_free(parse_str("[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]"));
}
END_TEST

START_TEST(test_surrogate_escapes)
{
	struct json_doc *doc = parse_str("\"\\ud83d\\ude00\"");
	ck_assert_str_eq(json_doc_root(doc)->string.str, "\xf0\x9f\x98\x80");
	json_doc_free(doc);
	doc = parse_str("\"\\\\ud800\""); /* an escaped backslash, then text */
	ck_assert_str_eq(json_doc_root(doc)->string.str, "\\ud800");
	json_doc_free(doc);
	ASSERT_ERROR("[\"\\ud800\"]",
	             "line 1, column 2: string contains an unpaired UTF-16 surrogate escape");
	ASSERT_ERROR("[\"\\udc00x\"]",
	             "line 1, column 2: string contains an unpaired UTF-16 surrogate escape");
	ASSERT_ERROR("[\"\\ud800\\u0041\"]",
	             "line 1, column 2: string contains an unpaired UTF-16 surrogate escape");
}
END_TEST

START_TEST(test_deep_arrays)
{
	char *s = nested(10000, false);
	ASSERT_ERROR(s, "line 1, column 513: nesting deeper than 512 levels");
	free(s);
}
END_TEST

START_TEST(test_deep_objects)
{
	char *s = nested(10000, true);
	ASSERT_ERROR(s, "line 1, column 2561: nesting deeper than 512 levels");
	free(s);
}
END_TEST

START_TEST(test_depth_at_limit)
{
	char *s = nested(JSON_MAX_DEPTH, false);
	struct json_doc *doc = parse_str(s);
	const struct json_value *v = json_doc_root(doc);
	size_t depth = 1;
	while (v->array.len) {
		v = v->array.items[0];
		depth++;
	}
	ck_assert_uint_eq(depth, JSON_MAX_DEPTH);
	json_doc_free(doc);
	free(s);

	s = nested(JSON_MAX_DEPTH, true);
	json_doc_free(parse_str(s));
	free(s);

	s = nested(JSON_MAX_DEPTH + 1, false);
	ASSERT_ERROR(s, "line 1, column 513: nesting deeper than 512 levels");
	free(s);
}
END_TEST

START_TEST(test_large_array)
{
	size_t n = 200000;
	char *buf = malloc(n * 2 + 3), *o = buf;
	*o++ = '[';
	for (size_t i = 0; i < n; i++) {
		*o++ = i ? ',' : ' ';
		*o++ = (char)('0' + i % 10);
	}
	strcpy(o, "]");
	struct json_doc *doc = parse_str(buf);
	const struct json_value *root = json_doc_root(doc);
	ck_assert_uint_eq(root->array.len, n);
	ck_assert_str_eq(root->array.items[n - 1]->number, "9");
	ck_assert_uint_eq(root->array.items[n - 1]->col, n * 2 + 1);
	json_doc_free(doc);
	free(buf);
}
END_TEST

START_TEST(test_error_conventions)
{
	/* The first error is kept; err may be NULL; *ret_doc is cleared. */
	struct husk_error *err = NULL;
	husk_error_set(&err, 0, "first");
	struct json_doc *doc = (struct json_doc *)&err;
	ck_assert_int_lt(json_parse("[", 1, &doc, &err), 0);
	ck_assert_ptr_null(doc);
	ck_assert_str_eq(err->msg, "first");
	husk_error_free(err);
	ck_assert_int_lt(json_parse("{}}", 3, &doc, NULL), 0);
	ck_assert_ptr_null(doc);
}
END_TEST

/* Parses one number and returns the document (caller frees). */
static struct json_doc *number_doc(const char *text)
{
	struct json_doc *doc = parse_str(text);
	ck_assert_int_eq(json_doc_root(doc)->type, JSON_NUMBER);
	return doc;
}

static int u64_of(const char *text, uint64_t *ret)
{
	struct json_doc *doc = number_doc(text);
	int r = json_number_u64(json_doc_root(doc), ret);
	json_doc_free(doc);
	return r;
}

static int i64_of(const char *text, int64_t *ret)
{
	struct json_doc *doc = number_doc(text);
	int r = json_number_i64(json_doc_root(doc), ret);
	json_doc_free(doc);
	return r;
}

START_TEST(test_number_u64)
{
	uint64_t u = 7;
	ck_assert_int_eq(u64_of("18446744073709551615", &u), 0);
	ck_assert(u == UINT64_MAX);
	ck_assert_int_eq(u64_of("0", &u), 0);
	ck_assert(u == 0);
	ck_assert_int_eq(u64_of("18446744073709551616", &u), -ERANGE);
	ck_assert_int_eq(u64_of("99999999999999999999999", &u), -ERANGE);
	ck_assert_int_eq(u64_of("-1", &u), -EINVAL);
	ck_assert_int_eq(u64_of("-0", &u), -EINVAL);
	ck_assert_int_eq(u64_of("1.5", &u), -EINVAL);
	ck_assert_int_eq(u64_of("1e3", &u), -EINVAL);
	ck_assert_int_eq(u64_of("1.0", &u), -EINVAL);
	ck_assert_int_eq(u64_of("1e400", &u), -EINVAL);
	ck_assert(u == 0); /* untouched by failures */
}
END_TEST

START_TEST(test_number_i64)
{
	int64_t i = 0;
	ck_assert_int_eq(i64_of("9223372036854775807", &i), 0);
	ck_assert(i == INT64_MAX);
	ck_assert_int_eq(i64_of("-9223372036854775808", &i), 0);
	ck_assert(i == INT64_MIN);
	ck_assert_int_eq(i64_of("-0", &i), 0);
	ck_assert(i == 0);
	ck_assert_int_eq(i64_of("-42", &i), 0);
	ck_assert(i == -42);
	ck_assert_int_eq(i64_of("9223372036854775808", &i), -ERANGE);
	ck_assert_int_eq(i64_of("-9223372036854775809", &i), -ERANGE);
	ck_assert_int_eq(i64_of("-1.5", &i), -EINVAL);
	ck_assert_int_eq(i64_of("2E+2", &i), -EINVAL);
}
END_TEST

START_TEST(test_number_double)
{
	double d = 0;
	struct json_doc *doc = number_doc("-1.5e2");
	ck_assert_int_eq(json_number_double(json_doc_root(doc), &d), 0);
	ck_assert(d == -150.0);
	json_doc_free(doc);
	doc = number_doc("1e999");
	ck_assert_int_eq(json_number_double(json_doc_root(doc), &d), -ERANGE);
	json_doc_free(doc);
	doc = number_doc("1e-400"); /* underflow rounds, it is not an error */
	ck_assert_int_eq(json_number_double(json_doc_root(doc), &d), 0);
	ck_assert(d == 0.0);
	json_doc_free(doc);

	/* Accessors refuse non-numbers. */
	doc = parse_str("\"1\"");
	uint64_t u;
	int64_t i;
	ck_assert_int_eq(json_number_u64(json_doc_root(doc), &u), -EINVAL);
	ck_assert_int_eq(json_number_i64(json_doc_root(doc), &i), -EINVAL);
	ck_assert_int_eq(json_number_double(json_doc_root(doc), &d), -EINVAL);
	json_doc_free(doc);
}
END_TEST

START_TEST(test_type_names)
{
	ck_assert_str_eq(json_type_name(JSON_NULL), "null");
	ck_assert_str_eq(json_type_name(JSON_BOOL), "boolean");
	ck_assert_str_eq(json_type_name(JSON_NUMBER), "number");
	ck_assert_str_eq(json_type_name(JSON_STRING), "string");
	ck_assert_str_eq(json_type_name(JSON_ARRAY), "array");
	ck_assert_str_eq(json_type_name(JSON_OBJECT), "object");
}
END_TEST

static void gen_sample(struct json_gen *g)
{
	json_gen_object_open(g);
	json_gen_kv_string(g, "s", "a\"b\\c\n\t\x01/\xc3\xa9");
	json_gen_kv_bool(g, "t", true);
	json_gen_kv_i64(g, "min", INT64_MIN);
	json_gen_kv_u64(g, "max", UINT64_MAX);
	json_gen_kv_string(g, "n", NULL);
	json_gen_key(g, "list");
	json_gen_array_open(g);
	json_gen_i64(g, -1);
	json_gen_object_open(g);
	json_gen_object_close(g);
	json_gen_array_open(g);
	json_gen_array_close(g);
	json_gen_null(g);
	json_gen_bool(g, false);
	json_gen_array_close(g);
	json_gen_object_close(g);
}

START_TEST(test_gen_compact_and_escaping)
{
	struct json_gen *g = json_gen_new(false);
	gen_sample(g);
	size_t len;
	const char *out = json_gen_result(g, &len);
	ck_assert_str_eq(out, "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001/\xc3\xa9\",\"t\":true,"
	                      "\"min\":-9223372036854775808,\"max\":18446744073709551615,"
	                      "\"n\":null,\"list\":[-1,{},[],null,false]}");
	ck_assert_uint_eq(len, strlen(out));
	json_gen_free(g);
}
END_TEST

START_TEST(test_gen_round_trip)
{
	struct json_gen *g = json_gen_new(true);
	gen_sample(g);
	size_t len;
	const char *out = json_gen_result(g, &len);
	ck_assert_ptr_nonnull(out);
	struct json_doc *doc = parse_ok(out, len);
	const struct json_value *root = json_doc_root(doc);
	ck_assert_str_eq(json_object_get(root, "s")->string.str, "a\"b\\c\n\t\x01/\xc3\xa9");
	ck_assert(json_object_get(root, "t")->boolean);
	int64_t i;
	uint64_t u;
	ck_assert_int_eq(json_number_i64(json_object_get(root, "min"), &i), 0);
	ck_assert(i == INT64_MIN);
	ck_assert_int_eq(json_number_u64(json_object_get(root, "max"), &u), 0);
	ck_assert(u == UINT64_MAX);
	ck_assert_int_eq(json_object_get(root, "n")->type, JSON_NULL);
	const struct json_value *list = json_object_get(root, "list");
	ck_assert_uint_eq(list->array.len, 5);
	ck_assert_int_eq(list->array.items[1]->type, JSON_OBJECT);
	ck_assert_int_eq(list->array.items[4]->type, JSON_BOOL);
	json_doc_free(doc);
	json_gen_free(g);
}
END_TEST

START_TEST(test_gen_pretty_shape)
{
	struct json_gen *g = json_gen_new(true);
	json_gen_object_open(g);
	json_gen_kv_string(g, "ociVersion", "1.0.2");
	json_gen_key(g, "args");
	json_gen_array_open(g);
	json_gen_string(g, "sh");
	json_gen_string(g, "-c");
	json_gen_array_close(g);
	json_gen_key(g, "env");
	json_gen_array_open(g);
	json_gen_array_close(g);
	json_gen_key(g, "linux");
	json_gen_object_open(g);
	json_gen_key(g, "resources");
	json_gen_object_open(g);
	json_gen_object_close(g);
	json_gen_object_close(g);
	json_gen_object_close(g);
	ck_assert_str_eq(json_gen_result(g, NULL), "{\n"
	                                           "  \"ociVersion\": \"1.0.2\",\n"
	                                           "  \"args\": [\n"
	                                           "    \"sh\",\n"
	                                           "    \"-c\"\n"
	                                           "  ],\n"
	                                           "  \"env\": [],\n"
	                                           "  \"linux\": {\n"
	                                           "    \"resources\": {}\n"
	                                           "  }\n"
	                                           "}");
	json_gen_free(g);
}
END_TEST

START_TEST(test_gen_scalars_and_invalid_utf8)
{
	struct json_gen *g = json_gen_new(false);
	json_gen_string(g, NULL);
	ck_assert_str_eq(json_gen_result(g, NULL), "null");
	json_gen_free(g);

	/* Bytes that are not UTF-8 become U+FFFD, one for one. */
	g = json_gen_new(true);
	json_gen_string(g, "a\xff\xc0\x80z");
	ck_assert_str_eq(json_gen_result(g, NULL), "\"a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\"");
	json_gen_free(g);

	/* Strings with ':' ',' and brackets are not laid out as structure. */
	g = json_gen_new(true);
	json_gen_array_open(g);
	json_gen_string(g, "{a: [1, 2]} \\\"");
	json_gen_array_close(g);
	ck_assert_str_eq(json_gen_result(g, NULL), "[\n  \"{a: [1, 2]} \\\\\\\"\"\n]");
	json_gen_free(g);
}
END_TEST

START_TEST(test_gen_misuse)
{
	struct json_gen *g = json_gen_new(false);
	json_gen_key(g, "k"); /* outside any object */
	ck_assert_ptr_null(json_gen_result(g, NULL));
	json_gen_free(g);

	g = json_gen_new(false);
	json_gen_array_open(g);
	json_gen_key(g, "k"); /* in an array */
	json_gen_array_close(g);
	ck_assert_ptr_null(json_gen_result(g, NULL));
	json_gen_free(g);

	g = json_gen_new(false);
	json_gen_object_open(g);
	json_gen_bool(g, true); /* value without a key */
	json_gen_object_close(g);
	ck_assert_ptr_null(json_gen_result(g, NULL));
	json_gen_free(g);

	g = json_gen_new(false);
	json_gen_object_open(g); /* never closed */
	size_t len = 99;
	ck_assert_ptr_null(json_gen_result(g, &len));
	ck_assert_uint_eq(len, 0);
	json_gen_free(g);

	g = json_gen_new(false);
	json_gen_null(g);
	json_gen_null(g); /* a second top-level value */
	ck_assert_ptr_null(json_gen_result(g, NULL));
	json_gen_free(g);

	g = json_gen_new(false);
	json_gen_object_open(g);
	json_gen_array_close(g); /* mismatched close */
	ck_assert_ptr_null(json_gen_result(g, NULL));
	json_gen_free(g);
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_nesting_and_order);
	tcase_add_test(tc, test_positions);
	tcase_add_test(tc, test_duplicate_keys);
	tcase_add_test(tc, test_duplicate_keys_large_object);
	tcase_add_test(tc, test_nul_in_strings);
	tcase_add_test(tc, test_comments_rejected);
	tcase_add_test(tc, test_trailing_garbage);
	tcase_add_test(tc, test_syntax_errors);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_surrogate_escapes);
	tcase_add_test(tc, test_deep_arrays);
	tcase_add_test(tc, test_deep_objects);
	tcase_add_test(tc, test_depth_at_limit);
	tcase_add_test(tc, test_large_array);
	tcase_add_test(tc, test_error_conventions);
	suite_add_tcase(s, tc);

	tc = tcase_create("number");
	tcase_add_test(tc, test_number_u64);
	tcase_add_test(tc, test_number_i64);
	tcase_add_test(tc, test_number_double);
	tcase_add_test(tc, test_type_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("gen");
	tcase_add_test(tc, test_gen_compact_and_escaping);
	tcase_add_test(tc, test_gen_round_trip);
	tcase_add_test(tc, test_gen_pretty_shape);
	tcase_add_test(tc, test_gen_scalars_and_invalid_utf8);
	tcase_add_test(tc, test_gen_misuse);
	suite_add_tcase(s, tc);
	return s;
}
