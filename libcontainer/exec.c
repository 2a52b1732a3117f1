/* exec: another process in a running container.
 *
 * The process is cloned from husk with no new namespaces and joins the
 * init's namespaces with setns(); the pid namespace is joined in husk before
 * the clone (setns on a pid namespace only affects children), so the process
 * is born inside it and stays husk's child: no intermediate process, and a
 * foreground exec can wait for it directly.  Its setup is the init's
 * (process.c).  Success is the sync socket closing on execve (O_CLOEXEC);
 * a failure arrives as an ERROR message instead.
 */
#include "husk/container.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup/cgroup.h"
#include "container-internal.h"
#include "husk/cleanup.h"
#include "husk/signals.h"
#include "husk/state.h"
#include "init.h"
#include "lsm.h"
#include "namespaces.h"
#include "paths.h"
#include "process.h"
#include "procs.h"
#include "relay.h"
#include "terminal.h"
#include "sync.h"
#include "spawn.h"
#include "exec-stub.h"
#include "seccomp-cache.h"
#include "seccomp-filter.h"
#include "util/xalloc.h"

struct exec_plan {
	struct husk_spec *config;         /* the container's config copy */
	struct husk_spec *process_holder; /* --process FILE, when given */
	struct husk_spec_process process; /* what runs; arrays may be malloc'd */
	struct husk_ns_plan ns;
	char **owned[3]; /* arrays built here, freed with the plan */
	struct husk_seccomp *seccomp;
	struct husk_cgroup *cgroup; /* NULL: the container has none */
	const char *id;
	const struct husk_state *st;
};

static void exec_plan_free(struct exec_plan *p)
{
	husk_spec_free(p->config);
	husk_spec_free(p->process_holder);
	husk_ns_plan_close(&p->ns);
	husk_seccomp_free(p->seccomp);
	husk_cgroup_free(p->cgroup);
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(p->owned); i++)
		free(p->owned[i]);
}

static int parse_user(const char *text, struct husk_spec_user *u, struct husk_error **err)
{
	char *end;
	errno = 0;
	unsigned long uid = strtoul(text, &end, 10);
	if (errno || end == text || uid > UINT32_MAX || (*end && *end != ':'))
		return husk_error_set(err, 0, "--user \"%s\": want UID[:GID]", text);
	u->uid = (uint32_t)uid;
	if (*end == ':') {
		const char *g = end + 1;
		unsigned long gid = strtoul(g, &end, 10);
		if (errno || end == g || *end || gid > UINT32_MAX)
			return husk_error_set(err, 0, "--user \"%s\": want UID[:GID]", text);
		u->gid = (uint32_t)gid;
	}
	return 0;
}

static char **concat(char **a, size_t na, char **b, size_t nb)
{
	char **out = xcalloc(na + nb + 1, sizeof(char *));
	memcpy(out, a, na * sizeof(char *));
	memcpy(out + na, b, nb * sizeof(char *));
	return out;
}

/* --cap may only grant what the container's bounding set allows: runc adds
 * the name to the exec'd process's bounding set too, which hands out a
 * capability the container itself can never have (its init dropped it). */
static int check_caps_bounded(const struct exec_plan *p, char **caps, size_t n,
                              struct husk_error **err)
{
	const struct husk_spec_capabilities *c =
	    p->config->process ? p->config->process->capabilities : NULL;
	for (size_t i = 0; i < n; i++) {
		if (husk_cap_from_name(caps[i]) < 0)
			return husk_error_set(err, 0, "--cap \"%s\": unknown capability", caps[i]);
		bool bounded = false;
		for (size_t j = 0; c && j < c->n_bounding && !bounded; j++)
			bounded = strcmp(c->bounding[j], caps[i]) == 0;
		if (!bounded)
			return husk_error_set(err, 0,
			                      "--cap \"%s\": not in the container's bounding set "
			                      "(process.capabilities.bounding)",
			                      caps[i]);
	}
	return 0;
}

/* --cap adds to the bounding, effective and permitted sets, as runc's exec
 * does (the bounding set already has it, see above); to the ambient set only
 * when the process inherits capabilities at all (an ambient capability must
 * also be inheritable). */
static void add_caps(struct exec_plan *p, char **caps, size_t n)
{
	struct husk_spec_capabilities *c = xzalloc(sizeof(*c));
	if (p->process.capabilities)
		*c = *p->process.capabilities;
	char ***sets[] = {&c->bounding, &c->effective, &c->permitted, &c->inheritable, &c->ambient};
	size_t *counts[] = {&c->n_bounding, &c->n_effective, &c->n_permitted, &c->n_inheritable,
	                    &c->n_ambient};
	size_t n_sets = c->n_inheritable ? HUSK_ARRAY_SIZE(sets) : 3;
	for (size_t i = 0; i < n_sets; i++) {
		*sets[i] = concat(*sets[i], *counts[i], caps, n);
		*counts[i] += n;
	}
	/* the arrays leak with the short-lived exec command: one allocation
	 * per set, bounded by the command line */
	p->process.capabilities = c;
}

