/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * netlink.h - Routes, addresses and links through rtnetlink
 */

#ifndef NETLINK_H
#define NETLINK_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "inany.h"

struct ctx;

/* Set-up */
void nl_sock_init(const struct ctx *c, bool ns);

/* Host configuration: links, routes, addresses */
unsigned int nl_get_ext_if(int af);
int nl_route_get_def(unsigned int ifi, int af, void *gw);
int nl_addr_get(unsigned int ifi, int af, void *addr, int *prefix_len,
		void *addr_ll);
int nl_link_get_mac(bool ns, unsigned int ifi, void *mac);
unsigned int nl_link_index(bool ns, const char *name);

/* Configuration of pasta's target namespace */
int nl_link_set_mac(unsigned int ifi, const void *mac);
int nl_link_up(unsigned int ifi, int mtu);
int nl_addr_set(unsigned int ifi, int af, const void *addr, int prefix_len);
int nl_route_set_def(unsigned int ifi, int af, const void *gw);
int nl_addr_dup(unsigned int ifi_src, unsigned int ifi_dst, int af);
int nl_route_dup(unsigned int ifi_src, unsigned int ifi_dst, int af);

/* Following the host: its addresses, and starting the namespace over */
int nl_addr_all(union inany_addr *addrs, int max);
int nl_flush(unsigned int ifi, int af);

#endif /* NETLINK_H */
