/* linux.resources -> cgroup v1 files (cgroup/v1-resources.c): every field
 * as runc's fs driver writes it, the device rules as devices.allow/deny
 * lines, and the routing of a hybrid host between v1 and cgroup2. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "husk/error.h"

#define RES "linux.resources."

static const struct husk_cgroup_setting *item_of(const struct husk_cgroup_settings *s,
                                                 const char *file)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->items[i].file, file))
			return &s->items[i];
	return NULL;
}

static const char *value_of(const struct husk_cgroup_settings *s, const char *file)
{
	const struct husk_cgroup_setting *it = item_of(s, file);
	return it ? it->value : NULL;
}

static size_t index_of(const struct husk_cgroup_settings *s, const char *file)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->items[i].file, file))
			return i;
	ck_abort_msg("no item for %s", file);
	return 0;
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
	int rc = husk_cgroup_v1_settings(r, s, &err);
	ck_assert_msg(rc == 0, "mapping failed: %s", err ? err->msg : "");
}

static void map_fails(const struct husk_spec_resources *r, const char *want)
{
	struct husk_cgroup_settings s;
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_cgroup_v1_settings(r, &s, &err), 0);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->msg, want), "error '%s' lacks '%s'", err->msg, want);
	ck_assert_ptr_null(s.items);
	husk_error_release(&err);
}

START_TEST(test_nothing_maps_to_nothing)
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
	                             .limit = 64 << 20,
	                             .has_swap = true,
	                             .swap = 128 << 20,
	                             .has_reservation = true,
	                             .reservation = 32 << 20,
	                             .has_kernel_tcp = true,
	                             .kernel_tcp = 1 << 20,
	                             .has_swappiness = true,
	                             .swappiness = 10,
	                             .has_disable_oom_killer = true,
	                             .disable_oom_killer = true,
	                             .has_kernel = true,
	                             .kernel = 1 << 20};
	struct husk_spec_resources r = {.memory = &m};
	struct husk_cgroup_settings s;
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "memory.limit_in_bytes"), "67108864");
	/* memsw counts memory plus swap, as OCI's swap: verbatim */
	ck_assert_str_eq(value_of(&s, "memory.memsw.limit_in_bytes"), "134217728");
	ck_assert(!item_of(&s, "memory.memsw.limit_in_bytes")->optional);
	ck_assert_str_eq(value_of(&s, "memory.soft_limit_in_bytes"), "33554432");
	ck_assert_str_eq(value_of(&s, "memory.kmem.tcp.limit_in_bytes"), "1048576");
	ck_assert_str_eq(value_of(&s, "memory.swappiness"), "10");
	ck_assert_str_eq(value_of(&s, "memory.oom_control"), "1");
	ck_assert_str_eq(item_of(&s, "memory.limit_in_bytes")->controller, "memory");
	ck_assert_str_eq(item_of(&s, "memory.memsw.limit_in_bytes")->field, RES "memory.swap");
	/* the limit before memsw: v1.c retries whichever the kernel refuses */
	ck_assert_uint_lt(index_of(&s, "memory.limit_in_bytes"),
	                  index_of(&s, "memory.memsw.limit_in_bytes"));
	/* kernel memory limits are gone from the kernel */
	ck_assert(is_ignored(&s, RES "memory.kernel"));
	ck_assert_ptr_null(item_of(&s, "memory.kmem.limit_in_bytes"));
	husk_cgroup_settings_free(&s);
}
END_TEST

