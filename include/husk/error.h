/* Error values passed up from the library to cmd/.
 *
 * Fallible functions return < 0 and set *err; on success they return >= 0 and
 * leave *err untouched.  Context is added at each layer boundary with
 * husk_error_prefix(), so cmd/ renders one line such as
 * "create 'c1': mount 'proc' on '/proc': Operation not permitted".
 */
#pragma once

#include <stdarg.h>

struct husk_error {
	int errnum; /* errno that caused it, 0 when none */
	char *msg;  /* full message, never NULL */
};

/* Sets *err (when err is not NULL and *err is NULL) to a new error whose
 * message is the formatted text followed by ": strerror(errnum)" when errnum
 * is not 0.  Never overwrites an earlier error.  Always returns -1 so call
 * sites can write "return husk_error_set(err, errno, ...)". */
int husk_error_set(struct husk_error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int husk_error_setv(struct husk_error **err, int errnum, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Prepends "<formatted>: " to an existing error's message.  Returns -1. */
int husk_error_prefix(struct husk_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees an error (NULL is fine) and sets *err to NULL. */
void husk_error_release(struct husk_error **err);
void husk_error_free(struct husk_error *err);
