/* husk's entry point: global options, the command table, exit codes.
 *
 *   husk [global options] COMMAND [options] [arguments]
 *
 * Exit codes: 0 success, 1 failure, 2 a bad command line.  Global options
 * come before the command and the command's own after it; parsing stops at
 * the first positional argument, as runc's CLI does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "husk/cleanup.h"
#include "husk/features.h"

/* Adding a command is one line here and its declaration in common.h. */
static const struct cmd_def *const commands[] = {
    &cmd_create, &cmd_delete, &cmd_events, &cmd_exec,   &cmd_features, &cmd_kill,
    &cmd_list,   &cmd_pause,  &cmd_ps,     &cmd_resume, &cmd_run,      &cmd_spec,
    &cmd_start,  &cmd_state,  &cmd_stats,  &cmd_update, &cmd_validate,
};

enum {
	OPT_ROOT = OPT_FIRST_LONG,
	OPT_LOG,
	OPT_LOG_FORMAT,
	OPT_DEBUG,
	OPT_SYSTEMD_CGROUP,
	OPT_ROOTLESS,
};

static const struct option global_options[] = {
    {"root", required_argument, NULL, OPT_ROOT},
    {"log", required_argument, NULL, OPT_LOG},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
    {"debug", no_argument, NULL, OPT_DEBUG},
    {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP},
    {"rootless", required_argument, NULL, OPT_ROOTLESS},
    {"version", no_argument, NULL, 'v'},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

/* The pseudo-command global usage errors are reported against. */
static const struct cmd_def global_def = {.name = "", .args = "", .summary = "", .options = ""};

static void print_global_help(void)
{
	printf("Usage: husk [global options] COMMAND [options] [arguments]\n\n"
	       "husk runs OCI containers (a runc-compatible command line).\n\nCommands:\n");
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(commands); i++)
		printf("  %-12s %s\n", commands[i]->name, commands[i]->summary);
	printf("\nGlobal options:\n"
	       "  --root DIR            state directory (default /run/husk, or\n"
	       "                        $XDG_RUNTIME_DIR/husk when not root)\n"
	       "  --log FILE            append log lines to FILE\n"
	       "  --log-format FORMAT   text or json (default text)\n"
	       "  --debug               write debug lines to the log\n"
	       "  --systemd-cgroup      let systemd manage the container's cgroup\n"
	       "  --rootless VALUE      true, false or auto (default auto)\n"
	       "  -v, --version         print the version\n"
	       "  -h, --help            show this help\n\n"
	       "Run 'husk COMMAND --help' for a command's options.\n");
}

static void print_version(void)
{
	char *seccomp = husk_libseccomp_version();
	printf("husk version %s\ncommit: %s\nspec: %s\nlibseccomp: %s\n", HUSK_VERSION, HUSK_COMMIT,
	       HUSK_OCI_VERSION_MAX, seccomp);
	free(seccomp);
}

static int parse_global_value(int opt, struct husk_context *ctx, struct husk_error **err)
{
	switch (opt) {
	case OPT_ROOT:
		ctx->root = optarg;
		return 0;
	case OPT_LOG:
		ctx->log_path = optarg;
		return 0;
	case OPT_LOG_FORMAT:
		if (!strcmp(optarg, "text"))
			ctx->log_format = HUSK_LOG_TEXT;
		else if (!strcmp(optarg, "json"))
			ctx->log_format = HUSK_LOG_JSON;
		else
			return cmd_usage_error(&global_def, err,
			                       "--log-format must be text or json, got \"%s\"",
			                       optarg);
		return 0;
	case OPT_ROOTLESS:
		if (!strcmp(optarg, "true"))
			ctx->rootless = HUSK_ROOTLESS_TRUE;
		else if (!strcmp(optarg, "false"))
			ctx->rootless = HUSK_ROOTLESS_FALSE;
		else if (!strcmp(optarg, "auto"))
			ctx->rootless = HUSK_ROOTLESS_AUTO;
		else
			return cmd_usage_error(&global_def, err,
			                       "--rootless must be true, false or auto, got \"%s\"",
			                       optarg);
		return 0;
	case OPT_DEBUG:
		ctx->debug = true;
		return 0;
	case OPT_SYSTEMD_CGROUP:
		ctx->systemd_cgroup = true;
		return 0;
	}
	return -1;
}

