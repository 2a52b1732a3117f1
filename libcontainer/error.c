/* The library's error values: creation, context prefixes, release.
 * Rendering (text or JSON log line) belongs to cmd/. */
#include "husk/error.h"

#include "husk/context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

int husk_error_setv(struct husk_error **err, int errnum, const char *fmt, va_list ap)
{
	if (!err || *err)
		return -1;
	char *text = xvasprintf(fmt, ap);
	struct husk_error *e = xzalloc(sizeof(*e));
	e->errnum = errnum;
	if (errnum) {
		e->msg = xasprintf("%s: %s", text, strerror(errnum));
		free(text);
	} else {
		e->msg = text;
	}
	*err = e;
	return -1;
}

int husk_error_set(struct husk_error **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	husk_error_setv(err, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int husk_error_prefix(struct husk_error **err, const char *fmt, ...)
{
	if (!err || !*err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *prefix = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = xasprintf("%s: %s", prefix, (*err)->msg);
	free(prefix);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void husk_error_free(struct husk_error *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err);
}

void husk_error_release(struct husk_error **err)
{
	if (!err)
		return;
	husk_error_free(*err);
	*err = NULL;
}

void husk_warn(const struct husk_context *ctx, const char *fmt, ...)
{
	if (!ctx || !ctx->warn)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	ctx->warn(ctx->warn_data, msg);
	free(msg);
}
