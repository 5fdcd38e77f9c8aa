/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * icmp.h - ICMP and ICMPv6 echo through unprivileged ping sockets
 */

#ifndef ICMP_H
#define ICMP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "passt.h"

/**
 * icmp_tap_handler() - Handle an ICMP/ICMPv6 message from the guest
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @saddr:	Source address (struct in_addr or struct in6_addr)
 * @daddr:	Destination address
 * @msg:	ICMP header and body
 * @len:	Length of @msg
 * @now:	Current time
 */
void icmp_tap_handler(struct ctx *c, int af, const void *saddr,
		      const void *daddr, const void *msg, size_t len,
		      const struct timespec *now);

/**
 * icmp_sock_handler() - Handle replies on a ping socket
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 * @now:	Current time
 */
void icmp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		       const struct timespec *now);

/**
 * icmp_timer() - Expire idle echo flows
 * @c:		Execution context
 * @now:	Current time
 */
void icmp_timer(struct ctx *c, const struct timespec *now);

#endif /* ICMP_H */
