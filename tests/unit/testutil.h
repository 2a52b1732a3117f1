/* Helpers the unit suites share: temporary directories and running a piece
 * of a test in a forked child (for code that changes process-wide state). */
#pragma once

#include <stddef.h>

/* Creates /tmp/husk-<name>-test.XXXXXX into buf (at least 64 bytes). */
void test_tmpdir_create(char *buf, size_t size, const char *name);

/* Removes a directory tree made by a test, without following symlinks. */
void test_tmpdir_remove(const char *dir);

/* Runs fn(out_fd, arg) in a forked child and returns (malloc'd, NUL
 * terminated) what it wrote to out_fd; fails the test unless it exited 0. */
char *test_child_output(void (*fn)(int out_fd, void *arg), void *arg);
