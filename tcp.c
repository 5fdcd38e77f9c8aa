/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * tcp.c - TCP translation between guest segments and host sockets
 *
 * There is no TCP stack here: the host kernel's socket is the endpoint on
 * the host side, and we keep the guest's view of each connection in step
 * with that socket.
 *
 * Host to guest: data stays in the socket receive queue until the guest
 * acknowledges it. It is read with MSG_PEEK at the SO_PEEK_OFF offset (the
 * first byte not sent to the guest yet) straight into the room tap.c gives
 * for frames (tap_room(): our arena, or a vhost-user guest's own buffers),
 * many segments per recvmsg(), then headers are filled in and the frames
 * committed; they go out in big batches from tcp_defer_handler().
 * Acknowledged bytes are dropped from the socket with MSG_TRUNC.
 * Retransmission re-reads from the socket: one segment on three duplicate
 * ACKs or on timeout, then one per partial ACK until the recovery point is
 * acknowledged (NewReno style, RFC 6582). Frames the tap side couldn't take
 * rewind the connection to the first of them, and it retries on a timer;
 * with no room at all (a vhost-user guest out of buffers) the connection
 * waits instead, and tcp_tap_room() resumes it when the guest adds some.
 *
 * Guest to host: the payload of all segments of one batch is written with
 * one sendmsg(); only what the socket accepted is acknowledged, and the
 * window advertised to the guest is the free space of the socket send
 * buffer, so that the guest is back-pressured rather than dropped.
 * Out-of-order and duplicate segments are answered with the expected ACK,
 * and never written twice.
 *
 * Timers: a single timerfd (EPOLL_TYPE_TCP_TIMER) is armed for the earliest
 * deadline (retransmission, handshake retry, window probe) among the
 * connections on a timer list; coarse timeouts (connect, handshake, idle)
 * are checked by tcp_timer() once a second.
 *
 * Connections are entries of type FLOW_TCP in the flow table of flow.h,
 * whose hash index maps guest-side addresses and ports to them. A guest
 * connecting out is the flow's INISIDE (PIF_TAP), the host socket its
 * TGTSIDE (PIF_HOST); connections accepted on forwarded ports (C_INBOUND)
 * have them the other way round: see tcp_tapside().
 */

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>

#include "checksum.h"
#include "flow.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "passt.h"
#include "tap.h"
#include "tcp.h"
#include "tcp_splice.h"
#include "util.h"

#ifndef SO_PEEK_OFF
#define SO_PEEK_OFF		42
#endif
#ifndef SO_MEMINFO
#define SO_MEMINFO		55
#endif

/* Sizes */
#define TCP_CONN_MAX		FLOW_TCP_MAX	/* connections at most */
#define TCP_OUT_MAX		1024		/* frames queued per flush */
/* Data frame buffers: eight frames of the largest size, 513 KiB */
#define TCP_GSO_FRAME_MAX	65535		/* GSO frame, from L2 */
#define TCP_CTL_SIZE		128		/* control frame slot */
#define TCP_CTL_L4_OFF		56		/* TCP header, ctl slot */
#define TCP_DISCARD_SIZE	(1U << 20)	/* peek without SO_PEEK_OFF */
#define TCP_INFLIGHT_MAX	(16U << 20)	/* bytes in flight to guest */
#define TCP_SOCK_BUF		(4 << 20)	/* socket buffer size request */
#define TCP_WRITE_OVERHEAD	512		/* send buffer cost per write */

/* Protocol constants */
#define TCP_WS_TO_TAP		8		/* window scaling we offer */
#define TCP_WS_MAX		14
#define TCP_MSS4_DEFAULT	536
#define TCP_MSS6_DEFAULT	1220
#define TCP_DUPACK_THRESH	3
#define TCP_WND_SEGS		384	/* window cap, in guest segments */

/* Timing */
#define TCP_RTO_MS		200		/* initial RTO */
#define TCP_RTO_MAX_MS		10000
#define TCP_RETRANS_MAX		9		/* then reset */
#define TCP_SYN_RETRIES		5
#define TCP_TAP_RETRY_MS	2		/* tap was full: try again */
#define TCP_CONNECT_TIMEOUT_S	10
#define TCP_HANDSHAKE_TIMEOUT_S	30
#define TCP_IDLE_TIMEOUT_S	7200

#define TCP_HLEN		sizeof(struct tcphdr)	/* without options */

/* TCP header of a guest segment: it sits wherever the frame puts it, so no
 * alignment may be assumed (our own frames have it 4-byte aligned)
 */
typedef struct tcphdr __attribute__((aligned(1))) tcphdr_ua;
#define TCP_TS_LEN		TCPOLEN_TSTAMP_APPA	/* NOP, NOP, TS */

#define SEQ_LT(a, b)		((int32_t)((a) - (b)) < 0)
#define SEQ_LE(a, b)		((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b)		((int32_t)((a) - (b)) > 0)
#define SEQ_GE(a, b)		((int32_t)((a) - (b)) >= 0)

#define IDX_NONE		UINT32_MAX

/* Connection flags: observed events and bookkeeping */
#define C_INBOUND		(1U << 0)	/* accepted: forwarded port */
#define C_V6			(1U << 1)	/* IPv6 on the tap side */
#define C_CONNECTED		(1U << 2)	/* host socket connected */
#define C_SYN_SENT		(1U << 3)	/* SYN(-ACK) sent to guest */
#define C_ESTABLISHED		(1U << 4)
#define C_SOCK_FIN		(1U << 5)	/* end of stream from socket */
#define C_TAP_FIN_SENT		(1U << 6)	/* FIN sent to guest */
#define C_TAP_FIN_ACKED		(1U << 7)	/* ... and acknowledged */
#define C_TAP_FIN		(1U << 8)	/* guest FIN: SHUT_WR done */
#define C_CLOSING		(1U << 9)	/* closed, slot freed soon */
#define C_ACK_LIST		(1U << 10)	/* on the pending ACK list */
#define C_TIMER_LIST		(1U << 11)	/* on the timer list */
#define C_WND_BLOCKED		(1U << 12)	/* small window: EPOLLOUT */
#define C_RECOVERY		(1U << 13)	/* resending up to @recover */
#define C_FORCE_ACK		(1U << 14)	/* send ACK even if unchanged */
#define C_TAP_RETRY		(1U << 15)	/* tap dropped frames: resend */
#define C_TS			(1U << 16)	/* RFC 7323 timestamps */
#define C_DROPPED		(1U << 17)	/* frames dropped, this flush */
#define C_TAP_WAIT		(1U << 18)	/* no room toward the guest */

/**
 * struct tcp_conn - Connection between a guest and a host socket, private
 *		     area of a FLOW_TCP flow entry
 * @sock:		Host socket, -1 if none
 * @flags:		C_* flags
 * @mss:		Largest segment payload we send to the guest
 * @ws_from_tap:	Window scaling shift of the guest's windows
 * @ws_to_tap:		Window scaling shift of the windows we advertise
 * @retrans:		Consecutive timeouts without progress
 * @dup_acks:		Duplicate ACKs seen for @una
 * @tap_backoff:	Shift of the retry interval while the tap drops frames
 * @tmpl:		IP header of our packets to the guest, filled once
 * @tpos:		Position in the timer list
 * @seq_to_tap:		Next data sequence number to send to the guest
 * @una:		Oldest data byte the guest hasn't acknowledged
 * @recover:		End of the retransmission episode (C_RECOVERY)
 * @seq_from_tap:	Next sequence number expected from the guest
 * @seq_ack_to_tap:	Last acknowledgement number sent to the guest
 * @wnd_from_tap:	Window advertised by the guest, bytes
 * @wnd_to_tap:		Window we last advertised, bytes
 * @wnd_credit:		Bytes we may still write to the socket before the
 *			window needs computing again
 * @deadline:		Timer deadline, ms (tcp_now), 0 if none
 * @rto:		Current retransmission timeout, ms
 * @since:		Creation or last activity, seconds
 * @ts_recent:		Latest timestamp value from the guest, to echo
 * @ts_off:		Offset of our timestamp clock for this connection
 */
struct tcp_conn {
	int sock;
	uint32_t flags;
	uint16_t mss;
	uint8_t ws_from_tap;
	uint8_t ws_to_tap;
	uint8_t retrans;
	uint8_t dup_acks;
	uint8_t tap_backoff;
	uint16_t rto;
	uint16_t tpos;
	struct tap_hdr_tmpl tmpl;
	uint32_t seq_to_tap;
	uint32_t una;
	uint32_t recover;
	uint32_t seq_from_tap;
	uint32_t seq_ack_to_tap;
	uint32_t wnd_from_tap;
	uint32_t wnd_to_tap;
	uint32_t wnd_credit;
	uint32_t deadline;
	uint32_t since;
	uint32_t ts_recent;
	uint32_t ts_off;
};

static_assert(TCP_CONN_MAX <= UINT16_MAX + 1 &&
	      TCP_RTO_MAX_MS * 2 <= UINT16_MAX,
	      "Timer list positions and timeouts must fit their fields");
static_assert(sizeof(struct tcp_conn) <= FLOW_PRIV_SIZE,
	      "TCP connection state must fit the flow table's private area");

/**
 * struct tcp_out_meta - What a queued frame carries, to undo if dropped
 * @conn:	Connection index, IDX_NONE for replies without a connection
 * @seq:	Sequence number of the payload or FIN
 * @dlen:	Payload length
 * @fin:	FIN set
 */
struct tcp_out_meta {
	uint32_t conn;
	uint32_t seq;
	uint32_t dlen;
	uint8_t fin;
};

/* Lists of connections (flow indices) */
static uint32_t tcp_tlist[TCP_CONN_MAX];	/* conns with a deadline */
static unsigned int tcp_tlist_n;
static uint32_t tcp_alist[TCP_CONN_MAX];	/* conns owing an ACK */
static unsigned int tcp_alist_n;
static uint32_t tcp_clist[TCP_CONN_MAX];	/* conns to free */
static unsigned int tcp_clist_n;

/* Frames towards the guest, in tap.c's room, flushed in batches: what
 * each one carries, and our own buffers for control frames
 */
static struct tcp_out_meta tcp_out_meta[TCP_OUT_MAX];
static unsigned int tcp_out_n;
static uint8_t tcp_ctl_buf[TCP_OUT_MAX][TCP_CTL_SIZE]
	__attribute__((aligned(64)));
static_assert(TCP_OUT_MAX <= TAP_OUT_MAX && TCP_CTL_SIZE <= TAP_HROOM,
	      "Control frames must fit tap.c's queue and room");

/* Connections waiting for room toward the guest (vhost-user) */
static uint32_t tcp_wlist[TCP_CONN_MAX];
static unsigned int tcp_wlist_n;

/* Peeking without SO_PEEK_OFF: bytes already sent land here */
static uint8_t tcp_discard[TCP_DISCARD_SIZE];
static bool tcp_peek_off_ok;
/* sock_cc_unpaced() for our namespace's sockets */
static int tcp_cc_cache = CC_UNKNOWN;
/* SO_RCVBUFFORCE and SO_SNDBUFFORCE refused (no CAP_NET_ADMIN): skip them */
static bool tcp_buf_noforce;
/* Send buffer size of a fresh host socket, 0: not known yet; [1]: accepted
 * ones (from listeners set up, maybe, while we still had capabilities)
 */
static uint32_t tcp_sndbuf_fresh[2];
/* Send buffer size tcp_wnd_calc() last saw with nothing queued, 0: none */
static uint32_t tcp_sndbuf_seen;

/* Timer */
static int tcp_timer_fd = -1;
static uint32_t tcp_timer_armed;		/* deadline armed, 0: none */
static uint32_t tcp_now;			/* ms, monotonic */
static uint32_t tcp_now_s;			/* s, monotonic */

/* Listening sockets bound by tcp_listen_port(), fd + 1 (0: none) */
static int tcp_port_fd[NUM_PORTS];

/**
 * tcp_clock() - Update our notion of the current time
 * @now:	Current time, CLOCK_MONOTONIC
 */
static void tcp_clock(const struct timespec *now)
{
	tcp_now = (uint32_t)((uint64_t)now->tv_sec * 1000 +
			     now->tv_nsec / 1000000);
	tcp_now_s = (uint32_t)now->tv_sec;
}

/**
 * tcp_flow() - Flow entry of a connection
 * @conn:	Connection
 *
 * Return: the entry
 */
static inline struct flow *tcp_flow(const struct tcp_conn *conn)
{
	return flow_of_priv(conn);
}

/**
 * tcp_idx() - Flow index of a connection
 * @conn:	Connection
 *
 * Return: index
 */
static inline uint32_t tcp_idx(const struct tcp_conn *conn)
{
	return flow_idx(tcp_flow(conn));
}

/**
 * tcp_at() - Connection of a flow index
 * @idx:	Flow index, of a FLOW_TCP entry
 *
 * Return: connection
 */
static inline struct tcp_conn *tcp_at(uint32_t idx)
{
	return flow_priv(flow_at(idx));
}

/**
 * tcp_tap_sidx() - Side of the flow the guest is on
 * @conn:	Connection
 *
 * Return: TGTSIDE for connections accepted on forwarded ports, INISIDE else
 */
static inline int tcp_tap_sidx(const struct tcp_conn *conn)
{
	return (conn->flags & C_INBOUND) ? TGTSIDE : INISIDE;
}

/**
 * tcp_tapside() - Guest side of a connection: peer is the guest, ours the
 *		   address and port it talks to
 * @conn:	Connection, C_INBOUND set if it applies
 *
 * Return: the side
 */
static inline struct flow_side *tcp_tapside(const struct tcp_conn *conn)
{
	return &tcp_flow(conn)->f.side[tcp_tap_sidx(conn)];
}

/**
 * tcp_state() - Set the coarse state of a connection, for listings
 * @conn:	Connection
 * @state:	enum flow_state
 */
static void tcp_state(const struct tcp_conn *conn, enum flow_state state)
{
	tcp_flow(conn)->f.state = state;
}

/**
 * tcp_key() - Fill the flow index key for the guest side of a connection
 * @k:		Key
 * @ours:	Address the guest talks to
 * @gaddr:	Guest address
 * @our_port:	Port the guest talks to
 * @gport:	Guest port
 */
static void tcp_key(struct flow_key *k, const union inany_addr *ours,
		    const union inany_addr *gaddr, uint16_t our_port,
		    uint16_t gport)
{
	flow_key_set(k, IPPROTO_TCP, PIF_TAP, gaddr, gport, ours, our_port);
}

/**
 * tcp_conn_key() - Flow index key of a connection
 * @k:		Key
 * @conn:	Connection
 */
static void tcp_conn_key(struct flow_key *k, const struct tcp_conn *conn)
{
	const struct flow_side *tap = tcp_tapside(conn);

	tcp_key(k, &tap->ours, &tap->peer, tap->our_port, tap->peer_port);
}

/**
 * tcp_seq_init() - Initial sequence number, RFC 6528: keyed hash plus clock,
 *		    and timestamp offset, RFC 7323 5.4: keyed hash
 * @conn:	Connection, addresses and ports set
 *
 * Both grow with time for a given pair of addresses and ports, so that the
 * guest's TIME-WAIT socket of an earlier connection with the same ones
 * takes our new SYN (RFC 6191): a random timestamp offset would fail its
 * PAWS check half of the time.
 */
static void tcp_seq_init(struct tcp_conn *conn)
{
	const struct flow_side *tap = tcp_tapside(conn);
	struct {
		union inany_addr ours;
		union inany_addr peer;
		uint16_t our_port;
		uint16_t peer_port;
	} __attribute__((packed)) in = {
		tap->ours, tap->peer, tap->our_port, tap->peer_port,
	};
	struct timespec ts;
	uint64_t h, t;

	h = siphash_2_4(&in, sizeof(in));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* 4 µs ticks (approximately: 4.096 µs) */
	t = ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) >> 12;

	conn->seq_to_tap = conn->una = (uint32_t)h + (uint32_t)t + 1;
	conn->ts_off = (uint32_t)(h >> 32);
}

