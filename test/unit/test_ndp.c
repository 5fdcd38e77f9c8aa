/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_ndp.c - NDP: neighbour answers, router advertisements, malformed input
 *
 * unit-include: ndp.c
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

/* Catch frames instead of sending them through tap.c */
#define tap_send_single stub_tap_send_single
#define tap_is_ready stub_tap_is_ready
#include "../../ndp.c"
#undef tap_send_single
#undef tap_is_ready

/* First byte of a Neighbour Advertisement's flags, as on the wire */
#define NA_WIRE_ROUTER		0x80
#define NA_WIRE_SOLICITED	0x40
#define NA_WIRE_OVERRIDE	0x20

static struct ctx c;
static uint8_t frame[ETH_HLEN + sizeof(struct ip6_hdr) + NDP_MSG_MAX];
static size_t frame_len;
static int sent_n;
static bool ready = true;

/* See tap.h */
void stub_tap_send_single(const struct ctx *ctx, const void *f, size_t len)
{
	(void)ctx;
	sent_n++;
	frame_len = MIN(len, sizeof(frame));
	memcpy(frame, f, frame_len);
}

/* See tap.h */
bool stub_tap_is_ready(const struct ctx *ctx)
{
	(void)ctx;
	return ready;
}

static struct in6_addr guest_ll, guest_addr, other, any, all_nodes, snm;
static const uint8_t guest_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

/**
 * ctx_init() - Configuration used by most checks: unit_ctx_init(), and a
 *		guest we know the addresses of
 */
static void ctx_init(void)
{
	unit_ctx_init(&c);
	c.ip6.addr_ll_seen = guest_ll;
	memcpy(c.guest_mac, guest_mac, 6);
	ready = true;
}

/**
 * mk_ns() - Build a Neighbour Solicitation
 * @buf:	Buffer
 * @target:	Target address
 * @slla:	Add a source link-layer address option
 *
 * Return: length
 */
static size_t mk_ns(uint8_t *buf, const struct in6_addr *target, bool slla)
{
	memset(buf, 0, 32);
	buf[0] = ND_NEIGHBOR_SOLICIT;
	memcpy(buf + 8, target, 16);
	if (!slla)
		return 24;
	buf[24] = ND_OPT_SOURCE_LINKADDR;
	buf[25] = 1;
	memcpy(buf + 26, guest_mac, 6);
	return 32;
}

/**
 * ra_opt() - Find an option in a Router Advertisement
 * @ra:		Advertisement
 * @len:	Length of @ra
 * @type:	Option type
 * @olen:	Option length in bytes, set here
 *
 * Return: pointer to the option, NULL if absent or options malformed
 */
static const uint8_t *ra_opt(const uint8_t *ra, size_t len, uint8_t type,
			     size_t *olen)
{
	size_t off = 16;

	while (off + 2 <= len) {
		size_t l = ra[off + 1] * 8;

		if (!l || off + l > len)
			return NULL;
		if (ra[off] == type) {
			*olen = l;
			return ra + off;
		}
		off += l;
	}
	return NULL;
}

/**
 * icmp6_csum_ok() - Check the ICMPv6 checksum of the frame sent
 *
 * Return: true if the checksum verifies
 */
static bool icmp6_csum_ok(void)
{
	const uint8_t *ip6 = frame + ETH_HLEN;
	const uint8_t *l4 = ip6 + sizeof(struct ip6_hdr);
	size_t len = frame_len - ETH_HLEN - sizeof(struct ip6_hdr);
	struct in6_addr s, d;

	memcpy(&s, ip6 + 8, 16);
	memcpy(&d, ip6 + 24, 16);
	return !unit_ref_csum(l4, len, unit_ref_pseudo(AF_INET6, &s, &d,
						      IPPROTO_ICMPV6, len));
}

