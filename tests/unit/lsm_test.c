/* Tests of lsm.c: host detection, label syntax, the create-time check, and
 * what the exec-label step writes where.  Everything runs against a fake
 * /sys and /proc under a temporary prefix: this host has neither LSM, and
 * the writes must be seen byte for byte. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "husk/features.h"
#include "json/json.h"
#include "lsm.h"
#include "testutil.h"
#include "util/xalloc.h"

static char prefix[64];

static void setup(void)
{
	test_tmpdir_create(prefix, sizeof(prefix), "lsm");
}

static void teardown(void)
{
	test_tmpdir_remove(prefix);
}

/* Creates prefix/rel with its parents; a trailing '/' makes a directory. */
static void put(const char *rel, const char *text)
{
	_cleanup_free_ char *path = xasprintf("%s%s", prefix, rel);
	for (char *s = strchr(path + strlen(prefix) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	if (path[strlen(path) - 1] == '/')
		return;
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s%s", prefix, rel);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s missing", rel);
	char buf[256] = "";
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

static const char selinux_mountinfo[] =
    "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
    "30 22 0:27 / /sys/fs/selinux rw,relatime - selinuxfs selinuxfs rw\n";

START_TEST(test_detect_nothing)
{
	struct husk_lsm_host h = {true, true};
	husk_lsm_detect(prefix, &h);
	ck_assert(!h.apparmor);
	ck_assert(!h.selinux);
}
END_TEST

START_TEST(test_detect_apparmor)
{
	struct husk_lsm_host h;
	put("/sys/module/apparmor/parameters/enabled", "Y\n");
	husk_lsm_detect(prefix, &h);
	ck_assert_msg(!h.apparmor, "enabled without the task's attr files");
	put("/proc/self/attr/apparmor/", "");
	husk_lsm_detect(prefix, &h);
	ck_assert(h.apparmor);
	ck_assert(!h.selinux);
	put("/sys/module/apparmor/parameters/enabled", "N\n");
	husk_lsm_detect(prefix, &h);
	ck_assert(!h.apparmor);
	/* kernels before 5.8: only the shared attr/exec */
	put("/sys/module/apparmor/parameters/enabled", "Y\n");
	_cleanup_free_ char *dir = xasprintf("%s/proc/self/attr/apparmor", prefix);
	ck_assert_int_eq(rmdir(dir), 0);
	put("/proc/self/attr/exec", "");
	husk_lsm_detect(prefix, &h);
	ck_assert(h.apparmor);
}
END_TEST

START_TEST(test_detect_selinux)
{
	struct husk_lsm_host h;
	put("/proc/self/mountinfo", selinux_mountinfo);
	husk_lsm_detect(prefix, &h);
	ck_assert_msg(!h.selinux, "selinuxfs without enforce");
	put("/sys/fs/selinux/enforce", "1\n");
	husk_lsm_detect(prefix, &h);
	ck_assert(h.selinux);
	ck_assert(!h.apparmor);
	put("/proc/self/mountinfo", "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n");
	husk_lsm_detect(prefix, &h);
	ck_assert_msg(!h.selinux, "enforce file but no selinuxfs mounted");
}
END_TEST

START_TEST(test_label_syntax)
{
	static const struct {
		enum husk_lsm lsm;
		const char *label, *problem;
	} cases[] = {
	    {HUSK_LSM_APPARMOR, "docker-default", NULL},
	    {HUSK_LSM_APPARMOR, "/usr/bin/foo", NULL},
	    {HUSK_LSM_APPARMOR, "", NULL},
	    {HUSK_LSM_APPARMOR, "a\nb", "contains a control character"},
	    {HUSK_LSM_APPARMOR, "a\"b", "contains '\"'"},
	    {HUSK_LSM_APPARMOR, " x", "starts with a space"},
	    {HUSK_LSM_SELINUX, "system_u:system_r:container_t:s0:c1,c2", NULL},
	    {HUSK_LSM_SELINUX, "u:r:t", NULL},
	    {HUSK_LSM_SELINUX, "u:r:t:s0-s0:c0.c1023", NULL},
	    {HUSK_LSM_SELINUX, "u:r", "must be user:role:type[:level]"},
	    {HUSK_LSM_SELINUX, "u::t", "must be user:role:type[:level]"},
	    {HUSK_LSM_SELINUX, "u:r:t:", "must be user:role:type[:level]"},
	    {HUSK_LSM_SELINUX, "container_t", "must be user:role:type[:level]"},
	    {HUSK_LSM_SELINUX, "u:r:t\",nosuid", "contains '\"'"},
	    {HUSK_LSM_SELINUX, "u:r:t\t", "contains a control character"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = husk_lsm_label_problem(cases[i].lsm, cases[i].label);
		if (!cases[i].problem)
			ck_assert_msg(got == NULL, "\"%s\": %s", cases[i].label, got);
		else
			ck_assert_msg(got && strcmp(got, cases[i].problem) == 0, "\"%s\": %s",
			              cases[i].label, got ? got : "(accepted)");
	}
	char *long_label = xmalloc(5000);
	memset(long_label, 'a', 4999);
	long_label[4999] = '\0';
	ck_assert_str_eq(husk_lsm_label_problem(HUSK_LSM_APPARMOR, long_label),
	                 "longer than 4000 bytes");
	free(long_label);
}
END_TEST

START_TEST(test_check_needs_the_lsm)
{
	struct husk_lsm_host none = {false, false}, both = {true, true};
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_lsm_check_label(&none, HUSK_LSM_APPARMOR, "f", NULL, &err), 0);
	ck_assert_int_eq(husk_lsm_check_label(&none, HUSK_LSM_APPARMOR, "f", "", &err), 0);
	ck_assert_int_eq(husk_lsm_check_label(&both, HUSK_LSM_APPARMOR, "f", "p", &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_int_lt(
	    husk_lsm_check_label(&none, HUSK_LSM_APPARMOR, "process.apparmorProfile", "p", &err),
	    0);
	ck_assert_str_eq(err->msg, "process.apparmorProfile: \"p\" needs AppArmor, which is not "
	                           "enabled on this host");
	husk_error_release(&err);
	ck_assert_int_lt(
	    husk_lsm_check_label(&both, HUSK_LSM_SELINUX, "--process-label", "x", &err), 0);
	ck_assert_str_eq(err->msg, "--process-label: must be user:role:type[:level]");
	husk_error_release(&err);

	struct husk_spec_linux lx = {.mount_label = "u:r:t:s0"};
	struct husk_spec_process proc = {.selinux_label = "u:r:t:s0"};
	struct husk_spec spec = {.process = &proc, .linux_ = &lx};
	struct husk_lsm_host apparmor_only = {true, false};
	ck_assert_int_lt(husk_lsm_check_spec(&apparmor_only, &spec, &err), 0);
	ck_assert_str_eq(err->msg, "process.selinuxLabel: \"u:r:t:s0\" needs SELinux, which is not "
	                           "enabled on this host");
	husk_error_release(&err);
	proc.selinux_label = NULL;
	ck_assert_int_lt(husk_lsm_check_spec(&apparmor_only, &spec, &err), 0);
	ck_assert_str_eq(err->msg, "linux.mountLabel: \"u:r:t:s0\" needs SELinux, which is not "
	                           "enabled on this host");
	husk_error_release(&err);
	ck_assert_int_eq(husk_lsm_check_spec(&both, &spec, &err), 0);
}
END_TEST

START_TEST(test_exec_labels_written)
{
	struct husk_error *err = NULL;
	struct husk_spec_process none = {0};
	ck_assert_int_eq(husk_lsm_set_exec_labels(prefix, &none, &err), 0);

	/* AppArmor's own directory wins over the shared attr/exec */
	put("/proc/thread-self/attr/apparmor/exec", "");
	put("/proc/thread-self/attr/exec", "");
	struct husk_spec_process aa = {.apparmor_profile = "docker-default"};
	ck_assert_int_eq(husk_lsm_set_exec_labels(prefix, &aa, &err), 0);
	_cleanup_free_ char *got = slurp("/proc/thread-self/attr/apparmor/exec");
	ck_assert_str_eq(got, "exec docker-default");
	_cleanup_free_ char *untouched = slurp("/proc/thread-self/attr/exec");
	ck_assert_str_eq(untouched, "");

	struct husk_spec_process se = {.selinux_label = "system_u:system_r:container_t:s0:c1,c2"};
	ck_assert_int_eq(husk_lsm_set_exec_labels(prefix, &se, &err), 0);
	_cleanup_free_ char *label = slurp("/proc/thread-self/attr/exec");
	ck_assert_str_eq(label, "system_u:system_r:container_t:s0:c1,c2");
}
END_TEST

START_TEST(test_exec_labels_fallback_and_errors)
{
	struct husk_error *err = NULL;
	struct husk_spec_process aa = {.apparmor_profile = "p"};
	ck_assert_int_lt(husk_lsm_set_exec_labels(prefix, &aa, &err), 0);
	ck_assert_str_eq(err->msg, "process.apparmorProfile \"p\": open "
	                           "\"/proc/thread-self/attr/exec\": No such file or directory");
	husk_error_release(&err);
	struct husk_spec_process se = {.selinux_label = "u:r:t"};
	ck_assert_int_lt(husk_lsm_set_exec_labels(prefix, &se, &err), 0);
	ck_assert_str_eq(err->msg, "process.selinuxLabel \"u:r:t\": open "
	                           "\"/proc/thread-self/attr/exec\": No such file or directory");
	husk_error_release(&err);

	/* before Linux 5.8: "exec <profile>" through the shared file */
	put("/proc/thread-self/attr/exec", "");
	ck_assert_int_eq(husk_lsm_set_exec_labels(prefix, &aa, &err), 0);
	_cleanup_free_ char *got = slurp("/proc/thread-self/attr/exec");
	ck_assert_str_eq(got, "exec p");
}
END_TEST

/* The live path (no prefix) refuses an attr file that is not on procfs:
 * here /proc/thread-self is the real procfs, so it is the write itself
 * that fails (no LSM takes it). */
START_TEST(test_exec_labels_live_without_lsm)
{
	struct husk_error *err = NULL;
	struct husk_spec_process se = {.selinux_label = "u:r:t"};
	struct husk_lsm_host host;
	husk_lsm_detect(NULL, &host);
	if (host.selinux)
		return;
	ck_assert_int_lt(husk_lsm_set_exec_labels(NULL, &se, &err), 0);
	const char *want = "process.selinuxLabel \"u:r:t\": ";
	ck_assert_msg(strncmp(err->msg, want, strlen(want)) == 0, "%s", err->msg);
	husk_error_release(&err);
}
END_TEST

START_TEST(test_mount_data)
{
	static const struct {
		const char *type;
		bool bind;
		const char *data, *label, *want;
	} cases[] = {
	    {"tmpfs", false, NULL, "u:r:t:s0", "context=\"u:r:t:s0\""},
	    {"tmpfs", false, "mode=755,size=65536k", "u:r:t:s0:c1,c2",
	     "mode=755,size=65536k,context=\"u:r:t:s0:c1,c2\""},
	    {"devpts", false, "", "u:r:t", "context=\"u:r:t\""},
	    {"tmpfs", false, "mode=755", NULL, "mode=755"},
	    {"tmpfs", false, "mode=755", "", "mode=755"},
	    {"proc", false, NULL, "u:r:t", NULL},
	    {"sysfs", false, NULL, "u:r:t", NULL},
	    {"mqueue", false, NULL, "u:r:t", NULL},
	    {"cgroup", false, NULL, "u:r:t", NULL},
	    {"tmpfs", true, "mode=1", "u:r:t", "mode=1"},
	    {"bind", true, NULL, "u:r:t", NULL},
	    {"tmpfs", false, "context=\"a:b:c\"", "u:r:t", "context=\"a:b:c\""},
	    {"tmpfs", false, "size=1,context=a:b:c", "u:r:t", "size=1,context=a:b:c"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *data = cases[i].data ? xstrdup(cases[i].data) : NULL;
		char *got = husk_lsm_mount_data(cases[i].type, cases[i].bind, data, cases[i].label);
		if (!cases[i].want)
			ck_assert_msg(got == NULL, "case %zu: %s", i, got);
		else
			ck_assert_msg(got && strcmp(got, cases[i].want) == 0, "case %zu: %s", i,
			              got ? got : "(null)");
		free(got);
	}
}
END_TEST

/* features: the spec's "enabled" says husk supports both; the host's side
 * is an annotation that follows detection. */
START_TEST(test_features_report_host_lsms)
{
	put("/sys/module/apparmor/parameters/enabled", "Y\n");
	put("/proc/self/attr/apparmor/", "");
	char *text = husk_features_json_at(prefix);
	struct json_doc *doc = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_eq(json_parse(text, strlen(text), &doc, &err), 0);
	const struct json_value *root = json_doc_root(doc);
	const struct json_value *lnx = json_object_get(root, "linux");
	const struct json_value *ann = json_object_get(root, "annotations");
	ck_assert(json_object_get(json_object_get(lnx, "apparmor"), "enabled")->boolean);
	ck_assert(json_object_get(json_object_get(lnx, "selinux"), "enabled")->boolean);
	ck_assert_str_eq(json_object_get(ann, "io.github.husk.host.apparmor")->string.str,
	                 "enabled");
	ck_assert_str_eq(json_object_get(ann, "io.github.husk.host.selinux")->string.str,
	                 "disabled");
	json_doc_free(doc);
	free(text);
}
END_TEST

Suite *lsm_suite(void)
{
	Suite *s = suite_create("lsm");
	TCase *tc = tcase_create("lsm");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_detect_nothing);
	tcase_add_test(tc, test_detect_apparmor);
	tcase_add_test(tc, test_detect_selinux);
	tcase_add_test(tc, test_label_syntax);
	tcase_add_test(tc, test_check_needs_the_lsm);
	tcase_add_test(tc, test_exec_labels_written);
	tcase_add_test(tc, test_exec_labels_fallback_and_errors);
	tcase_add_test(tc, test_exec_labels_live_without_lsm);
	tcase_add_test(tc, test_mount_data);
	tcase_add_test(tc, test_features_report_host_lsms);
	suite_add_tcase(s, tc);
	return s;
}
