/* The bridge's nftables rules, in a table of their own per bridge so they
 * never touch the host's other rules:
 *
 *   table ip husk-<bridge>
 *     chain prerouting  (nat, dstnat)  per published port: to a local
 *     chain output      (nat, dstnat)  address, dnat to the container
 *     chain postrouting (nat, srcnat)  masquerade the subnet leaving by another
 *                                      interface; hairpin and host-loopback
 *                                      connections to a published port
 *
 * A container's rules carry the comment "husk <address> <id>", by which
 * they are found again and deleted.  Messages are nfnetlink batches built
 * here and sent through libmnl (docs/design.md says why not libnftnl).
 * Functions return -1 with errno set, like system calls. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "net/config.h"
#include "net/netlink.h"

#define HUSK_NAT_TABLE_PREFIX "husk-"

/* Creates the table with its chains and the bridge-wide rules, replacing
 * one left behind by a crash. */
int husk_nat_table_create(struct husk_nl *nl, const char *bridge,
                          const struct husk_net_subnet *subnet);
/* 1 when the table exists, 0 when not. */
int husk_nat_table_exists(struct husk_nl *nl, const char *bridge);
/* Deletes the table and every rule in it; a missing table is fine. */
int husk_nat_table_delete(struct husk_nl *nl, const char *bridge);
/* Adds the container's published ports, all or none. */
int husk_nat_ports_add(struct husk_nl *nl, const char *bridge, uint32_t address, const char *id,
                       const struct husk_net_port *ports, size_t n);
/* Deletes every rule tagged with address; *ret_n (may be NULL) says how
 * many there were. */
int husk_nat_ports_delete(struct husk_nl *nl, const char *bridge, uint32_t address, size_t *ret_n);

/* The rule comment for a container, into buf (at least 128 bytes). */
void husk_nat_comment(uint32_t address, const char *id, char *buf, size_t size);
