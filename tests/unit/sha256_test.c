/* SHA-256 against FIPS 180-4's examples and sha256sum. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "util/sha256.h"

static void expect(const char *input, size_t len, const char *want)
{
	char hex[65];
	husk_sha256_hex(input, len, hex);
	ck_assert_str_eq(hex, want);
}

START_TEST(test_known_digests)
{
	expect("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	expect(two_blocks, strlen(two_blocks),
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* 55, 56 and 64 bytes: the padding's edge cases */
	char buf[64];
	memset(buf, 'a', sizeof(buf));
	expect(buf, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	expect(buf, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	expect(buf, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}
END_TEST

START_TEST(test_updates_in_pieces_match_one_update)
{
	char data[1000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 3);
	char whole[65];
	husk_sha256_hex(data, sizeof(data), whole);
	struct husk_sha256 c;
	husk_sha256_init(&c);
	for (size_t off = 0, step = 1; off < sizeof(data); off += step, step = step % 97 + 13)
		husk_sha256_update(&c, data + off,
		                   off + step > sizeof(data) ? sizeof(data) - off : step);
	unsigned char digest[32];
	husk_sha256_final(&c, digest);
	char pieces[65];
	for (int i = 0; i < 32; i++)
		snprintf(pieces + 2 * i, 3, "%02x", digest[i]);
	ck_assert_str_eq(pieces, whole);
}
END_TEST

Suite *sha256_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("sha256");
	tcase_add_test(tc, test_known_digests);
	tcase_add_test(tc, test_updates_in_pieces_match_one_update);
	suite_add_tcase(s, tc);
	return s;
}
