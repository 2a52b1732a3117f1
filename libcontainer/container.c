/* create, start, kill and delete: the state store on one side, spawn.c and
 * the init on the other.  Everything `create` builds is undone on its
 * failure paths in reverse order; `delete` undoes it for a container that
 * was created. */
#include "husk/container.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup/cgroup.h"
#include "cgroup/delegation.h"
#include "cgroup/stats.h"
#include "container-internal.h"
#include "exec-stub.h"
#include "husk/cleanup.h"
#include "seccomp-cache.h"
#include "seccomp-filter.h"
#include "husk/state.h"
#include "hooks.h"
#include "json/json.h"
#include "lsm.h"
#include "net/net.h"
#include "net/slirp.h"
#include "paths.h"
#include "procs.h"
#include "rootless.h"
#include "spawn.h"
#include "util/file.h"
#include "util/time.h"
#include "util/xalloc.h"

#define EXEC_FIFO      "exec.fifo"
#define DELETE_WAIT_MS 10000

static int resolve_rootfs(const struct husk_spec *spec, const char *bundle, char **ret,
                          struct husk_error **err)
{
	const char *path = spec->root->path;
	_cleanup_free_ char *joined =
	    path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", bundle, path);
	char *real = realpath(joined, NULL);
	if (!real)
		return husk_error_set(err, errno, "rootfs \"%s\"", joined);
	struct stat st;
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return husk_error_set(err, ENOTDIR, "rootfs \"%s\"", joined);
	}
	*ret = real;
	return 0;
}

/* What husk itself cannot do yet with an otherwise valid config. */
static int check_supported(const struct husk_spec *spec, struct husk_error **err)
{
	const struct husk_spec_linux *lx = spec->linux_;
	bool new_mnt = false, join_user = false, new_pid = false;
	for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
		const struct husk_spec_namespace *ns = &lx->namespaces[i];
		new_mnt |= ns->type == HUSK_NS_MOUNT && !ns->path;
		join_user |= ns->type == HUSK_NS_USER && ns->path;
		new_pid |= ns->type == HUSK_NS_PID && !ns->path;
	}
	if (!new_mnt)
		return husk_error_set(err, 0,
		                      "linux.namespaces: a new mount namespace is required to "
		                      "build the container's root filesystem");
	if (join_user && new_pid)
		return husk_error_set(err, 0,
		                      "linux.namespaces: a new pid namespace inside a user "
		                      "namespace joined by path is not supported");
	return 0;
}

int husk_bundle_load(const char *bundle_arg, struct husk_bundle *ret, struct husk_error **err)
{
	memset(ret, 0, sizeof(*ret));
	ret->bundle = realpath(bundle_arg ? bundle_arg : ".", NULL);
	if (!ret->bundle)
		return husk_error_set(err, errno, "bundle \"%s\"", bundle_arg ? bundle_arg : ".");
	_cleanup_free_ char *config = xasprintf("%s/config.json", ret->bundle);
	if (husk_spec_load(config, &ret->spec, err) < 0 ||
	    husk_spec_validate("config.json", ret->spec, err) < 0 ||
	    check_supported(ret->spec, err) < 0 || husk_sysctl_check(ret->spec, err) < 0 ||
	    husk_lsm_check_host(ret->spec, err) < 0 || husk_net_check(ret->spec, err) < 0 ||
	    resolve_rootfs(ret->spec, ret->bundle, &ret->rootfs, err) < 0) {
		husk_bundle_free(ret);
		return -1;
	}
	return 0;
}

int husk_annotations_check(const struct husk_spec *spec, struct husk_error **err)
{
	return husk_net_check(spec, err);
}

void husk_bundle_free(struct husk_bundle *b)
{
	husk_spec_free(b->spec);
	free(b->bundle);
	free(b->rootfs);
	memset(b, 0, sizeof(*b));
}

