/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * icmp.c - ICMP and ICMPv6 echo through unprivileged ping sockets
 *
 * Each (family, guest echo identifier, destination) gets a "ping" socket
 * (SOCK_DGRAM, IPPROTO_ICMP or IPPROTO_ICMPV6), which needs no privileges
 * as long as our group is in net.ipv4.ping_group_range. The kernel sets the
 * identifier of outgoing requests to the port the socket is bound to: we
 * bind to the guest's identifier where we can, and anyway restore it on the
 * replies, so the guest sees its own identifier and sequence numbers.
 *
 * Only echo requests are forwarded, replies come back with the address the
 * guest pinged as source. Flows expire after ICMP_TIMEOUT_S seconds without
 * requests; an unreachable target simply never answers.
 *
 * Flows are entries of type FLOW_ICMP in the flow table (flow.h): the
 * guest initiates, so side[INISIDE] is on PIF_TAP (peer: the guest, last
 * seen source address, peer_port: its identifier; ours: the address it
 * pinged), side[TGTSIDE] on PIF_HOST (peer: the translated destination).
 * The hash index finds them by identifier and pinged address.
 */

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "passt.h"
#include "icmp.h"
#include "tap.h"
#include "fwd.h"
#include "flow.h"
#include "inany.h"
#include "util.h"
#include "log.h"

#define ICMP_TIMEOUT_S		60

/* Echo header: type, code, checksum, identifier, sequence (same layout in
 * ICMP and ICMPv6)
 */
#define ICMP_HLEN		sizeof(struct icmphdr)
static_assert(sizeof(struct icmphdr) == sizeof(struct icmp6_hdr),
	      "ICMP and ICMPv6 echo headers have the same length");

/* Headers of guest messages: wherever frames put them, no alignment */
typedef struct icmphdr __attribute__((aligned(1))) icmphdr_ua;
typedef struct icmp6_hdr __attribute__((aligned(1))) icmp6hdr_ua;

/* Largest echo message that still fits an IP packet to the guest */
#define ICMP_MSG_MAX		(IP_MAXPACKET - sizeof(struct iphdr))
#define ICMPV6_MSG_MAX		IP_MAXPACKET	/* IPv6 payload length */

/* Replies read per event, at most */
#define ICMP_READS_MAX		32

/**
 * struct icmp_flow - Echo flow state, private area of a FLOW_ICMP entry
 * @af:		AF_INET or AF_INET6
 * @id:		Echo identifier used by the guest, host order
 * @sock:	Ping socket
 * @last:	Time of the last request, seconds
 * @seq:	Last sequence number sent, host order (for logging)
 */
struct icmp_flow {
	int af;
	uint16_t id;
	int sock;
	time_t last;
	uint16_t seq;
};

static_assert(sizeof(struct icmp_flow) <= FLOW_PRIV_SIZE,
	      "ICMP flow state must fit the flow table's private area");

/**
 * icmp_at() - Echo state of a flow
 * @fl:		Flow of type FLOW_ICMP
 *
 * Return: private area of @fl
 */
static struct icmp_flow *icmp_at(struct flow *fl)
{
	return flow_priv(fl);
}

/* Receive buffer for replies: one message at a time */
static uint8_t icmp_buf[ICMPV6_MSG_MAX + 1] __attribute__((aligned(8)));

/**
 * icmp_echo_get() - Fields of an echo message header
 * @af:		AF_INET or AF_INET6
 * @msg:	Message, at least ICMP_HLEN bytes, any alignment
 * @type:	Type, set on return
 * @code:	Code, set on return
 * @id:		Identifier, host order, set on return
 * @seq:	Sequence number, host order, set on return
 */
static void icmp_echo_get(int af, const void *msg, uint8_t *type,
			  uint8_t *code, uint16_t *id, uint16_t *seq)
{
	if (af == AF_INET) {
		const icmphdr_ua *ih = msg;

		*type = ih->type;
		*code = ih->code;
		*id = ntohs(ih->un.echo.id);
		*seq = ntohs(ih->un.echo.sequence);
	} else {
		const icmp6hdr_ua *ih6 = msg;

		*type = ih6->icmp6_type;
		*code = ih6->icmp6_code;
		*id = ntohs(ih6->icmp6_id);
		*seq = ntohs(ih6->icmp6_seq);
	}
}

