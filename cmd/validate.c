/* `husk validate [--bundle DIR]`: checks a bundle's config.json the way
 * create would, without building anything: every problem is named. */
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "husk/cleanup.h"
#include "husk/container.h"
#include "husk/spec.h"

static const struct option validate_options[] = {
    {"bundle", required_argument, NULL, 'b'},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static int validate_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                        struct husk_error **err)
{
	(void)env;
	const char *bundle = ".";
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:b:h", validate_options, NULL)) != -1) {
		if (opt == 'b')
			bundle = optarg;
		else
			return cmd_option_default(def, opt, argv, err);
	}
	int r = cmd_check_args(def, argc - optind, argv + optind, 0, 0, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		abort();
	struct husk_spec *spec = NULL;
	if (husk_spec_load(path, &spec, err) < 0)
		return -1;
	r = husk_spec_validate("config.json", spec, err);
	if (r == 0)
		r = husk_annotations_check(spec, err);
	if (r == 0)
		printf("%s: valid (ociVersion %s)\n", path, spec->oci_version);
	husk_spec_free(spec);
	return r;
}

const struct cmd_def cmd_validate = {
    .name = "validate",
    .args = "",
    .summary = "check a bundle's config.json without running it",
    .options = "  -b, --bundle DIR      the bundle (default: the current directory)\n",
    .needs_root = false,
    .run = validate_run,
};
