/* SPDX-License-Identifier: GPL-2.0-or-later
 * unit-include: tap.c
 *
 * test_tap.c - Unit tests for tap.c: frame parsing (malformed and good
 *		frames, batching by tuple), the passt stream (framing, cut
 *		frames, invalid lengths), pasta's virtio_net_hdr (offloads
 *		from the namespace, hostile headers, cut reads), the send
 *		path and its framing
 *
 * The protocol handlers tap.c dispatches to are replaced by stubs that
 * record their calls (renamed with macros before including tap.c, so the
 * real modules can stay linked). ARP and pcap are the real ones. read() is
 * replaced too: on FAKE_TAP_FD it plays frames as the tun driver gives
 * them, other descriptors get the real one.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define ndp			stub_ndp
#define dhcp			stub_dhcp
#define dhcpv6			stub_dhcpv6
#define icmp_tap_handler	stub_icmp_tap_handler
#define udp_tap_handler		stub_udp_tap_handler
#define tcp_tap_handler		stub_tcp_tap_handler
#define tcp_tap_reset		stub_tcp_tap_reset
#define ndp_guest_connected	stub_ndp_guest_connected
#define read			stub_read

static ssize_t stub_read(int fd, void *buf, size_t len);

#include "../../tap.c"

#undef read

#include "unit.h"

/* Recorded handler calls */

enum call_kind { C_UDP, C_TCP, C_ICMP, C_DHCP, C_DHCPV6, C_NDP };

#define CALLS_MAX	1024

static struct call {
	enum call_kind kind;
	int af;
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t sport, dport;
	size_t n;
	size_t len0;		/* length of the first packet */
	uint8_t first_byte;	/* first payload byte of the last packet */
	uintptr_t l4addr;	/* address of the first packet */
	uint16_t gso0;		/* UDP segment size of the first packet */
	uint16_t niov0;		/* payload pieces of the first packet */
} calls[CALLS_MAX];

/* Payload of the first packet of the last L4 call, gathered */
static uint8_t pay0[70000];
static size_t pay0_len;
static size_t ncalls;
static int tcp_resets, guest_connects;

/* Frames being parsed, to check that handlers only get bytes inside them */
#define FRAMES_MAX	32
static struct {
	const uint8_t *p;
	size_t len;
} frames[FRAMES_MAX];
static size_t nframes;
static unsigned int outside;	/* packets reaching past their frame */

/**
 * in_frame() - Count a packet handed to a handler that isn't all inside one
 *		of the frames being parsed
 * @p:		Packet
 * @len:	Length the handler was given
 */
static void in_frame(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	if (!nframes)
		return;		/* stream tests: frames in tap.c's buffer */

	for (i = 0; i < nframes; i++) {
		if (b >= frames[i].p && len <= frames[i].len &&
		    (size_t)(b - frames[i].p) <= frames[i].len - len)
			return;
	}
	outside++;
}
static int dhcp_ret = 1, dhcpv6_ret = 1;

static void record(enum call_kind k, int af, const void *s, const void *d,
		   uint16_t sport, uint16_t dport, size_t n, size_t len0,
		   uint8_t fb)
{
	struct call *c;

	if (ncalls >= CALLS_MAX)
		return;
	c = &calls[ncalls++];
	memset(c, 0, sizeof(*c));
	c->kind = k;
	c->af = af;
	memcpy(c->saddr, s, af == AF_INET ? 4 : 16);
	memcpy(c->daddr, d, af == AF_INET ? 4 : 16);
	c->sport = sport;
	c->dport = dport;
	c->n = n;
	c->len0 = len0;
	c->first_byte = fb;
}

int stub_ndp(struct ctx *c, const struct in6_addr *saddr,
	     const struct in6_addr *daddr, const void *icmp6, size_t len)
{
	const uint8_t *p = icmp6;

	(void)c;
	in_frame(icmp6, len);
	if (len < 1 || p[0] < ND_ROUTER_SOLICIT || p[0] > ND_REDIRECT)
		return 0;
	record(C_NDP, AF_INET6, saddr, daddr, 0, 0, 1, len, p[0]);
	return 1;
}

int stub_dhcp(struct ctx *c, const void *msg, size_t len)
{
	static const uint8_t z[4];

	(void)c;
	in_frame(msg, len);
	if (dhcp_ret)
		record(C_DHCP, AF_INET, z, z, 0, 67, 1, len, 0);
	return dhcp_ret;
}

int stub_dhcpv6(struct ctx *c, const struct in6_addr *saddr,
		const struct in6_addr *daddr, const void *msg, size_t len)
{
	(void)c;
	in_frame(msg, len);
	if (dhcpv6_ret)
		record(C_DHCPV6, AF_INET6, saddr, daddr, 0, 547, 1, len, 0);
	return dhcpv6_ret;
}

void stub_icmp_tap_handler(struct ctx *c, int af, const void *saddr,
			   const void *daddr, const void *msg, size_t len,
			   const struct timespec *now)
{
	(void)c;
	(void)now;
	in_frame(msg, len);
	record(C_ICMP, af, saddr, daddr, 0, 0, 1, len,
	       len ? *(const uint8_t *)msg : 0);
}

static void l4_record(enum call_kind k, int af, const void *saddr,
		      const void *daddr, const struct tap_l4_pkt *pkts,
		      size_t n)
{
	const uint8_t *l4 = pkts[0].l4;
	size_t hl = k == C_UDP ? 8 : 20;
	const struct tap_l4_pkt *last = &pkts[n - 1];
	uint8_t fb = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		size_t pay = 0;

		for (j = 0; j < pkts[i].niov; j++)
			pay += pkts[i].iov[j].iov_len;
		in_frame(pkts[i].l4, pkts[i].len - pay);
	}

	if (last->niov)
		fb = *(const uint8_t *)last->iov[0].iov_base;
	else if (last->len > hl)
		fb = last->l4[hl];
	record(k, af, saddr, daddr, (uint16_t)(l4[0] << 8 | l4[1]),
	       (uint16_t)(l4[2] << 8 | l4[3]), n, pkts[0].len, fb);
	if (ncalls) {
		calls[ncalls - 1].l4addr = (uintptr_t)l4;
		calls[ncalls - 1].gso0 = pkts[0].gso;
		calls[ncalls - 1].niov0 = pkts[0].niov;
	}

	/* First packet's payload, from its pieces or after the header */
	pay0_len = 0;
	if (pkts[0].niov) {
		for (j = 0; j < pkts[0].niov; j++) {
			memcpy(pay0 + pay0_len, pkts[0].iov[j].iov_base,
			       pkts[0].iov[j].iov_len);
			pay0_len += pkts[0].iov[j].iov_len;
		}
	} else if (k == C_TCP && pkts[0].len >= 20 &&
		   (size_t)(l4[12] >> 4) * 4 <= pkts[0].len) {
		hl = (size_t)(l4[12] >> 4) * 4;
		memcpy(pay0, l4 + hl, pkts[0].len - hl);
		pay0_len = pkts[0].len - hl;
	} else if (pkts[0].len > hl) {
		memcpy(pay0, l4 + hl, pkts[0].len - hl);
		pay0_len = pkts[0].len - hl;
	}
}

void stub_udp_tap_handler(struct ctx *c, int af, const void *saddr,
			  const void *daddr, const struct tap_l4_pkt *pkts,
			  size_t n, const struct timespec *now)
{
	(void)c;
	(void)now;
	l4_record(C_UDP, af, saddr, daddr, pkts, n);
}

void stub_tcp_tap_handler(struct ctx *c, int af, const void *saddr,
			  const void *daddr, const struct tap_l4_pkt *pkts,
			  size_t n, const struct timespec *now)
{
	(void)c;
	(void)now;
	l4_record(C_TCP, af, saddr, daddr, pkts, n);
}

void stub_tcp_tap_reset(struct ctx *c)
{
	(void)c;
	tcp_resets++;
}

void stub_ndp_guest_connected(struct ctx *c, const struct timespec *now)
{
	(void)c;
	(void)now;
	guest_connects++;
}

/* Frame builders */

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t our_mac[6] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };

#define G4	"198.18.0.10"
#define R4	"198.19.0.1"
#define G6	"2001:db8:1::10"
#define R6	"2001:db8:2::1"

