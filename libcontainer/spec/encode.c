/* husk_spec_to_json: a decoded spec back to config.json text, with the
 * runtime spec's key names.  What the struct records as absent (NULL
 * pointers and strings, has_* false, empty arrays) is left out, so decoding
 * the output yields the same struct field for field.  Plain booleans the
 * struct cannot tell apart from "absent" are written only when true.
 *
 * This is the copy `create` keeps in the state dir; later commands read it
 * back with husk_spec_parse().
 */
#include <stdlib.h>
#include <string.h>

#include "husk/spec.h"
#include "json/json.h"
#include "util/xalloc.h"

/* ---- helpers ------------------------------------------------------------- */

static void kv_str(struct json_gen *g, const char *key, const char *s)
{
	if (s)
		json_gen_kv_string(g, key, s);
}

static void kv_strings(struct json_gen *g, const char *key, char *const *items, size_t n)
{
	if (n == 0)
		return;
	json_gen_key(g, key);
	json_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		json_gen_string(g, items[i]);
	json_gen_array_close(g);
}

static void kv_true(struct json_gen *g, const char *key, bool b)
{
	if (b)
		json_gen_kv_bool(g, key, true);
}

static void kv_opt_bool(struct json_gen *g, const char *key, bool has, bool b)
{
	if (has)
		json_gen_kv_bool(g, key, b);
}

static void kv_opt_u64(struct json_gen *g, const char *key, bool has, uint64_t n)
{
	if (has)
		json_gen_kv_u64(g, key, n);
}

static void kv_opt_i64(struct json_gen *g, const char *key, bool has, int64_t n)
{
	if (has)
		json_gen_kv_i64(g, key, n);
}

static void kv_map(struct json_gen *g, const char *key, const struct husk_kv *kv, size_t n)
{
	if (n == 0)
		return;
	json_gen_key(g, key);
	json_gen_object_open(g);
	for (size_t i = 0; i < n; i++)
		json_gen_kv_string(g, kv[i].key, kv[i].value);
	json_gen_object_close(g);
}

static void open_key(struct json_gen *g, const char *key)
{
	json_gen_key(g, key);
	json_gen_object_open(g);
}

static void id_mappings(struct json_gen *g, const char *key, const struct husk_spec_id_mapping *m,
                        size_t n)
{
	if (n == 0)
		return;
	json_gen_key(g, key);
	json_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		json_gen_object_open(g);
		json_gen_kv_u64(g, "containerID", m[i].container_id);
		json_gen_kv_u64(g, "hostID", m[i].host_id);
		json_gen_kv_u64(g, "size", m[i].size);
		json_gen_object_close(g);
	}
	json_gen_array_close(g);
}

/* ---- top level, process, hooks ------------------------------------------- */

static void enc_mounts(struct json_gen *g, const struct husk_spec *spec)
{
	if (spec->n_mounts == 0)
		return;
	json_gen_key(g, "mounts");
	json_gen_array_open(g);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct husk_spec_mount *m = &spec->mounts[i];
		json_gen_object_open(g);
		kv_str(g, "destination", m->destination);
		kv_str(g, "type", m->type);
		kv_str(g, "source", m->source);
		kv_strings(g, "options", m->options, m->n_options);
		id_mappings(g, "uidMappings", m->uid_mappings, m->n_uid_mappings);
		id_mappings(g, "gidMappings", m->gid_mappings, m->n_gid_mappings);
		json_gen_object_close(g);
	}
	json_gen_array_close(g);
}

static void enc_user(struct json_gen *g, const struct husk_spec_user *u)
{
	open_key(g, "user");
	json_gen_kv_u64(g, "uid", u->uid);
	json_gen_kv_u64(g, "gid", u->gid);
	kv_opt_u64(g, "umask", u->has_umask, u->umask);
	if (u->n_additional_gids) {
		json_gen_key(g, "additionalGids");
		json_gen_array_open(g);
		for (size_t i = 0; i < u->n_additional_gids; i++)
			json_gen_u64(g, u->additional_gids[i]);
		json_gen_array_close(g);
	}
	json_gen_object_close(g);
}

static void enc_capabilities(struct json_gen *g, const struct husk_spec_capabilities *c)
{
	if (!c)
		return;
	open_key(g, "capabilities");
	kv_strings(g, "bounding", c->bounding, c->n_bounding);
	kv_strings(g, "effective", c->effective, c->n_effective);
	kv_strings(g, "inheritable", c->inheritable, c->n_inheritable);
	kv_strings(g, "permitted", c->permitted, c->n_permitted);
	kv_strings(g, "ambient", c->ambient, c->n_ambient);
	json_gen_object_close(g);
}

