/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * netlink.c - Routes, addresses and links through rtnetlink
 *
 * Two NETLINK_ROUTE sockets: one in our own network namespace, used to read
 * the host configuration we derive defaults from, and, for pasta, one
 * created inside the target namespace, used to configure it. Requests and
 * replies go through fixed-size buffers: nothing is allocated.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "passt.h"
#include "netlink.h"
#include "util.h"
#include "log.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK		10
#endif

/* Receive buffer for dumps: the kernel sends at most about 32 KiB a time */
#define NL_BUFSIZ		65536
/* Requests: headers plus a handful of attributes, multipath included */
#define NL_REQSIZ		4096
/* Passes over the template routes, so that gateways get reachable first */
#define NL_ROUTE_PASSES		8
/* Distinct interfaces remembered while looking for a fallback template */
#define NL_IFI_MAX		32

static int nl_sock = -1;	/* in our namespace */
static int nl_sock_ns = -1;	/* in pasta's target namespace */
static uint32_t nl_seq;

static char nl_buf[NL_BUFSIZ] __attribute__((aligned(8)));
static char nl_ack_buf[NL_REQSIZ] __attribute__((aligned(8)));

/**
 * struct nl_req - Request buffer: header, family message, attributes
 * @nh:		Netlink header
 * @buf:	Family-specific header followed by attributes
 */
struct nl_req {
	struct nlmsghdr nh;
	char buf[NL_REQSIZ - sizeof(struct nlmsghdr)];
} __attribute__((aligned(8)));

/* Callback for each message of a reply: return non-zero to skip the rest */
typedef int (*nl_cb_t)(const struct nlmsghdr *nh, void *arg);

/**
 * nl_open() - Open a NETLINK_ROUTE socket in the current namespace
 * @arg:	Pointer to int where the socket is stored
 *
 * Return: 0 on success, -1 on failure
 */
static int nl_open(void *arg)
{
	int *s = (int *)arg;
	int one = 1;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;

	/* Error replies then don't echo the whole request back */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	*s = fd;
	return 0;
}

/**
 * nl_sock_init() - Open netlink sockets: one in our namespace and, for
 *		    pasta, one in the target namespace
 * @c:		Execution context
 * @ns:		Also open the one in the target namespace
 *
 * Can be called again later with @ns set: sockets already open are kept.
 * Exits on failure.
 */
void nl_sock_init(const struct ctx *c, bool ns)
{
	if (nl_sock < 0 && nl_open(&nl_sock))
		die("Couldn't open netlink socket: %s", strerror(errno));

	if (!ns || nl_sock_ns >= 0)
		return;

	if (ns_call(c, nl_open, &nl_sock_ns) || nl_sock_ns < 0)
		die("Couldn't open netlink socket in namespace: %s",
		    strerror(errno));
}

/**
 * nl_sock_get() - Socket for a namespace
 * @ns:		Target namespace, else ours
 *
 * Without a namespace socket (passt, tests), requests go to our namespace.
 *
 * Return: socket, -1 if none is open
 */
static int nl_sock_get(bool ns)
{
	if (ns && nl_sock_ns >= 0)
		return nl_sock_ns;
	return nl_sock;
}

/**
 * nl_req_init() - Prepare a request
 * @req:	Request buffer
 * @type:	Message type (RTM_*)
 * @flags:	NLM_F_* flags beyond NLM_F_REQUEST
 * @hdr_len:	Length of the family header, zeroed, right after @nh
 *
 * Return: pointer to the family header
 */
static void *nl_req_init(struct nl_req *req, uint16_t type, uint16_t flags,
			 size_t hdr_len)
{
	memset(&req->nh, 0, sizeof(req->nh));
	memset(req->buf, 0, NLMSG_ALIGN(hdr_len));
	req->nh.nlmsg_len = NLMSG_LENGTH(hdr_len);
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	return NLMSG_DATA(&req->nh);
}

/**
 * nl_attr_put() - Append an attribute to a request
 * @req:	Request buffer
 * @type:	Attribute type
 * @data:	Payload, may be NULL if @len is 0
 * @len:	Payload length
 *
 * Return: pointer to the attribute, NULL if it doesn't fit
 */
static struct rtattr *nl_attr_put(struct nl_req *req, unsigned short type,
				  const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(req->nh.nlmsg_len);
	struct rtattr *rta;

	if (off + RTA_SPACE(len) > sizeof(*req))
		return NULL;

	rta = (struct rtattr *)((char *)req + off);
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	/* Alignment padding: don't send stack contents to the kernel */
	memset((char *)RTA_DATA(rta) + len, 0,
	       RTA_SPACE(len) - RTA_LENGTH(len));
	req->nh.nlmsg_len = off + RTA_SPACE(len);
	return rta;
}

/**
 * nl_do() - Send a request and process replies until done or acknowledged
 * @s:		Netlink socket
 * @req:	Request, nlmsg_len set; the sequence number is assigned here
 * @buf:	Receive buffer
 * @size:	Size of @buf
 * @cb:		Called for each data message, may be NULL
 * @arg:	Argument for @cb
 *
 * Dumps end with NLMSG_DONE, other requests with NLMSG_ERROR (the ack,
 * we always ask for one). Replies of other sequence numbers are stale and
 * dropped.
 *
 * Return: 0 on success, negative error code from the kernel on failure
 */
static int nl_do(int s, struct nl_req *req, char *buf, size_t size,
		 nl_cb_t cb, void *arg)
{
	bool stop = false;
	int ret = 0;
	uint32_t seq;

	if (s < 0)
		return -EBADF;

	seq = ++nl_seq;
	req->nh.nlmsg_seq = seq;
	req->nh.nlmsg_flags |= NLM_F_ACK;

	if (send(s, req, req->nh.nlmsg_len, 0) < 0)
		return -errno;

	for (;;) {
		struct nlmsghdr *nh;
		ssize_t n;

		n = recv(s, buf, size, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;

		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != seq)
				continue;

			if (nh->nlmsg_type == NLMSG_DONE)
				return ret;

			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EIO;
				/* An ack (error 0) may follow a dump's
				 * NLMSG_DONE, but never precedes it: done
				 */
				return e->error ? e->error : ret;
			}

			if (cb && !stop)
				stop = cb(nh, arg);
		}
	}
}

