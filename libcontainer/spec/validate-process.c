/* Checks of the "process" object: what to run (args, cwd, env, user) and
 * how (capabilities, rlimits, scheduling, I/O priority, CPU affinity).
 * Whether the user or the binary exist is not known until the rootfs is
 * built; that is init's to report. */
#include <string.h>

#include "husk/cleanup.h"
#include "lsm.h"
#include "spec/names.h"
#include "spec/validate.h"

void husk_spec_check_process(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_process *proc = spec->process;
	/* The spec makes process optional, but create and run have nothing to
	 * start without it. */
	if (!proc) {
		husk_spec_problem_add(p, "process", "required");
		return;
	}
	if (proc->n_args == 0)
		husk_spec_problem_add(p, "process.args", "must be a non-empty array of strings");
	else if (!proc->args[0][0])
		husk_spec_problem_add(p, "process.args[0]", "must not be empty");
	husk_spec_check_abs_path(p, "process.cwd", proc->cwd);
	husk_spec_check_env(p, "process.env", proc->env, proc->n_env);
	if (proc->user.has_umask && proc->user.umask > 0777)
		husk_spec_problem_add(p, "process.user.umask", "must be at most 0777 (511), got %u",
		                      proc->user.umask);
}

static void check_label(struct husk_spec_problems *p, enum husk_lsm lsm, const char *path,
                        const char *label)
{
	const char *problem = husk_lsm_label_problem(lsm, label);
	if (problem)
		husk_spec_problem_add(p, path, "%s", problem);
}

/* Syntax only: whether the LSM is enabled is a property of the host,
 * checked by create (lsm.c), not of the config. */
void husk_spec_check_labels(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	if (spec->process) {
		check_label(p, HUSK_LSM_APPARMOR, "process.apparmorProfile",
		            spec->process->apparmor_profile);
		check_label(p, HUSK_LSM_SELINUX, "process.selinuxLabel",
		            spec->process->selinux_label);
	}
	if (spec->linux_)
		check_label(p, HUSK_LSM_SELINUX, "linux.mountLabel", spec->linux_->mount_label);
}

static void check_cap_set(struct husk_spec_problems *p, const char *set, char *const *caps,
                          size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!husk_name_list_contains(&husk_capability_names, caps[i]))
			husk_spec_problem_add(
			    p, husk_spec_fmt(p, "process.capabilities.%s[%zu]", set, i),
			    "unknown capability %s", husk_spec_quote(p, caps[i]));
}

void husk_spec_check_capabilities(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	if (!spec->process || !spec->process->capabilities)
		return;
	const struct husk_spec_capabilities *c = spec->process->capabilities;
	check_cap_set(p, "bounding", c->bounding, c->n_bounding);
	check_cap_set(p, "effective", c->effective, c->n_effective);
	check_cap_set(p, "inheritable", c->inheritable, c->n_inheritable);
	check_cap_set(p, "permitted", c->permitted, c->n_permitted);
	check_cap_set(p, "ambient", c->ambient, c->n_ambient);
}

void husk_spec_check_rlimits(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	if (!spec->process)
		return;
	const struct husk_spec_rlimit *r = spec->process->rlimits;
	for (size_t i = 0; i < spec->process->n_rlimits; i++) {
		if (!r[i].type) {
			husk_spec_problem_add(p, husk_spec_fmt(p, "process.rlimits[%zu].type", i),
			                      "required");
			continue;
		}
		if (!husk_name_list_contains(&husk_rlimit_names, r[i].type))
			husk_spec_problem_add(p, husk_spec_fmt(p, "process.rlimits[%zu].type", i),
			                      "unknown rlimit %s", husk_spec_quote(p, r[i].type));
		/* setrlimit() refuses a soft limit above the hard one. */
		if (r[i].soft > r[i].hard)
			husk_spec_problem_add(p, husk_spec_fmt(p, "process.rlimits[%zu].soft", i),
			                      "must not be above the hard limit %llu, got %llu",
			                      (unsigned long long)r[i].hard,
			                      (unsigned long long)r[i].soft);
		for (size_t j = 0; j < i; j++) {
			if (r[j].type && strcmp(r[j].type, r[i].type) == 0) {
				husk_spec_problem_add(
				    p, husk_spec_fmt(p, "process.rlimits[%zu].type", i),
				    "duplicate rlimit %s", husk_spec_quote(p, r[i].type));
				break;
			}
		}
	}
}

static void check_scheduler(struct husk_spec_problems *p, const struct husk_spec_scheduler *s)
{
	for (size_t i = 0; i < s->n_flags; i++)
		if (!husk_name_list_contains(&husk_sched_flags, s->flags[i]))
			husk_spec_problem_add(p,
			                      husk_spec_fmt(p, "process.scheduler.flags[%zu]", i),
			                      "unknown flag %s", husk_spec_quote(p, s->flags[i]));
	if (s->has_nice)
		husk_spec_check_range(p, "process.scheduler.nice", s->nice, -20, 19);
	if (!s->policy) {
		husk_spec_problem_add(p, "process.scheduler.policy", "required");
		return;
	}
	if (!husk_name_list_contains(&husk_sched_policies, s->policy)) {
		husk_spec_problem_add(p, "process.scheduler.policy", "unknown policy %s",
		                      husk_spec_quote(p, s->policy));
		return;
	}
	/* sched_setattr() wants a real-time priority for the real-time
	 * policies and none for the others. */
	bool realtime = !strcmp(s->policy, "SCHED_FIFO") || !strcmp(s->policy, "SCHED_RR");
	int32_t prio = s->has_priority ? s->priority : 0;
	if (realtime && (prio < 1 || prio > 99))
		husk_spec_problem_add(p, "process.scheduler.priority",
		                      "must be between 1 and 99 for %s, got %d", s->policy, prio);
	else if (!realtime && prio != 0)
		husk_spec_problem_add(p, "process.scheduler.priority", "must be 0 for %s, got %d",
		                      s->policy, prio);
}

void husk_spec_check_scheduling(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_process *proc = spec->process;
	if (!proc)
		return;
	if (proc->has_oom_score_adj)
		husk_spec_check_range(p, "process.oomScoreAdj", proc->oom_score_adj, -1000, 1000);
	if (proc->scheduler)
		check_scheduler(p, proc->scheduler);
	const struct husk_spec_io_priority *io = proc->io_priority;
	if (io) {
		if (!io->klass)
			husk_spec_problem_add(p, "process.ioPriority.class", "required");
		else if (!husk_name_list_contains(&husk_ioprio_classes, io->klass))
			husk_spec_problem_add(p, "process.ioPriority.class", "unknown class %s",
			                      husk_spec_quote(p, io->klass));
		husk_spec_check_range(p, "process.ioPriority.priority", io->priority, 0, 7);
	}
	if (proc->exec_cpu_affinity) {
		husk_spec_check_cpu_list(p, "process.execCPUAffinity.initial",
		                         proc->exec_cpu_affinity->initial);
		husk_spec_check_cpu_list(p, "process.execCPUAffinity.final",
		                         proc->exec_cpu_affinity->final);
	}
}
