/* Tests of the config validator on hand-built specs: each rule on its own,
 * the reporting of every problem at once, and the name tables. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "husk/spec.h"
#include "spec/names.h"
#include "spec/validate.h"

/* A small valid spec that each test breaks in one place. */
struct base {
	struct husk_spec spec;
	struct husk_spec_root root;
	struct husk_spec_process proc;
	struct husk_spec_linux linux_;
	struct husk_spec_namespace ns[3];
	char *args[1];
	char *env[2];
};

static void base_init(struct base *b)
{
	memset(b, 0, sizeof(*b));
	b->args[0] = "sh";
	b->env[0] = "PATH=/bin";
	b->env[1] = "TERM=";
	b->root.path = "rootfs";
	b->proc.args = b->args;
	b->proc.n_args = 1;
	b->proc.env = b->env;
	b->proc.n_env = 2;
	b->proc.cwd = "/";
	b->ns[0].type = HUSK_NS_PID;
	b->ns[1].type = HUSK_NS_MOUNT;
	b->ns[2].type = HUSK_NS_UTS;
	b->linux_.namespaces = b->ns;
	b->linux_.n_namespaces = 3;
	b->spec.oci_version = "1.2.0";
	b->spec.root = &b->root;
	b->spec.process = &b->proc;
	b->spec.linux_ = &b->linux_;
}

/* Asserts that the spec has exactly one problem, at path, saying msg. */
static void expect_one(const struct husk_spec *spec, const char *path, const char *msg)
{
	struct husk_spec_problems p;
	husk_spec_validate_all(spec, &p);
	for (size_t i = 0; p.n != 1 && i < p.n; i++)
		fprintf(stderr, "problem %zu: %s: %s\n", i, p.items[i].path, p.items[i].msg);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.items[0].path, path);
	ck_assert_str_eq(p.items[0].msg, msg);
	husk_spec_problems_free(&p);
}

static void expect_valid(const struct husk_spec *spec)
{
	struct husk_spec_problems p;
	husk_spec_validate_all(spec, &p);
	for (size_t i = 0; i < p.n; i++)
		fprintf(stderr, "unexpected problem: %s: %s\n", p.items[i].path, p.items[i].msg);
	ck_assert_uint_eq(p.n, 0);
	husk_spec_problems_free(&p);
}

START_TEST(test_valid_base)
{
	struct base b;
	base_init(&b);
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_spec_validate("config.json", &b.spec, &err), 0);
	ck_assert_ptr_null(err);
}
END_TEST

START_TEST(test_reports_them_all)
{
	struct base b;
	base_init(&b);
	b.spec.oci_version = "2.0.0";
	b.proc.cwd = "tmp";
	b.ns[2].type = HUSK_NS_PID;
	struct husk_spec_problems p;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.items[0].check, "oci-version");
	ck_assert_str_eq(p.items[1].path, "process.cwd");
	ck_assert_str_eq(p.items[1].msg, "must be an absolute path, got \"tmp\"");
	ck_assert_str_eq(p.items[2].check, "namespaces");
	ck_assert_str_eq(p.items[2].path, "linux.namespaces[2].type");
	ck_assert_str_eq(p.items[2].msg, "duplicate namespace \"pid\"");
	husk_spec_problems_free(&p);

	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_spec_validate("config.json", &b.spec, &err), -1);
	ck_assert_str_eq(err->msg, "config.json: ociVersion: unsupported version \"2.0.0\", want "
	                           "1.x (and 2 more problems)");
	husk_error_release(&err);

	b.proc.cwd = "/";
	ck_assert_int_eq(husk_spec_validate("c.json", &b.spec, &err), -1);
	ck_assert_str_eq(err->msg, "c.json: ociVersion: unsupported version \"2.0.0\", want 1.x "
	                           "(and 1 more problem)");
	husk_error_release(&err);
}
END_TEST

START_TEST(test_empty_spec)
{
	struct husk_spec spec = {0};
	struct husk_spec_problems p;
	husk_spec_validate_all(&spec, &p);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.items[0].path, "ociVersion");
	ck_assert_str_eq(p.items[1].path, "root");
	ck_assert_str_eq(p.items[2].path, "process");
	ck_assert_str_eq(p.items[2].msg, "required");
	husk_spec_problems_free(&p);
}
END_TEST

