/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * tcp_splice.c - pasta: TCP between the namespace's and the host's loopback,
 *		  socket to socket with splice()
 *
 * Two kinds of connections never need the tap device:
 *
 * - inbound (-t): tcp.c accepts a connection on a forwarded port from a
 *   loopback address of the host and hands it over. We take a socket of
 *   the namespace from a small pool (refilled in batches with ns_call():
 *   entering the namespace costs a task, not worth paying per connection)
 *   and connect it to the namespace's loopback, same IP version as the
 *   client, target port of the rule;
 *
 * - outbound (-T): we listen on 127.0.0.1 and ::1 inside the namespace, and
 *   connect accepted connections to the host's loopback, same IP version.
 *
 * Each connection has two sockets (side 0: accepted, side 1: the one we
 * connected) and, once connected, two pipes: p[i] carries what side i sent
 * to side !i. Data moves with splice(), socket to pipe and pipe to socket,
 * without copies to user space. A direction stops reading its source while
 * its pipe can't be emptied into the destination (full socket buffer): we
 * then wait for EPOLLOUT on the destination. Sockets are in epoll
 * edge-triggered, so every handler round goes on until the source has no
 * data or the destination takes no more.
 *
 * End of stream on one side (splice() returns 0) becomes shutdown(SHUT_WR)
 * on the other one once the pipe is empty; when both directions are done,
 * both sockets are closed. A reset or error on either side resets the other
 * one (SO_LINGER with zero timeout, then close()).
 *
 * Connections are entries of type FLOW_TCP_SPLICE in the flow table
 * (flow.h): side 0 of a connection is the flow's INISIDE (PIF_HOST for -t,
 * PIF_NS for -T), side 1 its TGTSIDE, and bytes[i] counts what side i sent.
 *
 * Pipes come from a small pool and go back to it when a connection closes
 * with empty pipes: short connections don't create pipes. Their size is
 * raised with F_SETPIPE_SZ up to TCP_SPLICE_PIPE_SIZE or the system's
 * pipe-max-size, whichever is lower.
 */

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "flow.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "passt.h"
#include "tcp_splice.h"
#include "util.h"

/* Epoll reference data: listening socket (-T), target port, IP version */
#define SPLICE_REF_LISTEN	(1U << 31)
#define SPLICE_REF_V6		(1U << 16)

/* Connection flags */
#define SC_CONNECTING		(1 << 1)	/* side 1 not connected yet */
#define SC_EOF(i)		(1 << (2 + (i)))	/* read EOF from side i */
#define SC_SHUT(i)		(1 << (4 + (i)))	/* shut down writing on i */

/**
 * struct splice_pipe - One pipe
 * @r:		Read end, -1 if none
 * @w:		Write end
 * @size:	Capacity in bytes
 */
struct splice_pipe {
	int r;
	int w;
	int size;
};

/**
 * struct splice_conn - Relayed connection, private area of a
 *			FLOW_TCP_SPLICE flow entry
 * @s:		Sockets: [0] accepted one, [1] the one we connected
 * @p:		Pipes: @p[i] carries data read from @s[i] to @s[!i]
 * @pending:	Bytes in @p[i], not written to @s[!i] yet
 * @flags:	SC_* flags
 */
struct splice_conn {
	int s[2];
	struct splice_pipe p[2];
	uint32_t pending[2];
	uint16_t flags;
};

static_assert(sizeof(struct splice_conn) <= FLOW_PRIV_SIZE,
	      "Splice state must fit the flow table's private area");

/**
 * splice_flow() - Flow entry of a connection
 * @conn:	Connection
 *
 * Return: the entry
 */
static struct flow *splice_flow(const struct splice_conn *conn)
{
	return flow_of_priv(conn);
}

static struct splice_pipe splice_pool[TCP_SPLICE_PIPE_POOL];
static unsigned int splice_pool_n;
static int splice_pipe_want = TCP_SPLICE_PIPE_SIZE;

static uint32_t splice_now;		/* seconds, updated by the timer */

/* -T listening sockets in the namespace, fd + 1 (0: none): [port][v6] */
static int splice_ns_fd[NUM_PORTS][2];
/* sock_cc_unpaced() state: host's namespace [0], target namespace [1] */
static int splice_cc_cache[2] = { CC_UNKNOWN, CC_UNKNOWN };

