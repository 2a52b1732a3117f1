/* The cgroup v1 driver against fake hierarchies: a temp directory with one
 * directory per "mount" (cpu,cpuacct, cpuset, memory, ...) and a fake
 * cgroup2 root beside them, as on a hybrid host.  Create, limits, the
 * freezer, loading from state.json, stats and every cleanup path run here
 * without root; tests/integration/cgroup_v1.sh checks the kernel.  Also the
 * parsing of /proc/self/cgroup and mountinfo that finds the hierarchies. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "state-json.h"
#include "testutil.h"
#include "util/xalloc.h"

static char root[128];
static char *mounts[8];
static struct husk_cgroup_hierarchy hier[8];
static size_t n_hier;
static char *v2_root;

static char *at(const char *rel)
{
	return xasprintf("%s/%s", root, rel);
}

static void put(const char *rel, const char *content)
{
	char *p = at(rel);
	FILE *f = fopen(p, "w");
	ck_assert_msg(f != NULL, "%s: %s", p, strerror(errno));
	fputs(content, f);
	fclose(f);
	free(p);
}

static char *get(const char *rel)
{
	char *p = at(rel);
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
	char *p = at(rel);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
}

static bool exists(const char *rel)
{
	char *p = at(rel);
	bool r = access(p, F_OK) == 0;
	free(p);
	return r;
}

static void assert_eq_file(const char *rel, const char *want)
{
	char *got = get(rel);
	ck_assert_msg(got != NULL, "%s missing", rel);
	ck_assert_str_eq(got, want);
	free(got);
}

static void add_hier(const char *controllers, const char *own)
{
	mkd(controllers);
	char *procs = xasprintf("%s/cgroup.procs", controllers);
	put(procs, "");
	free(procs);
	mounts[n_hier] = at(controllers);
	hier[n_hier] = (struct husk_cgroup_hierarchy){
	    .controllers = (char *)controllers, .mount = mounts[n_hier], .own = (char *)own};
	n_hier++;
}

static void setup(void)
{
	test_tmpdir_create(root, sizeof(root), "cgroup-v1");
	n_hier = 0;
	add_hier("cpu,cpuacct", "/");
	add_hier("cpuset", "/");
	put("cpuset/cpuset.cpus", "0-1\n");
	put("cpuset/cpuset.mems", "0\n");
	add_hier("memory", "/own");
	mkd("memory/own");
	add_hier("pids", "/");
	add_hier("freezer", "/");
	add_hier("devices", "/");
	mkd("unified");
	put("unified/cgroup.controllers", "hugetlb\n");
	put("unified/cgroup.subtree_control", "");
	v2_root = at("unified");
}

static void teardown(void)
{
	for (size_t i = 0; i < n_hier; i++)
		free(mounts[i]);
	free(v2_root);
	test_tmpdir_remove(root);
}

static struct husk_cgroup_host host(void)
{
	return (struct husk_cgroup_host){
	    .mode = HUSK_CGROUP_HYBRID, .v2_root = v2_root, .own = "/", .v1 = hier, .n_v1 = n_hier};
}

static struct husk_cgroup *create_ok(const char *path, const struct husk_spec_resources *r)
{
	struct husk_cgroup_host h = host();
	struct husk_cgroup *cg = NULL;
	struct husk_error *err = NULL;
	int rc = husk_cgroup_create_in(&h, path, "/run/husk", "c1", r, &cg, &err);
	ck_assert_msg(rc == 0, "%s", err ? err->msg : "");
	ck_assert_ptr_eq(cg->driver, &husk_cgroup_v1_driver);
	return cg;
}

static void create_fails(const char *path, const struct husk_spec_resources *r, const char *want)
{
	struct husk_cgroup_host h = host();
	struct husk_cgroup *cg = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_cgroup_create_in(&h, path, "/run/husk", "c1", r, &cg, &err), 0);
	ck_assert_ptr_null(cg);
	ck_assert_msg(strstr(err->msg, want), "error '%s' lacks '%s'", err->msg, want);
	husk_error_release(&err);
}

/* A pre-made leaf (the fake kernel makes no files): cgroup.procs and the
 * named files, empty. */
