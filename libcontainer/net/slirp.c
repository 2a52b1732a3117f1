/* slirp4netns for rootless containers: the annotations, starting the helper
 * as a daemon against the init's namespaces, publishing ports through its
 * API socket, and stopping it.  The helper is recorded in the state
 * directory (slirp4netns.pid: "PID START-TIME"), so delete finds it after
 * create has exited; its output goes to slirp4netns.log there, whose last
 * line explains a helper that would not start.
 */
#include "net/slirp.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "husk/signals.h"
#include "husk/state.h"
#include "rootless.h"
#include "util/file.h"
#include "util/proc.h"
#include "util/xalloc.h"

#define PID_FILE         "slirp4netns.pid"
#define LOG_FILE         "slirp4netns.log"
#define API_SOCKET       "slirp4netns.sock"
#define READY_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS  2000
#define GUEST_ADDR       "10.0.2.100"
#define TUN_DEVICE       "/dev/net/tun"
/* In the helper: the fds it inherits, at fixed numbers. */
#define FD_READY  3
#define FD_USERNS 4
#define FD_NETNS  5

static const char *annotation(const struct husk_spec *spec, const char *key)
{
	for (size_t i = 0; i < spec->n_annotations; i++)
		if (strcmp(spec->annotations[i].key, key) == 0)
			return spec->annotations[i].value;
	return NULL;
}

bool husk_net_rootless_wanted(const struct husk_spec *spec)
{
	const char *mode = annotation(spec, HUSK_NET_ROOTLESS_MODE_KEY);
	if (!mode || strcmp(mode, "bridge") != 0 || !spec->linux_)
		return false;
	for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
		if (spec->linux_->namespaces[i].type == HUSK_NS_NETWORK)
			return !spec->linux_->namespaces[i].path;
	return false;
}

static bool parse_port(const char *s, size_t len, uint16_t *ret)
{
	unsigned v = 0;
	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*ret = (uint16_t)v;
	return true;
}

/* One "HOST:CONTAINER[/tcp|/udp]" entry, spaces trimmed. */
static int parse_entry(const char *text, char *e, struct husk_net_rootless_port *p,
                       struct husk_error **err)
{
	while (*e == ' ')
		e++;
	size_t len = strlen(e);
	while (len && e[len - 1] == ' ')
		e[--len] = '\0';
	char *slash = strchr(e, '/');
	p->udp = false;
	if (slash) {
		if (strcmp(slash, "/udp") == 0)
			p->udp = true;
		else if (strcmp(slash, "/tcp") != 0)
			return husk_error_set(err, 0, "bad protocol \"%s\" in \"%s\"", slash + 1,
			                      text);
		*slash = '\0';
	}
	char *colon = strchr(e, ':');
	if (!colon)
		return husk_error_set(err, 0, "\"%s\" in \"%s\": want HOST:CONTAINER", e, text);
	if (!parse_port(e, (size_t)(colon - e), &p->host_port))
		return husk_error_set(err, 0, "bad port \"%.*s\" in \"%s\"", (int)(colon - e), e,
		                      text);
	if (!parse_port(colon + 1, strlen(colon + 1), &p->container_port))
		return husk_error_set(err, 0, "bad port \"%s\" in \"%s\"", colon + 1, text);
	return 0;
}

