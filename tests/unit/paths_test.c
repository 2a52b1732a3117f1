/* Masked and read-only paths, sysctls and personality.
 *
 * The sysctl rules are pure logic.  The rest changes the kernel's view, so
 * it runs in a forked child (as root) inside its own mount, UTS, IPC and
 * network namespaces, on a tmpfs sandbox; the child reports what it saw
 * through a pipe and the parent checks that the host saw nothing. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "testutil.h"
#include "paths.h"

/* ---- helpers ---- */

static void put(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdprintf(fd, fmt, ap);
	va_end(ap);
}

static void call_plain(int out_fd, void *fn)
{
	((void (*)(int))fn)(out_fd);
}

/* Runs fn in a forked child; returns what it wrote, checks it exited 0. */
static char *run_child(void (*fn)(int out_fd))
{
	return test_child_output(call_plain, (void *)fn);
}

static void assert_has(const char *out, const char *line)
{
	ck_assert_msg(strstr(out, line), "\"%s\" not in:\n%s", line, out);
}

/* The first line of a file, or "ERR <errno>". */
static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(buf, len, "ERR %d", errno);
		return;
	}
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* ---- husk_sysctl_check ---- */

#define MAX_NS 4

/* A spec with the given namespaces ("ipc", "network", "uts"; "network=PATH"
 * joins one) and one sysctl key. */
struct fake {
	struct husk_spec spec;
	struct husk_spec_linux linux_;
	struct husk_spec_namespace ns[MAX_NS];
	struct husk_kv kv[2];
};

static enum husk_ns_type ns_type(const char *name, size_t len)
{
	if (len == 7 && strncmp(name, "network", 7) == 0)
		return HUSK_NS_NETWORK;
	if (len == 3 && strncmp(name, "ipc", 3) == 0)
		return HUSK_NS_IPC;
	if (len == 3 && strncmp(name, "uts", 3) == 0)
		return HUSK_NS_UTS;
	ck_abort_msg("unknown namespace in test: %.*s", (int)len, name);
	return HUSK_NS_PID;
}

static void fake_init(struct fake *f, const char *namespaces, const char *key)
{
	memset(f, 0, sizeof(*f));
	f->spec.linux_ = &f->linux_;
	f->linux_.namespaces = f->ns;
	f->linux_.sysctl = f->kv;
	for (const char *p = namespaces; p && *p;) {
		size_t n = strcspn(p, " ");
		const char *eq = memchr(p, '=', n);
		struct husk_spec_namespace *ns = &f->ns[f->linux_.n_namespaces++];
		ns->type = ns_type(p, eq ? (size_t)(eq - p) : n);
		if (eq)
			ns->path = strndup(eq + 1, n - (size_t)(eq + 1 - p));
		p += n + strspn(p + n, " ");
	}
	if (key) {
		f->kv[0] = (struct husk_kv){(char *)key, "1"};
		f->linux_.n_sysctl = 1;
	}
}

static void fake_free(struct fake *f)
{
	for (size_t i = 0; i < f->linux_.n_namespaces; i++)
		free(f->ns[i].path);
}

/* NULL when the check passes, else its message (caller frees). */
static char *check_msg(struct fake *f)
{
	struct husk_error *err = NULL;
	int r = husk_sysctl_check(&f->spec, &err);
	ck_assert_int_eq(r < 0, err != NULL);
	char *msg = err ? strdup(err->msg) : NULL;
	husk_error_free(err);
	return msg;
}

static void allowed(const char *namespaces, const char *key)
{
	struct fake f;
	fake_init(&f, namespaces, key);
	_cleanup_free_ char *msg = check_msg(&f);
	ck_assert_msg(!msg, "%s with {%s}: %s", key, namespaces, msg);
	fake_free(&f);
}

static void refused(const char *namespaces, const char *key, const char *want)
{
	struct fake f;
	fake_init(&f, namespaces, key);
	_cleanup_free_ char *msg = check_msg(&f);
	ck_assert_msg(msg, "%s with {%s} was allowed", key, namespaces);
	ck_assert_msg(strcmp(msg, want) == 0, "got \"%s\", want \"%s\"", msg, want);
	fake_free(&f);
}

