/* A container's processes, found through /proc; see procs.h for when. */
#include "procs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/proc.h"
#include "util/xalloc.h"

int husk_init_pidfd(const struct husk_state *state, int *ret_pidfd, struct husk_error **err)
{
	if (state->pid <= 0)
		return husk_error_set(err, ESRCH, "container not running");
	int fd = (int)syscall(SYS_pidfd_open, state->pid, 0);
	if (fd < 0)
		return husk_error_set(err, errno == ESRCH ? 0 : errno, "container not running");
	/* Checked after the pidfd exists: from now on the pid cannot be
	 * recycled under us, so a matching start time proves identity. */
	struct proc_stat st;
	if (proc_stat_read(state->pid, &st, NULL) < 0 || st.start_time != state->init_start_time ||
	    st.state == 'Z' || st.state == 'X') {
		close(fd);
		return husk_error_set(err, 0, "container not running");
	}
	*ret_pidfd = fd;
	return 0;
}

bool husk_init_has_private_pidns(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return false;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "NSpid:", 6) != 0)
			continue;
		/* the last field is the pid in the innermost namespace */
		char *last = strrchr(line, '\t');
		char *first = strchr(line, '\t');
		return last && last != first && atoi(last + 1) == 1;
	}
	return false;
}

static bool same_pidns(pid_t pid, const struct stat *ns)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 && st.st_ino == ns->st_ino && st.st_dev == ns->st_dev;
}

struct pid_list {
	pid_t *pids;
	pid_t *ppids;
	size_t n, cap;
};

static void scan_proc(struct pid_list *l)
{
	_cleanup_(closedirp) DIR *d = opendir("/proc");
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		struct proc_stat st;
		if (proc_stat_read((pid_t)pid, &st, NULL) < 0)
			continue;
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 256;
			l->pids = xreallocarray(l->pids, l->cap, sizeof(pid_t));
			l->ppids = xreallocarray(l->ppids, l->cap, sizeof(pid_t));
		}
		l->pids[l->n] = (pid_t)pid;
		l->ppids[l->n] = st.ppid;
		l->n++;
	}
}

static bool in_set(const pid_t *set, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

/* The init and every process descending from it, by repeated passes over
 * the parent links (the list is small; a pass adds each new generation). */
static size_t descendants(const struct pid_list *l, pid_t init, pid_t *out)
{
	size_t n = 0;
	out[n++] = init;
	bool grew = true;
	while (grew) {
		grew = false;
		for (size_t i = 0; i < l->n; i++) {
			if (!in_set(out, n, l->pids[i]) && in_set(out, n, l->ppids[i])) {
				out[n++] = l->pids[i];
				grew = true;
			}
		}
	}
	return n;
}

int husk_container_pids(const struct husk_state *state, pid_t **ret, size_t *ret_n)
{
	struct pid_list l = {0};
	scan_proc(&l);
	pid_t *targets = xcalloc(l.n + 1, sizeof(pid_t));
	size_t n = 0;
	char path[64];
	struct stat ns;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)state->pid);
	if (husk_init_has_private_pidns(state->pid) && stat(path, &ns) == 0) {
		for (size_t i = 0; i < l.n; i++)
			if (same_pidns(l.pids[i], &ns))
				targets[n++] = l.pids[i];
	} else {
		n = descendants(&l, state->pid, targets);
	}
	free(l.pids);
	free(l.ppids);
	*ret = targets;
	*ret_n = n;
	return 0;
}

int husk_signal_all(const struct husk_state *state, int signo, struct husk_error **err)
{
	_cleanup_close_ int pidfd = -1;
	if (husk_init_pidfd(state, &pidfd, err) < 0)
		return -1;
	_cleanup_free_ pid_t *targets = NULL;
	size_t n = 0;
	husk_container_pids(state, &targets, &n);
	int sent = 0;
	/* the init through its pidfd, the others by pid: they are found live
	 * and their parent chain still leads to the verified init */
	if (syscall(SYS_pidfd_send_signal, pidfd, signo, NULL, 0) == 0)
		sent++;
	for (size_t i = 0; i < n; i++)
		if (targets[i] != state->pid && kill(targets[i], signo) == 0)
			sent++;
	if (sent == 0)
		return husk_error_set(err, 0, "no such process");
	return sent;
}

int husk_pidfd_wait(int pidfd, int timeout_ms, struct husk_error **err)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;
	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return husk_error_set(err, errno, "wait for the container's init");
	if (r == 0)
		return husk_error_set(err, ETIMEDOUT, "wait for the container's init");
	return 0;
}