int husk_net_rootless_parse_ports(const char *text, struct husk_net_rootless_port **ret,
                                  size_t *ret_n, struct husk_error **err)
{
	*ret = NULL;
	*ret_n = 0;
	_cleanup_free_ char *copy = xstrdup(text);
	_cleanup_free_ struct husk_net_rootless_port *ports = NULL;
	size_t n = 0;
	char *save = NULL;
	for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		if (n == HUSK_NET_ROOTLESS_MAX_PORTS)
			return husk_error_set(err, 0, "more than %d ports in \"%s\"",
			                      HUSK_NET_ROOTLESS_MAX_PORTS, text);
		ports = xreallocarray(ports, n + 1, sizeof(*ports));
		if (parse_entry(text, e, &ports[n], err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (ports[i].host_port == ports[n].host_port &&
			    ports[i].udp == ports[n].udp)
				return husk_error_set(err, 0,
				                      "host port %u published twice in \"%s\"",
				                      ports[n].host_port, text);
		n++;
	}
	*ret = TAKE_PTR(ports);
	*ret_n = n;
	return 0;
}

int husk_net_rootless_check(const struct husk_spec *spec, struct husk_error **err)
{
	if (!husk_net_rootless_wanted(spec))
		return 0;
	const char *ports = annotation(spec, HUSK_NET_ROOTLESS_PORTS_KEY);
	_cleanup_free_ struct husk_net_rootless_port *p = NULL;
	size_t n = 0;
	if (ports && husk_net_rootless_parse_ports(ports, &p, &n, err) < 0)
		return husk_error_prefix(err, "config.json: annotations[\"%s\"]",
		                         HUSK_NET_ROOTLESS_PORTS_KEY);
	_cleanup_free_ char *path = husk_find_program(HUSK_NET_ROOTLESS_HELPER);
	if (!path)
		return husk_error_set(err, 0,
		                      "config.json: annotations[\"%s\"]: a rootless container's "
		                      "network needs %s, which is not in $PATH (Debian package "
		                      "\"%s\")",
		                      HUSK_NET_ROOTLESS_MODE_KEY, HUSK_NET_ROOTLESS_HELPER,
		                      HUSK_NET_ROOTLESS_HELPER);
	/* udev makes it 0666; a host without udev may leave it root's */
	if (access(TUN_DEVICE, R_OK | W_OK) < 0)
		return husk_error_set(err, errno,
		                      "config.json: annotations[\"%s\"]: %s needs \"%s\" "
		                      "readable and writable by you (mode 0666)",
		                      HUSK_NET_ROOTLESS_MODE_KEY, HUSK_NET_ROOTLESS_HELPER,
		                      TUN_DEVICE);
	return 0;
}

/* ---- the helper process ---- */

struct helper_fds {
	int ready_w, userns, netns, log, state_dir;
};

/* The grandchild: only async-signal-safe calls until execv. */
static void __attribute__((noreturn))
exec_helper(const char *path, char *const *argv, const struct helper_fds *f)
{
	husk_signals_reset_all();
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* above every target number first, so no dup2 lands on a source */
	int ready = fcntl(f->ready_w, F_DUPFD, 10), userns = fcntl(f->userns, F_DUPFD, 10);
	int netns = fcntl(f->netns, F_DUPFD, 10);
	if (devnull < 0 || ready < 0 || userns < 0 || netns < 0 || fchdir(f->state_dir) < 0 ||
	    dup2(devnull, 0) < 0 || dup2(f->log, 1) < 0 || dup2(f->log, 2) < 0 ||
	    dup2(ready, FD_READY) < 0 || dup2(userns, FD_USERNS) < 0 || dup2(netns, FD_NETNS) < 0)
		_exit(127);
	syscall(SYS_close_range, FD_NETNS + 1, ~0U, 0);
	execv(path, argv);
	_exit(127);
}

/* Forks twice so the helper is nobody's child (create exits, run waits
 * for its container only); returns the helper's pid. */
static pid_t spawn_daemon(const char *path, char *const *argv, const struct helper_fds *f,
                          struct husk_error **err)
{
	int pid_pipe[2];
	if (pipe2(pid_pipe, O_CLOEXEC) < 0)
		return husk_error_set(err, errno, "pipe");
	pid_t child = fork();
	if (child < 0) {
		close(pid_pipe[0]);
		close(pid_pipe[1]);
		return husk_error_set(err, errno, "fork");
	}
	if (child == 0) {
		setsid();
		pid_t helper = fork();
		if (helper == 0)
			exec_helper(path, argv, f);
		ssize_t w = write(pid_pipe[1], &helper, sizeof(helper));
		_exit(w == sizeof(helper) ? 0 : 1);
	}
	close(pid_pipe[1]);
	pid_t helper = -1;
	ssize_t n = read(pid_pipe[0], &helper, sizeof(helper));
	close(pid_pipe[0]);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	if (n != sizeof(helper) || helper <= 0)
		return husk_error_set(err, 0, "start %s: fork failed", HUSK_NET_ROOTLESS_HELPER);
	return helper;
}

/* The helper's log as one line (its experimental-feature warnings
 * dropped), for an error. */
static char *log_text(int state_dir_fd)
{
	_cleanup_free_ char *buf = NULL;
	struct husk_error *tmp = NULL;
	if (read_file_at(state_dir_fd, LOG_FILE, 64 * 1024, &buf, NULL, &tmp) < 0) {
		husk_error_release(&tmp);
		return NULL;
	}
	/* a kept line of n bytes plus its newline becomes "; " plus n bytes */
	char *out = xcalloc(2 * strlen(buf) + 1, 1);
	char *save = NULL;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, "WARNING", 7) || !*l)
			continue;
		if (*out)
			strcat(out, "; ");
		strncat(out, l, 200);
	}
	if (!*out) {
		free(out);
		return NULL;
	}
	return out;
}