static void enc_rlimits(struct json_gen *g, const struct husk_spec_process *p)
{
	if (p->n_rlimits == 0)
		return;
	json_gen_key(g, "rlimits");
	json_gen_array_open(g);
	for (size_t i = 0; i < p->n_rlimits; i++) {
		json_gen_object_open(g);
		kv_str(g, "type", p->rlimits[i].type);
		json_gen_kv_u64(g, "hard", p->rlimits[i].hard);
		json_gen_kv_u64(g, "soft", p->rlimits[i].soft);
		json_gen_object_close(g);
	}
	json_gen_array_close(g);
}

static void enc_scheduler(struct json_gen *g, const struct husk_spec_scheduler *s)
{
	if (!s)
		return;
	open_key(g, "scheduler");
	kv_str(g, "policy", s->policy);
	kv_opt_i64(g, "nice", s->has_nice, s->nice);
	kv_opt_i64(g, "priority", s->has_priority, s->priority);
	kv_strings(g, "flags", s->flags, s->n_flags);
	kv_opt_u64(g, "runtime", s->has_runtime, s->runtime);
	kv_opt_u64(g, "deadline", s->has_deadline, s->deadline);
	kv_opt_u64(g, "period", s->has_period, s->period);
	json_gen_object_close(g);
}

static void enc_process_extras(struct json_gen *g, const struct husk_spec_process *p)
{
	if (p->io_priority) {
		open_key(g, "ioPriority");
		kv_str(g, "class", p->io_priority->klass);
		json_gen_kv_i64(g, "priority", p->io_priority->priority);
		json_gen_object_close(g);
	}
	if (p->exec_cpu_affinity) {
		open_key(g, "execCPUAffinity");
		kv_str(g, "initial", p->exec_cpu_affinity->initial);
		kv_str(g, "final", p->exec_cpu_affinity->final);
		json_gen_object_close(g);
	}
}

static void enc_process(struct json_gen *g, const struct husk_spec_process *p)
{
	if (!p)
		return;
	open_key(g, "process");
	kv_true(g, "terminal", p->terminal);
	if (p->has_console_size) {
		open_key(g, "consoleSize");
		json_gen_kv_u64(g, "height", p->console_height);
		json_gen_kv_u64(g, "width", p->console_width);
		json_gen_object_close(g);
	}
	enc_user(g, &p->user);
	kv_strings(g, "args", p->args, p->n_args);
	kv_str(g, "commandLine", p->command_line);
	kv_strings(g, "env", p->env, p->n_env);
	kv_str(g, "cwd", p->cwd);
	enc_capabilities(g, p->capabilities);
	enc_rlimits(g, p);
	kv_true(g, "noNewPrivileges", p->no_new_privileges);
	kv_str(g, "apparmorProfile", p->apparmor_profile);
	kv_opt_i64(g, "oomScoreAdj", p->has_oom_score_adj, p->oom_score_adj);
	enc_scheduler(g, p->scheduler);
	kv_str(g, "selinuxLabel", p->selinux_label);
	enc_process_extras(g, p);
	json_gen_object_close(g);
}

static void enc_hooks(struct json_gen *g, const struct husk_spec_hooks *hooks)
{
	if (!hooks)
		return;
	open_key(g, "hooks");
	for (int k = 0; k < HUSK_HOOK_KIND_COUNT; k++) {
		if (hooks->n_hooks[k] == 0)
			continue;
		json_gen_key(g, husk_hook_kind_name(k));
		json_gen_array_open(g);
		for (size_t i = 0; i < hooks->n_hooks[k]; i++) {
			const struct husk_spec_hook *h = &hooks->hooks[k][i];
			json_gen_object_open(g);
			kv_str(g, "path", h->path);
			kv_strings(g, "args", h->args, h->n_args);
			kv_strings(g, "env", h->env, h->n_env);
			kv_opt_i64(g, "timeout", h->has_timeout, h->timeout);
			json_gen_object_close(g);
		}
		json_gen_array_close(g);
	}
	json_gen_object_close(g);
}

/* ---- linux.resources ----------------------------------------------------- */

static void enc_device_rules(struct json_gen *g, const struct husk_spec_resources *res)
{
	if (res->n_devices == 0)
		return;
	json_gen_key(g, "devices");
	json_gen_array_open(g);
	for (size_t i = 0; i < res->n_devices; i++) {
		const struct husk_spec_device_cgroup *dc = &res->devices[i];
		json_gen_object_open(g);
		json_gen_kv_bool(g, "allow", dc->allow);
		kv_str(g, "type", dc->type);
		kv_opt_i64(g, "major", dc->has_major, dc->major);
		kv_opt_i64(g, "minor", dc->has_minor, dc->minor);
		kv_str(g, "access", dc->access);
		json_gen_object_close(g);
	}
	json_gen_array_close(g);
}

