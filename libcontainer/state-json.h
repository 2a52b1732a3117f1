/* state.json encoding, shared by state.c only (not a public interface). */
#pragma once

#include <stddef.h>

#include "husk/error.h"
#include "husk/state.h"

/* The private on-disk document; caller frees. */
char *state_json_encode(const struct husk_state *state, size_t *ret_len);

/* Parses an on-disk document.  Errors read "line L, column C: ..." (the
 * caller prefixes the file name).  Unknown keys are ignored so an older husk
 * can read what a newer one wrote. */
int state_json_decode(const char *buf, size_t len, struct husk_state **ret,
                      struct husk_error **err);
