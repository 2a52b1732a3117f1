/* `husk create`: builds a container and leaves its init waiting for start.
 * The create options are shared with run (cmd_create_option). */
#include <stdlib.h>

#include "common.h"
#include "husk/container.h"

static const struct option create_options[] = {
    CMD_CREATE_OPTIONS,
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

int cmd_parse_count(const struct cmd_def *def, const char *flag, const char *text, int *ret,
                    struct husk_error **err)
{
	char *end;
	long n = strtol(text, &end, 10);
	if (!*text || *end || n < 0 || n > 65536)
		return cmd_usage_error(def, err, "flag \"--%s\": \"%s\" is not a count", flag,
		                       text);
	*ret = (int)n;
	return 0;
}

int cmd_create_option(const struct cmd_def *def, int opt, struct husk_create_options *o,
                      struct husk_error **err)
{
	switch (opt) {
	case 'b':
		o->bundle = optarg;
		return 1;
	case OPT_PID_FILE:
		o->pid_file = optarg;
		return 1;
	case OPT_CONSOLE_SOCKET:
		o->console_socket = optarg;
		return 1;
	case OPT_NO_PIVOT:
		o->no_pivot = true;
		return 1;
	case OPT_NO_NEW_KEYRING:
		o->no_new_keyring = true;
		return 1;
	case OPT_PRESERVE_FDS:
		return cmd_parse_count(def, "preserve-fds", optarg, &o->preserve_fds, err) < 0
		           ? CMD_USAGE
		           : 1;
	default:
		return 0;
	}
}

static int create_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                      struct husk_error **err)
{
	struct husk_create_options o = {0};
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:b:h", create_options, NULL)) != -1) {
		int r = cmd_create_option(def, opt, &o, err);
		if (r == 0)
			return cmd_option_default(def, opt, argv, err);
		if (r < 0)
			return r;
	}
	int r = cmd_check_args(def, argc - optind, argv + optind, 1, 1, err);
	if (r < 0)
		return r;
	return husk_container_create(&env->ctx, argv[optind], &o, err);
}

const struct cmd_def cmd_create = {
    .name = "create",
    .args = "<container-id>",
    .summary = "create a container (its process waits for start)",
    .options = "  -b, --bundle DIR      the bundle (default: the current directory)\n"
               "  --pid-file FILE       write the init's pid to FILE\n"
               "  --console-socket SOCK send the terminal's master to the unix socket SOCK\n"
               "  --no-pivot            move the rootfs with MS_MOVE instead of pivot_root\n"
               "  --no-new-keyring      keep the caller's session keyring\n"
               "  --preserve-fds N      pass fds 3..3+N-1 to the container\n",
    .needs_root = true,
    .names_itself = true,
    .run = create_run,
};
