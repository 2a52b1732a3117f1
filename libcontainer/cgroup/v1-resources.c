/* linux.resources -> cgroup v1 files: pure, no I/O, as runc's fs driver
 * maps them (docs/cgroups.md has the table).  Also the device rules as
 * devices.allow/deny writes, and the routing of a hybrid host, where a
 * controller v1 did not take may sit in the cgroup2 hierarchy instead and
 * gets the v2 mapping of the same field.  v1.c writes what comes out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "cgroup/files.h"
#include "cgroup/internal.h"
#include "husk/cleanup.h"
#include "util/xalloc.h"

#define RES "linux.resources."

/* the kernel's bounds of cpu.shares (MIN_SHARES, MAX_SHARES) */
#define SHARES_MIN 2
#define SHARES_MAX 262144

static struct husk_cgroup_setting *put(struct husk_cgroup_settings *s, const char *field,
                                       const char *controller, const char *file, int64_t v)
{
	return husk_cgroup_settings_add(s, field, controller, file, "%" PRId64, v);
}

/* OCI limits: 0 is "not set", any negative is no limit, which v1 spells -1. */
static void put_limit(struct husk_cgroup_settings *s, const char *field, const char *file, bool has,
                      int64_t v)
{
	if (has && v != 0)
		put(s, field, "memory", file, v < 0 ? -1 : v);
}

/* memory.memsw.limit_in_bytes counts memory plus swap, as OCI's swap does.
 * The kernel wants memory <= memsw at every moment; v1.c retries the one
 * of the pair it refused after the other is written. */
static int map_swap(struct husk_cgroup_settings *s, const struct husk_spec_memory *m,
                    struct husk_error **err)
{
	int64_t limit = m->has_limit ? m->limit : 0;
	int64_t swap = m->has_swap ? m->swap : 0;
	const char *field = RES "memory.swap";
	const char *file = "memory.memsw.limit_in_bytes";
	/* without swap accounting there is no memsw file, and "no limit" is
	 * then already true */
	if ((limit == -1 && swap == 0) || swap < 0) {
		put(s, field, "memory", file, -1)->optional = true;
		return 0;
	}
	if (swap == 0)
		return 0;
	if (limit <= 0)
		return husk_error_set(err, 0, "%s: a swap limit needs a memory limit", field);
	if (swap < limit)
		return husk_error_set(err, 0,
		                      "%s: must be at least the memory limit %" PRId64
		                      " (it counts memory plus swap), got %" PRId64,
		                      field, limit, swap);
	put(s, field, "memory", file, swap);
	return 0;
}

static int map_memory(struct husk_cgroup_settings *s, const struct husk_spec_memory *m,
                      struct husk_error **err)
{
	if (!m)
		return 0;
	put_limit(s, RES "memory.limit", "memory.limit_in_bytes", m->has_limit, m->limit);
	if (map_swap(s, m, err) < 0)
		return -1;
	put_limit(s, RES "memory.reservation", "memory.soft_limit_in_bytes", m->has_reservation,
	          m->reservation);
	/* kernel memory limits are gone from Linux (6.x refuses the write);
	 * runc skips them too */
	if (m->has_kernel && m->kernel)
		husk_cgroup_settings_ignore(s, RES "memory.kernel");
	put_limit(s, RES "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes", m->has_kernel_tcp,
	          m->kernel_tcp);
	if (m->has_swappiness) {
		if (m->swappiness > 100)
			return husk_error_set(
			    err, 0, RES "memory.swappiness: must be at most 100, got %" PRIu64,
			    m->swappiness);
		put(s, RES "memory.swappiness", "memory", "memory.swappiness",
		    (int64_t)m->swappiness);
	}
	if (m->has_disable_oom_killer)
		put(s, RES "memory.disableOOMKiller", "memory", "memory.oom_control",
		    m->disable_oom_killer);
	if (m->has_use_hierarchy)
		put(s, RES "memory.useHierarchy", "memory", "memory.use_hierarchy",
		    m->use_hierarchy);
	return 0;
}

