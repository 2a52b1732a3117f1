/* linux.seccomp -> a libseccomp filter, and its load in the child.
 *
 * This file owns the mapping of OCI names (actions, operators,
 * architectures, flags) to libseccomp values and the rule-building policy
 * shared with runc (see seccomp-filter.h).  Name checks that need no libseccomp
 * are validate.c's; the listener handover is seccomp-notify.c's; where in
 * the init the load runs is init.c's and exec.c's (seccomp-filter.h says where).
 */
#include "seccomp-filter.h"

#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "seccomp-cache.h"
#include "util/xalloc.h"

/* The kernel's flag values (linux/seccomp.h), spelt here because libseccomp's
 * header and the kernel's define some of the same structures. */
#define KFLAG_TSYNC              (1U << 0)
#define KFLAG_LOG                (1U << 1)
#define KFLAG_SPEC_ALLOW         (1U << 2)
#define KFLAG_NEW_LISTENER       (1U << 3)
#define KFLAG_TSYNC_ESRCH        (1U << 4)
#define KFLAG_WAIT_KILLABLE_RECV (1U << 5)
#define SET_MODE_FILTER          1

#define MAX_ARGS 6

/* Every filter is exported to BPF at compile time and loaded with
 * seccomp(2) directly (libseccomp's own load does the same; this way a
 * program read back from the cache loads exactly like a fresh one, and the
 * libseccomp context is gone before the clone). */
struct husk_seccomp {
	scmp_filter_ctx ctx; /* while compiling */
	struct husk_seccomp_program prog;
};

/* ---- names ---- */

/* field and errno_field name the keys under base, for messages. */
static int parse_action(const char *base, const char *field, const char *errno_field,
                        const char *name, bool has_errno, uint32_t errno_ret, uint32_t *ret,
                        struct husk_error **err)
{
	/* runc's default for ERRNO and TRACE without errnoRet */
	uint32_t data = has_errno ? errno_ret : EPERM;
	static const struct {
		const char *name;
		uint32_t action;
	} plain[] = {
	    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD},
	    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
	    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
	    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
	    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
	    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
	    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
	};
	if (!name)
		return husk_error_set(err, 0, "%s%s: required", base, field);
	if (strcmp(name, "SCMP_ACT_ERRNO") == 0 || strcmp(name, "SCMP_ACT_TRACE") == 0) {
		/* the filter's return value keeps 16 bits of data */
		if (data > 0xffff)
			return husk_error_set(err, 0, "%s%s: %u does not fit in 16 bits", base,
			                      errno_field, data);
		*ret = name[9] == 'E' ? SCMP_ACT_ERRNO(data) : SCMP_ACT_TRACE(data);
		return 0;
	}
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(plain); i++)
		if (strcmp(name, plain[i].name) == 0) {
			*ret = plain[i].action;
			return 0;
		}
	return husk_error_set(err, 0, "%s%s: unknown action \"%s\"", base, field, name);
}

static int parse_op(const char *name, enum scmp_compare *ret)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
	    {"SCMP_CMP_NE", SCMP_CMP_NE},
	    {"SCMP_CMP_LT", SCMP_CMP_LT},
	    {"SCMP_CMP_LE", SCMP_CMP_LE},
	    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
	    {"SCMP_CMP_GE", SCMP_CMP_GE},
	    {"SCMP_CMP_GT", SCMP_CMP_GT},
	    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
	};
	for (size_t i = 0; name && i < HUSK_ARRAY_SIZE(ops); i++)
		if (strcmp(name, ops[i].name) == 0) {
			*ret = ops[i].op;
			return 0;
		}
	return -1;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64"; 0 when unknown
 * (including names of architectures newer than this libseccomp). */
static uint32_t resolve_arch(const char *name)
{
	static const char prefix[] = "SCMP_ARCH_";
	if (strncmp(name, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	const char *s = name + sizeof(prefix) - 1;
	char lower[32];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof(lower))
		return 0;
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)s[i]);
	return seccomp_arch_resolve_name(lower);
}

static int add_arches(scmp_filter_ctx ctx, const struct husk_spec_seccomp *sc,
                      struct husk_error **err)
{
	for (size_t i = 0; i < sc->n_architectures; i++) {
		uint32_t arch = resolve_arch(sc->architectures[i]);
		if (arch == 0)
			return husk_error_set(
			    err, 0,
			    "linux.seccomp.architectures[%zu]: \"%s\" is not supported by libseccomp %u.%u.%u",
			    i, sc->architectures[i], seccomp_version()->major,
			    seccomp_version()->minor, seccomp_version()->micro);
		int r = seccomp_arch_add(ctx, arch);
		/* the native architecture is always there already */
		if (r < 0 && r != -EEXIST)
			return husk_error_set(err, -r,
			                      "linux.seccomp.architectures[%zu]: add \"%s\"%s", i,
			                      sc->architectures[i],
			                      r == -EDOM ? ": byte order differs from the native "
			                                   "architecture's"
			                                 : "");
	}
	return 0;
}

