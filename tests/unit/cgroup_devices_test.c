/* The cgroup v2 device program: generated programs are run in a small BPF
 * interpreter below and compared with a direct reading of the rules (last
 * match wins, bit by bit), on fixed and on random rule lists.  As root, with
 * cgroup2 at /sys/fs/cgroup/unified, a program is also attached to a real
 * cgroup and a child in it opens /dev/null and /dev/zero.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup/v2-devices.h"
#include "husk/cleanup.h"

#define ACC_M BPF_DEVCG_ACC_MKNOD
#define ACC_R BPF_DEVCG_ACC_READ
#define ACC_W BPF_DEVCG_ACC_WRITE
#define DEV_B BPF_DEVCG_DEV_BLOCK
#define DEV_C BPF_DEVCG_DEV_CHAR

/* Check's assertions report each pass to the runner, too slow for the
 * millions of steps below: these only speak on failure. */
#define EXPECT(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

/* Runs a program over one context.  Knows only the instructions the
 * generator should emit; anything else, a backward jump, a read of an
 * unset register or a load outside the context fails the test. */
static int interpret(const struct bpf_insn *insns, size_t n, uint32_t access_type, uint32_t major,
                     uint32_t minor)
{
	const uint32_t ctx[3] = {access_type, major, minor};
	uint64_t reg[11] = {0};
	unsigned set = 1u << 1; /* r1 is the context pointer */
	bool ctx_ptr[11] = {false, true};

	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *in = &insns[pc];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		uint64_t imm = (uint64_t)(int64_t)in->imm;
		EXPECT(in->dst_reg < 11 && in->src_reg < 11, "register out of range at %zu", pc);
		if (cls == BPF_LDX) {
			EXPECT(in->code == (BPF_LDX | BPF_MEM | BPF_W) && in->imm == 0,
			       "load 0x%x at %zu", in->code, pc);
			EXPECT(ctx_ptr[in->src_reg], "load from non-context r%d", in->src_reg);
			EXPECT(in->off >= 0 && in->off <= 8 && in->off % 4 == 0, "off %d", in->off);
			reg[in->dst_reg] = ctx[in->off / 4];
		} else if (cls == BPF_ALU64) {
			uint64_t src = imm;
			EXPECT(in->off == 0, "alu with offset at %zu", pc);
			if (BPF_SRC(in->code) == BPF_X) {
				EXPECT(set & (1u << in->src_reg), "r%d unset", in->src_reg);
				EXPECT(!ctx_ptr[in->src_reg], "context pointer used as number");
				EXPECT(in->imm == 0, "alu X with immediate at %zu", pc);
				src = reg[in->src_reg];
			}
			if (op != BPF_MOV)
				EXPECT(set & (1u << in->dst_reg), "r%d unset", in->dst_reg);
			if (op == BPF_MOV)
				reg[in->dst_reg] = src;
			else if (op == BPF_AND)
				reg[in->dst_reg] &= src;
			else if (op == BPF_RSH)
				reg[in->dst_reg] >>= src;
			else
				ck_abort_msg("alu op 0x%x at %zu", op, pc);
		} else if (cls == BPF_JMP && op == BPF_EXIT) {
			EXPECT(set & 1u, "exit with r0 unset");
			EXPECT(reg[0] <= 1, "r0 = %llu", (unsigned long long)reg[0]);
			return (int)reg[0];
		} else if (cls == BPF_JMP) {
			EXPECT(in->off >= 0, "backward jump at %zu", pc);
			EXPECT(BPF_SRC(in->code) == BPF_K, "jump on register at %zu", pc);
			bool taken = false;
			uint64_t dst = reg[in->dst_reg];
			if (op != BPF_JA)
				EXPECT(set & (1u << in->dst_reg), "r%d unset", in->dst_reg);
			if (op == BPF_JA)
				taken = true;
			else if (op == BPF_JEQ)
				taken = dst == imm;
			else if (op == BPF_JNE)
				taken = dst != imm;
			else if (op == BPF_JSET)
				taken = (dst & imm) != 0;
			else
				ck_abort_msg("jump op 0x%x at %zu", op, pc);
			if (taken)
				pc += (size_t)in->off;
			EXPECT(pc + 1 < n, "jump past the end at %zu", pc);
			continue;
		} else {
			ck_abort_msg("opcode 0x%x at %zu", in->code, pc);
		}
		set |= 1u << in->dst_reg;
		ctx_ptr[in->dst_reg] = false;
	}
	ck_abort_msg("ran off the end of the program");
	return -1;
}

