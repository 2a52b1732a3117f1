/* libFuzzer target for husk's reading of its own state.json: every later
 * command trusts what it loads, so a document that was tampered with must
 * be refused with an error, never crash or load half-checked.  A document
 * that loads must survive a round trip through the encoder unchanged, and
 * render as `husk state` output.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "husk/error.h"
#include "husk/state.h"
#include "state-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool str_eq(const char *a, const char *b)
{
	/* the encoder writes "" for a missing optional string */
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static void check_round_trip(const struct husk_state *s)
{
	size_t len = 0;
	char *text = state_json_encode(s, &len);
	struct husk_state *again = NULL;
	struct husk_error *err = NULL;
	if (state_json_decode(text, len, &again, &err) < 0)
		abort(); /* husk could not read back what it wrote */
	if (!str_eq(s->id, again->id) || s->status != again->status || s->pid != again->pid ||
	    s->init_start_time != again->init_start_time || !str_eq(s->bundle, again->bundle) ||
	    !str_eq(s->rootfs, again->rootfs) || s->owner != again->owner ||
	    !str_eq(s->cgroup_path, again->cgroup_path) || s->n_annotations != again->n_annotations)
		abort();
	for (size_t i = 0; i < s->n_annotations; i++)
		if (strcmp(s->annotations[i].key, again->annotations[i].key) != 0 ||
		    strcmp(s->annotations[i].value, again->annotations[i].value) != 0)
			abort();
	husk_state_free(again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct husk_state *s = NULL;
	struct husk_error *err = NULL;
	if (state_json_decode((const char *)data, size, &s, &err) < 0) {
		if (!err || !err->msg || s)
			abort();
		husk_error_free(err);
		return 0;
	}
	if (!s || err || husk_id_validate(s->id, NULL) < 0)
		abort();
	check_round_trip(s);
	free(husk_state_to_json(s));
	husk_state_free(s);
	return 0;
}
