/* `husk features`: prints the OCI features document (what this build
 * implements) built by the library. */
#include <stdlib.h>

#include "common.h"
#include "husk/features.h"

static const struct option features_options[] = {
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static int features_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                        struct husk_error **err)
{
	(void)env;
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:h", features_options, NULL)) != -1)
		return cmd_option_default(def, opt, argv, err);
	int r = cmd_check_args(def, argc - optind, argv + optind, 0, 0, err);
	if (r < 0)
		return r;
	char *json = husk_features_json();
	cmd_print_document(json);
	free(json);
	return 0;
}

const struct cmd_def cmd_features = {
    .name = "features",
    .args = "",
    .summary = "show the OCI features this build of husk implements",
    .options = "",
    .needs_root = false,
    .run = features_run,
};
