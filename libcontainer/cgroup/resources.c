/* linux.resources -> cgroup v2 files: pure, no I/O.  The driver checks the
 * controllers and writes the list in order.  The rules follow runc and crun
 * on v2; docs/cgroups.md has the table and the sources.  Device rules are
 * not files on v2 (an eBPF program, v2-devices.c) and are not mapped here.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "cgroup/internal.h"
#include "husk/cleanup.h"
#include "util/xalloc.h"

#define RES "linux.resources."

/* ---- the shares -> weight curve, without libm ---- */

#define LN2  0.69314718055994530942
#define LN10 2.30258509299404568402

/* log2(x) for x >= 1: the integer part by halving, the rest from
 * ln(m) = 2 atanh((m - 1) / (m + 1)) with m in [1, 2), where the series
 * converges fast (|z| <= 1/3).  A power of two comes out exact. */
static double log2_of(double x)
{
	int k = 0;
	while (x >= 2) {
		x /= 2;
		k++;
	}
	double z = (x - 1) / (x + 1), z2 = z * z, term = z, sum = 0;
	for (int i = 1; i < 80; i += 2) {
		sum += term / i;
		term *= z2;
	}
	return k + 2 * sum / LN2;
}

/* e^y for y >= 0: y = n ln2 + r with r in [0, ln2), Taylor series for e^r. */
static double exp_of(double y)
{
	int n = (int)(y / LN2);
	double r = y - n * LN2, term = 1, sum = 1;
	for (int i = 1; i < 40; i++) {
		term *= r / i;
		sum += term;
	}
	while (n-- > 0)
		sum *= 2;
	return sum;
}

/* The curve runc (>= 1.3.2, opencontainers/cgroups
 * ConvertCPUSharesToCgroupV2Value) and crun (>= 1.23) use: with
 * l = log2(shares), weight = ceil(10^((l^2 + 125 l) / 612 - 7/34)).  It is
 * the quadratic in l through (2, 1), (1024, 100) and (262144, 10000), so the
 * v1 default of 1024 shares is the v2 default weight of 100.  The older
 * linear rule 1 + (shares - 2) * 9999 / 262142 gave 1024 -> 39. */
uint64_t husk_cgroup_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	double l = log2_of((double)shares);
	double e = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
	double w = exp_of(e * LN10);
	/* the tolerance keeps an exact point (1024 -> 100) from rounding up
	 * on the last bit of the series */
	uint64_t up = (uint64_t)(w - 1e-9);
	return (double)up < w - 1e-9 ? up + 1 : up;
}

/* runc's linear map of the v1 blkio range [10, 1000] onto io.weight's
 * [1, 10000]: 10 -> 1, 500 -> 4950, 1000 -> 10000. */
uint64_t husk_cgroup_blkio_to_io_weight(uint64_t weight)
{
	if (weight < 10)
		weight = 10;
	return 1 + (weight - 10) * 9999 / 990;
}

/* ---- the list ---- */

struct husk_cgroup_setting *husk_cgroup_settings_add(struct husk_cgroup_settings *s,
                                                     const char *field, const char *controller,
                                                     const char *file, const char *fmt, ...)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->items = xreallocarray(s->items, s->cap, sizeof(*s->items));
	}
	struct husk_cgroup_setting *it = &s->items[s->n++];
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&it->value, fmt, ap) < 0)
		abort();
	va_end(ap);
	it->field = xstrdup(field);
	it->controller = controller ? xstrdup(controller) : NULL;
	it->file = xstrdup(file);
	it->optional = false;
	return it;
}

void husk_cgroup_settings_ignore(struct husk_cgroup_settings *s, const char *field)
{
	for (size_t i = 0; i < s->n_ignored; i++)
		if (!strcmp(s->ignored[i], field))
			return;
	s->ignored = xreallocarray(s->ignored, s->n_ignored + 1, sizeof(char *));
	s->ignored[s->n_ignored++] = xstrdup(field);
}