static const struct {
	const char *version;
	const char *msg; /* NULL: accepted */
} versions[] = {
    {"1.0.0", NULL},
    {"1.2.0", NULL},
    {"1.0.2-dev", NULL},
    {"1.1.0-rc.1+git.abc", NULL},
    {"2.0.0", "unsupported version \"2.0.0\", want 1.x"},
    {"0.9.0", "unsupported version \"0.9.0\", want 1.x"},
    {"", "\"\" is not a version such as \"1.2.0\""},
    {"abc", "\"abc\" is not a version such as \"1.2.0\""},
    {"1.0", "\"1.0\" is not a version such as \"1.2.0\""},
    {"1.0.0-", "\"1.0.0-\" is not a version such as \"1.2.0\""},
    {"1.0.0 ", "\"1.0.0 \" is not a version such as \"1.2.0\""},
};

START_TEST(test_oci_version)
{
	struct base b;
	base_init(&b);
	b.spec.oci_version = (char *)versions[_i].version;
	if (versions[_i].msg)
		expect_one(&b.spec, "ociVersion", versions[_i].msg);
	else
		expect_valid(&b.spec);
}
END_TEST

START_TEST(test_cpu_list)
{
	ck_assert(husk_spec_cpu_list_is_valid("0"));
	ck_assert(husk_spec_cpu_list_is_valid("0-3,5,7-7"));
	ck_assert(!husk_spec_cpu_list_is_valid(""));
	ck_assert(!husk_spec_cpu_list_is_valid("3-1"));
	ck_assert(!husk_spec_cpu_list_is_valid("0,"));
	ck_assert(!husk_spec_cpu_list_is_valid("0-"));
	ck_assert(!husk_spec_cpu_list_is_valid("-1"));
	ck_assert(!husk_spec_cpu_list_is_valid("a"));
	ck_assert(!husk_spec_cpu_list_is_valid("1 ,2"));
	ck_assert(!husk_spec_cpu_list_is_valid("99999999999999999999"));
}
END_TEST

START_TEST(test_quote)
{
	struct husk_spec_problems p;
	struct husk_spec spec = {0};
	husk_spec_validate_all(&spec, &p);
	ck_assert_str_eq(husk_spec_quote(&p, "a\"b\\c\nd\x7f"), "\"a\\\"b\\\\c\\u000ad\\u007f\"");
	ck_assert_str_eq(husk_spec_quote(&p, "h\xc3\xa9"), "\"h\xc3\xa9\"");
	ck_assert_str_eq(husk_spec_quote(&p, NULL), "null");
	husk_spec_problems_free(&p);
}
END_TEST

START_TEST(test_name_tables)
{
	ck_assert_uint_eq(husk_capability_names.n, 41);
	ck_assert_str_eq(husk_capability_names.names[0], "CAP_CHOWN");
	ck_assert_str_eq(husk_capability_names.names[21], "CAP_SYS_ADMIN");
	ck_assert_str_eq(husk_capability_names.names[40], "CAP_CHECKPOINT_RESTORE");
	ck_assert_uint_eq(husk_rlimit_names.n, 16);
	ck_assert_uint_eq(husk_namespace_names.n, HUSK_NS_TYPE_COUNT);
	for (int t = 0; t < HUSK_NS_TYPE_COUNT; t++)
		ck_assert_str_eq(husk_namespace_names.names[t], husk_ns_type_name(t));
	for (int k = 0; k < HUSK_HOOK_KIND_COUNT; k++)
		ck_assert_str_eq(husk_hook_names.names[k], husk_hook_kind_name(k));
	ck_assert_uint_eq(husk_seccomp_actions.n, 9);
	ck_assert_uint_eq(husk_seccomp_ops.n, 7);
	ck_assert_uint_eq(husk_seccomp_archs.n, 23);
	ck_assert_uint_eq(husk_seccomp_flags.n, 4);
	ck_assert_uint_eq(husk_mount_options.n, 59);
	ck_assert_uint_eq(husk_propagations.n, 8);
	ck_assert_uint_eq(husk_sched_policies.n, 7);
	ck_assert_uint_eq(husk_sched_flags.n, 7);
	ck_assert_uint_eq(husk_ioprio_classes.n, 3);
	ck_assert_uint_eq(husk_personality_domains.n, 2);
	ck_assert(husk_name_list_contains(&husk_mount_options, "nosymfollow"));
	ck_assert(!husk_name_list_contains(&husk_mount_options, "size=1k"));
	ck_assert(!husk_name_list_contains(&husk_mount_options, NULL));
	ck_assert(!husk_name_list_contains(&husk_capability_names, "cap_chown"));
}
END_TEST