static int access_bits(const char *access)
{
	if (!access)
		return ACC_M | ACC_R | ACC_W;
	int bits = 0;
	for (const char *p = access; *p; p++)
		bits |= *p == 'r' ? ACC_R : *p == 'w' ? ACC_W : ACC_M;
	return bits;
}

static bool rule_fits(const struct husk_spec_device_cgroup *r, int type, uint32_t major,
                      uint32_t minor)
{
	if (r->type && strcmp(r->type, "a") != 0 &&
	    (strcmp(r->type, "c") == 0 ? DEV_C : DEV_B) != type)
		return false;
	if (r->has_major && r->major != -1 && r->major != major)
		return false;
	return !r->has_minor || r->minor == -1 || r->minor == minor;
}

/* The meaning the program must have, read straight off the rule list. */
static int reference(const struct husk_spec_device_cgroup *rules, size_t n, int type,
                     uint32_t major, uint32_t minor, int access)
{
	if (access == 0 || (access & ~(ACC_M | ACC_R | ACC_W)))
		return 0;
	for (int bit = 1; bit <= ACC_W; bit <<= 1) {
		if (!(access & bit))
			continue;
		int verdict = 0;
		for (size_t i = 0; i < n; i++) {
			if ((access_bits(rules[i].access) & bit) &&
			    rule_fits(&rules[i], type, major, minor))
				verdict = rules[i].allow;
		}
		if (!verdict)
			return 0;
	}
	return 1;
}

static struct bpf_insn *compile(const struct husk_spec_device_cgroup *rules, size_t n,
                                size_t *ret_n)
{
	struct husk_error *err = NULL;
	struct bpf_insn *insns = NULL;
	int r = husk_cgroup_devices_program(rules, n, &insns, ret_n, &err);
	ck_assert_msg(r == 0, "compile: %s", err ? err->msg : "?");
	ck_assert_ptr_null(err);
	return insns;
}

static int run(const struct bpf_insn *insns, size_t n, int type, uint32_t major, uint32_t minor,
               int access)
{
	return interpret(insns, n, ((uint32_t)access << 16) | (uint32_t)type, major, minor);
}

static const uint32_t q_majors[] = {0, 1, 5, 8, 136};
static const uint32_t q_minors[] = {0, 3, 5, 200};

/* Every query over a small universe; returns how many were compared. */
static int compare_all(const struct husk_spec_device_cgroup *rules, size_t n)
{
	size_t n_insns = 0;
	struct bpf_insn *insns = compile(rules, n, &n_insns);
	int count = 0;
	for (int type = DEV_B; type <= DEV_C; type <<= 1)
		for (size_t a = 0; a < HUSK_ARRAY_SIZE(q_majors); a++)
			for (size_t b = 0; b < HUSK_ARRAY_SIZE(q_minors); b++)
				for (int acc = 0; acc <= 15; acc++) {
					int want = reference(rules, n, type, q_majors[a],
					                     q_minors[b], acc);
					int got = run(insns, n_insns, type, q_majors[a],
					              q_minors[b], acc);
					EXPECT(got == want,
					       "type %d %u:%u access %d: got %d want %d", type,
					       q_majors[a], q_minors[b], acc, got, want);
					count++;
				}
	free(insns);
	return count;
}

#define RULE(al, t, maj, min, acc)                                                                 \
	{                                                                                          \
		.allow = (al), .type = (t), .has_major = (maj) >= 0, .major = (maj),               \
		.has_minor = (min) >= 0, .minor = (min), .access = (acc)                           \
	}

START_TEST(test_deny_all_then_allow_one)
{
	const struct husk_spec_device_cgroup rules[] = {
	    RULE(false, "a", -1, -1, "rwm"),
	    RULE(true, "c", 1, 3, "rw"),
	};
	size_t n = 0;
	struct bpf_insn *p = compile(rules, 2, &n);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 3, ACC_R), 1);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 3, ACC_R | ACC_W), 1);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 3, ACC_M), 0);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 3, ACC_M | ACC_R), 0);
	ck_assert_int_eq(run(p, n, DEV_B, 1, 3, ACC_R), 0);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 5, ACC_R), 0);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 3, 0), 0);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 3, ACC_R | 8), 0);
	free(p);
	ck_assert_int_gt(compare_all(rules, 2), 0);
}
END_TEST