/* OCI limits: 0 is "not set" (runc), -1 (any negative) is no limit. */
static void add_limit(struct husk_cgroup_settings *s, const char *field, const char *controller,
                      const char *file, bool has, int64_t v)
{
	if (!has || v == 0)
		return;
	if (v < 0)
		husk_cgroup_settings_add(s, field, controller, file, "max");
	else
		husk_cgroup_settings_add(s, field, controller, file, "%" PRId64, v);
}

/* OCI swap counts memory plus swap; v2's memory.swap.max is swap alone
 * (runc's ConvertMemorySwapToCgroupV2Value). */
static int map_swap(struct husk_cgroup_settings *s, const struct husk_spec_memory *m,
                    struct husk_error **err)
{
	int64_t limit = m->has_limit ? m->limit : 0;
	int64_t swap = m->has_swap ? m->swap : 0;
	const char *field = RES "memory.swap";
	/* without swap accounting there is no memory.swap.max, and "no
	 * limit" or "no swap" is already true */
	if (limit == -1 && swap == 0) {
		/* "no memory limit" lifts the swap limit too, as on v1 */
		husk_cgroup_settings_add(s, field, "memory", "memory.swap.max", "max")->optional =
		    true;
		return 0;
	}
	if (swap == 0)
		return 0;
	if (swap < 0) {
		husk_cgroup_settings_add(s, field, "memory", "memory.swap.max", "max")->optional =
		    true;
		return 0;
	}
	if (limit <= 0)
		return husk_error_set(err, 0, "%s: a swap limit needs a memory limit", field);
	if (swap < limit)
		return husk_error_set(err, 0,
		                      "%s: must be at least the memory limit %" PRId64
		                      " (it counts memory plus swap), got %" PRId64,
		                      field, limit, swap);
	husk_cgroup_settings_add(s, field, "memory", "memory.swap.max", "%" PRId64, swap - limit)
	    ->optional = swap == limit;
	return 0;
}

static int map_memory(struct husk_cgroup_settings *s, const struct husk_spec_memory *m,
                      struct husk_error **err)
{
	if (!m)
		return 0;
	/* swap first, as runc: memory.max alone must never be the only limit
	 * that fails half-way */
	if (map_swap(s, m, err) < 0)
		return -1;
	add_limit(s, RES "memory.limit", "memory", "memory.max", m->has_limit, m->limit);
	add_limit(s, RES "memory.reservation", "memory", "memory.low", m->has_reservation,
	          m->reservation);
	/* v2 has no per-cgroup swappiness, kernel or kernel TCP accounting
	 * limits, OOM-killer switch or hierarchy switch: runc skips them */
	if (m->has_swappiness)
		husk_cgroup_settings_ignore(s, RES "memory.swappiness");
	if (m->has_kernel && m->kernel)
		husk_cgroup_settings_ignore(s, RES "memory.kernel");
	if (m->has_kernel_tcp && m->kernel_tcp)
		husk_cgroup_settings_ignore(s, RES "memory.kernelTCP");
	if (m->has_disable_oom_killer && m->disable_oom_killer)
		husk_cgroup_settings_ignore(s, RES "memory.disableOOMKiller");
	if (m->has_use_hierarchy)
		husk_cgroup_settings_ignore(s, RES "memory.useHierarchy");
	return 0;
}

