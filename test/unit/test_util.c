/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_util.c - Unit tests for util.c helpers and util.h macros
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../../util.h"
#include "../../passt.h"
#include "unit.h"

static char tmpdir[] = "/tmp/passt-unit-util-XXXXXX";

/* Write @s to @path, creating it: fixture for read_file()/write_file() */
static int put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fputs(s, f) < 0 ? -1 : 0;
	if (fclose(f))
		rc = -1;
	return rc;
}

static void test_macros(void)
{
	unsigned char map[4] = { 0 };
	struct timespec a = { 10, 500000000 }, b = { 8, 750000000 };
	int arr[7];

	CHECK_EQ_INT(ARRAY_SIZE(arr), 7, "ARRAY_SIZE");
	CHECK_EQ_INT(MIN(3, -2), -2, "MIN");
	CHECK_EQ_INT(MAX(3, -2), 3, "MAX");
	CHECK_EQ_INT(ROUND_UP(13, 4), 16, "ROUND_UP to 4");
	CHECK_EQ_INT(ROUND_UP(16, 4), 16, "ROUND_UP of a multiple");
	CHECK_EQ_INT(ROUND_DOWN(13, 4), 12, "ROUND_DOWN to 4");
	CHECK_EQ_STR(STRINGIFY(MTU_DEFAULT), "65520",
		     "STRINGIFY expands its argument");

	BITMAP_SET(map, 0);
	BITMAP_SET(map, 9);
	BITMAP_SET(map, 31);
	CHECK(map[0] == 0x01 && map[1] == 0x02 && map[3] == 0x80,
	      "BITMAP_SET sets the right bits");
	CHECK(BITMAP_ISSET(map, 9) && !BITMAP_ISSET(map, 8),
	      "BITMAP_ISSET");
	BITMAP_CLR(map, 9);
	CHECK(!BITMAP_ISSET(map, 9) && BITMAP_ISSET(map, 31),
	      "BITMAP_CLR clears only its bit");

	CHECK_EQ_INT(timespec_diff_ms(&a, &b), 1750,
		     "timespec_diff_ms with nanosecond borrow");
	CHECK_EQ_INT(timespec_diff_ms(&b, &a), -1750,
		     "timespec_diff_ms negative");
}

static void test_write_all(void)
{
	static char big[1 << 20], back[1 << 20];
	size_t i, got = 0;
	int sv[2], status;
	pid_t pid;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + (i >> 9));

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		CHECK(0, "socketpair for write_all");
		return;
	}

	/* A reader child so that a 1 MiB write can't fit in one go */
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		while (got < sizeof(back)) {
			ssize_t n = read(sv[1], back + got,
					 MIN(sizeof(back) - got, 4096));

			if (n <= 0)
				_exit(2);
			got += n;
			usleep(n % 3 ? 0 : 100);
		}
		_exit(memcmp(big, back, sizeof(big)) ? 1 : 0);
	}
	close(sv[1]);

	CHECK_EQ_INT(write_all(sv[0], big, sizeof(big)), 0,
		     "write_all 1 MiB through a slow reader");
	close(sv[0]);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid &&
	      WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "write_all data arrives complete and in order");

	CHECK_EQ_INT(write_all(sv[0], "x", 0), 0,
		     "write_all of zero bytes succeeds");

	errno = 0;
	CHECK(write_all(-1, "x", 1) == -1 && errno == EBADF,
	      "write_all on a bad descriptor fails with EBADF");

	/* Writing to a pipe with no reader: EPIPE, not a signal */
	if (!pipe(sv)) {
		signal(SIGPIPE, SIG_IGN);
		close(sv[0]);
		errno = 0;
		CHECK(write_all(sv[1], "abc", 3) == -1 && errno == EPIPE,
		      "write_all to a closed pipe fails with EPIPE");
		close(sv[1]);
		signal(SIGPIPE, SIG_DFL);
	}
}

