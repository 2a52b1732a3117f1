/* linux.resources -> cgroup v2 files (cgroup/resources.c): every field, the
 * conversion formulas at their boundaries, and the checks on unified keys. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "husk/error.h"

/* The value written to file, by the last item naming it; NULL when none. */
static const char *value_of(const struct husk_cgroup_settings *s, const char *file)
{
	const char *v = NULL;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->items[i].file, file))
			v = s->items[i].value;
	return v;
}

static const struct husk_cgroup_setting *item_of(const struct husk_cgroup_settings *s,
                                                 const char *file)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->items[i].file, file))
			return &s->items[i];
	return NULL;
}

static bool is_ignored(const struct husk_cgroup_settings *s, const char *field)
{
	for (size_t i = 0; i < s->n_ignored; i++)
		if (!strcmp(s->ignored[i], field))
			return true;
	return false;
}

static void map_ok(const struct husk_spec_resources *r, struct husk_cgroup_settings *s)
{
	struct husk_error *err = NULL;
	int rc = husk_cgroup_v2_settings(r, s, &err);
	ck_assert_msg(rc == 0, "mapping failed: %s", err ? err->msg : "");
}

static void map_fails(const struct husk_spec_resources *r, const char *want)
{
	struct husk_cgroup_settings s;
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_cgroup_v2_settings(r, &s, &err), 0);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->msg, want), "error '%s' lacks '%s'", err->msg, want);
	ck_assert_ptr_null(s.items);
	husk_error_release(&err);
}

START_TEST(test_shares_to_weight)
{
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(0), 0); /* unset */
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(1), 1);
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(2), 1);
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(3), 2);
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(512), 59);
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(1024), 100); /* default -> default */
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(2048), 174);
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(262143), 10000);
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(262144), 10000);
	ck_assert_uint_eq(husk_cgroup_shares_to_weight(1000000), 10000);
	/* monotone over the whole range */
	uint64_t prev = 1;
	for (uint64_t s = 2; s <= 262144; s++) {
		uint64_t w = husk_cgroup_shares_to_weight(s);
		ck_assert_msg(w >= prev && w <= 10000, "shares %lu -> %lu", (unsigned long)s,
		              (unsigned long)w);
		prev = w;
	}
}
END_TEST

START_TEST(test_blkio_to_io_weight)
{
	ck_assert_uint_eq(husk_cgroup_blkio_to_io_weight(10), 1);
	ck_assert_uint_eq(husk_cgroup_blkio_to_io_weight(500), 4950);
	ck_assert_uint_eq(husk_cgroup_blkio_to_io_weight(1000), 10000);
}
END_TEST

START_TEST(test_no_resources)
{
	struct husk_cgroup_settings s;
	map_ok(NULL, &s);
	ck_assert_uint_eq(s.n, 0);
	struct husk_spec_resources r = {0};
	map_ok(&r, &s);
	ck_assert_uint_eq(s.n, 0);
	husk_cgroup_settings_free(&s);
}
END_TEST

START_TEST(test_memory)
{
	struct husk_spec_memory m = {.has_limit = true,
	                             .limit = 1000000,
	                             .has_reservation = true,
	                             .reservation = 500000,
	                             .has_swap = true,
	                             .swap = 3000000};
	struct husk_spec_resources r = {.memory = &m};
	struct husk_cgroup_settings s;
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "memory.max"), "1000000");
	ck_assert_str_eq(value_of(&s, "memory.low"), "500000");
	ck_assert_str_eq(value_of(&s, "memory.swap.max"), "2000000"); /* swap - limit */
	ck_assert_str_eq(item_of(&s, "memory.max")->controller, "memory");
	ck_assert_str_eq(item_of(&s, "memory.max")->field, "linux.resources.memory.limit");
	/* swap is written before the limit, as runc */
	ck_assert_str_eq(s.items[0].file, "memory.swap.max");
	husk_cgroup_settings_free(&s);

	/* -1: no limit, and no swap limit with it */
	m = (struct husk_spec_memory){.has_limit = true, .limit = -1};
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "memory.max"), "max");
	ck_assert_str_eq(value_of(&s, "memory.swap.max"), "max");
	husk_cgroup_settings_free(&s);

	m = (struct husk_spec_memory){
	    .has_limit = true, .limit = 4096, .has_swap = true, .swap = -1};
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "memory.swap.max"), "max");
	husk_cgroup_settings_free(&s);

	/* swap equal to the limit: no swap at all */
	m = (struct husk_spec_memory){
	    .has_limit = true, .limit = 4096, .has_swap = true, .swap = 4096};
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "memory.swap.max"), "0");
	husk_cgroup_settings_free(&s);

	/* 0 is "not set" */
	m = (struct husk_spec_memory){.has_limit = true, .limit = 0, .has_reservation = true};
	map_ok(&r, &s);
	ck_assert_uint_eq(s.n, 0);
	husk_cgroup_settings_free(&s);

	m = (struct husk_spec_memory){.has_swap = true, .swap = 4096};
	map_fails(&r, "linux.resources.memory.swap: a swap limit needs a memory limit");
	m = (struct husk_spec_memory){
	    .has_limit = true, .limit = 8192, .has_swap = true, .swap = 4096};
	map_fails(&r, "linux.resources.memory.swap: must be at least the memory limit 8192");
}
END_TEST

