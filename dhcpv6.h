/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dhcpv6.h - DHCPv6 server: stateful, one address, DNS options
 */

#ifndef DHCPV6_H
#define DHCPV6_H

#include <stddef.h>
#include <netinet/in.h>

struct ctx;

/**
 * dhcpv6() - Handle a DHCPv6 message from the guest (UDP to port 547)
 * @c:		Execution context
 * @saddr:	Source address (the guest link-local address)
 * @daddr:	Destination address (ff02::1:2 or ours)
 * @msg:	UDP payload
 * @len:	Length of @msg
 *
 * Return: 1 if handled (answered or dropped as malformed), 0 if DHCPv6 is
 *	   disabled and the datagram should go to the UDP handler
 */
int dhcpv6(struct ctx *c, const struct in6_addr *saddr,
	   const struct in6_addr *daddr, const void *msg, size_t len);

/**
 * dhcpv6_init() - Build our DUID and other fixed parts
 * @c:		Execution context
 */
void dhcpv6_init(const struct ctx *c);

#endif /* DHCPV6_H */
