/* The cgroup driver against a fake cgroupfs: a temp directory with the
 * files the kernel would provide (cgroup.controllers, subtree_control, the
 * limit files of a pre-made leaf).  The driver takes its root as a
 * parameter, so create, controller enabling, apply and destroy run here
 * without root or a cgroup2 mount; tests/integration-vm/ checks the kernel. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "testutil.h"
#include "util/xalloc.h"

static char root[128];

static void put(const char *rel, const char *content)
{
	char *p = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	free(p);
}

static char *get(const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(p, "r");
	free(p);
	if (!f)
		return NULL;
	char *buf = xzalloc(4096);
	size_t n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void mkd(const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
}

static bool exists(const char *rel)
{
	char *p = xasprintf("%s/%s", root, rel);
	bool r = access(p, F_OK) == 0;
	free(p);
	return r;
}

static void setup(void)
{
	test_tmpdir_create(root, sizeof(root), "cgroup");
	put("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma\n");
	put("cgroup.subtree_control", "");
}

static void teardown(void)
{
	test_tmpdir_remove(root);
}

static struct husk_cgroup_host host(enum husk_cgroup_mode mode)
{
	return (struct husk_cgroup_host){.mode = mode, .v2_root = root, .own = "/"};
}

static void assert_eq_file(const char *rel, const char *want)
{
	char *got = get(rel);
	ck_assert_msg(got, "%s missing", rel);
	ck_assert_str_eq(got, want);
	free(got);
}

static void resolve_ok(const char *in, const char *own, const char *want)
{
	char *out = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_cgroup_resolve_path(in, own, "/run/husk", "c1", &out, &err), 0);
	ck_assert_str_eq(out, want);
	free(out);
}

START_TEST(test_resolve_path)
{
	resolve_ok("/a/b", "/user.slice/s1", "/a/b");
	resolve_ok("//a/./b/", "/", "/a/b");
	resolve_ok("a/b", "/user.slice/s1", "/user.slice/a/b");
	resolve_ok("a", "/", "/a");
	resolve_ok("a", "/top", "/a");

	char *d1 = NULL, *d2 = NULL, *d3 = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_cgroup_resolve_path(NULL, "/s/x", "/run/husk", "c1", &d1, &err), 0);
	ck_assert_int_eq(husk_cgroup_resolve_path("", "/s/x", "/run/husk", "c1", &d2, &err), 0);
	ck_assert_int_eq(husk_cgroup_resolve_path(NULL, "/s/x", "/tmp/other", "c1", &d3, &err), 0);
	ck_assert_str_eq(d1, d2);
	ck_assert_msg(!strncmp(d1, "/s/husk-", 8) && strlen(d1) == strlen("/s/husk-01234567-c1"),
	              "default path %s", d1);
	ck_assert_str_ne(d1, d3); /* another state root, another cgroup */
	free(d1);
	free(d2);
	free(d3);

	char *out = NULL;
	ck_assert_int_lt(husk_cgroup_resolve_path("/a/../../etc", "/", "/r", "c1", &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "must not contain \"..\""));
	husk_error_release(&err);
	ck_assert_int_lt(husk_cgroup_resolve_path("/", "/", "/r", "c1", &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "root cgroup"));
	husk_error_release(&err);
}
END_TEST

START_TEST(test_create_enables_and_destroy_removes)
{
	struct husk_cgroup_host h = host(HUSK_CGROUP_UNIFIED);
	struct husk_cgroup *cg = NULL;
	struct husk_error *err = NULL;
	int rc = husk_cgroup_create_at(&h, "/c1", NULL, &cg, &err);
	ck_assert_msg(rc == 0, "%s", err ? err->msg : "");
	ck_assert(cg->created);
	ck_assert_int_ge(cg->dir_fd, 0);
	ck_assert(exists("c1"));
	char *dir = xasprintf("%s/c1", root);
	ck_assert_str_eq(cg->dir, dir);
	free(dir);
	/* the stats controllers, in one write */
	/* every controller offered is enabled, as runc does, for later updates */
	assert_eq_file("cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids +rdma");
	ck_assert_int_eq(husk_cgroup_destroy(cg, &err), 0);
	ck_assert(!exists("c1"));
	/* already gone is fine */
	ck_assert_int_eq(husk_cgroup_destroy(cg, &err), 0);
	husk_cgroup_free(cg);
}
END_TEST

