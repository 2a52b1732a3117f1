/* Process setup: executable lookup, rlimit and capability names, closing
 * descriptors, the console socket messages, and apply() run for real in a
 * forked child (as root) whose results come back through a pipe. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "caps.h"
#include "exec-stub.h"
#include "husk/cleanup.h"
#include "testutil.h"
#include "process.h"
#include "rlimits.h"
#include "spec/names.h"
#include "terminal.h"

/* ---- helpers ---- */

static void put(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdprintf(fd, fmt, ap);
	va_end(ap);
}

/* The value of "Key:" in /proc/self/status, whitespace squeezed. */
static void put_status(int fd, const char *key)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[512];
	size_t klen = strlen(key);
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			char *v = line + klen + 1;
			v += strspn(v, " \t");
			for (char *p = v; *p; p++)
				if (*p == '\t')
					*p = ' ';
			put(fd, "%s=%s", key, v);
		}
	}
	if (f)
		fclose(f);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* ---- find_exec ---- */

static char tmp_dir[] = "/tmp/husk-process-XXXXXX";
static char dir1[64], dir2[64];

static void exec_setup(void)
{
	char path[PATH_MAX];
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
	snprintf(dir1, sizeof(dir1), "%s/a", tmp_dir);
	snprintf(dir2, sizeof(dir2), "%s/b", tmp_dir);
	ck_assert_int_eq(mkdir(dir1, 0755), 0);
	ck_assert_int_eq(mkdir(dir2, 0755), 0);
	snprintf(path, sizeof(path), "%s/prog", dir1);
	write_file(path, "#!/bin/sh\n", 0755);
	/* dir1 holds a non-executable "tool" and a directory "sub"; dir2 the
	 * runnable ones, so the search must skip the first two. */
	snprintf(path, sizeof(path), "%s/tool", dir1);
	write_file(path, "x\n", 0644);
	snprintf(path, sizeof(path), "%s/tool", dir2);
	write_file(path, "#!/bin/sh\n", 0755);
	snprintf(path, sizeof(path), "%s/sub", dir1);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sub", dir2);
	write_file(path, "#!/bin/sh\n", 0700);
}

static void exec_teardown(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int find(const char *arg0, const char *path_env, char **ret, struct husk_error **err)
{
	char path_var[2 * PATH_MAX + 8];
	char *args[] = {(char *)arg0};
	char *env[] = {"HOME=/", path_var};
	snprintf(path_var, sizeof(path_var), "PATH=%s", path_env ? path_env : "");
	struct husk_spec_process p = {
	    .args = args, .n_args = 1, .env = env, .n_env = path_env ? 2 : 1};
	*ret = NULL;
	return husk_process_find_exec(&p, ret, err);
}

static void find_ok(const char *arg0, const char *path_env, const char *want)
{
	struct husk_error *err = NULL;
	_cleanup_free_ char *got = NULL;
	ck_assert_msg(find(arg0, path_env, &got, &err) == 0, "%s: %s", arg0, err ? err->msg : "?");
	ck_assert_str_eq(got, want);
}

static void find_fails(const char *arg0, const char *path_env, const char *msg)
{
	struct husk_error *err = NULL;
	_cleanup_free_ char *got = NULL;
	ck_assert_int_lt(find(arg0, path_env, &got, &err), 0);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err->msg, msg);
	ck_assert_ptr_null(got);
	husk_error_release(&err);
}

