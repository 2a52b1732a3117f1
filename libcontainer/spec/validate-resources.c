/* Checks of linux.resources: the cgroup limits.  What is checked is what
 * the spec defines (ranges, list syntax, device rule letters, file names
 * under the cgroup directory); whether this host's cgroup hierarchy has the
 * controller is known only when the cgroup driver writes the files. */
#include <string.h>

#include "spec/validate.h"

static const struct husk_spec_resources *resources(const struct husk_spec *spec)
{
	return spec->linux_ ? spec->linux_->resources : NULL;
}

void husk_spec_check_device_cgroup(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_resources *r = resources(spec);
	if (!r)
		return;
	for (size_t i = 0; i < r->n_devices; i++) {
		const struct husk_spec_device_cgroup *d = &r->devices[i];
		if (d->type && (strlen(d->type) != 1 || !strchr("abc", d->type[0])))
			husk_spec_problem_add(
			    p, husk_spec_fmt(p, "linux.resources.devices[%zu].type", i),
			    "unknown type %s, want a, b or c", husk_spec_quote(p, d->type));
		if (d->access && (!d->access[0] || strspn(d->access, "rwm") != strlen(d->access)))
			husk_spec_problem_add(
			    p, husk_spec_fmt(p, "linux.resources.devices[%zu].access", i),
			    "must be a combination of r, w and m, got %s",
			    husk_spec_quote(p, d->access));
	}
}

/* -1 means unlimited; 0 means "not set", as runc reads it. */
static void check_limit(struct husk_spec_problems *p, const char *path, bool has, int64_t v)
{
	if (has && v < -1)
		husk_spec_problem_add(p, path, "must be at least -1, got %lld", (long long)v);
}

void husk_spec_check_memory(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_memory *m = resources(spec) ? resources(spec)->memory : NULL;
	if (!m)
		return;
	check_limit(p, "linux.resources.memory.limit", m->has_limit, m->limit);
	check_limit(p, "linux.resources.memory.reservation", m->has_reservation, m->reservation);
	check_limit(p, "linux.resources.memory.swap", m->has_swap, m->swap);
	check_limit(p, "linux.resources.memory.kernel", m->has_kernel, m->kernel);
	check_limit(p, "linux.resources.memory.kernelTCP", m->has_kernel_tcp, m->kernel_tcp);
	if (m->has_swappiness && m->swappiness > 100)
		husk_spec_problem_add(p, "linux.resources.memory.swappiness",
		                      "must be at most 100, got %llu",
		                      (unsigned long long)m->swappiness);
	/* OCI's swap is memory plus swap, so it cannot be below the limit. */
	if (m->has_limit && m->has_swap && m->limit > 0 && m->swap > 0 && m->swap < m->limit)
		husk_spec_problem_add(p, "linux.resources.memory.swap",
		                      "must be at least the memory limit %lld (it counts memory "
		                      "plus swap), got %lld",
		                      (long long)m->limit, (long long)m->swap);
}

void husk_spec_check_cpu(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_cpu *c = resources(spec) ? resources(spec)->cpu : NULL;
	if (!c)
		return;
	check_limit(p, "linux.resources.cpu.quota", c->has_quota, c->quota);
	if (c->has_idle && c->idle != 0 && c->idle != 1)
		husk_spec_problem_add(p, "linux.resources.cpu.idle", "must be 0 or 1, got %lld",
		                      (long long)c->idle);
	husk_spec_check_cpu_list(p, "linux.resources.cpu.cpus", c->cpus);
	husk_spec_check_cpu_list(p, "linux.resources.cpu.mems", c->mems);
}

void husk_spec_check_pids(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_pids *pids = resources(spec) ? resources(spec)->pids : NULL;
	if (pids)
		check_limit(p, "linux.resources.pids.limit", pids->has_limit, pids->limit);
}

/* The kernel's CFQ/BFQ weight range.  0 means "no weight", as runc and
 * crun read it: Docker writes blockIO.weight 0 into every config. */
static void check_weight(struct husk_spec_problems *p, const char *path, bool has, uint16_t w)
{
	if (has && w != 0)
		husk_spec_check_range(p, path, w, 10, 1000);
}

void husk_spec_check_block_io(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_block_io *b = resources(spec) ? resources(spec)->block_io : NULL;
	if (!b)
		return;
	check_weight(p, "linux.resources.blockIO.weight", b->has_weight, b->weight);
	check_weight(p, "linux.resources.blockIO.leafWeight", b->has_leaf_weight, b->leaf_weight);
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct husk_spec_weight_device *d = &b->weight_device[i];
		check_weight(
		    p, husk_spec_fmt(p, "linux.resources.blockIO.weightDevice[%zu].weight", i),
		    d->has_weight, d->weight);
		check_weight(
		    p, husk_spec_fmt(p, "linux.resources.blockIO.weightDevice[%zu].leafWeight", i),
		    d->has_leaf_weight, d->leaf_weight);
	}
}

/* "2MB", "1GB", "64KB": the spelling of the hugetlb.<size>.* file names. */
static bool page_size_is_valid(const char *s)
{
	size_t digits = strspn(s, "0123456789");
	if (digits == 0 || s[0] == '0')
		return false;
	static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(s + digits, units[i]))
			return true;
	return false;
}

void husk_spec_check_hugepages(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_resources *r = resources(spec);
	if (!r)
		return;
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const char *size = r->hugepage_limits[i].page_size;
		const char *path =
		    husk_spec_fmt(p, "linux.resources.hugepageLimits[%zu].pageSize", i);
		if (!size)
			husk_spec_problem_add(p, path, "required");
		else if (!page_size_is_valid(size))
			husk_spec_problem_add(
			    p, path,
			    "invalid page size %s, want a number and a unit such as "
			    "\"2MB\" or \"1GB\"",
			    husk_spec_quote(p, size));
	}
}

/* A key names a file in the container's cgroup directory, so it must be one
 * "<controller>.<file>" name, never a path out of it. */
static bool unified_key_is_valid(const char *key)
{
	const char *dot = strchr(key, '.');
	return dot && dot != key && dot[1] && !strchr(key, '/') && !strstr(key, "..");
}

void husk_spec_check_unified(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_resources *r = resources(spec);
	if (!r)
		return;
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *key = r->unified[i].key;
		if (!unified_key_is_valid(key))
			husk_spec_problem_add(
			    p,
			    husk_spec_fmt(p, "linux.resources.unified[%s]",
			                  husk_spec_quote(p, key)),
			    "invalid key, want a cgroup file name such as \"memory.max\"");
	}
}