START_TEST(test_memory_unlimited_and_swap_rules)
{
	struct husk_spec_memory m = {.has_limit = true, .limit = -1};
	struct husk_spec_resources r = {.memory = &m};
	struct husk_cgroup_settings s;
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "memory.limit_in_bytes"), "-1");
	/* no memory limit lifts the swap limit; no memsw file is fine then */
	ck_assert_str_eq(value_of(&s, "memory.memsw.limit_in_bytes"), "-1");
	ck_assert(item_of(&s, "memory.memsw.limit_in_bytes")->optional);
	husk_cgroup_settings_free(&s);

	m = (struct husk_spec_memory){
	    .has_limit = true, .limit = 100, .has_swap = true, .swap = -1};
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "memory.memsw.limit_in_bytes"), "-1");
	husk_cgroup_settings_free(&s);

	m = (struct husk_spec_memory){
	    .has_limit = true, .limit = 200, .has_swap = true, .swap = 100};
	map_fails(&r, RES "memory.swap: must be at least the memory limit 200");
	m = (struct husk_spec_memory){.has_swap = true, .swap = 100};
	map_fails(&r, RES "memory.swap: a swap limit needs a memory limit");
	m = (struct husk_spec_memory){.has_swappiness = true, .swappiness = 101};
	map_fails(&r, RES "memory.swappiness: must be at most 100, got 101");

	/* 0 is "not set"; disableOOMKiller false writes 0 (update turns it back) */
	m = (struct husk_spec_memory){.has_limit = true,
	                              .limit = 0,
	                              .has_disable_oom_killer = true,
	                              .disable_oom_killer = false,
	                              .has_use_hierarchy = true,
	                              .use_hierarchy = true};
	map_ok(&r, &s);
	ck_assert_ptr_null(value_of(&s, "memory.limit_in_bytes"));
	ck_assert_str_eq(value_of(&s, "memory.oom_control"), "0");
	ck_assert_str_eq(value_of(&s, "memory.use_hierarchy"), "1");
	husk_cgroup_settings_free(&s);
}
END_TEST

START_TEST(test_cpu)
{
	struct husk_spec_cpu c = {.has_shares = true,
	                          .shares = 512,
	                          .has_quota = true,
	                          .quota = 50000,
	                          .has_period = true,
	                          .period = 100000,
	                          .has_burst = true,
	                          .burst = 1000,
	                          .has_realtime_runtime = true,
	                          .realtime_runtime = 950000,
	                          .has_realtime_period = true,
	                          .realtime_period = 1000000,
	                          .has_idle = true,
	                          .idle = 1,
	                          .cpus = "0-1",
	                          .mems = "0"};
	struct husk_spec_resources r = {.cpu = &c};
	struct husk_cgroup_settings s;
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "cpu.shares"), "512"); /* no conversion on v1 */
	ck_assert_str_eq(value_of(&s, "cpu.cfs_period_us"), "100000");
	ck_assert_str_eq(value_of(&s, "cpu.cfs_quota_us"), "50000");
	ck_assert_uint_lt(index_of(&s, "cpu.cfs_period_us"), index_of(&s, "cpu.cfs_quota_us"));
	ck_assert_str_eq(value_of(&s, "cpu.cfs_burst_us"), "1000");
	ck_assert_uint_lt(index_of(&s, "cpu.cfs_quota_us"), index_of(&s, "cpu.cfs_burst_us"));
	ck_assert_str_eq(value_of(&s, "cpu.rt_period_us"), "1000000");
	ck_assert_str_eq(value_of(&s, "cpu.rt_runtime_us"), "950000");
	ck_assert_uint_lt(index_of(&s, "cpu.rt_period_us"), index_of(&s, "cpu.rt_runtime_us"));
	ck_assert_str_eq(value_of(&s, "cpu.idle"), "1");
	ck_assert_str_eq(value_of(&s, "cpuset.cpus"), "0-1");
	ck_assert_str_eq(item_of(&s, "cpuset.cpus")->controller, "cpuset");
	ck_assert_str_eq(value_of(&s, "cpuset.mems"), "0");
	/* the pair carries the field the v2 mapping gives cpu.max */
	ck_assert_str_eq(item_of(&s, "cpu.cfs_period_us")->field, RES "cpu.quota");
	husk_cgroup_settings_free(&s);

	c = (struct husk_spec_cpu){.has_quota = true, .quota = -1};
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "cpu.cfs_quota_us"), "-1");
	ck_assert_ptr_null(value_of(&s, "cpu.cfs_period_us"));
	husk_cgroup_settings_free(&s);

	c = (struct husk_spec_cpu){.has_shares = true, .shares = 1};
	map_fails(&r, RES "cpu.shares: must be between 2 and 262144 on cgroup v1, got 1");
	c = (struct husk_spec_cpu){.has_shares = true, .shares = 262145};
	map_fails(&r, "got 262145");
	c = (struct husk_spec_cpu){.has_shares = true, .shares = 262144};
	map_ok(&r, &s);
	husk_cgroup_settings_free(&s);
}
END_TEST