static const char *const ipc_keys[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shm_rmid_forced", "kernel.shmmni",
};

START_TEST(test_check_ipc_keys)
{
	char want[256];
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(ipc_keys); i++) {
		allowed("ipc", ipc_keys[i]);
		allowed("uts ipc network", ipc_keys[i]);
		snprintf(want, sizeof(want), "linux.sysctl[\"%s\"]: requires a new IPC namespace",
		         ipc_keys[i]);
		refused("network uts", ipc_keys[i], want);
	}
}
END_TEST

START_TEST(test_check_mqueue)
{
	allowed("ipc", "fs.mqueue.msg_max");
	allowed("ipc", "fs/mqueue/queues_max");
	refused("", "fs.mqueue.msg_max",
	        "linux.sysctl[\"fs.mqueue.msg_max\"]: requires a new IPC namespace");
	/* the rest of fs.* is global */
	refused("ipc", "fs.file-max",
	        "linux.sysctl[\"fs.file-max\"]: is not namespaced and cannot be set for a "
	        "container");
	refused("ipc", "fs.mqueuex.y",
	        "linux.sysctl[\"fs.mqueuex.y\"]: is not namespaced and cannot be set for a "
	        "container");
}
END_TEST

START_TEST(test_check_network)
{
	allowed("network", "net.ipv4.ip_forward");
	allowed("network", "net.core.somaxconn");
	allowed("network", "net.ipv4.conf.all.rp_filter");
	refused("ipc uts", "net.ipv4.ip_forward",
	        "linux.sysctl[\"net.ipv4.ip_forward\"]: requires a new network namespace");
	refused(NULL, "net.core.somaxconn",
	        "linux.sysctl[\"net.core.somaxconn\"]: requires a new network namespace");
	/* "net" must be a whole component */
	refused("network", "netfilter.x",
	        "linux.sysctl[\"netfilter.x\"]: is not namespaced and cannot be set for a "
	        "container");
}
END_TEST

START_TEST(test_check_slash_form)
{
	allowed("network", "net/ipv4/ip_forward");
	allowed("network", "net/ipv4/conf/eth0.100/forwarding");
	allowed("ipc", "kernel/shmmax");
	allowed("uts", "kernel/domainname");
	/* errors quote the key as written */
	refused("", "net/ipv4/ip_forward",
	        "linux.sysctl[\"net/ipv4/ip_forward\"]: requires a new network namespace");
	refused("network", "kernel/shmmax",
	        "linux.sysctl[\"kernel/shmmax\"]: requires a new IPC namespace");
	refused("network ipc uts", "vm/swappiness",
	        "linux.sysctl[\"vm/swappiness\"]: is not namespaced and cannot be set for a "
	        "container");
}
END_TEST

START_TEST(test_check_uts)
{
	allowed("uts", "kernel.hostname");
	allowed("uts", "kernel.domainname");
	refused("ipc network", "kernel.hostname",
	        "linux.sysctl[\"kernel.hostname\"]: requires a new UTS namespace");
	refused("ipc", "kernel.domainname",
	        "linux.sysctl[\"kernel.domainname\"]: requires a new UTS namespace");

	struct fake f;
	fake_init(&f, "uts", "kernel.hostname");
	f.spec.hostname = "box";
	_cleanup_free_ char *msg = check_msg(&f);
	ck_assert_str_eq(msg, "linux.sysctl[\"kernel.hostname\"]: conflicts with \"hostname\"");
	fake_free(&f);

	fake_init(&f, "uts", "kernel.domainname");
	f.spec.domainname = "example.test";
	_cleanup_free_ char *msg2 = check_msg(&f);
	ck_assert_str_eq(msg2,
	                 "linux.sysctl[\"kernel.domainname\"]: conflicts with \"domainname\"");
	/* the other name does not conflict */
	f.kv[0].key = "kernel.hostname";
	_cleanup_free_ char *msg3 = check_msg(&f);
	ck_assert_ptr_null(msg3);
	fake_free(&f);
}
END_TEST