/**
 * icmp_key() - Build the hash key of a flow
 * @k:		Key to fill
 * @af:		Address family
 * @id:		Guest echo identifier
 * @daddr:	Destination as sent by the guest
 */
static void icmp_key(struct flow_key *k, int af, uint16_t id,
		     const union inany_addr *daddr)
{
	memset(k, 0, sizeof(*k));
	k->ours = *daddr;
	k->peer_port = id;
	k->proto = af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	k->pif = PIF_TAP;
}

/**
 * icmp_flow_close() - Close a flow and free its entry
 * @c:		Execution context
 * @fl:		Flow of type FLOW_ICMP
 *
 * #syscalls close
 */
static void icmp_flow_close(const struct ctx *c, struct flow *fl)
{
	struct icmp_flow *f = icmp_at(fl);
	struct flow_key k;

	icmp_key(&k, f->af, f->id, &fl->f.side[INISIDE].ours);
	flow_hash_remove(&k);
	passt_epoll_del(c, f->sock);
	close(f->sock);
	flow_free(fl);
}

/**
 * icmp_sockaddr() - Fill a socket address from an inany address
 * @c:		Execution context
 * @af:		Address family
 * @a:		Address
 * @port:	Port, host order
 * @sa:		Socket address storage to fill
 *
 * Return: length of the socket address
 */
static socklen_t icmp_sockaddr(const struct ctx *c, int af,
			       const union inany_addr *a, uint16_t port,
			       struct sockaddr_storage *sa)
{
	memset(sa, 0, sizeof(*sa));

	if (af == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
		const struct in_addr *v4 = inany_v4(a);

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (v4)
			s4->sin_addr = *v4;
		return sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = a->a6;
		/* Local mode: no interface of ours to scope it to */
		if (IN6_IS_ADDR_LINKLOCAL(&a->a6) && c->ifi6 != IFI_LOCAL)
			s6->sin6_scope_id = c->ifi6;
		return sizeof(*s6);
	}
}

/**
 * icmp_sock_open() - Open and bind a ping socket for a new flow
 * @c:		Execution context
 * @af:		Address family
 * @id:		Guest echo identifier, the port we'd like to bind to
 *
 * Return: socket, or -1 on failure
 *
 * #syscalls socket setsockopt bind close
 */
static int icmp_sock_open(const struct ctx *c, int af, uint16_t id)
{
	const char *ifname = af == AF_INET ? c->ip4.ifname_out :
					     c->ip6.ifname_out;
	struct sockaddr_storage sa;
	union inany_addr bind_addr;
	socklen_t sl;
	int s;

	s = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (s < 0) {
		warn_once("Can't open ping socket (%s): check "
			  "net.ipv4.ping_group_range", strerror(errno));
		return -1;
	}

	if (s > FD_REF_MAX) {
		close(s);
		return -1;
	}

	if (*ifname &&
	    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname)))
		debug("icmp: can't bind ping socket to %s: %s", ifname,
		      strerror(errno));

	if (af == AF_INET)
		inany_from_v4(&bind_addr, c->ip4.addr_out);
	else
		bind_addr.a6 = c->ip6.addr_out;

	/* The bound port is the identifier the kernel puts in requests */
	sl = icmp_sockaddr(c, af, &bind_addr, id, &sa);
	if (bind(s, (struct sockaddr *)&sa, sl)) {
		/* Taken by another flow or process: any id will do, we
		 * restore the guest's one on replies
		 */
		sl = icmp_sockaddr(c, af, &bind_addr, 0, &sa);
		if (bind(s, (struct sockaddr *)&sa, sl)) {
			debug("icmp: can't bind ping socket: %s",
			      strerror(errno));
			close(s);
			return -1;
		}
	}

	return s;
}

