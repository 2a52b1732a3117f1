/* OCI hooks: running one kind's list at its point in the lifecycle.
 *
 * Each hook is fork+exec'd with its path, args and env exactly as given,
 * the container's state JSON on stdin, and its timeout enforced (the hook
 * is killed and the step fails).  The caller decides the namespace: the
 * runtime's for prestart, createRuntime, poststart and poststop; the
 * container's for createContainer and startContainer (called from the init).
 */
#pragma once

#include "husk/error.h"
#include "husk/spec.h"

/* Runs hooks->hooks[kind] in order.  prestart, createRuntime,
 * createContainer and startContainer stop at the first failure; poststart
 * and poststop run every hook (the spec: "the remaining hooks and lifecycle
 * continue") and return all failures joined by "; ".  Errors read:
 *   createRuntime hook "/usr/bin/x" (#1): exited with status 3: <stderr tail>
 *   ... timed out after 5s
 * No hooks of that kind: returns 0 at once. */
int husk_hooks_run(const struct husk_spec_hooks *hooks, enum husk_hook_kind kind,
                   const char *state_json, struct husk_error **err);

/* Whether there is any hook of this kind (so callers skip building state). */
int husk_hooks_count(const struct husk_spec_hooks *hooks, enum husk_hook_kind kind);

/* Runs one program the runtime itself needs (newuidmap, for one) the way a
 * hook runs, without stdin: argv and env exactly as given (no env: none),
 * output kept for the error, the timeout enforced.  Errors read:
 *   exited with status 1: <output tail> */
int husk_hooks_run_program(const struct husk_spec_hook *h, struct husk_error **err);
