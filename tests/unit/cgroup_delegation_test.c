/* Delegation detection on a fake cgroup tree: plain directories and files
 * under a temporary root, owned as systemd's Delegate=yes leaves them, and
 * checked from a child that has dropped to an unprivileged uid (root would
 * pass every access check). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/delegation.h"
#include "testutil.h"

#define USER_ID 65534

static char root[64];

static void make(const char *rel, bool dir, bool user_owned)
{
	char path[256];
	snprintf(path, sizeof(path), "%s%s", root, rel);
	if (dir)
		ck_assert_int_eq(mkdir(path, 0755), 0);
	else
		ck_assert_int_ge(close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)), 0);
	if (user_owned)
		ck_assert_int_eq(chown(path, USER_ID, USER_ID), 0);
}

/* /root-owned/{cgroup.procs}, /deleg (the user's, with its files),
 * /deleg/shell (the user's own cgroup), /deleg/old (an existing leaf). */
static void setup(void)
{
	test_tmpdir_create(root, sizeof(root), "delegation");
	chmod(root, 0755);
	make("/cgroup.procs", false, false);
	make("/deleg", true, true);
	make("/deleg/cgroup.procs", false, true);
	make("/deleg/cgroup.subtree_control", false, true);
	make("/deleg/shell", true, true);
	make("/deleg/shell/cgroup.procs", false, true);
	make("/deleg/old", true, true);
	make("/deleg/old/cgroup.procs", false, true);
	make("/other", true, false);
	make("/other/cgroup.procs", false, false);
}

static void teardown(void)
{
	test_tmpdir_remove(root);
}

struct query {
	const char *own, *path;
};

static void check_as_user(int out_fd, void *arg)
{
	const struct query *q = arg;
	if (setresgid(USER_ID, USER_ID, USER_ID) < 0 || setresuid(USER_ID, USER_ID, USER_ID) < 0)
		_exit(2);
	char *why = NULL;
	bool ok = husk_cgroup_delegated(root, q->own, q->path, &why);
	dprintf(out_fd, "%s", ok ? "yes" : why);
	free(why);
}

static char *ask(const char *own, const char *path)
{
	struct query q = {own, path};
	return test_child_output(check_as_user, &q);
}

START_TEST(test_sibling_in_delegated_subtree)
{
	char *r = ask("/deleg/shell", "/deleg/husk-x-c1");
	ck_assert_str_eq(r, "yes");
	free(r);
	r = ask("/deleg/shell", "/deleg/a/b/c"); /* intermediate dirs made by husk */
	ck_assert_str_eq(r, "yes");
	free(r);
	r = ask("/deleg/shell", "/deleg/old"); /* an existing leaf of ours */
	ck_assert_str_eq(r, "yes");
	free(r);
}
END_TEST

START_TEST(test_outside_the_subtree)
{
	char *r = ask("/deleg/shell", "/other/c1");
	ck_assert_ptr_nonnull(strstr(r, "/other\" is not writable by uid 65534"));
	free(r);
	/* creatable, but the common ancestor with our cgroup is the root's */
	r = ask("/other", "/deleg/c1");
	ck_assert_ptr_nonnull(strstr(r, "/cgroup.procs\" is not writable by uid 65534"));
	free(r);
	/* a process in the root cgroup puts containers beside it, in "/" */
	r = ask("/", "/husk-x-c1");
	ck_assert_str_ne(r, "yes");
	free(r);
}
END_TEST

Suite *cgroup_delegation_suite(void)
{
	Suite *s = suite_create("cgroup_delegation");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sibling_in_delegated_subtree);
	tcase_add_test(tc, test_outside_the_subtree);
	suite_add_tcase(s, tc);
	return s;
}
