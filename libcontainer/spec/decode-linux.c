/* Decoder for the "linux" object, except linux.resources
 * (decode-resources.c) and linux.seccomp (decode-seccomp.c).
 *
 * Namespace types are the one enum decoded here: struct husk_spec keeps
 * them as enum husk_ns_type, so a type we do not know cannot be stored and
 * is a decode error.  Likewise a clock in linux.timeOffsets other than
 * "monotonic" and "boottime" (the only ones a time namespace offsets).
 * Every other name stays a string for validate.c.
 */
#include "spec/decode.h"

#include <string.h>

#include "util/arena.h"

static int dec_namespace(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_namespace *ns = item;
	char *type = NULL;
	int r = spec_dec_string(d, v, "type", &type);
	if (r < 0)
		return r;
	if (!type)
		return spec_dec_fail(d, v, "missing \"type\"");
	r = spec_dec_string(d, v, "path", &ns->path);
	if (r < 0)
		return r;
	for (int t = 0; t < HUSK_NS_TYPE_COUNT; t++) {
		if (strcmp(type, husk_ns_type_name(t)) == 0) {
			ns->type = t;
			return 0;
		}
	}
	size_t mark = spec_dec_push_key(d, "type");
	r = spec_dec_fail(d, json_object_get(v, "type"), "unknown namespace \"%s\"", type);
	spec_dec_pop(d, mark);
	return r;
}

static int dec_time_offset(struct spec_decoder *d, const struct json_value *v,
                           struct husk_spec_time_offset *t)
{
	int r = spec_dec_expect(d, v, JSON_OBJECT);
	if (r < 0)
		return r;
	t->present = true;
	r = spec_dec_i64(d, v, "secs", &t->secs, NULL);
	if (r >= 0)
		r = spec_dec_u32(d, v, "nanosecs", &t->nanosecs, NULL);
	return r;
}

static int dec_time_offsets(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_linux *l = item;
	for (size_t i = 0; i < v->object.len; i++) {
		const struct json_member *mb = &v->object.members[i];
		size_t mark = spec_dec_push_map_key(d, mb->key);
		int r;
		if (strcmp(mb->key, "monotonic") == 0)
			r = dec_time_offset(d, mb->value, &l->time_monotonic);
		else if (strcmp(mb->key, "boottime") == 0)
			r = dec_time_offset(d, mb->value, &l->time_boottime);
		else
			r = spec_dec_fail(d, mb->value, "unknown clock \"%s\"", mb->key);
		if (r < 0)
			return r;
		spec_dec_pop(d, mark);
	}
	return 0;
}

static int dec_device(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_device *dev = item;
	int r = spec_dec_string(d, v, "type", &dev->type);
	if (r >= 0)
		r = spec_dec_string(d, v, "path", &dev->path);
	if (r >= 0)
		r = spec_dec_i64(d, v, "major", &dev->major, &dev->has_major);
	if (r >= 0)
		r = spec_dec_i64(d, v, "minor", &dev->minor, &dev->has_minor);
	if (r >= 0)
		r = spec_dec_u32(d, v, "fileMode", &dev->file_mode, &dev->has_file_mode);
	if (r >= 0)
		r = spec_dec_u32(d, v, "uid", &dev->uid, &dev->has_uid);
	if (r >= 0)
		r = spec_dec_u32(d, v, "gid", &dev->gid, &dev->has_gid);
	return r;
}

static int dec_intel_rdt(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_intel_rdt *rdt = item;
	int r = spec_dec_string(d, v, "closID", &rdt->clos_id);
	if (r >= 0)
		r = spec_dec_string(d, v, "l3CacheSchema", &rdt->l3_cache_schema);
	if (r >= 0)
		r = spec_dec_string(d, v, "memBwSchema", &rdt->mem_bw_schema);
	if (r >= 0)
		r = spec_dec_strings(d, v, "schemata", &rdt->schemata, &rdt->n_schemata);
	if (r >= 0)
		r = spec_dec_bool(d, v, "enableCMT", &rdt->enable_cmt, NULL);
	if (r >= 0)
		r = spec_dec_bool(d, v, "enableMBM", &rdt->enable_mbm, NULL);
	return r;
}

static int dec_personality(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_personality *p = item;
	int r = spec_dec_string(d, v, "domain", &p->domain);
	if (r >= 0)
		r = spec_dec_strings(d, v, "flags", &p->flags, &p->n_flags);
	return r;
}

static int dec_net_device(struct spec_decoder *d, const char *key, const struct json_value *v,
                          void *item)
{
	struct husk_spec_net_device *nd = item;
	nd->host_name = husk_arena_strdup(d->arena, key);
	return spec_dec_string(d, v, "name", &nd->name);
}

/* Namespaces, ID mappings, time offsets, devices, cgroups. */
static int dec_linux_isolation(struct spec_decoder *d, const struct json_value *v,
                               struct husk_spec_linux *l)
{
	int r = SPEC_DEC_ARRAY(d, v, "namespaces", dec_namespace, &l->namespaces, &l->n_namespaces);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "uidMappings", spec_dec_id_mapping, &l->uid_mappings,
		                   &l->n_uid_mappings);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "gidMappings", spec_dec_id_mapping, &l->gid_mappings,
		                   &l->n_gid_mappings);
	if (r >= 0)
		r = spec_dec_inline(d, v, "timeOffsets", dec_time_offsets, l);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "devices", dec_device, &l->devices, &l->n_devices);
	if (r >= 0)
		r = spec_dec_string(d, v, "cgroupsPath", &l->cgroups_path);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "resources", spec_dec_resources, &l->resources);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "intelRdt", dec_intel_rdt, &l->intel_rdt);
	return r;
}

int spec_dec_linux(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_linux *l = item;
	int r = dec_linux_isolation(d, v, l);
	if (r >= 0)
		r = spec_dec_string_map(d, v, "sysctl", &l->sysctl, &l->n_sysctl);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "seccomp", spec_dec_seccomp, &l->seccomp);
	if (r >= 0)
		r = spec_dec_string(d, v, "rootfsPropagation", &l->rootfs_propagation);
	if (r >= 0)
		r = spec_dec_strings(d, v, "maskedPaths", &l->masked_paths, &l->n_masked_paths);
	if (r >= 0)
		r = spec_dec_strings(d, v, "readonlyPaths", &l->readonly_paths,
		                     &l->n_readonly_paths);
	if (r >= 0)
		r = spec_dec_string(d, v, "mountLabel", &l->mount_label);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "personality", dec_personality, &l->personality);
	if (r >= 0)
		r = SPEC_DEC_MAP(d, v, "netDevices", dec_net_device, &l->net_devices,
		                 &l->n_net_devices);
	return r;
}
