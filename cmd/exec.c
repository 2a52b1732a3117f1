/* `husk exec`: another process in a running container, from --process FILE
 * or from the command line over the container's own process settings. */
#include <stdlib.h>

#include "common.h"
#include "husk/container.h"
#include "husk/cleanup.h"

enum {
	OPT_CWD = OPT_RUN_FIRST,
	OPT_NO_NEW_PRIVS,
	OPT_APPARMOR,
	OPT_PROCESS_LABEL,
};

static const struct option exec_options[] = {
    {"process", required_argument, NULL, 'p'},
    {"tty", no_argument, NULL, 't'},
    {"detach", no_argument, NULL, 'd'},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
    {"cwd", required_argument, NULL, OPT_CWD},
    {"env", required_argument, NULL, 'e'},
    {"user", required_argument, NULL, 'u'},
    {"cap", required_argument, NULL, 'c'},
    {"no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS},
    {"apparmor", required_argument, NULL, OPT_APPARMOR},
    {"process-label", required_argument, NULL, OPT_PROCESS_LABEL},
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static void push(char ***list, size_t *n, char *item)
{
	*list = realloc(*list, (*n + 1) * sizeof(char *));
	if (!*list)
		abort();
	(*list)[(*n)++] = item;
}

static int exec_option(const struct cmd_def *def, int opt, struct husk_exec_options *o,
                       struct husk_error **err)
{
	switch (opt) {
	case 'p':
		o->process_file = optarg;
		break;
	case 't':
		o->tty = true;
		break;
	case 'd':
		o->detach = true;
		break;
	case OPT_PID_FILE:
		o->pid_file = optarg;
		break;
	case OPT_CONSOLE_SOCKET:
		o->console_socket = optarg;
		break;
	case OPT_CWD:
		o->cwd = optarg;
		break;
	case 'e':
		push(&o->env, &o->n_env, optarg);
		break;
	case 'u':
		o->user = optarg;
		break;
	case 'c':
		push(&o->caps, &o->n_caps, optarg);
		break;
	case OPT_NO_NEW_PRIVS:
		o->no_new_privs = true;
		break;
	case OPT_APPARMOR:
		o->apparmor = optarg;
		break;
	case OPT_PROCESS_LABEL:
		o->process_label = optarg;
		break;
	case OPT_PRESERVE_FDS:
		return cmd_parse_count(def, "preserve-fds", optarg, &o->preserve_fds, err) < 0
		           ? CMD_USAGE
		           : 1;
	default:
		return 0;
	}
	return 1;
}

static int exec_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                    struct husk_error **err)
{
	struct husk_exec_options o = {0};
	_cleanup_free_ char **env_list = NULL;
	_cleanup_free_ char **cap_list = NULL;
	int opt, r = 0;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:p:tde:u:c:h", exec_options, NULL)) != -1) {
		r = exec_option(def, opt, &o, err);
		env_list = o.env;
		cap_list = o.caps;
		if (r == 0)
			return cmd_option_default(def, opt, argv, err);
		if (r < 0)
			return r;
	}
	int min = o.process_file ? 1 : 2;
	r = cmd_check_args(def, argc - optind, argv + optind, min, o.process_file ? 1 : argc, err);
	if (r < 0)
		return r;
	o.args = argv + optind + 1;
	o.n_args = (size_t)(argc - optind - 1);
	int status = 0;
	if (husk_container_exec(&env->ctx, argv[optind], &o, &status, err) < 0)
		return -1;
	return status;
}

const struct cmd_def cmd_exec = {
    .name = "exec",
    .args = "<container-id> [command [args...]]",
    .summary = "run another process in a running container",
    .options = "  -p, --process FILE    the process as an OCI process JSON object\n"
               "  -t, --tty             give the process a terminal\n"
               "  -d, --detach          do not wait for the process\n"
               "  --pid-file FILE       write the process's pid to FILE\n"
               "  --console-socket SOCK send the terminal's master to the unix socket SOCK\n"
               "  --cwd DIR             working directory inside the container\n"
               "  -e, --env KEY=VALUE   add an environment variable (repeatable)\n"
               "  -u, --user UID[:GID]  run as this user\n"
               "  -c, --cap CAP         add a capability of the container's bounding set\n"
               "                        (repeatable)\n"
               "  --no-new-privs        set no_new_privs\n"
               "  --apparmor PROFILE    run under this AppArmor profile\n"
               "  --process-label LABEL run with this SELinux label\n"
               "  --preserve-fds N      pass fds 3..3+N-1 to the process\n",
    .needs_root = true,
    .names_itself = true,
    .run = exec_run,
};
