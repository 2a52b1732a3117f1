/* Checks of the "linux" object apart from linux.resources (which
 * validate-resources.c reads): namespaces and what needs them, id mappings,
 * devices, sysctls, seccomp, rootfs propagation, masked paths, personality
 * and network devices.  Whether a namespace path or a device exists is
 * learnt only when init opens it. */
#include <string.h>

#include "husk/cleanup.h"
#include "spec/names.h"
#include "spec/validate.h"

void husk_spec_check_namespaces(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	if (!spec->linux_)
		return;
	bool seen[HUSK_NS_TYPE_COUNT] = {false};
	for (size_t i = 0; i < spec->linux_->n_namespaces; i++) {
		const struct husk_spec_namespace *ns = &spec->linux_->namespaces[i];
		if (ns->type >= HUSK_NS_TYPE_COUNT)
			continue; /* the decoder admits only known types */
		if (seen[ns->type])
			husk_spec_problem_add(p, husk_spec_fmt(p, "linux.namespaces[%zu].type", i),
			                      "duplicate namespace %s",
			                      husk_spec_quote(p, husk_ns_type_name(ns->type)));
		seen[ns->type] = true;
		/* An empty path means "create one", as in runc. */
		if (ns->path && ns->path[0])
			husk_spec_check_abs_path(
			    p, husk_spec_fmt(p, "linux.namespaces[%zu].path", i), ns->path);
	}
}

static void check_mappings(const struct husk_spec *spec, struct husk_spec_problems *p,
                           const char *field, size_t n)
{
	bool joined = false;
	bool has_userns = husk_spec_has_namespace(spec, HUSK_NS_USER, &joined);
	if (n > 0 && !has_userns)
		husk_spec_problem_add(p, field, "requires a user namespace");
	/* A new user namespace without maps leaves every id unmapped
	 * (nobody), which is never what a config means.  A joined one comes
	 * with its maps. */
	else if (n == 0 && has_userns && !joined)
		husk_spec_problem_add(p, field, "required when creating a user namespace");
}

void husk_spec_check_id_mappings(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	if (!spec->linux_)
		return;
	const struct husk_spec_linux *l = spec->linux_;
	check_mappings(spec, p, "linux.uidMappings", l->n_uid_mappings);
	check_mappings(spec, p, "linux.gidMappings", l->n_gid_mappings);
	husk_spec_check_mapping_sizes(p, "linux.uidMappings", l->uid_mappings, l->n_uid_mappings);
	husk_spec_check_mapping_sizes(p, "linux.gidMappings", l->gid_mappings, l->n_gid_mappings);
}

static void check_time_offset(struct husk_spec_problems *p, const char *clock,
                              const struct husk_spec_time_offset *t)
{
	if (t->present && t->nanosecs >= 1000000000u)
		husk_spec_problem_add(p, husk_spec_fmt(p, "linux.timeOffsets.%s.nanosecs", clock),
		                      "must be less than 1000000000, got %u", t->nanosecs);
}

void husk_spec_check_time_offsets(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_linux *l = spec->linux_;
	if (!l || (!l->time_monotonic.present && !l->time_boottime.present))
		return;
	bool joined = false;
	if (!husk_spec_has_namespace(spec, HUSK_NS_TIME, &joined))
		husk_spec_problem_add(p, "linux.timeOffsets", "requires a time namespace");
	/* The kernel takes offsets only before a process enters the
	 * namespace, so one joined by path already has its offsets. */
	else if (joined)
		husk_spec_problem_add(p, "linux.timeOffsets",
		                      "requires a new time namespace, not one joined by path");
	check_time_offset(p, "monotonic", &l->time_monotonic);
	check_time_offset(p, "boottime", &l->time_boottime);
}

static void check_device(struct husk_spec_problems *p, size_t i, const struct husk_spec_device *d)
{
	husk_spec_check_abs_path(p, husk_spec_fmt(p, "linux.devices[%zu].path", i), d->path);
	if (d->has_file_mode && d->file_mode > 07777)
		husk_spec_problem_add(p, husk_spec_fmt(p, "linux.devices[%zu].fileMode", i),
		                      "must be at most 07777 (4095), got %u", d->file_mode);
	const char *type_path = husk_spec_fmt(p, "linux.devices[%zu].type", i);
	if (!d->type) {
		husk_spec_problem_add(p, type_path, "required");
		return;
	}
	if (strlen(d->type) != 1 || !strchr("cbup", d->type[0])) {
		husk_spec_problem_add(p, type_path, "unknown device type %s, want c, b, u or p",
		                      husk_spec_quote(p, d->type));
		return;
	}
	if (d->type[0] == 'p')
		return; /* a fifo has no device number */
	if (!d->has_major)
		husk_spec_problem_add(p, husk_spec_fmt(p, "linux.devices[%zu].major", i),
		                      "required for a \"%s\" device", d->type);
	else if (d->major < 0)
		husk_spec_problem_add(p, husk_spec_fmt(p, "linux.devices[%zu].major", i),
		                      "must not be negative, got %lld", (long long)d->major);
	if (!d->has_minor)
		husk_spec_problem_add(p, husk_spec_fmt(p, "linux.devices[%zu].minor", i),
		                      "required for a \"%s\" device", d->type);
	else if (d->minor < 0)
		husk_spec_problem_add(p, husk_spec_fmt(p, "linux.devices[%zu].minor", i),
		                      "must not be negative, got %lld", (long long)d->minor);
}

