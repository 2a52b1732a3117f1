/* What run needs from the events module: telling the user that the
 * kernel's OOM killer ended the container. */
#pragma once

#include "husk/context.h"

/* After a foreground run: when status says SIGKILL and the container's
 * cgroup counted an OOM kill, reports it through ctx->warn, naming the
 * memory limit.  Call before the container is deleted. */
void husk_container_oom_report(const struct husk_context *ctx, const char *id, int status);