static bool has_new_userns(const struct husk_spec *spec)
{
	const struct husk_spec_linux *lx = spec->linux_;
	for (size_t i = 0; lx && i < lx->n_namespaces; i++)
		if (lx->namespaces[i].type == HUSK_NS_USER && !lx->namespaces[i].path)
			return true;
	return false;
}

/* The host id that container id 0 maps to (or 0 without a mapping). */
static uint32_t host_root_id(const struct husk_spec_id_mapping *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0)
			return m[i].host_id;
	return 0;
}

/* exec.fifo: mode 0622 and owned by the container's root so the init can
 * still open it for writing after it dropped to process.user. */
static int make_exec_fifo(int dir_fd, const struct husk_spec *spec, int *ret_fd,
                          struct husk_error **err)
{
	if (mkfifoat(dir_fd, EXEC_FIFO, 0622) < 0)
		return husk_error_set(err, errno, "create exec fifo");
	if (fchmodat(dir_fd, EXEC_FIFO, 0622, 0) < 0)
		return husk_error_set(err, errno, "chmod exec fifo");
	if (has_new_userns(spec)) {
		const struct husk_spec_linux *lx = spec->linux_;
		uid_t uid = host_root_id(lx->uid_mappings, lx->n_uid_mappings);
		gid_t gid = host_root_id(lx->gid_mappings, lx->n_gid_mappings);
		/* An unprivileged caller cannot give it to a subordinate id;
		 * the mode lets the init write it all the same. */
		if (fchownat(dir_fd, EXEC_FIFO, uid, gid, 0) < 0 &&
		    !(errno == EPERM && geteuid() != 0))
			return husk_error_set(err, errno, "chown exec fifo");
	}
	int fd = openat(dir_fd, EXEC_FIFO, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "open exec fifo");
	*ret_fd = fd;
	return 0;
}

int husk_console_socket_connect(const char *path, int *ret_fd, struct husk_error **err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path))
		return husk_error_set(err, ENAMETOOLONG, "console socket \"%s\"", path);
	strcpy(addr.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return husk_error_set(err, errno, "console socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return husk_error_set(err, errno, "connect to console socket \"%s\"", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int husk_pidfd_signal(int pidfd, int signo)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, signo, NULL, 0);
}

int husk_write_pid_file(const char *path, pid_t pid, struct husk_error **err)
{
	_cleanup_free_ char *dir_copy = xstrdup(path);
	_cleanup_free_ char *base_copy = xstrdup(path);
	const char *dir = dirname(dir_copy);
	const char *base = basename(base_copy);
	_cleanup_close_ int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return husk_error_set(err, errno, "pid file \"%s\"", path);
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (write_file_atomic(dir_fd, base, buf, (size_t)len, 0644, err) < 0)
		return husk_error_prefix(err, "pid file \"%s\"", path);
	return 0;
}

static int record_created(const char *root, const char *id, const struct husk_bundle *b, pid_t pid,
                          const struct husk_cgroup *cg, struct husk_error **err)
{
	_cleanup_free_ char *created = husk_time_rfc3339_now();
	struct husk_state st = {
	    .oci_version = b->spec->oci_version,
	    .id = (char *)id,
	    .status = HUSK_STATUS_CREATED,
	    .pid = pid,
	    .bundle = b->bundle,
	    .rootfs = b->rootfs,
	    .created = created,
	    .owner = geteuid(),
	    .cgroup_path = cg ? cg->dir : NULL,
	    .cgroup_paths = cg ? cg->paths : NULL,
	    .n_cgroup_paths = cg ? cg->n_paths : 0,
	    .annotations = b->spec->annotations,
	    .n_annotations = b->spec->n_annotations,
	};
	if (husk_proc_start_time(pid, &st.init_start_time, err) < 0)
		return -1;
	return husk_state_write(root, &st, err);
}

