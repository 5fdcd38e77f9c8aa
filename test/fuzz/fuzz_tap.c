/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_tap.c - libFuzzer target: the whole guest input path of passt
 *
 * fuzz-extra: arp.c checksum.c conf.c ctl.c dhcp.c dhcpv6.c flow.c fwd.c
 * fuzz-extra: fwd_scan.c hostwatch.c icmp.c log.c ndp.c netlink.c pasta.c
 * fuzz-extra: pcap.c tcp.c tcp_splice.c udp.c util.c
 * fuzz-extra: vhost_user.c virtio.c
 *
 * Input: a byte stream as qemu writes it on the passt socket (4-byte
 * big-endian length, then an Ethernet frame, repeated). It is written to a
 * socketpair standing in for qemu and read by tap.c, which parses it and
 * dispatches to the real ARP, NDP, DHCP, DHCPv6, ICMP, UDP and TCP handlers.
 * Then the socket side runs a few rounds of a main loop like passt.c's (so
 * replies, refusals and timers are handled too), every frame sent to the
 * guest is checked for a valid length header, and the guest "disconnects",
 * which resets TCP connections: each input starts with no TCP connection.
 *
 * Sockets are real, but in a network namespace of our own, created at start
 * (unshare(CLONE_NEWUSER | CLONE_NEWNET), so it works without privileges
 * too): a veth pair with both ends inside gives conf() a template interface
 * (198.18.0.1/24, 2001:db8:1::1/64, default routes via .2 and ::2), and
 * 198.18.0.0/15 and 2001:db8::/32 are local routes on lo, so every flow the
 * guest opens ends on this namespace's loopback: TCP and UDP echo servers
 * on port 7 (served by this program), refusals on other ports, ping
 * replies from the kernel. Anything else (the host's DNS servers, say)
 * follows the default route to a neighbour nobody answers for. Nothing
 * leaves the namespace. Without user namespaces, the target refuses to run.
 *
 * Module state persists between inputs (UDP and ICMP flows expire through
 * the timers: the clock goes one second forward per input), as it does in
 * the daemon.
 */

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "../../tap.c"
#include "conf.h"
#include "flow.h"
#include "tcp_splice.h"
#include "isolation.h"

/**
 * rd16() - Read a 16-bit big-endian value, any alignment
 * @p:		Pointer to the value
 *
 * Return: value, host order
 */
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/**
 * rd32() - Read a 32-bit big-endian value, any alignment
 * @p:		Pointer to the value
 *
 * Return: value, host order
 */
static inline uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static struct ctx c;
static int peer = -1;		/* qemu's end of the socketpair */
static int echo_ep = -1;	/* epoll set of our echo servers */
static struct timespec fuzz_now;

#define ECHO_PORT	7
#define ECHO_FDS_MAX	64

/* Reference types in echo_ep */
enum { ECHO_TCP_LISTEN = 1, ECHO_UDP, ECHO_TCP };

static int echo_fds[ECHO_FDS_MAX];

/* Output stream parser state: the frame being read, or its length header */
static size_t out_left;
static uint8_t out_hdr[4];
static size_t out_hdr_got;
static uint8_t out_frame[FRAME_MAX];
static size_t out_flen;

/* Sequence number of the last SYN-ACK sent to the guest: see tcp_ack_fix() */
static uint32_t synack_seq;

/**
 * sh() - Run a shell command, abort on failure
 * @cmd:	Command
 */
static void sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc) {
		fprintf(stderr, "fuzz_tap: '%s' failed (%d)\n", cmd, rc);
		abort();
	}
}

/**
 * map_ids() - Map our user and group IDs to root in a new user namespace
 * @uid:	Our user ID outside
 * @gid:	Our group ID outside
 */
