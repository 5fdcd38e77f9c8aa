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
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <linux/if_ether.h>

#include "passt.h"
#include "tap.h"
#include "checksum.h"
#include "log.h"
#include "util.h"
#include "dhcp.h"
#include "ndp.h"

#define NDP_HOP_LIMIT		255

/* Option types <netinet/icmp6.h> lacks (RFC 8106) */
#define ND_OPT_RDNSS		25
#define ND_OPT_DNSSL		31

/* Option lengths count units of 8 bytes */
#define ND_OPT_UNIT		8

/* SLAAC needs a /64 prefix (RFC 4862, 5.5.3; RFC 4291, 2.5.1) */
#define RA_PREFIX_LEN		64

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

/* Valid lifetime of a prefix we stopped giving: hosts don't take less than
 * two hours from an unauthenticated advertisement (RFC 4862, 5.5.3 e)
 */
#define RA_OLD_VALID		7200

/* Keep what we send within the IPv6 minimum MTU, without fragments */
#define NDP_MSG_MAX		(IPV6_MIN_MTU - sizeof(struct ip6_hdr))

/**
 * struct ndp_opt_lla - Source or target link-layer address option
 * @hdr:	Option type and length
 * @mac:	Our MAC address
 */
struct ndp_opt_lla {
	struct nd_opt_hdr hdr;
	uint8_t mac[ETH_ALEN];
} __attribute__((packed));

/**
 * struct ndp_opt_dns - Fixed part of RDNSS and DNSSL options (RFC 8106)
 * @hdr:	Option type and length
 * @reserved:	Zero
 * @lifetime:	Lifetime of what follows, seconds, network order
 *
 * Addresses (RDNSS) or encoded names (DNSSL) follow.
 */
struct ndp_opt_dns {
	struct nd_opt_hdr hdr;
	uint16_t reserved;
	uint32_t lifetime;
} __attribute__((packed));

/**
 * struct ndp_na - Neighbour Advertisement we send, with the target
 *		   link-layer address option
 * @na:		Advertisement
 * @tlla:	Our MAC address, as target link-layer address
 */
struct ndp_na {
	struct nd_neighbor_advert na;
	struct ndp_opt_lla tlla;
} __attribute__((packed));

static time_t ndp_next_ra;	/* when the next unsolicited RA is due */
static int ndp_initial_left;	/* initial (closer) RAs still to send */

