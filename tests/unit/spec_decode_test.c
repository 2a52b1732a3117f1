/* Tests of the config decoder and encoder: field values of the fixtures and
 * config.json.example, the exact wording of every kind of decode error,
 * null-as-absent, unknown keys, and round trips through husk_spec_to_json. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "husk/spec.h"
#include "json/json.h"
#include "util/xalloc.h"

/* ---- helpers ------------------------------------------------------------- */

static char *fixture(const char *rel)
{
	const char *dir = getenv("HUSK_FIXTURES");
	return xasprintf("%s/%s", dir ? dir : "tests/fixtures", rel);
}

static struct husk_spec *parse_ok(const char *json)
{
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	int r = husk_spec_parse("config.json", json, strlen(json), &spec, &err);
	ck_assert_msg(r == 0, "parse failed: %s", err ? err->msg : "?");
	ck_assert_ptr_nonnull(spec);
	return spec;
}

static struct husk_spec *load_ok(const char *rel)
{
	_cleanup_free_ char *path = fixture(rel);
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	int r = husk_spec_load(path, &spec, &err);
	ck_assert_msg(r == 0, "load %s failed: %s", path, err ? err->msg : "?");
	return spec;
}

static void expect_err(const char *json, const char *want)
{
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	int r = husk_spec_parse("config.json", json, strlen(json), &spec, &err);
	ck_assert_int_lt(r, 0);
	ck_assert_ptr_null(spec);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err->msg, want);
	husk_error_free(err);
}

static char *to_json(const struct husk_spec *spec)
{
	char *out = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_spec_to_json(spec, &out, &err), 0);
	ck_assert_ptr_nonnull(out);
	return out;
}

/* Same value, ignoring key order and whitespace; numbers compare by text,
 * which the encoder keeps canonical (plain decimal integers). */
static bool json_equal(const struct json_value *a, const struct json_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JSON_NULL:
		return true;
	case JSON_BOOL:
		return a->boolean == b->boolean;
	case JSON_NUMBER:
		return strcmp(a->number, b->number) == 0;
	case JSON_STRING:
		return a->string.len == b->string.len && strcmp(a->string.str, b->string.str) == 0;
	case JSON_ARRAY:
		if (a->array.len != b->array.len)
			return false;
		for (size_t i = 0; i < a->array.len; i++)
			if (!json_equal(a->array.items[i], b->array.items[i]))
				return false;
		return true;
	case JSON_OBJECT:
		if (a->object.len != b->object.len)
			return false;
		for (size_t i = 0; i < a->object.len; i++) {
			const struct json_value *o = json_object_get(b, a->object.members[i].key);
			if (!o || !json_equal(a->object.members[i].value, o))
				return false;
		}
		return true;
	}
	return false;
}

static bool json_text_equal(const char *x, size_t xlen, const char *y)
{
	struct json_doc *a = NULL, *b = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_eq(json_parse(x, xlen, &a, &err), 0);
	ck_assert_int_eq(json_parse(y, strlen(y), &b, &err), 0);
	bool eq = json_equal(json_doc_root(a), json_doc_root(b));
	json_doc_free(a);
	json_doc_free(b);
	return eq;
}

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "re");
	ck_assert_msg(f != NULL, "open %s", path);
	size_t cap = 4096, len = 0;
	char *buf = xmalloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	fclose(f);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

/* encode(decode(encode(spec))) == encode(spec), and, for files written
 * without values the struct cannot tell from absent, encode(decode(file))
 * says the same as the file: nothing dropped, nothing misspelt. */
static void check_round_trip(const char *rel, bool same_as_file)
{
	struct husk_spec *spec = load_ok(rel);
	_cleanup_free_ char *once = to_json(spec);
	struct husk_spec *again = parse_ok(once);
	_cleanup_free_ char *twice = to_json(again);
	/* Check's messages are size-limited: print the documents ourselves. */
	if (strcmp(once, twice) != 0)
		fprintf(stderr, "%s:\n%s\n%s\n", rel, once, twice);
	ck_assert_msg(strcmp(once, twice) == 0, "%s: encoding not stable", rel);
	if (same_as_file) {
		_cleanup_free_ char *path = fixture(rel);
		size_t len;
		_cleanup_free_ char *text = slurp(path, &len);
		bool same = json_text_equal(text, len, once);
		if (!same)
			fprintf(stderr, "%s re-encoded:\n%s\n", rel, once);
		ck_assert_msg(same, "%s changed in a round trip", rel);
	}
	husk_spec_free(again);
	husk_spec_free(spec);
}

