/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_udp.c - Unit tests for udp.c: header checks, addresses, flow table
 *		limits, tuples, frames to the guest, ICMP reflection, expiry,
 *		inbound forwarding
 *
 * unit-include: udp.c
 *
 * Socket checks run in a private network namespace (only loopback), so no
 * traffic leaves this process' own namespace; without privileges for that
 * they are skipped.
 */

#include <poll.h>
#include <sched.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include "../../udp.c"
#include "unit.h"

static struct ctx c;
static int guest_fd = -1;	/* our end of the "qemu" socket */
static uint8_t frame[65536 + 4];

/* Build a UDP datagram from the guest */
static size_t mkudp(uint8_t *buf, uint16_t sport, uint16_t dport,
		    const char *payload, size_t ulen_override)
{
	size_t len = 8 + strlen(payload);
	size_t ulen = ulen_override ? ulen_override : len;

	buf[0] = sport >> 8;
	buf[1] = sport & 0xff;
	buf[2] = dport >> 8;
	buf[3] = dport & 0xff;
	buf[4] = ulen >> 8;
	buf[5] = ulen & 0xff;
	buf[6] = buf[7] = 0;
	memcpy(buf + 8, payload, strlen(payload));
	return len;
}

/* Read one frame sent to the guest, with a bounded wait: length or -1 */
static ssize_t read_frame(int timeout_ms)
{
	struct pollfd pfd = { .fd = guest_fd, .events = POLLIN };
	uint32_t len;
	size_t got = 0;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return -1;
	if (recv(guest_fd, &len, 4, MSG_WAITALL) != 4)
		return -1;
	len = ntohl(len);
	if (len > sizeof(frame))
		return -1;
	while (got < len) {
		ssize_t n = recv(guest_fd, frame + got, len - got, 0);

		if (n <= 0)
			return -1;
		got += n;
	}
	return len;
}

/* Wait until a socket has something (or an error) to report */
static int wait_sock(int fd, short ev, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = ev };

	return poll(&pfd, 1, timeout_ms) > 0 ? pfd.revents : 0;
}

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0), rc;

	if (s < 0)
		return -1;
	strcpy(ifr.ifr_name, "lo");
	rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!rc)
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return rc;
}

static int server(int af, uint16_t port)
{
	union udp_sa sa;
	union inany_addr lo;
	int fd = socket(af, SOCK_DGRAM, 0);

	if (af == AF_INET)
		inany_from_v4(&lo, (struct in_addr){ htonl(INADDR_LOOPBACK) });
	else
		lo.a6 = in6addr_loopback;
	if (bind(fd, &sa.sa, udp_sa_from(&sa, af, &lo, port)))
		return -1;
	return fd;
}

static void test_headers(void)
{
	uint8_t b[64];
	struct tap_l4_pkt p = { b, 0 };

	p.len = mkudp(b, 1000, 2000, "abc", 0);
	CHECK(udp_hdr_ok(&p), "valid header accepted");
	p.len = mkudp(b, 1000, 2000, "", 0);
	CHECK(udp_hdr_ok(&p), "empty payload accepted");
	p.len = 7;
	CHECK(!udp_hdr_ok(&p), "truncated header dropped");
	p.len = mkudp(b, 1000, 2000, "abc", 0xffff);
	CHECK(!udp_hdr_ok(&p), "UDP length beyond IP payload dropped");
	p.len = mkudp(b, 1000, 2000, "abc", 9);
	CHECK(!udp_hdr_ok(&p), "UDP length short of IP payload dropped");
	p.len = mkudp(b, 1000, 2000, "abc", 0);
	b[4] = b[5] = 0;
	CHECK(!udp_hdr_ok(&p), "zero UDP length dropped");
	p.len = mkudp(b, 1000, 0, "abc", 0);
	CHECK(!udp_hdr_ok(&p), "destination port zero dropped");
	p.len = mkudp(b, 0, 53, "abc", 0);
	CHECK(!udp_hdr_ok(&p), "source port zero dropped");
}

