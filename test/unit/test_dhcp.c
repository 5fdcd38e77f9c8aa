/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_dhcp.c - DHCP server: malformed requests, built replies
 *
 * unit-include: dhcp.c
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

/* Catch what dhcp() sends instead of going through tap.c, and say whether
 * we follow the host (hostwatch.c) as the test needs
 */
#define tap_udp4_send stub_tap_udp4_send
#define hostwatch_active stub_hostwatch_active
#include "../../dhcp.c"
#undef tap_udp4_send
#undef hostwatch_active

static bool following;

/* See hostwatch.h */
bool stub_hostwatch_active(void)
{
	return following;
}

static struct ctx c;
static uint8_t sent[DHCP_REPLY_MAX];
static size_t sent_len;
static int sent_n;
static struct in_addr sent_src, sent_dst;
static uint16_t sent_sport, sent_dport;

/* See tap.h */
void stub_tap_udp4_send(const struct ctx *ctx, struct in_addr src,
			uint16_t sport, struct in_addr dst, uint16_t dport,
			const void *payload, size_t len)
{
	(void)ctx;
	sent_n++;
	sent_src = src;
	sent_dst = dst;
	sent_sport = sport;
	sent_dport = dport;
	sent_len = MIN(len, sizeof(sent));
	memcpy(sent, payload, sent_len);
}