/* ---- fixtures ------------------------------------------------------------ */

START_TEST(test_minimal)
{
	struct husk_spec *s = load_ok("config/valid/minimal.json");
	ck_assert_str_eq(s->oci_version, "1.2.0");
	ck_assert_str_eq(s->root->path, "rootfs");
	ck_assert(!s->root->readonly);
	ck_assert_uint_eq(s->n_mounts, 0);
	ck_assert_ptr_null(s->hooks);
	ck_assert_ptr_null(s->linux_);
	ck_assert_ptr_null(s->hostname);
	ck_assert_uint_eq(s->process->n_args, 1);
	ck_assert_str_eq(s->process->args[0], "/bin/sh");
	ck_assert_str_eq(s->process->cwd, "/");
	ck_assert(!s->process->user.has_umask);
	ck_assert_ptr_null(s->process->capabilities);
	husk_spec_free(s);
}
END_TEST

START_TEST(test_example_process)
{
	struct husk_spec *s = load_ok("../../config.json.example");
	const struct husk_spec_process *p = s->process;
	ck_assert(p->terminal);
	ck_assert(p->has_console_size);
	ck_assert_uint_eq(p->console_height, 25);
	ck_assert_uint_eq(p->console_width, 80);
	ck_assert(p->user.has_umask);
	ck_assert_uint_eq(p->user.umask, 18);
	ck_assert_uint_eq(p->user.n_additional_gids, 2);
	ck_assert_uint_eq(p->user.additional_gids[1], 10);
	ck_assert_uint_eq(p->capabilities->n_ambient, 1);
	ck_assert_str_eq(p->capabilities->ambient[0], "CAP_NET_BIND_SERVICE");
	ck_assert_str_eq(p->rlimits[0].type, "RLIMIT_NOFILE");
	ck_assert_uint_eq(p->rlimits[0].soft, 1024);
	ck_assert_uint_eq(p->rlimits[0].hard, 4096);
	ck_assert(p->no_new_privileges);
	ck_assert(p->has_oom_score_adj);
	ck_assert_int_eq(p->oom_score_adj, 100);
	ck_assert_str_eq(p->scheduler->policy, "SCHED_OTHER");
	ck_assert(p->scheduler->has_nice && !p->scheduler->has_priority);
	ck_assert_int_eq(p->scheduler->nice, 5);
	ck_assert_str_eq(p->io_priority->klass, "IOPRIO_CLASS_BE");
	ck_assert_int_eq(p->io_priority->priority, 4);
	ck_assert_str_eq(p->exec_cpu_affinity->final, "0-1");
	ck_assert_str_eq(s->domainname, "example.org");
	husk_spec_free(s);
}
END_TEST

START_TEST(test_example_hooks_mounts_annotations)
{
	struct husk_spec *s = load_ok("../../config.json.example");
	for (int k = 0; k < HUSK_HOOK_KIND_COUNT; k++)
		ck_assert_uint_eq(s->hooks->n_hooks[k], 1);
	const struct husk_spec_hook *h = &s->hooks->hooks[HUSK_HOOK_CREATE_RUNTIME][0];
	ck_assert_str_eq(h->path, "/usr/libexec/example/setup-network");
	ck_assert_uint_eq(h->n_args, 3);
	ck_assert_str_eq(h->env[0], "LOG_LEVEL=info");
	ck_assert(h->has_timeout);
	ck_assert_int_eq(h->timeout, 10);
	ck_assert(!s->hooks->hooks[HUSK_HOOK_CREATE_CONTAINER][0].has_timeout);
	ck_assert_uint_eq(s->n_mounts, 8);
	ck_assert_str_eq(s->mounts[7].destination, "/srv/data");
	ck_assert_uint_eq(s->mounts[7].n_uid_mappings, 1);
	ck_assert_uint_eq(s->mounts[7].uid_mappings[0].host_id, 200000);
	ck_assert_ptr_null(s->mounts[0].options);
	ck_assert_uint_eq(s->n_annotations, 2);
	ck_assert_str_eq(s->annotations[0].key, "org.opencontainers.image.title");
	ck_assert_str_eq(s->annotations[0].value, "example-web");
	husk_spec_free(s);
}
END_TEST