START_TEST(test_check_names_unique)
{
	size_t n = husk_spec_check_count();
	ck_assert_uint_gt(n, 20);
	ck_assert_ptr_null(husk_spec_check_name(n));
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(husk_spec_check_name(i), husk_spec_check_name(j));
}
END_TEST

START_TEST(test_process_rules)
{
	struct base b;
	base_init(&b);
	b.proc.n_args = 0;
	expect_one(&b.spec, "process.args", "must be a non-empty array of strings");
	base_init(&b);
	b.args[0] = "";
	expect_one(&b.spec, "process.args[0]", "must not be empty");
	base_init(&b);
	b.proc.cwd = NULL;
	expect_one(&b.spec, "process.cwd", "required");
	base_init(&b);
	b.env[1] = "=x";
	expect_one(&b.spec, "process.env[1]", "\"=x\" is not in KEY=value form");
	b.env[1] = "FOO";
	expect_one(&b.spec, "process.env[1]", "\"FOO\" is not in KEY=value form");
	base_init(&b);
	b.proc.user.has_umask = true;
	b.proc.user.umask = 0777;
	expect_valid(&b.spec);
	b.proc.user.umask = 01000;
	expect_one(&b.spec, "process.user.umask", "must be at most 0777 (511), got 512");
}
END_TEST

START_TEST(test_capabilities_and_rlimits)
{
	struct base b;
	base_init(&b);
	char *caps[] = {"CAP_CHOWN", "CAP_FOO", "CAP_BPF"};
	struct husk_spec_capabilities c = {.ambient = caps, .n_ambient = 3};
	b.proc.capabilities = &c;
	expect_one(&b.spec, "process.capabilities.ambient[1]", "unknown capability \"CAP_FOO\"");

	base_init(&b);
	struct husk_spec_rlimit r[] = {{"RLIMIT_NOFILE", 10, 10},
	                               {"RLIMIT_CORE", 5, 4},
	                               {"RLIMIT_NOFILE", 1, 1},
	                               {"RLIMIT_X", 0, 0}};
	b.proc.rlimits = r;
	b.proc.n_rlimits = 4;
	struct husk_spec_problems p;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.items[0].path, "process.rlimits[1].soft");
	ck_assert_str_eq(p.items[0].msg, "must not be above the hard limit 4, got 5");
	ck_assert_str_eq(p.items[1].path, "process.rlimits[2].type");
	ck_assert_str_eq(p.items[1].msg, "duplicate rlimit \"RLIMIT_NOFILE\"");
	ck_assert_str_eq(p.items[2].msg, "unknown rlimit \"RLIMIT_X\"");
	husk_spec_problems_free(&p);
}
END_TEST

