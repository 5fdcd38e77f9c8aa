/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * ndp.c - NDP: neighbour answers and router advertisements
 *
 * We stand in for every other node on the link: Neighbour Solicitations
 * for any address but the guest's own get our MAC address, and we are the
 * router: Router Solicitations get a Router Advertisement with the prefix
 * of the guest's address (SLAAC), MTU, RDNSS and DNSSL (RFC 4861, 4862,
 * 8106). Unsolicited advertisements are sent periodically too.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "passt.h"
#include "tap.h"
#include "checksum.h"
#include "log.h"
#include "util.h"
#include "dhcp.h"
#include "ndp.h"

#define ETH_P_IPV6_		0x86dd
#define IP6_HDR_LEN		40
#define NDP_HOP_LIMIT		255

/* ICMPv6 types handled (or swallowed) here */
#define RS			133
#define RA			134
#define NS			135
#define NA			136
#define REDIRECT		137

/* Option types */
#define OPT_SLLA		1
#define OPT_TLLA		2
#define OPT_PREFIX_INFO		3
#define OPT_MTU			5
#define OPT_RDNSS		25
#define OPT_DNSSL		31

#define NA_FLAG_ROUTER		0x80
#define NA_FLAG_SOLICITED	0x40
#define NA_FLAG_OVERRIDE	0x20

#define RA_FLAG_MANAGED		0x80
#define RA_FLAG_OTHER		0x40
#define PI_FLAG_ONLINK		0x80
#define PI_FLAG_AUTO		0x40

/* Router lifetime (seconds, the largest allowed) and hop limit we suggest */
#define RA_ROUTER_LIFETIME	65535
#define RA_CUR_HOP_LIMIT	64
#define RA_LIFETIME_INFINITE	0xffffffff

/* RFC 4861, 6.2.1 and 10: default intervals for unsolicited RAs */
#define RA_MAX_INTERVAL		600
#define RA_MIN_INTERVAL		200
#define RA_INITIAL_MIN		3
#define RA_INITIAL_MAX		16
#define RA_INITIAL_COUNT	3

/* Keep what we send within the IPv6 minimum MTU, without fragments */
#define NDP_MSG_MAX		(1280 - IP6_HDR_LEN)

static time_t ndp_next_ra;	/* when the next unsolicited RA is due */
static int ndp_initial_left;	/* initial (closer) RAs still to send */

/**
 * put_u16() - Store a 16-bit value in network order
 * @p:		Destination
 * @v:		Value
 */
static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/**
 * put_u32() - Store a 32-bit value in network order
 * @p:		Destination
 * @v:		Value
 */
static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/**
 * ndp_opts_check() - Validate the option area of an NDP message
 * @opt:	Start of options
 * @len:	Length of the option area
 * @slla:	Set if a source link-layer address option is present
 *
 * Return: 0 if every option has a non-zero length within @len, -1 if not
 */
static int ndp_opts_check(const uint8_t *opt, size_t len, bool *slla)
{
	size_t off = 0;

	*slla = false;
	while (off < len) {
		size_t olen;

		if (len - off < 2)
			return -1;
		olen = (size_t)opt[off + 1] * 8;
		if (!olen || olen > len - off)
			return -1;
		if (opt[off] == OPT_SLLA)
			*slla = true;
		off += olen;
	}

	return 0;
}

/**
 * ndp_is_guest_addr() - Is this one of the guest's own addresses?
 * @c:		Execution context
 * @a:		Address
 *
 * Return: true if the guest has, or was given, @a
 */
static bool ndp_is_guest_addr(const struct ctx *c, const struct in6_addr *a)
{
	return IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr) ||
	       IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr_seen) ||
	       IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr_ll_seen);
}

/**
 * ndp_is_our_addr() - Is this an address we really use on the link?
 * @c:		Execution context
 * @a:		Address
 *
 * Return: true for our link-local address and the gateway
 */
static bool ndp_is_our_addr(const struct ctx *c, const struct in6_addr *a)
{
	return (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.our_tap_ll) &&
		IN6_ARE_ADDR_EQUAL(a, &c->ip6.our_tap_ll)) ||
	       (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw) &&
		IN6_ARE_ADDR_EQUAL(a, &c->ip6.gw));
}