/* The host's prefix changed: the old one, deprecated until it expires */
static struct in6_addr ndp_old_prefix;
static time_t ndp_old_until;

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
		const struct nd_opt_hdr *o;	/* bytes only: any alignment */
		size_t olen;

		if (len - off < sizeof(*o))
			return -1;
		o = (const struct nd_opt_hdr *)(opt + off);
		olen = (size_t)o->nd_opt_len * ND_OPT_UNIT;
		if (!olen || olen > len - off)
			return -1;
		if (o->nd_opt_type == ND_OPT_SOURCE_LINKADDR)
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
 * @reply:	Reply buffer, at least NDP_MSG_MAX bytes, any alignment
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
	struct nd_neighbor_solicit ns;
	struct in6_addr target;
	struct ndp_na na;

	if (len < sizeof(ns)) {
		debug("NDP: short neighbour solicitation, dropped");
		return 0;
	}
	if (ndp_opts_check(icmp6 + sizeof(ns), len - sizeof(ns), &slla)) {
		debug("NDP: bad options in neighbour solicitation, dropped");
		return 0;
	}
	/* Copy out: the message may sit at any alignment */
	memcpy(&ns, icmp6, sizeof(ns));
	target = ns.nd_ns_target;
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

	memset(&na, 0, sizeof(na));
	na.na.nd_na_type = ND_NEIGHBOR_ADVERT;
	na.na.nd_na_flags_reserved = ND_NA_FLAG_ROUTER | ND_NA_FLAG_OVERRIDE |
				     (dad ? 0 : ND_NA_FLAG_SOLICITED);
	na.na.nd_na_target = target;
	na.tlla.hdr.nd_opt_type = ND_OPT_TARGET_LINKADDR;
	na.tlla.hdr.nd_opt_len = sizeof(na.tlla) / ND_OPT_UNIT;
	memcpy(na.tlla.mac, c->our_tap_mac, ETH_ALEN);
	memcpy(reply, &na, sizeof(na));

	if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.our_tap_ll))
		*src = target;
	else
		*src = c->ip6.our_tap_ll;

	return sizeof(na);
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
	struct nd_router_advert ra = {
		.nd_ra_type		= ND_ROUTER_ADVERT,
		.nd_ra_curhoplimit	= RA_CUR_HOP_LIMIT,
		.nd_ra_router_lifetime	= htons(RA_ROUTER_LIFETIME),
	};
	struct ndp_opt_lla slla;
	size_t pos, n;
	bool local;

	/* Local mode: no address for the guest, only a default router */
	local = IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr);

	/* Managed: the guest gets its exact address from DHCPv6 */
	if (!c->no_dhcpv6)
		ra.nd_ra_flags_reserved = (local ? 0 : ND_RA_FLAG_MANAGED) |
					  ND_RA_FLAG_OTHER;
	memcpy(buf, &ra, sizeof(ra));
	pos = sizeof(ra);

	/* Prefix information: /64 of the guest's address, for SLAAC */
	if (!local) {
		struct nd_opt_prefix_info pi = {
			.nd_opt_pi_type		= ND_OPT_PREFIX_INFORMATION,
			.nd_opt_pi_len		= sizeof(pi) / ND_OPT_UNIT,
			.nd_opt_pi_prefix_len	= RA_PREFIX_LEN,
			.nd_opt_pi_flags_reserved = ND_OPT_PI_FLAG_ONLINK |
						    ND_OPT_PI_FLAG_AUTO,
			.nd_opt_pi_valid_time	= htonl(RA_LIFETIME_INFINITE),
			.nd_opt_pi_preferred_time =
				htonl(RA_LIFETIME_INFINITE),
		};

		memcpy(&pi.nd_opt_pi_prefix, &c->ip6.addr, RA_PREFIX_LEN / 8);
		memcpy(buf + pos, &pi, sizeof(pi));
		pos += sizeof(pi);
	}

	/* The previous prefix of a host that moved: no longer preferred */
	if (!local && ndp_old_until) {
		struct nd_opt_prefix_info pi = {
			.nd_opt_pi_type		= ND_OPT_PREFIX_INFORMATION,
			.nd_opt_pi_len		= sizeof(pi) / ND_OPT_UNIT,
			.nd_opt_pi_prefix_len	= RA_PREFIX_LEN,
			.nd_opt_pi_flags_reserved = ND_OPT_PI_FLAG_ONLINK |
						    ND_OPT_PI_FLAG_AUTO,
			.nd_opt_pi_preferred_time = 0,
		};
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec >= ndp_old_until ||
		    !memcmp(&ndp_old_prefix, &c->ip6.addr, RA_PREFIX_LEN / 8)) {
			ndp_old_until = 0;
		} else {
			pi.nd_opt_pi_valid_time =
				htonl((uint32_t)(ndp_old_until - now.tv_sec));
			pi.nd_opt_pi_prefix = ndp_old_prefix;
			memcpy(buf + pos, &pi, sizeof(pi));
			pos += sizeof(pi);
		}
	}

	if (c->mtu >= IPV6_MIN_MTU) {
		struct nd_opt_mtu mtu = {
			.nd_opt_mtu_type	= ND_OPT_MTU,
			.nd_opt_mtu_len		= sizeof(mtu) / ND_OPT_UNIT,
			.nd_opt_mtu_mtu		= htonl((uint32_t)c->mtu),
		};

		memcpy(buf + pos, &mtu, sizeof(mtu));
		pos += sizeof(mtu);
	}

	if (!c->no_dns && !c->no_dhcp_dns) {
		for (n = 0; n < MAXNS; n++) {
			if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[n]))
				break;
		}
		if (n) {
			size_t alen = n * sizeof(struct in6_addr);
			struct ndp_opt_dns rdnss = {
				.hdr.nd_opt_type = ND_OPT_RDNSS,
				.hdr.nd_opt_len	 = (sizeof(rdnss) + alen) /
						   ND_OPT_UNIT,
				.lifetime	 = htonl(RA_LIFETIME_INFINITE),
			};

			memcpy(buf + pos, &rdnss, sizeof(rdnss));
			memcpy(buf + pos + sizeof(rdnss), c->ip6.dns, alen);
			pos += sizeof(rdnss) + alen;
		}
	}

	if (!c->no_dns_search && !c->no_dhcp_dns_search) {
		/* Uncompressed names (RFC 8106, 5.2), zero-padded: leave
		 * room for the padding and our address option
		 */
		size_t room = NDP_MSG_MAX - pos - sizeof(struct ndp_opt_dns) -
			      (ND_OPT_UNIT - 1) - sizeof(slla);
		uint8_t *names = buf + pos + sizeof(struct ndp_opt_dns);

		n = dns_names_encode(c->dns_search, names, room, false);
		if (n) {
			size_t olen = ROUND_UP(sizeof(struct ndp_opt_dns) + n,
					       ND_OPT_UNIT);
			struct ndp_opt_dns dnssl = {
				.hdr.nd_opt_type = ND_OPT_DNSSL,
				.hdr.nd_opt_len	 = olen / ND_OPT_UNIT,
				.lifetime	 = htonl(RA_LIFETIME_INFINITE),
			};

			memcpy(buf + pos, &dnssl, sizeof(dnssl));
			memset(names + n, 0, olen - sizeof(dnssl) - n);
			pos += olen;
		}
	}

	slla.hdr.nd_opt_type = ND_OPT_SOURCE_LINKADDR;
	slla.hdr.nd_opt_len = sizeof(slla) / ND_OPT_UNIT;
	memcpy(slla.mac, c->our_tap_mac, ETH_ALEN);
	memcpy(buf + pos, &slla, sizeof(slla));
	pos += sizeof(slla);

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
	const size_t hlen = sizeof(struct nd_router_solicit);
	bool slla;

	if (len < hlen) {
		debug("NDP: short router solicitation, dropped");
		return -1;
	}
	if (ndp_opts_check(icmp6 + hlen, len - hlen, &slla)) {
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
	static uint8_t frame[ETH_HLEN + sizeof(struct ip6_hdr) + NDP_MSG_MAX];
	const size_t csum_off = offsetof(struct icmp6_hdr, icmp6_cksum);
	struct ethhdr *eh = (struct ethhdr *)frame;	/* packed */
	uint16_t sum = 0;
	uint8_t *ip6, *l4;

	if (len > NDP_MSG_MAX)
		return;

	ip6 = tap_l2_hdr(c, frame, ETH_P_IPV6);
	if (IN6_IS_ADDR_MULTICAST(dst)) {
		/* 33:33 and the last 32 bits of the address (RFC 2464, 7) */
		eh->h_dest[0] = eh->h_dest[1] = 0x33;
		memcpy(eh->h_dest + 2, &dst->s6_addr[12], ETH_ALEN - 2);
	}
	l4 = tap_ip6_hdr(ip6, src, dst, IPPROTO_ICMPV6, len, 0);
	ip6[offsetof(struct ip6_hdr, ip6_hlim)] = NDP_HOP_LIMIT;

	/* Through memcpy(): @icmp6 may sit at any alignment */
	memcpy(icmp6 + csum_off, &sum, sizeof(sum));
	sum = csum(icmp6, len, csum_pseudo6(len, IPPROTO_ICMPV6, src, dst));
	memcpy(icmp6 + csum_off, &sum, sizeof(sum));
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
	/* Type, code and checksum: what every ICMPv6 message has */
	const size_t hlen = offsetof(struct icmp6_hdr, icmp6_dataun);
	static uint8_t reply[NDP_MSG_MAX];
	const uint8_t *m = icmp6;
	struct in6_addr src, dst;
	struct icmp6_hdr ih;
	size_t rlen;

	if (!len)
		return 0;

	/* Copy out what's there: the message may sit at any alignment */
	memset(&ih, 0, sizeof(ih));
	memcpy(&ih, m, MIN(len, sizeof(ih)));
	if (ih.icmp6_type < ND_ROUTER_SOLICIT || ih.icmp6_type > ND_REDIRECT)
		return 0;

	if (c->no_ndp || !c->ifi6)
		return 1;

	if (len < hlen || ih.icmp6_code) {
		debug("NDP: bad type %u message, dropped", ih.icmp6_type);
		return 1;
	}

	switch (ih.icmp6_type) {
	case ND_NEIGHBOR_SOLICIT:
		rlen = ndp_na_build(c, saddr, daddr, m, len, reply,
				    &src, &dst);
		if (rlen)
			ndp_send(c, &src, &dst, reply, rlen);
		break;
	case ND_ROUTER_SOLICIT:
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

/**
 * ndp_host_changed() - The host's configuration changed: advertise it now
 * @c:		Execution context, with the new configuration
 * @old:	Configuration before the change
 * @now:	Current time
 *
 * A new prefix is advertised right away, the old one with a preferred
 * lifetime of zero (deprecated: no new connections from its addresses)
 * and a short valid lifetime, then a few closer advertisements follow in
 * case the first one is lost.
 */
void ndp_host_changed(struct ctx *c, const struct ctx *old,
		      const struct timespec *now)
{
	struct in6_addr all_nodes;

	if (!IN6_IS_ADDR_UNSPECIFIED(&old->ip6.addr) &&
	    memcmp(&old->ip6.addr, &c->ip6.addr, RA_PREFIX_LEN / 8)) {
		memset(&ndp_old_prefix, 0, sizeof(ndp_old_prefix));
		memcpy(&ndp_old_prefix, &old->ip6.addr, RA_PREFIX_LEN / 8);
		ndp_old_until = now->tv_sec + RA_OLD_VALID;
	}

	if (c->no_ndp || c->no_ra || !c->ifi6 || !tap_is_ready(c))
		return;

	inet_pton(AF_INET6, "ff02::1", &all_nodes);
	ndp_ra_send(c, &all_nodes);

	ndp_initial_left = RA_INITIAL_COUNT;
	ndp_next_ra = now->tv_sec +
		      ndp_ra_interval(RA_INITIAL_MIN, RA_INITIAL_MAX);
}
