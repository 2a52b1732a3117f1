/* `husk update [--resources FILE|-] [limit flags] ID`: changes a
 * container's cgroup limits.  The resources file is an OCI linux.resources
 * object; a flag overrides the file's value for its field.  Memory sizes
 * take binary suffixes (64m, 1g, 512KiB) as runc's do, and -1 for no
 * limit; 0 leaves a number as it is, as with runc (drop_zeros says why). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "husk/container.h"
#include "husk/spec.h"

enum {
	F_CPU_SHARES,
	F_CPU_QUOTA,
	F_CPU_PERIOD,
	F_CPUSET_CPUS,
	F_CPUSET_MEMS,
	F_MEMORY,
	F_MEMORY_RESERVATION,
	F_MEMORY_SWAP,
	F_PIDS_LIMIT,
	F_BLKIO_WEIGHT,
	N_FLAGS,
};

static const struct option update_options[] = {
    {"resources", required_argument, NULL, 'r'},
    {"cpu-shares", required_argument, NULL, OPT_RUN_FIRST + F_CPU_SHARES},
    {"cpu-quota", required_argument, NULL, OPT_RUN_FIRST + F_CPU_QUOTA},
    {"cpu-period", required_argument, NULL, OPT_RUN_FIRST + F_CPU_PERIOD},
    {"cpuset-cpus", required_argument, NULL, OPT_RUN_FIRST + F_CPUSET_CPUS},
    {"cpuset-mems", required_argument, NULL, OPT_RUN_FIRST + F_CPUSET_MEMS},
    {"memory", required_argument, NULL, OPT_RUN_FIRST + F_MEMORY},
    {"memory-reservation", required_argument, NULL, OPT_RUN_FIRST + F_MEMORY_RESERVATION},
    {"memory-swap", required_argument, NULL, OPT_RUN_FIRST + F_MEMORY_SWAP},
    {"pids-limit", required_argument, NULL, OPT_RUN_FIRST + F_PIDS_LIMIT},
    {"blkio-weight", required_argument, NULL, OPT_RUN_FIRST + F_BLKIO_WEIGHT},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

/* The objects flags write into: copies of the file's, so the file's spec
 * is left as decoded. */
struct update_objects {
	struct husk_spec_resources res;
	struct husk_spec_memory memory;
	struct husk_spec_cpu cpu;
	struct husk_spec_pids pids;
	struct husk_spec_block_io block_io;
};

static int parse_int(const char *text, bool is_signed, int64_t min, uint64_t max, uint64_t *ret)
{
	const char *p = text;
	bool neg = is_signed && *p == '-';
	p += neg;
	if (*p < '0' || *p > '9')
		return -1;
	char *end;
	errno = 0;
	uint64_t v = strtoull(p, &end, 10);
	if (errno || *end || v > (neg ? (uint64_t) - (min + 1) + 1 : max))
		return -1;
	*ret = neg ? (uint64_t) - (int64_t)v : v;
	return 0;
}

/* Bytes with an optional binary suffix k, m, g or t (then an optional "b"
 * or "ib", any case), or -1. */
static int parse_bytes(const char *text, int64_t *ret)
{
	if (!strcmp(text, "-1")) {
		*ret = -1;
		return 0;
	}
	if (*text < '0' || *text > '9')
		return -1;
	char *end;
	errno = 0;
	uint64_t v = strtoull(text, &end, 10);
	if (errno)
		return -1;
	static const char units[] = "kmgt";
	const char *u = *end ? strchr(units, (char)(*end | 0x20)) : NULL;
	unsigned shift = 0;
	if (u) {
		shift = 10 * (unsigned)(u - units + 1);
		end++;
	}
	if (*end && strcasecmp(end, "b") != 0 && !(u && strcasecmp(end, "ib") == 0))
		return -1;
	if (v > ((uint64_t)INT64_MAX >> shift))
		return -1;
	*ret = (int64_t)(v << shift);
	return 0;
}