static void test_read_file(void)
{
	char path[256], buf[16];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/f", tmpdir);

	put(path, "hello\n");
	memset(buf, 'X', sizeof(buf));
	n = read_file(path, buf, sizeof(buf));
	CHECK_EQ_INT(n, 6, "read_file returns the length");
	CHECK_EQ_STR(buf, "hello\n", "read_file content NUL-terminated");

	put(path, "0123456789abcdefghij");
	memset(buf, 'X', sizeof(buf));
	n = read_file(path, buf, sizeof(buf));
	CHECK_EQ_INT(n, sizeof(buf) - 1,
		     "read_file truncates to the buffer size minus one");
	CHECK_EQ_STR(buf, "0123456789abcde",
		     "read_file truncated content NUL-terminated");

	put(path, "");
	memset(buf, 'X', sizeof(buf));
	n = read_file(path, buf, sizeof(buf));
	CHECK(n == 0 && buf[0] == 0, "read_file of an empty file");

	memset(buf, 'X', sizeof(buf));
	n = read_file(path, buf, 1);
	CHECK(n == 0 && buf[0] == 0, "read_file with a one-byte buffer");

	CHECK_EQ_INT(read_file(path, buf, 0), -1,
		     "read_file with a zero-size buffer fails");

	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	CHECK_EQ_INT(read_file(path, buf, sizeof(buf)), -1,
		     "read_file of a missing file fails");

	n = read_file("/proc/sys/kernel/ostype", buf, sizeof(buf));
	CHECK(n > 0 && !strncmp(buf, "Linux", 5),
	      "read_file of a /proc file");
}

static void test_write_file(void)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), "%s/w", tmpdir);
	put(path, "a much longer old content");

	CHECK_EQ_INT(write_file(path, "new"), 0, "write_file succeeds");
	CHECK(read_file(path, buf, sizeof(buf)) == 3 && !strcmp(buf, "new"),
	      "write_file truncates the old content");

	snprintf(path, sizeof(path), "%s/nodir/w", tmpdir);
	CHECK_EQ_INT(write_file(path, "x"), -1,
		     "write_file into a missing directory fails");
}

static void test_random_bytes(void)
{
	unsigned char a[64], b[64], zero[64] = { 0 };
	unsigned char canary[8];
	int i, seen[256] = { 0 }, distinct = 0;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	random_bytes(a, sizeof(a));
	random_bytes(b, sizeof(b));
	CHECK(memcmp(a, zero, sizeof(a)), "random_bytes fills the buffer");
	CHECK(memcmp(a, b, sizeof(a)), "random_bytes differs between calls");

	for (i = 0; i < (int)sizeof(a); i++)
		if (!seen[a[i]]++)
			distinct++;
	CHECK(distinct > 16, "random_bytes looks random (%i distinct)",
	      distinct);

	memset(canary, 0x5a, sizeof(canary));
	random_bytes(canary, 3);
	CHECK(canary[3] == 0x5a && canary[7] == 0x5a,
	      "random_bytes writes no further than asked");

	memset(canary, 0x5a, sizeof(canary));
	random_bytes(canary, 0);
	for (i = 0; i < (int)sizeof(canary) && canary[i] == 0x5a; i++)
		;
	CHECK_EQ_INT(i, sizeof(canary), "random_bytes of zero bytes writes "
		     "nothing");
}

static void test_fd(void)
{
	int p[2], rcv = 0, before = 0, fd;
	socklen_t sl = sizeof(rcv);

	if (pipe(p)) {
		CHECK(0, "pipe for fd_set_nonblock");
		return;
	}
	CHECK(fd_set_nonblock(p[0]) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK),
	      "fd_set_nonblock sets O_NONBLOCK");
	CHECK(read(p[0], &rcv, 1) == -1 && errno == EAGAIN,
	      "read on the non-blocking pipe doesn't block");
	close(p[0]);
	close(p[1]);
	CHECK_EQ_INT(fd_set_nonblock(-1), -1,
		     "fd_set_nonblock on a bad descriptor fails");

	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM, 0);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &before, &sl);
	sock_set_bufsize(fd);
	sl = sizeof(rcv);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &sl);
	CHECK(fd >= 0 && rcv >= before,
	      "sock_set_bufsize doesn't shrink buffers (%i -> %i)",
	      before, rcv);
	close(fd);
}

