/* The container's end of the network, configured from the parent while
 * the init waits before building its rootfs (spawn.h's attach step): the
 * veth is created with its peer directly in the init's namespace, then a
 * netlink socket opened inside that namespace sets eth0, the address and
 * the route (lo is the init's, as in every new network namespace).
 * Nothing runs inside the container to do it. */
#include "net/veth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "husk/cleanup.h"

#define VETH_ALIAS "husk veth"

void husk_veth_name(uint32_t address, char *buf)
{
	snprintf(buf, 16, "hk%08x", address);
}

static int configure_inside(int netns_fd, const struct husk_net_subnet *subnet, uint32_t address,
                            struct husk_error **err)
{
	struct husk_nl nl;
	struct husk_nl_link eth;
	const char *step = "open a netlink socket in the container's network namespace";
	int r = -1;
	if (husk_nl_open(&nl, NETLINK_ROUTE, netns_fd) < 0)
		return husk_error_set(err, errno, "%s", step);
	if (husk_nl_link_get(&nl, HUSK_VETH_CONTAINER_NAME, &eth) < 0) {
		step = "find eth0";
		goto out;
	}
	if (husk_nl_addr_add(&nl, eth.index, address, subnet->prefix, false) < 0) {
		step = "add the address to eth0";
		goto out;
	}
	if (husk_nl_link_up(&nl, eth.index, NULL) < 0) {
		step = "bring eth0 up";
		goto out;
	}
	if (husk_nl_route_add_default(&nl, eth.index, husk_net_gateway(subnet)) < 0) {
		step = "add the default route";
		goto out;
	}
	r = 0;
out:
	if (r < 0)
		husk_error_set(err, errno, "%s", step);
	husk_nl_close(&nl);
	return r;
}

int husk_veth_attach(struct husk_nl *host, int bridge_index, const struct husk_net_subnet *subnet,
                     uint32_t address, pid_t pid, struct husk_error **err)
{
	char name[16], path[64];
	husk_veth_name(address, name);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	_cleanup_close_ int netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (netns_fd < 0)
		return husk_error_set(err, errno, "open the container's network namespace");
	if (husk_nl_veth_add(host, name, bridge_index, HUSK_VETH_CONTAINER_NAME, netns_fd) < 0)
		return husk_error_set(err, errno, "create veth \"%s\"", name);
	/* the label husk_veth_delete() looks for before deleting a link of
	 * this name: one that someone else made is never touched */
	struct husk_nl_link l;
	if (husk_nl_link_get(host, name, &l) < 0 ||
	    husk_nl_link_set_alias(host, l.index, VETH_ALIAS) < 0) {
		int saved = errno;
		(void)husk_nl_link_del(host, name);
		return husk_error_set(err, saved, "label veth \"%s\"", name);
	}
	if (configure_inside(netns_fd, subnet, address, err) < 0) {
		(void)husk_nl_link_del(host, name);
		return -1;
	}
	return 0;
}

int husk_veth_delete(struct husk_nl *host, uint32_t address, struct husk_error **err)
{
	char name[16];
	husk_veth_name(address, name);
	struct husk_nl_link l;
	if (husk_nl_link_get(host, name, &l) < 0) {
		if (errno == ENODEV)
			return 0;
		return husk_error_set(err, errno, "find veth \"%s\"", name);
	}
	/* a link of that name that husk did not make (a failed create found
	 * the name taken) is left alone */
	if (strcmp(l.alias, VETH_ALIAS) != 0)
		return 0;
	if (husk_nl_link_del(host, name) < 0)
		return husk_error_set(err, errno, "delete veth \"%s\"", name);
	return 0;
}