/**
 * tcp_mss_max() - Largest segment payload on the tap side
 * @c:		Execution context
 * @v6:		IPv6
 *
 * Return: MSS from the MTU, and what fits a frame
 */
static uint16_t tcp_mss_max(const struct ctx *c, bool v6)
{
	long l3 = v6 ? sizeof(struct ip6_hdr) : sizeof(struct iphdr);
	long mtu = c->mtu ? c->mtu : MTU_DEFAULT;
	long mss = mtu - l3 - (long)TCP_HLEN;
	long lim = FRAME_MAX - ETH_HLEN - l3 - (long)TCP_HLEN;

	if (mss > lim)
		mss = lim;
	/* IPv4 total length field */
	if (!v6 && mss > IP_MAXPACKET - l3 - (long)TCP_HLEN)
		mss = IP_MAXPACKET - l3 - (long)TCP_HLEN;
	if (mss < 64)
		mss = 64;
	return (uint16_t)mss;
}

/**
 * tcp_opts_parse() - Parse MSS and window scaling options of a SYN
 * @th:		TCP header
 * @hlen:	Header length, options included, checked against the segment
 * @mss:	Set to the MSS option value, unchanged if absent
 * @ws:		Set to the window scaling shift, -1 if absent
 * @ts:		Set to the timestamp value, if present
 *
 * Return: true if a timestamp option was found
 */
static bool tcp_opts_parse(const tcphdr_ua *th, size_t hlen,
			   unsigned int *mss, int *ws, uint32_t *ts)
{
	bool has_ts = false;

	const uint8_t *o = (const uint8_t *)th + TCP_HLEN;
	size_t len = hlen - TCP_HLEN, i = 0;

	*ws = -1;
	while (i < len) {
		uint8_t kind = o[i], olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;
		olen = o[i + 1];
		if (olen < 2 || i + olen > len)	/* kind and length */
			break;

		if (kind == TCPOPT_MAXSEG && olen == TCPOLEN_MAXSEG) {
			unsigned int v = (unsigned int)o[i + 2] << 8 | o[i + 3];

			if (v)
				*mss = v;
		} else if (kind == TCPOPT_WINDOW && olen == TCPOLEN_WINDOW) {
			*ws = MIN(o[i + 2], TCP_WS_MAX);
		} else if (kind == TCPOPT_TIMESTAMP &&
			   olen == TCPOLEN_TIMESTAMP) {
			memcpy(ts, o + i + 2, 4);
			*ts = ntohl(*ts);
			has_ts = true;
		}
		i += olen;
	}

	return has_ts;
}

/**
 * tcp_ts_get() - Timestamp value of a segment, fast for the usual layout
 * @th:		TCP header
 * @hlen:	Header length, options included, checked against the segment
 * @ts:		Set to the timestamp value, if present
 *
 * Return: true if a timestamp option was found
 */
static bool tcp_ts_get(const tcphdr_ua *th, size_t hlen, uint32_t *ts)
{
	const uint8_t *o = (const uint8_t *)th + TCP_HLEN;
	unsigned int mss = 0;
	int ws;

	if (hlen == TCP_HLEN)
		return false;
	if (hlen == TCP_HLEN + TCP_TS_LEN && o[0] == TCPOPT_NOP &&
	    o[1] == TCPOPT_NOP && o[2] == TCPOPT_TIMESTAMP &&
	    o[3] == TCPOLEN_TIMESTAMP) {
		memcpy(ts, o + 4, 4);
		*ts = ntohl(*ts);
		return true;
	}
	return tcp_opts_parse(th, hlen, &mss, &ws, ts);
}

/**
 * tcp_ts_opt() - Write the timestamp option (with two NOPs in front)
 * @conn:	Connection
 * @o:		Where to write, TCP_TS_LEN bytes
 */
static void tcp_ts_opt(const struct tcp_conn *conn, uint8_t *o)
{
	uint32_t v = htonl(tcp_now + conn->ts_off);

	o[0] = o[1] = TCPOPT_NOP;
	o[2] = TCPOPT_TIMESTAMP;
	o[3] = TCPOLEN_TIMESTAMP;
	memcpy(o + 4, &v, 4);
	v = htonl(conn->ts_recent);
	memcpy(o + 8, &v, 4);
}

/* Timers */

/**
 * tcp_timer_arm() - Make sure the timerfd fires no later than a deadline
 * @deadline:	Deadline, ms (tcp_now)
 */
static void tcp_timer_arm(uint32_t deadline)
{
	struct itimerspec it = { { 0, 0 }, { 0, 0 } };
	int32_t delta;

	if (tcp_timer_fd < 0)
		return;
	if (tcp_timer_armed && SEQ_GE(deadline, tcp_timer_armed))
		return;

	delta = (int32_t)(deadline - tcp_now);
	if (delta < 1)
		delta = 1;
	it.it_value.tv_sec = delta / 1000;
	it.it_value.tv_nsec = (long)(delta % 1000) * 1000000L;
	if (timerfd_settime(tcp_timer_fd, 0, &it, NULL))
		return;
	tcp_timer_armed = deadline ? deadline : 1;
}

/**
 * tcp_timer_set() - Set the deadline of a connection
 * @conn:	Connection
 * @ms:		Milliseconds from now
 */
static void tcp_timer_set(struct tcp_conn *conn, uint32_t ms)
{
	uint32_t d = tcp_now + ms;

	if (!d)
		d = 1;
	conn->deadline = d;
	if (!(conn->flags & C_TIMER_LIST)) {
		conn->flags |= C_TIMER_LIST;
		conn->tpos = (uint16_t)tcp_tlist_n;
		tcp_tlist[tcp_tlist_n++] = tcp_idx(conn);
	}
	tcp_timer_arm(d);
}

/**
 * tcp_timer_unlist() - Take a connection off the timer list
 * @conn:	Connection
 */
static void tcp_timer_unlist(struct tcp_conn *conn)
{
	uint32_t last;

	if (!(conn->flags & C_TIMER_LIST))
		return;
	last = tcp_tlist[--tcp_tlist_n];
	tcp_tlist[conn->tpos] = last;
	tcp_at(last)->tpos = conn->tpos;
	conn->flags &= ~C_TIMER_LIST;
	conn->deadline = 0;
}

/* Frames to the guest */

static void tcp_flush(struct ctx *c);
static void tcp_frame_dropped(const struct tcp_out_meta *m, bool wait);

/**
 * tcp_queue() - Record a frame queued toward the guest, or queue a control
 *		 frame built in tcp_ctl_buf
 * @c:		Execution context
 * @eth:	Control frame start, NULL for a frame committed to tap.c
 * @len:	Control frame length
 * @conn:	Connection index, or IDX_NONE
 * @seq:	Sequence number of payload or FIN
 * @dlen:	Payload length
 * @fin:	FIN flag set
 */
static void tcp_queue(struct ctx *c, uint8_t *eth, size_t len, uint32_t conn,
		      uint32_t seq, uint32_t dlen, bool fin)
{
	struct tcp_out_meta *m = &tcp_out_meta[tcp_out_n];

	m->conn = conn;
	m->seq = seq;
	m->dlen = dlen;
	m->fin = fin;

	/* No room (vhost-user guest out of buffers): wait for it */
	if (eth && !tap_queue(c, eth, len)) {
		flow_drops[FLOW_DROP_TAP_BUSY]++;
		tcp_frame_dropped(m, true);
		return;
	}
	tcp_out_n++;
}

/**
 * tcp_wnd_field() - Window field value for a segment to the guest
 * @conn:	Connection
 * @syn:	SYN segment: never scaled
 *
 * Return: window field, host order
 */
static uint16_t tcp_wnd_field(const struct tcp_conn *conn, bool syn)
{
	uint32_t w = conn->wnd_to_tap;

	if (syn)
		return (uint16_t)MIN(w, 65535U);
	w >>= conn->ws_to_tap;
	return (uint16_t)MIN(w, 65535U);
}

/**
 * tcp_ctl() - Queue a segment without payload to the guest
 * @c:		Execution context
 * @conn:	Connection
 * @flags:	TH_* flags (TH_ACK adds the current acknowledgement)
 * @seq:	Sequence number
 */
static void tcp_ctl(struct ctx *c, struct tcp_conn *conn, uint8_t flags,
		    uint32_t seq)
{
	const struct flow_side *tap = tcp_tapside(conn);
	uint8_t *slot, *o, *eth;
	struct tcphdr *th;
	size_t optlen = 0;
	uint32_t psum;

	if (tcp_out_n >= TCP_OUT_MAX)
		tcp_flush(c);

	slot = tcp_ctl_buf[tcp_out_n];
	th = (struct tcphdr *)(slot + TCP_CTL_L4_OFF);
	o = (uint8_t *)(th + 1);

	if (flags & TH_SYN) {
		uint16_t mss = tcp_mss_max(c, conn->flags & C_V6);

		o[0] = TCPOPT_MAXSEG;
		o[1] = TCPOLEN_MAXSEG;
		o[2] = (uint8_t)(mss >> 8);
		o[3] = (uint8_t)mss;
		optlen = 4;
		if (conn->ws_to_tap || (conn->flags & C_INBOUND)) {
			o[4] = TCPOPT_NOP;
			o[5] = TCPOPT_WINDOW;
			o[6] = TCPOLEN_WINDOW;
			o[7] = conn->ws_to_tap;
			optlen = 8;
		}
	}
	if ((conn->flags & C_TS) && !(flags & TH_RST)) {
		tcp_ts_opt(conn, o + optlen);
		optlen += TCP_TS_LEN;
	}

	th->th_sport = htons(tap->our_port);
	th->th_dport = htons(tap->peer_port);
	th->th_seq = htonl(seq);
	th->th_ack = (flags & TH_ACK) ? htonl(conn->seq_from_tap) : 0;
	th->th_x2 = 0;
	th->th_off = (TCP_HLEN + optlen) / 4;
	th->th_flags = flags;
	th->th_win = htons(tcp_wnd_field(conn, flags & TH_SYN));
	th->th_sum = 0;
	th->th_urp = 0;

	eth = tap_tmpl_l2l3(c, &conn->tmpl, (uint8_t *)th, TCP_HLEN + optlen,
			    &psum);
	th->th_sum = csum(th, TCP_HLEN + optlen, psum);

	tcp_queue(c, eth, (uint8_t *)th + TCP_HLEN + optlen - eth,
		  tcp_idx(conn), seq, 0, flags & TH_FIN);

	if (flags & TH_ACK)
		conn->seq_ack_to_tap = conn->seq_from_tap;
}

/**
 * tcp_rst_reply() - Reset in answer to a segment without a connection
 * @c:		Execution context
 * @v6:		IPv6
 * @src:	Source address of the segment (guest)
 * @dst:	Destination address of the segment
 * @th:		TCP header of the segment
 * @plen:	Payload length of the segment
 */
static void tcp_rst_reply(struct ctx *c, bool v6, const union inany_addr *src,
			  const union inany_addr *dst,
			  const tcphdr_ua *th, size_t plen)
{
	struct tap_hdr_tmpl t;
	struct tcphdr *r;
	uint8_t *slot, *eth;
	uint32_t psum;

	if (th->th_flags & TH_RST)
		return;
	if (tcp_out_n >= TCP_OUT_MAX)
		tcp_flush(c);

	slot = tcp_ctl_buf[tcp_out_n];
	r = (struct tcphdr *)(slot + TCP_CTL_L4_OFF);
	memset(r, 0, sizeof(*r));
	r->th_sport = th->th_dport;
	r->th_dport = th->th_sport;
	if (th->th_flags & TH_ACK) {
		r->th_seq = th->th_ack;
		r->th_flags = TH_RST;
	} else {
		uint32_t a = ntohl(th->th_seq) + (uint32_t)plen;

		a += !!(th->th_flags & TH_SYN) + !!(th->th_flags & TH_FIN);
		r->th_ack = htonl(a);
		r->th_flags = TH_RST | TH_ACK;
	}
	r->th_off = TCP_HLEN / 4;

	tap_tmpl_init(&t, v6, dst, src, IPPROTO_TCP,
		      v6 ? tap_flow_label() : 0);
	eth = tap_tmpl_l2l3(c, &t, (uint8_t *)r, TCP_HLEN, &psum);
	r->th_sum = csum(r, TCP_HLEN, psum);
	tcp_queue(c, eth, (uint8_t *)r + TCP_HLEN - eth, IDX_NONE, 0, 0,
		  false);
}