static void test_types(void)
{
	uint8_t m[64] = { 0 };
	int t;

	ctx_init();
	for (t = 0; t < 256; t++) {
		bool is_ndp = t >= ND_ROUTER_SOLICIT && t <= ND_REDIRECT;

		m[0] = t;
		sent_n = 0;
		if (ndp(&c, &guest_ll, &all_nodes, m, 3) != is_ndp) {
			CHECK(0, "ndp(): type %i %s", t,
			      is_ndp ? "should be taken" : "should be left");
			return;
		}
	}
	CHECK(!sent_n, "ndp(): NDP types taken, others (echo) left, 3 bytes");
	CHECK(ndp(&c, &guest_ll, &all_nodes, m, 0) == 0,
	      "ndp(): empty message left alone");

	m[0] = 128;
	c.no_ndp = 1;
	CHECK(ndp(&c, &guest_ll, &all_nodes, m, 8) == 0,
	      "--no-ndp: echo request still left to the ICMP handler");
}

static void test_ns(void)
{
	uint8_t m[64], r[NDP_MSG_MAX];
	struct in6_addr src, dst;
	size_t len, rlen;

	ctx_init();
	len = mk_ns(m, &c.ip6.gw, true);
	rlen = ndp_na_build(&c, &guest_ll, &snm, m, len, r, &src, &dst);
	CHECK_EQ_INT(rlen, 32, "NS for the gateway: NA with TLLA option");
	CHECK(r[0] == ND_NEIGHBOR_ADVERT && r[1] == 0, "NA: type and code");
	CHECK(r[4] == (NA_WIRE_ROUTER | NA_WIRE_SOLICITED | NA_WIRE_OVERRIDE),
	      "NA: router, solicited, override flags");
	CHECK_EQ_MEM(r + 8, &c.ip6.gw, 16, "NA: target");
	CHECK(r[24] == ND_OPT_TARGET_LINKADDR && r[25] == 1 &&
	      !memcmp(r + 26, c.our_tap_mac, 6), "NA: our MAC as TLLA");
	CHECK(IN6_ARE_ADDR_EQUAL(&dst, &guest_ll) &&
	      IN6_ARE_ADDR_EQUAL(&src, &c.ip6.our_tap_ll),
	      "NA: from our link-local address to the soliciting node");

	/* Any other address: we stand in for the whole network */
	len = mk_ns(m, &other, false);
	rlen = ndp_na_build(&c, &guest_addr, &other, m, len, r, &src, &dst);
	CHECK(rlen == 32 && !memcmp(r + 8, &other, 16) &&
	      IN6_ARE_ADDR_EQUAL(&dst, &guest_addr),
	      "NS for any other address: NA");

	/* Not for the guest's own addresses */
	len = mk_ns(m, &c.ip6.addr, true);
	CHECK(!ndp_na_build(&c, &guest_ll, &snm, m, len, r, &src, &dst),
	      "NS for the guest's assigned address: no answer");
	len = mk_ns(m, &guest_ll, true);
	CHECK(!ndp_na_build(&c, &guest_addr, &snm, m, len, r, &src, &dst),
	      "NS for the guest's link-local address: no answer");
	c.ip6.addr_seen = other;
	len = mk_ns(m, &other, true);
	CHECK(!ndp_na_build(&c, &guest_ll, &snm, m, len, r, &src, &dst),
	      "NS for the guest's observed address: no answer");

	/* Duplicate address detection */
	ctx_init();
	len = mk_ns(m, &c.ip6.addr, false);
	CHECK(!ndp_na_build(&c, &any, &snm, m, len, r, &src, &dst),
	      "DAD probe for the guest's tentative address: no answer");
	len = mk_ns(m, &other, false);
	CHECK(!ndp_na_build(&c, &any, &snm, m, len, r, &src, &dst),
	      "DAD probe for a SLAAC address: no answer");
	len = mk_ns(m, &c.ip6.our_tap_ll, false);
	rlen = ndp_na_build(&c, &any, &snm, m, len, r, &src, &dst);
	CHECK(rlen == 32 && IN6_ARE_ADDR_EQUAL(&dst, &all_nodes) &&
	      !(r[4] & NA_WIRE_SOLICITED),
	      "DAD probe for our own address: unsolicited NA to all nodes");
	len = mk_ns(m, &c.ip6.gw, true);
	CHECK(!ndp_na_build(&c, &any, &snm, m, len, r, &src, &dst),
	      "DAD probe with SLLA: dropped");
	len = mk_ns(m, &c.ip6.gw, false);
	CHECK(!ndp_na_build(&c, &any, &other, m, len, r, &src, &dst),
	      "DAD probe to a unicast address: dropped");

	/* Through ndp(): a whole frame, hop limit 255, checksum */
	ctx_init();
	len = mk_ns(m, &c.ip6.gw, true);
	sent_n = 0;
	CHECK(ndp(&c, &guest_ll, &snm, m, len) == 1 && sent_n == 1,
	      "ndp(): NS answered");
	CHECK(frame_len == ETH_HLEN + sizeof(struct ip6_hdr) + 32 &&
	      !memcmp(frame, guest_mac, 6) &&
	      !memcmp(frame + 6, c.our_tap_mac, 6) &&
	      frame[12] == 0x86 && frame[13] == 0xdd,
	      "ndp(): Ethernet header to the guest");
	CHECK(frame[ETH_HLEN + 7] == 255 && frame[ETH_HLEN + 6] == 58,
	      "ndp(): ICMPv6 with hop limit 255");
	CHECK(icmp6_csum_ok(), "ndp(): ICMPv6 checksum right");

	c.no_ndp = 1;
	sent_n = 0;
	CHECK(ndp(&c, &guest_ll, &snm, m, len) == 1 && !sent_n,
	      "--no-ndp: NS taken, no answer");
	ctx_init();
	c.ifi6 = 0;
	sent_n = 0;
	CHECK(ndp(&c, &guest_ll, &snm, m, len) == 1 && !sent_n,
	      "IPv6 disabled: no answer");
	ctx_init();
	c.no_ra = 1;
	sent_n = 0;
	CHECK(ndp(&c, &guest_ll, &snm, m, len) == 1 && sent_n == 1,
	      "--no-ra: neighbour solicitations still answered");
}