/**
 * nl_dump() - Dump objects through our dump buffer
 * @s:		Netlink socket
 * @req:	Request with family header set up
 * @cb:		Called for each object
 * @arg:	Argument for @cb
 *
 * Return: 0 on success, negative error code on failure
 */
static int nl_dump(int s, struct nl_req *req, nl_cb_t cb, void *arg)
{
	req->nh.nlmsg_flags |= NLM_F_DUMP;
	return nl_do(s, req, nl_buf, sizeof(nl_buf), cb, arg);
}

/**
 * nl_set() - Send a request changing something, wait for the ack
 * @s:		Netlink socket
 * @req:	Request
 *
 * Uses its own receive buffer: it can be called from a dump callback.
 *
 * Return: 0 on success, negative error code on failure
 */
static int nl_set(int s, struct nl_req *req)
{
	return nl_do(s, req, nl_ack_buf, sizeof(nl_ack_buf), NULL, NULL);
}

/**
 * nl_attr_next() - Iterate over attributes following a family header
 * @nh:		Message
 * @hdr_len:	Length of the family header
 * @rta:	Current attribute, NULL for the first one
 *
 * Return: next attribute with a sane length, NULL at the end
 */
static const struct rtattr *nl_attr_next(const struct nlmsghdr *nh,
					 size_t hdr_len,
					 const struct rtattr *rta)
{
	const char *end = (const char *)nh + nh->nlmsg_len;
	size_t left;

	if (!rta) {
		if (nh->nlmsg_len < NLMSG_SPACE(hdr_len))
			return NULL;
		rta = (const struct rtattr *)((const char *)NLMSG_DATA(nh) +
					      NLMSG_ALIGN(hdr_len));
	} else {
		rta = (const struct rtattr *)((const char *)rta +
					      RTA_ALIGN(rta->rta_len));
	}

	if ((const char *)rta >= end)
		return NULL;

	left = end - (const char *)rta;
	if (!RTA_OK(rta, left))
		return NULL;

	return rta;
}

#define for_each_attr(rta, nh, hdr_len)					\
	for ((rta) = nl_attr_next((nh), (hdr_len), NULL); (rta);	\
	     (rta) = nl_attr_next((nh), (hdr_len), (rta)))

/**
 * af_addr_len() - Length of an address of a family
 * @af:		AF_INET or AF_INET6
 *
 * Return: 4, 16, or 0 for other families
 */
static size_t af_addr_len(int af)
{
	if (af == AF_INET)
		return sizeof(struct in_addr);
	if (af == AF_INET6)
		return sizeof(struct in6_addr);
	return 0;
}

/**
 * struct nl_route - Parsed view of a route message
 * @rtm:	Family header
 * @table:	Routing table, from RTA_TABLE if present
 * @oif:	Output interface, 0 if none (multipath)
 * @dst:	RTA_DST payload, or NULL
 * @gw:		RTA_GATEWAY payload, or NULL
 * @mp:		RTA_MULTIPATH attribute, or NULL
 * @unsupported: Uses attributes we can't reproduce (nexthop objects)
 */
struct nl_route {
	const struct rtmsg *rtm;
	uint32_t table;
	uint32_t oif;
	const void *dst;
	const void *gw;
	const struct rtattr *mp;
	bool unsupported;
};

/**
 * nl_route_parse() - Parse a route message
 * @nh:		RTM_NEWROUTE message
 * @af:		Expected family
 * @r:		Filled in
 *
 * Return: 0 if it's a route of @af in the main table, -1 otherwise
 */
static int nl_route_parse(const struct nlmsghdr *nh, int af,
			  struct nl_route *r)
{
	size_t alen = af_addr_len(af);
	const struct rtattr *rta;