/* Kernel flags the raw load needs; libseccomp attributes otherwise. */
static int apply_flags(struct husk_seccomp *f, const struct husk_spec_seccomp *sc,
                       bool *ret_wait_killable, struct husk_error **err)
{
	static const struct {
		const char *name;
		enum scmp_filter_attr attr;
		unsigned int kflag;
	} flags[] = {
	    {"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC, KFLAG_TSYNC | KFLAG_TSYNC_ESRCH},
	    {"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG, KFLAG_LOG},
	    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB, KFLAG_SPEC_ALLOW},
	};
	*ret_wait_killable = false;
	for (size_t i = 0; i < sc->n_flags; i++) {
		const char *name = sc->flags[i];
		if (strcmp(name, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0) {
			*ret_wait_killable = true;
			continue;
		}
		size_t k = 0;
		while (k < HUSK_ARRAY_SIZE(flags) && strcmp(name, flags[k].name) != 0)
			k++;
		if (k == HUSK_ARRAY_SIZE(flags))
			return husk_error_set(
			    err, 0, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i, name);
		int r = seccomp_attr_set(f->ctx, flags[k].attr, 1);
		if (r < 0)
			return husk_error_set(err, -r, "linux.seccomp.flags[%zu]: \"%s\"", i, name);
		f->prog.kernel_flags |= flags[k].kflag;
	}
	return 0;
}

/* ---- rules ---- */

static int build_conditions(const struct husk_spec_seccomp_syscall *s, size_t i,
                            struct scmp_arg_cmp *conds, bool *ret_repeated, struct husk_error **err)
{
	unsigned seen = 0;
	*ret_repeated = false;
	for (size_t j = 0; j < s->n_args; j++) {
		const struct husk_spec_seccomp_arg *a = &s->args[j];
		enum scmp_compare op;
		if (a->index >= MAX_ARGS)
			return husk_error_set(
			    err, 0,
			    "linux.seccomp.syscalls[%zu].args[%zu].index: must be "
			    "less than %d, got %u",
			    i, j, MAX_ARGS, a->index);
		if (parse_op(a->op, &op) < 0)
			return husk_error_set(err, 0,
			                      "linux.seccomp.syscalls[%zu].args[%zu].op: unknown "
			                      "operator \"%s\"",
			                      i, j, a->op ? a->op : "");
		/* for MASKED_EQ value is the mask and valueTwo the result */
		conds[j] = (struct scmp_arg_cmp){
		    .arg = a->index, .op = op, .datum_a = a->value, .datum_b = a->value_two};
		if (seen & (1U << a->index))
			*ret_repeated = true;
		seen |= 1U << a->index;
	}
	return 0;
}

static int add_syscall_rule(scmp_filter_ctx ctx, size_t i, const char *name, uint32_t action,
                            const struct scmp_arg_cmp *conds, size_t n_conds, bool repeated,
                            struct husk_error **err)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0; /* unknown to this libseccomp: skipped, as runc does */
	int r;
	if (!repeated) {
		r = seccomp_rule_add_array(ctx, action, nr, (unsigned)n_conds, conds);
	} else {
		/* libseccomp cannot compare one argument twice in a rule; runc
		 * gives each condition a rule of its own, so they OR. */
		r = 0;
		for (size_t k = 0; r >= 0 && k < n_conds; k++)
			r = seccomp_rule_add_array(ctx, action, nr, 1, &conds[k]);
	}
	if (r < 0)
		return husk_error_set(err, -r, "linux.seccomp.syscalls[%zu]: add rule for \"%s\"",
		                      i, name);
	return 0;
}

static int add_rules(struct husk_seccomp *f, const struct husk_spec_seccomp *sc,
                     uint32_t default_action, struct husk_error **err)
{
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct husk_spec_seccomp_syscall *s = &sc->syscalls[i];
		_cleanup_free_ char *base = xasprintf("linux.seccomp.syscalls[%zu]", i);
		uint32_t action;
		if (parse_action(base, ".action", ".errnoRet", s->action, s->has_errno_ret,
		                 s->errno_ret, &action, err) < 0)
			return -1;
		/* libseccomp refuses them (EACCES) and they change nothing */
		if (action == default_action)
			continue;
		if (s->n_args > MAX_ARGS)
			return husk_error_set(err, 0, "%s.args: at most %d conditions, got %zu",
			                      base, MAX_ARGS, s->n_args);
		struct scmp_arg_cmp conds[MAX_ARGS];
		bool repeated;
		if (build_conditions(s, i, conds, &repeated, err) < 0)
			return -1;
		for (size_t j = 0; j < s->n_names; j++)
			if (add_syscall_rule(f->ctx, i, s->names[j], action, conds, s->n_args,
			                     repeated, err) < 0)
				return -1;
		f->prog.notify = f->prog.notify || action == SCMP_ACT_NOTIFY;
	}
	return 0;
}

/* ---- compile ---- */

