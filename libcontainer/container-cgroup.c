/* pause, resume, ps and update: the commands that act on a container
 * through its cgroup alone.  The cgroup is the one state.json recorded;
 * what the cgroup files mean is the driver's business (cgroup/), what a
 * status may become is ours.  update keeps the config copy in the state
 * dir in step with what it wrote, so later commands see the new limits.
 */
#include "husk/container.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "husk/cleanup.h"
#include "husk/state.h"
#include "procs.h"
#include "util/arena.h"
#include "util/file.h"
#include "util/xalloc.h"

/* Reads (and, with lock_fd, first locks) the state, reconciled with the
 * live init. */
static int load_state(const struct husk_context *ctx, const char *id, int *lock_fd,
                      struct husk_state **ret, struct husk_error **err)
{
	if (husk_id_validate(id, err) < 0)
		return -1;
	if (lock_fd && husk_state_lock(ctx->root, id, lock_fd, err) < 0)
		return -1;
	if (husk_state_read(ctx->root, id, ret, err) < 0)
		return -1;
	husk_state_refresh(*ret);
	return 0;
}

static int open_cgroup(const struct husk_state *st, struct husk_cgroup **ret,
                       struct husk_error **err)
{
	if (!st->cgroup_path)
		return husk_error_set(err, 0,
		                      "container \"%s\" has no cgroup (a rootless container gets "
		                      "one only in a delegated cgroup v2 subtree, and a container "
		                      "only where the host has a cgroup hierarchy)",
		                      st->id);
	if (husk_cgroup_load(st, ret, err) < 0)
		return -1;
	if ((*ret)->missing) {
		husk_error_set(err, ENOENT, "cgroup \"%s\" of container \"%s\" is gone",
		               st->cgroup_path, st->id);
		husk_cgroup_free(*ret);
		*ret = NULL;
		return -1;
	}
	return 0;
}

/* Freezes or thaws, then records the status; a failure after the cgroup
 * changed puts it back, so the record and the cgroup never disagree. */
static int set_paused(const struct husk_context *ctx, struct husk_state *st, bool paused,
                      struct husk_error **err)
{
	struct husk_cgroup *cg = NULL;
	if (open_cgroup(st, &cg, err) < 0)
		return -1;
	int r = paused ? husk_cgroup_freeze(cg, err) : husk_cgroup_thaw(cg, err);
	if (r == 0) {
		enum husk_status old = st->status;
		st->status = paused ? HUSK_STATUS_PAUSED : HUSK_STATUS_RUNNING;
		r = husk_state_write(ctx->root, st, err);
		st->status = r < 0 ? old : st->status;
	}
	if (r < 0) {
		struct husk_error *tmp = NULL;
		if ((paused ? husk_cgroup_thaw(cg, &tmp) : husk_cgroup_freeze(cg, &tmp)) < 0)
			husk_warn(ctx, "%s, ignoring", tmp->msg);
		husk_error_free(tmp);
	}
	husk_cgroup_free(cg);
	return r;
}

int husk_container_pause(const struct husk_context *ctx, const char *id, struct husk_error **err)
{
	_cleanup_close_ int lock_fd = -1;
	struct husk_state *st = NULL;
	int r = load_state(ctx, id, &lock_fd, &st, err);
	if (r == 0 && st->status != HUSK_STATUS_RUNNING)
		r = husk_error_set(err, 0, "container \"%s\" is not running", id);
	if (r == 0)
		r = set_paused(ctx, st, true, err);
	husk_state_free(st);
	if (r < 0)
		husk_error_prefix(err, "pause \"%s\"", id);
	return r;
}

int husk_container_resume(const struct husk_context *ctx, const char *id, struct husk_error **err)
{
	_cleanup_close_ int lock_fd = -1;
	struct husk_state *st = NULL;
	int r = load_state(ctx, id, &lock_fd, &st, err);
	if (r == 0 && st->status != HUSK_STATUS_PAUSED)
		r = husk_error_set(err, 0, "container \"%s\" is not paused", id);
	if (r == 0)
		r = set_paused(ctx, st, false, err);
	husk_state_free(st);
	if (r < 0)
		husk_error_prefix(err, "resume \"%s\"", id);
	return r;
}