START_TEST(test_memory_ignored_on_v2)
{
	struct husk_spec_memory m = {.has_swappiness = true,
	                             .swappiness = 10,
	                             .has_kernel = true,
	                             .kernel = 1 << 20,
	                             .has_kernel_tcp = true,
	                             .kernel_tcp = 1 << 20,
	                             .has_disable_oom_killer = true,
	                             .disable_oom_killer = true};
	struct husk_spec_resources r = {.memory = &m};
	struct husk_cgroup_settings s;
	map_ok(&r, &s);
	ck_assert_uint_eq(s.n, 0);
	ck_assert(is_ignored(&s, "linux.resources.memory.swappiness"));
	ck_assert(is_ignored(&s, "linux.resources.memory.kernel"));
	ck_assert(is_ignored(&s, "linux.resources.memory.kernelTCP"));
	ck_assert(is_ignored(&s, "linux.resources.memory.disableOOMKiller"));
	husk_cgroup_settings_free(&s);
}
END_TEST

START_TEST(test_cpu)
{
	struct husk_spec_cpu c = {.has_shares = true,
	                          .shares = 1024,
	                          .has_quota = true,
	                          .quota = 50000,
	                          .has_period = true,
	                          .period = 100000,
	                          .has_burst = true,
	                          .burst = 10000,
	                          .has_idle = true,
	                          .idle = 1,
	                          .cpus = "0-1",
	                          .mems = "0"};
	struct husk_spec_resources r = {.cpu = &c};
	struct husk_cgroup_settings s;
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "cpu.weight"), "100");
	ck_assert_str_eq(value_of(&s, "cpu.max"), "50000 100000");
	ck_assert_str_eq(value_of(&s, "cpu.max.burst"), "10000");
	ck_assert_str_eq(value_of(&s, "cpu.idle"), "1");
	ck_assert_str_eq(value_of(&s, "cpuset.cpus"), "0-1");
	ck_assert_str_eq(value_of(&s, "cpuset.mems"), "0");
	ck_assert_str_eq(item_of(&s, "cpuset.cpus")->controller, "cpuset");
	/* the burst must follow cpu.max */
	size_t max_at = 0, burst_at = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (!strcmp(s.items[i].file, "cpu.max"))
			max_at = i;
		if (!strcmp(s.items[i].file, "cpu.max.burst"))
			burst_at = i;
	}
	ck_assert_uint_lt(max_at, burst_at);
	husk_cgroup_settings_free(&s);

	c = (struct husk_spec_cpu){
	    .has_quota = true, .quota = -1, .has_period = true, .period = 100000};
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "cpu.max"), "max 100000");
	husk_cgroup_settings_free(&s);

	c = (struct husk_spec_cpu){.has_quota = true, .quota = -1};
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "cpu.max"), "max");
	husk_cgroup_settings_free(&s);

	c = (struct husk_spec_cpu){.has_shares = true, .shares = 0, .has_quota = true, .quota = 0};
	map_ok(&r, &s);
	ck_assert_uint_eq(s.n, 0);
	husk_cgroup_settings_free(&s);

	c = (struct husk_spec_cpu){.has_realtime_runtime = true, .realtime_runtime = 950000};
	map_ok(&r, &s);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_uint_eq(s.n_ignored, 1);
	husk_cgroup_settings_free(&s);
}
END_TEST

START_TEST(test_pids)
{
	struct husk_spec_pids p = {.has_limit = true, .limit = 100};
	struct husk_spec_resources r = {.pids = &p};
	struct husk_cgroup_settings s;
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "pids.max"), "100");
	ck_assert_str_eq(item_of(&s, "pids.max")->field, "linux.resources.pids.limit");
	husk_cgroup_settings_free(&s);
	p.limit = -1;
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "pids.max"), "max");
	husk_cgroup_settings_free(&s);
	p.limit = 0;
	map_ok(&r, &s);
	ck_assert_uint_eq(s.n, 0);
	husk_cgroup_settings_free(&s);
}
END_TEST

