/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * inany.h - One type for IPv4 and IPv6 addresses (IPv4 as v4-mapped IPv6)
 */

#ifndef INANY_H
#define INANY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <arpa/inet.h>

/**
 * union inany_addr - IPv6 address, or IPv4 address stored v4-mapped
 * @a6:		IPv6 view
 * @v4mapped:	IPv4 view: ::ffff:a.b.c.d
 * @u32:	as 32-bit words, for fast comparison and hashing
 */
union inany_addr {
	struct in6_addr a6;
	struct {
		uint8_t zero[10];
		uint8_t one[2];
		struct in_addr a4;
	} v4mapped;
	uint32_t u32[4];
};

/**
 * inany_v4() - IPv4 address in an inany_addr, if it is one
 * @a:		Address
 *
 * Return: pointer to the IPv4 address, or NULL if @a is IPv6
 */
static inline const struct in_addr *inany_v4(const union inany_addr *a)
{
	if (!IN6_IS_ADDR_V4MAPPED(&a->a6))
		return NULL;
	return &a->v4mapped.a4;
}

/**
 * inany_from_v4() - Store an IPv4 address as inany_addr
 * @a:		Destination
 * @v4:		IPv4 address
 */
static inline void inany_from_v4(union inany_addr *a, struct in_addr v4)
{
	memset(a->v4mapped.zero, 0, sizeof(a->v4mapped.zero));
	a->v4mapped.one[0] = a->v4mapped.one[1] = 0xff;
	a->v4mapped.a4 = v4;
}

/**
 * inany_from_af() - Store an address of family @af as inany_addr
 * @a:		Destination
 * @af:		AF_INET or AF_INET6
 * @addr:	struct in_addr or struct in6_addr
 */
static inline void inany_from_af(union inany_addr *a, int af,
				 const void *addr)
{
	if (af == AF_INET)
		inany_from_v4(a, *(const struct in_addr *)addr);
	else
		a->a6 = *(const struct in6_addr *)addr;
}

/**
 * inany_equals() - Compare two addresses
 * @a:		First address
 * @b:		Second address
 *
 * Return: true if equal
 */
static inline bool inany_equals(const union inany_addr *a,
				const union inany_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/**
 * inany_is_unspecified() - Is the address 0.0.0.0 or ::?
 * @a:		Address
 *
 * Return: true if unspecified, in either family
 */
static inline bool inany_is_unspecified(const union inany_addr *a)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return v4->s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&a->a6);
}

/**
 * inany_is_loopback() - Is the address 127.0.0.0/8 or ::1?
 * @a:		Address
 *
 * Return: true if loopback
 */
static inline bool inany_is_loopback(const union inany_addr *a)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return (ntohl(v4->s_addr) >> 24) == IN_LOOPBACKNET;
	return IN6_IS_ADDR_LOOPBACK(&a->a6);
}

/**
 * inany_ntop() - Format an address as text
 * @a:		Address
 * @buf:	Buffer, at least INET6_ADDRSTRLEN bytes
 * @len:	Size of @buf
 *
 * Return: @buf
 */
static inline const char *inany_ntop(const union inany_addr *a, char *buf,
				     size_t len)
{
	const struct in_addr *v4 = inany_v4(a);

	if (v4)
		return inet_ntop(AF_INET, v4, buf, len);
	return inet_ntop(AF_INET6, &a->a6, buf, len);
}

#endif /* INANY_H */
