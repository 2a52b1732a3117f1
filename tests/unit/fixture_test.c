/* The config fixture suite: every config/invalid/NAME.json must fail
 * parsing or validation with exactly the one-line error in NAME.err, and
 * every config/valid/NAME.json must parse and validate.  Fixtures are found
 * when the suite is built, one loop iteration each, so adding a case is
 * adding two files. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/cleanup.h"
#include "husk/spec.h"
#include "util/xalloc.h"

struct fixture_set {
	char *dir;
	char **names; /* base names without ".json", sorted */
	int n;
};

/* Filled once in fixtures_suite() before any test runs, read by the tests
 * (in the forked test process or, with CK_FORK=no, in this one). */
static struct fixture_set invalid_set, valid_set;

static int is_json(const struct dirent *e)
{
	size_t len = strlen(e->d_name);
	return len > 5 && strcmp(e->d_name + len - 5, ".json") == 0;
}

static void fixture_set_load(struct fixture_set *set, const char *sub)
{
	const char *root = getenv("HUSK_FIXTURES");
	set->dir = xasprintf("%s/config/%s", root && *root ? root : "tests/fixtures", sub);
	struct dirent **ents = NULL;
	int n = scandir(set->dir, &ents, is_json, alphasort);
	if (n < 0)
		n = 0;
	set->names = xcalloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; i < n; i++) {
		set->names[i] = xstrndup(ents[i]->d_name, strlen(ents[i]->d_name) - 5);
		free(ents[i]);
	}
	free(ents);
	set->n = n;
}

/* Whole file as a buffer; NULL when it cannot be read. */
static char *read_all(const char *path, size_t *ret_len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = xmalloc(cap);
	size_t got;
	while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	buf[len] = '\0'; /* len < cap always holds here */
	*ret_len = len;
	return buf;
}

/* Parses and validates as `husk create` does; returns the error or NULL. */
static struct husk_error *load_fixture(const struct fixture_set *set, int i)
{
	_cleanup_free_ char *path = xasprintf("%s/%s.json", set->dir, set->names[i]);
	size_t len = 0;
	_cleanup_free_ char *buf = read_all(path, &len);
	ck_assert_msg(buf != NULL, "cannot read %s", path);
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	if (husk_spec_parse("config.json", buf, len, &spec, &err) >= 0) {
		husk_spec_validate("config.json", spec, &err);
		husk_spec_free(spec);
	}
	return err;
}

START_TEST(test_invalid_fixture)
{
	const char *name = invalid_set.names[_i];
	_cleanup_free_ char *err_path = xasprintf("%s/%s.err", invalid_set.dir, name);
	size_t len = 0;
	_cleanup_free_ char *want = read_all(err_path, &len);
	ck_assert_msg(want != NULL, "%s: missing golden file %s", name, err_path);
	if (len > 0 && want[len - 1] == '\n')
		want[--len] = '\0';
	ck_assert_msg(strchr(want, '\n') == NULL, "%s: golden error must be one line", name);

	struct husk_error *err = load_fixture(&invalid_set, _i);
	ck_assert_msg(err != NULL, "%s: accepted, want error: %s", name, want);
	ck_assert_msg(strcmp(err->msg, want) == 0, "%s:\n got: %s\nwant: %s", name, err->msg, want);
	husk_error_free(err);
}
END_TEST

START_TEST(test_valid_fixture)
{
	struct husk_error *err = load_fixture(&valid_set, _i);
	ck_assert_msg(err == NULL, "%s: rejected: %s", valid_set.names[_i], err ? err->msg : "");
}
END_TEST

START_TEST(test_invalid_fixtures_found)
{
	ck_assert_msg(invalid_set.n > 0, "no fixtures in %s (set HUSK_FIXTURES)", invalid_set.dir);
}
END_TEST

Suite *fixtures_suite(void)
{
	fixture_set_load(&invalid_set, "invalid");
	fixture_set_load(&valid_set, "valid");
	Suite *s = suite_create("fixtures");
	TCase *tc = tcase_create("config");
	tcase_add_test(tc, test_invalid_fixtures_found);
	tcase_add_loop_test(tc, test_invalid_fixture, 0, invalid_set.n);
	tcase_add_loop_test(tc, test_valid_fixture, 0, valid_set.n);
	suite_add_tcase(s, tc);
	return s;
}