START_TEST(test_allow_all_then_deny_write)
{
	const struct husk_spec_device_cgroup rules[] = {
	    RULE(true, "a", -1, -1, NULL),
	    RULE(false, "c", 5, -1, "w"),
	};
	size_t n = 0;
	struct bpf_insn *p = compile(rules, 2, &n);
	ck_assert_int_eq(run(p, n, DEV_C, 5, 1, ACC_W), 0);
	ck_assert_int_eq(run(p, n, DEV_C, 5, 1, ACC_R | ACC_W), 0);
	ck_assert_int_eq(run(p, n, DEV_C, 5, 1, ACC_R), 1);
	ck_assert_int_eq(run(p, n, DEV_C, 5, 1, ACC_M), 1);
	ck_assert_int_eq(run(p, n, DEV_B, 5, 1, ACC_W), 1);
	ck_assert_int_eq(run(p, n, DEV_C, 6, 1, ACC_W), 1);
	free(p);
	compare_all(rules, 2);
}
END_TEST

START_TEST(test_access_bits_combine_across_rules)
{
	/* Read from one rule and write from another make a read-write open. */
	const struct husk_spec_device_cgroup rules[] = {
	    RULE(true, "c", 1, 3, "r"),
	    RULE(true, "c", 1, -1, "w"),
	    RULE(false, "c", -1, 5, "r"),
	};
	size_t n = 0;
	struct bpf_insn *p = compile(rules, 3, &n);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 3, ACC_R | ACC_W), 1);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 5, ACC_R | ACC_W), 0);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 5, ACC_W), 1);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 4, ACC_R), 0);
	free(p);
	compare_all(rules, 3);
}
END_TEST

START_TEST(test_wildcards_and_types)
{
	const struct husk_spec_device_cgroup rules[] = {
	    RULE(true, NULL, 8, -1, "r"),   RULE(true, "b", -1, 0, "rw"),
	    RULE(false, "b", 8, 0, "w"),    RULE(true, "c", 136, -1, NULL),
	    RULE(false, "a", -1, 200, "m"),
	};
	size_t n = 0;
	struct bpf_insn *p = compile(rules, 5, &n);
	ck_assert_int_eq(run(p, n, DEV_C, 8, 1, ACC_R), 1);
	ck_assert_int_eq(run(p, n, DEV_B, 8, 1, ACC_R), 1);
	ck_assert_int_eq(run(p, n, DEV_B, 8, 0, ACC_W), 0);
	ck_assert_int_eq(run(p, n, DEV_B, 5, 0, ACC_W), 1);
	ck_assert_int_eq(run(p, n, DEV_C, 5, 0, ACC_W), 0);
	ck_assert_int_eq(run(p, n, DEV_C, 136, 7, ACC_M | ACC_R | ACC_W), 1);
	ck_assert_int_eq(run(p, n, DEV_C, 136, 200, ACC_M), 0);
	ck_assert_int_eq(run(p, n, DEV_C, 136, 200, ACC_R), 1);
	free(p);
	compare_all(rules, 5);

	/* -1 is runc's wildcard even when present. */
	const struct husk_spec_device_cgroup minus_one[] = {
	    {.allow = true,
	     .type = "c",
	     .has_major = true,
	     .major = -1,
	     .has_minor = true,
	     .minor = -1,
	     .access = "r"},
	};
	p = compile(minus_one, 1, &n);
	ck_assert_int_eq(run(p, n, DEV_C, 42, 7, ACC_R), 1);
	free(p);
}
END_TEST

START_TEST(test_no_rules_denies_everything)
{
	size_t n = 0;
	struct bpf_insn *p = compile(NULL, 0, &n);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 3, ACC_R), 0);
	ck_assert_int_eq(run(p, n, DEV_B, 8, 0, ACC_M), 0);
	free(p);
	compare_all(NULL, 0);
}
END_TEST

START_TEST(test_rules_hidden_by_a_later_catch_all_are_dropped)
{
	struct husk_spec_device_cgroup rules[201];
	for (size_t i = 0; i < 200; i++)
		rules[i] = (struct husk_spec_device_cgroup)RULE(false, "c", (int64_t)i, 1, NULL);
	rules[200] = (struct husk_spec_device_cgroup)RULE(true, "a", -1, -1, NULL);
	size_t n = 0;
	struct bpf_insn *p = compile(rules, 201, &n);
	ck_assert_uint_lt(n, 40);
	ck_assert_int_eq(run(p, n, DEV_C, 3, 1, ACC_R), 1);
	free(p);
}
END_TEST

static const char *pick(uint64_t *s, const char *const *from, size_t n)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return from[*s % n];
}

static int64_t pick_num(uint64_t *s, const uint32_t *from, size_t n)
{
	static const char *const idx[] = {"-", "0", "1", "2", "3", "4"};
	const char *c = pick(s, idx, n + 1 < 6 ? n + 1 : 6);
	return c[0] == '-' ? -1 : (int64_t)from[c[0] - '0'];
}

