/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dhcpv6.c - DHCPv6 server: stateful, one address, DNS options
 *
 * The guest gets exactly the address it's configured with (by default the
 * host's own), with infinite lifetimes, so nothing needs to be stored: any
 * message is answered from the configuration (RFC 8415, DNS options from
 * RFC 3646, client FQDN from RFC 4704). While we follow the host's
 * configuration (hostwatch.c), T1 and T2 are finite, so that the guest
 * renews and learns about a new address: the old one then gets lifetimes
 * of zero.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <linux/if_ether.h>

#include "passt.h"
#include "tap.h"
#include "log.h"
#include "util.h"
#include "dhcp.h"
#include "dhcpv6.h"
#include "hostwatch.h"

/* The prefix we advertise for the guest's address, as NDP does */
#define DHCPV6_PREFIX_LEN	64

/* Message types */
#define SOLICIT			1
#define ADVERTISE		2
#define REQUEST			3
#define CONFIRM			4
#define RENEW			5
#define REBIND			6
#define REPLY			7
#define RELEASE			8
#define DECLINE			9
#define INFORMATION_REQUEST	11

/* Option codes */
#define OPT_CLIENTID		1
#define OPT_SERVERID		2
#define OPT_IA_NA		3
#define OPT_IA_TA		4
#define OPT_IAADDR		5
#define OPT_ORO			6
#define OPT_PREFERENCE		7
#define OPT_ELAPSED_TIME	8
#define OPT_STATUS_CODE		13
#define OPT_RAPID_COMMIT	14
#define OPT_DNS_SERVERS		23
#define OPT_DOMAIN_LIST		24
#define OPT_IA_PD		25
#define OPT_IAPREFIX		26
#define OPT_CLIENT_FQDN		39

/* Client FQDN flags (RFC 4704, 4.1) */
#define FQDN_S			0x01	/* server does AAAA RR updates */
#define FQDN_O			0x02	/* server overrode the client's S */
#define FQDN_N			0x04	/* server does no updates at all */

/* Status codes */
#define STATUS_SUCCESS		0
#define STATUS_NOADDRSAVAIL	2
#define STATUS_NOBINDING	3
#define STATUS_NOTONLINK	4
#define STATUS_NOPREFIXAVAIL	6

/* A DUID is a 2-byte type and at most 128 bytes more (RFC 8415, 11.1) */
#define DUID_MAX_LEN		130
#define DUID_TYPE_LL		3
#define HWTYPE_ETHER		1

#define LIFETIME_INFINITE	0xffffffff

/* Identity associations we look at in one message, addresses per IA */
#define IA_MAX			8
#define IA_ADDR_MAX		4

#define DHCPV6_REPLY_MAX	4096

static uint8_t dhcpv6_duid[DUID_MAX_LEN];
static size_t dhcpv6_duid_len;

/**
 * struct dhcpv6_ia - One identity association in a client message
 * @code:	OPT_IA_NA, OPT_IA_TA or OPT_IA_PD
 * @body:	Option body (IAID first)
 * @len:	Length of @body
 */
struct dhcpv6_ia {
	uint16_t code;
	const uint8_t *body;
	size_t len;
};

/**
 * struct dhcpv6_req - Parsed client message
 * @type:	Message type
 * @client_id:	Client identifier (DUID), NULL if absent
 * @client_id_len: Length of @client_id
 * @server_id:	Server identifier, NULL if absent
 * @server_id_len: Length of @server_id
 * @rapid_commit: Rapid commit option present
 * @oro:	Option request option present
 * @want_dns:	ORO asks for DNS servers
 * @want_search: ORO asks for the domain list
 * @want_fqdn:	ORO asks for the client FQDN option
 * @fqdn:	Client FQDN option present
 * @fqdn_flags:	Its flags, if @fqdn
 * @ia:		Identity associations, in message order
 * @n_ia:	Number of entries in @ia
 */
struct dhcpv6_req {
	uint8_t type;
	const uint8_t *client_id;
	size_t client_id_len;
	const uint8_t *server_id;
	size_t server_id_len;
	bool rapid_commit;
	bool oro;
	bool want_dns;
	bool want_search;
	bool want_fqdn;
	bool fqdn;
	uint8_t fqdn_flags;
	struct dhcpv6_ia ia[IA_MAX];
	int n_ia;
};