static void test_addresses(void)
{
	union inany_addr a, b;
	union udp_sa sa;
	uint16_t port;

	inet_pton(AF_INET6, "::ffff:198.18.0.2", &a.a6);
	CHECK(udp_sa_from(&sa, AF_INET, &a, 53) == sizeof(struct sockaddr_in) &&
	      sa.sa4.sin_port == htons(53) &&
	      sa.sa4.sin_addr.s_addr == inet_addr("198.18.0.2"),
	      "IPv4 address for an IPv4 socket");
	CHECK(udp_sa_to(&sa, &b, &port) && inany_equals(&a, &b) && port == 53,
	      "IPv4 socket address read back as v4-mapped");
	CHECK(udp_sa_from(&sa, AF_INET6, &a, 53) ==
	      sizeof(struct sockaddr_in6) &&
	      IN6_IS_ADDR_V4MAPPED(&sa.sa6.sin6_addr),
	      "IPv4 address for a dual-stack socket is v4-mapped");
	inet_pton(AF_INET6, "2001:db8::1", &a.a6);
	CHECK(!udp_sa_from(&sa, AF_INET, &a, 53),
	      "IPv6 address refused for an IPv4 socket");
	CHECK(udp_sa_from(&sa, AF_INET6, &a, 5353) &&
	      udp_sa_to(&sa, &b, &port) && inany_equals(&a, &b) && port == 5353,
	      "IPv6 socket address round trip");
}

static void test_table_full(void)
{
	unsigned int n = 0, i;
	int idx;

	while (n <= UDP_FLOWS_MAX && udp_flow_alloc(UDP_FLOW_TAP_OUT, 0) >= 0)
		n++;
	CHECK_EQ_INT(n, UDP_FLOWS_MAX, "flow table holds UDP_FLOWS_MAX flows");
	CHECK(udp_flow_alloc(UDP_FLOW_TAP_OUT, 0) < 0,
	      "new flow refused when the table is full");
	udp_flow_close(&c, 17);
	idx = udp_flow_alloc(UDP_FLOW_TAP_OUT, 0);
	CHECK_EQ_INT(idx, 17, "freed slot is reused");
	for (i = 0; i < UDP_FLOWS_MAX; i++)
		udp_flow_close(&c, i);
	CHECK_EQ_INT(flow_count(FLOW_UDP), 0, "all flows closed");
}

/* Check a UDP frame to the guest: addresses, ports, payload, checksums */
static void check_frame4(ssize_t len, const char *sa, uint16_t sport,
			 const char *da, uint16_t dport, const char *payload,
			 const char *what)
{
	const uint8_t *ip = frame + 14, *u = frame + 34;
	size_t plen = strlen(payload);
	uint64_t sum;
	int ok = len == (ssize_t)MAX(34 + 8 + plen, ETH_ZLEN);	/* padded */

	ok = ok && frame[12] == 0x08 && frame[13] == 0x00 && ip[9] == 17;
	ok = ok && !memcmp(ip + 12, &(in_addr_t){ inet_addr(sa) }, 4);
	ok = ok && !memcmp(ip + 16, &(in_addr_t){ inet_addr(da) }, 4);
	ok = ok && (u[0] << 8 | u[1]) == sport && (u[2] << 8 | u[3]) == dport;
	ok = ok && !memcmp(u + 8, payload, plen);
	CHECK(ok, "%s: IPv4 frame to guest, addresses, ports, payload", what);
	if (!ok)
		return;
	CHECK(unit_ref_fold(unit_ref_sum(ip, 20, 0)) == 0xffff,
	      "%s: IPv4 header checksum", what);
	sum = unit_ref_sum(ip + 12, 8, 17 + 8 + plen);
	CHECK(unit_ref_fold(unit_ref_sum(u, 8 + plen, sum)) == 0xffff,
	      "%s: UDP checksum", what);
}

