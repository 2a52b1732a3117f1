/* `husk ps [--format table|json] ID [ps-args...]`: the container's
 * processes.  json is the array of host pids containerd's shim reads;
 * table runs the host's ps(1) (default `-ef`) and keeps its header and the
 * lines whose PID column is one of the container's. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "husk/cleanup.h"
#include "husk/container.h"

static const char *const ps_paths[] = {"/bin/ps", "/usr/bin/ps"};

static const struct option ps_options[] = {
    {"format", required_argument, NULL, 'f'},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static void print_json(const pid_t *pids, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	puts("]");
}

/* The index of the whitespace-separated field named PID in the header. */
static int pid_column(const char *header)
{
	int col = 0;
	for (const char *p = header + strspn(header, " \t"); *p; col++) {
		size_t len = strcspn(p, " \t\n");
		if (len == 3 && !strncmp(p, "PID", 3))
			return col;
		p += len;
		p += strspn(p, " \t\n");
	}
	return -1;
}

/* Field col of line as a pid; -1 when it is missing or not a number. */
static long field_pid(const char *line, int col)
{
	const char *p = line + strspn(line, " \t");
	for (int i = 0; i < col && *p; i++) {
		p += strcspn(p, " \t\n");
		p += strspn(p, " \t");
	}
	char *end;
	errno = 0;
	long v = strtol(p, &end, 10);
	if (end == p || errno || (*end && !strchr(" \t\n", *end)))
		return -1;
	return v;
}

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Prints the header and the container's lines from ps's output on fd. */
static int filter_output(int fd, const pid_t *pids, size_t n, struct husk_error **err)
{
	FILE *in = fdopen(fd, "r");
	if (!in)
		return husk_error_set(err, errno, "read the output of ps");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int col = -1, r = 0;
	for (bool first = true; getline(&line, &cap, in) >= 0; first = false) {
		if (first) {
			col = pid_column(line);
			fputs(line, stdout);
		} else if (col >= 0 && has_pid(pids, n, field_pid(line, col))) {
			fputs(line, stdout);
		}
	}
	if (col < 0)
		r = husk_error_set(err, 0, "ps printed no PID column (ps arguments must keep it)");
	fclose(in);
	return r;
}

static int run_ps(char **ps_args, int n_args, const pid_t *pids, size_t n, struct husk_error **err)
{
	const char *ps = NULL;
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(ps_paths) && !ps; i++)
		if (access(ps_paths[i], X_OK) == 0)
			ps = ps_paths[i];
	if (!ps)
		return husk_error_set(err, 0,
		                      "no ps program at /bin/ps or /usr/bin/ps (install procps), "
		                      "or use --format json");
	char *dflt[] = {"-ef"};
	if (n_args == 0) {
		ps_args = dflt;
		n_args = 1;
	}
	_cleanup_free_ char **argv = calloc((size_t)n_args + 2, sizeof(char *));
	if (!argv)
		abort();
	argv[0] = "ps";
	memcpy(argv + 1, ps_args, (size_t)n_args * sizeof(char *));
	int pipe_fd[2];
	if (pipe2(pipe_fd, O_CLOEXEC) < 0)
		return husk_error_set(err, errno, "pipe");
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(pipe_fd[0]);
		close(pipe_fd[1]);
		return husk_error_set(err, e, "fork");
	}
	if (child == 0) {
		if (dup2(pipe_fd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execv(ps, argv);
		_exit(127);
	}
	close(pipe_fd[1]);
	int r = filter_output(pipe_fd[0], pids, n, err);
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		r = husk_error_set(err, 0, "\"%s\" failed (status %d)", ps,
		                   WIFEXITED(status) ? WEXITSTATUS(status)
		                                     : 128 + WTERMSIG(status));
	return r;
}

static int ps_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                  struct husk_error **err)
{
	bool json = false;
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:f:h", ps_options, NULL)) != -1) {
		if (opt != 'f')
			return cmd_option_default(def, opt, argv, err);
		if (!strcmp(optarg, "json"))
			json = true;
		else if (strcmp(optarg, "table") != 0)
			return cmd_usage_error(
			    def, err, "--format must be table or json, got \"%s\"", optarg);
	}
	int r = cmd_check_args(def, argc - optind, argv + optind, 1, INT_MAX, err);
	if (r < 0)
		return r;
	if (json && argc - optind > 1)
		return cmd_usage_error(def, err, "ps arguments are not allowed with --format json");
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	if (husk_container_ps(&env->ctx, argv[optind], &pids, &n, err) < 0)
		return -1;
	if (json) {
		print_json(pids, n);
		return 0;
	}
	fflush(stdout);
	if (run_ps(argv + optind + 1, argc - optind - 1, pids, n, err) < 0)
		return husk_error_prefix(err, "ps \"%s\"", argv[optind]);
	return 0;
}

const struct cmd_def cmd_ps = {
    .name = "ps",
    .args = "<container-id> [ps options]",
    .summary = "list the processes of a container",
    .options = "  -f, --format FORMAT   table (ps output, default) or json (host pids)\n",
    .needs_root = true,
    .names_itself = true,
    .run = ps_run,
};