static int map_cpu(struct husk_cgroup_settings *s, const struct husk_spec_cpu *c,
                   struct husk_error **err)
{
	if (!c)
		return 0;
	if (c->has_shares && c->shares) {
		/* the kernel clamps silently; runc reports it, so do we, sooner */
		if (c->shares < SHARES_MIN || c->shares > SHARES_MAX)
			return husk_error_set(err, 0,
			                      RES "cpu.shares: must be between %d and %d on cgroup "
			                          "v1, got %" PRIu64,
			                      SHARES_MIN, SHARES_MAX, c->shares);
		put(s, RES "cpu.shares", "cpu", "cpu.shares", (int64_t)c->shares);
	}
	/* one field for the pair, as the v2 mapping names it: the routing
	 * matches the two mappings by field */
	int64_t quota = c->has_quota ? c->quota : 0;
	const char *field = quota ? RES "cpu.quota" : RES "cpu.period";
	/* period first; v1.c retries it after the quota if the kernel
	 * refused it against the old quota */
	if (c->has_period && c->period)
		put(s, field, "cpu", "cpu.cfs_period_us", (int64_t)c->period);
	if (quota)
		put(s, field, "cpu", "cpu.cfs_quota_us", quota < 0 ? -1 : quota);
	if (c->has_burst)
		put(s, RES "cpu.burst", "cpu", "cpu.cfs_burst_us", (int64_t)c->burst);
	if (c->has_realtime_period && c->realtime_period)
		put(s, RES "cpu.realtimePeriod", "cpu", "cpu.rt_period_us",
		    (int64_t)c->realtime_period);
	if (c->has_realtime_runtime && c->realtime_runtime)
		put(s, RES "cpu.realtimeRuntime", "cpu", "cpu.rt_runtime_us", c->realtime_runtime);
	if (c->has_idle)
		put(s, RES "cpu.idle", "cpu", "cpu.idle", c->idle);
	if (c->cpus && c->cpus[0])
		husk_cgroup_settings_add(s, RES "cpu.cpus", "cpuset", "cpuset.cpus", "%s", c->cpus);
	if (c->mems && c->mems[0])
		husk_cgroup_settings_add(s, RES "cpu.mems", "cpuset", "cpuset.mems", "%s", c->mems);
	return 0;
}

static void map_throttles(struct husk_cgroup_settings *s, const char *name, const char *file,
                          const struct husk_spec_throttle_device *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *field = xasprintf(RES "blockIO.%s[%zu]", name, i);
		/* a rate of 0 removes the device's limit on v1 */
		husk_cgroup_settings_add(s, field, "blkio", file,
		                         "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major, d[i].minor,
		                         d[i].rate);
	}
}

/* blkio.weight and blkio.weight_device are CFQ's; with BFQ the kernel has
 * blkio.bfq.* instead, which v1.c falls back to when the first is absent. */
static void map_block_io(struct husk_cgroup_settings *s, const struct husk_spec_block_io *b)
{
	if (!b)
		return;
	if (b->has_weight && b->weight)
		put(s, RES "blockIO.weight", "blkio", "blkio.weight", b->weight);
	if (b->has_leaf_weight && b->leaf_weight)
		put(s, RES "blockIO.leafWeight", "blkio", "blkio.leaf_weight", b->leaf_weight);
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct husk_spec_weight_device *d = &b->weight_device[i];
		_cleanup_free_ char *field = xasprintf(RES "blockIO.weightDevice[%zu]", i);
		if (d->has_weight && d->weight)
			husk_cgroup_settings_add(s, field, "blkio", "blkio.weight_device",
			                         "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
			                         (unsigned)d->weight);
		if (d->has_leaf_weight && d->leaf_weight)
			husk_cgroup_settings_add(s, field, "blkio", "blkio.leaf_weight_device",
			                         "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
			                         (unsigned)d->leaf_weight);
	}
	map_throttles(s, "throttleReadBpsDevice", "blkio.throttle.read_bps_device",
	              b->throttle_read_bps, b->n_throttle_read_bps);
	map_throttles(s, "throttleWriteBpsDevice", "blkio.throttle.write_bps_device",
	              b->throttle_write_bps, b->n_throttle_write_bps);
	map_throttles(s, "throttleReadIOPSDevice", "blkio.throttle.read_iops_device",
	              b->throttle_read_iops, b->n_throttle_read_iops);
	map_throttles(s, "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device",
	              b->throttle_write_iops, b->n_throttle_write_iops);
}

static void map_hugetlb(struct husk_cgroup_settings *s, const struct husk_spec_resources *r)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct husk_spec_hugepage_limit *h = &r->hugepage_limits[i];
		_cleanup_free_ char *field = xasprintf(RES "hugepageLimits[%zu]", i);
		_cleanup_free_ char *file = xasprintf("hugetlb.%s.limit_in_bytes", h->page_size);
		_cleanup_free_ char *rsvd =
		    xasprintf("hugetlb.%s.rsvd.limit_in_bytes", h->page_size);
		husk_cgroup_settings_add(s, field, "hugetlb", file, "%" PRIu64, h->limit);
		/* reservations (Linux 5.7) are limited alike, as runc does */
		husk_cgroup_settings_add(s, field, "hugetlb", rsvd, "%" PRIu64, h->limit)
		    ->optional = true;
	}
}

