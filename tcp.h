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

/* Set-up, events from the guest and from sockets, periodic work */
int tcp_init(struct ctx *c);
void tcp_tap_handler(struct ctx *c, int af, const void *saddr,
		     const void *daddr, const struct tap_l4_pkt *pkts,
		     size_t n, const struct timespec *now);
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now);
void tcp_timer(struct ctx *c, const struct timespec *now);
void tcp_defer_handler(struct ctx *c, const struct timespec *now);
void tcp_tap_reset(struct ctx *c);
void tcp_tap_room(struct ctx *c, const struct timespec *now);
void tcp_host_addr_check(struct ctx *c,
			 bool (*gone)(const union inany_addr *a));

/* Listening sockets for automatic forwarding */
int tcp_listen_port(struct ctx *c, uint16_t port, uint16_t to);
void tcp_unlisten_port(struct ctx *c, uint16_t port);

/* Forwarding rules changed at run time (fwd.c) */
int tcp_listen_rule(struct ctx *c, const struct fwd_rule *r, uint16_t port,
		    uint16_t to);
void tcp_listen_close(struct ctx *c, int fd);
void tcp_flow_rst(struct ctx *c, uint32_t idx);

#endif /* TCP_H */
