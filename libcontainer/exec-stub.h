/* The sealed exec stub that stands between husk and a container's first
 * exec (libcontainer/exec-stub.c says why). */
#pragma once

#include <stddef.h>

#include "husk/error.h"

/* A sealed, close-on-exec memfd holding the stub, or *ret_fd = -1 where
 * husk was built without one (an architecture the stub does not support). */
int husk_exec_stub_create(int *ret_fd, struct husk_error **err);

/* Executes path with argv/envp through the stub in stub_fd (directly when
 * stub_fd is -1).  Returns only on failure, with errno set. */
void husk_exec_stub_exec(int stub_fd, const char *path, char *const argv[], size_t argc,
                         char *const envp[]);
