/* state.json encoding, shared by state.c only (not a public interface). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "husk/error.h"
#include "husk/state.h"

/* The private on-disk document; caller frees. */
char *state_json_encode(const struct husk_state *state, size_t *ret_len);

/* Parses an on-disk document.  Errors read "line L, column C: ..." (the
 * caller prefixes the file name).  Unknown keys are ignored so an older husk
 * can read what a newer one wrote.  Values no husk writes are errors: an id
 * that is not valid, a bundle, rootfs or cgroupPath that is not a clean
 * absolute path ("..", "//", control characters), pid 1. */
int state_json_decode(const char *buf, size_t len, struct husk_state **ret,
                      struct husk_error **err);

/* False when the state records a cgroup and the recorded pid is not in it
 * (or below it): that pid is not the container's init, whatever its start
 * time says.  True when no cgroup is recorded. */
bool state_init_in_cgroup(const struct husk_state *state);