/**
 * ndp_na_build() - Build the Neighbour Advertisement answering a solicitation
 * @c:		Execution context
 * @saddr:	Source of the solicitation
 * @daddr:	Destination of the solicitation
 * @icmp6:	Neighbour Solicitation
 * @len:	Length of @icmp6
 * @reply:	Reply buffer, at least NDP_MSG_MAX bytes
 * @src:	Source address of the reply, set here
 * @dst:	Destination address of the reply, set here
 *
 * Return: length of the reply, 0 if there's nothing to send
 */
static size_t ndp_na_build(const struct ctx *c, const struct in6_addr *saddr,
			   const struct in6_addr *daddr, const uint8_t *icmp6,
			   size_t len, uint8_t *reply, struct in6_addr *src,
			   struct in6_addr *dst)
{
	bool dad = IN6_IS_ADDR_UNSPECIFIED(saddr), slla;
	struct in6_addr target;

	if (len < 24) {
		debug("NDP: short neighbour solicitation, dropped");
		return 0;
	}
	if (ndp_opts_check(icmp6 + 24, len - 24, &slla)) {
		debug("NDP: bad options in neighbour solicitation, dropped");
		return 0;
	}
	memcpy(&target, icmp6 + 8, sizeof(target));
	if (IN6_IS_ADDR_MULTICAST(&target)) {
		debug("NDP: solicitation for a multicast target, dropped");
		return 0;
	}
	if (dad && (slla || !IN6_IS_ADDR_MULTICAST(daddr))) {
		debug("NDP: malformed duplicate address probe, dropped");
		return 0;
	}

	if (ndp_is_guest_addr(c, &target)) {
		trace("NDP: solicitation for the guest's own address");
		return 0;
	}

	if (dad) {
		/* The guest probes an address it wants to use: only an
		 * address we really use is a duplicate (RFC 4862, 5.4.3)
		 */
		if (!ndp_is_our_addr(c, &target))
			return 0;
		inet_pton(AF_INET6, "ff02::1", dst);
	} else {
		*dst = *saddr;
	}

	memset(reply, 0, 32);
	reply[0] = NA;
	reply[4] = NA_FLAG_ROUTER | NA_FLAG_OVERRIDE |
		   (dad ? 0 : NA_FLAG_SOLICITED);
	memcpy(reply + 8, &target, sizeof(target));
	reply[24] = OPT_TLLA;
	reply[25] = 1;
	memcpy(reply + 26, c->our_tap_mac, ETH_ALEN_);

	if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.our_tap_ll))
		*src = target;
	else
		*src = c->ip6.our_tap_ll;

	return 32;
}

/**
 * ndp_ra_build() - Build a Router Advertisement
 * @c:		Execution context
 * @buf:	Buffer, at least NDP_MSG_MAX bytes
 *
 * Return: length of the advertisement
 */