static int ns_fn(void *arg)
{
	int *v = arg;

	*v += 1;
	errno = ERANGE;
	return 42;
}

static void test_ns_call(void)
{
	static struct ctx c;
	int v = 1, rc;

	c.pasta_netns_fd = -1;
	CHECK_EQ_INT(ns_call(&c, ns_fn, &v), -1,
		     "ns_call without a namespace fails");
	CHECK_EQ_INT(v, 1, "ns_call without a namespace doesn't call");

	c.pasta_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (c.pasta_netns_fd < 0) {
		CHECK(0, "open /proc/self/ns/net");
		return;
	}
	errno = 0;
	rc = ns_call(&c, ns_fn, &v);
	CHECK_EQ_INT(rc, 42, "ns_call returns the function's value");
	CHECK_EQ_INT(v, 2, "ns_call shares memory with the caller");
	CHECK_EQ_INT(errno, ERANGE, "ns_call passes errno back");
	close(c.pasta_netns_fd);
}

static void test_epoll(void)
{
	static struct ctx c;
	union epoll_ref ref = { .type = EPOLL_TYPE_ICMP }, got;
	struct epoll_event ev;
	int p[2];

	c.epollfd = epoll_create1(EPOLL_CLOEXEC);
	if (c.epollfd < 0 || pipe(p)) {
		CHECK(0, "epoll set and pipe");
		return;
	}

	ref.fd = p[0];
	ref.data = 0xdeadbeef;
	CHECK_EQ_INT(passt_epoll_add(&c, EPOLLIN, ref), 0, "passt_epoll_add");
	CHECK(passt_epoll_add(&c, EPOLLIN, ref) < 0,
	      "passt_epoll_add twice fails with a negative error");

	if (write(p[1], "x", 1) != 1)
		CHECK(0, "write to pipe");
	CHECK_EQ_INT(epoll_wait(c.epollfd, &ev, 1, 1000), 1,
		     "event on the added descriptor");
	got.u64 = ev.data.u64;
	CHECK(got.type == EPOLL_TYPE_ICMP && got.fd == p[0] &&
	      got.data == 0xdeadbeef, "epoll_ref comes back intact");

	ref.data = 7;
	CHECK_EQ_INT(passt_epoll_mod(&c, EPOLLIN, ref), 0, "passt_epoll_mod");
	CHECK_EQ_INT(epoll_wait(c.epollfd, &ev, 1, 1000), 1,
		     "event after passt_epoll_mod");
	got.u64 = ev.data.u64;
	CHECK_EQ_INT(got.data, 7, "passt_epoll_mod changes the reference");

	passt_epoll_del(&c, p[0]);
	CHECK_EQ_INT(epoll_wait(c.epollfd, &ev, 1, 0), 0,
		     "no event after passt_epoll_del");

	close(p[0]);
	close(p[1]);
	close(c.epollfd);
}

/* CPU time passt_epoll_wait() takes, from a window as long as the longest,
 * for a timer @t firing in 20 ms
 */
static long long wait_cpu_ns(const struct ctx *c, int t)
{
	struct itimerspec at20 = { .it_value.tv_nsec = 20000000 };
	long long w = c->busy_poll_ns;
	struct epoll_event ev[2];
	struct timespec now, c0, c1;

	timerfd_settime(t, 0, &at20, NULL);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	passt_epoll_wait(c, ev, 2, NULL, &w, &now);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	(void)!read(t, &(uint64_t){ 0 }, sizeof(uint64_t));
	return timespec_diff_ns(&c1, &c0);
}

