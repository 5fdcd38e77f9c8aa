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

/* Echo requests from the guest, replies from sockets, expiry */
void icmp_tap_handler(struct ctx *c, int af, const void *saddr,
		      const void *daddr, const void *msg, size_t len,
		      const struct timespec *now);
void icmp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		       const struct timespec *now);
void icmp_timer(struct ctx *c, const struct timespec *now);

#endif /* ICMP_H */
