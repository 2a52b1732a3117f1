/* The cgroup v2 device controller.  cgroup v2 has no devices.allow file: the
 * kernel asks a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup.
 * This module owns compiling OCI device rules into that program (a pure
 * function, unit-tested by interpretation), loading it with the raw bpf(2)
 * syscall and attaching it in place of the one attached before.  It does not
 * decide which rules a container gets (the caller adds the defaults and the
 * linux.devices entries) and does not create or remove cgroups.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/v2-devices.h"
#include "husk/cleanup.h"
#include "util/xalloc.h"

/* Registers of the generated program.  r1 holds the context on entry. */
enum { R0 = 0, R_CTX = 1, R_ACCESS = 2, R_TMP = 3 };

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/* A jump offset is a signed 16-bit field; longer programs cannot be encoded
 * this way, and no sane rule list gets near it. */
#define MAX_INSNS 32000

/* A rule once validated: what the code generator needs. */
struct dev_rule {
	bool allow;
	int type;      /* BPF_DEVCG_DEV_*, 0 for all */
	int64_t major; /* -1 for all */
	int64_t minor; /* -1 for all */
	int access;    /* BPF_DEVCG_ACC_* bits */
};

/* Instructions plus symbolic jump targets, resolved once all are placed. */
struct builder {
	struct bpf_insn *insns;
	int *target; /* label of the jump at the same index, -1 when none */
	size_t n, cap;
	size_t *labels; /* label -> instruction index */
	size_t n_labels, cap_labels;
};

static void emit_jump(struct builder *b, uint8_t code, uint8_t dst, uint8_t src, int32_t imm,
                      int label)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->insns = xrealloc(b->insns, b->cap * sizeof(*b->insns));
		b->target = xrealloc(b->target, b->cap * sizeof(*b->target));
	}
	b->insns[b->n] =
	    (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = 0, .imm = imm};
	b->target[b->n] = label;
	b->n++;
}

static void emit(struct builder *b, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
                 int32_t imm)
{
	emit_jump(b, code, dst, src, imm, -1);
	b->insns[b->n - 1].off = off;
}

static int new_label(struct builder *b)
{
	if (b->n_labels == b->cap_labels) {
		b->cap_labels = b->cap_labels ? b->cap_labels * 2 : 16;
		b->labels = xrealloc(b->labels, b->cap_labels * sizeof(*b->labels));
	}
	b->labels[b->n_labels] = SIZE_MAX;
	return (int)b->n_labels++;
}

static void place(struct builder *b, int label)
{
	b->labels[label] = b->n;
}

static void builder_free(struct builder *b)
{
	free(b->insns);
	free(b->target);
	free(b->labels);
}

static int resolve(struct builder *b, struct husk_error **err)
{
	if (b->n > MAX_INSNS)
		return husk_error_set(err, 0, "device program too large: %zu instructions", b->n);
	for (size_t i = 0; i < b->n; i++) {
		if (b->target[i] < 0)
			continue;
		size_t to = b->labels[b->target[i]];
		/* Every jump goes forward: the program has no loops. */
		if (to == SIZE_MAX || to <= i)
			return husk_error_set(err, 0, "device program: bad jump at %zu", i);
		b->insns[i].off = (int16_t)(to - i - 1);
	}
	return 0;
}

static int parse_rule(const struct husk_spec_device_cgroup *in, size_t idx, struct dev_rule *out,
                      struct husk_error **err)
{
	out->allow = in->allow;
	if (!in->type || strcmp(in->type, "a") == 0)
		out->type = 0;
	else if (strcmp(in->type, "c") == 0)
		out->type = BPF_DEVCG_DEV_CHAR;
	else if (strcmp(in->type, "b") == 0)
		out->type = BPF_DEVCG_DEV_BLOCK;
	else
		return husk_error_set(err, 0, "device rule %zu: invalid type '%s'", idx, in->type);

	const int64_t nums[2] = {in->has_major ? in->major : -1, in->has_minor ? in->minor : -1};
	for (int i = 0; i < 2; i++) {
		if (nums[i] < -1 || nums[i] > (int64_t)UINT32_MAX)
			return husk_error_set(err, 0, "device rule %zu: invalid %s %lld", idx,
			                      i == 0 ? "major" : "minor", (long long)nums[i]);
	}
	out->major = nums[0];
	out->minor = nums[1];

	if (!in->access) {
		out->access = ACC_ALL;
		return 0;
	}
	out->access = 0;
	for (const char *p = in->access; *p; p++) {
		if (*p == 'r')
			out->access |= BPF_DEVCG_ACC_READ;
		else if (*p == 'w')
			out->access |= BPF_DEVCG_ACC_WRITE;
		else if (*p == 'm')
			out->access |= BPF_DEVCG_ACC_MKNOD;
		else
			return husk_error_set(err, 0, "device rule %zu: invalid access '%s'", idx,
			                      in->access);
	}
	if (out->access == 0)
		return husk_error_set(err, 0, "device rule %zu: empty access", idx);
	return 0;
}

