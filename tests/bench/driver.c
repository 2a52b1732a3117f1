/* bench-driver: runs the benchmark's commands one after another and times
 * each one precisely, so that no shell start-up cost lands in a figure.
 *
 *   bench-driver run   < PLAN    > RESULTS
 *   bench-driver stats < RESULTS > STATS
 *
 * PLAN has one step per line, fields separated by tabs:
 *   T KEY ARGV...   timed: one RESULTS line "KEY NS MAXRSS_KB STATUS ERROR"
 *   U ARGV...       untimed set-up; must exit 0, else the run stops (exit 1)
 *   W ARGV...       untimed wait: repeated until it exits 0 (10 s at most)
 * A timed step's clock runs from just before the spawn to the return of
 * wait4(); MAXRSS_KB is that wait4's ru_maxrss (the runtime process and the
 * descendants it reaped).  STATUS is the exit code, or 128 + the signal;
 * ERROR the first line of its stderr when STATUS is not 0, else "-".
 * Children get /dev/null as stdin and stdout.
 *
 * stats groups RESULTS by KEY (in first-seen order) and prints per key:
 *   KEY OK FAILED MEDIAN_US P90_US P99_US MIN_US MEAN_US MAXRSS_KB ERROR
 * over the steps that exited 0 (percentiles by nearest rank). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ARGS      64
#define WAIT_STEP_NS  2000000L
#define WAIT_LIMIT_NS 10000000000L

struct child_io {
	int null_fd;
	int err_fd; /* a memfd holding the last child's stderr */
};

static void die(const char *what)
{
	fprintf(stderr, "bench-driver: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Spawns argv with the standard streams redirected, waits for it and
 * returns its status (exit code or 128 + signal); -1 if it could not start. */
static int spawn_wait(struct child_io *io, char **argv, long long *ret_ns, long *ret_rss)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	long long t0;
	pid_t pid;
	int status, r;

	if (ftruncate(io->err_fd, 0) < 0 || lseek(io->err_fd, 0, SEEK_SET) < 0)
		die("reset stderr buffer");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, io->null_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, io->null_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, io->err_fd, 2);
	t0 = now_ns();
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		dprintf(io->err_fd, "cannot run '%s': %s\n", argv[0], strerror(r));
		return -1;
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	*ret_ns = now_ns() - t0;
	*ret_rss = ru.ru_maxrss;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* The first line of the last child's stderr, tabs made spaces, or "-". */
static void first_err_line(struct child_io *io, char *buf, size_t size)
{
	ssize_t n = pread(io->err_fd, buf, size - 1, 0);
	char *p;

	if (n <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	for (p = buf; *p; p++)
		if (*p == '\t' || *p == '\r')
			*p = ' ';
	if (buf[0] == '\0')
		snprintf(buf, size, "-");
}

static int split_tabs(char *line, char **fields, int max)
{
	int n = 0;
	char *save = NULL, *f;

	line[strcspn(line, "\n")] = '\0';
	for (f = strtok_r(line, "\t", &save); f && n < max - 1; f = strtok_r(NULL, "\t", &save))
		fields[n++] = f;
	fields[n] = NULL;
	return n;
}

static void run_untimed(struct child_io *io, char **argv, int repeat, unsigned long lineno)
{
	long long start = now_ns(), ns;
	struct timespec pause = {0, WAIT_STEP_NS};
	char err[512];
	long rss;
	int st;

	for (;;) {
		st = spawn_wait(io, argv, &ns, &rss);
		if (st == 0)
			return;
		if (!repeat || now_ns() - start > WAIT_LIMIT_NS)
			break;
		nanosleep(&pause, NULL);
	}
	first_err_line(io, err, sizeof(err));
	fprintf(stderr, "bench-driver: plan line %lu: '%s' %s (status %d): %s\n", lineno, argv[0],
	        repeat ? "never succeeded within 10 s" : "failed", st, err);
	exit(1);
}

static int cmd_run(void)
{
	struct child_io io;
	char *line = NULL, *f[MAX_ARGS + 2], err[512];
	size_t cap = 0;
	unsigned long lineno = 0;
	long long ns;
	long rss;
	int n, st;

	io.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (io.null_fd < 0)
		die("open /dev/null");
	io.err_fd = memfd_create("bench-stderr", MFD_CLOEXEC);
	if (io.err_fd < 0)
		die("memfd_create");
	while (getline(&line, &cap, stdin) > 0) {
		lineno++;
		n = split_tabs(line, f, MAX_ARGS + 2);
		if (n == 0)
			continue;
		if (strcmp(f[0], "T") == 0 && n >= 3) {
			st = spawn_wait(&io, f + 2, &ns, &rss);
			if (st == 0)
				snprintf(err, sizeof(err), "-");
			else
				first_err_line(&io, err, sizeof(err));
			printf("%s\t%lld\t%ld\t%d\t%s\n", f[1], st < 0 ? 0 : ns, st < 0 ? 0 : rss,
			       st < 0 ? 127 : st, err);
			fflush(stdout);
		} else if ((strcmp(f[0], "U") == 0 || strcmp(f[0], "W") == 0) && n >= 2) {
			run_untimed(&io, f + 1, f[0][0] == 'W', lineno);
		} else {
			fprintf(stderr, "bench-driver: plan line %lu: bad step '%s'\n", lineno,
			        f[0]);
			return 1;
		}
	}
	free(line);
	return 0;
}

struct series {
	char *key;
	double *us;
	size_t n, cap;
	unsigned long failed;
	long maxrss;
	char *err;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double rank(const double *v, size_t n, double pct)
{
	size_t i = (size_t)ceil(pct / 100.0 * (double)n);

	return v[i == 0 ? 0 : i - 1];
}

static struct series *find_series(struct series **all, size_t *n, const char *key)
{
	struct series *s;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*all)[i].key, key) == 0)
			return &(*all)[i];
	*all = realloc(*all, (*n + 1) * sizeof(**all));
	if (!*all)
		die("realloc");
	s = &(*all)[(*n)++];
	memset(s, 0, sizeof(*s));
	s->key = strdup(key);
	return s;
}

