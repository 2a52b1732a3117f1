/* Strict UTF-8 checks shared by the JSON parser and generator (private to
 * libcontainer/json/).
 *
 * yajl's own check accepts overlong forms (C0 80 is a disguised NUL),
 * encoded surrogates and code points above U+10FFFF, so husk checks again
 * with the rules of RFC 3629.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the well-formed UTF-8 sequence at s (at most len bytes), or 0
 * when the bytes there are not one. */
static inline size_t json_utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0; /* continuation byte, C0/C1 (always overlong) or F5..FF */
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
		return 0;
	if (n == 4 && (cp < 0x10000 || cp > 0x10ffff))
		return 0;
	return n;
}

/* Offset of the first byte that does not start a well-formed sequence, or
 * len when all of s[0..len) is valid UTF-8. */
static inline size_t json_utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = json_utf8_seq(u + i, len - i);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}