/**
 * tcp_peek_off_set() - Set the peek offset of a socket
 * @conn:	Connection
 * @off:	Offset from the first unread byte
 */
static void tcp_peek_off_set(const struct tcp_conn *conn, uint32_t off)
{
	int v = (int)off;

	if (tcp_peek_off_ok)
		setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &v, sizeof(v));
}

/**
 * tcp_tap_wait() - No room toward the guest: wait until tap_room_again()
 * @conn:	Connection
 *
 * The socket isn't read meanwhile (edge-triggered: no events either). The
 * timer stays armed, so that a guest never giving buffers times out.
 */
static void tcp_tap_wait(struct tcp_conn *conn)
{
	if (!(conn->flags & C_TAP_WAIT) && tcp_wlist_n < TCP_CONN_MAX) {
		conn->flags |= C_TAP_WAIT;
		tcp_wlist[tcp_wlist_n++] = tcp_idx(conn);
	}
	if (!conn->deadline)
		tcp_timer_set(conn, conn->rto);
}

/**
 * tcp_frame_dropped() - Undo the effect of a frame the tap didn't take
 * @m:		Frame metadata
 * @wait:	No room for it yet: wait for room instead of retrying on
 *		a timer
 */
static void tcp_frame_dropped(const struct tcp_out_meta *m, bool wait)
{
	struct tcp_conn *conn;

	if (m->conn == IDX_NONE)
		return;
	conn = tcp_at(m->conn);
	if (conn->sock < 0 || (conn->flags & C_CLOSING))
		return;

	if (m->fin && (conn->flags & C_TAP_FIN_SENT) &&
	    !(conn->flags & C_TAP_FIN_ACKED))
		conn->flags &= ~C_TAP_FIN_SENT;

	if (m->dlen && SEQ_LT(m->seq, conn->seq_to_tap) &&
	    SEQ_GE(m->seq, conn->una)) {
		conn->seq_to_tap = m->seq;
		conn->flags &= ~C_TAP_FIN_SENT;
		tcp_peek_off_set(conn, conn->seq_to_tap - conn->una);
	}

	if (wait) {
		conn->flags |= C_FORCE_ACK;
		tcp_tap_wait(conn);
		return;
	}

	/* Once per flush: back off while the guest doesn't read */
	if (!(conn->flags & C_DROPPED)) {
		conn->flags |= C_DROPPED | C_TAP_RETRY | C_FORCE_ACK;
		tcp_timer_set(conn, TCP_TAP_RETRY_MS << conn->tap_backoff);
		if (conn->tap_backoff < 7)
			conn->tap_backoff++;
	}
}

/**
 * tcp_flush() - Send queued frames to the guest
 * @c:		Execution context
 */
static void tcp_flush(struct ctx *c)
{
	unsigned int n = tcp_out_n, i;
	size_t sent;

	/* vhost-user: frames of other senders may have published ours */
	sent = tap_out_flush(c);
	sent = sent > n ? 0 : n - sent;
	tcp_out_n = 0;
	if (!n)
		return;

	for (i = 0; i < (unsigned int)sent; i++) {
		const struct tcp_out_meta *m = &tcp_out_meta[i];
		struct flow *f;

		if (m->conn == IDX_NONE)
			continue;
		f = flow_at(m->conn);
		if (f->f.type == FLOW_TCP)
			f->f.pkts[!tcp_tap_sidx(tcp_at(m->conn))]++;
	}
	flow_drops[FLOW_DROP_TAP_BUSY] += n - (unsigned int)sent;
	for (i = (unsigned int)sent; i < n; i++)
		tcp_frame_dropped(&tcp_out_meta[i], false);
	for (i = (unsigned int)sent; i < n; i++) {
		if (tcp_out_meta[i].conn != IDX_NONE)
			tcp_at(tcp_out_meta[i].conn)->flags &= ~C_DROPPED;
	}
}

/* Connection lifecycle */

/**
 * tcp_conn_alloc() - Get a flow entry for a new connection
 *
 * Return: zeroed connection, or NULL if the table is full
 */
static struct tcp_conn *tcp_conn_alloc(void)
{
	struct flow *fl = flow_alloc(FLOW_TCP, tcp_now_s);
	struct tcp_conn *conn;

	if (!fl)
		return NULL;

	conn = flow_priv(fl);
	conn->sock = -1;
	conn->rto = TCP_RTO_MS;
	conn->since = tcp_now_s;
	return conn;
}

/**
 * tcp_conn_free() - Release the flow entry of a connection
 * @conn:	Connection, without socket or index entry
 */
static void tcp_conn_free(struct tcp_conn *conn)
{
	tcp_timer_unlist(conn);
	conn->flags = 0;
	conn->sock = -1;
	flow_free(tcp_flow(conn));
}

/**
 * tcp_conn_close() - Close the host socket, forget the connection
 * @c:		Execution context
 * @conn:	Connection
 * @rst:	Reset the host side (linger 0) instead of a clean close
 *
 * The slot itself is freed by tcp_defer_handler(), once queued frames
 * referring to it are gone.
 */
static void tcp_conn_close(struct ctx *c, struct tcp_conn *conn, bool rst)
{
	struct flow_key k;

	(void)c;
	if (conn->flags & C_CLOSING)
		return;

	if (conn->sock >= 0) {
		if (rst) {
			struct linger l = { 1, 0 };

			setsockopt(conn->sock, SOL_SOCKET, SO_LINGER, &l,
				   sizeof(l));
		}
		close(conn->sock);
		conn->sock = -1;
	}

	tcp_conn_key(&k, conn);
	flow_hash_remove(&k);

	conn->flags |= C_CLOSING;
	tcp_state(conn, FLOW_STATE_CLOSING);
	tcp_clist[tcp_clist_n++] = tcp_idx(conn);
}

/**
 * tcp_rst() - Reset a connection on both sides
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_rst(struct ctx *c, struct tcp_conn *conn)
{
	if (conn->flags & C_CLOSING)
		return;

	if (conn->flags & C_ESTABLISHED) {
		uint32_t seq = conn->seq_to_tap;

		if (conn->flags & C_TAP_FIN_SENT)
			seq++;
		tcp_ctl(c, conn, TH_RST | TH_ACK, seq);
	} else if (conn->flags & C_INBOUND) {
		if (conn->flags & C_SYN_SENT)
			tcp_ctl(c, conn, TH_RST, conn->seq_to_tap);
	} else {
		/* Guest is in SYN-SENT: RST with an acceptable ACK */
		tcp_ctl(c, conn, TH_RST | TH_ACK, conn->flags & C_SYN_SENT ?
			conn->seq_to_tap : 0);
	}

	tcp_conn_close(c, conn, true);
}

/**
 * tcp_ack_later() - Send an ACK (window update) at the end of this round
 * @conn:	Connection
 * @force:	Even if acknowledgement and window didn't change
 */
static void tcp_ack_later(struct tcp_conn *conn, bool force)
{
	if (force)
		conn->flags |= C_FORCE_ACK;
	if (conn->flags & C_ACK_LIST)
		return;
	conn->flags |= C_ACK_LIST;
	tcp_alist[tcp_alist_n++] = tcp_idx(conn);
}

/**
 * tcp_wnd_from() - Window for the guest from the state of the send buffer
 * @conn:	Connection
 * @sndbuf:	Size of the socket's send buffer (SK_MEMINFO_SNDBUF)
 * @q:		Memory queued in it (SK_MEMINFO_WMEM_QUEUED)
 * @short_:	Set if the send buffer, not our cap, limits the window, and
 *		less than a quarter of it is free
 *
 * Return: window in bytes, a multiple of the scaling unit
 */
static uint32_t tcp_wnd_from(const struct tcp_conn *conn, uint32_t sndbuf,
			     uint32_t q, bool *short_)
{
	uint32_t free_, max;

	/* Queued memory counts overhead too: keep a margin for it */
	free_ = sndbuf > q ? sndbuf - q : 0;
	free_ = free_ > sndbuf / 16 ? free_ - sndbuf / 16 : 0;

	/* Below a quarter of the buffer, the socket isn't writable for the
	 * kernel either (less than half of queued data free). Compared before
	 * the cap below: a large buffer with a capped window is writable, and
	 * waiting for EPOLLOUT then would only spin
	 */
	*short_ = free_ < sndbuf / 4;

	/* Not more segments in flight than the guest's tap queue holds
	 * (1000 frames by default): overflows there cost slow recoveries
	 */
	max = MIN(65535U << conn->ws_to_tap,
		  TCP_WND_SEGS * ((uint32_t)conn->mss + TCP_TS_LEN));
	if (free_ > max)
		free_ = max;

	return free_ & ~((1U << conn->ws_to_tap) - 1);
}

/**
 * tcp_wnd_calc() - Window for the guest: free space in the send buffer
 * @conn:	Connection
 * @short_:	Set as tcp_wnd_from() does
 *
 * With nothing queued, the size of the send buffer goes to tcp_sndbuf_seen,
 * for tcp_wnd_init().
 *
 * Return: window in bytes, a multiple of the scaling unit
 */
static uint32_t tcp_wnd_calc(const struct tcp_conn *conn, bool *short_)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t sl = sizeof(mi);

	*short_ = false;
	if (conn->flags & C_TAP_FIN)
		return conn->wnd_to_tap;

	if (getsockopt(conn->sock, SOL_SOCKET, SO_MEMINFO, mi, &sl) ||
	    sl < (SK_MEMINFO_WMEM_QUEUED + 1) * sizeof(uint32_t))
		return conn->wnd_to_tap;

	tcp_sndbuf_seen = mi[SK_MEMINFO_WMEM_QUEUED] ? 0 :
			  mi[SK_MEMINFO_SNDBUF];

	return tcp_wnd_from(conn, mi[SK_MEMINFO_SNDBUF],
			    mi[SK_MEMINFO_WMEM_QUEUED], short_);
}

/**
 * tcp_wnd_update() - Recompute our window, watch for socket space if short
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_wnd_update(struct ctx *c, struct tcp_conn *conn)
{
	bool short_;

	/* Little written since the last look, with plenty of space then:
	 * the window stays (request/response: no getsockopt() per request)
	 */
	if (conn->wnd_credit)
		return;

	conn->wnd_to_tap = tcp_wnd_calc(conn, &short_);
	if (!short_)
		conn->wnd_credit = conn->wnd_to_tap / 8;

	/* EPOLLOUT will tell us when space is back */
	if (short_ && !(conn->flags & (C_WND_BLOCKED | C_TAP_FIN))) {
		union epoll_ref ref = { .type = EPOLL_TYPE_TCP,
					.fd = conn->sock,
					.data = tcp_idx(conn) };

		/* Re-registering polls the socket: it then flags itself as
		 * short of space, and wakes us up with EPOLLOUT once it
		 * has some again
		 */
		conn->flags |= C_WND_BLOCKED;
		passt_epoll_mod(c, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				ref);
	}
}

/**
 * tcp_wnd_init() - First window of a connection, as the handshake ends
 * @c:		Execution context
 * @conn:	Connection, with a connected socket that has nothing queued
 *
 * Every host socket gets the same buffer size (tcp_sock_opts(), inherited
 * from the listener if accepted): once one fresh socket told its size, a
 * new one needs no getsockopt() for the same answer.
 */
static void tcp_wnd_init(struct ctx *c, struct tcp_conn *conn)
{
	uint32_t sndbuf = tcp_sndbuf_fresh[!!(conn->flags & C_INBOUND)];
	bool short_;

	conn->wnd_credit = 0;
	/* Nothing queued: never short, three quarters of it are free */
	if (sndbuf) {
		conn->wnd_to_tap = tcp_wnd_from(conn, sndbuf, 0, &short_);
		conn->wnd_credit = conn->wnd_to_tap / 8;
		return;
	}

	/* Learnt from a fresh socket only: buffers of older ones may have
	 * grown, if the kernel tunes them
	 */
	tcp_sndbuf_seen = 0;
	tcp_wnd_update(c, conn);
	tcp_sndbuf_fresh[!!(conn->flags & C_INBOUND)] = tcp_sndbuf_seen;
}

/* Host to guest */

/**
 * tcp_frame_payload() - Payload bytes per data frame to the guest
 * @c:		Execution context
 * @conn:	Connection
 *
 * With kernel segmentation on the tap (pasta), a frame carries as many
 * whole segments as fit TCP_GSO_FRAME_MAX (IPv4 total length, and the pcap
 * snap length), each of the guest's MSS: the guest gets the same segments
 * as if we had sent them one by one, for one write().
 *
 * Return: payload bytes, a multiple of the MSS
 */
static size_t tcp_frame_payload(const struct ctx *c,
				const struct tcp_conn *conn)
{
	size_t hlen = ETH_HLEN + TCP_HLEN +
		      ((conn->flags & C_V6) ? sizeof(struct ip6_hdr) :
					      sizeof(struct iphdr));
	size_t mss = conn->mss, max;

	if (!tap_gso_ok(c) || !mss)
		return mss;

	if (conn->flags & C_TS)
		hlen += TCP_TS_LEN;
	max = TCP_GSO_FRAME_MAX - hlen;

	return max < 2 * mss ? mss : max / mss * mss;
}

/**
 * tcp_csum_iov() - TCP checksum of a header and payload in other buffers
 * @th:		TCP header, checksum field zero
 * @hlen:	Its length, with options
 * @iov:	Payload buffers
 * @niov:	Number of buffers
 * @dlen:	Payload length, at most what @iov holds
 * @psum:	Pseudo-header sum
 *
 * Return: checksum, network order
 */