static void leaf(const char *dir, const char *const *files)
{
	mkd(dir);
	char *p = xasprintf("%s/cgroup.procs", dir);
	put(p, "");
	free(p);
	for (; files && *files; files++) {
		p = xasprintf("%s/%s", dir, *files);
		put(p, "");
		free(p);
	}
}

START_TEST(test_parse_v1)
{
	const char *cg = "12:name=systemd:/user.slice/s1\n"
	                 "8:pids:/user.slice\n"
	                 "4:memory:/box/inner\n"
	                 "3:net_cls,net_prio:/\n"
	                 "2:cpu,cpuacct:/\n"
	                 "1:rdma:/\n"
	                 "0::/user.slice/s1\n";
	const char *mi =
	    "30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
	    "31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
	    "32 30 0:28 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
	    "33 30 0:29 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
	    "90 25 0:30 /box /mnt/elsewhere rw - cgroup cgroup rw,memory\n"
	    "34 30 0:30 /box /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
	    "35 30 0:31 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
	    "36 30 0:32 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
	struct husk_cgroup_hierarchy *hs = NULL;
	size_t n = 0;
	ck_assert_int_eq(husk_cgroup_parse_v1(cg, mi, &hs, &n), 0);
	/* rdma is not mounted: left out; 0:: is cgroup2's */
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(hs[0].controllers, "name=systemd");
	ck_assert_str_eq(hs[0].mount, "/sys/fs/cgroup/systemd");
	ck_assert_str_eq(hs[0].own, "/user.slice/s1");
	ck_assert_str_eq(hs[1].controllers, "pids");
	ck_assert_str_eq(hs[1].own, "/user.slice");
	/* a mount rooted at /box: our cgroup is seen below it; the one under
	 * /sys/fs/cgroup wins over another mount of the hierarchy */
	ck_assert_str_eq(hs[2].controllers, "memory");
	ck_assert_str_eq(hs[2].mount, "/sys/fs/cgroup/memory");
	ck_assert_str_eq(hs[2].own, "/inner");
	ck_assert_str_eq(hs[3].controllers, "net_cls,net_prio");
	ck_assert_str_eq(hs[4].controllers, "cpu,cpuacct");
	ck_assert_str_eq(hs[4].own, "/");
	struct husk_cgroup_host h = {.v1 = hs, .n_v1 = n};
	husk_cgroup_host_release(&h);
}
END_TEST

START_TEST(test_resolve_v1)
{
	char *out = NULL;
	struct husk_error *err = NULL;
	/* runc's v1 rule: a relative path under our own cgroup itself */
	ck_assert_int_eq(husk_cgroup_resolve_path_v1("a/b", "/own/x", "/r", "c1", &out, &err), 0);
	ck_assert_str_eq(out, "/own/x/a/b");
	free(out);
	ck_assert_int_eq(husk_cgroup_resolve_path_v1("/a", "/own/x", "/r", "c1", &out, &err), 0);
	ck_assert_str_eq(out, "/a");
	free(out);
	ck_assert_int_eq(husk_cgroup_resolve_path_v1(NULL, "/own", "/r", "c1", &out, &err), 0);
	ck_assert_msg(!strncmp(out, "/own/husk-", 10), "%s", out);
	free(out);
	ck_assert_int_lt(husk_cgroup_resolve_path_v1("../x", "/own", "/r", "c1", &out, &err), 0);
	husk_error_release(&err);
}
END_TEST