START_TEST(test_check_global_keys)
{
	static const char *const global[] = {
	    "vm.swappiness",          "kernel.pid_max",           "kernel.shm",
	    "kernel.msgmax_x",        "user.max_user_namespaces", "kernel.core_pattern",
	    "dev.tty.ldisc_autoload",
	};
	char want[256];
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(global); i++) {
		snprintf(
		    want, sizeof(want),
		    "linux.sysctl[\"%s\"]: is not namespaced and cannot be set for a container",
		    global[i]);
		refused("network ipc uts", global[i], want);
	}
}
END_TEST

START_TEST(test_check_empty_and_order)
{
	struct husk_spec bare = {0};
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_sysctl_check(&bare, &err), 0);
	allowed("", NULL);

	/* the first bad key is the one reported */
	struct fake f;
	fake_init(&f, "network", "net.ipv4.ip_forward");
	f.kv[1] = (struct husk_kv){"kernel.sem", "1 2 3 4"};
	f.linux_.n_sysctl = 2;
	_cleanup_free_ char *msg = check_msg(&f);
	ck_assert_str_eq(msg, "linux.sysctl[\"kernel.sem\"]: requires a new IPC namespace");
	fake_free(&f);
}
END_TEST

START_TEST(test_check_joined_by_path)
{
	/* joining the host's own namespace gives the container nothing */
	refused("network=/proc/self/ns/net", "net.ipv4.ip_forward",
	        "linux.sysctl[\"net.ipv4.ip_forward\"]: not allowed in the host's network "
	        "namespace");
	refused("ipc=/proc/self/ns/ipc", "kernel.shmmax",
	        "linux.sysctl[\"kernel.shmmax\"]: not allowed in the host's IPC namespace");
	refused("uts=/proc/thread-self/ns/uts", "kernel.domainname",
	        "linux.sysctl[\"kernel.domainname\"]: not allowed in the host's UTS namespace");
	if (geteuid() != 0)
		return;
	/* another process's own namespace counts as the container's */
	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char ok = unshare(CLONE_NEWNET | CLONE_NEWIPC) == 0 ? 'y' : 'n';
		if (write(fds[1], &ok, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	char ok = 0;
	ck_assert_int_eq(read(fds[0], &ok, 1), 1);
	close(fds[0]);
	char spec_ns[128];
	snprintf(spec_ns, sizeof(spec_ns), "network=/proc/%d/ns/net ipc=/proc/%d/ns/ipc", pid, pid);
	if (ok == 'y') {
		allowed(spec_ns, "net.ipv4.ip_forward");
		allowed(spec_ns, "kernel.msgmax");
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert_int_eq(ok, 'y');
}
END_TEST

/* ---- husk_sysctl_apply, in new UTS, IPC and network namespaces ---- */

static int apply_kv(struct husk_kv *kv, size_t n, char *msg, size_t len)
{
	struct husk_spec_linux l = {.sysctl = kv, .n_sysctl = n};
	struct husk_spec spec = {.linux_ = &l};
	struct husk_error *err = NULL;
	int r = husk_sysctl_apply(&spec, &err);
	snprintf(msg, len, "%s", err ? err->msg : "");
	husk_error_free(err);
	return r;
}

static void sysctl_child(int out)
{
	if (unshare(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) < 0) {
		put(out, "unshare: %d\n", errno);
		_exit(1);
	}
	char msg[512], line[256];
	struct husk_kv kv[] = {
	    {"kernel.shmmax", "123456789"},
	    {"kernel/domainname", "slash.test"},
	    {"net.ipv4.ip_forward", "1"},
	    {"fs.mqueue.msg_max", "17"},
	};
	put(out, "apply=%d %s\n", apply_kv(kv, HUSK_ARRAY_SIZE(kv), msg, sizeof(msg)), msg);
	read_line("/proc/sys/kernel/shmmax", line, sizeof(line));
	put(out, "shmmax=%s\n", line);
	read_line("/proc/sys/kernel/domainname", line, sizeof(line));
	put(out, "domainname=%s\n", line);
	read_line("/proc/sys/net/ipv4/ip_forward", line, sizeof(line));
	put(out, "ip_forward=%s\n", line);
	read_line("/proc/sys/fs/mqueue/msg_max", line, sizeof(line));
	put(out, "msg_max=%s\n", line);

	/* A dot inside a name: "a.5" is "a/5" in the dotted form. */
	if (system("ip link add a.5 type veth peer name b.5 2>/dev/null || "
	           "ip link add a.5 type bridge 2>/dev/null") == 0) {
		struct husk_kv dots[] = {{"net.ipv4.conf.a/5.forwarding", "1"},
		                         {"net/ipv4/conf/a.5/accept_redirects", "0"}};
		put(out, "dots=%d %s\n", apply_kv(dots, 2, msg, sizeof(msg)), msg);
		read_line("/proc/sys/net/ipv4/conf/a.5/forwarding", line, sizeof(line));
		put(out, "a5.forwarding=%s\n", line);
		read_line("/proc/sys/net/ipv4/conf/a.5/accept_redirects", line, sizeof(line));
		put(out, "a5.accept_redirects=%s\n", line);
	} else {
		put(out, "dots=skipped\n");
	}

	struct husk_kv missing[] = {{"kernel.no_such_key", "1"}};
	put(out, "missing=%d %s\n", apply_kv(missing, 1, msg, sizeof(msg)), msg);
	struct husk_kv bad_value[] = {{"kernel.shmmax", "lots"}};
	put(out, "bad_value=%d %s\n", apply_kv(bad_value, 1, msg, sizeof(msg)), msg);
	struct husk_kv escape[] = {{"kernel/../../etc/x", "1"}};
	put(out, "escape=%d %s\n", apply_kv(escape, 1, msg, sizeof(msg)), msg);
	/* the first failure stops the rest */
	struct husk_kv stop[] = {{"kernel.no_such_key", "1"}, {"kernel.shmmax", "99"}};
	apply_kv(stop, 2, msg, sizeof(msg));
	read_line("/proc/sys/kernel/shmmax", line, sizeof(line));
	put(out, "after_stop=%s\n", line);
}

START_TEST(test_sysctl_apply)
{
	if (geteuid() != 0)
		return; /* needs root; CI runs the unit tests as root */
	char shmmax[256], domain[256], forward[256], after[256];
	read_line("/proc/sys/kernel/shmmax", shmmax, sizeof(shmmax));
	read_line("/proc/sys/kernel/domainname", domain, sizeof(domain));
	read_line("/proc/sys/net/ipv4/ip_forward", forward, sizeof(forward));

	_cleanup_free_ char *out = run_child(sysctl_child);
	assert_has(out, "apply=0 \n");
	assert_has(out, "shmmax=123456789\n");
	assert_has(out, "domainname=slash.test\n");
	assert_has(out, "ip_forward=1\n");
	assert_has(out, "msg_max=17\n");
	if (!strstr(out, "dots=skipped")) {
		assert_has(out, "dots=0 \n");
		assert_has(out, "a5.forwarding=1\n");
		assert_has(out, "a5.accept_redirects=0\n");
	}
	assert_has(out, "missing=-1 sysctl \"kernel.no_such_key\" = \"1\": No such file or "
	                "directory\n");
	assert_has(out, "bad_value=-1 sysctl \"kernel.shmmax\" = \"lots\": Invalid argument\n");
	assert_has(out, "escape=-1 sysctl \"kernel/../../etc/x\" = \"1\": Invalid argument\n");
	assert_has(out, "after_stop=123456789\n");

	/* the host's values are untouched */
	read_line("/proc/sys/kernel/shmmax", after, sizeof(after));
	ck_assert_str_eq(after, shmmax);
	read_line("/proc/sys/kernel/domainname", after, sizeof(after));
	ck_assert_str_eq(after, domain);
	read_line("/proc/sys/net/ipv4/ip_forward", after, sizeof(after));
	ck_assert_str_eq(after, forward);
}
END_TEST

START_TEST(test_sysctl_apply_nothing)
{
	struct husk_spec bare = {0};
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_sysctl_apply(&bare, &err), 0);
	ck_assert_ptr_null(err);
}
END_TEST

/* ---- masked and read-only paths, in a new mount namespace ---- */

static char sandbox[64];

static void sb_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", sandbox, rel);
}

static void sb_write(const char *rel, const char *text)
{
	char path[256];
	sb_path(path, sizeof(path), rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		_exit(2);
	close(fd);
}

static void sb_mkdir(const char *rel)
{
	char path[256];
	sb_path(path, sizeof(path), rel);
	if (mkdir(path, 0755) < 0)
		_exit(2);
}

/* Own mount namespace, nothing propagating back, and a fresh tmpfs on /tmp
 * (so nothing is left on the host's) with nosuid,nodev,noexec, to see them
 * kept by read-only binds.  The sandbox in it holds:
 *   secret (file), dir/{x, sub/}, rw/{file, sub (tmpfs)/}, ro-file, link -> secret */
static void sandbox_setup(void)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		_exit(2);
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		_exit(2);
	snprintf(sandbox, sizeof(sandbox), "/tmp/husk-paths-XXXXXX");
	if (!mkdtemp(sandbox))
		_exit(2);
	sb_write("secret", "s3cret");
	sb_mkdir("dir");
	sb_write("dir/x", "x");
	sb_mkdir("dir/sub");
	sb_mkdir("rw");
	sb_write("rw/file", "data");
	sb_mkdir("rw/sub");
	char path[256];
	sb_path(path, sizeof(path), "rw/sub");
	if (mount("tmpfs", path, "tmpfs", 0, NULL) < 0)
		_exit(2);
	sb_write("ro-file", "kept");
	sb_path(path, sizeof(path), "link");
	if (symlink("secret", path) < 0)
		_exit(2);
}

/* Spec with sandbox-relative masked or read-only paths (NULL-terminated). */
static int apply_paths(bool mask, const char *const *rel, char *msg, size_t len)
{
	char *paths[8];
	size_t n = 0;
	for (; rel[n]; n++) {
		paths[n] = malloc(256);
		sb_path(paths[n], 256, rel[n]);
	}
	struct husk_spec_linux l = {0};
	if (mask) {
		l.masked_paths = paths;
		l.n_masked_paths = n;
	} else {
		l.readonly_paths = paths;
		l.n_readonly_paths = n;
	}
	struct husk_spec spec = {.linux_ = &l};
	struct husk_error *err = NULL;
	int r = mask ? husk_paths_mask(&spec, &err) : husk_paths_readonly(&spec, &err);
	snprintf(msg, len, "%s", err ? err->msg : "");
	husk_error_free(err);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	return r;
}

/* What reading, listing and writing a sandbox path gives. */
static void probe(int out, const char *rel)
{
	char path[256], buf[64] = "";
	sb_path(path, sizeof(path), rel);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		DIR *d = fdopendir(fd);
		int entries = 0;
		for (struct dirent *e; d && (e = readdir(d));)
			entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
		if (d)
			closedir(d);
		char child[300];
		snprintf(child, sizeof(child), "%s/new", path);
		int w = open(child, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		put(out, "%s: dir entries=%d create=%d\n", rel, entries, w >= 0 ? 0 : errno);
		if (w >= 0)
			close(w);
		return;
	}
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	int w = open(path, O_WRONLY | O_CLOEXEC);
	put(out, "%s: read=\"%s\" write=%d\n", rel, buf, w >= 0 ? 0 : errno);
	if (w >= 0)
		close(w);
}

static void mask_child(int out)
{
	sandbox_setup();
	char msg[512];
	static const char *const masked[] = {"secret", "dir", "missing", "missing/below", NULL};
	put(out, "mask=%d %s\n", apply_paths(true, masked, msg, sizeof(msg)), msg);
	probe(out, "secret");
	probe(out, "dir");
	char path[256];
	sb_path(path, sizeof(path), "secret");
	struct stat st;
	put(out, "secret is null: %d\n",
	    stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));

	static const char *const link[] = {"link", NULL};
	put(out, "link=%d %s\n", apply_paths(true, link, msg, sizeof(msg)), msg);

	/* Without /proc the paths themselves are mounted on. */
	if (mount("tmpfs", "/proc", "tmpfs", 0, NULL) < 0)
		_exit(3);
	static const char *const more[] = {"rw/file", "dir/sub", NULL};
	put(out, "noproc=%d %s\n", apply_paths(true, more, msg, sizeof(msg)), msg);
	probe(out, "rw/file");
	if (umount2("/proc", MNT_DETACH) < 0)
		_exit(3);

	/* A /dev/null that is not the null device is refused. */
	sb_path(path, sizeof(path), "ro-file");
	if (mount(path, "/dev/null", NULL, MS_BIND, NULL) < 0)
		_exit(3);
	static const char *const file[] = {"rw/sub", "ro-file", NULL};
	put(out, "fake null=%d %s\n", apply_paths(true, file, msg, sizeof(msg)), msg);
}

