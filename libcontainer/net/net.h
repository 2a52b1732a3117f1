/* Bridge networking for bundles run by hand (docs/network.md): with the
 * annotation husk.net=bridge and a new network namespace, a container gets
 * a veth on a host bridge, an address from the state root's allocator, a
 * default route, masquerading, published ports, and /etc/hosts,
 * /etc/hostname and /etc/resolv.conf.  Containers without it, or joining
 * a network namespace by path, are left alone.
 *
 * The lifecycle (container.c) calls, in order:
 *   husk_net_check()        at bundle load: refuse bad values before any
 *                           side effect
 *   husk_net_prepare()      after the state directory exists, before the
 *                           clone: address, bridge, nftables, files, mounts
 *   husk_net_mount_trees()  with the rootfs options, before the clone
 *   husk_net_attach()       from spawn's attach step: veth into the init's
 *                           network namespace
 *   husk_net_release()      on every failed create and on delete
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "husk/context.h"
#include "husk/error.h"
#include "husk/spec.h"

int husk_net_check(const struct husk_spec *spec, struct husk_error **err);

struct husk_net;

/* *ret stays NULL when the container gets no network.  Otherwise the
 * address is allocated, bridge and rules are in place, the files are
 * written to <root>/<id>/net/ and mounted by spec (unless the bundle
 * mounts those paths), and the annotation husk.net.address records the
 * address in spec (so state.json and `husk state` show it).  On failure
 * nothing of it is left. */
int husk_net_prepare(const struct husk_context *ctx, const char *id, struct husk_spec *spec,
                     int state_dir_fd, struct husk_net **ret, struct husk_error **err);

/* Adds detached trees of the generated files to the rootfs options'
 * prepared-tree table (husk_rootfs_options.idmap_fds). */
int husk_net_mount_trees(const struct husk_net *net, size_t n_mounts, int **fds, size_t *n_fds,
                         struct husk_error **err);

/* Creates the container's link in the network namespace of pid. */
int husk_net_attach(const struct husk_net *net, pid_t pid, struct husk_error **err);

void husk_net_free(struct husk_net *net);

/* Removes everything of container id (veth, rules, address), and the
 * bridge with its table when no container of the state root uses it any
 * more.  Entries of containers whose state directory is gone are
 * reclaimed on the way.  Cheap, and a no-op, for a container without
 * network. */
int husk_net_release(const char *root, const char *id, struct husk_error **err);
