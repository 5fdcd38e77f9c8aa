/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_common.h - Stubs and context set-up shared by the fuzz targets
 *
 * Each target includes the module sources it exercises, then this file
 * provides everything else they call: tap send helpers (which read every
 * byte they are given, so that sanitizers catch bad lengths), logging,
 * checksums and randomness.
 */

#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "passt.h"
#include "log.h"
#include "tap.h"
#include "checksum.h"
#include "util.h"
#include "fuzz_seed.h"

int log_level = LOG_ERR;
bool log_trace;

static volatile uint32_t fuzz_sink;

/**
 * fuzz_touch() - Read every byte of an outgoing buffer
 * @p:		Buffer
 * @len:	Length
 */
static void fuzz_touch(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	size_t i;

	if (len > FRAME_MAX)
		abort();
	for (i = 0; i < len; i++)
		s += b[i];
	fuzz_sink += s;
}

void logmsg(int pri, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	(void)pri;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

/* No epoll set in a fuzz target: registering always works */
int passt_epoll_add(const struct ctx *c, uint32_t events, union epoll_ref ref)
{
	(void)c;
	(void)events;
	(void)ref;
	return 0;
}

int passt_epoll_mod(const struct ctx *c, uint32_t events, union epoll_ref ref)
{
	(void)c;
	(void)events;
	(void)ref;
	return 0;
}

void passt_epoll_del(const struct ctx *c, int fd)
{
	(void)c;
	(void)fd;
}

void tap_udp4_send(const struct ctx *c, struct in_addr src, uint16_t sport,
		   struct in_addr dst, uint16_t dport, const void *payload,
		   size_t len)
{
	(void)c; (void)src; (void)sport; (void)dst; (void)dport;
	fuzz_touch(payload, len);
}

void tap_udp6_send(const struct ctx *c, const struct in6_addr *src,
		   uint16_t sport, const struct in6_addr *dst, uint16_t dport,
		   uint32_t flow, const void *payload, size_t len)
{
	(void)c; (void)sport; (void)dport; (void)flow;
	fuzz_touch(src, sizeof(*src));
	fuzz_touch(dst, sizeof(*dst));
	fuzz_touch(payload, len);
}

uint32_t tap_flow_label(void)
{
	return 1;
}

void *tap_l2_hdr(const struct ctx *c, void *buf, uint16_t proto)
{
	uint8_t *p = buf;

	memcpy(p, c->guest_mac, 6);
	memcpy(p + 6, c->our_tap_mac, 6);
	p[12] = proto >> 8;
	p[13] = proto & 0xff;
	return p + 14;
}

void *tap_ip6_hdr(void *buf, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t proto, size_t l4len,
		  uint32_t flow)
{
	uint8_t *p = buf;

	(void)flow;
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = l4len >> 8;
	p[5] = l4len & 0xff;
	p[6] = proto;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return p + 40;
}

void tap_send_single(const struct ctx *c, const void *frame, size_t len)
{
	(void)c;
	fuzz_touch(frame, len);
}

bool tap_is_ready(const struct ctx *c)
{
	(void)c;
	return true;
}

/* Following the host, as by default: short DHCP leases, DHCPv6 T1 and T2 */
bool hostwatch_active(void)
{
	return true;
}

uint32_t csum_unfolded(const void *buf, size_t len, uint32_t init)
{
	const uint8_t *b = buf;
	uint64_t s = init;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len % 2)
		s += (uint32_t)(b[len - 1] << 8);
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

uint16_t csum(const void *buf, size_t len, uint32_t init)
{
	return csum_fold(csum_unfolded(buf, len, init));
}

uint32_t csum_pseudo6(uint32_t l4len, uint8_t proto,
		      const struct in6_addr *saddr,
		      const struct in6_addr *daddr)
{
	uint32_t s = csum_unfolded(saddr, 16, 0);

	s = csum_unfolded(daddr, 16, s);
	return s + (l4len >> 16) + (l4len & 0xffff) + proto;
}

void random_bytes(void *buf, size_t len)
{
	memset(buf, 0x5a, len);
}

/**
 * fuzz_ctx() - Configuration picked by the first input byte
 * @c:		Context to fill
 * @sel:	Selector byte from the input
 */
static void fuzz_ctx(struct ctx *c, uint8_t sel)
{
	static const int mtus[] = { 65520, 1500, 0, 576, 1280, 68, 9000,
				    65535 };
	int i;

	memset(c, 0, sizeof(*c));
	c->mode = MODE_PASST;
	c->ifi4 = c->ifi6 = 1;
	inet_pton(AF_INET, "198.18.0.1", &c->ip4.addr);
	c->ip4.prefix_len = (sel & 0x80) ? 32 : 24;
	inet_pton(AF_INET, "198.18.0.2", &c->ip4.gw);
	inet_pton(AF_INET, "198.18.0.53", &c->ip4.dns[0]);
	inet_pton(AF_INET, "198.18.0.54", &c->ip4.dns[1]);
	inet_pton(AF_INET, "198.18.0.55", &c->ip4.dns[2]);
	inet_pton(AF_INET6, "2001:db8:1::1", &c->ip6.addr);
	c->ip6.prefix_len = 64;
	inet_pton(AF_INET6, "2001:db8:1::2", &c->ip6.gw);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.our_tap_ll);
	inet_pton(AF_INET6, "fe80::2", &c->ip6.addr_ll_seen);
	inet_pton(AF_INET6, "2001:db8:1::53", &c->ip6.dns[0]);
	inet_pton(AF_INET6, "2001:db8:1::54", &c->ip6.dns[1]);
	inet_pton(AF_INET6, "2001:db8:1::55", &c->ip6.dns[2]);
	memset(c->our_tap_mac, 0x9a, 6);
	memset(c->guest_mac, 0x02, 6);
	c->mtu = mtus[sel & 7];
	c->no_dhcp_dns = !!(sel & 0x08);
	c->no_dhcp_dns_search = !!(sel & 0x10);

	if (sel & 0x20) {
		/* Longest search list: eight names of 253 characters */
		for (i = 0; i < MAXDNSRCH; i++) {
			memset(c->dns_search[i].n, 'a' + i, 253);
			c->dns_search[i].n[63] = c->dns_search[i].n[127] = '.';
			c->dns_search[i].n[191] = '.';
		}
	} else {
		strcpy(c->dns_search[0].n, "example.org");
		strcpy(c->dns_search[1].n, "sub.example.org");
		strcpy(c->dns_search[2].n, "a..invalid");
		strcpy(c->dns_search[3].n, "test.");
	}
}

#endif /* FUZZ_COMMON_H */
