/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dhcp.h - DHCP server: one lease, the guest's configured address
 */

#ifndef DHCP_H
#define DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Well-known ports (RFC 2131, 4.1) */
#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68

struct ctx;
struct dns_search;

/* Messages from the guest */
int dhcp(struct ctx *c, const void *msg, size_t len);

/* DNS names in wire format, also for DHCPv6 and NDP options */
size_t dns_names_encode(const struct dns_search *list, uint8_t *buf,
			size_t size, bool compress);
size_t dns_name_encode(const char *name, uint8_t *buf, size_t size);

#endif /* DHCP_H */