static const uint8_t chaddr[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

/**
 * ctx_init() - Configuration used by most checks: unit_ctx_init(), and a
 *		subdomain in the search list, for compression
 */
static void ctx_init(void)
{
	unit_ctx_init(&c);
	strcpy(c.dns_search[1].n, "sub.example.org");
	strcpy(c.dns_search[2].n, "test");
}

/**
 * mk() - Build a BOOTREQUEST with the given options
 * @buf:	Buffer
 * @opts:	Option bytes (after the cookie)
 * @olen:	Length of @opts
 *
 * Return: message length
 */
static size_t mk(uint8_t *buf, const uint8_t *opts, size_t olen)
{
	memset(buf, 0, DHCP_OPTS_OFF);
	buf[0] = 1;
	buf[1] = 1;
	buf[2] = 6;
	buf[4] = 0x12;
	buf[5] = 0x34;
	buf[6] = 0x56;
	buf[7] = 0x78;
	memcpy(buf + OFF_CHADDR, chaddr, 6);
	memcpy(buf + OFF_COOKIE, dhcp_cookie, 4);
	memcpy(buf + DHCP_OPTS_OFF, opts, olen);
	return DHCP_OPTS_OFF + olen;
}

/**
 * opt_get() - Find an option in a reply, concatenating split parts
 * @r:		Reply
 * @len:	Length of @r
 * @code:	Option code
 * @out:	Option data, concatenated (RFC 3396)
 * @outlen:	Length of @out, set here
 *
 * Return: number of instances found, -1 if the option area is malformed
 */
static int opt_get(const uint8_t *r, size_t len, uint8_t code, uint8_t *out,
		   size_t *outlen)
{
	size_t off = DHCP_OPTS_OFF;
	int n = 0;

	*outlen = 0;
	while (off < len) {
		if (r[off] == 0) {
			off++;
			continue;
		}
		if (r[off] == 255)
			return n;
		if (off + 2 > len || off + 2 + r[off + 1] > len)
			return -1;
		if (r[off] == code) {
			memcpy(out + *outlen, r + off + 2, r[off + 1]);
			*outlen += r[off + 1];
			n++;
		}
		off += 2 + r[off + 1];
	}
	return -1;	/* no end option */
}

/**
 * opt_order() - Position of an option in the reply
 * @r:		Reply
 * @len:	Length of @r
 * @code:	Option code
 *
 * Return: index among options, -1 if absent
 */
static int opt_order(const uint8_t *r, size_t len, uint8_t code)
{
	size_t off = DHCP_OPTS_OFF;
	int i = 0;

	while (off + 1 < len && r[off] != 255) {
		if (r[off] == code)
			return i;
		off += 2 + r[off + 1];
		i++;
	}
	return -1;
}

/**
 * names_decode() - Decode DNS names, following compression pointers
 * @b:		Encoded names
 * @len:	Length of @b
 * @out:	Names, dot-separated, joined with spaces
 * @size:	Size of @out
 *
 * Return: number of names, -1 if malformed
 */
static int names_decode(const uint8_t *b, size_t len, char *out, size_t size)
{
	size_t off = 0, o = 0;
	int n = 0;

	out[0] = 0;
	while (off < len) {
		size_t p = off, end = 0, hops = 0;
		bool jumped = false, first = true;

		if (n)
			o += snprintf(out + o, size - o, " ");
		for (;;) {
			if (p >= len)
				return -1;
			if ((b[p] & 0xc0) == 0xc0) {
				if (p + 1 >= len || ++hops > 64)
					return -1;
				if (!jumped)
					end = p + 2;
				jumped = true;
				p = (size_t)(b[p] & 0x3f) << 8 | b[p + 1];
				continue;
			}
			if (!b[p]) {
				if (!jumped)
					end = p + 1;
				break;
			}
			if (p + 1 + b[p] > len)
				return -1;
			o += snprintf(out + o, size - o, "%s%.*s",
				      first ? "" : ".", b[p],
				      (const char *)b + p + 1);
			first = false;
			p += 1 + b[p];
		}
		off = end;
		n++;
	}
	return n;
}

/**
 * reply_to() - Build the reply to a message
 * @msg:	Message
 * @len:	Length of @msg
 * @r:		Reply buffer
 * @dst:	Destination of the reply
 *
 * Return: reply length, 0 if none
 */
static size_t reply_to(const uint8_t *msg, size_t len, uint8_t *r,
		       struct in_addr *dst)
{
	memset(r, 0xee, DHCP_REPLY_MAX);
	return dhcp_build(&c, msg, len, r, dst);
}

static void test_encode(void)
{
	struct dns_search l[MAXDNSRCH + 1];
	uint8_t b[600];
	char s[600];
	size_t n;
	static const uint8_t exp_c[] = {
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0,
		3, 's', 'u', 'b', 0xc0, 0,
		4, 't', 'e', 's', 't', 0,
	};
	static const uint8_t exp_u[] = {
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0,
		3, 's', 'u', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		3, 'o', 'r', 'g', 0,
		4, 't', 'e', 's', 't', 0,
	};

	ctx_init();
	n = dns_names_encode(c.dns_search, b, sizeof(b), true);
	CHECK_EQ_INT(n, sizeof(exp_c), "search list compressed: length");
	CHECK_EQ_MEM(b, exp_c, sizeof(exp_c), "search list compressed: bytes");
	n = dns_names_encode(c.dns_search, b, sizeof(b), false);
	CHECK_EQ_INT(n, sizeof(exp_u), "search list uncompressed: length");
	CHECK_EQ_MEM(b, exp_u, sizeof(exp_u),
		     "search list uncompressed: bytes");

	/* Room for the first name only: the others are left out */
	n = dns_names_encode(c.dns_search, b, 13, true);
	CHECK_EQ_INT(n, 13, "search list: only whole names that fit");
	n = dns_names_encode(c.dns_search, b, 12, true);
	CHECK_EQ_INT(n, 6, "search list: later shorter name still fits");
	CHECK(names_decode(b, n, s, sizeof(s)) == 1 && !strcmp(s, "test"),
	      "search list: fitting name decodes");
	n = dns_names_encode(c.dns_search, b, 0, true);
	CHECK_EQ_INT(n, 0, "search list: no room at all");

	/* Invalid names are skipped */
	memset(l, 0, sizeof(l));
	strcpy(l[0].n, "a..b");
	strcpy(l[1].n, ".lead");
	memset(l[2].n, 'x', 64);	/* label of 64 bytes */
	strcpy(l[3].n, "ok.");		/* trailing dot: fine */
	memset(l[4].n, 'y', 63);	/* label of 63 bytes: fine */
	n = dns_names_encode(l, b, sizeof(b), false);
	CHECK(names_decode(b, n, s, sizeof(s)) == 2,
	      "search list: invalid names skipped, valid ones kept");
	CHECK(!strncmp(s, "ok ", 3) && strlen(s) == 3 + 63,
	      "search list: valid names decode right");

	/* 255 bytes encoded at most */
	memset(l, 0, sizeof(l));
	memset(l[0].n, 'z', 253);	/* 4 labels: 63+63+63+61: 255 bytes */
	l[0].n[63] = l[0].n[127] = l[0].n[191] = '.';
	CHECK_EQ_INT(dns_names_encode(l, b, sizeof(b), false), 255,
		     "search list: name of 255 bytes encoded");
	strcpy(l[0].n + 253, "w");	/* one more byte: too long */
	CHECK_EQ_INT(dns_names_encode(l, b, sizeof(b), false), 0,
		     "search list: name over 255 bytes skipped");

	/* Compression against a pointer target that is a full name */
	memset(l, 0, sizeof(l));
	strcpy(l[0].n, "a.b.c");
	strcpy(l[1].n, "b.c");
	strcpy(l[2].n, "x.a.b.c");
	n = dns_names_encode(l, b, sizeof(b), true);
	CHECK(names_decode(b, n, s, sizeof(s)) == 3 &&
	      !strcmp(s, "a.b.c b.c x.a.b.c") && n == 7 + 2 + 4,
	      "search list: suffix compression (%s)", s);
}

/* Good DISCOVER: type, PRL, client id, max size */
static const uint8_t discover_opts[] = {
	53, 1, 1,
	55, 7, 1, 3, 6, 15, 119, 26, 121,
	61, 7, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55,
	57, 2, 0x05, 0xdc,
	255,
};

/* Where options end in discover_opts (offsets after the cookie) */
static const size_t discover_bounds[] = { 0, 3, 12, 21, 25, 26 };

static void test_discover(void)
{
	uint8_t m[1024], r[DHCP_REPLY_MAX], o[1024];
	struct in_addr dst, a;
	size_t len, rlen, ol;
	char s[1024];

	ctx_init();
	len = mk(m, discover_opts, sizeof(discover_opts));
	rlen = reply_to(m, len, r, &dst);

	CHECK(rlen >= BOOTP_MIN_LEN, "OFFER: at least the BOOTP minimum size");
	CHECK(r[0] == 2 && r[1] == 1 && r[2] == 6, "OFFER: BOOTREPLY header");
	CHECK_EQ_MEM(r + 4, m + 4, 4, "OFFER: xid echoed");
	CHECK_EQ_MEM(r + OFF_CHADDR, chaddr, 6, "OFFER: chaddr echoed");
	CHECK_EQ_MEM(r + OFF_YIADDR, &c.ip4.addr, 4, "OFFER: yiaddr");
	CHECK_EQ_MEM(r + OFF_COOKIE, dhcp_cookie, 4, "OFFER: cookie");
	CHECK_EQ_INT(dst.s_addr, c.ip4.addr.s_addr,
		     "OFFER: unicast to yiaddr without broadcast flag");

	CHECK(opt_get(r, rlen, 53, o, &ol) == 1 && ol == 1 && o[0] == 2,
	      "OFFER: message type");
	CHECK(opt_order(r, rlen, 53) == 0, "OFFER: message type first");
	CHECK(opt_get(r, rlen, 54, o, &ol) == 1 && ol == 4 &&
	      !memcmp(o, &c.ip4.gw, 4), "OFFER: server identifier");
	CHECK(opt_get(r, rlen, 51, o, &ol) == 1 && ol == 4 &&
	      !memcmp(o, "\xff\xff\xff\xff", 4), "OFFER: infinite lease");
	inet_pton(AF_INET, "255.255.255.0", &a);
	CHECK(opt_get(r, rlen, 1, o, &ol) == 1 && ol == 4 &&
	      !memcmp(o, &a, 4), "OFFER: subnet mask");
	CHECK(opt_get(r, rlen, 3, o, &ol) == 1 && ol == 4 &&
	      !memcmp(o, &c.ip4.gw, 4), "OFFER: router");
	CHECK(opt_get(r, rlen, 6, o, &ol) == 1 && ol == 8 &&
	      !memcmp(o, &c.ip4.dns[0], 4) && !memcmp(o + 4, &c.ip4.dns[1], 4),
	      "OFFER: DNS servers");
	CHECK(opt_get(r, rlen, 15, o, &ol) == 1 && ol == 11 &&
	      !memcmp(o, "example.org", 11), "OFFER: domain name");
	CHECK(opt_get(r, rlen, 119, o, &ol) == 1 &&
	      names_decode(o, ol, s, sizeof(s)) == 3 &&
	      !strcmp(s, "example.org sub.example.org test"),
	      "OFFER: search list");
	CHECK(opt_get(r, rlen, 26, o, &ol) == 1 && ol == 2 &&
	      o[0] == 0xff && o[1] == 0xf0, "OFFER: MTU 65520");
	CHECK(opt_get(r, rlen, 121, o, &ol) == 0,
	      "OFFER: no classless routes, gateway on-link");
	CHECK(opt_get(r, rlen, 61, o, &ol) == 1 && ol == 7 &&
	      !memcmp(o, discover_opts + 14, 7), "OFFER: client id echoed");
	CHECK(opt_get(r, rlen, 80, o, &ol) == 0, "OFFER: no rapid commit");

	/* Parameter request list order */
	CHECK(opt_order(r, rlen, 1) < opt_order(r, rlen, 3) &&
	      opt_order(r, rlen, 3) < opt_order(r, rlen, 6) &&
	      opt_order(r, rlen, 6) < opt_order(r, rlen, 15) &&
	      opt_order(r, rlen, 15) < opt_order(r, rlen, 119) &&
	      opt_order(r, rlen, 119) < opt_order(r, rlen, 26),
	      "OFFER: options in parameter request list order");

	/* Broadcast flag */
	m[OFF_FLAGS] = 0x80;
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && dst.s_addr == htonl(INADDR_BROADCAST) &&
	      r[OFF_FLAGS] == 0x80, "OFFER: broadcast flag honoured");
	m[OFF_FLAGS] = 0;

	/* Rapid commit: ACK right away */
	{
		uint8_t rc[] = { 53, 1, 1, 80, 0, 255 };

		len = mk(m, rc, sizeof(rc));
		rlen = reply_to(m, len, r, &dst);
		CHECK(rlen && opt_get(r, rlen, 53, o, &ol) == 1 &&
		      o[0] == DHCPACK && opt_get(r, rlen, 80, o, &ol) == 1 &&
		      ol == 0, "DISCOVER with rapid commit: ACK");
	}

	/* MTU of 1500 or 0: no MTU option */
	len = mk(m, discover_opts, sizeof(discover_opts));
	c.mtu = 1500;
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && opt_get(r, rlen, 26, o, &ol) == 0, "MTU 1500: no option");
	c.mtu = 0;
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && opt_get(r, rlen, 26, o, &ol) == 0, "MTU 0: no option");
	c.mtu = 9000;
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && opt_get(r, rlen, 26, o, &ol) == 1 && o[0] == 0x23 &&
	      o[1] == 0x28, "MTU 9000: option");

	/* No DNS, no search list */
	ctx_init();
	c.no_dhcp_dns = 1;
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && opt_get(r, rlen, 6, o, &ol) == 0 &&
	      opt_get(r, rlen, 119, o, &ol) == 1, "--no-dhcp-dns: no DNS");
	ctx_init();
	c.no_dns = 1;
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && opt_get(r, rlen, 6, o, &ol) == 0, "-D none: no DNS");
	ctx_init();
	c.no_dhcp_dns_search = 1;
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && opt_get(r, rlen, 119, o, &ol) == 0 &&
	      opt_get(r, rlen, 15, o, &ol) == 0 &&
	      opt_get(r, rlen, 6, o, &ol) == 1,
	      "--no-dhcp-search: no search list, no domain");
	ctx_init();
	c.no_dns_search = 1;
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && opt_get(r, rlen, 119, o, &ol) == 0,
	      "-S none: no search list");
	ctx_init();
	memset(c.ip4.dns, 0, sizeof(c.ip4.dns));
	memset(c.dns_search, 0, sizeof(c.dns_search));
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && opt_get(r, rlen, 6, o, &ol) == 0 &&
	      opt_get(r, rlen, 119, o, &ol) == 0 &&
	      opt_get(r, rlen, 15, o, &ol) == 0,
	      "no nameservers or domains known: no options");

	/* Gateway outside the prefix: classless static routes */
	ctx_init();
	inet_pton(AF_INET, "198.19.0.1", &c.ip4.gw);
	rlen = reply_to(m, len, r, &dst);
	{
		static const uint8_t exp[] = { 32, 198, 19, 0, 1, 0, 0, 0, 0,
					       0, 198, 19, 0, 1 };

		CHECK(rlen && opt_get(r, rlen, 121, o, &ol) == 1 &&
		      ol == sizeof(exp) && !memcmp(o, exp, sizeof(exp)),
		      "gateway off-link: classless static routes");
	}
	ctx_init();
	c.ip4.prefix_len = 32;
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && opt_get(r, rlen, 121, o, &ol) == 1 &&
	      opt_get(r, rlen, 1, o, &ol) == 1 && !memcmp(o, "\xff\xff\xff\xff",
							  4),
	      "prefix /32: classless static routes, mask /32");
}