	if (nh->nlmsg_type != RTM_NEWROUTE ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return -1;

	memset(r, 0, sizeof(*r));
	r->rtm = NLMSG_DATA(nh);
	if (r->rtm->rtm_family != af)
		return -1;
	r->table = r->rtm->rtm_table;

	for_each_attr(rta, nh, sizeof(struct rtmsg)) {
		size_t len = RTA_PAYLOAD(rta);

		switch (rta->rta_type) {
		case RTA_TABLE:
			if (len >= sizeof(uint32_t))
				memcpy(&r->table, RTA_DATA(rta), 4);
			break;
		case RTA_OIF:
			if (len >= sizeof(uint32_t))
				memcpy(&r->oif, RTA_DATA(rta), 4);
			break;
		case RTA_DST:
			if (len == alen)
				r->dst = RTA_DATA(rta);
			break;
		case RTA_GATEWAY:
			if (len == alen)
				r->gw = RTA_DATA(rta);
			break;
		case RTA_MULTIPATH:
			r->mp = rta;
			break;
		case RTA_NH_ID:
		case RTA_VIA:
		case RTA_ENCAP:
			r->unsupported = true;
			break;
		}
	}

	if (r->table != RT_TABLE_MAIN)
		return -1;

	return 0;
}

/**
 * nl_nh_next() - Iterate over nexthops of an RTA_MULTIPATH attribute
 * @mp:		RTA_MULTIPATH attribute
 * @nh:		Current nexthop, NULL for the first one
 *
 * Return: next nexthop with a sane length, NULL at the end
 */
static const struct rtnexthop *nl_nh_next(const struct rtattr *mp,
					  const struct rtnexthop *nh)
{
	const char *end = (const char *)RTA_DATA(mp) + RTA_PAYLOAD(mp);

	if (!nh)
		nh = RTA_DATA(mp);
	else
		nh = (const struct rtnexthop *)((const char *)nh +
						RTNH_ALIGN(nh->rtnh_len));

	if ((const char *)nh + sizeof(*nh) > end ||
	    nh->rtnh_len < sizeof(*nh) ||
	    (const char *)nh + nh->rtnh_len > end)
		return NULL;

	return nh;
}

/**
 * nl_nh_gw() - Gateway of a nexthop
 * @nh:		Nexthop
 * @af:		Address family
 *
 * Return: pointer to the gateway address, NULL if none
 */
static const void *nl_nh_gw(const struct rtnexthop *nh, int af)
{
	const struct rtattr *rta = RTNH_DATA(nh);
	size_t left = nh->rtnh_len - RTNH_LENGTH(0);

	for (; RTA_OK(rta, left); rta = RTA_NEXT(rta, left)) {
		if (rta->rta_type == RTA_GATEWAY &&
		    RTA_PAYLOAD(rta) == af_addr_len(af))
			return RTA_DATA(rta);
	}
	return NULL;
}

/**
 * nl_route_best_nh() - Highest-weight nexthop of a multipath route
 * @mp:		RTA_MULTIPATH attribute
 * @ifi:	Only consider nexthops on this interface, 0 for any
 *
 * Return: nexthop, NULL if none matches
 */
static const struct rtnexthop *nl_route_best_nh(const struct rtattr *mp,
						unsigned int ifi)
{
	const struct rtnexthop *nh, *best = NULL;

	for (nh = nl_nh_next(mp, NULL); nh; nh = nl_nh_next(mp, nh)) {
		if (ifi && (unsigned int)nh->rtnh_ifindex != ifi)
			continue;
		if (!best || nh->rtnh_hops > best->rtnh_hops)
			best = nh;
	}
	return best;
}

/**
 * nl_is_default() - Is this a unicast default route?
 * @r:		Parsed route
 *
 * Return: true if so
 */
static bool nl_is_default(const struct nl_route *r)
{
	return r->rtm->rtm_dst_len == 0 && r->rtm->rtm_type == RTN_UNICAST;
}

/**
 * nl_route_ifi() - Interface of a route: output or best nexthop one
 * @r:		Parsed route
 *
 * Return: interface index, 0 if none
 */
static unsigned int nl_route_ifi(const struct nl_route *r)
{
	const struct rtnexthop *nh;

	if (r->oif)
		return r->oif;
	if (r->mp && (nh = nl_route_best_nh(r->mp, 0)))
		return nh->rtnh_ifindex;
	return 0;
}

/**
 * struct ext_if_arg - State while looking for the template interface
 * @af:		Address family
 * @def:	Interface of the first default route, 0 if none yet
 * @ifi:	Interfaces with any other unicast route
 * @n:		Number of entries in @ifi
 */
struct ext_if_arg {
	int af;
	unsigned int def;
	unsigned int ifi[NL_IFI_MAX];
	int n;
};

/**
 * nl_ext_if_cb() - Route dump callback for nl_get_ext_if()
 * @nh:		Route message
 * @arg:	struct ext_if_arg
 *
 * Return: 0 to go on
 */
static int nl_ext_if_cb(const struct nlmsghdr *nh, void *arg)
{
	struct ext_if_arg *a = (struct ext_if_arg *)arg;
	struct nl_route r;
	unsigned int ifi;
	int i;

	if (nl_route_parse(nh, a->af, &r) || r.rtm->rtm_type != RTN_UNICAST)
		return 0;

	if (!(ifi = nl_route_ifi(&r)))
		return 0;

	if (nl_is_default(&r)) {
		if (!a->def)
			a->def = ifi;
		return 0;
	}

	/* Every IPv6 link has fe80::/64, that says nothing */
	if (a->af == AF_INET6 && r.dst &&
	    IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)r.dst))
		return 0;

	for (i = 0; i < a->n; i++) {
		if (a->ifi[i] == ifi)
			return 0;
	}
	if (a->n < NL_IFI_MAX)
		a->ifi[a->n++] = ifi;

	return 0;
}

/**
 * nl_link_msg() - Link information of an RTM_NEWLINK message
 * @nh:		Message
 *
 * Return: its struct ifinfomsg, NULL for other messages or a short one
 */
static const struct ifinfomsg *nl_link_msg(const struct nlmsghdr *nh)
{
	if (nh->nlmsg_type != RTM_NEWLINK ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return NULL;
	return NLMSG_DATA(nh);
}

/**
 * nl_link_flags_cb() - Link message callback: get interface flags
 * @nh:		RTM_NEWLINK message
 * @arg:	unsigned int for the flags
 *
 * Return: 1, one message is enough
 */
static int nl_link_flags_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct ifinfomsg *ifm = nl_link_msg(nh);

	if (!ifm)
		return 0;

	*(unsigned int *)arg = ifm->ifi_flags;
	return 1;
}

/**
 * nl_link_flags() - Flags (IFF_*) of a link in our namespace
 * @ifi:	Interface index
 *
 * Return: flags, 0 on failure
 */
