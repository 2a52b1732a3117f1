/* `husk resume ID`: thaws a paused container; its status becomes running. */
#include "common.h"
#include "husk/container.h"

static const struct option resume_options[] = {
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static int resume_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                      struct husk_error **err)
{
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:h", resume_options, NULL)) != -1)
		return cmd_option_default(def, opt, argv, err);
	int r = cmd_check_args(def, argc - optind, argv + optind, 1, 1, err);
	if (r < 0)
		return r;
	return husk_container_resume(&env->ctx, argv[optind], err);
}

const struct cmd_def cmd_resume = {
    .name = "resume",
    .args = "<container-id>",
    .summary = "resume every process of a paused container",
    .options = "",
    .needs_root = true,
    .names_itself = true,
    .run = resume_run,
};
