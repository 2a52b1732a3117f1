/* Seccomp: compiling profiles (actions, architectures, flags, operators,
 * runc's skipping and splitting rules, JSON-path errors), loading them in a
 * forked child and watching what the filtered calls return, and the notify
 * handover to a listener on a unix socket.  Loads need root or
 * no_new_privs; each happens in a child so the runner stays unfiltered. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "husk/spec.h"
#include "json/json.h"
#include "seccomp-filter.h"
#include "util/file.h"
#include "util/xalloc.h"

/* ---- helpers ---- */

/* Compiles linux.seccomp given as JSON text. */
static int compile_json(const char *seccomp_json, struct husk_seccomp **ret,
                        struct husk_error **err)
{
	_cleanup_free_ char *doc =
	    xasprintf("{\"ociVersion\": \"1.2.0\", \"linux\": {\"seccomp\": %s}}", seccomp_json);
	struct husk_spec *spec = NULL;
	struct husk_error *perr = NULL;
	int r = husk_spec_parse("config.json", doc, strlen(doc), &spec, &perr);
	ck_assert_msg(r >= 0, "parse: %s", perr ? perr->msg : "?");
	r = husk_seccomp_compile(spec->linux_->seccomp, ret, err);
	husk_spec_free(spec);
	return r;
}

static struct husk_seccomp *must_compile(const char *seccomp_json)
{
	struct husk_seccomp *f = NULL;
	struct husk_error *err = NULL;
	int r = compile_json(seccomp_json, &f, &err);
	ck_assert_msg(r >= 0, "compile %s: %s", seccomp_json, err ? err->msg : "?");
	ck_assert_ptr_nonnull(f);
	return f;
}

/* Compiling must fail with exactly this message. */
static void compile_fails(const char *seccomp_json, const char *want)
{
	struct husk_seccomp *f = NULL;
	struct husk_error *err = NULL;
	ck_assert_int_lt(compile_json(seccomp_json, &f, &err), 0);
	ck_assert_ptr_null(f);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err->msg, want);
	husk_error_free(err);
}

/* Runs fn in a child after loading f; returns the child's wait status.  fn
 * returns the exit code (0: all checks held; else the failed check's line). */
static int run_filtered(struct husk_seccomp *f, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct husk_error *err = NULL;
		int nfd = -1;
		if (husk_seccomp_load(f, &nfd, &err) < 0) {
			fprintf(stderr, "load: %s\n", err->msg);
			_exit(100);
		}
		_exit(fn(arg));
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return __LINE__ % 200 + 1;                                                 \
	} while (0)

static void assert_exit0(int status)
{
	ck_assert_msg(WIFEXITED(status), "child killed by signal %d", WTERMSIG(status));
	ck_assert_msg(WEXITSTATUS(status) == 0, "child check failed (code %d)",
	              WEXITSTATUS(status));
}

/* mkdir(2) or mkdirat(2), whichever libc uses, both in the rules below */
static int try_mkdir(const char *path)
{
	return mkdir(path, 0700) < 0 ? errno : 0;
}

static char tmpdir[64];

static void setup_tmp(void)
{
	strcpy(tmpdir, "/tmp/husk-seccomp.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	(void)system(cmd);
}

/* ---- compile ---- */

START_TEST(test_no_seccomp_is_null)
{
	struct husk_seccomp *f = (struct husk_seccomp *)1;
	struct husk_error *err = NULL;
	ck_assert_int_eq(husk_seccomp_compile(NULL, &f, &err), 0);
	ck_assert_ptr_null(f);
	int nfd = 5;
	ck_assert_int_eq(husk_seccomp_load(NULL, &nfd, &err), 0);
	ck_assert_int_eq(nfd, -1);
	ck_assert(!husk_seccomp_has_notify(NULL));
	husk_seccomp_free(NULL);
}
END_TEST

static const char *const actions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY",
};

START_TEST(test_compile_each_action)
{
	_cleanup_free_ char *json = xasprintf(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], "
	    "\"action\": \"%s\"}]}",
	    actions[_i]);
	struct husk_seccomp *f = must_compile(json);
	ck_assert(husk_seccomp_has_notify(f) == (strcmp(actions[_i], "SCMP_ACT_NOTIFY") == 0));
	husk_seccomp_free(f);
}
END_TEST