START_TEST(test_random_rule_lists_match_reference)
{
	static const char *const types[] = {NULL, "a", "b", "c", "c"};
	static const char *const accesses[] = {NULL, "r", "w", "m", "rw", "rm", "wm", "rwm", "mr"};
	static const char *const allow[] = {"y", "n"};
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	long compared = 0;
	for (int round = 0; round < 1500; round++) {
		struct husk_spec_device_cgroup rules[12];
		size_t n = (size_t)(round % 12);
		for (size_t i = 0; i < n; i++) {
			int64_t maj = pick_num(&seed, q_majors, HUSK_ARRAY_SIZE(q_majors));
			int64_t min = pick_num(&seed, q_minors, HUSK_ARRAY_SIZE(q_minors));
			rules[i] = (struct husk_spec_device_cgroup){
			    .allow = pick(&seed, allow, 2)[0] == 'y',
			    .type = (char *)pick(&seed, types, HUSK_ARRAY_SIZE(types)),
			    .has_major = maj >= 0,
			    .major = maj,
			    .has_minor = min >= 0,
			    .minor = min,
			    .access = (char *)pick(&seed, accesses, HUSK_ARRAY_SIZE(accesses)),
			};
		}
		compared += compare_all(rules, n);
	}
	ck_assert_int_eq(compared, 1500L * 2 * 5 * 4 * 16);
}
END_TEST

START_TEST(test_invalid_rules_are_refused)
{
	const struct husk_spec_device_cgroup bad[] = {
	    RULE(true, "x", 1, 3, "r"),
	    RULE(true, "c", 1, 3, "rx"),
	    RULE(true, "c", 1, 3, ""),
	    {.allow = true, .type = "c", .has_major = true, .major = -2, .access = "r"},
	    RULE(true, "c", 1, (int64_t)UINT32_MAX + 1, "r"),
	};
	const char *const want[] = {"invalid type 'x'", "invalid access 'rx'", "empty access",
	                            "invalid major -2", "invalid minor 4294967296"};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(bad); i++) {
		struct husk_spec_device_cgroup rules[2] = {RULE(true, "a", -1, -1, NULL), bad[i]};
		struct husk_error *err = NULL;
		struct bpf_insn *insns = NULL;
		size_t n = 0;
		ck_assert_int_lt(husk_cgroup_devices_program(rules, 2, &insns, &n, &err), 0);
		ck_assert_ptr_nonnull(err);
		ck_assert_msg(strstr(err->msg, "device rule 1: ") && strstr(err->msg, want[i]),
		              "message '%s'", err->msg);
		ck_assert_ptr_null(insns);
		husk_error_release(&err);
	}
}
END_TEST

START_TEST(test_too_many_rules_is_an_error)
{
	size_t n = 10000;
	struct husk_spec_device_cgroup *rules = calloc(n, sizeof(*rules));
	for (size_t i = 0; i < n; i++)
		rules[i] = (struct husk_spec_device_cgroup)RULE(true, "c", 1, (int64_t)i, NULL);
	struct husk_error *err = NULL;
	struct bpf_insn *insns = NULL;
	size_t n_insns = 0;
	ck_assert_int_lt(husk_cgroup_devices_program(rules, n, &insns, &n_insns, &err), 0);
	ck_assert_ptr_nonnull(strstr(err->msg, "too large"));
	husk_error_release(&err);
	free(rules);
}
END_TEST

START_TEST(test_default_rules_as_runc)
{
	size_t n_def = 0;
	const struct husk_spec_device_cgroup *def = husk_cgroup_devices_default_rules(&n_def);
	ck_assert_uint_eq(n_def, 11);
	struct husk_spec_device_cgroup rules[16] = {RULE(false, "a", -1, -1, NULL)};
	memcpy(&rules[1], def, n_def * sizeof(*def));
	size_t n = 0;
	struct bpf_insn *p = compile(rules, n_def + 1, &n);
	static const uint32_t rw_ok[][2] = {{1, 3}, {1, 5}, {1, 7},   {1, 8},   {1, 9},
	                                    {5, 0}, {5, 2}, {136, 4}, {10, 200}};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(rw_ok); i++)
		ck_assert_int_eq(run(p, n, DEV_C, rw_ok[i][0], rw_ok[i][1], ACC_R | ACC_W), 1);
	ck_assert_int_eq(run(p, n, DEV_C, 5, 1, ACC_R), 0); /* console: not by default */
	ck_assert_int_eq(run(p, n, DEV_C, 1, 1, ACC_R), 0); /* /dev/mem */
	ck_assert_int_eq(run(p, n, DEV_B, 8, 0, ACC_R), 0);
	ck_assert_int_eq(run(p, n, DEV_B, 8, 0, ACC_M), 1);
	ck_assert_int_eq(run(p, n, DEV_C, 1, 1, ACC_M), 1);
	free(p);
	compare_all(rules, n_def + 1);
}
END_TEST