START_TEST(test_example_linux)
{
	struct husk_spec *s = load_ok("../../config.json.example");
	const struct husk_spec_linux *l = s->linux_;
	ck_assert_uint_eq(l->n_namespaces, 8);
	ck_assert_int_eq(l->namespaces[1].type, HUSK_NS_NETWORK);
	ck_assert_int_eq(l->namespaces[7].type, HUSK_NS_TIME);
	ck_assert_ptr_null(l->namespaces[0].path);
	ck_assert(l->time_boottime.present);
	ck_assert_uint_eq(l->time_boottime.nanosecs, 500);
	ck_assert_int_eq(l->time_monotonic.secs, 86400);
	ck_assert_uint_eq(l->devices[0].file_mode, 0666);
	ck_assert(l->devices[0].has_uid);
	ck_assert_int_eq(l->devices[0].minor, 229);
	ck_assert_str_eq(l->cgroups_path, "/husk/example-web");
	ck_assert_str_eq(l->intel_rdt->l3_cache_schema, "L3:0=7f0");
	ck_assert(l->intel_rdt->enable_cmt && l->intel_rdt->enable_mbm);
	ck_assert_str_eq(l->sysctl[0].key, "net.ipv4.ip_forward");
	ck_assert_str_eq(l->rootfs_propagation, "rprivate");
	ck_assert_uint_eq(l->n_masked_paths, 11);
	ck_assert_uint_eq(l->n_readonly_paths, 5);
	ck_assert_str_eq(l->personality->domain, "LINUX");
	ck_assert_uint_eq(l->n_net_devices, 1);
	ck_assert_str_eq(l->net_devices[0].host_name, "eth1");
	ck_assert_str_eq(l->net_devices[0].name, "net1");
	husk_spec_free(s);
}
END_TEST

START_TEST(test_example_resources)
{
	struct husk_spec *s = load_ok("../../config.json.example");
	const struct husk_spec_resources *r = s->linux_->resources;
	ck_assert_uint_eq(r->n_devices, 2);
	ck_assert(!r->devices[0].allow && !r->devices[0].has_major);
	ck_assert_ptr_null(r->devices[0].type);
	ck_assert_int_eq(r->devices[1].major, 10);
	ck_assert_int_eq(r->memory->limit, 536870912);
	ck_assert(r->memory->has_disable_oom_killer && !r->memory->disable_oom_killer);
	ck_assert(!r->memory->has_kernel);
	ck_assert_uint_eq(r->cpu->burst, 10000);
	ck_assert(r->cpu->has_idle);
	ck_assert_int_eq(r->cpu->idle, 0);
	ck_assert_int_eq(r->pids->limit, 512);
	ck_assert_uint_eq(r->block_io->weight, 500);
	ck_assert_uint_eq(r->block_io->weight_device[0].weight, 600);
	ck_assert_uint_eq(r->block_io->throttle_write_iops[0].rate, 1000);
	ck_assert_str_eq(r->hugepage_limits[0].page_size, "2MB");
	ck_assert_uint_eq(r->network->class_id, 1048577);
	ck_assert_str_eq(r->network->priorities[0].name, "eth0");
	ck_assert_str_eq(r->rdma[0].device, "mlx5_1");
	ck_assert_uint_eq(r->rdma[0].hca_objects, 10000);
	ck_assert_str_eq(r->unified[1].key, "memory.oom.group");
	husk_spec_free(s);
}
END_TEST

