/* Compiled seccomp filters kept on disk, so that a profile compiled once
 * (Docker's default, on every container Docker starts) is not compiled by
 * libseccomp again: see seccomp-cache.c. */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>

#include "husk/spec.h"

/* What a load needs, and all a cache entry holds. */
struct husk_seccomp_program {
	struct sock_filter *insns; /* malloc'd */
	unsigned short len;
	unsigned int kernel_flags; /* for seccomp(SECCOMP_SET_MODE_FILTER) */
	bool notify;               /* a rule notifies: the load yields a listener fd */
};

/* <state root>/.cache/seccomp: the state root is the caller's own 0700
 * directory, and ".cache" can never be a container id. */
char *husk_seccomp_cache_dir(const char *state_root);

/* The entry's name: SHA-256 over everything the program depends on (the
 * profile, libseccomp's version, the native architecture, husk's version),
 * as 64 hex digits. */
void husk_seccomp_cache_key(const struct husk_spec_seccomp *sc, char key[65]);

/* Fills *ret from <dir>/<key>; false when absent or not a valid entry. */
bool husk_seccomp_cache_read(const char *dir, const char *key, struct husk_seccomp_program *ret);

/* Stores p as <dir>/<key> (dir created 0700 when missing).  Best effort:
 * a cache that cannot be written only costs the next compile. */
void husk_seccomp_cache_write(const char *dir, const char *key,
                              const struct husk_seccomp_program *p);
