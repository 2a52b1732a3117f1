/* The exec stub: the program a container's init (and every `husk exec`
 * child) executes instead of the user's program, and which at once
 * executes that program.  husk hands it over as a sealed memfd, so the
 * first thing the container's process tree ever executes is this copy and
 * not husk's binary: if the container makes that first exec run
 * /proc/self/exe (directly, or as a script's "#!" interpreter), it gets
 * this stub, which it can neither write nor use to reach husk's file (the
 * class of CVE-2019-5736; libcontainer/exec-stub.c says more).
 *
 * argv is { path, argv[0] of the program, argv[1], ..., NULL }.  Built
 * without a C library: it does one execve and, if that fails, says why. */
#include "exec-stub/sys.h"

/* The errors execve(2) can give, for a message as strerror() words it. */
static const struct {
	int num;
	const char *text;
} errors[] = {
    {1, "Operation not permitted"},
    {2, "No such file or directory"},
    {7, "Argument list too long"},
    {8, "Exec format error"},
    {12, "Cannot allocate memory"},
    {13, "Permission denied"},
    {20, "Not a directory"},
    {21, "Is a directory"},
    {26, "Text file busy"},
    {36, "File name too long"},
    {40, "Too many levels of symbolic links"},
};

static void say(const char *s)
{
	sys_write(2, s, str_len(s));
}

__attribute__((used)) void stub_main(long *sp);
__attribute__((used)) void stub_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	/* Run any other way (the container executing /proc/self/exe while
	 * this stub is its image), there is no program to hand over. */
	if (argc < 2) {
		say("husk: the exec stub runs only the program husk gives it\n");
		sys_exit(127);
	}
	long r = sys_execve(argv[0], argv + 1, envp);
	const char *why = "Unknown error";
	for (unsigned long i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].num == -r)
			why = errors[i].text;
	say("husk: exec \"");
	say(argv[0]);
	say("\": ");
	say(why);
	say("\n");
	sys_exit(1);
}

STUB_ENTRY(stub_main);