START_TEST(test_pids_blkio_hugetlb_network_rdma)
{
	struct husk_spec_pids p = {.has_limit = true, .limit = -1};
	struct husk_spec_weight_device wd = {.major = 8,
	                                     .minor = 0,
	                                     .has_weight = true,
	                                     .weight = 300,
	                                     .has_leaf_weight = true,
	                                     .leaf_weight = 200};
	struct husk_spec_throttle_device rb = {.major = 8, .minor = 16, .rate = 1048576};
	struct husk_spec_throttle_device wi = {.major = 8, .minor = 0, .rate = 0};
	struct husk_spec_block_io b = {.has_weight = true,
	                               .weight = 500,
	                               .has_leaf_weight = true,
	                               .leaf_weight = 400,
	                               .weight_device = &wd,
	                               .n_weight_device = 1,
	                               .throttle_read_bps = &rb,
	                               .n_throttle_read_bps = 1,
	                               .throttle_write_iops = &wi,
	                               .n_throttle_write_iops = 1};
	struct husk_spec_hugepage_limit hp = {.page_size = "2MB", .limit = 4194304};
	struct husk_spec_net_priority prio = {.name = "eth0", .priority = 5};
	struct husk_spec_network net = {
	    .has_class_id = true, .class_id = 0x100001, .priorities = &prio, .n_priorities = 1};
	struct husk_spec_rdma rd = {.device = "mlx4_0",
	                            .has_hca_handles = true,
	                            .hca_handles = 3,
	                            .has_hca_objects = true,
	                            .hca_objects = 100};
	struct husk_spec_resources r = {.pids = &p,
	                                .block_io = &b,
	                                .hugepage_limits = &hp,
	                                .n_hugepage_limits = 1,
	                                .network = &net,
	                                .rdma = &rd,
	                                .n_rdma = 1};
	struct husk_cgroup_settings s;
	map_ok(&r, &s);
	ck_assert_str_eq(value_of(&s, "pids.max"), "max");
	ck_assert_str_eq(value_of(&s, "blkio.weight"), "500"); /* the v1 range, verbatim */
	ck_assert_str_eq(value_of(&s, "blkio.leaf_weight"), "400");
	ck_assert_str_eq(value_of(&s, "blkio.weight_device"), "8:0 300");
	ck_assert_str_eq(value_of(&s, "blkio.leaf_weight_device"), "8:0 200");
	ck_assert_str_eq(value_of(&s, "blkio.throttle.read_bps_device"), "8:16 1048576");
	ck_assert_str_eq(item_of(&s, "blkio.throttle.read_bps_device")->field,
	                 RES "blockIO.throttleReadBpsDevice[0]");
	/* a rate of 0 removes the device's limit */
	ck_assert_str_eq(value_of(&s, "blkio.throttle.write_iops_device"), "8:0 0");
	ck_assert_str_eq(value_of(&s, "hugetlb.2MB.limit_in_bytes"), "4194304");
	ck_assert_str_eq(value_of(&s, "hugetlb.2MB.rsvd.limit_in_bytes"), "4194304");
	ck_assert(item_of(&s, "hugetlb.2MB.rsvd.limit_in_bytes")->optional);
	ck_assert_str_eq(value_of(&s, "net_cls.classid"), "1048577");
	ck_assert_str_eq(item_of(&s, "net_cls.classid")->controller, "net_cls");
	ck_assert_str_eq(value_of(&s, "net_prio.ifpriomap"), "eth0 5");
	ck_assert_str_eq(item_of(&s, "net_prio.ifpriomap")->controller, "net_prio");
	ck_assert_str_eq(value_of(&s, "rdma.max"), "mlx4_0 hca_handle=3 hca_object=100");
	ck_assert_uint_eq(s.n_ignored, 0);
	husk_cgroup_settings_free(&s);

	p.limit = 64;
	struct husk_spec_resources only_pids = {.pids = &p};
	map_ok(&only_pids, &s);
	ck_assert_str_eq(value_of(&s, "pids.max"), "64");
	ck_assert_uint_eq(s.n, 1);
	husk_cgroup_settings_free(&s);
}
END_TEST

static void devices_ok(const struct husk_spec_device_cgroup *rules, size_t n,
                       struct husk_cgroup_settings *s)
{
	struct husk_error *err = NULL;
	int rc = husk_cgroup_v1_device_settings(rules, n, s, &err);
	ck_assert_msg(rc == 0, "%s", err ? err->msg : "");
}

static void assert_line(const struct husk_cgroup_settings *s, size_t i, const char *file,
                        const char *value)
{
	ck_assert_uint_lt(i, s->n);
	ck_assert_str_eq(s->items[i].file, file);
	ck_assert_str_eq(s->items[i].value, value);
	ck_assert_str_eq(s->items[i].controller, "devices");
}