/* Sockets opened in the namespace, options set, ready to connect: [v6] */
static int splice_ns_socks[2][TCP_SPLICE_NS_SOCKS];
static unsigned int splice_ns_socks_n[2];
static bool splice_ns_socks_used[2];	/* refilled by the timer */

/**
 * splice_pipe_new() - Create a pipe and raise its size
 * @p:		Pipe to fill
 *
 * Return: 0 on success, -1 on failure
 *
 * #syscalls:pasta pipe2 fcntl fcntl64
 */
static int splice_pipe_new(struct splice_pipe *p)
{
	int fd[2], size;

	if (pipe2(fd, O_NONBLOCK | O_CLOEXEC))
		return -1;

	if (splice_pipe_want > 0)
		fcntl(fd[0], F_SETPIPE_SZ, splice_pipe_want);
	size = fcntl(fd[0], F_GETPIPE_SZ);

	p->r = fd[0];
	p->w = fd[1];
	p->size = size > 0 ? size : 65536;
	return 0;
}

/**
 * splice_pipe_get() - Take a pipe from the pool, or make a new one
 * @p:		Pipe to fill
 *
 * Return: 0 on success, -1 on failure
 */
static int splice_pipe_get(struct splice_pipe *p)
{
	if (splice_pool_n) {
		*p = splice_pool[--splice_pool_n];
		return 0;
	}
	return splice_pipe_new(p);
}

/**
 * splice_pipe_put() - Give a pipe back to the pool, or close it
 * @p:		Pipe, reset to none
 * @empty:	Pipe holds no data: it can be reused
 */
static void splice_pipe_put(struct splice_pipe *p, bool empty)
{
	if (p->r < 0)
		return;

	if (empty && splice_pool_n < TCP_SPLICE_PIPE_POOL) {
		splice_pool[splice_pool_n++] = *p;
	} else {
		close(p->r);
		close(p->w);
	}
	p->r = p->w = -1;
}

/**
 * splice_pool_fill() - Fill the pipe pool up
 */
static void splice_pool_fill(void)
{
	while (splice_pool_n < TCP_SPLICE_PIPE_POOL) {
		if (splice_pipe_new(&splice_pool[splice_pool_n]))
			break;
		splice_pool_n++;
	}
}

/**
 * splice_conn_close() - Close both sockets, release the pipes
 * @conn:	Connection
 * @rst:	Reset the sockets rather than closing them gracefully
 *
 * #syscalls:pasta close setsockopt
 */
static void splice_conn_close(struct splice_conn *conn, bool rst)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (conn->s[i] < 0)
			continue;
		if (rst) {
			struct linger l = { 1, 0 };

			setsockopt(conn->s[i], SOL_SOCKET, SO_LINGER, &l,
				   sizeof(l));
		}
		close(conn->s[i]);
		conn->s[i] = -1;
	}
	for (i = 0; i < 2; i++)
		splice_pipe_put(&conn->p[i], !conn->pending[i]);

	flow_free(splice_flow(conn));
}

/**
 * splice_rst() - Reset a connection on both sides
 * @conn:	Connection
 */
static void splice_rst(struct splice_conn *conn)
{
	splice_conn_close(conn, true);
}

/**
 * splice_dir() - Move data from one side to the other, as far as possible
 * @conn:	Connection
 * @from:	Side to read from
 *
 * Return: 0 if nothing went wrong, -1 on a socket error (reset needed)
 *
 * #syscalls:pasta splice shutdown
 */
static int splice_dir(struct splice_conn *conn, int from)
{
	struct splice_pipe *p = &conn->p[from];
	int to = !from;

	for (;;) {
		bool again = false, progress = false;
		ssize_t n;

		if (!(conn->flags & SC_EOF(from))) {
			/* A full pipe gives EAGAIN too: only from an empty
			 * one does it say that the socket has nothing
			 */
			bool pipe_empty = !conn->pending[from];

			n = splice(conn->s[from], NULL, p->w, NULL, p->size,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				conn->pending[from] += n;
				splice_flow(conn)->f.bytes[from] += n;
				progress = true;
			} else if (!n) {
				conn->flags |= SC_EOF(from);
			} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
				again = pipe_empty;
			} else if (errno != EINTR) {
				return -1;
			}
		}

		if (conn->pending[from]) {
			n = splice(p->r, NULL, conn->s[to], NULL,
				   conn->pending[from],
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				conn->pending[from] -= n;
				busy_poll_moved((size_t)n);
				progress = true;
			} else if (n < 0 && (errno == EAGAIN ||
					     errno == EWOULDBLOCK)) {
				/* Destination full: wait for EPOLLOUT on it */
				return 0;
			} else if (n < 0 && errno != EINTR) {
				return -1;
			}
		}

		if ((conn->flags & SC_EOF(from)) && !conn->pending[from]) {
			if (!(conn->flags & SC_SHUT(to))) {
				shutdown(conn->s[to], SHUT_WR);
				conn->flags |= SC_SHUT(to);
				splice_flow(conn)->f.state = FLOW_STATE_CLOSING;
			}
			return 0;
		}

		if ((again && !conn->pending[from]) || !progress)
			return 0;
	}
}

