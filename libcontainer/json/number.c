/* Exact conversions of a JSON number's raw text.
 *
 * The parser keeps numbers as written so that 18446744073709551615 reaches a
 * uint64_t intact (yajl's integer callback stops at INT64_MAX and a double
 * loses the low bits).  Integers are accumulated by hand with overflow
 * checks; a fraction or exponent is not an integer even when its value is
 * whole ("1.0", "1e3"), which matches how Go decodes into integer fields.
 */
#include "json/json.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>

/* Parses the unsigned decimal digits of s (nothing else) into *ret,
 * failing with -ERANGE above limit. */
static int parse_digits(const char *s, uint64_t limit, uint64_t *ret)
{
	const char *c = s;
	if (!*c)
		return -EINVAL;
	/* Reject fractions and exponents before looking at magnitude, so
	 * "1e400" is "not an integer" rather than "out of range". */
	for (; *c; c++)
		if (*c < '0' || *c > '9')
			return -EINVAL;
	uint64_t v = 0;
	for (c = s; *c; c++) {
		unsigned d = (unsigned)(*c - '0');
		if (v > (limit - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

int json_number_u64(const struct json_value *v, uint64_t *ret)
{
	if (!v || v->type != JSON_NUMBER)
		return -EINVAL;
	/* Any '-', even "-0", means the writer meant a signed value. */
	return parse_digits(v->number, UINT64_MAX, ret);
}

int json_number_i64(const struct json_value *v, int64_t *ret)
{
	if (!v || v->type != JSON_NUMBER)
		return -EINVAL;
	bool neg = v->number[0] == '-';
	uint64_t mag;
	/* |INT64_MIN| is one more than INT64_MAX. */
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	int r = parse_digits(v->number + neg, limit, &mag);
	if (r < 0)
		return r;
	if (neg)
		*ret = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	else
		*ret = (int64_t)mag;
	return 0;
}

int json_number_double(const struct json_value *v, double *ret)
{
	if (!v || v->type != JSON_NUMBER)
		return -EINVAL;
	/* JSON's decimal point is '.', whatever locale the embedding program
	 * has set; glibc's "C" locale object is static, so this is cheap. */
	locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (!c_locale)
		return -errno;
	char *end;
	errno = 0;
	double d = strtod_l(v->number, &end, c_locale);
	int saved = errno;
	freelocale(c_locale);
	if (end == v->number || *end)
		return -EINVAL;
	/* Underflow also sets ERANGE, but the nearest double is a fine answer
	 * for a value that small; only overflow is out of range. */
	if (saved == ERANGE && isinf(d))
		return -ERANGE;
	*ret = d;
	return 0;
}