START_TEST(test_device_rules)
{
	struct husk_spec_device_cgroup rules[] = {
	    {.allow = false, .access = "rwm"},
	    {.allow = true,
	     .type = "c",
	     .has_major = true,
	     .major = 1,
	     .has_minor = true,
	     .minor = 3,
	     .access = "rwm"},
	    {.allow = true, .type = "c", .has_major = true, .major = 136, .access = "rw"},
	    {.allow = false,
	     .type = "b",
	     .has_major = true,
	     .major = -1,
	     .has_minor = true,
	     .minor = -1,
	     .access = "w"},
	    {.allow = true, .type = "a", .access = "m"},
	    {.allow = true, .type = "a"},
	};
	struct husk_cgroup_settings s;
	devices_ok(rules, 6, &s);
	size_t i = 0;
	/* nothing is allowed that no rule allows, as on v2 */
	assert_line(&s, i++, "devices.deny", "a");
	assert_line(&s, i++, "devices.deny", "a");
	assert_line(&s, i++, "devices.allow", "c 1:3 rwm");
	assert_line(&s, i++, "devices.allow", "c 136:* rw");
	assert_line(&s, i++, "devices.deny", "b *:* w");
	/* "a" with a partial access is not the whole-list switch */
	assert_line(&s, i++, "devices.allow", "c *:* m");
	assert_line(&s, i++, "devices.allow", "b *:* m");
	assert_line(&s, i++, "devices.allow", "a");
	ck_assert_uint_eq(s.n, i);
	husk_cgroup_settings_free(&s);

	struct husk_spec_device_cgroup bad[] = {{.allow = true, .type = "x"}};
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_cgroup_v1_device_settings(bad, 1, &s, &err), 0);
	ck_assert_str_eq(err->msg, RES "devices: type \"x\" is not one of \"a\", \"b\", \"c\"");
	husk_error_release(&err);
	struct husk_spec_device_cgroup bad_access[] = {
	    {.allow = true, .type = "c", .access = "rx"}};
	ck_assert_int_lt(husk_cgroup_v1_device_settings(bad_access, 1, &s, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "access \"rx\" is not a subset of \"rwm\""));
	husk_error_release(&err);
}
END_TEST

/* ---- routing ---- */

struct routed {
	struct husk_cgroup_settings v1, v2;
};

static int route(const struct husk_spec_resources *r, const char *const *hier, size_t n,
                 const char *v2_controllers, struct routed *out, struct husk_error **err)
{
	struct husk_cgroup_settings a, b;
	struct husk_error *e = NULL;
	ck_assert_int_eq(husk_cgroup_v1_settings(r, &a, &e), 0);
	ck_assert_int_eq(husk_cgroup_v2_settings(r, &b, &e), 0);
	int rc = husk_cgroup_v1_route(&a, &b, hier, n, v2_controllers, &out->v1, &out->v2, err);
	husk_cgroup_settings_free(&a);
	husk_cgroup_settings_free(&b);
	return rc;
}

static void routed_free(struct routed *r)
{
	husk_cgroup_settings_free(&r->v1);
	husk_cgroup_settings_free(&r->v2);
}

/* This machine's layout: v1 for all but hugetlb, which sits in cgroup2. */
static const char *const hybrid[] = {"cpu",     "cpuacct", "cpuset", "memory",      "devices",
                                     "freezer", "blkio",   "pids",   "name=systemd"};

START_TEST(test_route_hybrid)
{
	struct husk_spec_memory m = {.has_limit = true, .limit = 1 << 20};
	struct husk_spec_hugepage_limit hp = {.page_size = "2MB", .limit = 0};
	struct husk_spec_pids p = {.has_limit = true, .limit = 10};
	struct husk_kv kv = {.key = "cgroup.max.depth", .value = "3"};
	struct husk_spec_resources r = {.memory = &m,
	                                .hugepage_limits = &hp,
	                                .n_hugepage_limits = 1,
	                                .pids = &p,
	                                .unified = &kv,
	                                .n_unified = 1};
	struct routed out;
	struct husk_error *err = NULL;
	ck_assert_int_eq(route(&r, hybrid, 9, "hugetlb\n", &out, &err), 0);
	ck_assert_str_eq(value_of(&out.v1, "memory.limit_in_bytes"), "1048576");
	ck_assert_str_eq(value_of(&out.v1, "pids.max"), "10");
	ck_assert_ptr_null(value_of(&out.v1, "hugetlb.2MB.limit_in_bytes"));
	ck_assert_str_eq(value_of(&out.v2, "hugetlb.2MB.max"), "0");
	ck_assert_str_eq(value_of(&out.v2, "cgroup.max.depth"), "3");
	/* nothing the v1 hierarchies have goes to cgroup2 */
	ck_assert_ptr_null(value_of(&out.v2, "memory.max"));
	ck_assert_ptr_null(value_of(&out.v2, "pids.max"));
	ck_assert_uint_eq(out.v2.n, 2);
	routed_free(&out);
}
END_TEST

