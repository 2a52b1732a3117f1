/* Timestamps in the form husk writes to state.json and log lines. */
#pragma once

#include <stdint.h>
#include <time.h>

/* RFC 3339 in UTC with nine fraction digits: "2026-11-24T09:01:16.123456789Z".
 * Caller frees. */
char *husk_time_rfc3339(const struct timespec *ts);
char *husk_time_rfc3339_now(void);

/* CLOCK_MONOTONIC in milliseconds: for deadlines. */
int64_t husk_time_monotonic_ms(void);
