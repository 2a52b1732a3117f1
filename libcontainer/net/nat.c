/* nftables through raw nfnetlink batches: the table, chains and rules of
 * nat.h, encoded expression by expression with libmnl.  Each rule below
 * is written next to the nft(8) line it is equivalent to, which is also how
 * `nft list ruleset` prints it back. */
#include "net/nat.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/cleanup.h"
#include "util/xalloc.h"

#define MSG_ROOM    1024 /* a rule message here is about 600 bytes */
#define OIFNAME_LEN 16   /* meta oifname loads IFNAMSIZ bytes, NUL-padded */
#define PRIO_DSTNAT (-100)
#define PRIO_SRCNAT 100
/* nft's rule comments are userdata TLVs of type 0 holding a NUL-ended string */
#define UDATA_RULE_COMMENT 0

struct batch {
	char *buf;
	struct mnl_nlmsg_batch *b;
	uint32_t seq;
	char table[64];
};

static void batch_control(struct batch *bt, uint16_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(bt->b));
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = bt->seq++;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(NFNL_SUBSYS_NFTABLES);
	if (!mnl_nlmsg_batch_next(bt->b))
		abort(); /* sized for its messages: a bug */
}

static void batch_start(struct batch *bt, const char *bridge, size_t n_msgs)
{
	size_t limit = (n_msgs + 2) * MSG_ROOM;
	/* libmnl wants twice the limit: a message may overrun before it is
	 * found too big */
	bt->buf = xmalloc(limit * 2);
	bt->b = mnl_nlmsg_batch_start(bt->buf, limit);
	bt->seq = 1;
	snprintf(bt->table, sizeof(bt->table), "%s%s", HUSK_NAT_TABLE_PREFIX, bridge);
	batch_control(bt, NFNL_MSG_BATCH_BEGIN);
}

static struct nlmsghdr *batch_msg(struct batch *bt, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(bt->b));
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = bt->seq++;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = NFPROTO_IPV4;
	g->version = NFNETLINK_V0;
	return nlh;
}

static void batch_msg_done(struct batch *bt)
{
	if (!mnl_nlmsg_batch_next(bt->b))
		abort();
}

static int batch_send(struct husk_nl *nl, struct batch *bt)
{
	batch_control(bt, NFNL_MSG_BATCH_END);
	int r = husk_nl_batch(nl, mnl_nlmsg_batch_head(bt->b), mnl_nlmsg_batch_size(bt->b));
	int saved = errno;
	mnl_nlmsg_batch_stop(bt->b);
	free(bt->buf);
	errno = saved;
	return r;
}

/* ---- expressions ---- */

struct expr {
	struct nlattr *elem, *data;
};

static struct expr expr_start(struct nlmsghdr *nlh, const char *name)
{
	struct expr e;
	e.elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, name);
	e.data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	return e;
}

static void expr_end(struct nlmsghdr *nlh, struct expr e)
{
	mnl_attr_nest_end(nlh, e.data);
	mnl_attr_nest_end(nlh, e.elem);
}

static void put_be32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	mnl_attr_put_u32(nlh, type, htonl(v));
}

static void put_data(struct nlmsghdr *nlh, uint16_t type, const void *v, size_t len)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, len, v);
	mnl_attr_nest_end(nlh, nest);
}

/* Every expression loads into, or compares, register 1 (16 bytes). */
static void e_payload(struct nlmsghdr *nlh, uint32_t base, uint32_t offset, uint32_t len)
{
	struct expr e = expr_start(nlh, "payload");
	put_be32(nlh, NFTA_PAYLOAD_DREG, NFT_REG_1);
	put_be32(nlh, NFTA_PAYLOAD_BASE, base);
	put_be32(nlh, NFTA_PAYLOAD_OFFSET, offset);
	put_be32(nlh, NFTA_PAYLOAD_LEN, len);
	expr_end(nlh, e);
}

static void e_meta(struct nlmsghdr *nlh, uint32_t key)
{
	struct expr e = expr_start(nlh, "meta");
	put_be32(nlh, NFTA_META_DREG, NFT_REG_1);
	put_be32(nlh, NFTA_META_KEY, key);
	expr_end(nlh, e);
}

static void e_cmp(struct nlmsghdr *nlh, uint32_t op, const void *v, size_t len)
{
	struct expr e = expr_start(nlh, "cmp");
	put_be32(nlh, NFTA_CMP_SREG, NFT_REG_1);
	put_be32(nlh, NFTA_CMP_OP, op);
	put_data(nlh, NFTA_CMP_DATA, v, len);
	expr_end(nlh, e);
}

