/* Decoder for "linux.resources": the cgroup settings as written in the
 * config (cgroup v1 vocabulary: shares, blkio weights...).  Converting them
 * to cgroup v2 files is cgroup/resources.c's job, not ours.
 *
 * Widths follow the runtime spec's Go types: memory values are int64
 * because -1 means "unlimited", weights are uint16, and so on.
 */
#include "spec/decode.h"

#include "util/arena.h"

static int dec_device_rule(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_device_cgroup *dc = item;
	int r = spec_dec_bool(d, v, "allow", &dc->allow, NULL);
	if (r >= 0)
		r = spec_dec_string(d, v, "type", &dc->type);
	if (r >= 0)
		r = spec_dec_i64(d, v, "major", &dc->major, &dc->has_major);
	if (r >= 0)
		r = spec_dec_i64(d, v, "minor", &dc->minor, &dc->has_minor);
	if (r >= 0)
		r = spec_dec_string(d, v, "access", &dc->access);
	return r;
}

static int dec_memory(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_memory *m = item;
	int r = spec_dec_i64(d, v, "limit", &m->limit, &m->has_limit);
	if (r >= 0)
		r = spec_dec_i64(d, v, "reservation", &m->reservation, &m->has_reservation);
	if (r >= 0)
		r = spec_dec_i64(d, v, "swap", &m->swap, &m->has_swap);
	if (r >= 0)
		r = spec_dec_i64(d, v, "kernel", &m->kernel, &m->has_kernel);
	if (r >= 0)
		r = spec_dec_i64(d, v, "kernelTCP", &m->kernel_tcp, &m->has_kernel_tcp);
	if (r >= 0)
		r = spec_dec_u64(d, v, "swappiness", &m->swappiness, &m->has_swappiness);
	if (r >= 0)
		r = spec_dec_bool(d, v, "disableOOMKiller", &m->disable_oom_killer,
		                  &m->has_disable_oom_killer);
	if (r >= 0)
		r = spec_dec_bool(d, v, "useHierarchy", &m->use_hierarchy, &m->has_use_hierarchy);
	if (r >= 0)
		r = spec_dec_bool(d, v, "checkBeforeUpdate", &m->check_before_update,
		                  &m->has_check_before_update);
	return r;
}

static int dec_cpu(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_cpu *c = item;
	int r = spec_dec_u64(d, v, "shares", &c->shares, &c->has_shares);
	if (r >= 0)
		r = spec_dec_i64(d, v, "quota", &c->quota, &c->has_quota);
	if (r >= 0)
		r = spec_dec_u64(d, v, "burst", &c->burst, &c->has_burst);
	if (r >= 0)
		r = spec_dec_u64(d, v, "period", &c->period, &c->has_period);
	if (r >= 0)
		r = spec_dec_i64(d, v, "realtimeRuntime", &c->realtime_runtime,
		                 &c->has_realtime_runtime);
	if (r >= 0)
		r = spec_dec_u64(d, v, "realtimePeriod", &c->realtime_period,
		                 &c->has_realtime_period);
	if (r >= 0)
		r = spec_dec_string(d, v, "cpus", &c->cpus);
	if (r >= 0)
		r = spec_dec_string(d, v, "mems", &c->mems);
	if (r >= 0)
		r = spec_dec_i64(d, v, "idle", &c->idle, &c->has_idle);
	return r;
}

static int dec_pids(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_pids *p = item;
	return spec_dec_i64(d, v, "limit", &p->limit, &p->has_limit);
}

static int dec_weight_device(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_weight_device *w = item;
	int r = spec_dec_i64(d, v, "major", &w->major, NULL);
	if (r >= 0)
		r = spec_dec_i64(d, v, "minor", &w->minor, NULL);
	if (r >= 0)
		r = spec_dec_u16(d, v, "weight", &w->weight, &w->has_weight);
	if (r >= 0)
		r = spec_dec_u16(d, v, "leafWeight", &w->leaf_weight, &w->has_leaf_weight);
	return r;
}

static int dec_throttle_device(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_throttle_device *t = item;
	int r = spec_dec_i64(d, v, "major", &t->major, NULL);
	if (r >= 0)
		r = spec_dec_i64(d, v, "minor", &t->minor, NULL);
	if (r >= 0)
		r = spec_dec_u64(d, v, "rate", &t->rate, NULL);
	return r;
}

static int dec_block_io(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_block_io *b = item;
	int r = spec_dec_u16(d, v, "weight", &b->weight, &b->has_weight);
	if (r >= 0)
		r = spec_dec_u16(d, v, "leafWeight", &b->leaf_weight, &b->has_leaf_weight);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "weightDevice", dec_weight_device, &b->weight_device,
		                   &b->n_weight_device);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "throttleReadBpsDevice", dec_throttle_device,
		                   &b->throttle_read_bps, &b->n_throttle_read_bps);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "throttleWriteBpsDevice", dec_throttle_device,
		                   &b->throttle_write_bps, &b->n_throttle_write_bps);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "throttleReadIOPSDevice", dec_throttle_device,
		                   &b->throttle_read_iops, &b->n_throttle_read_iops);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "throttleWriteIOPSDevice", dec_throttle_device,
		                   &b->throttle_write_iops, &b->n_throttle_write_iops);
	return r;
}

static int dec_hugepage_limit(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_hugepage_limit *h = item;
	int r = spec_dec_string(d, v, "pageSize", &h->page_size);
	if (r >= 0)
		r = spec_dec_u64(d, v, "limit", &h->limit, NULL);
	return r;
}

static int dec_net_priority(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_net_priority *p = item;
	int r = spec_dec_string(d, v, "name", &p->name);
	if (r >= 0)
		r = spec_dec_u32(d, v, "priority", &p->priority, NULL);
	return r;
}

static int dec_network(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_network *n = item;
	int r = spec_dec_u32(d, v, "classID", &n->class_id, &n->has_class_id);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "priorities", dec_net_priority, &n->priorities,
		                   &n->n_priorities);
	return r;
}

static int dec_rdma(struct spec_decoder *d, const char *key, const struct json_value *v, void *item)
{
	struct husk_spec_rdma *rd = item;
	rd->device = husk_arena_strdup(d->arena, key);
	int r = spec_dec_u32(d, v, "hcaHandles", &rd->hca_handles, &rd->has_hca_handles);
	if (r >= 0)
		r = spec_dec_u32(d, v, "hcaObjects", &rd->hca_objects, &rd->has_hca_objects);
	return r;
}

int spec_dec_resources(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_resources *res = item;
	int r = SPEC_DEC_ARRAY(d, v, "devices", dec_device_rule, &res->devices, &res->n_devices);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "memory", dec_memory, &res->memory);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "cpu", dec_cpu, &res->cpu);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "pids", dec_pids, &res->pids);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "blockIO", dec_block_io, &res->block_io);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "hugepageLimits", dec_hugepage_limit,
		                   &res->hugepage_limits, &res->n_hugepage_limits);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "network", dec_network, &res->network);
	if (r >= 0)
		r = SPEC_DEC_MAP(d, v, "rdma", dec_rdma, &res->rdma, &res->n_rdma);
	if (r >= 0)
		r = spec_dec_string_map(d, v, "unified", &res->unified, &res->n_unified);
	return r;
}
