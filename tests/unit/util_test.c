/* Tests of the helpers under the state store: capped reads, atomic writes
 * and mkdir -p (util/file), /proc/PID/stat parsing (util/proc) and RFC 3339
 * timestamps (util/time). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "testutil.h"
#include "husk/state.h"
#include "util/file.h"
#include "util/proc.h"
#include "util/time.h"
#include "util/xalloc.h"

static char tmp_dir[64];

static void setup(void)
{
	test_tmpdir_create(tmp_dir, sizeof(tmp_dir), "util");
}

static void teardown(void)
{
	test_tmpdir_remove(tmp_dir);
}

START_TEST(test_proc_stat_parse)
{
	/* comm holds spaces, parens and a fake state; field 22 is 987654321. */
	const char *line = "77 (a) b) R 1 (c) S 5 77 77 0 -1 4194560 100 0 0 0 1 2 0 0 -20 0 1 "
	                   "0 987654321 1000 10 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 "
	                   "1 0 0 0 0 0\n";
	struct proc_stat st;
	ck_assert_int_eq(proc_stat_parse(line, &st), 0);
	ck_assert_int_eq(st.state, 'S');
	ck_assert_int_eq(st.ppid, 5);
	ck_assert_uint_eq(st.start_time, 987654321ULL);

	ck_assert_int_eq(proc_stat_parse("77 no-paren S 1", &st), -EINVAL);
	ck_assert_int_eq(proc_stat_parse("77 (x) S 1 2 3\n", &st), -EINVAL);
	ck_assert_int_eq(proc_stat_parse("77 (x) S x 2\n", &st), -EINVAL);
	ck_assert_int_eq(proc_stat_parse("77 (x)", &st), -EINVAL);
}
END_TEST

START_TEST(test_proc_start_time)
{
	struct husk_error *err = NULL;
	uint64_t self = 0, again = 0;
	ck_assert_int_eq(husk_proc_start_time(getpid(), &self, &err), 0);
	ck_assert_int_eq(husk_proc_start_time(getpid(), &again, &err), 0);
	ck_assert_uint_eq(self, again);

	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	ck_assert_int_eq(husk_proc_start_time(pid, &again, &err), -ESRCH);
	ck_assert_int_eq(err->errnum, ESRCH);
	husk_error_release(&err);
}
END_TEST

START_TEST(test_time_rfc3339)
{
	struct timespec ts = {.tv_sec = 1795510876, .tv_nsec = 5};
	_cleanup_free_ char *fixed = husk_time_rfc3339(&ts);
	ck_assert_str_eq(fixed, "2026-11-24T09:01:16.000000005Z");
	_cleanup_free_ char *now = husk_time_rfc3339_now();
	ck_assert_uint_eq(strlen(now), 30);
	ck_assert_int_eq(now[10], 'T');
	ck_assert_int_eq(now[19], '.');
	ck_assert_int_eq(now[29], 'Z');
}
END_TEST

START_TEST(test_file_helpers)
{
	struct husk_error *err = NULL;
	_cleanup_close_ int dir_fd = open(tmp_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dir_fd, 0);
	ck_assert_int_eq(write_file_atomic(dir_fd, "f", "hello", 5, 0640, &err), 0);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	ck_assert_int_eq(read_file_at(dir_fd, "f", 5, &buf, &len, &err), 0);
	ck_assert_str_eq(buf, "hello");
	ck_assert_uint_eq(len, 5);
	_cleanup_free_ char *big = NULL;
	ck_assert_int_lt(read_file_at(dir_fd, "f", 4, &big, &len, &err), 0);
	ck_assert_int_eq(err->errnum, EFBIG);
	ck_assert_str_eq(err->msg, "f: larger than 4 bytes: File too large");
	husk_error_release(&err);
	ck_assert_int_lt(read_file_at(dir_fd, "missing", 4, &big, &len, &err), 0);
	ck_assert_str_eq(err->msg, "open missing: No such file or directory");
	husk_error_release(&err);

	struct stat st;
	ck_assert_int_eq(fstatat(dir_fd, "f", &st, 0), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);

	_cleanup_free_ char *nested = xasprintf("%s/x//y/z/", tmp_dir);
	ck_assert_int_eq(mkdir_p(nested, 0755, &err), 0);
	ck_assert_int_eq(stat(nested, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
}
END_TEST

START_TEST(test_write_atomic_replaces_and_cleans_up)
{
	struct husk_error *err = NULL;
	_cleanup_close_ int dir_fd = open(tmp_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dir_fd, 0);
	ck_assert_int_eq(write_file_atomic(dir_fd, "f", "a long first version", 20, 0600, &err), 0);
	ck_assert_int_eq(write_file_atomic(dir_fd, "f", "v2", 2, 0600, &err), 0);
	_cleanup_free_ char *buf = NULL;
	ck_assert_int_eq(read_file_at(dir_fd, "f", 100, &buf, NULL, &err), 0);
	ck_assert_str_eq(buf, "v2");

	/* A failing rename (target is a non-empty directory) leaves no temp. */
	ck_assert_int_eq(mkdirat(dir_fd, "d", 0700), 0);
	ck_assert_int_eq(mkdirat(dir_fd, "d/x", 0700), 0);
	ck_assert_int_lt(write_file_atomic(dir_fd, "d", "x", 1, 0600, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "rename temporary file to d: "));
	husk_error_release(&err);
	DIR *d = opendir(tmp_dir);
	ck_assert_ptr_nonnull(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	ck_assert_int_eq(n, 2);
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_proc_stat_parse);
	tcase_add_test(tc, test_proc_start_time);
	tcase_add_test(tc, test_time_rfc3339);
	tcase_add_test(tc, test_file_helpers);
	tcase_add_test(tc, test_write_atomic_replaces_and_cleans_up);
	suite_add_tcase(s, tc);
	return s;
}