START_TEST(test_example_seccomp)
{
	struct husk_spec *s = load_ok("../../config.json.example");
	const struct husk_spec_seccomp *sc = s->linux_->seccomp;
	ck_assert_str_eq(sc->default_action, "SCMP_ACT_ALLOW");
	ck_assert(!sc->has_default_errno_ret);
	ck_assert_uint_eq(sc->n_architectures, 3);
	ck_assert_str_eq(sc->listener_metadata, "web");
	ck_assert_uint_eq(sc->n_syscalls, 5);
	ck_assert(sc->syscalls[0].has_errno_ret);
	ck_assert_uint_eq(sc->syscalls[0].errno_ret, 1);
	ck_assert_uint_eq(sc->syscalls[1].args[0].value, 4294967295u);
	ck_assert(!sc->syscalls[1].args[0].has_value_two);
	ck_assert(sc->syscalls[3].args[0].has_value_two);
	ck_assert_str_eq(sc->syscalls[3].args[0].op, "SCMP_CMP_MASKED_EQ");
	husk_spec_free(s);
}
END_TEST

START_TEST(test_full_extremes)
{
	struct husk_spec *s = load_ok("config/valid/full.json");
	ck_assert_uint_eq(s->process->user.additional_gids[0], 4294967294u);
	ck_assert_uint_eq(s->process->rlimits[0].hard, UINT64_MAX);
	ck_assert_int_eq(s->process->oom_score_adj, -1000);
	ck_assert_uint_eq(s->process->scheduler->deadline, 30000000);
	ck_assert(s->process->scheduler->has_priority);
	ck_assert_str_eq(s->linux_->namespaces[1].path, "/var/run/netns/worker");
	ck_assert(!s->linux_->devices[1].has_major);
	const struct husk_spec_resources *r = s->linux_->resources;
	ck_assert_int_eq(r->memory->limit, -1);
	ck_assert_int_eq(r->memory->reservation, INT64_MAX);
	ck_assert(r->memory->has_use_hierarchy && r->memory->use_hierarchy);
	ck_assert_int_eq(r->cpu->realtime_runtime, 950000);
	ck_assert_int_eq(r->pids->limit, -1);
	ck_assert(!r->block_io->weight_device[0].has_weight);
	ck_assert_uint_eq(r->block_io->weight_device[0].leaf_weight, 300);
	ck_assert(!r->rdma[0].has_hca_handles);
	ck_assert_uint_eq(r->rdma[0].hca_objects, UINT32_MAX);
	ck_assert_uint_eq(s->linux_->intel_rdt->n_schemata, 2);
	ck_assert_uint_eq(s->linux_->seccomp->default_errno_ret, 38);
	ck_assert_uint_eq(s->linux_->seccomp->syscalls[1].args[0].value_two, UINT64_MAX);
	husk_spec_free(s);
}
END_TEST

START_TEST(test_rootless)
{
	struct husk_spec *s = load_ok("config/valid/rootless.json");
	ck_assert_uint_eq(s->linux_->n_uid_mappings, 1);
	ck_assert_uint_eq(s->linux_->gid_mappings[0].host_id, 1000);
	ck_assert_int_eq(s->linux_->namespaces[5].type, HUSK_NS_USER);
	ck_assert_ptr_null(s->linux_->resources);
	husk_spec_free(s);
}
END_TEST

/* ---- round trips --------------------------------------------------------- */

START_TEST(test_round_trip_example)
{
	check_round_trip("../../config.json.example", true);
}
END_TEST

START_TEST(test_round_trip_fixtures)
{
	check_round_trip("config/valid/minimal.json", true);
	check_round_trip("config/valid/full.json", true);
	check_round_trip("config/valid/rootless.json", true);
}
END_TEST

START_TEST(test_round_trip_drops_false_and_empty)
{
	struct husk_spec *s = parse_ok("{\"process\":{\"terminal\":false,\"args\":[],"
	                               "\"commandLine\":\"cmd /c x\",\"user\":{}}}");
	_cleanup_free_ char *out = to_json(s);
	ck_assert_str_eq(out, "{\"process\":{\"user\":{\"uid\":0,\"gid\":0},"
	                      "\"commandLine\":\"cmd /c x\"}}");
	husk_spec_free(s);
}
END_TEST

