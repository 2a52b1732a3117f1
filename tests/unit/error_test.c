/* Tests of the error convention: first error wins, prefixes chain. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "husk/error.h"

START_TEST(test_error_set_appends_strerror)
{
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_error_set(&err, ENOENT, "open '%s'", "x"), -1);
	ck_assert_str_eq(err->msg, "open 'x': No such file or directory");
	ck_assert_int_eq(err->errnum, ENOENT);
	husk_error_release(&err);
	ck_assert_ptr_null(err);
}
END_TEST

START_TEST(test_error_first_wins_and_prefix_chains)
{
	struct husk_error *err = NULL;
	husk_error_set(&err, 0, "mount 'proc'");
	husk_error_set(&err, EPERM, "second");
	husk_error_prefix(&err, "create '%s'", "c1");
	ck_assert_str_eq(err->msg, "create 'c1': mount 'proc'");
	ck_assert_int_eq(err->errnum, 0);
	husk_error_release(&err);
}
END_TEST

Suite *error_suite(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_error_set_appends_strerror);
	tcase_add_test(tc, test_error_first_wins_and_prefix_chains);
	suite_add_tcase(s, tc);
	return s;
}