int husk_container_ps(const struct husk_context *ctx, const char *id, pid_t **ret, size_t *ret_n,
                      struct husk_error **err)
{
	struct husk_state *st = NULL;
	struct husk_cgroup *cg = NULL;
	int r = load_state(ctx, id, NULL, &st, err);
	/* without a cgroup (rootless, no delegation) /proc is asked instead */
	if (r == 0 && !st->cgroup_path && st->status != HUSK_STATUS_STOPPED)
		r = husk_container_pids(st, ret, ret_n);
	else if (r == 0 && (r = open_cgroup(st, &cg, err)) == 0)
		r = husk_cgroup_procs(cg, ret, ret_n, err);
	husk_cgroup_free(cg);
	husk_state_free(st);
	if (r < 0)
		husk_error_prefix(err, "ps \"%s\"", id);
	return r;
}

/* ---- update ---- */

#define MERGE(dst, src, f)                                                                         \
	do {                                                                                       \
		if ((src)->has_##f) {                                                              \
			(dst)->has_##f = true;                                                     \
			(dst)->f = (src)->f;                                                       \
		}                                                                                  \
	} while (0)

static void *ensure(struct husk_arena *arena, void **p, size_t size)
{
	if (!*p)
		*p = husk_arena_alloc(arena, size);
	return *p;
}

static void merge_memory(struct husk_arena *a, struct husk_spec_resources *dst,
                         const struct husk_spec_memory *src)
{
	struct husk_spec_memory *m = ensure(a, (void **)&dst->memory, sizeof(*m));
	MERGE(m, src, limit);
	MERGE(m, src, reservation);
	MERGE(m, src, swap);
	MERGE(m, src, kernel);
	MERGE(m, src, kernel_tcp);
	MERGE(m, src, swappiness);
	MERGE(m, src, disable_oom_killer);
	MERGE(m, src, use_hierarchy);
	MERGE(m, src, check_before_update);
}

static void merge_cpu(struct husk_arena *a, struct husk_spec_resources *dst,
                      const struct husk_spec_cpu *src)
{
	struct husk_spec_cpu *c = ensure(a, (void **)&dst->cpu, sizeof(*c));
	MERGE(c, src, shares);
	MERGE(c, src, quota);
	MERGE(c, src, burst);
	MERGE(c, src, period);
	MERGE(c, src, realtime_runtime);
	MERGE(c, src, realtime_period);
	MERGE(c, src, idle);
	if (src->cpus)
		c->cpus = husk_arena_strdup(a, src->cpus);
	if (src->mems)
		c->mems = husk_arena_strdup(a, src->mems);
}

/* unified keys: a key given again replaces its value, a new one is added. */
static void merge_unified(struct husk_arena *a, struct husk_spec_resources *dst,
                          const struct husk_kv *src, size_t n_src)
{
	struct husk_kv *kv = husk_arena_array(a, dst->n_unified + n_src, sizeof(*kv));
	if (dst->n_unified)
		memcpy(kv, dst->unified, dst->n_unified * sizeof(*kv));
	size_t n = dst->n_unified;
	for (size_t i = 0; i < n_src; i++) {
		size_t j = 0;
		while (j < n && strcmp(kv[j].key, src[i].key) != 0)
			j++;
		if (j == n)
			kv[n++].key = husk_arena_strdup(a, src[i].key);
		kv[j].value = husk_arena_strdup(a, src[i].value);
	}
	dst->unified = kv;
	dst->n_unified = n;
}

/* The fields `update` changes, as runc's: memory, cpu, pids, the blkio
 * weight and unified.  Device rules, hugetlb, rdma and network stay as
 * created.  *apply gets what is to be written: a whole merged memory or
 * cpu object (memory.swap.max depends on the limit, cpu.max pairs quota
 * and period), the rest as given. */