/* Malformed NS and RS: table of edits to a good message */
static void test_malformed(void)
{
	static const struct {
		const char *what;
		uint8_t type;
		size_t len;		/* 0: keep */
		size_t at;		/* byte to set */
		uint8_t val;
	} bad[] = {
		{ "NS with code 1", ND_NEIGHBOR_SOLICIT, 0, 1, 1 },
		{ "NS with option of length 0", ND_NEIGHBOR_SOLICIT, 0, 25, 0 },
		{ "NS with option past the end",
		  ND_NEIGHBOR_SOLICIT, 0, 25, 2 },
		{ "NS with option length 255",
		  ND_NEIGHBOR_SOLICIT, 0, 25, 255 },
		{ "NS with option type only", ND_NEIGHBOR_SOLICIT, 25, 0, 0 },
		{ "NS with half an option", ND_NEIGHBOR_SOLICIT, 28, 0, 0 },
		{ "NS for a multicast target",
		  ND_NEIGHBOR_SOLICIT, 0, 8, 0xff },
		{ "RS with code 1", ND_ROUTER_SOLICIT, 0, 1, 1 },
		{ "RS with option of length 0", ND_ROUTER_SOLICIT, 0, 9, 0 },
		{ "RS with option past the end", ND_ROUTER_SOLICIT, 0, 9, 2 },
		{ "RS with option type only", ND_ROUTER_SOLICIT, 9, 0, 0 },
	};
	uint8_t m[64];
	size_t i, len;

	ctx_init();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (bad[i].type == ND_NEIGHBOR_SOLICIT) {
			len = mk_ns(m, &c.ip6.gw, true);
		} else {
			memset(m, 0, 16);
			m[0] = ND_ROUTER_SOLICIT;
			m[8] = ND_OPT_SOURCE_LINKADDR;
			m[9] = 1;
			memcpy(m + 10, guest_mac, 6);
			len = 16;
		}
		if (bad[i].len)
			len = bad[i].len;
		else
			m[bad[i].at] = bad[i].val;
		sent_n = 0;
		CHECK(ndp(&c, &guest_ll, &snm, m, len) == 1 && !sent_n,
		      "malformed: %s: dropped", bad[i].what);
	}

	/* Every truncation of a good NS: answered only at 24 and 32 bytes */
	{
		size_t l, wrong = 0;

		len = mk_ns(m, &c.ip6.gw, true);
		for (l = 1; l <= len; l++) {
			sent_n = 0;
			ndp(&c, &guest_ll, &snm, m, l);
			if (!!sent_n != (l == 24 || l == 32)) {
				CHECK(0, "NS truncated to %zu bytes", l);
				wrong++;
			}
		}
		CHECK(!wrong, "NS truncated at every length: answered only "
		      "when complete");

		memset(m, 0, 16);
		m[0] = ND_ROUTER_SOLICIT;
		m[8] = ND_OPT_SOURCE_LINKADDR;
		m[9] = 1;
		wrong = 0;
		for (l = 1; l <= 16; l++) {
			sent_n = 0;
			ndp(&c, &guest_ll, &all_nodes, m, l);
			if (!!sent_n != (l == 8 || l == 16)) {
				CHECK(0, "RS truncated to %zu bytes", l);
				wrong++;
			}
		}
		CHECK(!wrong, "RS truncated at every length: answered only "
		      "when complete");

		sent_n = 0;
		ndp(&c, &any, &all_nodes, m, 16);
		CHECK(!sent_n, "RS from :: with SLLA: dropped");
		sent_n = 0;
		ndp(&c, &any, &all_nodes, m, 8);
		CHECK(sent_n == 1, "RS from :: without SLLA: answered");
	}
}