/**
 * splice_events() - Relay data after events on one side, close when done
 * @conn:	Connection (connected)
 * @side:	Side the events are for
 * @events:	epoll events
 */
static void splice_events(struct splice_conn *conn, int side, uint32_t events)
{
	if (events & EPOLLERR) {
		splice_rst(conn);
		return;
	}

	if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) &&
	    splice_dir(conn, side)) {
		splice_rst(conn);
		return;
	}
	if ((events & (EPOLLOUT | EPOLLHUP)) && splice_dir(conn, !side)) {
		splice_rst(conn);
		return;
	}

	if ((conn->flags & SC_SHUT(0)) && (conn->flags & SC_SHUT(1)))
		splice_conn_close(conn, false);
}

/**
 * splice_connected() - Connection to the other side done: start relaying
 * @conn:	Connection
 * @events:	epoll events on the connecting socket
 *
 * #syscalls:pasta getsockopt
 */
static void splice_connected(struct splice_conn *conn, uint32_t events)
{
	int err = 0;
	socklen_t sl = sizeof(err);

	/* A failed connect() always comes with EPOLLERR: only then ask.
	 * Ask, though: the event might be stale, left from a socket closed
	 * in this same batch, whose descriptor and flow were reused
	 */
	if ((events & (EPOLLERR | EPOLLHUP)) &&
	    (getsockopt(conn->s[1], SOL_SOCKET, SO_ERROR, &err, &sl) || err)) {
		debug("TCP splice: connection failed: %s", strerror(err));
		splice_rst(conn);
		return;
	}

	if (splice_pipe_get(&conn->p[0]) || splice_pipe_get(&conn->p[1])) {
		warn_once("TCP splice: can't create pipes: %s",
			  strerror(errno));
		splice_rst(conn);
		return;
	}

	conn->flags &= ~SC_CONNECTING;
	splice_flow(conn)->f.state = FLOW_STATE_ACTIVE;

	/* Edge-triggered: anything that arrived meanwhile is still there */
	splice_events(conn, 0, EPOLLIN | EPOLLOUT);
}

/**
 * splice_sa_peer() - Address and port of a peer from its socket address
 * @sa:		Socket address, AF_INET or AF_INET6
 * @a:		Address, unspecified for another family
 * @port:	Port, host order, 0 for another family
 */
static void splice_sa_peer(const struct sockaddr_storage *sa,
			   union inany_addr *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	*port = 0;

	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)sa;

		inany_from_v4(a, a4->sin_addr);
		*port = ntohs(a4->sin_port);
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)sa;

		a->a6 = a6->sin6_addr;
		*port = ntohs(a6->sin6_port);
	}
}

/**
 * splice_sock_opts() - Options of a spliced socket
 * @s:		Socket
 * @ns:		@s is in the target namespace, else in the host's
 */
static void splice_sock_opts(int s, bool ns)
{
	int one = 1;

	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	sock_cc_unpaced(s, &splice_cc_cache[ns]);
}

/**
 * splice_new() - Set up a connection from an accepted socket
 * @c:		Execution context
 * @s:		Accepted socket
 * @t:		Socket to connect to the other side, negative on failure
 * @v6:		Connect to ::1, not 127.0.0.1
 * @to:		Port to connect to
 * @ns:		@s is in the namespace (-T), else on the host (-t)
 * @peer:	Peer address of @s, NULL if unknown
 * @pport:	Peer port of @s
 *
 * Both sockets are owned by the connection (closed on failure).
 *
 * #syscalls:pasta connect
 */
