/* Helpers shared by the commands: getopt handling with runc-compatible
 * spelling (--flag value, --flag=value, -flag value), usage errors that name
 * the offending word, help text, and the single error renderer.  Nothing else
 * in husk prints an error.
 */
#include "common.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "husk/cleanup.h"

/* cmd/ sees only the public headers, so it has its own allocation-failure
 * policy, the library's: abort. */
__attribute__((format(printf, 1, 0))) static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

__attribute__((format(printf, 1, 2))) static char *format(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vformat(fmt, ap);
	va_end(ap);
	return s;
}

void cmd_getopt_reset(void)
{
	/* 0, not 1: glibc then also forgets a half-parsed "-abc" cluster. */
	optind = 0;
	opterr = 0;
}

int cmd_usage_error(const struct cmd_def *def, struct husk_error **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = vformat(fmt, ap);
	va_end(ap);
	/* An unnamed def stands for husk's global options. */
	husk_error_set(err, 0, "%s (see husk %s%s--help)", msg, def->name, *def->name ? " " : "");
	return CMD_USAGE;
}

/* The flag as the user wrote it, without any "=value". */
static char *flag_text(char **argv, bool short_opt)
{
	if (short_opt)
		return format("-%c", optopt);
	const char *word = argv[optind - 1];
	return format("%.*s", (int)strcspn(word, "="), word);
}

int cmd_option_default(const struct cmd_def *def, int opt, char **argv, struct husk_error **err)
{
	if (opt == 'h') {
		cmd_print_help(stdout, def);
		return 0;
	}
	/* glibc sets optopt to the character for an unknown short option inside
	 * a cluster ("-qz") and to 0 for an unknown long one. */
	bool short_opt = opt == '?' && optopt > 0 && optopt < OPT_FIRST_LONG;
	_cleanup_free_ char *flag = flag_text(argv, short_opt);
	if (opt == ':')
		return cmd_usage_error(def, err, "flag \"%s\" needs a value", flag);
	return cmd_usage_error(def, err, "unknown flag \"%s\"", flag);
}

int cmd_check_args(const struct cmd_def *def, int argc, char **argv, int min, int max,
                   struct husk_error **err)
{
	if (argc < min)
		return cmd_usage_error(def, err, "missing argument %s", def->args);
	if (argc > max)
		return cmd_usage_error(def, err, "unexpected argument \"%s\"", argv[max]);
	return 0;
}

void cmd_print_help(FILE *out, const struct cmd_def *def)
{
	fprintf(out, "Usage: husk [global options] %s [options]%s%s\n\n%s\n", def->name,
	        *def->args ? " " : "", def->args, def->summary);
	fprintf(out, "\nOptions:\n%s  -h, --help            show this help\n", def->options);
}

void cmd_print_document(const char *s)
{
	size_t len = strlen(s);
	fputs(s, stdout);
	if (len == 0 || s[len - 1] != '\n')
		fputc('\n', stdout);
}

void cmd_render_error(const struct husk_log *log, const struct husk_error *err)
{
	fflush(stdout);
	fprintf(stderr, "husk: %s\n", err->msg);
	if (log->fd >= 0)
		husk_log_write(log, HUSK_LOG_ERROR, err->msg);
}

/* With a --log file, a warning goes there only, as runc's do: containerd's
 * shim and conmon hand `create` the container's own stdio, so a line on
 * stderr would read as the container's output. */
void cmd_render_warning(void *log_data, const char *msg)
{
	const struct husk_log *log = log_data;
	if (log->fd >= 0) {
		husk_log_write(log, HUSK_LOG_WARN, msg);
		return;
	}
	fflush(stdout);
	fprintf(stderr, "husk: warning: %s\n", msg);
}
