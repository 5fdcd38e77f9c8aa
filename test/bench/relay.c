/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * relay.c - The cheapest user-space relay we can write, as a reference for
 * the benchmarks: what a relay that does no user-space work of its own
 * costs on this machine (two sleeps and wake-ups per direction and a third
 * kernel socket), next to a plain veth pair and to pasta.
 *
 *   relay LISTEN_ADDR LISTEN_PORT DST_ADDR DST_PORT
 *
 * relays TCP and UDP on that port (iperf3 -u needs its TCP control
 * connection too). Single-threaded, one epoll instance:
 *   - TCP: connections accepted in a batch per wake-up, a nonblocking
 *     connect() to DST for each, both directions moved with splice()
 *     through one pipe per direction, half-close passed on with
 *     shutdown(SHUT_WR). Sockets are edge-triggered (EPOLLIN | EPOLLOUT):
 *     a direction is run until its source or its destination would block.
 *     A fixed table of connections; a new one is closed when it's full.
 *     Pipes stay with their slot of the table when a connection closes
 *     with them empty, and the slot freed last is used first: short
 *     connections don't create pipes.
 *   - UDP: one socket on LISTEN_ADDR:LISTEN_PORT, and one socket connect()ed
 *     to DST per client address (a small table; the least recently used
 *     entry goes when it's full). recvmmsg() / sendmmsg() of up to 64
 *     datagrams at a time, with MSG_DONTWAIT: what doesn't fit is dropped.
 *
 * Tuning, to match what pasta does on its own paths and nothing more: pipes
 * raised to 1 MiB (F_SETPIPE_SZ, as pasta's splice path does), TCP_NODELAY
 * on both sockets of a connection; socket buffers are the kernel's defaults.
 * No allocation after start-up. IPv4 or IPv6 addresses (one family each
 * side).
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONN_MAX	1024		/* TCP connections at once */
#define CLIENT_MAX	64		/* UDP client addresses */
#define BATCH		64		/* datagrams per recvmmsg() */
#define DGRAM_MAX	65536		/* bytes per datagram */
#define PIPE_SIZE	(1 << 20)	/* as pasta's splice path asks for */
#define EVENTS		128

/* epoll data: kind in the top byte, then the index, side in bit 0 */
enum ref_kind { REF_TCP_LISTEN = 1, REF_TCP, REF_UDP_LISTEN, REF_UDP };

#define REF(kind, idx)	(((uint64_t)(kind) << 56) | (uint64_t)(idx))
#define REF_KIND(r)	((unsigned)((r) >> 56))
#define REF_IDX(r)	((unsigned)((r) & 0xffffffffU))

/* One direction of a TCP connection: from s[side] to s[!side] */
struct dir {
	int pipe_r, pipe_w;
	size_t in_pipe;		/* bytes in the pipe */
	bool eof;		/* source said EOF */
	bool shut;		/* shutdown(SHUT_WR) done on the destination */
};

struct conn {
	bool used;
	bool connected;		/* s[1] (to DST) finished connecting */
	int s[2];		/* 0: accepted, 1: to DST */
	struct dir d[2];	/* d[i]: from s[i] to s[!i] */
};

struct client {
	struct sockaddr_storage addr;
	socklen_t len;
	int s;			/* connect()ed to DST, -1: free */
	unsigned long last;	/* for least recently used */
};

static struct conn conns[CONN_MAX];
static unsigned conn_free[CONN_MAX], conn_nfree;	/* stack of free slots */
static unsigned conn_dead[CONN_MAX], conn_ndead;	/* closed in this batch */
static struct client clients[CLIENT_MAX];
static unsigned long udp_clock;

static struct sockaddr_storage dst;
static socklen_t dst_len;
static int ep, tcp_ls, udp_ls;

static struct mmsghdr msgs[BATCH];
static struct iovec iovs[BATCH];
static struct sockaddr_storage names[BATCH];
static char bufs[BATCH][DGRAM_MAX];

static int parse_addr(const char *a, const char *p, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	int port = atoi(p);

	memset(ss, 0, sizeof(*ss));
	if (port <= 0 || port > 65535)
		return -1;
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

static void ep_add(int fd, uint32_t events, uint64_t ref)
{
	struct epoll_event ev = { .events = events, .data.u64 = ref };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		perror("relay: epoll_ctl");
		exit(1);
	}
}

/* ---- TCP */

static void pipes_close(struct conn *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (c->d[i].pipe_r < 0)
			continue;
		close(c->d[i].pipe_r);
		close(c->d[i].pipe_w);
		c->d[i].pipe_r = c->d[i].pipe_w = -1;
	}
}

/* Close both sockets; the pipes stay with the slot only if they're empty */
static void conn_close(struct conn *c)
{
	close(c->s[0]);
	close(c->s[1]);
	if (c->d[0].in_pipe || c->d[1].in_pipe)
		pipes_close(c);
	c->used = false;
	/* Free once this batch of events is done: none of them may reach
	 * a new connection in the same slot
	 */
	conn_dead[conn_ndead++] = (unsigned)(c - conns);
}

static int pipes_open(struct conn *c)
{
	int i, p[2];

	for (i = 0; i < 2; i++) {
		if (c->d[i].pipe_r >= 0)
			continue;
		if (pipe2(p, O_NONBLOCK | O_CLOEXEC)) {
			pipes_close(c);
			return -1;
		}
		fcntl(p[0], F_SETPIPE_SZ, PIPE_SIZE);
		c->d[i].pipe_r = p[0];
		c->d[i].pipe_w = p[1];
	}
	return 0;
}

/* Move what we can from s[side] to s[!side]: false on error (close) */
static bool dir_run(struct conn *c, int side)
{
	struct dir *d = &c->d[side];
	int from = c->s[side], to = c->s[!side];
	ssize_t n;

	for (;;) {
		bool src_empty = false, dst_full = false;

		if (!d->eof) {
			size_t before = d->in_pipe;

			n = splice(from, NULL, d->pipe_w, NULL, PIPE_SIZE,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				d->in_pipe += (size_t)n;
			} else if (!n) {
				d->eof = true;
			} else if (errno == EAGAIN) {
				/* With data in the pipe, EAGAIN may only
				 * mean that the pipe is full: the source is
				 * known to be empty only if the pipe was
				 */
				src_empty = !before;
			} else if (errno != EINTR) {
				return false;
			}
		}

		if (d->in_pipe) {
			n = splice(d->pipe_r, NULL, to, NULL, d->in_pipe,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0)
				d->in_pipe -= (size_t)n;
			else if (n < 0 && errno == EAGAIN)
				dst_full = true;
			else if (!n || errno != EINTR)
				return false;
		}

		/* An edge brings us back: EPOLLOUT on a full destination,
		 * EPOLLIN on a source we drained. A source that we didn't
		 * drain because the pipe was full might not send another
		 * edge (its receive buffer full, its peer waiting): go on
		 * until it's drained.
		 */
		if (dst_full || ((src_empty || d->eof) && !d->in_pipe))
			break;
	}

	if (d->eof && !d->in_pipe && !d->shut) {
		if (shutdown(to, SHUT_WR) && errno != ENOTCONN)
			return false;
		d->shut = true;
	}
	return true;
}

static void conn_event(unsigned idx, uint32_t ev)
{
	struct conn *c = &conns[idx >> 1];
	int side = idx & 1;
	bool ok = true;

	if (!c->used)
		return;

	if (!c->connected) {
		int err = 0;
		socklen_t sl = sizeof(err);

		if (side == 0)
			return;		/* data waits in the socket for now */
		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (getsockopt(c->s[1], SOL_SOCKET, SO_ERROR, &err, &sl) ||
		    err) {
			conn_close(c);
			return;
		}
		c->connected = true;
		ok = dir_run(c, 0) && dir_run(c, 1);
	} else if (ev & EPOLLERR) {
		ok = false;	/* reset, or the like: nothing left to pass on */
	} else {
		/* Readable: run from this side; writable: run towards it */
		if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
			ok = dir_run(c, side);
		if (ok && (ev & (EPOLLOUT | EPOLLHUP)))
			ok = dir_run(c, !side);
	}

	if (!ok || (c->d[0].shut && c->d[1].shut))
		conn_close(c);
}

static void conn_new(int s)
{
	int one = 1, t, i;
	struct conn *c;
	unsigned n;

	/* Last freed first: few slots, and their pipes, stay in use */
	if (!conn_nfree)
		goto refuse;
	n = conn_free[conn_nfree - 1];
	c = &conns[n];

	if (pipes_open(c))
		goto refuse;
	t = socket(dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   0);
	if (t < 0)
		goto refuse;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(t, (struct sockaddr *)&dst, dst_len) &&
	    errno != EINPROGRESS) {
		close(t);
		goto refuse;
	}

	conn_nfree--;
	c->used = true;
	c->connected = false;
	c->s[0] = s;
	c->s[1] = t;
	for (i = 0; i < 2; i++) {
		c->d[i].in_pipe = 0;
		c->d[i].eof = c->d[i].shut = false;
		ep_add(c->s[i], EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
		       REF(REF_TCP, n << 1 | (unsigned)i));
	}
	/* The EPOLLOUT edge of s[1] says when the connection is there */
	return;
refuse:
	close(s);
}