void husk_spec_check_devices(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	if (!spec->linux_)
		return;
	for (size_t i = 0; i < spec->linux_->n_devices; i++)
		check_device(p, i, &spec->linux_->devices[i]);
}

/* True when s, split at any byte of seps, has a component equal to comp
 * (or, with comp NULL, an empty component). */
static bool has_component(const char *s, const char *seps, const char *comp)
{
	for (;;) {
		size_t len = strcspn(s, seps);
		if (comp ? (len == strlen(comp) && !strncmp(s, comp, len)) : len == 0)
			return true;
		if (!s[len])
			return false;
		s += len + 1;
	}
}

void husk_spec_check_cgroups_path(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const char *path = spec->linux_ ? spec->linux_->cgroups_path : NULL;
	/* ':' separates the parts of the systemd form "slice:prefix:name". */
	if (path && has_component(path, "/:", ".."))
		husk_spec_problem_add(p, "linux.cgroupsPath", "must not contain \"..\", got %s",
		                      husk_spec_quote(p, path));
}

void husk_spec_check_sysctl(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	if (!spec->linux_)
		return;
	for (size_t i = 0; i < spec->linux_->n_sysctl; i++) {
		const char *key = spec->linux_->sysctl[i].key;
		/* The key becomes a path under /proc/sys: an empty component
		 * (which "..", a leading '.' and "a//b" all have) could leave it. */
		if (has_component(key, "./", NULL))
			husk_spec_problem_add(
			    p, husk_spec_fmt(p, "linux.sysctl[%s]", husk_spec_quote(p, key)),
			    "invalid name, want dot-separated words such as %s",
			    "\"net.ipv4.ip_forward\"");
	}
}

void husk_spec_check_rootfs(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_linux *l = spec->linux_;
	if (!l)
		return;
	if (l->rootfs_propagation &&
	    !husk_name_list_contains(&husk_propagations, l->rootfs_propagation))
		husk_spec_problem_add(p, "linux.rootfsPropagation", "unknown propagation %s",
		                      husk_spec_quote(p, l->rootfs_propagation));
	for (size_t i = 0; i < l->n_masked_paths; i++)
		husk_spec_check_abs_path(p, husk_spec_fmt(p, "linux.maskedPaths[%zu]", i),
		                         l->masked_paths[i]);
	for (size_t i = 0; i < l->n_readonly_paths; i++)
		husk_spec_check_abs_path(p, husk_spec_fmt(p, "linux.readonlyPaths[%zu]", i),
		                         l->readonly_paths[i]);
}

void husk_spec_check_personality(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_personality *pers = spec->linux_ ? spec->linux_->personality : NULL;
	if (!pers)
		return;
	if (!pers->domain)
		husk_spec_problem_add(p, "linux.personality.domain", "required");
	else if (!husk_name_list_contains(&husk_personality_domains, pers->domain))
		husk_spec_problem_add(p, "linux.personality.domain",
		                      "unknown domain %s, want LINUX or LINUX32",
		                      husk_spec_quote(p, pers->domain));
}

/* The kernel's dev_valid_name(): 1 to 15 bytes, not "." or "..", no '/',
 * ':' or white space. */
#define IFNAME_RULE "want 1 to 15 bytes without '/', ':' or spaces"

static bool ifname_is_valid(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len >= 16 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	return strcspn(s, "/: \t\n\v\f\r") == len;
}

void husk_spec_check_net_devices(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	if (!spec->linux_)
		return;
	for (size_t i = 0; i < spec->linux_->n_net_devices; i++) {
		const struct husk_spec_net_device *d = &spec->linux_->net_devices[i];
		const char *base =
		    husk_spec_fmt(p, "linux.netDevices[%s]", husk_spec_quote(p, d->host_name));
		if (!ifname_is_valid(d->host_name))
			husk_spec_problem_add(p, base, "invalid interface name %s, %s",
			                      husk_spec_quote(p, d->host_name), IFNAME_RULE);
		if (d->name && !ifname_is_valid(d->name))
			husk_spec_problem_add(p, husk_spec_fmt(p, "%s.name", base),
			                      "invalid interface name %s, %s",
			                      husk_spec_quote(p, d->name), IFNAME_RULE);
	}
}