static uint16_t tcp_csum_iov(const tcphdr_ua *th, size_t hlen,
			     const struct iovec *iov, size_t niov, size_t dlen,
			     uint32_t psum)
{
	static struct iovec v[TCP_OUT_MAX + 1];
	size_t i, k = 1;

	v[0].iov_base = (void *)th;
	v[0].iov_len = hlen;
	for (i = 0; i < niov && dlen && k < ARRAY_SIZE(v); i++, k++) {
		v[k].iov_base = iov[i].iov_base;
		v[k].iov_len = MIN(iov[i].iov_len, dlen);
		dlen -= v[k].iov_len;
	}

	return csum_iov(v, k, psum);
}

/**
 * tcp_hdrs_len() - Length of the headers of a data frame to the guest
 * @conn:	Connection
 *
 * Return: Ethernet, IP and TCP header with options
 */
static size_t tcp_hdrs_len(const struct tcp_conn *conn)
{
	return ETH_HLEN + TCP_HLEN +
	       ((conn->flags & C_V6) ? sizeof(struct ip6_hdr) :
				       sizeof(struct iphdr)) +
	       ((conn->flags & C_TS) ? TCP_TS_LEN : 0);
}

/**
 * tcp_data_frames() - Fill headers of data frames read into tap.c's room,
 *		       commit them
 * @c:		Execution context
 * @conn:	Connection
 * @s:		Room of the frames, from tap_room() with tcp_hdrs_len()
 * @iov:	Payload buffers of the room, as set by tap_room()
 * @fsize:	Payload bytes per frame, a multiple of the MSS: frames above
 *		the MSS are segmented by the kernel (tap_gso_ok() only)
 * @n:		Bytes read
 * @seq:	Sequence number of the first byte
 *
 * Return: number of frames committed
 */
static unsigned int tcp_data_frames(struct ctx *c, struct tcp_conn *conn,
				    const struct tap_slot *s,
				    const struct iovec *iov, size_t fsize,
				    size_t n, uint32_t seq)
{
	const struct flow_side *tap = tcp_tapside(conn);
	bool v6 = conn->flags & C_V6;
	uint16_t wnd = htons(tcp_wnd_field(conn, false));
	uint32_t ack = htonl(conn->seq_from_tap);
	bool partial = tap_csum_ok(c);
	size_t hlen = TCP_HLEN, off = 0;
	uint8_t opts[TCP_TS_LEN];
	unsigned int i = 0;

	if (conn->flags & C_TS) {
		tcp_ts_opt(conn, opts);
		hlen += TCP_TS_LEN;
	}

	while (off < n) {
		size_t dlen = MIN(fsize, n - off);
		const struct tap_slot *sl = &s[i];
		struct tap_gso g = { 0 };
		uint8_t *eth;
		tcphdr_ua *th;
		uint32_t psum;

		/* Guest buffers (vhost-user) may leave it unaligned */
		th = (tcphdr_ua *)(sl->hdr - hlen);
		th->th_sport = htons(tap->our_port);
		th->th_dport = htons(tap->peer_port);
		th->th_seq = htonl(seq + (uint32_t)off);
		th->th_ack = ack;
		th->th_x2 = 0;
		th->th_off = hlen / 4;
		th->th_flags = TH_ACK | (off + dlen == n ? TH_PUSH : 0);
		th->th_win = wnd;
		th->th_sum = 0;
		th->th_urp = 0;
		if (hlen > TCP_HLEN)
			memcpy(th + 1, opts, TCP_TS_LEN);

		eth = tap_tmpl_l2l3(c, &conn->tmpl, (uint8_t *)th,
				    hlen + dlen, &psum);

		/* Segmented by the kernel, or only summed by the receiver: it
		 * adds header and payload to this sum (for segments, with the
		 * length of each instead of ours)
		 */
		if (dlen > conn->mss || partial) {
			th->th_sum = (uint16_t)~csum_fold(psum);
			g.size = dlen > conn->mss ? conn->mss : 0;
			g.csum = !g.size;
			g.l4off = (uint16_t)((uint8_t *)th - eth);
			g.hlen = (uint16_t)(g.l4off + hlen);
			g.v6 = v6;
		} else if (sl->niov == 1 && iov[sl->iov].iov_base == sl->hdr) {
			th->th_sum = csum(th, hlen + dlen, psum);
		} else {
			th->th_sum = tcp_csum_iov(th, hlen, iov + sl->iov,
						  sl->niov, dlen, psum);
		}

		tap_commit(c, sl, iov, dlen, g.l4off ? &g : NULL);
		tcp_queue(c, NULL, 0, tcp_idx(conn), seq + (uint32_t)off,
			  (uint32_t)dlen, false);
		off += dlen;
		i++;
	}

	conn->seq_ack_to_tap = conn->seq_from_tap;
	return i;
}

/**
 * tcp_peek() - Read data from the socket without consuming it
 * @conn:	Connection
 * @iov:	Buffers, with @skip_iov free entries at the start
 * @niov:	Number of data buffers
 * @skip:	Bytes to skip (without SO_PEEK_OFF): already sent
 *
 * Return: bytes read into the data buffers, 0 on end of stream, -1 on error
 *
 * #syscalls recvmsg
 */
static ssize_t tcp_peek(const struct tcp_conn *conn, struct iovec *iov,
			size_t niov, uint32_t skip)
{
	struct msghdr mh = { 0 };
	size_t nskip = 0;
	ssize_t n;

	if (!tcp_peek_off_ok && skip) {
		uint32_t s = skip;

		nskip = (skip + TCP_DISCARD_SIZE - 1) / TCP_DISCARD_SIZE;
		iov -= nskip;
		for (size_t i = 0; i < nskip; i++) {
			iov[i].iov_base = tcp_discard;
			iov[i].iov_len = MIN(s, TCP_DISCARD_SIZE);
			s -= (uint32_t)iov[i].iov_len;
		}
	}

	mh.msg_iov = iov;
	mh.msg_iovlen = niov + nskip;

	do
		n = recvmsg(conn->sock, &mh, MSG_PEEK | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);

	if (n < 0)
		return -1;
	if (!tcp_peek_off_ok && skip) {
		if (n <= (ssize_t)skip) {
			/* Nothing new: EOF unless it's just not there yet */
			if (!(conn->flags & C_SOCK_FIN)) {
				errno = EAGAIN;
				return -1;
			}
			return 0;
		}
		n -= skip;
	}
	return n;
}

#define TCP_SKIP_IOV	(TCP_INFLIGHT_MAX / TCP_DISCARD_SIZE + 1)

/**
 * tcp_send_fin() - Send FIN to the guest if all data went out
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_send_fin(struct ctx *c, struct tcp_conn *conn)
{
	if (conn->flags & (C_TAP_FIN_SENT | C_CLOSING))
		return;
	/* A full window drops even a bare FIN: wait for an update */
	if (conn->seq_to_tap - conn->una >= conn->wnd_from_tap)
		return;

	/* Set first: a FIN finding no room toward the guest clears it */
	conn->flags |= C_TAP_FIN_SENT;
	tcp_ctl(c, conn, TH_FIN | TH_ACK, conn->seq_to_tap);
	if (!conn->deadline)
		tcp_timer_set(conn, conn->rto);
}

/**
 * tcp_data_from_sock() - Send new data from the socket, up to the window
 * @c:		Execution context
 * @conn:	Connection
 *
 * Data is peeked right into the room tap.c gives (the guest's buffers with
 * vhost-user): with no room, we wait for some, see tcp_tap_wait().
 */
