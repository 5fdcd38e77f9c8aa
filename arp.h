/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * arp.h - ARP: answer requests on behalf of the whole network
 */

#ifndef ARP_H
#define ARP_H

#include <stddef.h>

struct ctx;

/* Requests from the guest */
int arp(struct ctx *c, const void *arp, size_t len);

#endif /* ARP_H */