static int save_config(int dir_fd, const struct husk_spec *spec, struct husk_error **err)
{
	_cleanup_free_ char *json = NULL;
	if (husk_spec_to_json(spec, &json, err) < 0)
		return -1;
	return write_file_atomic(dir_fd, "config.json", json, strlen(json), 0600, err);
}

static int check_console(const struct husk_spec *spec, const char *console_socket,
                         struct husk_error **err)
{
	if (spec->process->terminal && !console_socket)
		return husk_error_set(err, 0,
		                      "process.terminal is true but no --console-socket was given "
		                      "to receive the terminal");
	if (!spec->process->terminal && console_socket)
		return husk_error_set(err, 0,
		                      "--console-socket given but process.terminal is false");
	return 0;
}

/* The OCI state JSON a hook gets on stdin. */
static char *hook_state_json(const struct husk_spec *spec, const char *id, const char *bundle,
                             const char *rootfs, enum husk_status status, pid_t pid)
{
	_cleanup_free_ char *now = husk_time_rfc3339_now();
	struct husk_state st = {
	    .created = now,
	    .owner = geteuid(),
	    .oci_version = spec->oci_version,
	    .id = (char *)id,
	    .status = status,
	    .pid = pid,
	    .bundle = (char *)bundle,
	    .rootfs = (char *)rootfs,
	    .annotations = spec->annotations,
	    .n_annotations = spec->n_annotations,
	};
	return husk_state_to_json(&st);
}

struct runtime_hooks {
	const char *id;
	const struct husk_bundle *bundle;
	int state_dir_fd;
	const struct husk_net *net;
};

/* User-mode networking for a rootless container (net/slirp.h): the
 * init's namespaces can be opened only until GO makes it non-dumpable. */
static int attach_rootless_network(void *data, pid_t pid, struct husk_error **err)
{
	const struct runtime_hooks *rh = data;
	return husk_net_rootless_start(rh->bundle->spec, rh->state_dir_fd, pid, err);
}

/* The bridge network (net/net.h), configured from outside the init's
 * network namespace before GO. */
static int attach_network(void *data, pid_t pid, struct husk_error **err)
{
	const struct runtime_hooks *rh = data;
	return husk_net_attach(rh->net, pid, err);
}

/* prestart (deprecated, still honoured) then createRuntime, in the runtime's
 * namespaces while the init waits with its mounts made. */
static int run_runtime_hooks(void *data, pid_t pid, struct husk_error **err)
{
	const struct runtime_hooks *rh = data;
	const struct husk_spec *spec = rh->bundle->spec;
	_cleanup_free_ char *json = hook_state_json(spec, rh->id, rh->bundle->bundle,
	                                            rh->bundle->rootfs, HUSK_STATUS_CREATING, pid);
	if (husk_hooks_run(spec->hooks, HUSK_HOOK_PRESTART, json, err) < 0 ||
	    husk_hooks_run(spec->hooks, HUSK_HOOK_CREATE_RUNTIME, json, err) < 0)
		return -1;
	return 0;
}

/* poststart and poststop: the spec makes their failures warnings.  The
 * saved config is only decoded when its text names the hook kind: `start`
 * and `delete` of a container without such hooks (nearly all of them) then
 * cost a read, not a parse. */
static void run_warning_hooks(const struct husk_context *ctx, const struct husk_state *st,
                              enum husk_hook_kind kind)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", ctx->root, st->id);
	_cleanup_close_ int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	if (dir_fd < 0 ||
	    read_file_at(dir_fd, "config.json", JSON_MAX_INPUT_SIZE, &buf, &len, &err) < 0) {
		husk_error_release(&err);
		return;
	}
	_cleanup_free_ char *key = xasprintf("\"%s\"", husk_hook_kind_name(kind));
	if (!memmem(buf, len, key, strlen(key)))
		return;
	if (husk_spec_parse("config.json", buf, len, &spec, &err) < 0) {
		husk_warn(ctx, "%s hooks of \"%s\" not run: %s", husk_hook_kind_name(kind), st->id,
		          err->msg);
		husk_error_release(&err);
		return;
	}
	if (husk_hooks_count(spec->hooks, kind)) {
		_cleanup_free_ char *json =
		    hook_state_json(spec, st->id, st->bundle, st->rootfs, st->status, st->pid);
		if (husk_hooks_run(spec->hooks, kind, json, &err) < 0) {
			husk_warn(ctx, "container \"%s\": %s", st->id, err->msg);
			husk_error_release(&err);
		}
	}
	husk_spec_free(spec);
}

