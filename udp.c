/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * udp.c - UDP translation: guest datagrams to host sockets and back
 *
 * Datagrams are tracked as flows in a fixed-size table. Three kinds:
 *
 * - tap, outbound: the guest sends to any address and port. We open a host
 *   socket bound to the guest's source port when the host lets us (so the
 *   peer sees the same port), connected to the translated destination
 *   (fwd_nat_from_tap()). Its replies go back to the guest, with the
 *   addresses and ports the guest used, as frames built here.
 *
 * - tap, inbound: a datagram reaches a socket bound to a forwarded port
 *   (-u). It goes to the guest's address and the target port, from the
 *   remote's address (translated by fwd_nat_to_tap()); what the guest
 *   answers goes out of the listening socket itself, so the remote sees
 *   replies from the port it wrote to.
 *
 * - spliced (pasta): datagrams between the namespace's loopback and the
 *   host's loopback are relayed socket to socket (recvmmsg()/sendmmsg()),
 *   without the tap device: pasta -U ports bound on the namespace's
 *   loopback, and -u ports receiving from a loopback source on the host.
 *
 * Flows are entries of type FLOW_UDP in the flow table (flow.h). The side
 * that sent first is INISIDE: the guest (PIF_TAP) for tap, outbound flows,
 * the remote on a listening socket (PIF_HOST, or PIF_NS for -U) for the
 * others. The connected socket of a flow, if any, is on TGTSIDE.
 *
 * Guest-side tuples are indexed with flow.h (key of interface PIF_TAP);
 * datagrams arriving on listening sockets are matched by remote address,
 * remote port and listening socket (PIF_HOST, or PIF_NS for pasta -U
 * sockets). Reply sockets carry their flow index in the
 * epoll reference, so no lookup is needed for them.
 *
 * Flows are forgotten after UDP_FLOW_TIMEOUT seconds without traffic, or
 * the number of seconds in the environment variable UDP_TIMEOUT_ENV.
 *
 * Sizes: datagrams up to 65527 bytes are read from sockets; towards the
 * guest a datagram travels in one frame if the frame fits the tap side
 * (passt: 65535 bytes including the Ethernet header, i.e. an MTU of 65521;
 * pasta: IP packets up to 65535 bytes), otherwise it's dropped. There's no
 * IP fragmentation: guest IP fragments are dropped by tap.c.
 *
 * Batches: datagrams are read from host sockets with recvmmsg(); those of
 * the guest go to host sockets in runs of equal size (the last one may be
 * shorter) with UDP_SEGMENT, all runs of a batch in one sendmmsg(), one by
 * one for a flow where the kernel refuses that. pasta's tap can carry runs
 * of datagrams in one frame both ways (UDP segmentation offload, see
 * tap.c): from the namespace, such a frame is cut at its segment size
 * here; to it, runs of equal size of one flow read at once go in one frame,
 * with a partial checksum, for the namespace's kernel to cut.
 *
 * ICMP errors from the host sockets (IP_RECVERR) for destination
 * unreachable are reflected to the guest, quoting a header rebuilt from
 * the flow, so that connect()ed guest sockets see ECONNREFUSED and alike.
 */

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/errqueue.h>

#include "checksum.h"
#include "flow.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "passt.h"
#include "tap.h"
#include "udp.h"
#include "util.h"

/* Datagrams read from a socket at once */
#define UDP_BATCH		64

/* Payload buffer size: the largest UDP payload (IPv6) fits */
#define UDP_PAYLOAD_MAX		65536

/* Room for headers of a frame to the guest: 2 bytes of padding so that the
 * IP header is aligned, Ethernet, IPv6 (the larger), UDP
 */
#define UDP_HDR_PAD		2
#define UDP_HDR_ROOM		(UDP_HDR_PAD + ETH_HLEN +		\
				 sizeof(struct ip6_hdr) + sizeof(struct udphdr))

/* Listening sockets: each port at most twice per direction, typically */
#define UDP_LSOCK_MAX		(NUM_PORTS * 2)
#define UDP_LIDX_NONE		UINT32_MAX

/* UDP header of a guest datagram: wherever the frame puts it, no alignment */
typedef struct udphdr __attribute__((aligned(1))) udphdr_ua;

/* ICMP quote limits: RFC 1812 (576 bytes), RFC 4443 (minimum MTU) */
#define UDP_ICMP4_MAX		576
#define UDP_ICMP6_MAX		1280

/**
 * enum udp_flow_kind - Kind of flow, see the comment at the top
 * @UDP_FLOW_TAP_OUT:	from the guest, through a connected host socket
 * @UDP_FLOW_TAP_IN:	from a listening socket, towards the guest
 * @UDP_FLOW_SPLICE:	from a listening socket to a connected socket in
 *			the other namespace (pasta)
 */
enum udp_flow_kind {
	UDP_FLOW_TAP_OUT,
	UDP_FLOW_TAP_IN,
	UDP_FLOW_SPLICE,
};

/**
 * struct udp_flow - UDP flow state, private area of a FLOW_UDP entry
 * @kind:	enum udp_flow_kind
 * @tkey:	guest-side tuple inserted in the hash index
 * @lkey:	listening-side tuple inserted in the hash index
 * @sock:	connected socket (TAP_OUT, SPLICE), or -1
 * @lidx:	listening socket index (TAP_IN, SPLICE), or UDP_LIDX_NONE
 * @tmpl:	IP header of our packets to the guest, filled once
 * @last:	time of the last datagram, seconds
 * @nogso:	the kernel refused UDP_SEGMENT for datagrams of this flow
 *		(e.g. larger than the path MTU): send them one by one
 *
 * Addresses and ports are in the sides of the flow: see udp_tapside() and
 * udp_sockside().
 */
struct udp_flow {
	uint8_t kind;
	bool tkey;
	bool lkey;
	bool nogso;
	int sock;
	uint32_t lidx;
	struct tap_hdr_tmpl tmpl;
	time_t last;
};

static_assert(sizeof(struct udp_flow) <= FLOW_PRIV_SIZE,
	      "UDP flow state must fit the flow table's private area");

/**
 * struct udp_lsock - Socket bound to a forwarded port
 * @in_use:	slot in use
 * @ns:		socket in pasta's namespace (-U), else on the host (-u)
 * @fd:		socket
 * @af:		socket family (AF_INET6 may be dual-stack)
 * @port:	bound port
 * @to:		target port
 */
struct udp_lsock {
	bool in_use;
	bool ns;
	int fd;
	int af;
	uint16_t port;
	uint16_t to;
};

/**
 * union udp_sa - Socket address, either family
 * @sa:		generic
 * @sa4:	IPv4
 * @sa6:	IPv6
 */
union udp_sa {
	struct sockaddr sa;
	struct sockaddr_in sa4;
	struct sockaddr_in6 sa6;
};

/**
 * struct udp_sock_args - What udp_sock_open() should set up
 * @af:		AF_INET or AF_INET6
 * @v6only:	IPV6_V6ONLY value for AF_INET6
 * @reuseaddr:	set SO_REUSEADDR (flow sockets sharing the guest's port)
 * @freebind:	set IP_FREEBIND / IPV6_FREEBIND
 * @bind_addr:	address to bind, NULL for any
 * @bind_port:	port to bind, 0 for any
 * @fallback:	if @bind_port is taken, bind any port instead
 * @ifname:	device for SO_BINDTODEVICE, NULL or empty for none
 * @dst:	address to connect to, NULL to leave unconnected
 * @dport:	port to connect to
 */
struct udp_sock_args {
	int af;
	int v6only;
	bool reuseaddr;
	bool freebind;
	const union inany_addr *bind_addr;
	uint16_t bind_port;
	bool fallback;
	const char *ifname;
	const union inany_addr *dst;
	uint16_t dport;
};

static struct udp_lsock udp_ls[UDP_LSOCK_MAX];
static unsigned int udp_ls_top;		/* highest slot in use, plus one */

static time_t udp_timeout = UDP_FLOW_TIMEOUT;

/* Receive side: payloads, source addresses, message headers */
static uint8_t udp_buf[UDP_BATCH][UDP_PAYLOAD_MAX];
static union udp_sa udp_rname[UDP_BATCH];
static struct iovec udp_riov[UDP_BATCH];
static struct mmsghdr udp_rmh[UDP_BATCH];
static int udp_rflow[UDP_BATCH];

/* Frames to the guest: header buffers, two iovecs per frame */
static uint8_t udp_hdr[UDP_BATCH][UDP_HDR_ROOM] __attribute__((aligned(8)));
static struct iovec udp_tiov[UDP_BATCH * 2];

/* Send side: from the guest (up to a tap batch) or relayed */
#define UDP_SEND_MAX	MAX(TAP_BATCH_MAX, UDP_BATCH)
static struct iovec udp_siov[UDP_SEND_MAX];
static struct mmsghdr udp_smh[UDP_SEND_MAX];