/* Jumps to label unless the request's field at ctx offset `off` (masked
 * when mask is not 0) equals imm.  The field is loaded afresh into a scratch
 * register for each test instead of kept in one: a test that narrows a kept
 * register makes every path through the program look different to the
 * verifier, which then walks each combination of matches; fresh loads
 * leave the paths alike where they meet, so it prunes them. */
static void emit_field_test(struct builder *b, int16_t off, int32_t mask, int32_t imm, int label)
{
	emit(b, BPF_LDX | BPF_MEM | BPF_W, R_TMP, R_CTX, off, 0);
	if (mask)
		emit(b, BPF_ALU64 | BPF_AND | BPF_K, R_TMP, 0, 0, mask);
	emit_jump(b, BPF_JMP | BPF_JNE | BPF_K, R_TMP, 0, imm, label);
}

/* One pass over the rules, last to first, with R_ACCESS holding the
 * requested access bits no rule has decided yet.  A rule whose type, major
 * and minor fit decides the undecided bits it names: an allow removes them
 * (and the request is granted once none are left), a deny refuses the
 * request if any of them is still undecided.  Bits left over when the rules
 * run out are refused.  This is the v1 controller's bit-by-bit meaning:
 * "allow c 1:3 r" plus "allow c 1:3 w" grant an O_RDWR open, and "allow a"
 * plus "deny c 5:* w" refuse one.  Each rule is emitted once, whatever bits
 * it names: the verifier's time grows with the instructions it walks. */
static void emit_program(struct builder *b, const struct dev_rule *rules, size_t n)
{
	int deny = new_label(b);
	int allow = new_label(b);

	/* ctx->access_type is (access << 16) | device type. */
	emit(b, BPF_LDX | BPF_MEM | BPF_W, R_ACCESS, R_CTX, 0, 0);
	emit(b, BPF_ALU64 | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
	/* An empty request or an access bit this program does not know (a
	 * future kernel's) is refused rather than waved through. */
	emit_jump(b, BPF_JMP | BPF_JEQ | BPF_K, R_ACCESS, 0, 0, deny);
	emit_jump(b, BPF_JMP | BPF_JSET | BPF_K, R_ACCESS, 0, (int32_t) ~(uint32_t)ACC_ALL, deny);

	for (size_t i = n; i-- > 0;) {
		const struct dev_rule *r = &rules[i];
		/* Device numbers are 12 (major) and 20 (minor) bits wide, and
		 * the 32-bit immediate is sign-extended: a number above
		 * INT32_MAX can match no device, so its rule is left out. */
		if (r->major > INT32_MAX || r->minor > INT32_MAX)
			continue;
		int next = new_label(b);
		/* ctx: access_type, major, minor */
		if (r->type)
			emit_field_test(b, 0, 0xffff, r->type, next);
		if (r->major >= 0)
			emit_field_test(b, 4, 0, (int32_t)r->major, next);
		if (r->minor >= 0)
			emit_field_test(b, 8, 0, (int32_t)r->minor, next);
		if (r->allow) {
			emit(b, BPF_ALU64 | BPF_AND | BPF_K, R_ACCESS, 0, 0,
			     (int32_t) ~(uint32_t)r->access);
			emit_jump(b, BPF_JMP | BPF_JEQ | BPF_K, R_ACCESS, 0, 0, allow);
		} else {
			emit_jump(b, BPF_JMP | BPF_JSET | BPF_K, R_ACCESS, 0, r->access, deny);
		}
		place(b, next);
		/* A rule for every device and every access decides all that is
		 * left: the rules before it are never reached. */
		if (!r->type && r->major < 0 && r->minor < 0 && r->access == ACC_ALL)
			break;
	}
	emit_jump(b, BPF_JMP | BPF_JA, 0, 0, 0, deny);

	place(b, allow);
	emit(b, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 1);
	emit(b, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	place(b, deny);
	emit(b, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0);
	emit(b, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

int husk_cgroup_devices_program(const struct husk_spec_device_cgroup *rules, size_t n,
                                struct bpf_insn **ret_insns, size_t *ret_n, struct husk_error **err)
{
	_cleanup_free_ struct dev_rule *parsed = xmalloc((n ? n : 1) * sizeof(*parsed));
	for (size_t i = 0; i < n; i++) {
		if (parse_rule(&rules[i], i, &parsed[i], err) < 0)
			return -1;
	}

	struct builder b = {0};
	emit_program(&b, parsed, n);
	if (resolve(&b, err) < 0) {
		builder_free(&b);
		return -1;
	}
	*ret_insns = TAKE_PTR(b.insns);
	*ret_n = b.n;
	builder_free(&b);
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The verifier's verdict is the last non-empty line of its log. */
static const char *verifier_verdict(char *log)
{
	size_t len = strlen(log);
	while (len > 0 && log[len - 1] == '\n')
		log[--len] = '\0';
	char *nl = strrchr(log, '\n');
	return nl ? nl + 1 : log;
}

static int load_program(const struct bpf_insn *insns, size_t n, struct husk_error **err)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)n;
	/* The program calls no helper, so no GPL-only symbol is involved. */
	attr.license = (uintptr_t) "Apache-2.0";
	int fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	int saved = errno;
	if (saved != EINVAL && saved != EACCES)
		return husk_error_set(err, saved, "load device program");

	/* Only a rejected program is loaded again, this time for the log. */
	const size_t log_size = 64 * 1024;
	_cleanup_free_ char *log = xzalloc(log_size);
	attr.log_buf = (uintptr_t)log;
	attr.log_size = (uint32_t)log_size;
	attr.log_level = 1;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	log[log_size - 1] = '\0';
	return husk_error_set(err, saved, "load device program (verifier: '%s')",
	                      verifier_verdict(log));
}

/* Ids of the device programs attached directly to the cgroup, not those it
 * inherits: the kernel allows at most 64 per cgroup and attach type. */
static int query_attached(int cgroup_fd, uint32_t ids[64], uint32_t *ret_n, struct husk_error **err)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cgroup_fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uintptr_t)ids;
	attr.query.prog_cnt = 64;
	if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
		return husk_error_set(err, errno, "query attached device programs");
	*ret_n = attr.query.prog_cnt;
	return 0;
}

/* Returns -1 with errno set: the caller decides whether it is an error. */
static int attach_program(int cgroup_fd, int prog_fd)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	return sys_bpf(BPF_PROG_ATTACH, &attr) < 0 ? -1 : 0;
}

