/* Netlink through libmnl: sockets (in the caller's network namespace or in
 * another one), request/acknowledge round trips, nftables batches, and the
 * rtnetlink requests net/ needs for links, addresses and routes.
 *
 * These functions behave like system calls: they return -1 with errno set
 * (the kernel's answer) and leave the message to the caller, which knows
 * what it was trying to do. */
#pragma once

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

struct husk_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint32_t seq;
};

/* bus: NETLINK_ROUTE or NETLINK_NETFILTER.  With netns_fd >= 0 the socket
 * is created inside that network namespace (by a short-lived thread, so the
 * caller never leaves its own) and works on it from then on. */
int husk_nl_open(struct husk_nl *nl, int bus, int netns_fd);
void husk_nl_close(struct husk_nl *nl);

/* Sends nlh (NLM_F_ACK added, seq assigned) and reads until the kernel's
 * acknowledgement or NLMSG_DONE; cb (may be NULL) sees every data message
 * and must return MNL_CB_OK. */
int husk_nl_request(struct husk_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* Sends an nfnetlink batch (BATCH_BEGIN ... BATCH_END already framed) and
 * returns the first error the kernel reported for any of its messages; the
 * kernel applies all of them or none. */
int husk_nl_batch(struct husk_nl *nl, const void *buf, size_t len);

/* ---- rtnetlink ---- */

struct husk_nl_link {
	int index;
	char alias[256]; /* IFLA_IFALIAS, "" when none */
	bool is_bridge;
};

/* The link named name; -1/ENODEV when there is none. */
int husk_nl_link_get(struct husk_nl *nl, const char *name, struct husk_nl_link *ret);
/* A bridge named name with the hardware address mac (fails with EEXIST when
 * the name is taken). */
int husk_nl_bridge_add(struct husk_nl *nl, const char *name, const uint8_t mac[6]);
/* A veth pair: `name` here, enslaved to master_index and up; the peer
 * created directly in the network namespace peer_netns_fd as peer_name. */
int husk_nl_veth_add(struct husk_nl *nl, const char *name, int master_index, const char *peer_name,
                     int peer_netns_fd);
int husk_nl_link_set_alias(struct husk_nl *nl, int index, const char *alias);
/* Brings the link up, by index or (index 0) by name. */
int husk_nl_link_up(struct husk_nl *nl, int index, const char *name);
/* Deletes the link named name; a missing one is not an error. */
int husk_nl_link_del(struct husk_nl *nl, const char *name);
/* address/prefix on the link; replace: no error when it is already there. */
int husk_nl_addr_add(struct husk_nl *nl, int index, uint32_t address, uint8_t prefix, bool replace);
int husk_nl_route_add_default(struct husk_nl *nl, int index, uint32_t gateway);

/* The first IPv4 route of the main table (other than a default route)
 * whose destination overlaps network/prefix: 1 with *ret_* set, 0 when
 * none does. */
int husk_nl_route_overlap(struct husk_nl *nl, uint32_t network, uint8_t prefix, uint32_t *ret_dst,
                          uint8_t *ret_len, int *ret_oif);