START_TEST(test_find_exec_search)
{
	char path_env[2 * PATH_MAX + 2], want[PATH_MAX + 8];
	snprintf(path_env, sizeof(path_env), "%s:%s", dir1, dir2);

	snprintf(want, sizeof(want), "%s/prog", dir1);
	find_ok("prog", path_env, want);
	snprintf(want, sizeof(want), "%s/tool", dir2);
	find_ok("tool", path_env, want);
	snprintf(want, sizeof(want), "%s/sub", dir2);
	find_ok("sub", path_env, want);
	/* A path with a slash is used as is, without searching. */
	snprintf(want, sizeof(want), "%s/prog", dir1);
	find_ok(want, "/nonexistent", want);

	find_fails("nosuch", path_env, "exec \"nosuch\": executable file not found in $PATH");
	struct husk_error *err = NULL;
	_cleanup_free_ char *got = NULL;
	ck_assert_int_lt(find("nosuch", path_env, &got, &err), 0);
	ck_assert_int_eq(err->errnum, ENOENT);
	husk_error_release(&err);
	/* Only a non-executable file, and only a directory: not found. */
	find_fails("tool", dir1, "exec \"tool\": executable file not found in $PATH");
	find_fails("sub", dir1, "exec \"sub\": executable file not found in $PATH");
	find_fails("prog", "", "exec \"prog\": executable file not found in $PATH");
}
END_TEST

START_TEST(test_find_exec_paths)
{
	char cwd[PATH_MAX], path[PATH_MAX + 16];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(dir1), 0);
	find_ok("./prog", "/nonexistent", "./prog");
	find_fails("./tool", "/nonexistent", "exec \"./tool\": permission denied");
	ck_assert_int_eq(chdir(cwd), 0);

	/* Go's spelling, which Docker reads to choose exit status 127 or 126 */
	find_fails("/bin/nosuch", NULL, "exec \"/bin/nosuch\": no such file or directory");
	struct husk_error *err = NULL;
	_cleanup_free_ char *got = NULL;
	ck_assert_int_lt(find("/bin/nosuch", NULL, &got, &err), 0);
	ck_assert_int_eq(err->errnum, ENOENT);
	husk_error_release(&err);
	find_fails("/etc/passwd", NULL, "exec \"/etc/passwd\": permission denied");
	snprintf(path, sizeof(path), "%s/sub", dir1);
	char msg[PATH_MAX + 64];
	snprintf(msg, sizeof(msg), "exec \"%s\": permission denied", path);
	find_fails(path, NULL, msg);
}
END_TEST

START_TEST(test_find_exec_default_path_and_last_wins)
{
	struct husk_error *err = NULL;
	_cleanup_free_ char *got = NULL;
	char *args[] = {"sh"};
	char *env[] = {"HOME=/"};
	struct husk_spec_process p = {.args = args, .n_args = 1, .env = env, .n_env = 1};
	ck_assert_int_eq(husk_process_find_exec(&p, &got, &err), 0);
	ck_assert_msg(strcmp(got, "/usr/bin/sh") == 0 || strcmp(got, "/bin/sh") == 0, "got %s",
	              got);

	char first[PATH_MAX + 8], want[PATH_MAX + 8];
	char *env2[] = {"PATH=/nonexistent", first};
	snprintf(first, sizeof(first), "PATH=%s", dir1);
	struct husk_spec_process q = {
	    .args = (char *[]){"prog"}, .n_args = 1, .env = env2, .n_env = 2};
	free(got);
	got = NULL;
	ck_assert_int_eq(husk_process_find_exec(&q, &got, &err), 0);
	snprintf(want, sizeof(want), "%s/prog", dir1);
	ck_assert_str_eq(got, want);

	struct husk_spec_process empty = {0};
	ck_assert_int_lt(husk_process_find_exec(&empty, &got, &err), 0);
	ck_assert_str_eq(err->msg, "exec: process.args is empty");
	husk_error_release(&err);
}
END_TEST

/* ---- names ---- */