/**
 * icmp_flow_new() - Set up a new echo flow
 * @c:		Execution context
 * @af:		Address family
 * @id:		Guest echo identifier
 * @daddr:	Destination as sent by the guest
 * @haddr:	Translated destination
 * @now:	Current time
 *
 * Return: new flow, or NULL on failure
 */
static struct flow *icmp_flow_new(const struct ctx *c, int af, uint16_t id,
				  const union inany_addr *daddr,
				  const union inany_addr *haddr,
				  const struct timespec *now)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_ICMP };
	struct icmp_flow *f;
	struct flow_key k;
	struct flow *fl;
	int s;

	if (flow_count(FLOW_ICMP) >= FLOW_ICMP_MAX) {
		debug("icmp: flow table full, request dropped");
		return NULL;
	}

	s = icmp_sock_open(c, af, id);
	if (s < 0)
		return NULL;

	fl = flow_alloc(FLOW_ICMP, (uint32_t)now->tv_sec);
	if (!fl) {
		debug("icmp: flow table full, request dropped");
		close(s);
		return NULL;
	}

	icmp_key(&k, af, id, daddr);
	if (flow_hash_insert(&k, flow_idx(fl))) {
		debug("icmp: flow index full, request dropped");
		flow_free(fl);
		close(s);
		return NULL;
	}

	ref.fd = s;
	ref.data = flow_idx(fl);
	if (passt_epoll_add(c, EPOLLIN, ref)) {
		flow_hash_remove(&k);
		flow_free(fl);
		close(s);
		return NULL;
	}

	flow_side_set(&fl->f.side[INISIDE], PIF_TAP, NULL, id, daddr, 0);
	flow_side_set(&fl->f.side[TGTSIDE], PIF_HOST, haddr, 0, NULL, 0);
	fl->f.state = FLOW_STATE_ACTIVE;
	f = icmp_at(fl);
	f->af = af;
	f->id = id;
	f->sock = s;
	f->last = now->tv_sec;

	return fl;
}

/**
 * icmp_tap_handler() - Handle an ICMP/ICMPv6 message from the guest
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @saddr:	Source address (struct in_addr or struct in6_addr)
 * @daddr:	Destination address
 * @msg:	ICMP header and body
 * @len:	Length of @msg
 * @now:	Current time
 *
 * #syscalls sendto
 */
void icmp_tap_handler(struct ctx *c, int af, const void *saddr,
		      const void *daddr, const void *msg, size_t len,
		      const struct timespec *now)
{
	uint8_t proto = af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	union inany_addr dst, hdst, src;
	struct sockaddr_storage sa;
	struct flow_key k;
	struct icmp_flow *f;
	uint16_t id, seq, hport;
	uint8_t type, code;
	struct flow *fl;
	uint32_t idx;
	socklen_t sl;

	if (c->no_icmp || (af != AF_INET && af != AF_INET6))
		return;

	if (len < ICMP_HLEN ||
	    len > (af == AF_INET ? ICMP_MSG_MAX : ICMPV6_MSG_MAX))
		return;

	/* Echo requests only, other types aren't forwarded */
	icmp_echo_get(af, msg, &type, &code, &id, &seq);
	if (type != (af == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST) || code) {
		trace("icmp: type %u from guest ignored", type);
		return;
	}

	inany_from_af(&dst, af, daddr);
	inany_from_af(&src, af, saddr);

	icmp_key(&k, af, id, &dst);
	idx = flow_hash_lookup(&k);
	if (idx != FLOW_IDX_NONE && idx < FLOW_MAX &&
	    flow_at(idx)->f.type == FLOW_ICMP) {
		fl = flow_at(idx);
	} else {
		if (!fwd_nat_from_tap(c, proto, &dst, 0, &hdst, &hport)) {
			trace("icmp: no translation for destination, dropped");
			return;
		}

		fl = icmp_flow_new(c, af, id, &dst, &hdst, now);
		if (!fl)
			return;
	}

	f = icmp_at(fl);
	fl->f.side[INISIDE].peer = src;
	f->last = now->tv_sec;
	f->seq = seq;

	sl = icmp_sockaddr(c, af, &fl->f.side[TGTSIDE].peer, 0, &sa);
	if (sendto(f->sock, msg, len, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   sl) < 0) {
		debug("icmp: failed to send echo request: %s",
		      strerror(errno));
		return;
	}
	fl->f.bytes[INISIDE] += len;
	fl->f.pkts[INISIDE]++;

	trace("icmp: echo request id %u seq %u sent", id, f->seq);
}