static size_t eth(uint8_t *f, uint16_t type)
{
	memcpy(f, our_mac, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	return 14;
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* L4: UDP or TCP header with ports, then @plen bytes of @fill */
static size_t l4(uint8_t *p, uint8_t proto, uint16_t sport, uint16_t dport,
		 size_t plen, uint8_t fill)
{
	size_t hl = proto == IPPROTO_UDP ? 8 : 20;

	memset(p, 0, hl);
	put16(p, sport);
	put16(p + 2, dport);
	if (proto == IPPROTO_UDP)
		put16(p + 4, (unsigned int)(hl + plen));
	else
		p[12] = 5 << 4;
	memset(p + hl, fill, plen);
	return hl + plen;
}

/* Ethernet + IPv4 + L4 frame, returns frame length */
static size_t frame4(uint8_t *f, uint8_t proto, const char *s, const char *d,
		     uint16_t sport, uint16_t dport, size_t plen, uint8_t fill)
{
	size_t n = eth(f, ETH_P_IP), l;
	uint8_t *ip = f + n;
	struct in_addr a;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = proto;
	inet_pton(AF_INET, s, &a);
	memcpy(ip + 12, &a, 4);
	inet_pton(AF_INET, d, &a);
	memcpy(ip + 16, &a, 4);

	if (proto == IPPROTO_ICMP) {
		memset(ip + 20, 0, 8);
		ip[20] = 8;
		memset(ip + 28, fill, plen);
		l = 8 + plen;
	} else {
		l = l4(ip + 20, proto, sport, dport, plen, fill);
	}
	put16(ip + 2, (unsigned int)(20 + l));
	return n + 20 + l;
}

/* Ethernet + IPv6 (+ @ext bytes of hop-by-hop options) + L4 frame */
static size_t frame6(uint8_t *f, uint8_t proto, const char *s, const char *d,
		     uint16_t sport, uint16_t dport, size_t plen, uint8_t fill,
		     size_t ext)
{
	size_t n = eth(f, ETH_P_IPV6), l;
	uint8_t *ip = f + n, *p = ip + 40;
	struct in6_addr a;

	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[7] = 64;
	inet_pton(AF_INET6, s, &a);
	memcpy(ip + 8, &a, 16);
	inet_pton(AF_INET6, d, &a);
	memcpy(ip + 24, &a, 16);

	if (ext) {
		ip[6] = IPPROTO_HOPOPTS;
		memset(p, 0, ext);
		p[0] = proto;
		p[1] = (uint8_t)(ext / 8 - 1);
		p[2] = 1;	/* PadN covering the rest */
		p[3] = (uint8_t)(ext - 4);
		p += ext;
	} else {
		ip[6] = proto;
	}

	if (proto == IPPROTO_ICMPV6) {
		memset(p, 0, 8);
		p[0] = fill;	/* type */
		l = 8 + plen;
	} else {
		l = l4(p, proto, sport, dport, plen, fill);
	}
	put16(ip + 4, (unsigned int)(ext + l));
	return n + 40 + ext + l;
}

static struct ctx ctx;
static struct timespec now;

static void reset_calls(void)
{
	ncalls = 0;
	memset(calls, 0, sizeof(calls));
}

/* Parse frames as one batch. Each frame is copied to a buffer of exactly
 * its size, so that AddressSanitizer or valgrind see any read past its end
 */
static void batch(uint8_t (*f)[256], const size_t *len, size_t n)
{
	uint8_t *copy[16];
	size_t i;

	for (i = 0; i < n && i < FRAMES_MAX; i++) {
		copy[i] = malloc(len[i] ? len[i] : 1);
		memcpy(copy[i], f[i], len[i]);
		frames[i].p = copy[i];
		frames[i].len = len[i];
		nframes = i + 1;
		tap_frame(&ctx, copy[i], len[i], NULL, &now);
	}
	tap_flush(&ctx, &now);
	nframes = 0;

	while (i--)
		free(copy[i]);
}

static void one(uint8_t *f, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	memcpy(copy, f, len);
	frames[0].p = copy;
	frames[0].len = len;
	nframes = 1;
	tap_frame(&ctx, copy, len, NULL, &now);
	tap_flush(&ctx, &now);
	nframes = 0;
	free(copy);
}

static bool addr4_is(const uint8_t *a, const char *s)
{
	struct in_addr x;

	inet_pton(AF_INET, s, &x);
	return !memcmp(a, &x, 4);
}

static bool addr6_is(const uint8_t *a, const char *s)
{
	struct in6_addr x;

	inet_pton(AF_INET6, s, &x);
	return !memcmp(a, &x, 16);
}

static void test_malformed(void)
{
	static uint8_t f[256];
	size_t n;

	reset_calls();

	/* Ethernet */
	one(f, 0);
	memset(f, 0, sizeof(f));
	one(f, 13);
	CHECK_EQ_INT(ncalls, 0, "zero-length and 13-byte frames dropped");

	n = frame4(f, IPPROTO_UDP, G4, R4, 1000, 53, 10, 0xaa);
	one(f, 14 + 19);
	CHECK_EQ_INT(ncalls, 0, "IPv4: header cut by the frame end dropped");

	f[14] = 0x55;
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv4: version 5 dropped");

	f[14] = 0x44;
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv4: IHL 4 dropped");

	f[14] = 0x4f;		/* 60 bytes of header, total length 38 */
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv4: IHL past total length dropped");

	f[14] = 0x45;
	put16(f + 16, (unsigned int)(n - 14 + 1));
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv4: total length past frame end dropped");

	put16(f + 16, 19);
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv4: total length below header dropped");

	put16(f + 16, (unsigned int)(n - 14));
	f[20] = 0x20;		/* MF */
	one(f, n);
	f[20] = 0x40;
	f[21] = 0x01;		/* offset 8 */
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv4: fragments dropped (MF, offset)");
	f[21] = 0;

	/* UDP length */
	put16(f + 34 + 4, 7);
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "UDP: length 7 dropped");
	put16(f + 34 + 4, (unsigned int)(n - 34 + 1));
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "UDP: length past IP payload dropped");
	put16(f + 16, 20 + 7);	/* IP payload shorter than a UDP header */
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "UDP: IP payload below 8 bytes dropped");

	/* TCP: IP payload below 20 bytes */
	n = frame4(f, IPPROTO_TCP, G4, R4, 1000, 80, 0, 0);
	put16(f + 16, 20 + 19);
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "TCP: truncated header dropped");

	/* Unknown protocol and Ethernet type */
	n = frame4(f, IPPROTO_UDP, G4, R4, 1000, 53, 10, 0);
	f[14 + 9] = 132;	/* SCTP */
	one(f, n);
	n = frame4(f, IPPROTO_UDP, G4, R4, 1000, 53, 10, 0);
	f[12] = 0x81;		/* VLAN */
	f[13] = 0x00;
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "unknown L4 protocol and Ethernet type "
		     "dropped");

	/* IPv6 */
	n = frame6(f, IPPROTO_UDP, G6, R6, 1000, 53, 10, 0, 0);
	one(f, 14 + 39);
	CHECK_EQ_INT(ncalls, 0, "IPv6: header cut by the frame end dropped");

	f[14] = 0x40;
	one(f, n);
	f[14] = 0x60;
	CHECK_EQ_INT(ncalls, 0, "IPv6: version 4 dropped");

	put16(f + 18, (unsigned int)(n - 54 + 1));
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv6: payload length past frame end dropped");

	put16(f + 18, 0);	/* jumbogram marker, or just nothing */
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv6: zero payload length dropped");

	n = frame6(f, IPPROTO_UDP, G6, R6, 1000, 53, 10, 0, 16);
	f[54 + 1] = 2;		/* hop-by-hop claims 24 bytes: ends in UDP */
	put16(f + 18, 16 + 3);	/* ...and the payload is 19 bytes */
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv6: extension header past payload dropped");

	n = frame6(f, IPPROTO_UDP, G6, R6, 1000, 53, 10, 0, 16);
	put16(f + 18, 4);	/* payload shorter than 8 bytes of header */
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv6: truncated extension header dropped");

	/* A chain of 20 destination options headers (8 bytes each) */
	n = eth(f, ETH_P_IPV6);
	{
		struct in6_addr a;
		uint8_t *ip = f + n;
		int i;

		memset(ip, 0, 40 + 160 + 8);
		ip[0] = 0x60;
		ip[6] = IPPROTO_DSTOPTS;
		inet_pton(AF_INET6, G6, &a);
		memcpy(ip + 8, &a, 16);
		inet_pton(AF_INET6, R6, &a);
		memcpy(ip + 24, &a, 16);
		for (i = 0; i < 20; i++)
			ip[40 + i * 8] = i < 19 ? IPPROTO_DSTOPTS :
						  IPPROTO_UDP;
		l4(ip + 200, IPPROTO_UDP, 1, 2, 0, 0);
		put16(ip + 4, 160 + 8);
		n += 40 + 160 + 8;
	}
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv6: overlong extension header chain "
		     "dropped");

	n = frame6(f, IPPROTO_UDP, G6, R6, 1000, 53, 10, 0, 8);
	f[54] = IPPROTO_FRAGMENT;
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv6: fragment header dropped");

	n = frame6(f, IPPROTO_UDP, G6, R6, 1000, 53, 10, 0, 0);
	put16(f + 54 + 4, 4);
	one(f, n);
	n = frame6(f, IPPROTO_TCP, G6, R6, 1000, 80, 0, 0, 0);
	put16(f + 18, 12);
	one(f, n);
	CHECK_EQ_INT(ncalls, 0, "IPv6: short UDP length, truncated TCP "
		     "dropped");

	/* Garbage of every length: no crash, no read past the frame (run
	 * under valgrind or ASan to see the latter)
	 */
	{
		static uint8_t g[256];
		size_t len;
		unsigned int seed = 1;

		for (len = 0; len < sizeof(g); len++) {
			size_t i;

			for (i = 0; i < len; i++)
				g[i] = (uint8_t)(rand_r(&seed) >> 3);
			if (len > 14) {
				g[12] = len & 1 ? 0x86 : 0x08;
				g[13] = len & 1 ? 0xdd : 0x00;
				g[14] = len & 1 ? 0x60 : 0x45;
			}
			one(g, len);
		}
		CHECK_EQ_INT(outside, 0, "random garbage frames of lengths "
			     "0..255: nothing handed on past a frame's end");
	}

	/* Valid frames with a few bytes changed and random truncation */
	{
		static uint8_t base[4][256], m[256];
		size_t blen[4], i;
		unsigned int seed = 7;

		blen[0] = frame4(base[0], IPPROTO_UDP, G4, R4, 1, 67, 40, 0);
		blen[1] = frame4(base[1], IPPROTO_TCP, G4, R4, 1, 80, 40, 0);
		blen[2] = frame6(base[2], IPPROTO_UDP, G6, R6, 1, 547, 40, 0,
				 16);
		blen[3] = frame6(base[3], IPPROTO_ICMPV6, G6, R6, 0, 0, 40,
				 135, 8);
		reset_calls();
		for (i = 0; i < 40000; i++) {
			size_t b = i % 4, l = blen[b], k;

			memcpy(m, base[b], l);
			for (k = 0; k < 1 + i % 3; k++)
				m[14 + rand_r(&seed) % 70] =
					(uint8_t)rand_r(&seed);
			if (!(i % 5))
				l = (size_t)rand_r(&seed) % (l + 1);
			one(m, l);
		}
		CHECK_EQ_INT(outside, 0, "40000 mutated and truncated valid "
			     "frames: nothing handed on past a frame's end");
		CHECK(ncalls > 0, "mutated frames: some still reach the "
		      "handlers, so the check above checks something");
	}
}

