/* What every library call needs from the command line: where state lives and
 * how the caller wants to run.  Built once in cmd/main.c; the library keeps
 * no globals of its own. */
#pragma once

#include <stdbool.h>

enum husk_log_format {
	HUSK_LOG_TEXT,
	HUSK_LOG_JSON,
};

enum husk_rootless {
	HUSK_ROOTLESS_AUTO,
	HUSK_ROOTLESS_TRUE,
	HUSK_ROOTLESS_FALSE,
};

struct husk_context {
	const char *root;     /* state root: --root, /run/husk, or $XDG_RUNTIME_DIR/husk */
	const char *log_path; /* --log, NULL: stderr */
	enum husk_log_format log_format;
	bool debug;
	bool systemd_cgroup;
	enum husk_rootless rootless;
	/* Problems the spec says must not fail the operation (a failing
	 * poststart or poststop hook): reported here, never as errors.  NULL
	 * drops them. */
	void (*warn)(void *warn_data, const char *msg);
	void *warn_data;
};

/* Reports a warning through ctx->warn when set. */
void husk_warn(const struct husk_context *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