static void enc_memory(struct json_gen *g, const struct husk_spec_memory *m)
{
	if (!m)
		return;
	open_key(g, "memory");
	kv_opt_i64(g, "limit", m->has_limit, m->limit);
	kv_opt_i64(g, "reservation", m->has_reservation, m->reservation);
	kv_opt_i64(g, "swap", m->has_swap, m->swap);
	kv_opt_i64(g, "kernel", m->has_kernel, m->kernel);
	kv_opt_i64(g, "kernelTCP", m->has_kernel_tcp, m->kernel_tcp);
	kv_opt_u64(g, "swappiness", m->has_swappiness, m->swappiness);
	kv_opt_bool(g, "disableOOMKiller", m->has_disable_oom_killer, m->disable_oom_killer);
	kv_opt_bool(g, "useHierarchy", m->has_use_hierarchy, m->use_hierarchy);
	kv_opt_bool(g, "checkBeforeUpdate", m->has_check_before_update, m->check_before_update);
	json_gen_object_close(g);
}

static void enc_cpu(struct json_gen *g, const struct husk_spec_cpu *c)
{
	if (!c)
		return;
	open_key(g, "cpu");
	kv_opt_u64(g, "shares", c->has_shares, c->shares);
	kv_opt_i64(g, "quota", c->has_quota, c->quota);
	kv_opt_u64(g, "burst", c->has_burst, c->burst);
	kv_opt_u64(g, "period", c->has_period, c->period);
	kv_opt_i64(g, "realtimeRuntime", c->has_realtime_runtime, c->realtime_runtime);
	kv_opt_u64(g, "realtimePeriod", c->has_realtime_period, c->realtime_period);
	kv_str(g, "cpus", c->cpus);
	kv_str(g, "mems", c->mems);
	kv_opt_i64(g, "idle", c->has_idle, c->idle);
	json_gen_object_close(g);
}

static void throttle(struct json_gen *g, const char *key, const struct husk_spec_throttle_device *t,
                     size_t n)
{
	if (n == 0)
		return;
	json_gen_key(g, key);
	json_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		json_gen_object_open(g);
		json_gen_kv_i64(g, "major", t[i].major);
		json_gen_kv_i64(g, "minor", t[i].minor);
		json_gen_kv_u64(g, "rate", t[i].rate);
		json_gen_object_close(g);
	}
	json_gen_array_close(g);
}

static void enc_block_io(struct json_gen *g, const struct husk_spec_block_io *b)
{
	if (!b)
		return;
	open_key(g, "blockIO");
	kv_opt_u64(g, "weight", b->has_weight, b->weight);
	kv_opt_u64(g, "leafWeight", b->has_leaf_weight, b->leaf_weight);
	if (b->n_weight_device) {
		json_gen_key(g, "weightDevice");
		json_gen_array_open(g);
		for (size_t i = 0; i < b->n_weight_device; i++) {
			const struct husk_spec_weight_device *w = &b->weight_device[i];
			json_gen_object_open(g);
			json_gen_kv_i64(g, "major", w->major);
			json_gen_kv_i64(g, "minor", w->minor);
			kv_opt_u64(g, "weight", w->has_weight, w->weight);
			kv_opt_u64(g, "leafWeight", w->has_leaf_weight, w->leaf_weight);
			json_gen_object_close(g);
		}
		json_gen_array_close(g);
	}
	throttle(g, "throttleReadBpsDevice", b->throttle_read_bps, b->n_throttle_read_bps);
	throttle(g, "throttleWriteBpsDevice", b->throttle_write_bps, b->n_throttle_write_bps);
	throttle(g, "throttleReadIOPSDevice", b->throttle_read_iops, b->n_throttle_read_iops);
	throttle(g, "throttleWriteIOPSDevice", b->throttle_write_iops, b->n_throttle_write_iops);
	json_gen_object_close(g);
}