static void test_good(void)
{
	static uint8_t f[16][256];
	size_t len[16], n = 0;
	struct in_addr seen;

	reset_calls();
	memset(ctx.guest_mac, 0, 6);
	ctx.ip4.addr_seen.s_addr = 0;

	/* UDP A, UDP A, TCP B, UDP A, ICMP, UDP A, UDP A' (other port) */
	len[n] = frame4(f[n], IPPROTO_UDP, G4, R4, 1000, 53, 10, 1); n++;
	len[n] = frame4(f[n], IPPROTO_UDP, G4, R4, 1000, 53, 11, 2); n++;
	len[n] = frame4(f[n], IPPROTO_TCP, G4, R4, 2000, 80, 5, 3); n++;
	len[n] = frame4(f[n], IPPROTO_UDP, G4, R4, 1000, 53, 10, 4); n++;
	len[n] = frame4(f[n], IPPROTO_ICMP, G4, R4, 0, 0, 56, 5); n++;
	len[n] = frame4(f[n], IPPROTO_UDP, G4, R4, 1000, 53, 10, 6); n++;
	len[n] = frame4(f[n], IPPROTO_UDP, G4, R4, 1001, 53, 10, 7); n++;
	/* Ethernet padding after the IP packet: ignored */
	len[n - 1] += 6;
	batch(f, len, n);

	CHECK_EQ_INT(ncalls, 6, "IPv4 batch: 6 handler calls");
	CHECK(calls[0].kind == C_UDP && calls[0].n == 2 &&
	      calls[0].sport == 1000 && calls[0].dport == 53 &&
	      calls[0].af == AF_INET && addr4_is(calls[0].saddr, G4) &&
	      addr4_is(calls[0].daddr, R4) && calls[0].len0 == 18 &&
	      calls[0].first_byte == 2,
	      "consecutive UDP packets of one tuple grouped, right tuple");
	CHECK(calls[1].kind == C_TCP && calls[1].n == 1 &&
	      calls[1].sport == 2000 && calls[1].dport == 80 &&
	      calls[1].len0 == 25, "TCP packet dispatched in order");
	CHECK(calls[2].kind == C_UDP && calls[2].n == 1 &&
	      calls[2].first_byte == 4, "UDP after TCP: new group");
	CHECK(calls[3].kind == C_ICMP && calls[3].len0 == 64 &&
	      calls[3].first_byte == 8, "ICMP echo request dispatched");
	CHECK(calls[4].kind == C_UDP && calls[4].n == 1 &&
	      calls[4].first_byte == 6, "UDP after ICMP: new group");
	CHECK(calls[5].kind == C_UDP && calls[5].sport == 1001 &&
	      calls[5].len0 == 18, "different port: separate group, length "
	      "from UDP header (padding ignored)");

	CHECK_EQ_MEM(ctx.guest_mac, guest_mac, 6, "guest MAC learnt");
	inet_pton(AF_INET, G4, &seen);
	CHECK(ctx.ip4.addr_seen.s_addr == seen.s_addr,
	      "IPv4 source address learnt");

	/* Full batches */
	{
		static uint8_t big[300][64];
		size_t i, l = 0;

		reset_calls();
		for (i = 0; i < 300; i++) {
			l = frame4(big[i], IPPROTO_TCP, G4, R4, 3000, 443, 1,
				   (uint8_t)i);
			tap_frame(&ctx, big[i], l, NULL, &now);
		}
		tap_flush(&ctx, &now);
		CHECK(ncalls == 2 && calls[0].n == TAP_BATCH_MAX &&
		      calls[1].n == 300 - TAP_BATCH_MAX,
		      "300 packets of one tuple: batches of %i and %i",
		      TAP_BATCH_MAX, 300 - TAP_BATCH_MAX);
	}

	/* DHCP: handled, or passed on to UDP when disabled */
	reset_calls();
	n = 0;
	len[n] = frame4(f[n], IPPROTO_UDP, "0.0.0.0", "255.255.255.255",
			68, 67, 200, 0); n++;
	len[n] = frame4(f[n], IPPROTO_UDP, G4, R4, 1000, 53, 10, 1); n++;
	ctx.ip4.addr_seen = seen;
	batch(f, len, n);
	CHECK(ncalls == 2 && calls[0].kind == C_DHCP &&
	      calls[0].len0 == 200 && calls[1].kind == C_UDP,
	      "UDP to port 67 goes to dhcp(), payload length right");
	CHECK(ctx.ip4.addr_seen.s_addr == seen.s_addr,
	      "0.0.0.0 source doesn't change the seen address");

	reset_calls();
	dhcp_ret = 0;
	batch(f, len, 1);
	dhcp_ret = 1;
	CHECK(ncalls == 1 && calls[0].kind == C_UDP && calls[0].dport == 67,
	      "dhcp() returning 0: datagram goes to the UDP handler");

	/* IPv6 with a hop-by-hop header, DHCPv6, NDP, ICMPv6 echo */
	reset_calls();
	memset(&ctx.ip6.addr_seen, 0, 16);
	memset(&ctx.ip6.addr_ll_seen, 0, 16);
	n = 0;
	len[n] = frame6(f[n], IPPROTO_TCP, G6, R6, 4000, 22, 30, 1, 16); n++;
	len[n] = frame6(f[n], IPPROTO_TCP, G6, R6, 4000, 22, 30, 2, 0); n++;
	len[n] = frame6(f[n], IPPROTO_UDP, "fe80::10", "ff02::1:2",
			546, 547, 40, 0, 0); n++;
	len[n] = frame6(f[n], IPPROTO_ICMPV6, "fe80::10", "ff02::2",
			0, 0, 8, 133, 0); n++;
	len[n] = frame6(f[n], IPPROTO_ICMPV6, G6, R6, 0, 0, 56, 128, 8); n++;
	len[n] = frame6(f[n], IPPROTO_UDP, G6, R6, 5000, 53, 3, 9, 0); n++;
	batch(f, len, n);

	CHECK_EQ_INT(ncalls, 5, "IPv6 batch: 5 handler calls");
	CHECK(calls[0].kind == C_TCP && calls[0].n == 2 &&
	      calls[0].af == AF_INET6 && addr6_is(calls[0].saddr, G6) &&
	      addr6_is(calls[0].daddr, R6) && calls[0].sport == 4000 &&
	      calls[0].len0 == 50 && calls[0].first_byte == 2,
	      "IPv6 TCP grouped across extension header difference");
	CHECK(calls[1].kind == C_DHCPV6 && calls[1].len0 == 40 &&
	      addr6_is(calls[1].daddr, "ff02::1:2"),
	      "UDP to port 547 goes to dhcpv6()");
	CHECK(calls[2].kind == C_NDP && calls[2].first_byte == 133,
	      "Router Solicitation goes to ndp()");
	CHECK(calls[3].kind == C_ICMP && calls[3].af == AF_INET6 &&
	      calls[3].len0 == 64 && calls[3].first_byte == 128,
	      "ICMPv6 echo request (after options header) goes to icmp");
	CHECK(calls[4].kind == C_UDP && calls[4].af == AF_INET6 &&
	      calls[4].len0 == 11 && calls[4].first_byte == 9,
	      "IPv6 UDP dispatched");
	CHECK(addr6_is((uint8_t *)&ctx.ip6.addr_seen, G6) &&
	      addr6_is((uint8_t *)&ctx.ip6.addr_ll_seen, "fe80::10"),
	      "IPv6 global and link-local sources learnt");

	/* --no-udp, --no-tcp: nothing reaches the handlers */
	reset_calls();
	ctx.no_udp = ctx.no_tcp = 1;
	batch(f, len, 2);
	batch(f + 5, len + 5, 1);
	ctx.no_udp = ctx.no_tcp = 0;
	CHECK_EQ_INT(ncalls, 0, "--no-tcp/--no-udp: packets dropped");
}

/* passt stream over a socketpair */

static int peer = -1;

static void passt_connect(void)
{
	int sv[2];

	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	if (peer >= 0)
		close(peer);
	peer = sv[1];
	tap_passt_connected(&ctx, sv[0], &now);
}

static void deliver(const void *buf, size_t len)
{
	if (write(peer, buf, len) != (ssize_t)len)
		return;
	tap_handler(&ctx, (union epoll_ref){ .type = EPOLL_TYPE_TAP_PASST,
					      .fd = ctx.fd_tap },
		    EPOLLIN, &now);
}

static size_t stream_add(uint8_t *s, const uint8_t *f, size_t len)
{
	s[0] = (uint8_t)(len >> 24);
	s[1] = (uint8_t)(len >> 16);
	s[2] = (uint8_t)(len >> 8);
	s[3] = (uint8_t)len;
	memcpy(s + 4, f, len);
	return 4 + len;
}

static void test_stream(void)
{
	static uint8_t s[8192], f[256];
	size_t n = 0, l;
	uint32_t bad[] = { 0, 13, 65536, 0xffffffff };
	unsigned int i;

	reset_calls();
	ctx.mode = MODE_PASST;
	ctx.one_off = 0;
	ctx.fd_passed = -1;
	ctx.fd_tap_listen = 1000;	/* pretend: wait for the next guest */
	passt_connect();
	CHECK(ctx.fd_tap >= 0 && guest_connects == 1,
	      "guest connection set up, NDP told");

	/* Three frames, the second cut across two writes (and its length
	 * header split too)
	 */
	l = frame4(f, IPPROTO_UDP, G4, R4, 1000, 53, 20, 1);
	n += stream_add(s + n, f, l);
	l = frame4(f, IPPROTO_TCP, G4, R4, 1000, 80, 20, 2);
	n += stream_add(s + n, f, l);
	l = frame4(f, IPPROTO_UDP, G4, R4, 1000, 53, 20, 3);
	n += stream_add(s + n, f, l);

	deliver(s, 2);
	CHECK_EQ_INT(ncalls, 0, "half a length header: nothing yet");
	deliver(s + 2, (size_t)(4 + 62 + 4 + 10 - 2));
	CHECK(ncalls == 1 && calls[0].kind == C_UDP,
	      "first frame dispatched, cut frame kept");
	deliver(s + 4 + 62 + 4 + 10, n - (4 + 62 + 4 + 10) - 30);
	CHECK(ncalls == 2 && calls[1].kind == C_TCP &&
	      calls[1].first_byte == 2 && calls[1].len0 == 40,
	      "cut frame completed and dispatched intact");
	deliver(s + n - 30, 30);
	CHECK(ncalls == 3 && calls[2].kind == C_UDP &&
	      calls[2].first_byte == 3, "third frame dispatched");
	CHECK_EQ_INT(tcp_resets, 0, "no reset so far");

	/* Many frames in one read: 100 back to back */
	reset_calls();
	{
		static uint8_t big[100 * 80];
		size_t m = 0, k;

		for (k = 0; k < 100; k++) {
			l = frame4(f, IPPROTO_UDP, G4, R4, 1000, 53, 10,
				   (uint8_t)k);
			m += stream_add(big + m, f, l);
		}
		deliver(big, m);
		CHECK(ncalls == 1 && calls[0].n == 100,
		      "100 frames in one read, one UDP batch");
	}

	/* Invalid length headers reset the connection, after the frames
	 * before them
	 */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int before = tcp_resets;

		reset_calls();
		n = 0;
		l = frame4(f, IPPROTO_UDP, G4, R4, 1000, 53, 20, 1);
		n += stream_add(s + n, f, l);
		s[n] = (uint8_t)(bad[i] >> 24);
		s[n + 1] = (uint8_t)(bad[i] >> 16);
		s[n + 2] = (uint8_t)(bad[i] >> 8);
		s[n + 3] = (uint8_t)bad[i];
		memset(s + n + 4, 0, 100);
		n += 104;

		deliver(s, n);
		CHECK(ncalls == 1 && ctx.fd_tap < 0 &&
		      tcp_resets == before + 1,
		      "length header %u: frames before it handled, "
		      "connection reset", bad[i]);
		passt_connect();
	}

	/* Guest disconnects */
	{
		int before = tcp_resets;
		union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASST,
					.fd = ctx.fd_tap };

		close(peer);
		peer = -1;
		tap_handler(&ctx, ref, EPOLLIN | EPOLLRDHUP, &now);
		CHECK(ctx.fd_tap < 0 && tcp_resets == before + 1,
		      "guest disconnect: connection closed, TCP reset");
		passt_connect();
	}
}

/* Read whole frames from the peer: returns count, checks framing */
static size_t peer_read_frames(uint8_t *out, size_t outlen, size_t *bytes)
{
	static uint8_t buf[1 << 20];
	size_t have = 0, off = 0, nf = 0;
	ssize_t r;

	while ((r = recv(peer, buf + have, sizeof(buf) - have,
			 MSG_DONTWAIT)) > 0)
		have += (size_t)r;

	while (have - off >= 4) {
		size_t fl = rd32(buf + off);

		if (have - off - 4 < fl)
			break;
		if (nf == 0 && out)
			memcpy(out, buf + off + 4, MIN(fl, outlen));
		off += 4 + fl;
		nf++;
	}
	*bytes = have - off;	/* left over: a cut frame */
	return nf;
}

