/* Container paths resolved from the host: lexical cleaning and creation
 * under a root that symlinks cannot leave. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "rootfs-path.h"

static void clean_is(const char *in, const char *want)
{
	char *got = husk_path_clean(in);
	ck_assert_msg(strcmp(got, want) == 0, "clean(\"%s\") = \"%s\", want \"%s\"", in, got, want);
	free(got);
}

START_TEST(test_clean)
{
	clean_is("/", "/");
	clean_is("", "/");
	clean_is("/proc", "/proc");
	clean_is("proc/", "/proc");
	clean_is("//a/./b//c/", "/a/b/c");
	clean_is("/a/b/../c", "/a/c");
	clean_is("/../../etc/shadow", "/etc/shadow");
	clean_is("a/../../..", "/");
	clean_is("/a/..b/.c", "/a/..b/.c");
}
END_TEST

/* A scratch root with a hostile symlink; `outside` is a sibling directory. */
static char base[] = "/tmp/husk-rootfs-path-XXXXXX";

static int make_root(char *outside, size_t len)
{
	ck_assert_ptr_nonnull(mkdtemp(base));
	char path[256];
	snprintf(path, sizeof(path), "%s/root", base);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(outside, len, "%s/outside", base);
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	snprintf(path, sizeof(path), "%s/root/escape", base);
	ck_assert_int_eq(symlink("../../outside", path), 0);
	snprintf(path, sizeof(path), "%s/root/abs", base);
	ck_assert_int_eq(symlink(outside, path), 0);
	snprintf(path, sizeof(path), "%s/root", base);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(test_mkpath_stays_in_root)
{
	char outside[256], path[512];
	_cleanup_close_ int root_fd = make_root(outside, sizeof(outside));
	struct husk_error *err = NULL;

	int fd = husk_root_mkpath(root_fd, "/escape/dir", HUSK_ROOT_DIR, &err);
	ck_assert_msg(fd >= 0, "%s", err ? err->msg : "");
	close(fd);
	fd = husk_root_mkpath(root_fd, "/abs/file", HUSK_ROOT_FILE, &err);
	ck_assert_msg(fd >= 0, "%s", err ? err->msg : "");
	close(fd);
	/* Both links resolved inside the root: nothing appeared outside. */
	snprintf(path, sizeof(path), "%s/dir", outside);
	ck_assert_int_ne(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/file", outside);
	ck_assert_int_ne(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/root/outside/dir", base);
	ck_assert_int_eq(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s%s/file", base, "/root");
	struct stat st;
	snprintf(path, sizeof(path), "%s/root%s/file", base, outside);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));

	/* An existing path is opened as it is; a file in the way is an error. */
	fd = husk_root_mkpath(root_fd, "/outside/dir", HUSK_ROOT_FILE, &err);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/root%s/file/sub", base, outside);
	fd = husk_root_mkpath(root_fd, path + strlen(base) + 5, HUSK_ROOT_DIR, &err);
	ck_assert_int_lt(fd, 0);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->msg, "/file/sub") && strstr(err->msg, "Not a directory"), "%s",
	              err->msg);
	husk_error_release(&err);

	const char *name = NULL;
	fd = husk_root_open_parent(root_fd, "/a/b/c", &name, &err);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(name, "c");
	close(fd);
	ck_assert_int_lt(husk_root_open_parent(root_fd, "/", &name, &err), 0);
	husk_error_release(&err);

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The walk used without openat2 must agree with RESOLVE_IN_ROOT on every
 * hostile shape: same file, or the same errno. */
START_TEST(test_walk_matches_openat2)
{
	char dir[] = "/tmp/husk-root-walk-XXXXXX", path[512];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	static const char *const setup[] = {
	    "mkdir -p root/outside root/deep/er outside/secret",
	    "ln -s ../../outside root/escape",
	    "ln -s /outside root/abs",
	    "ln -s ../../../.. root/deep/er/up",
	    "ln -s loop root/loop",
	    "ln -s escape root/chain",
	    "ln -s /deep/er/up/deep root/hop",
	    "echo x >root/file",
	    "ln -s file root/f2",
	    "ln -s /proc/self/root root/magic",
	};
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
		snprintf(path, sizeof(path), "cd '%s' && %s", dir, setup[i]);
		ck_assert_int_eq(system(path), 0);
	}
	snprintf(path, sizeof(path), "%s/root", dir);
	_cleanup_close_ int root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(root_fd, 0);

	static const char *const cases[] = {
	    "/",
	    "/escape",
	    "/escape/secret",
	    "/abs",
	    "/deep/er/up",
	    "/deep/er/up/outside",
	    "/loop",
	    "/chain",
	    "/hop/er",
	    "/file",
	    "/f2",
	    "/file/x",
	    "/../../..",
	    "/deep/../../outside",
	    "/missing",
	    "/deep/er/up/missing/x",
	    "escape/../abs",
	    "/magic/outside",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		errno = 0;
		_cleanup_close_ int want = husk_root_open(root_fd, cases[i]);
		int want_errno = errno;
		errno = 0;
		_cleanup_close_ int got = husk_root_open_walk(root_fd, cases[i]);
		int got_errno = errno;
		if (want < 0 && want_errno == ELOOP && strcmp(cases[i], "/magic/outside") == 0) {
			/* openat2 refuses the magic link; the walk reads it as a plain
			 * link, which still resolves inside the root */
			ck_assert_int_ge(got, 0);
			continue;
		}
		ck_assert_msg((want < 0) == (got < 0), "%s: openat2 %d, walk %d (%s)", cases[i],
		              want, got, strerror(got_errno));
		if (want < 0) {
			ck_assert_msg(want_errno == got_errno, "%s: errno %d vs %d", cases[i],
			              want_errno, got_errno);
			continue;
		}
		struct stat a, b;
		ck_assert_int_eq(fstat(want, &a), 0);
		ck_assert_int_eq(fstat(got, &b), 0);
		ck_assert_msg(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "%s: different files",
		              cases[i]);
	}
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

Suite *rootfs_path_suite(void)
{
	Suite *s = suite_create("rootfs_path");
	TCase *tc = tcase_create("resolve");
	tcase_add_test(tc, test_clean);
	tcase_add_test(tc, test_mkpath_stays_in_root);
	tcase_add_test(tc, test_walk_matches_openat2);
	suite_add_tcase(s, tc);
	return s;
}