/* Fields no fixture uses (flags are defined for no personality yet). */
START_TEST(test_round_trip_rare_fields)
{
	const char *json = "{\"linux\":{\"personality\":{\"domain\":\"LINUX\","
	                   "\"flags\":[\"FUTURE_FLAG\"]},\"netDevices\":{\"eth9\":{}},"
	                   "\"resources\":{\"pids\":{}}}}";
	struct husk_spec *s = parse_ok(json);
	ck_assert_str_eq(s->linux_->personality->flags[0], "FUTURE_FLAG");
	ck_assert_ptr_null(s->linux_->net_devices[0].name);
	ck_assert(!s->linux_->resources->pids->has_limit);
	_cleanup_free_ char *out = to_json(s);
	ck_assert(json_text_equal(json, strlen(json), out));
	husk_spec_free(s);
}
END_TEST

/* What `husk spec` writes must decode and survive a round trip too. */
START_TEST(test_round_trip_default)
{
	for (int rootless = 0; rootless <= 1; rootless++) {
		_cleanup_free_ char *json = NULL;
		struct husk_error *err = NULL;
		ck_assert_int_eq(husk_spec_default_json(rootless, &json, &err), 0);
		struct husk_spec *s = parse_ok(json);
		_cleanup_free_ char *once = to_json(s);
		struct husk_spec *again = parse_ok(once);
		_cleanup_free_ char *twice = to_json(again);
		ck_assert_str_eq(once, twice);
		husk_spec_free(again);
		husk_spec_free(s);
	}
}
END_TEST

/* ---- null, unknown keys, names ------------------------------------------- */

START_TEST(test_null_is_absent)
{
	struct husk_spec *s = parse_ok(
	    "{\"ociVersion\":null,\"root\":null,\"mounts\":null,\"annotations\":null,"
	    "\"process\":{\"user\":{\"uid\":null,\"umask\":null},\"args\":null,\"cwd\":null,"
	    "\"terminal\":null,\"oomScoreAdj\":null},"
	    "\"linux\":{\"resources\":{\"memory\":{\"limit\":null}},\"sysctl\":null}}");
	ck_assert_ptr_null(s->oci_version);
	ck_assert_ptr_null(s->root);
	ck_assert_uint_eq(s->n_mounts, 0);
	ck_assert_ptr_null(s->process->cwd);
	ck_assert(!s->process->user.has_umask);
	ck_assert(!s->process->has_oom_score_adj);
	ck_assert_ptr_nonnull(s->linux_->resources->memory);
	ck_assert(!s->linux_->resources->memory->has_limit);
	husk_spec_free(s);
}
END_TEST

START_TEST(test_unknown_keys_ignored)
{
	struct husk_spec *s =
	    parse_ok("{\"ociVersion\":\"1.2.0\",\"windows\":{\"x\":[1]},"
	             "\"process\":{\"future\":true,\"user\":{\"username\":\"a\"}},"
	             "\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"z\":1}]}}");
	ck_assert_str_eq(s->oci_version, "1.2.0");
	ck_assert_uint_eq(s->linux_->n_namespaces, 1);
	husk_spec_free(s);
}
END_TEST

START_TEST(test_namespace_names)
{
	struct husk_spec *s =
	    parse_ok("{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},"
	             "{\"type\":\"mount\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},"
	             "{\"type\":\"user\"},{\"type\":\"cgroup\"},{\"type\":\"time\"}]}}");
	for (int t = 0; t < HUSK_NS_TYPE_COUNT; t++) {
		ck_assert_int_eq(s->linux_->namespaces[t].type, t);
		ck_assert_ptr_nonnull(husk_ns_type_name(t));
	}
	ck_assert_str_eq(husk_ns_type_name(HUSK_NS_NETWORK), "network");
	ck_assert_ptr_null(husk_ns_type_name(HUSK_NS_TYPE_COUNT));
	ck_assert_str_eq(husk_hook_kind_name(HUSK_HOOK_CREATE_RUNTIME), "createRuntime");
	husk_spec_free(s);
}
END_TEST