static void splice_new(struct ctx *c, int s, int t, bool v6, uint16_t to,
		       bool ns, const union inany_addr *peer, uint16_t pport)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_SPLICE };
	struct sockaddr_storage sa = { 0 };
	struct splice_conn *conn;
	struct flow *fl = NULL;
	union inany_addr lo;
	uint32_t idx, ev;
	socklen_t sl;
	int i;

	if (t >= 0 && s <= FD_REF_MAX && t <= FD_REF_MAX &&
	    !(fl = flow_alloc(FLOW_TCP_SPLICE, splice_now)))
		warn_once("TCP splice: connection table full");

	if (!fl) {
		struct linger l = { 1, 0 };

		setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(s);
		if (t >= 0)
			close(t);
		return;
	}

	idx = flow_idx(fl);
	conn = flow_priv(fl);
	conn->s[0] = s;
	conn->s[1] = t;
	conn->p[0].r = conn->p[0].w = conn->p[1].r = conn->p[1].w = -1;
	conn->flags = SC_CONNECTING;

	if (v6)
		lo.a6 = in6addr_loopback;
	else
		inany_from_v4(&lo, (struct in_addr){ htonl(INADDR_LOOPBACK) });
	flow_side_set(&fl->f.side[INISIDE], ns ? PIF_NS : PIF_HOST, peer, pport,
		      NULL, 0);
	flow_side_set(&fl->f.side[TGTSIDE], ns ? PIF_HOST : PIF_NS, &lo, to,
		      NULL, 0);

	/* @s was accepted from a listener with TCP_NODELAY (both -t and -T),
	 * and, for -T, only loopback connections: the congestion control
	 * is set there too, and inherited
	 */
	if (!ns)
		sock_cc_unpaced(s, &splice_cc_cache[0]);
	/* @t has its options: from splice_accept(), or the pool */

	if (v6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&sa;

		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_loopback;
		a6->sin6_port = htons(to);
		sl = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&sa;

		a4->sin_family = AF_INET;
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a4->sin_port = htons(to);
		sl = sizeof(*a4);
	}

	if (connect(t, (struct sockaddr *)&sa, sl) && errno != EINPROGRESS) {
		debug("TCP splice: connect to port %u: %s", to,
		      strerror(errno));
		splice_rst(conn);
		return;
	}

	ev = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	for (i = 0; i < 2; i++) {
		ref.fd = conn->s[i];
		ref.data = idx << 1 | i;
		if (passt_epoll_add(c, ev, ref)) {
			splice_rst(conn);
			return;
		}
	}
	/* Completion (or failure) comes as EPOLLOUT on side 1 */
}

/**
 * splice_ns_fill() - Open sockets for the pools, in the namespace
 * @arg:	Pools to fill: bool [2], index v6
 *
 * Runs in the child task of ns_call(), which shares our memory: the
 * sockets go straight into the pools.
 *
 * Return: 0 if the pools asked for have a socket at least, else -1 with
 *	   errno set
 *
 * #syscalls:pasta socket
 */
static int splice_ns_fill(void *arg)
{
	const bool *want = arg;
	int v6, rc = 0;

	for (v6 = 0; v6 < 2; v6++) {
		unsigned int *n = &splice_ns_socks_n[v6];

		if (!want[v6])
			continue;
		while (*n < TCP_SPLICE_NS_SOCKS) {
			int s = socket(v6 ? AF_INET6 : AF_INET,
				       SOCK_STREAM | SOCK_NONBLOCK |
				       SOCK_CLOEXEC, IPPROTO_TCP);

			if (s < 0)
				break;
			splice_ns_socks[v6][(*n)++] = s;
		}
		if (!*n)
			rc = -1;
	}
	return rc;
}

/**
 * splice_ns_socks_fill() - Fill the pools of namespace sockets in use up
 * @c:		Execution context
 * @v6:		Fill the IPv6 pool (else IPv4) in any case, and from now on
 *
 * Options go on each new socket here, off the connections' path.
 *
 * Return: 0 if the pool for @v6 has a socket, -1 with errno set if not
 *
 * #syscalls:pasta close
 */