static void test_size(void)
{
	uint8_t m[1024], r[DHCP_REPLY_MAX], o[DHCP_REPLY_MAX];
	uint8_t big[] = { 53, 1, 1, 57, 2, 0x10, 0x00, 255 };
	uint8_t none[] = { 53, 1, 1, 255 };
	struct in_addr dst;
	size_t len, rlen, ol;
	char s[4096];
	int i;

	ctx_init();
	for (i = 0; i < MAXDNSRCH; i++) {
		memset(c.dns_search[i].n, 'a' + i, 250);
		c.dns_search[i].n[50] = c.dns_search[i].n[100] = '.';
		c.dns_search[i].n[150] = c.dns_search[i].n[200] = '.';
	}

	len = mk(m, none, sizeof(none));
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && rlen <= 548, "no maximum size option: reply fits 576");
	CHECK(opt_get(r, rlen, 53, o, &ol) == 1 &&
	      opt_get(r, rlen, 54, o, &ol) == 1 &&
	      opt_get(r, rlen, 51, o, &ol) == 1 &&
	      opt_get(r, rlen, 1, o, &ol) == 1 &&
	      opt_get(r, rlen, 3, o, &ol) == 1,
	      "small reply: essential options still there");

	len = mk(m, big, sizeof(big));
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen > 2000 && rlen <= 4096 - 28,
	      "maximum size 4096: long reply (%zu bytes)", rlen);
	CHECK(opt_get(r, rlen, 119, o, &ol) > 1 &&
	      names_decode(o, ol, s, sizeof(s)) == MAXDNSRCH,
	      "long search list split in parts (RFC 3396), decodes");

	c.mtu = 1000;
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && rlen <= 1000 - 28, "reply within the MTU");
}