START_TEST(test_scheduling)
{
	struct base b;
	base_init(&b);
	b.proc.has_oom_score_adj = true;
	b.proc.oom_score_adj = -1000;
	expect_valid(&b.spec);
	b.proc.oom_score_adj = 1001;
	expect_one(&b.spec, "process.oomScoreAdj", "must be between -1000 and 1000, got 1001");

	base_init(&b);
	char *flags[] = {"SCHED_FLAG_RECLAIM", "SCHED_FLAG_NOPE"};
	struct husk_spec_scheduler s = {
	    .policy = "SCHED_FIFO", .has_priority = true, .priority = 50};
	b.proc.scheduler = &s;
	expect_valid(&b.spec);
	s.flags = flags;
	s.n_flags = 2;
	expect_one(&b.spec, "process.scheduler.flags[1]", "unknown flag \"SCHED_FLAG_NOPE\"");
	s.n_flags = 0;
	s.priority = 0;
	expect_one(&b.spec, "process.scheduler.priority",
	           "must be between 1 and 99 for SCHED_FIFO, got 0");
	s.policy = "SCHED_OTHER";
	s.has_nice = true;
	s.nice = -21;
	expect_one(&b.spec, "process.scheduler.nice", "must be between -20 and 19, got -21");
	s.nice = 0;
	s.policy = "SCHED_LAZY";
	expect_one(&b.spec, "process.scheduler.policy", "unknown policy \"SCHED_LAZY\"");

	base_init(&b);
	struct husk_spec_io_priority io = {.klass = "IOPRIO_CLASS_BE", .priority = 8};
	b.proc.io_priority = &io;
	expect_one(&b.spec, "process.ioPriority.priority", "must be between 0 and 7, got 8");
	io.priority = 7;
	io.klass = "IOPRIO_CLASS_NONE";
	expect_one(&b.spec, "process.ioPriority.class", "unknown class \"IOPRIO_CLASS_NONE\"");

	base_init(&b);
	struct husk_spec_cpu_affinity aff = {.initial = "0-1", .final = "1,0-"};
	b.proc.exec_cpu_affinity = &aff;
	expect_one(&b.spec, "process.execCPUAffinity.final",
	           "invalid list \"1,0-\", want numbers and ranges such as \"0-3,7\"");
}
END_TEST

START_TEST(test_hostname_needs_uts)
{
	struct base b;
	base_init(&b);
	b.spec.hostname = "box";
	b.spec.domainname = "example.org";
	expect_valid(&b.spec);
	b.linux_.n_namespaces = 2; /* drop uts */
	struct husk_spec_problems p;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_str_eq(p.items[0].path, "hostname");
	ck_assert_str_eq(p.items[0].msg, "requires a new UTS namespace");
	ck_assert_str_eq(p.items[1].path, "domainname");
	husk_spec_problems_free(&p);
	b.spec.domainname = NULL;
	b.spec.hostname = ""; /* empty: nothing to set */
	expect_valid(&b.spec);

	base_init(&b);
	char longname[66];
	memset(longname, 'h', 65);
	longname[65] = '\0';
	b.spec.hostname = longname;
	expect_one(&b.spec, "hostname", "must be at most 64 bytes long, got 65");
}
END_TEST

START_TEST(test_hooks)
{
	struct base b;
	base_init(&b);
	char *env[] = {"A=1", "B"};
	struct husk_spec_hook poststop[] = {
	    {.path = "/bin/true", .has_timeout = true, .timeout = 5},
	    {.path = "true", .env = env, .n_env = 2, .has_timeout = true, .timeout = 0},
	};
	struct husk_spec_hooks hooks = {0};
	hooks.hooks[HUSK_HOOK_POSTSTOP] = poststop;
	hooks.n_hooks[HUSK_HOOK_POSTSTOP] = 2;
	b.spec.hooks = &hooks;
	struct husk_spec_problems p;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.items[0].path, "hooks.poststop[1].path");
	ck_assert_str_eq(p.items[0].msg, "must be an absolute path, got \"true\"");
	ck_assert_str_eq(p.items[1].path, "hooks.poststop[1].env[1]");
	ck_assert_str_eq(p.items[2].path, "hooks.poststop[1].timeout");
	ck_assert_str_eq(p.items[2].msg, "must be positive, got 0");
	husk_spec_problems_free(&p);
}
END_TEST

START_TEST(test_mounts)
{
	struct base b;
	base_init(&b);
	char *opts[] = {"nosuid", "size=65536k", "frobnicate", ""};
	struct husk_spec_mount m[] = {
	    {.destination = "/tmp", .type = "tmpfs", .options = opts, .n_options = 3},
	    {.destination = "proc"},
	};
	b.spec.mounts = m;
	b.spec.n_mounts = 1;
	expect_valid(&b.spec); /* unknown options are filesystem data */
	m[0].n_options = 4;
	expect_one(&b.spec, "mounts[0].options[3]", "must not be empty");
	m[0].n_options = 3;
	b.spec.n_mounts = 2;
	expect_one(&b.spec, "mounts[1].destination", "must be an absolute path, got \"proc\"");
}
END_TEST