static void tcp_data_from_sock(struct ctx *c, struct tcp_conn *conn)
{
	static struct iovec iov[TCP_SKIP_IOV + TCP_OUT_MAX];
	static struct tap_slot slot[TCP_OUT_MAX];
	size_t fsize = tcp_frame_payload(c, conn);
	size_t hlen = tcp_hdrs_len(conn);
	/* recvmsg() takes at most UIO_MAXIOV (1024) buffers */
	size_t iovmax = tcp_peek_off_ok ? TCP_OUT_MAX :
					  TCP_OUT_MAX - TCP_SKIP_IOV;

	if (!(conn->flags & C_ESTABLISHED) ||
	    (conn->flags & (C_CLOSING | C_TAP_FIN_SENT | C_TAP_WAIT)))
		return;

	for (;;) {
		uint32_t inflight = conn->seq_to_tap - conn->una;
		uint32_t wnd = MIN(conn->wnd_from_tap, TCP_INFLIGHT_MAX);
		size_t k, i, want = 0, niov;
		uint32_t avail;
		ssize_t n;

		if (inflight >= wnd) {
			if (!wnd && !inflight && !conn->deadline)
				tcp_timer_set(conn, conn->rto);	/* probe */
			break;
		}
		avail = wnd - inflight;

		k = (avail + fsize - 1) / fsize;
		k = MIN(k, (size_t)(TCP_OUT_MAX - tcp_out_n));
		if (k)
			k = tap_room(c, hlen, fsize, k, slot,
				     iov + TCP_SKIP_IOV, iovmax);
		if (!k) {
			if (tcp_out_n) {
				tcp_flush(c);
				continue;
			}
			tcp_tap_wait(conn);
			break;
		}

		/* Up to the window: the last frame may take less */
		niov = slot[k - 1].iov + slot[k - 1].niov;
		for (i = 0; i < niov; i++) {
			struct iovec *v = &iov[TCP_SKIP_IOV + i];

			if (want + v->iov_len >= avail) {
				v->iov_len = avail - want;
				want = avail;
				niov = i + 1;
				break;
			}
			want += v->iov_len;
		}

		n = tcp_peek(conn, iov + TCP_SKIP_IOV, niov, inflight);
		if (n <= 0) {
			tap_room_end(c);
			if (n < 0 &&
			    (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n < 0) {
				debug("TCP: peek from socket failed: %s",
				      strerror(errno));
				tcp_rst(c, conn);
				return;
			}
			conn->flags |= C_SOCK_FIN;
			tcp_state(conn, FLOW_STATE_CLOSING);
			tcp_send_fin(c, conn);
			break;
		}

		tcp_data_frames(c, conn, slot, iov + TCP_SKIP_IOV, fsize,
				(size_t)n, conn->seq_to_tap);
		tap_room_end(c);
		conn->seq_to_tap += (uint32_t)n;
		conn->since = tcp_now_s;

		if (!conn->deadline)
			tcp_timer_set(conn, conn->rto);

		if ((size_t)n < want) {
			if (conn->flags & C_SOCK_FIN)
				tcp_send_fin(c, conn);
			break;
		}
	}
}

/**
 * tcp_retransmit_one() - Send the oldest unacknowledged segment again
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_retransmit_one(struct ctx *c, struct tcp_conn *conn)
{
	static struct iovec iov[TCP_SKIP_IOV + TCP_OUT_MAX];
	uint32_t inflight = conn->seq_to_tap - conn->una;
	struct tap_slot slot;
	size_t len, niov;
	ssize_t n;

	if (!inflight) {
		if ((conn->flags & C_TAP_FIN_SENT) &&
		    !(conn->flags & C_TAP_FIN_ACKED))
			tcp_ctl(c, conn, TH_FIN | TH_ACK, conn->seq_to_tap);
		return;
	}

	len = MIN((uint32_t)conn->mss, inflight);
	if (tcp_out_n >= TCP_OUT_MAX)
		tcp_flush(c);
	if (!tap_room(c, tcp_hdrs_len(conn), len, 1, &slot,
		      iov + TCP_SKIP_IOV, TCP_OUT_MAX - TCP_SKIP_IOV)) {
		if (tcp_out_n)
			tcp_flush(c);
		if (!tap_room(c, tcp_hdrs_len(conn), len, 1, &slot,
			      iov + TCP_SKIP_IOV,
			      TCP_OUT_MAX - TCP_SKIP_IOV)) {
			tcp_tap_wait(conn);
			return;
		}
	}
	niov = slot.iov + slot.niov;

	tcp_peek_off_set(conn, 0);
	n = tcp_peek(conn, iov + TCP_SKIP_IOV, niov, 0);
	tcp_peek_off_set(conn, inflight);
	if (n > 0)
		tcp_data_frames(c, conn, &slot, iov + TCP_SKIP_IOV, conn->mss,
				(size_t)n, conn->una);
	tap_room_end(c);
}

/**
 * tcp_ack_from_tap() - The guest acknowledged new data (or our FIN)
 * @c:		Execution context
 * @conn:	Connection
 * @ack:	Acknowledgement number, checked to be in range
 *
 * Return: false if the connection was reset
 *
 * #syscalls recvfrom
 */
static bool tcp_ack_from_tap(struct ctx *c, struct tcp_conn *conn,
			     uint32_t ack)
{
	bool fin_acked = (conn->flags & C_TAP_FIN_SENT) &&
			 ack == conn->seq_to_tap + 1;
	uint32_t dack = fin_acked ? conn->seq_to_tap : ack;
	uint32_t acked = dack - conn->una;

	if (acked) {
		ssize_t r;

		do
			r = recv(conn->sock, NULL, acked,
				 MSG_TRUNC | MSG_DONTWAIT);
		while (r < 0 && errno == EINTR);

		if (r < 0 || (uint32_t)r != acked) {
			debug("TCP: can't drop acknowledged data: %s",
			      r < 0 ? strerror(errno) : "short");
			tcp_rst(c, conn);
			return false;
		}
	}

	tcp_flow(conn)->f.bytes[!tcp_tap_sidx(conn)] += acked;
	conn->una = dack;
	if (fin_acked)
		conn->flags |= C_TAP_FIN_ACKED;
	conn->retrans = 0;
	conn->dup_acks = 0;
	conn->tap_backoff = 0;
	conn->rto = TCP_RTO_MS;

	if (conn->flags & C_RECOVERY) {
		if (SEQ_GE(ack, conn->recover))
			conn->flags &= ~C_RECOVERY;
		else
			tcp_retransmit_one(c, conn);	/* partial ACK */
	}

	if (conn->seq_to_tap != conn->una ||
	    ((conn->flags & C_TAP_FIN_SENT) &&
	     !(conn->flags & C_TAP_FIN_ACKED)))
		tcp_timer_set(conn, conn->rto);
	else
		conn->deadline = 0;

	return true;
}

/* Guest to host */

/**
 * tcp_check_done() - Close the connection if both directions are done
 * @c:		Execution context
 * @conn:	Connection
 *
 * Return: true if closed
 */
static bool tcp_check_done(struct ctx *c, struct tcp_conn *conn)
{
	if ((conn->flags & (C_TAP_FIN | C_TAP_FIN_ACKED)) !=
	    (C_TAP_FIN | C_TAP_FIN_ACKED))
		return false;

	/* Final ACK now: pending ones are skipped for closed connections */
	if (conn->seq_ack_to_tap != conn->seq_from_tap)
		tcp_ctl(c, conn, TH_ACK, conn->seq_to_tap + 1);
	tcp_conn_close(c, conn, false);
	return true;
}

/**
 * tcp_dup_acks() - Send duplicate ACKs so that the guest retransmits
 * @c:		Execution context
 * @conn:	Connection
 * @count:	Number of ACKs
 */
static void tcp_dup_acks(struct ctx *c, struct tcp_conn *conn,
			 unsigned int count)
{
	uint32_t seq = conn->seq_to_tap;

	if ((conn->flags & C_TAP_FIN_SENT))
		seq++;
	while (count--)
		tcp_ctl(c, conn, TH_ACK, seq);
}

/**
 * struct tcp_tap_batch - What a batch of guest segments brings, as it's
 *			  processed by tcp_tap_data()
 * @una0:	Oldest byte not acknowledged by the guest, before the batch
 * @wnd0:	Guest's window before the batch
 * @snd_max:	Highest sequence number the guest may acknowledge
 * @ack_max:	Highest acknowledgement number seen
 * @wnd:	Window that came with @ack_max
 * @ack_new:	@ack_max acknowledges new data
 * @dups:	Duplicate ACKs
 * @need_ack:	We owe the guest an ACK (challenge, keep-alive, old data)
 * @data_ack:	Data or FIN taken: our acknowledgement number moved
 * @fin:	FIN taken, in sequence
 * @shortw:	The socket took less than the payload
 * @ooo:	Segments left out of order
 * @unwritten:	Segments (partially) not taken by the socket
 * @niov:	Payload pieces in sequence order, in @iov
 * @total:	Bytes in @iov
 * @nseg:	Segments with payload in @iov
 * @seg_end:	Offset in @iov of the end of the payload of each of them
 * @pending:	Segment i has payload or FIN not taken yet
 * @iov:	Payload in sequence order: one piece per segment, or the
 *		pieces of segments left in guest memory (vhost-user)
 */
struct tcp_tap_batch {
	uint32_t una0;
	uint32_t wnd0;
	uint32_t snd_max;
	uint32_t ack_max;
	uint32_t wnd;
	bool ack_new;
	unsigned int dups;
	bool need_ack;
	bool data_ack;
	bool fin;
	bool shortw;
	unsigned int ooo;
	unsigned int unwritten;
	size_t niov;
	size_t total;
	size_t nseg;
	size_t seg_end[TAP_BATCH_MAX];
	uint8_t pending[TAP_BATCH_MAX];
	struct iovec iov[TAP_IOV_MAX];
};

/**
 * tcp_tap_scan() - First pass on guest segments: timestamps, resets,
 *		    acknowledgements and windows; mark segments with payload
 * @c:		Execution context
 * @conn:	Connection
 * @pkts:	Segments
 * @n:		Number of segments, at most TAP_BATCH_MAX
 * @b:		Batch state, initialised by the caller
 *
 * Return: number of segments consumed if the connection was reset, 0 if
 *	   the whole batch goes on
 */
static size_t tcp_tap_scan(struct ctx *c, struct tcp_conn *conn,
			   const struct tap_l4_pkt *pkts, size_t n,
			   struct tcp_tap_batch *b)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const tcphdr_ua *th = (const tcphdr_ua *)pkts[i].l4;
		size_t len = pkts[i].len, hl, plen;
		uint32_t seq, ack, w;

		b->pending[i] = 0;
		if (len < TCP_HLEN)
			continue;
		hl = (size_t)th->th_off * 4;
		if (hl < TCP_HLEN || hl > len)
			continue;
		plen = len - hl;
		seq = ntohl(th->th_seq);
		ack = ntohl(th->th_ack);

		/* RFC 7323, 4.3: echo the timestamp of the segment at the
		 * left edge (retransmissions included: RTT samples for the
		 * guest, which then doesn't keep backing off)
		 */
		if ((conn->flags & C_TS) && SEQ_LE(seq, conn->seq_from_tap)) {
			uint32_t ts;

			if (tcp_ts_get(th, hl, &ts) &&
			    (int32_t)(ts - conn->ts_recent) >= 0)
				conn->ts_recent = ts;
		}

		if (th->th_flags & TH_RST) {
			if (seq == conn->seq_from_tap) {
				debug("TCP: reset by the guest");
				tcp_conn_close(c, conn, true);
				return i + 1;
			}
			/* RFC 5961, 3.2: in window, but not exact */
			if (SEQ_GT(seq, conn->seq_from_tap) &&
			    SEQ_LT(seq, conn->seq_from_tap +
				   MAX(conn->wnd_to_tap, 1U)))
				b->need_ack = true;
			continue;
		}
		if (th->th_flags & TH_SYN) {
			b->need_ack = true;	/* RFC 5961, 4: challenge ACK */
			continue;
		}
		if (!(th->th_flags & TH_ACK))
			continue;

		w = (uint32_t)ntohs(th->th_win) << conn->ws_from_tap;
		if (SEQ_GT(ack, b->snd_max)) {
			/* Acknowledges data we never sent: ACK, drop */
			b->need_ack = true;
			continue;
		}
		if (SEQ_GT(ack, b->ack_max)) {
			b->ack_max = ack;
			b->wnd = w;
			b->ack_new = true;
		} else if (ack == b->ack_max) {
			if (ack == b->una0 && !plen &&
			    !(th->th_flags & TH_FIN) && w == b->wnd0 &&
			    conn->seq_to_tap != b->una0)
				b->dups++;
			b->wnd = w;
		}

		/* Else, keep-alive (RFC 9293 3.10.7.4): ACK */
		if (plen || (th->th_flags & TH_FIN))
			b->pending[i] = 1;
		else if (SEQ_LT(seq, conn->seq_from_tap))
			b->need_ack = true;
	}

	return 0;
}

/**
 * tcp_tap_payload() - Add the payload of a segment to the batch's pieces
 * @b:		Batch state: @iov, @niov, @total, @seg_end, @nseg updated
 * @p:		Segment, with a payload longer than @off
 * @hl:		Length of its TCP header
 * @off:	Bytes of the payload we already have: leave them out
 *
 * tap.c bounds the pieces of a batch to TAP_IOV_MAX, and with @p->niov,
 * makes them hold @p->len - @hl bytes.
 *
 * Return: false if the pieces don't fit: nothing added
 */
static bool tcp_tap_payload(struct tcp_tap_batch *b,
			    const struct tap_l4_pkt *p, size_t hl, size_t off)
{
	size_t i;

	/* Can't happen (tap.c), but never skip data within the stream */
	if (b->niov + MAX(p->niov, 1U) > TAP_IOV_MAX)
		return false;

	if (!p->niov) {
		b->iov[b->niov].iov_base = (uint8_t *)p->l4 + hl + off;
		b->iov[b->niov++].iov_len = p->len - hl - off;
		b->total += p->len - hl - off;
	}
	for (i = 0; i < p->niov; i++) {
		size_t l = p->iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		b->iov[b->niov].iov_base = (uint8_t *)p->iov[i].iov_base + off;
		b->iov[b->niov++].iov_len = l - off;
		b->total += l - off;
		off = 0;
	}
	b->seg_end[b->nseg++] = b->total;
	return true;
}

/**
 * tcp_tap_order() - Collect the payload of marked segments in sequence
 *		     order, also if reordered within the batch, up to a hole
 * @conn:	Connection
 * @pkts:	Segments
 * @n:		Number of segments
 * @b:		Batch state: @pending in, @iov, @niov, @total, @fin, @ooo out
 */
static void tcp_tap_order(const struct tcp_conn *conn,
			  const struct tap_l4_pkt *pkts, size_t n,
			  struct tcp_tap_batch *b)
{
	uint32_t exp = conn->seq_from_tap;
	bool progress, full = false;
	size_t i;

	if (conn->flags & C_TAP_FIN) {
		/* Retransmissions after the guest's FIN: just ACK again */
		for (i = 0; i < n; i++)
			b->need_ack |= b->pending[i];
		memset(b->pending, 0, n);
	}
	do {
		progress = false;
		for (i = 0; i < n && !b->fin && !full; i++) {
			const tcphdr_ua *th;
			size_t hl, plen, off;
			uint32_t seq, end;

			if (!b->pending[i])
				continue;
			th = (const tcphdr_ua *)pkts[i].l4;
			hl = (size_t)th->th_off * 4;
			plen = pkts[i].len - hl;
			seq = ntohl(th->th_seq);

			if (SEQ_GT(seq, exp))
				continue;	/* hole: maybe later */

			b->pending[i] = 0;
			end = seq + (uint32_t)plen;
			if (SEQ_LT(end, exp) ||
			    (end == exp && !(th->th_flags & TH_FIN))) {
				/* Old data, keep-alive: expected ACK */
				b->need_ack = true;
				continue;
			}

			off = exp - seq;
			if (plen > off) {
				if (!tcp_tap_payload(b, &pkts[i], hl, off)) {
					b->pending[i] = 1;	/* as a hole */
					full = true;
					break;
				}
				exp += (uint32_t)(plen - off);
			}
			if (th->th_flags & TH_FIN)
				b->fin = true;
			progress = true;
		}
	} while (progress && !b->fin && !full);

	for (i = 0; i < n; i++) {
		if (b->pending[i]) {
			b->ooo++;
			b->need_ack = true;
		}
	}
}

/**
 * tcp_tap_write() - Write the payload of a batch to the socket, and the
 *		     guest's FIN, if everything before it was taken
 * @c:		Execution context
 * @conn:	Connection
 * @b:		Batch state
 *
 * Return: false if the connection was reset
 *
 * #syscalls sendmsg shutdown
 */
static bool tcp_tap_write(struct ctx *c, struct tcp_conn *conn,
			  struct tcp_tap_batch *b)
{
	size_t i;

	if (b->total) {
		struct msghdr mh = { .msg_iov = b->iov,
				     .msg_iovlen = b->niov };
		ssize_t w;

		do
			w = sendmsg(conn->sock, &mh,
				    MSG_DONTWAIT | MSG_NOSIGNAL);
		while (w < 0 && errno == EINTR);

		if (w < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				debug("TCP: write to socket failed: %s",
				      strerror(errno));
				tcp_rst(c, conn);
				return false;
			}
			w = 0;
		}

		conn->seq_from_tap += (uint32_t)w;
		conn->wnd_credit -= MIN(conn->wnd_credit,
					(uint32_t)w + TCP_WRITE_OVERHEAD);
		tcp_flow(conn)->f.bytes[tcp_tap_sidx(conn)] += (size_t)w;
		if ((size_t)w < b->total) {
			size_t left = (size_t)w;

			b->fin = false;
			b->shortw = true;
			for (i = 0; i < b->nseg; i++) {
				if (b->seg_end[i] > left)
					b->unwritten++;
			}
			if (w)
				b->unwritten++;	/* ACK of what we took */
		}
		b->data_ack = true;
		conn->since = tcp_now_s;
	}

	if (b->fin) {
		shutdown(conn->sock, SHUT_WR);
		conn->seq_from_tap++;
		conn->flags |= C_TAP_FIN;
		tcp_state(conn, FLOW_STATE_CLOSING);
		b->data_ack = true;
	}

	return true;
}

/**
 * tcp_tap_data() - Segments from the guest on an established connection
 * @c:		Execution context
 * @conn:	Connection
 * @pkts:	Segments
 * @n:		Number of segments
 *
 * Return: number of segments consumed
 */
static size_t tcp_tap_data(struct ctx *c, struct tcp_conn *conn,
			   const struct tap_l4_pkt *pkts, size_t n)
{
	static struct tcp_tap_batch b;	/* large: not on the stack */
	size_t used;

	if (n > TAP_BATCH_MAX)
		n = TAP_BATCH_MAX;

	b.una0 = b.ack_max = conn->una;
	b.wnd0 = b.wnd = conn->wnd_from_tap;
	b.snd_max = conn->seq_to_tap + !!(conn->flags & C_TAP_FIN_SENT);
	b.ack_new = b.need_ack = b.data_ack = b.fin = b.shortw = false;
	b.dups = b.ooo = b.unwritten = 0;
	b.niov = b.total = b.nseg = 0;

	if ((used = tcp_tap_scan(c, conn, pkts, n, &b)))
		return used;
	tcp_tap_order(conn, pkts, n, &b);
	if (!tcp_tap_write(c, conn, &b))
		return n;

	/* Acknowledgements and window from the guest */
	conn->wnd_from_tap = b.wnd;
	if (b.ack_new) {
		if (!tcp_ack_from_tap(c, conn, b.ack_max))
			return n;
		conn->since = tcp_now_s;
	} else if (b.dups) {
		conn->dup_acks += b.dups;
		if (conn->dup_acks >= TCP_DUPACK_THRESH &&
		    !(conn->flags & C_RECOVERY)) {
			conn->flags |= C_RECOVERY;
			conn->recover = conn->seq_to_tap;
			tcp_retransmit_one(c, conn);
			tcp_timer_set(conn, conn->rto);
		}
	}

	if (b.ooo || b.shortw) {
		/* One ACK per segment we didn't take, like any receiver: more
		 * would look like reordering to the guest, which then waits
		 * for its retransmission timeout instead
		 */
		unsigned int cnt = b.ooo;

		if (b.shortw)
			cnt += MAX(b.unwritten, 1U);
		else if (b.total)
			cnt++;			/* the one acknowledging data */
		tcp_wnd_update(c, conn);
		tcp_dup_acks(c, conn, MIN(cnt, (unsigned int)n));
	} else if (b.need_ack || b.data_ack) {
		/* New data moves our acknowledgement number: if a data frame
		 * to the guest carries it before the end of this round, no
		 * separate ACK is needed (request/response: the reply does)
		 */
		tcp_ack_later(conn, b.need_ack);
	}

	if (tcp_check_done(c, conn))
		return n;

	if (b.ack_new || b.wnd != b.wnd0)
		tcp_data_from_sock(c, conn);

	return n;
}

