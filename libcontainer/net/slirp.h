/* User-mode networking for rootless containers (docs/design.md, "Rootless
 * networking"): with the bridge annotation husk.net=bridge and a new network
 * namespace, a rootless container gets slirp4netns instead of a host
 * bridge, which an unprivileged user cannot make.  slirp4netns gives the
 * namespace a tap device (10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3),
 * carries outbound traffic through the caller's own sockets, and publishes
 * husk.net.ports on the host's loopback only.
 *
 * The lifecycle (container.c) calls, in order:
 *   husk_net_rootless_check()  at create, before any side effect
 *   husk_net_rootless_start()  from spawn's attach step, before GO: the
 *                              init's namespaces are still open to us
 *   husk_net_rootless_stop()   on a failed create and on delete
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "husk/error.h"
#include "husk/spec.h"

#define HUSK_NET_ROOTLESS_MODE_KEY  "husk.net"
#define HUSK_NET_ROOTLESS_PORTS_KEY "husk.net.ports"
#define HUSK_NET_ROOTLESS_HELPER    "slirp4netns"
#define HUSK_NET_ROOTLESS_MAX_PORTS 128

struct husk_net_rootless_port {
	uint16_t host_port;
	uint16_t container_port;
	bool udp;
};

/* husk.net is "bridge" and the config creates a network namespace. */
bool husk_net_rootless_wanted(const struct husk_spec *spec);

/* "8080:80, 5353:53/udp" -> ports; errors name the value:
 *   bad port "70000" in "8080:70000" */
int husk_net_rootless_parse_ports(const char *text, struct husk_net_rootless_port **ret,
                                  size_t *ret_n, struct husk_error **err);

/* When wanted: the ports parse and slirp4netns is installed.  Errors:
 *   annotations["husk.net.ports"]: bad port "x" in "x:80" */
int husk_net_rootless_check(const struct husk_spec *spec, struct husk_error **err);

/* Starts slirp4netns against the user and network namespaces of pid (the
 * init, before GO), waits until it has configured the namespace, publishes
 * the ports on 127.0.0.1 and records the helper in state_dir_fd (its pid,
 * start time and API socket live there).  On failure nothing is left. */
int husk_net_rootless_start(const struct husk_spec *spec, int state_dir_fd, pid_t pid,
                            struct husk_error **err);

/* Stops the helper recorded in <root>/<id>/, if any (a recycled pid is
 * never signalled).  Cheap, and a no-op, for a container without one. */
int husk_net_rootless_stop(const char *root, const char *id, struct husk_error **err);