/**
 * struct dhcpv6_wbuf - Bounded writer for the reply
 * @b:		Buffer
 * @pos:	Bytes written
 * @max:	Size limit
 * @full:	Something didn't fit
 */
struct dhcpv6_wbuf {
	uint8_t *b;
	size_t pos;
	size_t max;
	bool full;
};

/**
 * get_u16() - Read a 16-bit value in network order
 * @p:		Source
 *
 * Return: value
 */
static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * w_reserve() - Reserve room in the reply
 * @w:		Writer
 * @n:		Bytes needed
 *
 * Return: pointer to the room, NULL (and @w->full set) if it doesn't fit
 */
static uint8_t *w_reserve(struct dhcpv6_wbuf *w, size_t n)
{
	uint8_t *p;

	if (w->full || n > w->max - w->pos) {
		w->full = true;
		return NULL;
	}
	p = w->b + w->pos;
	w->pos += n;
	return p;
}

/**
 * w_u16() - Append a 16-bit value in network order
 * @w:		Writer
 * @v:		Value
 */
static void w_u16(struct dhcpv6_wbuf *w, uint16_t v)
{
	uint8_t *p = w_reserve(w, 2);

	if (p) {
		p[0] = v >> 8;
		p[1] = v & 0xff;
	}
}

/**
 * w_u32() - Append a 32-bit value in network order
 * @w:		Writer
 * @v:		Value
 */
static void w_u32(struct dhcpv6_wbuf *w, uint32_t v)
{
	w_u16(w, v >> 16);
	w_u16(w, v & 0xffff);
}

/**
 * w_data() - Append bytes
 * @w:		Writer
 * @data:	Data
 * @len:	Length of @data
 */
static void w_data(struct dhcpv6_wbuf *w, const void *data, size_t len)
{
	uint8_t *p = w_reserve(w, len);

	if (p && len)
		memcpy(p, data, len);
}

/**
 * w_open() - Start an option whose length is known at the end
 * @w:		Writer
 * @code:	Option code
 *
 * Return: offset of the option header, for w_close()
 */
static size_t w_open(struct dhcpv6_wbuf *w, uint16_t code)
{
	size_t off = w->pos;

	w_u16(w, code);
	w_u16(w, 0);
	return off;
}

/**
 * w_close() - Set the length of an option started with w_open()
 * @w:		Writer
 * @off:	Offset of the option header
 */
static void w_close(struct dhcpv6_wbuf *w, size_t off)
{
	size_t len;

	if (w->full)
		return;
	len = w->pos - off - 4;
	w->b[off + 2] = len >> 8;
	w->b[off + 3] = len & 0xff;
}

/**
 * w_opt() - Append a whole option
 * @w:		Writer
 * @code:	Option code
 * @data:	Option data
 * @len:	Length of @data
 */
static void w_opt(struct dhcpv6_wbuf *w, uint16_t code, const void *data,
		  size_t len)
{
	w_u16(w, code);
	w_u16(w, len);
	w_data(w, data, len);
}

/**
 * w_status() - Append a status code option
 * @w:		Writer
 * @code:	Status code
 * @msg:	Message for humans
 */
static void w_status(struct dhcpv6_wbuf *w, uint16_t code, const char *msg)
{
	size_t off = w_open(w, OPT_STATUS_CODE);

	w_u16(w, code);
	w_data(w, msg, strlen(msg));
	w_close(w, off);
}

/**
 * dhcpv6_opts_check() - Check that options are well-formed TLVs
 * @p:		Option area
 * @len:	Length of the area
 * @depth:	Nesting depth, to check option contents recursively
 *
 * Return: 0 if well-formed, -1 if not
 */
