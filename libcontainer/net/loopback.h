/* The loopback interface of a new network namespace, which the kernel
 * creates down: the init brings it up, as runc does, so a container with a
 * network namespace of its own and nothing else still has a working lo. */
#pragma once

#include "husk/error.h"

/* Brings "lo" up in the caller's network namespace (needs CAP_NET_ADMIN
 * over it: the init has it in its own user namespace). */
int husk_net_loopback_up(struct husk_error **err);