START_TEST(test_block_io)
{
	struct husk_spec_weight_device wd = {
	    .major = 8, .minor = 0, .has_weight = true, .weight = 10, .has_leaf_weight = true};
	struct husk_spec_throttle_device rbps = {.major = 8, .minor = 16, .rate = 1048576};
	struct husk_spec_throttle_device wiops = {.major = 8, .minor = 16, .rate = 0};
	struct husk_spec_throttle_device riops = {.major = 253, .minor = 1, .rate = 50};
	struct husk_spec_throttle_device wbps = {.major = 253, .minor = 1, .rate = 2048};
	struct husk_spec_block_io b = {.has_weight = true,
	                               .weight = 500,
	                               .weight_device = &wd,
	                               .n_weight_device = 1,
	                               .throttle_read_bps = &rbps,
	                               .n_throttle_read_bps = 1,
	                               .throttle_write_iops = &wiops,
	                               .n_throttle_write_iops = 1,
	                               .throttle_read_iops = &riops,
	                               .n_throttle_read_iops = 1,
	                               .throttle_write_bps = &wbps,
	                               .n_throttle_write_bps = 1};
	struct husk_spec_resources r = {.block_io = &b};
	struct husk_cgroup_settings s;
	map_ok(&r, &s);
	const char *want[][2] = {
	    {"io.weight", "4950"},           {"io.weight", "8:0 1"},
	    {"io.max", "8:16 rbps=1048576"}, {"io.max", "253:1 wbps=2048"},
	    {"io.max", "253:1 riops=50"},    {"io.max", "8:16 wiops=max"},
	};
	ck_assert_uint_eq(s.n, 6);
	for (size_t i = 0; i < 6; i++) {
		ck_assert_str_eq(s.items[i].file, want[i][0]);
		ck_assert_str_eq(s.items[i].value, want[i][1]);
		ck_assert_str_eq(s.items[i].controller, "io");
	}
	ck_assert_str_eq(s.items[2].field, "linux.resources.blockIO.throttleReadBpsDevice[0]");
	ck_assert(is_ignored(&s, "linux.resources.blockIO.weightDevice[].leafWeight"));
	husk_cgroup_settings_free(&s);
}
END_TEST

START_TEST(test_hugepages_rdma_network)
{
	struct husk_spec_hugepage_limit h[] = {{.page_size = "2MB", .limit = 4194304},
	                                       {.page_size = "1GB", .limit = 0}};
	struct husk_spec_rdma rd[] = {
	    {.device = "mlx5_0",
	     .has_hca_handles = true,
	     .hca_handles = 3,
	     .has_hca_objects = true,
	     .hca_objects = 4},
	    {.device = "mlx4_0", .has_hca_objects = true, .hca_objects = 9},
	    {.device = "none"}};
	struct husk_spec_network net = {.has_class_id = true, .class_id = 7};
	struct husk_spec_resources r = {
	    .hugepage_limits = h, .n_hugepage_limits = 2, .rdma = rd, .n_rdma = 3, .network = &net};
	struct husk_cgroup_settings s;
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "hugetlb.2MB.max"), "4194304");
	ck_assert_str_eq(value_of(&s, "hugetlb.1GB.max"), "0");
	ck_assert_str_eq(item_of(&s, "hugetlb.2MB.max")->controller, "hugetlb");
	ck_assert_uint_eq(s.n, 4);
	ck_assert_str_eq(s.items[2].value, "mlx5_0 hca_handle=3 hca_object=4");
	ck_assert_str_eq(s.items[3].value, "mlx4_0 hca_object=9");
	ck_assert_str_eq(s.items[3].controller, "rdma");
	ck_assert(is_ignored(&s, "linux.resources.network"));
	husk_cgroup_settings_free(&s);
}
END_TEST

START_TEST(test_unified)
{
	struct husk_spec_memory m = {.has_limit = true, .limit = 4096};
	struct husk_kv kv[] = {{.key = "memory.max", .value = "8192"},
	                       {.key = "cgroup.max.depth", .value = "2"},
	                       {.key = "io.latency", .value = "8:0 target=10"}};
	struct husk_spec_resources r = {.memory = &m, .unified = kv, .n_unified = 3};
	struct husk_cgroup_settings s;
	map_ok(&r, &s);
	/* written last: the unified value wins */
	ck_assert_str_eq(value_of(&s, "memory.max"), "8192");
	ck_assert_ptr_null(item_of(&s, "cgroup.max.depth")->controller);
	ck_assert_str_eq(item_of(&s, "io.latency")->controller, "io");
	ck_assert_str_eq(item_of(&s, "io.latency")->field,
	                 "linux.resources.unified[\"io.latency\"]");
	husk_cgroup_settings_free(&s);

	const char *bad[] = {"memory", "../memory.max", "a/memory.max",
	                     ".max",   "memory.",       "memory..max"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct husk_kv one = {.key = (char *)bad[i], .value = "1"};
		struct husk_spec_resources rr = {.unified = &one, .n_unified = 1};
		map_fails(&rr, "invalid key");
	}
	struct husk_kv procs = {.key = "cgroup.procs", .value = "1"};
	struct husk_spec_resources rp = {.unified = &procs, .n_unified = 1};
	map_fails(&rp, "linux.resources.unified[\"cgroup.procs\"]: the runtime manages this file");
}
END_TEST

Suite *cgroup_resources_suite(void)
{
	Suite *s = suite_create("cgroup_resources");
	TCase *tc = tcase_create("v2");
	tcase_add_test(tc, test_shares_to_weight);
	tcase_add_test(tc, test_blkio_to_io_weight);
	tcase_add_test(tc, test_no_resources);
	tcase_add_test(tc, test_memory);
	tcase_add_test(tc, test_memory_ignored_on_v2);
	tcase_add_test(tc, test_cpu);
	tcase_add_test(tc, test_pids);
	tcase_add_test(tc, test_block_io);
	tcase_add_test(tc, test_hugepages_rdma_network);
	tcase_add_test(tc, test_unified);
	suite_add_tcase(s, tc);
	return s;
}