static void add_sample(struct series *s, char **f)
{
	if (atoi(f[3]) != 0) {
		s->failed++;
		if (!s->err)
			s->err = strdup(f[4]);
		return;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->us = realloc(s->us, s->cap * sizeof(double));
		if (!s->us)
			die("realloc");
	}
	s->us[s->n++] = atof(f[1]) / 1000.0;
	if (atol(f[2]) > s->maxrss)
		s->maxrss = atol(f[2]);
}

static void print_series(struct series *s)
{
	double sum = 0;

	if (s->n == 0) {
		printf("%s\t0\t%lu\t-\t-\t-\t-\t-\t-\t%s\n", s->key, s->failed,
		       s->err ? s->err : "-");
		return;
	}
	qsort(s->us, s->n, sizeof(double), cmp_double);
	for (size_t i = 0; i < s->n; i++)
		sum += s->us[i];
	printf("%s\t%zu\t%lu\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%ld\t%s\n", s->key, s->n, s->failed,
	       rank(s->us, s->n, 50), rank(s->us, s->n, 90), rank(s->us, s->n, 99), s->us[0],
	       sum / (double)s->n, s->maxrss, s->err ? s->err : "-");
}

static int cmd_stats(void)
{
	struct series *all = NULL;
	size_t n = 0;
	char *line = NULL, *f[8];
	size_t cap = 0;

	while (getline(&line, &cap, stdin) > 0)
		if (split_tabs(line, f, 8) >= 5)
			add_sample(find_series(&all, &n, f[0]), f);
	for (size_t i = 0; i < n; i++)
		print_series(&all[i]);
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "run") == 0)
		return cmd_run();
	if (argc == 2 && strcmp(argv[1], "stats") == 0)
		return cmd_stats();
	fprintf(stderr, "usage: bench-driver run|stats < INPUT\n");
	return 2;
}