static void test_outbound4(const struct timespec *now)
{
	struct in_addr g4 = { inet_addr("198.18.0.1") };
	struct in_addr m4 = { inet_addr("192.0.2.1") };
	struct sockaddr_in from;
	socklen_t sl = sizeof(from);
	uint8_t b[64], rb[64];
	struct tap_l4_pkt p = { b, 0 };
	union epoll_ref ref = { .type = EPOLL_TYPE_UDP_REPLY };
	int srv = server(AF_INET, 40001), n, idx, i;
	ssize_t len;

	CHECK(srv >= 0, "IPv4 server socket");

	p.len = mkudp(b, 1234, 40001, "hello", 0);
	udp_tap_handler(&c, AF_INET, &g4, &m4, &p, 1, now);
	CHECK_EQ_INT(flow_count(FLOW_UDP), 1,
		     "outbound datagram creates a flow");
	n = wait_sock(srv, POLLIN, 1000) ?
	    recvfrom(srv, rb, sizeof(rb), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &sl) : -1;
	CHECK(n == 5 && !memcmp(rb, "hello", 5),
	      "gateway address reaches host loopback");
	CHECK_EQ_INT(ntohs(from.sin_port), 1234,
		     "host socket uses the guest's source port");

	udp_tap_handler(&c, AF_INET, &g4, &m4, &p, 1, now);
	CHECK_EQ_INT(flow_count(FLOW_UDP), 1, "same tuple, same flow");
	wait_sock(srv, POLLIN, 1000);
	recv(srv, rb, sizeof(rb), MSG_DONTWAIT);

	/* The guest's port is taken by our first socket for this peer: a
	 * second peer (port) shares it thanks to SO_REUSEADDR
	 */
	p.len = mkudp(b, 1235, 40001, "again", 0);
	udp_tap_handler(&c, AF_INET, &g4, &m4, &p, 1, now);
	CHECK_EQ_INT(flow_count(FLOW_UDP), 2, "other source port, other flow");
	wait_sock(srv, POLLIN, 1000);
	sl = sizeof(from);
	recvfrom(srv, rb, sizeof(rb), MSG_DONTWAIT, (struct sockaddr *)&from,
		 &sl);

	sendto(srv, "world", 5, 0, (struct sockaddr *)&from, sizeof(from));
	for (idx = -1, i = 0; i < (int)flow_hwm(); i++)
		if (flow_at(i)->f.type == FLOW_UDP &&
		    udp_at(i)->kind == UDP_FLOW_TAP_OUT &&
		    udp_tapside(i)->peer_port == 1235)
			idx = i;
	CHECK(idx >= 0, "flow found by guest port");
	if (idx < 0)
		return;
	ref.fd = udp_at(idx)->sock;
	ref.data = idx;
	wait_sock(ref.fd, POLLIN, 1000);
	udp_sock_handler(&c, ref, EPOLLIN, now);
	len = read_frame(1000);
	check_frame4(len, "192.0.2.1", 40001, "198.18.0.1", 1235, "world",
		     "reply");

	/* Closed port: ICMP port unreachable reflected to the guest */
	p.len = mkudp(b, 1236, 40002, "nobody", 0);
	udp_tap_handler(&c, AF_INET, &g4, &m4, &p, 1, now);
	for (idx = -1, i = 0; i < (int)flow_hwm(); i++)
		if (flow_at(i)->f.type == FLOW_UDP &&
		    udp_at(i)->kind == UDP_FLOW_TAP_OUT &&
		    udp_tapside(i)->peer_port == 1236)
			idx = i;
	CHECK(idx >= 0, "flow to closed port");
	if (idx < 0)
		return;
	ref.fd = udp_at(idx)->sock;
	ref.data = idx;
	CHECK(wait_sock(ref.fd, POLLIN, 1000) & POLLERR,
	      "host socket reports the ICMP error");
	udp_sock_handler(&c, ref, EPOLLERR | EPOLLIN, now);
	len = read_frame(1000);
	CHECK(len >= 34 + 8 + 28 && frame[23] == IPPROTO_ICMP &&
	      frame[34] == 3 && frame[35] == 3,
	      "ICMP port unreachable sent to the guest");
	CHECK(len >= 34 + 8 + 28 && !memcmp(frame + 34 + 8 + 12, &g4, 4) &&
	      !memcmp(frame + 34 + 8 + 16, &m4, 4) &&
	      (frame[34 + 8 + 20] << 8 | frame[34 + 8 + 21]) == 1236 &&
	      (frame[34 + 8 + 22] << 8 | frame[34 + 8 + 23]) == 40002,
	      "ICMP error quotes the guest's original headers");

	close(srv);
}