/**
 * tcp_tap_handshake() - Segment from the guest before establishment
 * @c:		Execution context
 * @conn:	Connection
 * @pkts:	Segments
 * @n:		Number of segments
 *
 * Return: number of segments consumed
 */
static size_t tcp_tap_handshake(struct ctx *c, struct tcp_conn *conn,
				const struct tap_l4_pkt *pkts, size_t n)
{
	const tcphdr_ua *th = (const tcphdr_ua *)pkts[0].l4;
	size_t len = pkts[0].len, hl;
	uint32_t seq, ack;
	uint8_t fl;

	if (len < TCP_HLEN)
		return 1;
	hl = (size_t)th->th_off * 4;
	if (hl < TCP_HLEN || hl > len)
		return 1;
	fl = th->th_flags;
	seq = ntohl(th->th_seq);
	ack = ntohl(th->th_ack);

	if (conn->flags & C_INBOUND) {
		unsigned int mss;
		int ws;

		/* We sent SYN: expect SYN-ACK */
		if (fl & TH_RST) {
			if ((fl & TH_ACK) && ack == conn->seq_to_tap)
				tcp_conn_close(c, conn, true);
			return 1;
		}
		/* RFC 9293, 3.10.7.3: reset an ACK of something else. It
		 * comes from a TIME-WAIT socket of the guest with the same
		 * addresses and ports that didn't take our SYN: the reset
		 * closes it, and the SYN we send again opens the connection
		 */
		if ((fl & TH_ACK) && ack != conn->seq_to_tap) {
			tcp_rst_reply(c, conn->flags & C_V6,
				      &tcp_tapside(conn)->peer,
				      &tcp_tapside(conn)->ours, th, len - hl);
			return 1;
		}
		if ((fl & (TH_SYN | TH_ACK)) != (TH_SYN | TH_ACK))
			return 1;

		mss = (conn->flags & C_V6) ? TCP_MSS6_DEFAULT :
					     TCP_MSS4_DEFAULT;
		if (tcp_opts_parse(th, hl, &mss, &ws, &conn->ts_recent))
			conn->flags |= C_TS;
		else
			conn->flags &= ~C_TS;
		if (ws < 0) {
			conn->ws_from_tap = conn->ws_to_tap = 0;
		} else {
			conn->ws_from_tap = (uint8_t)ws;
			conn->ws_to_tap = TCP_WS_TO_TAP;
		}
		conn->mss = (uint16_t)MIN(mss, tcp_mss_max(c, conn->flags &
							       C_V6));
		if (conn->flags & C_TS)
			conn->mss -= TCP_TS_LEN;
		conn->seq_from_tap = seq + 1;
		conn->wnd_from_tap = ntohs(th->th_win);
		conn->flags |= C_ESTABLISHED;
		tcp_state(conn, FLOW_STATE_ACTIVE);
		conn->retrans = 0;
		conn->rto = TCP_RTO_MS;
		conn->deadline = 0;
		conn->since = tcp_now_s;

		tcp_wnd_update(c, conn);
		tcp_ctl(c, conn, TH_ACK, conn->seq_to_tap);
		tcp_data_from_sock(c, conn);
		return 1;
	}

	/* The guest sent SYN, we answer SYN-ACK once connected */
	if (fl & TH_RST) {
		if (seq == conn->seq_from_tap)
			tcp_conn_close(c, conn, true);
		return 1;
	}
	if (fl & TH_SYN) {
		if (!(fl & TH_ACK) && seq + 1 == conn->seq_from_tap &&
		    (conn->flags & C_SYN_SENT))
			tcp_ctl(c, conn, TH_SYN | TH_ACK, conn->seq_to_tap - 1);
		return 1;
	}
	if (!(fl & TH_ACK) || !(conn->flags & C_SYN_SENT))
		return 1;
	if (ack != conn->seq_to_tap) {
		tcp_rst_reply(c, conn->flags & C_V6, &tcp_tapside(conn)->peer,
			      &tcp_tapside(conn)->ours, th, len - hl);
		return 1;
	}

	conn->flags |= C_ESTABLISHED;
	tcp_state(conn, FLOW_STATE_ACTIVE);
	conn->wnd_from_tap = (uint32_t)ntohs(th->th_win) << conn->ws_from_tap;
	conn->retrans = 0;
	conn->rto = TCP_RTO_MS;
	conn->deadline = 0;
	conn->since = tcp_now_s;

	if (len > hl || (fl & TH_FIN) || n > 1)
		return tcp_tap_data(c, conn, pkts, n);

	tcp_data_from_sock(c, conn);
	return 1;
}

/**
 * tcp_sock_opts() - Options for a host socket we connect, or listen with
 * @s:		Socket
 *
 * Accepted sockets inherit all of them from the listener (the kernel
 * clones it): set there once, they cost nothing per inbound connection,
 * and the receive buffer also counts for the window scale of the SYN-ACK.
 */
static void tcp_sock_opts(int s)
{
	int one = 1, zero = 0, b = TCP_SOCK_BUF;

	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Without the capability, that doesn't change: ask once */
	if (tcp_buf_noforce ||
	    setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &b, sizeof(b))) {
		if (errno == EPERM)
			tcp_buf_noforce = true;
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &b, sizeof(b));
	}
	if (tcp_buf_noforce ||
	    setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &b, sizeof(b)))
		setsockopt(s, SOL_SOCKET, SO_SNDBUF, &b, sizeof(b));
	if (tcp_peek_off_ok)
		setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero));
}

/**
 * tcp_sockaddr() - Build a socket address
 * @sa:		Socket address storage
 * @addr:	Address
 * @port:	Port, host order
 *
 * Return: length of the socket address
 */
static socklen_t tcp_sockaddr(struct sockaddr_storage *sa,
			      const union inany_addr *addr, uint16_t port)
{
	const struct in_addr *v4 = inany_v4(addr);

	memset(sa, 0, sizeof(*sa));
	if (v4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		s4->sin_family = AF_INET;
		s4->sin_addr = *v4;
		s4->sin_port = htons(port);
		return sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = addr->a6;
		s6->sin6_port = htons(port);
		return sizeof(*s6);
	}
}

/**
 * tcp_bind_outbound() - Bind an outbound socket to -o / --outbound-if
 * @c:		Execution context
 * @s:		Socket
 * @v4:		IPv4 socket
 */
static void tcp_bind_outbound(const struct ctx *c, int s, bool v4)
{
	const char *ifname = v4 ? c->ip4.ifname_out : c->ip6.ifname_out;
	struct sockaddr_storage sa;
	union inany_addr a;

	if (v4 && c->ip4.addr_out.s_addr != htonl(INADDR_ANY)) {
		inany_from_v4(&a, c->ip4.addr_out);
		bind(s, (struct sockaddr *)&sa, tcp_sockaddr(&sa, &a, 0));
	} else if (!v4 && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_out)) {
		a.a6 = c->ip6.addr_out;
		bind(s, (struct sockaddr *)&sa, tcp_sockaddr(&sa, &a, 0));
	}

	if (*ifname)
		setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
			   (socklen_t)strlen(ifname));
}

/**
 * tcp_conn_from_tap() - New connection from the guest: SYN
 * @c:		Execution context
 * @v6:		IPv6
 * @src:	Guest address
 * @dst:	Destination address, as the guest sent it
 * @th:		TCP header
 * @hl:		Header length, checked
 * @plen:	Payload length
 *
 * #syscalls socket connect bind setsockopt getsockopt close
 */
static void tcp_conn_from_tap(struct ctx *c, bool v6,
			      const union inany_addr *src,
			      const union inany_addr *dst,
			      const tcphdr_ua *th, size_t hl, size_t plen)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP };
	struct sockaddr_storage sa;
	union inany_addr hdst;
	struct tcp_conn *conn;
	unsigned int mss;
	struct flow_key k;
	uint16_t hport;
	socklen_t sl;
	int s, ws;

	if (!fwd_nat_from_tap(c, IPPROTO_TCP, dst, ntohs(th->th_dport), &hdst,
			      &hport)) {
		tcp_rst_reply(c, v6, src, dst, th, plen);
		return;
	}

	if (!(conn = tcp_conn_alloc())) {
		warn_once("TCP: connection table full, refusing connections");
		tcp_rst_reply(c, v6, src, dst, th, plen);
		return;
	}

	flow_side_set(tcp_tapside(conn), PIF_TAP, src, ntohs(th->th_sport), dst,
		      ntohs(th->th_dport));
	flow_side_set(&tcp_flow(conn)->f.side[TGTSIDE], PIF_HOST, &hdst, hport,
		      NULL, 0);
	if (v6)
		conn->flags |= C_V6;
	tap_tmpl_init(&conn->tmpl, v6, &tcp_tapside(conn)->ours,
		      &tcp_tapside(conn)->peer, IPPROTO_TCP,
		      v6 ? tap_flow_label() : 0);

	mss = v6 ? TCP_MSS6_DEFAULT : TCP_MSS4_DEFAULT;
	if (tcp_opts_parse(th, hl, &mss, &ws, &conn->ts_recent))
		conn->flags |= C_TS;
	conn->mss = (uint16_t)MIN(mss, tcp_mss_max(c, v6));
	if (conn->flags & C_TS)
		conn->mss -= TCP_TS_LEN;
	if (ws >= 0) {
		conn->ws_from_tap = (uint8_t)ws;
		conn->ws_to_tap = TCP_WS_TO_TAP;
	}
	conn->seq_from_tap = ntohl(th->th_seq) + 1;
	conn->wnd_from_tap = ntohs(th->th_win);
	tcp_seq_init(conn);

	s = socket(inany_v4(&hdst) ? AF_INET : AF_INET6,
		   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0 || s > FD_REF_MAX) {
		if (s >= 0)
			close(s);
		warn_once("TCP: can't open socket: %s",
			  s < 0 ? strerror(errno) : "too many descriptors");
		goto refuse;
	}
	conn->sock = s;
	tcp_sock_opts(s);
	if (inany_is_loopback(&hdst))
		sock_cc_unpaced(s, &tcp_cc_cache);
	else
		tcp_bind_outbound(c, s, inany_v4(&hdst));

	sl = tcp_sockaddr(&sa, &hdst, hport);
	if (!connect(s, (struct sockaddr *)&sa, sl) ||
	    (errno == EINPROGRESS && inany_is_loopback(&hdst) &&
	     !connect(s, (struct sockaddr *)&sa, sl))) {
		/* Over loopback, the kernel has usually gone through the
		 * whole handshake by the time connect() returns: asking again
		 * tells, and saves a round through epoll for EPOLLOUT before
		 * the SYN-ACK can go out
		 */
		conn->flags |= C_CONNECTED;
	} else if (errno != EINPROGRESS && errno != EALREADY) {
		debug("TCP: connect failed: %s", strerror(errno));
		goto refuse_close;
	}

	tcp_conn_key(&k, conn);
	if (flow_hash_insert(&k, tcp_idx(conn))) {
		warn_once("TCP: flow index full, refusing connections");
		goto refuse_close;
	}

	ref.fd = s;
	ref.data = tcp_idx(conn);
	if (passt_epoll_add(c, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
			    ref)) {
		flow_hash_remove(&k);
		goto refuse_close;
	}

	if (conn->flags & C_CONNECTED) {
		tcp_wnd_init(c, conn);
		tcp_ctl(c, conn, TH_SYN | TH_ACK, conn->seq_to_tap - 1);
		conn->flags |= C_SYN_SENT;
		tcp_timer_set(conn, TCP_RTO_MS);
	}
	return;

refuse_close:
	close(s);
	conn->sock = -1;
refuse:
	tcp_rst_reply(c, v6, src, dst, th, plen);
	tcp_conn_free(conn);
}

/**
 * tcp_tap_conn() - Segments from the guest for an existing connection
 * @c:		Execution context
 * @conn:	Connection
 * @pkts:	Segments
 * @n:		Number of segments
 *
 * Return: number of segments consumed
 */
static size_t tcp_tap_conn(struct ctx *c, struct tcp_conn *conn,
			   const struct tap_l4_pkt *pkts, size_t n)
{
	if (!(conn->flags & C_ESTABLISHED))
		return tcp_tap_handshake(c, conn, pkts, n);
	return tcp_tap_data(c, conn, pkts, n);
}

/**
 * tcp_tap_handler() - Handle TCP segments from the guest, one tuple
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @saddr:	Source address
 * @daddr:	Destination address
 * @pkts:	Segments (TCP header included) sharing addresses and ports
 * @n:		Number of segments
 * @now:	Current time
 */