/* Wire format of "vm.example.org" (RFC 1035 3.1) */
#define VM_WIRE	2, 'v', 'm', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', \
		3, 'o', 'r', 'g', 0
#define VM_TEXT	'v', 'm', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', \
		'.', 'o', 'r', 'g'

/* Requests: PRL with 12 and 81, and option 81 in its variants */
static const uint8_t disc_prl[] = { 53, 1, 1, 55, 4, 1, 3, 12, 81, 255 };
static const uint8_t disc_s_e[] = { 53, 1, 1, 55, 3, 1, 3, 81,
				    81, 6, 0x05, 0, 0, 2, 'v', 'm', 255 };
static const uint8_t req_e[] = { 53, 1, 3, 50, 4, 198, 18, 0, 1,
				 81, 3, 0x04, 0, 0, 255 };
static const uint8_t req_ascii_s[] = { 53, 1, 3, 50, 4, 198, 18, 0, 1,
				       81, 5, 0x01, 0, 0, 'v', 'm', 255 };
static const uint8_t req_n[] = { 53, 1, 3, 50, 4, 198, 18, 0, 1,
				 81, 3, 0x0c, 0, 0, 255 };
static const uint8_t req_nak[] = { 53, 1, 3, 50, 4, 198, 18, 0, 9,
				   81, 3, 0x04, 0, 0, 255 };
static const uint8_t inform_e[] = { 53, 1, 8, 81, 3, 0x04, 0, 0, 255 };
static const uint8_t bootp[] = { 255 };
static const uint8_t fqdn_short[] = { 53, 1, 1, 81, 2, 0x04, 0, 255 };

/* Expected option 81 data: flags, RCODE1, RCODE2 (255, 255), name */
static const uint8_t want_e_o[] = { 0x0e, 255, 255, VM_WIRE };
static const uint8_t want_e[] = { 0x0c, 255, 255, VM_WIRE };
static const uint8_t want_ascii_o[] = { 0x0a, 255, 255, VM_TEXT };

/**
 * struct name_case - Host name and FQDN options in one reply
 * @desc:	Description
 * @req:	Request options
 * @req_len:	Length of @req
 * @hostname:	-H, or NULL
 * @fqdn:	--fqdn, or NULL
 * @type:	Expected message type in the reply, 0: BOOTP, -1: no reply
 * @want12:	Expected option 12 text, NULL if absent
 * @want81:	Expected option 81 data, NULL if absent
 * @want81_len:	Length of @want81
 */
struct name_case {
	const char *desc;
	const uint8_t *req;
	size_t req_len;
	const char *hostname;
	const char *fqdn;
	int type;
	const char *want12;
	const uint8_t *want81;
	size_t want81_len;
};

#define REQ(x)		x, sizeof(x)
#define WANT81(x)	x, sizeof(x)