START_TEST(test_route_refusals)
{
	struct husk_spec_network net = {.has_class_id = true, .class_id = 1};
	struct husk_spec_resources r = {.network = &net};
	struct routed out;
	struct husk_error *err = NULL;
	/* net_cls is mounted nowhere here, and cgroup2 has no such controller */
	ck_assert_int_lt(route(&r, hybrid, 9, "hugetlb", &out, &err), 0);
	ck_assert_str_eq(err->msg,
	                 RES "network.classID: the net_cls controller is not mounted on this host");
	husk_error_release(&err);

	/* a legacy host has no cgroup2 for unified[] keys or hugetlb */
	struct husk_kv kv = {.key = "memory.high", .value = "1"};
	struct husk_spec_resources u = {.unified = &kv, .n_unified = 1};
	ck_assert_int_lt(route(&u, hybrid, 9, NULL, &out, &err), 0);
	ck_assert_str_eq(err->msg,
	                 RES "unified[\"memory.high\"]: this host has no cgroup v2 hierarchy");
	husk_error_release(&err);
	struct husk_spec_hugepage_limit hp = {.page_size = "2MB", .limit = 0};
	struct husk_spec_resources h = {.hugepage_limits = &hp, .n_hugepage_limits = 1};
	ck_assert_int_lt(route(&h, hybrid, 9, NULL, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "the hugetlb controller is not mounted"));
	husk_error_release(&err);
}
END_TEST

START_TEST(test_route_v2_controller_and_ignored)
{
	/* a hybrid host whose cgroup2 has memory and io (v1 left them) */
	static const char *const few[] = {"cpu,cpuacct", "pids"};
	struct husk_spec_memory m = {
	    .has_limit = true, .limit = 1 << 20, .has_swappiness = true, .swappiness = 5};
	struct husk_spec_block_io b = {.has_weight = true, .weight = 1000};
	struct husk_spec_cpu c = {
	    .has_quota = true, .quota = 1000, .has_period = true, .period = 10000};
	struct husk_spec_resources r = {.memory = &m, .block_io = &b, .cpu = &c};
	struct routed out;
	struct husk_error *err = NULL;
	ck_assert_int_eq(route(&r, few, 2, "memory io", &out, &err), 0);
	ck_assert_str_eq(value_of(&out.v2, "memory.max"), "1048576");
	ck_assert_str_eq(value_of(&out.v2, "io.weight"), "10000");
	ck_assert_ptr_null(value_of(&out.v1, "memory.limit_in_bytes"));
	/* cpu is v1's (co-mounted with cpuacct) */
	ck_assert_str_eq(value_of(&out.v1, "cpu.cfs_quota_us"), "1000");
	ck_assert_ptr_null(value_of(&out.v2, "cpu.max"));
	/* v2 has no swappiness: skipped with a warning, as the v2 driver does */
	ck_assert(is_ignored(&out.v1, RES "memory.swappiness"));
	routed_free(&out);
}
END_TEST

Suite *cgroup_v1_resources_suite(void)
{
	Suite *s = suite_create("cgroup_v1_resources");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_nothing_maps_to_nothing);
	tcase_add_test(tc, test_memory);
	tcase_add_test(tc, test_memory_unlimited_and_swap_rules);
	tcase_add_test(tc, test_cpu);
	tcase_add_test(tc, test_pids_blkio_hugetlb_network_rdma);
	tcase_add_test(tc, test_device_rules);
	tcase_add_test(tc, test_route_hybrid);
	tcase_add_test(tc, test_route_refusals);
	tcase_add_test(tc, test_route_v2_controller_and_ignored);
	suite_add_tcase(s, tc);
	return s;
}