START_TEST(test_rlimit_names)
{
	static const struct {
		const char *name;
		int value;
	} want[] = {
	    {"RLIMIT_AS", RLIMIT_AS},
	    {"RLIMIT_CORE", RLIMIT_CORE},
	    {"RLIMIT_CPU", RLIMIT_CPU},
	    {"RLIMIT_DATA", RLIMIT_DATA},
	    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
	    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
	    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	    {"RLIMIT_NICE", RLIMIT_NICE},
	    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	    {"RLIMIT_NPROC", RLIMIT_NPROC},
	    {"RLIMIT_RSS", RLIMIT_RSS},
	    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	    {"RLIMIT_STACK", RLIMIT_STACK},
	};
	ck_assert_uint_eq(HUSK_ARRAY_SIZE(want), 16);
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(want); i++)
		ck_assert_int_eq(husk_rlimit_from_name(want[i].name), want[i].value);
	/* Every name validation accepts is one apply knows. */
	for (size_t i = 0; i < husk_rlimit_names.n; i++)
		ck_assert_int_ge(husk_rlimit_from_name(husk_rlimit_names.names[i]), 0);
	ck_assert_int_eq(husk_rlimit_from_name("RLIMIT_FOO"), -1);
	ck_assert_int_eq(husk_rlimit_from_name("rlimit_nofile"), -1);
	ck_assert_int_eq(husk_rlimit_from_name(NULL), -1);
}
END_TEST

START_TEST(test_cap_names)
{
	ck_assert_int_eq(husk_cap_from_name("CAP_CHOWN"), 0);
	ck_assert_int_eq(husk_cap_from_name("CAP_KILL"), 5);
	ck_assert_int_eq(husk_cap_from_name("CAP_SYS_ADMIN"), 21);
	ck_assert_int_eq(husk_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	for (size_t i = 0; i < husk_capability_names.n; i++)
		ck_assert_int_eq(husk_cap_from_name(husk_capability_names.names[i]), (int)i);
	static const char *const bad[] = {"CAP_FOO", "cap_chown", "chown", "12",
	                                  "CAP_",    "CAP_12",    "",      "CAP_CHOWN "};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(bad); i++)
		ck_assert_msg(husk_cap_from_name(bad[i]) == -1, "\"%s\" accepted", bad[i]);
	ck_assert_int_eq(husk_cap_from_name(NULL), -1);
}
END_TEST

START_TEST(test_caps_from_spec)
{
	struct husk_error *err = NULL;
	struct husk_caps caps;
	_cleanup_free_ char *skipped = NULL;
	char *bounding[] = {"CAP_KILL", "CAP_SYS_ADMIN", "CAP_CHOWN"};
	char *effective[] = {"CAP_KILL", "CAP_BPF"};
	char *ambient[] = {"CAP_BPF"};
	struct husk_spec_capabilities spec = {.bounding = bounding,
	                                      .n_bounding = 3,
	                                      .effective = effective,
	                                      .n_effective = 2,
	                                      .ambient = ambient,
	                                      .n_ambient = 1};
	/* A kernel that stops at CAP_SYS_RESOURCE (24) knows no CAP_BPF (39):
	 * it is left out and named, not an error. */
	ck_assert_int_eq(husk_caps_from_spec(&spec, 24, &caps, &skipped, &err), 0);
	ck_assert_uint_eq(caps.bounding, (1u << 5) | (1u << 21) | 1u);
	ck_assert_uint_eq(caps.effective, 1u << 5);
	ck_assert_uint_eq(caps.ambient, 0);
	ck_assert_uint_eq(caps.permitted | caps.inheritable, 0);
	ck_assert_str_eq(skipped, "CAP_BPF");

	free(skipped);
	ck_assert_int_eq(husk_caps_from_spec(&spec, 40, &caps, &skipped, &err), 0);
	ck_assert_ptr_null(skipped);
	ck_assert(caps.ambient == UINT64_C(1) << 39);

	ck_assert_int_eq(husk_caps_from_spec(NULL, 40, &caps, NULL, &err), 0);
	ck_assert(caps.bounding == 0 && caps.effective == 0 && caps.ambient == 0);

	char *bad[] = {"CAP_CHOWN", "CAP_FOO"};
	struct husk_spec_capabilities bad_spec = {.permitted = bad, .n_permitted = 2};
	ck_assert_int_lt(husk_caps_from_spec(&bad_spec, 40, &caps, NULL, &err), 0);
	ck_assert_str_eq(err->msg,
	                 "unknown capability \"CAP_FOO\" in process.capabilities.permitted");
	husk_error_release(&err);

	int last = -1;
	ck_assert_int_eq(husk_caps_last_cap(&last, &err), 0);
	ck_assert_int_ge(last, 30);
	ck_assert_int_lt(last, 64);
}
END_TEST

