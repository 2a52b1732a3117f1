/* The address allocator: lowest free address first, gaps refilled, a full
 * subnet and a taken address refused, the file's text both ways, and the
 * lock directory that disappears with its last bridge file. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "net/ipam.h"
#include "testutil.h"
#include "util/xalloc.h"

static char tmp_dir[64];

static void setup(void)
{
	test_tmpdir_create(tmp_dir, sizeof(tmp_dir), "ipam");
}

static void teardown(void)
{
	test_tmpdir_remove(tmp_dir);
}

static struct husk_ipam empty(const char *subnet)
{
	struct husk_ipam ipam = {0};
	const char *why = NULL;
	ck_assert_int_eq(husk_net_parse_subnet(subnet, &ipam.subnet, &why), 0);
	return ipam;
}

static uint32_t alloc_ok(struct husk_ipam *ipam, const char *id, uint32_t want)
{
	uint32_t a = 0;
	struct husk_error *err = NULL;
	ck_assert_msg(husk_ipam_allocate(ipam, id, want, &a, &err) == 0, "%s", err ? err->msg : "");
	return a;
}

START_TEST(test_lowest_free_first)
{
	struct husk_ipam ipam = empty("10.99.0.0/16");
	ck_assert_uint_eq(alloc_ok(&ipam, "a", 0), 0x0a630002);
	ck_assert_uint_eq(alloc_ok(&ipam, "b", 0), 0x0a630003);
	ck_assert_uint_eq(alloc_ok(&ipam, "c", 0), 0x0a630004);
	/* b goes: its address is the lowest free one again */
	ck_assert_str_eq(ipam.entries[1].id, "b");
	husk_ipam_drop(&ipam, 1);
	ck_assert_uint_eq(alloc_ok(&ipam, "d", 0), 0x0a630003);
	/* a requested address, then the gap below it is still found */
	ck_assert_uint_eq(alloc_ok(&ipam, "e", 0x0a630100), 0x0a630100);
	ck_assert_uint_eq(alloc_ok(&ipam, "f", 0), 0x0a630005);
	/* kept sorted by address */
	for (size_t i = 1; i < ipam.n; i++)
		ck_assert_uint_lt(ipam.entries[i - 1].address, ipam.entries[i].address);
	husk_ipam_free(&ipam);
}
END_TEST

START_TEST(test_full_and_taken)
{
	/* a /30 has one address beside network, gateway and broadcast */
	struct husk_ipam ipam = empty("192.168.5.0/30");
	ck_assert_uint_eq(alloc_ok(&ipam, "a", 0), 0xc0a80502);
	uint32_t a;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_ipam_allocate(&ipam, "b", 0, &a, &err), -1);
	ck_assert_str_eq(err->msg, "no free address left in 192.168.5.0/30");
	husk_error_release(&err);
	ck_assert_int_eq(husk_ipam_allocate(&ipam, "b", 0xc0a80502, &a, &err), -1);
	ck_assert_str_eq(err->msg, "address 192.168.5.2 is used by container \"a\"");
	husk_error_release(&err);
	ck_assert_uint_eq(ipam.n, 1);
	husk_ipam_free(&ipam);
}
END_TEST

START_TEST(test_text_round_trip)
{
	struct husk_ipam ipam = empty("10.1.0.0/24");
	alloc_ok(&ipam, "web", 0);
	alloc_ok(&ipam, "db.1", 0x0a010007);
	_cleanup_free_ char *text = husk_ipam_format(&ipam);
	ck_assert_str_eq(text, "# husk address allocator: the subnet, then \"address id\"\n"
	                       "subnet 10.1.0.0/24\n"
	                       "10.1.0.2 web\n"
	                       "10.1.0.7 db.1\n");
	struct husk_ipam back;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_ipam_parse(text, "x", &back, &err), 0);
	ck_assert_uint_eq(back.n, 2);
	ck_assert_uint_eq(back.subnet.network, 0x0a010000);
	ck_assert_str_eq(back.entries[1].id, "db.1");
	husk_ipam_free(&back);
	husk_ipam_free(&ipam);
}
END_TEST

