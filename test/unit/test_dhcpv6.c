/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_dhcpv6.c - DHCPv6 server: message validation, built replies
 *
 * unit-include: dhcpv6.c
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

/* Catch what dhcpv6() sends instead of going through tap.c, and say
 * whether we follow the host (hostwatch.c) as the test needs
 */
#define tap_udp6_send stub_tap_udp6_send
#define hostwatch_active stub_hostwatch_active
#include "../../dhcpv6.c"
#undef tap_udp6_send
#undef hostwatch_active

static bool following;

/* See hostwatch.h */
bool stub_hostwatch_active(void)
{
	return following;
}

static struct ctx c;
static uint8_t sent[DHCPV6_REPLY_MAX];
static size_t sent_len;
static int sent_n;
static struct in6_addr sent_src, sent_dst;
static uint16_t sent_sport, sent_dport;

/* See tap.h */
void stub_tap_udp6_send(const struct ctx *ctx, const struct in6_addr *src,
			uint16_t sport, const struct in6_addr *dst,
			uint16_t dport, uint32_t flow, const void *payload,
			size_t len)
{
	(void)ctx;
	(void)flow;
	sent_n++;
	sent_src = *src;
	sent_dst = *dst;
	sent_sport = sport;
	sent_dport = dport;
	sent_len = MIN(len, sizeof(sent));
	memcpy(sent, payload, sent_len);
}

static struct in6_addr guest_ll, other, offlink;
static const uint8_t our_duid[] = { 0, 3, 0, 1, 0x9a, 0x9a, 0x9a, 0x9a,
				    0x9a, 0x9a };
static const uint8_t client_duid[] = { 0, 3, 0, 1, 2, 0x11, 0x22, 0x33, 0x44,
				       0x55 };

/**
 * ctx_init() - Configuration used by most checks: unit_ctx_init() with one
 *		IPv6 resolver, and our DUID
 */
static void ctx_init(void)
{
	unit_ctx_init(&c);
	memset(&c.ip6.dns[1], 0, sizeof(c.ip6.dns[1]));
	dhcpv6_init(&c);
}

/**
 * struct msg - Message under construction
 * @b:		Bytes
 * @len:	Length
 */
struct msg {
	uint8_t b[2048];
	size_t len;
};

static void m_start(struct msg *m, uint8_t type)
{
	m->b[0] = type;
	m->b[1] = 0xab;
	m->b[2] = 0xcd;
	m->b[3] = 0xef;
	m->len = 4;
}

static void m_opt(struct msg *m, uint16_t code, const void *data, size_t len)
{
	m->b[m->len++] = code >> 8;
	m->b[m->len++] = code & 0xff;
	m->b[m->len++] = len >> 8;
	m->b[m->len++] = len & 0xff;
	if (len)
		memcpy(m->b + m->len, data, len);
	m->len += len;
}

/* IA_NA body: IAID, T1, T2, optionally one IAADDR */
static size_t ia_na(uint8_t *b, uint32_t iaid, const struct in6_addr *a)
{
	memset(b, 0, 12);
	b[0] = iaid >> 24;
	b[1] = (iaid >> 16) & 0xff;
	b[2] = (iaid >> 8) & 0xff;
	b[3] = iaid & 0xff;
	if (!a)
		return 12;
	b[12] = 0;
	b[13] = OPT_IAADDR;
	b[14] = 0;
	b[15] = 24;
	memcpy(b + 16, a, 16);
	memset(b + 32, 0, 8);
	return 40;
}

/**
 * find() - Find an option in an option area
 * @p:		Option area
 * @len:	Length of @p
 * @code:	Option code
 * @nth:	Which instance, from 0
 * @olen:	Option data length, set here
 *
 * Return: option data, NULL if absent or malformed
 */
static const uint8_t *find(const uint8_t *p, size_t len, uint16_t code,
			   int nth, size_t *olen)
{
	size_t off = 0;

	while (off + 4 <= len) {
		uint16_t oc = get_u16(p + off);
		size_t l = get_u16(p + off + 2);

		if (off + 4 + l > len)
			return NULL;
		if (oc == code && !nth--) {
			*olen = l;
			return p + off + 4;
		}
		off += 4 + l;
	}
	return NULL;
}

/**
 * status_of() - Status code in an option area
 * @p:		Option area
 * @len:	Length of @p
 *
 * Return: status code, -1 if there's none
 */