/* Everything create does up to a READY init; the caller records or aborts. */
static int build(const char *root, const char *id, const struct husk_create_options *opts,
                 int console_socket_fd, int lock_fd, struct husk_bundle *b, struct husk_cgroup *cg,
                 bool rootless, const struct husk_net *net, struct husk_spawned *ret,
                 struct husk_error **err)
{
	_cleanup_close_ int fifo_fd = -1;
	_cleanup_close_ int console_fd = -1;
	if (make_exec_fifo(lock_fd, b->spec, &fifo_fd, err) < 0 ||
	    save_config(lock_fd, b->spec, err) < 0)
		return -1;
	if (console_socket_fd >= 0)
		console_fd = fcntl(console_socket_fd, F_DUPFD_CLOEXEC, 3);
	else if (opts->console_socket &&
	         husk_console_socket_connect(opts->console_socket, &console_fd, err) < 0)
		return -1;
	struct husk_ns_plan plan;
	if (husk_ns_plan_build(b->spec, &plan, err) < 0)
		return -1;
	struct husk_init_args args = {
	    .spec = b->spec,
	    .id = id,
	    .rootfs = {.rootfs = b->rootfs, .bundle = b->bundle, .no_pivot = opts->no_pivot},
	    .plan = &plan,
	    .console_fd = console_fd,
	    .fifo_fd = fifo_fd,
	    .preserve_fds = opts->preserve_fds,
	    .no_new_keyring = opts->no_new_keyring,
	};
	args.rootfs.in_user_ns = has_new_userns(b->spec);
	args.rootfs.new_cgroup_ns = (plan.clone_flags & CLONE_NEWCGROUP) != 0;
	/* the overlay rootfs and idmapped trees are built here, outside the
	 * container's namespaces; the init only moves them into place */
	if (husk_rootfs_parent_prepare(b->spec, lock_fd, &args.rootfs, err) < 0) {
		husk_ns_plan_close(&plan);
		return -1;
	}
	if (net && husk_net_mount_trees(net, b->spec->n_mounts, &args.rootfs.idmap_fds,
	                                &args.rootfs.n_idmap_fds, err) < 0) {
		husk_rootfs_parent_release(&args.rootfs);
		husk_ns_plan_close(&plan);
		return -1;
	}
	const struct husk_spec_hooks *hk = b->spec->hooks;
	args.hooks_step = husk_hooks_count(hk, HUSK_HOOK_PRESTART) ||
	                  husk_hooks_count(hk, HUSK_HOOK_CREATE_RUNTIME) ||
	                  husk_hooks_count(hk, HUSK_HOOK_CREATE_CONTAINER) ||
	                  husk_hooks_count(hk, HUSK_HOOK_START_CONTAINER);
	struct runtime_hooks rh = {.id = id, .bundle = b, .state_dir_fd = lock_fd, .net = net};
	struct husk_spawn_hooks spawn_hooks = {.run = run_runtime_hooks, .data = &rh};
	if (rootless && husk_net_rootless_wanted(b->spec))
		spawn_hooks.attach = attach_rootless_network;
	else if (net)
		spawn_hooks.attach = attach_network;
	struct husk_seccomp *filter = NULL;
	_cleanup_free_ char *cache_dir = husk_seccomp_cache_dir(root);
	if (husk_seccomp_compile_cached(b->spec->linux_ ? b->spec->linux_->seccomp : NULL,
	                                cache_dir, &filter, err) < 0) {
		husk_rootfs_parent_release(&args.rootfs);
		husk_ns_plan_close(&plan);
		return -1;
	}
	args.seccomp = filter;
	_cleanup_close_ int stub_fd = -1;
	if (husk_exec_stub_create(&stub_fd, err) < 0) {
		husk_seccomp_free(filter);
		husk_rootfs_parent_release(&args.rootfs);
		husk_ns_plan_close(&plan);
		return -1;
	}
	args.exec_stub_fd = stub_fd;
	int r = husk_spawn_init(&args, &spawn_hooks, cg, ret, err);
	husk_seccomp_free(filter);
	husk_rootfs_parent_release(&args.rootfs);
	husk_ns_plan_close(&plan);
	return r;
}