START_TEST(test_compile_errno_ret_and_default_errno)
{
	husk_seccomp_free(must_compile("{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
	                               "\"defaultErrnoRet\": 38, \"syscalls\": [{\"names\": "
	                               "[\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"));
	husk_seccomp_free(
	    must_compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
	                 "[\"mkdir\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 7}]}"));
	compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
	              "[\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 70000}]}",
	              "linux.seccomp.syscalls[0].errnoRet: 70000 does not fit in 16 bits");
}
END_TEST

START_TEST(test_compile_unknown_actions_name_the_path)
{
	compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
	              "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\"},"
	              "{\"names\": [\"open\"], \"action\": \"SCMP_ACT_FOO\"}]}",
	              "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_FOO\"");
	compile_fails("{\"defaultAction\": \"SCMP_ACT_NOPE\"}",
	              "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"");
	compile_fails("{}", "linux.seccomp.defaultAction: required");
}
END_TEST

START_TEST(test_compile_architectures)
{
	/* every little-endian one (a filter's architectures share the native's
	 * byte order) */
	husk_seccomp_free(must_compile(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", "
	    "\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\", \"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_ARM\", "
	    "\"SCMP_ARCH_MIPSEL\", \"SCMP_ARCH_MIPSEL64\", \"SCMP_ARCH_MIPSEL64N32\", "
	    "\"SCMP_ARCH_PPC64LE\", \"SCMP_ARCH_RISCV64\"], \"syscalls\": [{\"names\": "
	    "[\"mkdir\", \"socket\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"));
	compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
	              "[\"SCMP_ARCH_X86\", \"SCMP_ARCH_S390X\"]}",
	              "linux.seccomp.architectures[1]: add \"SCMP_ARCH_S390X\": byte order differs "
	              "from the native architecture's: Numerical argument out of domain");
	compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
	              "[\"SCMP_ARCH_X86\", \"SCMP_ARCH_VAX\"]}",
	              "linux.seccomp.architectures[1]: \"SCMP_ARCH_VAX\" is not supported by "
	              "libseccomp 2.5.4");
	compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"x86_64\"]}",
	              "linux.seccomp.architectures[0]: \"x86_64\" is not supported by "
	              "libseccomp 2.5.4");
}
END_TEST

START_TEST(test_compile_flags)
{
	husk_seccomp_free(must_compile(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\", "
	    "\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", "
	    "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}"));
	compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": "
	              "[\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_BOGUS\"]}",
	              "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_BOGUS\"");
}
END_TEST

static const char *const ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                                  "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};

START_TEST(test_compile_each_operator)
{
	_cleanup_free_ char *json = xasprintf(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"dup3\"], "
	    "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 2, \"value\": 1, "
	    "\"valueTwo\": 1, \"op\": \"%s\"}]}]}",
	    ops[_i]);
	husk_seccomp_free(must_compile(json));
}
END_TEST

START_TEST(test_compile_bad_conditions)
{
	compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
	              "[\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, "
	              "\"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 6, \"value\": 1, "
	              "\"op\": \"SCMP_CMP_EQ\"}]}]}",
	              "linux.seccomp.syscalls[0].args[1].index: must be less than 6, got 6");
	compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
	              "[\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, "
	              "\"value\": 1, \"op\": \"SCMP_CMP_ALMOST\"}]}]}",
	              "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ALMOST\"");
}
END_TEST

START_TEST(test_compile_libseccomp_failure_names_rule)
{
	/* one condition, two actions: libseccomp refuses the second (EEXIST) */
	compile_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
	              "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\"},"
	              "{\"names\": [\"dup3\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
	              "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},"
	              "{\"names\": [\"dup3\"], \"action\": \"SCMP_ACT_KILL\", \"args\": "
	              "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	              "linux.seccomp.syscalls[2]: add rule for \"dup3\": File exists");
}
END_TEST

START_TEST(test_compile_skips_unknown_and_default_rules)
{
	/* libseccomp alone refuses the second rule (EACCES) and the unknown name */
	husk_seccomp_free(must_compile(
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
	    "{\"names\": [\"no_such_call\", \"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
	    "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}"));
}
END_TEST

/* ---- load ---- */

static int check_mkdir_errno(void *arg)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/d", tmpdir);
	EXPECT(try_mkdir(path) == *(int *)arg);
	struct stat st;
	EXPECT(stat(path, &st) < 0);
	/* libseccomp was told not to set it: that is noNewPrivileges' call */
	EXPECT(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
	return 0;
}