static int status_of(const uint8_t *p, size_t len)
{
	const uint8_t *s;
	size_t l;

	s = find(p, len, OPT_STATUS_CODE, 0, &l);
	return s && l >= 2 ? get_u16(s) : -1;
}

static size_t build(const struct msg *m, uint8_t *r)
{
	memset(r, 0xee, DHCPV6_REPLY_MAX);
	return dhcpv6_build(&c, m->b, m->len, r);
}

/**
 * solicit() - Good SOLICIT: client id, IA_NA, ORO, elapsed time
 * @m:		Message to fill
 * @bounds:	Option boundaries, set here (5 entries)
 */
static void solicit(struct msg *m, size_t *bounds)
{
	uint8_t ia[64], oro[] = { 0, 23, 0, 24 }, el[2] = { 0, 0 };

	m_start(m, SOLICIT);
	if (bounds)
		bounds[0] = m->len;
	m_opt(m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	if (bounds)
		bounds[1] = m->len;
	m_opt(m, OPT_IA_NA, ia, ia_na(ia, 0x01020304, NULL));
	if (bounds)
		bounds[2] = m->len;
	m_opt(m, OPT_ORO, oro, sizeof(oro));
	if (bounds)
		bounds[3] = m->len;
	m_opt(m, OPT_ELAPSED_TIME, el, sizeof(el));
	if (bounds)
		bounds[4] = m->len;
}

static void test_solicit(void)
{
	uint8_t r[DHCPV6_REPLY_MAX];
	const uint8_t *o, *ia, *a;
	struct msg m;
	size_t rlen, ol, il, al;

	ctx_init();
	solicit(&m, NULL);
	rlen = build(&m, r);
	CHECK(rlen > 4 && r[0] == ADVERTISE, "SOLICIT: ADVERTISE");
	CHECK(!memcmp(r + 1, "\xab\xcd\xef", 3), "ADVERTISE: transaction id");
	o = find(r + 4, rlen - 4, OPT_SERVERID, 0, &ol);
	CHECK(o && ol == sizeof(our_duid) && !memcmp(o, our_duid, ol),
	      "ADVERTISE: server id, DUID-LL of our MAC");
	o = find(r + 4, rlen - 4, OPT_CLIENTID, 0, &ol);
	CHECK(o && ol == sizeof(client_duid) && !memcmp(o, client_duid, ol),
	      "ADVERTISE: client id echoed");
	o = find(r + 4, rlen - 4, OPT_PREFERENCE, 0, &ol);
	CHECK(o && ol == 1 && o[0] == 255, "ADVERTISE: preference 255");
	CHECK(!find(r + 4, rlen - 4, OPT_RAPID_COMMIT, 0, &ol),
	      "ADVERTISE: no rapid commit");

	ia = find(r + 4, rlen - 4, OPT_IA_NA, 0, &il);
	CHECK(ia && il >= 12 + 28 && !memcmp(ia, "\1\2\3\4", 4),
	      "ADVERTISE: IA_NA with the client's IAID");
	CHECK(ia && !memcmp(ia + 4, "\xff\xff\xff\xff\xff\xff\xff\xff", 8),
	      "ADVERTISE: T1, T2 infinite");
	a = ia ? find(ia + 12, il - 12, OPT_IAADDR, 0, &al) : NULL;
	CHECK(a && al == 24 && !memcmp(a, &c.ip6.addr, 16) &&
	      !memcmp(a + 16, "\xff\xff\xff\xff\xff\xff\xff\xff", 8),
	      "ADVERTISE: IAADDR with the guest's address, infinite");
	CHECK(ia && status_of(ia + 12, il - 12) == -1,
	      "ADVERTISE: no error status in the IA");

	o = find(r + 4, rlen - 4, OPT_DNS_SERVERS, 0, &ol);
	CHECK(o && ol == 16 && !memcmp(o, &c.ip6.dns[0], 16),
	      "ADVERTISE: DNS servers");
	o = find(r + 4, rlen - 4, OPT_DOMAIN_LIST, 0, &ol);
	CHECK(o && ol == 19 && !memcmp(o, "\7example\3org\0\4test\0", 19),
	      "ADVERTISE: domain list, uncompressed");

	/* Rapid commit */
	m_opt(&m, OPT_RAPID_COMMIT, NULL, 0);
	rlen = build(&m, r);
	CHECK(rlen && r[0] == REPLY &&
	      find(r + 4, rlen - 4, OPT_RAPID_COMMIT, 0, &ol) && !ol &&
	      find(r + 4, rlen - 4, OPT_IA_NA, 0, &il),
	      "SOLICIT with rapid commit: REPLY with rapid commit, IA_NA");

	/* Identifier rules */
	solicit(&m, NULL);
	m_opt(&m, OPT_SERVERID, our_duid, sizeof(our_duid));
	CHECK(!build(&m, r), "SOLICIT with a server id: dropped");
	m_start(&m, SOLICIT);
	{
		uint8_t b[64];

		m_opt(&m, OPT_IA_NA, b, ia_na(b, 1, NULL));
	}
	CHECK(!build(&m, r), "SOLICIT without client id: dropped");

	/* ORO without DNS options: none sent; no ORO: both sent */
	{
		uint8_t b[64], oro[] = { 0, 82 };

		m_start(&m, SOLICIT);
		m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
		m_opt(&m, OPT_IA_NA, b, ia_na(b, 1, NULL));
		rlen = build(&m, r);
		CHECK(rlen && find(r + 4, rlen - 4, OPT_DNS_SERVERS, 0, &ol) &&
		      find(r + 4, rlen - 4, OPT_DOMAIN_LIST, 0, &ol),
		      "no option request: DNS options sent");
		m_opt(&m, OPT_ORO, oro, sizeof(oro));
		rlen = build(&m, r);
		CHECK(rlen && !find(r + 4, rlen - 4, OPT_DNS_SERVERS, 0, &ol) &&
		      !find(r + 4, rlen - 4, OPT_DOMAIN_LIST, 0, &ol),
		      "option request without DNS options: none sent");
	}

	/* Two IA_NA, IA_TA, IA_PD */
	{
		uint8_t b[64];
		const uint8_t *ia2, *ta, *pd;
		size_t l2, tl, pl;

		m_start(&m, SOLICIT);
		m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
		m_opt(&m, OPT_IA_NA, b, ia_na(b, 1, NULL));
		m_opt(&m, OPT_IA_NA, b, ia_na(b, 2, NULL));
		m_opt(&m, OPT_IA_TA, b, 4);
		m_opt(&m, OPT_IA_PD, b, 12);
		rlen = build(&m, r);
		ia = find(r + 4, rlen - 4, OPT_IA_NA, 0, &il);
		ia2 = find(r + 4, rlen - 4, OPT_IA_NA, 1, &l2);
		ta = find(r + 4, rlen - 4, OPT_IA_TA, 0, &tl);
		pd = find(r + 4, rlen - 4, OPT_IA_PD, 0, &pl);
		CHECK(ia && find(ia + 12, il - 12, OPT_IAADDR, 0, &al) &&
		      ia2 && !find(ia2 + 12, l2 - 12, OPT_IAADDR, 0, &al) &&
		      status_of(ia2 + 12, l2 - 12) == STATUS_NOADDRSAVAIL,
		      "two IA_NA: address in the first, NoAddrsAvail second");
		CHECK(ta && status_of(ta + 4, tl - 4) == STATUS_NOADDRSAVAIL,
		      "IA_TA: NoAddrsAvail");
		CHECK(pd && status_of(pd + 12, pl - 12) ==
		      STATUS_NOPREFIXAVAIL, "IA_PD: NoPrefixAvail");

		m_start(&m, SOLICIT);
		m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
		m_opt(&m, OPT_IA_PD, b, 12);
		rlen = build(&m, r);
		CHECK(rlen && status_of(r + 4, rlen - 4) ==
		      STATUS_NOADDRSAVAIL,
		      "SOLICIT without IA_NA: NoAddrsAvail status");
	}
}

/* Wire format of "vm.example.org" (RFC 1035 3.1) */
#define VM_WIRE	2, 'v', 'm', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', \
		3, 'o', 'r', 'g', 0

/* Expected option 39 data: flags, then the name */
static const uint8_t want_n[] = { 0x04, VM_WIRE };
static const uint8_t want_n_o[] = { 0x06, VM_WIRE };

/**
 * struct fqdn_case - Client FQDN option in one reply
 * @desc:	Description
 * @type:	Message type
 * @oro39:	Ask for option 39 in the ORO
 * @send39:	Send option 39 with these flags, -1: don't send it
 * @fqdn:	--fqdn, or NULL
 * @reply:	Expected reply type
 * @want:	Expected option 39 data, NULL if absent
 * @want_len:	Length of @want
 */
struct fqdn_case {
	const char *desc;
	uint8_t type;
	bool oro39;
	int send39;
	const char *fqdn;
	uint8_t reply;
	const uint8_t *want;
	size_t want_len;
};

#define WANT39(x)	x, sizeof(x)

static const struct fqdn_case fqdn_cases[] = {
	{ "no --fqdn: SOLICIT with 39, asked for", SOLICIT, true, 0x01,
	  NULL, ADVERTISE, NULL, 0 },
	{ "--fqdn: SOLICIT asking for S: N and O set", SOLICIT, true, 0x01,
	  "vm.example.org", ADVERTISE, WANT39(want_n_o) },
	{ "--fqdn: SOLICIT, no flags: N set", SOLICIT, true, 0x00,
	  "vm.example.org", ADVERTISE, WANT39(want_n) },
	{ "--fqdn: SOLICIT, client N: N set, no O", SOLICIT, true, 0x04,
	  "vm.example.org", ADVERTISE, WANT39(want_n) },
	{ "--fqdn: REQUEST asking for S: N and O set", REQUEST, true, 0x01,
	  "vm.example.org", REPLY, WANT39(want_n_o) },
	{ "--fqdn: RENEW", RENEW, true, 0x00,
	  "vm.example.org", REPLY, WANT39(want_n) },
	{ "--fqdn: REBIND", REBIND, true, 0x00,
	  "vm.example.org", REPLY, WANT39(want_n) },
	{ "--fqdn: 39 sent but not in the ORO: not sent", SOLICIT, false,
	  0x01, "vm.example.org", ADVERTISE, NULL, 0 },
	{ "--fqdn: 39 in the ORO but not sent: not sent", SOLICIT, true, -1,
	  "vm.example.org", ADVERTISE, NULL, 0 },
	{ "--fqdn: RELEASE gets no FQDN", RELEASE, true, 0x00,
	  "vm.example.org", REPLY, NULL, 0 },
};

/**
 * fqdn_msg() - Build a message for a struct fqdn_case
 * @m:		Message to fill
 * @t:		Case
 */
static void fqdn_msg(struct msg *m, const struct fqdn_case *t)
{
	uint8_t b[64], oro[] = { 0, 23, 0, 24, 0, 39 };
	uint8_t f[] = { 0, 2, 'v', 'm', 0 };

	m_start(m, t->type);
	m_opt(m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	if (t->type != SOLICIT && t->type != REBIND)
		m_opt(m, OPT_SERVERID, our_duid, sizeof(our_duid));
	m_opt(m, OPT_IA_NA, b, ia_na(b, 7, t->type == SOLICIT ? NULL :
				     &c.ip6.addr));
	m_opt(m, OPT_ORO, oro, t->oro39 ? sizeof(oro) : 4);
	if (t->send39 >= 0) {
		f[0] = t->send39;
		m_opt(m, OPT_CLIENT_FQDN, f, sizeof(f));
	}
}

/**
 * test_fqdn() - Client FQDN option, table-driven, and the longest names
 */
static void test_fqdn(void)
{
	uint8_t r[DHCPV6_REPLY_MAX], w[300];
	size_t rlen, ol, i, wl = 0;
	const uint8_t *o;
	struct msg m;
	int mtu;

	for (i = 0; i < ARRAY_SIZE(fqdn_cases); i++) {
		const struct fqdn_case *t = &fqdn_cases[i];

		ctx_init();
		if (t->fqdn)
			strcpy(c.fqdn, t->fqdn);
		strcpy(c.hostname, "vm");	/* not for DHCPv6 */
		fqdn_msg(&m, t);
		rlen = build(&m, r);
		if (!CHECK(rlen && r[0] == t->reply, "%s: reply type %u",
			   t->desc, t->reply))
			continue;
		o = find(r + 4, rlen - 4, OPT_CLIENT_FQDN, 0, &ol);
		if (t->want)
			CHECK(o && ol == t->want_len &&
			      !memcmp(o, t->want, ol) &&
			      !find(r + 4, rlen - 4, OPT_CLIENT_FQDN, 1, &ol),
			      "%s: option 39 once, byte by byte", t->desc);
		else
			CHECK(!o, "%s: no option 39", t->desc);
	}

	/* An empty option 39 is malformed: at least the flags */
	ctx_init();
	strcpy(c.fqdn, "vm.example.org");
	m_start(&m, SOLICIT);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_CLIENT_FQDN, NULL, 0);
	CHECK(!build(&m, r), "empty option 39: dropped");

	/* Longest FQDN, longest search list: bounded, nothing lost */
	ctx_init();
	for (i = 0; i < MAXDNSRCH; i++) {
		memset(c.dns_search[i].n, 'a' + i, 250);
		c.dns_search[i].n[50] = c.dns_search[i].n[100] = '.';
		c.dns_search[i].n[150] = c.dns_search[i].n[200] = '.';
		c.dns_search[i + 1].n[0] = 0;
	}
	memset(c.hostname, 'h', 64);
	w[wl++] = 0x06;
	wl += unit_fqdn_longest(c.fqdn, w + wl);

	for (mtu = 65520; mtu; mtu = mtu == 65520 ? 1280 : 0) {
		size_t max = MIN(DHCPV6_REPLY_MAX, mtu - 48);

		c.mtu = mtu;
		fqdn_msg(&m, &fqdn_cases[1]);
		rlen = build(&m, r);
		CHECK(rlen && rlen <= max,
		      "longest names, MTU %d: reply of %zu bytes, at most %zu",
		      mtu, rlen, max);
		o = rlen ? find(r + 4, rlen - 4, OPT_CLIENT_FQDN, 0, &ol) :
			   NULL;
		CHECK(o && ol == 256 && !memcmp(o, w, wl),
		      "longest names, MTU %d: option 39 of 256 bytes, byte by "
		      "byte", mtu);
		o = rlen ? find(r + 4, rlen - 4, OPT_DOMAIN_LIST, 0, &ol) :
			   NULL;
		CHECK(o && ol, "longest names, MTU %d: domain list in what's "
		      "left", mtu);
		CHECK(rlen && find(r + 4, rlen - 4, OPT_IA_NA, 0, &ol) &&
		      find(r + 4, rlen - 4, OPT_DNS_SERVERS, 0, &ol),
		      "longest names, MTU %d: address, DNS servers there",
		      mtu);
		/* The domain list may try names that don't fit in the
		 * scratch room before the limit: nothing beyond it, though
		 */
		for (i = max < DHCPV6_REPLY_MAX ? max : rlen;
		     i < DHCPV6_REPLY_MAX && r[i] == 0xee; i++)
			;
		CHECK(i == DHCPV6_REPLY_MAX,
		      "longest names, MTU %d: nothing written past %s", mtu,
		      max < DHCPV6_REPLY_MAX ? "the limit" : "the reply");
	}
}

static void test_others(void)
{
	uint8_t r[DHCPV6_REPLY_MAX], b[128];
	const uint8_t *ia, *a;
	struct msg m;
	size_t rlen, il, al;
	uint32_t life;

	ctx_init();

	/* REQUEST */
	m_start(&m, REQUEST);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_SERVERID, our_duid, sizeof(our_duid));
	m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, &c.ip6.addr));
	rlen = build(&m, r);
	ia = rlen ? find(r + 4, rlen - 4, OPT_IA_NA, 0, &il) : NULL;
	a = ia ? find(ia + 12, il - 12, OPT_IAADDR, 0, &al) : NULL;
	CHECK(rlen && r[0] == REPLY && a && !memcmp(a, &c.ip6.addr, 16) &&
	      find(r + 4, rlen - 4, OPT_DNS_SERVERS, 0, &al),
	      "REQUEST: REPLY with address and DNS");

	m_start(&m, REQUEST);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_SERVERID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, NULL));
	CHECK(!build(&m, r), "REQUEST for another server: dropped");
	m_start(&m, REQUEST);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, NULL));
	CHECK(!build(&m, r), "REQUEST without server id: dropped");

	/* RENEW, REBIND: our address kept, another one ended */
	m_start(&m, RENEW);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_SERVERID, our_duid, sizeof(our_duid));
	m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, &c.ip6.addr));
	rlen = build(&m, r);
	ia = rlen ? find(r + 4, rlen - 4, OPT_IA_NA, 0, &il) : NULL;
	a = ia ? find(ia + 12, il - 12, OPT_IAADDR, 0, &al) : NULL;
	CHECK(rlen && r[0] == REPLY && a && !memcmp(a, &c.ip6.addr, 16) &&
	      !find(ia + 12, il - 12, OPT_IAADDR, 1, &al),
	      "RENEW of our address: REPLY with it, once");

	m_start(&m, REBIND);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, &other));
	rlen = build(&m, r);
	ia = rlen ? find(r + 4, rlen - 4, OPT_IA_NA, 0, &il) : NULL;
	a = ia ? find(ia + 12, il - 12, OPT_IAADDR, 1, &al) : NULL;
	memcpy(&life, a ? a + 16 : (const uint8_t *)"\1\1\1\1", 4);
	CHECK(rlen && r[0] == REPLY && a && !memcmp(a, &other, 16) && !life &&
	      !memcmp(find(ia + 12, il - 12, OPT_IAADDR, 0, &al),
		      &c.ip6.addr, 16),
	      "REBIND of another address: ours, the other with lifetime 0");
	m_opt(&m, OPT_SERVERID, our_duid, sizeof(our_duid));
	CHECK(!build(&m, r), "REBIND with a server id: dropped");

	/* CONFIRM */
	m_start(&m, CONFIRM);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, &other));
	rlen = build(&m, r);
	CHECK(rlen && r[0] == REPLY &&
	      status_of(r + 4, rlen - 4) == STATUS_SUCCESS,
	      "CONFIRM of an on-link address: Success");
	m_start(&m, CONFIRM);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, &offlink));
	rlen = build(&m, r);
	CHECK(rlen && status_of(r + 4, rlen - 4) == STATUS_NOTONLINK,
	      "CONFIRM of an off-link address: NotOnLink");
	m_start(&m, CONFIRM);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, NULL));
	CHECK(!build(&m, r), "CONFIRM without addresses: no reply");

	/* RELEASE, DECLINE */
	m_start(&m, RELEASE);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_SERVERID, our_duid, sizeof(our_duid));
	m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, &c.ip6.addr));
	rlen = build(&m, r);
	CHECK(rlen && r[0] == REPLY &&
	      status_of(r + 4, rlen - 4) == STATUS_SUCCESS &&
	      !find(r + 4, rlen - 4, OPT_DNS_SERVERS, 0, &al),
	      "RELEASE: Success");
	m.b[0] = DECLINE;
	rlen = build(&m, r);
	CHECK(rlen && r[0] == REPLY &&
	      status_of(r + 4, rlen - 4) == STATUS_SUCCESS, "DECLINE: Success");

	/* INFORMATION-REQUEST */
	m_start(&m, INFORMATION_REQUEST);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	rlen = build(&m, r);
	CHECK(rlen && r[0] == REPLY &&
	      find(r + 4, rlen - 4, OPT_DNS_SERVERS, 0, &al) &&
	      find(r + 4, rlen - 4, OPT_DOMAIN_LIST, 0, &al) &&
	      !find(r + 4, rlen - 4, OPT_IA_NA, 0, &al),
	      "INFORMATION-REQUEST: DNS options, no address");
	m_start(&m, INFORMATION_REQUEST);
	rlen = build(&m, r);
	CHECK(rlen && r[0] == REPLY &&
	      !find(r + 4, rlen - 4, OPT_CLIENTID, 0, &al),
	      "INFORMATION-REQUEST without client id: answered");
	m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, NULL));
	CHECK(!build(&m, r), "INFORMATION-REQUEST with IA_NA: dropped");

	/* DNS knobs */
	c.no_dhcp_dns = 1;
	m_start(&m, INFORMATION_REQUEST);
	rlen = build(&m, r);
	CHECK(rlen && !find(r + 4, rlen - 4, OPT_DNS_SERVERS, 0, &al) &&
	      find(r + 4, rlen - 4, OPT_DOMAIN_LIST, 0, &al),
	      "--no-dhcp-dns: no DNS servers");
	ctx_init();
	c.no_dhcp_dns_search = 1;
	rlen = build(&m, r);
	CHECK(rlen && find(r + 4, rlen - 4, OPT_DNS_SERVERS, 0, &al) &&
	      !find(r + 4, rlen - 4, OPT_DOMAIN_LIST, 0, &al),
	      "--no-dhcp-search: no domain list");
	ctx_init();
	c.no_dns = c.no_dns_search = 1;
	rlen = build(&m, r);
	CHECK(rlen && !find(r + 4, rlen - 4, OPT_DNS_SERVERS, 0, &al) &&
	      !find(r + 4, rlen - 4, OPT_DOMAIN_LIST, 0, &al),
	      "-D none -S none: no DNS options");

	/* Types a client doesn't send */
	{
		static const uint8_t types[] = { 0, ADVERTISE, REPLY, 10, 12,
						 13, 255 };
		size_t i;

		ctx_init();
		for (i = 0; i < ARRAY_SIZE(types); i++) {
			solicit(&m, NULL);
			m.b[0] = types[i];
			CHECK(!build(&m, r), "message type %u: dropped",
			      types[i]);
		}
	}
}