static int build_process(const struct husk_exec_options *o, struct exec_plan *p,
                         struct husk_error **err)
{
	if (o->process_file) {
		if (husk_spec_load_process(o->process_file, &p->process_holder, err) < 0)
			return -1;
		p->process = *p->process_holder->process;
	} else {
		if (!p->config->process)
			return husk_error_set(err, 0, "the container has no process to copy");
		p->process = *p->config->process;
		p->process.args = p->owned[0] = concat(o->args, o->n_args, NULL, 0);
		p->process.n_args = o->n_args;
		p->process.terminal = o->tty;
		p->process.has_console_size = false;
		if (o->cwd)
			p->process.cwd = (char *)o->cwd;
		if (o->user && parse_user(o->user, &p->process.user, err) < 0)
			return -1;
		if (o->no_new_privs)
			p->process.no_new_privileges = true;
	}
	if (o->n_env) {
		p->process.env = p->owned[1] =
		    concat(p->process.env, p->process.n_env, o->env, o->n_env);
		p->process.n_env += o->n_env;
	}
	if (o->n_caps && check_caps_bounded(p, o->caps, o->n_caps, err) < 0)
		return -1;
	if (o->n_caps)
		add_caps(p, o->caps, o->n_caps);
	if (o->apparmor)
		p->process.apparmor_profile = (char *)o->apparmor;
	if (o->process_label)
		p->process.selinux_label = (char *)o->process_label;
	struct husk_lsm_host host = {0};
	/* detecting reads mountinfo: only when there is a label to check */
	if (p->process.apparmor_profile || p->process.selinux_label)
		husk_lsm_detect(NULL, &host);
	if (husk_lsm_check_label(&host, HUSK_LSM_APPARMOR,
	                         o->apparmor ? "--apparmor" : "process.apparmorProfile",
	                         p->process.apparmor_profile, err) < 0 ||
	    husk_lsm_check_label(&host, HUSK_LSM_SELINUX,
	                         o->process_label ? "--process-label" : "process.selinuxLabel",
	                         p->process.selinux_label, err) < 0)
		return -1;
	if (p->process.n_args == 0)
		return husk_error_set(err, 0, "process.args: must be a non-empty array of strings");
	if (!p->process.cwd || p->process.cwd[0] != '/')
		return husk_error_set(err, 0, "process.cwd: must be an absolute path");
	return 0;
}

/* Opens every namespace of the init that differs from ours. */
static int plan_namespaces(pid_t pid, struct husk_ns_plan *plan, struct husk_error **err)
{
	memset(plan, 0, sizeof(*plan));
	for (int t = 0; t < HUSK_NS_TYPE_COUNT; t++) {
		plan->join_fd[t] = -1;
		if (!husk_ns_differs(pid, (enum husk_ns_type)t))
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
		         husk_ns_proc_name((enum husk_ns_type)t));
		plan->join_fd[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (plan->join_fd[t] < 0)
			return husk_error_set(err, errno, "open \"%s\"", path);
	}
	return 0;
}

struct exec_child {
	const struct exec_plan *plan;
	int console_fd;
	int preserve_fds;
	int exec_stub_fd;
	uint64_t reset_signals;
	bool user_joined;                /* the parent already joined the user namespace */
	struct husk_cgroup *join_cgroup; /* joined by the child itself after GO, or NULL */
};