START_TEST(test_namespaces_and_mappings)
{
	struct base b;
	base_init(&b);
	b.ns[1].path = "proc/1/ns/mnt";
	expect_one(&b.spec, "linux.namespaces[1].path",
	           "must be an absolute path, got \"proc/1/ns/mnt\"");

	base_init(&b);
	struct husk_spec_id_mapping map = {.container_id = 0, .host_id = 100000, .size = 65536};
	b.linux_.uid_mappings = &map;
	b.linux_.n_uid_mappings = 1;
	expect_one(&b.spec, "linux.uidMappings", "requires a user namespace");

	b.ns[2].type = HUSK_NS_USER; /* a new user namespace */
	expect_one(&b.spec, "linux.gidMappings", "required when creating a user namespace");
	b.linux_.gid_mappings = &map;
	b.linux_.n_gid_mappings = 1;
	expect_valid(&b.spec);
	map.size = 0;
	struct husk_spec_problems p;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_str_eq(p.items[0].path, "linux.uidMappings[0].size");
	ck_assert_str_eq(p.items[0].msg, "must be positive");
	husk_spec_problems_free(&p);
	map.size = 1;
	map.host_id = UINT32_MAX;
	expect_valid(&b.spec);
	map.size = 2;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_str_eq(p.items[0].msg, "range goes past the largest 32-bit id");
	husk_spec_problems_free(&p);

	/* A joined user namespace brings its own maps. */
	base_init(&b);
	b.ns[2].type = HUSK_NS_USER;
	b.ns[2].path = "/proc/1/ns/user";
	expect_valid(&b.spec);
}
END_TEST

START_TEST(test_time_offsets)
{
	struct base b;
	base_init(&b);
	b.linux_.time_boottime = (struct husk_spec_time_offset){true, 10, 1000000000};
	struct husk_spec_problems p;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_str_eq(p.items[0].path, "linux.timeOffsets");
	ck_assert_str_eq(p.items[0].msg, "requires a time namespace");
	ck_assert_str_eq(p.items[1].path, "linux.timeOffsets.boottime.nanosecs");
	ck_assert_str_eq(p.items[1].msg, "must be less than 1000000000, got 1000000000");
	husk_spec_problems_free(&p);
	b.linux_.time_boottime.nanosecs = 999999999;
	b.ns[2].type = HUSK_NS_TIME;
	expect_valid(&b.spec);
	b.ns[2].path = "/proc/1/ns/time";
	expect_one(&b.spec, "linux.timeOffsets",
	           "requires a new time namespace, not one joined by path");
}
END_TEST

START_TEST(test_devices)
{
	struct base b;
	base_init(&b);
	struct husk_spec_device d[] = {
	    {.type = "c",
	     .path = "/dev/fuse",
	     .has_major = true,
	     .major = 10,
	     .has_minor = true,
	     .minor = 229,
	     .has_file_mode = true,
	     .file_mode = 0666},
	    {.type = "p", .path = "/dev/fifo"},
	    {.type = "b", .path = "/dev/sda", .has_major = true, .major = 8},
	};
	b.linux_.devices = d;
	b.linux_.n_devices = 2;
	expect_valid(&b.spec);
	b.linux_.n_devices = 3;
	expect_one(&b.spec, "linux.devices[2].minor", "required for a \"b\" device");
	d[2].type = "x";
	expect_one(&b.spec, "linux.devices[2].type",
	           "unknown device type \"x\", want c, b, u or p");
	b.linux_.n_devices = 1;
	d[0].file_mode = 010000;
	expect_one(&b.spec, "linux.devices[0].fileMode", "must be at most 07777 (4095), got 4096");
}
END_TEST