static void merge_update(struct husk_spec *cfg, const struct husk_spec_resources *u,
                         struct husk_spec_resources *apply)
{
	struct husk_arena *a = cfg->arena;
	struct husk_spec_linux *lx = ensure(a, (void **)&cfg->linux_, sizeof(*lx));
	struct husk_spec_resources *dst = ensure(a, (void **)&lx->resources, sizeof(*dst));
	memset(apply, 0, sizeof(*apply));
	if (u->memory) {
		merge_memory(a, dst, u->memory);
		apply->memory = dst->memory;
	}
	if (u->cpu) {
		merge_cpu(a, dst, u->cpu);
		apply->cpu = dst->cpu;
	}
	if (u->pids) {
		struct husk_spec_pids *p = ensure(a, (void **)&dst->pids, sizeof(*p));
		MERGE(p, u->pids, limit);
		apply->pids = u->pids;
	}
	if (u->block_io && u->block_io->has_weight) {
		struct husk_spec_block_io *b = ensure(a, (void **)&dst->block_io, sizeof(*b));
		b->has_weight = true;
		b->weight = u->block_io->weight;
		apply->block_io = husk_arena_alloc(a, sizeof(*apply->block_io));
		apply->block_io->has_weight = true;
		apply->block_io->weight = u->block_io->weight;
	}
	if (u->n_unified) {
		merge_unified(a, dst, u->unified, u->n_unified);
		apply->unified = u->unified;
		apply->n_unified = u->n_unified;
	}
}

/* memory.checkBeforeUpdate: refuse a limit below what is in use now,
 * rather than have the kernel reclaim or OOM-kill to reach it. */
static int check_before_update(struct husk_cgroup *cg, const struct husk_spec_memory *m,
                               struct husk_error **err)
{
	if (!m || !m->check_before_update || !m->has_limit || m->limit <= 0)
		return 0;
	struct husk_cgroup_stats stats = {0};
	if (husk_cgroup_stats(cg, &stats, err) < 0)
		return -1;
	if (stats.has_memory && stats.memory_current > (uint64_t)m->limit)
		return husk_error_set(err, 0,
		                      "linux.resources.memory.limit: %lld is below the %llu bytes "
		                      "in use (memory.checkBeforeUpdate)",
		                      (long long)m->limit,
		                      (unsigned long long)stats.memory_current);
	return 0;
}

static int update_locked(const struct husk_context *ctx, int lock_fd, const struct husk_state *st,
                         const struct husk_spec_resources *u, struct husk_error **err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s/config.json", ctx->root, st->id);
	struct husk_spec *cfg = NULL;
	struct husk_cgroup *cg = NULL;
	_cleanup_free_ char *json = NULL;
	struct husk_spec_resources apply;
	int r = husk_spec_load(path, &cfg, err);
	if (r == 0) {
		merge_update(cfg, u, &apply);
		r = husk_spec_validate("config.json", cfg, err);
	}
	if (r == 0)
		r = open_cgroup(st, &cg, err);
	if (r == 0)
		r = check_before_update(cg, apply.memory, err);
	/* encoded before anything is written: a config that cannot be saved
	 * must not leave limits behind that the copy does not show */
	if (r == 0)
		r = husk_spec_to_json(cfg, &json, err);
	if (r == 0)
		r = husk_cgroup_apply(cg, &apply, err);
	if (r == 0)
		r = write_file_atomic(lock_fd, "config.json", json, strlen(json), 0600, err);
	husk_cgroup_free(cg);
	husk_spec_free(cfg);
	return r;
}

int husk_container_update(const struct husk_context *ctx, const char *id,
                          const struct husk_spec_resources *resources, struct husk_error **err)
{
	_cleanup_close_ int lock_fd = -1;
	struct husk_state *st = NULL;
	int r = load_state(ctx, id, &lock_fd, &st, err);
	if (r == 0 && st->status == HUSK_STATUS_STOPPED)
		r = husk_error_set(err, 0, "container \"%s\" is not running", id);
	if (r == 0)
		r = update_locked(ctx, lock_fd, st, resources, err);
	husk_state_free(st);
	if (r < 0)
		husk_error_prefix(err, "update \"%s\"", id);
	return r;
}
