/* `husk list`: every container under the state root, as an aligned table
 * (the columns runc prints), a JSON array, or bare ids.  Each state is
 * reconciled with the live process before it is shown.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "husk/cleanup.h"
#include "husk/state.h"

enum list_format {
	LIST_TABLE,
	LIST_JSON,
	LIST_QUIET,
};

enum {
	COL_ID,
	COL_PID,
	COL_STATUS,
	COL_BUNDLE,
	COL_CREATED,
	COL_OWNER,
	N_COLS,
};

/* Like Go's tabwriter as runc configures it: cells padded to the widest in
 * their column plus 3, at least 12 wide; the last column is not padded. */
#define COL_MIN_WIDTH 12
#define COL_PADDING   3

static const struct option list_options[] = {
    {"format", required_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static char *owner_name(uid_t uid)
{
	char *s = NULL;
	struct passwd *pw = getpwuid(uid);
	if ((pw ? asprintf(&s, "%s", pw->pw_name) : asprintf(&s, "#%u", (unsigned)uid)) < 0)
		abort();
	return s;
}

/* A row's cells, malloc'd. */
static void row_cells(const struct husk_state *s, char *cells[N_COLS])
{
	pid_t pid = s->status == HUSK_STATUS_STOPPED ? 0 : s->pid;
	if (asprintf(&cells[COL_ID], "%s", s->id) < 0 ||
	    asprintf(&cells[COL_PID], "%d", (int)pid) < 0 ||
	    asprintf(&cells[COL_STATUS], "%s", husk_status_name(s->status)) < 0 ||
	    asprintf(&cells[COL_BUNDLE], "%s", s->bundle ? s->bundle : "") < 0 ||
	    asprintf(&cells[COL_CREATED], "%s", s->created ? s->created : "") < 0)
		abort();
	cells[COL_OWNER] = owner_name(s->owner);
}

static void print_row(char *const cells[N_COLS], const size_t widths[N_COLS])
{
	for (int c = 0; c < N_COLS - 1; c++)
		printf("%-*s", (int)widths[c], cells[c]);
	printf("%s\n", cells[N_COLS - 1]);
}

static void print_table(struct husk_state **list, size_t n)
{
	static const char *const header[N_COLS] = {"ID",     "PID",     "STATUS",
	                                           "BUNDLE", "CREATED", "OWNER"};
	char *(*rows)[N_COLS] = calloc(n ? n : 1, sizeof(*rows));
	size_t widths[N_COLS];
	if (!rows)
		abort();
	for (int c = 0; c < N_COLS; c++)
		widths[c] = strlen(header[c]);
	for (size_t i = 0; i < n; i++) {
		row_cells(list[i], rows[i]);
		for (int c = 0; c < N_COLS; c++)
			if (strlen(rows[i][c]) > widths[c])
				widths[c] = strlen(rows[i][c]);
	}
	for (int c = 0; c < N_COLS; c++) {
		widths[c] += COL_PADDING;
		if (widths[c] < COL_MIN_WIDTH)
			widths[c] = COL_MIN_WIDTH;
	}
	print_row((char *const *)header, widths);
	for (size_t i = 0; i < n; i++) {
		print_row(rows[i], widths);
		for (int c = 0; c < N_COLS; c++)
			free(rows[i][c]);
	}
	free(rows);
}

static void print_json(struct husk_state **list, size_t n)
{
	/* runc prints null for no containers; an empty array is what callers
	 * iterate over without a special case. */
	fputs("[", stdout);
	for (size_t i = 0; i < n; i++) {
		char *json = husk_state_to_json(list[i]);
		size_t len = strlen(json);
		while (len > 0 && json[len - 1] == '\n')
			len--;
		printf("%s%.*s", i ? "," : "", (int)len, json);
		free(json);
	}
	fputs("]\n", stdout);
}

static int parse_format(const struct cmd_def *def, const char *value, enum list_format *ret,
                        struct husk_error **err)
{
	if (!strcmp(value, "table"))
		*ret = LIST_TABLE;
	else if (!strcmp(value, "json"))
		*ret = LIST_JSON;
	else
		return cmd_usage_error(def, err, "--format must be table or json, got \"%s\"",
		                       value);
	return 0;
}

static int list_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                    struct husk_error **err)
{
	enum list_format format = LIST_TABLE;
	bool quiet = false;
	int opt, r;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:f:qh", list_options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			r = parse_format(def, optarg, &format, err);
			if (r < 0)
				return r;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return cmd_option_default(def, opt, argv, err);
		}
	}
	r = cmd_check_args(def, argc - optind, argv + optind, 0, 0, err);
	if (r < 0)
		return r;

	struct husk_state **list = NULL;
	size_t n = 0;
	if (husk_state_list(env->ctx.root, &list, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		husk_state_refresh(list[i]);
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", list[i]->id);
	} else if (format == LIST_JSON) {
		print_json(list, n);
	} else {
		print_table(list, n);
	}
	husk_state_list_free(list, n);
	return 0;
}

const struct cmd_def cmd_list = {
    .name = "list",
    .args = "",
    .summary = "list the containers under the state root",
    .options = "  -f, --format FORMAT   table or json (default table)\n"
               "  -q, --quiet           print container ids only\n",
    .needs_root = true,
    .run = list_run,
};
