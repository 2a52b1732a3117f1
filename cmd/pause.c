/* `husk pause ID`: freezes a running container; its status becomes paused. */
#include "common.h"
#include "husk/container.h"

static const struct option pause_options[] = {
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static int pause_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                     struct husk_error **err)
{
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:h", pause_options, NULL)) != -1)
		return cmd_option_default(def, opt, argv, err);
	int r = cmd_check_args(def, argc - optind, argv + optind, 1, 1, err);
	if (r < 0)
		return r;
	return husk_container_pause(&env->ctx, argv[optind], err);
}

const struct cmd_def cmd_pause = {
    .name = "pause",
    .args = "<container-id>",
    .summary = "suspend every process of a container (cgroup freezer)",
    .options = "",
    .needs_root = true,
    .names_itself = true,
    .run = pause_run,
};