/* Guest datagrams to a host socket: one iovec per datagram (a frame with
 * segmentation offload from pasta's tap carries several), or the pieces of
 * one left in guest memory (vhost-user), and runs of them of equal size in
 * one message with UDP_SEGMENT: at most UDP_GSO_SEGS datagrams (the
 * kernel's UDP_MAX_SEGMENTS is 64 or more) and UDP_GSO_BYTES of payload
 * (what fits one IPv4 packet) per message. For each datagram, its length
 * and number of pieces.
 */
#define UDP_SEG_MAX	1024
#define UDP_GSO_SEGS	64
#define UDP_GSO_BYTES	(IP_MAXPACKET - sizeof(struct iphdr) -	\
			 sizeof(struct udphdr))
static struct iovec udp_seg[UDP_SEG_MAX];
static size_t udp_dlen[UDP_SEG_MAX];
static uint16_t udp_dniov[UDP_SEG_MAX];

/* Datagrams to the guest in one frame at most (pasta's tap): the receiver
 * in the namespace gets them all at once, and a default receive buffer
 * (rmem_default, 208 KiB) holds some 90 of 1400 bytes: a third of that
 * leaves it room to lag behind a little
 */
#define UDP_USO_SEGS	32
static struct mmsghdr udp_gmh[UDP_SEG_MAX];
static union {
	char buf[CMSG_SPACE(sizeof(uint16_t))];
	struct cmsghdr align;
} udp_gcm[UDP_SEG_MAX];

/**
 * udp_sa_from() - Fill a socket address for a socket of a given family
 * @sa:		Socket address to fill
 * @af:		Family of the socket (AF_INET6 takes v4-mapped addresses)
 * @a:		Address
 * @port:	Port, host order
 *
 * Return: length of the address, 0 if @a can't be used with @af
 */
static socklen_t udp_sa_from(union udp_sa *sa, int af,
			     const union inany_addr *a, uint16_t port)
{
	const struct in_addr *v4 = inany_v4(a);

	memset(sa, 0, sizeof(*sa));
	if (af == AF_INET) {
		if (!v4)
			return 0;
		sa->sa4.sin_family = AF_INET;
		sa->sa4.sin_addr = *v4;
		sa->sa4.sin_port = htons(port);
		return sizeof(sa->sa4);
	}

	sa->sa6.sin6_family = AF_INET6;
	sa->sa6.sin6_addr = a->a6;
	sa->sa6.sin6_port = htons(port);
	return sizeof(sa->sa6);
}

/**
 * udp_sa_to() - Read address and port from a socket address
 * @sa:		Socket address
 * @a:		Set to the address (IPv4 as v4-mapped)
 * @port:	Set to the port, host order
 *
 * Return: true if the family is known
 */
static bool udp_sa_to(const union udp_sa *sa, union inany_addr *a,
		      uint16_t *port)
{
	if (sa->sa.sa_family == AF_INET) {
		inany_from_v4(a, sa->sa4.sin_addr);
		*port = ntohs(sa->sa4.sin_port);
		return true;
	}
	if (sa->sa.sa_family == AF_INET6) {
		a->a6 = sa->sa6.sin6_addr;
		*port = ntohs(sa->sa6.sin6_port);
		return true;
	}
	return false;
}

/**
 * udp_sock_open() - Open and set up a UDP socket (usable with ns_call())
 * @arg:	struct udp_sock_args
 *
 * Return: socket, or -1 with errno set
 *
 * #syscalls socket bind connect setsockopt close
 */
static int udp_sock_open(void *arg)
{
	const struct udp_sock_args *a = arg;
	union inany_addr any;
	const union inany_addr *ba;
	union udp_sa sa;
	socklen_t sl;
	int fd, one = 1, e;

	fd = socket(a->af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_UDP);
	if (fd < 0)
		return -1;

	if (a->af == AF_INET6) {
		int v6only = a->v6only;

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			       sizeof(v6only)))
			goto fail;
		/* Errors for v4-mapped destinations come as IPv4 ones */
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	}
	setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));

	if (a->reuseaddr)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));

	if (a->freebind) {
		if (a->af == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one,
				   sizeof(one));
		else
			setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one,
				   sizeof(one));
	}

	if (a->ifname && *a->ifname &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, a->ifname,
		       strlen(a->ifname) + 1))
		goto fail;

	sock_set_bufsize(fd);

	if (a->bind_addr) {
		ba = a->bind_addr;
	} else {
		memset(&any, 0, sizeof(any));
		if (a->af == AF_INET)
			inany_from_v4(&any, (struct in_addr){ INADDR_ANY });
		ba = &any;
	}

	if (a->bind_addr || a->bind_port) {
		if (!(sl = udp_sa_from(&sa, a->af, ba, a->bind_port))) {
			errno = EAFNOSUPPORT;
			goto fail;
		}
		if (bind(fd, &sa.sa, sl)) {
			if (!a->fallback || !a->bind_port)
				goto fail;
			sa.sa4.sin_port = 0;	/* same offset in sa6 */
			if (a->af == AF_INET6)
				sa.sa6.sin6_port = 0;
			if (bind(fd, &sa.sa, sl))
				goto fail;
		}
	}

	if (a->dst) {
		if (!(sl = udp_sa_from(&sa, a->af, a->dst, a->dport))) {
			errno = EAFNOSUPPORT;
			goto fail;
		}
		if (connect(fd, &sa.sa, sl))
			goto fail;
	}

	return fd;

fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/**
 * udp_key_tap() - Fill the guest-side hash key of a flow
 * @k:		Key
 * @gaddr:	Guest address
 * @gport:	Guest port
 * @taddr:	Address the guest talks to
 * @tport:	Port the guest talks to
 */
static void udp_key_tap(struct flow_key *k, const union inany_addr *gaddr,
			uint16_t gport, const union inany_addr *taddr,
			uint16_t tport)
{
	flow_key_set(k, IPPROTO_UDP, PIF_TAP, gaddr, gport, taddr, tport);
}

/**
 * udp_key_listen() - Fill the listening-side hash key of a flow
 * @k:		Key
 * @lidx:	Listening socket index
 * @raddr:	Remote address
 * @rport:	Remote port
 *
 * The local address is unknown on wildcard sockets: the socket index
 * stands for it, which also tells apart sockets sharing a port.
 */
static void udp_key_listen(struct flow_key *k, uint32_t lidx,
			   const union inany_addr *raddr, uint16_t rport)
{
	memset(k, 0, sizeof(*k));
	k->peer = *raddr;
	k->peer_port = rport;
	k->ours.u32[0] = htonl(0x55000000U);
	k->ours.u32[3] = htonl(lidx);
	k->our_port = udp_ls[lidx].port;
	k->proto = IPPROTO_UDP;
	k->pif = udp_ls[lidx].ns ? PIF_NS : PIF_HOST;
}

/**
 * udp_at() - UDP state of a flow
 * @idx:	Flow index, of a FLOW_UDP entry
 *
 * Return: private area of the flow
 */
static struct udp_flow *udp_at(uint32_t idx)
{
	return flow_priv(flow_at(idx));
}

/**
 * udp_tap_sidx() - Side of the guest, for tap flows
 * @f:		UDP state of the flow
 *
 * Return: INISIDE if the guest sent first (TAP_OUT), TGTSIDE otherwise
 */
static int udp_tap_sidx(const struct udp_flow *f)
{
	return f->kind == UDP_FLOW_TAP_OUT ? INISIDE : TGTSIDE;
}

/**
 * udp_tapside() - Side of the guest: peer is the guest, ours the address
 *		   and port it talks to (tap flows)
 * @idx:	Flow index
 *
 * Return: pointer to the side
 */
static struct flow_side *udp_tapside(uint32_t idx)
{
	return &flow_at(idx)->f.side[udp_tap_sidx(udp_at(idx))];
}

/**
 * udp_sockside() - Side of the host socket's peer: the remote on the
 *		    listening socket, or where the guest's datagrams go
 * @idx:	Flow index
 *
 * Return: pointer to the side
 */
static struct flow_side *udp_sockside(uint32_t idx)
{
	return &flow_at(idx)->f.side[!udp_tap_sidx(udp_at(idx))];
}

/**
 * udp_flow_lookup() - Find a flow by hash key
 * @k:		Key
 *
 * Return: flow index, or -1 if none
 */
static int udp_flow_lookup(const struct flow_key *k)
{
	uint32_t v = flow_hash_lookup(k);

	if (v == FLOW_IDX_NONE || v >= FLOW_MAX ||
	    flow_at(v)->f.type != FLOW_UDP)
		return -1;
	return (int)v;
}

