/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dhcpv6.h - DHCPv6 server: stateful, one address, DNS options
 */

#ifndef DHCPV6_H
#define DHCPV6_H

#include <stddef.h>
#include <netinet/in.h>

/* Well-known ports (RFC 8415, 7.2) */
#define DHCPV6_CLIENT_PORT	546
#define DHCPV6_SERVER_PORT	547

struct ctx;

/* Set-up, and messages from the guest */
void dhcpv6_init(const struct ctx *c);
int dhcpv6(struct ctx *c, const struct in6_addr *saddr,
	   const struct in6_addr *daddr, const void *msg, size_t len);

#endif /* DHCPV6_H */