static const struct name_case name_cases[] = {
	{ "no -H, --fqdn: DISCOVER asking for 12 and 81", REQ(disc_prl),
	  NULL, NULL, DHCPOFFER, NULL, NULL, 0 },
	{ "no -H, --fqdn: DISCOVER with option 81", REQ(disc_s_e),
	  NULL, NULL, DHCPOFFER, NULL, NULL, 0 },
	{ "-H: OFFER carries the host name", REQ(disc_prl),
	  "vm", NULL, DHCPOFFER, "vm", NULL, 0 },
	{ "-H, 64 characters: all of them",  REQ(disc_prl),
	  "h234567890123456789012345678901234567890123456789012345678901234",
	  NULL, DHCPOFFER,
	  "h234567890123456789012345678901234567890123456789012345678901234",
	  NULL, 0 },
	{ "-H: ACK carries the host name", REQ(req_e),
	  "vm-1.example.org", NULL, DHCPACK, "vm-1.example.org", NULL, 0 },
	{ "-H: ACK to INFORM carries the host name", REQ(inform_e),
	  "vm", NULL, DHCPACK, "vm", NULL, 0 },
	{ "-H: BOOTP reply carries the host name", REQ(bootp),
	  "vm", NULL, 0, "vm", NULL, 0 },
	{ "-H, --fqdn: no names in a NAK", REQ(req_nak),
	  "vm", "vm.example.org", DHCPNAK, NULL, NULL, 0 },
	{ "--fqdn: not sent to a client that didn't send 81", REQ(disc_prl),
	  NULL, "vm.example.org", DHCPOFFER, NULL, NULL, 0 },
	{ "--fqdn: client asks for S: O, N, E set, 255 255, wire name",
	  REQ(disc_s_e), NULL, "vm.example.org", DHCPOFFER, NULL,
	  WANT81(want_e_o) },
	{ "--fqdn: client sends E only: N and E, wire name", REQ(req_e),
	  NULL, "vm.example.org", DHCPACK, NULL, WANT81(want_e) },
	{ "--fqdn: client N: N and E, no O", REQ(req_n),
	  NULL, "vm.example.org", DHCPACK, NULL, WANT81(want_e) },
	{ "--fqdn: client in ASCII asks for S: O, N, ASCII name",
	  REQ(req_ascii_s), NULL, "vm.example.org", DHCPACK, NULL,
	  WANT81(want_ascii_o) },
	{ "--fqdn: INFORM with 81 gets it", REQ(inform_e),
	  NULL, "vm.example.org", DHCPACK, NULL, WANT81(want_e) },
	{ "-H, --fqdn: both in the ACK", REQ(req_e),
	  "vm", "vm.example.org", DHCPACK, "vm", WANT81(want_e) },
	{ "option 81 shorter than 3 bytes: dropped", REQ(fqdn_short),
	  "vm", "vm.example.org", -1, NULL, NULL, 0 },
};

/**
 * test_names() - Options 12 and 81, table-driven
 */
static void test_names(void)
{
	uint8_t m[1024], r[DHCP_REPLY_MAX], o[DHCP_REPLY_MAX];
	unsigned int i;
	struct in_addr dst;
	size_t len, rlen, ol;
	int n;

	for (i = 0; i < ARRAY_SIZE(name_cases); i++) {
		const struct name_case *t = &name_cases[i];

		ctx_init();
		if (t->hostname)
			strcpy(c.hostname, t->hostname);
		if (t->fqdn)
			strcpy(c.fqdn, t->fqdn);

		len = mk(m, t->req, t->req_len);
		rlen = reply_to(m, len, r, &dst);
		if (t->type < 0) {
			CHECK(!rlen, "%s", t->desc);
			continue;
		}
		n = opt_get(r, rlen, 53, o, &ol);
		if (!CHECK(rlen && (t->type ? n == 1 && o[0] == t->type :
					      n == 0),
			   "%s: reply of type %d", t->desc, t->type))
			continue;

		n = opt_get(r, rlen, 12, o, &ol);
		if (t->want12)
			CHECK(n == 1 && ol == strlen(t->want12) &&
			      !memcmp(o, t->want12, ol),
			      "%s: option 12 is '%s'", t->desc, t->want12);
		else
			CHECK(n == 0, "%s: no option 12", t->desc);

		n = opt_get(r, rlen, 81, o, &ol);
		if (t->want81)
			CHECK(n == 1 && ol == t->want81_len &&
			      !memcmp(o, t->want81, ol),
			      "%s: option 81, byte by byte", t->desc);
		else
			CHECK(n == 0, "%s: no option 81", t->desc);
	}
}

/**
 * test_names_long() - Longest names and search list: bounded replies
 */