START_TEST(test_mask)
{
	if (geteuid() != 0)
		return;
	_cleanup_free_ char *out = run_child(mask_child);
	assert_has(out, "mask=0 \n");
	assert_has(out, "secret: read=\"\" write=0\n"); /* /dev/null: writes vanish */
	assert_has(out, "secret is null: 1\n");
	char want[128];
	snprintf(want, sizeof(want), "dir: dir entries=0 create=%d\n", EROFS);
	assert_has(out, want);
	ck_assert_msg(strstr(out, "link=-1 mask \"/tmp/husk-paths-") &&
	                  strstr(out, "/link\": refusing a symbolic link: Too many levels of "
	                              "symbolic links\n"),
	              "%s", out);
	assert_has(out, "noproc=0 \n");
	assert_has(out, "rw/file: read=\"\" write=0\n");
	ck_assert_msg(strstr(out, "fake null=-1 mask \"/tmp/husk-paths-") &&
	                  strstr(out, "/ro-file\": \"/dev/null\" is not the null device\n"),
	              "%s", out);
}
END_TEST

static void readonly_child(int out)
{
	sandbox_setup();
	char msg[512], path[256];
	static const char *const ro[] = {"rw", "ro-file", "missing", NULL};
	put(out, "readonly=%d %s\n", apply_paths(false, ro, msg, sizeof(msg)), msg);
	probe(out, "rw/file");
	probe(out, "ro-file");
	probe(out, "rw/sub");
	/* only the paths became read-only, not the mount holding them */
	probe(out, "dir");
	sb_path(path, sizeof(path), "rw");
	struct statvfs st;
	if (statvfs(path, &st) < 0)
		_exit(3);
	put(out, "rw flags: ro=%d nosuid=%d nodev=%d noexec=%d\n", !!(st.f_flag & ST_RDONLY),
	    !!(st.f_flag & ST_NOSUID), !!(st.f_flag & ST_NODEV), !!(st.f_flag & ST_NOEXEC));

	static const char *const link[] = {"link", NULL};
	put(out, "link=%d %s\n", apply_paths(false, link, msg, sizeof(msg)), msg);

	/* a masked path inside a read-only one (the init's order) */
	static const char *const inner[] = {"rw/file", NULL};
	put(out, "inner mask=%d %s\n", apply_paths(true, inner, msg, sizeof(msg)), msg);
	probe(out, "rw/file");
}