START_TEST(test_cgroups_path_and_sysctl)
{
	struct base b;
	base_init(&b);
	b.linux_.cgroups_path = "/husk/c1";
	expect_valid(&b.spec);
	b.linux_.cgroups_path = "system.slice:husk:c1";
	expect_valid(&b.spec);
	b.linux_.cgroups_path = "/husk/../../etc";
	expect_one(&b.spec, "linux.cgroupsPath",
	           "must not contain \"..\", got \"/husk/../../etc\"");
	b.linux_.cgroups_path = "user.slice:..:c1";
	expect_one(&b.spec, "linux.cgroupsPath",
	           "must not contain \"..\", got \"user.slice:..:c1\"");

	base_init(&b);
	struct husk_kv sysctl[] = {{"net.ipv4.ip_forward", "1"},
	                           {"net/ipv4/conf/eth0.100/forwarding", "1"},
	                           {"kernel..x", "1"},
	                           {".kernel", "1"},
	                           {"", "1"},
	                           {"net/../../x", "1"}};
	b.linux_.sysctl = sysctl;
	b.linux_.n_sysctl = 6;
	struct husk_spec_problems p;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 4);
	ck_assert_str_eq(p.items[0].path, "linux.sysctl[\"kernel..x\"]");
	ck_assert_str_eq(p.items[0].msg,
	                 "invalid name, want dot-separated words such as \"net.ipv4.ip_forward\"");
	ck_assert_str_eq(p.items[2].path, "linux.sysctl[\"\"]");
	ck_assert_str_eq(p.items[3].path, "linux.sysctl[\"net/../../x\"]");
	husk_spec_problems_free(&p);
}
END_TEST

START_TEST(test_resources)
{
	struct base b;
	base_init(&b);
	struct husk_spec_resources r = {0};
	struct husk_spec_memory mem = {.has_limit = true, .limit = 0, .has_swap = true, .swap = -1};
	struct husk_spec_cpu cpu = {.has_quota = true, .quota = 0, .cpus = "0-3", .mems = ""};
	struct husk_spec_pids pids = {.has_limit = true, .limit = -1};
	r.memory = &mem;
	r.cpu = &cpu;
	r.pids = &pids;
	b.linux_.resources = &r;
	expect_valid(&b.spec);
	mem.limit = 1 << 20;
	mem.swap = 1 << 19;
	expect_one(&b.spec, "linux.resources.memory.swap",
	           "must be at least the memory limit 1048576 (it counts memory plus swap), got "
	           "524288");
	mem.swap = -2;
	expect_one(&b.spec, "linux.resources.memory.swap", "must be at least -1, got -2");
	mem.swap = -1;
	mem.has_swappiness = true;
	mem.swappiness = 101;
	expect_one(&b.spec, "linux.resources.memory.swappiness", "must be at most 100, got 101");
	mem.swappiness = 100;
	cpu.has_idle = true;
	cpu.idle = 2;
	expect_one(&b.spec, "linux.resources.cpu.idle", "must be 0 or 1, got 2");
	cpu.idle = 1;
	cpu.mems = "1-0";
	expect_one(&b.spec, "linux.resources.cpu.mems",
	           "invalid list \"1-0\", want numbers and ranges such as \"0-3,7\"");
	cpu.mems = NULL;
	pids.limit = -2;
	expect_one(&b.spec, "linux.resources.pids.limit", "must be at least -1, got -2");
}
END_TEST