START_TEST(test_empty_arrays)
{
	struct husk_spec *s = parse_ok("{\"mounts\":[],\"process\":{\"env\":[]}}");
	ck_assert_uint_eq(s->n_mounts, 0);
	ck_assert_ptr_null(s->mounts);
	ck_assert_uint_eq(s->process->n_env, 0);
	husk_spec_free(s);
}
END_TEST

/* ---- error wording ------------------------------------------------------- */

START_TEST(test_err_type_u32)
{
	expect_err("{\n  \"process\": {\n    \"user\": {\"uid\": \"root\"}\n  }\n}",
	           "config.json: process.user.uid: expected unsigned 32-bit integer, got string "
	           "(line 3, column 21)");
}
END_TEST

START_TEST(test_err_range_u32)
{
	expect_err("{\"process\":{\"user\":{\"uid\":4294967296}}}",
	           "config.json: process.user.uid: 4294967296 is out of range for unsigned 32-bit "
	           "integer (line 1, column 27)");
}
END_TEST

START_TEST(test_err_negative_unsigned)
{
	expect_err("{\"process\":{\"user\":{\"gid\":-1}}}",
	           "config.json: process.user.gid: -1 is out of range for unsigned 32-bit integer "
	           "(line 1, column 27)");
	expect_err("{\"process\":{\"rlimits\":[{\"soft\":-99999999999999999999}]}}",
	           "config.json: process.rlimits[0].soft: -99999999999999999999 is out of range "
	           "for unsigned 64-bit integer (line 1, column 32)");
}
END_TEST

START_TEST(test_err_fraction)
{
	expect_err(
	    "{\"process\":{\"user\":{\"uid\":1.5}}}",
	    "config.json: process.user.uid: expected unsigned 32-bit integer, got number 1.5 "
	    "(line 1, column 27)");
	expect_err("{\"process\":{\"oomScoreAdj\":1e3}}",
	           "config.json: process.oomScoreAdj: expected 32-bit integer, got number 1e3 "
	           "(line 1, column 27)");
}
END_TEST

START_TEST(test_err_range_u16)
{
	expect_err("{\"linux\":{\"resources\":{\"blockIO\":{\"weight\":65536}}}}",
	           "config.json: linux.resources.blockIO.weight: 65536 is out of range for "
	           "unsigned 16-bit integer (line 1, column 44)");
}
END_TEST

START_TEST(test_err_range_u64)
{
	expect_err("{\"process\":{\"rlimits\":[{\"hard\":18446744073709551616}]}}",
	           "config.json: process.rlimits[0].hard: 18446744073709551616 is out of range for "
	           "unsigned 64-bit integer (line 1, column 32)");
}
END_TEST

START_TEST(test_err_range_i32)
{
	expect_err("{\"process\":{\"oomScoreAdj\":-2147483649}}",
	           "config.json: process.oomScoreAdj: -2147483649 is out of range for 32-bit "
	           "integer (line 1, column 27)");
	struct husk_spec *s = parse_ok("{\"process\":{\"oomScoreAdj\":-2147483648}}");
	ck_assert_int_eq(s->process->oom_score_adj, INT32_MIN);
	husk_spec_free(s);
}
END_TEST

START_TEST(test_err_range_i64)
{
	expect_err("{\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775808}}}}",
	           "config.json: linux.resources.memory.limit: 9223372036854775808 is out of range "
	           "for 64-bit integer (line 1, column 42)");
	expect_err("{\"linux\":{\"resources\":{\"cpu\":{\"quota\":true}}}}",
	           "config.json: linux.resources.cpu.quota: expected 64-bit integer, got boolean "
	           "(line 1, column 39)");
}
END_TEST

START_TEST(test_err_string_bool_object_array)
{
	expect_err("{\"ociVersion\":1}",
	           "config.json: ociVersion: expected string, got number (line 1, column 15)");
	expect_err("{\"root\":{\"readonly\":\"yes\"}}",
	           "config.json: root.readonly: expected boolean, got string (line 1, column 21)");
	expect_err("{\"process\":[]}",
	           "config.json: process: expected object, got array (line 1, column 12)");
	expect_err("{\"mounts\":{}}",
	           "config.json: mounts: expected array, got object (line 1, column 11)");
	expect_err("{\"mounts\":[{},7]}",
	           "config.json: mounts[1]: expected object, got number (line 1, column 15)");
}
END_TEST