static void test_outbound6(const struct timespec *now)
{
	struct in6_addr g6, m6;
	uint8_t b[64], rb[64];
	struct tap_l4_pkt p = { b, 0 };
	struct sockaddr_in6 from;
	socklen_t sl = sizeof(from);
	union epoll_ref ref = { .type = EPOLL_TYPE_UDP_REPLY };
	int srv = server(AF_INET6, 40003), n, idx, i;
	const uint8_t *ip6 = frame + 14, *u = frame + 54;
	ssize_t len;
	uint64_t sum;

	inet_pton(AF_INET6, "2001:db8:1::1", &g6);
	inet_pton(AF_INET6, "2001:db8:9a55::1", &m6);
	CHECK(srv >= 0, "IPv6 server socket");

	p.len = mkudp(b, 2345, 40003, "hello6", 0);
	udp_tap_handler(&c, AF_INET6, &g6, &m6, &p, 1, now);
	n = wait_sock(srv, POLLIN, 1000) ?
	    recvfrom(srv, rb, sizeof(rb), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &sl) : -1;
	CHECK(n == 6 && ntohs(from.sin6_port) == 2345,
	      "IPv6: mapped address reaches ::1 from the guest's port");

	sendto(srv, "reply6", 6, 0, (struct sockaddr *)&from, sizeof(from));
	for (idx = -1, i = 0; i < (int)flow_hwm(); i++)
		if (flow_at(i)->f.type == FLOW_UDP &&
		    udp_at(i)->kind == UDP_FLOW_TAP_OUT &&
		    udp_tapside(i)->peer_port == 2345)
			idx = i;
	if (idx < 0) {
		CHECK(0, "IPv6 flow found");
		return;
	}
	ref.fd = udp_at(idx)->sock;
	ref.data = idx;
	wait_sock(ref.fd, POLLIN, 1000);
	udp_sock_handler(&c, ref, EPOLLIN, now);
	len = read_frame(1000);
	CHECK(len == 54 + 8 + 6 && frame[12] == 0x86 && frame[13] == 0xdd &&
	      ip6[6] == 17 && !memcmp(ip6 + 8, &m6, 16) &&
	      !memcmp(ip6 + 24, &g6, 16) &&
	      (u[0] << 8 | u[1]) == 40003 && (u[2] << 8 | u[3]) == 2345 &&
	      !memcmp(u + 8, "reply6", 6),
	      "IPv6 reply frame: addresses, ports, payload");
	CHECK(len > 54 && (ip6[1] & 0x0f) | ip6[2] | ip6[3],
	      "IPv6 reply carries a flow label");
	if (len == 54 + 8 + 6) {
		sum = unit_ref_sum(ip6 + 8, 32, 17 + 14);
		CHECK(unit_ref_fold(unit_ref_sum(u, 14, sum)) == 0xffff,
		      "IPv6 UDP checksum");
	}
	close(srv);
}