static void map_ids(uid_t uid, gid_t gid)
{
	char buf[64];
	int fd;

	snprintf(buf, sizeof(buf), "0 %u 1", uid);
	if ((fd = open("/proc/self/uid_map", O_WRONLY)) < 0 ||
	    write(fd, buf, strlen(buf)) < 0)
		abort();
	close(fd);
	if ((fd = open("/proc/self/setgroups", O_WRONLY)) >= 0) {
		if (write(fd, "deny", 4) < 0)
			abort();
		close(fd);
	}
	snprintf(buf, sizeof(buf), "0 %u 1", gid);
	if ((fd = open("/proc/self/gid_map", O_WRONLY)) < 0 ||
	    write(fd, buf, strlen(buf)) < 0)
		abort();
	close(fd);
}

/**
 * netns_setup() - Create and configure our own network namespace
 */
static void netns_setup(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		perror("fuzz_tap: unshare");
		abort();
	}
	map_ids(uid, gid);

	sh("ip link set lo up && "
	   "ip link add veth0 type veth peer name veth1 && "
	   "ip link set veth1 up && ip link set veth0 up && "
	   "ip addr add 198.18.0.1/24 dev veth0 && "
	   "ip -6 addr add 2001:db8:1::1/64 dev veth0 nodad && "
	   "ip route add default via 198.18.0.2 dev veth0 && "
	   "ip -6 route add default via 2001:db8:1::2 dev veth0 && "
	   "ip route add local 198.18.0.0/15 dev lo table local && "
	   "ip -6 route add local 2001:db8::/32 dev lo table local && "
	   "echo '0 0' >/proc/sys/net/ipv4/ping_group_range");
}

/**
 * echo_add() - Add a socket to our echo servers' epoll set
 * @fd:		Socket
 * @type:	ECHO_TCP_LISTEN, ECHO_UDP or ECHO_TCP
 */
static void echo_add(int fd, int type)
{
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = (uint64_t)fd << 8 | type };

	if (epoll_ctl(echo_ep, EPOLL_CTL_ADD, fd, &ev))
		abort();
}

/**
 * echo_setup() - TCP and UDP echo servers on port 7, any address
 */
static void echo_setup(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(ECHO_PORT) };
	int s, i, zero = 0;

	for (i = 0; i < ECHO_FDS_MAX; i++)
		echo_fds[i] = -1;
	echo_ep = epoll_create1(EPOLL_CLOEXEC);

	s = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 128))
		abort();
	echo_add(s, ECHO_TCP_LISTEN);

	s = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)))
		abort();
	echo_add(s, ECHO_UDP);
}

/**
 * echo_serve() - Serve pending events of the echo servers
 */
static void echo_serve(void)
{
	struct epoll_event ev[16];
	static uint8_t buf[65536];
	int n, i, j;

	n = epoll_wait(echo_ep, ev, 16, 0);
	for (i = 0; i < n; i++) {
		int fd = (int)(ev[i].data.u64 >> 8);
		struct sockaddr_storage sa;
		socklen_t sl = sizeof(sa);
		ssize_t r;

		switch (ev[i].data.u64 & 0xff) {
		case ECHO_TCP_LISTEN:
			r = accept4(fd, NULL, NULL, SOCK_NONBLOCK);
			if (r < 0)
				break;
			for (j = 0; j < ECHO_FDS_MAX && echo_fds[j] >= 0; j++)
				;
			if (j == ECHO_FDS_MAX) {
				close((int)r);
				break;
			}
			echo_fds[j] = (int)r;
			echo_add((int)r, ECHO_TCP);
			break;
		case ECHO_UDP:
			r = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&sa, &sl);
			if (r >= 0)
				sendto(fd, buf, (size_t)r, MSG_DONTWAIT,
				       (struct sockaddr *)&sa, sl);
			break;
		case ECHO_TCP:
			r = recv(fd, buf, sizeof(buf), 0);
			if (r > 0) {
				send(fd, buf, (size_t)r,
				     MSG_DONTWAIT | MSG_NOSIGNAL);
				break;
			}
			if (r < 0 && errno == EAGAIN)
				break;
			for (j = 0; j < ECHO_FDS_MAX; j++)
				if (echo_fds[j] == fd)
					echo_fds[j] = -1;
			close(fd);
			break;
		}
	}
}

/**
 * echo_reset() - Close every accepted echo connection
 */
