/* `husk delete [--force] ID`: removes a container and all it holds. */
#include <errno.h>

#include "common.h"
#include "husk/container.h"

static const struct option delete_options[] = {
    {"force", no_argument, NULL, 'f'},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static int delete_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                      struct husk_error **err)
{
	bool force = false;
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:fh", delete_options, NULL)) != -1) {
		if (opt == 'f')
			force = true;
		else
			return cmd_option_default(def, opt, argv, err);
	}
	int r = cmd_check_args(def, argc - optind, argv + optind, 1, 1, err);
	if (r < 0)
		return r;
	r = husk_container_delete(&env->ctx, argv[optind], force, err);
	/* --force asks for the container to be gone, as runc reads it: one
	 * that does not exist is success.  containerd's shim and podman's
	 * cleanup both delete again after a delete that worked. */
	if (r < 0 && force && (*err)->errnum == ENOENT) {
		husk_error_release(err);
		return 0;
	}
	return r;
}

const struct cmd_def cmd_delete = {
    .name = "delete",
    .args = "<container-id>",
    .summary = "delete a container",
    .options = "  -f, --force           kill a running container first; no error when\n"
               "                        there is no such container\n",
    .needs_root = true,
    .names_itself = true,
    .run = delete_run,
};
