/* Protection of husk's binary against the container it starts (the class
 * of CVE-2019-5736).  The init is a clone of husk, so until its last exec
 * its /proc/self/exe is husk's own file on the host.  If that exec runs
 * /proc/self/exe (the container asks for it, or a script names it as its
 * "#!" interpreter), the kernel starts husk's binary as a container
 * process, with the container's dynamic loader; that process can keep the
 * file open and write to it once husk has exited.
 *
 * runc and crun re-execute themselves from a sealed copy for this, paying
 * an exec of the whole runtime (and its libraries) per container.  husk
 * does its work as the clone it is and only makes the last exec go through
 * a small static stub (exec-stub/main.c, a few KiB) held in a sealed memfd:
 * whatever that exec turns into, /proc/self/exe of the container's first
 * process is the stub, which nobody can write, and the stub then executes
 * the user's program.  Before that exec the init is non-dumpable (init.c),
 * so no container process can open its /proc/PID/exe either.
 *
 * The stub is executed by path (/proc/self/fd/N) rather than with
 * execveat(): a seccomp profile must allow execve for the container to run
 * at all, but may well forbid execveat.  Without /proc it falls back to
 * execveat(AT_EMPTY_PATH).  Capabilities come through both execs alike: a
 * root process gets its bounding set back at each, others keep exactly
 * their ambient set (caps.c), and no_new_privs and the seccomp filter are
 * inherited. */
#include "exec-stub.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "husk/cleanup.h"
#include "util/xalloc.h"
#include "util/file.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#ifdef HUSK_EXEC_STUB
extern const unsigned char husk_exec_stub_start[];
extern const unsigned char husk_exec_stub_end[];
#endif

int husk_exec_stub_create(int *ret_fd, struct husk_error **err)
{
	*ret_fd = -1;
#ifdef HUSK_EXEC_STUB
	const unsigned char *p = husk_exec_stub_start;
	size_t left = (size_t)(husk_exec_stub_end - husk_exec_stub_start);
	/* MFD_EXEC: kernels with vm.memfd_noexec (6.3+) may otherwise make
	 * the memfd non-executable; older kernels refuse the flag. */
	_cleanup_close_ int fd =
	    memfd_create("husk-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("husk-exec-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return husk_error_set(err, errno, "create the exec stub");
	int r = write_all_fd(fd, p, left);
	if (r < 0)
		return husk_error_set(err, -r, "write the exec stub");
	/* No more writes, no size change, no chmod (6.3+), no more seals. */
	int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	if (fcntl(fd, F_ADD_SEALS, seals | F_SEAL_EXEC) < 0 &&
	    (errno != EINVAL || fcntl(fd, F_ADD_SEALS, seals) < 0))
		return husk_error_set(err, errno, "seal the exec stub");
	*ret_fd = TAKE_FD(fd);
#else
	(void)err;
#endif
	return 0;
}

void husk_exec_stub_exec(int stub_fd, const char *path, char *const argv[], size_t argc,
                         char *const envp[])
{
	if (stub_fd < 0) {
		execve(path, argv, envp);
		return;
	}
	_cleanup_free_ char **stub_argv = xcalloc(argc + 2, sizeof(char *));
	stub_argv[0] = (char *)path;
	memcpy(stub_argv + 1, argv, argc * sizeof(char *));
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", stub_fd);
	execve(self, stub_argv, envp);
	if (errno == ENOENT)
		execveat(stub_fd, "", stub_argv, envp, AT_EMPTY_PATH);
}
