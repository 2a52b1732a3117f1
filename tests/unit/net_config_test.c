/* The bridge network's settings: the husk.net.* annotations, the host's
 * /etc/husk/net.conf (a temporary file here) and the parsers behind them,
 * with the exact error lines users see. */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/cleanup.h"
#include "husk/spec.h"
#include "net/config.h"
#include "testutil.h"
#include "util/xalloc.h"

static char tmp_dir[64];

static void setup(void)
{
	test_tmpdir_create(tmp_dir, sizeof(tmp_dir), "netcfg");
}

static void teardown(void)
{
	test_tmpdir_remove(tmp_dir);
}

/* A spec with the given annotations object and network namespace entry. */
static struct husk_spec *spec_with(const char *annotations, const char *netns)
{
	_cleanup_free_ char *json = xasprintf(
	    "{\"ociVersion\": \"1.2.0\", \"annotations\": %s, \"linux\": {\"namespaces\": "
	    "[{\"type\": \"mount\"}%s%s]}}",
	    annotations, netns ? ", " : "", netns ? netns : "");
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	ck_assert_msg(husk_spec_parse("config.json", json, strlen(json), &spec, &err) == 0, "%s",
	              err ? err->msg : "");
	return spec;
}

/* The error of reading spec's settings (with conf, when given). */
static char *read_error(const char *annotations, const char *conf)
{
	struct husk_spec *spec = spec_with(annotations, "{\"type\": \"network\"}");
	struct husk_net_config cfg;
	struct husk_error *err = NULL;
	int r = husk_net_config_read(spec, conf, &cfg, &err);
	husk_spec_free(spec);
	ck_assert_int_eq(r, -1);
	char *msg = xstrdup(err->msg);
	husk_error_free(err);
	return msg;
}

#define ck_assert_error(annotations, conf, want)                                                   \
	do {                                                                                       \
		_cleanup_free_ char *got = read_error(annotations, conf);                          \
		ck_assert_str_eq(got, want);                                                       \
	} while (0)

START_TEST(test_subnet_parse)
{
	struct husk_net_subnet s;
	const char *why = NULL;
	ck_assert_int_eq(husk_net_parse_subnet("10.99.0.0/16", &s, &why), 0);
	ck_assert_uint_eq(s.network, 0x0a630000);
	ck_assert_uint_eq(s.prefix, 16);
	ck_assert_int_eq(husk_net_parse_subnet("192.168.7.0/30", &s, &why), 0);
	static const struct {
		const char *in, *why;
	} bad[] = {
	    {"10.99.0.0", "expected an IPv4 network such as \"10.99.0.0/16\""},
	    {"10.99.0.0/", "expected an IPv4 network such as \"10.99.0.0/16\""},
	    {"10.99/16", "expected an IPv4 network such as \"10.99.0.0/16\""},
	    {"10.99.0.0/1a", "expected an IPv4 network such as \"10.99.0.0/16\""},
	    {"10.99.0.0/016", "expected an IPv4 network such as \"10.99.0.0/16\""},
	    {"10.99.0.0/31", "prefix length must be between 8 and 30"},
	    {"10.0.0.0/7", "prefix length must be between 8 and 30"},
	    {"10.99.0.1/16", "host bits are set"},
	    {"127.1.0.0/16", "reserved range (this network, loopback, link-local or multicast)"},
	    {"169.254.0.0/24", "reserved range (this network, loopback, link-local or multicast)"},
	    {"224.0.0.0/8", "reserved range (this network, loopback, link-local or multicast)"},
	    {"0.1.0.0/16", "reserved range (this network, loopback, link-local or multicast)"},
	};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(bad); i++) {
		why = NULL;
		ck_assert_msg(husk_net_parse_subnet(bad[i].in, &s, &why) == -1, "%s", bad[i].in);
		ck_assert_str_eq(why, bad[i].why);
	}
}
END_TEST

