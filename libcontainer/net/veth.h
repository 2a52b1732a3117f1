/* A container's link: a veth pair whose host end ("hk" + the address in
 * hex, so it is found again from the allocator alone) sits on the bridge,
 * and whose other end is born in the container's network namespace as
 * eth0, with the address and a default route through the gateway. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "net/config.h"
#include "net/netlink.h"

#define HUSK_VETH_CONTAINER_NAME "eth0"

/* "hk0a630002" for 10.99.0.2, into buf (at least 16 bytes). */
void husk_veth_name(uint32_t address, char *buf);

/* Creates and configures the pair for the process pid's network
 * namespace: lo and eth0 up, address/prefix on eth0, default route via the
 * gateway.  On failure nothing of it is left. */
int husk_veth_attach(struct husk_nl *host, int bridge_index, const struct husk_net_subnet *subnet,
                     uint32_t address, pid_t pid, struct husk_error **err);

/* Deletes the pair if it still exists (it goes by itself with the
 * namespace, unless something else holds that). */
int husk_veth_delete(struct husk_nl *host, uint32_t address, struct husk_error **err);
