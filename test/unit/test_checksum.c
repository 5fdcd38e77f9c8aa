/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_checksum.c - Unit tests for checksum.c: known vectors, odd lengths,
 *		     odd start addresses, comparison with a naive reference
 *
 * The UDP and ICMPv6 vectors were built for this test and verified with
 * tcpdump -vv ("[udp sum ok]", "[icmp6 sum ok]").
 */

#include <stdlib.h>
#include <arpa/inet.h>

#include "../../checksum.h"
#include "unit.h"

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;

	for (; s[0] && s[1]; s += 2) {
		unsigned int b;

		sscanf(s, "%2x", &b);
		out[n++] = (uint8_t)b;
	}
	return n;
}

/* Simple deterministic generator, reproducible failures */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

static void test_rfc1071(void)
{
	/* RFC 1071, section 3: sum of these words is 0xddf2 after folding */
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03,
				     0xf4, 0xf5, 0xf6, 0xf7 };
	uint32_t part = csum_unfolded(b, sizeof(b), 0);

	CHECK_EQ_INT(ntohs(csum(b, sizeof(b), 0)), 0xffff & ~0xddf2,
		     "RFC 1071 example checksum");
	CHECK_EQ_INT(ntohs((uint16_t)~csum_fold(part)), 0xddf2,
		     "RFC 1071 example folded sum");
	CHECK_EQ_INT(ntohs(csum(b + 1, 0, 0)), 0xffff,
		     "empty buffer: checksum 0xffff");
}

static void test_ip4_header(void)
{
	/* Well-known IPv4 header, checksum 0xb861 */
	uint8_t h[20];
	uint16_t sum;

	unhex("450000730000400040110000c0a80001c0a800c7", h);
	sum = csum_ip4_header(h, sizeof(h));
	CHECK_EQ_INT(ntohs(sum), 0xb861, "IPv4 header checksum, vector 1");

	memcpy(h + 10, &sum, 2);
	CHECK_EQ_INT(ntohs(csum(h, sizeof(h), 0)), 0,
		     "IPv4 header with its checksum sums to zero");

	/* Header of the UDP vector below, checksum 0x9c64 */
	unhex("4500002d123440004011" "0000" "c6120001c6120002", h);
	CHECK_EQ_INT(ntohs(csum_ip4_header(h, 20)), 0x9c64,
		     "IPv4 header checksum, vector 2");
}

static void test_udp4(void)
{
	uint8_t p[64];
	size_t n = unhex("4500002d1234400040119c64c6120001c6120002"
			 "9c4000350019" "a555"
			 "68656c6c6f2c20636865636b73756d2121", p);
	struct in_addr s, d;
	uint8_t *u = p + 20;
	size_t ulen = n - 20;
	uint32_t ps;

	memcpy(&s, p + 12, 4);
	memcpy(&d, p + 16, 4);
	u[6] = u[7] = 0;

	ps = csum_pseudo4((uint16_t)ulen, IPPROTO_UDP, s, d);
	CHECK_EQ_INT(ntohs(csum(u, ulen, ps)), 0xa555,
		     "UDP over IPv4 checksum, odd payload length");

	/* Same, split in header and payload through csum_iov() */
	{
		struct iovec iov[3] = {
			{ u, 8 }, { u + 8, 5 }, { u + 13, ulen - 13 },
		};

		CHECK_EQ_INT(ntohs(csum_iov(iov, 3, ps)), 0xa555,
			     "UDP over IPv4 checksum through csum_iov(), "
			     "odd split");
	}
}

static void test_icmp6(void)
{
	uint8_t p[128];
	size_t n = unhex("60000000002d3a40"
			 "20010db8000100000000000000000001"
			 "20010db8000100000000000000000002"
			 "8000" "585e" "12340007"
			 "202122232425262728292a2b2c2d2e2f"
			 "303132333435363738393a3b3c3d3e3f"
			 "4041424344", p);
	struct in6_addr s, d;
	uint8_t *ic = p + 40;
	size_t len = n - 40;

	memcpy(&s, p + 8, 16);
	memcpy(&d, p + 24, 16);
	ic[2] = ic[3] = 0;

	CHECK_EQ_INT(len, 45, "ICMPv6 vector length");
	CHECK_EQ_INT(ntohs(csum(ic, len,
				csum_pseudo6((uint32_t)len, IPPROTO_ICMPV6,
					     &s, &d))), 0x585e,
		     "ICMPv6 echo request checksum, odd length");
}