static size_t ndp_ra_build(const struct ctx *c, uint8_t *buf)
{
	size_t pos = 16, n;
	bool local;

	memset(buf, 0, pos);
	buf[0] = RA;
	buf[4] = RA_CUR_HOP_LIMIT;
	/* Local mode: no address for the guest, only a default router */
	local = IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr);

	/* Managed: the guest gets its exact address from DHCPv6 */
	if (!c->no_dhcpv6)
		buf[5] = (local ? 0 : RA_FLAG_MANAGED) | RA_FLAG_OTHER;
	put_u16(buf + 6, RA_ROUTER_LIFETIME);

	/* Prefix information: /64 of the guest's address, for SLAAC */
	if (!local) {
		memset(buf + pos, 0, 32);
		buf[pos] = OPT_PREFIX_INFO;
		buf[pos + 1] = 4;
		buf[pos + 2] = 64;
		buf[pos + 3] = PI_FLAG_ONLINK | PI_FLAG_AUTO;
		put_u32(buf + pos + 4, RA_LIFETIME_INFINITE);
		put_u32(buf + pos + 8, RA_LIFETIME_INFINITE);
		memcpy(buf + pos + 16, &c->ip6.addr, 8);
		pos += 32;
	}

	/* IPv6 links have at least 1280 bytes (RFC 8200, 5) */
	if (c->mtu >= 1280) {
		memset(buf + pos, 0, 8);
		buf[pos] = OPT_MTU;
		buf[pos + 1] = 1;
		put_u32(buf + pos + 4, c->mtu);
		pos += 8;
	}

	if (!c->no_dns && !c->no_dhcp_dns) {
		for (n = 0; n < MAXNS; n++) {
			if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[n]))
				break;
		}
		if (n) {
			memset(buf + pos, 0, 8);
			buf[pos] = OPT_RDNSS;
			buf[pos + 1] = 1 + 2 * n;
			put_u32(buf + pos + 4, RA_LIFETIME_INFINITE);
			memcpy(buf + pos + 8, c->ip6.dns, n * 16);
			pos += 8 + n * 16;
		}
	}

	if (!c->no_dns_search && !c->no_dhcp_dns_search) {
		/* Uncompressed names (RFC 8106, 5.2), zero-padded */
		size_t room = NDP_MSG_MAX - pos - 8 - 7 - 8;

		n = dns_names_encode(c->dns_search, buf + pos + 8, room,
				     false);
		if (n) {
			size_t olen = ROUND_UP(8 + n, 8);

			memset(buf + pos, 0, 8);
			memset(buf + pos + 8 + n, 0, olen - 8 - n);
			buf[pos] = OPT_DNSSL;
			buf[pos + 1] = olen / 8;
			put_u32(buf + pos + 4, RA_LIFETIME_INFINITE);
			pos += olen;
		}
	}

	buf[pos] = OPT_SLLA;
	buf[pos + 1] = 1;
	memcpy(buf + pos + 2, c->our_tap_mac, ETH_ALEN_);
	pos += 8;

	return pos;
}

/**
 * ndp_rs_check() - Validate a Router Solicitation (RFC 4861, 6.1.1)
 * @saddr:	Source address
 * @icmp6:	Router Solicitation
 * @len:	Length of @icmp6
 *
 * Return: 0 if valid, -1 if it must be dropped
 */
static int ndp_rs_check(const struct in6_addr *saddr, const uint8_t *icmp6,
			size_t len)
{
	bool slla;

	if (len < 8) {
		debug("NDP: short router solicitation, dropped");
		return -1;
	}
	if (ndp_opts_check(icmp6 + 8, len - 8, &slla)) {
		debug("NDP: bad options in router solicitation, dropped");
		return -1;
	}
	if (IN6_IS_ADDR_UNSPECIFIED(saddr) && slla) {
		debug("NDP: router solicitation from :: with SLLA, dropped");
		return -1;
	}

	return 0;
}

/**
 * ndp_send() - Send an NDP message to the guest, hop limit 255
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @icmp6:	ICMPv6 message, checksum computed here
 * @len:	Length of @icmp6
 *
 * Receivers drop NDP messages with any other hop limit (RFC 4861, 6.1 and
 * 7.1), so build the whole frame here, with the multicast MAC address for
 * multicast destinations.
 */
static void ndp_send(const struct ctx *c, const struct in6_addr *src,
		     const struct in6_addr *dst, uint8_t *icmp6, size_t len)
{
	static uint8_t frame[ETH_HLEN_ + IP6_HDR_LEN + NDP_MSG_MAX];
	uint8_t *ip6, *l4;
	uint16_t sum;

	if (len > NDP_MSG_MAX)
		return;

	ip6 = tap_l2_hdr(c, frame, ETH_P_IPV6_);
	if (IN6_IS_ADDR_MULTICAST(dst)) {
		frame[0] = 0x33;
		frame[1] = 0x33;
		memcpy(frame + 2, &dst->s6_addr[12], 4);
	}
	l4 = tap_ip6_hdr(ip6, src, dst, IPPROTO_ICMPV6, len, 0);
	ip6[7] = NDP_HOP_LIMIT;

	icmp6[2] = icmp6[3] = 0;
	sum = csum(icmp6, len, csum_pseudo6(len, IPPROTO_ICMPV6, src, dst));
	memcpy(icmp6 + 2, &sum, sizeof(sum));
	memcpy(l4, icmp6, len);

	tap_send_single(c, frame, l4 + len - frame);
}

/**
 * ndp_ra_send() - Send a Router Advertisement
 * @c:		Execution context
 * @dst:	Destination: the soliciting guest, or all nodes
 */