static void test_ra(void)
{
	uint8_t m[16] = { ND_ROUTER_SOLICIT }, r[NDP_MSG_MAX], *ra;
	const uint8_t *o;
	struct in6_addr d;
	size_t rlen, ol, n;

	ctx_init();
	rlen = ndp_ra_build(&c, r);
	CHECK(rlen % 8 == 0 && rlen <= NDP_MSG_MAX, "RA: length");
	CHECK(r[0] == ND_ROUTER_ADVERT && r[1] == 0, "RA: type and code");
	CHECK(r[5] & ND_RA_FLAG_MANAGED, "RA: managed flag (DHCPv6 address)");
	CHECK(r[6] == 0xff && r[7] == 0xff, "RA: router lifetime 65535");

	o = ra_opt(r, rlen, ND_OPT_PREFIX_INFORMATION, &ol);
	CHECK(o && ol == 32 && o[2] == 64 &&
	      o[3] == (ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO) &&
	      !memcmp(o + 16, &c.ip6.addr, 8) &&
	      !memcmp(o + 24, "\0\0\0\0\0\0\0\0", 8),
	      "RA: /64 prefix of the guest's address, on-link, autonomous");
	CHECK(o && !memcmp(o + 4, "\xff\xff\xff\xff\xff\xff\xff\xff", 8),
	      "RA: infinite prefix lifetimes");

	o = ra_opt(r, rlen, ND_OPT_MTU, &ol);
	CHECK(o && ol == 8 && o[4] == 0 && o[5] == 0 && o[6] == 0xff &&
	      o[7] == 0xf0, "RA: MTU option 65520");

	o = ra_opt(r, rlen, ND_OPT_RDNSS, &ol);
	CHECK(o && ol == 8 + 32 && !memcmp(o + 8, &c.ip6.dns[0], 16) &&
	      !memcmp(o + 24, &c.ip6.dns[1], 16), "RA: RDNSS");

	o = ra_opt(r, rlen, ND_OPT_DNSSL, &ol);
	CHECK(o && ol == 8 + 24 && !memcmp(o + 8, "\7example\3org\0\4test\0",
					   19), "RA: DNSSL");

	o = ra_opt(r, rlen, ND_OPT_SOURCE_LINKADDR, &ol);
	CHECK(o && ol == 8 && !memcmp(o + 2, c.our_tap_mac, 6), "RA: SLLA");

	c.no_dhcpv6 = 1;
	rlen = ndp_ra_build(&c, r);
	CHECK(!(r[5] & ND_RA_FLAG_MANAGED),
	      "RA: no managed flag with --no-dhcpv6");

	/* Local mode: no address for the guest, we're only its router */
	ctx_init();
	memset(&c.ip6.addr, 0, sizeof(c.ip6.addr));
	rlen = ndp_ra_build(&c, r);
	CHECK(!ra_opt(r, rlen, ND_OPT_PREFIX_INFORMATION, &ol),
	      "RA, local mode: no prefix to autoconfigure");
	CHECK(!(r[5] & ND_RA_FLAG_MANAGED) && (r[5] & ND_RA_FLAG_OTHER),
	      "RA, local mode: no managed flag, other configuration");
	CHECK(r[6] == 0xff && r[7] == 0xff &&
	      ra_opt(r, rlen, ND_OPT_RDNSS, &ol),
	      "RA, local mode: still a default router, with RDNSS");

	ctx_init();
	c.no_dhcp_dns = 1;
	rlen = ndp_ra_build(&c, r);
	CHECK(!ra_opt(r, rlen, ND_OPT_RDNSS, &ol) &&
	      ra_opt(r, rlen, ND_OPT_DNSSL, &ol),
	      "RA: --no-dhcp-dns: no RDNSS");
	ctx_init();
	c.no_dhcp_dns_search = 1;
	rlen = ndp_ra_build(&c, r);
	CHECK(ra_opt(r, rlen, ND_OPT_RDNSS, &ol) &&
	      !ra_opt(r, rlen, ND_OPT_DNSSL, &ol),
	      "RA: --no-dhcp-search: no DNSSL");
	ctx_init();
	c.no_dns = c.no_dns_search = 1;
	rlen = ndp_ra_build(&c, r);
	CHECK(!ra_opt(r, rlen, ND_OPT_RDNSS, &ol) &&
	      !ra_opt(r, rlen, ND_OPT_DNSSL, &ol), "RA: -D none -S none");
	ctx_init();
	c.mtu = 0;
	rlen = ndp_ra_build(&c, r);
	CHECK(!ra_opt(r, rlen, ND_OPT_MTU, &ol), "RA: -m 0: no MTU option");
	c.mtu = 1000;
	rlen = ndp_ra_build(&c, r);
	CHECK(!ra_opt(r, rlen, ND_OPT_MTU, &ol), "RA: MTU under 1280 not sent");

	/* Long search list: still within the minimum MTU */
	ctx_init();
	for (n = 0; n < MAXDNSRCH; n++) {
		memset(c.dns_search[n].n, 'a' + n, 250);
		c.dns_search[n].n[50] = c.dns_search[n].n[100] = '.';
		c.dns_search[n].n[150] = c.dns_search[n].n[200] = '.';
	}
	rlen = ndp_ra_build(&c, r);
	CHECK(rlen <= NDP_MSG_MAX && rlen % 8 == 0 &&
	      ra_opt(r, rlen, ND_OPT_DNSSL, &ol) &&
	      ra_opt(r, rlen, ND_OPT_SOURCE_LINKADDR, &ol),
	      "RA: long search list cut to fit 1280 bytes");

	/* Through ndp(): RS answered to the soliciting node */
	ctx_init();
	sent_n = 0;
	CHECK(ndp(&c, &guest_ll, &all_nodes, m, 8) == 1 && sent_n == 1,
	      "RS: answered");
	ra = frame + ETH_HLEN;
	memcpy(&d, ra + 24, 16);
	CHECK(IN6_ARE_ADDR_EQUAL(&d, &guest_ll) &&
	      !memcmp(ra + 8, &c.ip6.our_tap_ll, 16),
	      "RS: RA from our link-local address to the guest's");
	CHECK(ra[7] == 255 && icmp6_csum_ok(), "RS: hop limit 255, checksum");

	sent_n = 0;
	ndp(&c, &any, &all_nodes, m, 8);
	memcpy(&d, ra + 24, 16);
	CHECK(sent_n == 1 && IN6_ARE_ADDR_EQUAL(&d, &all_nodes) &&
	      frame[0] == 0x33 && frame[1] == 0x33 && frame[5] == 1,
	      "RS from ::: RA to all nodes, multicast MAC");

	c.no_ra = 1;
	sent_n = 0;
	CHECK(ndp(&c, &guest_ll, &all_nodes, m, 8) == 1 && !sent_n,
	      "--no-ra: RS not answered");
	ctx_init();
	c.no_ndp = 1;
	sent_n = 0;
	CHECK(ndp(&c, &guest_ll, &all_nodes, m, 8) == 1 && !sent_n,
	      "--no-ndp: RS not answered");
	ctx_init();
	memset(&c.ip6.our_tap_ll, 0, 16);
	sent_n = 0;
	ndp(&c, &guest_ll, &all_nodes, m, 8);
	CHECK(!sent_n, "no link-local address of ours: no RA");
}