/**
 * icmp_sock_handler() - Handle replies on a ping socket
 * @c:		Execution context
 * @ref:	epoll reference
 * @events:	epoll events
 * @now:	Current time
 *
 * #syscalls recvmsg
 */
void icmp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		       const struct timespec *now)
{
	const struct flow_side *tap;
	struct icmp_flow *f;
	struct flow *fl;
	int i;

	(void)events;
	(void)now;

	if (ref.data >= FLOW_MAX)
		return;

	fl = flow_at(ref.data);
	f = icmp_at(fl);
	if (fl->f.type != FLOW_ICMP || f->sock != ref.fd)
		return;
	tap = &fl->f.side[INISIDE];

	for (i = 0; i < ICMP_READS_MAX; i++) {
		uint8_t reply = f->af == AF_INET ? ICMP_ECHOREPLY :
						   ICMP6_ECHO_REPLY;
		uint8_t type, code;
		uint16_t id, seq;
		size_t max = f->af == AF_INET ? ICMP_MSG_MAX : ICMPV6_MSG_MAX;
		struct iovec iov = { .iov_base = icmp_buf,
				     .iov_len = sizeof(icmp_buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		n = recvmsg(f->sock, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN: done. Errors (unreachable...) are queued
			 * on the socket and returned here: ignore them, the
			 * guest's ping times out quietly
			 */
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			continue;
		}

		if (mh.msg_flags & MSG_TRUNC || (size_t)n > max ||
		    (size_t)n < ICMP_HLEN) {
			trace("icmp: bad or oversized reply, dropped");
			continue;
		}
		icmp_echo_get(f->af, icmp_buf, &type, &code, &id, &seq);
		if (type != reply) {
			trace("icmp: bad or oversized reply, dropped");
			continue;
		}

		/* The kernel's identifier is the socket's: restore ours */
		if (f->af == AF_INET)
			((struct icmphdr *)icmp_buf)->un.echo.id = htons(f->id);
		else
			((struct icmp6_hdr *)icmp_buf)->icmp6_id = htons(f->id);

		trace("icmp: echo reply id %u seq %u to guest", f->id, seq);
		fl->f.bytes[TGTSIDE] += (size_t)n;
		fl->f.pkts[TGTSIDE]++;

		if (f->af == AF_INET) {
			const struct in_addr *s4 = inany_v4(&tap->ours);
			const struct in_addr *g4 = inany_v4(&tap->peer);
			struct in_addr dst;

			if (!s4)
				continue;
			dst = g4 && g4->s_addr ? *g4 : tap_ip4_daddr(c);
			tap_icmp4_send(c, *s4, dst, icmp_buf, (size_t)n);
		} else {
			const struct in6_addr *dst = &tap->peer.a6;

			if (IN6_IS_ADDR_UNSPECIFIED(dst))
				dst = tap_ip6_daddr(c, &tap->ours.a6);
			tap_icmp6_send(c, &tap->ours.a6, dst, icmp_buf,
				       (size_t)n);
		}
	}
}

/**
 * icmp_timer() - Expire idle echo flows
 * @c:		Execution context
 * @now:	Current time
 */
void icmp_timer(struct ctx *c, const struct timespec *now)
{
	uint32_t i;

	if (!flow_count(FLOW_ICMP))
		return;

	for (i = 0; i < flow_hwm(); i++) {
		struct flow *fl = flow_at(i);
		struct icmp_flow *f = icmp_at(fl);

		if (fl->f.type == FLOW_ICMP &&
		    now->tv_sec - f->last > ICMP_TIMEOUT_S) {
			trace("icmp: flow id %u expired", f->id);
			icmp_flow_close(c, fl);
		}
	}
}