START_TEST(test_resources_devices_blkio_hugepages_unified)
{
	struct base b;
	base_init(&b);
	struct husk_spec_resources r = {0};
	struct husk_spec_device_cgroup dev[] = {{.allow = false, .access = "rwm"},
	                                        {.allow = true, .type = "c", .access = "rw"},
	                                        {.type = "u"},
	                                        {.access = "rx"},
	                                        {.access = ""}};
	r.devices = dev;
	r.n_devices = 5;
	b.linux_.resources = &r;
	struct husk_spec_problems p;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.items[0].path, "linux.resources.devices[2].type");
	ck_assert_str_eq(p.items[0].msg, "unknown type \"u\", want a, b or c");
	ck_assert_str_eq(p.items[1].msg, "must be a combination of r, w and m, got \"rx\"");
	ck_assert_str_eq(p.items[2].path, "linux.resources.devices[4].access");
	husk_spec_problems_free(&p);

	base_init(&b);
	r = (struct husk_spec_resources){0};
	b.linux_.resources = &r;
	struct husk_spec_weight_device wd = {.major = 8, .has_weight = true, .weight = 1001};
	struct husk_spec_block_io blk = {
	    .has_weight = true, .weight = 10, .weight_device = &wd, .n_weight_device = 1};
	r.block_io = &blk;
	expect_one(&b.spec, "linux.resources.blockIO.weightDevice[0].weight",
	           "must be between 10 and 1000, got 1001");

	/* Docker sends weight 0 for "no weight" in every config */
	struct husk_spec_block_io unset = {
	    .has_weight = true, .weight = 0, .has_leaf_weight = true, .leaf_weight = 0};
	r.block_io = &unset;
	expect_valid(&b.spec);

	base_init(&b);
	r = (struct husk_spec_resources){0};
	b.linux_.resources = &r;
	struct husk_spec_hugepage_limit hp[] = {{"2MB", 0}, {"1GB", 0}, {"64KB", 0},
	                                        {"2M", 0},  {"MB", 0},  {"0MB", 0}};
	r.hugepage_limits = hp;
	r.n_hugepage_limits = 6;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_str_eq(p.items[0].path, "linux.resources.hugepageLimits[3].pageSize");
	ck_assert_str_eq(p.items[0].msg, "invalid page size \"2M\", want a number and a unit such "
	                                 "as \"2MB\" or \"1GB\"");
	husk_spec_problems_free(&p);

	r.n_hugepage_limits = 0;
	struct husk_kv unified[] = {{"memory.max", "1G"}, {"io.bfq.weight", "100"},
	                            {"memory/max", "1"},  {"../memory.max", "1"},
	                            {"memory", "1"},      {"", "1"},
	                            {".max", "1"},        {"memory.", "1"}};
	r.unified = unified;
	r.n_unified = 8;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 6);
	ck_assert_str_eq(p.items[0].path, "linux.resources.unified[\"memory/max\"]");
	ck_assert_str_eq(p.items[0].msg,
	                 "invalid key, want a cgroup file name such as \"memory.max\"");
	husk_spec_problems_free(&p);
}
END_TEST

START_TEST(test_seccomp)
{
	struct base b;
	base_init(&b);
	char *names[] = {"read", "write"};
	struct husk_spec_seccomp_arg args[] = {{.index = 5, .op = "SCMP_CMP_EQ"},
	                                       {.index = 6, .op = "SCMP_CMP_MAYBE"}};
	struct husk_spec_seccomp_syscall sc[] = {
	    {.names = names, .n_names = 2, .action = "SCMP_ACT_ERRNO", .has_errno_ret = true},
	    {.names = names, .n_names = 1, .action = "SCMP_ACT_NOTIFY"},
	    {.n_names = 0,
	     .action = "SCMP_ACT_ALLOW",
	     .has_errno_ret = true,
	     .args = args,
	     .n_args = 2},
	};
	char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"};
	char *flags[] = {"SECCOMP_FILTER_FLAG_LOG"};
	struct husk_spec_seccomp s = {.default_action = "SCMP_ACT_ERRNO",
	                              .architectures = arches,
	                              .n_architectures = 1,
	                              .flags = flags,
	                              .n_flags = 1,
	                              .syscalls = sc,
	                              .n_syscalls = 1};
	b.linux_.seccomp = &s;
	expect_valid(&b.spec);
	s.n_syscalls = 2;
	expect_one(&b.spec, "linux.seccomp.listenerPath",
	           "required when an action is SCMP_ACT_NOTIFY");
	s.listener_path = "run/notify.sock";
	expect_one(&b.spec, "linux.seccomp.listenerPath",
	           "must be an absolute path, got \"run/notify.sock\"");
	s.listener_path = "/run/notify.sock";
	expect_valid(&b.spec);

	s.n_syscalls = 3;
	s.n_architectures = 2;
	struct husk_spec_problems p;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 5);
	ck_assert_str_eq(p.items[0].path, "linux.seccomp.architectures[1]");
	ck_assert_str_eq(p.items[0].msg, "unknown architecture \"SCMP_ARCH_VAX\"");
	ck_assert_str_eq(p.items[1].path, "linux.seccomp.syscalls[2].names");
	ck_assert_str_eq(p.items[2].path, "linux.seccomp.syscalls[2].errnoRet");
	ck_assert_str_eq(p.items[2].msg,
	                 "only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW");
	ck_assert_str_eq(p.items[3].path, "linux.seccomp.syscalls[2].args[1].index");
	ck_assert_str_eq(p.items[4].msg, "unknown operator \"SCMP_CMP_MAYBE\"");
	husk_spec_problems_free(&p);

	s.n_syscalls = 0;
	s.n_architectures = 1;
	s.default_action = "SCMP_ACT_NOTIFY";
	expect_one(&b.spec, "linux.seccomp.defaultAction",
	           "SCMP_ACT_NOTIFY cannot be the default action");
	s.default_action = NULL;
	expect_one(&b.spec, "linux.seccomp.defaultAction", "required");
}
END_TEST