START_TEST(test_load_errno_and_unknown_names)
{
	struct husk_seccomp *f = must_compile(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
	    "[\"no_such_call\", \"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", "
	    "\"errnoRet\": 95}]}");
	int want = 95;
	assert_exit0(run_filtered(f, check_mkdir_errno, &want));
	husk_seccomp_free(f);
	f = must_compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
	                 "[\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	want = EPERM; /* the default errnoRet */
	assert_exit0(run_filtered(f, check_mkdir_errno, &want));
	husk_seccomp_free(f);
}
END_TEST

static int call_uname(void *arg)
{
	(void)arg;
	struct utsname u;
	EXPECT(uname(&u) == 0);
	return 0;
}

START_TEST(test_load_kill_process_and_trap)
{
	static const char *const killers[] = {"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
	                                      "SCMP_ACT_KILL"};
	for (size_t i = 0; i < HUSK_ARRAY_SIZE(killers); i++) {
		_cleanup_free_ char *json =
		    xasprintf("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		              "[\"uname\"], \"action\": \"%s\"}]}",
		              killers[i]);
		struct husk_seccomp *f = must_compile(json);
		int status = run_filtered(f, call_uname, NULL);
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, "%s: status 0x%x",
		              killers[i], status);
		husk_seccomp_free(f);
	}
}
END_TEST

START_TEST(test_load_log_is_harmless)
{
	struct husk_seccomp *f = must_compile(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"], "
	    "\"syscalls\": [{\"names\": [\"uname\"], \"action\": \"SCMP_ACT_LOG\"}]}");
	assert_exit0(run_filtered(f, call_uname, NULL));
	husk_seccomp_free(f);
}
END_TEST

static int check_default_errno(void *arg)
{
	(void)arg;
	struct utsname u;
	EXPECT(uname(&u) < 0 && errno == 38);
	return 0;
}

START_TEST(test_load_default_errno_ret)
{
	/* everything but what the child needs to run and exit fails */
	struct husk_seccomp *f = must_compile(
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": ["
	    "{\"names\": [\"exit\", \"exit_group\", \"write\", \"rt_sigreturn\", "
	    /* and what a sanitizer's runtime does on the way */
	    "\"sigaltstack\", \"mmap\", \"munmap\", \"mprotect\", \"madvise\", \"brk\", "
	    "\"rt_sigprocmask\", \"rt_sigaction\", \"futex\", \"gettid\", \"getpid\", "
	    "\"prctl\", \"sched_yield\", \"close\", \"read\", \"openat\", \"fstat\", "
	    "\"newfstatat\", \"readlink\", \"readlinkat\"], "
	    "\"action\": \"SCMP_ACT_ALLOW\"}]}");
	assert_exit0(run_filtered(f, check_default_errno, NULL));
	husk_seccomp_free(f);
}
END_TEST

static int check_conditions(void *arg)
{
	(void)arg;
	/* same index: either value matches */
	EXPECT(dup(1000) < 0 && errno == EPERM);
	EXPECT(dup(1001) < 0 && errno == EPERM);
	EXPECT(dup(1002) < 0 && errno == EBADF);
	/* different indexes: both must match */
	EXPECT(dup3(1000, 2000, 0) < 0 && errno == EPERM);
	EXPECT(dup3(1000, 2001, 0) < 0 && errno == EBADF);
	EXPECT(dup3(1001, 2000, 0) < 0 && errno == EBADF);
	/* masked: any odd flags word */
	EXPECT(syscall(SYS_dup3, 1003, 2003, 1) < 0 && errno == EACCES);
	EXPECT(syscall(SYS_dup3, 1003, 2003, O_CLOEXEC) < 0 && errno == EBADF);
	return 0;
}

START_TEST(test_load_conditions_and_or)
{
	struct husk_seccomp *f = must_compile(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
	    "{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
	    "{\"index\": 0, \"value\": 1000, \"op\": \"SCMP_CMP_EQ\"},"
	    "{\"index\": 0, \"value\": 1001, \"op\": \"SCMP_CMP_EQ\"}]},"
	    "{\"names\": [\"dup3\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
	    "{\"index\": 0, \"value\": 1000, \"op\": \"SCMP_CMP_EQ\"},"
	    "{\"index\": 1, \"value\": 2000, \"op\": \"SCMP_CMP_EQ\"}]},"
	    "{\"names\": [\"dup3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13, "
	    "\"args\": [{\"index\": 2, \"value\": 1, \"valueTwo\": 1, "
	    "\"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}");
	assert_exit0(run_filtered(f, check_conditions, NULL));
	husk_seccomp_free(f);
}
END_TEST