static int dhcpv6_opts_check(const uint8_t *p, size_t len, int depth)
{
	size_t off = 0;

	if (depth > 2)
		return 0;

	while (off < len) {
		uint16_t code;
		size_t olen;
		int ret = 0;

		if (len - off < 4)
			return -1;
		code = get_u16(p + off);
		olen = get_u16(p + off + 2);
		if (olen > len - off - 4)
			return -1;

		switch (code) {
		case OPT_IA_NA:
		case OPT_IA_PD:
			if (olen < 12)
				return -1;
			ret = dhcpv6_opts_check(p + off + 16, olen - 12,
						depth + 1);
			break;
		case OPT_IA_TA:
			if (olen < 4)
				return -1;
			ret = dhcpv6_opts_check(p + off + 8, olen - 4,
						depth + 1);
			break;
		case OPT_IAADDR:
			if (olen < 24)
				return -1;
			ret = dhcpv6_opts_check(p + off + 28, olen - 24,
						depth + 1);
			break;
		case OPT_IAPREFIX:
			if (olen < 25)
				return -1;
			ret = dhcpv6_opts_check(p + off + 29, olen - 25,
						depth + 1);
			break;
		case OPT_STATUS_CODE:
			if (olen < 2)
				return -1;
			break;
		default:
			break;
		}
		if (ret)
			return -1;

		off += 4 + olen;
	}

	return 0;
}

/**
 * dhcpv6_parse() - Check a client message and pick what we use
 * @msg:	UDP payload
 * @len:	Length of @msg
 * @req:	Parsed message, filled here
 *
 * Return: 0 if well-formed, -1 to drop it
 */
static int dhcpv6_parse(const uint8_t *msg, size_t len,
			struct dhcpv6_req *req)
{
	size_t off = 4;

	memset(req, 0, sizeof(*req));

	if (len < 4) {
		debug("DHCPv6: message too short (%zu bytes), dropped", len);
		return -1;
	}
	req->type = msg[0];

	if (dhcpv6_opts_check(msg + 4, len - 4, 0)) {
		debug("DHCPv6: malformed options, dropped");
		return -1;
	}

	while (off < len) {
		uint16_t code = get_u16(msg + off);
		size_t olen = get_u16(msg + off + 2), i;
		const uint8_t *v = msg + off + 4;

		switch (code) {
		case OPT_CLIENTID:
			if (req->client_id || olen < 3 ||
			    olen > DUID_MAX_LEN) {
				debug("DHCPv6: bad client identifier, dropped");
				return -1;
			}
			req->client_id = v;
			req->client_id_len = olen;
			break;
		case OPT_SERVERID:
			if (req->server_id || olen < 3 ||
			    olen > DUID_MAX_LEN) {
				debug("DHCPv6: bad server identifier, dropped");
				return -1;
			}
			req->server_id = v;
			req->server_id_len = olen;
			break;
		case OPT_IA_NA:
		case OPT_IA_TA:
		case OPT_IA_PD:
			if (req->n_ia < IA_MAX) {
				req->ia[req->n_ia].code = code;
				req->ia[req->n_ia].body = v;
				req->ia[req->n_ia++].len = olen;
			}
			break;
		case OPT_ORO:
			if (olen % 2) {
				debug("DHCPv6: odd option request, dropped");
				return -1;
			}
			req->oro = true;
			for (i = 0; i < olen; i += 2) {
				if (get_u16(v + i) == OPT_DNS_SERVERS)
					req->want_dns = true;
				if (get_u16(v + i) == OPT_DOMAIN_LIST)
					req->want_search = true;
				if (get_u16(v + i) == OPT_CLIENT_FQDN)
					req->want_fqdn = true;
			}
			break;
		case OPT_ELAPSED_TIME:
			if (olen != 2) {
				debug("DHCPv6: bad elapsed time, dropped");
				return -1;
			}
			break;
		case OPT_RAPID_COMMIT:
			if (olen) {
				debug("DHCPv6: bad rapid commit, dropped");
				return -1;
			}
			req->rapid_commit = true;
			break;
		case OPT_CLIENT_FQDN:
			if (!olen) {
				debug("DHCPv6: empty client FQDN, dropped");
				return -1;
			}
			req->fqdn = true;
			req->fqdn_flags = v[0];
			break;
		default:
			break;
		}

		off += 4 + olen;
	}

	return 0;
}

/**
 * dhcpv6_duid_build() - Build our DUID-LL from our MAC address
 * @c:		Execution context
 */
static void dhcpv6_duid_build(const struct ctx *c)
{
	/* DUID type and hardware type, then the link-layer address */
	const size_t hlen = 2 * sizeof(uint16_t);

	dhcpv6_duid[0] = 0;
	dhcpv6_duid[1] = DUID_TYPE_LL;
	dhcpv6_duid[2] = 0;
	dhcpv6_duid[3] = HWTYPE_ETHER;
	memcpy(dhcpv6_duid + hlen, c->our_tap_mac, ETH_ALEN);
	dhcpv6_duid_len = hlen + ETH_ALEN;
}