/* A program that vanished meanwhile (ENOENT) is as good as detached. */
static int detach_program_id(int cgroup_fd, uint32_t id, struct husk_error **err)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	_cleanup_close_ int prog_fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (prog_fd < 0) {
		if (errno == ENOENT)
			return 0;
		return husk_error_set(err, errno, "open device program id %u", id);
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	if (sys_bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
		return husk_error_set(err, errno, "detach device program id %u", id);
	return 0;
}

static int detach_all(int cgroup_fd, const uint32_t *ids, uint32_t n, struct husk_error **err)
{
	for (uint32_t i = 0; i < n; i++) {
		if (detach_program_id(cgroup_fd, ids[i], err) < 0)
			return -1;
	}
	return 0;
}

int husk_cgroup_devices_attach(int cgroup_dir_fd, const struct husk_spec_device_cgroup *rules,
                               size_t n, struct husk_error **err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	size_t n_insns = 0;
	if (husk_cgroup_devices_program(rules, n, &insns, &n_insns, err) < 0)
		return -1;
	_cleanup_close_ int prog_fd = load_program(insns, n_insns, err);
	if (prog_fd < 0)
		return -1;

	uint32_t old[64];
	uint32_t n_old = 0;
	if (query_attached(cgroup_dir_fd, old, &n_old, err) < 0)
		return -1;

	/* New before old goes: while both are attached the kernel requires
	 * both to allow, so the update never opens a window wider than
	 * either rule set. */
	if (attach_program(cgroup_dir_fd, prog_fd) < 0) {
		/* EPERM with programs present means one was attached without
		 * BPF_F_ALLOW_MULTI (by an older tool): it has to go first. */
		if (errno != EPERM || n_old == 0)
			return husk_error_set(err, errno, "attach device program");
		if (detach_all(cgroup_dir_fd, old, n_old, err) < 0)
			return -1;
		if (attach_program(cgroup_dir_fd, prog_fd) < 0)
			return husk_error_set(err, errno, "attach device program");
		return 0;
	}
	/* The attachment holds its own reference; our fd closes on return. */
	return detach_all(cgroup_dir_fd, old, n_old, err);
}

/* runc's built-in list, kept in the same order. */
static const struct husk_spec_device_cgroup default_rules[] = {
    {.allow = true, .type = "c", .access = "m"},
    {.allow = true, .type = "b", .access = "m"},
    {.allow = true, .type = "c", .has_major = true, .major = 1, .has_minor = true, .minor = 3},
    {.allow = true, .type = "c", .has_major = true, .major = 1, .has_minor = true, .minor = 8},
    {.allow = true, .type = "c", .has_major = true, .major = 1, .has_minor = true, .minor = 7},
    {.allow = true, .type = "c", .has_major = true, .major = 5, .has_minor = true, .minor = 0},
    {.allow = true, .type = "c", .has_major = true, .major = 1, .has_minor = true, .minor = 5},
    {.allow = true, .type = "c", .has_major = true, .major = 1, .has_minor = true, .minor = 9},
    {.allow = true, .type = "c", .has_major = true, .major = 136},
    {.allow = true, .type = "c", .has_major = true, .major = 5, .has_minor = true, .minor = 2},
    {.allow = true, .type = "c", .has_major = true, .major = 10, .has_minor = true, .minor = 200},
};

const struct husk_spec_device_cgroup *husk_cgroup_devices_default_rules(size_t *ret_n)
{
	*ret_n = HUSK_ARRAY_SIZE(default_rules);
	return default_rules;
}
