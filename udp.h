/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * udp.h - UDP translation: guest datagrams to host sockets and back
 */

#ifndef UDP_H
#define UDP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "passt.h"
#include "tap.h"

/**
 * udp_init() - Bind forwarded ports, set up the UDP flow table
 * @c:		Execution context
 *
 * Return: 0 on success, -1 if an explicitly requested port cannot be bound
 */
int udp_init(struct ctx *c);

/**
 * udp_tap_handler() - Handle UDP datagrams from the guest, one tuple
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @saddr:	Source address
 * @daddr:	Destination address
 * @pkts:	Datagrams (UDP header included) sharing addresses and ports
 * @n:		Number of datagrams
 * @now:	Current time
 */
void udp_tap_handler(struct ctx *c, int af, const void *saddr,
		     const void *daddr, const struct tap_l4_pkt *pkts,
		     size_t n, const struct timespec *now);

/**
 * udp_sock_handler() - Handle datagrams on a host UDP socket
 * @c:		Execution context
 * @ref:	epoll reference (UDP_LISTEN or UDP_REPLY)
 * @events:	epoll events
 * @now:	Current time
 */
void udp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now);

/**
 * udp_timer() - Expire idle flows, rescan automatic forwarding
 * @c:		Execution context
 * @now:	Current time
 */
void udp_timer(struct ctx *c, const struct timespec *now);

#endif /* UDP_H */