static int bad_value(const struct cmd_def *def, int flag, const char *value, const char *what,
                     struct husk_error **err)
{
	return cmd_usage_error(def, err, "--%s: expected %s, got \"%s\"",
	                       update_options[flag + 1].name, what, value);
}

static int set_flag(const struct cmd_def *def, int flag, const char *v, struct update_objects *o,
                    struct husk_error **err)
{
	uint64_t u;
	int64_t b;
	switch (flag) {
	case F_CPU_SHARES:
		if (parse_int(v, false, 0, UINT64_MAX, &u) < 0)
			return bad_value(def, flag, v, "an unsigned integer", err);
		o->cpu.has_shares = true;
		o->cpu.shares = u;
		break;
	case F_CPU_QUOTA:
		if (parse_int(v, true, INT64_MIN, INT64_MAX, &u) < 0)
			return bad_value(def, flag, v, "an integer", err);
		o->cpu.has_quota = true;
		o->cpu.quota = (int64_t)u;
		break;
	case F_CPU_PERIOD:
		if (parse_int(v, false, 0, UINT64_MAX, &u) < 0)
			return bad_value(def, flag, v, "an unsigned integer", err);
		o->cpu.has_period = true;
		o->cpu.period = u;
		break;
	case F_CPUSET_CPUS:
		o->cpu.cpus = (char *)v;
		break;
	case F_CPUSET_MEMS:
		o->cpu.mems = (char *)v;
		break;
	case F_MEMORY:
	case F_MEMORY_RESERVATION:
	case F_MEMORY_SWAP:
		if (parse_bytes(v, &b) < 0)
			return bad_value(def, flag, v,
			                 "bytes (a number, k/m/g/t suffix allowed) or -1", err);
		if (flag == F_MEMORY)
			o->memory.has_limit = true, o->memory.limit = b;
		else if (flag == F_MEMORY_RESERVATION)
			o->memory.has_reservation = true, o->memory.reservation = b;
		else
			o->memory.has_swap = true, o->memory.swap = b;
		break;
	case F_PIDS_LIMIT:
		if (parse_int(v, true, INT64_MIN, INT64_MAX, &u) < 0)
			return bad_value(def, flag, v, "an integer", err);
		o->pids.has_limit = true;
		o->pids.limit = (int64_t)u;
		break;
	case F_BLKIO_WEIGHT:
		if (parse_int(v, false, 0, UINT16_MAX, &u) < 0)
			return bad_value(def, flag, v, "an integer in 0..65535", err);
		o->block_io.has_weight = true;
		o->block_io.weight = (uint16_t)u;
		break;
	}
	return 0;
}

/* runc's update reads 0 as "leave it as it is" for these fields, and its
 * callers count on that: Docker's update sends every memory, CPU and block
 * IO number, 0 for those it does not change, and containerd passes them
 * on.  Taken as values, a memory update would clear the CPU quota, and a
 * CPU update would ask for a memory limit of 0 bytes. */
static void drop_zeros(struct update_objects *o)
{
	struct husk_spec_memory *m = &o->memory;
	m->has_limit = m->has_limit && m->limit != 0;
	m->has_reservation = m->has_reservation && m->reservation != 0;
	m->has_swap = m->has_swap && m->swap != 0;
	m->has_kernel = m->has_kernel && m->kernel != 0;
	m->has_kernel_tcp = m->has_kernel_tcp && m->kernel_tcp != 0;
	struct husk_spec_cpu *c = &o->cpu;
	c->has_shares = c->has_shares && c->shares != 0;
	c->has_quota = c->has_quota && c->quota != 0;
	c->has_period = c->has_period && c->period != 0;
	c->has_realtime_runtime = c->has_realtime_runtime && c->realtime_runtime != 0;
	c->has_realtime_period = c->has_realtime_period && c->realtime_period != 0;
	if (c->cpus && !*c->cpus)
		c->cpus = NULL;
	if (c->mems && !*c->mems)
		c->mems = NULL;
	o->pids.has_limit = o->pids.has_limit && o->pids.limit != 0;
	o->block_io.has_weight = o->block_io.has_weight && o->block_io.weight != 0;
}

