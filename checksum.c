/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * checksum.c - Internet checksums (RFC 1071): IPv4 header, L4 pseudo-headers
 *
 * Partial sums returned by csum_unfolded() and csum_pseudo4/6() are the sum
 * of the 16-bit words read as big-endian numbers, kept in 32 bits: they can
 * be added together (or to host-order 16-bit values) and folded at the end.
 *
 * The bulk of the work is done in native byte order on 64-bit loads: one's
 * complement addition is independent of byte order up to a final swap of
 * the two bytes of the folded result (RFC 1071, section 2 (B)).
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <endian.h>
#include <netinet/in.h>
#include <sys/uio.h>

#include "checksum.h"

/**
 * fold64() - Fold a 64-bit one's complement sum into 16 bits
 * @sum:	Sum
 *
 * Return: folded sum, not complemented, in the range 0..0xffff
 */
static inline uint16_t fold64(uint64_t sum)
{
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/**
 * sum_native() - One's complement sum of a buffer in native byte order
 * @buf:	Data, any alignment
 * @len:	Length, the last odd byte is padded with zero (as the first
 *		byte of a 16-bit big-endian word)
 *
 * Return: folded 16-bit sum of the words as loaded in native order
 */
static uint16_t sum_native(const uint8_t *buf, size_t len)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;
	uint64_t sum;

	/* 32 bytes per round: 64-bit loads split in 32-bit halves, added to
	 * four independent 64-bit accumulators (no carries lost before 2^32
	 * rounds, far beyond any frame)
	 */
	while (len >= 32) {
		uint64_t w0, w1, w2, w3;

		memcpy(&w0, buf, 8);
		memcpy(&w1, buf + 8, 8);
		memcpy(&w2, buf + 16, 8);
		memcpy(&w3, buf + 24, 8);
		a += (w0 & 0xffffffffULL) + (w0 >> 32);
		b += (w1 & 0xffffffffULL) + (w1 >> 32);
		c += (w2 & 0xffffffffULL) + (w2 >> 32);
		d += (w3 & 0xffffffffULL) + (w3 >> 32);
		buf += 32;
		len -= 32;
	}

	while (len >= 4) {
		uint32_t w;

		memcpy(&w, buf, 4);
		a += w;
		buf += 4;
		len -= 4;
	}

	if (len >= 2) {
		uint16_t w;

		memcpy(&w, buf, 2);
		b += w;
		buf += 2;
		len -= 2;
	}

	if (len) {
		/* Odd byte: high byte of a big-endian word, low byte zero */
		uint8_t tail[2] = { buf[0], 0 };
		uint16_t w;

		memcpy(&w, tail, 2);
		c += w;
	}

	/* Each accumulator is below 2^62 for any realistic length, fold
	 * separately to stay clear of overflow
	 */
	sum = (uint64_t)fold64(a) + fold64(b) + fold64(c) + fold64(d);
	return fold64(sum);
}

/**
 * native_to_be_value() - Turn a folded native-order sum into the sum of
 *			  big-endian words as host-order numbers
 * @s:		Folded sum from sum_native()
 *
 * Return: same sum, as a host-order value
 */
static inline uint16_t native_to_be_value(uint16_t s)
{
#if __BYTE_ORDER == __LITTLE_ENDIAN
	return (uint16_t)((s >> 8) | (s << 8));
#else
	return s;
#endif
}

/**
 * add32() - One's complement addition of two partial sums, kept in 32 bits
 * @a:		First partial sum
 * @b:		Second partial sum
 *
 * Return: sum, with any carry out of 32 bits folded back in
 */
static inline uint32_t add32(uint32_t a, uint32_t b)
{
	uint64_t s = (uint64_t)a + b;

	return (uint32_t)((s & 0xffffffffULL) + (s >> 32));
}

/**
 * csum_unfolded() - Sum 16-bit big-endian words, without folding
 * @buf:	Data, any alignment
 * @len:	Length, odd lengths padded with zero
 * @init:	Initial partial sum
 *
 * Return: 32-bit partial sum, to be folded with csum_fold()
 */
uint32_t csum_unfolded(const void *buf, size_t len, uint32_t init)
{
	return add32(init, native_to_be_value(sum_native(buf, len)));
}

/**
 * csum_fold() - Fold a partial sum into the one's complement checksum
 * @sum:	Partial sum
 *
 * Return: checksum, network order, ready to store
 */
uint16_t csum_fold(uint32_t sum)
{
	return htons((uint16_t)~fold64(sum));
}

/**
 * csum() - Checksum of a buffer
 * @buf:	Data
 * @len:	Length
 * @init:	Initial partial sum (e.g. a pseudo-header sum)
 *
 * Return: checksum, network order
 */
uint16_t csum(const void *buf, size_t len, uint32_t init)
{
	return csum_fold(csum_unfolded(buf, len, init));
}

/**
 * csum_iov() - Checksum of data spread over an iovec
 * @iov:	Buffers
 * @n:		Number of buffers
 * @init:	Initial partial sum
 *
 * Return: checksum, network order
 */
uint16_t csum_iov(const struct iovec *iov, size_t n, uint32_t init)
{
	uint32_t sum = init;
	size_t off = 0, i;

	for (i = 0; i < n; i++) {
		uint16_t s = native_to_be_value(sum_native(iov[i].iov_base,
							   iov[i].iov_len));

		/* A buffer starting at an odd offset contributes its bytes
		 * to the other half of each 16-bit word: swap its sum
		 */
		if (off & 1)
			s = (uint16_t)((s >> 8) | (s << 8));

		sum = add32(sum, s);
		off += iov[i].iov_len;
	}

	return csum_fold(sum);
}

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
		      struct in_addr daddr)
{
	uint32_t s = ntohl(saddr.s_addr), d = ntohl(daddr.s_addr);

	return (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) +
	       proto + l4len;
}

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
		      const struct in6_addr *daddr)
{
	uint32_t sum = (l4len >> 16) + (l4len & 0xffff) + proto;

	sum = csum_unfolded(saddr, sizeof(*saddr), sum);
	return csum_unfolded(daddr, sizeof(*daddr), sum);
}

/**
 * csum_ip4_header() - Checksum of an IPv4 header
 * @hdr:	Header, checksum field zero
 * @len:	Header length in bytes
 *
 * Return: checksum, network order
 */
uint16_t csum_ip4_header(const void *hdr, size_t len)
{
	return csum(hdr, len, 0);
}