START_TEST(test_create_makes_every_hierarchy)
{
	leaf("cpuset/c1", (const char *const[]){"cpuset.cpus", "cpuset.mems", NULL});
	struct husk_cgroup *cg = create_ok("c1", NULL);
	ck_assert(cg->created);
	ck_assert_int_eq(cg->dir_fd, -1); /* no CLONE_INTO_CGROUP: moved instead */
	ck_assert(husk_cgroup_joins_after_clone(cg));
	ck_assert(exists("cpu,cpuacct/c1"));
	ck_assert(exists("memory/own/c1")); /* under our own memory cgroup */
	ck_assert(exists("pids/c1"));
	ck_assert(exists("unified/c1"));
	/* an empty cpuset leaf gets its parent's cpus and mems */
	assert_eq_file("cpuset/c1/cpuset.cpus", "0-1\n");
	assert_eq_file("cpuset/c1/cpuset.mems", "0\n");
	char *udir = at("unified/c1");
	ck_assert_str_eq(cg->dir, udir);
	free(udir);
	/* state.json's record: every hierarchy and the cgroup2 directory */
	ck_assert_uint_eq(cg->n_paths, n_hier + 1);
	char *mem = at("memory/own/c1");
	bool found = false;
	for (size_t i = 0; i < cg->n_paths; i++)
		found = found ||
		        (!strcmp(cg->paths[i].key, "memory") && !strcmp(cg->paths[i].value, mem));
	ck_assert_msg(found, "no memory path");
	ck_assert_str_eq(cg->paths[cg->n_paths - 1].key, "unified");
	free(mem);
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_cgroup_destroy(cg, &err), 0);
	ck_assert(!exists("cpu,cpuacct/c1"));
	ck_assert(!exists("memory/own/c1"));
	ck_assert(!exists("unified/c1"));
	/* a reused leaf is the create's to keep, not to remove */
	ck_assert(exists("cpuset/c1"));
	husk_cgroup_free(cg);
}
END_TEST

START_TEST(test_create_writes_limits)
{
	leaf("memory/c3",
	     (const char *const[]){"memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
	                           "memory.swappiness", NULL});
	leaf("cpu,cpuacct/c3",
	     (const char *const[]){"cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us", NULL});
	leaf("pids/c3", (const char *const[]){"pids.max", NULL});
	leaf("unified/c3", (const char *const[]){"hugetlb.2MB.max", NULL});
	struct husk_spec_memory m = {.has_limit = true,
	                             .limit = 1 << 20,
	                             .has_swap = true,
	                             .swap = 2 << 20,
	                             .has_swappiness = true,
	                             .swappiness = 0};
	struct husk_spec_cpu c = {.has_shares = true,
	                          .shares = 512,
	                          .has_quota = true,
	                          .quota = 20000,
	                          .has_period = true,
	                          .period = 100000};
	struct husk_spec_pids p = {.has_limit = true, .limit = 42};
	struct husk_spec_hugepage_limit hp = {.page_size = "2MB", .limit = 0};
	struct husk_spec_resources r = {
	    .memory = &m, .cpu = &c, .pids = &p, .hugepage_limits = &hp, .n_hugepage_limits = 1};
	struct husk_cgroup *cg = create_ok("/c3", &r);
	/* absolute: from each hierarchy's root, not under our own cgroup */
	assert_eq_file("memory/c3/memory.limit_in_bytes", "1048576");
	assert_eq_file("memory/c3/memory.memsw.limit_in_bytes", "2097152");
	assert_eq_file("memory/c3/memory.swappiness", "0");
	assert_eq_file("cpu,cpuacct/c3/cpu.shares", "512");
	assert_eq_file("cpu,cpuacct/c3/cpu.cfs_period_us", "100000");
	assert_eq_file("cpu,cpuacct/c3/cpu.cfs_quota_us", "20000");
	assert_eq_file("pids/c3/pids.max", "42");
	/* hugetlb is cgroup2's on this host: the v2 file */
	assert_eq_file("unified/c3/hugetlb.2MB.max", "0");
	assert_eq_file("unified/cgroup.subtree_control", "+hugetlb");
	/* husk_cgroup_apply() (update) rewrites what changed */
	p.limit = -1;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_cgroup_apply(cg, &r, &err), 0);
	assert_eq_file("pids/c3/pids.max", "max");
	husk_cgroup_free(cg);
}
END_TEST

/* ---- failures leave nothing ---- */

static void assert_nothing_named(const char *name)
{
	const char *dirs[] = {"cpu,cpuacct", "cpuset",  "memory/own", "pids",
	                      "freezer",     "devices", "unified"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *p = xasprintf("%s/%s", dirs[i], name);
		ck_assert_msg(!exists(p), "%s left behind", p);
		free(p);
	}
}

START_TEST(test_failed_write_removes_every_directory)
{
	/* a fresh pids directory has no pids.max here: the write fails after
	 * every hierarchy's directory was made */
	struct husk_spec_pids p = {.has_limit = true, .limit = 5};
	struct husk_spec_resources r = {.pids = &p};
	create_fails("c5", &r, "linux.resources.pids.limit: write \"5\" to pids.max");
	assert_nothing_named("c5");
}
END_TEST

