/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_tcp.c - TCP translation: option parsing, resets for unknown flows,
 * malformed segments, a full table, and a connection through the gateway
 * mapping to a loopback listener (handshake, data both ways, close)
 *
 * unit-include: tcp.c
 */

#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "../../tcp.c"
#include "unit.h"

static struct ctx c;
static int tap_peer = -1;		/* our end of the "qemu" socket */

static const uint8_t guest_mac[6] = { 0x02, 0, 0, 0, 0, 1 };
static struct in_addr guest4, gw4;

/* A frame read back from the tap side, decoded */
struct frame {
	size_t len;
	uint8_t buf[FRAME_MAX + 4];
	const tcphdr_ua *th;
	size_t l4len;
	size_t hlen;
	const uint8_t *payload;
	size_t plen;
	bool csum_ok;
};

static struct timespec now_ts(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

/* Read one frame sent to the guest; false if none is waiting */
static bool frame_read(struct frame *f)
{
	uint32_t l;
	ssize_t n;
	uint8_t *ip;

	n = recv(tap_peer, &l, 4, MSG_DONTWAIT);
	if (n != 4)
		return false;
	f->len = ntohl(l);
	if (f->len > sizeof(f->buf))
		return false;
	if (recv(tap_peer, f->buf, f->len, MSG_WAITALL) != (ssize_t)f->len)
		return false;

	ip = f->buf + ETH_HLEN;
	f->th = (const tcphdr_ua *)(ip + sizeof(struct iphdr));
	/* From the IP header: frames of less than 60 bytes come padded */
	f->l4len = ntohs(((const struct iphdr *)ip)->tot_len) -
		   sizeof(struct iphdr);
	if (f->len < ETH_ZLEN ||
	    ETH_HLEN + sizeof(struct iphdr) + f->l4len > f->len)
		return false;
	f->hlen = (size_t)f->th->th_off * 4;
	f->payload = (uint8_t *)f->th + f->hlen;
	f->plen = f->l4len - f->hlen;
	{
		const struct iphdr *iph = (const struct iphdr *)ip;
		struct in_addr s = { iph->saddr }, d = { iph->daddr };

		f->csum_ok = csum(f->th, f->l4len,
				  csum_pseudo4((uint16_t)f->l4len, IPPROTO_TCP,
					       s, d)) == 0 &&
			     csum_ip4_header(ip, sizeof(struct iphdr)) == 0;
	}
	return true;
}

/* Drop every frame waiting */
static unsigned int frames_drain(void)
{
	struct frame f;
	unsigned int n = 0;

	while (frame_read(&f))
		n++;
	return n;
}

/* Send one segment from the guest to @dport of the gateway */
static void guest_seg(uint16_t sport, uint16_t dport, uint8_t flags,
		      uint32_t seq, uint32_t ack, const uint8_t *opts,
		      size_t optlen, const void *data, size_t dlen)
{
	static uint8_t buf[2048];
	struct tcphdr *th = (struct tcphdr *)buf;
	struct tap_l4_pkt p = { 0 };
	struct timespec t = now_ts();

	memset(buf, 0, sizeof(*th));
	th->th_sport = htons(sport);
	th->th_dport = htons(dport);
	th->th_seq = htonl(seq);
	th->th_ack = htonl(ack);
	th->th_off = (TCP_HLEN + optlen) / 4;
	th->th_flags = flags;
	th->th_win = htons(65535);
	memcpy(buf + TCP_HLEN, opts, optlen);
	memcpy(buf + TCP_HLEN + optlen, data, dlen);

	p.l4 = buf;
	p.len = TCP_HLEN + optlen + dlen;
	tcp_tap_handler(&c, AF_INET, &guest4, &gw4, &p, 1, &t);
	tcp_defer_handler(&c, &t);
}

/* A segment from the guest in the same round as pending socket events,
 * as when epoll reports both at once: the flush comes after both
 */
static void guest_seg_round(uint16_t sport, uint16_t dport, uint8_t flags,
			    uint32_t seq, uint32_t ack, const void *data,
			    size_t dlen)
{
	static uint8_t buf[2048];
	struct tcphdr *th = (struct tcphdr *)buf;
	struct timespec t = now_ts();
	struct epoll_event ev[8];
	struct tap_l4_pkt p = { 0 };
	int n, i;

	memset(buf, 0, sizeof(*th));
	th->th_sport = htons(sport);
	th->th_dport = htons(dport);
	th->th_seq = htonl(seq);
	th->th_ack = htonl(ack);
	th->th_off = TCP_HLEN / 4;
	th->th_flags = flags;
	th->th_win = htons(65535);
	memcpy(buf + TCP_HLEN, data, dlen);
	p.l4 = buf;
	p.len = TCP_HLEN + dlen;

	n = epoll_wait(c.epollfd, ev, 8, 100);
	tcp_tap_handler(&c, AF_INET, &guest4, &gw4, &p, 1, &t);
	for (i = 0; i < n; i++) {
		union epoll_ref ref = { .u64 = ev[i].data.u64 };

		tcp_sock_handler(&c, ref, ev[i].events, &t);
	}
	tcp_defer_handler(&c, &t);
}

/* Dispatch pending socket events, then flush, for up to @ms */
static void pump(int ms)
{
	struct epoll_event ev[8];
	struct timespec t;
	int n, i;

	n = epoll_wait(c.epollfd, ev, 8, ms);
	t = now_ts();
	for (i = 0; i < n; i++) {
		union epoll_ref ref = { .u64 = ev[i].data.u64 };

		tcp_sock_handler(&c, ref, ev[i].events, &t);
	}
	tcp_defer_handler(&c, &t);
}

/* Wait for a frame with @flags set */
static bool frame_wait(struct frame *f, uint8_t flags)
{
	int i;

	for (i = 0; i < 50; i++) {
		while (frame_read(f))
			if ((f->th->th_flags & flags) == flags)
				return true;
		pump(20);
	}
	return false;
}

static void test_options(void)
{
	uint8_t b[60] = { 0 };
	tcphdr_ua *th = (tcphdr_ua *)b;
	uint8_t *o = b + TCP_HLEN;
	unsigned int mss = 0;
	uint32_t ts = 0;
	int ws;

	/* MSS, NOP, WS 7, NOP NOP TS */
	memcpy(o, "\x02\x04\x05\xb4\x01\x03\x03\x07\x01\x01\x08\x0a"
		  "\x00\x00\x12\x34\x00\x00\x00\x00", 20);
	CHECK(tcp_opts_parse(th, TCP_HLEN + 20, &mss, &ws, &ts),
	      "timestamp option found");
	CHECK(mss == 1460 && ws == 7 && ts == 0x1234,
	      "MSS, window scale and timestamp parsed");

	o[7] = 20;
	tcp_opts_parse(th, TCP_HLEN + 20, &mss, &ws, &ts);
	CHECK(ws == TCP_WS_MAX, "window scale capped at 14");

	/* Option length running past the header: ignored, no overread */
	memcpy(o, "\x02\x04\x05\xb4\x03\x09\x07\x00", 8);
	mss = 0;
	CHECK(!tcp_opts_parse(th, TCP_HLEN + 8, &mss, &ws, &ts) &&
	      mss == 1460 && ws == -1, "option past the header ignored");

	/* Zero option length: stop */
	memcpy(o, "\x05\x00\x02\x04\x05\xb4\x00\x00", 8);
	mss = 0;
	tcp_opts_parse(th, TCP_HLEN + 8, &mss, &ws, &ts);
	CHECK(mss == 0, "zero-length option stops parsing");

	memcpy(o, "\x01\x01\x08\x0a\xde\xad\xbe\xef\x00\x00\x00\x01", 12);
	CHECK(tcp_ts_get(th, TCP_HLEN + 12, &ts) && ts == 0xdeadbeef,
	      "timestamp fast path");
	CHECK(!tcp_ts_get(th, TCP_HLEN, &ts), "no options, no timestamp");
}

static void test_seq(void)
{
	CHECK(SEQ_LT(0xfffffff0U, 0x10U) && SEQ_GT(0x10U, 0xfffffff0U),
	      "sequence comparisons across wrap-around");
	CHECK(SEQ_LE(5U, 5U) && SEQ_GE(5U, 5U) && !SEQ_LT(5U, 5U),
	      "sequence comparisons, equal");
}

static void test_mss(void)
{
	struct ctx m = { 0 };

	m.mtu = 65520;
	CHECK(tcp_mss_max(&m, false) == 65480 && tcp_mss_max(&m, true) == 65460,
	      "MSS from MTU 65520");
	m.mtu = 1500;
	CHECK(tcp_mss_max(&m, false) == 1460 && tcp_mss_max(&m, true) == 1440,
	      "MSS from MTU 1500");
	m.mtu = 65535;
	CHECK(tcp_mss_max(&m, false) <= FRAME_MAX - ETH_HLEN -
					  sizeof(struct iphdr) - TCP_HLEN &&
	      tcp_mss_max(&m, true) <= FRAME_MAX - ETH_HLEN -
					 sizeof(struct ip6_hdr) - TCP_HLEN,
	      "MSS fits a frame at MTU 65535");
}

static void test_isn(void)
{
	struct flow *fa = flow_alloc(FLOW_TCP, 0);
	struct flow *fb = flow_alloc(FLOW_TCP, 0);
	struct tcp_conn *a = flow_priv(fa), *b = flow_priv(fb);
	union inany_addr g, d;
	uint32_t isn, ts_off;

	inany_from_v4(&d, gw4);
	inany_from_v4(&g, guest4);
	flow_side_set(&fa->f.side[INISIDE], PIF_TAP, &g, 40000, &d, 80);
	flow_side_set(&fb->f.side[INISIDE], PIF_TAP, &g, 40001, &d, 80);
	tcp_seq_init(a);
	tcp_seq_init(b);
	CHECK(a->seq_to_tap != b->seq_to_tap && a->una == a->seq_to_tap,
	      "ISNs differ between tuples");
	CHECK(a->ts_off != b->ts_off,
	      "timestamp offsets differ between tuples");

	/* Same tuple again, later: both move forward, for the guest's
	 * TIME-WAIT socket of the earlier connection to take the new SYN
	 */
	isn = a->seq_to_tap;
	ts_off = a->ts_off;
	usleep(1000);
	tcp_seq_init(a);
	CHECK(SEQ_GT(a->seq_to_tap, isn + 100),
	      "same tuple, 1 ms later: ISN beyond the earlier one");
	CHECK(a->ts_off == ts_off,
	      "same tuple: same timestamp offset, timestamps keep growing");
	flow_free(fb);
	flow_free(fa);
}

static void test_no_conn(void)
{
	static const uint8_t junk[4] = { 0 };
	struct frame f;
	struct tap_l4_pkt p = { 0 };
	uint8_t bad[TCP_HLEN];
	struct timespec t = now_ts();

	frames_drain();
	guest_seg(40000, 9, TH_ACK, 1000, 5000, NULL, 0, "abc", 3);
	CHECK(frame_read(&f) && f.th->th_flags == TH_RST &&
	      ntohl(f.th->th_seq) == 5000 && f.csum_ok,
	      "ACK for unknown flow: RST with seq = ACK, checksums right");

	guest_seg(40000, 9, TH_FIN | TH_PUSH, 1000, 0, NULL, 0, "abc", 3);
	CHECK(frame_read(&f) && f.th->th_flags == (TH_RST | TH_ACK) &&
	      ntohl(f.th->th_ack) == 1004 && ntohs(f.th->th_dport) == 40000,
	      "segment without ACK: RST+ACK acknowledging data and FIN");

	guest_seg(40000, 9, TH_RST, 1000, 0, NULL, 0, NULL, 0);
	CHECK(!frame_read(&f), "RST for unknown flow: no answer");

	/* Data offset below 5 words, and beyond the segment */
	memset(bad, 0, sizeof(bad));
	bad[12] = 4 << 4;
	bad[13] = TH_SYN;
	p.l4 = bad;
	p.len = sizeof(bad);
	tcp_tap_handler(&c, AF_INET, &guest4, &gw4, &p, 1, &t);
	bad[12] = 15 << 4;
	tcp_tap_handler(&c, AF_INET, &guest4, &gw4, &p, 1, &t);
	p.len = 3;
	p.l4 = junk;
	tcp_tap_handler(&c, AF_INET, &guest4, &gw4, &p, 1, &t);
	tcp_defer_handler(&c, &t);
	CHECK(!frame_read(&f) && flow_count(FLOW_TCP) == 0,
	      "bad data offsets and short segments ignored");
}

static void test_table_full(void)
{
	static struct flow *fill[TCP_CONN_MAX];
	unsigned int n = 0;
	struct frame f;

	/* Fill the TCP share of the flow table, release in reverse order
	 * so that the free list is as it was
	 */
	while (n < TCP_CONN_MAX && (fill[n] = flow_alloc(FLOW_TCP, 0)))
		n++;
	frames_drain();
	guest_seg(40002, 9, TH_SYN, 7000, 0, NULL, 0, NULL, 0);
	CHECK(frame_read(&f) && (f.th->th_flags & TH_RST) &&
	      ntohl(f.th->th_ack) == 7001, "table full: SYN refused with RST");
	CHECK_EQ_INT(flow_count(FLOW_TCP), TCP_CONN_MAX,
		     "table full: no connection added");
	while (n)
		flow_free(fill[--n]);
}

static void test_refused(int port)
{
	static const uint8_t opts[] = { 2, 4, 0x05, 0xb4 };
	struct frame f;

	frames_drain();
	guest_seg(40003, (uint16_t)port, TH_SYN, 100, 0, opts, sizeof(opts),
		  NULL, 0);
	/* Loopback: known at once, before any socket event */
	CHECK(frame_read(&f) && (f.th->th_flags & TH_RST),
	      "refused connection: RST in the same round as the SYN");
	CHECK((f.th->th_flags & TH_RST) && (f.th->th_flags & TH_ACK) &&
	      ntohl(f.th->th_ack) == 101,
	      "refused connection: RST+ACK to the guest's SYN");
	pump(0);
}

static void test_conn(int ls, int port, const char *what)
{
	/* MSS 1460, NOP, WS 7, NOP NOP TS */
	static const uint8_t opts[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7,
					1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0 };
	uint32_t gseq = 1000000, our, tsecr;
	char buf[64] = { 0 };
	struct frame f;
	int s = -1, i;

	frames_drain();
	guest_seg(40010, (uint16_t)port, TH_SYN, gseq, 0, opts, sizeof(opts),
		  NULL, 0);
	/* Loopback: connected by the time connect() returns, no EPOLLOUT
	 * round needed
	 */
	if (!CHECK(frame_read(&f) &&
		   (f.th->th_flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK),
		   "SYN-ACK in the same round as the SYN (%s)", what))
		return;
	our = ntohl(f.th->th_seq) + 1;
	CHECK(ntohl(f.th->th_ack) == gseq + 1 && f.csum_ok,
	      "SYN-ACK acknowledges the guest's SYN, checksums right");
	{
		unsigned int mss = 0;
		uint32_t ts = 0;
		int ws;

		CHECK(tcp_opts_parse(f.th, f.hlen, &mss, &ws, &ts) &&
		      ws == TCP_WS_TO_TAP && mss == 1460,
		      "SYN-ACK options: MSS from MTU, window scale, timestamp");
	}

	guest_seg(40010, (uint16_t)port, TH_ACK | TH_PUSH, gseq + 1, our,
		  NULL, 0, "hello", 5);
	for (i = 0; i < 50 && s < 0; i++) {
		s = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
		if (s < 0)
			pump(10);
	}
	if (!CHECK(s >= 0, "host side accepted"))
		return;
	for (i = 0; i < 50; i++) {
		if (recv(s, buf, sizeof(buf), MSG_DONTWAIT) == 5)
			break;
		pump(10);
	}
	CHECK(!memcmp(buf, "hello", 5), "guest data reaches the host socket");
	CHECK(frame_wait(&f, TH_ACK) && ntohl(f.th->th_ack) == gseq + 6,
	      "guest data acknowledged");

	/* Duplicate and out-of-order segments: never written twice */
	guest_seg(40010, (uint16_t)port, TH_ACK, gseq + 1, our, NULL, 0,
		  "hello", 5);
	guest_seg(40010, (uint16_t)port, TH_ACK, gseq + 100, our, NULL, 0,
		  "later", 5);
	pump(10);
	CHECK(recv(s, buf, sizeof(buf), MSG_DONTWAIT) < 0,
	      "duplicate and out-of-order data not written");
	CHECK(frame_wait(&f, TH_ACK) && ntohl(f.th->th_ack) == gseq + 6,
	      "answered with the expected ACK");

	/* Keep-alive: one byte below the window, answered with an ACK */
	frames_drain();
	guest_seg(40010, (uint16_t)port, TH_ACK, gseq + 5, our, NULL, 0,
		  NULL, 0);
	CHECK(frame_wait(&f, TH_ACK) && ntohl(f.th->th_ack) == gseq + 6,
	      "keep-alive acknowledged");

	/* RST with a wrong sequence number: challenge ACK, still open */
	frames_drain();
	guest_seg(40010, (uint16_t)port, TH_RST, gseq + 10, 0, NULL, 0,
		  NULL, 0);
	CHECK(frame_wait(&f, TH_ACK) && !(f.th->th_flags & TH_RST) &&
	      ntohl(f.th->th_ack) == gseq + 6, "in-window RST: challenge ACK");
	CHECK(send(s, "world", 5, 0) == 5, "host side still writable");

	if (!CHECK(frame_wait(&f, TH_ACK | TH_PUSH) && f.plen == 5 &&
		   !memcmp(f.payload, "world", 5) &&
		   ntohl(f.th->th_seq) == our &&
		   f.csum_ok, "host data sent to the guest (%s)", what))
		return;
	CHECK(send(s, "again", 5, 0) == 5 && frame_wait(&f, TH_PUSH) &&
	      f.plen == 5 && !memcmp(f.payload, "again", 5) &&
	      ntohl(f.th->th_seq) == our + 5,
	      "more host data: only new bytes sent (%s)", what);
	memcpy(&tsecr, f.payload - 4, 4);
	CHECK(ntohl(tsecr) == 9, "timestamp of the guest echoed");

	/* Guest acknowledges: data is dropped from the socket */
	guest_seg(40010, (uint16_t)port, TH_ACK, gseq + 6, our + 10, NULL, 0,
		  NULL, 0);
	pump(10);
	{
		int inq = -1;

		ioctl(tcp_at(0)->sock, FIONREAD, &inq);
		CHECK(inq == 0, "acknowledged data removed from the socket");
	}

	/* Request and reply in one round: the reply carries the ACK of the
	 * request, no separate ACK frame
	 */
	frames_drain();
	CHECK(send(s, "reply", 5, 0) == 5, "host side sends a reply");
	guest_seg_round(40010, (uint16_t)port, TH_ACK | TH_PUSH, gseq + 6,
			our + 10, "query", 5);
	CHECK(frame_read(&f) && f.plen == 5 && !memcmp(f.payload, "reply", 5) &&
	      ntohl(f.th->th_ack) == gseq + 11 && !frame_read(&f),
	      "request and reply in one round: one frame, data with the ACK");
	CHECK(recv(s, buf, sizeof(buf), MSG_DONTWAIT) == 5 &&
	      !memcmp(buf, "query", 5), "the request reached the host");
	guest_seg(40010, (uint16_t)port, TH_ACK, gseq + 11, our + 15, NULL, 0,
		  NULL, 0);

	/* Host closes: FIN to the guest; guest closes: socket sees EOF */
	shutdown(s, SHUT_WR);
	CHECK(frame_wait(&f, TH_FIN) && ntohl(f.th->th_seq) == our + 15,
	      "end of stream from the host: FIN to the guest");
	guest_seg(40010, (uint16_t)port, TH_ACK | TH_FIN, gseq + 11, our + 16,
		  NULL, 0, NULL, 0);
	for (i = 0; i < 50; i++) {
		if (recv(s, buf, sizeof(buf), MSG_DONTWAIT) == 0)
			break;
		pump(10);
	}
	CHECK(i < 50, "FIN from the guest: host side sees end of stream");
	pump(10);
	CHECK(flow_count(FLOW_TCP) == 0,
	      "connection closed once both sides are done (%s)", what);
	close(s);
}

/* Window against the send buffer: a large buffer whose window we cap is
 * writable, so waiting for EPOLLOUT on it would only spin; a full one is
 * short of space
 */
static void test_wnd(int ls)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct tcp_conn conn = { .mss = 1460, .ws_to_tap = 7 };
	int s, peer, big = 16 << 20, small = 4096, i;
	char junk[65536] = { 0 };
	uint32_t w, cap;
	bool short_;

	getsockname(ls, (struct sockaddr *)&sa, &sl);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	/* Over four times our cap: needs root, or a large wmem_max */
	if (setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	connect(s, (struct sockaddr *)&sa, sizeof(sa));
	peer = accept(ls, NULL, NULL);
	setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	conn.sock = s;

	cap = TCP_WND_SEGS * (conn.mss + TCP_TS_LEN);
	w = tcp_wnd_calc(&conn, &short_);
	CHECK(w <= cap && w > cap - (1U << conn.ws_to_tap) && !short_,
	      "large empty send buffer: window at our cap, not short");

	/* Fill the buffer: the peer doesn't read */
	for (i = 0; i < 4096; i++) {
		if (send(s, junk, sizeof(junk), MSG_DONTWAIT) < 0)
			break;
	}
	w = tcp_wnd_calc(&conn, &short_);
	CHECK(short_ && w < cap, "full send buffer: short, window shrunk");

	close(peer);
	close(s);
}

/* Window updates without getsockopt() while little was written */
static void test_wnd_credit(int ls)
{
	struct flow *f = flow_alloc(FLOW_TCP, 0);
	struct tcp_conn *conn = flow_priv(f);
	struct tcp_tap_batch *b = calloc(1, sizeof(*b));
	static char junk[1 << 16];
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int peer, small = 4096, i;
	uint32_t w, credit;

	getsockname(ls, (struct sockaddr *)&sa, &sl);
	conn->sock = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	connect(conn->sock, (struct sockaddr *)&sa, sizeof(sa));
	peer = accept(ls, NULL, NULL);
	setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	conn->mss = 1460;
	conn->ws_to_tap = 7;
	conn->flags = C_ESTABLISHED;

	tcp_wnd_update(&c, conn);
	w = conn->wnd_to_tap;
	CHECK(w && conn->wnd_credit == w / 8,
	      "window computed, an eighth of it as credit (%u, %u)", w,
	      conn->wnd_credit);

	/* A small write from the guest costs credit, with overhead */
	credit = conn->wnd_credit;
	b->iov[0].iov_base = junk;
	b->iov[0].iov_len = 100;
	b->niov = 1;
	b->total = 100;
	CHECK(tcp_tap_write(&c, conn, b) &&
	      conn->wnd_credit == credit - 100 - TCP_WRITE_OVERHEAD,
	      "100 bytes written: credit down by 100 and the overhead");

	/* The peer doesn't read: with credit left, the window stays */
	for (i = 0; i < 4096; i++) {
		if (send(conn->sock, junk, sizeof(junk), MSG_DONTWAIT) < 0)
			break;
	}
	tcp_wnd_update(&c, conn);
	CHECK(conn->wnd_to_tap == w, "credit left: window not recomputed");

	/* Credit used up: computed again, short, no credit until then */
	conn->wnd_credit = 0;
	tcp_wnd_update(&c, conn);
	CHECK(conn->wnd_to_tap < w && !conn->wnd_credit &&
	      (conn->flags & C_WND_BLOCKED),
	      "credit used up: full buffer seen, no credit while short");
	tcp_wnd_update(&c, conn);
	CHECK(!conn->wnd_credit, "still short: computed every time");

	close(peer);
	close(conn->sock);
	conn->sock = -1;
	conn->flags = 0;
	flow_free(f);
	free(b);
}

/* Congestion control name of a socket, "" if unknown */
static void cc_name(int s, char *name, socklen_t size)
{
	memset(name, 0, size);
	if (getsockopt(s, IPPROTO_TCP, TCP_CONGESTION, name, &size))
		name[0] = '\0';
	name[size - 1] = '\0';
}

static int tcp4_sock(void)
{
	return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
}

/* sock_int() - A SOL_SOCKET option of @s, or of a new socket: fresh (0), or
 * after tcp_sock_opts() (-1)
 */
static int sock_int(int s, int opt)
{
	socklen_t sl = sizeof(int);
	int v = 0, t = s > 0 ? s : tcp4_sock();

	if (s < 0)
		tcp_sock_opts(t);
	getsockopt(t, SOL_SOCKET, opt, &v, &sl);
	if (t != s)
		close(t);
	return v;
}

/* First window without getsockopt(): the fresh send buffer size, learnt
 * from one socket, gives the same window for the next one
 */
static void test_wnd_init(int ls)
{
	struct flow *f = flow_alloc(FLOW_TCP, 0);
	struct tcp_conn *conn = flow_priv(f);
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	uint32_t w;
	int peer;

	getsockname(ls, (struct sockaddr *)&sa, &sl);
	tcp_sndbuf_fresh[0] = tcp_sndbuf_fresh[1] = 0;
	conn->sock = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	tcp_sock_opts(conn->sock);
	connect(conn->sock, (struct sockaddr *)&sa, sizeof(sa));
	peer = accept(ls, NULL, NULL);
	conn->mss = 1460;
	conn->ws_to_tap = 7;

	tcp_wnd_init(&c, conn);
	w = conn->wnd_to_tap;
	CHECK(w && conn->wnd_credit == w / 8 &&
	      tcp_sndbuf_fresh[0] == (uint32_t)sock_int(conn->sock, SO_SNDBUF),
	      "first connection: window asked (%u), buffer size learnt (%u)",
	      w, tcp_sndbuf_fresh[0]);

	/* Later updates (of sockets that may have been used) teach nothing */
	tcp_sndbuf_fresh[0] = 0;
	conn->wnd_credit = 0;
	tcp_wnd_update(&c, conn);
	CHECK(conn->wnd_to_tap == w && !tcp_sndbuf_fresh[0],
	      "window updates of established connections: nothing learnt");
	tcp_sndbuf_fresh[0] = (uint32_t)sock_int(conn->sock, SO_SNDBUF);
	close(peer);
	close(conn->sock);

	/* No socket to ask: the window can only come from what we learnt */
	conn->sock = -1;
	conn->wnd_to_tap = conn->wnd_credit = 0;
	tcp_wnd_init(&c, conn);
	CHECK(conn->wnd_to_tap == w && conn->wnd_credit == w / 8,
	      "next connection: same window (%u), no getsockopt()",
	      conn->wnd_to_tap);

	/* Accepted sockets: their own size, from the listener */
	conn->flags = C_INBOUND;
	conn->wnd_to_tap = 0;
	tcp_wnd_init(&c, conn);
	CHECK(!conn->wnd_to_tap && !tcp_sndbuf_fresh[1],
	      "inbound connection: outbound size not used for it");

	/* A small buffer: fifteen sixteenths, in units of the scaling */
	conn->flags = 0;
	tcp_sndbuf_fresh[0] = 4096;
	tcp_wnd_init(&c, conn);
	CHECK_EQ_INT(conn->wnd_to_tap, 3840,
		     "small learnt buffer: window from its free space");

	tcp_sndbuf_fresh[0] = tcp_sndbuf_fresh[1] = 0;
	conn->flags = 0;
	flow_free(f);
}

/* Options set once (listener, per-namespace cache) rather than per socket */
static void test_sock_opts(void)
{
	union inany_addr lo;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	char def[16], name[16];	/* TCP_CA_NAME_MAX */
	int ls, cs, as, s, v = 0, cache, i;

	sl = sizeof(v);
	inany_from_v4(&lo, (struct in_addr){ htonl(INADDR_LOOPBACK) });
	ls = tcp_listen_sock(&c, AF_INET, &lo, NULL, 0, 0);
	CHECK(ls >= 0 && !getsockopt(ls, IPPROTO_TCP, TCP_NODELAY, &v, &sl) &&
	      v, "listening socket has TCP_NODELAY");

	sl = sizeof(sa);
	getsockname(ls, (struct sockaddr *)&sa, &sl);
	cs = tcp4_sock();
	connect(cs, (struct sockaddr *)&sa, sizeof(sa));
	as = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	v = 0;
	sl = sizeof(v);
	CHECK(as >= 0 && !getsockopt(as, IPPROTO_TCP, TCP_NODELAY, &v, &sl) &&
	      v, "accepted socket inherits TCP_NODELAY from the listener");
	/* Buffers and the peek offset, too: nothing left to set per
	 * inbound connection (a new socket has SO_PEEK_OFF -1, and buffers
	 * a lot smaller than TCP_SOCK_BUF: net.ipv4.tcp_[rw]mem)
	 */
	if (tcp_peek_off_ok)
		CHECK_EQ_INT(sock_int(as, SO_PEEK_OFF), 0,
			     "accepted socket inherits SO_PEEK_OFF 0");
	for (i = 0; i < 2; i++) {
		int opt = i ? SO_RCVBUF : SO_SNDBUF;
		int set = sock_int(-1, opt), def = sock_int(0, opt);

		CHECK(set != def, "%s: tcp_sock_opts() changes it (%i, %i)",
		      i ? "SO_RCVBUF" : "SO_SNDBUF", def, set);
		CHECK_EQ_INT(sock_int(as, opt), set,
			     "accepted socket inherits %s from the listener",
			     i ? "SO_RCVBUF" : "SO_SNDBUF");
	}
	close(as);
	close(cs);
	close(ls);

	s = tcp4_sock();
	tcp_sock_opts(s);
	v = 0;
	sl = sizeof(v);
	getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &sl);
	CHECK(v, "tcp_sock_opts() sets TCP_NODELAY on an outbound socket");
	close(s);

	/* First socket: the default tells what to do for later ones */
	cache = CC_UNKNOWN;
	s = tcp4_sock();
	cc_name(s, def, sizeof(def));
	sock_cc_unpaced(s, &cache);
	cc_name(s, name, sizeof(name));
	if (!strncmp(def, "bbr", 3))
		CHECK(cache >= 0 && strncmp(name, "bbr", 3),
		      "default bbr: replaced (%s), fallback cached (%i)",
		      name, cache);
	else
		CHECK(cache == CC_KEEP && !strcmp(name, def),
		      "default %s: kept, and remembered (%i)", def, cache);
	close(s);

	/* Cached fallback: applied without asking for the default */
	cache = 1;
	s = tcp4_sock();
	sock_cc_unpaced(s, &cache);
	cc_name(s, name, sizeof(name));
	CHECK(cache == 1 && !strcmp(name, "reno"),
	      "cached fallback reno set on a new socket (%s)", name);
	close(s);

	cache = CC_KEEP;
	s = tcp4_sock();
	sock_cc_unpaced(s, &cache);
	cc_name(s, name, sizeof(name));
	CHECK(cache == CC_KEEP && !strcmp(name, def),
	      "cached 'keep': default left alone (%s)", name);
	close(s);

	/* Garbage in the cache: asked again, ends in a valid state */
	cache = 7;
	s = tcp4_sock();
	sock_cc_unpaced(s, &cache);
	CHECK(cache == CC_KEEP || cache == 0 || cache == 1,
	      "out-of-range cache value recovers (%i)", cache);
	close(s);

	/* A bad descriptor: nothing learnt, nothing cached */
	cache = CC_UNKNOWN;
	sock_cc_unpaced(-1, &cache);
	CHECK_EQ_INT(cache, CC_UNKNOWN,
		     "no cache from a failed getsockopt()");
}