static unsigned int nl_link_flags(unsigned int ifi)
{
	struct nl_req req;
	struct ifinfomsg *ifm;
	unsigned int flags = 0;

	ifm = nl_req_init(&req, RTM_GETLINK, 0, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifi;

	if (nl_do(nl_sock, &req, nl_buf, sizeof(nl_buf), nl_link_flags_cb,
		  &flags))
		return 0;
	return flags;
}

/**
 * nl_get_ext_if() - Interface of the default route for a family
 * @af:		AF_INET or AF_INET6
 *
 * Falls back to the only interface with any route of that family, if
 * there is exactly one non-loopback one.
 *
 * Return: interface index, 0 if there is none
 */
unsigned int nl_get_ext_if(int af)
{
	struct ext_if_arg a = { .af = af };
	unsigned int found = 0;
	struct nl_req req;
	struct rtmsg *rtm;
	int i, rc;

	rtm = nl_req_init(&req, RTM_GETROUTE, 0, sizeof(*rtm));
	rtm->rtm_family = af;

	if ((rc = nl_dump(nl_sock, &req, nl_ext_if_cb, &a))) {
		err("netlink: can't dump routes: %s", strerror(-rc));
		return 0;
	}

	if (a.def)
		return a.def;

	for (i = 0; i < a.n; i++) {
		if (nl_link_flags(a.ifi[i]) & IFF_LOOPBACK)
			continue;
		if (found)
			return 0;	/* More than one: we can't choose */
		found = a.ifi[i];
	}

	return found;
}

/**
 * struct route_def_arg - State while looking for a default gateway
 * @af:		Address family
 * @ifi:	Interface the route must use
 * @gw:		Where to copy the gateway
 * @found:	Set once copied
 */
struct route_def_arg {
	int af;
	unsigned int ifi;
	void *gw;
	bool found;
};

/**
 * nl_route_def_cb() - Route dump callback for nl_route_get_def()
 * @nh:		Route message
 * @arg:	struct route_def_arg
 *
 * Return: non-zero once found
 */
static int nl_route_def_cb(const struct nlmsghdr *nh, void *arg)
{
	struct route_def_arg *a = (struct route_def_arg *)arg;
	const void *gw = NULL;
	struct nl_route r;

	if (nl_route_parse(nh, a->af, &r) || !nl_is_default(&r))
		return 0;

	if (r.mp) {
		const struct rtnexthop *best = nl_route_best_nh(r.mp, a->ifi);

		if (best)
			gw = nl_nh_gw(best, a->af);
	} else if (r.oif == a->ifi) {
		gw = r.gw;
	}

	if (!gw)
		return 0;

	memcpy(a->gw, gw, af_addr_len(a->af));
	a->found = true;
	return 1;
}

/**
 * nl_route_get_def() - Default gateway of an interface
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @gw:		Set to the gateway (struct in_addr or struct in6_addr);
 *		for multipath routes, the nexthop with the highest weight
 *
 * Return: 0 on success, -1 if there is no default route via a gateway on
 *	   @ifi
 */
int nl_route_get_def(unsigned int ifi, int af, void *gw)
{
	struct route_def_arg a = { .af = af, .ifi = ifi, .gw = gw };
	struct nl_req req;
	struct rtmsg *rtm;

	if (!af_addr_len(af))
		return -1;

	rtm = nl_req_init(&req, RTM_GETROUTE, 0, sizeof(*rtm));
	rtm->rtm_family = af;

	if (nl_dump(nl_sock, &req, nl_route_def_cb, &a) || !a.found)
		return -1;
	return 0;
}

/**
 * struct nl_addr - Parsed view of an address message
 * @ifa:	Family header
 * @addr:	Local address (IFA_LOCAL, else IFA_ADDRESS), or NULL
 * @flags:	Flags, from IFA_FLAGS if present
 */
struct nl_addr {
	const struct ifaddrmsg *ifa;
	const void *addr;
	uint32_t flags;
};

/**
 * nl_addr_parse() - Parse an address message
 * @nh:		RTM_NEWADDR message
 * @af:		Expected family
 * @ifi:	Expected interface
 * @a:		Filled in
 *
 * Return: 0 if it's an address of @af on @ifi, -1 otherwise
 */
static int nl_addr_parse(const struct nlmsghdr *nh, int af, unsigned int ifi,
			 struct nl_addr *a)
{
	const void *local = NULL, *address = NULL;
	size_t alen = af_addr_len(af);
	const struct rtattr *rta;

	if (nh->nlmsg_type != RTM_NEWADDR ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
		return -1;

	a->ifa = NLMSG_DATA(nh);
	if (a->ifa->ifa_family != af || a->ifa->ifa_index != ifi)
		return -1;
	a->flags = a->ifa->ifa_flags;

	for_each_attr(rta, nh, sizeof(struct ifaddrmsg)) {
		size_t len = RTA_PAYLOAD(rta);

		if (rta->rta_type == IFA_LOCAL && len == alen)
			local = RTA_DATA(rta);
		else if (rta->rta_type == IFA_ADDRESS && len == alen)
			address = RTA_DATA(rta);
		else if (rta->rta_type == IFA_FLAGS && len >= 4)
			memcpy(&a->flags, RTA_DATA(rta), 4);
	}

	/* On point-to-point links, IFA_ADDRESS is the peer */
	a->addr = local ? local : address;
	return a->addr ? 0 : -1;
}

/**
 * nl_addr_is_ll() - Is this a link-local address?
 * @a:		Parsed address
 *
 * Return: true for link scope or, IPv6, fe80::/10
 */
static bool nl_addr_is_ll(const struct nl_addr *a)
{
	if (a->ifa->ifa_scope == RT_SCOPE_LINK ||
	    a->ifa->ifa_scope == RT_SCOPE_HOST)
		return true;
	if (a->ifa->ifa_family == AF_INET6 &&
	    IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)a->addr))
		return true;
	return false;
}

/**
 * struct addr_get_arg - State while looking for an address
 * @af:		Address family
 * @ifi:	Interface index
 * @addr:	Where to copy the address
 * @prefix_len:	Where to copy its prefix length
 * @addr_ll:	Where to copy the link-local one (IPv6), or NULL
 * @score:	Quality of the address found so far, 0 if none
 */
struct addr_get_arg {
	int af;
	unsigned int ifi;
	void *addr;
	int *prefix_len;
	void *addr_ll;
	int score;
};

/**
 * nl_addr_get_cb() - Address dump callback for nl_addr_get()
 * @nh:		Address message
 * @arg:	struct addr_get_arg
 *
 * Return: 0 to go on
 */
static int nl_addr_get_cb(const struct nlmsghdr *nh, void *arg)
{
	struct addr_get_arg *a = (struct addr_get_arg *)arg;
	struct nl_addr ad;
	int score = 3;

	if (nl_addr_parse(nh, a->af, a->ifi, &ad))
		return 0;

	if (a->af == AF_INET6 && nl_addr_is_ll(&ad)) {
		if (a->addr_ll)
			memcpy(a->addr_ll, ad.addr, sizeof(struct in6_addr));
		return 0;
	}

	/* IPv4: the first address; IPv6: prefer stable, usable ones */
	if (a->af == AF_INET6) {
		if (ad.flags & (IFA_F_DEPRECATED | IFA_F_DADFAILED))
			score = 1;
		else if (ad.flags & IFA_F_TEMPORARY)
			score = 2;
	}

	if (score > a->score) {
		memcpy(a->addr, ad.addr, af_addr_len(a->af));
		*a->prefix_len = ad.ifa->ifa_prefixlen;
		a->score = score;
	}
	return 0;
}