START_TEST(test_create_nested_enables_each_ancestor)
{
	mkd("p");
	put("p/cgroup.subtree_control", "cpu io\n");
	mkd("p/q");
	put("p/q/cgroup.subtree_control", "cpu io memory pids hugetlb\n");
	struct husk_spec_hugepage_limit hp = {.page_size = "2MB", .limit = 0};
	struct husk_spec_resources r = {.hugepage_limits = &hp, .n_hugepage_limits = 1};
	struct husk_cgroup_host h = host(HUSK_CGROUP_UNIFIED);
	struct husk_cgroup *cg = NULL;
	struct husk_error *err = NULL;
	mkd("p/q/c2");
	put("p/q/c2/cgroup.procs", "");
	put("p/q/c2/hugetlb.2MB.max", "max\n");
	int rc = husk_cgroup_create_at(&h, "/p/q/c2", &r, &cg, &err);
	ck_assert_msg(rc == 0, "%s", err ? err->msg : "");
	ck_assert(!cg->created); /* found empty and reused */
	assert_eq_file("cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids +rdma");
	/* only what is missing is asked for */
	assert_eq_file("p/cgroup.subtree_control", "+cpuset +memory +hugetlb +pids +rdma");
	assert_eq_file("p/q/cgroup.subtree_control", "+cpuset +rdma");
	assert_eq_file("p/q/c2/hugetlb.2MB.max", "0");
	husk_cgroup_free(cg);
}
END_TEST

START_TEST(test_apply_writes_files)
{
	mkd("c3");
	const char *files[] = {"cgroup.procs", "memory.max", "memory.low", "memory.swap.max",
	                       "pids.max",     "cpu.weight", "cpu.max",    "io.max"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = xasprintf("c3/%s", files[i]);
		put(p, "");
		free(p);
	}
	struct husk_spec_memory m = {.has_limit = true,
	                             .limit = 1 << 20,
	                             .has_reservation = true,
	                             .reservation = 1 << 19,
	                             .has_swap = true,
	                             .swap = 3 << 20};
	struct husk_spec_pids p = {.has_limit = true, .limit = 42};
	struct husk_spec_cpu c = {.has_shares = true,
	                          .shares = 2048,
	                          .has_quota = true,
	                          .quota = 20000,
	                          .has_period = true,
	                          .period = 100000};
	struct husk_spec_throttle_device t = {.major = 8, .minor = 0, .rate = 1000};
	struct husk_spec_block_io b = {.throttle_read_bps = &t, .n_throttle_read_bps = 1};
	struct husk_spec_resources r = {.memory = &m, .pids = &p, .cpu = &c, .block_io = &b};
	struct husk_cgroup_host h = host(HUSK_CGROUP_UNIFIED);
	struct husk_cgroup *cg = NULL;
	struct husk_error *err = NULL;
	int rc = husk_cgroup_create_at(&h, "/c3", &r, &cg, &err);
	ck_assert_msg(rc == 0, "%s", err ? err->msg : "");
	assert_eq_file("c3/memory.max", "1048576");
	assert_eq_file("c3/memory.low", "524288");
	assert_eq_file("c3/memory.swap.max", "2097152");
	assert_eq_file("c3/pids.max", "42");
	assert_eq_file("c3/cpu.weight", "174");
	assert_eq_file("c3/cpu.max", "20000 100000");
	assert_eq_file("c3/io.max", "8:0 rbps=1000");
	/* husk_cgroup_apply() (update) rewrites what changed */
	p.limit = -1;
	ck_assert_int_eq(husk_cgroup_apply(cg, &r, &err), 0);
	assert_eq_file("c3/pids.max", "max");
	husk_cgroup_free(cg);
}
END_TEST

