/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dhcp.h - DHCP server: one lease, the guest's configured address
 */

#ifndef DHCP_H
#define DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;
struct dns_search;

/**
 * dhcp() - Handle a DHCP/BOOTP message from the guest (UDP to port 67)
 * @c:		Execution context
 * @msg:	UDP payload
 * @len:	Length of @msg
 *
 * Return: 1 if handled (answered or dropped as malformed), 0 if DHCP is
 *	   disabled and the datagram should go to the UDP handler
 */
int dhcp(struct ctx *c, const void *msg, size_t len);

/**
 * dns_names_encode() - Encode search domains as DNS names (RFC 1035 3.1)
 * @list:	Search domains, terminated by an empty name
 * @buf:	Output buffer
 * @size:	Size of @buf
 * @compress:	Use compression pointers (RFC 1035 4.1.4, as RFC 3397
 *		allows for DHCP option 119) relative to the start of @buf
 *
 * Also used for NDP DNSSL and the DHCPv6 domain list (uncompressed).
 *
 * Return: number of bytes written
 */
size_t dns_names_encode(const struct dns_search *list, uint8_t *buf,
			size_t size, bool compress);

/**
 * dns_name_encode() - Encode one domain name in DNS wire format
 * @name:	Name, dot-separated, optionally with the root's trailing dot
 * @buf:	Output buffer
 * @size:	Size of @buf
 *
 * Canonical, uncompressed, fully qualified: the zero-length root label
 * terminates it (RFC 1035 3.1). Used for the client FQDN options.
 *
 * Return: number of bytes written, 0 if the name is invalid (empty or
 *	   overlong labels, more than 255 bytes encoded) or doesn't fit
 */
size_t dns_name_encode(const char *name, uint8_t *buf, size_t size);

#endif /* DHCP_H */