START_TEST(test_err_array_of_strings)
{
	expect_err("{\"process\":{\"args\":\"sh\"}}",
	           "config.json: process.args: expected array of strings, got string "
	           "(line 1, column 20)");
	expect_err("{\"mounts\":[{\"options\":[\"ro\",false]}]}",
	           "config.json: mounts[0].options[1]: expected string, got boolean "
	           "(line 1, column 29)");
	expect_err("{\"process\":{\"env\":[null]}}",
	           "config.json: process.env[0]: expected string, got null (line 1, column 20)");
}
END_TEST

START_TEST(test_err_map_keys)
{
	expect_err("{\"annotations\":{\"io.k8s.x\":1}}",
	           "config.json: annotations[\"io.k8s.x\"]: expected string, got number "
	           "(line 1, column 28)");
	expect_err(
	    "{\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":true}}}",
	    "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: expected string, got boolean "
	    "(line 1, column 43)");
	expect_err("{\"linux\":{\"resources\":{\"rdma\":{\"mlx\\\"5\":{\"hcaHandles\":-3}}}}}",
	           "config.json: linux.resources.rdma[\"mlx\\\"5\"].hcaHandles: -3 is out of range "
	           "for unsigned 32-bit integer (line 1, column 55)");
	expect_err("{\"linux\":{\"netDevices\":{\"eth0\":{\"name\":[]}}}}",
	           "config.json: linux.netDevices[\"eth0\"].name: expected string, got array "
	           "(line 1, column 40)");
}
END_TEST

START_TEST(test_err_unknown_namespace)
{
	expect_err("{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},\n"
	           "  {\"type\": \"pidd\"}]}}",
	           "config.json: linux.namespaces[2].type: unknown namespace \"pidd\" "
	           "(line 2, column 12)");
	expect_err("{\"linux\":{\"namespaces\":[{\"type\":\"net\"}]}}",
	           "config.json: linux.namespaces[0].type: unknown namespace \"net\" "
	           "(line 1, column 33)");
	expect_err("{\"linux\":{\"namespaces\":[{\"path\":\"/x\"}]}}",
	           "config.json: linux.namespaces[0]: missing \"type\" (line 1, column 25)");
}
END_TEST

START_TEST(test_err_time_offsets)
{
	expect_err("{\"linux\":{\"timeOffsets\":{\"realtime\":{\"secs\":1}}}}",
	           "config.json: linux.timeOffsets[\"realtime\"]: unknown clock \"realtime\" "
	           "(line 1, column 37)");
	expect_err("{\"linux\":{\"timeOffsets\":{\"boottime\":{\"nanosecs\":-1}}}}",
	           "config.json: linux.timeOffsets[\"boottime\"].nanosecs: -1 is out of range for "
	           "unsigned 32-bit integer (line 1, column 49)");
}
END_TEST

START_TEST(test_err_deep_paths)
{
	expect_err("{\"linux\":{\"seccomp\":{\"syscalls\":[{\"names\":[\"x\"]},"
	           "{\"args\":[{\"index\":0},{\"value\":\"1\"}]}]}}}",
	           "config.json: linux.seccomp.syscalls[1].args[1].value: expected unsigned 64-bit "
	           "integer, got string (line 1, column 80)");
	expect_err(
	    "{\"hooks\":{\"poststop\":[{\"timeout\":1.0}]}}",
	    "config.json: hooks.poststop[0].timeout: expected 64-bit integer, got number 1.0 "
	    "(line 1, column 34)");
	expect_err("{\"linux\":{\"uidMappings\":[{\"size\":65536,\"hostID\":\"x\"}]}}",
	           "config.json: linux.uidMappings[0].hostID: expected unsigned 32-bit integer, "
	           "got string (line 1, column 49)");
}
END_TEST

