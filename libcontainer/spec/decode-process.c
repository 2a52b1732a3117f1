/* Decoders for "process" (user, capabilities, rlimits, scheduler, I/O
 * priority, CPU affinity...) and "hooks".
 *
 * Names such as capabilities, rlimit types, scheduler policies and I/O
 * priority classes stay strings here: validate.c knows which are valid.
 * Integer widths follow the runtime spec's Go types, narrowed where our
 * struct is narrower (oomScoreAdj is an int in Go, the kernel takes
 * -1000..1000, so 32 bits lose nothing).
 */
#include "spec/decode.h"

#include "util/arena.h"

static int dec_console_size(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_process *p = item;
	p->has_console_size = true;
	int r = spec_dec_u32(d, v, "height", &p->console_height, NULL);
	if (r >= 0)
		r = spec_dec_u32(d, v, "width", &p->console_width, NULL);
	return r;
}

static int dec_user(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_user *u = item;
	int r = spec_dec_u32(d, v, "uid", &u->uid, NULL);
	if (r >= 0)
		r = spec_dec_u32(d, v, "gid", &u->gid, NULL);
	if (r >= 0)
		r = spec_dec_u32(d, v, "umask", &u->umask, &u->has_umask);
	if (r >= 0)
		r = spec_dec_u32s(d, v, "additionalGids", &u->additional_gids,
		                  &u->n_additional_gids);
	return r;
}

static int dec_capabilities(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_capabilities *c = item;
	int r = spec_dec_strings(d, v, "bounding", &c->bounding, &c->n_bounding);
	if (r >= 0)
		r = spec_dec_strings(d, v, "effective", &c->effective, &c->n_effective);
	if (r >= 0)
		r = spec_dec_strings(d, v, "inheritable", &c->inheritable, &c->n_inheritable);
	if (r >= 0)
		r = spec_dec_strings(d, v, "permitted", &c->permitted, &c->n_permitted);
	if (r >= 0)
		r = spec_dec_strings(d, v, "ambient", &c->ambient, &c->n_ambient);
	return r;
}

static int dec_rlimit(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_rlimit *rl = item;
	int r = spec_dec_string(d, v, "type", &rl->type);
	if (r >= 0)
		r = spec_dec_u64(d, v, "soft", &rl->soft, NULL);
	if (r >= 0)
		r = spec_dec_u64(d, v, "hard", &rl->hard, NULL);
	return r;
}

static int dec_scheduler(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_scheduler *s = item;
	int r = spec_dec_string(d, v, "policy", &s->policy);
	if (r >= 0)
		r = spec_dec_i32(d, v, "nice", &s->nice, &s->has_nice);
	if (r >= 0)
		r = spec_dec_i32(d, v, "priority", &s->priority, &s->has_priority);
	if (r >= 0)
		r = spec_dec_strings(d, v, "flags", &s->flags, &s->n_flags);
	if (r >= 0)
		r = spec_dec_u64(d, v, "runtime", &s->runtime, &s->has_runtime);
	if (r >= 0)
		r = spec_dec_u64(d, v, "deadline", &s->deadline, &s->has_deadline);
	if (r >= 0)
		r = spec_dec_u64(d, v, "period", &s->period, &s->has_period);
	return r;
}

static int dec_io_priority(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_io_priority *io = item;
	int r = spec_dec_string(d, v, "class", &io->klass);
	if (r >= 0)
		r = spec_dec_i32(d, v, "priority", &io->priority, NULL);
	return r;
}

static int dec_cpu_affinity(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_cpu_affinity *a = item;
	int r = spec_dec_string(d, v, "initial", &a->initial);
	if (r >= 0)
		r = spec_dec_string(d, v, "final", &a->final);
	return r;
}

/* The identity, command and environment of the process. */
static int dec_process_core(struct spec_decoder *d, const struct json_value *v,
                            struct husk_spec_process *p)
{
	int r = spec_dec_bool(d, v, "terminal", &p->terminal, NULL);
	if (r >= 0)
		r = spec_dec_inline(d, v, "consoleSize", dec_console_size, p);
	if (r >= 0)
		r = spec_dec_inline(d, v, "user", dec_user, &p->user);
	if (r >= 0)
		r = spec_dec_strings(d, v, "args", &p->args, &p->n_args);
	if (r >= 0)
		r = spec_dec_string(d, v, "commandLine", &p->command_line);
	if (r >= 0)
		r = spec_dec_strings(d, v, "env", &p->env, &p->n_env);
	if (r >= 0)
		r = spec_dec_string(d, v, "cwd", &p->cwd);
	return r;
}

int spec_dec_process(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_process *p = item;
	int r = dec_process_core(d, v, p);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "capabilities", dec_capabilities, &p->capabilities);
	if (r >= 0)
		r = SPEC_DEC_ARRAY(d, v, "rlimits", dec_rlimit, &p->rlimits, &p->n_rlimits);
	if (r >= 0)
		r = spec_dec_bool(d, v, "noNewPrivileges", &p->no_new_privileges, NULL);
	if (r >= 0)
		r = spec_dec_string(d, v, "apparmorProfile", &p->apparmor_profile);
	if (r >= 0)
		r = spec_dec_i32(d, v, "oomScoreAdj", &p->oom_score_adj, &p->has_oom_score_adj);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "scheduler", dec_scheduler, &p->scheduler);
	if (r >= 0)
		r = spec_dec_string(d, v, "selinuxLabel", &p->selinux_label);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "ioPriority", dec_io_priority, &p->io_priority);
	if (r >= 0)
		r = SPEC_DEC_SUB(d, v, "execCPUAffinity", dec_cpu_affinity, &p->exec_cpu_affinity);
	return r;
}

/* ---- hooks --------------------------------------------------------------- */

static int dec_hook(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_hook *h = item;
	int r = spec_dec_string(d, v, "path", &h->path);
	if (r >= 0)
		r = spec_dec_strings(d, v, "args", &h->args, &h->n_args);
	if (r >= 0)
		r = spec_dec_strings(d, v, "env", &h->env, &h->n_env);
	if (r >= 0)
		r = spec_dec_i64(d, v, "timeout", &h->timeout, &h->has_timeout);
	return r;
}

int spec_dec_hooks(struct spec_decoder *d, const struct json_value *v, void *item)
{
	struct husk_spec_hooks *hooks = item;
	for (int k = 0; k < HUSK_HOOK_KIND_COUNT; k++) {
		int r = SPEC_DEC_ARRAY(d, v, husk_hook_kind_name(k), dec_hook, &hooks->hooks[k],
		                       &hooks->n_hooks[k]);
		if (r < 0)
			return r;
	}
	return 0;
}