static int helper_failed(int state_dir_fd, const char *what, struct husk_error **err)
{
	_cleanup_free_ char *tail = log_text(state_dir_fd);
	if (tail)
		return husk_error_set(err, 0, "%s %s: %s", HUSK_NET_ROOTLESS_HELPER, what, tail);
	return husk_error_set(err, 0, "%s %s", HUSK_NET_ROOTLESS_HELPER, what);
}

/* slirp4netns writes "1" to its ready fd once the tap device is up and
 * configured; EOF means it exited first, and its log says why once it has
 * finished writing it (its own child reports the error). */
static int wait_ready(int ready_r, pid_t helper, int state_dir_fd, struct husk_error **err)
{
	struct pollfd p = {.fd = ready_r, .events = POLLIN};
	int r;
	while ((r = poll(&p, 1, READY_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return helper_failed(state_dir_fd, "did not get ready in time", err);
	char c = 0;
	if (r > 0 && read(ready_r, &c, 1) == 1 && c == '1')
		return 0;
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, helper, 0);
	struct pollfd e = {.fd = pidfd, .events = POLLIN};
	if (pidfd >= 0)
		(void)poll(&e, 1, STOP_TIMEOUT_MS);
	return helper_failed(state_dir_fd, "exited before the network was up", err);
}

/* One API request; the answer is {"return": ...} or {"error": {"desc": ...}}. */
static int api_call(int state_dir_fd, const char *request, struct husk_error **err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	/* through the directory fd: a state root of any length fits */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", state_dir_fd,
	         API_SOCKET);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return husk_error_set(err, errno, "connect to the %s API socket",
		                      HUSK_NET_ROOTLESS_HELPER);
	size_t len = strlen(request);
	if (write(fd, request, len) != (ssize_t)len)
		return husk_error_set(err, errno, "write to the %s API socket",
		                      HUSK_NET_ROOTLESS_HELPER);
	shutdown(fd, SHUT_WR);
	_cleanup_free_ char *answer = NULL;
	if (read_all_fd(fd, 64 * 1024, &answer, NULL, err) < 0)
		return -1;
	if (!strstr(answer, "\"error\""))
		return 0;
	const char *desc = strstr(answer, "\"desc\"");
	const char *q = desc ? strchr(desc + 6, '"') : NULL;
	const char *end = q ? strchr(q + 1, '"') : NULL;
	if (end)
		return husk_error_set(err, 0, "%.*s", (int)(end - q - 1), q + 1);
	return husk_error_set(err, 0, "%s", answer);
}

static int publish_ports(const struct husk_spec *spec, int state_dir_fd, struct husk_error **err)
{
	const char *text = annotation(spec, HUSK_NET_ROOTLESS_PORTS_KEY);
	_cleanup_free_ struct husk_net_rootless_port *p = NULL;
	size_t n = 0;
	if (!text || husk_net_rootless_parse_ports(text, &p, &n, err) < 0)
		return text ? -1 : 0;
	for (size_t i = 0; i < n; i++) {
		char req[256];
		snprintf(req, sizeof(req),
		         "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"%s\", "
		         "\"host_addr\": \"127.0.0.1\", \"host_port\": %u, \"guest_addr\": \"%s\", "
		         "\"guest_port\": %u}}",
		         p[i].udp ? "udp" : "tcp", p[i].host_port, GUEST_ADDR, p[i].container_port);
		if (api_call(state_dir_fd, req, err) < 0)
			return husk_error_prefix(err, "publish 127.0.0.1:%u%s", p[i].host_port,
			                         p[i].udp ? "/udp" : "");
	}
	return 0;
}

static int record_helper(int state_dir_fd, pid_t pid, struct husk_error **err)
{
	uint64_t start = 0;
	if (husk_proc_start_time(pid, &start, err) < 0)
		return -1;
	char buf[64];
	int len = snprintf(buf, sizeof(buf), "%d %" PRIu64 "\n", (int)pid, start);
	return write_file_atomic(state_dir_fd, PID_FILE, buf, (size_t)len, 0600, err);
}

static void kill_helper(pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return;
	syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	if (poll(&p, 1, STOP_TIMEOUT_MS) <= 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	close(pidfd);
}

static int open_ns(pid_t pid, const char *name, struct husk_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return husk_error_set(err, errno, "open \"%s\"", path);
	return fd;
}

int husk_net_rootless_start(const struct husk_spec *spec, int state_dir_fd, pid_t pid,
                            struct husk_error **err)
{
	_cleanup_free_ char *path = husk_find_program(HUSK_NET_ROOTLESS_HELPER);
	if (!path)
		return husk_error_set(err, 0, "%s is not in $PATH", HUSK_NET_ROOTLESS_HELPER);
	_cleanup_close_ int userns = open_ns(pid, "user", err);
	_cleanup_close_ int netns = userns < 0 ? -1 : open_ns(pid, "net", err);
	if (netns < 0)
		return -1;
	_cleanup_close_ int log = openat(
	    state_dir_fd, LOG_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int ready[2];
	if (log < 0 || pipe2(ready, O_CLOEXEC) < 0)
		return husk_error_set(err, errno, "start %s", HUSK_NET_ROOTLESS_HELPER);
	_cleanup_close_ int ready_r = ready[0];
	char ready_arg[32], userns_arg[48], netns_arg[48];
	snprintf(ready_arg, sizeof(ready_arg), "--ready-fd=%d", FD_READY);
	snprintf(userns_arg, sizeof(userns_arg), "--userns-path=/proc/self/fd/%d", FD_USERNS);
	snprintf(netns_arg, sizeof(netns_arg), "/proc/self/fd/%d", FD_NETNS);
	/* --disable-host-loopback: 10.0.2.2 must not reach the host's own
	 * 127.0.0.1 services.  --enable-seccomp confines the helper, which
	 * parses packets the container sends; --enable-sandbox cannot be had
	 * here (it wants to be root in a user namespace of its own, which
	 * slirp4netns started from the host's cannot set up). */
	char *argv[] = {(char *)HUSK_NET_ROOTLESS_HELPER,
	                "--configure",
	                "--mtu=65520",
	                "--disable-host-loopback",
	                "--enable-seccomp",
	                ready_arg,
	                "--api-socket=" API_SOCKET,
	                userns_arg,
	                "--netns-type=path",
	                netns_arg,
	                "tap0",
	                NULL};
	struct helper_fds f = {.ready_w = ready[1],
	                       .userns = userns,
	                       .netns = netns,
	                       .log = log,
	                       .state_dir = state_dir_fd};
	pid_t helper = spawn_daemon(path, argv, &f, err);
	close(ready[1]);
	if (helper < 0)
		return -1;
	if (wait_ready(ready_r, helper, state_dir_fd, err) < 0 ||
	    publish_ports(spec, state_dir_fd, err) < 0 ||
	    record_helper(state_dir_fd, helper, err) < 0) {
		kill_helper(helper);
		return husk_error_prefix(err, "rootless network");
	}
	return 0;
}

int husk_net_rootless_stop(const char *root, const char *id, struct husk_error **err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", root, id);
	_cleanup_close_ int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	struct husk_error *tmp = NULL;
	if (dir_fd < 0 || read_file_at(dir_fd, PID_FILE, 256, &buf, NULL, &tmp) < 0) {
		husk_error_release(&tmp);
		return 0;
	}
	int pid = 0;
	uint64_t want = 0, now = 0;
	if (sscanf(buf, "%d %" SCNu64, &pid, &want) != 2 || pid <= 0)
		return husk_error_set(err, 0, "%s/%s: malformed", dir, PID_FILE);
	/* gone, or the pid now names another process: nothing to stop */
	if (husk_proc_start_time(pid, &now, &tmp) == 0 && now == want)
		kill_helper(pid);
	husk_error_release(&tmp);
	if (unlinkat(dir_fd, PID_FILE, 0) < 0 && errno != ENOENT)
		return husk_error_set(err, errno, "remove %s/%s", dir, PID_FILE);
	return 0;
}
