/* Signal name <-> number, for kill and for reporting how a process died.
 * Real-time signals are resolved at run time because glibc reserves a few
 * of them, so SIGRTMIN is not a compile-time constant. */
#include "husk/signals.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

struct signal_name {
	const char *name; /* without the SIG prefix */
	int signo;
};

static const struct signal_name signal_names[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

/* "RTMIN", "RTMIN+3", "RTMAX-2": returns the number or -1. */
static int parse_realtime(const char *name)
{
	int base, sign;
	const char *rest;
	if (strncasecmp(name, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		sign = 1;
	} else if (strncasecmp(name, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		sign = -1;
	} else {
		return -1;
	}
	rest = name + 5;
	if (*rest == '\0')
		return base;
	if (*rest != (sign > 0 ? '+' : '-') || !isdigit((unsigned char)rest[1]))
		return -1;
	char *end;
	errno = 0;
	long off = strtol(rest + 1, &end, 10);
	if (errno || *end || off > SIGRTMAX - SIGRTMIN)
		return -1;
	return base + sign * (int)off;
}

int husk_signal_parse(const char *text, int *ret_signo, struct husk_error **err)
{
	if (!text || !*text)
		return husk_error_set(err, 0, "invalid signal \"\"");
	if (isdigit((unsigned char)text[0])) {
		char *end;
		errno = 0;
		long n = strtol(text, &end, 10);
		if (errno || *end || n <= 0 || n > SIGRTMAX)
			return husk_error_set(err, 0, "invalid signal \"%s\"", text);
		*ret_signo = (int)n;
		return 0;
	}
	const char *name = text;
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++) {
		if (strcasecmp(name, signal_names[i].name) == 0) {
			*ret_signo = signal_names[i].signo;
			return 0;
		}
	}
	int rt = parse_realtime(name);
	if (rt > 0) {
		*ret_signo = rt;
		return 0;
	}
	return husk_error_set(err, 0, "invalid signal \"%s\"", text);
}

const char *husk_signal_name(int signo)
{
	static const char *const full[] = {
	    [SIGHUP] = "SIGHUP",       [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT",
	    [SIGILL] = "SIGILL",       [SIGTRAP] = "SIGTRAP",     [SIGABRT] = "SIGABRT",
	    [SIGBUS] = "SIGBUS",       [SIGFPE] = "SIGFPE",       [SIGKILL] = "SIGKILL",
	    [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV",     [SIGUSR2] = "SIGUSR2",
	    [SIGPIPE] = "SIGPIPE",     [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",
	    [SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",     [SIGCONT] = "SIGCONT",
	    [SIGSTOP] = "SIGSTOP",     [SIGTSTP] = "SIGTSTP",     [SIGTTIN] = "SIGTTIN",
	    [SIGTTOU] = "SIGTTOU",     [SIGURG] = "SIGURG",       [SIGXCPU] = "SIGXCPU",
	    [SIGXFSZ] = "SIGXFSZ",     [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	    [SIGWINCH] = "SIGWINCH",   [SIGIO] = "SIGIO",         [SIGPWR] = "SIGPWR",
	    [SIGSYS] = "SIGSYS",
	};
	if (signo <= 0 || (size_t)signo >= sizeof(full) / sizeof(full[0]))
		return NULL;
	return full[signo];
}

/* The kernel's struct for rt_sigaction(2), which glibc's sigaction() does
 * not reach for the signals it reserves (32 and 33). */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

void husk_signals_reset(uint64_t which)
{
	struct kernel_sigaction dfl = {.handler = SIG_DFL};
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && (which & (UINT64_C(1) << (sig - 1))))
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void husk_signals_reset_all(void)
{
	husk_signals_reset(UINT64_MAX);
}

/* The hex mask after `key` in /proc/self/status text. */
static bool status_mask(const char *text, const char *key, uint64_t *ret)
{
	const char *p = strstr(text, key);
	if (!p)
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(p + strlen(key), &end, 16);
	if (errno || end == p + strlen(key))
		return false;
	*ret = v;
	return true;
}

uint64_t husk_signals_non_default(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return UINT64_MAX;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return UINT64_MAX;
	buf[n] = '\0';
	uint64_t ignored, caught;
	if (!status_mask(buf, "\nSigIgn:", &ignored) || !status_mask(buf, "\nSigCgt:", &caught))
		return UINT64_MAX;
	return ignored | caught;
}