void tcp_tap_handler(struct ctx *c, int af, const void *saddr,
		     const void *daddr, const struct tap_l4_pkt *pkts,
		     size_t n, const struct timespec *now)
{
	union inany_addr src, dst;
	bool v6 = af == AF_INET6;
	size_t i = 0;

	if (c->no_tcp || !n)
		return;
	tcp_clock(now);

	inany_from_af(&src, af, saddr);
	inany_from_af(&dst, af, daddr);

	while (i < n) {
		const tcphdr_ua *th = (const tcphdr_ua *)pkts[i].l4;
		size_t len = pkts[i].len, hl, used;
		struct flow_key k;
		uint32_t idx;

		if (len < TCP_HLEN) {
			i++;
			continue;
		}
		hl = (size_t)th->th_off * 4;
		if (hl < TCP_HLEN || hl > len) {
			i++;
			continue;
		}

		tcp_key(&k, &dst, &src, ntohs(th->th_dport),
			ntohs(th->th_sport));
		idx = flow_hash_lookup(&k);
		if (idx >= FLOW_MAX || flow_at(idx)->f.type != FLOW_TCP ||
		    (tcp_at(idx)->flags & C_CLOSING) ||
		    tcp_at(idx)->sock < 0) {
			if ((th->th_flags &
			     (TH_SYN | TH_ACK | TH_RST | TH_FIN)) == TH_SYN)
				tcp_conn_from_tap(c, v6, &src, &dst, th, hl,
						  len - hl);
			else
				tcp_rst_reply(c, v6, &src, &dst, th, len - hl);
			i++;
			continue;
		}

		used = tcp_tap_conn(c, tcp_at(idx), pkts + i, n - i);
		if (flow_at(idx)->f.type == FLOW_TCP)
			flow_at(idx)->f.pkts[tcp_tap_sidx(tcp_at(idx))] +=
				used ? (uint32_t)used : 1;
		i += used ? used : 1;
	}
}

/* Inbound connections */

/**
 * tcp_conn_from_sock() - Accepted connection: send SYN to the guest
 * @c:		Execution context
 * @s:		Accepted socket
 * @sa:		Peer address
 * @to:		Guest port
 */
static void tcp_conn_from_sock(struct ctx *c, int s,
			       const struct sockaddr_storage *sa, uint16_t to)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP };
	union inany_addr peer, tsrc, gaddr;
	uint16_t pport, tsport;
	struct tcp_conn *conn;
	struct flow_key k;
	bool v6;

	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inany_from_v4(&peer, s4->sin_addr);
		pport = ntohs(s4->sin_port);
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 =
			(const struct sockaddr_in6 *)sa;

		peer.a6 = s6->sin6_addr;
		pport = ntohs(s6->sin6_port);
	} else {
		goto reject;
	}

	/* pasta: loopback clients go straight to the namespace's loopback */
	if (c->mode == MODE_PASTA && !c->no_splice &&
	    inany_is_loopback(&peer)) {
		tcp_splice_conn_from_sock(c, s, sa, to);
		return;
	}

	if (s > FD_REF_MAX || !tap_is_ready(c))
		goto reject;
	if (!fwd_nat_to_tap(c, IPPROTO_TCP, &peer, pport, &tsrc, &tsport))
		goto reject;

	v6 = !inany_v4(&tsrc);
	if ((v6 && !c->ifi6) || (!v6 && !c->ifi4))
		goto reject;
	fwd_guest_addr(c, v6 ? AF_INET6 : AF_INET, &tsrc, &gaddr);
	if (inany_is_unspecified(&gaddr))
		goto reject;

	tcp_key(&k, &tsrc, &gaddr, tsport, to);
	if (flow_hash_lookup(&k) != FLOW_IDX_NONE)
		goto reject;

	if (!(conn = tcp_conn_alloc())) {
		warn_once("TCP: connection table full, refusing connections");
		goto reject;
	}

	conn->sock = s;
	/* Offer timestamps: dropped if the SYN-ACK has none */
	conn->flags = C_INBOUND | C_CONNECTED | C_TS | (v6 ? C_V6 : 0);
	flow_side_set(&tcp_flow(conn)->f.side[INISIDE], PIF_HOST, &peer, pport,
		      NULL, 0);
	flow_side_set(tcp_tapside(conn), PIF_TAP, &gaddr, to, &tsrc, tsport);
	tap_tmpl_init(&conn->tmpl, v6, &tsrc, &gaddr, IPPROTO_TCP,
		      v6 ? tap_flow_label() : 0);
	conn->mss = tcp_mss_max(c, v6);
	conn->ws_to_tap = TCP_WS_TO_TAP;
	tcp_seq_init(conn);

	if (flow_hash_insert(&k, tcp_idx(conn))) {
		warn_once("TCP: flow index full, refusing connections");
		tcp_conn_free(conn);
		goto reject;
	}

	/* Options: inherited from the listener (tcp_sock_opts()) */
	if (inany_is_loopback(&peer))
		sock_cc_unpaced(s, &tcp_cc_cache);
	ref.fd = s;
	ref.data = tcp_idx(conn);
	if (passt_epoll_add(c, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
			    ref)) {
		flow_hash_remove(&k);
		tcp_conn_free(conn);
		goto reject;
	}

	tcp_wnd_init(c, conn);
	tcp_ctl(c, conn, TH_SYN, conn->seq_to_tap - 1);
	conn->flags |= C_SYN_SENT;
	tcp_timer_set(conn, TCP_RTO_MS);
	return;

reject:
	{
		struct linger l = { 1, 0 };

		setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(s);
	}
}

/**
 * tcp_accept() - Accept connections on a listening socket
 * @c:		Execution context
 * @ref:	epoll reference: fd, guest port in @data
 *
 * #syscalls accept4 accept
 */
static void tcp_accept(struct ctx *c, union epoll_ref ref)
{
	int i;

	flow_rule_cur = fwd_lsock_rule(ref.fd);	/* new flows remember it */
	for (i = 0; i < 64; i++) {
		struct sockaddr_storage sa;
		socklen_t sl = sizeof(sa);
		int s;

		s = accept4(ref.fd, (struct sockaddr *)&sa, &sl,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0) {
			if (errno == EMFILE || errno == ENFILE)
				warn_once("TCP: out of descriptors accepting");
			break;
		}
		tcp_conn_from_sock(c, s, &sa, (uint16_t)ref.data);
	}
	flow_rule_cur = 0;
}

/**
 * tcp_flow_rst() - Reset a connection, e.g. as its forwarding rule goes
 * @c:		Execution context
 * @idx:	Flow index, of type FLOW_TCP
 */
void tcp_flow_rst(struct ctx *c, uint32_t idx)
{
	if (idx < FLOW_MAX && flow_at(idx)->f.type == FLOW_TCP)
		tcp_rst(c, tcp_at(idx));
}

/* Socket and timer events */

/**
 * tcp_timeout() - The deadline of a connection passed
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_timeout(struct ctx *c, struct tcp_conn *conn)
{
	uint32_t inflight;

	if (!(conn->flags & C_ESTABLISHED)) {
		if (!(conn->flags & C_SYN_SENT))
			return;
		if (++conn->retrans > TCP_SYN_RETRIES) {
			debug("TCP: no answer to SYN, resetting");
			tcp_rst(c, conn);
			return;
		}
		if (conn->flags & C_INBOUND)
			tcp_ctl(c, conn, TH_SYN, conn->seq_to_tap - 1);
		else
			tcp_ctl(c, conn, TH_SYN | TH_ACK,
				conn->seq_to_tap - 1);
		tcp_timer_set(conn, TCP_RTO_MS << conn->retrans);
		return;
	}

	/* Waiting for room toward the guest: give up if it never comes */
	if ((conn->flags & C_TAP_WAIT) && conn->seq_to_tap == conn->una &&
	    !(conn->flags & C_TAP_FIN_SENT)) {
		if (++conn->retrans > TCP_RETRANS_MAX) {
			debug("TCP: no room toward the guest, resetting");
			tcp_rst(c, conn);
			return;
		}
		conn->rto = (uint16_t)MIN(conn->rto * 2, TCP_RTO_MAX_MS);
		tcp_timer_set(conn, conn->rto);
		return;
	}

	if (conn->flags & C_TAP_RETRY) {
		conn->flags &= ~C_TAP_RETRY;
		if (conn->flags & C_FORCE_ACK)
			tcp_ack_later(conn, true);
		tcp_data_from_sock(c, conn);
		if (!conn->deadline && (conn->seq_to_tap != conn->una ||
					(conn->flags & C_TAP_FIN_SENT)))
			tcp_timer_set(conn, conn->rto);
		if (!(conn->flags & C_TAP_FIN_SENT) &&
		    (conn->flags & C_SOCK_FIN))
			tcp_send_fin(c, conn);
		return;
	}

	inflight = conn->seq_to_tap - conn->una;
	if (inflight || ((conn->flags & C_TAP_FIN_SENT) &&
			 !(conn->flags & C_TAP_FIN_ACKED))) {
		if (++conn->retrans > TCP_RETRANS_MAX) {
			debug("TCP: too many retransmissions, resetting");
			tcp_rst(c, conn);
			return;
		}
		conn->rto = (uint16_t)MIN(conn->rto * 2, TCP_RTO_MAX_MS);
		conn->flags |= C_RECOVERY;
		conn->recover = conn->seq_to_tap;
		tcp_retransmit_one(c, conn);
		tcp_timer_set(conn, conn->rto);
		return;
	}

	if (!conn->wnd_from_tap) {
		int avail = 0;

		/* Zero window probe: a segment below the window gets ACKed */
		if (!ioctl(conn->sock, FIONREAD, &avail) && avail > 0)
			tcp_ctl(c, conn, TH_ACK, conn->seq_to_tap - 1);
		if (avail > 0 || !(conn->flags & C_SOCK_FIN)) {
			conn->rto = (uint16_t)MIN(conn->rto * 2,
						  TCP_RTO_MAX_MS);
			tcp_timer_set(conn, conn->rto);
		}
		return;
	}

	tcp_data_from_sock(c, conn);
}

/**
 * tcp_timer_handler() - The TCP timerfd fired: expire deadlines
 * @c:		Execution context
 *
 * #syscalls read timerfd_settime ioctl
 */
static void tcp_timer_handler(struct ctx *c)
{
	uint32_t next = 0;
	uint64_t exp;
	unsigned int j = 0;

	if (read(tcp_timer_fd, &exp, sizeof(exp)) < 0 && errno == EINTR)
		return;
	tcp_timer_armed = 0;

	while (j < tcp_tlist_n) {
		struct tcp_conn *conn = tcp_at(tcp_tlist[j]);

		if (!(conn->flags & C_CLOSING) && conn->deadline &&
		    SEQ_LE(conn->deadline, tcp_now)) {
			conn->deadline = 0;
			tcp_timeout(c, conn);
		}

		if ((conn->flags & C_CLOSING) || !conn->deadline) {
			tcp_timer_unlist(conn);
			continue;
		}

		if (!next || SEQ_LT(conn->deadline, next))
			next = conn->deadline;
		j++;
	}

	if (next)
		tcp_timer_arm(next);
}

/**
 * tcp_conn_handler() - Events on the socket of a connection
 * @c:		Execution context
 * @conn:	Connection
 * @events:	epoll events
 */
static void tcp_conn_handler(struct ctx *c, struct tcp_conn *conn,
			     uint32_t events)
{
	if (!(conn->flags & C_CONNECTED)) {
		int err = 0;
		socklen_t sl = sizeof(err);

		/* A failed connect() always comes with EPOLLERR: without
		 * it, there's no error to ask for
		 */
		if (events & (EPOLLERR | EPOLLHUP)) {
			getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err,
				   &sl);
			debug("TCP: connect failed: %s", strerror(err));
			tcp_rst(c, conn);
			return;
		}
		if (!(events & EPOLLOUT))
			return;

		conn->flags |= C_CONNECTED | C_SYN_SENT;
		tcp_wnd_init(c, conn);
		tcp_ctl(c, conn, TH_SYN | TH_ACK, conn->seq_to_tap - 1);
		tcp_timer_set(conn, TCP_RTO_MS);
		return;
	}

	if (events & EPOLLERR) {
		int err = 0;
		socklen_t sl = sizeof(err);

		getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err, &sl);
		debug("TCP: socket error: %s", strerror(err));
		tcp_rst(c, conn);
		return;
	}

	if (events & EPOLLRDHUP)
		conn->flags |= C_SOCK_FIN;

	if (!(conn->flags & C_ESTABLISHED)) {
		if ((events & EPOLLHUP) && !(events & EPOLLRDHUP))
			tcp_rst(c, conn);
		return;
	}

	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
		tcp_data_from_sock(c, conn);

	if ((events & EPOLLOUT) && (conn->flags & C_WND_BLOCKED)) {
		conn->flags &= ~C_WND_BLOCKED;
		tcp_ack_later(conn, false);
	}
}

/**
 * tcp_sock_handler() - Handle events on TCP sockets (listening, connected,
 *			per-connection timers, spliced)
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 * @now:	Current time
 */
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now)
{
	struct tcp_conn *conn;

	tcp_clock(now);

	switch (ref.type) {
	case EPOLL_TYPE_TCP_LISTEN:
		tcp_accept(c, ref);
		return;
	case EPOLL_TYPE_TCP_TIMER:
		tcp_timer_handler(c);
		return;
	case EPOLL_TYPE_TCP:
		break;
	default:
		return;
	}

	if (ref.data >= FLOW_MAX || flow_at(ref.data)->f.type != FLOW_TCP)
		return;
	conn = tcp_at(ref.data);
	if (conn->sock != ref.fd || (conn->flags & C_CLOSING))
		return;

	tcp_conn_handler(c, conn, events);
}

/**
 * tcp_timer() - Periodic work: table cleanup, automatic forwarding scan
 * @c:		Execution context
 * @now:	Current time
 */
void tcp_timer(struct ctx *c, const struct timespec *now)
{
	uint32_t i;

	tcp_clock(now);

	for (i = 0; i < flow_hwm(); i++) {
		struct tcp_conn *conn = tcp_at(i);
		uint32_t age = tcp_now_s - conn->since;

		if (flow_at(i)->f.type != FLOW_TCP || conn->sock < 0 ||
		    (conn->flags & C_CLOSING))
			continue;

		if (!(conn->flags & C_CONNECTED)) {
			if (age >= TCP_CONNECT_TIMEOUT_S) {
				debug("TCP: connect timeout");
				tcp_rst(c, conn);
			}
		} else if (!(conn->flags & C_ESTABLISHED)) {
			if (age >= TCP_HANDSHAKE_TIMEOUT_S) {
				debug("TCP: handshake timeout");
				tcp_rst(c, conn);
			}
		} else if (age >= TCP_IDLE_TIMEOUT_S) {
			debug("TCP: idle timeout");
			tcp_rst(c, conn);
		}
	}
}