START_TEST(test_busy_leaf_refused_and_the_rest_removed)
{
	leaf("memory/own/c6", NULL);
	put("memory/own/c6/cgroup.procs", "4242\n");
	create_fails("c6", NULL, "already holds processes");
	ck_assert(exists("memory/own/c6")); /* not ours */
	ck_assert(!exists("cpu,cpuacct/c6"));
	ck_assert(!exists("cpuset/c6"));
	ck_assert(!exists("unified/c6"));
}
END_TEST

START_TEST(test_refusals_before_anything_is_made)
{
	struct husk_spec_network net = {.has_class_id = true, .class_id = 7};
	struct husk_spec_resources r = {.network = &net};
	create_fails("c7", &r,
	             "network.classID: the net_cls controller is not mounted on this host");
	assert_nothing_named("c7");
	struct husk_spec_cpu c = {.has_shares = true, .shares = 1};
	struct husk_spec_resources rc = {.cpu = &c};
	create_fails("c7", &rc, "cpu.shares: must be between 2 and 262144");
	assert_nothing_named("c7");
	/* a cgroup2 file whose controller v1 holds */
	struct husk_kv kv = {.key = "memory.high", .value = "1"};
	struct husk_spec_resources ru = {.unified = &kv, .n_unified = 1};
	create_fails("c7", &ru,
	             "unified[\"memory.high\"]: the memory controller is not available in the "
	             "cgroup v2 hierarchy of this host (it is bound to cgroup v1)");
	assert_nothing_named("c7");
}
END_TEST

START_TEST(test_device_rules_and_missing_devices)
{
	struct husk_cgroup *cg = create_ok("c9", NULL);
	put("devices/c9/devices.allow", "");
	put("devices/c9/devices.deny", "");
	struct husk_spec_device_cgroup rules[] = {
	    {.allow = true,
	     .type = "c",
	     .has_major = true,
	     .major = 1,
	     .has_minor = true,
	     .minor = 3,
	     .access = "rwm"},
	    {.allow = false, .type = "b", .has_major = true, .major = 8, .access = "w"},
	};
	struct husk_error *err = NULL;
	ck_assert_int_eq(cg->driver->set_devices(cg, rules, 2, &err), 0);
	/* each write replaces the plain file's text: the last one of each */
	assert_eq_file("devices/c9/devices.allow", "c 1:3 rwm");
	assert_eq_file("devices/c9/devices.deny", "b 8:* w");
	husk_cgroup_free(cg); /* plain files here: rmdir would fail */
}
END_TEST

START_TEST(test_freezer_procs_and_kill)
{
	struct husk_cgroup *cg = create_ok("c10", NULL);
	put("freezer/c10/freezer.state", "THAWED\n");
	put("unified/c10/cgroup.procs", "");
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_cgroup_freeze(cg, &err), 0);
	assert_eq_file("freezer/c10/freezer.state", "FROZEN");
	ck_assert_int_eq(husk_cgroup_thaw(cg, &err), 0);
	assert_eq_file("freezer/c10/freezer.state", "THAWED");
	/* the process list is the cgroup2 directory's */
	put("unified/c10/cgroup.procs", "12\n34\n");
	pid_t *pids = NULL;
	size_t n = 0;
	ck_assert_int_eq(husk_cgroup_procs(cg, &pids, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(pids[1], 34);
	free(pids);
	/* nothing to signal: the freezer is left thawed */
	put("unified/c10/cgroup.procs", "");
	put("freezer/c10/freezer.state", "FROZEN\n");
	ck_assert_int_eq(husk_cgroup_kill_all(cg, SIGKILL, &err), 0);
	assert_eq_file("freezer/c10/freezer.state", "THAWED");
	husk_cgroup_free(cg);
}
END_TEST

START_TEST(test_load_from_state_and_delete)
{
	struct husk_cgroup *cg = create_ok("c11", NULL);
	struct husk_state st = {.id = "c11",
	                        .cgroup_path = cg->dir,
	                        .cgroup_paths = cg->paths,
	                        .n_cgroup_paths = cg->n_paths};
	struct husk_cgroup_host h = host();
	struct husk_cgroup *loaded = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_cgroup_v1_load(&h, &st, &loaded, &err), 0);
	ck_assert(!loaded->missing);
	ck_assert_str_eq(loaded->dir, cg->dir);
	ck_assert_uint_eq(loaded->n_v1, n_hier);
	ck_assert_ptr_nonnull(loaded->unified);
	/* delete removes what state.json names, in every hierarchy */
	ck_assert_int_eq(husk_cgroup_destroy(loaded, &err), 0);
	assert_nothing_named("c11");
	husk_cgroup_free(loaded);
	ck_assert_int_eq(husk_cgroup_v1_load(&h, &st, &loaded, &err), 0);
	ck_assert(loaded->missing);
	ck_assert_int_eq(husk_cgroup_destroy(loaded, &err), 0); /* gone is fine */
	husk_cgroup_free(loaded);
	husk_cgroup_free(cg);
}
END_TEST

