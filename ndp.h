/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * ndp.h - NDP: neighbour answers and router advertisements
 */

#ifndef NDP_H
#define NDP_H

#include <stddef.h>
#include <time.h>
#include <netinet/in.h>

struct ctx;

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
	const struct in6_addr *daddr, const void *icmp6, size_t len);

/**
 * ndp_timer() - Send periodic unsolicited Router Advertisements
 * @c:		Execution context
 * @now:	Current time
 */
void ndp_timer(struct ctx *c, const struct timespec *now);

/**
 * ndp_guest_connected() - Note that a guest (re)connected: schedule RAs
 * @c:		Execution context
 * @now:	Current time
 */
void ndp_guest_connected(struct ctx *c, const struct timespec *now);

#endif /* NDP_H */