static void test_malformed(void)
{
	static const struct {
		const char *what;
		uint16_t code;
		uint8_t data[48];
		size_t len;
	} bad[] = {
		{ "client id of 2 bytes", OPT_CLIENTID, { 0, 3 }, 2 },
		{ "client id of 131 bytes", OPT_CLIENTID, { 0 }, 131 },
		{ "second client id", OPT_CLIENTID, { 0, 3, 0, 1, 1, 2 }, 6 },
		{ "IA_NA of 11 bytes", OPT_IA_NA, { 0 }, 11 },
		{ "IA_TA of 3 bytes", OPT_IA_TA, { 0 }, 3 },
		{ "IA_PD of 11 bytes", OPT_IA_PD, { 0 }, 11 },
		{ "IAADDR of 23 bytes in IA_NA", OPT_IA_NA,
		  { [13] = OPT_IAADDR, [15] = 23 }, 12 + 4 + 23 },
		{ "IAADDR running past IA_NA", OPT_IA_NA,
		  { [13] = OPT_IAADDR, [15] = 24 }, 12 + 4 + 20 },
		{ "half an option header in IA_NA", OPT_IA_NA,
		  { [13] = OPT_IAADDR }, 12 + 2 },
		{ "status code of 1 byte in IA_NA", OPT_IA_NA,
		  { [13] = OPT_STATUS_CODE, [15] = 1 }, 12 + 4 + 1 },
		{ "IAPREFIX of 24 bytes in IA_PD", OPT_IA_PD,
		  { [13] = OPT_IAPREFIX, [15] = 24 }, 12 + 4 + 24 },
		{ "option request of odd length", OPT_ORO, { 0, 23, 0 }, 3 },
		{ "elapsed time of 3 bytes", OPT_ELAPSED_TIME, { 0 }, 3 },
		{ "elapsed time of 1 byte", OPT_ELAPSED_TIME, { 0 }, 1 },
		{ "rapid commit with data", OPT_RAPID_COMMIT, { 0 }, 1 },
		{ "server id of 131 bytes", OPT_SERVERID, { 0 }, 131 },
	};
	uint8_t r[DHCPV6_REPLY_MAX];
	size_t i, l, bounds[5], wrong = 0;
	struct msg m;

	ctx_init();
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t big[160] = { 0 };

		solicit(&m, NULL);
		memcpy(big, bad[i].data, sizeof(bad[i].data));
		m_opt(&m, bad[i].code, big, bad[i].len);
		CHECK(!build(&m, r), "malformed: %s: dropped", bad[i].what);
	}

	/* Top-level option running past the end, or half a header */
	solicit(&m, bounds);
	m.b[bounds[3] + 3] += 1;	/* elapsed time length + 1 */
	CHECK(!build(&m, r), "malformed: last option past the end: dropped");
	solicit(&m, NULL);
	m.b[m.len++] = 0;
	m.b[m.len++] = 8;
	m.b[m.len++] = 0;
	CHECK(!build(&m, r), "malformed: 3 trailing bytes: dropped");

	/* Every truncation of a good SOLICIT: answered only at option
	 * boundaries after the client id
	 */
	solicit(&m, bounds);
	for (l = 0; l <= m.len; l++) {
		bool ok = l == bounds[1] || l == bounds[2] ||
			  l == bounds[3] || l == bounds[4];

		if (!!dhcpv6_build(&c, m.b, l, r) != ok) {
			CHECK(0, "SOLICIT truncated to %zu bytes: %s", l,
			      ok ? "should be answered" : "should be dropped");
			wrong++;
		}
	}
	CHECK(!wrong, "SOLICIT truncated at every length (%zu): answered only "
	      "at option boundaries", m.len + 1);

	/* Same for a REQUEST with an address inside IA_NA */
	{
		uint8_t b[64];
		size_t bd[4];

		m_start(&m, REQUEST);
		m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
		m_opt(&m, OPT_SERVERID, our_duid, sizeof(our_duid));
		bd[0] = m.len;
		m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, &c.ip6.addr));
		bd[1] = m.len;
		wrong = 0;
		for (l = bd[0] + 1; l < bd[1]; l++) {
			if (dhcpv6_build(&c, m.b, l, r)) {
				CHECK(0, "REQUEST truncated to %zu bytes", l);
				wrong++;
			}
		}
		CHECK(!wrong && dhcpv6_build(&c, m.b, bd[0], r) &&
		      dhcpv6_build(&c, m.b, bd[1], r),
		      "REQUEST truncated inside IA_NA: dropped");
	}
}

