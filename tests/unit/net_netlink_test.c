/* The bridge network against the kernel: bridge, nftables table and
 * rules, veth into another namespace, each undone again.  Everything runs
 * in a forked child inside network namespaces of its own, so the host's
 * links and rules are never touched; the child reports one line per step
 * and the parent checks them. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "net/bridge.h"
#include "net/nat.h"
#include "net/netlink.h"
#include "net/veth.h"
#include "testutil.h"

static void put(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdprintf(fd, fmt, ap);
	va_end(ap);
}

/* "step: ok" or "step: <error>" */
static void report(int fd, const char *step, int r, struct husk_error **err)
{
	put(fd, "%s: %s\n", step, r == 0 ? "ok" : (*err ? (*err)->msg : strerror(errno)));
	husk_error_release(err);
}

static void assert_has(const char *out, const char *line)
{
	ck_assert_msg(strstr(out, line), "\"%s\" not in:\n%s", line, out);
}

static const struct husk_net_subnet subnet = {0x0a370000, 24}; /* 10.55.0.0/24 */

static void bridge_steps(int fd, void *arg)
{
	(void)arg;
	struct husk_nl nl;
	struct husk_error *err = NULL;
	int index = 0, again = 0;
	if (unshare(CLONE_NEWNET) < 0 || husk_nl_open(&nl, NETLINK_ROUTE, -1) < 0)
		_exit(1);
	report(fd, "create",
	       husk_bridge_ensure(&nl, "hb0", &subnet, "husk /r1", true, &index, &err), &err);
	struct husk_nl_link l;
	husk_nl_link_get(&nl, "hb0", &l);
	put(fd, "alias: %s, bridge: %d, same index: %d\n", l.alias, l.is_bridge, l.index == index);
	report(fd, "reuse",
	       husk_bridge_ensure(&nl, "hb0", &subnet, "husk /r1", false, &again, &err), &err);
	put(fd, "reused index: %d\n", again == index);
	report(fd, "other root",
	       husk_bridge_ensure(&nl, "hb0", &subnet, "husk /r2", false, &again, &err), &err);
	const struct husk_net_subnet wide = {0x0a370000, 16};
	report(fd, "overlap", husk_bridge_ensure(&nl, "hb1", &wide, "husk /r1", true, &again, &err),
	       &err);
	char fwd[4] = "";
	int f = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY | O_CLOEXEC);
	(void)!read(f, fwd, 1);
	close(f);
	put(fd, "ip_forward: %s\n", fwd);
	report(fd, "remove other", husk_bridge_remove(&nl, "hb0", "husk /r2", &err), &err);
	put(fd, "still there: %d\n", husk_nl_link_get(&nl, "hb0", &l) == 0);
	report(fd, "remove", husk_bridge_remove(&nl, "hb0", "husk /r1", &err), &err);
	put(fd, "gone: %d\n", husk_nl_link_get(&nl, "hb0", &l) < 0 && errno == ENODEV);
	report(fd, "remove again", husk_bridge_remove(&nl, "hb0", "husk /r1", &err), &err);
	husk_nl_close(&nl);
}

START_TEST(test_bridge)
{
	_cleanup_free_ char *out = test_child_output(bridge_steps, NULL);
	assert_has(out, "create: ok\n");
	assert_has(out, "alias: husk /r1, bridge: 1, same index: 1\n");
	assert_has(out, "reuse: ok\nreused index: 1\n");
	assert_has(out, "other root: bridge \"hb0\" belongs to the state root \"/r1\"; choose "
	                "another with annotation \"husk.net.bridge\"\n");
	assert_has(out, "overlap: subnet 10.55.0.0/16 overlaps the host's route to 10.55.0.0/24 "
	                "on \"hb0\"; choose another with annotation \"husk.net.subnet\"\n");
	assert_has(out, "ip_forward: 1\n");
	assert_has(out, "remove other: ok\nstill there: 1\n");
	assert_has(out, "remove: ok\ngone: 1\nremove again: ok\n");
}
END_TEST

static void nat_steps(int fd, void *arg)
{
	(void)arg;
	struct husk_nl nl;
	if (unshare(CLONE_NEWNET) < 0 || husk_nl_open(&nl, NETLINK_NETFILTER, -1) < 0)
		_exit(1);
	const struct husk_net_port ports[] = {{8080, 80, 6}, {5353, 53, 17}};
	size_t n = 99;
	put(fd, "exists before: %d\n", husk_nat_table_exists(&nl, "hb0"));
	put(fd, "create: %d\n", husk_nat_table_create(&nl, "hb0", &subnet));
	put(fd, "exists: %d\n", husk_nat_table_exists(&nl, "hb0"));
	/* made again over a leftover, not doubled */
	put(fd, "create again: %d\n", husk_nat_table_create(&nl, "hb0", &subnet));
	put(fd, "add c1: %d\n", husk_nat_ports_add(&nl, "hb0", 0x0a370002, "c1", ports, 2));
	put(fd, "add c2: %d\n", husk_nat_ports_add(&nl, "hb0", 0x0a370003, "c2", ports, 1));
	put(fd, "add none: %d\n", husk_nat_ports_add(&nl, "hb0", 0x0a370004, "c3", ports, 0));
	put(fd, "delete c1: %d\n", husk_nat_ports_delete(&nl, "hb0", 0x0a370002, &n));
	put(fd, "c1 rules: %zu\n", n);
	husk_nat_ports_delete(&nl, "hb0", 0x0a370002, &n);
	put(fd, "c1 rules again: %zu\n", n);
	husk_nat_ports_delete(&nl, "hb0", 0x0a370003, &n);
	put(fd, "c2 rules: %zu\n", n);
	int r = husk_nat_ports_add(&nl, "nope", 0x0a370002, "c1", ports, 1);
	put(fd, "add to a missing table: %d %d\n", r, errno);
	put(fd, "delete: %d\n", husk_nat_table_delete(&nl, "hb0"));
	put(fd, "exists after: %d\n", husk_nat_table_exists(&nl, "hb0"));
	put(fd, "delete again: %d\n", husk_nat_table_delete(&nl, "hb0"));
	put(fd, "delete rules of no table: %d\n",
	    husk_nat_ports_delete(&nl, "hb0", 0x0a370002, &n));
	husk_nl_close(&nl);
}