/**
 * udp_flow_alloc() - Take a free flow entry
 * @kind:	Kind of the new flow
 * @now_s:	Current time, seconds
 *
 * Return: index, or -1 if the table is full
 */
static int udp_flow_alloc(enum udp_flow_kind kind, uint32_t now_s)
{
	struct flow *fl = flow_alloc(FLOW_UDP, now_s);
	struct udp_flow *f;

	if (!fl) {
		warn_once("UDP flow table full (%u flows): new flows refused",
			  UDP_FLOWS_MAX);
		return -1;
	}

	f = flow_priv(fl);
	f->kind = kind;
	f->sock = -1;
	f->lidx = UDP_LIDX_NONE;
	f->last = now_s;
	return (int)flow_idx(fl);
}

/**
 * udp_flow_close() - Forget a flow: hash keys, socket, entry
 * @c:		Execution context
 * @idx:	Flow index
 */
static void udp_flow_close(const struct ctx *c, unsigned int idx)
{
	struct udp_flow *f = udp_at(idx);
	const struct flow_side *t, *r;
	struct flow_key k;

	if (flow_at(idx)->f.type != FLOW_UDP)
		return;

	t = udp_tapside(idx);
	r = udp_sockside(idx);
	if (f->tkey) {
		udp_key_tap(&k, &t->peer, t->peer_port, &t->ours,
			    t->our_port);
		flow_hash_remove(&k);
	}
	if (f->lkey) {
		udp_key_listen(&k, f->lidx, &r->peer, r->peer_port);
		flow_hash_remove(&k);
	}
	if (f->sock >= 0) {
		passt_epoll_del(c, f->sock);
		close(f->sock);
	}

	flow_free(flow_at(idx));
}

/**
 * udp_flow_sock_add() - Register the connected socket of a flow in epoll
 * @c:		Execution context
 * @idx:	Flow index
 * @fd:		Socket
 *
 * Return: 0 on success, -1 on failure (socket closed)
 */
static int udp_flow_sock_add(const struct ctx *c, unsigned int idx, int fd)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_UDP_REPLY, .fd = fd,
				.data = idx };

	if (fd > FD_REF_MAX || passt_epoll_add(c, EPOLLIN, ref)) {
		debug("UDP: can't add socket %i of flow %u to epoll", fd,
		      idx);
		close(fd);
		return -1;
	}
	udp_at(idx)->sock = fd;
	return 0;
}

/**
 * udp_flow_from_tap() - Create a flow for a new guest-side tuple
 * @c:		Execution context
 * @gaddr:	Guest (source) address
 * @gport:	Guest (source) port
 * @taddr:	Destination address as the guest sent it
 * @tport:	Destination port as the guest sent it
 * @now:	Current time
 *
 * Return: flow index, or -1 if the datagrams must be dropped
 */
static int udp_flow_from_tap(const struct ctx *c,
			     const union inany_addr *gaddr, uint16_t gport,
			     const union inany_addr *taddr, uint16_t tport,
			     const struct timespec *now)
{
	struct udp_sock_args a = { 0 };
	union inany_addr haddr, out;
	char buf[INET6_ADDRSTRLEN];
	struct udp_flow *f;
	struct flow_key k;
	uint16_t hport;
	bool v4, lo;
	int idx, fd;

	if (!fwd_nat_from_tap(c, IPPROTO_UDP, taddr, tport, &haddr, &hport) ||
	    !hport) {
		debug("UDP: no host destination for %s:%u, dropping",
		      inany_ntop(taddr, buf, sizeof(buf)), tport);
		return -1;
	}

	if ((idx = udp_flow_alloc(UDP_FLOW_TAP_OUT, now->tv_sec)) < 0)
		return -1;
	f = udp_at(idx);

	v4 = inany_v4(&haddr);
	lo = inany_is_loopback(&haddr);

	a.af = v4 ? AF_INET : AF_INET6;
	a.v6only = 1;
	a.reuseaddr = true;
	a.bind_port = gport;
	a.fallback = true;
	a.dst = &haddr;
	a.dport = hport;
	if (!lo) {
		/* -o and --outbound-if4/6 apply to non-loopback peers */
		if (v4 && c->ip4.addr_out.s_addr) {
			inany_from_v4(&out, c->ip4.addr_out);
			a.bind_addr = &out;
		} else if (!v4 && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_out)) {
			out.a6 = c->ip6.addr_out;
			a.bind_addr = &out;
		}
		a.ifname = v4 ? c->ip4.ifname_out : c->ip6.ifname_out;
	}

	if ((fd = udp_sock_open(&a)) < 0) {
		debug("UDP: can't open socket towards %s:%u: %s",
		      inany_ntop(&haddr, buf, sizeof(buf)), hport,
		      strerror(errno));
		goto fail;
	}

	flow_side_set(udp_tapside(idx), PIF_TAP, gaddr, gport, taddr, tport);
	flow_side_set(udp_sockside(idx), PIF_HOST, &haddr, hport,
		      a.bind_addr, 0);
	flow_at(idx)->f.state = FLOW_STATE_ACTIVE;
	tap_tmpl_init(&f->tmpl, !v4, taddr, gaddr, IPPROTO_UDP,
		      v4 ? 0 : tap_flow_label());

	if (udp_flow_sock_add(c, idx, fd))
		goto fail;

	udp_key_tap(&k, gaddr, gport, taddr, tport);
	if (flow_hash_insert(&k, idx)) {
		warn_once("UDP: flow index full, new flows refused");
		goto fail;
	}
	f->tkey = true;

	debug("UDP: flow %i: guest port %u to %s:%u", idx, gport,
	      inany_ntop(&haddr, buf, sizeof(buf)), hport);
	return idx;

fail:
	udp_flow_close(c, idx);
	return -1;
}

/**
 * udp_sendmmsg() - Send prepared messages, skipping failing ones
 * @fd:		Socket
 * @mh:		Messages
 * @n:		Number of messages
 *
 * #syscalls sendmmsg
 */
static void udp_sendmmsg(int fd, struct mmsghdr *mh, size_t n)
{
	size_t done = 0;
	int rc;

	while (done < n) {
		rc = sendmmsg(fd, mh + done, n - done, MSG_DONTWAIT);
		if (rc > 0) {
			done += rc;
			continue;
		}
		if (rc == 0)
			break;
		debug("UDP: dropping datagram of %zu bytes: %s",
		      mh[done].msg_hdr.msg_iov->iov_len, strerror(errno));
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		done++;
	}
}

/**
 * udp_send_each() - Send the datagrams of a message one by one, without
 *		     UDP_SEGMENT
 * @fd:		Socket
 * @mh:		Message: the pieces of the datagrams
 * @dlen:	Length of each datagram
 * @dniov:	Pieces of each datagram
 * @n:		Number of datagrams
 *
 * #syscalls sendmsg
 */
static void udp_send_each(int fd, const struct msghdr *mh,
			  const size_t *dlen, const uint16_t *dniov, size_t n)
{
	struct iovec *iov = mh->msg_iov;
	size_t i;

	for (i = 0; i < n; iov += dniov[i], i++) {
		struct msghdr one = {
			.msg_name	= mh->msg_name,
			.msg_namelen	= mh->msg_namelen,
			.msg_iov	= iov,
			.msg_iovlen	= dniov[i],
		};

		if (sendmsg(fd, &one, MSG_DONTWAIT) < 0) {
			debug("UDP: dropping datagram of %zu bytes: %s",
			      dlen[i], strerror(errno));
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
		}
	}
}

/**
 * udp_send_segs() - Send guest datagrams, runs of equal size with
 *		     UDP_SEGMENT, all in one sendmmsg() if the socket takes
 *		     them
 * @fd:		Socket
 * @name:	Destination, NULL if @fd is connected
 * @namelen:	Length of @name
 * @seg:	Payload pieces of the datagrams, in order
 * @dlen:	Length of each datagram
 * @dniov:	Number of pieces of each datagram in @seg
 * @n:		Number of datagrams
 * @f:		Flow: UDP_SEGMENT is used unless @f->nogso, which is set if
 *		the kernel refuses it
 *
 * A run ends with a datagram shorter than the ones before it: the kernel
 * cuts the payload of a message in datagrams of the size of the first one.
 *
 * #syscalls sendmmsg
 */
