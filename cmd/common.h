/* What every command shares: its description for help and dispatch, the
 * option-parsing helpers that make every command treat unknown flags, missing
 * values and stray arguments alike, and the one error renderer.
 */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "husk/context.h"
#include "husk/error.h"
#include "husk/log.h"

/* A command's run() returns 0 on success, -1 on failure and CMD_USAGE for a
 * bad command line; *err is set for both failures.  main() maps them to exit
 * codes 0, 1 and 2.  run and exec return the container process's exit status
 * (> 0) as husk's own. */
#define CMD_USAGE  (-2)
#define EXIT_USAGE 2

/* Long-only options get values above any char. */
enum {
	OPT_FIRST_LONG = 256,
	/* shared by create, run and exec */
	OPT_PID_FILE = 512,
	OPT_CONSOLE_SOCKET,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_PRESERVE_FDS,
	OPT_RUN_FIRST, /* a command's own long options start here */
};

#define CMD_OPTION_HELP                                                                            \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}
#define CMD_OPTION_END                                                                             \
	{                                                                                          \
		NULL, 0, NULL, 0                                                                   \
	}

struct cmd_env {
	struct husk_context ctx; /* ctx.root is NULL for commands without needs_root */
	struct husk_log log;
};

struct cmd_def {
	const char *name;
	const char *args;    /* positional arguments for the usage line, "" when none */
	const char *summary; /* one line, shown by `husk --help` */
	const char *options; /* the options part of `husk NAME --help`, "" when none */
	bool needs_root;     /* reads or writes the state root */
	bool names_itself;   /* its errors already say `create "c1": ...` */
	int (*run)(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
	           struct husk_error **err);
};

/* The commands; main.c's dispatch table lists them. */
extern const struct cmd_def cmd_create;
extern const struct cmd_def cmd_delete;
extern const struct cmd_def cmd_events;
extern const struct cmd_def cmd_exec;
extern const struct cmd_def cmd_features;
extern const struct cmd_def cmd_kill;
extern const struct cmd_def cmd_run;
extern const struct cmd_def cmd_start;
extern const struct cmd_def cmd_list;
extern const struct cmd_def cmd_pause;
extern const struct cmd_def cmd_ps;
extern const struct cmd_def cmd_resume;
extern const struct cmd_def cmd_spec;
extern const struct cmd_def cmd_state;
extern const struct cmd_def cmd_stats;
extern const struct cmd_def cmd_update;
extern const struct cmd_def cmd_validate;

/* Resets getopt for a fresh pass over argv (argv[0] is the command name).
 * Options stop at the first positional argument, as runc's CLI does. */
void cmd_getopt_reset(void);

/* Handles what every command's option loop shares: -h/--help (prints help,
 * returns 0), an unknown flag or a flag without its value (returns
 * CMD_USAGE naming the flag).  Its result is the command's result. */
int cmd_option_default(const struct cmd_def *def, int opt, char **argv, struct husk_error **err);

/* Checks the count of positional arguments left after the options. */
int cmd_check_args(const struct cmd_def *def, int argc, char **argv, int min, int max,
                   struct husk_error **err);

/* Sets a usage error "<msg> (see husk NAME --help)" and returns CMD_USAGE. */
int cmd_usage_error(const struct cmd_def *def, struct husk_error **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void cmd_print_help(FILE *out, const struct cmd_def *def);

/* The options create and run share, for their option tables. */
#define CMD_CREATE_OPTIONS                                                                         \
	{"bundle", required_argument, NULL, 'b'},                                                  \
	    {"pid-file", required_argument, NULL, OPT_PID_FILE},                                   \
	    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},                       \
	    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},                                         \
	    {"no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING},                             \
	{                                                                                          \
		"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS                          \
	}

struct husk_create_options;
/* Handles one of the create options (create and run share them): returns
 * 1 when it was one, 0 when not, CMD_USAGE for a bad value. */
int cmd_create_option(const struct cmd_def *def, int opt, struct husk_create_options *o,
                      struct husk_error **err);

/* Parses a non-negative count for --flag; CMD_USAGE-style error otherwise. */
int cmd_parse_count(const struct cmd_def *def, const char *flag, const char *text, int *ret,
                    struct husk_error **err);

/* Writes s to stdout followed by a newline unless it ends in one. */
void cmd_print_document(const char *s);

/* The one place an error becomes output: "husk: <msg>" on stderr and, when
 * there is a --log file, an error line in it (containerd reads it). */
void cmd_render_error(const struct husk_log *log, const struct husk_error *err);

/* The context's warning sink: a warning line in the --log file when there
 * is one, else "husk: warning: <msg>" on stderr; log_data is the struct
 * husk_log. */
void cmd_render_warning(void *log_data, const char *msg);