/* Busy polling: the window follows the traffic, within --busy-poll */
static void test_busy_poll(void)
{
	static struct ctx c = { .busy_poll_ns = 100000 };
	struct itimerspec its = { .it_value.tv_nsec = 20000000 };
	long long w = 0, max = 100000;
	struct epoll_event ev[2];
	struct timespec now;
	int t, e;

	CHECK(busy_poll_adapt(0, 5000, max) == 10000,
	      "event soon after sleeping: polling starts at 10 us");
	CHECK(busy_poll_adapt(10000, 50000, max) == 20000,
	      "event within the longest window: the window doubles");
	CHECK(busy_poll_adapt(80000, 90000, max) == max,
	      "window at most --busy-poll");
	CHECK(busy_poll_adapt(80000, 5000000, max) == 40000,
	      "event later than --busy-poll: the window halves");
	CHECK(busy_poll_adapt(15000, 5000000, max) == 0,
	      "below 10 us: no polling at all");
	CHECK(busy_poll_adapt(0, 5000000, max) == 0,
	      "sparse events: no polling");
	CHECK(busy_poll_adapt(40000, 1000, 0) == 0,
	      "--busy-poll 0: never");

	c.epollfd = epoll_create1(EPOLL_CLOEXEC);
	t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	e = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c.epollfd < 0 || t < 0 || e < 0) {
		CHECK(0, "epoll set, timerfd, eventfd");
		return;
	}

	/* Polling gives the event that's there, as a wait would */
	epoll_ctl(c.epollfd, EPOLL_CTL_ADD, e,
		  &(struct epoll_event){ .events = EPOLLIN });
	w = 50000;
	CHECK(passt_epoll_wait(&c, ev, 2, NULL, &w, &now) == 1 && w == 50000,
	      "event ready: returned at once, window kept");
	epoll_ctl(c.epollfd, EPOLL_CTL_DEL, e, NULL);

	/* Nothing within the window: sleep until the event, never return
	 * empty-handed, and poll less after a long wait
	 */
	epoll_ctl(c.epollfd, EPOLL_CTL_ADD, t,
		  &(struct epoll_event){ .events = EPOLLIN });
	timerfd_settime(t, 0, &its, NULL);
	w = 80000;
	CHECK(passt_epoll_wait(&c, ev, 2, NULL, &w, &now) == 1 && w == 40000,
	      "event after 20 ms: slept for it, window halved");

	/* Polling burns CPU time until the event, unless a bulk transfer
	 * ran since the last wait
	 */
	{
		long long polled, slept;

		c.busy_poll_ns = 20000000;
		polled = wait_cpu_ns(&c, t);
		busy_poll_moved(65536);
		slept = wait_cpu_ns(&c, t);
		CHECK(polled > 4000000 && slept < 2000000,
		      "20 ms window: %lld us of CPU polling, %lld us after "
		      "64 KiB relayed (no polling)", polled / 1000,
		      slept / 1000);
		c.busy_poll_ns = 100000;
	}

	/* No polling: sleeps, stays without */
	c.busy_poll_ns = 0;
	w = 0;
	timerfd_settime(t, 0, &(struct itimerspec){
		.it_value.tv_nsec = 1000000 }, NULL);
	CHECK(passt_epoll_wait(&c, ev, 2, NULL, &w, &now) == 1 && !w,
	      "--busy-poll 0: slept, no window");

	close(t);
	close(e);
	close(c.epollfd);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(tmpdir)) {
		CHECK(0, "mkdtemp");
		return unit_done();
	}

	test_macros();
	test_write_all();
	test_read_file();
	test_write_file();
	test_random_bytes();
	test_fd();
	test_ns_call();
	test_epoll();
	test_busy_poll();

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		fprintf(stderr, "couldn't remove %s\n", tmpdir);

	return unit_done();
}