static void udp_send_segs(int fd, union udp_sa *name, socklen_t namelen,
			  struct iovec *seg, const size_t *dlen,
			  const uint16_t *dniov, size_t n, struct udp_flow *f)
{
	static size_t first[UDP_SEG_MAX];
	size_t i, j, k, m = 0, done = 0, piece = 0;
	int rc;

	for (i = 0; i < n; i = j) {
		struct msghdr *mh = &udp_gmh[m].msg_hdr;
		size_t size = dlen[i], total = size, pieces = dniov[i];

		for (j = i + 1; !f->nogso && size && j < n &&
		     j - i < UDP_GSO_SEGS && dlen[j] <= size &&
		     total + dlen[j] <= UDP_GSO_BYTES; j++) {
			total += dlen[j];
			pieces += dniov[j];
			if (dlen[j] < size) {
				j++;
				break;
			}
		}

		memset(mh, 0, sizeof(*mh));
		mh->msg_name = namelen ? name : NULL;
		mh->msg_namelen = namelen;
		mh->msg_iov = &seg[piece];
		mh->msg_iovlen = pieces;
		if (j - i > 1) {
			struct cmsghdr *cm = &udp_gcm[m].align;
			uint16_t gso = (uint16_t)size;

			mh->msg_control = udp_gcm[m].buf;
			mh->msg_controllen = sizeof(udp_gcm[m].buf);
			cm->cmsg_level = SOL_UDP;
			cm->cmsg_type = UDP_SEGMENT;
			cm->cmsg_len = CMSG_LEN(sizeof(gso));
			memcpy(CMSG_DATA(cm), &gso, sizeof(gso));
		}
		first[m] = i;
		piece += pieces;
		m++;
	}

	while (done < m) {
		struct msghdr *mh = &udp_gmh[done].msg_hdr;

		rc = sendmmsg(fd, udp_gmh + done, m - done, MSG_DONTWAIT);
		if (rc > 0) {
			done += rc;
			continue;
		}
		if (rc == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
			break;

		i = first[done];
		k = (done + 1 < m ? first[done + 1] : n) - i;
		if (mh->msg_controllen) {
			/* Path MTU below the datagram size, or no UDP GSO
			 * for this socket: this run, and all from now on,
			 * one by one
			 */
			if (!f->nogso)
				debug("UDP: segmentation refused (%s), "
				      "datagrams of this flow go one by one",
				      strerror(errno));
			f->nogso = true;
			udp_send_each(fd, mh, dlen + i, dniov + i, k);
		} else {
			debug("UDP: dropping %zu datagram(s) of %zu bytes: %s",
			      k, dlen[i], strerror(errno));
		}
		done++;
	}
}

/**
 * udp_hdr_ok() - Check the UDP header of a datagram from the guest
 * @p:		Packet
 *
 * Return: true if usable
 */
static bool udp_hdr_ok(const struct tap_l4_pkt *p)
{
	const udphdr_ua *uh = (const udphdr_ua *)p->l4;
	size_t ulen;

	if (p->len < sizeof(struct udphdr)) {
		debug("UDP: truncated header (%zu bytes), dropping", p->len);
		return false;
	}
	ulen = ntohs(uh->len);
	if (ulen < sizeof(struct udphdr) || ulen != p->len) {
		debug("UDP: length %zu doesn't match IP payload %zu, dropping",
		      ulen, p->len);
		return false;
	}
	if (!uh->source || !uh->dest) {
		debug("UDP: port zero, dropping");
		return false;
	}
	return true;
}

/**
 * udp_tap_handler() - Handle UDP datagrams from the guest, one tuple
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @saddr:	Source address
 * @daddr:	Destination address
 * @pkts:	Datagrams (UDP header included) sharing addresses and ports
 * @n:		Number of datagrams
 * @now:	Current time
 */
void udp_tap_handler(struct ctx *c, int af, const void *saddr,
		     const void *daddr, const struct tap_l4_pkt *pkts,
		     size_t n, const struct timespec *now)
{
	union inany_addr gaddr, taddr;
	uint16_t gport, tport;
	struct udp_flow *f;
	union udp_sa name;
	socklen_t namelen = 0;
	size_t i, first, m, p = 0, bytes = 0, dgrams = 0;
	struct flow_key k;
	int idx, fd;

	if (c->no_udp || !n || (af != AF_INET && af != AF_INET6))
		return;

	for (first = 0; first < n && !udp_hdr_ok(&pkts[first]); first++)
		;
	if (first == n)
		return;

	gport = ntohs(((const udphdr_ua *)pkts[first].l4)->source);
	tport = ntohs(((const udphdr_ua *)pkts[first].l4)->dest);
	inany_from_af(&gaddr, af, saddr);
	inany_from_af(&taddr, af, daddr);

	if (inany_is_unspecified(&gaddr) ||
	    (inany_v4(&gaddr) ? IN_MULTICAST(ntohl(inany_v4(&gaddr)->s_addr)) :
				IN6_IS_ADDR_MULTICAST(&gaddr.a6))) {
		debug("UDP: bad guest source address, dropping");
		return;
	}

	udp_key_tap(&k, &gaddr, gport, &taddr, tport);
	if ((idx = udp_flow_lookup(&k)) < 0 &&
	    (idx = udp_flow_from_tap(c, &gaddr, gport, &taddr, tport,
				     now)) < 0)
		return;

	f = udp_at(idx);
	f->last = now->tv_sec;

	if (f->sock >= 0) {
		fd = f->sock;
	} else if (f->lidx < UDP_LSOCK_MAX && udp_ls[f->lidx].in_use) {
		const struct flow_side *r = udp_sockside(idx);

		fd = udp_ls[f->lidx].fd;
		namelen = udp_sa_from(&name, udp_ls[f->lidx].af, &r->peer,
				      r->peer_port);
		if (!namelen)
			return;
	} else {
		return;
	}

	for (m = 0, i = first; i < n; i++) {
		const udphdr_ua *uh = (const udphdr_ua *)pkts[i].l4;
		const uint8_t *pl = (const uint8_t *)(uh + 1);
		size_t plen, off, step, k;

		if (!udp_hdr_ok(&pkts[i]))
			continue;
		if (ntohs(uh->source) != gport || ntohs(uh->dest) != tport) {
			debug("UDP: ports changed within a batch, dropping");
			continue;
		}

		/* A frame with segmentation offload carries datagrams of
		 * pkts[i].gso bytes (tap.c bounds their number)
		 */
		plen = pkts[i].len - sizeof(struct udphdr);
		step = pkts[i].gso ? pkts[i].gso : plen;
		off = 0;
		do {
			size_t pieces = MAX(pkts[i].niov, 1U);

			if (m == UDP_SEG_MAX || p + pieces > UDP_SEG_MAX) {
				udp_send_segs(fd, &name, namelen, udp_seg,
					      udp_dlen, udp_dniov, m, f);
				m = p = 0;
			}
			udp_dlen[m] = MIN(step, plen - off);
			if (pkts[i].niov) {
				/* vhost-user: one datagram, in guest memory */
				for (k = 0; k < pkts[i].niov; k++)
					udp_seg[p + k] = pkts[i].iov[k];
			} else {
				udp_seg[p].iov_base = (void *)(pl + off);
				udp_seg[p].iov_len = udp_dlen[m];
			}
			udp_dniov[m++] = (uint16_t)pieces;
			p += pieces;
			dgrams++;
			off += step;
		} while (off < plen);
		bytes += plen;
	}

	flow_at(idx)->f.bytes[udp_tap_sidx(f)] += bytes;
	flow_at(idx)->f.pkts[udp_tap_sidx(f)] += dgrams;
	if (m)
		udp_send_segs(fd, &name, namelen, udp_seg, udp_dlen, udp_dniov,
			      m, f);
}

/**
 * udp_l3_max() - Largest IP packet we can send to the guest in one frame
 * @c:		Execution context
 *
 * Return: maximum IP packet length
 */
static size_t udp_l3_max(const struct ctx *c)
{
	/* qemu's stream protocol: frames (with Ethernet header) <= 65535 */
	if (c->mode == MODE_PASST)
		return 65535 - ETH_HLEN;
	return MIN(65535, FRAME_MAX - ETH_HLEN);
}

/**
 * udp_tap_frame() - Build headers of a frame to the guest for a datagram
 * @c:		Execution context
 * @idx:	Flow index (tap kind)
 * @slot:	Header buffer index
 * @payload:	UDP payload
 * @len:	Length of @payload
 * @iov:	Two iovecs to fill: headers, payload
 *
 * Return: true if the frame can be sent, false if it's too big
 */
static bool udp_tap_frame(const struct ctx *c, uint32_t idx, size_t slot,
			  const uint8_t *payload, size_t len,
			  struct iovec *iov)
{
	const struct tap_hdr_tmpl *tmpl = &udp_at(idx)->tmpl;
	const struct flow_side *t = udp_tapside(idx);
	uint8_t *frame = udp_hdr[slot] + UDP_HDR_PAD, *l4;
	size_t l4len = sizeof(struct udphdr) + len, hlen;
	uint32_t psum;

	l4 = frame + ETH_HLEN + (tmpl->v6 ? sizeof(struct ip6_hdr) :
					    sizeof(struct iphdr));
	if ((size_t)(l4 - frame) - ETH_HLEN + l4len > udp_l3_max(c)) {
		debug("UDP: %zu byte datagram doesn't fit a frame, dropping",
		      len);
		return false;
	}

	tap_tmpl_l2l3(c, tmpl, l4, l4len, &psum);
	hlen = (size_t)((uint8_t *)tap_udp_hdr(l4, t->our_port, t->peer_port,
					       payload, len, psum) - frame);

	iov[0].iov_base = frame;
	iov[0].iov_len = hlen;
	iov[1].iov_base = (void *)payload;
	iov[1].iov_len = len;
	return true;
}

/**
 * udp_tap_uso() - Send a run of datagrams of one flow to the guest as one
 *		   frame, for the kernel to segment (pasta, tap_uso_ok())
 * @c:		Execution context
 * @idx:	Flow index (tap kind)
 * @first:	First datagram of the run in the receive batch
 * @end:	Datagram after the last one of the run
 * @size:	Size of each datagram, the last one may be shorter
 * @total:	Bytes of payload of the whole run, fitting one IP packet
 *
 * The UDP checksum is left partial: the kernel completes it for each
 * datagram it cuts from the frame, and adjusts lengths.
 *
 * Return: true if the frame was written, or dropped for lack of room
 */
static bool udp_tap_uso(const struct ctx *c, uint32_t idx, int first,
			int end, size_t size, size_t total)
{
	static uint8_t hdr[UDP_HDR_ROOM] __attribute__((aligned(8)));
	static struct iovec iov[UDP_BATCH + 1];
	const struct tap_hdr_tmpl *tmpl = &udp_at(idx)->tmpl;
	const struct flow_side *t = udp_tapside(idx);
	uint8_t *frame = hdr + UDP_HDR_PAD, *l4, *eth;
	size_t l4len = sizeof(struct udphdr) + total;
	struct tap_gso gso = { 0 };
	struct udphdr uh;
	uint32_t psum;
	int i;

	l4 = frame + ETH_HLEN + (tmpl->v6 ? sizeof(struct ip6_hdr) :
					    sizeof(struct iphdr));
	eth = tap_tmpl_l2l3(c, tmpl, l4, l4len, &psum);

	uh.source = htons(t->our_port);
	uh.dest = htons(t->peer_port);
	uh.len = htons((uint16_t)l4len);
	uh.check = (uint16_t)~csum_fold(psum);
	memcpy(l4, &uh, sizeof(uh));

	iov[0].iov_base = eth;
	iov[0].iov_len = (size_t)(l4 - eth) + sizeof(uh);
	for (i = first; i < end; i++) {
		iov[1 + i - first].iov_base = udp_buf[i];
		iov[1 + i - first].iov_len = udp_rmh[i].msg_len;
	}

	gso.size = (uint16_t)size;
	gso.l4off = (uint16_t)(l4 - eth);
	gso.hlen = (uint16_t)iov[0].iov_len;
	gso.v6 = tmpl->v6;
	gso.udp = true;

	if (tap_send_frames_gso(c, iov, (size_t)(end - first + 1), 1, &gso))
		return true;
	return tap_uso_ok(c);
}

/**
 * udp_tap_send() - Send received datagrams to the guest: runs of equal
 *		    size of one flow in one frame, if pasta's tap takes them
 * @c:		Execution context
 * @flows:	Flow (tap kind) of each datagram of the receive batch, -1 to
 *		skip it
 * @n:		Number of datagrams in the receive batch
 */
static void udp_tap_send(const struct ctx *c, const int *flows, int n)
{
	int i, j, k = 0;

	for (i = 0; i < n; i = j) {
		size_t size = udp_rmh[i].msg_len, total = size, room;
		int idx = flows[i];

		j = i + 1;
		if (idx < 0)
			continue;

		room = udp_l3_max(c) - sizeof(struct udphdr) -
		       (udp_at(idx)->tmpl.v6 ? sizeof(struct ip6_hdr) :
					       sizeof(struct iphdr));
		for (; tap_uso_ok(c) && size && j < n && flows[j] == idx &&
		       j - i < UDP_USO_SEGS && udp_rmh[j].msg_len <= size &&
		       total + udp_rmh[j].msg_len <= room; j++) {
			total += udp_rmh[j].msg_len;
			if (udp_rmh[j].msg_len < size) {
				j++;
				break;
			}
		}

		if (j - i > 1) {
			/* Frames before it go first: order is kept */
			if (k)
				tap_send_frames(c, udp_tiov, 2, k);
			k = 0;
			if (udp_tap_uso(c, (uint32_t)idx, i, j, size, total))
				continue;
			/* Refused: the kernel can't segment UDP, one by one */
		}

		for (; i < j; i++) {
			if (udp_tap_frame(c, (uint32_t)idx, (size_t)k,
					  udp_buf[i], udp_rmh[i].msg_len,
					  &udp_tiov[k * 2]))
				k++;
		}
	}

	if (k)
		tap_send_frames(c, udp_tiov, 2, k);
}

/**
 * udp_recv() - Read a batch of datagrams from a socket
 * @fd:		Socket
 * @names:	Whether to fetch source addresses
 *
 * Return: number of datagrams read, 0 on error or none
 *
 * #syscalls recvmmsg
 */
static int udp_recv(int fd, bool names)
{
	int i, n;

	for (i = 0; i < UDP_BATCH; i++) {
		struct msghdr *mh = &udp_rmh[i].msg_hdr;

		udp_riov[i].iov_base = udp_buf[i];
		udp_riov[i].iov_len = UDP_PAYLOAD_MAX;
		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = &udp_riov[i];
		mh->msg_iovlen = 1;
		if (names) {
			mh->msg_name = &udp_rname[i];
			mh->msg_namelen = sizeof(udp_rname[i]);
		}
	}

	n = recvmmsg(fd, udp_rmh, UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			debug("UDP: receive error on socket %i: %s", fd,
			      strerror(errno));
		return 0;
	}
	return n;
}

/**
 * udp_icmp_reflect() - Tell the guest about an ICMP error for its flow
 * @c:		Execution context
 * @idx:	Flow index (tap kind)
 * @ee:		Extended error from the socket error queue
 * @data:	Payload of the datagram the error refers to
 * @dlen:	Length of @data
 */
static void udp_icmp_reflect(const struct ctx *c, uint32_t idx,
			     const struct sock_extended_err *ee,
			     const uint8_t *data, size_t dlen)
{
	const struct sockaddr *off = SO_EE_OFFENDER(ee);
	const struct flow_side *t = udp_tapside(idx);
	union inany_addr src = t->ours, oaddr;
	const struct in_addr *g4 = inany_v4(&t->peer);
	uint8_t buf[UDP_ICMP6_MAX] __attribute__((aligned(8)));
	struct udphdr *uh;
	uint16_t oport;
	size_t q, hl;

	if (g4 ? ee->ee_origin != SO_EE_ORIGIN_ICMP ||
		 ee->ee_type != ICMP_DEST_UNREACH :
		 ee->ee_origin != SO_EE_ORIGIN_ICMP6 ||
		 ee->ee_type != ICMP6_DST_UNREACH)
		return;

	/* A router's error comes from the router, unless loopback */
	if (udp_sa_to((const union udp_sa *)off, &oaddr, &oport) &&
	    !inany_is_unspecified(&oaddr) && !inany_is_loopback(&oaddr) &&
	    !inany_equals(&oaddr, &udp_sockside(idx)->peer) &&
	    !!inany_v4(&oaddr) == !!g4)
		src = oaddr;

	memset(buf, 0, sizeof(buf));

	if (g4) {
		struct icmphdr *ih = (struct icmphdr *)buf;
		struct iphdr *ip = (struct iphdr *)(ih + 1);

		ih->type = ee->ee_type;
		ih->code = ee->ee_code;
		if (ee->ee_code == ICMP_FRAG_NEEDED)
			ih->un.frag.mtu = htons((uint16_t)ee->ee_info);
		hl = sizeof(*ih) + sizeof(*ip) + sizeof(*uh);
		q = MIN(dlen, UDP_ICMP4_MAX - sizeof(struct iphdr) - hl);
		ip->version = IPVERSION;
		ip->ihl = sizeof(*ip) / 4;
		ip->tot_len = htons(MIN(sizeof(*ip) + sizeof(*uh) + dlen,
					IP_MAXPACKET));
		ip->ttl = IPDEFTTL;
		ip->protocol = IPPROTO_UDP;
		ip->saddr = g4->s_addr;
		ip->daddr = inany_v4(&t->ours)->s_addr;
		ip->check = csum_ip4_header(ip, sizeof(*ip));
		uh = (struct udphdr *)(ip + 1);
	} else {
		struct icmp6_hdr *ih6 = (struct icmp6_hdr *)buf;
		struct ip6_hdr *ip6 = (struct ip6_hdr *)(ih6 + 1);

		ih6->icmp6_type = ee->ee_type;
		ih6->icmp6_code = ee->ee_code;
		hl = sizeof(*ih6) + sizeof(*ip6) + sizeof(*uh);
		q = MIN(dlen, UDP_ICMP6_MAX - sizeof(struct ip6_hdr) - hl);
		ip6->ip6_flow = udp_at(idx)->tmpl.ip6.ip6_flow;
		ip6->ip6_plen = htons(MIN(sizeof(*uh) + dlen, UINT16_MAX));
		ip6->ip6_nxt = IPPROTO_UDP;
		ip6->ip6_hlim = IPDEFTTL;
		ip6->ip6_src = t->peer.a6;
		ip6->ip6_dst = t->ours.a6;
		uh = (struct udphdr *)(ip6 + 1);
	}

	uh->source = htons(t->peer_port);
	uh->dest = htons(t->our_port);
	uh->len = htons(MIN(sizeof(*uh) + dlen, UINT16_MAX));
	memcpy(buf + hl, data, q);

	if (g4) {
		tap_icmp4_send(c, *inany_v4(&src), *g4, buf, hl + q);
	} else {
		tap_icmp6_send(c, &src.a6, &t->peer.a6, buf, hl + q);
	}
}

/**
 * udp_err_handler() - Drain the error queue of a socket
 * @c:		Execution context
 * @fd:		Socket
 * @fidx:	Flow of a connected socket, or -1 for a listening one
 * @lidx:	Listening socket index, if @fidx is -1
 *
 * #syscalls recvmsg getsockopt
 */
static void udp_err_handler(const struct ctx *c, int fd, int fidx,
			    uint32_t lidx)
{
	char cbuf[CMSG_SPACE(sizeof(struct sock_extended_err) +
			     sizeof(struct sockaddr_in6))];
	int i, e;
	socklen_t sl = sizeof(e);

	for (i = 0; i < UDP_BATCH; i++) {
		const struct sock_extended_err *ee = NULL;
		struct iovec iov = { udp_buf[0], UDP_PAYLOAD_MAX };
		struct msghdr mh = { 0 };
		struct cmsghdr *cm;
		union udp_sa name;
		struct flow_key k;
		union inany_addr r;
		uint16_t rport;
		ssize_t rc;
		int idx = fidx;

		mh.msg_name = &name;
		mh.msg_namelen = sizeof(name);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);

		rc = recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
		if (rc < 0)
			break;

		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if ((cm->cmsg_level == IPPROTO_IP &&
			     cm->cmsg_type == IP_RECVERR) ||
			    (cm->cmsg_level == IPPROTO_IPV6 &&
			     cm->cmsg_type == IPV6_RECVERR)) {
				ee = (const struct sock_extended_err *)
				     CMSG_DATA(cm);
				break;
			}
		}
		if (!ee)
			continue;

		debug("UDP: socket %i error: origin %u type %u code %u", fd,
		      ee->ee_origin, ee->ee_type, ee->ee_code);

		if (idx < 0) {
			/* Unconnected: the name is where the datagram went */
			if (lidx >= UDP_LSOCK_MAX ||
			    !udp_sa_to(&name, &r, &rport))
				continue;
			udp_key_listen(&k, lidx, &r, rport);
			idx = udp_flow_lookup(&k);
		}
		if (idx < 0 || (udp_at(idx)->kind != UDP_FLOW_TAP_OUT &&
				udp_at(idx)->kind != UDP_FLOW_TAP_IN))
			continue;

		udp_icmp_reflect(c, idx, ee, udp_buf[0], (size_t)rc);
	}

	/* Clear a pending error left, if any */
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl);
}