int husk_container_create_internal(const struct husk_context *ctx, const char *id,
                                   const struct husk_create_options *opts,
                                   struct husk_internal_create *in, struct husk_spawned *ret,
                                   struct husk_error **err)
{
	if (husk_id_validate(id, err) < 0)
		return -1;
	_cleanup_(husk_bundle_free) struct husk_bundle b = {0};
	if (husk_bundle_load(opts->bundle, &b, err) < 0 || husk_rootless_check(b.spec, err) < 0)
		return -1;
	bool rootless = husk_rootless_active(ctx);
	if (rootless && husk_net_rootless_check(b.spec, err) < 0)
		return -1;
	husk_caps_log_skipped(ctx, b.spec->process);
	int console_socket_fd = -1;
	if (in && in->console_socket_fd >= 0) {
		/* run relays the terminal itself, when there is one */
		in->used_terminal = b.spec->process->terminal;
		if (in->used_terminal)
			console_socket_fd = in->console_socket_fd;
	} else if (check_console(b.spec, opts->console_socket, err) < 0) {
		return -1;
	}
	if (husk_state_root_ensure(ctx->root, err) < 0)
		return -1;
	_cleanup_close_ int lock_fd = -1;
	if (husk_state_create(ctx->root, id, &lock_fd, err) < 0)
		return -1;

	struct husk_spawned sp = {.pid = -1, .pidfd = -1, .sync_fd = -1};
	struct husk_cgroup *cg = NULL;
	struct husk_net *net = NULL;
	if ((rootless ? husk_cgroup_create_rootless(ctx->root, id, b.spec->linux_, &cg, err)
	              : husk_cgroup_create(ctx->root, id, b.spec->linux_, &cg, err)) < 0)
		goto err_remove_state;
	for (size_t i = 0; cg && i < cg->n_ignored; i++)
		husk_warn(ctx, "%s: cgroup %s has no such limit, ignored", cg->ignored[i],
		          cg->driver->name);
	if (cg && husk_cgroup_oom_group_annotation(cg->dir_fd, cg->dir, b.spec->annotations,
	                                           b.spec->n_annotations, err) < 0)
		goto err_destroy_cgroup;
	/* the bridge needs root; a rootless container's network is slirp4netns */
	if (!rootless && husk_net_prepare(ctx, id, b.spec, lock_fd, &net, err) < 0)
		goto err_destroy_cgroup;
	if (build(ctx->root, id, opts, console_socket_fd, lock_fd, &b, cg, rootless, net, &sp,
	          err) < 0)
		goto err_release_net;
	if (record_created(ctx->root, id, &b, sp.pid, cg, err) < 0)
		goto err_kill;
	if (opts->pid_file && husk_write_pid_file(opts->pid_file, sp.pid, err) < 0)
		goto err_kill;
	if (husk_spawn_ack(&sp, err) < 0)
		goto err_kill;
	husk_cgroup_free(cg);
	husk_net_free(net);
	if (ret)
		*ret = sp;
	else
		close(sp.pidfd);
	return 0;

err_kill:
	husk_spawn_abort(&sp);
err_release_net:
	if (net)
		husk_net_release(ctx->root, id, NULL);
	husk_net_free(net);
err_destroy_cgroup:
	/* a cgroup found empty and reused is emptied again but kept */
	if (cg && cg->created)
		husk_cgroup_destroy(cg, NULL);
	else if (cg)
		husk_cgroup_kill_all(cg, SIGKILL, NULL);
	husk_cgroup_free(cg);
err_remove_state:
	husk_net_rootless_stop(ctx->root, id, NULL);
	husk_state_remove(ctx->root, id, NULL);
	return -1;
}