static int check_docker(void *arg)
{
	(void)arg;
	char path[128];
	snprintf(path, sizeof(path), "%s/allowed", tmpdir);
	EXPECT(try_mkdir(path) == 0);
	EXPECT(unshare(CLONE_NEWUSER) < 0 && errno == EPERM);
	EXPECT(mount("none", path, "tmpfs", 0, NULL) < 0 && errno == EPERM);
	EXPECT(syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS);
	EXPECT(personality(0xffffffff) >= 0);
	EXPECT(personality(PER_BSD) < 0 && errno == EPERM);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	EXPECT(s >= 0);
	close(s);
	EXPECT(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0) < 0 && errno == EPERM);
	pid_t pid = fork(); /* clone without namespace flags */
	EXPECT(pid >= 0);
	if (pid == 0)
		_exit(0);
	EXPECT(waitpid(pid, NULL, 0) == pid);
	return 0;
}

START_TEST(test_docker_default_profile)
{
	const char *root = getenv("HUSK_FIXTURES");
	_cleanup_free_ char *file =
	    xasprintf("%s/seccomp/docker-default.json", root ? root : "tests/fixtures");
	struct husk_spec *spec = NULL;
	struct husk_error *err = NULL;
	ck_assert_msg(husk_spec_load(file, &spec, &err) >= 0, "%s", err ? err->msg : "");
	struct husk_seccomp *f = NULL;
	ck_assert_msg(husk_seccomp_compile(spec->linux_->seccomp, &f, &err) >= 0, "%s",
	              err ? err->msg : "");
	husk_spec_free(spec);
	assert_exit0(run_filtered(f, check_docker, NULL));
	husk_seccomp_free(f);
}
END_TEST

/* ---- notify ---- */

START_TEST(test_process_state_document)
{
	struct husk_seccomp_listener l = {
	    .path = "/x", .metadata = "m=1", .pid = 42, .state_json = "{\"id\": \"c1\"}"};
	_cleanup_free_ char *doc = husk_seccomp_process_state(&l);
	struct json_doc *d = NULL;
	struct husk_error *err = NULL;
	ck_assert_msg(json_parse(doc, strlen(doc), &d, &err) >= 0, "%s", doc);
	const struct json_value *root = json_doc_root(d);
	ck_assert_str_eq(json_object_get(root, "ociVersion")->string.str, "1.2.0");
	const struct json_value *fds = json_object_get(root, "fds");
	ck_assert_uint_eq(fds->array.len, 1);
	ck_assert_str_eq(fds->array.items[0]->string.str, "seccompFd");
	ck_assert_str_eq(json_object_get(root, "pid")->number, "42");
	ck_assert_str_eq(json_object_get(root, "metadata")->string.str, "m=1");
	const struct json_value *st = json_object_get(root, "state");
	ck_assert_str_eq(json_object_get(st, "id")->string.str, "c1");
	json_doc_free(d);
	l.metadata = NULL;
	_cleanup_free_ char *bare = husk_seccomp_process_state(&l);
	ck_assert_ptr_null(strstr(bare, "metadata"));
}
END_TEST

/* Child: load, hand the fd to the listener, then mkdir (answered by the
 * parent without running). */
static void notify_child(struct husk_seccomp *f, const char *sock)
{
	struct husk_error *err = NULL;
	int nfd = -1;
	if (husk_seccomp_load(f, &nfd, &err) < 0 || nfd < 0)
		_exit(100);
	struct husk_seccomp_listener l = {.path = sock,
	                                  .metadata = "unit-test",
	                                  .pid = getpid(),
	                                  .state_json = "{\"id\": \"notify-c\"}"};
	if (husk_seccomp_send_notify_fd(&l, nfd, &err) < 0) {
		fprintf(stderr, "send: %s\n", err->msg);
		_exit(101);
	}
	close(nfd);
	char path[128];
	snprintf(path, sizeof(path), "%s/notified", tmpdir);
	int r = try_mkdir(path);
	struct stat st;
	/* success without the directory: the listener answered, nothing ran */
	_exit(r == 0 && stat(path, &st) < 0 ? 0 : 102);
}