static void test_names_long(void)
{
	uint8_t big[] = { 53, 1, 3, 50, 4, 198, 18, 0, 1, 57, 2, 0x10, 0x00,
			  55, 3, 12, 81, 119, 81, 3, 0x04, 0, 0, 255 };
	uint8_t small[] = { 53, 1, 1, 55, 2, 12, 81, 81, 3, 0x05, 0, 0, 255 };
	uint8_t m[1024], r[DHCP_REPLY_MAX], o[DHCP_REPLY_MAX], w[300];
	size_t len, rlen, ol, i, wl = 0;
	struct in_addr dst;
	char s[4096];
	int n;

	ctx_init();
	for (i = 0; i < MAXDNSRCH; i++) {
		memset(c.dns_search[i].n, 'a' + i, 250);
		c.dns_search[i].n[50] = c.dns_search[i].n[100] = '.';
		c.dns_search[i].n[150] = c.dns_search[i].n[200] = '.';
	}
	memset(c.hostname, 'h', 64);
	w[wl++] = 0x0c;
	w[wl++] = 255;
	w[wl++] = 255;
	wl += unit_fqdn_longest(c.fqdn, w + wl);

	len = mk(m, big, sizeof(big));
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && rlen <= DHCP_REPLY_MAX - 28,
	      "longest names, maximum size 4096: reply (%zu bytes)", rlen);
	n = opt_get(r, rlen, 12, o, &ol);
	CHECK(n == 1 && ol == 64 && !memcmp(o, c.hostname, 64),
	      "longest names: option 12, 64 characters");
	n = opt_get(r, rlen, 81, o, &ol);
	CHECK(n == 2 && ol == wl && ol == 258 && !memcmp(o, w, wl),
	      "longest names: option 81 of 258 bytes, split (RFC 3396)");
	CHECK(opt_get(r, rlen, 119, o, &ol) >= 1 &&
	      names_decode(o, ol, s, sizeof(s)) == MAXDNSRCH,
	      "longest names: the whole search list too");
	for (i = rlen; i < DHCP_REPLY_MAX && r[i] == 0xee; i++)
		;
	CHECK(i == DHCP_REPLY_MAX, "longest names: nothing written past the "
	      "reply");

	len = mk(m, small, sizeof(small));
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && rlen <= 548 && opt_get(r, rlen, 53, o, &ol) == 1 &&
	      opt_get(r, rlen, 54, o, &ol) == 1 &&
	      opt_get(r, rlen, 51, o, &ol) == 1 &&
	      opt_get(r, rlen, 1, o, &ol) == 1 &&
	      opt_get(r, rlen, 3, o, &ol) == 1,
	      "longest names, no maximum size: fits 576, essentials there");
	CHECK(opt_get(r, rlen, 12, o, &ol) == 1 && ol == 64,
	      "longest names, no maximum size: requested host name first");
	n = opt_get(r, rlen, 81, o, &ol);
	CHECK(n == 0 || (ol == wl && o[0] == 0x0e && !memcmp(o + 1, w + 1,
							      wl - 1)),
	      "longest names, no maximum size: option 81 whole or absent");
	for (i = rlen; i < DHCP_REPLY_MAX && r[i] == 0xee; i++)
		;
	CHECK(i == DHCP_REPLY_MAX, "longest names, no maximum size: nothing "
	      "written past the reply");

	c.mtu = 576;
	len = mk(m, big, sizeof(big));
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && rlen <= 548, "longest names, MTU 576: reply fits");
}

/**
 * test_name_encode() - dns_name_encode(): one name, wire format
 */
static void test_name_encode(void)
{
	const uint8_t want[] = { VM_WIRE };
	uint8_t b[300];
	char name[300];
	size_t n;

	memset(b, 0xee, sizeof(b));
	n = dns_name_encode("vm.example.org", b, sizeof(b));
	CHECK(n == sizeof(want) && !memcmp(b, want, n) && b[n] == 0xee,
	      "dns_name_encode: vm.example.org, byte by byte");
	n = dns_name_encode("vm.example.org.", b, sizeof(b));
	CHECK(n == sizeof(want) && !memcmp(b, want, n),
	      "dns_name_encode: the root's dot is implied");
	CHECK(!dns_name_encode("vm.example.org", b, sizeof(want) - 1),
	      "dns_name_encode: no room, nothing");
	CHECK(!dns_name_encode("", b, sizeof(b)) &&
	      !dns_name_encode(".", b, sizeof(b)) &&
	      !dns_name_encode("a..b", b, sizeof(b)) &&
	      !dns_name_encode(".a", b, sizeof(b)) &&
	      !dns_name_encode("a..", b, sizeof(b)),
	      "dns_name_encode: empty labels rejected");

	memset(name, 'x', 64);
	name[64] = 0;
	CHECK(!dns_name_encode(name, b, sizeof(b)),
	      "dns_name_encode: 64-character label rejected");
	name[63] = 0;
	CHECK(dns_name_encode(name, b, sizeof(b)) == 65 && b[0] == 63 &&
	      !b[64], "dns_name_encode: 63-character label");

	memset(name, 'x', 254);
	name[61] = name[125] = name[189] = '.';
	name[253] = 0;
	CHECK(dns_name_encode(name, b, sizeof(b)) == 255,
	      "dns_name_encode: 253 characters in 255 bytes");
	CHECK(!dns_name_encode(name, b, 254),
	      "dns_name_encode: 255 bytes don't fit in 254");
	name[253] = 'x';
	name[254] = 0;
	CHECK(!dns_name_encode(name, b, sizeof(b)),
	      "dns_name_encode: 254 characters rejected");
}

