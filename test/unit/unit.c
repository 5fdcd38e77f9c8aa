/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * unit.c - Fixtures shared by the unit tests: a configured context and a
 *	    reference Internet checksum
 *
 * test/Makefile links every .c file of this directory that isn't a test
 * (test_*.c) into every test program.
 */

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include "passt.h"
#include "unit.h"

/**
 * unit_ctx_init() - Configuration most tests start from
 * @c:		Execution context to reset and fill
 *
 * passt mode with both families, as on the rig's host: 198.18.0.1/24 via
 * 198.18.0.2 and 2001:db8:1::1/64 via 2001:db8:1::2, two resolvers each
 * (.53 and .54, ::53 and ::54), link-local fe80::1 for us, search list
 * "example.org", "test", MTU 65520, our MAC 9a:9a:9a:9a:9a:9a. Tests change
 * what they need on top.
 */
void unit_ctx_init(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = MODE_PASST;

	c->ifi4 = 1;
	inet_pton(AF_INET, "198.18.0.1", &c->ip4.addr);
	c->ip4.prefix_len = 24;
	inet_pton(AF_INET, "198.18.0.2", &c->ip4.gw);
	inet_pton(AF_INET, "198.18.0.53", &c->ip4.dns[0]);
	inet_pton(AF_INET, "198.18.0.54", &c->ip4.dns[1]);

	c->ifi6 = 1;
	inet_pton(AF_INET6, "2001:db8:1::1", &c->ip6.addr);
	c->ip6.prefix_len = 64;
	inet_pton(AF_INET6, "2001:db8:1::2", &c->ip6.gw);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.our_tap_ll);
	inet_pton(AF_INET6, "2001:db8:1::53", &c->ip6.dns[0]);
	inet_pton(AF_INET6, "2001:db8:1::54", &c->ip6.dns[1]);

	strcpy(c->dns_search[0].n, "example.org");
	strcpy(c->dns_search[1].n, "test");
	c->mtu = 65520;
	memset(c->our_tap_mac, 0x9a, ETH_ALEN);
}

/**
 * unit_ref_sum() - Naive one's complement sum: 16-bit big-endian words
 *		    added one by one, no folding
 * @p:		Data
 * @len:	Length, odd lengths padded with a zero byte
 * @sum:	Initial sum
 *
 * Return: sum, not folded (wide enough for any buffer we test)
 */
uint64_t unit_ref_sum(const uint8_t *p, size_t len, uint64_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);

	return sum;
}

/**
 * unit_ref_fold() - Fold a sum from unit_ref_sum() into 16 bits
 * @sum:	Sum
 *
 * Return: folded sum, host order, not complemented
 */
uint16_t unit_ref_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);

	return (uint16_t)sum;
}

/**
 * unit_ref_pseudo() - Reference sum of an IPv4 or IPv6 pseudo-header
 * @af:		AF_INET or AF_INET6
 * @saddr:	Source address, struct in_addr or struct in6_addr
 * @daddr:	Destination address, same
 * @proto:	L4 protocol number
 * @l4len:	L4 length
 *
 * Return: sum, not folded, as initial sum for unit_ref_csum()
 */
uint32_t unit_ref_pseudo(int af, const void *saddr, const void *daddr,
			 uint8_t proto, size_t l4len)
{
	size_t alen = af == AF_INET ? 4 : 16;
	uint64_t sum = proto;

	/* The length is 16 bits for IPv4 (RFC 768), 32 for IPv6 (RFC 8200) */
	sum += (l4len >> 16) + (l4len & 0xffff);
	sum = unit_ref_sum(saddr, alen, sum);
	sum = unit_ref_sum(daddr, alen, sum);

	return unit_ref_fold(sum);
}

/**
 * unit_ref_csum() - Reference Internet checksum of a buffer (RFC 1071)
 * @p:		Data
 * @len:	Length
 * @init:	Initial partial sum, as csum() takes it
 *
 * Return: checksum, network order, as csum() returns it
 */
uint16_t unit_ref_csum(const uint8_t *p, size_t len, uint32_t init)
{
	return htons((uint16_t)~unit_ref_fold(unit_ref_sum(p, len, init)));
}