/**
 * udp_splice_send() - Relay received datagrams to a socket
 * @fd:		Socket to send from
 * @name:	Destination, NULL if @fd is connected
 * @namelen:	Length of @name
 * @idx:	Indices of datagrams in the receive batch
 * @n:		Number of datagrams
 */
static void udp_splice_send(int fd, union udp_sa *name, socklen_t namelen,
			    const int *idx, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct msghdr *mh = &udp_smh[i].msg_hdr;

		udp_siov[i].iov_base = udp_buf[idx[i]];
		udp_siov[i].iov_len = udp_rmh[idx[i]].msg_len;
		memset(mh, 0, sizeof(*mh));
		mh->msg_name = name;
		mh->msg_namelen = namelen;
		mh->msg_iov = &udp_siov[i];
		mh->msg_iovlen = 1;
	}
	udp_sendmmsg(fd, udp_smh, n);
}

/**
 * udp_reply_handler() - Datagrams on the connected socket of a flow
 * @c:		Execution context
 * @idx:	Flow index
 * @fd:		Socket
 * @events:	epoll events
 * @now:	Current time
 */
static void udp_reply_handler(struct ctx *c, uint32_t idx, int fd,
			      uint32_t events, const struct timespec *now)
{
	static int seq[UDP_BATCH];
	struct udp_flow *f;
	int i, n;

	if (idx >= FLOW_MAX || flow_at(idx)->f.type != FLOW_UDP ||
	    udp_at(idx)->sock != fd)
		return;
	f = udp_at(idx);

	if (events & EPOLLERR)
		udp_err_handler(c, fd, (int)idx, UDP_LIDX_NONE);
	if (!(events & EPOLLIN))
		return;

	if (!(n = udp_recv(fd, false)))
		return;
	f->last = now->tv_sec;
	for (i = 0; i < n; i++)
		flow_at(idx)->f.bytes[TGTSIDE] += udp_rmh[i].msg_len;
	flow_at(idx)->f.pkts[TGTSIDE] += (uint32_t)n;

	if (f->kind == UDP_FLOW_TAP_OUT) {
		if (!tap_is_ready(c))
			return;
		for (i = 0; i < n; i++)
			seq[i] = (int)idx;
		udp_tap_send(c, seq, n);
	} else if (f->kind == UDP_FLOW_SPLICE &&
		   f->lidx < UDP_LSOCK_MAX && udp_ls[f->lidx].in_use) {
		const struct udp_lsock *ls = &udp_ls[f->lidx];
		const struct flow_side *r = udp_sockside(idx);
		union udp_sa name;
		socklen_t nl;

		if (!(nl = udp_sa_from(&name, ls->af, &r->peer, r->peer_port)))
			return;
		for (i = 0; i < n; i++)
			seq[i] = i;
		udp_splice_send(ls->fd, &name, nl, seq, n);
	}
}

