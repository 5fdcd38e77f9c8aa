/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * dhcp.c - DHCP server: one lease, the guest's configured address
 *
 * We stand in for the whole network, so there is exactly one address to
 * hand out: the one the guest is configured with (by default the host's).
 * Nothing is stored: every request is answered from the configuration
 * alone (RFC 2131, options from RFC 2132, 3397, 3442, 4039, 4702, 6842).
 * The lease is infinite, unless we follow the host's configuration
 * (hostwatch.c): then it's short, so that the guest renews, and a renewal
 * of an address that is no longer ours gets a NAK, so that it starts over.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <linux/if_ether.h>

#include "passt.h"
#include "tap.h"
#include "log.h"
#include "util.h"
#include "dhcp.h"
#include "hostwatch.h"

/* Fixed part of a BOOTP message (RFC 951), and the DHCP cookie after it */
#define BOOTP_FIXED_LEN		236
#define DHCP_OPTS_OFF		(BOOTP_FIXED_LEN + sizeof(dhcp_cookie))
/* Smallest BOOTP message: fixed part plus the 64-byte vendor area */
#define BOOTP_MIN_LEN		300
/* IP and UDP headers around a message, without IP options */
#define DHCP_IP_UDP_LEN		(sizeof(struct iphdr) + sizeof(struct udphdr))
/* Datagrams every IPv4 host takes (RFC 791), as DHCP assumes (RFC 2131) */
#define DHCP_MIN_IP_LEN		576
/* Default maximum DHCP message a client accepts: 576 minus IP and UDP */
#define DHCP_MIN_MAX_MSG	(DHCP_MIN_IP_LEN - DHCP_IP_UDP_LEN)

#define BOOTREQUEST		1
#define BOOTREPLY		2
#define HTYPE_ETHER		1
#define BOOTP_FLAG_BROADCAST	0x8000

/* Offsets in the fixed part */
#define OFF_OP			0
#define OFF_HTYPE		1
#define OFF_HLEN		2
#define OFF_XID			4
#define OFF_FLAGS		10
#define OFF_CIADDR		12
#define OFF_YIADDR		16
#define OFF_GIADDR		24
#define OFF_CHADDR		28
#define OFF_COOKIE		BOOTP_FIXED_LEN

static const uint8_t dhcp_cookie[4] = { 99, 130, 83, 99 };

/* Message types, option 53 */
#define DHCPDISCOVER		1
#define DHCPOFFER		2
#define DHCPREQUEST		3
#define DHCPDECLINE		4
#define DHCPACK			5
#define DHCPNAK			6
#define DHCPRELEASE		7
#define DHCPINFORM		8

/* Option codes */
#define OPT_PAD			0
#define OPT_MASK		1
#define OPT_ROUTER		3
#define OPT_DNS			6
#define OPT_HOSTNAME		12
#define OPT_DOMAIN		15
#define OPT_MTU			26
#define OPT_REQ_ADDR		50
#define OPT_LEASE		51
#define OPT_OVERLOAD		52
#define OPT_MSG_TYPE		53
#define OPT_SERVER_ID		54
#define OPT_PRL			55
#define OPT_MAX_SIZE		57
#define OPT_CLIENT_ID		61
#define OPT_RAPID_COMMIT	80
#define OPT_CLIENT_FQDN		81
#define OPT_SEARCH		119
#define OPT_CLASSLESS		121
#define OPT_END			255

/* Client FQDN flags (RFC 4702, 2.1) */
#define FQDN_S			0x01	/* server does A RR updates */
#define FQDN_O			0x02	/* server overrode the client's S */
#define FQDN_E			0x04	/* name in DNS wire format */
#define FQDN_N			0x08	/* server does no updates at all */
/* RCODE1 and RCODE2 are deprecated: servers send 255 (RFC 4702, 2.2) */
#define FQDN_RCODE_SERVER	255

/* Reply buffer: fixed part, cookie, and room for every option we send */
#define DHCP_REPLY_MAX		4096

/**
 * struct dhcp_req - What we need from a parsed request
 * @type:	DHCP message type, 0 for plain BOOTP
 * @req_addr:	option 50, requested address, if @has_req_addr
 * @has_req_addr: option 50 present
 * @server_id:	option 54, if @has_server_id
 * @has_server_id: option 54 present
 * @prl:	option 55, parameter request list
 * @prl_len:	length of @prl
 * @max_size:	option 57, or 0
 * @client_id:	option 61, echoed (RFC 6842)
 * @client_id_len: length of @client_id, 0 if absent
 * @rapid_commit: option 80 present
 * @fqdn:	option 81 present
 * @fqdn_flags:	flags of option 81, if @fqdn
 */
struct dhcp_req {
	uint8_t type;
	struct in_addr req_addr;
	bool has_req_addr;
	struct in_addr server_id;
	bool has_server_id;
	const uint8_t *prl;
	size_t prl_len;
	size_t max_size;
	const uint8_t *client_id;
	size_t client_id_len;
	bool rapid_commit;
	bool fqdn;
	uint8_t fqdn_flags;
};

/**
 * dns_name_encode() - Encode one domain name in DNS wire format
 * @name:	Name, dot-separated, optionally with the root's trailing dot
 * @buf:	Output buffer
 * @size:	Size of @buf
 *
 * Canonical, uncompressed, fully qualified: the zero-length root label
 * terminates it (RFC 1035 3.1). Used for the client FQDN options.
 *
 * Return: number of bytes written, 0 if the name is invalid (empty or
 *	   overlong labels, more than 255 bytes encoded) or doesn't fit
 */
size_t dns_name_encode(const char *name, uint8_t *buf, size_t size)
{
	size_t nlen = strnlen(name, 256), pos = 0;
	const char *p = name, *end;

	if (nlen && name[nlen - 1] == '.')
		nlen--;
	if (!nlen || nlen > 253 || nlen + 2 > size)
		return 0;
	end = name + nlen;

	while (p < end) {
		const char *dot = memchr(p, '.', end - p);
		size_t l = dot ? (size_t)(dot - p) : (size_t)(end - p);

		if (!l || l > 63)
			return 0;
		buf[pos++] = l;
		memcpy(buf + pos, p, l);
		pos += l;
		p += l + 1;
		if (dot && p == end)	/* "a." after dropping one dot */
			return 0;
	}
	buf[pos++] = 0;

	return pos;
}

/**
 * dns_names_encode() - Encode search domains as DNS names (RFC 1035 3.1)
 * @list:	Search domains, terminated by an empty name
 * @buf:	Output buffer
 * @size:	Size of @buf
 * @compress:	Use compression pointers (RFC 1035 4.1.4, as RFC 3397
 *		allows for DHCP option 119) relative to the start of @buf
 *
 * Names that are not valid DNS names (empty or overlong labels, more than
 * 255 bytes encoded) and names that don't fit in @size are left out. Also
 * used for the NDP DNSSL option and the DHCPv6 domain list (uncompressed).
 *
 * Return: number of bytes written
 */
size_t dns_names_encode(const struct dns_search *list, uint8_t *buf,
			size_t size, bool compress)
{
	/* Where each suffix we wrote starts: compression targets */
	struct {
		const char *text;
		size_t off;
	} sfx[MAXDNSRCH * (DNSRCH_LEN / 2 + 1)];
	size_t nsfx = 0, used = 0;
	int i;

	for (i = 0; i < MAXDNSRCH && list[i].n[0]; i++) {
		const char *name = list[i].n, *p;
		size_t nlen = strnlen(name, DNSRCH_LEN);
		size_t start_sfx = nsfx, pos = used, enc = 1;
		bool valid = true, ptr = false;
		size_t ptr_off = 0;

		/* Validate first: labels of 1..63 bytes, 255 bytes in all */
		for (p = name; *p && p < name + nlen; ) {
			const char *dot = memchr(p, '.', name + nlen - p);
			size_t l = dot ? (size_t)(dot - p) :
				    (size_t)(name + nlen - p);

			if (!l && !dot) /* trailing dot */
				break;
			if (!l || l > 63) {
				valid = false;
				break;
			}
			enc += l + 1;
			p += l + (dot ? 1 : 0);
		}
		if (!valid || enc > 255 || enc == 1) {
			debug("DHCP: skipping invalid search domain %s", name);
			continue;
		}

		for (p = name; *p && p < name + nlen; ) {
			const char *dot = memchr(p, '.', name + nlen - p);
			size_t l = dot ? (size_t)(dot - p) :
				    (size_t)(name + nlen - p);
			size_t j;

			if (!l)
				break;

			if (compress) {
				for (j = 0; j < start_sfx; j++) {
					if (!strcasecmp(sfx[j].text, p))
						break;
				}
				if (j < start_sfx) {
					ptr = true;
					ptr_off = sfx[j].off;
					break;
				}
			}

			if (pos + 1 + l > size)
				goto nofit;
			if (compress && pos < 0x4000 &&
			    nsfx < ARRAY_SIZE(sfx)) {
				sfx[nsfx].text = p;
				sfx[nsfx++].off = pos;
			}
			buf[pos++] = l;
			memcpy(buf + pos, p, l);
			pos += l;
			p += l + (dot ? 1 : 0);
		}

		if (ptr) {
			if (pos + 2 > size)
				goto nofit;
			buf[pos++] = 0xc0 | (ptr_off >> 8);
			buf[pos++] = ptr_off & 0xff;
		} else {
			if (pos + 1 > size)
				goto nofit;
			buf[pos++] = 0;
		}
		used = pos;
		continue;
nofit:
		/* Forget the suffixes of the name we could not write */
		nsfx = start_sfx;
		debug("DHCP: no room for search domain %s", name);
	}

	return used;
}

/**
 * dhcp_parse() - Check a request and pick the options we use
 * @msg:	UDP payload
 * @len:	Length of @msg
 * @req:	Parsed request, filled here
 *
 * Return: 0 if the message is a well-formed BOOTREQUEST, -1 to drop it
 */
static int dhcp_parse(const uint8_t *msg, size_t len, struct dhcp_req *req)
{
	size_t off = DHCP_OPTS_OFF;
	bool seen_type = false;

	memset(req, 0, sizeof(*req));

	if (len < DHCP_OPTS_OFF) {
		debug("DHCP: message too short (%zu bytes), dropped", len);
		return -1;
	}
	if (msg[OFF_OP] != BOOTREQUEST || msg[OFF_HTYPE] != HTYPE_ETHER ||
	    msg[OFF_HLEN] != ETH_ALEN) {
		debug("DHCP: not an Ethernet BOOTREQUEST, dropped");
		return -1;
	}
	if (memcmp(msg + OFF_COOKIE, dhcp_cookie, sizeof(dhcp_cookie))) {
		debug("DHCP: bad magic cookie, dropped");
		return -1;
	}

	while (off < len) {
		uint8_t code = msg[off], olen;
		const uint8_t *v;

		if (code == OPT_PAD) {
			off++;
			continue;
		}
		if (code == OPT_END)
			break;

		if (off + 2 > len) {
			debug("DHCP: option %u truncated, dropped", code);
			return -1;
		}
		olen = msg[off + 1];
		if (off + 2 + olen > len) {
			debug("DHCP: option %u runs past the end, dropped",
			      code);
			return -1;
		}
		v = msg + off + 2;

		switch (code) {
		case OPT_MSG_TYPE:
			if (olen != 1 || !v[0] || v[0] > DHCPINFORM) {
				debug("DHCP: bad message type option, dropped");
				return -1;
			}
			if (!seen_type)
				req->type = v[0];
			seen_type = true;
			break;
		case OPT_REQ_ADDR:
			if (olen != 4) {
				debug("DHCP: bad requested address, dropped");
				return -1;
			}
			memcpy(&req->req_addr, v, 4);
			req->has_req_addr = true;
			break;
		case OPT_SERVER_ID:
			if (olen != 4) {
				debug("DHCP: bad server identifier, dropped");
				return -1;
			}
			memcpy(&req->server_id, v, 4);
			req->has_server_id = true;
			break;
		case OPT_PRL:
			if (!olen) {
				debug("DHCP: empty parameter list, dropped");
				return -1;
			}
			req->prl = v;
			req->prl_len = olen;
			break;
		case OPT_MAX_SIZE:
			if (olen != 2) {
				debug("DHCP: bad maximum size option, dropped");
				return -1;
			}
			req->max_size = (size_t)v[0] << 8 | v[1];
			break;
		case OPT_CLIENT_ID:
			if (olen < 2) {
				debug("DHCP: bad client identifier, dropped");
				return -1;
			}
			req->client_id = v;
			req->client_id_len = olen;
			break;
		case OPT_RAPID_COMMIT:
			if (olen) {
				debug("DHCP: bad rapid commit option, dropped");
				return -1;
			}
			req->rapid_commit = true;
			break;
		case OPT_CLIENT_FQDN:
			/* Flags, RCODE1, RCODE2, name: we only need flags */
			if (olen < 3) {
				debug("DHCP: bad client FQDN option, dropped");
				return -1;
			}
			req->fqdn = true;
			req->fqdn_flags = v[0];
			break;
		case OPT_OVERLOAD:
			/* Options in sname/file: not supported, and
			 * never needed by the clients we serve
			 */
			debug("DHCP: option overload, dropped");
			return -1;
		default:
			break;
		}

		off += 2 + olen;
	}

	return 0;
}

/**
 * struct dhcp_opt - One option we may send
 * @code:	Option code
 * @len:	Length of @data
 * @data:	Option data
 * @sent:	Already written
 */
struct dhcp_opt {
	uint8_t code;
	size_t len;
	const uint8_t *data;
	bool sent;
};

/**
 * dhcp_opt_put() - Write an option, split in parts of 255 bytes (RFC 3396)
 * @buf:	Reply buffer
 * @pos:	Write position, updated
 * @limit:	End of the option area (the end option must still fit)
 * @o:		Option
 *
 * Return: true if written, false if it didn't fit (nothing written)
 */
static bool dhcp_opt_put(uint8_t *buf, size_t *pos, size_t limit,
			 struct dhcp_opt *o)
{
	size_t parts = o->len ? (o->len + 254) / 255 : 1;
	size_t need = o->len + 2 * parts, done = 0;

	if (*pos + need + 1 > limit)
		return false;

	do {
		size_t l = MIN(o->len - done, 255);

		buf[(*pos)++] = o->code;
		buf[(*pos)++] = l;
		if (l)
			memcpy(buf + *pos, o->data + done, l);
		*pos += l;
		done += l;
	} while (done < o->len);

	o->sent = true;
	return true;
}

/**
 * struct dhcp_opt_set - Options a reply may carry, and their values
 * @opt:	Options, in the order we'd send them unrequested
 * @n:		Number of options in @opt
 * @mask:	Value of the subnet mask option
 * @dns:	Value of the DNS servers option
 * @search:	Value of the domain search option
 * @routes:	Value of the classless static routes option
 * @fqdn:	Value of the client FQDN option
 * @mtu:	Value of the interface MTU option
 */
struct dhcp_opt_set {
	struct dhcp_opt opt[16];
	size_t n;
	struct in_addr mask;
	uint8_t dns[MAXNS * 4];
	uint8_t search[DHCP_REPLY_MAX / 2];
	uint8_t routes[14];
	uint8_t fqdn[3 + 255];
	uint8_t mtu[2];
};

/**
 * dhcp_opt_add() - Add an option to a set
 * @set:	Option set
 * @code:	Option code
 * @len:	Length of @data
 * @data:	Option data, alive as long as @set
 */
static void dhcp_opt_add(struct dhcp_opt_set *set, uint8_t code, size_t len,
			 const void *data)
{
	if (set->n < ARRAY_SIZE(set->opt))
		set->opt[set->n++] = (struct dhcp_opt){ code, len, data, false };
}

/**
 * dhcp_reply_type() - Message type of our reply to a request
 * @c:		Execution context
 * @req:	Parsed request
 * @ciaddr:	Client address field of the request
 *
 * Return: DHCPOFFER, DHCPACK or DHCPNAK; 0 for a BOOTP reply (no type);
 *	   -1 if the request gets no reply
 */
static int dhcp_reply_type(const struct ctx *c, const struct dhcp_req *req,
			   struct in_addr ciaddr)
{
	const struct in_addr addr = c->ip4.addr;

	switch (req->type) {
	case 0:
		debug("DHCP: BOOTP request");
		return 0;
	case DHCPDISCOVER:
		return req->rapid_commit ? DHCPACK : DHCPOFFER;
	case DHCPREQUEST:
		if (req->has_server_id &&
		    req->server_id.s_addr != c->ip4.gw.s_addr) {
			debug("DHCP: request for another server, ignored");
			return -1;
		}
		if (req->has_req_addr ? req->req_addr.s_addr != addr.s_addr :
		    ciaddr.s_addr && ciaddr.s_addr != addr.s_addr)
			return DHCPNAK;
		return DHCPACK;
	case DHCPINFORM:
		return DHCPACK;
	case DHCPDECLINE:
		warn("DHCP: guest declined the address we offer");
		return -1;
	case DHCPRELEASE:
		debug("DHCP: release");
		return -1;
	default:
		debug("DHCP: message type %u from guest, ignored", req->type);
		return -1;
	}
}

/**
 * dhcp_reply_limit() - Largest reply the client takes: RFC 2131, option 57
 * @c:		Execution context
 * @req:	Parsed request
 *
 * Return: length limit for the DHCP message, options included
 */
static size_t dhcp_reply_limit(const struct ctx *c, const struct dhcp_req *req)
{
	size_t limit = MAX(req->max_size, DHCP_MIN_IP_LEN) - DHCP_IP_UDP_LEN;

	if (c->mtu)
		limit = MIN(limit, (size_t)MAX(c->mtu, DHCP_MIN_IP_LEN) -
				   DHCP_IP_UDP_LEN);
	limit = MIN(limit, (size_t)DHCP_REPLY_MAX);
	return MAX(limit, (size_t)DHCP_MIN_MAX_MSG);
}

/**
 * dhcp_config_opts() - Options with the guest's configuration
 * @c:		Execution context
 * @req:	Parsed request
 * @set:	Option set to fill
 */
static void dhcp_config_opts(const struct ctx *c, const struct dhcp_req *req,
			     struct dhcp_opt_set *set)
{
	const struct in_addr addr = c->ip4.addr;
	size_t n;

	set->mask.s_addr = c->ip4.prefix_len ?
			   htonl(~0U << (32 - c->ip4.prefix_len)) : 0;
	dhcp_opt_add(set, OPT_MASK, 4, &set->mask);
	dhcp_opt_add(set, OPT_ROUTER, 4, &c->ip4.gw);

	if (!c->no_dns && !c->no_dhcp_dns) {
		for (n = 0; n < MAXNS && c->ip4.dns[n].s_addr; n++)
			memcpy(set->dns + n * 4, &c->ip4.dns[n], 4);
		if (n)
			dhcp_opt_add(set, OPT_DNS, n * 4, set->dns);
	}

	if (!c->no_dns_search && !c->no_dhcp_dns_search &&
	    c->dns_search[0].n[0]) {
		n = strnlen(c->dns_search[0].n, DNSRCH_LEN);
		if (n && c->dns_search[0].n[n - 1] == '.')
			n--;
		if (n)
			dhcp_opt_add(set, OPT_DOMAIN, n, c->dns_search[0].n);

		n = dns_names_encode(c->dns_search, set->search,
				     sizeof(set->search), true);
		if (n)
			dhcp_opt_add(set, OPT_SEARCH, n, set->search);
	}

	/* The host name is ours to give to this client (RFC 2131, 4.3.1) */
	n = strnlen(c->hostname, sizeof(c->hostname) - 1);
	if (n)
		dhcp_opt_add(set, OPT_HOSTNAME, n, c->hostname);

	/* Client FQDN only in answer to one (RFC 4702, 4), in the encoding
	 * the client used: we do no DNS updates, so N, not S, and O if the
	 * client asked for S. Over 255 bytes, it's split (RFC 3396).
	 */
	if (req->fqdn && *c->fqdn) {
		set->fqdn[0] = FQDN_N | (req->fqdn_flags & FQDN_E) |
			       (req->fqdn_flags & FQDN_S ? FQDN_O : 0);
		set->fqdn[1] = set->fqdn[2] = FQDN_RCODE_SERVER;
		if (req->fqdn_flags & FQDN_E) {
			n = dns_name_encode(c->fqdn, set->fqdn + 3,
					    sizeof(set->fqdn) - 3);
		} else {
			n = strnlen(c->fqdn, sizeof(c->fqdn) - 1);
			memcpy(set->fqdn + 3, c->fqdn, n);
		}
		if (n)
			dhcp_opt_add(set, OPT_CLIENT_FQDN, 3 + n, set->fqdn);
	}

	if (c->mtu && c->mtu != 1500) {
		uint16_t mtu = MIN(c->mtu, 65535);

		set->mtu[0] = mtu >> 8;
		set->mtu[1] = mtu & 0xff;
		dhcp_opt_add(set, OPT_MTU, 2, set->mtu);
	}

	/* Gateway outside the guest's prefix: tell how to reach it */
	if (set->mask.s_addr && (c->ip4.gw.s_addr & set->mask.s_addr) !=
				(addr.s_addr & set->mask.s_addr)) {
		set->routes[0] = 32;
		memcpy(set->routes + 1, &c->ip4.gw, 4);
		memset(set->routes + 5, 0, 4);	/* on-link */
		set->routes[9] = 0;
		memcpy(set->routes + 10, &c->ip4.gw, 4);
		dhcp_opt_add(set, OPT_CLASSLESS, 14, set->routes);
	}
}

/**
 * dhcp_opts_put() - Write a set of options, requested ones first
 * @reply:	Reply buffer
 * @pos:	Write position, updated
 * @limit:	Length limit for the reply
 * @req:	Parsed request: its parameter request list gives the order
 * @set:	Option set
 */
static void dhcp_opts_put(uint8_t *reply, size_t *pos, size_t limit,
			  const struct dhcp_req *req, struct dhcp_opt_set *set)
{
	size_t i, j;

	for (i = 0; i < req->prl_len; i++) {
		for (j = 0; j < set->n; j++) {
			if (set->opt[j].code == req->prl[i] &&
			    !set->opt[j].sent &&
			    !dhcp_opt_put(reply, pos, limit, &set->opt[j]))
				debug("DHCP: no room for option %u",
				      set->opt[j].code);
		}
	}
	for (j = 0; j < set->n; j++) {
		if (!set->opt[j].sent &&
		    !dhcp_opt_put(reply, pos, limit, &set->opt[j]))
			debug("DHCP: no room for option %u", set->opt[j].code);
	}
}

/**
 * dhcp_reply_dst() - Where the reply goes: RFC 2131, 4.1 (no relays here)
 * @c:		Execution context
 * @req:	Parsed request
 * @type:	Type of our reply
 * @ciaddr:	Client address field of the request
 * @flags:	Flags field of the request, host order
 *
 * Return: destination address
 */
static struct in_addr dhcp_reply_dst(const struct ctx *c,
				     const struct dhcp_req *req, int type,
				     struct in_addr ciaddr, uint16_t flags)
{
	struct in_addr bcast = { htonl(INADDR_BROADCAST) };

	if (type == DHCPNAK)
		return bcast;
	if (ciaddr.s_addr)
		return ciaddr;
	if ((flags & BOOTP_FLAG_BROADCAST) || req->type == DHCPINFORM)
		return bcast;
	return c->ip4.addr;
}

/**
 * dhcp_build() - Build the reply to a request from the guest
 * @c:		Execution context
 * @msg:	UDP payload from the guest
 * @len:	Length of @msg
 * @reply:	Reply buffer, DHCP_REPLY_MAX bytes
 * @dst:	Destination address of the reply, set here
 *
 * Return: length of the reply, 0 if there is nothing to send
 */
static size_t dhcp_build(const struct ctx *c, const uint8_t *msg, size_t len,
			 uint8_t *reply, struct in_addr *dst)
{
	uint32_t lease_s = hostwatch_active() ? HOSTWATCH_DHCP_LEASE :
						UINT32_MAX;
	struct in_addr ciaddr, addr = c->ip4.addr;
	uint8_t lease[4];
	struct dhcp_opt_set set = { .n = 0 };
	size_t pos, limit;
	struct dhcp_req req;
	uint8_t type_v;
	uint16_t flags;
	int type;

	if (dhcp_parse(msg, len, &req))
		return 0;

	memcpy(&ciaddr, msg + OFF_CIADDR, 4);
	flags = (uint16_t)msg[OFF_FLAGS] << 8 | msg[OFF_FLAGS + 1];

	if ((type = dhcp_reply_type(c, &req, ciaddr)) < 0)
		return 0;
	type_v = (uint8_t)type;

	/* Fixed part: copy xid, flags, giaddr and chaddr from the request */
	memset(reply, 0, DHCP_OPTS_OFF);
	reply[OFF_OP] = BOOTREPLY;
	reply[OFF_HTYPE] = HTYPE_ETHER;
	reply[OFF_HLEN] = ETH_ALEN;
	memcpy(reply + OFF_XID, msg + OFF_XID, 4);
	memcpy(reply + OFF_FLAGS, msg + OFF_FLAGS, 2);
	memcpy(reply + OFF_GIADDR, msg + OFF_GIADDR, 4);
	memcpy(reply + OFF_CHADDR, msg + OFF_CHADDR, 16);
	memcpy(reply + OFF_COOKIE, dhcp_cookie, sizeof(dhcp_cookie));
	if (type != DHCPNAK && req.type != DHCPINFORM)
		memcpy(reply + OFF_YIADDR, &addr, 4);
	if (type != DHCPNAK &&
	    (req.type == DHCPREQUEST || req.type == DHCPINFORM))
		memcpy(reply + OFF_CIADDR, &ciaddr, 4);

	limit = dhcp_reply_limit(c, &req);
	pos = DHCP_OPTS_OFF;

	/* Type and server identifier first, then the lease */
	if (type_v) {
		struct dhcp_opt t = { OPT_MSG_TYPE, 1, &type_v, false };
		struct dhcp_opt s = { OPT_SERVER_ID, 4,
				      (const uint8_t *)&c->ip4.gw, false };

		dhcp_opt_put(reply, &pos, limit, &t);
		dhcp_opt_put(reply, &pos, limit, &s);
	}
	if (type == DHCPNAK) {
		debug("DHCP: NAK, guest asked for an address we don't offer");
		goto end;
	}
	if (req.type == DHCPDISCOVER && req.rapid_commit) {
		struct dhcp_opt r = { OPT_RAPID_COMMIT, 0, NULL, false };

		dhcp_opt_put(reply, &pos, limit, &r);
	}
	if (req.type != DHCPINFORM) {
		struct dhcp_opt l = { OPT_LEASE, 4, lease, false };

		lease_s = htonl(lease_s);
		memcpy(lease, &lease_s, sizeof(lease));

		dhcp_opt_put(reply, &pos, limit, &l);
	}
	if (req.client_id) {
		struct dhcp_opt id = { OPT_CLIENT_ID, req.client_id_len,
				       req.client_id, false };

		dhcp_opt_put(reply, &pos, limit, &id);
	}

	/* Everything else: requested ones in the client's order first */
	dhcp_config_opts(c, &req, &set);
	dhcp_opts_put(reply, &pos, limit, &req, &set);

end:
	reply[pos++] = OPT_END;
	if (pos < BOOTP_MIN_LEN) {
		memset(reply + pos, 0, BOOTP_MIN_LEN - pos);
		pos = BOOTP_MIN_LEN;
	}

	*dst = dhcp_reply_dst(c, &req, type, ciaddr, flags);
	return pos;
}

/**
 * dhcp() - Handle a DHCP/BOOTP message from the guest (UDP to port 67)
 * @c:		Execution context
 * @msg:	UDP payload
 * @len:	Length of @msg
 *
 * Return: 1 if handled (answered or dropped as malformed), 0 if DHCP is
 *	   disabled and the datagram should go to the UDP handler
 */
int dhcp(struct ctx *c, const void *msg, size_t len)
{
	static uint8_t reply[DHCP_REPLY_MAX];
	struct in_addr dst;
	size_t rlen;

	if (c->no_dhcp || !c->ifi4 || !c->ip4.gw.s_addr ||
	    !c->ip4.addr.s_addr)
		return 0;

	rlen = dhcp_build(c, msg, len, reply, &dst);
	if (!rlen)
		return 1;

	tap_udp4_send(c, c->ip4.gw, DHCP_SERVER_PORT, dst, DHCP_CLIENT_PORT,
		      reply, rlen);
	return 1;
}