static void test_full_and_expiry(const struct timespec *now)
{
	struct in_addr g4 = { inet_addr("198.18.0.1") };
	struct in_addr m4 = { inet_addr("192.0.2.1") };
	struct timespec later = *now;
	uint8_t b[64], rb[64];
	struct tap_l4_pkt p = { b, 0 };
	int srv = server(AF_INET, 40004);
	unsigned int used, fill = 0;
	int idx;

	/* Fill the table, with the flow of guest port 1234 still open */
	p.len = mkudp(b, 3000, 40004, "old", 0);
	udp_tap_handler(&c, AF_INET, &g4, &m4, &p, 1, now);
	wait_sock(srv, POLLIN, 1000);
	recv(srv, rb, sizeof(rb), MSG_DONTWAIT);
	while ((idx = udp_flow_alloc(UDP_FLOW_TAP_OUT, 0)) >= 0) {
		udp_at(idx)->last = now->tv_sec;
		fill++;
	}
	used = flow_count(FLOW_UDP);

	p.len = mkudp(b, 3001, 40004, "new", 0);
	udp_tap_handler(&c, AF_INET, &g4, &m4, &p, 1, now);
	CHECK(used == UDP_FLOWS_MAX && flow_count(FLOW_UDP) == used &&
	      !wait_sock(srv, POLLIN, 200),
	      "table full: new flow refused, nothing sent");

	p.len = mkudp(b, 3000, 40004, "old", 0);
	udp_tap_handler(&c, AF_INET, &g4, &m4, &p, 1, now);
	CHECK(wait_sock(srv, POLLIN, 1000) &&
	      recv(srv, rb, sizeof(rb), MSG_DONTWAIT) == 3,
	      "table full: existing flow still works");

	later.tv_sec += UDP_FLOW_TIMEOUT - 1;
	udp_timer(&c, &later);
	CHECK_EQ_INT(flow_count(FLOW_UDP), used,
		     "no expiry before the timeout");
	later.tv_sec += 1;
	udp_timer(&c, &later);
	CHECK_EQ_INT(flow_count(FLOW_UDP), 0,
		     "idle flows expire after the timeout");
	(void)fill;
	close(srv);
}

static void test_inbound(const struct timespec *now)
{
	struct in_addr g4 = { inet_addr("198.18.0.1") };
	struct in_addr m4 = { inet_addr("192.0.2.1") };
	union epoll_ref ref = { .type = EPOLL_TYPE_UDP_LISTEN };
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t b[64], rb[64];
	struct tap_l4_pkt p = { b, 0 };
	struct sockaddr_in from;
	socklen_t sl = sizeof(from);
	int cl, n, lidx;
	uint16_t clport;
	ssize_t len;

	c.udp_in.mode = FWD_SPEC;
	c.udp_in.count = 1;
	c.udp_in.rules[0].af = AF_UNSPEC;
	c.udp_in.rules[0].first = 40010;
	c.udp_in.rules[0].last = 40011;
	c.udp_in.rules[0].to = 5000;
	CHECK_EQ_INT(udp_init(&c), 0, "forwarded range bound");
	CHECK_EQ_INT(udp_ls_top, 2, "one dual-stack socket per port");
	lidx = 1;

	cl = socket(AF_INET, SOCK_DGRAM, 0);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(40011);
	sendto(cl, "ping", 4, 0, (struct sockaddr *)&to, sizeof(to));
	getsockname(cl, (struct sockaddr *)&from, &sl);
	clport = ntohs(from.sin_port);

	ref.fd = udp_ls[lidx].fd;
	ref.data = lidx;
	wait_sock(ref.fd, POLLIN, 1000);
	udp_sock_handler(&c, ref, EPOLLIN, now);
	len = read_frame(1000);
	check_frame4(len, "192.0.2.1", clport, "198.18.0.1", 5001, "ping",
		     "inbound, mapped port, loopback source as gateway");

	p.len = mkudp(b, 5001, clport, "pong", 0);
	udp_tap_handler(&c, AF_INET, &g4, &m4, &p, 1, now);
	sl = sizeof(from);
	n = wait_sock(cl, POLLIN, 1000) ?
	    recvfrom(cl, rb, sizeof(rb), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &sl) : -1;
	CHECK(n == 4 && !memcmp(rb, "pong", 4) &&
	      ntohs(from.sin_port) == 40011,
	      "guest reply leaves from the forwarded port");

	udp_port_unbind(&c, false, 40011);
	CHECK(!udp_ls[lidx].in_use && !flow_count(FLOW_UDP),
	      "unbinding a port closes its socket and flows");
	CHECK_EQ_INT(udp_port_bind(&c, false, 40011, 40011), 0,
		     "port bound again");
	CHECK_EQ_INT(udp_port_bind(&c, false, 40011, 40011), 0,
		     "binding a bound port is a no-op");
	CHECK_EQ_INT(udp_ls_top, 2, "no duplicate socket");
	close(cl);
}