static void test_timer(void)
{
	struct timespec now = { .tv_sec = 1000 };
	long t, first = 0, second = 0, third = 0, fourth = 0;
	int runs, bad = 0;

	for (runs = 0; runs < 50; runs++) {
		ctx_init();
		ndp_guest_connected(&c, &now);
		sent_n = 0;
		first = second = third = fourth = 0;
		for (t = 1000; t < 1000 + 1300; t++) {
			struct timespec n = { .tv_sec = t };
			int before = sent_n;

			ndp_timer(&c, &n);
			if (sent_n == before)
				continue;
			if (!first)
				first = t;
			else if (!second)
				second = t;
			else if (!third)
				third = t;
			else if (!fourth)
				fourth = t;
		}
		if (first < 1000 + RA_INITIAL_MIN ||
		    first > 1000 + RA_INITIAL_MAX ||
		    second - first < RA_INITIAL_MIN ||
		    second - first > RA_INITIAL_MAX ||
		    third - second < RA_INITIAL_MIN ||
		    third - second > RA_INITIAL_MAX ||
		    fourth - third < RA_MIN_INTERVAL ||
		    fourth - third > RA_MAX_INTERVAL)
			bad++;
	}
	CHECK(!bad, "unsolicited RAs: 3 initial ones 3-16 s apart, not at "
	      "connection, then 200-600 s apart (%d bad of 50)", bad);
	CHECK(frame[0] == 0x33 && !memcmp(frame + ETH_HLEN + 24,
					  &all_nodes, 16),
	      "unsolicited RA: to all nodes");

	/* Reconnecting resets the schedule */
	ctx_init();
	now.tv_sec = 5000;
	ndp_guest_connected(&c, &now);
	sent_n = 0;
	for (t = 5000; t <= 5000 + RA_INITIAL_MAX; t++) {
		struct timespec n = { .tv_sec = t };

		ndp_timer(&c, &n);
	}
	CHECK(sent_n >= 1, "reconnection: first RA within 16 s");

	ctx_init();
	c.no_ra = 1;
	ndp_guest_connected(&c, &now);
	sent_n = 0;
	for (t = 5000; t < 7000; t++) {
		struct timespec n = { .tv_sec = t };

		ndp_timer(&c, &n);
	}
	CHECK(!sent_n, "--no-ra: no unsolicited RAs");

	ctx_init();
	ready = false;
	ndp_guest_connected(&c, &now);
	sent_n = 0;
	for (t = 5000; t < 7000; t++) {
		struct timespec n = { .tv_sec = t };

		ndp_timer(&c, &n);
	}
	CHECK(!sent_n, "no guest: no unsolicited RAs");

	/* Timer without a connection notice (pasta): starts by itself */
	ctx_init();
	ndp_next_ra = 0;
	sent_n = 0;
	for (t = 9000; t <= 9000 + RA_INITIAL_MAX; t++) {
		struct timespec n = { .tv_sec = t };

		ndp_timer(&c, &n);
		if (t == 9000 + RA_INITIAL_MIN - 1)
			CHECK(!sent_n, "timer alone: nothing in the first "
			      "seconds");
	}
	CHECK(sent_n >= 1, "timer alone: first RA within 16 s");
}

