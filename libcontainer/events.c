/* `husk events` and `husk stats` behind the library calls: a container's
 * cgroup counters as runc-shaped JSON events ("stats" every interval, "oom"
 * whenever the cgroup driver tells of an OOM kill), the counters themselves
 * for the table, and run's notice that the OOM killer ended a container.
 * Reading the files is the cgroup driver's job; printing is cmd/'s.
 */
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "cgroup/stats.h"
#include "husk/cleanup.h"
#include "husk/container.h"
#include "husk/state.h"
#include "util/xalloc.h"
#include "util/time.h"

#define DEFAULT_INTERVAL_MS 5000
#define STATE_CHECK_MS      500 /* how soon a stopped container ends the stream */

/* A container's state and its cgroup. */
struct opened {
	struct husk_state *st;
	struct husk_cgroup *cg;
};

static void opened_release(struct opened *o)
{
	husk_state_free(o->st);
	o->st = NULL;
	husk_cgroup_free(o->cg);
	o->cg = NULL;
}

static int open_container(const struct husk_context *ctx, const char *id, struct opened *ret,
                          struct husk_error **err)
{
	ret->st = NULL;
	ret->cg = NULL;
	if (husk_id_validate(id, err) < 0 || husk_state_read(ctx->root, id, &ret->st, err) < 0)
		return -1;
	husk_state_refresh(ret->st);
	if (ret->st->status == HUSK_STATUS_STOPPED) {
		opened_release(ret);
		return husk_error_set(err, 0, "container not running");
	}
	/* legacy hosts: the container runs in husk's cgroups, nothing of its own */
	if (!ret->st->cgroup_path) {
		opened_release(ret);
		return husk_error_set(err, 0, "container has no cgroup of its own on this host");
	}
	if (husk_cgroup_load(ret->st, &ret->cg, err) < 0) {
		opened_release(ret);
		return -1;
	}
	if (ret->cg->missing) {
		husk_error_set(err, ENOENT, "open cgroup \"%s\"", ret->st->cgroup_path);
		opened_release(ret);
		return -1;
	}
	return 0;
}

int husk_container_stats_read(const struct husk_context *ctx, const char *id,
                              struct husk_container_stats *ret, struct husk_error **err)
{
	struct opened o;
	memset(ret, 0, sizeof(*ret));
	int r = open_container(ctx, id, &o, err);
	if (r == 0)
		r = husk_cgroup_read_stats(o.cg, ret, err);
	opened_release(&o);
	if (r < 0)
		return husk_error_prefix(err, "stats \"%s\"", id);
	husk_host_read_stats(ret);
	return 0;
}

void husk_container_stats_release(struct husk_container_stats *s)
{
	for (size_t i = 0; i < s->n_memory_raw; i++)
		free(s->memory_raw[i].key);
	for (size_t i = 0; i < s->n_hugetlb; i++)
		free(s->hugetlb[i].page_size);
	free(s->memory_raw);
	free(s->io);
	free(s->hugetlb);
	memset(s, 0, sizeof(*s));
}

/* ---- JSON: written by hand because PSI averages are fractions, which
 * the generator does not write; every string here is a fixed key, a
 * validated container id or a kernel key of [a-z0-9_]. ---- */

static void render_cpu(FILE *f, const struct husk_container_stats *s)
{
	/* runc reports nanoseconds */
	fprintf(f,
	        "\"cpu\":{\"usage\":{\"total\":%" PRIu64 ",\"kernel\":%" PRIu64 ",\"user\":%" PRIu64
	        "},\"throttling\":{\"periods\":%" PRIu64 ",\"throttledPeriods\":%" PRIu64
	        ",\"throttledTime\":%" PRIu64 "}},",
	        s->cpu_usage_usec * 1000, s->cpu_system_usec * 1000, s->cpu_user_usec * 1000,
	        s->cpu_periods, s->cpu_throttled_periods, s->cpu_throttled_usec * 1000);
}

static void render_memory(FILE *f, const struct husk_container_stats *s)
{
	fprintf(f,
	        "\"memory\":{\"usage\":{\"limit\":%" PRIu64 ",\"usage\":%" PRIu64
	        ",\"max\":%" PRIu64 ",\"failcnt\":%" PRIu64 "}",
	        s->memory_limit, s->memory_usage, s->memory_peak, s->memory_failcnt);
	if (s->has_swap)
		fprintf(f, ",\"swap\":{\"limit\":%" PRIu64 ",\"usage\":%" PRIu64 "}", s->swap_limit,
		        s->swap_usage);
	fputs(",\"raw\":{", f);
	for (size_t i = 0; i < s->n_memory_raw; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", s->memory_raw[i].key,
		        s->memory_raw[i].value);
	fputs("}},", f);
}