/**
 * udp_flow_from_listen() - Create a flow for a new remote on a listening
 *			    socket
 * @c:		Execution context
 * @lidx:	Listening socket index
 * @r:		Remote address
 * @rport:	Remote port
 * @now:	Current time
 *
 * Return: flow index, or -1 if the datagrams must be dropped
 */
static int udp_flow_from_listen(const struct ctx *c, uint32_t lidx,
				const union inany_addr *r, uint16_t rport,
				const struct timespec *now)
{
	const struct udp_lsock *ls = &udp_ls[lidx];
	char buf[INET6_ADDRSTRLEN];
	struct udp_flow *f;
	struct flow_key k;
	int idx, fd;

	if ((idx = udp_flow_alloc(UDP_FLOW_TAP_IN, now->tv_sec)) < 0)
		return -1;
	f = udp_at(idx);
	f->lidx = lidx;
	flow_side_set(udp_sockside(idx), ls->ns ? PIF_NS : PIF_HOST, r, rport,
		      NULL, ls->port);

	if (ls->ns || (c->mode == MODE_PASTA && !c->no_splice &&
		       inany_is_loopback(r))) {
		/* Loopback to loopback, across namespaces */
		struct udp_sock_args a = { 0 };
		union inany_addr lo;

		if (inany_v4(r)) {
			struct in_addr lo4 = { htonl(INADDR_LOOPBACK) };

			inany_from_v4(&lo, lo4);
			a.af = AF_INET;
		} else {
			lo.a6 = in6addr_loopback;
			a.af = AF_INET6;
		}
		a.v6only = 1;
		a.reuseaddr = true;
		a.bind_addr = &lo;
		a.bind_port = rport;
		a.fallback = true;
		a.dst = &lo;
		a.dport = ls->to;

		f->kind = UDP_FLOW_SPLICE;
		flow_side_set(&flow_at(idx)->f.side[TGTSIDE],
			      ls->ns ? PIF_HOST : PIF_NS, &lo, ls->to, &lo,
			      rport);
		if (ls->ns)
			fd = udp_sock_open(&a);
		else
			fd = ns_call(c, udp_sock_open, &a);
		if (fd < 0) {
			debug("UDP: can't open spliced socket to port %u: %s",
			      ls->to, strerror(errno));
			goto fail;
		}
		if (udp_flow_sock_add(c, idx, fd))
			goto fail;
	} else {
		union inany_addr taddr, gaddr;
		uint16_t tport;
		int af;

		f->kind = UDP_FLOW_TAP_IN;
		if (!tap_is_ready(c) ||
		    !fwd_nat_to_tap(c, IPPROTO_UDP, r, rport, &taddr, &tport)) {
			debug("UDP: can't map %s:%u to the guest, dropping",
			      inany_ntop(r, buf, sizeof(buf)), rport);
			goto fail;
		}
		af = inany_v4(&taddr) ? AF_INET : AF_INET6;
		if ((af == AF_INET && !c->ifi4) || (af == AF_INET6 && !c->ifi6))
			goto fail;
		fwd_guest_addr(c, af, &taddr, &gaddr);
		if (inany_is_unspecified(&gaddr))
			goto fail;

		flow_side_set(udp_tapside(idx), PIF_TAP, &gaddr, ls->to,
			      &taddr, tport);
		tap_tmpl_init(&f->tmpl, af == AF_INET6, &taddr, &gaddr,
			      IPPROTO_UDP, af == AF_INET6 ? tap_flow_label() : 0);

		udp_key_tap(&k, &gaddr, ls->to, &taddr, tport);
		if (udp_flow_lookup(&k) >= 0) {
			debug("UDP: guest tuple of %s:%u already in use",
			      inany_ntop(r, buf, sizeof(buf)), rport);
			goto fail;
		}
		if (flow_hash_insert(&k, idx)) {
			warn_once("UDP: flow index full, new flows refused");
			goto fail;
		}
		f->tkey = true;
	}

	udp_key_listen(&k, lidx, r, rport);
	if (flow_hash_insert(&k, idx)) {
		warn_once("UDP: flow index full, new flows refused");
		goto fail;
	}
	f->lkey = true;
	flow_at(idx)->f.state = FLOW_STATE_ACTIVE;

	debug("UDP: flow %i: %s:%u to port %u (%s)", idx,
	      inany_ntop(r, buf, sizeof(buf)), rport, ls->to,
	      f->kind == UDP_FLOW_SPLICE ? "spliced" : "guest");
	return idx;

fail:
	udp_flow_close(c, idx);
	return -1;
}

