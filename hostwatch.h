/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * hostwatch.h - Follow changes of the host's addresses, routes, resolver
 */

#ifndef HOSTWATCH_H
#define HOSTWATCH_H

#include <stdbool.h>
#include <time.h>

#include "passt.h"

/* What changed between two configurations, see hostwatch_diff() */
#define HW_ADDR4	(1U << 0)	/* IPv4 address or prefix length */
#define HW_GW4		(1U << 1)	/* IPv4 default gateway */
#define HW_IFI4		(1U << 2)	/* IPv4 template interface */
#define HW_ADDR6	(1U << 3)	/* IPv6 address or prefix length */
#define HW_GW6		(1U << 4)	/* IPv6 default gateway */
#define HW_IFI6		(1U << 5)	/* IPv6 template interface */
#define HW_DNS4		(1U << 6)	/* IPv4 nameservers */
#define HW_DNS6		(1U << 7)	/* IPv6 nameservers */
#define HW_SEARCH	(1U << 8)	/* search domains */
#define HW_DNS_HOST	(1U << 9)	/* --dns-forward target */

#define HW_V4		(HW_ADDR4 | HW_GW4 | HW_IFI4)
#define HW_V6		(HW_ADDR6 | HW_GW6 | HW_IFI6)

/* While following: DHCP lease, DHCPv6 renewal and rebinding times (s) */
#define HOSTWATCH_DHCP_LEASE	600
#define HOSTWATCH_DHCPV6_T1	300
#define HOSTWATCH_DHCPV6_T2	480

/* Set-up before isolation, events, and whether we follow at all */
void hostwatch_init(struct ctx *c);
void hostwatch_handler(struct ctx *c, union epoll_ref ref,
		       const struct timespec *now);
bool hostwatch_active(void);

/* Comparison of two configurations (pure) */
unsigned int hostwatch_diff(const struct ctx *a, const struct ctx *b);

#endif /* HOSTWATCH_H */