/**
 * dhcpv6_ours() - Does a server identifier match ours?
 * @req:	Parsed message
 *
 * Return: true if it does
 */
static bool dhcpv6_ours(const struct dhcpv6_req *req)
{
	return req->server_id && req->server_id_len == dhcpv6_duid_len &&
	       !memcmp(req->server_id, dhcpv6_duid, dhcpv6_duid_len);
}

/**
 * dhcpv6_onlink() - Is an address on the link, in the prefix we advertise?
 * @c:		Execution context
 * @a:		Address
 *
 * Return: true if @a is in the /64 of the guest's address
 */
static bool dhcpv6_onlink(const struct ctx *c, const struct in6_addr *a)
{
	return !memcmp(a, &c->ip6.addr, DHCPV6_PREFIX_LEN / 8);
}

/**
 * dhcpv6_ia_addr() - Append an IA address option
 * @w:		Writer
 * @a:		Address
 * @lifetime:	Preferred and valid lifetime
 */
static void dhcpv6_ia_addr(struct dhcpv6_wbuf *w, const struct in6_addr *a,
			   uint32_t lifetime)
{
	w_u16(w, OPT_IAADDR);
	w_u16(w, 24);
	w_data(w, a, sizeof(*a));
	w_u32(w, lifetime);
	w_u32(w, lifetime);
}

/**
 * dhcpv6_ia_reply() - Append the answer for one identity association
 * @c:		Execution context
 * @w:		Writer
 * @type:	Client message type
 * @ia:		Identity association from the client
 * @assign:	Give our address to this IA (the first IA_NA)
 */
static void dhcpv6_ia_reply(const struct ctx *c, struct dhcpv6_wbuf *w,
			    uint8_t type, const struct dhcpv6_ia *ia,
			    bool assign)
{
	bool renew = type == RENEW || type == REBIND;
	size_t fixed = ia->code == OPT_IA_TA ? 4 : 12, off, o, n = 0;

	off = w_open(w, ia->code);
	w_data(w, ia->body, 4);				/* IAID */
	if (ia->code != OPT_IA_TA) {
		uint32_t t1 = 0, t2 = 0;

		if (assign && hostwatch_active()) {
			t1 = HOSTWATCH_DHCPV6_T1;
			t2 = HOSTWATCH_DHCPV6_T2;
		} else if (assign) {
			t1 = t2 = LIFETIME_INFINITE;
		}
		w_u32(w, t1);				/* T1 */
		w_u32(w, t2);				/* T2 */
	}

	if (ia->code == OPT_IA_PD) {
		w_status(w, STATUS_NOPREFIXAVAIL, "no prefixes");
		goto out;
	}
	if (ia->code == OPT_IA_TA) {
		w_status(w, STATUS_NOADDRSAVAIL, "no temporary addresses");
		goto out;
	}

	if (assign)
		dhcpv6_ia_addr(w, &c->ip6.addr, LIFETIME_INFINITE);

	/* Renewing something else: that's over (RFC 8415, 18.3.4, 18.3.5) */
	for (o = fixed; renew && o + 4 <= ia->len && n < IA_ADDR_MAX; ) {
		uint16_t code = get_u16(ia->body + o);
		size_t olen = get_u16(ia->body + o + 2);
		struct in6_addr a;

		if (code == OPT_IAADDR && olen >= 24) {
			memcpy(&a, ia->body + o + 4, sizeof(a));
			if (!assign || !IN6_ARE_ADDR_EQUAL(&a, &c->ip6.addr)) {
				dhcpv6_ia_addr(w, &a, 0);
				n++;
			}
		}
		o += 4 + olen;
	}

	if (!assign) {
		if (renew)
			w_status(w, STATUS_NOBINDING, "no binding");
		else
			w_status(w, STATUS_NOADDRSAVAIL, "one address only");
	}

out:
	w_close(w, off);
}

/**
 * dhcpv6_confirm() - Check the addresses of a CONFIRM message
 * @c:		Execution context
 * @req:	Parsed message
 * @status:	Status to send, set here
 *
 * Return: number of addresses checked (no reply if none)
 */