/* Payload left in guest memory (vhost-user): pieces of several segments
 * in one batch, out of order and overlapping, written once, in order
 */
static void test_pieces(int ls, int port)
{
	static uint8_t hdr[3][TCP_HLEN];
	static const char *data = "abcdefg";
	struct iovec a[2] = { { (void *)data, 1 }, { (void *)(data + 1), 2 } };
	struct iovec b[2] = { { (void *)(data + 2), 2 },
			      { (void *)(data + 4), 1 } };
	struct iovec cc[2] = { { (void *)(data + 5), 1 },
			       { (void *)(data + 6), 1 } };
	struct tap_l4_pkt p[3] = { 0 };
	uint32_t gseq = 3000000, our, seqs[3];
	struct timespec t;
	char buf[64] = { 0 };
	struct frame f;
	ssize_t got = 0;
	int s = -1, i;

	frames_drain();
	guest_seg(40020, (uint16_t)port, TH_SYN, gseq, 0, NULL, 0, NULL, 0);
	if (!CHECK(frame_wait(&f, TH_SYN | TH_ACK), "pieces: SYN-ACK"))
		return;
	our = ntohl(f.th->th_seq) + 1;
	guest_seg(40020, (uint16_t)port, TH_ACK, gseq + 1, our, NULL, 0,
		  NULL, 0);
	for (i = 0; i < 50 && s < 0; i++) {
		s = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
		if (s < 0)
			pump(10);
	}
	if (!CHECK(s >= 0, "pieces: host side accepted"))
		return;

	/* "abc" at +1 in two pieces, "fg" at +6, "cde" at +3 overlapping
	 * the first one by a byte: the batch is "fg", "abc", "cde"
	 */
	seqs[0] = gseq + 6;
	seqs[1] = gseq + 1;
	seqs[2] = gseq + 3;
	for (i = 0; i < 3; i++) {
		struct tcphdr *th = (struct tcphdr *)hdr[i];

		memset(th, 0, sizeof(*th));
		th->th_sport = htons(40020);
		th->th_dport = htons((uint16_t)port);
		th->th_seq = htonl(seqs[i]);
		th->th_ack = htonl(our);
		th->th_off = TCP_HLEN / 4;
		th->th_flags = TH_ACK;
		th->th_win = htons(65535);
		p[i].l4 = hdr[i];
	}
	p[0].iov = cc;
	p[0].niov = 2;
	p[0].len = TCP_HLEN + 2;
	p[1].iov = a;
	p[1].niov = 2;
	p[1].len = TCP_HLEN + 3;
	p[2].iov = b;
	p[2].niov = 2;
	p[2].len = TCP_HLEN + 3;

	t = now_ts();
	tcp_tap_handler(&c, AF_INET, &guest4, &gw4, p, 3, &t);
	tcp_defer_handler(&c, &t);
	for (i = 0; i < 50 && got < 7; i++) {
		ssize_t r = recv(s, buf + got, sizeof(buf) - (size_t)got,
				 MSG_DONTWAIT);

		if (r > 0)
			got += r;
		else
			pump(10);
	}
	CHECK(got == 7 && !memcmp(buf, data, 7),
	      "payload pieces of a batch, reordered and overlapping: "
	      "written once, in order ('%.*s')", (int)got, buf);
	CHECK(frame_wait(&f, TH_ACK) && ntohl(f.th->th_ack) == gseq + 8,
	      "pieces: all of it acknowledged");

	guest_seg(40020, (uint16_t)port, TH_RST, gseq + 8, 0, NULL, 0, NULL,
		  0);
	pump(10);
	CHECK(flow_count(FLOW_TCP) == 0, "pieces: connection reset");
	close(s);
}

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int sv[2], ls, closed;

	inet_pton(AF_INET, "198.18.0.1", &guest4);
	inet_pton(AF_INET, "198.18.0.2", &gw4);

	flow_hash_init();
	if (getenv("TDBG"))
		log_level = LOG_DEBUG;
	c.mode = MODE_PASST;
	c.mtu = 1500;
	c.ifi4 = 1;
	c.ip4.addr = guest4;
	c.ip4.gw = gw4;
	c.ip4.map_host_loopback = gw4;
	memcpy(c.guest_mac, guest_mac, 6);
	c.epollfd = epoll_create1(EPOLL_CLOEXEC);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	c.fd_tap = sv[0];
	tap_peer = sv[1];

	test_options();
	test_seq();
	test_mss();
	test_isn();

	CHECK(tcp_init(&c) == 0, "tcp_init() without forwarded ports");
	test_no_conn();
	test_table_full();
	test_sock_opts();

	/* A port nobody listens on, and a listener, on host loopback */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	closed = socket(AF_INET, SOCK_STREAM, 0);
	bind(closed, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(closed, (struct sockaddr *)&sa, &sl);
	close(closed);
	test_refused(ntohs(sa.sin_port));

	sa.sin_port = 0;
	ls = socket(AF_INET, SOCK_STREAM, 0);
	bind(ls, (struct sockaddr *)&sa, sizeof(sa));
	listen(ls, 8);
	getsockname(ls, (struct sockaddr *)&sa, &sl);
	test_wnd(ls);
	test_wnd_credit(ls);
	test_wnd_init(ls);
	test_pieces(ls, ntohs(sa.sin_port));
	test_conn(ls, ntohs(sa.sin_port), "SO_PEEK_OFF");
	if (tcp_peek_off_ok) {
		tcp_peek_off_ok = false;
		test_conn(ls, ntohs(sa.sin_port), "peek from the start");
	}
	close(ls);

	return unit_done();
}
