/* Tests of OCI hook execution: small shell scripts in a temporary directory
 * stand in for hooks and write what they saw (stdin, argv, environ, open
 * fds, signal state) to files the tests compare. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "husk/cleanup.h"
#include "testutil.h"
#include "util/proc.h"
#include "util/xalloc.h"

static char tmp_dir[64];

static void setup(void)
{
	test_tmpdir_create(tmp_dir, sizeof(tmp_dir), "hooks");
}

static void teardown(void)
{
	test_tmpdir_remove(tmp_dir);
}

/* tmp_dir/name; caller frees. */
static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmp_dir, name);
}

/* Writes tmp_dir/name as a "#!/bin/sh" script (mode 755) running body, which
 * finds tmp_dir in $D.  Hooks get no PATH, so bodies use absolute paths. */
static char *write_script(const char *name, const char *body)
{
	char *path = tmp_path(name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\nD='%s'\n%s\n", tmp_dir, body);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, 0755), 0);
	return path;
}

/* Contents of tmp_dir/name, or NULL when it does not exist. */
static char *read_text(const char *name)
{
	_cleanup_free_ char *path = tmp_path(name);
	_cleanup_fclose_ FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = xmalloc(cap + 1);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
	}
	buf[len] = '\0';
	return buf;
}

static int run_list(enum husk_hook_kind kind, struct husk_spec_hook *list, size_t n,
                    const char *state, struct husk_error **err)
{
	struct husk_spec_hooks hooks = {0};
	hooks.hooks[kind] = list;
	hooks.n_hooks[kind] = n;
	return husk_hooks_run(&hooks, kind, state, err);
}

