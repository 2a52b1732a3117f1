/* SHA-256 (FIPS 180-4), for cache keys that must never collide by chance
 * or by design: a compiled seccomp filter found under the wrong key would
 * be loaded into a container that asked for another one. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct husk_sha256 {
	uint32_t state[8];
	uint64_t length; /* bytes hashed so far */
	unsigned char block[64];
	size_t used; /* bytes waiting in block */
};

void husk_sha256_init(struct husk_sha256 *c);
void husk_sha256_update(struct husk_sha256 *c, const void *data, size_t len);
void husk_sha256_final(struct husk_sha256 *c, unsigned char digest[32]);
/* husk_sha256_final as 64 lower-case hex digits and a NUL. */
void husk_sha256_final_hex(struct husk_sha256 *c, char hex[65]);

/* The digest of data as 64 lower-case hex digits and a NUL. */
void husk_sha256_hex(const void *data, size_t len, char hex[65]);
