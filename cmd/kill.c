/* `husk kill [--all] ID [SIGNAL]`: SIGTERM unless told otherwise. */
#include <signal.h>

#include "common.h"
#include "husk/container.h"
#include "husk/signals.h"

static const struct option kill_options[] = {
    {"all", no_argument, NULL, 'a'},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static int kill_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                    struct husk_error **err)
{
	bool all = false;
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:ah", kill_options, NULL)) != -1) {
		if (opt == 'a')
			all = true;
		else
			return cmd_option_default(def, opt, argv, err);
	}
	int r = cmd_check_args(def, argc - optind, argv + optind, 1, 2, err);
	if (r < 0)
		return r;
	int signo = SIGTERM;
	if (argc - optind == 2 && husk_signal_parse(argv[optind + 1], &signo, err) < 0)
		return cmd_usage_error(def, err, "%s", (*err)->msg);
	return husk_container_kill(&env->ctx, argv[optind], signo, all, err);
}

const struct cmd_def cmd_kill = {
    .name = "kill",
    .args = "<container-id> [signal]",
    .summary = "send a signal (default SIGTERM) to a container",
    .options = "  -a, --all             signal every process of the container\n",
    .needs_root = true,
    .names_itself = true,
    .run = kill_run,
};
