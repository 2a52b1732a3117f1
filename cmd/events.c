/* `husk events [--stats] [--interval D] ID`: the container's events as JSON
 * lines on stdout, as runc prints them; --stats prints one stats event. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "husk/container.h"

enum {
	OPT_STATS = OPT_RUN_FIRST,
	OPT_INTERVAL,
};

static const struct option events_options[] = {
    {"stats", no_argument, NULL, OPT_STATS},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

/* A duration as runc takes it ("5s", "500ms", "1m", "1h"); a bare number
 * is seconds.  Returns milliseconds, 0 for an invalid or zero one. */
static unsigned long parse_interval(const char *text)
{
	char *end = NULL;
	errno = 0;
	double v = strtod(text, &end);
	if (errno || end == text || v <= 0)
		return 0;
	double ms = !strcmp(end, "ms")                      ? v
	            : !strcmp(end, "s") || !strcmp(end, "") ? v * 1000
	            : !strcmp(end, "m")                     ? v * 60000
	            : !strcmp(end, "h")                     ? v * 3600000
	                                                    : -1;
	if (ms < 1 || ms > UINT_MAX)
		return 0;
	return (unsigned long)ms;
}

/* Each event is flushed at once: a consumer reads them as they happen. */
static int print_line(void *data, const char *line, struct husk_error **err)
{
	(void)data;
	if (puts(line) == EOF || fflush(stdout) != 0)
		return husk_error_set(err, errno, "write standard output");
	return 0;
}

static int events_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                      struct husk_error **err)
{
	struct husk_events_options o = {0};
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:h", events_options, NULL)) != -1) {
		if (opt == OPT_STATS) {
			o.stats_once = true;
		} else if (opt == OPT_INTERVAL) {
			o.interval_ms = (unsigned)parse_interval(optarg);
			if (!o.interval_ms)
				return cmd_usage_error(def, err,
				                       "--interval must be a positive duration "
				                       "(e.g. 5s, 500ms), got \"%s\"",
				                       optarg);
		} else {
			return cmd_option_default(def, opt, argv, err);
		}
	}
	int r = cmd_check_args(def, argc - optind, argv + optind, 1, 1, err);
	if (r < 0)
		return r;
	return husk_container_events(&env->ctx, argv[optind], &o, print_line, NULL, err);
}

const struct cmd_def cmd_events = {
    .name = "events",
    .args = "<container-id>",
    .summary = "print a container's events (stats, OOM kills) as JSON lines",
    .options = "  --stats               print one stats event and exit\n"
               "  --interval DURATION   time between stats events (default 5s)\n",
    .needs_root = true,
    .names_itself = true,
    .run = events_run,
};