/* Build a datagram from the guest of @len payload bytes, all @fill */
static size_t mkudp_n(uint8_t *buf, uint16_t sport, uint16_t dport,
		      size_t len, uint8_t fill)
{
	buf[0] = sport >> 8;
	buf[1] = sport & 0xff;
	buf[2] = dport >> 8;
	buf[3] = dport & 0xff;
	buf[4] = (8 + len) >> 8;
	buf[5] = (8 + len) & 0xff;
	buf[6] = buf[7] = 0;
	memset(buf + 8, fill, len);
	return 8 + len;
}

/* Receive @n datagrams on @srv: sizes and first bytes as @sz and @fb */
static bool recv_seq(int srv, const size_t *sz, const uint8_t *fb, size_t n)
{
	static uint8_t rb[2048];
	size_t i;

	for (i = 0; i < n; i++) {
		ssize_t r;

		if (!wait_sock(srv, POLLIN, 1000))
			return false;
		r = recv(srv, rb, sizeof(rb), MSG_DONTWAIT);
		if (r != (ssize_t)sz[i] || (r && rb[0] != fb[i]) ||
		    (r && rb[r - 1] != fb[i]))
			return false;
	}
	return !wait_sock(srv, POLLIN, 100);
}

/* Guest datagrams in a batch: runs of equal size go with UDP_SEGMENT, a
 * frame carrying several (segmentation offload) is cut at its segment
 * size, and all arrive one by one, in order, also if the kernel refuses
 * UDP_SEGMENT for the socket
 */
