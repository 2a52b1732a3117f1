/* The rootless network's annotations: the published ports' syntax (the
 * bridge network's: "HOST:CONTAINER[/tcp|/udp]", comma separated) and when
 * the network is wanted at all. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "net/slirp.h"

START_TEST(test_ports_parse)
{
	struct husk_net_rootless_port *p = NULL;
	size_t n = 0;
	struct husk_error *err = NULL;
	ck_assert_int_eq(
	    husk_net_rootless_parse_ports(" 8080:80, 5353:53/udp,9000:9000/tcp", &p, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(p[0].host_port, 8080);
	ck_assert_uint_eq(p[0].container_port, 80);
	ck_assert(!p[0].udp);
	ck_assert(p[1].udp);
	ck_assert_uint_eq(p[1].container_port, 53);
	ck_assert(!p[2].udp);
	free(p);
}
END_TEST

static void expect_error(const char *text, const char *want)
{
	struct husk_net_rootless_port *p = NULL;
	size_t n = 0;
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_net_rootless_parse_ports(text, &p, &n, &err), 0);
	ck_assert_str_eq(err->msg, want);
	ck_assert_ptr_null(p);
	husk_error_release(&err);
}

START_TEST(test_ports_errors)
{
	expect_error("8080:70000", "bad port \"70000\" in \"8080:70000\"");
	expect_error("x:80", "bad port \"x\" in \"x:80\"");
	expect_error("0:80", "bad port \"0\" in \"0:80\"");
	expect_error("8080", "\"8080\" in \"8080\": want HOST:CONTAINER");
	expect_error("80:80/sctp", "bad protocol \"sctp\" in \"80:80/sctp\"");
	expect_error("80:80,80:81", "host port 80 published twice in \"80:80,80:81\"");
}
END_TEST

START_TEST(test_wanted_needs_bridge_and_new_netns)
{
	struct husk_kv ann = {.key = "husk.net", .value = "bridge"};
	struct husk_spec_namespace net_new = {.type = HUSK_NS_NETWORK};
	struct husk_spec_namespace net_joined = {.type = HUSK_NS_NETWORK, .path = "/proc/1/ns/net"};
	struct husk_spec_linux lx = {.namespaces = &net_new, .n_namespaces = 1};
	struct husk_spec spec = {.annotations = &ann, .n_annotations = 1, .linux_ = &lx};
	ck_assert(husk_net_rootless_wanted(&spec));
	lx.namespaces = &net_joined;
	ck_assert(!husk_net_rootless_wanted(&spec));
	lx.n_namespaces = 0;
	ck_assert(!husk_net_rootless_wanted(&spec));
	lx.namespaces = &net_new;
	lx.n_namespaces = 1;
	ann.value = "none";
	ck_assert(!husk_net_rootless_wanted(&spec));
}
END_TEST

Suite *net_slirp_suite(void)
{
	Suite *s = suite_create("net_slirp");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_ports_parse);
	tcase_add_test(tc, test_ports_errors);
	tcase_add_test(tc, test_wanted_needs_bridge_and_new_netns);
	suite_add_tcase(s, tc);
	return s;
}