static void ndp_ra_send(const struct ctx *c, const struct in6_addr *dst)
{
	static uint8_t buf[NDP_MSG_MAX];
	size_t len;

	/* Hosts take advertisements from link-local sources only */
	if (!IN6_IS_ADDR_LINKLOCAL(&c->ip6.our_tap_ll)) {
		debug("NDP: no link-local address, can't advertise");
		return;
	}

	len = ndp_ra_build(c, buf);
	ndp_send(c, &c->ip6.our_tap_ll, dst, buf, len);
}

/**
 * ndp() - Handle an NDP message from the guest (RS, NS)
 * @c:		Execution context
 * @saddr:	IPv6 source address
 * @daddr:	IPv6 destination address
 * @icmp6:	ICMPv6 header and body
 * @len:	Length of @icmp6
 *
 * Return: 1 if this was an NDP message (handled or dropped), 0 if it is
 *	   some other ICMPv6 type for the ICMP handler
 */
int ndp(struct ctx *c, const struct in6_addr *saddr,
	const struct in6_addr *daddr, const void *icmp6, size_t len)
{
	static uint8_t reply[NDP_MSG_MAX];
	const uint8_t *m = icmp6;
	struct in6_addr src, dst;
	size_t rlen;

	if (len < 1 || m[0] < RS || m[0] > REDIRECT)
		return 0;

	if (c->no_ndp || !c->ifi6)
		return 1;

	if (len < 4 || m[1]) {
		debug("NDP: bad type %u message, dropped", m[0]);
		return 1;
	}

	switch (m[0]) {
	case NS:
		rlen = ndp_na_build(c, saddr, daddr, m, len, reply,
				    &src, &dst);
		if (rlen)
			ndp_send(c, &src, &dst, reply, rlen);
		break;
	case RS:
		if (c->no_ra || ndp_rs_check(saddr, m, len))
			break;
		if (IN6_IS_ADDR_UNSPECIFIED(saddr))
			inet_pton(AF_INET6, "ff02::1", &dst);
		else
			dst = *saddr;
		ndp_ra_send(c, &dst);
		break;
	default:
		/* NA, RA, Redirect from the guest: nothing to do */
		break;
	}

	return 1;
}

/**
 * ndp_ra_interval() - Random interval to the next unsolicited RA
 * @min:	Lower bound, seconds
 * @max:	Upper bound, seconds
 *
 * Return: seconds, in [@min, @max]
 */
static time_t ndp_ra_interval(unsigned int min, unsigned int max)
{
	uint32_t r;

	random_bytes(&r, sizeof(r));
	return min + r % (max - min + 1);
}

/**
 * ndp_guest_connected() - Note that a guest (re)connected: schedule RAs
 * @c:		Execution context
 * @now:	Current time
 */
void ndp_guest_connected(struct ctx *c, const struct timespec *now)
{
	(void)c;

	/* Not right away: the guest solicits when it's ready */
	ndp_initial_left = RA_INITIAL_COUNT;
	ndp_next_ra = now->tv_sec +
		      ndp_ra_interval(RA_INITIAL_MIN, RA_INITIAL_MAX);
}

/**
 * ndp_timer() - Send periodic unsolicited Router Advertisements
 * @c:		Execution context
 * @now:	Current time
 */
void ndp_timer(struct ctx *c, const struct timespec *now)
{
	struct in6_addr all_nodes;

	if (c->no_ndp || c->no_ra || !c->ifi6)
		return;

	if (!tap_is_ready(c)) {
		ndp_next_ra = 0;
		return;
	}

	if (!ndp_next_ra) {
		ndp_guest_connected(c, now);
		return;
	}

	if (now->tv_sec < ndp_next_ra)
		return;

	inet_pton(AF_INET6, "ff02::1", &all_nodes);
	ndp_ra_send(c, &all_nodes);

	if (ndp_initial_left > 0 && --ndp_initial_left)
		ndp_next_ra = now->tv_sec +
			      ndp_ra_interval(RA_INITIAL_MIN, RA_INITIAL_MAX);
	else
		ndp_next_ra = now->tv_sec +
			      ndp_ra_interval(RA_MIN_INTERVAL, RA_MAX_INTERVAL);
}