static void e_bitwise(struct nlmsghdr *nlh, const void *mask, size_t len)
{
	static const char zero[16];
	struct expr e = expr_start(nlh, "bitwise");
	put_be32(nlh, NFTA_BITWISE_SREG, NFT_REG_1);
	put_be32(nlh, NFTA_BITWISE_DREG, NFT_REG_1);
	put_be32(nlh, NFTA_BITWISE_LEN, (uint32_t)len);
	put_data(nlh, NFTA_BITWISE_MASK, mask, len);
	put_data(nlh, NFTA_BITWISE_XOR, zero, len);
	expr_end(nlh, e);
}

static void e_immediate(struct nlmsghdr *nlh, uint32_t reg, const void *v, size_t len)
{
	struct expr e = expr_start(nlh, "immediate");
	put_be32(nlh, NFTA_IMMEDIATE_DREG, reg);
	put_data(nlh, NFTA_IMMEDIATE_DATA, v, len);
	expr_end(nlh, e);
}

static void e_masq(struct nlmsghdr *nlh)
{
	struct expr e = expr_start(nlh, "masq");
	expr_end(nlh, e);
}

/* ---- matches ---- */

/* ip saddr NETWORK/PREFIX */
static void match_saddr(struct nlmsghdr *nlh, uint32_t network, uint8_t prefix)
{
	uint32_t mask = htonl(husk_net_mask(prefix)), net = htonl(network);
	e_payload(nlh, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	e_bitwise(nlh, &mask, 4);
	e_cmp(nlh, NFT_CMP_EQ, &net, 4);
}

/* oifname [!=] NAME */
static void match_oifname(struct nlmsghdr *nlh, uint32_t op, const char *name)
{
	char padded[OIFNAME_LEN] = {0};
	strncpy(padded, name, sizeof(padded) - 1);
	e_meta(nlh, NFT_META_OIFNAME);
	e_cmp(nlh, op, padded, sizeof(padded));
}

/* ct status dnat */
static void match_ct_dnat(struct nlmsghdr *nlh)
{
	uint32_t bit = IPS_DST_NAT, zero = 0;
	struct expr e = expr_start(nlh, "ct");
	put_be32(nlh, NFTA_CT_DREG, NFT_REG_1);
	put_be32(nlh, NFTA_CT_KEY, NFT_CT_STATUS);
	expr_end(nlh, e);
	e_bitwise(nlh, &bit, 4);
	e_cmp(nlh, NFT_CMP_NEQ, &zero, 4);
}

/* fib daddr type local: the packet is addressed to this host */
static void match_local_daddr(struct nlmsghdr *nlh)
{
	uint32_t local = RTN_LOCAL;
	struct expr e = expr_start(nlh, "fib");
	put_be32(nlh, NFTA_FIB_DREG, NFT_REG_1);
	put_be32(nlh, NFTA_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	put_be32(nlh, NFTA_FIB_FLAGS, NFTA_FIB_F_DADDR);
	expr_end(nlh, e);
	e_cmp(nlh, NFT_CMP_EQ, &local, 4);
}

/* meta l4proto PROTO th dport PORT */
static void match_dport(struct nlmsghdr *nlh, uint8_t proto, uint16_t port)
{
	uint16_t be = htons(port);
	e_meta(nlh, NFT_META_L4PROTO);
	e_cmp(nlh, NFT_CMP_EQ, &proto, 1);
	e_payload(nlh, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
	e_cmp(nlh, NFT_CMP_EQ, &be, 2);
}

/* dnat to ADDRESS:PORT */
static void stmt_dnat(struct nlmsghdr *nlh, uint32_t address, uint16_t port)
{
	uint32_t addr = htonl(address);
	uint16_t be = htons(port);
	e_immediate(nlh, NFT_REG_1, &addr, 4);
	e_immediate(nlh, NFT_REG_2, &be, 2);
	struct expr e = expr_start(nlh, "nat");
	put_be32(nlh, NFTA_NAT_TYPE, NFT_NAT_DNAT);
	put_be32(nlh, NFTA_NAT_FAMILY, NFPROTO_IPV4);
	put_be32(nlh, NFTA_NAT_REG_ADDR_MIN, NFT_REG_1);
	put_be32(nlh, NFTA_NAT_REG_PROTO_MIN, NFT_REG_2);
	expr_end(nlh, e);
}

/* ---- messages ---- */

static void put_table(struct batch *bt, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = batch_msg(bt, type, flags);
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, bt->table);
	batch_msg_done(bt);
}

static void put_chain(struct batch *bt, const char *name, uint32_t hook, int32_t prio)
{
	struct nlmsghdr *nlh = batch_msg(bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, bt->table);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, name);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE, "nat");
	struct nlattr *hk = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
	put_be32(nlh, NFTA_HOOK_HOOKNUM, hook);
	put_be32(nlh, NFTA_HOOK_PRIORITY, (uint32_t)prio);
	mnl_attr_nest_end(nlh, hk);
	batch_msg_done(bt);
}