static void test_batch(const struct timespec *now)
{
	/* payload sizes of the packets, and segment size (0: one datagram) */
	static const size_t plen[] = { 300, 300, 300, 300, 300, 100, 0, 650,
				       300, 300, 1000 };
	static const uint16_t gso[] = { 0, 0, 0, 0, 0, 0, 0, 200,
					0, 0, 100 };
	static uint8_t b[ARRAY_SIZE(plen)][1100];
	static struct iovec iovs[ARRAY_SIZE(plen)][3];
	struct in_addr g4 = { inet_addr("198.18.0.1") };
	struct in_addr m4 = { inet_addr("192.0.2.1") };
	struct tap_l4_pkt p[ARRAY_SIZE(plen)];
	size_t sz[64], i, j, n = 0;
	int srv = server(AF_INET, 40021), one = 1, idx;
	uint8_t fb[64];

	CHECK(srv >= 0, "batch: server socket");
	for (i = 0; i < ARRAY_SIZE(plen); i++) {
		uint8_t fill = (uint8_t)(i * 16 + 1);

		p[i].l4 = b[i];
		p[i].len = mkudp_n(b[i], 1300, 40021, plen[i], fill);
		p[i].gso = gso[i];
		p[i].niov = 0;
		for (j = 0; j < plen[i] || (!plen[i] && !j);
		     j += gso[i] ? gso[i] : plen[i] + 1) {
			/* each segment starts and ends with a new byte */
			size_t l = gso[i] ? MIN(gso[i], plen[i] - j) : plen[i];

			memset(b[i] + 8 + j, fill, l);
			sz[n] = l;
			fb[n++] = fill++;
			if (!plen[i])
				break;
		}
	}

	/* Some datagrams in pieces, as left in vhost-user guest memory:
	 * runs of equal size mix them with contiguous ones
	 */
	for (i = 1; i < ARRAY_SIZE(plen); i += 2) {
		if (gso[i] || plen[i] < 3)
			continue;
		for (j = 0; j < 3; j++) {
			iovs[i][j].iov_base = b[i] + 8 + j * (plen[i] / 3);
			iovs[i][j].iov_len = j < 2 ? plen[i] / 3 :
					     plen[i] - 2 * (plen[i] / 3);
		}
		p[i].iov = iovs[i];
		p[i].niov = 3;
	}

	udp_tap_handler(&c, AF_INET, &g4, &m4, p, ARRAY_SIZE(p), now);
	CHECK(recv_seq(srv, sz, fb, n),
	      "batch: %zu datagrams received one by one, in order", n);

	for (idx = -1, i = 0; i < flow_hwm(); i++)
		if (flow_at(i)->f.type == FLOW_UDP &&
		    udp_at(i)->kind == UDP_FLOW_TAP_OUT &&
		    udp_tapside(i)->peer_port == 1300)
			idx = (int)i;
	CHECK(idx >= 0 && !udp_at(idx)->nogso,
	      "batch: UDP_SEGMENT taken by the kernel");
	if (idx < 0)
		return;

	/* The kernel refuses UDP_SEGMENT without UDP checksums */
	setsockopt(udp_at(idx)->sock, SOL_SOCKET, SO_NO_CHECK, &one,
		   sizeof(one));
	udp_tap_handler(&c, AF_INET, &g4, &m4, p, ARRAY_SIZE(p), now);
	CHECK(udp_at(idx)->nogso,
	      "batch: UDP_SEGMENT refused, flow marked to go one by one");
	CHECK(recv_seq(srv, sz, fb, n),
	      "batch: refused UDP_SEGMENT, still all received, in order");
	udp_tap_handler(&c, AF_INET, &g4, &m4, p, ARRAY_SIZE(p), now);
	CHECK(recv_seq(srv, sz, fb, n),
	      "batch: then one by one, all received, in order");

	close(srv);
}

int main(void)
{
	struct timespec now;
	int sv[2];

	flow_hash_init();
	clock_gettime(CLOCK_MONOTONIC, &now);

	c.mode = MODE_PASST;
	c.fd_tap = -1;
	c.epollfd = epoll_create1(EPOLL_CLOEXEC);
	c.ifi4 = c.ifi6 = 1;
	c.ip4.addr.s_addr = inet_addr("198.18.0.1");
	c.ip4.map_host_loopback.s_addr = inet_addr("192.0.2.1");
	inet_pton(AF_INET6, "2001:db8:1::1", &c.ip6.addr);
	inet_pton(AF_INET6, "2001:db8:9a55::1", &c.ip6.map_host_loopback);
	memcpy(c.our_tap_mac, "\x9a\x55\x9a\x55\x9a\x55", 6);
	memcpy(c.guest_mac, "\x02\x00\x00\x00\x00\x01", 6);

	test_headers();
	test_addresses();
	test_table_full();

	if (unshare(CLONE_NEWNET) || lo_up()) {
		printf("SKIP udp: socket checks need a private network "
		       "namespace\n");
		return unit_done();
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	c.fd_tap = sv[0];
	guest_fd = sv[1];

	test_outbound4(&now);
	test_outbound6(&now);
	test_full_and_expiry(&now);
	test_inbound(&now);
	test_batch(&now);

	return unit_done();
}
