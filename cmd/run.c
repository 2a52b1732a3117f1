/* `husk run`: create + start; in the foreground it waits, forwards signals,
 * deletes the container and exits with the container's status. */
#include "common.h"
#include "husk/container.h"

enum {
	OPT_KEEP = OPT_RUN_FIRST,
};

static const struct option run_options[] = {
    CMD_CREATE_OPTIONS,
    {"detach", no_argument, NULL, 'd'},
    {"keep", no_argument, NULL, OPT_KEEP},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static int run_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                   struct husk_error **err)
{
	struct husk_run_options o = {0};
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:b:dh", run_options, NULL)) != -1) {
		int r = cmd_create_option(def, opt, &o.create, err);
		if (r < 0)
			return r;
		if (r > 0)
			continue;
		if (opt == 'd')
			o.detach = true;
		else if (opt == OPT_KEEP)
			o.keep = true;
		else
			return cmd_option_default(def, opt, argv, err);
	}
	int r = cmd_check_args(def, argc - optind, argv + optind, 1, 1, err);
	if (r < 0)
		return r;
	int status = 0;
	if (husk_container_run(&env->ctx, argv[optind], &o, &status, err) < 0)
		return -1;
	return status;
}

const struct cmd_def cmd_run = {
    .name = "run",
    .args = "<container-id>",
    .summary = "create and start a container, wait for it and delete it",
    .options = "  -b, --bundle DIR      the bundle (default: the current directory)\n"
               "  -d, --detach          return once the container runs\n"
               "  --keep                do not delete the container after it exits\n"
               "  --pid-file FILE       write the init's pid to FILE\n"
               "  --console-socket SOCK send the terminal's master to the unix socket SOCK\n"
               "  --no-pivot            move the rootfs with MS_MOVE instead of pivot_root\n"
               "  --no-new-keyring      keep the caller's session keyring\n"
               "  --preserve-fds N      pass fds 3..3+N-1 to the container\n",
    .needs_root = true,
    .names_itself = true,
    .run = run_run,
};
