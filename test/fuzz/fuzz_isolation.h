/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_isolation.h - isolation.c stand-ins for targets that link the daemon
 * objects without it: fwd_scan.c (pasta only) re-reads kept /proc files,
 * not here, and isolation.c needs the generated seccomp.h
 */

#ifndef FUZZ_ISOLATION_H
#define FUZZ_ISOLATION_H

#include <errno.h>
#include <sys/types.h>

#include "isolation.h"

int isolate_keep_open(const char *path)
{
	(void)path;
	errno = ENOSYS;
	return -1;
}

ssize_t isolate_reread(int fd, char *buf, size_t size, off_t off)
{
	(void)fd;
	(void)buf;
	(void)size;
	(void)off;
	errno = ENOSYS;
	return -1;
}

#endif /* FUZZ_ISOLATION_H */
