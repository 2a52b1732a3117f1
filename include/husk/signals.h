/* Signal names as runc's callers write them: "SIGTERM", "TERM", "term",
 * "15", and the real-time forms "SIGRTMIN+3" / "RTMAX-1". */
#pragma once

#include <stdint.h>

#include "husk/error.h"

/* Parses a signal argument; error: `invalid signal "FOO"`. */
int husk_signal_parse(const char *text, int *ret_signo, struct husk_error **err);

/* "SIGTERM" for 15, NULL when the number has no name. */
const char *husk_signal_name(int signo);

/* Every signal to its default disposition and none blocked, for a process
 * about to exec something that must not inherit husk's (or its caller's)
 * ignored signals.  Covers the signals glibc reserves too. */
void husk_signals_reset_all(void);

/* The signals (bit signo - 1) this process ignores or catches, from
 * /proc/self/status; every bit when that cannot be read.  A clone inherits
 * exactly these, so it resets only them: one read here instead of 62
 * rt_sigaction calls in every init, exec child and hook. */
uint64_t husk_signals_non_default(void);

/* husk_signals_reset_all() limited to the signals in `which`. */
void husk_signals_reset(uint64_t which);
