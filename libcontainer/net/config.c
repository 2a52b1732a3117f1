/* The husk.net.* annotations and /etc/husk/net.conf: parsing and checking
 * only, so `create` can refuse a bad value before it changes anything.
 * Applying the result is net.c's job. */
#include "net/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/cleanup.h"
#include "util/file.h"
#include "util/xalloc.h"

#define CONF_MAX_BYTES (64 * 1024)

static const char *annotation(const struct husk_spec *spec, const char *key)
{
	for (size_t i = 0; i < spec->n_annotations; i++)
		if (strcmp(spec->annotations[i].key, key) == 0)
			return spec->annotations[i].value;
	return NULL;
}

static bool bridge_requested(const struct husk_spec *spec)
{
	const char *v = annotation(spec, HUSK_ANNOTATION_NET);
	return v && strcmp(v, "bridge") == 0;
}

/* 1: a new network namespace, 0: joined by path, -1: the host's. */
static int new_netns(const struct husk_spec *spec)
{
	const struct husk_spec_linux *lx = spec->linux_;
	for (size_t i = 0; lx && i < lx->n_namespaces; i++)
		if (lx->namespaces[i].type == HUSK_NS_NETWORK)
			return lx->namespaces[i].path ? 0 : 1;
	return -1;
}

bool husk_net_wanted(const struct husk_spec *spec)
{
	return bridge_requested(spec) && new_netns(spec) == 1;
}

bool husk_net_ignored(const struct husk_spec *spec)
{
	return bridge_requested(spec) && new_netns(spec) != 1;
}

int husk_net_parse_ipv4(const char *s, uint32_t *ret)
{
	struct in_addr a;
	/* inet_pton takes only the four-part dotted decimal form, so "10.1"
	 * or "0x0a.0.0.1" are refused rather than read as inet_aton would */
	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*ret = ntohl(a.s_addr);
	return 0;
}

char *husk_net_format_ipv4(uint32_t address, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", address >> 24, (address >> 16) & 0xff,
	         (address >> 8) & 0xff, address & 0xff);
	return buf;
}

/* Ranges that can never be a container subnet: "this network", loopback,
 * link-local, multicast and the reserved block above it. */
static bool reserved(uint32_t network, uint8_t prefix)
{
	static const struct husk_net_subnet blocks[] = {
	    {0x00000000, 8}, {0x7f000000, 8}, {0xa9fe0000, 16}, {0xe0000000, 3}};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(blocks); i++) {
		uint8_t p = prefix < blocks[i].prefix ? prefix : blocks[i].prefix;
		if (((network ^ blocks[i].network) & husk_net_mask(p)) == 0)
			return true;
	}
	return false;
}

int husk_net_parse_subnet(const char *s, struct husk_net_subnet *ret, const char **why)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash - s > 15) {
		*why = "expected an IPv4 network such as \"10.99.0.0/16\"";
		return -1;
	}
	char addr[16];
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	uint32_t network;
	const char *p = slash + 1;
	if (husk_net_parse_ipv4(addr, &network) < 0 || !isdigit((unsigned char)p[0]) ||
	    (p[1] && (!isdigit((unsigned char)p[1]) || p[2]))) {
		*why = "expected an IPv4 network such as \"10.99.0.0/16\"";
		return -1;
	}
	unsigned prefix = (unsigned)atoi(p);
	/* a /31 or /32 leaves no address beside the gateway */
	if (prefix < 8 || prefix > 30) {
		*why = "prefix length must be between 8 and 30";
		return -1;
	}
	if (network & ~husk_net_mask((uint8_t)prefix)) {
		*why = "host bits are set";
		return -1;
	}
	if (reserved(network, (uint8_t)prefix)) {
		*why = "reserved range (this network, loopback, link-local or multicast)";
		return -1;
	}
	ret->network = network;
	ret->prefix = (uint8_t)prefix;
	return 0;
}

int husk_net_parse_bridge(const char *s, const char **why)
{
	size_t len = strlen(s);
	if (len == 0 || len >= HUSK_NET_IFNAMSIZ) {
		*why = "expected 1 to 15 characters";
		return -1;
	}
	if (!isalnum((unsigned char)s[0])) {
		*why = "must start with a letter or digit";
		return -1;
	}
	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-') {
			*why = "may hold only letters, digits, '_' and '-'";
			return -1;
		}
	return 0;
}

