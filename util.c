// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util.c - Small helpers used across modules, epoll set management
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "util.h"
#include "passt.h"
#include "log.h"

/**
 * write_all() - Write a whole buffer to a (possibly blocking) descriptor
 * @fd:		File descriptor
 * @buf:	Data
 * @len:	Length of @buf
 *
 * Return: 0 on success, -1 with errno set on failure
 *
 * #syscalls write
 */
int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/**
 * read_file() - Read a small file into a buffer, NUL-terminated
 * @path:	File path
 * @buf:	Buffer
 * @size:	Size of @buf
 *
 * Return: bytes read (excluding the terminator), or -1 on failure
 */
ssize_t read_file(const char *path, char *buf, size_t size)
{
	size_t total = 0;
	int fd;

	if (!size)
		return -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;

	while (total < size - 1) {
		ssize_t n = read(fd, buf + total, size - 1 - total);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (!n)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

/**
 * write_file() - Write a string to a file, e.g. a /proc or /sys knob
 * @path:	File path
 * @s:		String
 *
 * Return: 0 on success, -1 on failure
 */
int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = write_all(fd, s, strlen(s));
	close(fd);
	return rc;
}

/**
 * random_bytes() - Fill a buffer with random bytes from getrandom()
 * @buf:	Buffer
 * @len:	Length of @buf
 *
 * #syscalls getrandom
 */
void random_bytes(void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("getrandom: %s", strerror(errno));
		}
		p += n;
		len -= n;
	}
}

/**
 * sock_set_bufsize() - Raise socket buffers to the maximum we can get
 * @fd:		Socket
 *
 * #syscalls setsockopt
 */
void sock_set_bufsize(int fd)
{
	int v = INT_MAX / 2;

	/* Privileged variants ignore rmem_max/wmem_max, when we may */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

/* Congestion control names are at most 16 bytes (TCP_CA_NAME_MAX) */
#define CC_NAME_MAX	16

/**
 * sock_cc_unpaced() - Use a congestion control without pacing, for a TCP
 *		       socket that only talks over loopback
 * @s:		TCP socket
 * @cache:	What to do in the socket's namespace: CC_UNKNOWN the first
 *		time, then kept by the caller, one per namespace
 *
 * BBR, a common default, paces what it sends with timers, from the
 * bandwidth it measures: on loopback, where nothing is ever lost, that only
 * spaces out data and keeps the other end waiting. Connections that never
 * leave the machine do better with any loss-based algorithm: cubic, or
 * reno, which unprivileged users may always pick. Other defaults are kept.
 *
 * The default is per namespace and a new socket has it: the first socket
 * tells it, and which fallback we may set, and later ones skip the
 * getsockopt() and the refused attempts (a connection costs a few system
 * calls less). A default changed later is only seen with a new @cache.
 *
 * #syscalls getsockopt setsockopt
 */
void sock_cc_unpaced(int s, int *cache)
{
	static const char *const fallback[] = { "cubic", "reno" };
	char name[CC_NAME_MAX] = { 0 };
	socklen_t sl = sizeof(name);
	int i;

	if (*cache == CC_KEEP)
		return;
	if (*cache >= 0 && *cache < (int)ARRAY_SIZE(fallback)) {
		i = *cache;
		if (!setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, fallback[i],
				strlen(fallback[i])))
			return;
		/* Refused now (sysctl changed?): find out again */
		*cache = CC_UNKNOWN;
	}

	if (getsockopt(s, IPPROTO_TCP, TCP_CONGESTION, name, &sl))
		return;
	if (strncmp(name, "bbr", 3)) {
		*cache = CC_KEEP;
		return;
	}

	for (i = 0; i < (int)ARRAY_SIZE(fallback); i++) {
		if (!setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, fallback[i],
				strlen(fallback[i]))) {
			*cache = i;
			return;
		}
	}
	/* Nothing allowed: don't try again for every socket */
	*cache = CC_KEEP;
}

/**
 * fd_set_nonblock() - Set O_NONBLOCK on a file descriptor
 * @fd:		File descriptor
 *
 * Return: 0 on success, -1 on failure
 *
 * #syscalls fcntl
 */
int fd_set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/**
 * struct ns_call_arg - What the child task of ns_call() needs
 * @c:		Execution context
 * @fn:		Function to run in the namespace
 * @arg:	Its argument
 * @rc:		Its return value
 * @err:	errno after it, or after a failed setns()
 */
struct ns_call_arg {
	const struct ctx *c;
	int (*fn)(void *arg);
	void *arg;
	int rc;
	int err;
};

/**
 * ns_call_child() - Enter the namespace and run the function, in the child
 * @p:		struct ns_call_arg, with @rc and @err set here
 *
 * Return: 0, always: the result goes through @p
 */
static int ns_call_child(void *p)
{
	struct ns_call_arg *a = p;

	if (setns(a->c->pasta_netns_fd, CLONE_NEWNET)) {
		a->rc = -1;
		a->err = errno;
		return 0;
	}
	a->rc = a->fn(a->arg);
	a->err = errno;
	return 0;
}

/**
 * ns_call() - Run a function inside pasta's target network namespace
 * @c:		Execution context (pasta_netns_fd must be open)
 * @fn:		Function to run; sockets it creates belong to the namespace
 * @arg:	Argument for @fn
 *
 * The function runs in a child task sharing our memory and file table
 * (CLONE_VM | CLONE_FILES), which enters the namespace: our own namespace
 * never changes, and we need no capability to come back to it. CLONE_VFORK
 * suspends us until the child is done. The child has a 256 KiB stack:
 * @fn keeps large buffers static.
 *
 * Return: return value of @fn, or -1 if the namespace can't be entered
 *
 * #syscalls:pasta clone wait4 setns
 */