static void test_send(void)
{
	static uint8_t fr[256];
	uint8_t a[8] = "abcdefgh", b[3] = "xyz";
	struct iovec iov[6] = {
		{ a, 8 }, { b, 3 }, { b, 3 }, { a, 8 }, { a, 1 }, { b, 0 },
	};
	struct in_addr s4, d4;
	struct in6_addr s6, d6;
	size_t left, nf;

	CHECK_EQ_INT(tap_send_frames(&ctx, iov, 2, 3), 3,
		     "three frames of two buffers sent");
	nf = peer_read_frames(fr, sizeof(fr), &left);
	CHECK(nf == 3 && !left && !memcmp(fr, "abcdefghxyz", 11),
	      "stream carries three length-prefixed frames");

	/* Runts padded with zeroes to 60 bytes, longer frames as they are */
	{
		static uint8_t arp[42], big[100], raw[4 + 60 + 4 + 100];
		struct iovec two[2] = { { arp, sizeof(arp) },
					{ big, sizeof(big) } };
		ssize_t r;

		memset(arp, 0xa5, sizeof(arp));
		memset(big, 0x5a, sizeof(big));
		CHECK_EQ_INT(tap_send_frames(&ctx, two, 1, 2), 2,
			     "a 42-byte and a 100-byte frame sent");
		r = recv(peer, raw, sizeof(raw) + 1, MSG_DONTWAIT);
		CHECK(r == (ssize_t)sizeof(raw) && rd32(raw) == 60 &&
		      !memcmp(raw + 4, arp, 42) &&
		      !memcmp(raw + 4 + 42, (uint8_t [18]){ 0 }, 18) &&
		      rd32(raw + 64) == 100 && !memcmp(raw + 68, big, 100),
		      "stream: runt padded with zeroes to 60 bytes");
	}

	/* tap_udp4_send(): header, checksum, broadcast before MAC known */
	memset(ctx.guest_mac, 0, 6);
	memcpy(ctx.our_tap_mac, our_mac, 6);
	inet_pton(AF_INET, R4, &s4);
	inet_pton(AF_INET, G4, &d4);
	tap_udp4_send(&ctx, s4, 53, d4, 1000, "hello", 5);
	nf = peer_read_frames(fr, sizeof(fr), &left);
	CHECK(nf == 1 && fr[0] == 0xff && fr[5] == 0xff &&
	      !memcmp(fr + 6, our_mac, 6) && fr[12] == 0x08,
	      "UDP/IPv4 frame: broadcast destination, our source MAC");
	CHECK(!unit_ref_csum(fr + 14, 20, 0) && fr[14 + 8] == 64 &&
	      rd16(fr + 16) == 33 && (fr[20] & 0x40),
	      "IPv4 header: checksum, TTL 64, length, DF");
	CHECK(!unit_ref_csum(fr + 34, 13,
			     unit_ref_pseudo(AF_INET, &s4, &d4, IPPROTO_UDP,
					     13)) &&
	      rd16(fr + 34) == 53 && rd16(fr + 36) == 1000 &&
	      rd16(fr + 38) == 13 && !memcmp(fr + 42, "hello", 5),
	      "UDP header and checksum valid");

	/* tap_icmp6_send(): checksum, hop limit, flow label */
	memcpy(ctx.guest_mac, guest_mac, 6);
	inet_pton(AF_INET6, R6, &s6);
	inet_pton(AF_INET6, G6, &d6);
	{
		uint8_t m[13] = { 129, 0, 0xaa, 0xbb, 0x12, 0x34, 0, 1,
				  'p', 'i', 'n', 'g', '!' };

		tap_icmp6_send(&ctx, &s6, &d6, m, sizeof(m));
	}
	nf = peer_read_frames(fr, sizeof(fr), &left);
	CHECK(nf == 1 && !memcmp(fr, guest_mac, 6) && rd16(fr + 12) ==
	      0x86dd && fr[14 + 7] == 255 && fr[14 + 6] == IPPROTO_ICMPV6 &&
	      rd16(fr + 18) == 13 && (rd32(fr + 14) & 0xfffff) &&
	      (fr[14] >> 4) == 6,
	      "ICMPv6 frame: guest MAC, hop limit 255, flow label set");
	CHECK(!unit_ref_csum(fr + 54, 13,
			     unit_ref_pseudo(AF_INET6, &s6, &d6,
					     IPPROTO_ICMPV6, 13)),
	      "ICMPv6 checksum valid, odd length");

	/* Flow labels: non-zero, 20 bits, not all the same */
	{
		uint32_t first = tap_flow_label(), x;
		bool ok = true, differ = false;
		int i;

		for (i = 0; i < 1000; i++) {
			x = tap_flow_label();
			if (!x || x > 0xfffff)
				ok = false;
			if (x != first)
				differ = true;
		}
		CHECK(ok && differ, "flow labels non-zero, 20 bits, random");
	}

	/* Destination address helpers */
	ctx.ip4.addr = d4;
	ctx.ip4.addr_seen.s_addr = 0;
	CHECK(tap_ip4_daddr(&ctx).s_addr == d4.s_addr,
	      "IPv4 guest address: assigned one until a source is seen");
	inet_pton(AF_INET6, "fe80::10", &ctx.ip6.addr_ll_seen);
	ctx.ip6.addr_seen = d6;
	inet_pton(AF_INET6, "fe80::1", &s6);
	CHECK(tap_ip6_daddr(&ctx, &s6) == &ctx.ip6.addr_ll_seen &&
	      tap_ip6_daddr(&ctx, &d6) == &ctx.ip6.addr_seen,
	      "IPv6 guest address: link-local for link-local sources");
}

/* Writes cut by a full socket: no frame is ever cut in the stream */
static void test_send_partial(void)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASST };
	static uint8_t payload[3000];
	struct iovec iov[200 * 2];
	size_t total = 0, i, want = 200;
	int sz = 4096, status, pfd[2];
	uint8_t hdr[14] = { 0 };
	pid_t pid;

	setsockopt(ctx.fd_tap, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	for (i = 0; i < want; i++) {
		iov[i * 2].iov_base = hdr;
		iov[i * 2].iov_len = sizeof(hdr);
		iov[i * 2 + 1].iov_base = payload;
		iov[i * 2 + 1].iov_len = 500 + (i * 37) % 2500;
	}

	/* A slow reader checks the framing and counts frames */
	if (pipe(pfd))
		return;
	pid = fork();
	if (pid == 0) {
		static uint8_t buf[1 << 20];
		size_t have = 0, off = 0, nf = 0;
		ssize_t r;
		int bad = 0;

		close(pfd[0]);
		close(ctx.fd_tap);
		for (;;) {
			usleep(2000);
			r = read(peer, buf + have, 1500);
			if (r <= 0)
				break;
			have += (size_t)r;
		}
		while (have - off >= 4) {
			size_t fl = rd32(buf + off);

			if (have - off - 4 < fl)
				break;
			if (fl != 14 + 500 + (nf * 37) % 2500 ||
			    memcmp(buf + off + 4 + 14, payload, fl - 14))
				bad = 1;
			off += 4 + fl;
			nf++;
		}
		if (off != have)
			bad = 1;
		nf |= (size_t)bad << 20;
		if (write(pfd[1], &nf, sizeof(nf)) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);

	/* Send with short waits between partial batches, as a caller
	 * retrying on its next event would
	 */
	for (i = 0; i < 2000 && total < want; i++) {
		struct pollfd p = { .fd = ctx.fd_tap, .events = POLLOUT };

		total += tap_send_frames(&ctx, iov + total * 2, 2,
					 want - total);
		if (total < want)
			poll(&p, 1, 100);
	}
	CHECK_EQ_INT(total, want, "all frames sent through a slow reader");

	/* The rest of a cut last frame waits for EPOLLOUT, as in the daemon:
	 * with a reader slower than TAP_FINISH_MS, that's when it goes
	 */
	ref.fd = ctx.fd_tap;
	for (i = 0; i < 2000 && tap_pend_len; i++) {
		struct pollfd p = { .fd = ctx.fd_tap, .events = POLLOUT };

		poll(&p, 1, 100);
		tap_handler(&ctx, ref, EPOLLOUT, &now);
	}
	CHECK(!tap_pend_len, "rest of a cut last frame sent on EPOLLOUT");

	shutdown(ctx.fd_tap, SHUT_WR);
	{
		size_t got = 0;

		if (read(pfd[0], &got, sizeof(got)) != sizeof(got))
			got = (size_t)-1;
		waitpid(pid, &status, 0);
		CHECK(got == want,
		      "reader got every frame whole, in order, nothing cut "
		      "(got %zu%s)", got & 0xfffff,
		      got >> 20 ? ", bad framing" : "");
	}
	close(pfd[0]);
}

/* A reader that stops: the rest of a cut frame waits for EPOLLOUT, nothing
 * else is sent meanwhile, the stream stays intact
 */
static void test_send_stuck(void)
{
	static uint8_t payload[60000];
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASST };
	size_t sent, total = 0, left = 0, i;
	struct iovec iov[64];
	uint8_t hdr[14] = { 0 };
	int sz = 4096;

	passt_connect();
	ref.fd = ctx.fd_tap;
	setsockopt(ctx.fd_tap, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));

	for (i = 0; i < 32; i++) {
		iov[i * 2].iov_base = hdr;
		iov[i * 2].iov_len = sizeof(hdr);
		iov[i * 2 + 1].iov_base = payload;
		iov[i * 2 + 1].iov_len = sizeof(payload);
	}

	sent = tap_send_frames(&ctx, iov, 2, 32);
	CHECK(sent >= 1 && sent < 32 && tap_pend_len,
	      "stuck reader: %zu frame(s) sent, rest of the cut one kept",
	      sent);
	CHECK_EQ_INT(tap_send_frames(&ctx, iov, 2, 32), 0,
		     "nothing else sent while a cut frame is pending");

	/* Reader drains, EPOLLOUT events complete the frame */
	for (i = 0; i < 1000 && (tap_pend_len || left); i++) {
		static uint8_t buf[1 << 17];
		ssize_t r;

		while ((r = recv(peer, buf + left, sizeof(buf) - left,
				 MSG_DONTWAIT)) > 0)
			left += (size_t)r;
		while (left >= 4 && left - 4 >= rd32(buf)) {
			size_t fl = rd32(buf);

			if (fl == 14 + sizeof(payload))
				total++;
			memmove(buf, buf + 4 + fl, left - 4 - fl);
			left -= 4 + fl;
		}
		tap_handler(&ctx, ref, EPOLLOUT, &now);
	}
	CHECK(total == sent && !left && !tap_pend_len && ctx.fd_tap >= 0,
	      "after EPOLLOUT: all %zu frame(s) whole in the stream, "
	      "connection kept (got %zu, %zu bytes left)", sent, total, left);
	CHECK_EQ_INT(tap_send_frames(&ctx, iov, 2, 1), 1,
		     "sending again afterwards");
	peer_read_frames(NULL, 0, &left);
}

static void test_pcap(void)
{
	char path[] = "/tmp/passt-unit-tap-pcap-XXXXXX";
	static uint8_t f[256], buf[4096];
	int fd = mkstemp(path);
	size_t l;
	ssize_t n;

	if (fd < 0)
		return;
	close(fd);

	passt_connect();
	pcap_init(path);
	l = frame4(f, IPPROTO_UDP, G4, R4, 1000, 53, 10, 1);
	one(f, l);
	tap_send_single(&ctx, f, l);

	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	unlink(path);

	CHECK(n == (ssize_t)(24 + 2 * (16 + l)) &&
	      *(uint32_t *)buf == 0xa1b2c3d4 && buf[4] == 2 && buf[6] == 4 &&
	      *(uint32_t *)(buf + 20) == 1 &&
	      *(uint32_t *)(buf + 24 + 8) == l &&
	      !memcmp(buf + 24 + 16, f, l),
	      "pcap: header, then received and sent frames recorded");
}

