/* `exec --process FILE`: a lone OCI process object, decoded with the same
 * decoder as config.json's "process" so both read alike and fail alike. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "husk/cleanup.h"
#include "husk/spec.h"
#include "spec/decode.h"
#include "util/arena.h"
#include "util/file.h"
#include "util/xalloc.h"

int husk_spec_load_process(const char *path, struct husk_spec **ret, struct husk_error **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", path);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (read_all_fd(fd, JSON_MAX_INPUT_SIZE, &buf, &len, err) < 0)
		return husk_error_prefix(err, "read \"%s\"", path);
	_cleanup_free_ char *copy = xstrdup(path);
	const char *name = basename(copy);

	struct json_doc *doc = NULL;
	if (json_parse(buf, len, &doc, err) < 0)
		return husk_error_prefix(err, "%s", name);
	struct husk_spec *spec = xzalloc(sizeof(*spec));
	spec->arena = husk_arena_new();
	spec->process = husk_arena_alloc(spec->arena, sizeof(*spec->process));
	struct spec_decoder d = {.name = name, .arena = spec->arena, .err = err};
	const struct json_value *root = json_doc_root(doc);
	int r = spec_dec_expect(&d, root, JSON_OBJECT);
	if (r >= 0)
		r = spec_dec_process(&d, root, spec->process);
	free(d.path);
	json_doc_free(doc);
	if (r < 0) {
		husk_spec_free(spec);
		return -1;
	}
	*ret = spec;
	return 0;
}