/**
 * udp_listen_handler() - Datagrams on a socket bound to a forwarded port
 * @c:		Execution context
 * @lidx:	Listening socket index
 * @fd:		Socket
 * @events:	epoll events
 * @now:	Current time
 */
static void udp_listen_handler(struct ctx *c, uint32_t lidx, int fd,
			       uint32_t events, const struct timespec *now)
{
	static int seq[UDP_BATCH];
	int i, j, n, k;

	if (lidx >= UDP_LSOCK_MAX || !udp_ls[lidx].in_use ||
	    udp_ls[lidx].fd != fd)
		return;

	if (events & EPOLLERR)
		udp_err_handler(c, fd, -1, lidx);
	if (!(events & EPOLLIN))
		return;

	if (!(n = udp_recv(fd, true)))
		return;

	flow_rule_cur = fwd_lsock_rule(fd);	/* new flows remember it */
	for (i = 0; i < n; i++) {
		struct flow_key key;
		union inany_addr r;
		uint16_t rport;
		int idx;

		udp_rflow[i] = -1;
		if (!udp_sa_to(&udp_rname[i], &r, &rport) || !rport)
			continue;

		udp_key_listen(&key, lidx, &r, rport);
		if ((idx = udp_flow_lookup(&key)) < 0 &&
		    (idx = udp_flow_from_listen(c, lidx, &r, rport, now)) < 0)
			continue;

		udp_at(idx)->last = now->tv_sec;
		flow_at(idx)->f.bytes[INISIDE] += udp_rmh[i].msg_len;
		flow_at(idx)->f.pkts[INISIDE]++;
		udp_rflow[i] = idx;
	}
	flow_rule_cur = 0;

	/* To the guest, all flows in one batch of frames */
	for (i = 0, k = 0; i < n; i++) {
		seq[i] = -1;
		if (udp_rflow[i] >= 0 &&
		    udp_at(udp_rflow[i])->kind == UDP_FLOW_TAP_IN) {
			seq[i] = udp_rflow[i];
			k++;
		}
	}
	if (k)
		udp_tap_send(c, seq, n);

	/* Spliced: runs of datagrams of the same flow */
	for (i = 0; i < n; i = j) {
		const struct udp_flow *f;

		if (udp_rflow[i] < 0 ||
		    udp_at(udp_rflow[i])->kind != UDP_FLOW_SPLICE) {
			j = i + 1;
			continue;
		}
		f = udp_at(udp_rflow[i]);
		for (j = i, k = 0; j < n && udp_rflow[j] == udp_rflow[i]; j++)
			seq[k++] = j;
		udp_splice_send(f->sock, NULL, 0, seq, k);
	}
}

/**
 * udp_sock_handler() - Handle datagrams on a host UDP socket
 * @c:		Execution context
 * @ref:	epoll reference (UDP_LISTEN or UDP_REPLY)
 * @events:	epoll events
 * @now:	Current time
 */
void udp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now)
{
	if (c->no_udp)
		return;

	if (ref.type == EPOLL_TYPE_UDP_LISTEN)
		udp_listen_handler(c, ref.data, ref.fd, events, now);
	else if (ref.type == EPOLL_TYPE_UDP_REPLY)
		udp_reply_handler(c, ref.data, ref.fd, events, now);
}

/**
 * udp_timer() - Expire idle flows, rescan automatic forwarding
 * @c:		Execution context
 * @now:	Current time
 */
void udp_timer(struct ctx *c, const struct timespec *now)
{
	unsigned int i;

	if (c->no_udp || !flow_count(FLOW_UDP))
		return;

	for (i = 0; i < flow_hwm(); i++) {
		const struct udp_flow *f = udp_at(i);

		if (flow_at(i)->f.type == FLOW_UDP &&
		    now->tv_sec - f->last >= udp_timeout) {
			debug("UDP: flow %u expired", i);
			udp_flow_close(c, i);
		}
	}
}

/**
 * udp_lsock_add() - Record a listening socket and add it to epoll
 * @c:		Execution context
 * @fd:		Socket
 * @af:		Socket family
 * @ns:		Socket is in pasta's namespace
 * @port:	Bound port
 * @to:		Target port
 *
 * Return: 0 on success, -1 on failure (socket closed)
 */
static int udp_lsock_add(const struct ctx *c, int fd, int af, bool ns,
			 uint16_t port, uint16_t to)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_UDP_LISTEN, .fd = fd };
	unsigned int i;

	for (i = 0; i < UDP_LSOCK_MAX && udp_ls[i].in_use; i++)
		;
	if (i == UDP_LSOCK_MAX || fd > FD_REF_MAX) {
		warn("UDP: too many forwarded sockets");
		close(fd);
		return -1;
	}

	ref.data = i;
	if (passt_epoll_add(c, EPOLLIN, ref)) {
		close(fd);
		return -1;
	}
	fwd_lsock_note(fd, ref.u64);

	udp_ls[i].in_use = true;
	udp_ls[i].ns = ns;
	udp_ls[i].fd = fd;
	udp_ls[i].af = af;
	udp_ls[i].port = port;
	udp_ls[i].to = to;
	if (i >= udp_ls_top)
		udp_ls_top = i + 1;
	return 0;
}

/**
 * udp_listen_open() - Bind a socket to a forwarded port
 * @c:		Execution context
 * @ns:		Open it in pasta's namespace
 * @af:		AF_UNSPEC (dual-stack), AF_INET or AF_INET6
 * @addr:	Address to bind, NULL or unspecified for any
 * @ifname:	Device to bind to, NULL or empty for none
 * @port:	Port
 * @to:		Target port
 *
 * Return: 0 on success, -1 on failure
 */
static int udp_listen_open(const struct ctx *c, bool ns, int af,
			   const union inany_addr *addr, const char *ifname,
			   uint16_t port, uint16_t to)
{
	struct udp_sock_args a = { 0 };
	int fd;

	if (addr && inany_is_unspecified(addr) && af == AF_UNSPEC)
		addr = NULL;

	a.bind_port = port;
	a.ifname = ifname;
	a.freebind = c->freebind;

	if (af == AF_UNSPEC) {
		a.af = c->ifi6 || ns ? AF_INET6 : AF_INET;
		a.v6only = !c->ifi4 && !ns;
	} else {
		a.af = af;
		a.v6only = 1;
		a.bind_addr = addr;
	}

	fd = ns ? ns_call(c, udp_sock_open, &a) : udp_sock_open(&a);
	if (fd < 0 && af == AF_UNSPEC && a.af == AF_INET6 &&
	    (errno == EAFNOSUPPORT || errno == EINVAL)) {
		a.af = AF_INET;
		fd = ns ? ns_call(c, udp_sock_open, &a) : udp_sock_open(&a);
	}
	if (fd < 0) {
		debug("UDP: can't bind port %u: %s", port, strerror(errno));
		return -1;
	}

	return udp_lsock_add(c, fd, a.af, ns, port, to);
}