static void render_blkio_list(FILE *f, const char *name, const struct husk_container_stats *s,
                              bool bytes)
{
	fprintf(f, "\"%s\":[", name);
	for (size_t i = 0; i < s->n_io; i++) {
		const struct husk_io_device *d = &s->io[i];
		fprintf(f,
		        "%s{\"major\":%u,\"minor\":%u,\"op\":\"Read\",\"value\":%" PRIu64 "},"
		        "{\"major\":%u,\"minor\":%u,\"op\":\"Write\",\"value\":%" PRIu64 "}",
		        i ? "," : "", d->major, d->minor, bytes ? d->rbytes : d->rios, d->major,
		        d->minor, bytes ? d->wbytes : d->wios);
	}
	fputc(']', f);
}

static void render_psi_line(FILE *f, const char *kind, const struct husk_psi_line *l)
{
	fprintf(f, "\"%s\":{\"avg10\":%.2f,\"avg60\":%.2f,\"avg300\":%.2f,\"total\":%" PRIu64 "}",
	        kind, l->avg10, l->avg60, l->avg300, l->total);
}

static void render_pressure(FILE *f, const struct husk_container_stats *s)
{
	const struct {
		const char *name;
		const struct husk_psi *psi;
	} all[] = {
	    {"cpu", &s->cpu_pressure}, {"memory", &s->memory_pressure}, {"io", &s->io_pressure}};
	bool first = true;
	fputs("\"pressure\":{", f);
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(all); i++) {
		if (!all[i].psi->present)
			continue;
		fprintf(f, "%s\"%s\":{", first ? "" : ",", all[i].name);
		render_psi_line(f, "some", &all[i].psi->some);
		if (all[i].psi->has_full) {
			fputc(',', f);
			render_psi_line(f, "full", &all[i].psi->full);
		}
		fputc('}', f);
		first = false;
	}
	fputs("},", f);
}

static char *render_stats(const char *id, const struct husk_container_stats *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		abort(); /* out of memory, as xmalloc */
	fprintf(f, "{\"type\":\"stats\",\"id\":\"%s\",\"data\":{", id);
	if (s->has_cpu)
		render_cpu(f, s);
	if (s->has_memory)
		render_memory(f, s);
	if (s->has_pids) /* runc: 0 for no limit */
		fprintf(f, "\"pids\":{\"current\":%" PRIu64 ",\"limit\":%" PRIu64 "},",
		        s->pids_current, s->pids_limit == UINT64_MAX ? 0 : s->pids_limit);
	if (s->n_io) {
		fputs("\"blkio\":{", f);
		render_blkio_list(f, "ioServiceBytesRecursive", s, true);
		fputc(',', f);
		render_blkio_list(f, "ioServicedRecursive", s, false);
		fputs("},", f);
	}
	if (s->n_hugetlb) {
		fputs("\"hugetlb\":{", f);
		for (size_t i = 0; i < s->n_hugetlb; i++)
			fprintf(f, "%s\"%s\":{\"usage\":%" PRIu64 ",\"failcnt\":%" PRIu64 "}",
			        i ? "," : "", s->hugetlb[i].page_size, s->hugetlb[i].usage,
			        s->hugetlb[i].failcnt);
		fputs("},", f);
	}
	if (s->cpu_pressure.present || s->memory_pressure.present || s->io_pressure.present)
		render_pressure(f, s);
	if (s->has_oom)
		fprintf(f, "\"oomKills\":%" PRIu64 ",", s->oom_kills);
	fflush(f);
	/* every section ends in ','; drop the last one */
	if (len && buf[len - 1] == ',')
		fseek(f, -1, SEEK_CUR);
	fputs("}}", f);
	if (fclose(f) != 0)
		abort();
	return buf;
}

static int emit_stats(const struct opened *o, const char *id,
                      int (*emit)(void *, const char *, struct husk_error **), void *data,
                      struct husk_error **err)
{
	struct husk_container_stats s;
	if (husk_cgroup_read_stats(o->cg, &s, err) < 0)
		return -1;
	_cleanup_free_ char *line = render_stats(id, &s);
	husk_container_stats_release(&s);
	return emit(data, line, err);
}

/* Whether the container is still there and not stopped. */
static bool still_running(const struct husk_context *ctx, const char *id)
{
	struct husk_state *st = NULL;
	struct husk_error *tmp = NULL;
	if (husk_state_read(ctx->root, id, &st, &tmp) < 0) {
		husk_error_release(&tmp);
		return false;
	}
	husk_state_refresh(st);
	bool running = st->status != HUSK_STATUS_STOPPED;
	husk_state_free(st);
	return running;
}

/* One "oom" event each time the driver tells of an OOM kill: v2 counts
 * memory.events' oom_kill (inotify wakes us), v1 signals an eventfd. */