START_TEST(test_parse_errors)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"", "f: no subnet line"},
	    {"10.1.0.2 a\n", "f:1: bad entry"},
	    {"subnet 10.1.0.0/24\nsubnet 10.1.0.0/24\n", "f:2: bad subnet \"10.1.0.0/24\""},
	    {"subnet 10.1.0.1/24\n", "f:1: bad subnet \"10.1.0.1/24\""},
	    {"subnet 10.1.0.0/24\n\n10.1.0.2\n", "f:3: expected two fields"},
	    {"subnet 10.1.0.0/24\n10.1.0.2 a b\n", "f:2: bad entry"},
	    {"subnet 10.1.0.0/24\n10.1.0.2 a\n10.1.0.2 b\n", "f:3: address given twice"},
	};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(bad); i++) {
		struct husk_ipam ipam;
		struct husk_error *err = NULL;
		ck_assert_msg(husk_ipam_parse(bad[i].text, "f", &ipam, &err) == -1, "%zu", i);
		ck_assert_str_eq(err->msg, bad[i].msg);
		husk_error_free(err);
	}
}
END_TEST

START_TEST(test_store_load_and_lock_dir)
{
	struct husk_error *err = NULL;
	int fd = -1;
	/* without create, a root that never had a network is a no-op */
	ck_assert_int_eq(husk_ipam_lock(tmp_dir, false, &fd, &err), 0);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(husk_ipam_lock(tmp_dir, true, &fd, &err), 0);
	ck_assert_int_ge(fd, 0);
	struct husk_ipam ipam = empty("10.2.0.0/24"), back;
	bool found = true;
	ck_assert_int_eq(husk_ipam_load(fd, "br0", &back, &found, &err), 0);
	ck_assert(!found);
	alloc_ok(&ipam, "c1", 0);
	ck_assert_int_eq(husk_ipam_store(fd, "br0", &ipam, &err), 0);
	ck_assert_int_eq(husk_ipam_store(fd, "br1", &ipam, &err), 0);
	char **names = NULL;
	size_t n = 0;
	ck_assert_int_eq(husk_ipam_bridges(fd, &names, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	ck_assert_int_eq(husk_ipam_load(fd, "br0", &back, &found, &err), 0);
	ck_assert(found);
	ck_assert_str_eq(back.entries[0].id, "c1");
	husk_ipam_free(&back);
	/* no entry left: the files go, and the directory with the lock */
	husk_ipam_drop(&ipam, 0);
	ck_assert_int_eq(husk_ipam_store(fd, "br0", &ipam, &err), 0);
	ck_assert_int_eq(husk_ipam_store(fd, "br1", &ipam, &err), 0);
	husk_ipam_unlock(tmp_dir, fd);
	_cleanup_free_ char *dir = xasprintf("%s/.net", tmp_dir);
	ck_assert_int_eq(access(dir, F_OK), -1);
	husk_ipam_free(&ipam);
}
END_TEST

/* A second locker waits while the first holds the lock, and then works
 * on a directory that was removed and made again meanwhile. */
START_TEST(test_lock_waits_and_survives_removal)
{
	struct husk_error *err = NULL;
	int fd = -1;
	ck_assert_int_eq(husk_ipam_lock(tmp_dir, true, &fd, &err), 0);
	int pipefd[2];
	ck_assert_int_eq(pipe(pipefd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int cfd = -1;
		close(pipefd[0]);
		close(fd); /* an inherited copy would hold the parent's lock */
		if (husk_ipam_lock(tmp_dir, true, &cfd, &err) < 0)
			_exit(1);
		struct stat st;
		if (fstat(cfd, &st) < 0 || st.st_nlink == 0)
			_exit(2);
		(void)!write(pipefd[1], "L", 1);
		husk_ipam_unlock(tmp_dir, cfd);
		_exit(0);
	}
	close(pipefd[1]);
	usleep(100 * 1000);
	char c;
	/* still waiting: nothing written yet */
	ck_assert_int_eq(fcntl(pipefd[0], F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(read(pipefd[0], &c, 1), -1);
	husk_ipam_unlock(tmp_dir, fd); /* removes the empty directory */
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exit %d",
	              WEXITSTATUS(status));
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
}
END_TEST

Suite *net_ipam_suite(void)
{
	Suite *s = suite_create("net_ipam");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lowest_free_first);
	tcase_add_test(tc, test_full_and_taken);
	tcase_add_test(tc, test_text_round_trip);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_store_load_and_lock_dir);
	tcase_add_test(tc, test_lock_waits_and_survives_removal);
	suite_add_tcase(s, tc);
	return s;
}
