/* Signal argument parsing as kill's callers send it. */
#include <check.h>
#include <signal.h>
#include <string.h>

#include "husk/signals.h"

static int parse_ok(const char *text)
{
	struct husk_error *err = NULL;
	int signo = -1;
	ck_assert_msg(husk_signal_parse(text, &signo, &err) == 0, "parse \"%s\" failed", text);
	ck_assert_ptr_null(err);
	return signo;
}

START_TEST(test_signal_names_numbers_and_case)
{
	ck_assert_int_eq(parse_ok("SIGTERM"), SIGTERM);
	ck_assert_int_eq(parse_ok("TERM"), SIGTERM);
	ck_assert_int_eq(parse_ok("term"), SIGTERM);
	ck_assert_int_eq(parse_ok("sigkill"), SIGKILL);
	ck_assert_int_eq(parse_ok("9"), SIGKILL);
	ck_assert_int_eq(parse_ok("15"), SIGTERM);
	ck_assert_int_eq(parse_ok("SIGWINCH"), SIGWINCH);
	ck_assert_int_eq(parse_ok("CLD"), SIGCHLD);
}
END_TEST

START_TEST(test_signal_realtime)
{
	ck_assert_int_eq(parse_ok("SIGRTMIN"), SIGRTMIN);
	ck_assert_int_eq(parse_ok("RTMIN+3"), SIGRTMIN + 3);
	ck_assert_int_eq(parse_ok("SIGRTMAX-1"), SIGRTMAX - 1);
	ck_assert_int_eq(parse_ok("rtmax"), SIGRTMAX);
}
END_TEST

START_TEST(test_signal_invalid)
{
	static const char *const bad[] = {"",        "FOO",    "SIG",         "0",
	                                  "-1",      "65",     "9x",          "RTMIN-1",
	                                  "RTMAX+1", "RTMIN+", "SIGRTMIN+99", "99999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct husk_error *err = NULL;
		int signo = -1;
		ck_assert_msg(husk_signal_parse(bad[i], &signo, &err) < 0, "\"%s\" accepted",
		              bad[i]);
		ck_assert_ptr_nonnull(err);
		ck_assert_ptr_nonnull(strstr(err->msg, "invalid signal"));
		husk_error_release(&err);
	}
}
END_TEST

START_TEST(test_signal_name_lookup)
{
	ck_assert_str_eq(husk_signal_name(SIGKILL), "SIGKILL");
	ck_assert_str_eq(husk_signal_name(SIGTERM), "SIGTERM");
	ck_assert_ptr_null(husk_signal_name(0));
	ck_assert_ptr_null(husk_signal_name(SIGRTMIN + 1));
}
END_TEST

Suite *signals_suite(void)
{
	Suite *s = suite_create("signals");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_signal_names_numbers_and_case);
	tcase_add_test(tc, test_signal_realtime);
	tcase_add_test(tc, test_signal_invalid);
	tcase_add_test(tc, test_signal_name_lookup);
	suite_add_tcase(s, tc);
	return s;
}
