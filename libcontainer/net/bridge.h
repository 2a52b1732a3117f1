/* The host bridge containers of one state root share.  A bridge husk made
 * carries the alias "husk <state root>", so husk never adopts or deletes
 * a link it did not make, and two state roots never share one bridge (each
 * has its own allocator). */
#pragma once

#include <stdbool.h>

#include "husk/error.h"
#include "net/config.h"
#include "net/netlink.h"

/* The alias of the bridges of state root `root` (absolute), into buf. */
void husk_bridge_owner(const char *root, char *buf, size_t size);

/* Makes sure the bridge `name` exists, belongs to `owner`, holds the
 * subnet's gateway address and is up, and that the host forwards IPv4.
 * With fresh (no container uses it), a bridge of ours is made anew, so a
 * crash's leftovers do not linger.  Before creating one, the subnet must
 * not overlap a route the host has.  Sets *ret_index. */
int husk_bridge_ensure(struct husk_nl *nl, const char *name, const struct husk_net_subnet *subnet,
                       const char *owner, bool fresh, int *ret_index, struct husk_error **err);

/* Deletes the bridge if it is there and ours. */
int husk_bridge_remove(struct husk_nl *nl, const char *name, const char *owner,
                       struct husk_error **err);
