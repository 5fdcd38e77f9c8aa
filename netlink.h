/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * netlink.h - Routes, addresses and links through rtnetlink
 */

#ifndef NETLINK_H
#define NETLINK_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

struct ctx;

/**
 * nl_sock_init() - Open netlink sockets: one in our namespace and, for
 *		    pasta, one in the target namespace
 * @c:		Execution context
 * @ns:		Also open the one in the target namespace
 *
 * Exits on failure.
 */
void nl_sock_init(const struct ctx *c, bool ns);

/**
 * nl_get_ext_if() - Interface of the default route for a family
 * @af:		AF_INET or AF_INET6
 *
 * Falls back to the only interface with any route of that family, if
 * there is exactly one non-loopback one.
 *
 * Return: interface index, 0 if there is none
 */
unsigned int nl_get_ext_if(int af);

/**
 * nl_route_get_def() - Default gateway of an interface
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @gw:		Set to the gateway (struct in_addr or struct in6_addr);
 *		for multipath routes, the nexthop with the highest weight
 *
 * Return: 0 on success, -1 if there is no default route on @ifi
 */
int nl_route_get_def(unsigned int ifi, int af, void *gw);

/**
 * nl_addr_get() - Preferred address of an interface and its prefix length
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @addr:	Set to the first global (IPv4: any) address, or left alone
 * @prefix_len:	Set to its prefix length
 * @addr_ll:	IPv6 only, may be NULL: set to the link-local address
 *
 * Return: 0 if an address was found, -1 otherwise
 */
int nl_addr_get(unsigned int ifi, int af, void *addr, int *prefix_len,
		void *addr_ll);

/**
 * nl_link_get_mac() - MAC address of a link
 * @ns:		In the target namespace (pasta), else in ours
 * @ifi:	Interface index
 * @mac:	Set to the MAC address, 6 bytes
 *
 * Return: 0 on success, -1 on failure
 */
int nl_link_get_mac(bool ns, unsigned int ifi, void *mac);

/**
 * nl_link_set_mac() - Set the MAC address of a link in the namespace
 * @ifi:	Interface index
 * @mac:	MAC address, 6 bytes
 *
 * Return: 0 on success, -1 on failure
 */
int nl_link_set_mac(unsigned int ifi, const void *mac);

/**
 * nl_link_up() - Bring a link in the namespace up, optionally setting MTU
 * @ifi:	Interface index
 * @mtu:	MTU to set, 0 to leave it alone
 *
 * Return: 0 on success, -1 on failure
 */
int nl_link_up(unsigned int ifi, int mtu);

/**
 * nl_addr_set() - Add an address to a link in the namespace
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @addr:	Address
 * @prefix_len:	Prefix length
 *
 * IPv6 addresses are added with IFA_F_NODAD so they are usable at once.
 *
 * Return: 0 on success, -1 on failure
 */
int nl_addr_set(unsigned int ifi, int af, const void *addr, int prefix_len);

/**
 * nl_route_set_def() - Add a default route in the namespace
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @gw:		Gateway address
 *
 * Return: 0 on success, -1 on failure
 */
int nl_route_set_def(unsigned int ifi, int af, const void *gw);

/**
 * nl_addr_dup() - Copy the addresses of a host interface to the namespace
 * @ifi_src:	Template interface index in our namespace
 * @ifi_dst:	Interface index in the target namespace
 * @af:		AF_INET or AF_INET6
 *
 * Link-local addresses are not copied; IPv6 ones are added without DAD.
 *
 * Return: 0 on success, -1 on failure
 */
int nl_addr_dup(unsigned int ifi_src, unsigned int ifi_dst, int af);

/**
 * nl_route_dup() - Copy the routes of a host interface to the namespace
 * @ifi_src:	Template interface index in our namespace
 * @ifi_dst:	Interface index in the target namespace
 * @af:		AF_INET or AF_INET6
 *
 * Return: 0 on success, -1 on failure
 */
int nl_route_dup(unsigned int ifi_src, unsigned int ifi_dst, int af);

/**
 * nl_link_index() - Index of a link by name
 * @ns:		In the target namespace (pasta), else in ours
 * @name:	Interface name
 *
 * Return: interface index, 0 if not found
 */
unsigned int nl_link_index(bool ns, const char *name);

#endif /* NETLINK_H */