/* ---- close_fds ---- */

static void close_fds_child(int out_fd, void *arg)
{
	(void)arg;
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* 3 and 4 preserved (one opened close-on-exec), 10 and 12 closed,
	 * 11 and the report pipe kept. */
	dup3(null_fd, 3, O_CLOEXEC);
	dup2(null_fd, 4);
	dup3(null_fd, 10, O_CLOEXEC);
	dup3(null_fd, 11, O_CLOEXEC);
	dup3(null_fd, 12, O_CLOEXEC);
	int report_fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 40);
	int keep[] = {11, report_fd};
	struct husk_error *err = NULL;
	if (husk_process_close_fds(2, keep, 2, &err) < 0) {
		put(report_fd, "error: %s", err->msg);
		return;
	}
	for (int fd = 3; fd <= 12; fd++) {
		int flags = fcntl(fd, F_GETFD);
		if (flags >= 0)
			put(report_fd, "%d%s ", fd, (flags & FD_CLOEXEC) ? "c" : "");
	}
	put(report_fd, "report%s", fcntl(report_fd, F_GETFD) >= 0 ? "-open" : "-closed");
	/* Nothing else above 12 survived, except the report fd itself. */
	for (int fd = 13; fd < 1024; fd++)
		if (fd != report_fd && fcntl(fd, F_GETFD) >= 0)
			put(report_fd, " leaked-%d", fd);
}

START_TEST(test_close_fds)
{
	_cleanup_free_ char *out = test_child_output(close_fds_child, NULL);
	/* out_fd from the pipe is closed too: only its kept dup remains. */
	ck_assert_str_eq(out, "3 4 11c report-open");
}
END_TEST

START_TEST(test_close_fds_invalid)
{
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_process_close_fds(-1, NULL, 0, &err), 0);
	husk_error_release(&err);
}
END_TEST

/* ---- terminal ---- */

static void send_pty_child(int out_fd, void *arg)
{
	int sock = *(int *)arg;
	(void)out_fd;
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		_exit(2);
	struct husk_error *err = NULL;
	if (husk_terminal_send_fd(sock, ptsname(master), master, &err) < 0)
		_exit(3);
}

START_TEST(test_terminal_send_recv)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	_cleanup_free_ char *out = test_child_output(send_pty_child, &sv[1]);
	close(sv[1]);

	struct husk_error *err = NULL;
	_cleanup_free_ char *name = NULL;
	int fd = -1;
	ck_assert_msg(husk_terminal_recv_fd(sv[0], &name, &fd, &err) == 0, "%s", err->msg);
	ck_assert(isatty(fd));
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	unsigned int index;
	ck_assert_int_eq(ioctl(fd, TIOCGPTN, &index), 0);
	char want[32];
	snprintf(want, sizeof(want), "/dev/pts/%u", index);
	ck_assert_str_eq(name, want);
	close(fd);

	/* The sender is gone: no message at all. */
	ck_assert_int_lt(husk_terminal_recv_fd(sv[0], &name, &fd, &err), 0);
	ck_assert_str_eq(err->msg,
	                 "receive terminal from console socket: closed without a message");
	husk_error_release(&err);
	close(sv[0]);
}
END_TEST