START_TEST(test_bridge_name)
{
	const char *why = NULL;
	ck_assert_int_eq(husk_net_parse_bridge("husk0", &why), 0);
	ck_assert_int_eq(husk_net_parse_bridge("a_b-c123456789x", &why), 0);
	ck_assert_int_eq(husk_net_parse_bridge("", &why), -1);
	ck_assert_str_eq(why, "expected 1 to 15 characters");
	ck_assert_int_eq(husk_net_parse_bridge("a123456789abcdef", &why), -1);
	ck_assert_int_eq(husk_net_parse_bridge("-x", &why), -1);
	ck_assert_str_eq(why, "must start with a letter or digit");
	ck_assert_int_eq(husk_net_parse_bridge("a/b", &why), -1);
	ck_assert_str_eq(why, "may hold only letters, digits, '_' and '-'");
	ck_assert_int_eq(husk_net_parse_bridge("a b", &why), -1);
	ck_assert_int_eq(husk_net_parse_bridge("a.b", &why), -1);
}
END_TEST

START_TEST(test_ports_parse)
{
	struct husk_net_port *p = NULL;
	size_t n = 0;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_net_parse_ports(" 8080:80, 53:5353/udp,,1:65535/tcp ", &p, &n, &err),
	                 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(p[0].host_port, 8080);
	ck_assert_uint_eq(p[0].container_port, 80);
	ck_assert_uint_eq(p[0].proto, IPPROTO_TCP);
	ck_assert_uint_eq(p[1].host_port, 53);
	ck_assert_uint_eq(p[1].container_port, 5353);
	ck_assert_uint_eq(p[1].proto, IPPROTO_UDP);
	ck_assert_uint_eq(p[2].container_port, 65535);
	free(p);
	/* the same host port on tcp and udp is two ports */
	ck_assert_int_eq(husk_net_parse_ports("53:53,53:53/udp", &p, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	free(p);
	ck_assert_int_eq(husk_net_parse_ports("", &p, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	free(p);
}
END_TEST

START_TEST(test_ports_errors)
{
	static const struct {
		const char *in, *msg;
	} bad[] = {
	    {"8080:70000", "bad port \"70000\" in \"8080:70000\""},
	    {"0:80", "bad port \"0\" in \"0:80\""},
	    {"-1:80", "bad port \"-1\" in \"-1:80\""},
	    {"80:", "bad port \"\" in \"80:\""},
	    {"80:8x", "bad port \"8x\" in \"80:8x\""},
	    {"8080", "bad port mapping \"8080\": expected \"hostPort:containerPort[/tcp|udp]\""},
	    {"80/tcp:80", "bad port mapping \"80/tcp:80\": expected "
	                  "\"hostPort:containerPort[/tcp|udp]\""},
	    {"80:80/sctp", "bad protocol \"sctp\" in \"80:80/sctp\": expected tcp or udp"},
	    {"80:80/", "bad protocol \"\" in \"80:80/\": expected tcp or udp"},
	    {"1:1, 2:2, 1:3", "host port 1/tcp given twice"},
	};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(bad); i++) {
		struct husk_net_port *p = NULL;
		size_t n = 0;
		struct husk_error *err = NULL;
		ck_assert_msg(husk_net_parse_ports(bad[i].in, &p, &n, &err) == -1, "%s", bad[i].in);
		ck_assert_str_eq(err->msg, bad[i].msg);
		husk_error_free(err);
		ck_assert_ptr_null(p);
	}
	/* more than the limit */
	char many[HUSK_NET_MAX_PORTS * 12 + 16] = "";
	for (int i = 1; i <= HUSK_NET_MAX_PORTS + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%d:80,", i);
	struct husk_net_port *p = NULL;
	size_t n = 0;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_net_parse_ports(many, &p, &n, &err), -1);
	ck_assert_str_eq(err->msg, "more than 128 ports");
	husk_error_free(err);
}
END_TEST

START_TEST(test_defaults_and_annotations)
{
	struct husk_spec *spec = spec_with("{\"husk.net\": \"bridge\"}", "{\"type\": \"network\"}");
	struct husk_net_config cfg;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_net_config_read(spec, NULL, &cfg, &err), 0);
	ck_assert(cfg.bridge_mode);
	ck_assert_str_eq(cfg.bridge, "husk0");
	ck_assert_uint_eq(cfg.subnet.network, 0x0a630000);
	ck_assert_uint_eq(cfg.subnet.prefix, 16);
	ck_assert_uint_eq(cfg.address, 0);
	ck_assert_uint_eq(cfg.n_ports, 0);
	husk_net_config_done(&cfg);
	husk_spec_free(spec);

	spec = spec_with("{\"husk.net\": \"bridge\", \"husk.net.bridge\": \"br7\", "
	                 "\"husk.net.subnet\": \"172.31.7.0/24\", \"husk.net.address\": "
	                 "\"172.31.7.9\", \"husk.net.ports\": \"80:8080\"}",
	                 "{\"type\": \"network\"}");
	ck_assert_int_eq(husk_net_config_read(spec, NULL, &cfg, &err), 0);
	ck_assert_str_eq(cfg.bridge, "br7");
	ck_assert_uint_eq(cfg.subnet.network, 0xac1f0700);
	ck_assert_uint_eq(cfg.address, 0xac1f0709);
	ck_assert_uint_eq(cfg.n_ports, 1);
	husk_net_config_done(&cfg);
	husk_spec_free(spec);
}
END_TEST

START_TEST(test_annotation_errors)
{
	ck_assert_error("{\"husk.net\": \"bridges\"}", NULL,
	                "config.json: annotations[\"husk.net\"]: bad value \"bridges\": expected "
	                "\"bridge\" or \"none\"");
	ck_assert_error("{\"husk.net\": \"bridge\", \"husk.net.ports\": \"8080:70000\"}", NULL,
	                "config.json: annotations[\"husk.net.ports\"]: bad port \"70000\" in "
	                "\"8080:70000\"");
	ck_assert_error("{\"husk.net.subnet\": \"10.1.0.0/33\"}", NULL,
	                "config.json: annotations[\"husk.net.subnet\"]: bad value \"10.1.0.0/33\": "
	                "prefix length must be between 8 and 30");
	ck_assert_error(
	    "{\"husk.net.bridge\": \"bad name\"}", NULL,
	    "config.json: annotations[\"husk.net.bridge\"]: bad value \"bad name\": may "
	    "hold only letters, digits, '_' and '-'");
	ck_assert_error("{\"husk.net.address\": \"10.99.0\"}", NULL,
	                "config.json: annotations[\"husk.net.address\"]: bad value \"10.99.0\": "
	                "expected an IPv4 address such as \"10.99.0.5\"");
	/* the gateway, the network and the broadcast address are not for
	 * containers, nor is an address outside the subnet */
	static const char *const taken[] = {"10.99.0.1", "10.99.0.0", "10.99.255.255", "10.98.0.9"};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(taken); i++) {
		_cleanup_free_ char *a =
		    xasprintf("{\"husk.net\": \"bridge\", \"husk.net.address\": \"%s\"}", taken[i]);
		_cleanup_free_ char *want = xasprintf(
		    "config.json: annotations[\"husk.net.address\"]: bad value \"%s\": not a "
		    "container address of the subnet 10.99.0.0/16",
		    taken[i]);
		ck_assert_error(a, NULL, want);
	}
}
END_TEST

static char *write_conf(const char *text)
{
	char *path = xasprintf("%s/net.conf", tmp_dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

START_TEST(test_conf_file)
{
	_cleanup_free_ char *path =
	    write_conf("# host defaults\n\n  bridge = hbr0  # the name\nsubnet=10.50.0.0/20\n");
	struct husk_spec *spec = spec_with("{\"husk.net\": \"bridge\"}", "{\"type\": \"network\"}");
	struct husk_net_config cfg;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_net_config_read(spec, path, &cfg, &err), 0);
	ck_assert_str_eq(cfg.bridge, "hbr0");
	ck_assert_uint_eq(cfg.subnet.network, 0x0a320000);
	ck_assert_uint_eq(cfg.subnet.prefix, 20);
	husk_net_config_done(&cfg);
	husk_spec_free(spec);
	/* annotations win over the file */
	spec = spec_with("{\"husk.net\": \"bridge\", \"husk.net.bridge\": \"mine\"}",
	                 "{\"type\": \"network\"}");
	ck_assert_int_eq(husk_net_config_read(spec, path, &cfg, &err), 0);
	ck_assert_str_eq(cfg.bridge, "mine");
	ck_assert_uint_eq(cfg.subnet.prefix, 20);
	husk_net_config_done(&cfg);
	husk_spec_free(spec);
	/* a missing file is the built-in defaults */
	_cleanup_free_ char *missing = xasprintf("%s/none.conf", tmp_dir);
	spec = spec_with("{\"husk.net\": \"bridge\"}", "{\"type\": \"network\"}");
	ck_assert_int_eq(husk_net_config_read(spec, missing, &cfg, &err), 0);
	ck_assert_str_eq(cfg.bridge, "husk0");
	husk_spec_free(spec);
}
END_TEST

START_TEST(test_conf_file_errors)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"bridge = ok\n\nsubnet 10.0.0.0/8\n", "%s:3: expected \"key = value\""},
	    {"bridges = x\n", "%s:1: unknown key \"bridges\""},
	    {"subnet = 10.0.0.1/8\n", "%s:1: subnet: bad value \"10.0.0.1/8\": host bits are set"},
	    {"bridge = a/b\n",
	     "%s:1: bridge: bad value \"a/b\": may hold only letters, digits, '_' and '-'"},
	};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(bad); i++) {
		_cleanup_free_ char *path = write_conf(bad[i].text);
		_cleanup_free_ char *want = xasprintf(bad[i].msg, path);
		ck_assert_error("{\"husk.net\": \"bridge\"}", path, want);
	}
	/* the file is only read when a container asks for the bridge */
	_cleanup_free_ char *path = write_conf("junk\n");
	struct husk_spec *spec = spec_with("{}", "{\"type\": \"network\"}");
	struct husk_net_config cfg;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_net_config_read(spec, path, &cfg, &err), 0);
	husk_spec_free(spec);
}
END_TEST