static void test_arp(void)
{
	uint8_t f[64], r[256];
	struct in_addr g, t;
	size_t nf, left;

	memcpy(ctx.our_tap_mac, our_mac, 6);
	inet_pton(AF_INET, G4, &g);
	ctx.ip4.addr = g;
	ctx.ip4.addr_seen.s_addr = 0;
	peer_read_frames(NULL, 0, &left);

	eth(f, ETH_P_ARP);
	memset(f, 0xff, 6);
	put16(f + 14, 1);
	put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1);
	memcpy(f + 22, guest_mac, 6);
	memcpy(f + 28, &g, 4);
	memset(f + 32, 0, 6);
	inet_pton(AF_INET, R4, &t);
	memcpy(f + 38, &t, 4);

	one(f, 42);
	nf = peer_read_frames(r, sizeof(r), &left);
	CHECK(nf == 1 && !memcmp(r, guest_mac, 6) &&
	      !memcmp(r + 6, our_mac, 6) && rd16(r + 12) == 0x0806 &&
	      rd16(r + 20) == 2 && !memcmp(r + 22, our_mac, 6) &&
	      !memcmp(r + 28, &t, 4) && !memcmp(r + 32, guest_mac, 6) &&
	      !memcmp(r + 38, &g, 4), "ARP request answered with our MAC");

	memcpy(f + 38, &g, 4);
	memset(f + 28, 0, 4);
	one(f, 42);
	memcpy(f + 28, &g, 4);
	one(f, 42);
	nf = peer_read_frames(r, sizeof(r), &left);
	CHECK_EQ_INT(nf, 0, "no answer for the guest's own address (probe, "
		     "announcement)");

	memset(f + 28, 0, 4);
	memcpy(f + 38, &t, 4);
	one(f, 42);
	nf = peer_read_frames(r, sizeof(r), &left);
	CHECK(nf == 1 && !memcmp(r, guest_mac, 6),
	      "0.0.0.0 probe for another address answered");

	/* qrap's probe, as Debian's qrap sends it: broadcast source MAC,
	 * zero sender hardware address, 0.0.0.0 asking for 0.0.0.0
	 */
	memset(f + 6, 0xff, 6);
	memset(f + 22, 0, 20);
	one(f, 42);
	nf = peer_read_frames(r, sizeof(r), &left);
	CHECK(nf == 1 && rd16(r + 12) == 0x0806 && rd16(r + 20) == 2 &&
	      !memcmp(r + 22, our_mac, 6) && !rd32(r + 28) && !rd32(r + 38),
	      "qrap probe (0.0.0.0 for 0.0.0.0) answered");

	ctx.ip4.addr.s_addr = 0;
	one(f, 42);
	nf = peer_read_frames(r, sizeof(r), &left);
	ctx.ip4.addr = g;
	CHECK_EQ_INT(nf, 1, "qrap probe answered with no IPv4 address set");
	memcpy(f + 6, guest_mac, 6);
	memcpy(f + 22, guest_mac, 6);

	one(f, 41);
	put16(f + 20, 2);
	one(f, 42);
	nf = peer_read_frames(r, sizeof(r), &left);
	CHECK_EQ_INT(nf, 0, "truncated request and replies ignored");
}

/* pasta: virtio_net_hdr in front of frames from the tap device */

#define FAKE_TAP_FD	1000
#define VLEN		sizeof(struct virtio_net_hdr)
#define NC		VIRTIO_NET_HDR_F_NEEDS_CSUM
#define DV		VIRTIO_NET_HDR_F_DATA_VALID
#define T4		VIRTIO_NET_HDR_GSO_TCPV4
#define T6		VIRTIO_NET_HDR_GSO_TCPV6
#define L4OFF4		(14 + 20)
#define L4OFF6		(14 + 40)
#define TCP_CK		offsetof(struct tcphdr, check)
#define UDP_CK		offsetof(struct udphdr, check)

/* What read() on FAKE_TAP_FD gives, one entry per call: @len is returned
 * even if the buffer is shorter, and only what fits is copied, as tun does
 */
#define SCRIPT_MAX	32
static struct {
	const uint8_t *p;
	size_t len;
} script[SCRIPT_MAX];
static size_t script_n, script_i;

static ssize_t stub_read(int fd, void *buf, size_t len)
{
	if (fd != FAKE_TAP_FD)
		return read(fd, buf, len);

	if (script_i >= script_n) {
		errno = EAGAIN;
		return -1;
	}
	memcpy(buf, script[script_i].p, MIN(len, script[script_i].len));
	return (ssize_t)script[script_i++].len;
}

static void script_add(const void *p, size_t len)
{
	if (script_n < SCRIPT_MAX) {
		script[script_n].p = p;
		script[script_n++].len = len;
	}
}

/* Run tap_pasta_input() on the script */
static void script_run(void)
{
	int fd = ctx.fd_tap;

	ctx.fd_tap = FAKE_TAP_FD;
	script_i = 0;
	tap_pasta_input(&ctx, &now);
	ctx.fd_tap = fd;
	script_n = 0;
}

/**
 * struct vcase - A frame and the virtio_net_hdr that comes with it
 * @what:	Description
 * @v6:		IPv6 (else IPv4)
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP(V6), 0 for ARP
 * @sport:	Source port, different for each case
 * @plen:	Payload length
 * @ext:	IPv6 hop-by-hop header length, 0 for none
 * @doff:	TCP data offset to set, 0 to keep 5; UDP: bytes to take off
 *		the UDP length
 * @ok:		Expected to be delivered
 * @h:		The header
 */
struct vcase {
	const char *what;
	bool v6;
	uint8_t proto;
	uint16_t sport;
	size_t plen;
	size_t ext;
	unsigned int doff;
	bool ok;
	struct virtio_net_hdr h;
};

#define VH(fl, type, hl, size, start, off)				\
	{ .flags = (fl), .gso_type = (type), .hdr_len = (hl),		\
	  .gso_size = (size), .csum_start = (start), .csum_offset = (off) }

/* Frame for a case into @f, return its length */
static size_t vcase_frame(uint8_t *f, const struct vcase *v)
{
	size_t len;

	if (!v->proto) {		/* ARP request */
		len = eth(f, ETH_P_ARP);
		memset(f + len, 0, 28);
		put16(f + len, 1);
		put16(f + len + 2, ETH_P_IP);
		f[len + 4] = 6;
		f[len + 5] = 4;
		put16(f + len + 6, 1);
		return len + 28;
	}

	if (v->v6)
		len = frame6(f, v->proto, G6, R6, v->sport, 80, v->plen, 0xa5,
			     v->ext);
	else
		len = frame4(f, v->proto, G4, R4, v->sport, 80, v->plen, 0xa5);

	if (v->doff && v->proto == IPPROTO_UDP)
		put16(f + (v->v6 ? L4OFF6 + v->ext : L4OFF4) + 4,
		      (uint16_t)(8 + v->plen - v->doff));
	else if (v->doff)
		f[(v->v6 ? L4OFF6 + v->ext : L4OFF4) + 12] =
			(uint8_t)(v->doff << 4);
	return len;
}

/* Parse a batch of cases with tap_pasta_frame(), each frame (and header)
 * in a buffer of its own size, for AddressSanitizer and valgrind
 */
static void vbatch(const struct vcase *v, size_t n)
{
	uint8_t *copy[FRAMES_MAX], f[512];
	size_t i;

	for (i = 0; i < n && i < FRAMES_MAX; i++) {
		size_t len = vcase_frame(f, v + i);

		copy[i] = malloc(VLEN + len);
		memcpy(copy[i], &v[i].h, VLEN);
		memcpy(copy[i] + VLEN, f, len);
		frames[i].p = copy[i] + VLEN;
		frames[i].len = len;
		nframes = i + 1;
		tap_pasta_frame(&ctx, copy[i], VLEN + len, &now);
	}
	tap_flush(&ctx, &now);
	nframes = 0;

	while (i--)
		free(copy[i]);
}

/* Recorded call for a source port, NULL if none */
static const struct call *call_sport(uint16_t sport)
{
	size_t i;

	for (i = 0; i < ncalls; i++) {
		if (calls[i].sport == sport)
			return &calls[i];
	}
	return NULL;
}