/* Returns 1 when --help or --version was handled, 0 to go on to the command
 * at argv[optind], CMD_USAGE on a bad option. */
static int parse_global(int argc, char **argv, struct husk_context *ctx, struct husk_error **err)
{
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:hv", global_options, NULL)) != -1) {
		if (opt == 'h') {
			print_global_help();
			return 1;
		}
		if (opt == 'v') {
			print_version();
			return 1;
		}
		if (opt == '?' || opt == ':')
			return cmd_option_default(&global_def, opt, argv, err);
		int r = parse_global_value(opt, ctx, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The state root: --root, else /run/husk for root, else the user's runtime
 * directory.  Made absolute so later chdir()s cannot move it. */
static int resolve_root(struct husk_context *ctx, char **ret_owned, struct husk_error **err)
{
	const char *root = ctx->root;
	_cleanup_free_ char *dflt = NULL;
	if (!root && geteuid() == 0) {
		root = "/run/husk";
	} else if (!root) {
		const char *xdg = getenv("XDG_RUNTIME_DIR");
		if (!xdg || !*xdg)
			return husk_error_set(err, 0, "XDG_RUNTIME_DIR is not set: pass --root");
		if (asprintf(&dflt, "%s/husk", xdg) < 0)
			abort();
		root = dflt;
	}
	if (root[0] == '/') {
		*ret_owned = strdup(root);
	} else {
		_cleanup_free_ char *cwd = getcwd(NULL, 0);
		if (!cwd)
			return husk_error_set(err, errno, "resolve --root \"%s\"", root);
		if (asprintf(ret_owned, "%s/%s", cwd, root) < 0)
			abort();
	}
	if (!*ret_owned)
		abort();
	ctx->root = *ret_owned;
	return 0;
}

static const struct cmd_def *find_command(const char *name)
{
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static int run_command(struct cmd_env *env, int argc, char **argv, char **root_owned,
                       struct husk_error **err)
{
	if (argc < 1)
		return cmd_usage_error(&global_def, err, "missing command");
	const struct cmd_def *def = find_command(argv[0]);
	if (!def)
		return cmd_usage_error(&global_def, err, "unknown command \"%s\"", argv[0]);
	if (def->needs_root && resolve_root(&env->ctx, root_owned, err) < 0)
		return -1;
	husk_log_debug(&env->log, "command %s, root %s", def->name,
	               env->ctx.root ? env->ctx.root : "(none)");
	int r = def->run(def, env, argc, argv, err);
	if (r < 0 && !def->names_itself)
		husk_error_prefix(err, "%s", def->name);
	return r;
}

static int exit_code(int r)
{
	if (r == CMD_USAGE)
		return EXIT_USAGE;
	if (r > 0)
		return r & 0xff; /* the container's own exit status (run, exec) */
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	struct cmd_env env = {.ctx = {.log_format = HUSK_LOG_TEXT, .rootless = HUSK_ROOTLESS_AUTO},
	                      .log = {.fd = -1}};
	struct husk_error *err = NULL;
	_cleanup_free_ char *root_owned = NULL;

	int r = parse_global(argc, argv, &env.ctx, &err);
	/* Open the log even after a bad option: containerd only sees the file. */
	if (env.ctx.log_path) {
		struct husk_error *log_err = NULL;
		if (husk_log_open(&env.log, env.ctx.log_path, env.ctx.log_format, env.ctx.debug,
		                  &log_err) < 0) {
			cmd_render_error(&env.log, log_err);
			husk_error_free(log_err);
			husk_error_free(err);
			return EXIT_FAILURE;
		}
	}
	env.ctx.warn = cmd_render_warning;
	env.ctx.warn_data = &env.log;
	env.log.format = env.ctx.log_format;
	env.log.debug = env.ctx.debug;
	if (r == 0)
		r = run_command(&env, argc - optind, argv + optind, &root_owned, &err);
	else if (r > 0)
		r = 0; /* --help or --version was answered */

	/* A full disk or closed pipe must not pass for a successful `state`. */
	errno = 0;
	if ((fflush(stdout) != 0 || ferror(stdout)) && r >= 0)
		r = husk_error_set(&err, errno ? errno : EIO, "write standard output");
	if (r < 0 && err)
		cmd_render_error(&env.log, err);
	husk_error_free(err);
	husk_log_close(&env.log);
	return exit_code(r);
}