START_TEST(test_wanted_and_ignored)
{
	static const struct {
		const char *annotations, *netns;
		bool wanted, ignored;
	} cases[] = {
	    {"{\"husk.net\": \"bridge\"}", "{\"type\": \"network\"}", true, false},
	    {"{\"husk.net\": \"bridge\"}", "{\"type\": \"network\", \"path\": \"/run/netns/x\"}",
	     false, true},
	    {"{\"husk.net\": \"bridge\"}", NULL, false, true},
	    {"{\"husk.net\": \"none\"}", "{\"type\": \"network\"}", false, false},
	    {"{}", "{\"type\": \"network\"}", false, false},
	};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(cases); i++) {
		struct husk_spec *spec = spec_with(cases[i].annotations, cases[i].netns);
		ck_assert_msg(husk_net_wanted(spec) == cases[i].wanted, "case %zu", i);
		ck_assert_msg(husk_net_ignored(spec) == cases[i].ignored, "case %zu", i);
		husk_spec_free(spec);
	}
}
END_TEST

START_TEST(test_address_helpers)
{
	struct husk_net_subnet s = {0x0a630000, 16};
	char buf[16];
	ck_assert_str_eq(husk_net_format_ipv4(0x0a630002, buf), "10.99.0.2");
	ck_assert_uint_eq(husk_net_gateway(&s), 0x0a630001);
	ck_assert_uint_eq(husk_net_broadcast(&s), 0x0a63ffff);
	ck_assert(husk_net_address_usable(&s, 0x0a630002));
	ck_assert(husk_net_address_usable(&s, 0x0a63fffe));
	ck_assert(!husk_net_address_usable(&s, 0x0a640002));
	uint32_t a;
	ck_assert_int_eq(husk_net_parse_ipv4("1.2.3.4", &a), 0);
	ck_assert_uint_eq(a, 0x01020304);
	ck_assert_int_eq(husk_net_parse_ipv4("1.2.3", &a), -1);
	ck_assert_int_eq(husk_net_parse_ipv4("1.2.3.256", &a), -1);
	ck_assert_int_eq(husk_net_parse_ipv4(" 1.2.3.4", &a), -1);
}
END_TEST

Suite *net_config_suite(void)
{
	Suite *s = suite_create("net_config");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_subnet_parse);
	tcase_add_test(tc, test_bridge_name);
	tcase_add_test(tc, test_ports_parse);
	tcase_add_test(tc, test_ports_errors);
	tcase_add_test(tc, test_defaults_and_annotations);
	tcase_add_test(tc, test_annotation_errors);
	tcase_add_test(tc, test_conf_file);
	tcase_add_test(tc, test_conf_file_errors);
	tcase_add_test(tc, test_wanted_and_ignored);
	tcase_add_test(tc, test_address_helpers);
	suite_add_tcase(s, tc);
	return s;
}