/* The BPF program as libseccomp would load it. */
static int export_program(struct husk_seccomp *f, struct husk_error **err)
{
	_cleanup_close_ int fd = memfd_create("husk-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "linux.seccomp: memfd_create");
	int r = seccomp_export_bpf(f->ctx, fd);
	if (r < 0)
		return husk_error_set(err, -r, "linux.seccomp: export the filter");
	struct stat st;
	if (fstat(fd, &st) < 0)
		return husk_error_set(err, errno, "linux.seccomp: stat the exported filter");
	size_t n = (size_t)st.st_size / sizeof(struct sock_filter);
	if (n == 0 || n > BPF_MAXINSNS)
		return husk_error_set(err, E2BIG, "linux.seccomp: filter of %zu instructions", n);
	f->prog.insns = xcalloc(n, sizeof(struct sock_filter));
	if (pread(fd, f->prog.insns, n * sizeof(struct sock_filter), 0) !=
	    (ssize_t)(n * sizeof(struct sock_filter)))
		return husk_error_set(err, errno, "linux.seccomp: read the exported filter");
	f->prog.len = (unsigned short)n;
	return 0;
}

static int compile(struct husk_seccomp *f, const struct husk_spec_seccomp *sc,
                   struct husk_error **err)
{
	uint32_t def;
	if (parse_action("linux.seccomp", ".defaultAction", ".defaultErrnoRet", sc->default_action,
	                 sc->has_default_errno_ret, sc->default_errno_ret, &def, err) < 0)
		return -1;
	f->ctx = seccomp_init(def);
	if (!f->ctx)
		return husk_error_set(err, EINVAL, "linux.seccomp.defaultAction: \"%s\"",
		                      sc->default_action);
	/* libseccomp sets no_new_privs on load unless told not to; that is
	 * process.noNewPrivileges' decision, not the filter's. */
	int r = seccomp_attr_set(f->ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		return husk_error_set(err, -r, "linux.seccomp: clear the no_new_privs attribute");
	/* the kernel's errno on a failed load instead of ECANCELED (best effort:
	 * older kernels' API levels refuse it) */
	(void)seccomp_attr_set(f->ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	bool wait_killable;
	if (add_arches(f->ctx, sc, err) < 0 || apply_flags(f, sc, &wait_killable, err) < 0 ||
	    add_rules(f, sc, def, err) < 0)
		return -1;
	if (f->prog.notify)
		f->prog.kernel_flags |= KFLAG_NEW_LISTENER;
	if (wait_killable && f->prog.notify)
		f->prog.kernel_flags |= KFLAG_WAIT_KILLABLE_RECV;
	if (export_program(f, err) < 0)
		return -1;
	seccomp_release(f->ctx);
	f->ctx = NULL;
	return 0;
}

int husk_seccomp_compile_cached(const struct husk_spec_seccomp *sc, const char *cache_dir,
                                struct husk_seccomp **ret, struct husk_error **err)
{
	*ret = NULL;
	if (!sc)
		return 0;
	struct husk_seccomp *f = xzalloc(sizeof(*f));
	char key[65];
	if (cache_dir) {
		husk_seccomp_cache_key(sc, key);
		if (husk_seccomp_cache_read(cache_dir, key, &f->prog)) {
			*ret = f;
			return 0;
		}
	}
	if (compile(f, sc, err) < 0) {
		husk_seccomp_free(f);
		return -1;
	}
	if (cache_dir)
		husk_seccomp_cache_write(cache_dir, key, &f->prog);
	*ret = f;
	return 0;
}

int husk_seccomp_compile(const struct husk_spec_seccomp *sc, struct husk_seccomp **ret,
                         struct husk_error **err)
{
	return husk_seccomp_compile_cached(sc, NULL, ret, err);
}

void husk_seccomp_free(struct husk_seccomp *f)
{
	if (!f)
		return;
	if (f->ctx)
		seccomp_release(f->ctx);
	free(f->prog.insns);
	free(f);
}

bool husk_seccomp_load_early(const struct husk_spec_process *process)
{
	return !process || !process->no_new_privileges;
}

bool husk_seccomp_has_notify(const struct husk_seccomp *f)
{
	return f && f->prog.notify;
}

/* ---- load ---- */

int husk_seccomp_load(const struct husk_seccomp *f, int *ret_notify_fd, struct husk_error **err)
{
	if (ret_notify_fd)
		*ret_notify_fd = -1;
	if (!f)
		return 0;
	if (f->prog.notify && !ret_notify_fd)
		return husk_error_set(err, EINVAL,
		                      "load the seccomp filter: nowhere to put the "
		                      "notify fd");
	struct sock_fprog prog = {.len = f->prog.len, .filter = f->prog.insns};
	long r = syscall(SYS_seccomp, SET_MODE_FILTER, f->prog.kernel_flags, &prog);
	if (r < 0)
		return husk_error_set(err, errno, "load the seccomp filter");
	if (f->prog.notify)
		*ret_notify_fd = (int)r; /* NEW_LISTENER: the listener fd, O_CLOEXEC */
	return 0;
}
