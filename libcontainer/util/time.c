/* Wall-clock formatting.  Always UTC and always nine fraction digits, so the
 * strings sort lexically in time order and parse with any RFC 3339 reader
 * (Go's time.RFC3339Nano accepts them). */
#include "util/time.h"

#include <stdio.h>

#include "util/xalloc.h"

char *husk_time_rfc3339(const struct timespec *ts)
{
	struct tm tm;
	char date[64];
	time_t secs = ts->tv_sec;

	if (!gmtime_r(&secs, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
		return xstrdup("1970-01-01T00:00:00.000000000Z");
	return xasprintf("%s.%09ldZ", date, (long)ts->tv_nsec);
}

char *husk_time_rfc3339_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return husk_time_rfc3339(&ts);
}

int64_t husk_time_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