START_TEST(test_readonly)
{
	if (geteuid() != 0)
		return;
	_cleanup_free_ char *out = run_child(readonly_child);
	char want[128];
	assert_has(out, "readonly=0 \n");
	snprintf(want, sizeof(want), "rw/file: read=\"data\" write=%d\n", EROFS);
	assert_has(out, want);
	snprintf(want, sizeof(want), "ro-file: read=\"kept\" write=%d\n", EROFS);
	assert_has(out, want);
	snprintf(want, sizeof(want), "rw/sub: dir entries=0 create=%d\n", EROFS);
	assert_has(out, want);
	assert_has(out, "dir: dir entries=2 create=0\n");
	assert_has(out, "rw flags: ro=1 nosuid=1 nodev=1 noexec=1\n");
	ck_assert_msg(strstr(out, "link=-1 make \"/tmp/husk-paths-") &&
	                  strstr(out, "/link\" read-only: refusing a symbolic link"),
	              "%s", out);
	assert_has(out, "inner mask=0 \n");
	assert_has(out, "rw/file: read=\"\" write=0\n");
}
END_TEST

START_TEST(test_paths_nothing)
{
	struct husk_spec bare = {0};
	struct husk_spec_linux l = {0};
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_paths_mask(&bare, &err), 0);
	ck_assert_int_eq(husk_paths_readonly(&bare, &err), 0);
	bare.linux_ = &l;
	ck_assert_int_eq(husk_paths_mask(&bare, &err), 0);
	ck_assert_int_eq(husk_paths_readonly(&bare, &err), 0);
	ck_assert_ptr_null(err);
}
END_TEST