static int splice_ns_socks_fill(const struct ctx *c, bool v6)
{
	unsigned int n[2] = { splice_ns_socks_n[0], splice_ns_socks_n[1] };
	bool want[2];
	int i, err;

	splice_ns_socks_used[v6] = true;
	for (i = 0; i < 2; i++)
		want[i] = splice_ns_socks_used[i] &&
			  splice_ns_socks_n[i] < TCP_SPLICE_NS_SOCKS;
	if (!want[0] && !want[1])
		return 0;

	ns_call(c, splice_ns_fill, want);
	err = errno;

	for (i = 0; i < 2; i++) {
		unsigned int k;

		/* Sockets we can't refer to with an epoll reference: drop */
		for (k = n[i]; k < splice_ns_socks_n[i]; k++) {
			int s = splice_ns_socks[i][k];

			if (s > FD_REF_MAX) {
				while (splice_ns_socks_n[i] > k)
					close(splice_ns_socks
					      [i][--splice_ns_socks_n[i]]);
				err = EMFILE;
				break;
			}
			splice_sock_opts(s, true);
		}
	}

	if (splice_ns_socks_n[v6])
		return 0;
	errno = err;
	return -1;
}

/**
 * splice_ns_sock() - A socket of the namespace, from the pool
 * @c:		Execution context
 * @v6:		IPv6, else IPv4
 *
 * Return: socket, with its options, or -1 with errno set
 */
static int splice_ns_sock(const struct ctx *c, bool v6)
{
	if (!splice_ns_socks_n[v6] && splice_ns_socks_fill(c, v6))
		return -1;
	return splice_ns_socks[v6][--splice_ns_socks_n[v6]];
}

/**
 * tcp_splice_conn_from_sock() - Relay a connection accepted on a -t port
 *				 from the host's loopback into the namespace
 * @c:		Execution context
 * @s:		Accepted socket (ownership taken: closed on failure)
 * @sa:		Peer address of @s (loopback)
 * @to:		Port to connect to on the namespace's loopback
 */
void tcp_splice_conn_from_sock(struct ctx *c, int s,
			       const struct sockaddr_storage *sa, uint16_t to)
{
	union inany_addr peer;
	uint16_t pport = 0;
	bool v6 = false;
	int t;

	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)sa;

		v6 = !IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr);
	}
	splice_sa_peer(sa, &peer, &pport);

	t = splice_ns_sock(c, v6);
	if (t < 0)
		debug("TCP splice: no socket in namespace: %s",
		      strerror(errno));
	splice_new(c, s, t, v6, to, false, &peer, pport);
}

/**
 * splice_accept() - Accept connections on a -T listening socket
 * @c:		Execution context
 * @ref:	epoll reference
 *
 * #syscalls:pasta accept4 accept socket
 */
static void splice_accept(struct ctx *c, union epoll_ref ref)
{
	bool v6 = ref.data & SPLICE_REF_V6;
	uint16_t to = ref.data & 0xffff;
	int i;

	flow_rule_cur = fwd_lsock_rule(ref.fd);	/* new flows remember it */
	for (i = 0; i < 64; i++) {
		struct sockaddr_storage sa;
		socklen_t sl = sizeof(sa);
		union inany_addr peer;
		uint16_t pport = 0;
		int s, t;

		s = accept4(ref.fd, (struct sockaddr *)&sa, &sl,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0) {
			if (errno == EMFILE || errno == ENFILE)
				warn_once("TCP splice: out of descriptors");
			break;
		}
		splice_sa_peer(&sa, &peer, &pport);

		t = socket(v6 ? AF_INET6 : AF_INET,
			   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			   IPPROTO_TCP);
		if (t >= 0)
			splice_sock_opts(t, false);
		splice_new(c, s, t, v6, to, true, &peer, pport);
	}
	flow_rule_cur = 0;
}

/**
 * tcp_splice_flow_rst() - Reset a spliced connection, e.g. as its
 *			   forwarding rule goes
 * @idx:	Flow index, of type FLOW_TCP_SPLICE
 */
void tcp_splice_flow_rst(uint32_t idx)
{
	if (idx < FLOW_MAX && flow_at(idx)->f.type == FLOW_TCP_SPLICE)
		splice_rst(flow_priv(flow_at(idx)));
}