static void __attribute__((noreturn)) exec_child_main(const struct exec_child *c, int sync_fd)
{
	struct husk_error *err = NULL;
	struct husk_spec_process process = c->plan->process;
	_cleanup_free_ char *path = NULL;
	husk_init_reset_signals(c->reset_signals);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Before joining the container: its processes must not open our
	 * /proc/PID/exe (husk's binary) or fds (see init.c). */
	prctl(PR_SET_DUMPABLE, 0);
	struct husk_ns_plan ns = c->plan->ns;
	ns.join_fd[HUSK_NS_PID] = -1; /* joined by the parent, see above */
	if (c->user_joined)
		ns.join_fd[HUSK_NS_USER] = -1;
	int listen = husk_init_listen_fds(&process, getpid());
	int preserve = c->preserve_fds > listen ? c->preserve_fds : listen;
	int keep[] = {sync_fd, c->exec_stub_fd};
	if (husk_sync_expect(sync_fd, HUSK_SYNC_GO, NULL, &err) < 0)
		_exit(EXIT_FAILURE);
	if ((c->join_cgroup && husk_cgroup_join_self(c->join_cgroup, &err) < 0) ||
	    husk_ns_join(&ns, &err) < 0 || husk_process_find_exec(&process, &path, &err) < 0 ||
	    (process.terminal && husk_process_setup_terminal(&process, c->console_fd, &err) < 0) ||
	    husk_personality_apply(c->plan->config, &err) < 0 ||
	    husk_lsm_set_exec_labels(NULL, &process, &err) < 0)
		goto fail;
	bool early = husk_seccomp_load_early(&process);
	if ((early && husk_init_load_seccomp(c->plan->seccomp, sync_fd, &err) < 0) ||
	    husk_process_apply(&process, &err) < 0 ||
	    husk_process_close_fds(preserve, keep, c->exec_stub_fd >= 0 ? 2 : 1, &err) < 0 ||
	    (!early && husk_init_load_seccomp(c->plan->seccomp, sync_fd, &err) < 0))
		goto fail;
	/* The parent waits for us past exec, which must not kill us. */
	prctl(PR_SET_PDEATHSIG, 0);
	husk_process_exec(path, &process, c->exec_stub_fd, &err);
fail:
	husk_sync_send_error(sync_fd, err);
	_exit(EXIT_FAILURE);
}

static int spawn_exec(const struct exec_plan *plan, int console_fd, int preserve_fds,
                      struct husk_spawned *ret, struct husk_error **err)
{
	int fds[2];
	if (husk_sync_pair(fds, err) < 0)
		return -1;
	_cleanup_close_ int parent_fd = fds[0];
	_cleanup_close_ int child_fd = fds[1];
	_cleanup_close_ int stub_fd = -1;
	if (husk_exec_stub_create(&stub_fd, err) < 0)
		return -1;
	_cleanup_close_ int saved_pidns = -1;
	/* The kernel lets a process join a pid namespace only with
	 * CAP_SYS_ADMIN over it and over its own user namespace: an
	 * unprivileged caller enters the container's user namespace first, for
	 * good (what it does afterwards, waiting and relaying, needs nothing of
	 * its own user namespace; file access goes by its unchanged ids). */
	bool user_joined = false;
	if (plan->ns.join_fd[HUSK_NS_USER] >= 0 && plan->ns.join_fd[HUSK_NS_PID] >= 0 &&
	    geteuid() != 0) {
		if (setns(plan->ns.join_fd[HUSK_NS_USER], CLONE_NEWUSER) < 0)
			return husk_error_set(err, errno, "join user namespace");
		user_joined = true;
	}
	if (plan->ns.join_fd[HUSK_NS_PID] >= 0) {
		saved_pidns = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
		if (saved_pidns < 0 || setns(plan->ns.join_fd[HUSK_NS_PID], CLONE_NEWPID) < 0)
			return husk_error_set(err, errno, "join pid namespace");
	}
	struct exec_child c = {.plan = plan,
	                       .console_fd = console_fd,
	                       .preserve_fds = preserve_fds,
	                       .exec_stub_fd = stub_fd,
	                       .reset_signals = husk_signals_non_default(),
	                       .user_joined = user_joined};
	int pidfd = -1;
	bool move;
	int cgroup_fd = husk_cgroup_entry(plan->cgroup, user_joined, &c.join_cgroup, &move);
	pid_t pid = husk_clone(0, cgroup_fd, &pidfd);
	if (pid < 0 && cgroup_fd >= 0 && husk_clone_cgroup_unsupported(errno)) {
		/* moved before GO instead; it joins the container's cgroup
		 * namespace (if any) after that, by setns */
		move = true;
		c.join_cgroup = NULL;
		pid = husk_clone(0, -1, &pidfd);
	}
	if (pid == 0) {
		close(parent_fd);
		exec_child_main(&c, child_fd);
	}
	int clone_errno = errno;
	if (saved_pidns >= 0)
		(void)setns(saved_pidns, CLONE_NEWPID);
	if (pid < 0)
		return husk_error_set(err, clone_errno, "clone the exec process");
	close(TAKE_FD(child_fd));
	struct husk_spawned sp = {.pid = pid, .pidfd = pidfd, .sync_fd = -1};
	struct husk_sync_msg msg;
	struct husk_error *eof = NULL;
	if ((move && husk_cgroup_add_process(plan->cgroup, pid, err) < 0) ||
	    husk_sync_send(parent_fd, HUSK_SYNC_GO, 0, err) < 0) {
		husk_spawn_abort(&sp);
		return -1;
	}
	int rr = husk_sync_recv(parent_fd, &msg, &eof);
	if (rr >= 0 && msg.type == HUSK_SYNC_SECCOMP) {
		if (husk_spawn_serve_seccomp(parent_fd, plan->config, plan->id, plan->st->bundle,
		                             plan->st->rootfs, HUSK_STATUS_RUNNING, pid, err) < 0) {
			husk_spawn_abort(&sp);
			return -1;
		}
		rr = husk_sync_recv(parent_fd, &msg, &eof);
	}
	/* EOF: the socket closed on a successful execve */
	if (rr < 0 && eof && eof->errnum == 0 && strstr(eof->msg, "exited before")) {
		husk_error_release(&eof);
		*ret = sp;
		return 0;
	}
	if (eof) {
		husk_error_set(err, 0, "%s", eof->msg);
		if (*err)
			(*err)->errnum = eof->errnum;
		husk_error_release(&eof);
	} else {
		husk_error_set(err, 0, "unexpected '%s' from the exec process",
		               husk_sync_type_name(msg.type));
	}
	husk_spawn_abort(&sp);
	return -1;
}

static int load_target(const struct husk_context *ctx, const char *id, struct husk_state **ret,
                       struct exec_plan *plan, struct husk_error **err)
{
	if (husk_id_validate(id, err) < 0 || husk_state_read(ctx->root, id, ret, err) < 0)
		return -1;
	husk_state_refresh(*ret);
	if ((*ret)->status == HUSK_STATUS_STOPPED)
		return husk_error_set(err, 0,
		                      "cannot exec in a stopped container: container not running");
	if ((*ret)->status == HUSK_STATUS_PAUSED)
		return husk_error_set(err, 0, "cannot exec in a paused container");
	_cleanup_free_ char *config = xasprintf("%s/%s/config.json", ctx->root, id);
	return husk_spec_load(config, &plan->config, err);
}

static int run_exec(const struct husk_context *ctx, const char *id,
                    const struct husk_exec_options *o, int *ret_status, struct husk_error **err)
{
	struct husk_state *st = NULL;
	struct exec_plan plan = {0};
	for (int t = 0; t < HUSK_NS_TYPE_COUNT; t++)
		plan.ns.join_fd[t] = -1;
	_cleanup_close_ int pidfd = -1;
	_cleanup_close_ int console_fd = -1;
	_cleanup_close_ int relay_fd = -1;
	_cleanup_close_ int master_fd = -1;
	struct husk_spawned sp = {.pid = -1, .pidfd = -1, .sync_fd = -1};
	int r = -1;
	_cleanup_free_ char *cache_dir = husk_seccomp_cache_dir(ctx->root);
	if (load_target(ctx, id, &st, &plan, err) < 0 || build_process(o, &plan, err) < 0 ||
	    husk_init_pidfd(st, &pidfd, err) < 0 || plan_namespaces(st->pid, &plan.ns, err) < 0 ||
	    husk_seccomp_compile_cached(plan.config->linux_ ? plan.config->linux_->seccomp : NULL,
	                                cache_dir, &plan.seccomp, err) < 0)
		goto out;
	if (st->cgroup_path && husk_cgroup_load(st, &plan.cgroup, err) < 0)
		goto out;
	plan.id = id;
	plan.st = st;
	if (o->console_socket && !plan.process.terminal) {
		husk_error_set(err, 0, "--console-socket given but the process has no terminal");
		goto out;
	}
	if (plan.process.terminal && o->console_socket) {
		if (husk_console_socket_connect(o->console_socket, &console_fd, err) < 0)
			goto out;
	} else if (plan.process.terminal) {
		int pair[2];
		if (o->detach) {
			husk_error_set(err, 0,
			               "a detached exec with a terminal needs --console-socket");
			goto out;
		}
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
			husk_error_set(err, errno, "socketpair");
			goto out;
		}
		relay_fd = pair[0];
		console_fd = pair[1];
	}
	if (spawn_exec(&plan, console_fd, o->preserve_fds, &sp, err) < 0)
		goto out;
	if (relay_fd >= 0 && husk_terminal_recv_fd(relay_fd, NULL, &master_fd, err) < 0)
		goto out_kill;
	if (o->pid_file && husk_write_pid_file(o->pid_file, sp.pid, err) < 0)
		goto out_kill;
	if (o->detach) {
		*ret_status = 0;
		r = 0;
		goto out_close;
	}
	r = husk_wait_forward(sp.pid, sp.pidfd, master_fd, ret_status, err);
	goto out_close;
out_kill:
	husk_spawn_abort(&sp);
out_close:
	if (sp.pidfd >= 0)
		close(sp.pidfd);
out:
	exec_plan_free(&plan);
	husk_state_free(st);
	return r;
}

int husk_container_exec(const struct husk_context *ctx, const char *id,
                        const struct husk_exec_options *o, int *ret_status, struct husk_error **err)
{
	sigset_t old;
	husk_block_forwarded_signals(&old);
	int r = run_exec(ctx, id, o, ret_status, err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		husk_error_prefix(err, "exec \"%s\"", id);
	return r;
}