/* ---- personality ---- */

static int apply_domain(const char *domain, char *msg, size_t len)
{
	struct husk_spec_personality p = {.domain = (char *)domain};
	struct husk_spec_linux l = {.personality = &p};
	struct husk_spec spec = {.linux_ = &l};
	struct husk_error *err = NULL;
	int r = husk_personality_apply(&spec, &err);
	snprintf(msg, len, "%s", err ? err->msg : "");
	husk_error_free(err);
	return r;
}

static void personality_child(int out)
{
	char msg[256];
	struct utsname u;
	put(out, "linux32=%d %s\n", apply_domain("LINUX32", msg, sizeof(msg)), msg);
	uname(&u);
	put(out, "persona=%#x machine=%s\n", (unsigned)personality(0xffffffff) & PER_MASK,
	    u.machine);
	put(out, "linux=%d %s\n", apply_domain("LINUX", msg, sizeof(msg)), msg);
	put(out, "persona=%#x\n", (unsigned)personality(0xffffffff) & PER_MASK);
	put(out, "bsd=%d %s\n", apply_domain("BSD", msg, sizeof(msg)), msg);
}

START_TEST(test_personality)
{
	_cleanup_free_ char *out = run_child(personality_child);
	assert_has(out, "linux32=0 \n");
	struct utsname u;
	uname(&u);
	if (strcmp(u.machine, "x86_64") == 0)
		assert_has(out, "persona=0x8 machine=i686\n");
	else
		assert_has(out, "persona=0x8 ");
	assert_has(out, "linux=0 \n");
	assert_has(out, "persona=0\n");
	assert_has(out, "bsd=-1 personality \"BSD\": Invalid argument\n");

	struct husk_spec bare = {0};
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_personality_apply(&bare, &err), 0);
}
END_TEST

Suite *paths_suite(void)
{
	Suite *s = suite_create("paths");
	TCase *tc = tcase_create("sysctl_check");
	tcase_add_test(tc, test_check_ipc_keys);
	tcase_add_test(tc, test_check_mqueue);
	tcase_add_test(tc, test_check_network);
	tcase_add_test(tc, test_check_slash_form);
	tcase_add_test(tc, test_check_uts);
	tcase_add_test(tc, test_check_global_keys);
	tcase_add_test(tc, test_check_empty_and_order);
	tcase_add_test(tc, test_check_joined_by_path);
	suite_add_tcase(s, tc);

	tc = tcase_create("kernel");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_sysctl_apply);
	tcase_add_test(tc, test_sysctl_apply_nothing);
	tcase_add_test(tc, test_mask);
	tcase_add_test(tc, test_readonly);
	tcase_add_test(tc, test_paths_nothing);
	tcase_add_test(tc, test_personality);
	suite_add_tcase(s, tc);
	return s;
}
