/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * arp.h - ARP: answer requests on behalf of the whole network
 */

#ifndef ARP_H
#define ARP_H

#include <stddef.h>

struct ctx;

/**
 * arp() - Handle an ARP packet from the guest
 * @c:		Execution context
 * @arp:	ARP packet (after the Ethernet header)
 * @len:	Length of @arp
 *
 * Return: 1 if handled (replied or ignored on purpose), 0 if malformed
 */
int arp(struct ctx *c, const void *arp, size_t len);

#endif /* ARP_H */