static int parse_port_number(const char *s, size_t len, uint16_t *ret)
{
	unsigned v = 0;
	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*ret = (uint16_t)v;
	return 0;
}

/* One "host:container[/tcp|udp]" item (trimmed, NUL-terminated). */
static int parse_port_item(const char *item, struct husk_net_port *ret, struct husk_error **err)
{
	const char *colon = strchr(item, ':');
	const char *slash = strchr(item, '/');
	const char *end = slash ? slash : item + strlen(item);
	if (!colon || colon > end)
		return husk_error_set(err, 0,
		                      "bad port mapping \"%s\": expected "
		                      "\"hostPort:containerPort[/tcp|udp]\"",
		                      item);
	if (parse_port_number(item, (size_t)(colon - item), &ret->host_port) < 0) {
		int n = (int)(colon - item);
		return husk_error_set(err, 0, "bad port \"%.*s\" in \"%s\"", n, item, item);
	}
	if (parse_port_number(colon + 1, (size_t)(end - colon - 1), &ret->container_port) < 0) {
		int n = (int)(end - colon - 1);
		return husk_error_set(err, 0, "bad port \"%.*s\" in \"%s\"", n, colon + 1, item);
	}
	ret->proto = IPPROTO_TCP;
	if (slash && strcmp(slash + 1, "udp") == 0)
		ret->proto = IPPROTO_UDP;
	else if (slash && strcmp(slash + 1, "tcp") != 0)
		return husk_error_set(err, 0, "bad protocol \"%s\" in \"%s\": expected tcp or udp",
		                      slash + 1, item);
	return 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int husk_net_parse_ports(const char *s, struct husk_net_port **ret, size_t *ret_n,
                         struct husk_error **err)
{
	_cleanup_free_ char *copy = xstrdup(s);
	_cleanup_free_ struct husk_net_port *ports = NULL;
	size_t n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *item = trim(tok);
		if (!*item)
			continue;
		if (n == HUSK_NET_MAX_PORTS)
			return husk_error_set(err, 0, "more than %d ports", HUSK_NET_MAX_PORTS);
		struct husk_net_port p;
		if (parse_port_item(item, &p, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (ports[i].host_port == p.host_port && ports[i].proto == p.proto)
				return husk_error_set(err, 0, "host port %u/%s given twice",
				                      p.host_port,
				                      p.proto == IPPROTO_UDP ? "udp" : "tcp");
		ports = xrealloc(ports, (n + 1) * sizeof(*ports));
		ports[n++] = p;
	}
	*ret = TAKE_PTR(ports);
	*ret_n = n;
	return 0;
}

bool husk_net_address_usable(const struct husk_net_subnet *subnet, uint32_t address)
{
	return (address & husk_net_mask(subnet->prefix)) == subnet->network &&
	       address != subnet->network && address != husk_net_gateway(subnet) &&
	       address != husk_net_broadcast(subnet);
}

/* "key = value" lines; '#' starts a comment. */
static int read_conf(const char *path, struct husk_net_config *cfg, struct husk_error **err)
{
	_cleanup_free_ char *text = NULL;
	struct husk_error *tmp = NULL;
	if (read_file_at(AT_FDCWD, path, CONF_MAX_BYTES, &text, NULL, &tmp) < 0) {
		bool absent = tmp->errnum == ENOENT;
		if (absent) {
			husk_error_release(&tmp);
			return 0;
		}
		husk_error_set(err, tmp->errnum, "%s", path);
		husk_error_release(&tmp);
		return -1;
	}
	unsigned line_no = 0;
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line_no++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *eq = strchr(line, '=');
		char *key = trim(line);
		if (!*key)
			continue;
		if (!eq)
			return husk_error_set(err, 0, "%s:%u: expected \"key = value\"", path,
			                      line_no);
		*eq = '\0';
		key = trim(key);
		char *value = trim(eq + 1);
		const char *why = NULL;
		if (strcmp(key, "bridge") == 0) {
			if (husk_net_parse_bridge(value, &why) == 0)
				snprintf(cfg->bridge, sizeof(cfg->bridge), "%s", value);
		} else if (strcmp(key, "subnet") == 0) {
			(void)husk_net_parse_subnet(value, &cfg->subnet, &why);
		} else {
			return husk_error_set(err, 0, "%s:%u: unknown key \"%s\"", path, line_no,
			                      key);
		}
		if (why)
			return husk_error_set(err, 0, "%s:%u: %s: bad value \"%s\": %s", path,
			                      line_no, key, value, why);
	}
	return 0;
}

#define BAD_ANNOTATION(err, key, value, why)                                                       \
	husk_error_set(err, 0, "config.json: annotations[\"%s\"]: bad value \"%s\": %s", key,      \
	               value, why)

static int read_annotations(const struct husk_spec *spec, struct husk_net_config *cfg,
                            struct husk_error **err)
{
	const char *why = NULL;
	const char *v = annotation(spec, HUSK_ANNOTATION_NET_BRIDGE);
	if (v && husk_net_parse_bridge(v, &why) < 0)
		return BAD_ANNOTATION(err, HUSK_ANNOTATION_NET_BRIDGE, v, why);
	if (v)
		snprintf(cfg->bridge, sizeof(cfg->bridge), "%s", v);
	v = annotation(spec, HUSK_ANNOTATION_NET_SUBNET);
	if (v && husk_net_parse_subnet(v, &cfg->subnet, &why) < 0)
		return BAD_ANNOTATION(err, HUSK_ANNOTATION_NET_SUBNET, v, why);
	v = annotation(spec, HUSK_ANNOTATION_NET_ADDRESS);
	if (v && husk_net_parse_ipv4(v, &cfg->address) < 0)
		return BAD_ANNOTATION(err, HUSK_ANNOTATION_NET_ADDRESS, v,
		                      "expected an IPv4 address such as \"10.99.0.5\"");
	v = annotation(spec, HUSK_ANNOTATION_NET_PORTS);
	if (v && husk_net_parse_ports(v, &cfg->ports, &cfg->n_ports, err) < 0)
		return husk_error_prefix(err, "config.json: annotations[\"%s\"]",
		                         HUSK_ANNOTATION_NET_PORTS);
	return 0;
}

int husk_net_config_read(const struct husk_spec *spec, const char *conf_path,
                         struct husk_net_config *ret, struct husk_error **err)
{
	struct husk_net_config cfg = {0};
	const char *why = NULL;
	snprintf(cfg.bridge, sizeof(cfg.bridge), "%s", HUSK_NET_DEFAULT_BRIDGE);
	(void)husk_net_parse_subnet(HUSK_NET_DEFAULT_SUBNET, &cfg.subnet, &why);
	const char *mode = annotation(spec, HUSK_ANNOTATION_NET);
	if (mode && strcmp(mode, "bridge") != 0 && strcmp(mode, "none") != 0)
		return BAD_ANNOTATION(err, HUSK_ANNOTATION_NET, mode,
		                      "expected \"bridge\" or \"none\"");
	cfg.bridge_mode = mode && strcmp(mode, "bridge") == 0;
	if (cfg.bridge_mode && conf_path && read_conf(conf_path, &cfg, err) < 0)
		return -1;
	if (read_annotations(spec, &cfg, err) < 0) {
		husk_net_config_done(&cfg);
		return -1;
	}
	if (cfg.bridge_mode && cfg.address && !husk_net_address_usable(&cfg.subnet, cfg.address)) {
		char a[16], n[16];
		husk_error_set(err, 0,
		               "config.json: annotations[\"%s\"]: bad value \"%s\": not a "
		               "container address of the subnet %s/%u",
		               HUSK_ANNOTATION_NET_ADDRESS, husk_net_format_ipv4(cfg.address, a),
		               husk_net_format_ipv4(cfg.subnet.network, n), cfg.subnet.prefix);
		husk_net_config_done(&cfg);
		return -1;
	}
	*ret = cfg;
	return 0;
}

void husk_net_config_done(struct husk_net_config *cfg)
{
	free(cfg->ports);
	cfg->ports = NULL;
	cfg->n_ports = 0;
}
