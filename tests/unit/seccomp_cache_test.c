/* The compiled-filter cache key covers every field of linux.seccomp. */
#include <check.h>
#include <string.h>

#include "seccomp-cache.h"

static char *names_a[] = {"mkdir", "rmdir"};
static char *names_b[] = {"mkdir", "rmdirx"};
static char *flags[] = {"SECCOMP_FILTER_FLAG_LOG"};
static char *arches[] = {"SCMP_ARCH_X86"};

static void base(struct husk_spec_seccomp *sc, struct husk_spec_seccomp_syscall *s,
                 struct husk_spec_seccomp_arg *arg)
{
	*arg = (struct husk_spec_seccomp_arg){.index = 1, .value = 2, .op = "SCMP_CMP_EQ"};
	*s = (struct husk_spec_seccomp_syscall){
	    .names = names_a, .n_names = 2, .action = "SCMP_ACT_ERRNO", .args = arg, .n_args = 1};
	*sc = (struct husk_spec_seccomp){
	    .default_action = "SCMP_ACT_ALLOW", .syscalls = s, .n_syscalls = 1};
}

START_TEST(test_key_changes_with_every_field)
{
	struct husk_spec_seccomp sc;
	struct husk_spec_seccomp_syscall s;
	struct husk_spec_seccomp_arg arg;
	char first[65], again[65], other[65];
	base(&sc, &s, &arg);
	husk_seccomp_cache_key(&sc, first);
	husk_seccomp_cache_key(&sc, again);
	ck_assert_str_eq(first, again);
	ck_assert_int_eq(strlen(first), 64);

	for (int field = 0; field < 11; field++) {
		base(&sc, &s, &arg);
		switch (field) {
		case 0:
			sc.default_action = "SCMP_ACT_LOG";
			break;
		case 1:
			sc.has_default_errno_ret = true;
			break;
		case 2:
			sc.architectures = arches, sc.n_architectures = 1;
			break;
		case 3:
			sc.flags = flags, sc.n_flags = 1;
			break;
		case 4:
			sc.listener_path = "/run/l.sock";
			break;
		case 5:
			s.names = names_b;
			break;
		case 6:
			s.action = "SCMP_ACT_KILL";
			break;
		case 7:
			s.has_errno_ret = true, s.errno_ret = 1;
			break;
		case 8:
			arg.value_two = 3, arg.has_value_two = true;
			break;
		case 9:
			arg.op = "SCMP_CMP_NE";
			break;
		case 10:
			s.n_args = 0;
			break;
		}
		husk_seccomp_cache_key(&sc, other);
		ck_assert_msg(strcmp(first, other) != 0, "field %d does not change the key", field);
	}
}
END_TEST

START_TEST(test_key_tells_absent_from_empty)
{
	struct husk_spec_seccomp sc;
	struct husk_spec_seccomp_syscall s;
	struct husk_spec_seccomp_arg arg;
	char absent[65], empty[65];
	base(&sc, &s, &arg);
	husk_seccomp_cache_key(&sc, absent);
	sc.listener_metadata = "";
	husk_seccomp_cache_key(&sc, empty);
	ck_assert_str_ne(absent, empty);
}
END_TEST

Suite *seccomp_cache_suite(void)
{
	Suite *su = suite_create("seccomp_cache");
	TCase *tc = tcase_create("key");
	tcase_add_test(tc, test_key_changes_with_every_field);
	tcase_add_test(tc, test_key_tells_absent_from_empty);
	suite_add_tcase(su, tc);
	return su;
}