int ns_call(const struct ctx *c, int (*fn)(void *arg), void *arg)
{
	static char stack[256 * 1024] __attribute__((aligned(16)));
	struct ns_call_arg a = { .c = c, .fn = fn, .arg = arg, .rc = -1 };
	pid_t pid;

	if (c->pasta_netns_fd < 0)
		return -1;

	pid = clone(ns_call_child, stack + sizeof(stack),
		    CLONE_VM | CLONE_VFORK | CLONE_FILES, &a);
	if (pid < 0)
		return -1;
	waitpid(pid, NULL, __WCLONE);

	errno = a.err;
	return a.rc;
}

/**
 * passt_epoll_add() - Add a file descriptor to the epoll set
 * @c:		Execution context
 * @events:	EPOLLIN, EPOLLOUT, ...
 * @ref:	Reference returned with events (its fd is the one added)
 *
 * Return: 0 on success, negative error code on failure
 *
 * #syscalls epoll_ctl
 */
int passt_epoll_add(const struct ctx *c, uint32_t events, union epoll_ref ref)
{
	struct epoll_event ev = { .events = events, .data.u64 = ref.u64 };

	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, ref.fd, &ev))
		return -errno;
	return 0;
}

/**
 * passt_epoll_mod() - Change events or reference of a file descriptor
 * @c:		Execution context
 * @events:	New events
 * @ref:	New reference (its fd is the one changed)
 *
 * Return: 0 on success, negative error code on failure
 */
int passt_epoll_mod(const struct ctx *c, uint32_t events, union epoll_ref ref)
{
	struct epoll_event ev = { .events = events, .data.u64 = ref.u64 };

	if (epoll_ctl(c->epollfd, EPOLL_CTL_MOD, ref.fd, &ev))
		return -errno;
	return 0;
}

/* Busy polling: before sleeping, epoll is asked again without a timeout for
 * a while, the window. Waking up from sleep costs a context switch, and an
 * interrupt between CPUs in a VM, more than a round trip through a socket
 * and back: the window adapts to the traffic as KVM's halt polling does.
 */
#define BUSY_POLL_START_NS	10000

/* Bytes relayed between two waits above which we don't poll: in a bulk
 * transfer, every process is busy and a polling one takes CPU time from
 * the others, with no round trip to wait for
 */
#define BUSY_POLL_BULK		16384

static size_t busy_poll_bytes;

/**
 * busy_poll_moved() - Count bytes relayed before the next wait
 * @bytes:	Bytes of frames to or from the guest, or spliced
 */
void busy_poll_moved(size_t bytes)
{
	busy_poll_bytes += bytes;
}

/**
 * busy_poll_adapt() - Next polling window, from how long the last wait was
 * @window:	Current window, nanoseconds
 * @waited:	Time from the start of the last wait to its event
 * @max:	Longest window (--busy-poll), 0: no polling
 *
 * An event within @max of the start of the wait: polling for that long
 * would have caught it, double the window (from BUSY_POLL_START_NS). Later
 * ones: halve it, down to nothing, so that sparse traffic costs no polls.
 *
 * Return: next window, nanoseconds
 */
long long busy_poll_adapt(long long window, long long waited, long long max)
{
	if (max <= 0)
		return 0;
	if (waited > max)
		return window / 2 < BUSY_POLL_START_NS ? 0 : window / 2;
	return MIN(window ? window * 2 : BUSY_POLL_START_NS, max);
}

/**
 * passt_epoll_wait() - Wait for events: poll for up to the window, then
 *			sleep, and adapt the window
 * @c:		Execution context (busy_poll_ns: longest window)
 * @events:	Events, set here
 * @maxevents:	Size of @events
 * @mask:	Signals blocked while waiting
 * @window:	Polling window, nanoseconds, updated here
 * @now:	Current time, set here
 *
 * No polling after more than BUSY_POLL_BULK bytes relayed (busy_poll_moved())
 * since the last wait.
 *
 * Return: number of events or -1 on error, as epoll_pwait(), never 0
 *
 * #syscalls epoll_pwait epoll_wait clock_gettime sched_yield
 */
int passt_epoll_wait(const struct ctx *c, struct epoll_event *events,
		     int maxevents, const sigset_t *mask, long long *window,
		     struct timespec *now)
{
	bool bulk = busy_poll_bytes > BUSY_POLL_BULK;
	struct timespec start;
	int n;

	busy_poll_bytes = 0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (*window && !bulk) {
		n = epoll_pwait(c->epollfd, events, maxevents, 0, mask);
		clock_gettime(CLOCK_MONOTONIC, now);
		if (n)
			return n;
		if (timespec_diff_ns(now, &start) >= *window)
			break;
		sched_yield();	/* Others on this CPU go first */
	}

	n = epoll_pwait(c->epollfd, events, maxevents, -1, mask);
	clock_gettime(CLOCK_MONOTONIC, now);
	*window = busy_poll_adapt(*window, timespec_diff_ns(now, &start),
				  c->busy_poll_ns);
	return n;
}

/**
 * passt_epoll_del() - Remove a file descriptor from the epoll set
 * @c:		Execution context
 * @fd:		File descriptor
 */
void passt_epoll_del(const struct ctx *c, int fd)
{
	epoll_ctl(c->epollfd, EPOLL_CTL_DEL, fd, NULL);
}