static bool is_action(const char *a, const char *want)
{
	return a && !strcmp(a, want);
}

/* Known action; errnoRet only where the action returns an errno. */
static void check_action(struct husk_spec_problems *p, const char *base, const char *field,
                         const char *action, bool has_errno_ret, const char *errno_field)
{
	const char *path = husk_spec_fmt(p, "%s%s", base, field);
	if (!action) {
		husk_spec_problem_add(p, path, "required");
		return;
	}
	if (!husk_name_list_contains(&husk_seccomp_actions, action)) {
		husk_spec_problem_add(p, path, "unknown action %s", husk_spec_quote(p, action));
		return;
	}
	if (has_errno_ret && !is_action(action, "SCMP_ACT_ERRNO") &&
	    !is_action(action, "SCMP_ACT_TRACE"))
		husk_spec_problem_add(p, husk_spec_fmt(p, "%s%s", base, errno_field),
		                      "only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
		                      action);
}

static void check_syscall(struct husk_spec_problems *p, size_t i,
                          const struct husk_spec_seccomp_syscall *sc)
{
	const char *base = husk_spec_fmt(p, "linux.seccomp.syscalls[%zu]", i);
	if (sc->n_names == 0)
		husk_spec_problem_add(p, husk_spec_fmt(p, "%s.names", base),
		                      "must be a non-empty array of strings");
	for (size_t j = 0; j < sc->n_names; j++)
		if (!sc->names[j][0])
			husk_spec_problem_add(p, husk_spec_fmt(p, "%s.names[%zu]", base, j),
			                      "must not be empty");
	check_action(p, base, ".action", sc->action, sc->has_errno_ret, ".errnoRet");
	for (size_t j = 0; j < sc->n_args; j++) {
		const struct husk_spec_seccomp_arg *a = &sc->args[j];
		/* A system call has at most 6 arguments. */
		if (a->index >= 6)
			husk_spec_problem_add(p, husk_spec_fmt(p, "%s.args[%zu].index", base, j),
			                      "must be less than 6, got %u", a->index);
		const char *op_path = husk_spec_fmt(p, "%s.args[%zu].op", base, j);
		if (!a->op)
			husk_spec_problem_add(p, op_path, "required");
		else if (!husk_name_list_contains(&husk_seccomp_ops, a->op))
			husk_spec_problem_add(p, op_path, "unknown operator %s",
			                      husk_spec_quote(p, a->op));
	}
}

void husk_spec_check_seccomp(const struct husk_spec *spec, struct husk_spec_problems *p)
{
	const struct husk_spec_seccomp *s = spec->linux_ ? spec->linux_->seccomp : NULL;
	if (!s)
		return;
	check_action(p, "linux.seccomp", ".defaultAction", s->default_action,
	             s->has_default_errno_ret, ".defaultErrnoRet");
	/* With notify as the default, init's own calls between loading the
	 * filter and execve() would wait on the listener. */
	bool notify = is_action(s->default_action, "SCMP_ACT_NOTIFY");
	if (notify)
		husk_spec_problem_add(p, "linux.seccomp.defaultAction",
		                      "SCMP_ACT_NOTIFY cannot be the default action");
	for (size_t i = 0; i < s->n_architectures; i++)
		if (!husk_name_list_contains(&husk_seccomp_archs, s->architectures[i]))
			husk_spec_problem_add(
			    p, husk_spec_fmt(p, "linux.seccomp.architectures[%zu]", i),
			    "unknown architecture %s", husk_spec_quote(p, s->architectures[i]));
	for (size_t i = 0; i < s->n_flags; i++)
		if (!husk_name_list_contains(&husk_seccomp_flags, s->flags[i]))
			husk_spec_problem_add(p, husk_spec_fmt(p, "linux.seccomp.flags[%zu]", i),
			                      "unknown flag %s", husk_spec_quote(p, s->flags[i]));
	for (size_t i = 0; i < s->n_syscalls; i++) {
		check_syscall(p, i, &s->syscalls[i]);
		notify = notify || is_action(s->syscalls[i].action, "SCMP_ACT_NOTIFY");
	}
	/* The notify fd goes to the process listening there; without one the
	 * notified calls would block forever.  sun_path holds 108 bytes with
	 * the terminating NUL. */
	if (s->listener_path && s->listener_path[0]) {
		if (husk_spec_check_abs_path(p, "linux.seccomp.listenerPath", s->listener_path) &&
		    strlen(s->listener_path) > 107)
			husk_spec_problem_add(p, "linux.seccomp.listenerPath",
			                      "longer than a unix socket path (107 bytes), got %zu",
			                      strlen(s->listener_path));
	} else if (notify)
		husk_spec_problem_add(p, "linux.seccomp.listenerPath",
		                      "required when an action is SCMP_ACT_NOTIFY");
}