static void test_vnet_hostile(void)
{
	static const struct vcase v4[] = {
		{ "TCP super-frame, partial checksum", 0, IPPROTO_TCP, 1000,
		  150, 0, 0, 1, VH(NC, T4, 54, 50, L4OFF4, TCP_CK) },
		{ "gso_size 0", 0, IPPROTO_TCP, 1001,
		  150, 0, 0, 0, VH(NC, T4, 54, 0, L4OFF4, TCP_CK) },
		{ "TCP, no offload", 0, IPPROTO_TCP, 1002,
		  150, 0, 0, 1, VH(0, 0, 0, 0, 0, 0) },
		{ "gso_size larger than the payload", 0, IPPROTO_TCP, 1003,
		  150, 0, 0, 0, VH(NC, T4, 54, 151, L4OFF4, TCP_CK) },
		{ "gso_size equal to the payload", 0, IPPROTO_TCP, 1004,
		  150, 0, 0, 1, VH(NC, T4, 54, 150, L4OFF4, TCP_CK) },
		{ "csum_start past the end", 0, IPPROTO_TCP, 1005,
		  150, 0, 0, 0, VH(NC, 0, 0, 0, 204, TCP_CK) },
		{ "csum_offset outside the frame", 0, IPPROTO_TCP, 1006,
		  150, 0, 0, 0, VH(NC, 0, 0, 0, L4OFF4, 60000) },
		{ "csum_start not at the L4 header", 0, IPPROTO_TCP, 1007,
		  150, 0, 0, 0, VH(NC, 0, 0, 0, 14, TCP_CK) },
		{ "csum_offset not the TCP checksum", 0, IPPROTO_TCP, 1008,
		  150, 0, 0, 0, VH(NC, 0, 0, 0, L4OFF4, UDP_CK) },
		{ "unknown gso_type", 0, IPPROTO_TCP, 1009,
		  150, 0, 0, 0, VH(NC, 2, 54, 50, L4OFF4, TCP_CK) },
		{ "gso_type UDP (UFO, not enabled)", 0, IPPROTO_UDP, 1010,
		  150, 0, 0, 0, VH(NC, VIRTIO_NET_HDR_GSO_UDP, 42, 50, L4OFF4,
				   UDP_CK) },
		{ "ECN bit (TSO_ECN not enabled)", 0, IPPROTO_TCP, 1011,
		  150, 0, 0, 0, VH(NC, T4 | VIRTIO_NET_HDR_GSO_ECN, 54, 50,
				   L4OFF4, TCP_CK) },
		{ "TCPV6 on an IPv4 frame", 0, IPPROTO_TCP, 1012,
		  150, 0, 0, 0, VH(NC, T6, 54, 50, L4OFF4, TCP_CK) },
		{ "UDP frame with TCPV4", 0, IPPROTO_UDP, 1013,
		  150, 0, 0, 0, VH(NC, T4, 42, 50, L4OFF4, UDP_CK) },
		{ "UDP, partial checksum", 0, IPPROTO_UDP, 1014,
		  150, 0, 0, 1, VH(NC, 0, 0, 0, L4OFF4, UDP_CK) },
		{ "unknown flag", 0, IPPROTO_TCP, 1015,
		  150, 0, 0, 0, VH(0x40, 0, 0, 0, 0, 0) },
		{ "hdr_len past the end", 0, IPPROTO_TCP, 1016,
		  150, 0, 0, 0, VH(NC, T4, 205, 50, L4OFF4, TCP_CK) },
		{ "gso_size without gso_type", 0, IPPROTO_TCP, 1017,
		  150, 0, 0, 0, VH(0, 0, 0, 1, 0, 0) },
		{ "DATA_VALID flag", 0, IPPROTO_TCP, 1018,
		  150, 0, 0, 1, VH(DV, 0, 0, 0, 0, 0) },
		{ "segmentation, TCP data offset 4", 0, IPPROTO_TCP, 1019,
		  150, 0, 4, 0, VH(NC, T4, 54, 50, L4OFF4, TCP_CK) },
		{ "segmentation, TCP options past the packet", 0, IPPROTO_TCP,
		  1020, 10, 0, 15, 0, VH(NC, T4, 54, 5, L4OFF4, TCP_CK) },
		{ "ICMP, partial checksum", 0, IPPROTO_ICMP, 0,
		  56, 0, 0, 0, VH(NC, 0, 0, 0, L4OFF4, 2) },
		{ "ARP with segmentation", 0, 0, 0,
		  0, 0, 0, 0, VH(0, T4, 0, 50, 0, 0) },
		{ "TCP after the rest, no offload", 0, IPPROTO_TCP, 1023,
		  20, 0, 0, 1, VH(0, 0, 0, 0, 0, 0) },
	};
	static const struct vcase v6[] = {
		{ "TCP super-frame after a hop-by-hop header", 1, IPPROTO_TCP,
		  2000, 150, 16, 0, 1, VH(NC, T6, 90, 50, L4OFF6 + 16,
					   TCP_CK) },
		{ "csum_start at the extension header", 1, IPPROTO_TCP,
		  2001, 150, 16, 0, 0, VH(NC, T6, 90, 50, L4OFF6, TCP_CK) },
		{ "TCPV4 on an IPv6 frame", 1, IPPROTO_TCP,
		  2002, 150, 0, 0, 0, VH(NC, T4, 74, 50, L4OFF6, TCP_CK) },
		{ "UDP, partial checksum", 1, IPPROTO_UDP,
		  2003, 150, 0, 0, 1, VH(NC, 0, 0, 0, L4OFF6, UDP_CK) },
		{ "segmentation, checksum complete", 1, IPPROTO_TCP,
		  2004, 150, 0, 0, 1, VH(0, T6, 74, 50, 0, 0) },
		{ "UDP, csum_offset of TCP", 1, IPPROTO_UDP,
		  2005, 150, 0, 0, 0, VH(NC, 0, 0, 0, L4OFF6, TCP_CK) },
		{ "ICMPv6 with segmentation", 1, IPPROTO_ICMPV6, 0,
		  8, 0, 0, 0, VH(0, T6, 0, 50, 0, 0) },
		{ "TCP after the rest, no offload", 1, IPPROTO_TCP,
		  2007, 20, 0, 0, 1, VH(0, 0, 0, 0, 0, 0) },
	};
	const struct {
		const struct vcase *v;
		size_t n;
		const char *ip;
	} b[] = {
		{ v4, ARRAY_SIZE(v4), "IPv4" }, { v6, ARRAY_SIZE(v6), "IPv6" },
	};
	size_t i, j;

	tap_vnet_len = VLEN;
	memcpy(ctx.our_tap_mac, our_mac, 6);

	for (j = 0; j < ARRAY_SIZE(b); j++) {
		unsigned long bad0 = tap_pasta_bad;
		size_t good = 0, bad = 0, k = 0;
		bool order = true;

		reset_calls();
		outside = 0;
		vbatch(b[j].v, b[j].n);

		for (i = 0; i < b[j].n; i++) {
			const struct vcase *v = b[j].v + i;

			if (v->ok) {
				good++;
				order &= k < ncalls &&
					 calls[k++].sport == v->sport;
			} else {
				bad++;
			}
			if (!v->sport)
				continue;
			CHECK((call_sport(v->sport) != NULL) == v->ok,
			      "virtio_net_hdr, %s: %s: %s", b[j].ip, v->what,
			      v->ok ? "delivered" : "dropped");
		}
		CHECK(ncalls == good && order,
		      "virtio_net_hdr, %s: only the %zu good frames delivered, "
		      "in order, one batch around the bad ones", b[j].ip, good);
		CHECK_EQ_INT(tap_pasta_bad - bad0, bad,
			     "virtio_net_hdr, %s: bad frames counted", b[j].ip);
		CHECK_EQ_INT(outside, 0, "virtio_net_hdr, %s: handlers get "
			     "bytes inside the frames only", b[j].ip);
	}

	tap_vnet_len = 0;
}

/* UDP segmentation offload from the namespace (TUN_F_USO4/6 enabled) */
static void test_vnet_uso(void)
{
#define U4	VIRTIO_NET_HDR_GSO_UDP_L4
	static const struct vcase v[] = {
		{ "UDP run, IPv4", 0, IPPROTO_UDP, 3000,
		  150, 0, 0, 1, VH(NC, U4, 42, 50, L4OFF4, UDP_CK) },
		{ "UDP run, gso_size 0", 0, IPPROTO_UDP, 3001,
		  150, 0, 0, 0, VH(NC, U4, 42, 0, L4OFF4, UDP_CK) },
		{ "UDP run, gso_size larger than the payload", 0, IPPROTO_UDP,
		  3002, 150, 0, 0, 0, VH(NC, U4, 42, 151, L4OFF4, UDP_CK) },
		{ "UDP run, gso_size equal to the payload", 0, IPPROTO_UDP,
		  3003, 150, 0, 0, 1, VH(NC, U4, 42, 150, L4OFF4, UDP_CK) },
		{ "UDP run, csum_start past the end", 0, IPPROTO_UDP, 3004,
		  150, 0, 0, 0, VH(NC, U4, 42, 50, 200, UDP_CK) },
		{ "UDP run, csum_offset of TCP", 0, IPPROTO_UDP, 3005,
		  150, 0, 0, 0, VH(NC, U4, 42, 50, L4OFF4, TCP_CK) },
		{ "UDP segmentation of a TCP frame", 0, IPPROTO_TCP, 3006,
		  150, 0, 0, 0, VH(NC, U4, 54, 50, L4OFF4, TCP_CK) },
		{ "UDP run, more segments than the kernel makes", 0,
		  IPPROTO_UDP, 3007, 150, 0, 0, 0,
		  VH(NC, U4, 42, 1, L4OFF4, UDP_CK) },
		{ "UDP run, as many segments as the kernel makes", 0,
		  IPPROTO_UDP, 3008, 128, 0, 0, 1,
		  VH(NC, U4, 42, 1, L4OFF4, UDP_CK) },
		{ "UDP run, IPv6", 1, IPPROTO_UDP, 3009,
		  150, 0, 0, 1, VH(NC, U4, 62, 40, L4OFF6, UDP_CK) },
		{ "UDP run, IPv6, gso_size 0", 1, IPPROTO_UDP, 3010,
		  150, 0, 0, 0, VH(NC, U4, 62, 0, L4OFF6, UDP_CK) },
		{ "UDP run, IPv6, hdr_len past the end", 1, IPPROTO_UDP, 3011,
		  150, 0, 0, 0, VH(NC, U4, 300, 40, L4OFF6, UDP_CK) },
		{ "UDP run, UDP length short of the IP payload", 0,
		  IPPROTO_UDP, 3014, 150, 0, 10, 0,
		  VH(NC, U4, 42, 50, L4OFF4, UDP_CK) },
		{ "unknown gso_type with USO on", 0, IPPROTO_UDP, 3012,
		  150, 0, 0, 0, VH(NC, 7, 42, 50, L4OFF4, UDP_CK) },
		{ "UDP after the rest, no offload", 0, IPPROTO_UDP, 3013,
		  20, 0, 0, 1, VH(0, 0, 0, 0, 0, 0) },
	};
	unsigned long bad0 = tap_pasta_bad;
	const struct call *k;
	size_t i, good = 0, bad = 0;

	tap_vnet_len = VLEN;
	memcpy(ctx.our_tap_mac, our_mac, 6);

	/* Not enabled: dropped, whatever the header says */
	tap_offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	reset_calls();
	vbatch(v, 1);
	CHECK(!call_sport(3000) && tap_pasta_bad == bad0 + 1,
	      "virtio_net_hdr: UDP run dropped if USO isn't enabled");

	bad0 = tap_pasta_bad;
	tap_offloads |= TUN_F_USO4 | TUN_F_USO6;
	reset_calls();
	outside = 0;
	vbatch(v, ARRAY_SIZE(v));
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		k = call_sport(v[i].sport);
		if (v[i].ok)
			good++;
		else
			bad++;
		CHECK((k != NULL) == v[i].ok, "virtio_net_hdr: %s: %s",
		      v[i].what, v[i].ok ? "delivered" : "dropped");
		if (k && v[i].ok)
			CHECK_EQ_INT(k->gso0, v[i].h.gso_size,
				     "virtio_net_hdr: %s: segment size "
				     "handed to udp.c", v[i].what);
	}
	CHECK_EQ_INT(tap_pasta_bad - bad0, bad,
		     "virtio_net_hdr, UDP runs: bad frames counted");
	CHECK_EQ_INT(ncalls, good,
		     "virtio_net_hdr, UDP runs: good frames delivered");
	CHECK_EQ_INT(outside, 0, "virtio_net_hdr, UDP runs: handlers get "
		     "bytes inside the frames only");

	tap_offloads = 0;
	tap_vnet_len = 0;
#undef U4
}

static void test_vnet_reads(void)
{
	static const struct virtio_net_hdr none, gso = VH(NC, T4, 54, 1448,
							  L4OFF4, TCP_CK);
	static uint8_t small[VLEN + 256], udp[VLEN + 256];
	static uint8_t big[VLEN + FRAME_MAX + 4096];
	static uint8_t plain[FRAME_MAX + 1];
	unsigned long bad0 = tap_pasta_bad;
	size_t i, n, total;
	bool aligned = true;

	tap_vnet_len = VLEN;

	/* Small frame, cut frame, short read, largest frame, small one */
	memcpy(small, &none, VLEN);
	n = frame4(small + VLEN, IPPROTO_TCP, G4, R4, 3000, 80, 10, 1);
	script_add(small, VLEN + n);
	script_add(big, VLEN + FRAME_MAX + 1);
	script_add(small, VLEN - 1);
	memcpy(big, &gso, VLEN);
	n = frame4(big + VLEN, IPPROTO_TCP, G4, R4, 3001, 80,
		   IP_MAXPACKET - 40, 2);
	script_add(big, VLEN + n);
	memcpy(udp, &none, VLEN);
	n = frame6(udp + VLEN, IPPROTO_UDP, G6, R6, 3002, 53, 10, 3, 0);
	script_add(udp, VLEN + n);

	reset_calls();
	script_run();
	CHECK(ncalls == 3 && calls[0].sport == 3000 &&
	      calls[1].sport == 3001 && calls[2].sport == 3002,
	      "tap reads: good frames around a cut one and a short read "
	      "delivered");
	CHECK(calls[1].len0 == IP_MAXPACKET - 20 && calls[1].first_byte == 2,
	      "tap reads: frame of %i bytes (FRAME_MAX) delivered whole",
	      FRAME_MAX);
	CHECK_EQ_INT(tap_pasta_bad - bad0, 2,
		     "tap reads: cut frame and short read counted as bad");
	for (i = 0; i < ncalls; i++)
		aligned &= !(calls[i].l4addr % 4);
	CHECK(aligned, "tap reads: L4 headers 4-byte aligned after the header");

	/* Twenty of the largest frames: more than a read batch holds */
	reset_calls();
	for (i = 0; i < 20; i++)
		script_add(big, VLEN + FRAME_MAX);
	script_run();
	for (i = 0, total = 0; i < ncalls; i++)
		total += calls[i].n;
	CHECK(total == 20 && ncalls > 1 && calls[0].len0 == IP_MAXPACKET - 20,
	      "tap reads: 20 frames of 64 KiB in %zu batches", ncalls);

	/* No virtio_net_hdr: the same frames, plain */
	tap_vnet_len = 0;
	bad0 = tap_pasta_bad;
	reset_calls();
	memcpy(plain, big + VLEN, FRAME_MAX);
	n = frame4(small + VLEN, IPPROTO_TCP, G4, R4, 3000, 80, 10, 1);
	script_add(small + VLEN, n);
	script_add(plain, FRAME_MAX + 1);
	script_add(plain, FRAME_MAX);
	script_run();
	aligned = true;
	for (i = 0; i < ncalls; i++)
		aligned &= !(calls[i].l4addr % 4);
	CHECK(ncalls == 2 && calls[0].sport == 3000 &&
	      calls[1].sport == 3001 && calls[1].len0 == IP_MAXPACKET - 20 &&
	      aligned && tap_pasta_bad - bad0 == 1,
	      "tap reads, no virtio_net_hdr: cut frame dropped, others "
	      "delivered, aligned");
}