START_TEST(test_err_top_level)
{
	expect_err("[1]",
	           "config.json: expected object at top level, got array (line 1, column 1)");
	expect_err("  null",
	           "config.json: expected object at top level, got null (line 1, column 3)");
}
END_TEST

START_TEST(test_err_syntax_prefixed)
{
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	const char *bad = "{\"a\": }";
	ck_assert_int_lt(husk_spec_parse("config.json", bad, strlen(bad), &spec, &err), 0);
	ck_assert_ptr_null(spec);
	ck_assert_msg(strncmp(err->msg, "config.json: line 1, column ", 28) == 0, "got %s",
	              err->msg);
	husk_error_free(err);
}
END_TEST

START_TEST(test_load_missing_file)
{
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_spec_load("/nonexistent/husk/config.json", &spec, &err), 0);
	ck_assert_str_eq(err->msg,
	                 "open '/nonexistent/husk/config.json': No such file or directory");
	husk_error_free(err);
}
END_TEST

START_TEST(test_load_names_error_by_basename)
{
	char dir[] = "/tmp/husk-spec-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	_cleanup_free_ char *path = xasprintf("%s/my.json", dir);
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs("{\"hostname\": 7}", f);
	fclose(f);
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_spec_load(path, &spec, &err), 0);
	ck_assert_str_eq(err->msg,
	                 "my.json: hostname: expected string, got number (line 1, column 14)");
	husk_error_free(err);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_load_too_large)
{
	char dir[] = "/tmp/husk-spec-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	_cleanup_free_ char *path = xasprintf("%s/config.json", dir);
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), (off_t)JSON_MAX_INPUT_SIZE + 1), 0);
	fclose(f);
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_spec_load(path, &spec, &err), 0);
	_cleanup_free_ char *want =
	    xasprintf("read '%s': larger than %u bytes", path, JSON_MAX_INPUT_SIZE);
	ck_assert_str_eq(err->msg, want);
	husk_error_free(err);
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *spec_decode_suite(void)
{
	Suite *s = suite_create("spec_decode");
	TCase *tc = tcase_create("fixtures");
	tcase_add_test(tc, test_minimal);
	tcase_add_test(tc, test_example_process);
	tcase_add_test(tc, test_example_hooks_mounts_annotations);
	tcase_add_test(tc, test_example_linux);
	tcase_add_test(tc, test_example_resources);
	tcase_add_test(tc, test_example_seccomp);
	tcase_add_test(tc, test_full_extremes);
	tcase_add_test(tc, test_rootless);
	tcase_add_test(tc, test_round_trip_example);
	tcase_add_test(tc, test_round_trip_fixtures);
	tcase_add_test(tc, test_round_trip_drops_false_and_empty);
	tcase_add_test(tc, test_round_trip_default);
	tcase_add_test(tc, test_round_trip_rare_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("semantics");
	tcase_add_test(tc, test_null_is_absent);
	tcase_add_test(tc, test_unknown_keys_ignored);
	tcase_add_test(tc, test_namespace_names);
	tcase_add_test(tc, test_empty_arrays);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_err_type_u32);
	tcase_add_test(tc, test_err_range_u32);
	tcase_add_test(tc, test_err_negative_unsigned);
	tcase_add_test(tc, test_err_fraction);
	tcase_add_test(tc, test_err_range_u16);
	tcase_add_test(tc, test_err_range_u64);
	tcase_add_test(tc, test_err_range_i32);
	tcase_add_test(tc, test_err_range_i64);
	tcase_add_test(tc, test_err_string_bool_object_array);
	tcase_add_test(tc, test_err_array_of_strings);
	tcase_add_test(tc, test_err_map_keys);
	tcase_add_test(tc, test_err_unknown_namespace);
	tcase_add_test(tc, test_err_time_offsets);
	tcase_add_test(tc, test_err_deep_paths);
	tcase_add_test(tc, test_err_top_level);
	tcase_add_test(tc, test_err_syntax_prefixed);
	tcase_add_test(tc, test_load_missing_file);
	tcase_add_test(tc, test_load_names_error_by_basename);
	tcase_add_test(tc, test_load_too_large);
	suite_add_tcase(s, tc);
	return s;
}