/**
 * nl_addr_get() - Preferred address of an interface and its prefix length
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @addr:	Set to the first global (IPv4: any) address, or left alone
 * @prefix_len:	Set to its prefix length
 * @addr_ll:	IPv6 only, may be NULL: set to the link-local address
 *
 * Return: 0 if a global (IPv4: any) address was found, -1 otherwise
 */
int nl_addr_get(unsigned int ifi, int af, void *addr, int *prefix_len,
		void *addr_ll)
{
	struct addr_get_arg a = { .af = af, .ifi = ifi, .addr = addr,
				  .prefix_len = prefix_len,
				  .addr_ll = af == AF_INET6 ? addr_ll : NULL };
	struct ifaddrmsg *ifa;
	struct nl_req req;

	if (!af_addr_len(af))
		return -1;

	ifa = nl_req_init(&req, RTM_GETADDR, 0, sizeof(*ifa));
	ifa->ifa_family = af;

	if (nl_dump(nl_sock, &req, nl_addr_get_cb, &a) || !a.score)
		return -1;
	return 0;
}

/**
 * nl_link_mac_cb() - Link message callback: copy the MAC address
 * @nh:		RTM_NEWLINK message
 * @arg:	6-byte buffer
 *
 * Return: 1 once copied
 */
static int nl_link_mac_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct rtattr *rta;

	if (!nl_link_msg(nh))
		return 0;

	for_each_attr(rta, nh, sizeof(struct ifinfomsg)) {
		if (rta->rta_type == IFLA_ADDRESS &&
		    RTA_PAYLOAD(rta) == ETH_ALEN) {
			memcpy(arg, RTA_DATA(rta), ETH_ALEN);
			return 1;
		}
	}
	return 0;
}

/**
 * nl_link_get_mac() - MAC address of a link
 * @ns:		In the target namespace (pasta), else in ours
 * @ifi:	Interface index
 * @mac:	Set to the MAC address, 6 bytes
 *
 * Return: 0 on success, -1 on failure
 */
