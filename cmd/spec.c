/* `husk spec`: writes a starting config.json into a bundle, refusing to
 * replace one that exists.  The content comes from husk_spec_default_json();
 * this file only creates the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "husk/cleanup.h"
#include "husk/spec.h"

enum {
	OPT_ROOTLESS = OPT_FIRST_LONG,
};

static const struct option spec_options[] = {
    {"bundle", required_argument, NULL, 'b'},
    {"rootless", no_argument, NULL, OPT_ROOTLESS},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_config(const char *bundle, const char *json, struct husk_error **err)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/config.json", bundle) < 0)
		abort();
	/* O_EXCL: an existing config is never replaced, even by a racing spec. */
	_cleanup_close_ int fd =
	    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno == EEXIST)
		return husk_error_set(err, 0, "config.json already exists in \"%s\"", bundle);
	if (fd < 0)
		return husk_error_set(err, errno, "create \"%s\"", path);
	if (write_all(fd, json, strlen(json)) < 0 || fsync(fd) < 0) {
		int saved = errno;
		unlink(path);
		return husk_error_set(err, saved, "write \"%s\"", path);
	}
	if (close(TAKE_FD(fd)) < 0) {
		int saved = errno;
		unlink(path);
		return husk_error_set(err, saved, "write \"%s\"", path);
	}
	return 0;
}

static int spec_run(const struct cmd_def *def, const struct cmd_env *env, int argc, char **argv,
                    struct husk_error **err)
{
	(void)env;
	const char *bundle = ".";
	bool rootless = false;
	int opt;
	cmd_getopt_reset();
	while ((opt = getopt_long_only(argc, argv, "+:b:h", spec_options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			bundle = optarg;
			break;
		case OPT_ROOTLESS:
			rootless = true;
			break;
		default:
			return cmd_option_default(def, opt, argv, err);
		}
	}
	int r = cmd_check_args(def, argc - optind, argv + optind, 0, 0, err);
	if (r < 0)
		return r;

	_cleanup_free_ char *json = NULL;
	r = husk_spec_default_json(rootless, &json, err);
	if (r < 0)
		return r;
	return write_config(bundle, json, err);
}

const struct cmd_def cmd_spec = {
    .name = "spec",
    .args = "",
    .summary = "write a new config.json for a bundle",
    .options = "  -b, --bundle DIR      bundle directory to write config.json in (default .)\n"
               "      --rootless        a config for a container run by an unprivileged user\n",
    .needs_root = false,
    .run = spec_run,
};
