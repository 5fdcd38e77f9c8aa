/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dhcp.h - DHCP server: one lease, the guest's configured address
 */

#ifndef DHCP_H
#define DHCP_H

#include <stddef.h>

struct ctx;

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

#endif /* DHCP_H */
