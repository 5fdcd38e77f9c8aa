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

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

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
 * write_all() - Write a whole buffer to a (possibly blocking) descriptor
 * @fd:		File descriptor
 * @buf:	Data
 * @len:	Length of @buf
 *
 * Return: 0 on success, -1 with errno set on failure
 */
int write_all(int fd, const void *buf, size_t len);

/**
 * read_file() - Read a small file into a buffer, NUL-terminated
 * @path:	File path
 * @buf:	Buffer
 * @size:	Size of @buf
 *
 * Return: bytes read (excluding the terminator), or -1 on failure
 */
ssize_t read_file(const char *path, char *buf, size_t size);

/**
 * write_file() - Write a string to a file, e.g. a /proc or /sys knob
 * @path:	File path
 * @s:		String
 *
 * Return: 0 on success, -1 on failure
 */
int write_file(const char *path, const char *s);

/**
 * random_bytes() - Fill a buffer with random bytes from getrandom()
 * @buf:	Buffer
 * @len:	Length of @buf
 */
void random_bytes(void *buf, size_t len);

/**
 * sock_set_bufsize() - Raise socket buffers to the maximum we can get
 * @fd:		Socket
 */
void sock_set_bufsize(int fd);

/**
 * sock_cc_unpaced() - Use a congestion control without pacing, for a TCP
 *		       socket that only talks over loopback
 * @s:		TCP socket
 */
void sock_cc_unpaced(int s);

/**
 * fd_set_nonblock() - Set O_NONBLOCK on a file descriptor
 * @fd:		File descriptor
 *
 * Return: 0 on success, -1 on failure
 */
int fd_set_nonblock(int fd);

struct ctx;

/**
 * ns_call() - Run a function inside pasta's target network namespace
 * @c:		Execution context (pasta_netns_fd must be open)
 * @fn:		Function to run; sockets it creates belong to the namespace
 * @arg:	Argument for @fn
 *
 * @fn runs in a child task sharing memory and file descriptors, with a
 * 256 KiB stack: keep large buffers static.
 *
 * Return: return value of @fn, or -1 if the namespace can't be entered
 */
int ns_call(const struct ctx *c, int (*fn)(void *arg), void *arg);

/**
 * ns_init_fd() - Remember the initial network namespace for ns_call()
 *
 * Return: 0 on success, -1 on failure
 */
int ns_init_fd(void);

#endif /* UTIL_H */