/**
 * tcp_splice_sock_handler() - Events on spliced sockets and -T listeners
 * @c:		Execution context
 * @ref:	epoll reference, type EPOLL_TYPE_TCP_SPLICE
 * @events:	epoll events
 */
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events)
{
	struct splice_conn *conn;
	uint32_t idx;
	int side;

	if (ref.data & SPLICE_REF_LISTEN) {
		splice_accept(c, ref);
		return;
	}

	idx = ref.data >> 1;
	side = ref.data & 1;
	if (idx >= FLOW_MAX || flow_at(idx)->f.type != FLOW_TCP_SPLICE)
		return;
	conn = flow_priv(flow_at(idx));
	if (conn->s[side] != ref.fd)
		return;

	if (conn->flags & SC_CONNECTING) {
		if (side == 1 && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			splice_connected(conn, events);
		else if (side == 0 && (events & EPOLLERR))
			splice_rst(conn);
		return;
	}

	splice_events(conn, side, events);
}

/**
 * tcp_splice_timer() - Connection attempts timing out, pipe pool refill
 * @c:		Execution context
 * @now:	Current time
 */
void tcp_splice_timer(struct ctx *c, const struct timespec *now)
{
	unsigned int i;

	splice_now = (uint32_t)now->tv_sec;

	for (i = 0; i < flow_hwm(); i++) {
		struct flow *fl = flow_at(i);
		struct splice_conn *conn = flow_priv(fl);

		if (fl->f.type == FLOW_TCP_SPLICE &&
		    (conn->flags & SC_CONNECTING) &&
		    splice_now - fl->f.since > TCP_SPLICE_CONNECT_TIMEOUT) {
			debug("TCP splice: connect timeout");
			splice_rst(conn);
		}
	}

	splice_pool_fill();
	/* Only if a connection took from them: entering costs a task */
	if (splice_ns_socks_used[0] || splice_ns_socks_used[1])
		splice_ns_socks_fill(c, splice_ns_socks_used[1]);
}

/**
 * struct splice_listen_arg - Listening socket to open in the namespace
 * @v6:		::1 rather than 127.0.0.1
 * @port:	Port
 */
struct splice_listen_arg {
	bool v6;
	uint16_t port;
};

/**
 * splice_listen_sock() - Listen on a loopback address, for ns_call()
 * @arg:	struct splice_listen_arg
 *
 * Return: socket, or -1 with errno set
 *
 * #syscalls:pasta socket bind listen setsockopt close
 */
static int splice_listen_sock(void *arg)
{
	const struct splice_listen_arg *a = arg;
	struct sockaddr_storage sa = { 0 };
	int s, one = 1, e;
	socklen_t sl;

	s = socket(a->v6 ? AF_INET6 : AF_INET,
		   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0)
		return -1;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->v6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&sa;

		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_loopback;
		a6->sin6_port = htons(a->port);
		sl = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&sa;

		a4->sin_family = AF_INET;
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a4->sin_port = htons(a->port);
		sl = sizeof(*a4);
	}

	if (bind(s, (struct sockaddr *)&sa, sl) || listen(s, SOMAXCONN)) {
		e = errno;
		close(s);
		errno = e;
		return -1;
	}
	return s;
}

/**
 * tcp_splice_ns_listen() - Listen on the namespace's loopback (127.0.0.1
 *			    and ::1) and relay to the host's loopback (-T)
 * @c:		Execution context
 * @port:	Port to listen on in the namespace
 * @to:		Port on the host's loopback
 *
 * Return: 0 if at least one family could be bound (or already listening),
 *	   negative error code otherwise
 */
int tcp_splice_ns_listen(struct ctx *c, uint16_t port, uint16_t to)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_SPLICE };
	int v6, ret = -EINVAL, bound = 0;

	if (c->mode != MODE_PASTA || c->no_tcp)
		return -EINVAL;
	if (splice_ns_fd[port][0] || splice_ns_fd[port][1])
		return 0;

	for (v6 = 0; v6 < 2; v6++) {
		struct splice_listen_arg a = { .v6 = v6, .port = port };
		int s;

		s = ns_call(c, splice_listen_sock, &a);
		if (s < 0) {
			ret = -errno;
			continue;
		}
		if (s > FD_REF_MAX) {
			close(s);
			ret = -EMFILE;
			continue;
		}

		/* Loopback only: accepted sockets inherit both options */
		splice_sock_opts(s, true);

		ref.fd = s;
		ref.data = SPLICE_REF_LISTEN | (v6 ? SPLICE_REF_V6 : 0) | to;
		if ((ret = passt_epoll_add(c, EPOLLIN, ref))) {
			close(s);
			continue;
		}
		fwd_lsock_note(s, ref.u64);
		splice_ns_fd[port][v6] = s + 1;
		bound++;
	}

	return bound ? 0 : (ret < 0 ? ret : -EIO);
}

