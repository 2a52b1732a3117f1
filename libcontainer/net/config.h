/* What a container asks of the bridge network: the husk.net.* annotations
 * and the host's defaults in HUSK_NET_CONF_PATH, parsed and checked without
 * touching the host (docs/network.md lists every key). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/error.h"
#include "husk/spec.h"

#define HUSK_ANNOTATION_NET         "husk.net"
#define HUSK_ANNOTATION_NET_BRIDGE  "husk.net.bridge"
#define HUSK_ANNOTATION_NET_SUBNET  "husk.net.subnet"
#define HUSK_ANNOTATION_NET_PORTS   "husk.net.ports"
#define HUSK_ANNOTATION_NET_ADDRESS "husk.net.address"

#define HUSK_NET_CONF_PATH      "/etc/husk/net.conf"
#define HUSK_NET_DEFAULT_BRIDGE "husk0"
#define HUSK_NET_DEFAULT_SUBNET "10.99.0.0/16"
#define HUSK_NET_MAX_PORTS      128
#define HUSK_NET_IFNAMSIZ       16

/* IPv4 addresses are kept in host byte order throughout net/. */
struct husk_net_subnet {
	uint32_t network;
	uint8_t prefix; /* 8..30 */
};

struct husk_net_port {
	uint16_t host_port;
	uint16_t container_port;
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
};

struct husk_net_config {
	bool bridge_mode; /* husk.net is "bridge" */
	char bridge[HUSK_NET_IFNAMSIZ];
	struct husk_net_subnet subnet;
	uint32_t address; /* husk.net.address, 0: the lowest free one */
	struct husk_net_port *ports;
	size_t n_ports;
};

/* Reads the annotations over the defaults of conf_path (a missing file is
 * fine; it is only read when husk.net is "bridge").  Errors name the key:
 *   config.json: annotations["husk.net.ports"]: bad port "70000" in "8080:70000"
 *   /etc/husk/net.conf:2: subnet: ...
 * Release with husk_net_config_done(). */
int husk_net_config_read(const struct husk_spec *spec, const char *conf_path,
                         struct husk_net_config *ret, struct husk_error **err);
void husk_net_config_done(struct husk_net_config *cfg);

/* True when the container gets husk's network: husk.net is "bridge" and the
 * config asks for a new network namespace (not one joined by path). */
bool husk_net_wanted(const struct husk_spec *spec);
/* husk.net is "bridge" but the network namespace is the host's or joined by
 * path: the annotation has no effect. */
bool husk_net_ignored(const struct husk_spec *spec);

/* The parsers behind it; each returns 0, or -1 with *why set to a static
 * description of the problem. */
int husk_net_parse_ipv4(const char *s, uint32_t *ret);
int husk_net_parse_subnet(const char *s, struct husk_net_subnet *ret, const char **why);
int husk_net_parse_bridge(const char *s, const char **why);
/* "8080:80, 53:53/udp": problems are reported through err unprefixed:
 *   bad port "70000" in "8080:70000" */
int husk_net_parse_ports(const char *s, struct husk_net_port **ret, size_t *ret_n,
                         struct husk_error **err);
/* An address the allocator may hand out: inside the subnet, neither the
 * network, the gateway (first host) nor the broadcast address. */
bool husk_net_address_usable(const struct husk_net_subnet *subnet, uint32_t address);

static inline uint32_t husk_net_mask(uint8_t prefix)
{
	return prefix ? ~(uint32_t)0 << (32 - prefix) : 0;
}
static inline uint32_t husk_net_gateway(const struct husk_net_subnet *s)
{
	return s->network + 1;
}
static inline uint32_t husk_net_broadcast(const struct husk_net_subnet *s)
{
	return s->network | ~husk_net_mask(s->prefix);
}

/* Dotted quad into buf (at least 16 bytes); returns buf. */
char *husk_net_format_ipv4(uint32_t address, char *buf);