static int check_oom(const struct opened *o, const char *id, struct husk_cgroup_oom_watch *w,
                     int (*emit)(void *, const char *, struct husk_error **), void *data,
                     struct husk_error **err)
{
	if (!husk_cgroup_oom_check(o->cg, w))
		return 0;
	_cleanup_free_ char *line = xasprintf("{\"type\":\"oom\",\"id\":\"%s\"}", id);
	return emit(data, line, err);
}

static int stream_watched(const struct husk_context *ctx, const char *id, const struct opened *o,
                          struct husk_cgroup_oom_watch *w, unsigned interval_ms,
                          int (*emit)(void *, const char *, struct husk_error **), void *data,
                          struct husk_error **err)
{
	int64_t next_stats = husk_time_monotonic_ms() + interval_ms,
	        next_check = husk_time_monotonic_ms() + STATE_CHECK_MS;
	for (;;) {
		int64_t t = husk_time_monotonic_ms();
		int64_t wait = (next_stats < next_check ? next_stats : next_check) - t;
		struct pollfd p = {.fd = w->fd, .events = POLLIN};
		(void)poll(&p, w->fd >= 0 ? 1 : 0, wait > 0 ? (int)wait : 0);
		if (check_oom(o, id, w, emit, data, err) < 0)
			return -1;
		t = husk_time_monotonic_ms();
		if (t >= next_check) {
			if (!still_running(ctx, id))
				return 0;
			next_check = t + STATE_CHECK_MS;
		}
		if (t >= next_stats) {
			struct husk_error *tmp = NULL;
			if (emit_stats(o, id, emit, data, &tmp) < 0) {
				if (still_running(ctx, id) && !*err)
					*err = TAKE_PTR(tmp);
				husk_error_release(&tmp);
				/* a stopped container's cgroup goes with it: the end */
				return *err ? -1 : 0;
			}
			next_stats = t + interval_ms;
		}
	}
}

static int stream(const struct husk_context *ctx, const char *id, const struct opened *o,
                  unsigned interval_ms, int (*emit)(void *, const char *, struct husk_error **),
                  void *data, struct husk_error **err)
{
	struct husk_cgroup_oom_watch w;
	if (husk_cgroup_oom_watch(o->cg, &w, err) < 0)
		return -1;
	int r = stream_watched(ctx, id, o, &w, interval_ms, emit, data, err);
	husk_cgroup_oom_unwatch(&w);
	return r;
}

int husk_container_events(const struct husk_context *ctx, const char *id,
                          const struct husk_events_options *opts,
                          int (*emit)(void *data, const char *line, struct husk_error **err),
                          void *data, struct husk_error **err)
{
	struct opened o;
	int r = open_container(ctx, id, &o, err);
	if (r == 0 && opts->stats_once)
		r = emit_stats(&o, id, emit, data, err);
	else if (r == 0)
		r = stream(ctx, id, &o, opts->interval_ms ? opts->interval_ms : DEFAULT_INTERVAL_MS,
		           emit, data, err);
	opened_release(&o);
	if (r < 0)
		return husk_error_prefix(err, "events \"%s\"", id);
	return 0;
}

static void format_bytes(uint64_t n, char *buf, size_t size)
{
	if (n >= (1ULL << 30) && n % (1ULL << 30) == 0)
		snprintf(buf, size, "%" PRIu64 " GiB", n >> 30);
	else if (n >= (1ULL << 20) && n % (1ULL << 20) == 0)
		snprintf(buf, size, "%" PRIu64 " MiB", n >> 20);
	else if (n >= (1ULL << 10) && n % (1ULL << 10) == 0)
		snprintf(buf, size, "%" PRIu64 " KiB", n >> 10);
	else
		snprintf(buf, size, "%" PRIu64 " bytes", n);
}

void husk_container_oom_report(const struct husk_context *ctx, const char *id, int status)
{
	if (status != 128 + SIGKILL)
		return;
	struct husk_state *st = NULL;
	struct husk_cgroup *cg = NULL;
	struct husk_error *tmp = NULL;
	struct husk_cgroup_stats stats = {0};
	int r = husk_state_read(ctx->root, id, &st, &tmp);
	if (r == 0 && st->cgroup_path)
		r = husk_cgroup_load(st, &cg, &tmp);
	if (r == 0 && cg)
		r = husk_cgroup_stats(cg, &stats, &tmp);
	husk_error_release(&tmp);
	husk_state_free(st);
	if (r < 0 || !cg || !stats.has_oom || stats.oom_kill == 0) {
		husk_cgroup_free(cg);
		return;
	}
	char what[64] = "";
	if (stats.has_memory && stats.memory_max != UINT64_MAX) {
		char size[32];
		format_bytes(stats.memory_max, size, sizeof(size));
		snprintf(what, sizeof(what), " (%s %s)", cg->driver->memory_limit_file, size);
	}
	husk_cgroup_free(cg);
	husk_warn(ctx, "container \"%s\" was killed by the kernel's OOM killer%s", id, what);
}
