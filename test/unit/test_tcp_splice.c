/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_tcp_splice.c - pasta's spliced connections: the pool of namespace
 * sockets (one ns_call() per batch, options set on each)
 *
 * unit-include: tcp_splice.c
 */

#include <fcntl.h>
#include <unistd.h>
#include <netinet/tcp.h>

#include "../../tcp_splice.c"
#include "unit.h"

static struct ctx c;

/* TCP_NODELAY of a socket, -1 if unknown */
static int nodelay(int s)
{
	socklen_t sl = sizeof(int);
	int v = -1;

	if (getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &sl))
		return -1;
	return v;
}

static void test_ns_socks(void)
{
	int s, t, v6, n, rc;

	c.pasta_netns_fd = -1;
	errno = 0;
	CHECK(splice_ns_sock(&c, false) < 0,
	      "no namespace, empty pool: no socket");

	c.pasta_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (c.pasta_netns_fd < 0) {
		CHECK(0, "open /proc/self/ns/net");
		return;
	}

	for (v6 = 0; v6 < 2; v6++) {
		const char *ip = v6 ? "IPv6" : "IPv4";
		struct sockaddr_storage sa;
		socklen_t sl = sizeof(sa);
		int fd = c.pasta_netns_fd;

		s = splice_ns_sock(&c, v6);
		CHECK(s >= 0 && splice_ns_socks_n[v6] ==
		      TCP_SPLICE_NS_SOCKS - 1,
		      "%s: first socket fills the pool (%u left)", ip,
		      splice_ns_socks_n[v6]);
		CHECK(!getsockname(s, (struct sockaddr *)&sa, &sl) &&
		      sa.ss_family == (v6 ? AF_INET6 : AF_INET),
		      "%s: socket of that family", ip);
		CHECK_EQ_INT(nodelay(s), 1, "%s: options set (TCP_NODELAY)",
			     ip);
		close(s);

		/* The rest of the batch: no namespace needed for them */
		c.pasta_netns_fd = -1;
		for (n = 0; (t = splice_ns_sock(&c, v6)) >= 0; n++) {
			if (nodelay(t) != 1)
				break;
			close(t);
		}
		CHECK_EQ_INT(n, TCP_SPLICE_NS_SOCKS - 1,
			     "%s: the rest of the batch without ns_call()",
			     ip);
		c.pasta_netns_fd = fd;
	}

	/* The timer fills the pools in use up again */
	c.mode = MODE_PASTA;
	tcp_splice_timer(&c, &(struct timespec){ 0 });
	CHECK(splice_ns_socks_n[0] == TCP_SPLICE_NS_SOCKS &&
	      splice_ns_socks_n[1] == TCP_SPLICE_NS_SOCKS,
	      "timer refills both pools (%u, %u)", splice_ns_socks_n[0],
	      splice_ns_socks_n[1]);

	for (v6 = 0; v6 < 2; v6++) {
		while (splice_ns_socks_n[v6])
			close(splice_ns_socks[v6][--splice_ns_socks_n[v6]]);
		splice_ns_socks_used[v6] = false;
	}

	/* With -t forwarding, the pool is there from the start (so that
	 * the descriptor count doesn't grow with the first connections),
	 * only for the IP versions in use
	 */
	c.tcp_in.mode = FWD_SPEC;
	c.ifi4 = 1;
	c.ifi6 = 0;
	rc = tcp_splice_init(&c);
	CHECK(!rc && splice_ns_socks_n[0] == TCP_SPLICE_NS_SOCKS &&
	      !splice_ns_socks_n[1],
	      "-t, IPv4 only: IPv4 pool filled at start (%u, %u)",
	      splice_ns_socks_n[0], splice_ns_socks_n[1]);
	while (splice_ns_socks_n[0])
		close(splice_ns_socks[0][--splice_ns_socks_n[0]]);

	c.no_splice = 1;
	splice_ns_socks_used[0] = false;
	rc = tcp_splice_init(&c);
	CHECK(!rc && !splice_ns_socks_n[0], "--no-splice: no pool");
	close(c.pasta_netns_fd);
}

/* A connected TCP pair over loopback: *@a and *@b, nonblocking */
static bool tcp_pair(int *a, int *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || *a < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&sa, &sl) ||
	    connect(*a, (struct sockaddr *)&sa, sizeof(sa)))
		return false;
	*b = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	close(l);
	fcntl(*a, F_SETFL, O_NONBLOCK);
	return *b >= 0;
}

/* A full pipe makes splice() from the socket fail with EAGAIN, as an empty
 * socket does: relaying must not stop there while the socket has data, as
 * no new event may come for it (edge-triggered, sender out of window)
 */
static void test_full_pipe(void)
{
	struct flow *f = flow_at(0);
	struct splice_conn *conn = flow_priv(f);
	static char data[65536];
	int writer, reader, fd[2];
	ssize_t n;

	memset(conn, 0, sizeof(*conn));
	f->f.bytes[0] = 0;
	if (!tcp_pair(&writer, &conn->s[0]) ||
	    !tcp_pair(&conn->s[1], &reader) ||
	    pipe2(fd, O_NONBLOCK | O_CLOEXEC) ||
	    fcntl(fd[0], F_SETPIPE_SZ, sizeof(data)) != sizeof(data)) {
		CHECK(0, "loopback TCP pairs and a pipe");
		return;
	}
	conn->p[0].r = fd[0];
	conn->p[0].w = fd[1];
	conn->p[0].size = sizeof(data);

	/* As left by a destination that was full: the pipe is, and the
	 * source has more
	 */
	n = write(fd[1], data, sizeof(data));
	conn->pending[0] = n > 0 ? (uint32_t)n : 0;
	n = write(writer, data, sizeof(data));
	usleep(50000);
	CHECK(conn->pending[0] == sizeof(data) && n == sizeof(data),
	      "pipe full, %zi bytes waiting at the source", n);

	/* Room at the destination, as on EPOLLOUT: the pipe goes, then what
	 * the source has
	 */
	CHECK(!splice_dir(conn, 0), "relayed without errors");
	CHECK(f->f.bytes[0] == sizeof(data),
	      "full pipe emptied, then the source read (%llu bytes of %zu)",
	      (unsigned long long)f->f.bytes[0], sizeof(data));

	close(writer);
	close(reader);
	close(conn->s[0]);
	close(conn->s[1]);
	close(fd[0]);
	close(fd[1]);
}

int main(void)
{
	test_ns_socks();
	test_full_pipe();
	return unit_done();
}