static int dhcpv6_confirm(const struct ctx *c, const struct dhcpv6_req *req,
			  uint16_t *status)
{
	int i, n = 0;

	*status = STATUS_SUCCESS;
	for (i = 0; i < req->n_ia; i++) {
		const struct dhcpv6_ia *ia = &req->ia[i];
		size_t o = ia->code == OPT_IA_TA ? 4 : 12;

		if (ia->code == OPT_IA_PD)
			continue;

		while (o + 4 <= ia->len) {
			uint16_t code = get_u16(ia->body + o);
			size_t olen = get_u16(ia->body + o + 2);
			struct in6_addr a;

			if (code == OPT_IAADDR && olen >= 24) {
				memcpy(&a, ia->body + o + 4, sizeof(a));
				if (!dhcpv6_onlink(c, &a))
					*status = STATUS_NOTONLINK;
				n++;
			}
			o += 4 + olen;
		}
	}

	return n;
}

/**
 * dhcpv6_dns() - Append DNS servers and domain list, if we advertise them
 * @c:		Execution context
 * @w:		Writer
 * @req:	Parsed message (option request)
 */
static void dhcpv6_dns(const struct ctx *c, struct dhcpv6_wbuf *w,
		       const struct dhcpv6_req *req)
{
	size_t n;

	if (!c->no_dns && !c->no_dhcp_dns && (!req->oro || req->want_dns)) {
		for (n = 0; n < MAXNS; n++) {
			if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[n]))
				break;
		}
		if (n)
			w_opt(w, OPT_DNS_SERVERS, c->ip6.dns, n * 16);
	}

	if (!c->no_dns_search && !c->no_dhcp_dns_search &&
	    (!req->oro || req->want_search) && !w->full &&
	    w->max - w->pos > 4) {
		n = dns_names_encode(c->dns_search, w->b + w->pos + 4,
				     w->max - w->pos - 4, false);
		if (n) {
			w_u16(w, OPT_DOMAIN_LIST);
			w_u16(w, n);
			w->pos += n;
		}
	}
}

/**
 * dhcpv6_fqdn() - Append the client FQDN option, if the client wants it
 * @c:		Execution context
 * @w:		Writer
 * @req:	Parsed message
 *
 * Only to a client that sent the option and asked for it in its option
 * request (RFC 4704, 6). We do no DNS updates: N set, S clear, O if the
 * client asked for S (RFC 4704, 4.1). Left out if it doesn't fit.
 */
static void dhcpv6_fqdn(const struct ctx *c, struct dhcpv6_wbuf *w,
			const struct dhcpv6_req *req)
{
	uint8_t v[1 + 255];	/* flags, name of at most 255 bytes */
	size_t n;

	if (!*c->fqdn || !req->fqdn || !req->want_fqdn || w->full)
		return;

	n = dns_name_encode(c->fqdn, v + 1, sizeof(v) - 1);
	if (!n || w->max - w->pos < 4 + 1 + n) {
		debug("DHCPv6: no room for the client FQDN");
		return;
	}
	v[0] = FQDN_N | (req->fqdn_flags & FQDN_S ? FQDN_O : 0);
	w_opt(w, OPT_CLIENT_FQDN, v, 1 + n);
}

/**
 * dhcpv6_build() - Build the reply to a client message
 * @c:		Execution context
 * @msg:	UDP payload from the guest
 * @len:	Length of @msg
 * @reply:	Reply buffer, DHCPV6_REPLY_MAX bytes
 *
 * Return: length of the reply, 0 if there is nothing to send
 */