static void test_entry(void)
{
	struct msg m;

	ctx_init();
	solicit(&m, NULL);
	sent_n = 0;
	CHECK(dhcpv6(&c, &guest_ll, &other, m.b, m.len) == 1 && sent_n == 1,
	      "dhcpv6(): SOLICIT answered");
	CHECK(sent_sport == 547 && sent_dport == 546 &&
	      IN6_ARE_ADDR_EQUAL(&sent_dst, &guest_ll) &&
	      IN6_ARE_ADDR_EQUAL(&sent_src, &c.ip6.our_tap_ll),
	      "dhcpv6(): from our link-local port 547 to the client, 546");

	sent_n = 0;
	CHECK(dhcpv6(&c, &guest_ll, &other, m.b, 3) == 1 && !sent_n,
	      "dhcpv6(): short message handled, nothing sent");

	c.no_dhcpv6 = 1;
	CHECK(dhcpv6(&c, &guest_ll, &other, m.b, m.len) == 0 && !sent_n,
	      "--no-dhcpv6: not handled");
	ctx_init();
	c.ifi6 = 0;
	CHECK(dhcpv6(&c, &guest_ll, &other, m.b, m.len) == 0 && !sent_n,
	      "IPv6 disabled: not handled");
}

/* Following the host: finite T1 and T2, renewal after a move */
static void test_follow(void)
{
	uint8_t r[DHCPV6_REPLY_MAX], b[64];
	const uint8_t *ia, *a0, *a1;
	struct in6_addr old;
	uint32_t life;
	struct msg m;
	size_t rlen, il, al;

	ctx_init();
	following = true;
	solicit(&m, NULL);
	rlen = build(&m, r);
	ia = rlen > 4 ? find(r + 4, rlen - 4, OPT_IA_NA, 0, &il) : NULL;
	CHECK(ia && il >= 12 &&
	      !memcmp(ia + 4, "\0\0\x01\x2c\0\0\x01\xe0", 8),
	      "following: ADVERTISE with T1 300 s, T2 480 s");

	/* The host moved: the old address ends, the new one comes */
	old = c.ip6.addr;
	inet_pton(AF_INET6, "2001:db8:7::1", &c.ip6.addr);
	m_start(&m, RENEW);
	m_opt(&m, OPT_CLIENTID, client_duid, sizeof(client_duid));
	m_opt(&m, OPT_SERVERID, our_duid, sizeof(our_duid));
	m_opt(&m, OPT_IA_NA, b, ia_na(b, 7, &old));
	rlen = build(&m, r);
	ia = rlen > 4 ? find(r + 4, rlen - 4, OPT_IA_NA, 0, &il) : NULL;
	a0 = ia ? find(ia + 12, il - 12, OPT_IAADDR, 0, &al) : NULL;
	a1 = ia ? find(ia + 12, il - 12, OPT_IAADDR, 1, &al) : NULL;
	memcpy(&life, a1 ? a1 + 16 : (const uint8_t *)"\1\1\1\1", 4);
	CHECK(rlen && r[0] == REPLY && a0 && !memcmp(a0, &c.ip6.addr, 16),
	      "following: RENEW after a move: the new address");
	CHECK(a1 && !memcmp(a1, &old, 16) && !life,
	      "following: RENEW after a move: old address with lifetime 0");

	following = false;
	solicit(&m, NULL);
	rlen = build(&m, r);
	ia = rlen > 4 ? find(r + 4, rlen - 4, OPT_IA_NA, 0, &il) : NULL;
	CHECK(ia && il >= 12 &&
	      !memcmp(ia + 4, "\xff\xff\xff\xff\xff\xff\xff\xff", 8),
	      "not following: T1, T2 infinite again");
}

int main(void)
{
	inet_pton(AF_INET6, "fe80::2:11ff:fe22:3344", &guest_ll);
	inet_pton(AF_INET6, "2001:db8:1::77", &other);
	inet_pton(AF_INET6, "2001:db8:5::1", &offlink);

	test_solicit();
	test_others();
	test_follow();
	test_fqdn();
	test_malformed();
	test_entry();

	return unit_done();
}