static void enc_hugepages_network(struct json_gen *g, const struct husk_spec_resources *res)
{
	if (res->n_hugepage_limits) {
		json_gen_key(g, "hugepageLimits");
		json_gen_array_open(g);
		for (size_t i = 0; i < res->n_hugepage_limits; i++) {
			json_gen_object_open(g);
			kv_str(g, "pageSize", res->hugepage_limits[i].page_size);
			json_gen_kv_u64(g, "limit", res->hugepage_limits[i].limit);
			json_gen_object_close(g);
		}
		json_gen_array_close(g);
	}
	const struct husk_spec_network *n = res->network;
	if (n) {
		open_key(g, "network");
		kv_opt_u64(g, "classID", n->has_class_id, n->class_id);
		if (n->n_priorities) {
			json_gen_key(g, "priorities");
			json_gen_array_open(g);
			for (size_t i = 0; i < n->n_priorities; i++) {
				json_gen_object_open(g);
				kv_str(g, "name", n->priorities[i].name);
				json_gen_kv_u64(g, "priority", n->priorities[i].priority);
				json_gen_object_close(g);
			}
			json_gen_array_close(g);
		}
		json_gen_object_close(g);
	}
}

static void enc_resources(struct json_gen *g, const struct husk_spec_resources *res)
{
	if (!res)
		return;
	open_key(g, "resources");
	enc_device_rules(g, res);
	enc_memory(g, res->memory);
	enc_cpu(g, res->cpu);
	if (res->pids) {
		open_key(g, "pids");
		kv_opt_i64(g, "limit", res->pids->has_limit, res->pids->limit);
		json_gen_object_close(g);
	}
	enc_block_io(g, res->block_io);
	enc_hugepages_network(g, res);
	if (res->n_rdma) {
		open_key(g, "rdma");
		for (size_t i = 0; i < res->n_rdma; i++) {
			const struct husk_spec_rdma *rd = &res->rdma[i];
			open_key(g, rd->device);
			kv_opt_u64(g, "hcaHandles", rd->has_hca_handles, rd->hca_handles);
			kv_opt_u64(g, "hcaObjects", rd->has_hca_objects, rd->hca_objects);
			json_gen_object_close(g);
		}
		json_gen_object_close(g);
	}
	kv_map(g, "unified", res->unified, res->n_unified);
	json_gen_object_close(g);
}

/* ---- linux --------------------------------------------------------------- */

static void enc_namespaces(struct json_gen *g, const struct husk_spec_linux *l)
{
	if (l->n_namespaces == 0)
		return;
	json_gen_key(g, "namespaces");
	json_gen_array_open(g);
	for (size_t i = 0; i < l->n_namespaces; i++) {
		json_gen_object_open(g);
		json_gen_kv_string(g, "type", husk_ns_type_name(l->namespaces[i].type));
		kv_str(g, "path", l->namespaces[i].path);
		json_gen_object_close(g);
	}
	json_gen_array_close(g);
}

static void time_offset(struct json_gen *g, const char *key, const struct husk_spec_time_offset *t)
{
	if (!t->present)
		return;
	open_key(g, key);
	json_gen_kv_i64(g, "secs", t->secs);
	json_gen_kv_u64(g, "nanosecs", t->nanosecs);
	json_gen_object_close(g);
}

static void enc_devices(struct json_gen *g, const struct husk_spec_linux *l)
{
	if (l->n_devices == 0)
		return;
	json_gen_key(g, "devices");
	json_gen_array_open(g);
	for (size_t i = 0; i < l->n_devices; i++) {
		const struct husk_spec_device *dev = &l->devices[i];
		json_gen_object_open(g);
		kv_str(g, "path", dev->path);
		kv_str(g, "type", dev->type);
		kv_opt_i64(g, "major", dev->has_major, dev->major);
		kv_opt_i64(g, "minor", dev->has_minor, dev->minor);
		kv_opt_u64(g, "fileMode", dev->has_file_mode, dev->file_mode);
		kv_opt_u64(g, "uid", dev->has_uid, dev->uid);
		kv_opt_u64(g, "gid", dev->has_gid, dev->gid);
		json_gen_object_close(g);
	}
	json_gen_array_close(g);
}

static void enc_intel_rdt(struct json_gen *g, const struct husk_spec_intel_rdt *rdt)
{
	if (!rdt)
		return;
	open_key(g, "intelRdt");
	kv_str(g, "closID", rdt->clos_id);
	kv_str(g, "l3CacheSchema", rdt->l3_cache_schema);
	kv_str(g, "memBwSchema", rdt->mem_bw_schema);
	kv_strings(g, "schemata", rdt->schemata, rdt->n_schemata);
	kv_true(g, "enableCMT", rdt->enable_cmt);
	kv_true(g, "enableMBM", rdt->enable_mbm);
	json_gen_object_close(g);
}

