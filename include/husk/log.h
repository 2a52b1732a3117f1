/* Log lines for cmd/: logrus-like text or one JSON object per line, appended
 * to the --log file (containerd's shim reads the last "error" line of that
 * file to report a failure).  The library proper never logs: it returns
 * errors, and only cmd/ decides what becomes a log line.
 */
#pragma once

#include <stdbool.h>
#include <time.h>

#include "husk/context.h"
#include "husk/error.h"

enum husk_log_level {
	HUSK_LOG_ERROR,
	HUSK_LOG_WARN,
	HUSK_LOG_INFO,
	HUSK_LOG_DEBUG,
};

struct husk_log {
	int fd; /* the --log file, -1 when there is none */
	enum husk_log_format format;
	bool debug; /* write HUSK_LOG_DEBUG lines */
};

/* Opens path for appending (created 0644 when missing).  A NULL path leaves
 * log->fd at -1: lines then go to stderr. */
int husk_log_open(struct husk_log *log, const char *path, enum husk_log_format format, bool debug,
                  struct husk_error **err);
void husk_log_close(struct husk_log *log);

/* "error", "warning", "info", "debug" (logrus' spelling). */
const char *husk_log_level_name(enum husk_log_level level);

/* One line ending in '\n', timestamp RFC 3339 in UTC with nanoseconds:
 *   text: time="2024-05-01T10:00:00.123456789Z" level=error msg="..."
 *   json: {"level":"error","msg":"...","time":"2024-05-01T10:00:00.123456789Z"}
 * Caller frees. */
char *husk_log_format_line(enum husk_log_format format, enum husk_log_level level, const char *msg,
                           const struct timespec *when);

/* Writes one line with a single write(2), so lines of concurrent writers to
 * the same O_APPEND file never interleave.  Debug lines are dropped unless
 * log->debug.  Write errors are ignored: there is nowhere left to report
 * them. */
void husk_log_write(const struct husk_log *log, enum husk_log_level level, const char *msg);
void husk_log_debug(const struct husk_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
