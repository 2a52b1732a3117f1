/* `husk state ID`: the container's state as runc prints it, with the status
 * reconciled against the live process first. */
#include <stdlib.h>

#include "common.h"
#include "husk/state.h"

static const struct option state_options[] = {
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static int state_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                     struct husk_error **err)
{
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:h", state_options, NULL)) != -1)
		return cmd_option_default(def, opt, argv, err);
	int r = cmd_check_args(def, argc - optind, argv + optind, 1, 1, err);
	if (r < 0)
		return r;

	const char *id = argv[optind];
	if (husk_id_validate(id, err) < 0)
		return -1;
	struct husk_state *state = NULL;
	if (husk_state_read(env->ctx.root, id, &state, err) < 0)
		return -1;
	husk_state_refresh(state);
	char *json = husk_state_to_json(state);
	cmd_print_document(json);
	free(json);
	husk_state_free(state);
	return 0;
}

const struct cmd_def cmd_state = {
    .name = "state",
    .args = "<container-id>",
    .summary = "print a container's state as JSON",
    .options = "",
    .needs_root = true,
    .run = state_run,
};
