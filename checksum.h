/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * checksum.h - Internet checksums: IPv4 header, L4 pseudo-headers
 */

#ifndef CHECKSUM_H
#define CHECKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/uio.h>

/**
 * csum_unfolded() - Sum 16-bit big-endian words, without folding
 * @buf:	Data, any alignment
 * @len:	Length, odd lengths padded with zero
 * @init:	Initial partial sum
 *
 * Return: 32-bit partial sum, to be folded with csum_fold()
 */
uint32_t csum_unfolded(const void *buf, size_t len, uint32_t init);

/**
 * csum_fold() - Fold a partial sum into the one's complement checksum
 * @sum:	Partial sum
 *
 * Return: checksum, network order, ready to store
 */
uint16_t csum_fold(uint32_t sum);

/**
 * csum() - Checksum of a buffer
 * @buf:	Data
 * @len:	Length
 * @init:	Initial partial sum (e.g. a pseudo-header sum)
 *
 * Return: checksum, network order
 */
uint16_t csum(const void *buf, size_t len, uint32_t init);

/**
 * csum_iov() - Checksum of data spread over an iovec
 * @iov:	Buffers
 * @n:		Number of buffers
 * @init:	Initial partial sum
 *
 * Return: checksum, network order
 */
uint16_t csum_iov(const struct iovec *iov, size_t n, uint32_t init);

/**
 * csum_pseudo4() - Partial sum of the IPv4 pseudo-header
 * @l4len:	L4 length
 * @proto:	L4 protocol
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: partial sum
 */
uint32_t csum_pseudo4(uint16_t l4len, uint8_t proto, struct in_addr saddr,
		      struct in_addr daddr);

/**
 * csum_pseudo6() - Partial sum of the IPv6 pseudo-header
 * @l4len:	L4 length
 * @proto:	L4 protocol (next header)
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: partial sum
 */
uint32_t csum_pseudo6(uint32_t l4len, uint8_t proto,
		      const struct in6_addr *saddr,
		      const struct in6_addr *daddr);

/**
 * csum_ip4_header() - Checksum of an IPv4 header
 * @hdr:	Header, checksum field zero
 * @len:	Header length in bytes
 *
 * Return: checksum, network order
 */
uint16_t csum_ip4_header(const void *hdr, size_t len);

#endif /* CHECKSUM_H */