static void map_cpu(struct husk_cgroup_settings *s, const struct husk_spec_cpu *c)
{
	if (!c)
		return;
	if (c->has_shares && c->shares)
		husk_cgroup_settings_add(s, RES "cpu.shares", "cpu", "cpu.weight", "%" PRIu64,
		                         husk_cgroup_shares_to_weight(c->shares));
	int64_t quota = c->has_quota ? c->quota : 0;
	uint64_t period = c->has_period ? c->period : 0;
	if (quota != 0 || period != 0) {
		char q[32];
		if (quota > 0)
			snprintf(q, sizeof(q), "%" PRId64, quota);
		else
			strcpy(q, "max");
		const char *field = quota != 0 ? RES "cpu.quota" : RES "cpu.period";
		if (period)
			husk_cgroup_settings_add(s, field, "cpu", "cpu.max", "%s %" PRIu64, q,
			                         period);
		else
			husk_cgroup_settings_add(s, field, "cpu", "cpu.max", "%s", q);
	}
	/* after cpu.max: the kernel wants the burst within the quota */
	if (c->has_burst)
		husk_cgroup_settings_add(s, RES "cpu.burst", "cpu", "cpu.max.burst", "%" PRIu64,
		                         c->burst);
	if (c->has_idle)
		husk_cgroup_settings_add(s, RES "cpu.idle", "cpu", "cpu.idle", "%" PRId64, c->idle);
	if (c->cpus && c->cpus[0])
		husk_cgroup_settings_add(s, RES "cpu.cpus", "cpuset", "cpuset.cpus", "%s", c->cpus);
	if (c->mems && c->mems[0])
		husk_cgroup_settings_add(s, RES "cpu.mems", "cpuset", "cpuset.mems", "%s", c->mems);
	/* real-time budgets are a v1 cpu controller feature only */
	if ((c->has_realtime_runtime && c->realtime_runtime) ||
	    (c->has_realtime_period && c->realtime_period))
		husk_cgroup_settings_ignore(s, RES "cpu.realtimeRuntime/realtimePeriod");
}

static void map_throttles(struct husk_cgroup_settings *s, const char *name, const char *key,
                          const struct husk_spec_throttle_device *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *field = xasprintf(RES "blockIO.%s[%zu]", name, i);
		/* a rate of 0 means no limit on v1; "max" says so on v2 */
		if (d[i].rate)
			husk_cgroup_settings_add(s, field, "io", "io.max",
			                         "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major,
			                         d[i].minor, key, d[i].rate);
		else
			husk_cgroup_settings_add(s, field, "io", "io.max",
			                         "%" PRId64 ":%" PRId64 " %s=max", d[i].major,
			                         d[i].minor, key);
	}
}

static void map_block_io(struct husk_cgroup_settings *s, const struct husk_spec_block_io *b)
{
	if (!b)
		return;
	if (b->has_weight && b->weight)
		husk_cgroup_settings_add(s, RES "blockIO.weight", "io", "io.weight", "%" PRIu64,
		                         husk_cgroup_blkio_to_io_weight(b->weight));
	if (b->has_leaf_weight)
		husk_cgroup_settings_ignore(s, RES "blockIO.leafWeight");
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct husk_spec_weight_device *d = &b->weight_device[i];
		_cleanup_free_ char *field = xasprintf(RES "blockIO.weightDevice[%zu]", i);
		if (d->has_weight && d->weight)
			husk_cgroup_settings_add(
			    s, field, "io", "io.weight", "%" PRId64 ":%" PRId64 " %" PRIu64,
			    d->major, d->minor, husk_cgroup_blkio_to_io_weight(d->weight));
		if (d->has_leaf_weight)
			husk_cgroup_settings_ignore(s, RES "blockIO.weightDevice[].leafWeight");
	}
	map_throttles(s, "throttleReadBpsDevice", "rbps", b->throttle_read_bps,
	              b->n_throttle_read_bps);
	map_throttles(s, "throttleWriteBpsDevice", "wbps", b->throttle_write_bps,
	              b->n_throttle_write_bps);
	map_throttles(s, "throttleReadIOPSDevice", "riops", b->throttle_read_iops,
	              b->n_throttle_read_iops);
	map_throttles(s, "throttleWriteIOPSDevice", "wiops", b->throttle_write_iops,
	              b->n_throttle_write_iops);
}

