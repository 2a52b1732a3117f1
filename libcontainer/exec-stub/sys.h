/* Raw system calls and the process entry point for programs built without
 * a C library (-nostdlib -static): the exec stub, and test programs that
 * must run as an ELF interpreter.  x86-64 and aarch64 only; the Makefile
 * builds the stub on those and husk execs directly elsewhere. */
#pragma once

#include <asm/unistd.h>

#if defined(__x86_64__)
static inline long sys_call3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall"
	                 : "=a"(r)
	                 : "a"(n), "D"(a), "S"(b), "d"(c)
	                 : "rcx", "r11", "memory");
	return r;
}

/* The kernel starts us with argc, argv[], envp[] on the stack. */
#define STUB_ENTRY(main_fn)                                                                        \
	__asm__(".text\n.global _start\n_start:\n"                                                 \
	        "xor %rbp, %rbp\nmov %rsp, %rdi\nand $-16, %rsp\ncall " #main_fn "\nhlt\n")
#elif defined(__aarch64__)
static inline long sys_call3(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}

#define STUB_ENTRY(main_fn)                                                                        \
	__asm__(".text\n.global _start\n_start:\n"                                                 \
	        "mov x29, #0\nmov x30, #0\nmov x0, sp\nbl " #main_fn "\nbrk #0\n")
#else
#error "the exec stub supports x86-64 and aarch64"
#endif

static inline long sys_write(int fd, const void *buf, unsigned long len)
{
	return sys_call3(__NR_write, fd, (long)buf, (long)len);
}

static inline long sys_execve(const char *path, char *const argv[], char *const envp[])
{
	return sys_call3(__NR_execve, (long)path, (long)argv, (long)envp);
}

static inline long sys_openat(int dir_fd, const char *path, int flags)
{
	return sys_call3(__NR_openat, dir_fd, (long)path, flags);
}

static inline long sys_dup3(int old_fd, int new_fd, int flags)
{
	return sys_call3(__NR_dup3, old_fd, new_fd, flags);
}

static inline void __attribute__((noreturn)) sys_exit(int status)
{
	for (;;)
		sys_call3(__NR_exit_group, status, 0, 0);
}

static inline unsigned long str_len(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}