/**
 * prefixes() - Prefix Information options of an RA, in order
 * @ra:		Router Advertisement
 * @len:	Its length
 * @pi:		Pointers to the options, set here
 * @max:	Size of @pi
 *
 * Return: number of prefix options
 */
static int prefixes(const uint8_t *ra, size_t len, const uint8_t **pi,
		    int max)
{
	size_t off = sizeof(struct nd_router_advert);
	int n = 0;

	while (off + 2 <= len && ra[off + 1]) {
		if (ra[off] == ND_OPT_PREFIX_INFORMATION && n < max)
			pi[n++] = ra + off;
		off += ra[off + 1] * 8;
	}
	return n;
}

/* The host moved: RA right away, new prefix, old one deprecated */
static void test_host_changed(void)
{
	const size_t l4 = ETH_HLEN + sizeof(struct ip6_hdr);
	const uint8_t *pi[4];
	struct timespec now;
	struct in6_addr dst;
	struct ctx old;
	uint32_t v, p;
	int n;

	ctx_init();
	clock_gettime(CLOCK_MONOTONIC, &now);
	old = c;
	inet_pton(AF_INET6, "2001:db8:7::1", &c.ip6.addr);
	sent_n = 0;
	ndp_host_changed(&c, &old, &now);
	CHECK(sent_n == 1 && frame_len > l4 && frame[l4] == ND_ROUTER_ADVERT,
	      "host moved: unsolicited RA right away");
	memcpy(&dst, frame + ETH_HLEN + offsetof(struct ip6_hdr, ip6_dst),
	       sizeof(dst));
	CHECK(IN6_ARE_ADDR_EQUAL(&dst, &all_nodes),
	      "host moved: RA to all nodes");

	n = prefixes(frame + l4, frame_len - l4, pi, 4);
	CHECK(n == 2, "host moved: two prefixes advertised");
	CHECK(n >= 1 && !memcmp(pi[0] + 16, &c.ip6.addr, 8) &&
	      !memcmp(pi[0] + 4, "\xff\xff\xff\xff\xff\xff\xff\xff", 8),
	      "host moved: new prefix first, infinite lifetimes");
	if (n == 2) {
		memcpy(&v, pi[1] + 4, 4);
		memcpy(&p, pi[1] + 8, 4);
	} else {
		v = p = 1;
	}
	CHECK(n == 2 && !memcmp(pi[1] + 16, &old.ip6.addr, 8) && !p &&
	      ntohl(v) <= RA_OLD_VALID && ntohl(v) > RA_OLD_VALID - 60,
	      "host moved: old prefix, preferred 0, valid two hours at most");

	/* Solicited ones carry it too, until it expires */
	sent_n = 0;
	ndp_initial_left = 0;
	ndp_next_ra = now.tv_sec + 1000;
	{
		uint8_t m[8] = { ND_ROUTER_SOLICIT };

		ndp(&c, &guest_ll, &all_nodes, m, sizeof(m));
	}
	CHECK(sent_n == 1 && prefixes(frame + l4, frame_len - l4, pi, 4) == 2,
	      "host moved: solicited RA has the old prefix too");
	ndp_old_until = now.tv_sec - 1;
	sent_n = 0;
	ndp_host_changed(&c, &c, &now);
	CHECK(sent_n == 1 && prefixes(frame + l4, frame_len - l4, pi, 4) == 1,
	      "old prefix expired: only the new one");

	/* Nothing sent without RAs or a guest */
	ctx_init();
	c.no_ra = 1;
	sent_n = 0;
	ndp_host_changed(&c, &old, &now);
	CHECK(!sent_n, "--no-ra: no RA when the host moves");
	ctx_init();
	ready = false;
	ndp_host_changed(&c, &old, &now);
	CHECK(!sent_n, "no guest: no RA when the host moves");
	ndp_old_until = 0;
}

int main(void)
{
	inet_pton(AF_INET6, "fe80::2:11ff:fe22:3344", &guest_ll);
	inet_pton(AF_INET6, "2001:db8:1::1", &guest_addr);
	inet_pton(AF_INET6, "2001:db8:1::77", &other);
	inet_pton(AF_INET6, "ff02::1", &all_nodes);
	inet_pton(AF_INET6, "ff02::1:ff00:2", &snm);

	test_types();
	test_ns();
	test_malformed();
	test_ra();
	test_timer();
	test_host_changed();

	return unit_done();
}