START_TEST(test_stats_from_v1_files)
{
	struct husk_cgroup *cg = create_ok("c12", NULL);
	/* the kernel's files of a fresh cgroup, faked */
	put("unified/c12/cgroup.procs", "");
	put("cpu,cpuacct/c12/cgroup.procs", "");
	put("memory/own/c12/cgroup.procs", "");
	put("pids/c12/cgroup.procs", "");
	put("unified/c12/cpu.stat", "usage_usec 1\nuser_usec 1\nsystem_usec 0\n");
	put("unified/c12/memory.pressure", "some avg10=1.50 avg60=0.00 avg300=0.00 total=7\n"
	                                   "full avg10=0.00 avg60=0.00 avg300=0.00 total=3\n");
	put("cpu,cpuacct/c12/cpuacct.usage", "5000000\n");
	put("cpu,cpuacct/c12/cpuacct.stat", "user 100\nsystem 50\n");
	put("cpu,cpuacct/c12/cpu.stat", "nr_periods 10\nnr_throttled 4\nthrottled_time 2000000\n");
	put("cpu,cpuacct/c12/cpu.cfs_quota_us", "-1\n");
	put("cpu,cpuacct/c12/cpu.cfs_period_us", "100000\n");
	put("memory/own/c12/memory.usage_in_bytes", "4096\n");
	put("memory/own/c12/memory.limit_in_bytes", "9223372036854771712\n");
	put("memory/own/c12/memory.max_usage_in_bytes", "8192\n");
	put("memory/own/c12/memory.failcnt", "2\n");
	put("memory/own/c12/memory.memsw.usage_in_bytes", "6144\n");
	put("memory/own/c12/memory.memsw.limit_in_bytes", "9223372036854771712\n");
	put("memory/own/c12/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	put("memory/own/c12/memory.stat", "cache 0\nrss 4096\n");
	put("pids/c12/pids.current", "3\n");
	put("pids/c12/pids.max", "max\n");
	struct husk_container_stats s;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_cgroup_read_stats(cg, &s, &err), 0);
	ck_assert(s.has_cpu);
	ck_assert_uint_eq(s.cpu_usage_usec, 5000); /* cpuacct over cgroup2's core count */
	long hz = sysconf(_SC_CLK_TCK);
	ck_assert_uint_eq(s.cpu_user_usec, 100 * 1000000 / (uint64_t)hz);
	ck_assert_uint_eq(s.cpu_throttled_periods, 4);
	ck_assert_uint_eq(s.cpu_throttled_usec, 2000);
	ck_assert(s.has_cpu_max);
	ck_assert_uint_eq(s.cpu_quota_usec, UINT64_MAX);
	ck_assert(s.has_memory);
	ck_assert_uint_eq(s.memory_usage, 4096);
	ck_assert_uint_eq(s.memory_limit, UINT64_MAX); /* v1's "no limit" */
	ck_assert_uint_eq(s.memory_peak, 8192);
	ck_assert_uint_eq(s.memory_failcnt, 2);
	ck_assert(s.has_swap);
	ck_assert_uint_eq(s.swap_usage, 2048); /* memsw less memory */
	ck_assert(s.has_oom);
	ck_assert_uint_eq(s.oom_kills, 3);
	ck_assert_uint_eq(s.n_memory_raw, 2);
	ck_assert(s.has_pids);
	ck_assert_uint_eq(s.pids_limit, UINT64_MAX);
	ck_assert(s.memory_pressure.present); /* PSI from the cgroup2 directory */
	husk_container_stats_release(&s);
	struct husk_cgroup_stats small;
	ck_assert_int_eq(husk_cgroup_stats(cg, &small, &err), 0);
	ck_assert_uint_eq(small.oom_kill, 3);
	ck_assert_uint_eq(small.memory_current, 4096);
	husk_cgroup_free(cg);
}
END_TEST

