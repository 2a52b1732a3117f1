/* Tests of the state store: id rules, create/lock/read/write/remove/list on
 * a scratch root under /tmp, lock contention between processes, pid-reuse and
 * zombie detection, and the small file/proc/time helpers underneath. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "testutil.h"
#include "husk/state.h"
#include "json/json.h"
#include "util/proc.h"
#include "util/xalloc.h"

static char tmp_dir[64];
static char root[PATH_MAX];

static void setup(void)
{
	struct husk_error *err = NULL;
	test_tmpdir_create(tmp_dir, sizeof(tmp_dir), "state");
	snprintf(root, sizeof(root), "%s/run/husk", tmp_dir);
	ck_assert_int_eq(husk_state_root_ensure(root, &err), 0);
}

static void teardown(void)
{
	test_tmpdir_remove(tmp_dir);
}

static char *path_in(const char *rel)
{
	return xasprintf("%s/%s", root, rel);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static struct husk_state *sample_state(const char *id)
{
	struct husk_state *s = xzalloc(sizeof(*s));
	s->oci_version = xstrdup("1.2.0");
	s->id = xstrdup(id);
	s->status = HUSK_STATUS_CREATED;
	s->pid = 4242;
	s->init_start_time = 123456789012ULL;
	s->bundle = xstrdup("/srv/bundles/with space");
	s->rootfs = xstrdup("/srv/bundles/with space/rootfs");
	s->created = xstrdup("2026-11-24T09:01:16.123456789Z");
	s->owner = 1234;
	s->cgroup_path = xstrdup("/sys/fs/cgroup/husk/c1");
	s->n_annotations = 2;
	s->annotations = xcalloc(2, sizeof(*s->annotations));
	s->annotations[0].key = xstrdup("org.example/quote\"key");
	s->annotations[0].value = xstrdup("line\nnext\t\\ \"q\" \xc3\xbc \x01 end");
	s->annotations[1].key = xstrdup("counter");
	s->annotations[1].value = xstrdup("0");
	return s;
}

/* Creates a container with sample state and releases its lock. */
static void make_container(const char *id, enum husk_status status, pid_t pid)
{
	struct husk_error *err = NULL;
	int lock_fd = -1;
	ck_assert_int_eq(husk_state_create(root, id, &lock_fd, &err), 0);
	struct husk_state *s = sample_state(id);
	s->status = status;
	s->pid = pid;
	ck_assert_int_eq(husk_state_write(root, s, &err), 0);
	husk_state_free(s);
	close(lock_fd);
}

static void assert_err(struct husk_error **err, const char *msg)
{
	ck_assert_ptr_nonnull(*err);
	ck_assert_str_eq((*err)->msg, msg);
	husk_error_release(err);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- ids ------------------------------------------------------------------ */

START_TEST(test_id_valid)
{
	char max[HUSK_ID_MAX + 1];
	memset(max, 'a', HUSK_ID_MAX);
	max[HUSK_ID_MAX] = '\0';
	const char *ok[] = {"a", "Z", "0", "c1", "A-b_c.d+e", "9..", "x-", max};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(ok); i++) {
		struct husk_error *err = NULL;
		ck_assert_msg(husk_id_validate(ok[i], &err) == 0, "rejected \"%.40s\"", ok[i]);
		ck_assert_ptr_null(err);
	}
}
END_TEST

START_TEST(test_id_invalid)
{
	char over[HUSK_ID_MAX + 2];
	memset(over, 'a', HUSK_ID_MAX + 1);
	over[HUSK_ID_MAX + 1] = '\0';
	/* clang-format off */
	const char *bad[] = {"", ".", "..", "a/b", "-a", "_a", ".a", "+a", "a b", "a\nb", "a\x01",
	                     "a:b", "\xc3\xa9t\xc3\xa9", over};
	/* clang-format on */
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(bad); i++) {
		struct husk_error *err = NULL;
		ck_assert_msg(husk_id_validate(bad[i], &err) < 0, "accepted \"%.40s\"", bad[i]);
		ck_assert_ptr_nonnull(strstr(err->msg, "invalid container id \""));
		ck_assert_ptr_null(strchr(err->msg, '\n'));
		husk_error_release(&err);
	}
}
END_TEST