START_TEST(test_linux_misc)
{
	struct base b;
	base_init(&b);
	b.linux_.rootfs_propagation = "rslave";
	char *masked[] = {"/proc/kcore", "proc/keys"};
	b.linux_.masked_paths = masked;
	b.linux_.n_masked_paths = 1;
	b.linux_.readonly_paths = masked;
	b.linux_.n_readonly_paths = 1;
	expect_valid(&b.spec);
	b.linux_.n_readonly_paths = 2;
	expect_one(&b.spec, "linux.readonlyPaths[1]",
	           "must be an absolute path, got \"proc/keys\"");
	b.linux_.n_readonly_paths = 1;
	b.linux_.rootfs_propagation = "recursive";
	expect_one(&b.spec, "linux.rootfsPropagation", "unknown propagation \"recursive\"");

	base_init(&b);
	struct husk_spec_personality pers = {.domain = "LINUX64"};
	b.linux_.personality = &pers;
	expect_one(&b.spec, "linux.personality.domain",
	           "unknown domain \"LINUX64\", want LINUX or LINUX32");

	base_init(&b);
	struct husk_spec_net_device nd[] = {
	    {"eth0", NULL}, {"eth1", "net1"}, {"0123456789abcdef", NULL}, {"eth2", ".."}};
	b.linux_.net_devices = nd;
	b.linux_.n_net_devices = 4;
	struct husk_spec_problems p;
	husk_spec_validate_all(&b.spec, &p);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_str_eq(p.items[0].path, "linux.netDevices[\"0123456789abcdef\"]");
	ck_assert_str_eq(p.items[0].msg, "invalid interface name \"0123456789abcdef\", want 1 to "
	                                 "15 bytes without '/', ':' or spaces");
	ck_assert_str_eq(p.items[1].path, "linux.netDevices[\"eth2\"].name");
	husk_spec_problems_free(&p);

	base_init(&b);
	struct husk_kv ann[] = {{"io.husk.x", ""}, {"", "v"}};
	b.spec.annotations = ann;
	b.spec.n_annotations = 2;
	expect_one(&b.spec, "annotations[\"\"]", "key must not be empty");
}
END_TEST

Suite *spec_validate_suite(void)
{
	Suite *s = suite_create("spec_validate");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_valid_base);
	tcase_add_test(tc, test_reports_them_all);
	tcase_add_test(tc, test_empty_spec);
	tcase_add_loop_test(tc, test_oci_version, 0, (int)(sizeof(versions) / sizeof(versions[0])));
	tcase_add_test(tc, test_cpu_list);
	tcase_add_test(tc, test_quote);
	tcase_add_test(tc, test_name_tables);
	tcase_add_test(tc, test_check_names_unique);
	suite_add_tcase(s, tc);

	TCase *rules = tcase_create("rules");
	tcase_add_test(rules, test_process_rules);
	tcase_add_test(rules, test_capabilities_and_rlimits);
	tcase_add_test(rules, test_scheduling);
	tcase_add_test(rules, test_hostname_needs_uts);
	tcase_add_test(rules, test_hooks);
	tcase_add_test(rules, test_mounts);
	tcase_add_test(rules, test_namespaces_and_mappings);
	tcase_add_test(rules, test_time_offsets);
	tcase_add_test(rules, test_devices);
	tcase_add_test(rules, test_cgroups_path_and_sysctl);
	tcase_add_test(rules, test_resources);
	tcase_add_test(rules, test_resources_devices_blkio_hugepages_unified);
	tcase_add_test(rules, test_seccomp);
	tcase_add_test(rules, test_linux_misc);
	suite_add_tcase(s, rules);
	return s;
}
