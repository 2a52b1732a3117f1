/* Scope-bound cleanup helpers (the systemd/LXC idiom).
 *
 * Declare the owning variable with the attribute on the same line and
 * initialise it to NULL or -1; hand ownership over with TAKE_PTR/TAKE_FD.
 * Destructors accept NULL/-1 and preserve errno.
 */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void husk_freep(void *p)
{
	int saved = errno;
	free(*(void **)p);
	errno = saved;
}

static inline void husk_closep(int *fd)
{
	int saved = errno;
	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

static inline void husk_fclosep(FILE **f)
{
	int saved = errno;
	if (*f)
		fclose(*f);
	errno = saved;
}

static inline void closedirp(DIR **d)
{
	int saved = errno;
	if (*d)
		closedir(*d);
	errno = saved;
}

#define _cleanup_(fn)    __attribute__((cleanup(fn)))
#define _cleanup_free_   _cleanup_(husk_freep)
#define _cleanup_close_  _cleanup_(husk_closep)
#define _cleanup_fclose_ _cleanup_(husk_fclosep)

#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _taken = (p);                                                        \
		(p) = NULL;                                                                        \
		_taken;                                                                            \
	})

#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _taken_fd = (fd);                                                              \
		(fd) = -1;                                                                         \
		_taken_fd;                                                                         \
	})

#define HUSK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