START_TEST(test_id_error_message)
{
	struct husk_error *err = NULL;
	husk_id_validate("a/b", &err);
	assert_err(&err,
	           "invalid container id \"a/b\": must match [A-Za-z0-9][A-Za-z0-9_.+-]* and be "
	           "at most 1024 characters");
	husk_id_validate("a\n\"b\\", &err);
	ck_assert_ptr_nonnull(strstr(err->msg, "id \"a\\x0a\\\"b\\\\\": must"));
	husk_error_release(&err);

	char *long_id = xmalloc(5000);
	memset(long_id, 'x', 4999);
	long_id[4999] = '\0';
	husk_id_validate(long_id, &err);
	ck_assert_ptr_nonnull(strstr(err->msg, "xxx...\": must"));
	ck_assert_uint_lt(strlen(err->msg), 200);
	husk_error_release(&err);
	free(long_id);
}
END_TEST

/* ---- directories and locks ------------------------------------------------ */

START_TEST(test_root_ensure)
{
	struct husk_error *err = NULL;
	struct stat st;
	ck_assert_int_eq(stat(root, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	/* Idempotent. */
	ck_assert_int_eq(husk_state_root_ensure(root, &err), 0);

	_cleanup_free_ char *file = xasprintf("%s/file", tmp_dir);
	put_file(file, "x");
	_cleanup_free_ char *under = xasprintf("%s/sub", file);
	ck_assert_int_lt(husk_state_root_ensure(under, &err), 0);
	ck_assert_int_eq(err->errnum, ENOTDIR);
	husk_error_release(&err);
}
END_TEST

START_TEST(test_create_mode_and_lock_held)
{
	struct husk_error *err = NULL;
	int lock_fd = -1;
	mode_t old = umask(0077);
	ck_assert_int_eq(husk_state_create(root, "c1", &lock_fd, &err), 0);
	umask(old);
	ck_assert_int_ge(lock_fd, 0);

	_cleanup_free_ char *dir = path_in("c1");
	struct stat st;
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0700);

	/* A separate open file description contends for the flock. */
	int other = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(other, 0);
	ck_assert_int_lt(flock(other, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	close(lock_fd);
	ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);
}
END_TEST

START_TEST(test_create_twice)
{
	struct husk_error *err = NULL;
	int fd1 = -1, fd2 = -1;
	ck_assert_int_eq(husk_state_create(root, "c1", &fd1, &err), 0);
	ck_assert_int_lt(husk_state_create(root, "c1", &fd2, &err), 0);
	ck_assert_int_eq(err->errnum, EEXIST);
	assert_err(&err, "container \"c1\" already exists");
	ck_assert_int_eq(fd2, -1);
	close(fd1);

	ck_assert_int_lt(husk_state_create(root, "../c1", &fd2, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "invalid container id \"../c1\""));
	husk_error_release(&err);
}
END_TEST

START_TEST(test_missing_container)
{
	struct husk_error *err = NULL;
	struct husk_state *s = NULL;
	int fd = -1;
	ck_assert_int_lt(husk_state_lock(root, "nope", &fd, &err), 0);
	ck_assert_int_eq(err->errnum, ENOENT);
	assert_err(&err, "container \"nope\" does not exist");
	ck_assert_int_lt(husk_state_read(root, "nope", &s, &err), 0);
	assert_err(&err, "container \"nope\" does not exist");
	ck_assert_int_lt(husk_state_remove(root, "nope", &err), 0);
	assert_err(&err, "container \"nope\" does not exist");
	struct husk_state *w = sample_state("nope");
	ck_assert_int_lt(husk_state_write(root, w, &err), 0);
	assert_err(&err, "container \"nope\" does not exist");
	husk_state_free(w);

	/* A root that was never created holds no containers. */
	_cleanup_free_ char *absent = xasprintf("%s/absent", tmp_dir);
	ck_assert_int_lt(husk_state_lock(absent, "c1", &fd, &err), 0);
	assert_err(&err, "container \"c1\" does not exist");
}
END_TEST

START_TEST(test_half_created_read)
{
	struct husk_error *err = NULL;
	struct husk_state *s = NULL;
	int fd = -1;
	ck_assert_int_eq(husk_state_create(root, "c1", &fd, &err), 0);
	close(fd);
	ck_assert_int_lt(husk_state_read(root, "c1", &s, &err), 0);
	ck_assert_int_eq(err->errnum, ENOENT);
	assert_err(&err, "state of container \"c1\": open state.json: No such file or directory");
}
END_TEST

/* ---- state.json ----------------------------------------------------------- */

START_TEST(test_round_trip)
{
	struct husk_error *err = NULL;
	make_container("c1", HUSK_STATUS_PAUSED, 4242);
	struct husk_state *want = sample_state("c1");
	struct husk_state *got = NULL;
	ck_assert_int_eq(husk_state_read(root, "c1", &got, &err), 0);
	ck_assert_str_eq(got->oci_version, want->oci_version);
	ck_assert_str_eq(got->id, "c1");
	ck_assert_int_eq(got->status, HUSK_STATUS_PAUSED);
	ck_assert_int_eq(got->pid, 4242);
	ck_assert_uint_eq(got->init_start_time, want->init_start_time);
	ck_assert_str_eq(got->bundle, want->bundle);
	ck_assert_str_eq(got->rootfs, want->rootfs);
	ck_assert_str_eq(got->created, want->created);
	ck_assert_uint_eq(got->owner, 1234);
	ck_assert_str_eq(got->cgroup_path, want->cgroup_path);
	ck_assert_uint_eq(got->n_annotations, 2);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_str_eq(got->annotations[i].key, want->annotations[i].key);
		ck_assert_str_eq(got->annotations[i].value, want->annotations[i].value);
	}
	husk_state_free(got);
	husk_state_free(want);
}
END_TEST

START_TEST(test_round_trip_sparse)
{
	struct husk_error *err = NULL;
	int fd = -1;
	ck_assert_int_eq(husk_state_create(root, "c1", &fd, &err), 0);
	struct husk_state *s = xzalloc(sizeof(*s));
	s->id = xstrdup("c1");
	s->status = HUSK_STATUS_CREATING;
	ck_assert_int_eq(husk_state_write(root, s, &err), 0);
	husk_state_free(s);
	close(fd);
	ck_assert_int_eq(husk_state_read(root, "c1", &s, &err), 0);
	ck_assert_int_eq(s->status, HUSK_STATUS_CREATING);
	ck_assert_ptr_null(s->cgroup_path);
	ck_assert_uint_eq(s->n_annotations, 0);
	ck_assert_int_eq(s->pid, 0);
	husk_state_free(s);
}
END_TEST

static int count_entries(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

START_TEST(test_file_mode_and_no_temp_left)
{
	make_container("c1", HUSK_STATUS_CREATED, 4242);
	_cleanup_free_ char *dir = path_in("c1");
	_cleanup_free_ char *file = path_in("c1/state.json");
	struct stat st;
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(count_entries(dir), 1);
}
END_TEST

START_TEST(test_replace_big_with_small)
{
	struct husk_error *err = NULL;
	make_container("c1", HUSK_STATUS_CREATED, 4242);
	struct husk_state *s = sample_state("c1");
	free(s->annotations[1].value);
	s->annotations[1].value = xmalloc(1 << 20);
	memset(s->annotations[1].value, 'B', (1 << 20) - 1);
	s->annotations[1].value[(1 << 20) - 1] = '\0';
	ck_assert_int_eq(husk_state_write(root, s, &err), 0);
	free(s->annotations[1].value);
	s->annotations[1].value = xstrdup("small");
	ck_assert_int_eq(husk_state_write(root, s, &err), 0);
	husk_state_free(s);

	_cleanup_free_ char *file = path_in("c1/state.json");
	struct stat st;
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_int_lt(st.st_size, 4096);
	ck_assert_int_eq(husk_state_read(root, "c1", &s, &err), 0);
	ck_assert_str_eq(s->annotations[1].value, "small");
	husk_state_free(s);
	_cleanup_free_ char *dir = path_in("c1");
	ck_assert_int_eq(count_entries(dir), 1);
}
END_TEST

static void expect_corrupt(const char *text, const char *want_prefix, const char *want_part)
{
	struct husk_error *err = NULL;
	struct husk_state *s = NULL;
	_cleanup_free_ char *file = path_in("c1/state.json");
	put_file(file, text);
	ck_assert_int_lt(husk_state_read(root, "c1", &s, &err), 0);
	ck_assert_ptr_null(s);
	ck_assert_msg(strncmp(err->msg, want_prefix, strlen(want_prefix)) == 0, "got: %s",
	              err->msg);
	ck_assert_msg(strstr(err->msg, want_part), "got: %s", err->msg);
	husk_error_release(&err);
}

START_TEST(test_corrupt_state)
{
	make_container("c1", HUSK_STATUS_CREATED, 4242);
	const char *p = "state of container \"c1\": state.json: line 1, column ";
	expect_corrupt("{\"id\": }", p, "");
	expect_corrupt("", "state of container \"c1\": state.json: ", "");
	expect_corrupt("[1]", p, "$: expected object, got array");
	expect_corrupt("{\"id\":\"c1\",\"status\":\"running\",\"pid\":\"x\"}", p,
	               "$.pid: expected unsigned integer, got string");
	expect_corrupt("{\"id\":\"c1\",\"status\":\"running\",\"pid\":-1}", p,
	               "$.pid: -1 is out of range");
	expect_corrupt("{\"id\":\"c1\",\"status\":\"dancing\"}", p,
	               "$.status: unknown status \"dancing\"");
	expect_corrupt("{\"id\":\"c1\"}", p, "$.status: missing");
	expect_corrupt("{\"id\":\"c1\",\"status\":\"created\",\"annotations\":{\"a\":1}}", p,
	               "$.annotations[\"a\"]: expected string, got number");
	expect_corrupt("{\"id\":\"c2\",\"status\":\"created\"}",
	               "state of container \"c1\": state.json: records id \"c2\"", "");
}
END_TEST

/* Values no husk writes: each names the field and never loads. */
START_TEST(test_tampered_state_refused)
{
	make_container("c1", HUSK_STATUS_CREATED, 4242);
	const char *p = "state of container \"c1\": state.json: line 1, column ";
	const char *head = "{\"id\":\"c1\",\"status\":\"running\",";
	static const struct {
		const char *fields, *want;
	} cases[] = {
	    {"\"pid\":1}", "$.pid: 1 cannot be a container's init"},
	    {"\"bundle\":\"../../etc\"}",
	     "$.bundle: must be a clean absolute path, got \"../../etc\""},
	    {"\"bundle\":\"/srv/b/../../etc\"}",
	     "$.bundle: must be a clean absolute path, got \"/srv/b/../../etc\""},
	    {"\"rootfs\":\"/srv/b/./rootfs\"}",
	     "$.rootfs: must be a clean absolute path, got \"/srv/b/./rootfs\""},
	    {"\"rootfs\":\"/srv\\nb\"}",
	     "$.rootfs: must be a clean absolute path, got \"/srv\\x0ab\""},
	    {"\"cgroupPath\":\"/sys/fs/cgroup/unified/../../..\"}",
	     "$.cgroupPath: must be a clean absolute path, got "
	     "\"/sys/fs/cgroup/unified/../../..\""},
	    {"\"cgroupPath\":\"/sys/fs/cgroup//x\"}",
	     "$.cgroupPath: must be a clean absolute path, got \"/sys/fs/cgroup//x\""},
	    {"\"cgroupPath\":\"/sys/fs/cgroup/\"}",
	     "$.cgroupPath: must be a clean absolute path, got \"/sys/fs/cgroup/\""},
	    {"\"cgroupPath\":\"/\"}", "$.cgroupPath: must be a clean absolute path, got \"/\""},
	    {"\"cgroupPath\":\"x\"}", "$.cgroupPath: must be a clean absolute path, got \"x\""},
	    {"\"cgroupPaths\":{\"memory\":\"/sys/fs/cgroup/memory/../..\"}}",
	     "$.cgroupPaths: must be a clean absolute path, got \"/sys/fs/cgroup/memory/../..\""},
	    {"\"cgroupPaths\":{\"pids\":\"/\"}}",
	     "$.cgroupPaths: must be a clean absolute path, got \"/\""},
	};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *doc = xasprintf("%s%s", head, cases[i].fields);
		expect_corrupt(doc, p, cases[i].want);
	}
	/* an id that is not one (the directory name check comes after) */
	expect_corrupt("{\"id\":\"../c1\",\"status\":\"created\"}", p,
	               "$.id: not a valid container id, got \"../c1\"");
}
END_TEST

START_TEST(test_unknown_keys_tolerated)
{
	struct husk_error *err = NULL;
	struct husk_state *s = NULL;
	make_container("c1", HUSK_STATUS_CREATED, 4242);
	_cleanup_free_ char *file = path_in("c1/state.json");
	put_file(file, "{\"future\":{\"x\":[1,2]},\"id\":\"c1\",\"status\":\"stopped\",\"pid\":7}");
	ck_assert_int_eq(husk_state_read(root, "c1", &s, &err), 0);
	ck_assert_int_eq(s->status, HUSK_STATUS_STOPPED);
	ck_assert_int_eq(s->pid, 7);
	husk_state_free(s);
}
END_TEST

/* ---- contention ----------------------------------------------------------- */

START_TEST(test_lock_waits_for_holder)
{
	struct husk_error *err = NULL;
	make_container("c1", HUSK_STATUS_CREATED, 4242);
	int pipe_fds[2];
	ck_assert_int_eq(pipe2(pipe_fds, O_CLOEXEC), 0);
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		int fd = -1;
		if (husk_state_lock(root, "c1", &fd, NULL) < 0)
			_exit(1);
		if (write(pipe_fds[1], "x", 1) != 1)
			_exit(1);
		usleep(300 * 1000);
		close(fd);
		_exit(0);
	}
	close(pipe_fds[1]);
	char c;
	ck_assert_int_eq(read(pipe_fds[0], &c, 1), 1);
	double t0 = now_ms();
	int fd = -1;
	ck_assert_int_eq(husk_state_lock(root, "c1", &fd, &err), 0);
	double waited = now_ms() - t0;
	ck_assert_msg(waited > 200.0, "waited only %.0f ms", waited);
	close(fd);
	close(pipe_fds[0]);
	int status;
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

static int increment_under_lock(void)
{
	for (int i = 0; i < 50; i++) {
		int fd = -1;
		struct husk_state *s = NULL;
		if (husk_state_lock(root, "c1", &fd, NULL) < 0 ||
		    husk_state_read(root, "c1", &s, NULL) < 0)
			return 1;
		long v = strtol(s->annotations[1].value, NULL, 10);
		free(s->annotations[1].value);
		s->annotations[1].value = xasprintf("%ld", v + 1);
		int r = husk_state_write(root, s, NULL);
		husk_state_free(s);
		close(fd);
		if (r < 0)
			return 1;
	}
	return 0;
}

START_TEST(test_lock_no_lost_updates)
{
	struct husk_error *err = NULL;
	make_container("c1", HUSK_STATUS_CREATED, 4242);
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0)
			_exit(increment_under_lock());
	}
	for (int k = 0; k < 2; k++) {
		int status;
		ck_assert_int_eq(waitpid(kids[k], &status, 0), kids[k]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	struct husk_state *s = NULL;
	ck_assert_int_eq(husk_state_read(root, "c1", &s, &err), 0);
	ck_assert_str_eq(s->annotations[1].value, "100");
	husk_state_free(s);
}
END_TEST

START_TEST(test_lock_after_concurrent_remove)
{
	struct husk_error *err = NULL;
	make_container("c1", HUSK_STATUS_STOPPED, 0);
	int pipe_fds[2];
	ck_assert_int_eq(pipe2(pipe_fds, O_CLOEXEC), 0);
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		int fd = -1;
		if (husk_state_lock(root, "c1", &fd, NULL) < 0 || write(pipe_fds[1], "x", 1) != 1)
			_exit(1);
		usleep(150 * 1000);
		_exit(husk_state_remove(root, "c1", NULL) < 0 ? 1 : 0);
	}
	close(pipe_fds[1]);
	char c;
	ck_assert_int_eq(read(pipe_fds[0], &c, 1), 1);
	int fd = -1;
	ck_assert_int_lt(husk_state_lock(root, "c1", &fd, &err), 0);
	assert_err(&err, "container \"c1\" does not exist");
	close(pipe_fds[0]);
	int status;
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

/* ---- liveness ------------------------------------------------------------- */

static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

START_TEST(test_refresh_pid_reuse)
{
	struct husk_error *err = NULL;
	pid_t pid = spawn_sleeper();
	struct husk_state *s = sample_state("c1");
	s->status = HUSK_STATUS_RUNNING;
	s->pid = pid;
	free(s->cgroup_path); /* the cgroup check has its own test */
	s->cgroup_path = NULL;
	ck_assert_int_eq(husk_proc_start_time(pid, &s->init_start_time, &err), 0);
	husk_state_refresh(s);
	ck_assert_int_eq(s->status, HUSK_STATUS_RUNNING);

	/* Same pid, different start time: a recycled pid, not our init. */
	s->init_start_time += 1;
	husk_state_refresh(s);
	ck_assert_int_eq(s->status, HUSK_STATUS_STOPPED);

	/* A dead and reaped init. */
	ck_assert_int_eq(husk_proc_start_time(pid, &s->init_start_time, &err), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	s->status = HUSK_STATUS_CREATED;
	husk_state_refresh(s);
	ck_assert_int_eq(s->status, HUSK_STATUS_STOPPED);
	husk_state_free(s);
}
END_TEST

/* The cgroup v2 path of this process as /proc/self/cgroup gives it. */
static char *own_unified_cgroup(void)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	char *found = NULL;
	while (f && !found && fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			found = xstrdup(line + 3);
		}
	if (f)
		fclose(f);
	return found;
}

/* A pid with the right start time but outside the recorded cgroup (a
 * forged state.json) is not the container's init. */
START_TEST(test_refresh_pid_outside_cgroup)
{
	struct husk_error *err = NULL;
	_cleanup_free_ char *own = own_unified_cgroup();
	if (!own || strcmp(own, "/") == 0)
		return; /* no cgroup v2 hierarchy, or in its root: nothing to tell apart */
	pid_t pid = spawn_sleeper();
	struct husk_state *s = sample_state("c1");
	s->status = HUSK_STATUS_RUNNING;
	s->pid = pid;
	ck_assert_int_eq(husk_proc_start_time(pid, &s->init_start_time, &err), 0);
	free(s->cgroup_path);
	s->cgroup_path = xasprintf("/sys/fs/cgroup/unified%s", own);
	husk_state_refresh(s);
	ck_assert_int_eq(s->status, HUSK_STATUS_RUNNING);
	/* the parent of the recorded cgroup holds the process too, but it is
	 * not the container's: below the cgroup counts, above it does not */
	free(s->cgroup_path);
	s->cgroup_path = xasprintf("/sys/fs/cgroup/unified%s/child", own);
	husk_state_refresh(s);
	ck_assert_int_eq(s->status, HUSK_STATUS_STOPPED);
	s->status = HUSK_STATUS_RUNNING;
	free(s->cgroup_path);
	s->cgroup_path = xstrdup("/sys/fs/cgroup/unified/husk-other-c1");
	husk_state_refresh(s);
	ck_assert_int_eq(s->status, HUSK_STATUS_STOPPED);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	husk_state_free(s);
}
END_TEST

START_TEST(test_refresh_zombie)
{
	struct husk_error *err = NULL;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	struct proc_stat st = {0};
	for (int i = 0; i < 200; i++) {
		ck_assert_int_eq(proc_stat_read(pid, &st, &err), 0);
		if (st.state == 'Z')
			break;
		usleep(10 * 1000);
	}
	ck_assert_int_eq(st.state, 'Z');
	ck_assert_int_eq(st.ppid, getpid());
	struct husk_state *s = sample_state("c1");
	s->status = HUSK_STATUS_RUNNING;
	s->pid = pid;
	s->init_start_time = st.start_time;
	husk_state_refresh(s);
	ck_assert_int_eq(s->status, HUSK_STATUS_STOPPED);
	husk_state_free(s);
	waitpid(pid, NULL, 0);
}
END_TEST

START_TEST(test_refresh_other_statuses)
{
	struct husk_state *s = sample_state("c1");
	s->pid = 0;
	s->status = HUSK_STATUS_CREATING;
	husk_state_refresh(s);
	ck_assert_int_eq(s->status, HUSK_STATUS_CREATING);
	s->status = HUSK_STATUS_PAUSED;
	husk_state_refresh(s);
	ck_assert_int_eq(s->status, HUSK_STATUS_STOPPED);
	husk_state_free(s);
}
END_TEST

/* ---- list and remove ------------------------------------------------------ */

START_TEST(test_list_sorted_skips_junk)
{
	struct husk_error *err = NULL;
	pid_t live = spawn_sleeper();
	make_container("c2", HUSK_STATUS_STOPPED, 0);
	make_container("b", HUSK_STATUS_CREATED, 0);
	make_container("c10", HUSK_STATUS_RUNNING, 0);
	make_container("a", HUSK_STATUS_RUNNING, live);
	struct husk_state *s = NULL;
	ck_assert_int_eq(husk_state_read(root, "a", &s, &err), 0);
	ck_assert_int_eq(husk_proc_start_time(live, &s->init_start_time, &err), 0);
	free(s->cgroup_path);
	s->cgroup_path = NULL;
	ck_assert_int_eq(husk_state_write(root, s, &err), 0);
	husk_state_free(s);

	_cleanup_free_ char *file = path_in("file1");
	put_file(file, "junk");
	_cleanup_free_ char *nostate = path_in("nostate");
	ck_assert_int_eq(mkdir(nostate, 0700), 0);
	_cleanup_free_ char *hidden = path_in(".hidden");
	ck_assert_int_eq(mkdir(hidden, 0700), 0);
	_cleanup_free_ char *link = path_in("link");
	ck_assert_int_eq(symlink("a", link), 0);

	struct husk_state **list = NULL;
	size_t n = 0;
	ck_assert_int_eq(husk_state_list(root, &list, &n, &err), 0);
	ck_assert_uint_eq(n, 4);
	const char *ids[] = {"a", "b", "c10", "c2"};
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(list[i]->id, ids[i]);
	ck_assert_int_eq(list[0]->status, HUSK_STATUS_RUNNING);
	ck_assert_int_eq(list[1]->status, HUSK_STATUS_STOPPED);
	ck_assert_int_eq(list[2]->status, HUSK_STATUS_STOPPED);
	husk_state_list_free(list, n);
	kill(live, SIGKILL);
	waitpid(live, NULL, 0);

	_cleanup_free_ char *absent = xasprintf("%s/absent", tmp_dir);
	ck_assert_int_eq(husk_state_list(absent, &list, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(list);
}
END_TEST

START_TEST(test_remove_everything)
{
	struct husk_error *err = NULL;
	make_container("c1", HUSK_STATUS_STOPPED, 0);
	_cleanup_free_ char *outside = xasprintf("%s/outside", tmp_dir);
	put_file(outside, "keep me");
	_cleanup_free_ char *sub = path_in("c1/sub");
	_cleanup_free_ char *deeper = path_in("c1/sub/deeper");
	_cleanup_free_ char *leaf = path_in("c1/sub/deeper/leaf");
	_cleanup_free_ char *fifo = path_in("c1/exec.fifo");
	_cleanup_free_ char *link = path_in("c1/sub/link");
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_int_eq(mkdir(deeper, 0700), 0);
	put_file(leaf, "x");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(symlink(tmp_dir, link), 0);

	ck_assert_int_eq(husk_state_remove(root, "c1", &err), 0);
	_cleanup_free_ char *dir = path_in("c1");
	ck_assert_int_lt(access(dir, F_OK), 0);
	ck_assert_int_eq(access(outside, F_OK), 0);
	ck_assert_int_eq(count_entries(root), 0);
	ck_assert_int_lt(husk_state_remove(root, "c1", &err), 0);
	assert_err(&err, "container \"c1\" does not exist");
}
END_TEST

START_TEST(test_symlink_id_dir_not_followed)
{
	struct husk_error *err = NULL;
	/* A real container elsewhere, reachable only through a symlink. */
	_cleanup_free_ char *other_root = xasprintf("%s/other", tmp_dir);
	ck_assert_int_eq(husk_state_root_ensure(other_root, &err), 0);
	int fd = -1;
	ck_assert_int_eq(husk_state_create(other_root, "c1", &fd, &err), 0);
	struct husk_state *s = sample_state("c1");
	ck_assert_int_eq(husk_state_write(other_root, s, &err), 0);
	close(fd);
	_cleanup_free_ char *target = xasprintf("%s/c1", other_root);
	_cleanup_free_ char *link = path_in("c1");
	ck_assert_int_eq(symlink(target, link), 0);

	ck_assert_int_lt(husk_state_lock(root, "c1", &fd, &err), 0);
	husk_error_release(&err);
	struct husk_state *got = NULL;
	ck_assert_int_lt(husk_state_read(root, "c1", &got, &err), 0);
	husk_error_release(&err);
	s->pid = 99;
	ck_assert_int_lt(husk_state_write(root, s, &err), 0);
	husk_error_release(&err);
	ck_assert_int_lt(husk_state_remove(root, "c1", &err), 0);
	husk_error_release(&err);
	ck_assert_int_lt(husk_state_create(root, "c1", &fd, &err), 0);
	husk_error_release(&err);

	ck_assert_int_eq(husk_state_read(other_root, "c1", &got, &err), 0);
	ck_assert_int_eq(got->pid, 4242);
	husk_state_free(got);
	husk_state_free(s);
}
END_TEST

/* ---- rendering and helpers ------------------------------------------------ */

START_TEST(test_to_json_shape)
{
	struct husk_error *err = NULL;
	struct husk_state *s = sample_state("c1");
	s->owner = 0;
	_cleanup_free_ char *out = husk_state_to_json(s);
	ck_assert_ptr_nonnull(strstr(out, "\n  \"id\": \"c1\""));
	struct json_doc *doc = NULL;
	ck_assert_int_eq(json_parse(out, strlen(out), &doc, &err), 0);
	const struct json_value *v = json_doc_root(doc);
	const char *keys[] = {"ociVersion", "id",      "pid",   "status",     "bundle",
	                      "rootfs",     "created", "owner", "annotations"};
	ck_assert_uint_eq(v->object.len, HUSK_ARRAY_SIZE(keys));
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(keys); i++)
		ck_assert_str_eq(v->object.members[i].key, keys[i]);
	ck_assert_str_eq(json_object_get(v, "owner")->string.str, "root");
	ck_assert_str_eq(json_object_get(v, "status")->string.str, "created");
	ck_assert_str_eq(json_object_get(v, "pid")->number, "4242");
	ck_assert_str_eq(
	    json_object_get(json_object_get(v, "annotations"), "org.example/quote\"key")
	        ->string.str,
	    s->annotations[0].value);
	json_doc_free(doc);

	/* Stopped: no pid; unknown uid: "#uid"; no annotations: no key. */
	s->status = HUSK_STATUS_STOPPED;
	s->owner = 3999999999u;
	s->n_annotations = 0;
	_cleanup_free_ char *out2 = husk_state_to_json(s);
	s->n_annotations = 2;
	ck_assert_int_eq(json_parse(out2, strlen(out2), &doc, &err), 0);
	v = json_doc_root(doc);
	ck_assert_str_eq(json_object_get(v, "pid")->number, "0");
	ck_assert_str_eq(json_object_get(v, "owner")->string.str, "#3999999999");
	ck_assert_ptr_null(json_object_get(v, "annotations"));
	json_doc_free(doc);
	husk_state_free(s);
}
END_TEST

Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *ids = tcase_create("ids");
	tcase_add_test(ids, test_id_valid);
	tcase_add_test(ids, test_id_invalid);
	tcase_add_test(ids, test_id_error_message);
	suite_add_tcase(s, ids);

	TCase *store = tcase_create("store");
	tcase_add_checked_fixture(store, setup, teardown);
	tcase_set_timeout(store, 60);
	tcase_add_test(store, test_root_ensure);
	tcase_add_test(store, test_create_mode_and_lock_held);
	tcase_add_test(store, test_create_twice);
	tcase_add_test(store, test_missing_container);
	tcase_add_test(store, test_half_created_read);
	tcase_add_test(store, test_round_trip);
	tcase_add_test(store, test_round_trip_sparse);
	tcase_add_test(store, test_file_mode_and_no_temp_left);
	tcase_add_test(store, test_replace_big_with_small);
	tcase_add_test(store, test_corrupt_state);
	tcase_add_test(store, test_tampered_state_refused);
	tcase_add_test(store, test_unknown_keys_tolerated);
	tcase_add_test(store, test_lock_waits_for_holder);
	tcase_add_test(store, test_lock_no_lost_updates);
	tcase_add_test(store, test_lock_after_concurrent_remove);
	tcase_add_test(store, test_list_sorted_skips_junk);
	tcase_add_test(store, test_remove_everything);
	tcase_add_test(store, test_symlink_id_dir_not_followed);
	suite_add_tcase(s, store);

	TCase *live = tcase_create("liveness");
	tcase_add_test(live, test_refresh_pid_reuse);
	tcase_add_test(live, test_refresh_pid_outside_cgroup);
	tcase_add_test(live, test_refresh_zombie);
	tcase_add_test(live, test_refresh_other_statuses);
	suite_add_tcase(s, live);

	TCase *render = tcase_create("render");
	tcase_add_test(render, test_to_json_shape);
	suite_add_tcase(s, render);
	return s;
}