static void test_request(void)
{
	uint8_t m[1024], r[DHCP_REPLY_MAX], o[1024];
	uint8_t req[] = { 53, 1, 3, 50, 4, 198, 18, 0, 1,
			  54, 4, 198, 18, 0, 2, 255 };
	struct in_addr dst, a;
	size_t len, rlen, ol;

	ctx_init();
	len = mk(m, req, sizeof(req));
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && opt_get(r, rlen, 53, o, &ol) == 1 && o[0] == DHCPACK &&
	      !memcmp(r + OFF_YIADDR, &c.ip4.addr, 4),
	      "REQUEST for our address: ACK");
	CHECK(dst.s_addr == c.ip4.addr.s_addr, "ACK: unicast to yiaddr");

	req[8] = 9;
	rlen = reply_to(m, mk(m, req, sizeof(req)), r, &dst);
	CHECK(rlen && opt_get(r, rlen, 53, o, &ol) == 1 && o[0] == DHCPNAK &&
	      !memcmp(r + OFF_YIADDR, "\0\0\0\0", 4) &&
	      opt_get(r, rlen, 51, o, &ol) == 0 &&
	      opt_get(r, rlen, 54, o, &ol) == 1 &&
	      dst.s_addr == htonl(INADDR_BROADCAST),
	      "REQUEST for another address: NAK, broadcast");
	req[8] = 1;

	req[14] = 9;
	rlen = reply_to(m, mk(m, req, sizeof(req)), r, &dst);
	CHECK(!rlen, "REQUEST for another server: no reply");
	req[14] = 2;

	/* Renewing: ciaddr, no option 50, no server id */
	{
		uint8_t renew[] = { 53, 1, 3, 255 };

		len = mk(m, renew, sizeof(renew));
		memcpy(m + OFF_CIADDR, &c.ip4.addr, 4);
		rlen = reply_to(m, len, r, &dst);
		CHECK(rlen && opt_get(r, rlen, 53, o, &ol) == 1 &&
		      o[0] == DHCPACK && dst.s_addr == c.ip4.addr.s_addr &&
		      !memcmp(r + OFF_CIADDR, &c.ip4.addr, 4),
		      "RENEWING REQUEST: ACK to ciaddr");
		inet_pton(AF_INET, "198.18.0.77", &a);
		memcpy(m + OFF_CIADDR, &a, 4);
		rlen = reply_to(m, len, r, &dst);
		CHECK(rlen && opt_get(r, rlen, 53, o, &ol) == 1 &&
		      o[0] == DHCPNAK && dst.s_addr == htonl(INADDR_BROADCAST),
		      "RENEWING another address: NAK");
	}

	/* INFORM: configuration, no lease, no address */
	{
		uint8_t inform[] = { 53, 1, 8, 255 };

		inet_pton(AF_INET, "198.18.0.77", &a);
		len = mk(m, inform, sizeof(inform));
		memcpy(m + OFF_CIADDR, &a, 4);
		rlen = reply_to(m, len, r, &dst);
		CHECK(rlen && opt_get(r, rlen, 53, o, &ol) == 1 &&
		      o[0] == DHCPACK && opt_get(r, rlen, 51, o, &ol) == 0 &&
		      !memcmp(r + OFF_YIADDR, "\0\0\0\0", 4) &&
		      opt_get(r, rlen, 6, o, &ol) == 1 &&
		      dst.s_addr == a.s_addr,
		      "INFORM: ACK to ciaddr, no lease, DNS");
	}

	{
		uint8_t decl[] = { 53, 1, 4, 255 }, rel[] = { 53, 1, 7, 255 };

		CHECK(!reply_to(m, mk(m, decl, sizeof(decl)), r, &dst),
		      "DECLINE: no reply");
		CHECK(!reply_to(m, mk(m, rel, sizeof(rel)), r, &dst),
		      "RELEASE: no reply");
	}

	/* BOOTP: no message type in, none out */
	{
		uint8_t bootp[] = { 255 };

		rlen = reply_to(m, mk(m, bootp, sizeof(bootp)), r, &dst);
		CHECK(rlen >= BOOTP_MIN_LEN &&
		      opt_get(r, rlen, 53, o, &ol) == 0 &&
		      !memcmp(r + OFF_YIADDR, &c.ip4.addr, 4) &&
		      opt_get(r, rlen, 1, o, &ol) == 1,
		      "BOOTP request: BOOTREPLY with address and options");
	}
}

/* Malformed messages: each is dropped */
static void test_malformed(void)
{
	static const struct {
		const char *what;
		uint8_t opts[16];
		size_t len;
	} bad[] = {
		{ "message type of length 0", { 53, 0, 255 }, 3 },
		{ "message type of length 2", { 53, 2, 1, 1, 255 }, 5 },
		{ "message type 0", { 53, 1, 0, 255 }, 4 },
		{ "message type 9", { 53, 1, 9, 255 }, 4 },
		{ "requested address of 3 bytes",
		  { 53, 1, 3, 50, 3, 1, 2, 3, 255 }, 9 },
		{ "requested address of 5 bytes",
		  { 53, 1, 3, 50, 5, 1, 2, 3, 4, 5, 255 }, 11 },
		{ "server id of 3 bytes", { 53, 1, 3, 54, 3, 1, 2, 3, 255 },
		  9 },
		{ "empty parameter list", { 53, 1, 1, 55, 0, 255 }, 6 },
		{ "maximum size of 1 byte", { 53, 1, 1, 57, 1, 5, 255 }, 7 },
		{ "maximum size of 3 bytes",
		  { 53, 1, 1, 57, 3, 5, 0, 0, 255 }, 9 },
		{ "client id of 1 byte", { 53, 1, 1, 61, 1, 1, 255 }, 7 },
		{ "rapid commit with data", { 53, 1, 1, 80, 1, 0, 255 }, 7 },
		{ "option overload", { 53, 1, 1, 52, 1, 3, 255 }, 7 },
		{ "option past the end by one", { 53, 1, 1, 12, 3, 'a', 'b' },
		  7 },
		{ "option past the end, long", { 53, 1, 1, 12, 255, 'a' }, 6 },
		{ "option code without length", { 53, 1, 1, 12 }, 4 },
		{ "message type without length", { 53 }, 1 },
		{ "message type without value", { 53, 1 }, 2 },
	};
	uint8_t m[1024], r[DHCP_REPLY_MAX];
	struct in_addr dst;
	size_t i, len;

	ctx_init();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		len = mk(m, bad[i].opts, bad[i].len);
		CHECK(!reply_to(m, len, r, &dst), "malformed: %s: dropped",
		      bad[i].what);
	}

	len = mk(m, discover_opts, sizeof(discover_opts));
	m[0] = 2;
	CHECK(!reply_to(m, len, r, &dst), "malformed: BOOTREPLY dropped");
	m[0] = 1;
	m[1] = 6;
	CHECK(!reply_to(m, len, r, &dst), "malformed: htype 6 dropped");
	m[1] = 1;
	m[2] = 16;
	CHECK(!reply_to(m, len, r, &dst), "malformed: hlen 16 dropped");
	m[2] = 6;
	for (i = 0; i < 4; i++) {
		m[OFF_COOKIE + i] ^= 0xff;
		CHECK(!reply_to(m, len, r, &dst),
		      "malformed: bad magic cookie (byte %zu) dropped", i);
		m[OFF_COOKIE + i] ^= 0xff;
	}
	CHECK(reply_to(m, len, r, &dst), "good DISCOVER answered");

	/* Pad options are skipped, the end option ends parsing */
	{
		uint8_t padded[] = { 0, 0, 53, 1, 1, 0, 255, 77, 99 };

		len = mk(m, padded, sizeof(padded));
		CHECK(reply_to(m, len, r, &dst),
		      "pad options and garbage after the end option: fine");
	}
}