static int run_one(struct husk_spec_hook *h, const char *state, struct husk_error **err)
{
	return run_list(HUSK_HOOK_CREATE_RUNTIME, h, 1, state, err);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A process that is gone, or a zombie nobody has reaped yet (an orphan
 * waits for whatever reaper the test runs under). */
static bool process_dead(pid_t pid)
{
	struct proc_stat st;
	struct husk_error *err = NULL;
	if (proc_stat_read(pid, &st, &err) < 0) {
		husk_error_release(&err);
		return true;
	}
	return st.state == 'Z' || st.state == 'X';
}

START_TEST(test_state_on_stdin)
{
	_cleanup_free_ char *path = write_script("h", "/bin/cat > \"$D/out\"");
	const char *state = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\","
	                    "\"pid\":42,\"bundle\":\"/b\"}";
	struct husk_spec_hook h = {.path = path};
	struct husk_error *err = NULL;
	ck_assert_int_eq(run_one(&h, state, &err), 0);
	ck_assert_ptr_null(err);
	_cleanup_free_ char *out = read_text("out");
	ck_assert_str_eq(out, state);
}
END_TEST

START_TEST(test_args_as_given)
{
	/* A script's own argv[0] is replaced by the kernel, so use sh itself
	 * and look at its command line. */
	_cleanup_free_ char *out_path = tmp_path("out");
	_cleanup_free_ char *cmd =
	    xasprintf("/usr/bin/tr '\\0' '\\n' < /proc/$$/cmdline > '%s'", out_path);
	char *args[] = {"custom-name", "-c", cmd, "arg zero", "a b"};
	struct husk_spec_hook h = {.path = "/bin/sh", .args = args, .n_args = 5};
	struct husk_error *err = NULL;
	ck_assert_int_eq(run_one(&h, "{}", &err), 0);
	_cleanup_free_ char *out = read_text("out");
	_cleanup_free_ char *want = xasprintf("custom-name\n-c\n%s\narg zero\na b\n", cmd);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_empty_args_argv0_is_path)
{
	/* sh with no arguments runs its stdin: the state is the script. */
	_cleanup_free_ char *out_path = tmp_path("out");
	_cleanup_free_ char *state =
	    xasprintf("/usr/bin/tr '\\0' '\\n' < /proc/$$/cmdline > '%s'\n", out_path);
	struct husk_spec_hook h = {.path = "/bin/sh"};
	struct husk_error *err = NULL;
	ck_assert_int_eq(run_one(&h, state, &err), 0);
	_cleanup_free_ char *out = read_text("out");
	ck_assert_str_eq(out, "/bin/sh\n");
}
END_TEST

START_TEST(test_env_exactly_as_given)
{
	ck_assert_int_eq(setenv("HUSK_HOOK_TEST_LEAK", "1", 1), 0);
	_cleanup_free_ char *path =
	    write_script("h", "/usr/bin/tr '\\0' '\\n' < /proc/$$/environ > \"$D/out\"");
	char *env[] = {"A=1", "B=two words", "PATH=/nowhere"};
	struct husk_spec_hook h = {.path = path, .env = env, .n_env = 3};
	struct husk_error *err = NULL;
	ck_assert_int_eq(run_one(&h, "{}", &err), 0);
	_cleanup_free_ char *out = read_text("out");
	ck_assert_str_eq(out, "A=1\nB=two words\nPATH=/nowhere\n");

	/* No env at all: an empty environment, not husk's. */
	struct husk_spec_hook bare = {.path = path};
	ck_assert_int_eq(run_one(&bare, "{}", &err), 0);
	_cleanup_free_ char *out2 = read_text("out");
	ck_assert_str_eq(out2, "");
	unsetenv("HUSK_HOOK_TEST_LEAK");
}
END_TEST

START_TEST(test_order_and_first_failure_stops)
{
	_cleanup_free_ char *log = write_script("log", "echo \"$1\" >> \"$D/order\"");
	_cleanup_free_ char *fail = write_script(
	    "fail",
	    "echo \"$1\" >> \"$D/order\"\necho 'bad thing' >&2\necho '  second line  ' >&2\n"
	    "exit 3");
	char *a1[] = {log, "one"}, *a2[] = {log, "two"}, *a3[] = {fail, "three"},
	     *a4[] = {log, "four"};
	struct husk_spec_hook list[] = {
	    {.path = log, .args = a1, .n_args = 2},
	    {.path = log, .args = a2, .n_args = 2},
	    {.path = fail, .args = a3, .n_args = 2},
	    {.path = log, .args = a4, .n_args = 2},
	};
	struct husk_error *err = NULL;
	ck_assert_int_lt(run_list(HUSK_HOOK_CREATE_RUNTIME, list, 4, "{}", &err), 0);
	ck_assert_ptr_nonnull(err);
	_cleanup_free_ char *want = xasprintf(
	    "createRuntime hook \"%s\" (#3): exited with status 3: bad thing; second line", fail);
	ck_assert_str_eq(err->msg, want);
	husk_error_release(&err);
	_cleanup_free_ char *order = read_text("order");
	ck_assert_str_eq(order, "one\ntwo\nthree\n");
}
END_TEST

START_TEST(test_poststop_keeps_going)
{
	_cleanup_free_ char *log = write_script("log", "echo \"$1\" >> \"$D/order\"");
	_cleanup_free_ char *fail = write_script("fail", "exit 1");
	char *a2[] = {log, "two"};
	struct husk_spec_hook list[] = {
	    {.path = fail},
	    {.path = log, .args = a2, .n_args = 2},
	    {.path = fail},
	};
	struct husk_error *err = NULL;
	ck_assert_int_lt(run_list(HUSK_HOOK_POSTSTOP, list, 3, "{}", &err), 0);
	_cleanup_free_ char *want =
	    xasprintf("poststop hook \"%s\" (#1): exited with status 1; poststop hook \"%s\" "
	              "(#3): exited with status 1",
	              fail, fail);
	ck_assert_str_eq(err->msg, want);
	husk_error_release(&err);
	_cleanup_free_ char *order = read_text("order");
	ck_assert_str_eq(order, "two\n");
}
END_TEST

START_TEST(test_timeout_kills_hook_and_children)
{
	/* The shell waits on a background sleep: both must be killed. */
	_cleanup_free_ char *path = write_script(
	    "slow", "echo $$ > \"$D/shell.pid\"\n/usr/bin/sleep 10 &\necho $! > \"$D/sleep.pid\"\n"
	            "wait");
	struct husk_spec_hook h = {.path = path, .has_timeout = true, .timeout = 1};
	struct husk_error *err = NULL;
	double t0 = now_s();
	ck_assert_int_lt(run_one(&h, "{}", &err), 0);
	double elapsed = now_s() - t0;
	ck_assert_msg(elapsed >= 0.9 && elapsed < 2.5, "took %.2fs", elapsed);
	_cleanup_free_ char *want =
	    xasprintf("createRuntime hook \"%s\" (#1): timed out after 1s", path);
	ck_assert_str_eq(err->msg, want);
	husk_error_release(&err);

	_cleanup_free_ char *shell_pid = read_text("shell.pid");
	_cleanup_free_ char *sleep_pid = read_text("sleep.pid");
	ck_assert_ptr_nonnull(shell_pid);
	ck_assert_ptr_nonnull(sleep_pid);
	/* The hook itself is reaped, not left a zombie. */
	ck_assert_int_eq(kill(atoi(shell_pid), 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert(process_dead(atoi(sleep_pid)));
}
END_TEST

START_TEST(test_large_state_not_read)
{
	size_t len = 1 << 20;
	_cleanup_free_ char *state = xmalloc(len + 1);
	memset(state, 'x', len);
	state[len] = '\0';
	_cleanup_free_ char *quick = write_script("quick", "exit 0");
	_cleanup_free_ char *late = write_script("late", "/usr/bin/sleep 0.2\nexit 0");
	_cleanup_free_ char *some = write_script("some", "/usr/bin/head -c 100000 > /dev/null");
	_cleanup_free_ char *all = write_script("all", "/usr/bin/wc -c > \"$D/count\"");
	struct husk_spec_hook list[] = {
	    {.path = quick}, {.path = late}, {.path = some}, {.path = all}};
	struct husk_error *err = NULL;
	double t0 = now_s();
	ck_assert_int_eq(run_list(HUSK_HOOK_PRESTART, list, 4, state, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_msg(now_s() - t0 < 3, "took %.2fs", now_s() - t0);
	_cleanup_free_ char *count = read_text("count");
	ck_assert_str_eq(count, "1048576\n");

	/* A hook that stops reading and never exits: the timeout still holds, as
	 * writing never blocks. */
	_cleanup_free_ char *stuck =
	    write_script("stuck", "/usr/bin/head -c 5000 > /dev/null\nexec /usr/bin/sleep 10");
	struct husk_spec_hook h = {.path = stuck, .has_timeout = true, .timeout = 1};
	t0 = now_s();
	ck_assert_int_lt(run_list(HUSK_HOOK_PRESTART, &h, 1, state, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "timed out after 1s"));
	husk_error_release(&err);
	ck_assert_msg(now_s() - t0 < 2.5, "took %.2fs", now_s() - t0);

	/* The SIGPIPEs our writes raised are not left behind for the caller. */
	sigset_t pending;
	ck_assert_int_eq(sigpending(&pending), 0);
	ck_assert(!sigismember(&pending, SIGPIPE));
	sigset_t mask;
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &mask), 0);
	ck_assert(!sigismember(&mask, SIGPIPE));
}
END_TEST

START_TEST(test_exec_failures)
{
	struct husk_spec_hook missing = {.path = "/nonexistent/hook"};
	struct husk_error *err = NULL;
	ck_assert_int_lt(run_one(&missing, "{}", &err), 0);
	ck_assert_str_eq(err->msg, "createRuntime hook \"/nonexistent/hook\" (#1): exec: No "
	                           "such file or directory");
	ck_assert_int_eq(err->errnum, ENOENT);
	husk_error_release(&err);

	_cleanup_free_ char *path = write_script("noexec", "exit 0");
	ck_assert_int_eq(chmod(path, 0644), 0);
	struct husk_spec_hook noexec = {.path = path};
	ck_assert_int_lt(run_one(&noexec, "{}", &err), 0);
	ck_assert_int_eq(err->errnum, EACCES);
	ck_assert_ptr_nonnull(strstr(err->msg, "(#1): exec: Permission denied"));
	husk_error_release(&err);

	struct husk_spec_hook relative = {.path = "bin/true"};
	ck_assert_int_lt(run_one(&relative, "{}", &err), 0);
	ck_assert_str_eq(err->msg, "createRuntime hook \"bin/true\" (#1): path is not absolute");
	husk_error_release(&err);
}
END_TEST

START_TEST(test_killed_by_signal)
{
	_cleanup_free_ char *path = write_script("die", "echo dying >&2\nkill -9 $$");
	struct husk_spec_hook h = {.path = path};
	struct husk_error *err = NULL;
	ck_assert_int_lt(run_list(HUSK_HOOK_START_CONTAINER, &h, 1, "{}", &err), 0);
	_cleanup_free_ char *want =
	    xasprintf("startContainer hook \"%s\" (#1): killed by signal 9 (SIGKILL): dying", path);
	ck_assert_str_eq(err->msg, want);
	husk_error_release(&err);
}
END_TEST

START_TEST(test_output_tail_is_bounded)
{
	/* stdout and stderr both count; only the end is kept, on one line. */
	_cleanup_free_ char *path = write_script(
	    "loud", "i=0\nwhile [ $i -lt 200 ]; do echo \"line $i of noise\"; i=$((i+1)); done\n"
	            "printf 'tab\\there\\033[0m\\n\\n' >&2\necho LAST >&2\nexit 2");
	struct husk_spec_hook h = {.path = path};
	struct husk_error *err = NULL;
	ck_assert_int_lt(run_one(&h, "{}", &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "exited with status 2: ..."));
	ck_assert_ptr_nonnull(strstr(err->msg, "line 199 of noise; tab here?[0m; LAST"));
	ck_assert_ptr_null(strstr(err->msg, "line 1 of noise"));
	ck_assert_ptr_null(strchr(err->msg, '\n'));
	ck_assert_uint_lt(strlen(err->msg), strlen(path) + 600);
	husk_error_release(&err);
}
END_TEST

START_TEST(test_count_and_no_hooks)
{
	ck_assert_int_eq(husk_hooks_count(NULL, HUSK_HOOK_PRESTART), 0);
	struct husk_spec_hook two[2] = {{.path = "/bin/true"}, {.path = "/bin/true"}};
	struct husk_spec_hooks hooks = {0};
	hooks.hooks[HUSK_HOOK_POSTSTART] = two;
	hooks.n_hooks[HUSK_HOOK_POSTSTART] = 2;
	ck_assert_int_eq(husk_hooks_count(&hooks, HUSK_HOOK_POSTSTART), 2);
	ck_assert_int_eq(husk_hooks_count(&hooks, HUSK_HOOK_POSTSTOP), 0);

	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_hooks_run(NULL, HUSK_HOOK_CREATE_CONTAINER, "{}", &err), 0);
	ck_assert_int_eq(husk_hooks_run(&hooks, HUSK_HOOK_CREATE_CONTAINER, "{}", &err), 0);
	ck_assert_int_eq(husk_hooks_run(&hooks, HUSK_HOOK_POSTSTART, "{}", &err), 0);
	ck_assert_ptr_null(err);
}
END_TEST

START_TEST(test_no_fd_leak)
{
	/* Neither a plain fd nor a high one reaches the hook. */
	int fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, 200), 200);
	_cleanup_free_ char *path = write_script("fds", "/usr/bin/ls /proc/self/fd > \"$D/fds\"");
	struct husk_spec_hook h = {.path = path};
	struct husk_error *err = NULL;
	ck_assert_int_eq(run_one(&h, "{}", &err), 0);
	close(fd);
	close(200);
	/* 0-2 and the directory ls itself opened; the shell's redirection
	 * holds 1, so nothing else. */
	_cleanup_free_ char *out = read_text("fds");
	ck_assert_str_eq(out, "0\n1\n2\n3\n");
}
END_TEST