START_TEST(test_missing_swap_file_is_fine_for_max)
{
	mkd("c4");
	put("c4/cgroup.procs", "");
	put("c4/memory.max", "");
	struct husk_spec_memory m = {.has_limit = true, .limit = -1};
	struct husk_spec_resources r = {.memory = &m};
	struct husk_cgroup_host h = host(HUSK_CGROUP_UNIFIED);
	struct husk_cgroup *cg = NULL;
	struct husk_error *err = NULL;
	int rc = husk_cgroup_create_at(&h, "/c4", &r, &cg, &err);
	ck_assert_msg(rc == 0, "%s", err ? err->msg : "");
	assert_eq_file("c4/memory.max", "max");
	husk_cgroup_free(cg);

	/* but a real swap limit without the file is an error */
	m = (struct husk_spec_memory){
	    .has_limit = true, .limit = 100, .has_swap = true, .swap = 200};
	ck_assert_int_lt(husk_cgroup_create_at(&h, "/c4", &r, &cg, &err), 0);
	ck_assert_str_eq(err->msg, "linux.resources.memory.swap: write \"100\" to memory.swap.max: "
	                           "No such file or directory");
	husk_error_release(&err);
	ck_assert(exists("c4")); /* not ours: kept */
}
END_TEST

START_TEST(test_failed_apply_removes_created_cgroup)
{
	struct husk_spec_pids p = {.has_limit = true, .limit = 5};
	struct husk_spec_resources r = {.pids = &p};
	struct husk_cgroup_host h = host(HUSK_CGROUP_UNIFIED);
	struct husk_cgroup *cg = NULL;
	struct husk_error *err = NULL;
	/* a plain directory has no pids.max: the write fails */
	ck_assert_int_lt(husk_cgroup_create_at(&h, "/c5", &r, &cg, &err), 0);
	ck_assert_ptr_null(cg);
	ck_assert_ptr_nonnull(
	    strstr(err->msg, "linux.resources.pids.limit: write \"5\" to pids.max"));
	husk_error_release(&err);
	ck_assert(!exists("c5"));
}
END_TEST

START_TEST(test_busy_cgroup_refused)
{
	mkd("c6");
	put("c6/cgroup.procs", "4242\n");
	struct husk_cgroup_host h = host(HUSK_CGROUP_UNIFIED);
	struct husk_cgroup *cg = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_cgroup_create_at(&h, "/c6", NULL, &cg, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "already holds processes"));
	husk_error_release(&err);
	ck_assert(exists("c6"));
}
END_TEST

START_TEST(test_missing_controller_refused)
{
	put("cgroup.controllers", "hugetlb\n");
	struct husk_spec_memory m = {.has_limit = true, .limit = 1 << 20};
	struct husk_spec_resources r = {.memory = &m};
	struct husk_cgroup *cg = NULL;
	struct husk_error *err = NULL;
	struct husk_cgroup_host h = host(HUSK_CGROUP_HYBRID);
	ck_assert_int_lt(husk_cgroup_create_at(&h, "/c7", &r, &cg, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg,
	                             "linux.resources.memory.limit: the memory controller is "
	                             "not available in the cgroup v2 hierarchy of this "
	                             "hybrid host"));
	husk_error_release(&err);
	ck_assert(!exists("c7")); /* refused before anything is made */
	assert_eq_file("cgroup.subtree_control", "");

	h = host(HUSK_CGROUP_UNIFIED);
	ck_assert_int_lt(husk_cgroup_create_at(&h, "/c7", &r, &cg, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "not available in this host's cgroup v2 hierarchy"));
	husk_error_release(&err);

	/* without limits, a hybrid host still tracks the container */
	h = host(HUSK_CGROUP_HYBRID);
	ck_assert_int_eq(husk_cgroup_create_at(&h, "/c7", NULL, &cg, &err), 0);
	ck_assert(exists("c7"));
	assert_eq_file("cgroup.subtree_control", "+hugetlb"); /* what the hierarchy offers */
	husk_cgroup_free(cg);
}
END_TEST