START_TEST(test_nat)
{
	_cleanup_free_ char *out = test_child_output(nat_steps, NULL);
	assert_has(out, "exists before: 0\ncreate: 0\nexists: 1\ncreate again: 0\n");
	assert_has(out, "add c1: 0\nadd c2: 0\nadd none: 0\n");
	/* two ports, each in prerouting and output */
	assert_has(out, "delete c1: 0\nc1 rules: 4\nc1 rules again: 0\nc2 rules: 2\n");
	assert_has(out, "add to a missing table: -1 2\n");
	assert_has(out, "delete: 0\nexists after: 0\ndelete again: 0\n");
	assert_has(out, "delete rules of no table: 0\n");
}
END_TEST

static int nl_in(pid_t pid, struct husk_nl *nl)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	int ns = open(path, O_RDONLY | O_CLOEXEC);
	int r = husk_nl_open(nl, NETLINK_ROUTE, ns);
	close(ns);
	return r;
}

/* A process in a network namespace of its own, as a container's init. */
static pid_t spawn_netns_holder(void)
{
	int p[2];
	if (pipe(p) < 0)
		_exit(1);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		(void)!write(p[1], "r", 1);
		pause();
		_exit(0);
	}
	char c;
	close(p[1]);
	(void)!read(p[0], &c, 1);
	close(p[0]);
	return pid;
}

static void veth_steps(int fd, void *arg)
{
	(void)arg;
	struct husk_nl host, inside;
	struct husk_error *err = NULL;
	struct husk_nl_link l;
	int index = 0;
	if (unshare(CLONE_NEWNET) < 0 || husk_nl_open(&host, NETLINK_ROUTE, -1) < 0 ||
	    husk_bridge_ensure(&host, "hb0", &subnet, "husk /r1", true, &index, &err) < 0)
		_exit(1);
	pid_t pid = spawn_netns_holder();
	report(fd, "attach", husk_veth_attach(&host, index, &subnet, 0x0a370002, pid, &err), &err);
	put(fd, "host end: %d\n", husk_nl_link_get(&host, "hk0a370002", &l) == 0);
	if (nl_in(pid, &inside) < 0)
		_exit(1);
	put(fd, "eth0: %d\n", husk_nl_link_get(&inside, "eth0", &l) == 0);
	uint32_t dst = 0;
	uint8_t len = 0;
	int oif = 0;
	int r = husk_nl_route_overlap(&inside, subnet.network, subnet.prefix, &dst, &len, &oif);
	put(fd, "subnet route: %d %d\n", r, oif == l.index);
	/* the default route is there: adding it again is refused */
	r = husk_nl_route_add_default(&inside, l.index, 0x0a370001);
	put(fd, "default route: %d %d\n", r, errno);
	husk_nl_close(&inside);
	report(fd, "attach twice", husk_veth_attach(&host, index, &subnet, 0x0a370002, pid, &err),
	       &err);
	report(fd, "delete", husk_veth_delete(&host, 0x0a370002, &err), &err);
	put(fd, "host end gone: %d\n", husk_nl_link_get(&host, "hk0a370002", &l) < 0);
	report(fd, "delete again", husk_veth_delete(&host, 0x0a370002, &err), &err);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	report(fd, "attach to a dead process",
	       husk_veth_attach(&host, index, &subnet, 0x0a370003, pid, &err), &err);
	husk_nl_close(&host);
}

START_TEST(test_veth)
{
	_cleanup_free_ char *out = test_child_output(veth_steps, NULL);
	assert_has(out, "attach: ok\nhost end: 1\neth0: 1\nsubnet route: 1 1\n");
	assert_has(out, "default route: -1 17\n");
	assert_has(out, "attach twice: create veth \"hk0a370002\": File exists\n");
	assert_has(out, "delete: ok\nhost end gone: 1\ndelete again: ok\n");
	assert_has(out, "attach to a dead process: open the container's network namespace: No "
	                "such file or directory\n");
}
END_TEST

Suite *net_netlink_suite(void)
{
	Suite *s = suite_create("net_netlink");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_bridge);
	tcase_add_test(tc, test_nat);
	tcase_add_test(tc, test_veth);
	suite_add_tcase(s, tc);
	return s;
}