static void echo_reset(void)
{
	int j;

	for (j = 0; j < ECHO_FDS_MAX; j++) {
		if (echo_fds[j] >= 0)
			close(echo_fds[j]);
		echo_fds[j] = -1;
	}
}

/**
 * l4_tcp() - Find the TCP header in an Ethernet frame
 * @f:		Frame
 * @len:	Length of @f
 *
 * Return: pointer to the TCP header (20 bytes at least), NULL if not TCP
 *	   (IPv6 extension headers aren't walked through)
 */
static uint8_t *l4_tcp(uint8_t *f, size_t len)
{
	size_t hl;

	if (len < 14 + 20)
		return NULL;
	switch (rd16(f + 12)) {
	case ETH_P_IP:
		hl = (f[14] & 0xf) * 4U;
		if (f[14 + 9] != IPPROTO_TCP || hl < 20 ||
		    len < 14 + hl + 20)
			return NULL;
		return f + 14 + hl;
	case ETH_P_IPV6:
		if (len < 14 + 40 + 20 || f[14 + 6] != IPPROTO_TCP)
			return NULL;
		return f + 14 + 40;
	}
	return NULL;
}

/**
 * out_frame_seen() - Look at a complete frame sent to the guest
 */
static void out_frame_seen(void)
{
	uint8_t *th = l4_tcp(out_frame, out_flen);

	if (out_flen >= 14 + 20)
		debug("fuzz_tap: frame to guest: %zu bytes, type %04x, "
		      "%02x %02x %02x..%02x", out_flen, rd16(out_frame + 12),
		      out_frame[14], out_frame[15], out_frame[16],
		      out_frame[14 + 9]);

	if (th && (th[13] & 0x12) == 0x12)
		synack_seq = rd32(th + 4);
}

/**
 * drain_guest() - Read what the daemon sent to the guest, check framing
 */
static void drain_guest(void)
{
	static uint8_t buf[1 << 16];
	ssize_t n;

	if (peer < 0)
		return;

	while ((n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		size_t off = 0, len = (size_t)n;

		while (off < len) {
			size_t k;

			if (out_left) {
				k = MIN(out_left, len - off);
				memcpy(out_frame + out_flen - out_left,
				       buf + off, k);
				out_left -= k;
				off += k;
				if (!out_left)
					out_frame_seen();
				continue;
			}
			out_hdr[out_hdr_got++] = buf[off++];
			if (out_hdr_got < 4)
				continue;
			out_hdr_got = 0;
			out_flen = out_left = rd32(out_hdr);
			/* A frame to the guest: Ethernet header at least,
			 * and no larger than the largest one we build
			 */
			if (out_left < ETH_HLEN || out_left > FRAME_MAX) {
				fprintf(stderr, "fuzz_tap: bad frame length "
					"%zu to the guest\n", out_left);
				abort();
			}
		}
	}
}

/**
 * dispatch() - Dispatch one epoll event, as passt.c does
 * @ref:	epoll reference
 * @events:	epoll events
 */
static void dispatch(union epoll_ref ref, uint32_t events)
{
	switch (ref.type) {
	case EPOLL_TYPE_TAP_LISTEN:
	case EPOLL_TYPE_TAP_PASST:
		tap_handler(&c, ref, events, &fuzz_now);
		break;
	case EPOLL_TYPE_ICMP:
		icmp_sock_handler(&c, ref, events, &fuzz_now);
		break;
	case EPOLL_TYPE_UDP_LISTEN:
	case EPOLL_TYPE_UDP_REPLY:
		udp_sock_handler(&c, ref, events, &fuzz_now);
		break;
	case EPOLL_TYPE_TCP_LISTEN:
	case EPOLL_TYPE_TCP:
	case EPOLL_TYPE_TCP_TIMER:
		tcp_sock_handler(&c, ref, events, &fuzz_now);
		break;
	default:
		break;
	}
}

/**
 * loop() - A few rounds of the main loop, without waiting
 * @rounds:	Number of rounds
 */
static void loop(int rounds)
{
	struct epoll_event ev[64];
	int i, n;

	while (rounds--) {
		echo_serve();
		n = epoll_wait(c.epollfd, ev, 64, 0);
		for (i = 0; i < n; i++) {
			union epoll_ref ref = { .u64 = ev[i].data.u64 };

			dispatch(ref, ev[i].events);
		}
		tcp_defer_handler(&c, &fuzz_now);
		drain_guest();
	}
}

/**
 * guest_connect() - Connect a new "qemu" through a socketpair
 */
static void guest_connect(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	peer = sv[1];
	out_left = out_hdr_got = 0;
	tap_passt_connected(&c, sv[0], &fuzz_now);
}

/**
 * guest_disconnect() - qemu goes away: the daemon resets its side
 */
static void guest_disconnect(void)
{
	if (c.fd_tap >= 0) {
		union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASST,
					.fd = c.fd_tap };

		shutdown(peer, SHUT_WR);
		tap_handler(&c, ref, EPOLLIN | EPOLLRDHUP, &fuzz_now);
		if (c.fd_tap >= 0)	/* it didn't see the end: force it */
			tap_sock_reset(&c);
	}
	drain_guest();
	close(peer);
	peer = -1;
	loop(2);
	echo_reset();
}

