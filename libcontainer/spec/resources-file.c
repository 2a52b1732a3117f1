/* `update --resources FILE`: a lone OCI linux.resources object, decoded by
 * the decoder config.json's "linux.resources" uses, so both accept and
 * refuse alike.  The result is a spec holding only linux.resources. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "husk/spec.h"
#include "spec/decode.h"
#include "util/arena.h"
#include "util/file.h"
#include "util/xalloc.h"

int husk_spec_parse_resources(const char *name, const char *buf, size_t len, struct husk_spec **ret,
                              struct husk_error **err)
{
	struct json_doc *doc = NULL;
	if (json_parse(buf, len, &doc, err) < 0)
		return husk_error_prefix(err, "%s", name);
	struct husk_spec *spec = xzalloc(sizeof(*spec));
	spec->arena = husk_arena_new();
	spec->linux_ = husk_arena_alloc(spec->arena, sizeof(*spec->linux_));
	spec->linux_->resources = husk_arena_alloc(spec->arena, sizeof(*spec->linux_->resources));
	struct spec_decoder d = {.name = name, .arena = spec->arena, .err = err};
	const struct json_value *root = json_doc_root(doc);
	int r = spec_dec_expect(&d, root, JSON_OBJECT);
	if (r >= 0)
		r = spec_dec_resources(&d, root, spec->linux_->resources);
	free(d.path);
	json_doc_free(doc);
	if (r < 0) {
		husk_spec_free(spec);
		return -1;
	}
	*ret = spec;
	return 0;
}

int husk_spec_load_resources(const char *path, struct husk_spec **ret, struct husk_error **err)
{
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "stdin" : path;
	_cleanup_close_ int fd = is_stdin ? -1 : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (!is_stdin && fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", path);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (read_all_fd(is_stdin ? STDIN_FILENO : fd, JSON_MAX_INPUT_SIZE, &buf, &len, err) < 0)
		return husk_error_prefix(err, "read \"%s\"", name);
	return husk_spec_parse_resources(name, buf, len, ret, err);
}
