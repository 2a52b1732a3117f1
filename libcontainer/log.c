/* Log lines as cmd/ writes them: the logrus-like text form and the JSON form
 * containerd parses, one line per write(2).  Only cmd/ calls this module; the
 * rest of the library reports through struct husk_error and never logs.
 */
#include "husk/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "json/json.h"
#include "util/xalloc.h"

int husk_log_open(struct husk_log *log, const char *path, enum husk_log_format format, bool debug,
                  struct husk_error **err)
{
	log->fd = -1;
	log->format = format;
	log->debug = debug;
	if (!path)
		return 0;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return husk_error_set(err, errno, "open log file \"%s\"", path);
	log->fd = fd;
	return 0;
}

void husk_log_close(struct husk_log *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}

const char *husk_log_level_name(enum husk_log_level level)
{
	switch (level) {
	case HUSK_LOG_ERROR:
		return "error";
	case HUSK_LOG_WARN:
		return "warning";
	case HUSK_LOG_INFO:
		return "info";
	case HUSK_LOG_DEBUG:
		return "debug";
	}
	return "unknown";
}

static void format_time(const struct timespec *when, char *buf, size_t size)
{
	struct tm tm;
	time_t secs = when->tv_sec;
	gmtime_r(&secs, &tm);
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", date, (long)when->tv_nsec);
}

/* Quotes msg the way Go's %q does for the characters that matter in a log
 * line, so one message stays on one line whatever it contains. */
static char *quote_text(const char *msg)
{
	size_t len = strlen(msg);
	char *out = xmalloc(len * 4 + 3);
	char *p = out;
	*p++ = '"';
	for (const unsigned char *s = (const unsigned char *)msg; *s; s++) {
		switch (*s) {
		case '"':
		case '\\':
			*p++ = '\\';
			*p++ = (char)*s;
			break;
		case '\n':
			p = stpcpy(p, "\\n");
			break;
		case '\t':
			p = stpcpy(p, "\\t");
			break;
		case '\r':
			p = stpcpy(p, "\\r");
			break;
		default:
			if (*s < 0x20 || *s == 0x7f)
				p += sprintf(p, "\\x%02x", *s);
			else
				*p++ = (char)*s;
		}
	}
	*p++ = '"';
	*p = '\0';
	return out;
}

static char *format_json(const char *level, const char *msg, const char *time)
{
	struct json_gen *g = json_gen_new(false);
	json_gen_object_open(g);
	json_gen_kv_string(g, "level", level);
	json_gen_kv_string(g, "msg", msg);
	json_gen_kv_string(g, "time", time);
	json_gen_object_close(g);
	size_t len = 0;
	const char *text = json_gen_result(g, &len);
	char *line = xasprintf("%.*s\n", (int)len, text);
	json_gen_free(g);
	return line;
}

char *husk_log_format_line(enum husk_log_format format, enum husk_log_level level, const char *msg,
                           const struct timespec *when)
{
	char time[64];
	format_time(when, time, sizeof(time));
	const char *name = husk_log_level_name(level);
	if (format == HUSK_LOG_JSON)
		return format_json(name, msg, time);
	_cleanup_free_ char *quoted = quote_text(msg);
	return xasprintf("time=\"%s\" level=%s msg=%s\n", time, name, quoted);
}

void husk_log_write(const struct husk_log *log, enum husk_log_level level, const char *msg)
{
	if (level == HUSK_LOG_DEBUG && !log->debug)
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	_cleanup_free_ char *line = husk_log_format_line(log->format, level, msg, &now);
	int fd = log->fd >= 0 ? log->fd : STDERR_FILENO;
	size_t len = strlen(line);
	ssize_t n;
	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
}

void husk_log_debug(const struct husk_log *log, const char *fmt, ...)
{
	if (!log->debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	husk_log_write(log, HUSK_LOG_DEBUG, msg);
}