static void tcp_accept(void)
{
	int s;

	while ((s = accept4(tcp_ls, NULL, NULL,
			    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		conn_new(s);
}

/* ---- UDP */

static struct client *client_get(const struct sockaddr_storage *a,
				 socklen_t len)
{
	struct client *cl, *old = &clients[0];
	int i, s;

	for (i = 0; i < CLIENT_MAX; i++) {
		cl = &clients[i];
		if (cl->s >= 0 && cl->len == len && !memcmp(&cl->addr, a, len))
			goto found;
		if (cl->s < 0 || (old->s >= 0 && cl->last < old->last))
			old = cl;
	}

	s = socket(dst.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   0);
	if (s < 0)
		return NULL;
	if (connect(s, (struct sockaddr *)&dst, dst_len)) {
		close(s);
		return NULL;
	}
	cl = old;
	if (cl->s >= 0)
		close(cl->s);	/* least recently used, epoll forgets it */
	cl->s = s;
	memcpy(&cl->addr, a, len);
	cl->len = len;
	ep_add(s, EPOLLIN, REF(REF_UDP, (unsigned)(cl - clients)));
found:
	cl->last = ++udp_clock;
	return cl;
}

static void mmsg_prep(bool named)
{
	int i;

	for (i = 0; i < BATCH; i++) {
		iovs[i].iov_base = bufs[i];
		iovs[i].iov_len = DGRAM_MAX;
		memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		if (named) {
			msgs[i].msg_hdr.msg_name = &names[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(names[i]);
		}
	}
}

/* Send the datagrams received in msgs[first..first + n - 1] on s */
static void mmsg_send(int s, int first, int n, bool named,
		      const struct client *cl)
{
	int i;

	for (i = first; i < first + n; i++) {
		iovs[i].iov_len = msgs[i].msg_len;
		if (named) {
			msgs[i].msg_hdr.msg_name = (void *)&cl->addr;
			msgs[i].msg_hdr.msg_namelen = cl->len;
		} else {
			msgs[i].msg_hdr.msg_name = NULL;
			msgs[i].msg_hdr.msg_namelen = 0;
		}
	}
	/* What the socket doesn't take now is dropped, as a router would */
	while (n > 0) {
		int sent = sendmmsg(s, &msgs[first], (unsigned)n,
				    MSG_DONTWAIT);

		if (sent <= 0)
			break;
		first += sent;
		n -= sent;
	}
}

/* Client -> DST: consecutive datagrams of one client go in one sendmmsg() */
static void udp_from_clients(void)
{
	int n, i, start;

	do {
		struct client *cl, *next;

		mmsg_prep(true);
		n = recvmmsg(udp_ls, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;

		cl = client_get(&names[0], msgs[0].msg_hdr.msg_namelen);
		for (start = 0, i = 1; i <= n; i++) {
			next = NULL;
			if (i < n) {
				next = client_get(&names[i],
						  msgs[i].msg_hdr.msg_namelen);
				if (next == cl)
					continue;
			}
			if (cl)
				mmsg_send(cl->s, start, i - start, false, NULL);
			cl = next;
			start = i;
		}
	} while (n == BATCH);
}

/* DST -> client: back from the listening socket to the client's address */
static void udp_to_client(struct client *cl)
{
	int n;

	do {
		mmsg_prep(false);
		n = recvmmsg(cl->s, msgs, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;	/* also ICMP errors from DST: nothing to do */
		cl->last = ++udp_clock;
		mmsg_send(udp_ls, 0, n, true, cl);
	} while (n == BATCH);
}

/* ---- set-up */

static int listen_sock(const struct sockaddr_storage *a, socklen_t len,
		       int type)
{
	int s, one = 1;

	s = socket(a->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (const struct sockaddr *)a, len) ||
	    (type == SOCK_STREAM && listen(s, SOMAXCONN))) {
		close(s);
		return -1;
	}
	return s;
}

int main(int argc, char **argv)
{
	struct epoll_event ev[EVENTS];
	struct sockaddr_storage la;
	socklen_t la_len;
	struct rlimit rl;
	int i, n;

	if (argc != 5 || parse_addr(argv[1], argv[2], &la, &la_len) ||
	    parse_addr(argv[3], argv[4], &dst, &dst_len)) {
		fprintf(stderr, "usage: relay LISTEN_ADDR LISTEN_PORT "
				"DST_ADDR DST_PORT\n");
		return 2;
	}

	/* Six descriptors per connection: two sockets, two pipes */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < CONN_MAX * 6 + 256) {
		rl.rlim_cur = CONN_MAX * 6 + 256;
		if (rl.rlim_max < rl.rlim_cur)
			rl.rlim_max = rl.rlim_cur;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			fprintf(stderr, "relay: can't raise RLIMIT_NOFILE\n");
	}

	/* A peer gone while we write to it: EPIPE, not the signal */
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < CONN_MAX; i++) {
		conns[i].d[0].pipe_r = conns[i].d[1].pipe_r = -1;
		conn_free[conn_nfree++] = (unsigned)(CONN_MAX - 1 - i);
	}
	for (i = 0; i < CLIENT_MAX; i++)
		clients[i].s = -1;

	ep = epoll_create1(EPOLL_CLOEXEC);
	tcp_ls = listen_sock(&la, la_len, SOCK_STREAM);
	udp_ls = listen_sock(&la, la_len, SOCK_DGRAM);
	if (ep < 0 || tcp_ls < 0 || udp_ls < 0) {
		perror("relay: set-up");
		return 1;
	}
	ep_add(tcp_ls, EPOLLIN, REF(REF_TCP_LISTEN, 0));
	ep_add(udp_ls, EPOLLIN, REF(REF_UDP_LISTEN, 0));

	for (;;) {
		n = epoll_wait(ep, ev, EVENTS, -1);
		if (n < 0 && errno != EINTR) {
			perror("relay: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			uint64_t r = ev[i].data.u64;

			switch (REF_KIND(r)) {
			case REF_TCP_LISTEN:
				tcp_accept();
				break;
			case REF_TCP:
				conn_event(REF_IDX(r), ev[i].events);
				break;
			case REF_UDP_LISTEN:
				udp_from_clients();
				break;
			case REF_UDP:
				if (clients[REF_IDX(r)].s >= 0)
					udp_to_client(&clients[REF_IDX(r)]);
				break;
			}
		}
		while (conn_ndead)
			conn_free[conn_nfree++] = conn_dead[--conn_ndead];
	}
}
