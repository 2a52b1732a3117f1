/* Netlink sockets and the rtnetlink requests of the bridge network, over
 * libmnl.  No policy here: which link to create, and what a failure means,
 * is bridge.c's and veth.c's business; nftables messages are built in
 * nat.c and only sent from here. */
#include "net/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define RECV_SIZE 32768 /* a dump's multipart messages come in chunks this big */
#define SEND_SIZE 4096  /* every rtnetlink request here is far smaller */

struct open_args {
	int bus;
	int netns_fd;
	struct mnl_socket *sock;
	int errnum;
};

/* setns() on a network namespace moves only the calling thread, and a
 * socket stays in the namespace it was created in: so a thread of its own
 * creates it there, and husk's own thread never changes namespace. */
static void *open_in_netns(void *p)
{
	struct open_args *a = p;
	if (setns(a->netns_fd, CLONE_NEWNET) < 0) {
		a->errnum = errno;
		return NULL;
	}
	a->sock = mnl_socket_open2(a->bus, SOCK_CLOEXEC);
	if (!a->sock)
		a->errnum = errno;
	return NULL;
}

int husk_nl_open(struct husk_nl *nl, int bus, int netns_fd)
{
	struct open_args a = {.bus = bus, .netns_fd = netns_fd};
	memset(nl, 0, sizeof(*nl));
	if (netns_fd < 0) {
		a.sock = mnl_socket_open2(bus, SOCK_CLOEXEC);
		a.errnum = errno;
	} else {
		pthread_t t;
		int r = pthread_create(&t, NULL, open_in_netns, &a);
		if (r != 0) {
			errno = r;
			return -1;
		}
		pthread_join(t, NULL);
	}
	if (!a.sock) {
		errno = a.errnum;
		return -1;
	}
	if (mnl_socket_bind(a.sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int saved = errno;
		mnl_socket_close(a.sock);
		errno = saved;
		return -1;
	}
	nl->sock = a.sock;
	nl->portid = mnl_socket_get_portid(a.sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

void husk_nl_close(struct husk_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

int husk_nl_request(struct husk_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[RECV_SIZE];
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		int r = mnl_cb_run(buf, (size_t)n, nl->seq, nl->portid, cb, data);
		if (r <= MNL_CB_STOP)
			return r < 0 ? -1 : 0;
	}
}

int husk_nl_batch(struct husk_nl *nl, const void *buf, size_t len)
{
	char reply[RECV_SIZE];
	if (mnl_socket_sendto(nl->sock, buf, len) < 0)
		return -1;
	/* The kernel runs a batch inside sendmsg(), so every answer is queued
	 * by now: drain them without waiting.  Only failures are answered
	 * (the messages carry no NLM_F_ACK). */
	int first = 0;
	int fd = mnl_socket_get_fd(nl->sock);
	for (;;) {
		ssize_t n = recv(fd, reply, sizeof(reply), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return -1;
		int left = (int)n;
		for (const struct nlmsghdr *h = (const void *)reply; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left)) {
			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error && !first)
				first = -e->error;
		}
	}
	if (first) {
		errno = first;
		return -1;
	}
	return 0;
}

/* ---- rtnetlink ---- */

static struct nlmsghdr *put_link_msg(char *buf, uint16_t type, uint16_t flags, int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	return nlh;
}

static int link_info_cb(const struct nlattr *attr, void *data)
{
	struct husk_nl_link *l = data;
	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		l->is_bridge = strcmp(mnl_attr_get_str(attr), "bridge") == 0;
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct husk_nl_link *l = data;
	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFALIAS:
		if (mnl_attr_validate(attr, MNL_TYPE_STRING) == 0) {
			size_t n = mnl_attr_get_payload_len(attr);
			n = n < sizeof(l->alias) ? n : sizeof(l->alias) - 1;
			memcpy(l->alias, mnl_attr_get_payload(attr), n);
			l->alias[n] = '\0';
		}
		break;
	case IFLA_LINKINFO:
		mnl_attr_parse_nested(attr, link_info_cb, l);
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct husk_nl_link *l = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	l->index = ifm->ifi_index;
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, l);
	return MNL_CB_OK;
}

int husk_nl_link_get(struct husk_nl *nl, const char *name, struct husk_nl_link *ret)
{
	char buf[SEND_SIZE];
	struct nlmsghdr *nlh = put_link_msg(buf, RTM_GETLINK, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	memset(ret, 0, sizeof(*ret));
	if (husk_nl_request(nl, nlh, link_cb, ret) < 0)
		return -1;
	if (ret->index <= 0) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

int husk_nl_bridge_add(struct husk_nl *nl, const char *name, const uint8_t mac[6])
{
	char buf[SEND_SIZE];
	struct nlmsghdr *nlh = put_link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	return husk_nl_request(nl, nlh, NULL, NULL);
}

int husk_nl_veth_add(struct husk_nl *nl, const char *name, int master_index, const char *peer_name,
                     int peer_netns_fd)
{
	char buf[SEND_SIZE];
	struct nlmsghdr *nlh = put_link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master_index);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* the peer is described by an ifinfomsg followed by its own
	 * attributes, inside VETH_INFO_PEER */
	struct nlattr *peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	struct ifinfomsg *pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return husk_nl_request(nl, nlh, NULL, NULL);
}

int husk_nl_link_set_alias(struct husk_nl *nl, int index, const char *alias)
{
	char buf[SEND_SIZE];
	struct nlmsghdr *nlh = put_link_msg(buf, RTM_NEWLINK, 0, index);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	return husk_nl_request(nl, nlh, NULL, NULL);
}

int husk_nl_link_up(struct husk_nl *nl, int index, const char *name)
{
	char buf[SEND_SIZE];
	struct nlmsghdr *nlh = put_link_msg(buf, RTM_NEWLINK, 0, index);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = ifm->ifi_change = IFF_UP;
	if (!index)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return husk_nl_request(nl, nlh, NULL, NULL);
}

int husk_nl_link_del(struct husk_nl *nl, const char *name)
{
	char buf[SEND_SIZE];
	struct nlmsghdr *nlh = put_link_msg(buf, RTM_DELLINK, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (husk_nl_request(nl, nlh, NULL, NULL) < 0 && errno != ENODEV)
		return -1;
	return 0;
}

int husk_nl_addr_add(struct husk_nl *nl, int index, uint32_t address, uint8_t prefix, bool replace)
{
	char buf[SEND_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)index;
	uint32_t mask = prefix ? ~(uint32_t)0 << (32 - prefix) : 0;
	mnl_attr_put_u32(nlh, IFA_LOCAL, htonl(address));
	mnl_attr_put_u32(nlh, IFA_ADDRESS, htonl(address));
	mnl_attr_put_u32(nlh, IFA_BROADCAST, htonl(address | ~mask));
	return husk_nl_request(nl, nlh, NULL, NULL);
}

static struct nlmsghdr *put_route_msg(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	return nlh;
}

int husk_nl_route_add_default(struct husk_nl *nl, int index, uint32_t gateway)
{
	char buf[SEND_SIZE];
	struct nlmsghdr *nlh = put_route_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(gateway));
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	return husk_nl_request(nl, nlh, NULL, NULL);
}

struct overlap {
	uint32_t network;
	uint8_t prefix;
	bool found;
	uint32_t dst;
	uint8_t len;
	int oif;
};

struct route_attrs {
	uint32_t table;
	uint32_t dst;
	int oif;
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_attrs *ra = data;
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	switch (mnl_attr_get_type(attr)) {
	case RTA_TABLE:
		ra->table = mnl_attr_get_u32(attr);
		break;
	case RTA_DST:
		ra->dst = ntohl(mnl_attr_get_u32(attr));
		break;
	case RTA_OIF:
		ra->oif = (int)mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct overlap *o = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_attrs ra = {.table = rtm->rtm_table};
	if (o->found || rtm->rtm_family != AF_INET || rtm->rtm_dst_len == 0 ||
	    rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, &ra);
	if (ra.table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	uint8_t shorter = rtm->rtm_dst_len < o->prefix ? rtm->rtm_dst_len : o->prefix;
	uint32_t mask = ~(uint32_t)0 << (32 - shorter);
	if (((ra.dst ^ o->network) & mask) == 0) {
		o->found = true;
		o->dst = ra.dst;
		o->len = rtm->rtm_dst_len;
		o->oif = ra.oif;
	}
	return MNL_CB_OK;
}

int husk_nl_route_overlap(struct husk_nl *nl, uint32_t network, uint8_t prefix, uint32_t *ret_dst,
                          uint8_t *ret_len, int *ret_oif)
{
	char buf[SEND_SIZE];
	struct nlmsghdr *nlh = put_route_msg(buf, RTM_GETROUTE, NLM_F_DUMP);
	struct overlap o = {.network = network, .prefix = prefix};
	if (husk_nl_request(nl, nlh, route_cb, &o) < 0)
		return -1;
	if (!o.found)
		return 0;
	*ret_dst = o.dst;
	*ret_len = o.len;
	*ret_oif = o.oif;
	return 1;
}
