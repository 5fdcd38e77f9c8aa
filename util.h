/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * util.h - Small helpers used across modules
 */

#ifndef UTIL_H
#define UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/uio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define ROUND_DOWN(x, a)	((x) & ~((a) - 1))
#define ROUND_UP(x, a)	(((x) + (a) - 1) & ~((a) - 1))
#define STRINGIFY_(x)	#x
#define STRINGIFY(x)	STRINGIFY_(x)

#define BITMAP_SET(map, bit)	((map)[(bit) / 8] |= 1 << ((bit) % 8))
#define BITMAP_CLR(map, bit)	((map)[(bit) / 8] &= ~(1 << ((bit) % 8)))
#define BITMAP_ISSET(map, bit)	(!!((map)[(bit) / 8] & (1 << ((bit) % 8))))

/**
 * timespec_diff_ms() - Milliseconds from @b to @a
 * @a:		Later time
 * @b:		Earlier time
 *
 * Return: @a - @b in milliseconds
 */
static inline long long timespec_diff_ms(const struct timespec *a,
					 const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) * 1000LL +
	       (a->tv_nsec - b->tv_nsec) / 1000000LL;
}

/**
 * timespec_diff_ns() - Nanoseconds from @b to @a
 * @a:		Later time
 * @b:		Earlier time
 *
 * Return: @a - @b in nanoseconds
 */
static inline long long timespec_diff_ns(const struct timespec *a,
					 const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) * 1000000000LL +
	       (a->tv_nsec - b->tv_nsec);
}

/* Files */
int write_all(int fd, const void *buf, size_t len);
ssize_t read_file(const char *path, char *buf, size_t size);
int write_file(const char *path, const char *s);

/* Randomness */
void random_bytes(void *buf, size_t len);

/* Sockets and descriptors */
void sock_set_bufsize(int fd);
/* sock_cc_unpaced() per-namespace cache: else, index of the fallback set */
#define CC_UNKNOWN	(-1)
#define CC_KEEP		(-2)
void sock_cc_unpaced(int s, int *cache);
int fd_set_nonblock(int fd);

struct ctx;

/* pasta's target namespace */
int ns_call(const struct ctx *c, int (*fn)(void *arg), void *arg);

#endif /* UTIL_H */