/* pasta: what goes in front of frames we write to the tap device */
static void test_vnet_writes(void)
{
	struct tap_gso part = { .l4off = L4OFF4, .hlen = L4OFF4 + 20,
				.csum = true };
	static uint8_t f[256], r[VLEN + 256];
	struct virtio_net_hdr h;
	enum passt_mode mode = ctx.mode;
	int fd = ctx.fd_tap, sv[2];
	struct iovec iov;
	size_t len;
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		return;

	ctx.mode = MODE_PASTA;
	ctx.fd_tap = sv[0];
	tap_vnet_len = VLEN;
	len = frame4(f, IPPROTO_TCP, G4, R4, 5000, 80, 100, 0x3c);
	iov.iov_base = f;
	iov.iov_len = len;

	CHECK(tap_csum_ok(&ctx), "tap with virtio_net_hdr: checksums left "
	      "to the namespace's kernel");
	snprintf(ctx.pcap, sizeof(ctx.pcap), "/nonexistent");
	CHECK(!tap_csum_ok(&ctx), "capture: checksums complete, as captured");
	ctx.pcap[0] = 0;

	CHECK(tap_send_frames_gso(&ctx, &iov, 1, 1, &part) == 1,
	      "frame with a partial checksum written");
	n = recv(sv[1], r, sizeof(r), MSG_DONTWAIT);
	memcpy(&h, r, VLEN);
	CHECK(n == (ssize_t)(VLEN + len) && h.flags == NC &&
	      h.gso_type == VIRTIO_NET_HDR_GSO_NONE && !h.gso_size &&
	      h.csum_start == L4OFF4 && h.csum_offset == TCP_CK &&
	      h.hdr_len == L4OFF4 + 20 && !memcmp(r + VLEN, f, len),
	      "partial checksum: NEEDS_CSUM at the TCP header, no GSO");

	CHECK(tap_send_frames_gso(&ctx, &iov, 1, 1, NULL) == 1,
	      "frame without offload written");
	n = recv(sv[1], r, sizeof(r), MSG_DONTWAIT);
	memcpy(&h, r, VLEN);
	CHECK(n == (ssize_t)(VLEN + len) && !h.flags && !h.csum_start &&
	      h.gso_type == VIRTIO_NET_HDR_GSO_NONE,
	      "no offload: header all zero");

	/* Through the room, as tcp.c writes: a stale flag doesn't stay */
	{
		struct tap_slot sl;
		struct iovec piov[1];

		CHECK(tap_room(&ctx, L4OFF4 + 20, 100, 1, &sl, piov, 1) == 1,
		      "room for one frame");
		memcpy(sl.hdr - (L4OFF4 + 20), f, len);
		tap_commit(&ctx, &sl, piov, 100, &part);
		tap_queue(&ctx, f, len);
		tap_out_flush(&ctx);
	}
	n = recv(sv[1], r, sizeof(r), MSG_DONTWAIT);
	memcpy(&h, r, VLEN);
	CHECK(n == (ssize_t)(VLEN + len) && h.flags == NC &&
	      h.csum_start == L4OFF4 && !memcmp(r + VLEN, f, len),
	      "committed frame: partial checksum kept");
	n = recv(sv[1], r, sizeof(r), MSG_DONTWAIT);
	memcpy(&h, r, VLEN);
	CHECK(n == (ssize_t)(VLEN + len) && !h.flags,
	      "queued frame after it: no offload");

	/* Refused (an eventfd takes only 8 bytes): no partial ones again */
	close(sv[0]);
	ctx.fd_tap = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(tap_send_frames_gso(&ctx, &iov, 1, 1, &part) == 0 &&
	      !tap_csum_ok(&ctx),
	      "partial checksum refused by the kernel: not asked again");
	close(ctx.fd_tap);
	close(sv[1]);

	tap_csum_off = false;
	tap_vnet_len = 0;
	ctx.fd_tap = fd;
	ctx.mode = mode;
}

static void test_vnet_pcap(void)
{
	char path[] = "/tmp/passt-unit-tap-vnet-XXXXXX";
	static uint8_t f[VLEN + 256], g[VLEN + 256], buf[4096], keep[256];
	struct virtio_net_hdr h4 = VH(NC, 0, 0, 0, L4OFF4, TCP_CK);
	struct virtio_net_hdr h6 = VH(NC, 0, 0, 0, L4OFF6, UDP_CK);
	struct in_addr s4, d4;
	struct in6_addr s6, d6;
	uint32_t p4, p6;
	size_t l4, l6;
	uint16_t part;
	int fd = mkstemp(path);
	ssize_t n;

	if (fd < 0)
		return;
	close(fd);

	inet_pton(AF_INET, G4, &s4);
	inet_pton(AF_INET, R4, &d4);
	inet_pton(AF_INET6, G6, &s6);
	inet_pton(AF_INET6, R6, &d6);

	/* As the kernel leaves them: the pseudo-header sum in the field */
	l4 = frame4(f + VLEN, IPPROTO_TCP, G4, R4, 4000, 80, 101, 0x5a);
	p4 = unit_ref_pseudo(AF_INET, &s4, &d4, IPPROTO_TCP, l4 - L4OFF4);
	part = htons(unit_ref_fold(p4));
	memcpy(f + VLEN + L4OFF4 + TCP_CK, &part, 2);
	memcpy(f, &h4, VLEN);

	l6 = frame6(g + VLEN, IPPROTO_UDP, G6, R6, 4001, 53, 33, 0x77, 0);
	p6 = unit_ref_pseudo(AF_INET6, &s6, &d6, IPPROTO_UDP, l6 - L4OFF6);
	part = htons(unit_ref_fold(p6));
	memcpy(g + VLEN + L4OFF6 + UDP_CK, &part, 2);
	memcpy(g, &h6, VLEN);

	tap_vnet_len = VLEN;

	/* No capture: nothing to complete, the frame stays as it was */
	memcpy(keep, f + VLEN, l4);
	tap_pasta_frame(&ctx, f, VLEN + l4, &now);
	tap_flush(&ctx, &now);
	CHECK_EQ_MEM(f + VLEN, keep, l4, "no capture: partial checksum left "
		     "as it is");

	pcap_init(path);
	snprintf(ctx.pcap, sizeof(ctx.pcap), "%s", path);
	tap_pasta_frame(&ctx, f, VLEN + l4, &now);
	tap_pasta_frame(&ctx, g, VLEN + l6, &now);
	tap_flush(&ctx, &now);
	ctx.pcap[0] = 0;
	tap_vnet_len = 0;

	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	unlink(path);

	CHECK(n == (ssize_t)(24 + 16 + l4 + 16 + l6) &&
	      !unit_ref_csum(buf + 24 + 16 + L4OFF4, l4 - L4OFF4, p4) &&
	      !unit_ref_csum(buf + 24 + 16 + l4 + 16 + L4OFF6, l6 - L4OFF6,
			     p6),
	      "capture: partial TCP and UDP checksums completed");
}

/* Per-flow header templates give the same headers and sums as building
 * them from scratch, at any length
 */
static void test_tmpl(void)
{
	static const size_t lens[] = { 0, 1, 20, 1460, 65000, 65515 };
	uint8_t a[ETH_HLEN + sizeof(struct ip6_hdr) + 4];
	uint8_t b[ETH_HLEN + sizeof(struct ip6_hdr) + 4];
	union inany_addr s4, d4, s6, d6;
	struct tap_hdr_tmpl t4, t6;
	uint32_t psum;
	unsigned int i, ok4 = 0, ok6 = 0;
	uint8_t *eth;

	inet_pton(AF_INET6, "::ffff:198.18.0.2", &s4.a6);
	inet_pton(AF_INET6, "::ffff:198.18.0.1", &d4.a6);
	inet_pton(AF_INET6, "2001:db8:1::2", &s6.a6);
	inet_pton(AF_INET6, "2001:db8:1::1", &d6.a6);
	memcpy(ctx.guest_mac, (uint8_t []){ 2, 0, 0, 0, 0, 1 }, ETH_ALEN);

	tap_tmpl_init(&t4, false, &s4, &d4, IPPROTO_TCP, 0);
	tap_tmpl_init(&t6, true, &s6, &d6, IPPROTO_UDP, 0x12345);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		uint8_t *l4a = a + ETH_HLEN + sizeof(struct iphdr);

		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		eth = tap_tmpl_l2l3(&ctx, &t4, l4a, lens[i], &psum);
		tap_ip4_hdr(tap_l2_hdr(&ctx, b, ETH_P_IP), *inany_v4(&s4),
			    *inany_v4(&d4), IPPROTO_TCP, lens[i]);
		if (eth == a && !memcmp(a, b, l4a - a) &&
		    unit_ref_fold(psum) ==
		    unit_ref_fold(unit_ref_pseudo(AF_INET, inany_v4(&s4),
						  inany_v4(&d4), IPPROTO_TCP,
						  lens[i])))
			ok4++;

		l4a = a + ETH_HLEN + sizeof(struct ip6_hdr);
		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		eth = tap_tmpl_l2l3(&ctx, &t6, l4a, lens[i], &psum);
		tap_ip6_hdr(tap_l2_hdr(&ctx, b, ETH_P_IPV6), &s6.a6, &d6.a6,
			    IPPROTO_UDP, lens[i], 0x12345);
		if (eth == a && !memcmp(a, b, l4a - a) &&
		    unit_ref_fold(psum) ==
		    unit_ref_fold(unit_ref_pseudo(AF_INET6, &s6.a6, &d6.a6,
						  IPPROTO_UDP, lens[i])))
			ok6++;
	}
	CHECK(ok4 == ARRAY_SIZE(lens),
	      "IPv4 template: same header, checksum and pseudo-header sum");
	CHECK(ok6 == ARRAY_SIZE(lens),
	      "IPv6 template: same header and pseudo-header sum");
	memset(ctx.guest_mac, 0, ETH_ALEN);
}

