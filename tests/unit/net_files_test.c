/* The generated /etc files of a networked container: their text, the
 * loopback nameservers dropped from resolv.conf, and the mounts added to
 * the config (none where the bundle mounts the path itself). */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "husk/spec.h"
#include "net/files.h"
#include "testutil.h"
#include "util/file.h"
#include "util/xalloc.h"

static char tmp_dir[64];

static void setup(void)
{
	test_tmpdir_create(tmp_dir, sizeof(tmp_dir), "netfiles");
}

static void teardown(void)
{
	test_tmpdir_remove(tmp_dir);
}

START_TEST(test_hosts_text)
{
	_cleanup_free_ char *t = husk_net_hosts_text("web", 0x0a630007);
	ck_assert_str_eq(t, "127.0.0.1\tlocalhost\n"
	                    "::1\tlocalhost ip6-localhost ip6-loopback\n"
	                    "10.99.0.7\tweb\n");
}
END_TEST

START_TEST(test_resolv_drops_loopback_nameservers)
{
	_cleanup_free_ char *t = husk_net_resolv_text("# generated\n"
	                                              "nameserver 127.0.0.53\n"
	                                              "nameserver 192.0.2.53\n"
	                                              "  nameserver\t::1\n"
	                                              "nameserver 127.1.2.3\n"
	                                              "search example.org\n"
	                                              "options edns0\n"
	                                              "nameserver 2001:db8::53");
	ck_assert_str_eq(t, "# generated\n"
	                    "nameserver 192.0.2.53\n"
	                    "search example.org\n"
	                    "options edns0\n"
	                    "nameserver 2001:db8::53\n");
	_cleanup_free_ char *e = husk_net_resolv_text("");
	ck_assert_str_eq(e, "");
	/* "nameservers" is not "nameserver" */
	_cleanup_free_ char *k = husk_net_resolv_text("nameservers 127.0.0.1\n");
	ck_assert_str_eq(k, "nameservers 127.0.0.1\n");
}
END_TEST

static struct husk_spec *spec_from(const char *json)
{
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	ck_assert_msg(husk_spec_parse("config.json", json, strlen(json), &spec, &err) == 0, "%s",
	              err ? err->msg : "");
	return spec;
}

static char *read_text(const char *dir, const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/net/%s", dir, name);
	char *buf = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_eq(read_file_at(AT_FDCWD, path, 4096, &buf, NULL, &err), 0);
	return buf;
}

START_TEST(test_files_and_mounts)
{
	struct husk_spec *spec = spec_from(
	    "{\"ociVersion\": \"1.2.0\", \"hostname\": \"box\", \"mounts\": [{\"destination\": "
	    "\"/proc\", \"type\": \"proc\"}, {\"destination\": \"/etc//hostname/\", \"type\": "
	    "\"bind\", \"source\": \"/x\", \"options\": [\"bind\"]}]}");
	int dir_fd = open(tmp_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct husk_net_files f;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_net_files_add(spec, dir_fd, tmp_dir, "c1", 0x0a630002, &f, &err), 0);
	/* hosts and resolv.conf added after the bundle's two; hostname is the
	 * bundle's own */
	ck_assert_uint_eq(spec->n_mounts, 4);
	ck_assert_int_eq(f.mount_index[0], 2);
	ck_assert_int_eq(f.mount_index[1], -1);
	ck_assert_int_eq(f.mount_index[2], 3);
	ck_assert_str_eq(spec->mounts[0].destination, "/proc");
	ck_assert_str_eq(spec->mounts[2].destination, "/etc/hosts");
	ck_assert_str_eq(spec->mounts[2].type, "bind");
	_cleanup_free_ char *src = xasprintf("%s/net/hosts", tmp_dir);
	ck_assert_str_eq(spec->mounts[2].source, src);
	ck_assert_uint_eq(spec->mounts[2].n_options, 1);
	ck_assert_str_eq(spec->mounts[2].options[0], "bind");
	ck_assert_str_eq(spec->mounts[3].destination, "/etc/resolv.conf");
	_cleanup_free_ char *hosts = read_text(tmp_dir, "hosts");
	ck_assert_ptr_nonnull(strstr(hosts, "10.99.0.2\tbox\n"));
	_cleanup_free_ char *hostname = xasprintf("%s/net/hostname", tmp_dir);
	ck_assert_int_eq(access(hostname, F_OK), -1);

	/* the trees: one per added mount, in the slots of their entries */
	int *fds = NULL;
	size_t n = 0;
	ck_assert_int_eq(husk_net_files_trees(&f, spec->n_mounts, &fds, &n, &err), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(fds[0], -1);
	ck_assert_int_eq(fds[1], -1);
	ck_assert_int_ge(fds[2], 0);
	ck_assert_int_ge(fds[3], 0);
	struct stat st;
	ck_assert_int_eq(fstat(fds[2], &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	close(fds[2]);
	close(fds[3]);
	free(fds);
	husk_net_files_done(&f);
	close(dir_fd);
	husk_spec_free(spec);
}
END_TEST

START_TEST(test_hostname_defaults_to_id)
{
	struct husk_spec *spec = spec_from("{\"ociVersion\": \"1.2.0\"}");
	int dir_fd = open(tmp_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct husk_net_files f;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_net_files_add(spec, dir_fd, tmp_dir, "my-id", 0x0a630003, &f, &err),
	                 0);
	ck_assert_uint_eq(spec->n_mounts, 3);
	_cleanup_free_ char *hostname = read_text(tmp_dir, "hostname");
	ck_assert_str_eq(hostname, "my-id\n");
	husk_net_files_done(&f);
	close(dir_fd);
	husk_spec_free(spec);
}
END_TEST

Suite *net_files_suite(void)
{
	Suite *s = suite_create("net_files");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hosts_text);
	tcase_add_test(tc, test_resolv_drops_loopback_nameservers);
	tcase_add_test(tc, test_files_and_mounts);
	tcase_add_test(tc, test_hostname_defaults_to_id);
	suite_add_tcase(s, tc);
	return s;
}
