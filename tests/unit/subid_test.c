/* Subordinate id files and the checks newuidmap would make: entries by
 * name or uid, adjacent ranges adding up, the caller's own id needing no
 * range, and the error lines naming the mapping, the range and the file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/cleanup.h"
#include "subid.h"
#include "testutil.h"

static char dir[64];
static char file[128];

static void write_file(const char *text)
{
	FILE *f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	test_tmpdir_create(dir, sizeof(dir), "subid");
	snprintf(file, sizeof(file), "%s/subuid", dir);
}

static void teardown(void)
{
	test_tmpdir_remove(dir);
}

START_TEST(test_read_by_name_and_uid)
{
	write_file("bob:50000:10\n# a comment\nalice:100000:65536\n1001:300000:5\n"
	           "alice:bad:1\nalice:1:0\nalice:7\n");
	struct husk_subid_range *r = NULL;
	size_t n = 0;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_subid_read(file, "alice", 1001, &r, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(r[0].start, 100000);
	ck_assert_uint_eq(r[0].count, 65536);
	ck_assert_uint_eq(r[1].start, 300000);
	free(r);
}
END_TEST

START_TEST(test_missing_file_has_no_ranges)
{
	struct husk_subid_range *r = NULL;
	size_t n = 7;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_subid_read("/nonexistent/subuid", "alice", 1001, &r, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(err);
}
END_TEST

START_TEST(test_covers_adjacent_ranges)
{
	struct husk_subid_range r[] = {{100000, 1000}, {101000, 1000}, {200000, 10}};
	ck_assert(husk_subid_covers(r, 3, 100000, 1000));
	ck_assert(husk_subid_covers(r, 3, 100500, 1000)); /* spans two */
	ck_assert(!husk_subid_covers(r, 3, 100500, 2000));
	ck_assert(!husk_subid_covers(r, 3, 99999, 2));
	ck_assert(husk_subid_covers(r, 3, 200009, 1));
	ck_assert(!husk_subid_covers(r, 3, 200009, 2));
	ck_assert(!husk_subid_covers(r, 3, 200000, 0));
}
END_TEST

START_TEST(test_needs_helper)
{
	struct husk_spec_id_mapping own = {0, 1001, 1};
	struct husk_spec_id_mapping wide = {0, 1001, 2};
	struct husk_spec_id_mapping two[] = {{0, 1001, 1}, {1, 100000, 65536}};
	ck_assert(!husk_subid_needs_helper(&own, 1, 1001));
	ck_assert(husk_subid_needs_helper(&own, 1, 1002));
	ck_assert(husk_subid_needs_helper(&wide, 1, 1001));
	ck_assert(husk_subid_needs_helper(two, 2, 1001));
}
END_TEST

START_TEST(test_check_errors_name_the_range)
{
	write_file("alice:100000:65536\n");
	struct husk_spec_id_mapping ok[] = {{0, 1001, 1}, {1, 100000, 65536}};
	struct husk_spec_id_mapping bad[] = {{0, 1001, 1}, {1, 200000, 10}};
	struct husk_error *err = NULL;
	ck_assert_int_eq(
	    husk_subid_check("linux.uidMappings", file, "alice", 1001, 1001, ok, 2, &err), 0);
	ck_assert_int_lt(
	    husk_subid_check("linux.uidMappings", file, "alice", 1001, 1001, bad, 2, &err), 0);
	char want[256];
	snprintf(want, sizeof(want),
	         "linux.uidMappings[1]: host ids 200000-200009 are not subordinate ids of user "
	         "\"alice\" (uid 1001) in %s",
	         file);
	ck_assert_str_eq(err->msg, want);
	husk_error_release(&err);
	ck_assert_int_lt(
	    husk_subid_check("linux.gidMappings", file, "carol", 1002, 1002, ok, 2, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "user \"carol\" (uid 1002) has none in"));
	husk_error_release(&err);
}
END_TEST

Suite *subid_suite(void)
{
	Suite *s = suite_create("subid");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_read_by_name_and_uid);
	tcase_add_test(tc, test_missing_file_has_no_ranges);
	tcase_add_test(tc, test_covers_adjacent_ranges);
	tcase_add_test(tc, test_needs_helper);
	tcase_add_test(tc, test_check_errors_name_the_range);
	suite_add_tcase(s, tc);
	return s;
}