static void enc_seccomp(struct json_gen *g, const struct husk_spec_seccomp *sc)
{
	if (!sc)
		return;
	open_key(g, "seccomp");
	kv_str(g, "defaultAction", sc->default_action);
	kv_opt_u64(g, "defaultErrnoRet", sc->has_default_errno_ret, sc->default_errno_ret);
	kv_strings(g, "architectures", sc->architectures, sc->n_architectures);
	kv_strings(g, "flags", sc->flags, sc->n_flags);
	kv_str(g, "listenerPath", sc->listener_path);
	kv_str(g, "listenerMetadata", sc->listener_metadata);
	if (sc->n_syscalls) {
		json_gen_key(g, "syscalls");
		json_gen_array_open(g);
		for (size_t i = 0; i < sc->n_syscalls; i++) {
			const struct husk_spec_seccomp_syscall *s = &sc->syscalls[i];
			json_gen_object_open(g);
			kv_strings(g, "names", s->names, s->n_names);
			kv_str(g, "action", s->action);
			kv_opt_u64(g, "errnoRet", s->has_errno_ret, s->errno_ret);
			if (s->n_args) {
				json_gen_key(g, "args");
				json_gen_array_open(g);
				for (size_t j = 0; j < s->n_args; j++) {
					const struct husk_spec_seccomp_arg *a = &s->args[j];
					json_gen_object_open(g);
					json_gen_kv_u64(g, "index", a->index);
					json_gen_kv_u64(g, "value", a->value);
					kv_opt_u64(g, "valueTwo", a->has_value_two, a->value_two);
					kv_str(g, "op", a->op);
					json_gen_object_close(g);
				}
				json_gen_array_close(g);
			}
			json_gen_object_close(g);
		}
		json_gen_array_close(g);
	}
	json_gen_object_close(g);
}

static void enc_linux_tail(struct json_gen *g, const struct husk_spec_linux *l)
{
	kv_str(g, "rootfsPropagation", l->rootfs_propagation);
	kv_strings(g, "maskedPaths", l->masked_paths, l->n_masked_paths);
	kv_strings(g, "readonlyPaths", l->readonly_paths, l->n_readonly_paths);
	kv_str(g, "mountLabel", l->mount_label);
	if (l->personality) {
		open_key(g, "personality");
		kv_str(g, "domain", l->personality->domain);
		kv_strings(g, "flags", l->personality->flags, l->personality->n_flags);
		json_gen_object_close(g);
	}
	if (l->n_net_devices) {
		open_key(g, "netDevices");
		for (size_t i = 0; i < l->n_net_devices; i++) {
			open_key(g, l->net_devices[i].host_name);
			kv_str(g, "name", l->net_devices[i].name);
			json_gen_object_close(g);
		}
		json_gen_object_close(g);
	}
}

static void enc_linux(struct json_gen *g, const struct husk_spec_linux *l)
{
	if (!l)
		return;
	open_key(g, "linux");
	enc_namespaces(g, l);
	id_mappings(g, "uidMappings", l->uid_mappings, l->n_uid_mappings);
	id_mappings(g, "gidMappings", l->gid_mappings, l->n_gid_mappings);
	if (l->time_monotonic.present || l->time_boottime.present) {
		open_key(g, "timeOffsets");
		time_offset(g, "monotonic", &l->time_monotonic);
		time_offset(g, "boottime", &l->time_boottime);
		json_gen_object_close(g);
	}
	enc_devices(g, l);
	kv_str(g, "cgroupsPath", l->cgroups_path);
	enc_resources(g, l->resources);
	enc_intel_rdt(g, l->intel_rdt);
	kv_map(g, "sysctl", l->sysctl, l->n_sysctl);
	enc_seccomp(g, l->seccomp);
	enc_linux_tail(g, l);
	json_gen_object_close(g);
}

int husk_spec_to_json(const struct husk_spec *spec, char **ret_json, struct husk_error **err)
{
	struct json_gen *g = json_gen_new(false);

	json_gen_object_open(g);
	kv_str(g, "ociVersion", spec->oci_version);
	if (spec->root) {
		open_key(g, "root");
		kv_str(g, "path", spec->root->path);
		kv_true(g, "readonly", spec->root->readonly);
		json_gen_object_close(g);
	}
	enc_mounts(g, spec);
	enc_process(g, spec->process);
	kv_str(g, "hostname", spec->hostname);
	kv_str(g, "domainname", spec->domainname);
	enc_hooks(g, spec->hooks);
	kv_map(g, "annotations", spec->annotations, spec->n_annotations);
	enc_linux(g, spec->linux_);
	json_gen_object_close(g);

	size_t len;
	const char *out = json_gen_result(g, &len);
	if (!out) {
		json_gen_free(g);
		return husk_error_set(err, 0, "encode config: generator refused the document");
	}
	*ret_json = xstrndup(out, len);
	json_gen_free(g);
	return 0;
}
