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

/* Partial sums and folding */
uint32_t csum_unfolded(const void *buf, size_t len, uint32_t init);
uint16_t csum_fold(uint32_t sum);
uint16_t csum(const void *buf, size_t len, uint32_t init);
uint16_t csum_iov(const struct iovec *iov, size_t n, uint32_t init);

/* Pseudo-headers and the IPv4 header */
uint32_t csum_pseudo4(uint16_t l4len, uint8_t proto, struct in_addr saddr,
		      struct in_addr daddr);
uint32_t csum_pseudo6(uint32_t l4len, uint8_t proto,
		      const struct in6_addr *saddr,
		      const struct in6_addr *daddr);
uint16_t csum_ip4_header(const void *hdr, size_t len);

#endif /* CHECKSUM_H */
