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

#include "flow.h"
#include "passt.h"
#include "tap.h"

/* Idle time after which a UDP flow is forgotten, seconds */
#define UDP_FLOW_TIMEOUT	180

/* Environment variable shortening UDP_FLOW_TIMEOUT, for tests (seconds) */
#define UDP_TIMEOUT_ENV		"PASST_UDP_FLOW_TIMEOUT"

/* UDP flows at most: new ones are refused beyond */
#define UDP_FLOWS_MAX		FLOW_UDP_MAX

/* Set-up, events from the guest and from sockets, periodic work */
int udp_init(struct ctx *c);
void udp_tap_handler(struct ctx *c, int af, const void *saddr,
		     const void *daddr, const struct tap_l4_pkt *pkts,
		     size_t n, const struct timespec *now);
void udp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now);
void udp_timer(struct ctx *c, const struct timespec *now);

/* Forwarded ports, for automatic forwarding */
int udp_port_bind(struct ctx *c, bool outbound, uint16_t port, uint16_t to);
void udp_port_unbind(struct ctx *c, bool outbound, uint16_t port);

/* Forwarding rules changed at run time (fwd.c) */
int udp_listen_rule(const struct ctx *c, bool outbound,
		    const struct fwd_rule *r, uint16_t port, uint16_t to);
void udp_listen_close(const struct ctx *c, uint32_t lidx);
void udp_flow_end(const struct ctx *c, uint32_t idx);
void udp_host_addr_check(const struct ctx *c,
			 bool (*gone)(const union inany_addr *a));

#endif /* UDP_H */
