/* Tests of the config `husk spec` writes: both variants must decode and pass
 * every validator check, and differ exactly where rootless needs them to. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/spec.h"

static struct husk_spec *load_default(bool rootless)
{
	char *json = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_spec_default_json(rootless, &json, &err), 0);
	ck_assert_ptr_null(err);

	struct husk_spec *spec = NULL;
	int r = husk_spec_parse("config.json", json, strlen(json), &spec, &err);
	ck_assert_msg(r == 0, "parse: %s", err ? err->msg : "?");
	r = husk_spec_validate("config.json", spec, &err);
	ck_assert_msg(r == 0, "validate: %s", err ? err->msg : "?");
	free(json);
	return spec;
}

static bool has_ns(const struct husk_spec *spec, enum husk_ns_type type)
{
	for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
		if (spec->linux_->namespaces[i].type == type)
			return true;
	return false;
}

static const struct husk_spec_mount *find_mount(const struct husk_spec *spec, const char *dest)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (!strcmp(spec->mounts[i].destination, dest))
			return &spec->mounts[i];
	return NULL;
}

static bool has_option(const struct husk_spec_mount *m, const char *opt)
{
	for (size_t i = 0; i < m->n_options; i++)
		if (!strcmp(m->options[i], opt))
			return true;
	return false;
}

START_TEST(test_default_rootful_matches_runc)
{
	struct husk_spec *spec = load_default(false);
	ck_assert_str_eq(spec->oci_version, "1.2.0");
	ck_assert_str_eq(spec->hostname, "husk");
	ck_assert_str_eq(spec->root->path, "rootfs");
	ck_assert(spec->root->readonly);
	ck_assert(spec->process->terminal);
	ck_assert(spec->process->no_new_privileges);
	ck_assert_str_eq(spec->process->args[0], "sh");
	ck_assert_int_eq(spec->process->n_env, 2);
	ck_assert_int_eq(spec->process->capabilities->n_bounding, 3);
	ck_assert_int_eq(spec->process->n_rlimits, 1);
	ck_assert_str_eq(spec->process->rlimits[0].type, "RLIMIT_NOFILE");
	ck_assert_uint_eq(spec->process->rlimits[0].soft, 1024);
	ck_assert_int_eq(spec->n_mounts, 7);
	ck_assert_str_eq(find_mount(spec, "/sys")->type, "sysfs");
	ck_assert(has_option(find_mount(spec, "/dev/pts"), "gid=5"));
	ck_assert_ptr_nonnull(find_mount(spec, "/sys/fs/cgroup"));
	ck_assert(has_ns(spec, HUSK_NS_NETWORK));
	ck_assert(!has_ns(spec, HUSK_NS_USER));
	ck_assert_int_eq(spec->linux_->n_namespaces, 6);
	ck_assert_int_eq(spec->linux_->n_uid_mappings, 0);
	ck_assert_int_eq(spec->linux_->resources->n_devices, 1);
	ck_assert(!spec->linux_->resources->devices[0].allow);
	ck_assert_str_eq(spec->linux_->resources->devices[0].access, "rwm");
	ck_assert_int_eq(spec->linux_->n_masked_paths, 11);
	ck_assert_int_eq(spec->linux_->n_readonly_paths, 5);
	husk_spec_free(spec);
}
END_TEST

START_TEST(test_default_rootless_maps_caller)
{
	struct husk_spec *spec = load_default(true);
	ck_assert(has_ns(spec, HUSK_NS_USER));
	ck_assert(!has_ns(spec, HUSK_NS_NETWORK));
	ck_assert(has_ns(spec, HUSK_NS_PID));
	ck_assert_int_eq(spec->linux_->n_uid_mappings, 1);
	ck_assert_uint_eq(spec->linux_->uid_mappings[0].host_id, geteuid());
	ck_assert_uint_eq(spec->linux_->uid_mappings[0].container_id, 0);
	ck_assert_uint_eq(spec->linux_->uid_mappings[0].size, 1);
	ck_assert_int_eq(spec->linux_->n_gid_mappings, 1);
	ck_assert_uint_eq(spec->linux_->gid_mappings[0].host_id, getegid());
	ck_assert_ptr_null(spec->linux_->resources);

	const struct husk_spec_mount *sys = find_mount(spec, "/sys");
	ck_assert_str_eq(sys->source, "/sys");
	ck_assert(has_option(sys, "rbind"));
	ck_assert(has_option(sys, "ro"));
	ck_assert(!has_option(find_mount(spec, "/dev/pts"), "gid=5"));
	ck_assert(has_option(find_mount(spec, "/dev/pts"), "newinstance"));
	ck_assert_ptr_null(find_mount(spec, "/sys/fs/cgroup"));
	ck_assert_int_eq(spec->n_mounts, 6);
	husk_spec_free(spec);
}
END_TEST

Suite *spec_default_suite(void)
{
	Suite *s = suite_create("spec_default");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_default_rootful_matches_runc);
	tcase_add_test(tc, test_default_rootless_maps_caller);
	suite_add_tcase(s, tc);
	return s;
}