/* A NEWRULE message whose expression list is open: add matches, then
 * rule_end(). */
static struct nlattr *rule_start(struct batch *bt, struct nlmsghdr **ret_nlh, const char *chain,
                                 const char *comment)
{
	struct nlmsghdr *nlh = batch_msg(bt, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, bt->table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chain);
	if (comment) {
		uint8_t udata[2 + 128];
		size_t len = strlen(comment) + 1;
		udata[0] = UDATA_RULE_COMMENT;
		udata[1] = (uint8_t)len;
		memcpy(udata + 2, comment, len);
		mnl_attr_put(nlh, NFTA_RULE_USERDATA, len + 2, udata);
	}
	*ret_nlh = nlh;
	return mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
}

static void rule_end(struct batch *bt, struct nlmsghdr *nlh, struct nlattr *exprs)
{
	mnl_attr_nest_end(nlh, exprs);
	batch_msg_done(bt);
}

int husk_nat_table_create(struct husk_nl *nl, const char *bridge,
                          const struct husk_net_subnet *subnet)
{
	if (husk_nat_table_delete(nl, bridge) < 0)
		return -1;
	struct batch bt;
	struct nlmsghdr *nlh;
	struct nlattr *x;
	batch_start(&bt, bridge, 7);
	put_table(&bt, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL);
	put_chain(&bt, "prerouting", NF_INET_PRE_ROUTING, PRIO_DSTNAT);
	put_chain(&bt, "output", NF_INET_LOCAL_OUT, PRIO_DSTNAT);
	put_chain(&bt, "postrouting", NF_INET_POST_ROUTING, PRIO_SRCNAT);
	/* ip saddr SUBNET oifname != BRIDGE masquerade: containers going out */
	x = rule_start(&bt, &nlh, "postrouting", NULL);
	match_saddr(nlh, subnet->network, subnet->prefix);
	match_oifname(nlh, NFT_CMP_NEQ, bridge);
	e_masq(nlh);
	rule_end(&bt, nlh, x);
	/* oifname BRIDGE ip saddr SUBNET ct status dnat masquerade: a container
	 * reaching another through a published port must see the answer come
	 * back from the host, not straight from the other container */
	x = rule_start(&bt, &nlh, "postrouting", NULL);
	match_oifname(nlh, NFT_CMP_EQ, bridge);
	match_saddr(nlh, subnet->network, subnet->prefix);
	match_ct_dnat(nlh);
	e_masq(nlh);
	rule_end(&bt, nlh, x);
	/* oifname BRIDGE ip saddr 127.0.0.0/8 masquerade: the host reaching a
	 * published port on 127.0.0.1 (route_localnet lets it leave) */
	x = rule_start(&bt, &nlh, "postrouting", NULL);
	match_oifname(nlh, NFT_CMP_EQ, bridge);
	match_saddr(nlh, 0x7f000000, 8);
	e_masq(nlh);
	rule_end(&bt, nlh, x);
	return batch_send(nl, &bt);
}