#include "fuzz_isolation.h"
#include "fuzz_seed.h"

/* Seed inputs */

static uint8_t seed_buf[8192];
static size_t seed_len;

static const uint8_t g_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)(p[len - 1] << 8);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Start a frame in the seed stream: length header, Ethernet header */
static uint8_t *frame_start(const uint8_t *dmac, uint16_t type)
{
	uint8_t *f = seed_buf + seed_len + 4;

	memcpy(f, dmac, 6);
	memcpy(f + 6, g_mac, 6);
	put16(f + 12, type);
	return f + 14;
}

static void frame_end(size_t l3len)
{
	size_t flen = 14 + l3len;

	seed_buf[seed_len] = 0;
	seed_buf[seed_len + 1] = 0;
	put16(seed_buf + seed_len + 2, (unsigned int)flen);
	seed_len += 4 + flen;
}

/* IPv4 packet with L4 part @l4 of @len bytes (checksum at @csum_off, or
 * negative for none)
 */
static void ip4(const char *s, const char *d, uint8_t proto,
		const uint8_t *l4, size_t len, int csum_off,
		const uint8_t *dmac)
{
	uint8_t *ip = frame_start(dmac, ETH_P_IP);
	uint32_t sum;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned int)(20 + len));
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = proto;
	inet_pton(AF_INET, s, ip + 12);
	inet_pton(AF_INET, d, ip + 16);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	memcpy(ip + 20, l4, len);

	if (csum_off >= 0) {
		uint8_t *p = ip + 20;

		put16(p + csum_off, 0);
		sum = proto == IPPROTO_ICMP ? 0 :
		      sum16(ip + 12, 8, proto + (uint32_t)len);
		put16(p + csum_off, fold(sum16(p, len, sum)));
	}
	frame_end(20 + len);
}

static void ip6(const char *s, const char *d, uint8_t proto,
		const uint8_t *l4, size_t len, int csum_off,
		const uint8_t *dmac)
{
	uint8_t *ip = frame_start(dmac, ETH_P_IPV6);

	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, (unsigned int)len);
	ip[6] = proto;
	ip[7] = 255;
	inet_pton(AF_INET6, s, ip + 8);
	inet_pton(AF_INET6, d, ip + 24);
	memcpy(ip + 40, l4, len);

	if (csum_off >= 0) {
		uint8_t *p = ip + 40;

		put16(p + csum_off, 0);
		put16(p + csum_off,
		      fold(sum16(p, len, sum16(ip + 8, 32, proto +
					       (uint32_t)len))));
	}
	frame_end(40 + len);
}

static size_t udp(uint8_t *p, uint16_t sport, uint16_t dport,
		  const void *data, size_t len)
{
	put16(p, sport);
	put16(p + 2, dport);
	put16(p + 4, (unsigned int)(8 + len));
	put16(p + 6, 0);
	memcpy(p + 8, data, len);
	return 8 + len;
}