/* Parent: accept one connection, read the document and the fd, answer. */
static void serve_one(int lfd)
{
	int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(conn, 0);
	char doc[4096];
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = doc, .iov_len = sizeof(doc) - 1};
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = control,
	                     .msg_controllen = sizeof(control)};
	ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	ck_assert_int_gt(n, 0);
	doc[n] = '\0';
	ck_assert_msg(strstr(doc, "\"metadata\":\"unit-test\"") &&
	                  strstr(doc, "\"state\":{\"id\": \"notify-c\"}"),
	              "%s", doc);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->cmsg_type, SCM_RIGHTS);
	int nfd;
	memcpy(&nfd, CMSG_DATA(c), sizeof(int));
	close(conn);
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	ck_assert_int_eq(ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
	struct seccomp_notif_resp resp = {.id = req.id, .val = 0, .error = 0};
	ck_assert_int_eq(ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
	close(nfd);
}

static void notify_round_trip(const char *flags)
{
	_cleanup_free_ char *json = xasprintf(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [%s], \"listenerPath\": \"/x\", "
	    "\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": "
	    "\"SCMP_ACT_NOTIFY\"}]}",
	    flags);
	struct husk_seccomp *f = must_compile(json);
	ck_assert(husk_seccomp_has_notify(f));
	char sock[128];
	snprintf(sock, sizeof(sock), "%s/listener.sock", tmpdir);
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	strcpy(addr.sun_path, sock);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		notify_child(f, sock);
	serve_one(lfd);
	close(lfd);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	assert_exit0(status);
	husk_seccomp_free(f);
}

START_TEST(test_notify_round_trip)
{
	notify_round_trip("");
}
END_TEST

START_TEST(test_notify_round_trip_tsync_wait_killable)
{
	/* WAIT_KILLABLE_RECV takes the raw seccomp(2) path */
	notify_round_trip("\"SECCOMP_FILTER_FLAG_TSYNC\", "
	                  "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"");
}
END_TEST

START_TEST(test_send_to_missing_listener)
{
	struct husk_seccomp_listener l = {.path = "/nonexistent/husk.sock", .state_json = "{}"};
	struct husk_error *err = NULL;
	ck_assert_int_lt(husk_seccomp_send_notify_fd(&l, 0, &err), 0);
	ck_assert_str_eq(err->msg,
	                 "linux.seccomp.listenerPath: connect to \"/nonexistent/husk.sock\": No "
	                 "such file or directory");
	husk_error_free(err);
}
END_TEST

START_TEST(test_load_early_rule)
{
	struct husk_spec_process p = {.no_new_privileges = false};
	ck_assert(husk_seccomp_load_early(&p));
	p.no_new_privileges = true;
	ck_assert(!husk_seccomp_load_early(&p));
}
END_TEST

Suite *seccomp_suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("compile");
	tcase_add_test(tc, test_no_seccomp_is_null);
	tcase_add_loop_test(tc, test_compile_each_action, 0, (int)HUSK_ARRAY_SIZE(actions));
	tcase_add_test(tc, test_compile_errno_ret_and_default_errno);
	tcase_add_test(tc, test_compile_unknown_actions_name_the_path);
	tcase_add_test(tc, test_compile_architectures);
	tcase_add_test(tc, test_compile_flags);
	tcase_add_loop_test(tc, test_compile_each_operator, 0, (int)HUSK_ARRAY_SIZE(ops));
	tcase_add_test(tc, test_compile_bad_conditions);
	tcase_add_test(tc, test_compile_libseccomp_failure_names_rule);
	tcase_add_test(tc, test_compile_skips_unknown_and_default_rules);
	tcase_add_test(tc, test_load_early_rule);
	tcase_add_test(tc, test_process_state_document);
	tcase_add_test(tc, test_send_to_missing_listener);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup_tmp, teardown_tmp);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_load_errno_and_unknown_names);
	tcase_add_test(tc, test_load_kill_process_and_trap);
	tcase_add_test(tc, test_load_log_is_harmless);
	tcase_add_test(tc, test_load_default_errno_ret);
	tcase_add_test(tc, test_load_conditions_and_or);
	tcase_add_test(tc, test_docker_default_profile);
	tcase_add_test(tc, test_notify_round_trip);
	tcase_add_test(tc, test_notify_round_trip_tsync_wait_killable);
	suite_add_tcase(s, tc);
	return s;
}
