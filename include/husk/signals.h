/* Signal names as runc's callers write them: "SIGTERM", "TERM", "term",
 * "15", and the real-time forms "SIGRTMIN+3" / "RTMAX-1". */
#pragma once

#include "husk/error.h"

/* Parses a signal argument; error: `invalid signal "FOO"`. */
int husk_signal_parse(const char *text, int *ret_signo, struct husk_error **err);

/* "SIGTERM" for 15, NULL when the number has no name. */
const char *husk_signal_name(int signo);

/* Every signal to its default disposition and none blocked, for a process
 * about to exec something that must not inherit husk's (or its caller's)
 * ignored signals.  Covers the signals glibc reserves too. */
void husk_signals_reset_all(void);