/* SYN with MSS, SACK permitted, timestamps, window scale */
static size_t tcp_syn(uint8_t *p, uint16_t sport, uint16_t dport)
{
	static const uint8_t opts[20] = { 2, 4, 0x05, 0xb4, 4, 2,
					  8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
					  1, 3, 3, 7 };

	memset(p, 0, 20);
	put16(p, sport);
	put16(p + 2, dport);
	p[4] = 0x12;		/* sequence 0x12000000 */
	p[12] = (20 + 20) / 4 << 4;
	p[13] = 0x02;
	put16(p + 14, 64240);
	memcpy(p + 20, opts, sizeof(opts));
	return 40;
}

static void seed_arp(void)
{
	uint8_t *a = frame_start(bcast, ETH_P_ARP);

	put16(a, 1);
	put16(a + 2, ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, g_mac, 6);
	inet_pton(AF_INET, "198.18.0.1", a + 14);
	memset(a + 18, 0, 6);
	inet_pton(AF_INET, "198.18.0.2", a + 24);
	frame_end(28);
}

static void seed_dhcp(void)
{
	uint8_t m[300] = { 1, 1, 6, 0, 0x12, 0x34, 0x56, 0x78 }, p[320];
	size_t n;

	memcpy(m + 28, g_mac, 6);
	m[236] = 99; m[237] = 130; m[238] = 83; m[239] = 99;
	m[240] = 53; m[241] = 1; m[242] = 1;		/* DISCOVER */
	m[243] = 55; m[244] = 3; m[245] = 1; m[246] = 3; m[247] = 6;
	m[248] = 255;
	n = udp(p, 68, 67, m, sizeof(m));
	ip4("0.0.0.0", "255.255.255.255", IPPROTO_UDP, p, n, 6, bcast);
}

static void seed_icmp4(void)
{
	uint8_t p[64] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1 };

	memset(p + 8, 0xa5, 56);
	ip4("198.18.0.1", "198.19.0.1", IPPROTO_ICMP, p, 64, 2,
	    (const uint8_t [6]){ 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 });
}

static const uint8_t our_mac_seed[6] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };

static void seed_tcp4(uint16_t dport)
{
	uint8_t p[64];

	ip4("198.18.0.1", "198.19.0.1", IPPROTO_TCP, p,
	    tcp_syn(p, 40000, dport), 16, our_mac_seed);
}

static void seed_udp4(void)
{
	uint8_t p[64];

	ip4("198.18.0.1", "198.19.0.1", IPPROTO_UDP, p,
	    udp(p, 40001, ECHO_PORT, "hello", 5), 6, our_mac_seed);
}

/* Segment from the guest: @ack relative to the SYN-ACK's sequence */
static size_t tcp_seg(uint8_t *p, uint16_t sport, uint32_t seq,
		      uint32_t ack, uint8_t flags, const char *data)
{
	memset(p, 0, 20);
	put16(p, sport);
	put16(p + 2, ECHO_PORT);
	p[4] = (uint8_t)(seq >> 24); p[5] = (uint8_t)(seq >> 16);
	p[6] = (uint8_t)(seq >> 8); p[7] = (uint8_t)seq;
	p[8] = (uint8_t)(ack >> 24); p[9] = (uint8_t)(ack >> 16);
	p[10] = (uint8_t)(ack >> 8); p[11] = (uint8_t)ack;
	p[12] = 5 << 4;
	p[13] = flags;
	put16(p + 14, 65535);
	memcpy(p + 20, data, strlen(data));
	return 20 + strlen(data);
}