static void test_random(void)
{
	static uint8_t buf[2000 + 16];
	size_t len, i, bad_len = 0, bad_off = 0;
	unsigned int off, fails = 0, fails_iov = 0;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();

	/* Every length 0..2000, at every start offset 0..7 */
	for (len = 0; len <= 2000; len++) {
		for (off = 0; off < 8; off++) {
			uint32_t init = off & 1 ? rnd() & 0xfffff : 0;
			uint16_t a = csum(buf + off, len, init);
			uint16_t b = unit_ref_csum(buf + off, len, init);

			if (a != b && !fails++) {
				bad_len = len;
				bad_off = off;
			}
		}
	}
	CHECK(!fails, "random buffers, lengths 0..2000, offsets 0..7 match "
	      "reference (first mismatch: len %zu offset %zu)",
	      bad_len, bad_off);

	/* All ones and all zeroes: carries and the 0xffff/0 boundary */
	memset(buf, 0xff, sizeof(buf));
	for (len = 0; len <= 2000; len += 7) {
		if (csum(buf + 1, len, 0) != unit_ref_csum(buf + 1, len, 0))
			fails++;
	}
	memset(buf, 0, sizeof(buf));
	for (len = 0; len <= 2000; len += 7) {
		if (csum(buf + 3, len, 0xffff) !=
		    unit_ref_csum(buf + 3, len, 0xffff))
			fails++;
	}
	CHECK(!fails, "all-ones and all-zeroes buffers match reference");

	/* csum_iov() with random splits, odd pieces included */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	for (i = 0; i < 3000; i++) {
		struct iovec iov[8];
		size_t total = rnd() % 2001, pos = 0, n = 0;

		while (pos < total && n < 7) {
			size_t l = rnd() % (total - pos + 1);

			iov[n].iov_base = buf + 5 + pos;
			iov[n++].iov_len = l;
			pos += l;
		}
		iov[n].iov_base = buf + 5 + pos;
		iov[n++].iov_len = total - pos;

		if (csum_iov(iov, n, 0x1234) != unit_ref_csum(buf + 5, total,
							 0x1234))
			fails_iov++;
	}
	CHECK(!fails_iov, "csum_iov() over random splits matches reference");

	/* Large initial sums: no carry lost */
	if (csum(buf, 100, 0xfffffff0U) != unit_ref_csum(buf, 100, 0xfffffff0U))
		fails++;
	CHECK(!fails, "initial partial sum near 2^32 handled");

	/* Big buffer: 64 KiB of 0xff */
	{
		static uint8_t big[65536 + 3];
		uint32_t part;

		memset(big, 0xff, sizeof(big));
		part = csum_unfolded(big + 3, 65536, 0);
		CHECK_EQ_INT(ntohs(csum_fold(part)),
			     ntohs(unit_ref_csum(big + 3, 65536, 0)),
			     "64 KiB buffer, unaligned start");
	}
}

static void test_pseudo(void)
{
	struct in_addr s = { htonl(0xc0a80001) }, d = { htonl(0xc0a800c7) };
	struct in6_addr s6, d6;
	uint8_t ph[40];
	uint32_t l = 0x12345;

	/* IPv4 pseudo-header as bytes: src, dst, zero, proto, length */
	memcpy(ph, &s, 4);
	memcpy(ph + 4, &d, 4);
	ph[8] = 0;
	ph[9] = 17;
	ph[10] = 0x01;
	ph[11] = 0x23;
	CHECK_EQ_INT(ntohs(csum_fold(csum_pseudo4(0x123, 17, s, d))),
		     ntohs(unit_ref_csum(ph, 12, 0)), "IPv4 pseudo-header sum");

	inet_pton(AF_INET6, "2001:db8::1", &s6);
	inet_pton(AF_INET6, "fe80::dead:beef", &d6);
	memset(ph, 0, sizeof(ph));
	memcpy(ph, &s6, 16);
	memcpy(ph + 16, &d6, 16);
	ph[32] = (uint8_t)(l >> 24);
	ph[33] = (uint8_t)(l >> 16);
	ph[34] = (uint8_t)(l >> 8);
	ph[35] = (uint8_t)l;
	ph[39] = 6;
	CHECK_EQ_INT(ntohs(csum_fold(csum_pseudo6(l, 6, &s6, &d6))),
		     ntohs(unit_ref_csum(ph, 40, 0)),
		     "IPv6 pseudo-header sum, length above 16 bits");
}

int main(void)
{
	test_rfc1071();
	test_ip4_header();
	test_udp4();
	test_icmp6();
	test_pseudo();
	test_random();

	return unit_done();
}
