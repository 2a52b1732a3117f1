/* The host bridge: made once per state root and bridge name, under the
 * allocator's lock (net.c), deleted with its last container.  Host-wide
 * switches it needs (IPv4 forwarding) are turned on and left on: other
 * software may rely on them by then, as with Docker. */
#include "net/bridge.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/xalloc.h"

void husk_bridge_owner(const char *root, char *buf, size_t size)
{
	snprintf(buf, size, "husk %s", root);
}

/* Writes "1" to a /proc/sys file unless it already holds it. */
static int sysctl_enable(const char *path, struct husk_error **err)
{
	char cur[4] = {0};
	_cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", path);
	if (read(fd, cur, sizeof(cur) - 1) > 0 && cur[0] == '1')
		return 0;
	if (pwrite(fd, "1\n", 2, 0) != 2)
		return husk_error_set(err, errno, "write \"%s\"", path);
	return 0;
}

static int check_ours(const struct husk_nl_link *l, const char *name, const char *owner,
                      struct husk_error **err)
{
	if (!l->is_bridge || strncmp(l->alias, "husk ", 5) != 0)
		return husk_error_set(err, 0,
		                      "bridge \"%s\": a link of that name exists and husk did "
		                      "not make it",
		                      name);
	if (strcmp(l->alias, owner) != 0)
		return husk_error_set(err, 0,
		                      "bridge \"%s\" belongs to the state root \"%s\"; choose "
		                      "another with annotation \"%s\"",
		                      name, l->alias + 5, HUSK_ANNOTATION_NET_BRIDGE);
	return 0;
}

static int check_no_overlap(struct husk_nl *nl, const struct husk_net_subnet *subnet,
                            struct husk_error **err)
{
	uint32_t dst;
	uint8_t len;
	int oif;
	char a[16], b[16], dev[IF_NAMESIZE] = "?";
	int r = husk_nl_route_overlap(nl, subnet->network, subnet->prefix, &dst, &len, &oif);
	if (r < 0)
		return husk_error_set(err, errno, "list the host's routes");
	if (r == 0)
		return 0;
	if (oif > 0)
		(void)if_indextoname((unsigned)oif, dev);
	return husk_error_set(err, 0,
	                      "subnet %s/%u overlaps the host's route to %s/%u on \"%s\"; choose "
	                      "another with annotation \"%s\"",
	                      husk_net_format_ipv4(subnet->network, a), subnet->prefix,
	                      husk_net_format_ipv4(dst, b), len, dev, HUSK_ANNOTATION_NET_SUBNET);
}

/* A bridge whose address is not set takes the lowest of its ports', so the
 * gateway's MAC would change as containers come and go and their ARP
 * entries would point at a departed one: it gets a fixed, locally
 * administered one, 02:68 and the gateway address (unique, as subnets may
 * not overlap). */
static void bridge_mac(const struct husk_net_subnet *subnet, uint8_t mac[6])
{
	uint32_t gw = husk_net_gateway(subnet);
	mac[0] = 0x02;
	mac[1] = 0x68;
	mac[2] = (uint8_t)(gw >> 24);
	mac[3] = (uint8_t)(gw >> 16);
	mac[4] = (uint8_t)(gw >> 8);
	mac[5] = (uint8_t)gw;
}

/* A new bridge: alias, gateway address, route_localnet (so the host can
 * reach a published port on 127.0.0.1: the DNATed packet leaves by the
 * bridge with a loopback source), up. */
static int create(struct husk_nl *nl, const char *name, const struct husk_net_subnet *subnet,
                  const char *owner, int *ret_index, struct husk_error **err)
{
	struct husk_nl_link l;
	uint8_t mac[6];
	bridge_mac(subnet, mac);
	if (check_no_overlap(nl, subnet, err) < 0)
		return -1;
	if (husk_nl_bridge_add(nl, name, mac) < 0)
		return husk_error_set(err, errno, "create bridge \"%s\"", name);
	_cleanup_free_ char *localnet =
	    xasprintf("/proc/sys/net/ipv4/conf/%s/route_localnet", name);
	if (husk_nl_link_get(nl, name, &l) < 0 || husk_nl_link_set_alias(nl, l.index, owner) < 0 ||
	    husk_nl_addr_add(nl, l.index, husk_net_gateway(subnet), subnet->prefix, false) < 0) {
		husk_error_set(err, errno, "configure bridge \"%s\"", name);
		goto err_delete;
	}
	if (sysctl_enable(localnet, err) < 0)
		goto err_delete;
	if (husk_nl_link_up(nl, l.index, NULL) < 0) {
		husk_error_set(err, errno, "bring bridge \"%s\" up", name);
		goto err_delete;
	}
	*ret_index = l.index;
	return 0;

err_delete:
	(void)husk_nl_link_del(nl, name);
	return -1;
}

int husk_bridge_ensure(struct husk_nl *nl, const char *name, const struct husk_net_subnet *subnet,
                       const char *owner, bool fresh, int *ret_index, struct husk_error **err)
{
	struct husk_nl_link l;
	if (husk_nl_link_get(nl, name, &l) < 0 && errno != ENODEV)
		return husk_error_set(err, errno, "look up bridge \"%s\"", name);
	if (l.index > 0 && check_ours(&l, name, owner, err) < 0)
		return -1;
	if (l.index > 0 && fresh && husk_nl_link_del(nl, name) < 0)
		return husk_error_set(err, errno, "delete stale bridge \"%s\"", name);
	if (l.index > 0 && !fresh) {
		/* in use: only repair what someone may have undone */
		if (husk_nl_addr_add(nl, l.index, husk_net_gateway(subnet), subnet->prefix, true) <
		        0 ||
		    husk_nl_link_up(nl, l.index, NULL) < 0)
			return husk_error_set(err, errno, "configure bridge \"%s\"", name);
		*ret_index = l.index;
	} else if (create(nl, name, subnet, owner, ret_index, err) < 0) {
		return -1;
	}
	return sysctl_enable("/proc/sys/net/ipv4/ip_forward", err);
}

int husk_bridge_remove(struct husk_nl *nl, const char *name, const char *owner,
                       struct husk_error **err)
{
	struct husk_nl_link l;
	if (husk_nl_link_get(nl, name, &l) < 0)
		return errno == ENODEV ? 0
		                       : husk_error_set(err, errno, "look up bridge \"%s\"", name);
	if (!l.is_bridge || strcmp(l.alias, owner) != 0)
		return 0;
	if (husk_nl_link_del(nl, name) < 0)
		return husk_error_set(err, errno, "delete bridge \"%s\"", name);
	return 0;
}