/* The file's objects (or empty ones) where a flag writes, the flags over
 * them; objects no one touches stay NULL. */
static int build(const struct cmd_def *def, const struct husk_spec_resources *file,
                 const char *const *values, struct update_objects *o, struct husk_error **err)
{
	static const struct husk_spec_resources none;
	const struct husk_spec_resources *f = file ? file : &none;
	o->res = *f;
	bool touch[4] = {false};
	for (int i = 0; i < N_FLAGS; i++) {
		if (!values[i])
			continue;
		if (i <= F_CPUSET_MEMS)
			touch[0] = true;
		else if (i <= F_MEMORY_SWAP)
			touch[1] = true;
		else
			touch[i == F_PIDS_LIMIT ? 2 : 3] = true;
	}
	if (f->cpu)
		o->cpu = *f->cpu;
	if (f->memory)
		o->memory = *f->memory;
	if (f->pids)
		o->pids = *f->pids;
	if (f->block_io)
		o->block_io = *f->block_io;
	for (int i = 0; i < N_FLAGS; i++)
		if (values[i] && set_flag(def, i, values[i], o, err) < 0)
			return CMD_USAGE;
	drop_zeros(o);
	if (touch[0] || f->cpu)
		o->res.cpu = &o->cpu;
	if (touch[1] || f->memory)
		o->res.memory = &o->memory;
	if (touch[2] || f->pids)
		o->res.pids = &o->pids;
	if (touch[3] || f->block_io)
		o->res.block_io = &o->block_io;
	return 0;
}

static int update_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                      struct husk_error **err)
{
	const char *values[N_FLAGS] = {NULL};
	const char *resources = NULL;
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:r:h", update_options, NULL)) != -1) {
		if (opt == 'r')
			resources = optarg;
		else if (opt >= OPT_RUN_FIRST && opt < OPT_RUN_FIRST + N_FLAGS)
			values[opt - OPT_RUN_FIRST] = optarg;
		else
			return cmd_option_default(def, opt, argv, err);
	}
	int r = cmd_check_args(def, argc - optind, argv + optind, 1, 1, err);
	if (r < 0)
		return r;
	struct husk_spec *file = NULL;
	if (resources && husk_spec_load_resources(resources, &file, err) < 0)
		return husk_error_prefix(err, "update \"%s\": --resources", argv[optind]);
	struct update_objects o = {0};
	r = build(def, file ? file->linux_->resources : NULL, values, &o, err);
	if (r == 0)
		r = husk_container_update(&env->ctx, argv[optind], &o.res, err);
	husk_spec_free(file);
	return r;
}

const struct cmd_def cmd_update = {
    .name = "update",
    .args = "<container-id>",
    .summary = "change the resource limits of a container",
    .options = "  -r, --resources FILE  an OCI linux.resources JSON object (- for stdin);\n"
               "                        a 0 in it or in a flag leaves that value as it is\n"
               "  --cpu-shares N        CPU shares (cpu.weight on cgroup v2)\n"
               "  --cpu-quota N         CPU time in microseconds per period (-1: no limit)\n"
               "  --cpu-period N        the period of --cpu-quota, in microseconds\n"
               "  --cpuset-cpus LIST    CPUs allowed (0-3,5)\n"
               "  --cpuset-mems LIST    memory nodes allowed\n"
               "  --memory BYTES        memory limit (k/m/g/t suffixes; -1: no limit)\n"
               "  --memory-reservation BYTES  soft memory limit\n"
               "  --memory-swap BYTES   memory plus swap limit\n"
               "  --pids-limit N        maximum number of processes (-1: no limit)\n"
               "  --blkio-weight N      block IO weight (10..1000)\n",
    .needs_root = true,
    .names_itself = true,
    .run = update_run,
};
