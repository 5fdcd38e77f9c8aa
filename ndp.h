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

/* Messages from the guest, periodic and initial router advertisements */
int ndp(struct ctx *c, const struct in6_addr *saddr,
	const struct in6_addr *daddr, const void *icmp6, size_t len);
void ndp_timer(struct ctx *c, const struct timespec *now);
void ndp_guest_connected(struct ctx *c, const struct timespec *now);

/* The host's configuration changed (hostwatch.c) */
void ndp_host_changed(struct ctx *c, const struct ctx *old,
		      const struct timespec *now);

#endif /* NDP_H */