/* --- a real cgroup --- */

#define CG_ROOT "/sys/fs/cgroup/unified"

static bool have_cgroup2(void)
{
	struct statfs st;
	return geteuid() == 0 && statfs(CG_ROOT, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

/* Bit 0: /dev/null opened; bit 1: /dev/zero opened; bit 2: /dev/null
 * write-only opened; 64 + n: setup step n failed.  Opens that fail for
 * another reason than EPERM also count as setup failures. */
static int probe_in(const char *cg)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char procs[256];
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
		int fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(65);
		close(fd);
		int got = 0;
		const struct {
			const char *path;
			int flags;
		} probes[] = {
		    {"/dev/null", O_RDONLY}, {"/dev/zero", O_RDONLY}, {"/dev/null", O_WRONLY}};
		for (int i = 0; i < 3; i++) {
			fd = open(probes[i].path, probes[i].flags | O_CLOEXEC);
			if (fd >= 0) {
				got |= 1 << i;
				close(fd);
			} else if (errno != EPERM) {
				_exit(66 + i);
			}
		}
		_exit(got);
	}
	int status = 0;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int attached_count(int dir_fd)
{
	uint32_t ids[64];
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)dir_fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uintptr_t)ids;
	attr.query.prog_cnt = 64;
	if (syscall(SYS_bpf, BPF_PROG_QUERY, &attr, sizeof(attr)) < 0)
		return -1;
	return (int)attr.query.prog_cnt;
}

START_TEST(test_attach_to_real_cgroup)
{
	if (!have_cgroup2()) {
		fprintf(stderr, "cgroup_devices: skipping the attach test: not root or no cgroup2 "
		                "at " CG_ROOT "\n");
		return;
	}
	char cg[128];
	snprintf(cg, sizeof(cg), CG_ROOT "/husk-devtest-%d", (int)getpid());
	ck_assert_msg(mkdir(cg, 0755) == 0, "mkdir %s: %s", cg, strerror(errno));
	int dir_fd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* zero readable, null denied. */
	const struct husk_spec_device_cgroup first[] = {
	    RULE(false, "c", 1, 3, NULL),
	    RULE(true, "c", 1, 5, "rw"),
	};
	/* The update: null read-only, zero no longer. */
	const struct husk_spec_device_cgroup second[] = {
	    RULE(true, "c", 1, 3, "r"),
	};
	struct husk_error *err = NULL;
	int r1 = husk_cgroup_devices_attach(dir_fd, first, 2, &err);
	char msg[512] = "";
	if (err)
		snprintf(msg, sizeof(msg), "%s", err->msg);
	int probe1 = r1 == 0 ? probe_in(cg) : -1;
	int r2 = r1 == 0 ? husk_cgroup_devices_attach(dir_fd, second, 1, &err) : -1;
	if (err && !msg[0])
		snprintf(msg, sizeof(msg), "%s", err->msg);
	int probe2 = r2 == 0 ? probe_in(cg) : -1;
	int count = attached_count(dir_fd);
	close(dir_fd);
	int rm = rmdir(cg);
	husk_error_release(&err);

	ck_assert_msg(r1 == 0 && r2 == 0, "attach: %s", msg);
	ck_assert_int_eq(probe1, 2);
	ck_assert_int_eq(probe2, 1);
	ck_assert_int_eq(count, 1);
	ck_assert_int_eq(rm, 0);
}
END_TEST

Suite *cgroup_devices_suite(void)
{
	Suite *s = suite_create("cgroup_devices");
	TCase *tc = tcase_create("program");
	tcase_add_test(tc, test_deny_all_then_allow_one);
	tcase_add_test(tc, test_allow_all_then_deny_write);
	tcase_add_test(tc, test_access_bits_combine_across_rules);
	tcase_add_test(tc, test_wildcards_and_types);
	tcase_add_test(tc, test_no_rules_denies_everything);
	tcase_add_test(tc, test_rules_hidden_by_a_later_catch_all_are_dropped);
	tcase_add_test(tc, test_random_rule_lists_match_reference);
	tcase_add_test(tc, test_invalid_rules_are_refused);
	tcase_add_test(tc, test_too_many_rules_is_an_error);
	tcase_add_test(tc, test_default_rules_as_runc);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	TCase *real = tcase_create("attach");
	tcase_add_test(real, test_attach_to_real_cgroup);
	suite_add_tcase(s, real);
	return s;
}