static void map_network(struct husk_cgroup_settings *s, const struct husk_spec_network *n)
{
	if (!n)
		return;
	if (n->has_class_id)
		husk_cgroup_settings_add(s, RES "network.classID", "net_cls", "net_cls.classid",
		                         "%" PRIu32, n->class_id);
	for (size_t i = 0; i < n->n_priorities; i++) {
		_cleanup_free_ char *field = xasprintf(RES "network.priorities[%zu]", i);
		husk_cgroup_settings_add(s, field, "net_prio", "net_prio.ifpriomap", "%s %" PRIu32,
		                         n->priorities[i].name, n->priorities[i].priority);
	}
}

int husk_cgroup_v1_settings(const struct husk_spec_resources *r, struct husk_cgroup_settings *ret,
                            struct husk_error **err)
{
	memset(ret, 0, sizeof(*ret));
	if (!r)
		return 0;
	if (map_memory(ret, r->memory, err) < 0 || map_cpu(ret, r->cpu, err) < 0) {
		husk_cgroup_settings_free(ret);
		return -1;
	}
	if (r->pids && r->pids->has_limit && r->pids->limit) {
		if (r->pids->limit < 0)
			husk_cgroup_settings_add(ret, RES "pids.limit", "pids", "pids.max", "max");
		else
			put(ret, RES "pids.limit", "pids", "pids.max", r->pids->limit);
	}
	map_block_io(ret, r->block_io);
	map_hugetlb(ret, r);
	map_network(ret, r->network);
	husk_cgroup_map_rdma(ret, r->rdma, r->n_rdma);
	/* unified[] keys are cgroup2 files: husk_cgroup_v1_route() sends the
	 * v2 mapping's items for them to the cgroup2 hierarchy */
	return 0;
}

/* ---- device rules ---- */

static int device_line(const struct husk_spec_device_cgroup *d, char type, char *buf, size_t size,
                       struct husk_error **err)
{
	char major[24] = "*", minor[24] = "*";
	if (d->has_major && d->major >= 0)
		snprintf(major, sizeof(major), "%" PRId64, d->major);
	if (d->has_minor && d->minor >= 0)
		snprintf(minor, sizeof(minor), "%" PRId64, d->minor);
	const char *access = d->access && d->access[0] ? d->access : "rwm";
	if (strspn(access, "rwm") != strlen(access))
		return husk_error_set(
		    err, 0, RES "devices: access \"%s\" is not a subset of \"rwm\"", access);
	snprintf(buf, size, "%c %s:%s %s", type, major, minor, access);
	return 0;
}

int husk_cgroup_v1_device_settings(const struct husk_spec_device_cgroup *rules, size_t n,
                                   struct husk_cgroup_settings *ret, struct husk_error **err)
{
	const char *field = RES "devices";
	memset(ret, 0, sizeof(*ret));
	/* a new cgroup inherits its parent's list, usually "everything";
	 * OCI (and runc) start from nothing allowed */
	husk_cgroup_settings_add(ret, field, "devices", "devices.deny", "a");
	for (size_t i = 0; i < n; i++) {
		const struct husk_spec_device_cgroup *d = &rules[i];
		const char *file = d->allow ? "devices.allow" : "devices.deny";
		char type = d->type && d->type[0] ? d->type[0] : 'a';
		if (!strchr("abc", type) || (d->type && d->type[1])) {
			husk_cgroup_settings_free(ret);
			return husk_error_set(err, 0,
			                      RES
			                      "devices: type \"%s\" is not one of \"a\", \"b\", "
			                      "\"c\"",
			                      d->type);
		}
		bool whole = (!d->has_major || d->major < 0) && (!d->has_minor || d->minor < 0);
		const char *access = d->access && d->access[0] ? d->access : "rwm";
		if (type == 'a' && whole && strlen(access) == 3 && strchr(access, 'r') &&
		    strchr(access, 'w') && strchr(access, 'm')) {
			/* the kernel's whole-list switch: "a" alone */
			husk_cgroup_settings_add(ret, field, "devices", file, "a");
			continue;
		}
		/* v1 has no "a" with numbers or a partial access: one rule per
		 * type says the same */
		const char *types = type == 'a' ? "cb" : (type == 'c' ? "c" : "b");
		for (const char *t = types; *t; t++) {
			char line[96];
			if (device_line(d, *t, line, sizeof(line), err) < 0) {
				husk_cgroup_settings_free(ret);
				return -1;
			}
			husk_cgroup_settings_add(ret, field, "devices", file, "%s", line);
		}
	}
	return 0;
}