/**
 * tcp_splice_ns_unlisten() - Close -T listening sockets of a port
 * @c:		Execution context
 * @port:	Port
 */
void tcp_splice_ns_unlisten(struct ctx *c, uint16_t port)
{
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		int s = splice_ns_fd[port][v6] - 1;

		if (s < 0)
			continue;
		fwd_lsock_forget(s);
		passt_epoll_del(c, s);
		close(s);
		splice_ns_fd[port][v6] = 0;
	}
}

/**
 * tcp_splice_listen_close() - Close a -T listening socket of a rule
 * @c:		Execution context
 * @fd:		Socket
 *
 * #syscalls:pasta getsockname
 */
void tcp_splice_listen_close(struct ctx *c, int fd)
{
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);

	if (!getsockname(fd, (struct sockaddr *)&sa, &sl)) {
		bool v6 = sa.ss_family == AF_INET6;
		uint16_t port = ntohs(v6 ?
				      ((struct sockaddr_in6 *)&sa)->sin6_port :
				      ((struct sockaddr_in *)&sa)->sin_port);

		if (splice_ns_fd[port][v6] == fd + 1)
			splice_ns_fd[port][v6] = 0;
	}
	fwd_lsock_forget(fd);
	passt_epoll_del(c, fd);
	close(fd);
}

/**
 * tcp_splice_init() - Pipe pool, -T listening sockets in the namespace
 * @c:		Execution context
 *
 * Return: 0 on success, -1 if an explicitly requested -T port can't be bound
 *
 * #syscalls:pasta clock_gettime
 */
int tcp_splice_init(struct ctx *c)
{
	const struct fwd_ports *fwd = &c->tcp_out;
	unsigned int i, tried = 0, bound = 0;
	struct timespec now;
	char buf[32];
	long max;

	if (c->mode != MODE_PASTA || c->no_tcp)
		return 0;

	/* Until the timer first runs, connections are this old: not zero,
	 * or the first tick finds those still connecting timed out
	 */
	if (!clock_gettime(CLOCK_MONOTONIC, &now))
		splice_now = (uint32_t)now.tv_sec;

	if (read_file("/proc/sys/fs/pipe-max-size", buf, sizeof(buf)) > 0 &&
	    (max = strtol(buf, NULL, 10)) > 0 && max < splice_pipe_want)
		splice_pipe_want = (int)max;
	splice_pool_fill();

	/* Namespace sockets for -t connections ready from the start, for
	 * the IP versions clients can use: a bounded, constant number of
	 * descriptors, whatever the number of connections
	 */
	if (c->tcp_in.mode != FWD_NONE && !c->no_splice) {
		splice_ns_socks_used[0] = !!c->ifi4;
		splice_ns_socks_used[1] = !!c->ifi6;
		if (c->ifi4 || c->ifi6)
			splice_ns_socks_fill(c, !c->ifi4);
	}

	if (fwd->mode != FWD_SPEC && fwd->mode != FWD_ALL)
		return 0;

	for (i = 0; i < fwd->count && i < FWD_RULES_MAX; i++) {
		const struct fwd_rule *r = &fwd->rules[i];
		unsigned int p;

		fwd_rule_binding = r->id;
		for (p = r->first; p && p <= r->last; p++) {
			uint16_t to = (uint16_t)(r->to + (p - r->first));
			int rc;

			if (fwd_port_excluded(fwd, (uint16_t)p))
				continue;

			tried++;
			rc = tcp_splice_ns_listen(c, (uint16_t)p, to);
			if (!rc) {
				bound++;
			} else if (fwd->mode != FWD_ALL &&
				   !(r->flags & FWD_WEAK)) {
				err("Failed to bind port %u in namespace: %s",
				    p, strerror(-rc));
				fwd_rule_binding = 0;
				return -1;
			}
		}
	}
	fwd_rule_binding = 0;

	if (tried && !bound) {
		err("Failed to bind any TCP port in namespace");
		return -1;
	}
	return 0;
}