int nl_link_get_mac(bool ns, unsigned int ifi, void *mac)
{
	unsigned char tmp[ETH_ALEN + 2] = { 0 };
	const unsigned char zero[ETH_ALEN] = { 0 };
	struct ifinfomsg *ifm;
	struct nl_req req;

	ifm = nl_req_init(&req, RTM_GETLINK, 0, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifi;

	if (nl_do(nl_sock_get(ns), &req, nl_buf, sizeof(nl_buf),
		  nl_link_mac_cb, tmp))
		return -1;

	if (!memcmp(tmp, zero, ETH_ALEN))
		return -1;

	memcpy(mac, tmp, ETH_ALEN);
	return 0;
}

/**
 * nl_link_set_mac() - Set the MAC address of a link in the namespace
 * @ifi:	Interface index
 * @mac:	MAC address, 6 bytes
 *
 * Return: 0 on success, -1 on failure
 */
int nl_link_set_mac(unsigned int ifi, const void *mac)
{
	struct ifinfomsg *ifm;
	struct nl_req req;
	int rc;

	ifm = nl_req_init(&req, RTM_NEWLINK, 0, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifi;
	nl_attr_put(&req, IFLA_ADDRESS, mac, ETH_ALEN);

	if ((rc = nl_set(nl_sock_get(true), &req))) {
		err("netlink: can't set MAC address of interface %u: %s",
		    ifi, strerror(-rc));
		return -1;
	}
	return 0;
}

/**
 * nl_link_up() - Bring a link in the namespace up, optionally setting MTU
 * @ifi:	Interface index
 * @mtu:	MTU to set, 0 to leave it alone
 *
 * Return: 0 on success, -1 on failure
 */
int nl_link_up(unsigned int ifi, int mtu)
{
	struct ifinfomsg *ifm;
	struct nl_req req;
	int rc;

	ifm = nl_req_init(&req, RTM_NEWLINK, 0, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifi;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	if (mtu) {
		uint32_t m = mtu;

		nl_attr_put(&req, IFLA_MTU, &m, sizeof(m));
	}

	if ((rc = nl_set(nl_sock_get(true), &req))) {
		err("netlink: can't bring up interface %u: %s",
		    ifi, strerror(-rc));
		return -1;
	}
	return 0;
}

/**
 * nl_addr_req() - Build an RTM_NEWADDR request
 * @req:	Request buffer
 * @ifi:	Interface index
 * @af:		Address family
 * @addr:	Address
 * @prefix_len:	Prefix length
 * @scope:	Address scope
 * @flags:	IFA_F_* flags, IFA_F_NODAD added for IPv6
 */
static void nl_addr_req(struct nl_req *req, unsigned int ifi, int af,
			const void *addr, int prefix_len, unsigned char scope,
			uint32_t flags)
{
	size_t alen = af_addr_len(af);
	struct ifaddrmsg *ifa;

	ifa = nl_req_init(req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
			  sizeof(*ifa));
	ifa->ifa_family = af;
	ifa->ifa_prefixlen = prefix_len;
	ifa->ifa_scope = scope;
	ifa->ifa_index = ifi;

	if (af == AF_INET6)
		flags |= IFA_F_NODAD;
	ifa->ifa_flags = flags & 0xff;

	nl_attr_put(req, IFA_LOCAL, addr, alen);
	nl_attr_put(req, IFA_ADDRESS, addr, alen);
	nl_attr_put(req, IFA_FLAGS, &flags, sizeof(flags));
}

/**
 * nl_addr_set() - Add an address to a link in the namespace
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @addr:	Address
 * @prefix_len:	Prefix length
 *
 * IPv6 addresses are added with IFA_F_NODAD so they are usable at once.
 * An address that is already there is fine.
 *
 * Return: 0 on success, -1 on failure
 */
int nl_addr_set(unsigned int ifi, int af, const void *addr, int prefix_len)
{
	struct nl_req req;
	int rc;

	if (!af_addr_len(af))
		return -1;

	nl_addr_req(&req, ifi, af, addr, prefix_len, RT_SCOPE_UNIVERSE, 0);
	rc = nl_set(nl_sock_get(true), &req);
	if (rc && rc != -EEXIST) {
		err("netlink: can't add address to interface %u: %s",
		    ifi, strerror(-rc));
		return -1;
	}
	return 0;
}

/**
 * nl_route_req() - Start an RTM_NEWROUTE request in the main table
 * @req:	Request buffer
 * @af:		Address family
 *
 * Return: family header, to be completed
 */
static struct rtmsg *nl_route_req(struct nl_req *req, int af)
{
	struct rtmsg *rtm;

	rtm = nl_req_init(req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
			  sizeof(*rtm));
	rtm->rtm_family = af;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	return rtm;
}

/**
 * nl_route_set_def() - Add a default route in the namespace
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @gw:		Gateway address
 *
 * If the gateway is not on any configured prefix, the route is added as
 * on-link, like a DHCP classless route would make it usable.
 *
 * Return: 0 on success, -1 on failure
 */
int nl_route_set_def(unsigned int ifi, int af, const void *gw)
{
	struct nl_req req;
	struct rtmsg *rtm;
	uint32_t oif = ifi;
	int rc, onlink;

	if (!af_addr_len(af))
		return -1;

	for (onlink = 0; onlink < 2; onlink++) {
		rtm = nl_route_req(&req, af);
		if (onlink)
			rtm->rtm_flags |= RTNH_F_ONLINK;
		nl_attr_put(&req, RTA_OIF, &oif, sizeof(oif));
		nl_attr_put(&req, RTA_GATEWAY, gw, af_addr_len(af));

		rc = nl_set(nl_sock_get(true), &req);
		if (!rc || rc == -EEXIST)
			return 0;
		if (rc != -ENETUNREACH && rc != -EHOSTUNREACH)
			break;
	}

	err("netlink: can't add default route on interface %u: %s",
	    ifi, strerror(-rc));
	return -1;
}

/**
 * struct dup_arg - State while copying addresses or routes
 * @af:		Address family
 * @src:	Template interface in our namespace
 * @dst:	Interface in the target namespace
 * @failed:	Objects that couldn't be added this pass
 * @rc:		Last error code
 */
struct dup_arg {
	int af;
	unsigned int src;
	unsigned int dst;
	int failed;
	int rc;
};

/**
 * nl_dup_send() - Send one copied address or route to the namespace
 * @a:		Copy state: counts failures, keeps the last error
 * @req:	Request to send
 *
 * What is there already (EEXIST) is fine: the kernel adds prefix routes.
 */
static void nl_dup_send(struct dup_arg *a, struct nl_req *req)
{
	int rc = nl_set(nl_sock_get(true), req);

	if (rc && rc != -EEXIST) {
		a->failed++;
		a->rc = rc;
	}
}

/**
 * nl_addr_dup_cb() - Address dump callback for nl_addr_dup()
 * @nh:		Address message
 * @arg:	struct dup_arg
 *
 * Return: 0 to go on
 */
static int nl_addr_dup_cb(const struct nlmsghdr *nh, void *arg)
{
	struct dup_arg *a = (struct dup_arg *)arg;
	const struct rtattr *rta;
	struct nl_addr ad;
	struct nl_req req;
	uint32_t flags;

	if (nl_addr_parse(nh, a->af, a->src, &ad) || nl_addr_is_ll(&ad))
		return 0;

	/* Only what makes sense for a configured, permanent address */
	flags = ad.flags & (IFA_F_NOPREFIXROUTE | IFA_F_NODAD);
	nl_addr_req(&req, a->dst, a->af, ad.addr, ad.ifa->ifa_prefixlen,
		    ad.ifa->ifa_scope, flags);

	for_each_attr(rta, nh, sizeof(struct ifaddrmsg)) {
		if (rta->rta_type == IFA_BROADCAST &&
		    RTA_PAYLOAD(rta) == sizeof(struct in_addr))
			nl_attr_put(&req, IFA_BROADCAST, RTA_DATA(rta),
				    RTA_PAYLOAD(rta));
	}

	nl_dup_send(a, &req);
	return 0;
}

/**
 * nl_addr_dup() - Copy the addresses of a host interface to the namespace
 * @ifi_src:	Template interface index in our namespace
 * @ifi_dst:	Interface index in the target namespace
 * @af:		AF_INET or AF_INET6
 *
 * Link-local addresses are not copied; IPv6 ones are added without DAD.
 *
 * Return: 0 on success, -1 on failure
 */
int nl_addr_dup(unsigned int ifi_src, unsigned int ifi_dst, int af)
{
	struct dup_arg a = { .af = af, .src = ifi_src, .dst = ifi_dst };
	struct ifaddrmsg *ifa;
	struct nl_req req;
	int rc;

	if (!af_addr_len(af))
		return -1;

	ifa = nl_req_init(&req, RTM_GETADDR, 0, sizeof(*ifa));
	ifa->ifa_family = af;

	if ((rc = nl_dump(nl_sock, &req, nl_addr_dup_cb, &a))) {
		err("netlink: can't dump addresses: %s", strerror(-rc));
		return -1;
	}

	if (a.failed) {
		err("netlink: can't copy %i address(es) to interface %u: %s",
		    a.failed, ifi_dst, strerror(-a.rc));
		return -1;
	}
	return 0;
}

/**
 * nl_route_dup_mp() - Copy the nexthops of a route on an interface
 * @req:	Request being built
 * @mp:		RTA_MULTIPATH attribute of the template
 * @src:	Template interface: other nexthops are dropped
 * @dst:	Interface to use instead
 *
 * Return: number of nexthops copied
 */
static int nl_route_dup_mp(struct nl_req *req, const struct rtattr *mp,
			   unsigned int src, unsigned int dst)
{
	const struct rtnexthop *nh;
	struct rtattr *out;
	int n = 0;

	if (!(out = nl_attr_put(req, RTA_MULTIPATH, NULL, 0)))
		return 0;

	for (nh = nl_nh_next(mp, NULL); nh; nh = nl_nh_next(mp, nh)) {
		size_t off = NLMSG_ALIGN(req->nh.nlmsg_len);
		struct rtnexthop *copy;

		if ((unsigned int)nh->rtnh_ifindex != src)
			continue;
		if (off + RTNH_ALIGN(nh->rtnh_len) > sizeof(*req))
			return 0;

		copy = (struct rtnexthop *)((char *)req + off);
		memcpy(copy, nh, nh->rtnh_len);
		copy->rtnh_ifindex = dst;
		copy->rtnh_flags &= RTNH_F_ONLINK;
		req->nh.nlmsg_len = off + RTNH_ALIGN(nh->rtnh_len);
		n++;
	}

	out->rta_len = (char *)req + req->nh.nlmsg_len - (char *)out;
	return n;
}

/**
 * nl_route_dup_cb() - Route dump callback for nl_route_dup()
 * @nh:		Route message
 * @arg:	struct dup_arg
 *
 * Return: 0 to go on
 */
static int nl_route_dup_cb(const struct nlmsghdr *nh, void *arg)
{
	struct dup_arg *a = (struct dup_arg *)arg;
	const struct rtattr *rta;
	struct nl_route r;
	struct nl_req req;
	struct rtmsg *rtm;
	uint32_t oif = a->dst;

	if (nl_route_parse(nh, a->af, &r) || r.rtm->rtm_type != RTN_UNICAST ||
	    r.unsupported || r.rtm->rtm_flags & RTM_F_CLONED)
		return 0;

	if (r.mp) {
		if (!nl_route_best_nh(r.mp, a->src))
			return 0;
	} else if (r.oif != a->src) {
		return 0;
	}

	rtm = nl_route_req(&req, a->af);
	rtm->rtm_dst_len = r.rtm->rtm_dst_len;
	rtm->rtm_tos = r.rtm->rtm_tos;
	rtm->rtm_scope = r.rtm->rtm_scope;
	rtm->rtm_flags = r.rtm->rtm_flags & RTNH_F_ONLINK;
	if (r.rtm->rtm_protocol != RTPROT_KERNEL &&
	    r.rtm->rtm_protocol != RTPROT_UNSPEC)
		rtm->rtm_protocol = r.rtm->rtm_protocol;

	if (r.mp) {
		if (!nl_route_dup_mp(&req, r.mp, a->src, a->dst))
			return 0;
	} else {
		nl_attr_put(&req, RTA_OIF, &oif, sizeof(oif));
	}

	for_each_attr(rta, nh, sizeof(struct rtmsg)) {
		switch (rta->rta_type) {
		case RTA_DST:
		case RTA_GATEWAY:
		case RTA_PRIORITY:
		case RTA_METRICS:
		case RTA_PREF:
			if (!nl_attr_put(&req, rta->rta_type, RTA_DATA(rta),
					 RTA_PAYLOAD(rta)))
				return 0;
			break;
		}
	}

	nl_dup_send(a, &req);
	return 0;
}

/**
 * nl_route_dup() - Copy the routes of a host interface to the namespace
 * @ifi_src:	Template interface index in our namespace
 * @ifi_dst:	Interface index in the target namespace
 * @af:		AF_INET or AF_INET6
 *
 * A route via a gateway can only be added once the gateway is reachable,
 * that is, once the route to it exists: instead of sorting, go over the
 * template routes again as long as some fail and others get added. Routes
 * already there (prefix routes of copied addresses) are fine.
 *
 * Return: 0 on success, -1 on failure
 */
int nl_route_dup(unsigned int ifi_src, unsigned int ifi_dst, int af)
{
	struct dup_arg a = { .af = af, .src = ifi_src, .dst = ifi_dst };
	int pass, last_failed = -1;

	if (!af_addr_len(af))
		return -1;

	for (pass = 0; pass < NL_ROUTE_PASSES; pass++) {
		struct nl_req req;
		struct rtmsg *rtm;
		int rc;

		rtm = nl_req_init(&req, RTM_GETROUTE, 0, sizeof(*rtm));
		rtm->rtm_family = af;

		a.failed = 0;
		if ((rc = nl_dump(nl_sock, &req, nl_route_dup_cb, &a))) {
			err("netlink: can't dump routes: %s", strerror(-rc));
			return -1;
		}

		if (!a.failed)
			return 0;
		if (a.failed == last_failed)
			break;		/* No progress: give up */
		last_failed = a.failed;
	}

	err("netlink: can't copy %i route(s) to interface %u: %s",
	    a.failed, ifi_dst, strerror(-a.rc));
	return -1;
}

/**
 * nl_link_index_cb() - Link message callback: get the index
 * @nh:		RTM_NEWLINK message
 * @arg:	unsigned int for the index
 *
 * Return: 1 once found
 */
static int nl_link_index_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct ifinfomsg *ifm = nl_link_msg(nh);

	if (!ifm)
		return 0;

	*(unsigned int *)arg = ifm->ifi_index;
	return 1;
}

/**
 * nl_link_index() - Index of a link by name
 * @ns:		In the target namespace (pasta), else in ours
 * @name:	Interface name
 *
 * Return: interface index, 0 if not found
 */
unsigned int nl_link_index(bool ns, const char *name)
{
	size_t len = strnlen(name, IFNAMSIZ);
	struct ifinfomsg *ifm;
	unsigned int ifi = 0;
	char n[IFNAMSIZ];
	struct nl_req req;

	if (!len || len >= IFNAMSIZ)
		return 0;
	memcpy(n, name, len + 1);

	ifm = nl_req_init(&req, RTM_GETLINK, 0, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	nl_attr_put(&req, IFLA_IFNAME, n, len + 1);

	if (nl_do(nl_sock_get(ns), &req, nl_buf, sizeof(nl_buf),
		  nl_link_index_cb, &ifi))
		return 0;
	return ifi;
}

/**
 * struct addr_all_arg - State while listing the host's addresses
 * @addrs:	Array to fill
 * @max:	Its size
 * @n:		Entries filled so far
 */
struct addr_all_arg {
	union inany_addr *addrs;
	int max;
	int n;
};

/**
 * nl_addr_all_cb() - Address dump callback for nl_addr_all()
 * @nh:		Address message
 * @arg:	struct addr_all_arg
 *
 * Return: 0 to go on, 1 once the array is full
 */
static int nl_addr_all_cb(const struct nlmsghdr *nh, void *arg)
{
	struct addr_all_arg *a = (struct addr_all_arg *)arg;
	const struct ifaddrmsg *ifa;
	struct nl_addr ad;

	if (nh->nlmsg_type != RTM_NEWADDR ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return 0;
	ifa = NLMSG_DATA(nh);
	if ((ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) ||
	    nl_addr_parse(nh, ifa->ifa_family, ifa->ifa_index, &ad))
		return 0;

	inany_from_af(&a->addrs[a->n++], ifa->ifa_family, ad.addr);
	return a->n >= a->max;
}

/**
 * nl_addr_all() - Every address of every interface of the host
 * @addrs:	Filled with the addresses, both families
 * @max:	Size of @addrs
 *
 * Return: number of addresses (at most @max), -1 on failure
 */
int nl_addr_all(union inany_addr *addrs, int max)
{
	struct addr_all_arg a = { .addrs = addrs, .max = max };
	struct ifaddrmsg *ifa;
	struct nl_req req;
	int rc;

	if (max <= 0)
		return -1;

	ifa = nl_req_init(&req, RTM_GETADDR, 0, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;

	if ((rc = nl_dump(nl_sock, &req, nl_addr_all_cb, &a))) {
		debug("netlink: can't dump addresses: %s", strerror(-rc));
		return -1;
	}
	return a.n;
}

/* Objects removed per pass by nl_flush(): the rest goes in the next one */
#define NL_FLUSH_BATCH		16
#define NL_FLUSH_PASSES		16

/**
 * struct flush_arg - Objects to remove, copied from a dump
 * @af:		Address family
 * @ifi:	Interface in the target namespace
 * @n:		Messages collected
 * @msg:	Copies of the messages, turned into removal requests later
 */
struct flush_arg {
	int af;
	unsigned int ifi;
	int n;
	struct nl_req msg[NL_FLUSH_BATCH];
};

/**
 * nl_flush_keep() - Copy a message to remove later, as a request
 * @a:		struct flush_arg
 * @nh:		Message from the dump
 * @type:	Request type, RTM_DELADDR or RTM_DELROUTE
 *
 * Return: 1 once the batch is full
 */
static int nl_flush_keep(struct flush_arg *a, const struct nlmsghdr *nh,
			 uint16_t type)
{
	struct nl_req *req = &a->msg[a->n];

	if (nh->nlmsg_len > sizeof(*req))
		return 0;

	memcpy(req, nh, nh->nlmsg_len);
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = NLM_F_REQUEST;
	return ++a->n >= NL_FLUSH_BATCH;
}

/**
 * nl_flush_addr_cb() - Address dump callback for nl_flush()
 * @nh:		Address message
 * @arg:	struct flush_arg
 *
 * Return: 1 once the batch is full
 */
static int nl_flush_addr_cb(const struct nlmsghdr *nh, void *arg)
{
	struct flush_arg *a = (struct flush_arg *)arg;
	struct nl_addr ad;

	if (nl_addr_parse(nh, a->af, a->ifi, &ad) || nl_addr_is_ll(&ad))
		return 0;
	return nl_flush_keep(a, nh, RTM_DELADDR);
}

/**
 * nl_flush_route_cb() - Route dump callback for nl_flush()
 * @nh:		Route message
 * @arg:	struct flush_arg
 *
 * Prefix routes (RTPROT_KERNEL) go with their addresses, and IPv6
 * link-local ones must stay.
 *
 * Return: 1 once the batch is full
 */
static int nl_flush_route_cb(const struct nlmsghdr *nh, void *arg)
{
	struct flush_arg *a = (struct flush_arg *)arg;
	struct nl_route r;

	if (nl_route_parse(nh, a->af, &r) || r.oif != a->ifi ||
	    r.rtm->rtm_protocol == RTPROT_KERNEL)
		return 0;
	if (a->af == AF_INET6 && r.dst &&
	    IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)r.dst))
		return 0;
	return nl_flush_keep(a, nh, RTM_DELROUTE);
}

/**
 * nl_flush() - Remove global addresses and routes of a namespace link
 * @ifi:	Interface index in the target namespace
 * @af:		AF_INET or AF_INET6
 *
 * Dumps and removals can't share a socket, so: dump a batch, remove it,
 * and again, until nothing is left (or the passes run out).
 *
 * Return: 0 on success, -1 on failure
 */
int nl_flush(unsigned int ifi, int af)
{
	static struct flush_arg a;
	int pass, i, rc, addr_n = 0;

	if (!af_addr_len(af))
		return -1;

	for (pass = 0; pass < NL_FLUSH_PASSES * 2; pass++) {
		bool routes = pass % 2;
		struct nl_req req;

		a.af = af;
		a.ifi = ifi;
		a.n = 0;

		if (routes) {
			struct rtmsg *rtm;

			rtm = nl_req_init(&req, RTM_GETROUTE, 0, sizeof(*rtm));
			rtm->rtm_family = af;
			rc = nl_dump(nl_sock_get(true), &req,
				     nl_flush_route_cb, &a);
		} else {
			struct ifaddrmsg *ifa;

			ifa = nl_req_init(&req, RTM_GETADDR, 0, sizeof(*ifa));
			ifa->ifa_family = af;
			rc = nl_dump(nl_sock_get(true), &req,
				     nl_flush_addr_cb, &a);
		}
		if (rc) {
			err("netlink: can't dump in namespace: %s",
			    strerror(-rc));
			return -1;
		}

		for (i = 0; i < a.n; i++) {
			rc = nl_set(nl_sock_get(true), &a.msg[i]);
			if (rc && rc != -ENOENT && rc != -EADDRNOTAVAIL &&
			    rc != -ESRCH)
				debug("netlink: can't remove from interface %u: %s",
				      ifi, strerror(-rc));
		}

		/* Both kinds empty in a row: done */
		if (!routes)
			addr_n = a.n;
		else if (!a.n && !addr_n)
			return 0;
	}
	return 0;
}