START_TEST(test_signal_state_reset_and_children_kept)
{
	/* The caller blocks and ignores signals, and has a child of its own
	 * that exits while the hook runs: the hook starts clean, and the
	 * caller's child is still there for the caller to reap. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, &old), 0);
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int;
	ck_assert_int_eq(sigaction(SIGINT, &ign, &old_int), 0);
	pid_t other = fork();
	ck_assert_int_ge(other, 0);
	if (other == 0)
		_exit(7);

	/* cp, not a shell: dash clears its signal mask when it starts. */
	_cleanup_free_ char *dest = tmp_path("status");
	char *args[] = {"cp", "/proc/self/status", dest};
	struct husk_spec_hook h = {.path = "/usr/bin/cp", .args = args, .n_args = 3};
	struct husk_error *err = NULL;
	ck_assert_int_eq(run_one(&h, "{}", &err), 0);
	_cleanup_free_ char *status_text = read_text("status");
	ck_assert_ptr_nonnull(strstr(status_text, "\nSigBlk:\t0000000000000000\n"));
	ck_assert_ptr_nonnull(strstr(status_text, "\nSigIgn:\t0000000000000000\n"));

	int status = 0;
	ck_assert_int_eq(waitpid(other, &status, 0), other);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	sigaction(SIGINT, &old_int, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
}
END_TEST

START_TEST(test_earlier_error_kept)
{
	struct husk_spec_hook missing = {.path = "/nonexistent/hook"};
	struct husk_error *err = NULL;
	husk_error_set(&err, 0, "first");
	ck_assert_int_lt(run_one(&missing, "{}", &err), 0);
	ck_assert_str_eq(err->msg, "first");
	husk_error_release(&err);
}
END_TEST

Suite *hooks_suite(void)
{
	Suite *s = suite_create("hooks");
	TCase *tc = tcase_create("run");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_state_on_stdin);
	tcase_add_test(tc, test_args_as_given);
	tcase_add_test(tc, test_empty_args_argv0_is_path);
	tcase_add_test(tc, test_env_exactly_as_given);
	tcase_add_test(tc, test_order_and_first_failure_stops);
	tcase_add_test(tc, test_poststop_keeps_going);
	tcase_add_test(tc, test_timeout_kills_hook_and_children);
	tcase_add_test(tc, test_large_state_not_read);
	tcase_add_test(tc, test_exec_failures);
	tcase_add_test(tc, test_killed_by_signal);
	tcase_add_test(tc, test_output_tail_is_bounded);
	tcase_add_test(tc, test_count_and_no_hooks);
	tcase_add_test(tc, test_no_fd_leak);
	tcase_add_test(tc, test_signal_state_reset_and_children_kept);
	tcase_add_test(tc, test_earlier_error_kept);
	suite_add_tcase(s, tc);
	return s;
}