START_TEST(test_legacy_host)
{
	/* no hierarchy at all: nothing is made, limits are refused */
	struct husk_cgroup_host h = {.mode = HUSK_CGROUP_LEGACY};
	struct husk_cgroup *cg = (struct husk_cgroup *)1;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_cgroup_create_in(&h, NULL, "/r", "c1", NULL, &cg, &err), 0);
	ck_assert_ptr_null(cg);
	struct husk_spec_pids p = {.has_limit = true, .limit = 5};
	struct husk_spec_resources r = {.pids = &p};
	ck_assert_int_lt(husk_cgroup_create_in(&h, NULL, "/r", "c1", &r, &cg, &err), 0);
	ck_assert_str_eq(err->msg,
	                 "linux.resources.pids.limit: this host has no cgroup hierarchy mounted");
	husk_error_release(&err);
	/* and the v2 driver needs a cgroup2 root */
	ck_assert_int_lt(husk_cgroup_create_at(&h, "/x", NULL, &cg, &err), 0);
	ck_assert_str_eq(err->msg, "this host has no cgroup v2 hierarchy");
	husk_error_release(&err);
}
END_TEST

START_TEST(test_procs_and_stats)
{
	mkd("c8");
	put("c8/cgroup.procs", "12\n34\n");
	put("c8/cpu.stat", "usage_usec 500\nuser_usec 300\nsystem_usec 200\nnr_periods 7\n"
	                   "nr_throttled 3\nthrottled_usec 99\n");
	put("c8/memory.current", "4096\n");
	put("c8/memory.max", "max\n");
	put("c8/memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\n");
	struct husk_error *err = NULL;
	struct husk_cgroup_host h = host(HUSK_CGROUP_UNIFIED);
	struct husk_cgroup *cg = NULL;
	put("c8/cgroup.procs", "");
	ck_assert_int_eq(husk_cgroup_create_at(&h, "/c8", NULL, &cg, &err), 0);
	put("c8/cgroup.procs", "12\n34\n");
	pid_t *pids = NULL;
	size_t n = 0;
	ck_assert_int_eq(husk_cgroup_procs(cg, &pids, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(pids[0], 12);
	ck_assert_int_eq(pids[1], 34);
	free(pids);
	struct husk_cgroup_stats st;
	ck_assert_int_eq(husk_cgroup_stats(cg, &st, &err), 0);
	ck_assert_uint_eq(st.cpu_usage_usec, 500);
	ck_assert_uint_eq(st.cpu_system_usec, 200);
	ck_assert_uint_eq(st.nr_throttled, 3);
	ck_assert_uint_eq(st.throttled_usec, 99);
	ck_assert(st.has_memory);
	ck_assert_uint_eq(st.memory_current, 4096);
	ck_assert_uint_eq(st.memory_max, UINT64_MAX);
	ck_assert_uint_eq(st.oom_kill, 1);
	ck_assert(!st.has_pids);
	husk_cgroup_free(cg);
}
END_TEST

Suite *cgroup_suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc = tcase_create("fake_cgroupfs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_resolve_path);
	tcase_add_test(tc, test_create_enables_and_destroy_removes);
	tcase_add_test(tc, test_create_nested_enables_each_ancestor);
	tcase_add_test(tc, test_apply_writes_files);
	tcase_add_test(tc, test_missing_swap_file_is_fine_for_max);
	tcase_add_test(tc, test_failed_apply_removes_created_cgroup);
	tcase_add_test(tc, test_busy_cgroup_refused);
	tcase_add_test(tc, test_missing_controller_refused);
	tcase_add_test(tc, test_legacy_host);
	tcase_add_test(tc, test_procs_and_stats);
	suite_add_tcase(s, tc);
	return s;
}