int husk_container_create(const struct husk_context *ctx, const char *id,
                          const struct husk_create_options *opts, struct husk_error **err)
{
	if (husk_container_create_internal(ctx, id, opts, NULL, NULL, err) < 0)
		return husk_error_prefix(err, "create \"%s\"", id);
	return 0;
}

/* Opens the fifo's read end and waits until the init writes to it (it is
 * then about to exec) or dies (its pidfd turns readable). */
static int release_init(int dir_fd, int pidfd, struct husk_error **err)
{
	_cleanup_close_ int fifo = openat(dir_fd, EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return husk_error_set(err, errno == ENOENT ? 0 : errno,
		                      "cannot start a container that has already started");
	struct pollfd p[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
	for (;;) {
		int r = poll(p, 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return husk_error_set(err, errno, "wait for the container's init");
		char c;
		if ((p[0].revents & POLLIN) && read(fifo, &c, 1) == 1)
			break;
		if (p[1].revents & POLLIN)
			return husk_error_set(err, 0, "the container's init exited before start");
	}
	if (unlinkat(dir_fd, EXEC_FIFO, 0) < 0)
		return husk_error_set(err, errno, "remove exec fifo");
	return 0;
}

int husk_container_start(const struct husk_context *ctx, const char *id, struct husk_error **err)
{
	_cleanup_close_ int lock_fd = -1;
	struct husk_state *st = NULL;
	_cleanup_close_ int pidfd = -1;
	int r = -1;
	if (husk_id_validate(id, err) < 0 || husk_state_lock(ctx->root, id, &lock_fd, err) < 0 ||
	    husk_state_read(ctx->root, id, &st, err) < 0)
		goto out;
	husk_state_refresh(st);
	if (st->status == HUSK_STATUS_STOPPED) {
		husk_error_set(err, 0, "cannot start a container that has stopped");
		goto out;
	}
	if (st->status != HUSK_STATUS_CREATED) {
		husk_error_set(err, 0, "cannot start a container that has already started");
		goto out;
	}
	if (husk_init_pidfd(st, &pidfd, err) < 0 || release_init(lock_fd, pidfd, err) < 0)
		goto out;
	st->status = HUSK_STATUS_RUNNING;
	r = husk_state_write(ctx->root, st, err);
	if (r == 0)
		run_warning_hooks(ctx, st, HUSK_HOOK_POSTSTART);
out:
	husk_state_free(st);
	if (r < 0)
		husk_error_prefix(err, "start \"%s\"", id);
	return r;
}

/* Every process of the container: its cgroup's when it has one (exact,
 * and cgroup.kill cannot miss a process forking meanwhile), else procs.c's
 * view through /proc. */
static int signal_all(const struct husk_state *st, int signo, struct husk_error **err)
{
	if (!st->cgroup_path)
		return husk_signal_all(st, signo, err);
	struct husk_cgroup *cg = NULL;
	if (husk_cgroup_load(st, &cg, err) < 0)
		return -1;
	int r = husk_cgroup_kill_all(cg, signo, err);
	husk_cgroup_free(cg);
	if (r == 0)
		return husk_error_set(err, 0, "no such process");
	return r;
}

static int destroy_cgroup(const struct husk_state *st, struct husk_error **err)
{
	struct husk_cgroup *cg = NULL;
	if (!st->cgroup_path)
		return 0;
	if (husk_cgroup_load(st, &cg, err) < 0)
		return -1;
	int r = husk_cgroup_destroy(cg, err);
	husk_cgroup_free(cg);
	return r;
}

int husk_container_kill(const struct husk_context *ctx, const char *id, int signo, bool all,
                        struct husk_error **err)
{
	struct husk_state *st = NULL;
	_cleanup_close_ int pidfd = -1;
	int r = -1;
	if (husk_id_validate(id, err) < 0 || husk_state_read(ctx->root, id, &st, err) < 0)
		goto out;
	husk_state_refresh(st);
	if (st->status == HUSK_STATUS_STOPPED) {
		husk_error_set(err, 0, "container not running");
		goto out;
	}
	/* Without a pid namespace of its own, the init's death would not take
	 * the rest of the container with it, so every process is signalled. */
	if (all || !husk_init_has_private_pidns(st->pid)) {
		r = signal_all(st, signo, err) < 0 ? -1 : 0;
		goto out;
	}
	if (husk_init_pidfd(st, &pidfd, err) < 0)
		goto out;
	if (husk_pidfd_signal(pidfd, signo) < 0) {
		husk_error_set(err, errno == ESRCH ? 0 : errno, "no such process");
		goto out;
	}
	r = 0;
out:
	husk_state_free(st);
	if (r < 0)
		husk_error_prefix(err, "kill \"%s\"", id);
	return r;
}

/* Kills whatever still runs and waits for the init to be gone. */
static int stop_all(const struct husk_state *st, struct husk_error **err)
{
	_cleanup_close_ int pidfd = -1;
	struct husk_error *tmp = NULL;
	if (husk_init_pidfd(st, &pidfd, &tmp) < 0) {
		husk_error_release(&tmp); /* already gone */
		return 0;
	}
	if (signal_all(st, SIGKILL, &tmp) < 0)
		husk_error_release(&tmp);
	return husk_pidfd_wait(pidfd, DELETE_WAIT_MS, err);
}

int husk_container_delete(const struct husk_context *ctx, const char *id, bool force,
                          struct husk_error **err)
{
	_cleanup_close_ int lock_fd = -1;
	struct husk_state *st = NULL;
	int r = -1;
	if (husk_id_validate(id, err) < 0 || husk_state_lock(ctx->root, id, &lock_fd, err) < 0)
		goto out;
	if (husk_state_read(ctx->root, id, &st, err) < 0) {
		/* a create killed half-way leaves a directory without state */
		if (!force)
			goto out;
		husk_error_release(err);
		if (husk_net_rootless_stop(ctx->root, id, err) == 0 &&
		    husk_net_release(ctx->root, id, err) == 0)
			r = husk_state_remove(ctx->root, id, err);
		goto out;
	}
	husk_state_refresh(st);
	if ((st->status == HUSK_STATUS_RUNNING || st->status == HUSK_STATUS_PAUSED) && !force) {
		husk_error_set(err, 0, "cannot delete container \"%s\" that is not stopped: %s", id,
		               husk_status_name(st->status));
		goto out;
	}
	if (st->status != HUSK_STATUS_STOPPED && stop_all(st, err) < 0)
		goto out;
	/* also kills what outlived the init (no pid namespace of its own) */
	if (destroy_cgroup(st, err) < 0 || husk_net_rootless_stop(ctx->root, id, err) < 0)
		goto out;
	if (husk_net_release(ctx->root, id, err) < 0)
		goto out;
	st->status = HUSK_STATUS_STOPPED;
	run_warning_hooks(ctx, st, HUSK_HOOK_POSTSTOP);
	r = husk_state_remove(ctx->root, id, err);
out:
	husk_state_free(st);
	if (r < 0)
		husk_error_prefix(err, "delete \"%s\"", id);
	return r;
}