int husk_nat_table_exists(struct husk_nl *nl, const char *bridge)
{
	char buf[MSG_ROOM], table[64];
	snprintf(table, sizeof(table), "%s%s", HUSK_NAT_TABLE_PREFIX, bridge);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = NFPROTO_IPV4;
	g->version = NFNETLINK_V0;
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
	if (husk_nl_request(nl, nlh, NULL, NULL) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

int husk_nat_table_delete(struct husk_nl *nl, const char *bridge)
{
	struct batch bt;
	batch_start(&bt, bridge, 1);
	put_table(&bt, NFT_MSG_DELTABLE, 0);
	if (batch_send(nl, &bt) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

void husk_nat_comment(uint32_t address, const char *id, char *buf, size_t size)
{
	char a[16];
	/* the kernel keeps at most 128 bytes of comment: long ids are cut,
	 * the address before them is what identifies the rules */
	snprintf(buf, size < 128 ? size : 128, "husk %s %s", husk_net_format_ipv4(address, a), id);
}

int husk_nat_ports_add(struct husk_nl *nl, const char *bridge, uint32_t address, const char *id,
                       const struct husk_net_port *ports, size_t n)
{
	static const char *const chains[] = {"prerouting", "output"};
	char comment[128];
	if (n == 0)
		return 0;
	husk_nat_comment(address, id, comment, sizeof(comment));
	struct batch bt;
	batch_start(&bt, bridge, 2 * n);
	for (size_t i = 0; i < n; i++) {
		for (size_t c = 0; c < HUSK_ARRAY_SIZE(chains); c++) {
			/* fib daddr type local PROTO dport HOST dnat to ADDR:PORT */
			struct nlmsghdr *nlh;
			struct nlattr *x = rule_start(&bt, &nlh, chains[c], comment);
			match_local_daddr(nlh);
			match_dport(nlh, ports[i].proto, ports[i].host_port);
			stmt_dnat(nlh, address, ports[i].container_port);
			rule_end(&bt, nlh, x);
		}
	}
	return batch_send(nl, &bt);
}

/* ---- finding a container's rules ---- */

struct tagged_rule {
	char chain[64];
	uint64_t handle;
};

struct rule_scan {
	char prefix[32]; /* "husk <address> " */
	struct tagged_rule *rules;
	size_t n;
};

struct rule_attrs {
	const char *chain;
	uint64_t handle;
	const uint8_t *udata;
	size_t udata_len;
};

static int rule_attr_cb(const struct nlattr *attr, void *data)
{
	struct rule_attrs *ra = data;
	switch (mnl_attr_get_type(attr)) {
	case NFTA_RULE_CHAIN:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			ra->chain = mnl_attr_get_str(attr);
		break;
	case NFTA_RULE_HANDLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) == 0)
			ra->handle = be64toh(mnl_attr_get_u64(attr));
		break;
	case NFTA_RULE_USERDATA:
		ra->udata = mnl_attr_get_payload(attr);
		ra->udata_len = mnl_attr_get_payload_len(attr);
		break;
	}
	return MNL_CB_OK;
}

/* The comment in a rule's userdata TLVs, or NULL. */
static const char *udata_comment(const uint8_t *p, size_t len)
{
	while (len >= 2 && (size_t)p[1] + 2 <= len) {
		if (p[0] == UDATA_RULE_COMMENT && p[1] > 0 && p[2 + p[1] - 1] == '\0')
			return (const char *)p + 2;
		len -= (size_t)p[1] + 2;
		p += p[1] + 2;
	}
	return NULL;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_scan *s = data;
	struct rule_attrs ra = {0};
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), rule_attr_cb, &ra);
	const char *comment = ra.udata ? udata_comment(ra.udata, ra.udata_len) : NULL;
	if (!ra.chain || !comment || strncmp(comment, s->prefix, strlen(s->prefix)) != 0)
		return MNL_CB_OK;
	s->rules = xreallocarray(s->rules, s->n + 1, sizeof(*s->rules));
	snprintf(s->rules[s->n].chain, sizeof(s->rules[s->n].chain), "%s", ra.chain);
	s->rules[s->n].handle = ra.handle;
	s->n++;
	return MNL_CB_OK;
}

static int find_rules(struct husk_nl *nl, const char *table, struct rule_scan *s)
{
	char buf[MSG_ROOM];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = NFPROTO_IPV4;
	g->version = NFNETLINK_V0;
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
	if (husk_nl_request(nl, nlh, rule_cb, s) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int husk_nat_ports_delete(struct husk_nl *nl, const char *bridge, uint32_t address, size_t *ret_n)
{
	char a[16], table[64];
	struct rule_scan s = {0};
	snprintf(s.prefix, sizeof(s.prefix), "husk %s ", husk_net_format_ipv4(address, a));
	snprintf(table, sizeof(table), "%s%s", HUSK_NAT_TABLE_PREFIX, bridge);
	if (ret_n)
		*ret_n = 0;
	if (find_rules(nl, table, &s) < 0) {
		free(s.rules);
		return -1;
	}
	if (s.n == 0)
		return 0;
	struct batch bt;
	batch_start(&bt, bridge, s.n);
	for (size_t i = 0; i < s.n; i++) {
		struct nlmsghdr *nlh = batch_msg(&bt, NFT_MSG_DELRULE, 0);
		mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
		mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, s.rules[i].chain);
		mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(s.rules[i].handle));
		batch_msg_done(&bt);
	}
	if (ret_n)
		*ret_n = s.n;
	free(s.rules);
	int r = batch_send(nl, &bt);
	/* a rule deleted meanwhile is as good as deleted here */
	return r < 0 && errno != ENOENT ? -1 : 0;
}