START_TEST(test_terminal_recv_wrong_count)
{
	int sv[2];
	struct husk_error *err = NULL;
	_cleanup_free_ char *name = NULL;
	int fd = -1;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);

	/* Two descriptors in one message. */
	int two[2] = {0, 1};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(two))];
	} control = {0};
	struct iovec iov = {.iov_base = "x", .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = control.buf,
	                     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(two));
	memcpy(CMSG_DATA(c), two, sizeof(two));
	ck_assert_int_eq(sendmsg(sv[1], &msg, 0), 1);
	ck_assert_int_lt(husk_terminal_recv_fd(sv[0], &name, &fd, &err), 0);
	ck_assert_str_eq(err->msg,
	                 "receive terminal from console socket: expected 1 descriptor, got 2");
	husk_error_release(&err);

	/* A name and no descriptor. */
	ck_assert_int_eq(write(sv[1], "/dev/pts/0", 10), 10);
	ck_assert_int_lt(husk_terminal_recv_fd(sv[0], &name, &fd, &err), 0);
	ck_assert_str_eq(err->msg,
	                 "receive terminal from console socket: expected 1 descriptor, got 0");
	husk_error_release(&err);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_terminal_open_pty)
{
	struct husk_error *err = NULL;
	_cleanup_free_ char *name = NULL;
	int master = -1, slave = -1;
	ck_assert_msg(husk_terminal_open_pty(&master, &slave, &name, &err) == 0, "%s", err->msg);
	ck_assert(isatty(slave));
	ck_assert_str_eq(ttyname(slave), name);
	ck_assert_int_eq(fcntl(master, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(fcntl(slave, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(write(slave, "hi", 2), 2);
	char buf[8] = "";
	ck_assert_int_eq(read(master, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "hi");
	close(master);
	close(slave);
}
END_TEST

static void setup_terminal_child(int out_fd, void *arg)
{
	int sock = *(int *)arg;
	struct husk_spec_process p = {
	    .terminal = true, .has_console_size = true, .console_height = 40, .console_width = 100};
	struct husk_error *err = NULL;
	if (husk_process_setup_terminal(&p, sock, &err) < 0) {
		put(out_fd, "error: %s", err->msg);
		_exit(1);
	}
	close(sock);
	/* Now on the pty: report what the program would see, through it. */
	printf("tty=%s sid=%d ctty=%d\n", ttyname(0), getsid(0) == getpid(),
	       tcgetsid(0) == getpid());
	fflush(stdout);
}

START_TEST(test_setup_terminal)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	/* The child owns its own stdio after the switch: this pipe only
	 * carries an error. */
	_cleanup_free_ char *out = test_child_output(setup_terminal_child, &sv[1]);
	ck_assert_str_eq(out, "");
	close(sv[1]);

	struct husk_error *err = NULL;
	_cleanup_free_ char *name = NULL;
	int master = -1;
	ck_assert_msg(husk_terminal_recv_fd(sv[0], &name, &master, &err) == 0, "%s", err->msg);
	close(sv[0]);
	struct winsize ws;
	ck_assert_int_eq(ioctl(master, TIOCGWINSZ, &ws), 0);
	ck_assert_int_eq(ws.ws_row, 40);
	ck_assert_int_eq(ws.ws_col, 100);

	char buf[256] = "";
	size_t len = 0;
	ssize_t n;
	/* EIO once the child, the slave's last holder, is gone. */
	while (len < sizeof(buf) - 1 && (n = read(master, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	char want[128];
	snprintf(want, sizeof(want), "tty=%s sid=1 ctty=1\r\n", name);
	ck_assert_str_eq(buf, want);
	close(master);
}
END_TEST

/* ---- apply ---- */

static void apply_child(int out_fd, void *arg)
{
	const struct husk_spec_process *p = arg;
	struct husk_error *err = NULL;
	if (husk_process_apply(p, &err) < 0) {
		put(out_fd, "error: %s\n", err->msg);
		return;
	}
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	put(out_fd, "nofile=%llu/%llu\n", (unsigned long long)rl.rlim_cur,
	    (unsigned long long)rl.rlim_max);
	put(out_fd, "umask=%04o\n", umask(0));
	char cwd[PATH_MAX];
	put(out_fd, "cwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	static const char *const keys[] = {"Uid",    "Gid",    "Groups", "NoNewPrivs", "CapInh",
	                                   "CapPrm", "CapEff", "CapBnd", "CapAmb"};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(keys); i++)
		put_status(out_fd, keys[i]);
	char oom[16] = "";
	int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read(fd, oom, sizeof(oom) - 1) > 0)
		put(out_fd, "oom=%s", oom);
	cpu_set_t set;
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	put(out_fd, "sched=%d nice=%d ioprio=%ld cpus=%d cpu0=%d\n", sched_getscheduler(0),
	    getpriority(PRIO_PROCESS, 0), syscall(SYS_ioprio_get, 1, 0), CPU_COUNT(&set),
	    CPU_ISSET(0, &set) ? 1 : 0);
}

static void assert_has(const char *out, const char *line)
{
	ck_assert_msg(strstr(out, line), "\"%s\" not in:\n%s", line, out);
}

START_TEST(test_apply_root_with_one_cap)
{
	if (geteuid() != 0)
		return; /* needs root; CI runs the unit tests as root */
	char *kill_only[] = {"CAP_KILL"};
	struct husk_spec_capabilities caps = {.bounding = kill_only,
	                                      .n_bounding = 1,
	                                      .effective = kill_only,
	                                      .n_effective = 1,
	                                      .permitted = kill_only,
	                                      .n_permitted = 1};
	struct husk_spec_rlimit rlimits[] = {{"RLIMIT_NOFILE", 512, 512}};
	struct husk_spec_process p = {
	    .user = {.has_umask = true, .umask = 027},
	    .cwd = "/tmp",
	    .capabilities = &caps,
	    .rlimits = rlimits,
	    .n_rlimits = 1,
	    .no_new_privileges = true,
	    .has_oom_score_adj = true,
	    .oom_score_adj = 500,
	};
	_cleanup_free_ char *out = test_child_output(apply_child, &p);
	assert_has(out, "nofile=512/512\n");
	assert_has(out, "umask=0027\n");
	assert_has(out, "cwd=/tmp\n");
	assert_has(out, "Uid=0 0 0 0\n");
	assert_has(out, "NoNewPrivs=1\n");
	assert_has(out, "CapBnd=0000000000000020\n");
	assert_has(out, "CapEff=0000000000000020\n");
	assert_has(out, "CapPrm=0000000000000020\n");
	assert_has(out, "CapInh=0000000000000000\n");
	assert_has(out, "CapAmb=0000000000000000\n");
	assert_has(out, "oom=500\n");
}
END_TEST

START_TEST(test_apply_user_groups_ambient)
{
	if (geteuid() != 0)
		return;
	char *bind[] = {"CAP_NET_BIND_SERVICE"};
	struct husk_spec_capabilities caps = {.bounding = bind,
	                                      .n_bounding = 1,
	                                      .effective = bind,
	                                      .n_effective = 1,
	                                      .permitted = bind,
	                                      .n_permitted = 1,
	                                      .inheritable = bind,
	                                      .n_inheritable = 1,
	                                      .ambient = bind,
	                                      .n_ambient = 1};
	uint32_t gids[] = {2000, 2001};
	struct husk_spec_process p = {
	    .user = {.uid = 1000, .gid = 1001, .additional_gids = gids, .n_additional_gids = 2},
	    .cwd = "/",
	    .capabilities = &caps,
	};
	_cleanup_free_ char *out = test_child_output(apply_child, &p);
	assert_has(out, "Uid=1000 1000 1000 1000\n");
	assert_has(out, "Gid=1001 1001 1001 1001\n");
	assert_has(out, "Groups=2000 2001");
	assert_has(out, "umask=0022\n");
	assert_has(out, "NoNewPrivs=0\n");
	assert_has(out, "CapEff=0000000000000400\n");
	assert_has(out, "CapPrm=0000000000000400\n");
	assert_has(out, "CapInh=0000000000000400\n");
	assert_has(out, "CapAmb=0000000000000400\n");
	assert_has(out, "CapBnd=0000000000000400\n");
}
END_TEST

START_TEST(test_apply_no_capabilities_object)
{
	if (geteuid() != 0)
		return;
	struct husk_spec_process p = {.cwd = "/"};
	_cleanup_free_ char *out = test_child_output(apply_child, &p);
	assert_has(out, "CapBnd=0000000000000000\n");
	assert_has(out, "CapEff=0000000000000000\n");
	assert_has(out, "CapPrm=0000000000000000\n");
	assert_has(out, "Groups=\n");
}
END_TEST

START_TEST(test_apply_scheduling)
{
	if (geteuid() != 0)
		return;
	struct husk_spec_scheduler sched = {.policy = "SCHED_BATCH", .has_nice = true, .nice = 5};
	struct husk_spec_io_priority io = {.klass = "IOPRIO_CLASS_BE", .priority = 6};
	struct husk_spec_cpu_affinity aff = {.initial = "0-1", .final = "0"};
	struct husk_spec_process p = {
	    .cwd = "/", .scheduler = &sched, .io_priority = &io, .exec_cpu_affinity = &aff};
	_cleanup_free_ char *out = test_child_output(apply_child, &p);
	char want[64];
	/* "final" wins over "initial": it is what holds at execve(). */
	snprintf(want, sizeof(want), "sched=%d nice=5 ioprio=%d cpus=1 cpu0=1\n", SCHED_BATCH,
	         (2 << 13) | 6);
	assert_has(out, want);
}
END_TEST

START_TEST(test_apply_errors)
{
	if (geteuid() != 0)
		return;
	struct husk_spec_process p = {.cwd = "/nosuch"};
	_cleanup_free_ char *out = test_child_output(apply_child, &p);
	ck_assert_str_eq(out, "error: chdir \"/nosuch\": No such file or directory\n");

	struct husk_spec_capabilities caps = {.effective = (char *[]){"CAP_NOPE"},
	                                      .n_effective = 1};
	struct husk_spec_process q = {.cwd = "/", .capabilities = &caps};
	free(out);
	out = test_child_output(apply_child, &q);
	ck_assert_str_eq(
	    out, "error: unknown capability \"CAP_NOPE\" in process.capabilities.effective\n");
}
END_TEST

START_TEST(test_rlimit_error)
{
	/* Above fs.nr_open the kernel refuses a NOFILE limit even to root. */
	unsigned long long nr_open = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%llu", &nr_open), 1);
	fclose(f);
	struct husk_spec_rlimit r[] = {{"RLIMIT_NOFILE", nr_open + 1, nr_open + 1}};
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_rlimits_apply(r, 1, &err), 0);
	char want[128];
	snprintf(want, sizeof(want),
	         "setrlimit RLIMIT_NOFILE (soft %llu, hard %llu): Operation not permitted",
	         nr_open + 1, nr_open + 1);
	ck_assert_str_eq(err->msg, want);
	husk_error_release(&err);

	struct husk_spec_rlimit bad[] = {{"RLIMIT_CORE", UINT64_MAX, 0}};
	ck_assert_int_lt(husk_rlimits_apply(bad, 1, &err), 0);
	ck_assert_str_eq(err->msg,
	                 "setrlimit RLIMIT_CORE (soft unlimited, hard 0): Invalid argument");
	husk_error_release(&err);
}
END_TEST

/* ---- exec ---- */

struct exec_case {
	const char *path;
	int stub_fd;
};

static void exec_child(int out_fd, void *arg)
{
	const struct exec_case *c = arg;
	char *args[] = {"env"};
	char *env[] = {"FOO=bar", "A=b"};
	struct husk_spec_process p = {.args = args, .n_args = 1, .env = env, .n_env = 2};
	struct husk_error *err = NULL;
	setenv("HUSK_LEAK", "1", 1);
	dup2(out_fd, 1);
	husk_process_exec(c->path, &p, c->stub_fd, &err);
	put(out_fd, "error: %s", err->msg);
}

/* The program sees the same argv and environment through the stub. */
static void exec_sh_child(int out_fd, void *arg)
{
	const struct exec_case *c = arg;
	char *args[] = {"sh-argv0", "-c", "echo \"$0 $1 $FOO\"; tr \"\\0\" \" \" </proc/$$/cmdline",
	                "zero", "one"};
	char *env[] = {"FOO=bar"};
	struct husk_spec_process p = {.args = args, .n_args = 5, .env = env, .n_env = 1};
	struct husk_error *err = NULL;
	dup2(out_fd, 1);
	husk_process_exec(c->path, &p, c->stub_fd, &err);
	put(out_fd, "error: %s", err->msg);
}

START_TEST(test_exec)
{
	struct husk_error *err = NULL;
	_cleanup_free_ char *env_path = NULL;
	struct husk_spec_process find_env = {.args = (char *[]){"env"}, .n_args = 1};
	ck_assert_int_eq(husk_process_find_exec(&find_env, &env_path, &err), 0);
	struct exec_case direct = {env_path, -1};
	_cleanup_free_ char *out = test_child_output(exec_child, &direct);
	ck_assert_str_eq(out, "FOO=bar\nA=b\n");

	struct husk_spec_process p = {.args = (char *[]){"passwd"}, .n_args = 1};
	ck_assert_int_lt(husk_process_exec("/etc/passwd", &p, -1, &err), 0);
	ck_assert_str_eq(err->msg, "exec \"/etc/passwd\": permission denied");
	husk_error_release(&err);
}
END_TEST

START_TEST(test_exec_through_the_sealed_stub)
{
	struct husk_error *err = NULL;
	_cleanup_close_ int stub_fd = -1;
	ck_assert_int_eq(husk_exec_stub_create(&stub_fd, &err), 0);
	ck_assert_int_ge(stub_fd, 0);
	/* nobody, not even root, can change it */
	int seals = fcntl(stub_fd, F_GET_SEALS);
	ck_assert_int_eq(seals & (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
	                 F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	ck_assert_int_lt(pwrite(stub_fd, "x", 1, 0), 0);
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", stub_fd);
	ck_assert_int_lt(open(self, O_WRONLY | O_TRUNC | O_CLOEXEC), 0);

	_cleanup_free_ char *env_path = NULL;
	struct husk_spec_process find_env = {.args = (char *[]){"env"}, .n_args = 1};
	ck_assert_int_eq(husk_process_find_exec(&find_env, &env_path, &err), 0);
	struct exec_case via_stub = {env_path, stub_fd};
	_cleanup_free_ char *out = test_child_output(exec_child, &via_stub);
	ck_assert_str_eq(out, "FOO=bar\nA=b\n");

	struct exec_case sh = {"/bin/sh", stub_fd};
	_cleanup_free_ char *sh_out = test_child_output(exec_sh_child, &sh);
	ck_assert_str_eq(sh_out, "zero one bar\nsh-argv0 -c echo \"$0 $1 $FOO\"; tr \"\\0\" \" \" "
	                         "</proc/$$/cmdline zero one ");
}
END_TEST

Suite *process_suite(void)
{
	Suite *s = suite_create("process");
	TCase *tc = tcase_create("find_exec");
	tcase_add_checked_fixture(tc, exec_setup, exec_teardown);
	tcase_add_test(tc, test_find_exec_search);
	tcase_add_test(tc, test_find_exec_paths);
	tcase_add_test(tc, test_find_exec_default_path_and_last_wins);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_rlimit_names);
	tcase_add_test(tc, test_cap_names);
	tcase_add_test(tc, test_caps_from_spec);
	suite_add_tcase(s, tc);

	tc = tcase_create("fds");
	tcase_add_test(tc, test_close_fds);
	tcase_add_test(tc, test_close_fds_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("terminal");
	tcase_add_test(tc, test_terminal_send_recv);
	tcase_add_test(tc, test_terminal_recv_wrong_count);
	tcase_add_test(tc, test_terminal_open_pty);
	tcase_add_test(tc, test_setup_terminal);
	suite_add_tcase(s, tc);

	tc = tcase_create("apply");
	tcase_add_test(tc, test_apply_root_with_one_cap);
	tcase_add_test(tc, test_apply_user_groups_ambient);
	tcase_add_test(tc, test_apply_no_capabilities_object);
	tcase_add_test(tc, test_apply_scheduling);
	tcase_add_test(tc, test_apply_errors);
	tcase_add_test(tc, test_rlimit_error);
	tcase_add_test(tc, test_exec);
	tcase_add_test(tc, test_exec_through_the_sealed_stub);
	suite_add_tcase(s, tc);
	return s;
}