/* ---- routing on hybrid hosts ---- */

/* The v2 name of a v1 controller; NULL when v2 has none. */
static const char *v2_name(const char *v1)
{
	if (!strcmp(v1, "blkio"))
		return "io";
	if (!strcmp(v1, "cpuacct"))
		return "cpu";
	if (!strcmp(v1, "net_cls") || !strcmp(v1, "net_prio") || !strcmp(v1, "devices") ||
	    !strcmp(v1, "freezer"))
		return NULL;
	return v1;
}

static const char *v1_name(const char *v2)
{
	return !strcmp(v2, "io") ? "blkio" : v2;
}

static bool v1_mounted(const char *const *v1, size_t n, const char *controller)
{
	for (size_t i = 0; i < n; i++)
		if (husk_cgfs_has_item(v1[i], controller))
			return true;
	return false;
}

static bool has_field(const struct husk_cgroup_settings *s, const char *field)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (!strcmp(s->items[i].field, field))
			return true;
	return false;
}

static void copy_item(struct husk_cgroup_settings *dst, const struct husk_cgroup_setting *it)
{
	husk_cgroup_settings_add(dst, it->field, it->controller, it->file, "%s", it->value)
	    ->optional = it->optional;
}

int husk_cgroup_v1_route(const struct husk_cgroup_settings *v1,
                         const struct husk_cgroup_settings *v2, const char *const *v1_controllers,
                         size_t n_v1, const char *v2_controllers,
                         struct husk_cgroup_settings *ret_v1, struct husk_cgroup_settings *ret_v2,
                         struct husk_error **err)
{
	memset(ret_v1, 0, sizeof(*ret_v1));
	memset(ret_v2, 0, sizeof(*ret_v2));
	for (size_t i = 0; i < v1->n; i++) {
		const struct husk_cgroup_setting *it = &v1->items[i];
		const char *other = v2_name(it->controller);
		if (v1_mounted(v1_controllers, n_v1, it->controller)) {
			copy_item(ret_v1, it);
		} else if (v2_controllers && other && husk_cgfs_has_word(v2_controllers, other)) {
			/* the v2 items of this field go there below */
			if (!has_field(v2, it->field))
				husk_cgroup_settings_ignore(ret_v1, it->field);
		} else {
			husk_cgroup_settings_free(ret_v1);
			return husk_error_set(err, 0,
			                      "%s: the %s controller is not mounted on this host",
			                      it->field, it->controller);
		}
	}
	for (size_t i = 0; v2 && i < v2->n; i++) {
		const struct husk_cgroup_setting *it = &v2->items[i];
		bool explicit = !strncmp(it->field, RES "unified[", strlen(RES "unified["));
		if (explicit && !v2_controllers) {
			husk_cgroup_settings_free(ret_v1);
			husk_cgroup_settings_free(ret_v2);
			return husk_error_set(err, 0, "%s: this host has no cgroup v2 hierarchy",
			                      it->field);
		}
		/* an explicit cgroup2 file goes there whatever v1 has, if
		 * cgroup2 has its controller */
		if (explicit && it->controller &&
		    !husk_cgfs_has_word(v2_controllers, it->controller)) {
			bool bound = v1_mounted(v1_controllers, n_v1, v1_name(it->controller));
			husk_cgroup_settings_free(ret_v1);
			husk_cgroup_settings_free(ret_v2);
			return husk_error_set(
			    err, 0,
			    "%s: the %s controller is not available in the cgroup "
			    "v2 hierarchy of this host%s",
			    it->field, it->controller, bound ? " (it is bound to cgroup v1)" : "");
		}
		if (explicit ||
		    (!v1_mounted(v1_controllers, n_v1, v1_name(it->controller)) && v2_controllers &&
		     husk_cgfs_has_word(v2_controllers, it->controller)))
			copy_item(ret_v2, it);
	}
	for (size_t i = 0; i < v1->n_ignored; i++)
		husk_cgroup_settings_ignore(ret_v1, v1->ignored[i]);
	return 0;
}