void husk_cgroup_map_rdma(struct husk_cgroup_settings *s, const struct husk_spec_rdma *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!r[i].has_hca_handles && !r[i].has_hca_objects)
			continue;
		_cleanup_free_ char *field = xasprintf(RES "rdma[%s]", r[i].device);
		char handles[32] = "", objects[32] = "";
		if (r[i].has_hca_handles)
			snprintf(handles, sizeof(handles), " hca_handle=%" PRIu32,
			         r[i].hca_handles);
		if (r[i].has_hca_objects)
			snprintf(objects, sizeof(objects), " hca_object=%" PRIu32,
			         r[i].hca_objects);
		husk_cgroup_settings_add(s, field, "rdma", "rdma.max", "%s%s%s", r[i].device,
		                         handles, objects);
	}
}

/* Core files that would move, kill or freeze the container's processes
 * behind the runtime's back. */
static bool unified_key_reserved(const char *key)
{
	static const char *const reserved[] = {"cgroup.procs", "cgroup.threads", "cgroup.kill",
	                                       "cgroup.freeze"};
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(key, reserved[i]))
			return true;
	return false;
}

static int map_unified(struct husk_cgroup_settings *s, const struct husk_kv *kv, size_t n,
                       struct husk_error **err)
{
	for (size_t i = 0; i < n; i++) {
		const char *key = kv[i].key;
		_cleanup_free_ char *field = xasprintf(RES "unified[\"%s\"]", key);
		const char *dot = strchr(key, '.');
		if (!dot || dot == key || !dot[1] || strchr(key, '/') || strstr(key, ".."))
			return husk_error_set(err, 0,
			                      "%s: invalid key, want a cgroup file name such as "
			                      "\"memory.max\"",
			                      field);
		if (unified_key_reserved(key))
			return husk_error_set(
			    err, 0, "%s: the runtime manages this file, it cannot be set", field);
		_cleanup_free_ char *controller = strndup(key, (size_t)(dot - key));
		if (!controller)
			abort();
		bool core = !strcmp(controller, "cgroup");
		husk_cgroup_settings_add(s, field, core ? NULL : controller, key, "%s",
		                         kv[i].value);
	}
	return 0;
}

int husk_cgroup_v2_settings(const struct husk_spec_resources *r, struct husk_cgroup_settings *ret,
                            struct husk_error **err)
{
	memset(ret, 0, sizeof(*ret));
	if (!r)
		return 0;
	if (map_memory(ret, r->memory, err) < 0)
		goto fail;
	map_cpu(ret, r->cpu);
	if (r->pids)
		add_limit(ret, RES "pids.limit", "pids", "pids.max", r->pids->has_limit,
		          r->pids->limit);
	map_block_io(ret, r->block_io);
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct husk_spec_hugepage_limit *h = &r->hugepage_limits[i];
		_cleanup_free_ char *field = xasprintf(RES "hugepageLimits[%zu]", i);
		_cleanup_free_ char *file = xasprintf("hugetlb.%s.max", h->page_size);
		husk_cgroup_settings_add(ret, field, "hugetlb", file, "%" PRIu64, h->limit);
	}
	husk_cgroup_map_rdma(ret, r->rdma, r->n_rdma);
	if (r->network && (r->network->has_class_id || r->network->n_priorities))
		husk_cgroup_settings_ignore(ret, RES "network");
	/* last, so an explicit unified value wins over a mapped one */
	if (map_unified(ret, r->unified, r->n_unified, err) < 0)
		goto fail;
	return 0;
fail:
	husk_cgroup_settings_free(ret);
	return -1;
}

void husk_cgroup_settings_free(struct husk_cgroup_settings *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].field);
		free(s->items[i].controller);
		free(s->items[i].file);
		free(s->items[i].value);
	}
	free(s->items);
	for (size_t i = 0; i < s->n_ignored; i++)
		free(s->ignored[i]);
	free(s->ignored);
	memset(s, 0, sizeof(*s));
}
