/* `husk stats ID`: a container's cgroup counters as a table for people,
 * the host's figures beside them where there is a counterpart.  A "-" is a
 * counter this host does not provide (e.g. no memory controller in a hybrid
 * host's cgroup2 tree).  `husk events --stats` has the same as JSON. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "husk/container.h"

static const struct option stats_options[] = {
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static void human_bytes(uint64_t n, char *buf, size_t size)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)n;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void limit_text(uint64_t n, char *buf, size_t size)
{
	if (n == UINT64_MAX)
		snprintf(buf, size, "no limit");
	else
		human_bytes(n, buf, size);
}

static void row(const char *label, const char *container, const char *host)
{
	printf("%-16s %-40s %s\n", label, container, host);
}

static void psi_text(const struct husk_psi *p, char *buf, size_t size)
{
	if (!p->present) {
		snprintf(buf, size, "-");
		return;
	}
	int n = snprintf(buf, size, "some %.2f%%", p->some.avg10);
	if (p->has_full && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, ", full %.2f%%", p->full.avg10);
}

static void print_cpu(const struct husk_container_stats *s)
{
	char c[128] = "-", h[64] = "";
	if (s->has_cpu)
		snprintf(c, sizeof(c), "%.3f s (user %.3f s, system %.3f s)",
		         (double)s->cpu_usage_usec / 1e6, (double)s->cpu_user_usec / 1e6,
		         (double)s->cpu_system_usec / 1e6);
	row("CPU used", c, "");
	snprintf(c, sizeof(c), "-");
	if (s->has_cpu_max && s->cpu_quota_usec == UINT64_MAX)
		snprintf(c, sizeof(c), "no limit");
	else if (s->has_cpu_max && s->cpu_period_usec)
		snprintf(c, sizeof(c), "%.2f CPUs (%" PRIu64 " us every %" PRIu64 " us)",
		         (double)s->cpu_quota_usec / (double)s->cpu_period_usec, s->cpu_quota_usec,
		         s->cpu_period_usec);
	if (s->host_cpus)
		snprintf(h, sizeof(h), "%u CPUs online", s->host_cpus);
	row("CPU limit", c, h);
	snprintf(c, sizeof(c), "-");
	if (s->has_cpu_max)
		snprintf(c, sizeof(c), "%.3f s in %" PRIu64 " of %" PRIu64 " periods",
		         (double)s->cpu_throttled_usec / 1e6, s->cpu_throttled_periods,
		         s->cpu_periods);
	row("CPU throttled", c, "");
}

static void print_memory(const struct husk_container_stats *s)
{
	char c[128] = "-", h[128] = "", a[32], b[32];
	if (s->has_memory) {
		human_bytes(s->memory_usage, a, sizeof(a));
		limit_text(s->memory_limit, b, sizeof(b));
		snprintf(c, sizeof(c), "%s of %s", a, b);
	}
	if (s->host_memory_total) {
		human_bytes(s->host_memory_total - s->host_memory_available, a, sizeof(a));
		human_bytes(s->host_memory_total, b, sizeof(b));
		snprintf(h, sizeof(h), "%s of %s", a, b);
	}
	row("memory used", c, h);
	snprintf(c, sizeof(c), "-");
	if (s->has_memory && s->memory_peak) {
		human_bytes(s->memory_peak, c, sizeof(c));
		row("memory peak", c, "");
	}
	snprintf(c, sizeof(c), "-");
	if (s->has_swap) {
		human_bytes(s->swap_usage, a, sizeof(a));
		limit_text(s->swap_limit, b, sizeof(b));
		snprintf(c, sizeof(c), "%s of %s", a, b);
	}
	row("swap used", c, "");
	snprintf(c, sizeof(c), "-");
	if (s->has_oom)
		snprintf(c, sizeof(c), "%" PRIu64, s->oom_kills);
	row("OOM kills", c, "");
}

static void print_stats(const char *id, const struct husk_container_stats *s)
{
	char c[128] = "-", h[128];
	printf("container %s\n", id);
	row("", "CONTAINER", "HOST");
	print_cpu(s);
	print_memory(s);
	if (s->has_pids && s->pids_limit == UINT64_MAX)
		snprintf(c, sizeof(c), "%" PRIu64 " (no limit)", s->pids_current);
	else if (s->has_pids)
		snprintf(c, sizeof(c), "%" PRIu64 " of %" PRIu64, s->pids_current, s->pids_limit);
	row("pids", c, "");
	const struct {
		const char *label;
		const struct husk_psi *mine, *host;
	} psi[] = {
	    {"pressure cpu", &s->cpu_pressure, &s->host_cpu_pressure},
	    {"pressure memory", &s->memory_pressure, &s->host_memory_pressure},
	    {"pressure io", &s->io_pressure, &s->host_io_pressure},
	};
	for (size_t i = 0; i < sizeof(psi) / sizeof(psi[0]); i++) {
		psi_text(psi[i].mine, c, sizeof(c));
		psi_text(psi[i].host, h, sizeof(h));
		row(psi[i].label, c, h);
	}
}

static int stats_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                     struct husk_error **err)
{
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:h", stats_options, NULL)) != -1)
		return cmd_option_default(def, opt, argv, err);
	int r = cmd_check_args(def, argc - optind, argv + optind, 1, 1, err);
	if (r < 0)
		return r;
	struct husk_container_stats s;
	if (husk_container_stats_read(&env->ctx, argv[optind], &s, err) < 0)
		return -1;
	print_stats(argv[optind], &s);
	husk_container_stats_release(&s);
	return 0;
}

const struct cmd_def cmd_stats = {
    .name = "stats",
    .args = "<container-id>",
    .summary = "print a container's resource usage as a table",
    .options = "",
    .needs_root = true,
    .names_itself = true,
    .run = stats_run,
};