/* Every truncation of a good DISCOVER: only option boundaries are valid */
static void test_truncated(void)
{
	uint8_t m[1024], r[DHCP_REPLY_MAX];
	size_t full, l, j, fails = 0, oks = 0;
	struct in_addr dst;

	ctx_init();
	full = mk(m, discover_opts, sizeof(discover_opts));

	for (l = 0; l <= full; l++) {
		bool at_bound = false;
		size_t rlen;

		for (j = 0; j < ARRAY_SIZE(discover_bounds); j++) {
			if (l == DHCP_OPTS_OFF + discover_bounds[j])
				at_bound = true;
		}

		rlen = reply_to(m, l, r, &dst);
		if (!!rlen != at_bound) {
			CHECK(0, "truncated DISCOVER at %zu bytes: %s", l,
			      at_bound ? "should be answered" :
			      "should be dropped");
			fails++;
		} else {
			oks++;
		}
	}
	CHECK(!fails, "%zu truncations of DISCOVER: answered only at option "
	      "boundaries", oks);
}

static void test_entry(void)
{
	uint8_t m[1024];
	size_t len;

	ctx_init();
	len = mk(m, discover_opts, sizeof(discover_opts));

	sent_n = 0;
	CHECK(dhcp(&c, m, len) == 1 && sent_n == 1, "dhcp(): DISCOVER sent");
	CHECK(sent_sport == 67 && sent_dport == 68 &&
	      sent_src.s_addr == c.ip4.gw.s_addr &&
	      sent_dst.s_addr == c.ip4.addr.s_addr && sent_len >= 300,
	      "dhcp(): ports 67 -> 68, from the gateway");

	sent_n = 0;
	CHECK(dhcp(&c, m, 100) == 1 && !sent_n,
	      "dhcp(): short message handled, nothing sent");

	c.no_dhcp = 1;
	sent_n = 0;
	CHECK(dhcp(&c, m, len) == 0 && !sent_n, "--no-dhcp: not handled");

	ctx_init();
	c.ifi4 = 0;
	CHECK(dhcp(&c, m, len) == 0 && !sent_n, "IPv4 disabled: not handled");

	ctx_init();
	c.ip4.gw.s_addr = 0;
	CHECK(dhcp(&c, m, len) == 0 && !sent_n, "no gateway: not handled");
}

/* Following the host: short lease, the guest renews and learns the news */
static void test_follow(void)
{
	uint8_t m[1024], r[DHCP_REPLY_MAX], o[1024];
	uint8_t renew[] = { 53, 1, 3, 255 };
	struct in_addr dst, old;
	size_t len, rlen, ol;

	ctx_init();
	following = true;
	len = mk(m, discover_opts, sizeof(discover_opts));
	rlen = reply_to(m, len, r, &dst);
	CHECK(opt_get(r, rlen, 51, o, &ol) == 1 && ol == 4 &&
	      !memcmp(o, "\x00\x00\x02\x58", 4),
	      "following: OFFER with a lease of 600 s");

	/* The host moved: renewal of the old address, then a new DISCOVER */
	old = c.ip4.addr;
	inet_pton(AF_INET, "198.18.5.1", &c.ip4.addr);
	inet_pton(AF_INET, "198.18.5.2", &c.ip4.gw);
	len = mk(m, renew, sizeof(renew));
	memcpy(m + OFF_CIADDR, &old, 4);
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && opt_get(r, rlen, 53, o, &ol) == 1 && o[0] == DHCPNAK,
	      "following: renewal of the address before the move: NAK");
	len = mk(m, discover_opts, sizeof(discover_opts));
	rlen = reply_to(m, len, r, &dst);
	CHECK(rlen && !memcmp(r + OFF_YIADDR, &c.ip4.addr, 4) &&
	      opt_get(r, rlen, 3, o, &ol) == 1 && ol == 4 &&
	      !memcmp(o, &c.ip4.gw, 4),
	      "following: new DISCOVER: OFFER of the new address, router");

	following = false;
	rlen = reply_to(m, len, r, &dst);
	CHECK(opt_get(r, rlen, 51, o, &ol) == 1 && ol == 4 &&
	      !memcmp(o, "\xff\xff\xff\xff", 4),
	      "not following: infinite lease again");
}

int main(void)
{
	test_encode();
	test_discover();
	test_size();
	test_name_encode();
	test_names();
	test_names_long();
	test_request();
	test_follow();
	test_malformed();
	test_truncated();
	test_entry();

	return unit_done();
}
