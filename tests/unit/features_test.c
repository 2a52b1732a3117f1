/* Tests of the features document: its shape follows runtime-spec
 * features.md and its lists are the validator's name tables. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/features.h"
#include "json/json.h"
#include "spec/names.h"

static struct json_doc *features_doc(void)
{
	char *text = husk_features_json();
	struct json_doc *doc = NULL;
	struct husk_error *err = NULL;
	int r = json_parse(text, strlen(text), &doc, &err);
	ck_assert_msg(r == 0, "parse: %s", err ? err->msg : "?");
	ck_assert_int_eq(text[strlen(text) - 1], '\n');
	free(text);
	return doc;
}

static const struct json_value *get(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_object_get(obj, key);
	ck_assert_msg(v != NULL, "missing key %s", key);
	return v;
}

static void assert_list(const struct json_value *v, const struct husk_name_list *list)
{
	ck_assert_int_eq(v->type, JSON_ARRAY);
	ck_assert_uint_eq(v->array.len, list->n);
	for (size_t i = 0; i < list->n; i++)
		ck_assert_str_eq(v->array.items[i]->string.str, list->names[i]);
}

static void assert_enabled(const struct json_value *obj, const char *key, bool want)
{
	const struct json_value *v = get(get(obj, key), "enabled");
	ck_assert_int_eq(v->type, JSON_BOOL);
	ck_assert_int_eq(v->boolean, want);
}

START_TEST(test_features_versions_and_lists)
{
	struct json_doc *doc = features_doc();
	const struct json_value *root = json_doc_root(doc);
	ck_assert_str_eq(get(root, "ociVersionMin")->string.str, "1.0.0");
	ck_assert_str_eq(get(root, "ociVersionMax")->string.str, "1.2.0");
	assert_list(get(root, "hooks"), &husk_hook_names);
	ck_assert_uint_eq(get(root, "hooks")->array.len, 6);
	assert_list(get(root, "mountOptions"), &husk_mount_options);
	const struct json_value *lnx = get(root, "linux");
	assert_list(get(lnx, "namespaces"), &husk_namespace_names);
	assert_list(get(lnx, "capabilities"), &husk_capability_names);
	const struct json_value *ann = get(root, "annotations");
	ck_assert_str_eq(get(ann, "io.github.husk.version")->string.str, HUSK_VERSION);
	ck_assert_str_eq(get(ann, "io.github.husk.commit")->string.str, HUSK_COMMIT);
	json_doc_free(doc);
}
END_TEST

/* Nothing may be advertised before the commit that implements it. */
START_TEST(test_features_unimplemented_are_false)
{
	struct json_doc *doc = features_doc();
	const struct json_value *lnx = get(json_doc_root(doc), "linux");
	const struct json_value *cg = get(lnx, "cgroup");
	/* the v2 and v1 drivers (with rdma.max) exist; systemd does not */
	static const char *const keys[] = {"v1", "v2", "systemd", "systemdUser", "rdma"};
	static const bool want[] = {true, true, false, false, true};
	for (size_t i = 0; i < 5; i++) {
		ck_assert_int_eq(get(cg, keys[i])->type, JSON_BOOL);
		ck_assert_msg(get(cg, keys[i])->boolean == want[i], "cgroup.%s", keys[i]);
	}
	assert_enabled(lnx, "seccomp", true);
	ck_assert_ptr_nonnull(json_object_get(get(lnx, "seccomp"), "actions"));
	ck_assert_ptr_nonnull(json_object_get(get(lnx, "seccomp"), "operators"));
	assert_enabled(lnx, "apparmor", true);
	assert_enabled(lnx, "selinux", true);
	assert_enabled(lnx, "intelRdt", false);
	assert_enabled(get(lnx, "mountExtensions"), "idmap", true);
	json_doc_free(doc);
}
END_TEST

START_TEST(test_libseccomp_version_shape)
{
	char *v = husk_libseccomp_version();
	unsigned a, b, c;
	ck_assert_int_eq(sscanf(v, "%u.%u.%u", &a, &b, &c), 3);
	free(v);
}
END_TEST

Suite *features_suite(void)
{
	Suite *s = suite_create("features");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_features_versions_and_lists);
	tcase_add_test(tc, test_features_unimplemented_are_false);
	tcase_add_test(tc, test_libseccomp_version_shape);
	suite_add_tcase(s, tc);
	return s;
}
