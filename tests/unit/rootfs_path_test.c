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

Suite *rootfs_path_suite(void)
{
	Suite *s = suite_create("rootfs_path");
	TCase *tc = tcase_create("resolve");
	tcase_add_test(tc, test_clean);
	tcase_add_test(tc, test_mkpath_stays_in_root);
	suite_add_tcase(s, tc);
	return s;
}
