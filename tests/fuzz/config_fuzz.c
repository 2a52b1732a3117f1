/* libFuzzer target for the config path: bytes -> JSON tree -> typed spec ->
 * validation, as `husk create` runs it on an untrusted bundle's config.json.
 * Any crash, leak or sanitizer report is a bug; rejected input is not.
 * Built and run by tests/fuzz/run.sh (`make fuzz`).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "husk/error.h"
#include "husk/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;

	if (husk_spec_parse("config.json", (const char *)data, size, &spec, &err) < 0) {
		/* A failure must explain itself and leave nothing behind. */
		if (!err || !err->msg || spec)
			abort();
		husk_error_free(err);
		return 0;
	}
	if (!spec || err)
		abort();
	if (husk_spec_validate("config.json", spec, &err) < 0) {
		if (!err || !err->msg)
			abort();
		husk_error_free(err);
	} else if (err) {
		abort();
	}
	husk_spec_free(spec);
	return 0;
}
