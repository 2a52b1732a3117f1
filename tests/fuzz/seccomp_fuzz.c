/* libFuzzer target for the seccomp translation: a linux.seccomp section ->
 * typed spec -> a compiled libseccomp filter (never loaded), as `create`
 * and `exec` build it from an untrusted bundle.  The input is the section
 * alone, wrapped into a config here, so mutations stay where they matter.
 * The filter is compiled whether or not the validator accepts the section:
 * compile must stand on its own.  Any crash, leak or sanitizer report is a
 * bug; rejected input is not.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "husk/error.h"
#include "husk/spec.h"
#include "seccomp-filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void compile_once(const struct husk_spec_seccomp *sc)
{
	struct husk_seccomp *f = NULL;
	struct husk_error *err = NULL;
	if (husk_seccomp_compile(sc, &f, &err) < 0) {
		if (!err || !err->msg || f)
			abort();
		husk_error_free(err);
		return;
	}
	if (!f || err)
		abort();
	(void)husk_seccomp_has_notify(f);
	husk_seccomp_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "{\"ociVersion\":\"1.2.0\",\"linux\":{\"seccomp\":";
	static const char tail[] = "}}";
	size_t n = sizeof(head) - 1 + size + sizeof(tail) - 1;
	char *doc = malloc(n);
	if (!doc)
		abort();
	memcpy(doc, head, sizeof(head) - 1);
	memcpy(doc + sizeof(head) - 1, data, size);
	memcpy(doc + sizeof(head) - 1 + size, tail, sizeof(tail) - 1);

	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	int r = husk_spec_parse("config.json", doc, n, &spec, &err);
	free(doc);
	if (r < 0) {
		if (!err || !err->msg || spec)
			abort();
		husk_error_free(err);
		return 0;
	}
	const struct husk_spec_seccomp *sc = spec->linux_ ? spec->linux_->seccomp : NULL;
	if (sc) {
		if (husk_spec_validate("config.json", spec, &err) < 0) {
			if (!err || !err->msg)
				abort();
			husk_error_release(&err);
		}
		compile_once(sc);
	}
	husk_spec_free(spec);
	return 0;
}