/**
 * tcp_defer_handler() - Flush batched frames and deferred work after a
 *			 round of events
 * @c:		Execution context
 * @now:	Current time
 */
void tcp_defer_handler(struct ctx *c, const struct timespec *now)
{
	unsigned int i;

	tcp_clock(now);

	for (i = 0; i < tcp_alist_n; i++) {
		struct tcp_conn *conn = tcp_at(tcp_alist[i]);
		uint32_t old;
		bool force;

		force = conn->flags & C_FORCE_ACK;
		conn->flags &= ~(C_ACK_LIST | C_FORCE_ACK);
		if ((conn->flags & C_CLOSING) || conn->sock < 0 ||
		    !(conn->flags & C_ESTABLISHED))
			continue;

		old = conn->wnd_to_tap;
		tcp_wnd_update(c, conn);
		if (force || conn->seq_ack_to_tap != conn->seq_from_tap ||
		    (old >> conn->ws_to_tap) !=
		    (conn->wnd_to_tap >> conn->ws_to_tap)) {
			uint32_t seq = conn->seq_to_tap;

			if (conn->flags & C_TAP_FIN_SENT)
				seq++;
			tcp_ctl(c, conn, TH_ACK, seq);
		}
	}
	tcp_alist_n = 0;

	tcp_flush(c);

	for (i = 0; i < tcp_clist_n; i++) {
		struct tcp_conn *conn = tcp_at(tcp_clist[i]);

		tcp_conn_free(conn);
	}
	tcp_clist_n = 0;
}

/**
 * tcp_tap_room() - There's room toward the guest again: resume connections
 *		    waiting for it, at once
 * @c:		Execution context
 * @now:	Current time
 */
void tcp_tap_room(struct ctx *c, const struct timespec *now)
{
	static uint32_t w[TCP_CONN_MAX];
	unsigned int n = tcp_wlist_n, i;

	if (!n)
		return;

	tcp_clock(now);
	memcpy(w, tcp_wlist, n * sizeof(w[0]));
	tcp_wlist_n = 0;
	debug("TCP: room toward the guest again, resuming %u connection%s",
	      n, n == 1 ? "" : "s");

	for (i = 0; i < n; i++) {
		struct tcp_conn *conn = tcp_at(w[i]);

		if (flow_at(w[i])->f.type != FLOW_TCP ||
		    !(conn->flags & C_TAP_WAIT))
			continue;
		conn->flags &= ~C_TAP_WAIT;
		if (conn->sock < 0 || (conn->flags & C_CLOSING))
			continue;

		if (conn->flags & C_FORCE_ACK)
			tcp_ack_later(conn, true);
		tcp_data_from_sock(c, conn);
		if (!(conn->flags & C_TAP_FIN_SENT) &&
		    (conn->flags & C_SOCK_FIN))
			tcp_send_fin(c, conn);
	}

	tcp_flush(c);
}

/**
 * tcp_tap_reset() - The guest went away: reset connections on the tap side
 * @c:		Execution context
 */
void tcp_tap_reset(struct ctx *c)
{
	uint32_t i;

	debug("TCP: guest gone, resetting its connections");
	tcp_out_n = 0;
	tcp_wlist_n = 0;
	tap_out_flush(c);	/* guest gone: drops what tap.c had queued */

	for (i = 0; i < flow_hwm(); i++) {
		struct tcp_conn *conn = tcp_at(i);

		if (flow_at(i)->f.type == FLOW_TCP && conn->sock >= 0 &&
		    !(conn->flags & C_CLOSING))
			tcp_conn_close(c, conn, true);
	}
}

/**
 * tcp_host_addr_check() - Reset connections on an address the host lost
 * @c:		Execution context
 * @gone:	Tells whether a local address is no longer the host's
 *
 * The host's socket can't send from an address the host no longer has:
 * rather than letting the guest wait for a timeout, reset both sides. The
 * resets go out right away: pasta may remove the address from the
 * namespace next, and the namespace would drop them.
 *
 * #syscalls getsockname
 */
void tcp_host_addr_check(struct ctx *c,
			 bool (*gone)(const union inany_addr *a))
{
	bool reset = false;
	uint32_t i;

	for (i = 0; i < flow_hwm(); i++) {
		struct tcp_conn *conn = tcp_at(i);
		struct sockaddr_storage sa;
		socklen_t sl = sizeof(sa);
		union inany_addr a;
		char buf[INET6_ADDRSTRLEN];

		if (flow_at(i)->f.type != FLOW_TCP || conn->sock < 0 ||
		    (conn->flags & C_CLOSING))
			continue;
		if (getsockname(conn->sock, (struct sockaddr *)&sa, &sl))
			continue;

		if (sa.ss_family == AF_INET6)
			inany_from_af(&a, AF_INET6,
				      &((struct sockaddr_in6 *)&sa)->sin6_addr);
		else if (sa.ss_family == AF_INET)
			inany_from_af(&a, AF_INET,
				      &((struct sockaddr_in *)&sa)->sin_addr);
		else
			continue;

		if (!gone(&a))
			continue;

		info("TCP: host address %s went away, resetting connection",
		     inany_ntop(&a, buf, sizeof(buf)));
		tcp_rst(c, conn);
		reset = true;
	}

	if (reset)
		tcp_flush(c);
}

/* Listening sockets */

/**
 * tcp_listen_sock() - Open a listening socket for a forwarded port
 * @c:		Execution context
 * @af:		AF_UNSPEC (dual stack if possible), AF_INET or AF_INET6
 * @addr:	Address to bind, NULL or unspecified for any
 * @ifname:	Device to bind to, NULL or empty for none
 * @port:	Port
 * @to:		Guest port
 *
 * Return: socket, or negative error code
 *
 * #syscalls socket bind listen setsockopt close
 */
static int tcp_listen_sock(struct ctx *c, int af, const union inany_addr *addr,
			   const char *ifname, uint16_t port, uint16_t to)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_LISTEN };
	struct sockaddr_storage sa;
	union inany_addr any;
	int s, one = 1, ret;
	socklen_t sl;

	if (af == AF_UNSPEC) {
		if (!c->ifi6)
			af = AF_INET;
		else if (!c->ifi4)
			af = AF_INET6;
	}

	if (addr && !inany_is_unspecified(addr)) {
		any = *addr;
		af = inany_v4(addr) ? AF_INET : AF_INET6;
	} else if (af == AF_INET) {
		inany_from_v4(&any, (struct in_addr){ htonl(INADDR_ANY) });
	} else {
		memset(&any, 0, sizeof(any));
	}

	s = socket(af == AF_INET ? AF_INET : AF_INET6,
		   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0 && af == AF_UNSPEC) {
		af = AF_INET;
		inany_from_v4(&any, (struct in_addr){ htonl(INADDR_ANY) });
		s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			   IPPROTO_TCP);
	}
	if (s < 0)
		return -errno;
	if (s > FD_REF_MAX) {
		close(s);
		return -EMFILE;
	}

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Once here, not per connection: accepted sockets inherit them */
	tcp_sock_opts(s);
	if (af != AF_INET) {
		int v6only = af == AF_INET6;

		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			   sizeof(v6only));
	}
	if (ifname && *ifname &&
	    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname))) {
		ret = -errno;
		close(s);
		return ret;
	}
	if (c->freebind) {
		if (af == AF_INET)
			setsockopt(s, IPPROTO_IP, IP_FREEBIND, &one,
				   sizeof(one));
		else
			setsockopt(s, IPPROTO_IPV6, IPV6_FREEBIND, &one,
				   sizeof(one));
	}

	sl = tcp_sockaddr(&sa, &any, port);
	if (af != AF_INET && inany_v4(&any)) {
		/* Dual stack any: bind :: rather than ::ffff:0.0.0.0 */
		memset(&any, 0, sizeof(any));
		sl = tcp_sockaddr(&sa, &any, port);
	}
	if (bind(s, (struct sockaddr *)&sa, sl) || listen(s, SOMAXCONN)) {
		ret = -errno;
		close(s);
		return ret;
	}

	ref.fd = s;
	ref.data = to;
	if ((ret = passt_epoll_add(c, EPOLLIN, ref))) {
		close(s);
		return ret < 0 ? ret : -EIO;
	}
	fwd_lsock_note(s, ref.u64);

	return s;
}

/**
 * tcp_listen_rule() - Listen on one port of a forwarding rule
 * @c:		Execution context
 * @r:		Rule: address, interface
 * @port:	Port to listen on
 * @to:		Guest port
 *
 * Return: 0 on success, negative error code on failure
 */
int tcp_listen_rule(struct ctx *c, const struct fwd_rule *r, uint16_t port,
		    uint16_t to)
{
	const union inany_addr *a = r->af != AF_UNSPEC ? &r->addr : NULL;
	int s;

	s = tcp_listen_sock(c, r->af, a, r->ifname, port, to);
	if (s < 0)
		return s;
	if (!a && !*r->ifname && !tcp_port_fd[port])
		tcp_port_fd[port] = s + 1;
	return 0;
}

/**
 * tcp_listen_close() - Close a listening socket of a forwarding rule
 * @c:		Execution context
 * @fd:		Socket
 *
 * #syscalls getsockname
 */
void tcp_listen_close(struct ctx *c, int fd)
{
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);

	if (!getsockname(fd, (struct sockaddr *)&sa, &sl)) {
		uint16_t port = ntohs(sa.ss_family == AF_INET ?
				      ((struct sockaddr_in *)&sa)->sin_port :
				      ((struct sockaddr_in6 *)&sa)->sin6_port);

		if (tcp_port_fd[port] == fd + 1)
			tcp_port_fd[port] = 0;
	}
	fwd_lsock_forget(fd);
	passt_epoll_del(c, fd);
	close(fd);
}

/**
 * tcp_listen_port() - Listen on one port, any address, both IP versions, and
 *		       forward connections to a port of the guest (for
 *		       automatic forwarding)
 * @c:		Execution context
 * @port:	Port to listen on
 * @to:		Port of the guest that connections are forwarded to
 *
 * Return: 0 on success (or already listening), negative error code on failure
 */
int tcp_listen_port(struct ctx *c, uint16_t port, uint16_t to)
{
	int s;

	if (c->no_tcp)
		return -EINVAL;
	if (tcp_port_fd[port])
		return 0;

	s = tcp_listen_sock(c, AF_UNSPEC, NULL, NULL, port, to);
	if (s < 0)
		return s;
	tcp_port_fd[port] = s + 1;
	return 0;
}

/**
 * tcp_unlisten_port() - Stop listening on a port bound by tcp_listen_port()
 * @c:		Execution context
 * @port:	Port
 */
void tcp_unlisten_port(struct ctx *c, uint16_t port)
{
	if (!tcp_port_fd[port])
		return;
	fwd_lsock_forget(tcp_port_fd[port] - 1);
	passt_epoll_del(c, tcp_port_fd[port] - 1);
	close(tcp_port_fd[port] - 1);
	tcp_port_fd[port] = 0;
}

/**
 * tcp_probe_peek_off() - Check whether TCP sockets support SO_PEEK_OFF
 *
 * Return: true if supported
 */
static bool tcp_probe_peek_off(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	int zero = 0;
	bool ok;

	if (s < 0)
		s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0)
		return false;
	ok = !setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero));
	close(s);
	return ok;
}

/**
 * tcp_init() - Bind forwarded ports, set up connection table and buffers
 * @c:		Execution context
 *
 * Return: 0 on success, -1 if an explicitly requested port cannot be bound
 *
 * #syscalls timerfd_create timerfd_settime clock_gettime
 */
int tcp_init(struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_TIMER };
	const struct fwd_ports *fwd = &c->tcp_in;
	unsigned int bound = 0, tried = 0, skipped = 0, i;

	if (c->no_tcp)
		return 0;

	tcp_peek_off_ok = tcp_probe_peek_off();
	if (!tcp_peek_off_ok)
		info("TCP: no SO_PEEK_OFF support, peeking from the start");

	tcp_timer_fd = timerfd_create(CLOCK_MONOTONIC,
				      TFD_NONBLOCK | TFD_CLOEXEC);
	if (tcp_timer_fd < 0) {
		err("TCP: can't create timer: %s", strerror(errno));
		return -1;
	}
	ref.fd = tcp_timer_fd;
	if (passt_epoll_add(c, EPOLLIN, ref)) {
		err("TCP: can't add timer to epoll set");
		return -1;
	}

	if (fwd->mode != FWD_SPEC && fwd->mode != FWD_ALL)
		return 0;

	for (i = 0; i < fwd->count; i++) {
		const struct fwd_rule *r = &fwd->rules[i];
		unsigned int p;

		fwd_rule_binding = r->id;
		for (p = r->first; p <= r->last; p++) {
			uint16_t to = (uint16_t)(r->to + (p - r->first));
			int s;

			if (fwd_port_excluded(fwd, (uint16_t)p))
				continue;
			if ((r->flags & FWD_WEAK) && !fwd_weak_room()) {
				skipped++;
				continue;
			}

			tried++;
			s = tcp_listen_rule(c, r, (uint16_t)p, to);
			if (!s) {
				bound++;
				continue;
			}
			if (!(r->flags & FWD_WEAK)) {
				err("Failed to bind port %u: %s", p,
				    strerror(-s));
				fwd_rule_binding = 0;
				return -1;
			}
		}
	}
	fwd_rule_binding = 0;

	if (skipped)
		warn("TCP: %u ports not forwarded: open files limit reached",
		     skipped);
	if (tried && !bound) {
		err("Failed to bind any TCP port");
		return -1;
	}

	return 0;
}
