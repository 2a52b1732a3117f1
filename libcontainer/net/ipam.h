/* The address allocator: one file per bridge under the state root,
 *
 *   <root>/.net/<bridge>.addresses   "subnet 10.99.0.0/16", then one
 *                                     "<address> <container id>" line each
 *
 * guarded by an flock on <root>/.net, which every network change of that
 * state root holds (net.c).  The lowest free address goes first; whether
 * an entry is stale is net.c's call (its container's state directory). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "husk/error.h"
#include "net/config.h"

#define HUSK_IPAM_DIR    ".net" /* no container id starts with a dot */
#define HUSK_IPAM_SUFFIX ".addresses"

struct husk_ipam_entry {
	uint32_t address;
	char *id;
};

struct husk_ipam {
	struct husk_net_subnet subnet;
	struct husk_ipam_entry *entries; /* sorted by address */
	size_t n;
};

/* Text <-> struct; name prefixes parse errors ("husk0.addresses:3: ..."). */
int husk_ipam_parse(const char *text, const char *name, struct husk_ipam *ret,
                    struct husk_error **err);
char *husk_ipam_format(const struct husk_ipam *ipam);

/* Records id at `want` (0: the lowest free address).  Errors: the subnet is
 * full, or want belongs to another container. */
int husk_ipam_allocate(struct husk_ipam *ipam, const char *id, uint32_t want, uint32_t *ret,
                       struct husk_error **err);
void husk_ipam_drop(struct husk_ipam *ipam, size_t index);
void husk_ipam_free(struct husk_ipam *ipam);

/* Opens <root>/net and takes its lock (waiting for it).  Without create, a
 * missing directory gives *ret_fd = -1 and success. */
int husk_ipam_lock(const char *root, bool create, int *ret_fd, struct husk_error **err);
/* Releases the lock, removing <root>/.net first when it is empty. */
void husk_ipam_unlock(const char *root, int dir_fd);
/* Reads <bridge>.addresses; *ret_found false (and an empty *ret) when it is
 * absent. */
int husk_ipam_load(int dir_fd, const char *bridge, struct husk_ipam *ret, bool *ret_found,
                   struct husk_error **err);
/* Replaces the file atomically; with no entry left, removes it. */
int husk_ipam_store(int dir_fd, const char *bridge, const struct husk_ipam *ipam,
                    struct husk_error **err);
/* The bridges that have a file, malloc'd names. */
int husk_ipam_bridges(int dir_fd, char ***ret, size_t *ret_n, struct husk_error **err);