/**
 * vu_frame() - Hand a frame to tap_vu_frame() as a vhost-user guest would:
 *		in pieces in "guest memory", apart from each other
 * @f:		Frame
 * @len:	Length of @f
 * @cuts:	Lengths of the pieces but the last one, 0-terminated
 * @h:		virtio_net_hdr, NULL for none (all zero)
 *
 * Return: bytes tap_vu_frame() copied to our buffer
 */
static size_t vu_frame(const uint8_t *f, size_t len, const size_t *cuts,
		       const struct virtio_net_hdr *h)
{
	static uint8_t guest[FRAME_MAX + 64 * 64];
	static uint8_t buf[FRAME_MAX] __attribute__((aligned(8)));
	struct virtio_net_hdr z = { 0 };
	struct iovec iov[64];
	size_t n = 0, off = 0, goff = 0, ret;
	unsigned long long before = tap_vu_copied;

	memset(buf, 0xee, sizeof(buf));
	while (off < len && n < 63) {
		size_t l = cuts && cuts[n] ? MIN(cuts[n], len - off) :
					     len - off;

		memcpy(guest + goff, f + off, l);
		iov[n].iov_base = guest + goff;
		iov[n++].iov_len = l;
		off += l;
		goff += l + 37;		/* a gap: not one contiguous run */
	}

	frames[0].p = buf;
	frames[0].len = len;
	nframes = 1;
	ret = tap_vu_frame(&ctx, h ? h : &z, iov, n, len, buf, &now);
	tap_vu_flush(&ctx, &now);
	nframes = 0;

	if (tap_vu_copied - before != ret)
		CHECK(0, "copy counter: %llu bytes, %zu returned",
		      tap_vu_copied - before, ret);
	return ret;
}

/**
 * test_vu() - Frames from a vhost-user guest: headers copied, TCP and UDP
 *	       payload left in guest memory, the rest copied whole; hostile
 *	       frames dropped as from other sources
 */
static void test_vu(void)
{
	static uint8_t f[FRAME_MAX], exp[FRAME_MAX];
	static const size_t split[] = { 10, 7, 30, 9, 300, 300, 0 };
	size_t bytes[62], len, cp, i;

	for (i = 0; i < 61; i++)
		bytes[i] = 1;
	bytes[61] = 0;

	/* TCP, IPv4, headers cut over four pieces, payload over more */
	reset_calls();
	len = frame4(f, IPPROTO_TCP, G4, R4, 40000, 80, 1000, 0);
	for (i = 0; i < 1000; i++)
		f[54 + i] = (uint8_t)(i * 7);
	cp = vu_frame(f, len, split, NULL);
	CHECK(ncalls == 1 && calls[0].kind == C_TCP && calls[0].niov0 > 1 &&
	      calls[0].len0 == 1020 && pay0_len == 1000 &&
	      !memcmp(pay0, f + 54, 1000),
	      "vhost-user TCP: payload in guest memory, %u pieces, intact",
	      ncalls ? calls[0].niov0 : 0);
	CHECK(cp >= 54 && cp <= TAP_VU_HEAD,
	      "vhost-user TCP: only headers copied (%zu of %zu bytes)", cp,
	      len);
	CHECK(!outside, "vhost-user TCP: header inside our copy");

	/* Large super-frame with TSO: same */
	reset_calls();
	len = frame4(f, IPPROTO_TCP, G4, R4, 40000, 80, 60000, 3);
	for (i = 0; i < 60000; i++)
		f[54 + i] = (uint8_t)(i * 13 + 1);
	{
		struct virtio_net_hdr h = {
			.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			.hdr_len = 54, .gso_size = 1448,
			.csum_start = 34,
			.csum_offset = offsetof(struct tcphdr, check),
		};
		static const size_t pages[] = { 54, 4096, 4096, 4096, 4096,
						4096, 4096, 4096, 4096, 0 };

		cp = vu_frame(f, len, pages, &h);
	}
	CHECK(ncalls == 1 && calls[0].niov0 == 9 && pay0_len == 60000 &&
	      !memcmp(pay0, f + 54, 60000) && cp <= TAP_VU_HEAD,
	      "vhost-user TSO frame of 60000 bytes: %zu bytes copied", cp);

	/* UDP, IPv6: datagram payload in guest memory */
	reset_calls();
	len = frame6(f, IPPROTO_UDP, G6, R6, 5000, 53, 1400, 0x5a, 0);
	cp = vu_frame(f, len, split, NULL);
	memset(exp, 0x5a, 1400);
	CHECK(ncalls == 1 && calls[0].kind == C_UDP && calls[0].niov0 &&
	      pay0_len == 1400 && !memcmp(pay0, exp, 1400) &&
	      cp <= TAP_VU_HEAD && !outside,
	      "vhost-user UDP: payload in guest memory, %zu bytes copied",
	      cp);

	/* One byte per piece, 61 pieces of headers and the rest in one */
	reset_calls();
	len = frame6(f, IPPROTO_TCP, G6, R6, 40000, 80, 700, 0x11, 0);
	cp = vu_frame(f, len, bytes, NULL);
	memset(exp, 0x11, 700);
	CHECK(ncalls == 1 && calls[0].niov0 && pay0_len == 700 &&
	      !memcmp(pay0, exp, 700) && !outside,
	      "vhost-user TCP, headers one byte per piece: parsed");

	/* Extension headers past the first copy: more is copied, only
	 * headers still
	 */
	reset_calls();
	len = frame6(f, IPPROTO_TCP, G6, R6, 40000, 80, 1000, 0x22, 160);
	cp = vu_frame(f, len, split, NULL);
	memset(exp, 0x22, 1000);
	CHECK(ncalls == 1 && calls[0].niov0 && pay0_len == 1000 &&
	      !memcmp(pay0, exp, 1000) && cp == 14 + 40 + 160 + 20 &&
	      !outside,
	      "vhost-user: extension headers past the first copy: %zu bytes "
	      "copied, headers only", cp);

	/* Small frames: copied whole, payload in our copy */
	reset_calls();
	len = frame4(f, IPPROTO_TCP, G4, R4, 40000, 80, 100, 0x33);
	cp = vu_frame(f, len, split, NULL);
	CHECK(ncalls == 1 && !calls[0].niov0 && cp == len && !outside &&
	      pay0_len == 100 && pay0[0] == 0x33,
	      "vhost-user small TCP frame: copied whole");

	/* What we read: ICMP, DHCP, copied whole however long */
	reset_calls();
	len = frame4(f, IPPROTO_ICMP, G4, R4, 0, 0, 1200, 0x44);
	cp = vu_frame(f, len, split, NULL);
	CHECK(ncalls == 1 && calls[0].kind == C_ICMP && cp == len &&
	      !outside && calls[0].first_byte == 8,
	      "vhost-user ICMP of %zu bytes: copied whole", len);

	reset_calls();
	dhcp_ret = 1;
	len = frame4(f, IPPROTO_UDP, "0.0.0.0", "255.255.255.255", 68, 67,
		     600, 0x55);
	cp = vu_frame(f, len, split, NULL);
	CHECK(ncalls == 1 && calls[0].kind == C_DHCP && cp == len &&
	      !outside, "vhost-user DHCP request: copied whole");

	reset_calls();
	len = frame6(f, IPPROTO_ICMPV6, G6, R6, 0, 0, 1000, 128, 0);
	cp = vu_frame(f, len, split, NULL);
	CHECK(ncalls == 1 && calls[0].kind == C_ICMP && cp == len &&
	      !outside, "vhost-user ICMPv6 echo: copied whole");

	/* Pure ACK in a padded frame: nothing in guest memory */
	reset_calls();
	len = frame4(f, IPPROTO_TCP, G4, R4, 40000, 80, 0, 0);
	memset(f + len, 0x66, 400);
	cp = vu_frame(f, len + 400, split, NULL);
	CHECK(ncalls == 1 && !calls[0].niov0 && calls[0].len0 == 20 &&
	      cp <= TAP_VU_HEAD, "vhost-user padded ACK: headers only");

	/* Padding after a datagram stays out of its payload */
	reset_calls();
	len = frame4(f, IPPROTO_UDP, G4, R4, 5000, 53, 500, 0x77);
	memset(f + len, 0x88, 300);
	cp = vu_frame(f, len + 300, split, NULL);
	CHECK(ncalls == 1 && calls[0].niov0 && pay0_len == 500 &&
	      pay0[499] == 0x77, "vhost-user padded UDP: payload only");

	/* Hostile: lengths lying about the frame */
	reset_calls();
	len = frame4(f, IPPROTO_TCP, G4, R4, 40000, 80, 1000, 0);
	put16(f + 14 + 2, 1500);	/* IP total length past the chain */
	vu_frame(f, len, split, NULL);
	CHECK(!ncalls, "vhost-user: IPv4 length past the chain: dropped");

	reset_calls();
	len = frame6(f, IPPROTO_UDP, G6, R6, 5000, 53, 1000, 0, 0);
	put16(f + 54 + 4, 2000);	/* UDP length past the IP payload */
	vu_frame(f, len, split, NULL);
	CHECK(!ncalls, "vhost-user: UDP length past the packet: dropped");

	reset_calls();
	len = frame4(f, IPPROTO_TCP, G4, R4, 40000, 80, 20, 0);
	f[34 + 12] = 15 << 4;		/* data offset 60, 40 bytes there */
	memset(f + len, 0, 400);
	vu_frame(f, len + 400, split, NULL);
	CHECK(ncalls == 1 && !calls[0].niov0 && calls[0].len0 == 40 &&
	      !outside, "vhost-user: TCP data offset past the segment: "
	      "nothing in guest memory, the handler drops it");

	reset_calls();
	len = frame6(f, IPPROTO_TCP, G6, R6, 40000, 80, 1000, 0, 0);
	f[54 + 12] = 15 << 4;		/* 60 bytes of header: fine */
	cp = vu_frame(f, len, split, NULL);
	CHECK(ncalls == 1 && calls[0].niov0 && pay0_len == 960 &&
	      cp <= TAP_VU_HEAD, "vhost-user: TCP options, all in the copy");

	reset_calls();
	len = frame4(f, IPPROTO_TCP, G4, R4, 40000, 80, 1000, 0);
	{
		struct iovec iov = { f, 100 };
		static uint8_t buf[2000];
		struct virtio_net_hdr z = { 0 };

		CHECK(tap_vu_frame(&ctx, &z, &iov, 1, len, buf, &now) == 0 &&
		      !ncalls, "vhost-user: frame longer than its pieces: "
		      "refused");
	}
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);

	ctx.epollfd = epoll_create1(EPOLL_CLOEXEC);
	ctx.fd_tap = -1;
	ctx.fd_tap_listen = -1;
	ctx.fd_passed = -1;
	clock_gettime(CLOCK_MONOTONIC, &now);

	test_malformed();
	test_good();
	test_stream();
	test_send();
	test_arp();
	test_send_partial();
	test_send_stuck();
	test_vnet_hostile();
	test_vnet_uso();
	test_vnet_reads();
	test_vnet_writes();
	test_vnet_pcap();
	test_pcap();
	test_tmpl();
	test_vu();

	return unit_done();
}