static size_t dhcpv6_build(const struct ctx *c, const uint8_t *msg,
			   size_t len, uint8_t *reply)
{
	struct dhcpv6_wbuf w = { reply, 0, DHCPV6_REPLY_MAX, false };
	bool assigned = false, have_na = false, config = true;
	uint16_t status = STATUS_SUCCESS;
	struct dhcpv6_req req;
	uint8_t rtype = REPLY;
	int i;

	if (!dhcpv6_duid_len)
		dhcpv6_duid_build(c);

	if (dhcpv6_parse(msg, len, &req))
		return 0;

	/* Presence of identifiers, RFC 8415, 16.2 to 16.12 */
	switch (req.type) {
	case SOLICIT:
	case CONFIRM:
	case REBIND:
		if (!req.client_id || req.server_id) {
			debug("DHCPv6: type %u with bad identifiers, dropped",
			      req.type);
			return 0;
		}
		break;
	case REQUEST:
	case RENEW:
	case RELEASE:
	case DECLINE:
		if (!req.client_id || !dhcpv6_ours(&req)) {
			debug("DHCPv6: type %u not for us, dropped",
			      req.type);
			return 0;
		}
		break;
	case INFORMATION_REQUEST:
		if ((req.server_id && !dhcpv6_ours(&req)) || req.n_ia) {
			debug("DHCPv6: bad information request, dropped");
			return 0;
		}
		break;
	default:
		debug("DHCPv6: message type %u, ignored", req.type);
		return 0;
	}

	/* Keep replies within the minimum IPv6 MTU, or the link MTU */
	w.max = MIN((size_t)DHCPV6_REPLY_MAX,
		    (size_t)MAX(c->mtu, IPV6_MIN_MTU) -
		    sizeof(struct ip6_hdr) - sizeof(struct udphdr));

	if (req.type == SOLICIT && !req.rapid_commit)
		rtype = ADVERTISE;

	reply[0] = rtype;
	memcpy(reply + 1, msg + 1, 3);		/* transaction ID */
	w.pos = 4;

	w_opt(&w, OPT_SERVERID, dhcpv6_duid, dhcpv6_duid_len);
	if (req.client_id)
		w_opt(&w, OPT_CLIENTID, req.client_id, req.client_id_len);

	switch (req.type) {
	case SOLICIT:
	case REQUEST:
	case RENEW:
	case REBIND:
		if (rtype == ADVERTISE) {
			uint8_t pref = 255;	/* take it, don't wait */

			w_opt(&w, OPT_PREFERENCE, &pref, 1);
		} else if (req.type == SOLICIT) {
			w_opt(&w, OPT_RAPID_COMMIT, NULL, 0);
		}

		for (i = 0; i < req.n_ia; i++) {
			bool assign = false;

			if (req.ia[i].code == OPT_IA_NA) {
				have_na = true;
				if (!assigned)
					assign = assigned = true;
			}
			dhcpv6_ia_reply(c, &w, req.type, &req.ia[i], assign);
		}
		if (!have_na && req.type != RENEW && req.type != REBIND)
			w_status(&w, STATUS_NOADDRSAVAIL, "no addresses");
		break;
	case CONFIRM:
		if (!dhcpv6_confirm(c, &req, &status))
			return 0;
		w_status(&w, status, status == STATUS_SUCCESS ?
			 "all on link" : "not on link");
		config = false;
		break;
	case RELEASE:
	case DECLINE:
		w_status(&w, STATUS_SUCCESS, "done");
		config = false;
		break;
	case INFORMATION_REQUEST:
		break;
	}

	if (w.full) {
		debug("DHCPv6: reply doesn't fit, dropped");
		return 0;
	}

	/* The FQDN first: the domain list takes whatever room is left */
	if (config) {
		dhcpv6_fqdn(c, &w, &req);
		dhcpv6_dns(c, &w, &req);
	}

	if (w.full)
		return 0;

	return w.pos;
}

/**
 * dhcpv6() - Handle a DHCPv6 message from the guest (UDP to port 547)
 * @c:		Execution context
 * @saddr:	Source address (the guest link-local address)
 * @daddr:	Destination address (ff02::1:2 or ours)
 * @msg:	UDP payload
 * @len:	Length of @msg
 *
 * Return: 1 if handled (answered or dropped as malformed), 0 if DHCPv6 is
 *	   disabled and the datagram should go to the UDP handler
 */
int dhcpv6(struct ctx *c, const struct in6_addr *saddr,
	   const struct in6_addr *daddr, const void *msg, size_t len)
{
	static uint8_t reply[DHCPV6_REPLY_MAX];
	size_t rlen;

	(void)daddr;

	if (c->no_dhcpv6 || !c->ifi6 || IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
		return 0;

	rlen = dhcpv6_build(c, msg, len, reply);
	if (!rlen)
		return 1;

	tap_udp6_send(c, &c->ip6.our_tap_ll, DHCPV6_SERVER_PORT, saddr,
		      DHCPV6_CLIENT_PORT, tap_flow_label(), reply, rlen);
	return 1;
}

/**
 * dhcpv6_init() - Build our DUID and other fixed parts
 * @c:		Execution context
 */
void dhcpv6_init(const struct ctx *c)
{
	dhcpv6_duid_build(c);
}
