/* Reading /etc/subuid and /etc/subgid and checking id mappings against
 * them, the way shadow's newuidmap and newgidmap do (an entry names the
 * user or its uid; adjacent ranges add up).  Pure apart from reading the
 * file, so the unit tests give it files of their own.
 */
#include "subid.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "husk/cleanup.h"
#include "util/file.h"
#include "util/xalloc.h"

#define SUBID_FILE_MAX (4u * 1024 * 1024)

static bool parse_u64(const char *s, uint64_t *ret)
{
	if (*s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

/* "owner:start:count"; false for a line of another owner or a bad one. */
static bool parse_line(char *line, const char *name, const char *uid_text,
                       struct husk_subid_range *ret)
{
	char *save = NULL;
	char *owner = strtok_r(line, ":", &save);
	char *start = strtok_r(NULL, ":", &save);
	char *count = strtok_r(NULL, ":\r", &save);
	if (!owner || !start || !count || strtok_r(NULL, ":", &save))
		return false;
	if (strcmp(owner, uid_text) != 0 && (!name || strcmp(owner, name) != 0))
		return false;
	return parse_u64(start, &ret->start) && parse_u64(count, &ret->count) && ret->count > 0;
}

int husk_subid_read(const char *file, const char *name, uid_t uid, struct husk_subid_range **ret,
                    size_t *ret_n, struct husk_error **err)
{
	*ret = NULL;
	*ret_n = 0;
	_cleanup_free_ char *buf = NULL;
	struct husk_error *tmp = NULL;
	if (read_file_at(AT_FDCWD, file, SUBID_FILE_MAX, &buf, NULL, &tmp) < 0) {
		if (tmp->errnum == ENOENT) {
			husk_error_release(&tmp);
			return 0;
		}
		int e = tmp->errnum;
		husk_error_free(tmp);
		return husk_error_set(err, e, "read \"%s\"", file);
	}
	char uid_text[32];
	snprintf(uid_text, sizeof(uid_text), "%u", (unsigned)uid);
	size_t n = 0, cap = 0;
	struct husk_subid_range *ranges = NULL;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct husk_subid_range r;
		if (line[0] == '#' || !parse_line(line, name, uid_text, &r))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			ranges = xreallocarray(ranges, cap, sizeof(*ranges));
		}
		ranges[n++] = r;
	}
	*ret = ranges;
	*ret_n = n;
	return 0;
}

/* The range holding id, or NULL. */
static const struct husk_subid_range *range_with(const struct husk_subid_range *r, size_t n,
                                                 uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= r[i].start && id - r[i].start < r[i].count)
			return &r[i];
	return NULL;
}

bool husk_subid_covers(const struct husk_subid_range *ranges, size_t n, uint64_t start,
                       uint64_t count)
{
	if (count == 0)
		return false;
	uint64_t end = start + count; /* exclusive; ids are 32-bit, no overflow */
	while (start < end) {
		const struct husk_subid_range *r = range_with(ranges, n, start);
		if (!r)
			return false;
		start = r->start + r->count;
	}
	return true;
}

bool husk_subid_needs_helper(const struct husk_spec_id_mapping *m, size_t n, uint32_t own_id)
{
	return !(n == 1 && m[0].size == 1 && m[0].host_id == own_id);
}

int husk_subid_check(const char *field, const char *file, const char *name, uid_t uid,
                     uint32_t own_id, const struct husk_spec_id_mapping *m, size_t n,
                     struct husk_error **err)
{
	_cleanup_free_ struct husk_subid_range *ranges = NULL;
	size_t n_ranges = 0;
	if (husk_subid_read(file, name, uid, &ranges, &n_ranges, err) < 0)
		return husk_error_prefix(err, "%s", field);
	for (size_t i = 0; i < n; i++) {
		if (m[i].size == 1 && m[i].host_id == own_id)
			continue; /* the helpers let anyone map their own id */
		if (husk_subid_covers(ranges, n_ranges, m[i].host_id, m[i].size))
			continue;
		uint64_t last = (uint64_t)m[i].host_id + m[i].size - 1;
		if (n_ranges == 0)
			return husk_error_set(err, 0,
			                      "%s[%zu]: host ids %" PRIu32 "-%" PRIu64
			                      " need subordinate ids, and user \"%s\" (uid %u) "
			                      "has none in %s",
			                      field, i, m[i].host_id, last, name ? name : "?",
			                      (unsigned)uid, file);
		return husk_error_set(err, 0,
		                      "%s[%zu]: host ids %" PRIu32 "-%" PRIu64
		                      " are not subordinate ids of user \"%s\" (uid %u) in %s",
		                      field, i, m[i].host_id, last, name ? name : "?",
		                      (unsigned)uid, file);
	}
	return 0;
}