START_TEST(test_legacy_has_no_cgroup2)
{
	struct husk_cgroup_host h = host();
	h.mode = HUSK_CGROUP_LEGACY;
	h.v2_root = NULL;
	struct husk_cgroup *cg = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_cgroup_create_in(&h, "c13", "/r", "c13", NULL, &cg, &err), 0);
	ck_assert_ptr_null(cg->unified);
	ck_assert_uint_eq(cg->n_paths, n_hier);
	char *first = at("cpu,cpuacct/c13");
	ck_assert_str_eq(cg->dir, first);
	free(first);
	ck_assert_int_eq(husk_cgroup_destroy(cg, &err), 0);
	assert_nothing_named("c13");
	husk_cgroup_free(cg);
}
END_TEST

/* state.json keeps the per-hierarchy directories; one written before
 * them (cgroupPath alone) still reads. */
START_TEST(test_state_records_paths)
{
	struct husk_kv paths[] = {{.key = "cpu,cpuacct", .value = "/sys/fs/cgroup/cpu,cpuacct/x"},
	                          {.key = "unified", .value = "/sys/fs/cgroup/unified/x"}};
	struct husk_state st = {.id = "c1",
	                        .status = HUSK_STATUS_RUNNING,
	                        .pid = 42,
	                        .cgroup_path = "/sys/fs/cgroup/unified/x",
	                        .cgroup_paths = paths,
	                        .n_cgroup_paths = 2};
	size_t len = 0;
	char *json = state_json_encode(&st, &len);
	struct husk_state *back = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_eq(state_json_decode(json, len, &back, &err), 0);
	ck_assert_uint_eq(back->n_cgroup_paths, 2);
	ck_assert_str_eq(back->cgroup_paths[0].key, "cpu,cpuacct");
	ck_assert_str_eq(back->cgroup_paths[1].value, "/sys/fs/cgroup/unified/x");
	husk_state_free(back);
	free(json);
	const char *old = "{\"id\":\"c1\",\"status\":\"running\",\"pid\":4242,"
	                  "\"cgroupPath\":\"/sys/fs/cgroup/husk-1-c1\"}";
	ck_assert_int_eq(state_json_decode(old, strlen(old), &back, &err), 0);
	ck_assert_uint_eq(back->n_cgroup_paths, 0);
	ck_assert_str_eq(back->cgroup_path, "/sys/fs/cgroup/husk-1-c1");
	husk_state_free(back);
	const char *bad = "{\"id\":\"c1\",\"status\":\"running\",\"cgroupPaths\":{\"a\":1}}";
	ck_assert_int_lt(state_json_decode(bad, strlen(bad), &back, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "$.cgroupPaths[\"a\"]: expected string"));
	husk_error_release(&err);
}
END_TEST

Suite *cgroup_v1_suite(void)
{
	Suite *s = suite_create("cgroup_v1");
	TCase *tc = tcase_create("fake_hierarchies");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse_v1);
	tcase_add_test(tc, test_resolve_v1);
	tcase_add_test(tc, test_create_makes_every_hierarchy);
	tcase_add_test(tc, test_create_writes_limits);
	tcase_add_test(tc, test_failed_write_removes_every_directory);
	tcase_add_test(tc, test_busy_leaf_refused_and_the_rest_removed);
	tcase_add_test(tc, test_refusals_before_anything_is_made);
	tcase_add_test(tc, test_device_rules_and_missing_devices);
	tcase_add_test(tc, test_freezer_procs_and_kill);
	tcase_add_test(tc, test_load_from_state_and_delete);
	tcase_add_test(tc, test_stats_from_v1_files);
	tcase_add_test(tc, test_legacy_has_no_cgroup2);
	tcase_add_test(tc, test_state_records_paths);
	suite_add_tcase(s, tc);
	return s;
}
