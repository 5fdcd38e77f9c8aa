/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * tcp.h - TCP translation between guest segments and host sockets
 */

#ifndef TCP_H
#define TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "passt.h"
#include "tap.h"

/**
 * tcp_init() - Bind forwarded ports, set up connection table and buffers
 * @c:		Execution context
 *
 * Return: 0 on success, -1 if an explicitly requested port cannot be bound
 */
int tcp_init(struct ctx *c);

/**
 * tcp_tap_handler() - Handle TCP segments from the guest, one tuple
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @saddr:	Source address
 * @daddr:	Destination address
 * @pkts:	Segments (TCP header included) sharing addresses and ports
 * @n:		Number of segments
 * @now:	Current time
 */
void tcp_tap_handler(struct ctx *c, int af, const void *saddr,
		     const void *daddr, const struct tap_l4_pkt *pkts,
		     size_t n, const struct timespec *now);

/**
 * tcp_sock_handler() - Handle events on TCP sockets (listening, connected,
 *			per-connection timers, spliced)
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 * @now:	Current time
 */
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now);

/**
 * tcp_timer() - Periodic work: table cleanup, automatic forwarding scan
 * @c:		Execution context
 * @now:	Current time
 */
void tcp_timer(struct ctx *c, const struct timespec *now);

/**
 * tcp_defer_handler() - Flush batched frames and deferred work after a
 *			 round of events
 * @c:		Execution context
 * @now:	Current time
 */
void tcp_defer_handler(struct ctx *c, const struct timespec *now);

/**
 * tcp_tap_reset() - The guest went away: reset connections on the tap side
 * @c:		Execution context
 */
void tcp_tap_reset(struct ctx *c);

/**
 * tcp_listen_port() - Listen on one port, any address, both IP versions, and
 *		       forward connections to a port of the guest (for
 *		       automatic forwarding)
 * @c:		Execution context
 * @port:	Port to listen on
 * @to:		Port of the guest that connections are forwarded to
 *
 * Return: 0 on success (or already listening), negative error code on failure
 */
int tcp_listen_port(struct ctx *c, uint16_t port, uint16_t to);

/**
 * tcp_unlisten_port() - Stop listening on a port bound by tcp_listen_port()
 * @c:		Execution context
 * @port:	Port
 */
void tcp_unlisten_port(struct ctx *c, uint16_t port);

#endif /* TCP_H */