/* Handshake, data the echo server sends back, close from the guest */
static void seed_tcp_session(bool v6)
{
	const char *s = v6 ? "2001:db8:1::1" : "198.18.0.1";
	const char *d = v6 ? "2001:db8:2::1" : "198.19.0.1";
	void (*ip)(const char *, const char *, uint8_t, const uint8_t *,
		   size_t, int, const uint8_t *) = v6 ? ip6 : ip4;
	uint32_t seq = 0x12000000;
	uint8_t p[128];

	ip(s, d, IPPROTO_TCP, p, tcp_syn(p, 40100, ECHO_PORT), 16,
	   our_mac_seed);
	ip(s, d, IPPROTO_TCP, p, tcp_seg(p, 40100, seq + 1, 1, 0x10, ""), 16,
	   our_mac_seed);
	ip(s, d, IPPROTO_TCP, p,
	   tcp_seg(p, 40100, seq + 1, 1, 0x18, "hello, echo"), 16,
	   our_mac_seed);
	ip(s, d, IPPROTO_TCP, p,
	   tcp_seg(p, 40100, seq + 12, 12, 0x11, ""), 16, our_mac_seed);
	ip(s, d, IPPROTO_TCP, p,
	   tcp_seg(p, 40100, seq + 13, 13, 0x10, ""), 16, our_mac_seed);
}

static void seed_ns(void)
{
	uint8_t p[32] = { 135, 0 };
	uint8_t mc[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x02 };

	inet_pton(AF_INET6, "2001:db8:1::2", p + 8);
	p[24] = 1;
	p[25] = 1;
	memcpy(p + 26, g_mac, 6);
	ip6("fe80::5054:ff:fe12:3456", "ff02::1:ff00:2", IPPROTO_ICMPV6,
	    p, 32, 2, mc);
}

static void seed_rs(void)
{
	uint8_t p[16] = { 133, 0 };
	uint8_t mc[6] = { 0x33, 0x33, 0, 0, 0, 2 };

	p[8] = 1;
	p[9] = 1;
	memcpy(p + 10, g_mac, 6);
	ip6("fe80::5054:ff:fe12:3456", "ff02::2", IPPROTO_ICMPV6, p, 16, 2,
	    mc);
}

static void seed_dhcpv6(void)
{
	static const uint8_t m[] = {
		1, 0xab, 0xcd, 0xef,				/* SOLICIT */
		0, 1, 0, 10, 0, 3, 0, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56,
		0, 8, 0, 2, 0, 0,				/* elapsed */
		0, 3, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, /* IA_NA */
		0, 6, 0, 2, 0, 23,				/* ORO: DNS */
	};
	uint8_t mc[6] = { 0x33, 0x33, 0, 1, 0, 2 };
	uint8_t p[128];

	ip6("fe80::5054:ff:fe12:3456", "ff02::1:2", IPPROTO_UDP, p,
	    udp(p, 546, 547, m, sizeof(m)), 6, mc);
}

static void seed_v6(void)
{
	uint8_t p[64] = { 128, 0, 0, 0, 0x12, 0x34, 0, 1 };

	ip6("2001:db8:1::1", "2001:db8:2::1", IPPROTO_ICMPV6, p, 16, 2,
	    our_mac_seed);
	ip6("2001:db8:1::1", "2001:db8:2::1", IPPROTO_UDP, p,
	    udp(p, 40002, ECHO_PORT, "hello6", 6), 6, our_mac_seed);
	ip6("2001:db8:1::1", "2001:db8:2::1", IPPROTO_TCP, p,
	    tcp_syn(p, 40003, ECHO_PORT), 16, our_mac_seed);
}

/* Write the seed stream built so far, start a new one */
static void seed_out(const char *name)
{
	fuzz_seed(name, seed_buf, seed_len);
	seed_len = 0;
}

/**
 * seeds() - Write seed inputs to FUZZ_SEED_DIR, if set
 */
static void seeds(void)
{
	seed_arp();		seed_out("arp-request");
	seed_dhcp();		seed_out("dhcp-discover");
	seed_icmp4();		seed_out("icmp-echo");
	seed_tcp4(ECHO_PORT);	seed_out("tcp-syn-open");
	seed_tcp4(9);		seed_out("tcp-syn-closed");
	seed_udp4();		seed_out("udp-echo");
	seed_ns();		seed_out("ndp-ns");
	seed_rs();		seed_out("ndp-rs");
	seed_dhcpv6();		seed_out("dhcpv6-solicit");
	seed_v6();		seed_out("ipv6-icmp-udp-tcp");
	seed_tcp_session(false); seed_out("tcp-session");
	seed_tcp_session(true);	seed_out("tcp6-session");

	seed_arp();
	seed_dhcp();
	seed_icmp4();
	seed_tcp4(ECHO_PORT);
	seed_udp4();
	seed_ns();
	seed_rs();
	seed_dhcpv6();
	seed_v6();
	seed_out("all");
}