/**
 * udp_listen_loopback() - Bind a port on the namespace's loopback (-U)
 * @c:		Execution context
 * @port:	Port
 * @to:		Target port on the host's loopback
 *
 * Return: 0 if at least one family could be bound, -1 otherwise
 */
static int udp_listen_loopback(const struct ctx *c, uint16_t port,
			       uint16_t to)
{
	union inany_addr lo4, lo6;
	int rc4, rc6;

	inany_from_v4(&lo4, (struct in_addr){ htonl(INADDR_LOOPBACK) });
	lo6.a6 = in6addr_loopback;

	rc4 = udp_listen_open(c, true, AF_INET, &lo4, NULL, port, to);
	rc6 = udp_listen_open(c, true, AF_INET6, &lo6, NULL, port, to);
	return rc4 && rc6 ? -1 : 0;
}

/**
 * udp_fwd_init() - Bind the ports of a forwarding configuration
 * @c:		Execution context
 * @fwd:	Forwarding configuration
 * @outbound:	pasta -U (namespace loopback), else -u
 *
 * Return: 0 on success, -1 if a required port can't be bound
 */
static int udp_fwd_init(const struct ctx *c, const struct fwd_ports *fwd,
			bool outbound)
{
	unsigned int i, port, tried = 0, bound = 0, skipped = 0;
	bool all_weak = fwd->mode == FWD_ALL;

	if (fwd->mode != FWD_SPEC && fwd->mode != FWD_ALL)
		return 0;

	for (i = 0; i < fwd->count && i < FWD_RULES_MAX; i++) {
		const struct fwd_rule *r = &fwd->rules[i];

		fwd_rule_binding = r->id;
		for (port = r->first; port && port <= r->last; port++) {
			uint16_t to = (uint16_t)(r->to + (port - r->first));
			int rc;

			if (fwd_port_excluded(fwd, port))
				continue;
			if ((all_weak || (r->flags & FWD_WEAK)) &&
			    !fwd_weak_room()) {
				skipped++;
				continue;
			}

			tried++;
			if (outbound)
				rc = udp_listen_loopback(c, port, to);
			else
				rc = udp_listen_open(c, false, r->af, &r->addr,
						     r->ifname, port, to);
			if (!rc) {
				bound++;
			} else if (!all_weak && !(r->flags & FWD_WEAK)) {
				err("Failed to bind UDP port %u", port);
				fwd_rule_binding = 0;
				return -1;
			}
		}
	}
	fwd_rule_binding = 0;

	if (skipped)
		warn("UDP: %u ports not forwarded: open files limit reached",
		     skipped);
	if (tried && !bound) {
		err("Failed to bind any UDP port");
		return -1;
	}
	return 0;
}

/**
 * udp_port_bind() - Start forwarding one port (for automatic forwarding)
 * @c:		Execution context
 * @outbound:	false: -u, socket on the host side delivering to the guest;
 *		true: pasta -U, socket on the namespace's loopback delivering
 *		to the host's loopback
 * @port:	Port to listen on
 * @to:		Target port on the other side
 *
 * Binds dual-stack (-u) or on 127.0.0.1 and ::1 (-U); nothing happens if
 * the port is already forwarded in that direction.
 *
 * Return: 0 on success, -1 if no socket could be bound
 */
int udp_port_bind(struct ctx *c, bool outbound, uint16_t port, uint16_t to)
{
	unsigned int i;

	if (c->no_udp)
		return -1;

	for (i = 0; i < udp_ls_top; i++) {
		if (udp_ls[i].in_use && udp_ls[i].ns == outbound &&
		    udp_ls[i].port == port)
			return 0;
	}

	if (outbound)
		return udp_listen_loopback(c, port, to);
	return udp_listen_open(c, false, AF_UNSPEC, NULL, NULL, port, to);
}

/**
 * udp_port_unbind() - Stop forwarding one port, closing its flows
 * @c:		Execution context
 * @outbound:	As for udp_port_bind()
 * @port:	Port the sockets listen on
 */
void udp_port_unbind(struct ctx *c, bool outbound, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < udp_ls_top; i++) {
		const struct udp_lsock *ls = &udp_ls[i];

		if (ls->in_use && ls->ns == outbound && ls->port == port)
			udp_listen_close(c, i);
	}
}

/**
 * udp_listen_rule() - Bind one port of a forwarding rule
 * @c:		Execution context
 * @outbound:	pasta -U (namespace loopback), else -u
 * @r:		Rule: address, interface
 * @port:	Port to bind
 * @to:		Target port
 *
 * Return: 0 on success, -1 on failure
 */
int udp_listen_rule(const struct ctx *c, bool outbound,
		    const struct fwd_rule *r, uint16_t port, uint16_t to)
{
	if (outbound)
		return udp_listen_loopback(c, port, to);
	return udp_listen_open(c, false, r->af, &r->addr, r->ifname, port, to);
}

/**
 * udp_listen_close() - Close a listening socket of a rule, and its flows
 * @c:		Execution context
 * @lidx:	Index of the socket (epoll reference data)
 */
void udp_listen_close(const struct ctx *c, uint32_t lidx)
{
	struct udp_lsock *ls;
	unsigned int j;

	if (lidx >= UDP_LSOCK_MAX || !udp_ls[lidx].in_use)
		return;
	ls = &udp_ls[lidx];

	for (j = 0; j < flow_hwm(); j++) {
		if (flow_at(j)->f.type == FLOW_UDP && udp_at(j)->lidx == lidx)
			udp_flow_close(c, j);
	}

	fwd_lsock_forget(ls->fd);
	passt_epoll_del(c, ls->fd);
	close(ls->fd);
	memset(ls, 0, sizeof(*ls));

	while (udp_ls_top && !udp_ls[udp_ls_top - 1].in_use)
		udp_ls_top--;
}

/**
 * udp_flow_end() - Close a UDP flow, e.g. as its forwarding rule goes
 * @c:		Execution context
 * @idx:	Flow index
 */
void udp_flow_end(const struct ctx *c, uint32_t idx)
{
	if (idx < FLOW_MAX)
		udp_flow_close(c, idx);
}

/**
 * udp_host_addr_check() - Close flows on an address the host lost
 * @c:		Execution context
 * @gone:	Tells whether a local address is no longer the host's
 *
 * A connected socket keeps the source address it got at connect(), and
 * can't send from it once the host lost it. The flow would stay for as long
 * as the guest keeps sending (a tunnel's keepalives): close it, and the
 * guest's next datagram opens a new one from an address the host has.
 *
 * #syscalls getsockname
 */
void udp_host_addr_check(const struct ctx *c,
			 bool (*gone)(const union inany_addr *a))
{
	uint32_t i;

	for (i = 0; i < flow_hwm(); i++) {
		struct udp_flow *f = udp_at(i);
		char buf[INET6_ADDRSTRLEN];
		socklen_t sl = sizeof(union udp_sa);
		union inany_addr a;
		union udp_sa sa;
		uint16_t port;

		if (flow_at(i)->f.type != FLOW_UDP ||
		    f->kind != UDP_FLOW_TAP_OUT || f->sock < 0)
			continue;
		if (getsockname(f->sock, &sa.sa, &sl) ||
		    !udp_sa_to(&sa, &a, &port) || !gone(&a))
			continue;

		info("UDP: host address %s went away, closing flow",
		     inany_ntop(&a, buf, sizeof(buf)));
		udp_flow_close(c, i);
	}
}

/**
 * udp_init() - Bind forwarded ports, set up the UDP flow table
 * @c:		Execution context
 *
 * Return: 0 on success, -1 if an explicitly requested port cannot be bound
 */
int udp_init(struct ctx *c)
{
	const char *env;

	if (c->no_udp)
		return 0;

	if ((env = getenv(UDP_TIMEOUT_ENV))) {
		char *end;
		long v = strtol(env, &end, 10);

		if (*env && !*end && v > 0 && v <= UDP_FLOW_TIMEOUT) {
			udp_timeout = v;
			debug("UDP: flow timeout %li s", v);
		}
	}

	if (udp_fwd_init(c, &c->udp_in, false))
		return -1;
	if (c->mode == MODE_PASTA && udp_fwd_init(c, &c->udp_out, true))
		return -1;

	return 0;
}
