/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * udp.h - UDP translation: guest datagrams to host sockets and back
 */

#ifndef UDP_H
#define UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "passt.h"
#include "tap.h"

/* Idle time after which a UDP flow is forgotten, seconds */
#define UDP_FLOW_TIMEOUT	180

/* Environment variable shortening UDP_FLOW_TIMEOUT, for tests (seconds) */
#define UDP_TIMEOUT_ENV		"PASST_UDP_FLOW_TIMEOUT"

/* Size of the UDP flow table: new flows are refused when it's full */
#define UDP_FLOWS_MAX		4096

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

/**
 * udp_port_bind() - Start forwarding one port (for automatic forwarding)
 * @c:		Execution context
 * @outbound:	false: -u, socket on the host side delivering to the guest;
 *		true: pasta -U, socket on the namespace's loopback delivering
 *		to the host's loopback
 * @port:	Port to listen on
 * @to:		Target port on the other side
 *
 * Binds dual-stack (-u) or on 127.0.0.1 and ::1 (-U); nothing happens if
 * the port is already forwarded in that direction.
 *
 * Return: 0 on success, -1 if no socket could be bound
 */
int udp_port_bind(struct ctx *c, bool outbound, uint16_t port, uint16_t to);

/**
 * udp_port_unbind() - Stop forwarding one port, closing its flows
 * @c:		Execution context
 * @outbound:	As for udp_port_bind()
 * @port:	Port the sockets listen on
 */
void udp_port_unbind(struct ctx *c, bool outbound, uint16_t port);

#endif /* UDP_H */