/**
 * LLVMFuzzerInitialize() - Namespace, configuration, daemon set-up
 * @argc:	Argument count, unused
 * @argv:	Arguments, unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *args[] = { "passt", "-q", "-D", "198.18.0.53",
			 "-D", "2001:db8:1::53", "-S", "example.org",
			 "-t", "2222", "-u", "2222", NULL };
	struct rlimit rl;

	(void)argc;
	(void)argv;

	seeds();
	netns_setup();

	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);

	c.mode = MODE_PASST;
	c.fd_tap = c.fd_passed = -1;
	c.pasta_netns_fd = c.pasta_userns_fd = c.pidfile_fd = -1;
	c.epollfd = epoll_create1(EPOLL_CLOEXEC);
	conf(&c, (int)(sizeof(args) / sizeof(args[0])) - 1, args);
	log_init("passt", getenv("FUZZ_DEBUG") ? LOG_DEBUG : LOG_ERR, false);

	/* Any valid descriptor: the guest may reconnect, we don't exit */
	c.fd_tap_listen = open("/dev/null", O_RDONLY | O_CLOEXEC);

	flow_hash_init();
	dhcpv6_init(&c);
	if (tcp_init(&c) || udp_init(&c))
		abort();
	echo_setup();
	clock_gettime(CLOCK_MONOTONIC, &fuzz_now);

	return 0;
}

/**
 * feed() - Write part of the stream to the daemon's socket and let it read
 * @data:	Stream data
 * @size:	Length of @data
 */
static void feed(const uint8_t *data, size_t size)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASST, .fd = c.fd_tap };
	size_t off = 0;

	/* In pieces if the socket is full: frames then arrive cut */
	while (off < size && c.fd_tap >= 0) {
		ssize_t n = send(peer, data + off, size - off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN)
			break;
		if (n > 0)
			off += (size_t)n;
		tap_handler(&c, ref, EPOLLIN, &fuzz_now);
		loop(1);
	}
}

/**
 * LLVMFuzzerTestOneInput() - Feed one stream to the daemon as qemu would
 * @data:	Stream
 * @size:	Length of @data
 *
 * Acknowledgement numbers of TCP segments from the guest (ACK flag set) are
 * taken as relative to the sequence number of the last SYN-ACK we saw, so
 * that inputs can complete handshakes and exchange data: the stream is
 * written in parts, split after each SYN from the guest, so that the
 * daemon's SYN-ACK is there before the rest is rewritten.
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[1 << 17];
	size_t off = 0, start = 0;

	if (size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);

	fuzz_now.tv_sec++;
	icmp_timer(&c, &fuzz_now);
	udp_timer(&c, &fuzz_now);
	tcp_timer(&c, &fuzz_now);
	ndp_timer(&c, &fuzz_now);

	guest_connect();
	synack_seq = 0;

	while (size - off >= 4 && c.fd_tap >= 0) {
		size_t flen = rd32(buf + off);
		uint8_t *th;

		if (flen > size - off - 4)
			break;
		th = l4_tcp(buf + off + 4, flen);
		off += 4 + flen;
		if (!th)
			continue;
		if (th[13] & 0x10) {		/* ACK */
			uint32_t ack = rd32(th + 8) + synack_seq;

			th[8] = (uint8_t)(ack >> 24);
			th[9] = (uint8_t)(ack >> 16);
			th[10] = (uint8_t)(ack >> 8);
			th[11] = (uint8_t)ack;
		} else if (th[13] & 0x02) {	/* SYN: wait for SYN-ACK */
			feed(buf + start, off - start);
			loop(3);
			start = off;
		}
	}
	feed(buf + start, size - start);
	loop(4);
	guest_disconnect();

	return 0;
}
