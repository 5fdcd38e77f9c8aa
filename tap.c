/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * tap.c - Guest-facing side: frames from and to qemu's socket or the tap
 *
 * Two transports:
 * - passt: a UNIX stream socket (listening, or passed with --fd) carrying
 *   Ethernet frames, each preceded by a 32-bit big-endian length. Many frames
 *   arrive per read(), the last one possibly cut: its start is kept for the
 *   next read. Frames to the guest are written in batches with one
 *   sendmsg(), and a frame is never left half-written in the stream.
 * - pasta: a tap device (IFF_TAP | IFF_NO_PI) created in the target network
 *   namespace, one frame per read() or write(). If the kernel lets us, the
 *   device has IFF_VNET_HDR: every frame then comes after a struct
 *   virtio_net_hdr, and we enable checksum, TCP and UDP segmentation
 *   offloads (TUNSETOFFLOAD: TUN_F_CSUM, TSO4, TSO6, USO4, USO6, or less
 *   if refused). Frames from the namespace can then be TCP "super-frames"
 *   of up to 64 KiB whatever the MTU, or runs of UDP datagrams of one
 *   socket in one frame, and TCP or UDP checksums can be left partial: we
 *   never verify checksums, a TCP super-frame is one segment for tcp.c and
 *   one socket write, a UDP one a run of datagrams for udp.c, but the
 *   header is checked against the frame, and frames it doesn't describe
 *   are dropped. Frames we write carry an all-zero header, except TCP data
 *   frames built with several segments in one, and runs of UDP datagrams
 *   of one flow in one frame: the header asks the kernel to treat them as
 *   GSO frames (segment size, and checksum left partial), so that one
 *   write() carries up to 64 KiB of payload while the guest never sees
 *   segments above its MSS, or datagrams other than the ones sent.
 *
 * - vhost-user (passt --vhost-user): the UNIX socket carries vhost-user
 *   control messages instead, and frames go through the guest's own rings
 *   (vhost_user.c, virtio.c). Frames from the guest come here with their
 *   virtio_net_hdr, checked as pasta's; frames to the guest go straight
 *   into its buffers (below).
 *
 * Frames to the guest, for every transport: tap_room() hands out room for
 * the next frames (the guest's own RX buffers with vhost-user, else slots
 * of our arena), the caller writes headers and payload there (TCP peeks
 * socket data right into it), then tap_commit() says which frames are
 * complete, in order, and tap_room_end() gives back what wasn't used. The
 * stream socket and the tap get the queued frames with tap_out_flush(),
 * and may drop the tail of the queue; vhost-user frames are already in the
 * guest's ring, published by tap_out_flush() too, or by the next send. No
 * room with vhost-user means the guest has no buffers: nothing is dropped,
 * the caller waits for tap_room_again(). Small frames built elsewhere go
 * through the same room, copied: tap_queue(), tap_send_frames().
 *
 * Received frames are parsed here, bounds-checked at every step, and handed
 * to the protocol handlers: ARP, ICMP/ICMPv6 (NDP first), DHCP, DHCPv6, UDP,
 * TCP. Consecutive UDP or TCP packets of one read batch with the same
 * addresses and ports go to their handler in one call, in order.
 *
 * Limitations, as upstream: no IP fragmentation (fragments are dropped), no
 * jumbograms, no VLAN tags.
 *
 * Pointers handed to handlers point into the receive buffer: addresses are
 * copied to aligned storage, but L4 headers (struct tap_l4_pkt) may sit at
 * any alignment in passt mode, as frames follow each other in the stream.
 *
 * Headers of frames to the guest are built here, one builder per kind
 * (Ethernet, IPv4, IPv6, UDP), with the libc and kernel structs; tcp.c
 * builds the TCP header itself. Builders take buffers at any alignment.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include "passt.h"
#include "tap.h"
#include "util.h"
#include "log.h"
#include "checksum.h"
#include "flow.h"
#include "pcap.h"
#include "arp.h"
#include "ndp.h"
#include "icmp.h"
#include "dhcp.h"
#include "dhcpv6.h"
#include "udp.h"
#include "tcp.h"
#include "vhost_user.h"

/* UDP segmentation offload (Linux 6.2): older headers lack the names */
#ifndef TUN_F_USO4
#define TUN_F_USO4	0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6	0x40
#endif
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

/* passt stream: each frame comes after its length, 32 bits, big-endian */
#define TAP_HDR_LEN	sizeof(uint32_t)

/* Smallest and largest frame length accepted in the passt stream */
#define TAP_FRAME_MIN	ETH_HLEN
#define TAP_FRAME_LEN_MAX	65535

/* Hop limit of IPv6 packets to the guest: NDP needs 255 (RFC 4861, 6.1) */
#define TAP_HOP_LIMIT	255

/* IPv6 extension headers come in units of 8 bytes */
#define IP6_EXT_UNIT	8

/* Receive buffer: many frames per read() (passt: halving it costs guest to
 * host throughput). pasta reads one frame per read(), each read() with room
 * for the largest frame: half of the buffer holds batches as large as
 * handlers take at MTU 1500 without offloads (TAP_BATCH_MAX), or seven TCP
 * super-frames of 64 KiB with them; the rest never becomes resident
 */
#define TAP_BUF_BYTES	(1 << 20)
#define TAP_BUF_PASTA	(1 << 19)

/* Bounds on work per epoll event, to stay fair to other sockets */
#define TAP_READS_MAX	16

/* Highest number of IPv6 extension headers we walk through */
#define IP6_EXT_MAX	16

/* passt: how long we wait, at most, to complete a frame cut by the kernel,
 * before keeping the rest of it for later (EPOLLOUT)
 */
#define TAP_FINISH_MS	10

#define TAP_SOCK_PATH_FMT	"/tmp/passt_%i.socket"
#define TAP_SOCK_PATH_MAX_N	99

static uint8_t tap_buf[TAP_BUF_BYTES] __attribute__((aligned(64)));

/* passt: unconsumed bytes in tap_buf (start of a cut frame) */
static size_t tap_start, tap_end;

/* pasta: length of the virtio_net_hdr in front of frames, 0 if none */
static size_t tap_vnet_len;

/* pasta: the kernel refused a frame to be segmented, don't ask again */
static bool tap_gso_off;

/* pasta: same, for UDP (TCP and UDP segmentation come separately) */
static bool tap_uso_off;

/* pasta: the kernel refused a frame with a partial checksum */
static bool tap_csum_off;

/* pasta: offloads enabled on the tap device (TUN_F_*), for the log */
static unsigned int tap_offloads;

/* pasta: frames dropped as cut, or with a virtio_net_hdr not matching them */
static unsigned long tap_pasta_bad;

/**
 * struct tap_vnet - virtio_net_hdr of a frame from the tap device (pasta)
 *		     or a vhost-user guest, and where the frame is
 * @h:		Aligned copy of the header (host order, as the kernel writes
 *		it without TUNSETVNETLE/BE)
 * @f:		Start of the frame, at the Ethernet header
 * @iov:	vhost-user: the whole frame, in guest memory; NULL if the
 *		whole frame is at @f (pasta)
 * @niov:	Number of pieces in @iov
 * @have:	vhost-user: bytes of the frame copied to @f so far; the parser
 *		reads nothing beyond them (tap_vnet_need() copies more)
 * @len:	vhost-user: length of the frame
 */
struct tap_vnet {
	struct virtio_net_hdr h;
	const uint8_t *f;
	const struct iovec *iov;
	size_t niov;
	size_t have;
	size_t len;
};

/* vhost-user: frames up to this length are copied whole; of longer ones,
 * at first the headers of a TCP/IPv6 segment without extension headers
 * (more is copied as the parser needs it)
 */
#define TAP_VU_COPY_WHOLE	256
#define TAP_VU_HEAD		(ETH_HLEN + sizeof(struct ip6_hdr) + 60)

/**
 * struct tap_group - Pending batch of L4 packets with one tuple
 * @af:		AF_INET or AF_INET6
 * @proto:	IPPROTO_UDP or IPPROTO_TCP
 * @sport:	Source port, host order
 * @dport:	Destination port, host order
 * @saddr:	Source address (struct in_addr at the start for IPv4)
 * @daddr:	Destination address (same)
 * @n:		Number of packets in @pkts
 * @iovs:	Payload pieces of the packets, one for those without @iov
 * @pkts:	Packets, pointing into the receive buffer
 */
static struct tap_group {
	int af;
	uint8_t proto;
	uint16_t sport;
	uint16_t dport;
	struct in6_addr saddr;
	struct in6_addr daddr;
	size_t n;
	size_t iovs;
	struct tap_l4_pkt pkts[TAP_BATCH_MAX];
} tap_grp;

/* vhost-user: payload pieces of the pending batch, and how many are used */
static struct iovec tap_pay_iov[TAP_IOV_MAX];
static size_t tap_pay_n;

/* vhost-user: bytes of frames copied to our memory, for tests and stats */
static unsigned long long tap_vu_copied;

/* Send side: static scatter-gather array and length headers */
static struct iovec tap_iov[IOV_MAX];
static uint32_t tap_len_hdr[IOV_MAX / 2];
static size_t tap_frame_bytes[IOV_MAX / 2];

/* passt: rest of a frame the socket didn't take, sent before anything else
 * once the socket is writable again: frames are never cut in the stream
 */
static uint8_t tap_pend[TAP_HDR_LEN + TAP_FRAME_LEN_MAX];
static size_t tap_pend_off, tap_pend_len;

/**
 * tap_hdr_len() - Frame length from a length header of the passt stream
 * @p:		Length header, any alignment
 *
 * Return: frame length
 */
static inline uint32_t tap_hdr_len(const uint8_t *p)
{
	uint32_t len;

	memcpy(&len, p, sizeof(len));
	return ntohl(len);
}

/* Receive path */

/**
 * tap_flush() - Hand the pending batch of L4 packets to its handler
 * @c:		Execution context
 * @now:	Current time
 */
static void tap_flush(struct ctx *c, const struct timespec *now)
{
	struct tap_group *g = &tap_grp;
	size_t n = g->n;

	if (!n)
		return;

	/* Reset first: handlers never re-enter the parser, but stay safe.
	 * The payload pieces stay valid until the next packet is added
	 */
	g->n = 0;
	g->iovs = 0;
	tap_pay_n = 0;

	if (g->proto == IPPROTO_UDP) {
		if (!c->no_udp)
			udp_tap_handler(c, g->af, &g->saddr, &g->daddr,
					g->pkts, n, now);
	} else {
		if (!c->no_tcp)
			tcp_tap_handler(c, g->af, &g->saddr, &g->daddr,
					g->pkts, n, now);
	}
}

/**
 * tap_iov_slice() - Describe a range of a scatter-gather list
 * @in:		Buffers
 * @n:		Number of buffers
 * @off:	Offset of the range in @in
 * @len:	Length of the range, within @in
 * @out:	Set to the pieces of the range
 * @max:	Room in @out
 *
 * Return: number of pieces in @out, 0 if @len is 0 or they don't fit
 */
static size_t tap_iov_slice(const struct iovec *in, size_t n, size_t off,
			    size_t len, struct iovec *out, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < n && len; i++) {
		size_t l = in[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		if (k >= max)
			return 0;
		l = MIN(l - off, len);
		out[k].iov_base = (uint8_t *)in[i].iov_base + off;
		out[k++].iov_len = l;
		len -= l;
		off = 0;
	}

	return len ? 0 : k;
}

/**
 * tap_vnet_need() - Make sure bytes of a vhost-user frame are in our copy
 * @v:		virtio_net_hdr and frame, NULL for the passt stream
 * @upto:	Bytes needed from the start of the frame
 *
 * Only bytes not copied yet are read from guest memory: what the parser
 * checked stays as it checked it. @v->len is within @v->iov, checked by
 * tap_vu_frame(): the copy is never short.
 */
static void tap_vnet_need(struct tap_vnet *v, size_t upto)
{
	size_t i, off, done = 0;

	if (!v || !v->iov || upto <= v->have)
		return;

	upto = MIN(upto, v->len);
	off = v->have;
	for (i = 0; i < v->niov && v->have + done < upto; i++) {
		size_t l = v->iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l = MIN(l - off, upto - v->have - done);
		/* @f is our buffer here, the one tap_vu_frame() got */
		memcpy((uint8_t *)v->f + v->have + done,
		       (const uint8_t *)v->iov[i].iov_base + off, l);
		done += l;
		off = 0;
	}
	tap_vu_copied += done;
	v->have += done;
}

/**
 * tap_group_add() - Queue an L4 packet, flushing the batch if its tuple
 *		     differs from the pending one, or if it's full
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @proto:	IPPROTO_UDP or IPPROTO_TCP
 * @saddr:	Source address, aligned
 * @daddr:	Destination address, aligned
 * @sport:	Source port, host order
 * @dport:	Destination port, host order
 * @l4:		L4 header and payload
 * @len:	Length of @l4
 * @gso:	UDP: segment size of datagrams in one frame, 0 for one
 * @v:		vhost-user frame whose payload stays in guest memory (from
 *		@pay on), NULL if it's all at @l4
 * @pay:	Offset of the payload in the frame, with @v
 * @now:	Current time
 */
static void tap_group_add(struct ctx *c, int af, uint8_t proto,
			  const void *saddr, const void *daddr,
			  uint16_t sport, uint16_t dport,
			  const uint8_t *l4, size_t len, uint16_t gso,
			  const struct tap_vnet *v, size_t pay,
			  const struct timespec *now)
{
	struct tap_group *g = &tap_grp;
	size_t alen = af == AF_INET ? 4 : 16;
	size_t cost = v ? v->niov : 1;
	struct tap_l4_pkt *p;

	if (g->n && (g->af != af || g->proto != proto || g->sport != sport ||
		     g->dport != dport || memcmp(&g->saddr, saddr, alen) ||
		     memcmp(&g->daddr, daddr, alen) ||
		     g->iovs + cost > TAP_IOV_MAX))
		tap_flush(c, now);

	if (!g->n) {
		g->af = af;
		g->proto = proto;
		g->sport = sport;
		g->dport = dport;
		memset(&g->saddr, 0, sizeof(g->saddr));
		memset(&g->daddr, 0, sizeof(g->daddr));
		memcpy(&g->saddr, saddr, alen);
		memcpy(&g->daddr, daddr, alen);
	}

	p = &g->pkts[g->n];
	p->l4 = l4;
	p->len = len;
	p->gso = gso;
	p->niov = 0;
	if (v) {
		/* Payload: the L4 length less the header, not the rest of
		 * the frame, which may be padded
		 */
		size_t plen = len - (pay - (size_t)(l4 - v->f));
		size_t k = tap_iov_slice(v->iov, v->niov, pay, plen,
					 tap_pay_iov + tap_pay_n,
					 TAP_IOV_MAX - tap_pay_n);

		if (!k)		/* can't be: bounded by the flush above */
			return;
		p->iov = tap_pay_iov + tap_pay_n;
		p->niov = (uint16_t)k;
		tap_pay_n += k;
		g->iovs += k;
	} else {
		g->iovs++;
	}
	if (++g->n >= TAP_BATCH_MAX)
		tap_flush(c, now);
}

/**
 * tap_udp_check() - Validate a UDP header against the IP payload
 * @l4:		UDP header and payload, any alignment
 * @l4len:	Length of the IP payload
 * @uh:		Set to a copy of the UDP header, if it's there
 *
 * Return: UDP length if valid, 0 otherwise
 */
static size_t tap_udp_check(const uint8_t *l4, size_t l4len,
			    struct udphdr *uh)
{
	size_t ulen;

	if (l4len < sizeof(*uh))
		return 0;

	memcpy(uh, l4, sizeof(*uh));
	ulen = ntohs(uh->len);
	if (ulen < sizeof(*uh) || ulen > l4len)
		return 0;

	return ulen;
}

/**
 * tap_pasta_drop() - Count a frame from the tap device dropped as cut, or
 *		      for its virtio_net_hdr, and log it
 * @why:	What's wrong
 * @now:	Current time
 *
 * One line per second at most: the namespace decides how many such frames
 * come.
 *
 * Return: false
 */
static bool tap_pasta_drop(const char *why, const struct timespec *now)
{
	static time_t next;

	tap_pasta_bad++;
	flow_drops[FLOW_DROP_TAP_BAD]++;
	if (now->tv_sec >= next) {
		debug("tap: %s, frame dropped (%lu so far)", why,
		      tap_pasta_bad);
		next = now->tv_sec + 1;
	}
	return false;
}

/**
 * tap_vnet_hdr_ok() - Check what a virtio_net_hdr says about a whole frame
 * @v:		Header and frame
 * @len:	Length of the frame
 * @now:	Current time
 *
 * Return: true if the header is one we asked for, and fits the frame
 */
static bool tap_vnet_hdr_ok(const struct tap_vnet *v, size_t len,
			    const struct timespec *now)
{
	const struct virtio_net_hdr *h = &v->h;

	if (h->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM |
			 VIRTIO_NET_HDR_F_DATA_VALID))
		return tap_pasta_drop("virtio_net_hdr: unknown flags", now);

	switch (h->gso_type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if (h->gso_size)
			return tap_pasta_drop("virtio_net_hdr: segment size "
					      "without segmentation", now);
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (tap_offloads & TUN_F_USO4)
			break;
		return tap_pasta_drop("virtio_net_hdr: UDP segmentation "
				      "we didn't enable", now);
	default:
		/* The ECN bit, or UFO: we didn't enable them */
		return tap_pasta_drop("virtio_net_hdr: unexpected "
				      "segmentation type", now);
	}

	if (h->hdr_len > len)
		return tap_pasta_drop("virtio_net_hdr: header length "
				      "past end of frame", now);

	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (size_t)h->csum_start + h->csum_offset + sizeof(uint16_t) > len)
		return tap_pasta_drop("virtio_net_hdr: checksum past "
				      "end of frame", now);

	return true;
}

/**
 * tap_vnet_l4_ok() - Check a virtio_net_hdr against the L4 packet it's for
 * @v:		Header and frame, already checked by tap_vnet_hdr_ok()
 * @af:		AF_INET or AF_INET6
 * @proto:	L4 protocol
 * @l4:		L4 header and payload, inside the frame
 * @l4len:	Length of @l4 as given by the IP header
 * @now:	Current time
 *
 * Segmentation is for TCP of the frame's IP version, or for UDP, by a
 * non-zero size not larger than the payload (UDP: at most
 * TAP_USO_SEGS_MAX segments); a partial checksum must be the TCP or UDP
 * one of this packet. We don't complete checksums (they aren't checked),
 * nor segment TCP (one segment of any size is fine for tcp.c); udp.c
 * sends UDP segments as datagrams of @h->gso_size bytes. A header that
 * says something else about the frame makes it suspect.
 *
 * Return: true if the header matches the packet
 */
static bool tap_vnet_l4_ok(const struct tap_vnet *v, int af, uint8_t proto,
			   const uint8_t *l4, size_t l4len,
			   const struct timespec *now)
{
	const struct virtio_net_hdr *h = &v->h;
	size_t off;

	if (h->gso_type == VIRTIO_NET_HDR_GSO_UDP_L4) {
		struct udphdr uh;
		size_t plen;

		if (proto != IPPROTO_UDP)
			return tap_pasta_drop("virtio_net_hdr: UDP "
					      "segmentation of another "
					      "protocol", now);
		if (l4len < sizeof(uh))
			return tap_pasta_drop("virtio_net_hdr: segmentation "
					      "of a truncated UDP header",
					      now);
		/* The kernel sets the UDP length of the whole run */
		plen = l4len - sizeof(uh);
		memcpy(&uh, l4, sizeof(uh));
		if (ntohs(uh.len) != l4len)
			return tap_pasta_drop("virtio_net_hdr: UDP length "
					      "not the one of the run", now);
		if (!h->gso_size || h->gso_size > plen)
			return tap_pasta_drop("virtio_net_hdr: segment size "
					      "zero or past payload", now);
		if (plen > (size_t)h->gso_size * TAP_USO_SEGS_MAX)
			return tap_pasta_drop("virtio_net_hdr: too many UDP "
					      "segments", now);
	} else if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		uint8_t type = af == AF_INET ? VIRTIO_NET_HDR_GSO_TCPV4 :
					       VIRTIO_NET_HDR_GSO_TCPV6;
		struct tcphdr th;
		size_t hl;

		if (proto != IPPROTO_TCP || h->gso_type != type)
			return tap_pasta_drop("virtio_net_hdr: segmentation "
					      "type not matching packet", now);

		if (l4len < sizeof(th))
			return tap_pasta_drop("virtio_net_hdr: segmentation "
					      "of a truncated TCP header",
					      now);
		memcpy(&th, l4, sizeof(th));
		hl = (size_t)th.doff * 4;
		if (hl < sizeof(th) || hl > l4len)
			return tap_pasta_drop("virtio_net_hdr: segmentation "
					      "of a bad TCP header", now);

		if (!h->gso_size || h->gso_size > l4len - hl)
			return tap_pasta_drop("virtio_net_hdr: segment size "
					      "zero or past payload", now);
	}

	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return true;

	if (proto == IPPROTO_TCP)
		off = offsetof(struct tcphdr, check);
	else if (proto == IPPROTO_UDP)
		off = offsetof(struct udphdr, check);
	else
		return tap_pasta_drop("virtio_net_hdr: partial "
				      "checksum, not TCP or UDP", now);

	if (h->csum_start != (size_t)(l4 - v->f) || h->csum_offset != off ||
	    off + sizeof(uint16_t) > l4len)
		return tap_pasta_drop("virtio_net_hdr: partial "
				      "checksum not the L4 one", now);

	return true;
}

/**
 * tap_l4() - Dispatch the L4 part of an IPv4 or IPv6 packet
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @proto:	L4 protocol
 * @saddr:	Source address, aligned copy
 * @daddr:	Destination address, aligned copy
 * @l4:		L4 header and payload
 * @l4len:	Length of @l4, within the frame
 * @v:		virtio_net_hdr of the frame (pasta, vhost-user), NULL if none
 * @now:	Current time
 *
 * Of a vhost-user frame, we copy the TCP or UDP header we look at, and
 * leave the payload we forward in guest memory; we copy everything else:
 * packets we read (ICMP, NDP, DHCP, DHCPv6) and unknown ones.
 */
static void tap_l4(struct ctx *c, int af, uint8_t proto, const void *saddr,
		   const void *daddr, const uint8_t *l4, size_t l4len,
		   struct tap_vnet *v, const struct timespec *now)
{
	size_t l4off = v ? (size_t)(l4 - v->f) : 0, hl = 0;
	const struct tap_vnet *zc = NULL;
	struct udphdr uh;
	struct tcphdr th;
	uint16_t gso = 0;
	size_t ulen;

	if (proto == IPPROTO_TCP) {
		tap_vnet_need(v, l4off + MIN(l4len, sizeof(th)));
		if (l4len >= sizeof(th)) {
			memcpy(&th, l4, sizeof(th));
			hl = (size_t)th.doff * 4;
			if (hl < sizeof(th) || hl > l4len)
				hl = l4len;	/* the handler drops it */
		}
		tap_vnet_need(v, l4off + hl);
	} else if (proto == IPPROTO_UDP) {
		hl = MIN(l4len, sizeof(uh));
		tap_vnet_need(v, l4off + hl);
	} else {
		tap_vnet_need(v, l4off + l4len);
	}

	if (v && !tap_vnet_l4_ok(v, af, proto, l4, l4len, now))
		return;
	if (v && v->h.gso_type == VIRTIO_NET_HDR_GSO_UDP_L4)
		gso = v->h.gso_size;

	switch (proto) {
	case IPPROTO_ICMP:
		if (af != AF_INET)
			break;
		tap_flush(c, now);
		icmp_tap_handler(c, af, saddr, daddr, l4, l4len, now);
		return;
	case IPPROTO_ICMPV6:
		if (af != AF_INET6)
			break;
		tap_flush(c, now);
		if (ndp(c, saddr, daddr, l4, l4len))
			return;
		icmp_tap_handler(c, af, saddr, daddr, l4, l4len, now);
		return;
	case IPPROTO_UDP:
		if (!(ulen = tap_udp_check(l4, l4len, &uh))) {
			trace("tap: bad UDP length, dropped");
			return;
		}

		/* Datagrams in one frame (gso) are never DHCP messages */
		if (!gso && af == AF_INET &&
		    uh.dest == htons(DHCP_SERVER_PORT)) {
			tap_flush(c, now);
			tap_vnet_need(v, l4off + ulen);
			if (dhcp(c, l4 + sizeof(uh), ulen - sizeof(uh)))
				return;
		} else if (!gso && af == AF_INET6 &&
			   uh.dest == htons(DHCPV6_SERVER_PORT)) {
			tap_flush(c, now);
			tap_vnet_need(v, l4off + ulen);
			if (dhcpv6(c, saddr, daddr, l4 + sizeof(uh),
				   ulen - sizeof(uh)))
				return;
		}

		if (v && v->iov && !gso && v->have < l4off + ulen)
			zc = v;
		tap_group_add(c, af, proto, saddr, daddr, ntohs(uh.source),
			      ntohs(uh.dest), l4, ulen, gso, zc, l4off + hl,
			      now);
		return;
	case IPPROTO_TCP:
		if (l4len < sizeof(th)) {
			trace("tap: truncated TCP header, dropped");
			return;
		}
		if (v && v->iov && v->have < l4off + l4len)
			zc = v;
		tap_group_add(c, af, proto, saddr, daddr, ntohs(th.source),
			      ntohs(th.dest), l4, l4len, 0, zc, l4off + hl,
			      now);
		return;
	default:
		break;
	}

	trace("tap: unsupported protocol %u, dropped", proto);
}

/**
 * tap_ip4() - Validate an IPv4 packet from the guest and dispatch it
 * @c:		Execution context
 * @ip:		IPv4 header and rest of the frame
 * @len:	Bytes of the frame from @ip on
 * @v:		virtio_net_hdr of the frame (pasta), NULL if none
 * @now:	Current time
 */
static void tap_ip4(struct ctx *c, const uint8_t *ip, size_t len,
		    struct tap_vnet *v, const struct timespec *now)
{
	struct in_addr saddr, daddr;
	struct iphdr iph;
	size_t ihl, tot;

	/* Copy out: the header may sit at any alignment */
	if (len < sizeof(iph)) {
		trace("tap: truncated IPv4 header, dropped");
		return;
	}
	memcpy(&iph, ip, sizeof(iph));
	if (iph.version != IPVERSION) {
		trace("tap: invalid IPv4 version, dropped");
		return;
	}

	ihl = (size_t)iph.ihl * 4;
	tot = ntohs(iph.tot_len);
	if (ihl < sizeof(iph) || tot < ihl || tot > len) {
		trace("tap: bad IPv4 header or total length, dropped");
		return;
	}

	/* No IP fragmentation: MF set or non-zero offset means a fragment */
	if (iph.frag_off & htons(IP_MF | IP_OFFMASK)) {
		trace("tap: IPv4 fragment, dropped");
		return;
	}

	saddr.s_addr = iph.saddr;
	daddr.s_addr = iph.daddr;

	if (saddr.s_addr != htonl(INADDR_ANY) &&
	    !IN_MULTICAST(ntohl(saddr.s_addr)) &&
	    saddr.s_addr != htonl(INADDR_BROADCAST))
		c->ip4.addr_seen = saddr;

	tap_l4(c, AF_INET, iph.protocol, &saddr, &daddr, ip + ihl, tot - ihl,
	       v, now);
}

/**
 * tap_ip6() - Validate an IPv6 packet from the guest and dispatch it
 * @c:		Execution context
 * @ip:		IPv6 header and rest of the frame
 * @len:	Bytes of the frame from @ip on
 * @v:		virtio_net_hdr of the frame (pasta), NULL if none
 * @now:	Current time
 */
static void tap_ip6(struct ctx *c, const uint8_t *ip, size_t len,
		    struct tap_vnet *v, const struct timespec *now)
{
	size_t ipoff = v ? (size_t)(ip - v->f) : 0;
	struct in6_addr saddr, daddr;
	struct ip6_hdr ip6h;
	size_t end, off = sizeof(ip6h);
	uint8_t nh;
	int i;

	/* Copy out: the header may sit at any alignment */
	if (len < sizeof(ip6h)) {
		trace("tap: truncated IPv6 header, dropped");
		return;
	}
	memcpy(&ip6h, ip, sizeof(ip6h));
	if ((ip6h.ip6_vfc >> 4) != IP6_VERSION) {
		trace("tap: invalid IPv6 version, dropped");
		return;
	}

	end = sizeof(ip6h) + (size_t)ntohs(ip6h.ip6_plen);
	if (end > len) {
		trace("tap: IPv6 payload length past end of frame, dropped");
		return;
	}

	/* Walk extension headers: hop-by-hop, routing, destination options */
	nh = ip6h.ip6_nxt;
	for (i = 0; ; i++) {
		const struct ip6_ext *ext;	/* bytes only: any alignment */
		size_t hlen;

		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS)
			break;

		if (i >= IP6_EXT_MAX || end - off < IP6_EXT_UNIT) {
			trace("tap: bad IPv6 extension header chain, dropped");
			return;
		}

		tap_vnet_need(v, ipoff + off + sizeof(*ext));
		ext = (const struct ip6_ext *)(ip + off);
		hlen = ((size_t)ext->ip6e_len + 1) * IP6_EXT_UNIT;
		if (hlen > end - off) {
			trace("tap: IPv6 extension header too long, dropped");
			return;
		}

		nh = ext->ip6e_nxt;
		off += hlen;
	}

	if (nh == IPPROTO_FRAGMENT) {
		trace("tap: IPv6 fragment, dropped");
		return;
	}

	saddr = ip6h.ip6_src;
	daddr = ip6h.ip6_dst;

	if (IN6_IS_ADDR_LINKLOCAL(&saddr))
		c->ip6.addr_ll_seen = saddr;
	else if (!IN6_IS_ADDR_UNSPECIFIED(&saddr) &&
		 !IN6_IS_ADDR_MULTICAST(&saddr))
		c->ip6.addr_seen = saddr;

	tap_l4(c, AF_INET6, nh, &saddr, &daddr, ip + off, end - off, v, now);
}

/**
 * tap_frame() - Parse one frame from the guest and dispatch it
 * @c:		Execution context
 * @f:		Frame, from the Ethernet header
 * @len:	Length of @f
 * @v:		virtio_net_hdr that came with the frame (pasta, vhost-user),
 *		NULL if none
 * @now:	Current time
 *
 * L4 packets may be left pending in the batch: tap_flush() must run before
 * the frame buffer is reused.
 */
static void tap_frame(struct ctx *c, const uint8_t *f, size_t len,
		      struct tap_vnet *v, const struct timespec *now)
{
	static const uint8_t zero[ETH_ALEN];
	const struct ethhdr *eh;	/* packed: any alignment */
	uint16_t type;

	if (v && v->iov)	/* vhost-user, not all copied */
		pcap_frames_iov(v->iov, v->niov, 1);
	else
		pcap_frame(f, len);
	busy_poll_moved(len);

	if (c->splice_only)	/* pasta --splice-only: no tap traffic */
		return;

	if (v && !tap_vnet_hdr_ok(v, len, now))
		return;

	if (len < sizeof(*eh)) {
		trace("tap: truncated Ethernet frame, dropped");
		return;
	}
	eh = (const struct ethhdr *)f;

	/* Learn the guest's MAC address, unicast sources only */
	if (!(eh->h_source[0] & 1) && memcmp(eh->h_source, zero, ETH_ALEN))
		memcpy(c->guest_mac, eh->h_source, ETH_ALEN);

	type = ntohs(eh->h_proto);
	f += sizeof(*eh);
	len -= sizeof(*eh);
	switch (type) {
	case ETH_P_ARP:
		if (v && (v->h.gso_type != VIRTIO_NET_HDR_GSO_NONE ||
			  (v->h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))) {
			tap_pasta_drop("virtio_net_hdr: offload for ARP", now);
			break;
		}
		tap_flush(c, now);
		tap_vnet_need(v, ETH_HLEN + len);
		if (!arp(c, f, len))
			trace("tap: malformed ARP packet, dropped");
		break;
	case ETH_P_IP:
		tap_ip4(c, f, len, v, now);
		break;
	case ETH_P_IPV6:
		tap_ip6(c, f, len, v, now);
		break;
	default:
		trace("tap: unsupported Ethernet type 0x%04x, dropped", type);
		break;
	}
}

/**
 * tap_passt_frames() - Parse frames in the passt stream buffer
 * @c:		Execution context
 * @buf:	Stream data
 * @len:	Bytes in @buf
 * @now:	Current time
 *
 * Complete frames are dispatched, and the pending batch flushed.
 *
 * Return: bytes consumed (a cut frame at the end is left), or -1 if a
 *	   length header is invalid and the connection must be reset
 */
static ssize_t tap_passt_frames(struct ctx *c, const uint8_t *buf, size_t len,
				const struct timespec *now)
{
	size_t off = 0;
	ssize_t ret;

	while (len - off >= TAP_HDR_LEN) {
		size_t flen = tap_hdr_len(buf + off);

		if (flen < TAP_FRAME_MIN || flen > TAP_FRAME_LEN_MAX) {
			debug("tap: invalid frame length %zu from guest", flen);
			off = SIZE_MAX;
			break;
		}

		if (len - off - TAP_HDR_LEN < flen)
			break;

		tap_frame(c, buf + off + TAP_HDR_LEN, flen, NULL, now);
		off += TAP_HDR_LEN + flen;
	}

	tap_flush(c, now);

	ret = off == SIZE_MAX ? -1 : (ssize_t)off;
	return ret;
}

/**
 * tap_sock_reset() - The guest went away, or must be disconnected: close the
 *		      connection, reset TCP flows, exit or wait for a new one
 * @c:		Execution context
 *
 * #syscalls:passt close exit_group
 */
static void tap_sock_reset(struct ctx *c)
{
	if (c->fd_tap >= 0) {
		passt_epoll_del(c, c->fd_tap);
		close(c->fd_tap);
		c->fd_tap = -1;
	}
	if (c->vhost_user)
		vu_reset(c);
	tap_start = tap_end = 0;
	tap_grp.n = 0;
	tap_grp.iovs = 0;
	tap_pay_n = 0;
	tap_pend_off = tap_pend_len = 0;

	tcp_tap_reset(c);

	if (c->one_off || c->fd_passed >= 0 || c->fd_tap_listen < 0) {
		info("Client connection closed, exiting");
		exit(EXIT_SUCCESS);
	}

	info("Client connection closed, waiting for a new one");
}

/**
 * tap_passt_input() - Read and handle frames from the qemu socket
 * @c:		Execution context
 * @now:	Current time
 *
 * #syscalls:passt read
 */
static void tap_passt_input(struct ctx *c, const struct timespec *now)
{
	int i;

	for (i = 0; i < TAP_READS_MAX; i++) {
		size_t space;
		ssize_t n, done;

		/* Make room: keep a cut frame, move it to the front if
		 * the space after it can't hold a whole frame any more
		 */
		if (tap_start == tap_end) {
			tap_start = tap_end = 0;
		} else if (TAP_BUF_BYTES - tap_end <
			   TAP_HDR_LEN + TAP_FRAME_LEN_MAX) {
			memmove(tap_buf, tap_buf + tap_start,
				tap_end - tap_start);
			tap_end -= tap_start;
			tap_start = 0;
		}

		space = TAP_BUF_BYTES - tap_end;
		n = read(c->fd_tap, tap_buf + tap_end, space);
		if (n == 0) {
			tap_sock_reset(c);
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			debug("tap: read error on guest socket: %s",
			      strerror(errno));
			tap_sock_reset(c);
			return;
		}

		tap_end += (size_t)n;
		done = tap_passt_frames(c, tap_buf + tap_start,
					tap_end - tap_start, now);
		if (done < 0) {
			tap_sock_reset(c);
			return;
		}
		tap_start += (size_t)done;

		/* A short read means we drained the socket */
		if ((size_t)n < space)
			return;
	}
}

/**
 * tap_vnet_csum_fill() - Complete a partial L4 checksum, for the capture
 * @h:		virtio_net_hdr with VIRTIO_NET_HDR_F_NEEDS_CSUM
 * @f:		Frame
 * @len:	Length of @f
 *
 * The checksum field holds the pseudo-header sum, the rest is left to the
 * "device": us. Handlers ignore L4 checksums, so we complete it only for
 * pcap files to show valid ones, also for super-frames (over their whole
 * length, as their IP header says). Frames dropped later for a header not
 * matching them may show a field changed where the header pointed.
 */
static void tap_vnet_csum_fill(const struct virtio_net_hdr *h, uint8_t *f,
			       size_t len)
{
	size_t start = h->csum_start, at = start + h->csum_offset;
	uint16_t sum;

	if (at + sizeof(sum) > len)
		return;

	sum = csum(f + start, len - start, 0);
	if (!sum)	/* UDP: zero means none, the same as 0xffff for TCP */
		sum = 0xffff;
	memcpy(f + at, &sum, sizeof(sum));
}

/**
 * tap_pasta_frame() - Handle what one read() from the tap device gave
 * @c:		Execution context
 * @buf:	virtio_net_hdr (if the device has one: tap_vnet_len), frame
 * @n:		Bytes in @buf, all of them read
 * @now:	Current time
 *
 * The frame may be left pending in the batch, as with tap_frame().
 */
static void tap_pasta_frame(struct ctx *c, uint8_t *buf, size_t n,
			    const struct timespec *now)
{
	struct tap_vnet v;

	if (!tap_vnet_len) {
		tap_frame(c, buf, n, NULL, now);
		return;
	}

	v.iov = NULL;
	if (n < sizeof(v.h)) {
		tap_pasta_drop("truncated virtio_net_hdr", now);
		return;
	}

	memcpy(&v.h, buf, sizeof(v.h));
	v.f = buf + sizeof(v.h);

	/* Costs a pass over the frame: only with a capture file */
	if ((v.h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && *c->pcap)
		tap_vnet_csum_fill(&v.h, buf + sizeof(v.h), n - sizeof(v.h));

	tap_frame(c, v.f, n - sizeof(v.h), &v, now);
}

/**
 * tap_vu_frame() - Handle a frame from a vhost-user guest
 * @c:		Execution context
 * @h:		Its virtio_net_hdr, host order
 * @iov:	The frame, in guest memory (translated, within the regions)
 * @niov:	Number of pieces in @iov
 * @len:	Length of the frame, at most the bytes in @iov
 * @buf:	Our buffer for it, with room for @len bytes
 * @now:	Current time
 *
 * The guest can change its memory at any time: what the parser reads is
 * copied to @buf first, and read there only (small frames whole, of others
 * the headers). The payload of TCP segments and UDP datagrams stays in
 * guest memory, for the socket to read: the one copy. The frame may be
 * left pending in the batch: tap_vu_flush() must run before @iov goes back
 * to the guest, or @buf is reused.
 *
 * Return: bytes of the frame copied to @buf, from its start
 */
size_t tap_vu_frame(struct ctx *c, const struct virtio_net_hdr *h,
		    const struct iovec *iov, size_t niov, size_t len,
		    uint8_t *buf, const struct timespec *now)
{
	struct tap_vnet v = { .h = *h, .f = buf, .iov = iov, .niov = niov,
			      .len = len };
	size_t i, total = 0;

	for (i = 0; i < niov; i++)
		total += iov[i].iov_len;
	if (total < len || niov > TAP_IOV_MAX)
		return 0;

	tap_vnet_need(&v, len <= TAP_VU_COPY_WHOLE ? len : TAP_VU_HEAD);
	if (v.have == len)
		v.iov = NULL;	/* all here: as a frame from pasta */

	tap_frame(c, buf, len, &v, now);
	return v.have;
}

/**
 * tap_vu_flush() - Hand pending packets of vhost-user frames to handlers
 * @c:		Execution context
 * @now:	Current time
 */
void tap_vu_flush(struct ctx *c, const struct timespec *now)
{
	tap_flush(c, now);
}

/**
 * tap_pasta_input() - Read and handle frames from the tap device
 * @c:		Execution context
 * @now:	Current time
 *
 * #syscalls:pasta read
 */
static void tap_pasta_input(struct ctx *c, const struct timespec *now)
{
	int i;

	/* Frames start at 2 modulo 8: IP headers are then aligned. The
	 * virtio_net_hdr, if any, goes right before the frame. Every read()
	 * has room for the largest frame the device takes, whatever the MTU:
	 * TCP super-frames come up to 64 KiB with offloads
	 */
	size_t vlen = tap_vnet_len, lead = (2 + 8 - vlen % 8) % 8;
	size_t size = vlen + FRAME_MAX;

	for (i = 0; i < TAP_READS_MAX; i++) {
		size_t off = lead;
		bool drained = false;

		while (TAP_BUF_PASTA - off >= size) {
			ssize_t n = read(c->fd_tap, tap_buf + off, size);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK) {
					drained = true;
					break;
				}
				die("Read error on tap device: %s",
				    strerror(errno));
			}
			if (n == 0)
				die("Tap device went away");

			/* tun returns the length of the whole frame, and
			 * copies what fits: drop the cut frame, and count
			 * the slot as used, for a bounded loop
			 */
			if ((size_t)n > size) {
				tap_pasta_drop("frame cut by read()", now);
				off += ROUND_UP(size, 8);
				continue;
			}

			tap_pasta_frame(c, tap_buf + off, (size_t)n, now);
			off = ROUND_UP(off + (size_t)n, 8) + lead;
		}

		tap_flush(c, now);
		if (drained)
			return;
	}
}

/**
 * tap_passt_connected() - A guest connected: set the socket up
 * @c:		Execution context
 * @fd:		Connected socket
 * @now:	Current time
 */
static void tap_passt_connected(struct ctx *c, int fd,
				const struct timespec *now)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASST, .fd = fd };

	if (c->vhost_user) {
		ref.type = EPOLL_TYPE_VHOST_CMD;
		vu_connected(c);
	} else {
		sock_set_bufsize(fd);
	}
	fd_set_nonblock(fd);

	c->fd_tap = fd;
	tap_start = tap_end = 0;
	tap_grp.n = 0;
	tap_grp.iovs = 0;
	tap_pay_n = 0;
	tap_pend_off = tap_pend_len = 0;

	if (passt_epoll_add(c, EPOLLIN | EPOLLRDHUP, ref))
		die("Failed to add guest socket to epoll set");

	ndp_guest_connected(c, now);
}

/**
 * tap_passt_accept() - Accept a connection on the listening socket
 * @c:		Execution context
 * @now:	Current time
 *
 * #syscalls:passt accept4 accept getsockopt close
 */
static void tap_passt_accept(struct ctx *c, const struct timespec *now)
{
	int fd = accept4(c->fd_tap_listen, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			debug("tap: accept() failed: %s", strerror(errno));
		return;
	}

	/* One guest at a time */
	if (c->fd_tap >= 0 || fd > FD_REF_MAX) {
		struct ucred cred;
		socklen_t sl = sizeof(cred);

		if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl))
			info("Rejected connection from PID %i: a guest is "
			     "already connected", cred.pid);
		else
			info("Rejected connection: a guest is already "
			     "connected");
		close(fd);
		return;
	}

	info("Client connected");
	tap_passt_connected(c, fd, now);
}

static bool tap_pend_flush(const struct ctx *c);

/**
 * tap_handler() - Handle events on the tap-side file descriptors
 * @c:		Execution context
 * @ref:	epoll reference (TAP_LISTEN, TAP_PASST, TAP_PASTA, VHOST_CMD,
 *		VHOST_KICK)
 * @events:	epoll events
 * @now:	Current time
 */
void tap_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		 const struct timespec *now)
{
	switch (ref.type) {
	case EPOLL_TYPE_TAP_LISTEN:
		if (events & EPOLLIN)
			tap_passt_accept(c, now);
		break;
	case EPOLL_TYPE_TAP_PASST:
		if (ref.fd != c->fd_tap)
			break;
		if (events & EPOLLOUT)
			tap_pend_flush(c);
		if (events & (EPOLLIN | EPOLLRDHUP))
			tap_passt_input(c, now);
		if (c->fd_tap == ref.fd && (events & (EPOLLHUP | EPOLLERR)))
			tap_sock_reset(c);
		break;
	case EPOLL_TYPE_VHOST_CMD:
		if (ref.fd != c->fd_tap)
			break;
		if ((events & (EPOLLIN | EPOLLRDHUP)) &&
		    vu_cmd_input(c, now)) {
			tap_sock_reset(c);
			break;
		}
		if (events & (EPOLLHUP | EPOLLERR))
			tap_sock_reset(c);
		break;
	case EPOLL_TYPE_VHOST_KICK:
		if (c->fd_tap >= 0 && vu_kick(c, ref, now))
			tap_sock_reset(c);
		break;
	case EPOLL_TYPE_TAP_PASTA:
		if (events & EPOLLIN)
			tap_pasta_input(c, now);
		if (events & (EPOLLHUP | EPOLLERR))
			die("Hangup on tap device");
		break;
	default:
		break;
	}
}

/* Set-up */

/**
 * tap_sock_probe() - Check for a live listener at a UNIX socket path
 * @path:	Socket path
 *
 * Stale socket files (no listener) are removed.
 *
 * Return: true if something listens there (or the path can't be used)
 */
static bool tap_sock_probe(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	bool live = false;
	int fd;

	if (lstat(path, &st))
		return errno != ENOENT;

	if (!S_ISSOCK(st.st_mode))
		return true;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("Failed to create UNIX socket: %s", strerror(errno));

	memcpy(a.sun_path, path, strlen(path) + 1);
	if (!connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		live = true;
	} else if (errno == ECONNREFUSED) {
		/* Stale: whoever created it is gone */
		if (unlink(path) && errno != ENOENT)
			live = true;
	} else {
		/* EAGAIN: backlog full, someone is there; anything else: we
		 * can't use it either
		 */
		live = errno != ENOENT;
	}

	close(fd);
	return live;
}

/**
 * tap_sock_bind() - Create a listening UNIX socket at a path
 * @path:	Socket path
 *
 * Return: socket, or -1 with errno set on failure
 */
static int tap_sock_bind(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, e;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("Failed to create UNIX socket: %s", strerror(errno));

	memcpy(a.sun_path, path, strlen(path) + 1);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 1)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}

	return fd;
}

/**
 * tap_sock_unix_init() - Bind the listening socket for qemu, log a hint
 * @c:		Execution context
 */
static void tap_sock_unix_init(struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_LISTEN };
	struct sockaddr_un a;
	int fd = -1, i;

	if (*c->sock_path) {
		if (strlen(c->sock_path) >= sizeof(a.sun_path))
			die("UNIX socket path too long: %s", c->sock_path);

		if (tap_sock_probe(c->sock_path))
			die("Socket path %s already in use", c->sock_path);

		fd = tap_sock_bind(c->sock_path);
		if (fd < 0)
			die("Failed to bind UNIX socket at %s: %s",
			    c->sock_path, strerror(errno));
	} else {
		for (i = 1; i <= TAP_SOCK_PATH_MAX_N; i++) {
			char path[sizeof(a.sun_path)];

			snprintf(path, sizeof(path), TAP_SOCK_PATH_FMT, i);
			if (tap_sock_probe(path))
				continue;

			fd = tap_sock_bind(path);
			if (fd >= 0) {
				snprintf(c->sock_path, sizeof(c->sock_path),
					 "%s", path);
				break;
			}
		}
		if (fd < 0)
			die("No free UNIX socket path (/tmp/passt_1.socket to "
			    "/tmp/passt_%i.socket)", TAP_SOCK_PATH_MAX_N);
	}

	if (fd > FD_REF_MAX)
		die("File descriptor number too high: %i", fd);

	c->fd_tap_listen = fd;
	ref.fd = fd;
	if (passt_epoll_add(c, EPOLLIN, ref))
		die("Failed to add listening socket to epoll set");

	info("UNIX domain socket bound at %s", c->sock_path);
	if (c->vhost_user) {
		info("You can start qemu with:");
		info("    kvm ... -chardev socket,id=chr0,path=%s "
		     "-netdev vhost-user,id=netdev0,chardev=chr0 "
		     "-device virtio-net,netdev=netdev0 "
		     "-object memory-backend-memfd,id=memfd0,share=on,"
		     "size=$RAMSIZE "
		     "-numa node,memdev=memfd0", c->sock_path);
		return;
	}
	info("You can now start qemu (>= 7.2) with:");
	info("    kvm ... -device virtio-net-pci,netdev=s "
	     "-netdev stream,id=s,server=off,addr.type=unix,addr.path=%s",
	     c->sock_path);
	info("or qrap, for earlier qemu versions:");
	info("    ./qrap 5 kvm ... -net socket,fd=5 -net nic,model=virtio");
}

/**
 * struct tap_ns_arg - Result of the tap set-up inside the namespace
 * @c:		Execution context
 * @ifname:	Interface name (requested; set by the kernel if empty)
 * @ifi:	Interface index in the namespace
 * @mac:	MAC address of the interface (the guest's)
 * @vnet:	The device takes a virtio_net_hdr before frames
 * @offloads:	Offloads enabled (TUN_F_*), with @vnet
 * @err:	errno of the failed step, 0 on success
 * @step:	Description of the failed step
 */
struct tap_ns_arg {
	const struct ctx *c;
	char ifname[IFNAMSIZ];
	unsigned int ifi;
	unsigned char mac[ETH_ALEN];
	bool vnet;
	unsigned int offloads;
	int err;
	const char *step;
};

/**
 * tap_ns_offload() - Enable offloads on a tap device with virtio_net_hdr
 * @fd:		Tap device
 * @on:		Set to the offloads enabled (TUN_F_*)
 *
 * The namespace's kernel then hands us TCP frames of up to 64 KiB to be
 * segmented, whatever the MTU, and leaves TCP and UDP checksums partial:
 * neither matters to us. With USO (Linux 6.2, both families or none), runs
 * of UDP datagrams its sockets send with UDP_SEGMENT come as one frame,
 * which udp.c passes on with UDP_SEGMENT too. Not TUN_F_TSO_ECN (frames
 * it's used for go segmented), nor UFO (IP fragmentation).
 *
 * Return: 0 on success (maybe with fewer offloads), -1 if the device
 *	   refuses even to disable them all
 */
static int tap_ns_offload(int fd, unsigned int *on)
{
	static const unsigned int sets[] = {
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
		TUN_F_CSUM,	/* TSO needs checksum offload too */
		0,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		if (!ioctl(fd, TUNSETOFFLOAD, (unsigned long)sets[i])) {
			*on = sets[i];
			return 0;
		}
	}

	return -1;
}

/**
 * tap_ns_open() - Open the tun device and attach a tap interface to it
 * @a:		struct tap_ns_arg: name to request, set to the actual one
 * @vnet:	Ask for virtio_net_hdr in front of frames (IFF_VNET_HDR)
 *
 * Return: file descriptor, -1 on failure with errno set
 */
static int tap_ns_open(struct tap_ns_arg *a, bool vnet)
{
	int fd, e, sz = sizeof(struct virtio_net_hdr);
	struct ifreq ifr;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		a->step = "open /dev/net/tun";
		return -1;
	}

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
	memcpy(ifr.ifr_name, a->ifname, sizeof(ifr.ifr_name));
	ifr.ifr_name[IFNAMSIZ - 1] = 0;
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		a->step = "create tap device (TUNSETIFF)";
		goto fail;
	}

	if (vnet && (ioctl(fd, TUNSETVNETHDRSZ, &sz) ||
		     tap_ns_offload(fd, &a->offloads))) {
		a->step = "set up virtio_net_hdr on tap device";
		goto fail;
	}

	memcpy(a->ifname, ifr.ifr_name, sizeof(a->ifname));
	return fd;

fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/**
 * tap_ns_tun() - Create the tap device, called inside the target namespace
 * @arg:	struct tap_ns_arg
 *
 * Return: tap file descriptor, -1 on failure (see @arg)
 */
static int tap_ns_tun(void *arg)
{
	struct tap_ns_arg *a = arg;
	static const unsigned char zero[ETH_ALEN];
	struct ifreq ifr;
	int fd;

	/* The device goes away with a failed attempt: try again without */
	a->vnet = true;
	fd = tap_ns_open(a, true);
	if (fd < 0) {
		a->vnet = false;
		fd = tap_ns_open(a, false);
	}
	if (fd < 0) {
		a->err = errno;
		return -1;
	}
	a->step = NULL;

	/* --ns-mac-addr: set it now, before anybody sees the device */
	if (memcmp(a->c->ns_mac, zero, ETH_ALEN)) {
		struct ifreq m = { 0 };

		m.ifr_hwaddr.sa_family = ARPHRD_ETHER;
		memcpy(m.ifr_hwaddr.sa_data, a->c->ns_mac, ETH_ALEN);
		if (ioctl(fd, SIOCSIFHWADDR, &m))
			a->err = errno;
	}

	memset(&ifr, 0, sizeof(ifr));
	if (!ioctl(fd, SIOCGIFHWADDR, &ifr))
		memcpy(a->mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);

	a->ifi = if_nametoindex(a->ifname);
	return fd;
}

/**
 * tap_sock_tun_init() - pasta: create the tap device in the namespace
 * @c:		Execution context
 */
static void tap_sock_tun_init(struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASTA };
	struct tap_ns_arg a = { .c = c };
	int fd;

	memcpy(a.ifname, c->pasta_ifname, sizeof(a.ifname));
	a.ifname[IFNAMSIZ - 1] = 0;

	fd = ns_call(c, tap_ns_tun, &a);
	if (fd < 0 && a.err == EACCES && a.step && strstr(a.step, "/dev/net"))
		die("Failed to %s in the namespace: %s: we run as UID %u (root "
		    "runs as nobody unless --runas says otherwise): use "
		    "--runas 0, or make /dev/net/tun usable by all (mode 0666)",
		    a.step, strerror(a.err), (unsigned)c->uid);
	if (fd < 0)
		die("Failed to %s in the namespace: %s",
		    a.step ? a.step : "enter namespace", strerror(a.err));
	if (a.err)
		warn("Failed to set MAC address of %s: %s", a.ifname,
		     strerror(a.err));

	if (fd > FD_REF_MAX)
		die("File descriptor number too high: %i", fd);

	memcpy(c->pasta_ifname, a.ifname, sizeof(c->pasta_ifname));
	c->pasta_ifi = a.ifi;
	tap_vnet_len = a.vnet ? sizeof(struct virtio_net_hdr) : 0;
	tap_offloads = a.vnet ? a.offloads : 0;
	if (!a.vnet)
		info("No virtio_net_hdr on tap device: no offloads, no TCP "
		     "segmentation towards the namespace");
	else if (!(tap_offloads & TUN_F_TSO4))
		info("Tap device refused TCP segmentation offload: frames from "
		     "the namespace come segmented");
	if (!c->pasta_ifi)
		die("Can't find index of tap device %s", c->pasta_ifname);

	/* The guest's MAC is the one of the tap in the namespace */
	if (!(a.mac[0] & 1) && memcmp(a.mac, (unsigned char [ETH_ALEN]){ 0 },
				      ETH_ALEN))
		memcpy(c->guest_mac, a.mac, ETH_ALEN);

	c->fd_tap = fd;
	ref.fd = fd;
	if (passt_epoll_add(c, EPOLLIN | EPOLLRDHUP, ref))
		die("Failed to add tap device to epoll set");

	debug("tap device %s (index %u) created in namespace, offloads: %s",
	      c->pasta_ifname, c->pasta_ifi,
	      (tap_offloads & TUN_F_USO4) ? "checksum, TCP and UDP "
					    "segmentation" :
	      (tap_offloads & TUN_F_TSO4) ? "checksum, TCP segmentation" :
	      tap_offloads ? "checksum" : "none");
}

/**
 * tap_sock_init() - Set up the guest side: listening socket, passed fd, or
 *		     (pasta) the tap device in the namespace
 * @c:		Execution context
 *
 * Exits on failure.
 */
void tap_sock_init(struct ctx *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);

	c->fd_tap = -1;
	c->fd_tap_listen = -1;
	tap_start = tap_end = 0;
	tap_grp.n = 0;
	tap_grp.iovs = 0;
	tap_pay_n = 0;

	if (c->mode == MODE_PASTA) {
		if (c->splice_only)	/* loopback only: no tap at all */
			return;
		tap_sock_tun_init(c);
		ndp_guest_connected(c, &now);
		return;
	}

	if (c->fd_passed >= 0) {
		if (c->fd_passed > FD_REF_MAX)
			die("File descriptor number too high: %i",
			    c->fd_passed);
		info("Using connected socket on file descriptor %i",
		     c->fd_passed);
		tap_passt_connected(c, c->fd_passed, &now);
		return;
	}

	tap_sock_unix_init(c);
}

/**
 * tap_is_ready() - Is there a guest attached to send frames to?
 * @c:		Execution context
 *
 * Return: true if frames can be sent (never with pasta --splice-only)
 */
bool tap_is_ready(const struct ctx *c)
{
	if (c->vhost_user)
		return c->fd_tap >= 0 && vu_ready();
	return c->fd_tap >= 0 && !c->splice_only;
}

/* Send path */

/**
 * tap_pend_set() - Wait for (or ask for) the socket to become writable
 * @c:		Execution context
 * @out:	true to get EPOLLOUT events, false to stop them
 */
static void tap_pend_set(const struct ctx *c, bool out)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TAP_PASST,
				.fd = c->fd_tap };

	passt_epoll_mod(c, EPOLLIN | EPOLLRDHUP | (out ? EPOLLOUT : 0), ref);
}

/**
 * tap_pend_flush() - Send the pending rest of a cut frame
 * @c:		Execution context
 *
 * Return: true if nothing is pending any more
 *
 * #syscalls:passt sendto
 */
static bool tap_pend_flush(const struct ctx *c)
{
	while (tap_pend_off < tap_pend_len) {
		ssize_t w = send(c->fd_tap, tap_pend + tap_pend_off,
				 tap_pend_len - tap_pend_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN: wait for EPOLLOUT; errors: the read side
			 * sees the connection go
			 */
			return false;
		}
		tap_pend_off += (size_t)w;
	}

	if (tap_pend_len) {
		tap_pend_off = tap_pend_len = 0;
		tap_pend_set(c, false);
	}
	return true;
}

/**
 * tap_passt_finish() - Complete a frame cut by a short write
 * @c:		Execution context
 * @iov:	Buffers of the frame, with its length header
 * @cnt:	Number of buffers
 * @skip:	Bytes of the frame already written
 *
 * Waits a little for the socket, then keeps what's left of the frame to be
 * sent on EPOLLOUT, before anything else.
 *
 * Return: true if the frame is complete in the stream, or will be
 *
 * #syscalls:passt sendmsg poll ppoll clock_gettime
 */
static bool tap_passt_finish(const struct ctx *c, const struct iovec *iov,
			     size_t cnt, size_t skip)
{
	static struct iovec rem[IOV_MAX];
	struct timespec start, t;
	size_t i, n = 0, left = 0;

	for (i = 0; i < cnt; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		rem[n].iov_base = (uint8_t *)iov[i].iov_base + skip;
		rem[n].iov_len = iov[i].iov_len - skip;
		left += rem[n++].iov_len;
		skip = 0;
	}

	clock_gettime(CLOCK_MONOTONIC, &start);
	i = 0;
	while (i < n) {
		struct msghdr mh = { .msg_iov = rem + i,
				     .msg_iovlen = n - i };
		struct pollfd pfd = { .fd = c->fd_tap, .events = POLLOUT };
		long long ms;
		ssize_t w;

		w = sendmsg(c->fd_tap, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				return false;
			w = 0;
		}
		left -= (size_t)w;

		while (i < n && (size_t)w >= rem[i].iov_len)
			w -= (ssize_t)rem[i++].iov_len;
		if (i >= n)
			return true;
		rem[i].iov_base = (uint8_t *)rem[i].iov_base + w;
		rem[i].iov_len -= (size_t)w;

		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = TAP_FINISH_MS - timespec_diff_ms(&t, &start);
		if (ms <= 0)
			break;
		poll(&pfd, 1, (int)ms);
	}

	/* Still stuck (guest paused?): keep the rest for EPOLLOUT */
	if (left > sizeof(tap_pend))
		return false;

	tap_pend_off = 0;
	tap_pend_len = 0;
	for (; i < n; i++) {
		memcpy(tap_pend + tap_pend_len, rem[i].iov_base,
		       rem[i].iov_len);
		tap_pend_len += rem[i].iov_len;
	}
	tap_pend_set(c, true);
	return true;
}

/**
 * tap_send_frames_passt() - Send frames on the qemu socket
 * @c:		Execution context
 * @iov:	Frames, @bpf buffers each
 * @bpf:	Buffers per frame
 * @nframes:	Number of frames
 *
 * Return: number of frames sent entirely
 *
 * #syscalls:passt sendmsg shutdown
 */
static size_t tap_send_frames_passt(const struct ctx *c,
				    const struct iovec *iov, size_t bpf,
				    size_t nframes)
{
	static const uint8_t pad[ETH_ZLEN];
	size_t sent = 0;

	/* Per frame: length, @bpf buffers, padding (often empty) */
	if (bpf + 2 > IOV_MAX)
		return 0;

	/* The rest of a cut frame goes first */
	if (tap_pend_len && !tap_pend_flush(c))
		return 0;

	while (sent < nframes) {
		size_t cnt = 0, nf = 0, done = 0, acc = 0, i, j;
		struct msghdr mh = { .msg_iov = tap_iov };
		ssize_t w;

		for (i = sent; i < nframes && cnt + 2 + bpf <= IOV_MAX; i++) {
			const struct iovec *f = iov + i * bpf;
			size_t len = 0, plen = 0;

			for (j = 0; j < bpf; j++) {
				len += f[j].iov_len;
				tap_iov[cnt + 1 + j] = f[j];
			}

			/* Some guest NICs drop runts: pad to Ethernet's least */
			if (len < ETH_ZLEN)
				plen = ETH_ZLEN - len;
			tap_iov[cnt + 1 + bpf].iov_base = (void *)pad;
			tap_iov[cnt + 1 + bpf].iov_len = plen;

			tap_len_hdr[nf] = htonl((uint32_t)(len + plen));
			tap_iov[cnt].iov_base = &tap_len_hdr[nf];
			tap_iov[cnt].iov_len = TAP_HDR_LEN;
			tap_frame_bytes[nf++] = TAP_HDR_LEN + len + plen;
			cnt += 2 + bpf;
		}

		mh.msg_iovlen = cnt;
		do
			w = sendmsg(c->fd_tap, &mh,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
		while (w < 0 && errno == EINTR);

		if (w < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				debug("tap: write to guest failed: %s",
				      strerror(errno));
			break;
		}

		while (done < nf && acc + tap_frame_bytes[done] <= (size_t)w)
			acc += tap_frame_bytes[done++];

		if (acc < (size_t)w) {
			/* Cut in the middle of frame @done: finish it, or
			 * the stream is broken and the guest must reconnect
			 */
			if (!tap_passt_finish(c, tap_iov + done * (bpf + 2),
					      bpf + 2, (size_t)w - acc)) {
				warn("tap: can't complete frame to guest, "
				     "resetting connection");
				shutdown(c->fd_tap, SHUT_RDWR);
				sent += done;
				break;
			}
			done++;

			/* Part of it may still wait for EPOLLOUT */
			if (tap_pend_len) {
				sent += done;
				break;
			}
		}

		sent += done;
		if (done < nf)
			break;
	}

	return sent;
}

/**
 * tap_vnet_hdr() - Fill the virtio_net_hdr for a frame to the tap device or,
 *		    in host order, to a vhost-user guest
 * @h:		Header to fill
 * @gso:	Segmentation of the frame or its partial checksum, NULL for none
 */
void tap_vnet_hdr(struct virtio_net_hdr *h, const struct tap_gso *gso)
{
	memset(h, 0, sizeof(*h));
	if (!gso || (!gso->size && !gso->csum))
		return;

	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->hdr_len = gso->hlen;
	h->csum_start = gso->l4off;
	if (!gso->size) {
		h->csum_offset = offsetof(struct tcphdr, check);
		return;
	}

	h->gso_size = gso->size;
	if (gso->udp) {
		h->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
		h->csum_offset = offsetof(struct udphdr, check);
	} else {
		h->gso_type = gso->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
					VIRTIO_NET_HDR_GSO_TCPV4;
		h->csum_offset = offsetof(struct tcphdr, check);
	}
}

/**
 * tap_send_frames_pasta() - Write frames to the tap device
 * @c:		Execution context
 * @iov:	Frames, @bpf buffers each
 * @bpf:	Buffers per frame
 * @nframes:	Number of frames
 * @gso:	Segmentation of each frame, NULL for none
 *
 * Return: number of frames sent
 *
 * #syscalls:pasta writev
 */
static size_t tap_send_frames_pasta(const struct ctx *c,
				    const struct iovec *iov, size_t bpf,
				    size_t nframes, const struct tap_gso *gso)
{
	struct virtio_net_hdr vh;
	size_t i;

	/* The header goes in front of each frame, as its own buffer */
	if (tap_vnet_len && bpf + 1 > ARRAY_SIZE(tap_iov))
		return 0;

	for (i = 0; i < nframes; i++) {
		const struct iovec *f = iov + i * bpf;
		size_t cnt = bpf;
		ssize_t w;

		if (tap_vnet_len) {
			tap_vnet_hdr(&vh, gso ? gso + i : NULL);
			tap_iov[0].iov_base = &vh;
			tap_iov[0].iov_len = tap_vnet_len;
			memcpy(tap_iov + 1, f, bpf * sizeof(*f));
			f = tap_iov;
			cnt++;
		}

		do
			w = writev(c->fd_tap, f, (int)cnt);
		while (w < 0 && errno == EINTR);

		if (w < 0) {
			/* Segmentation refused: the rest is dropped, and
			 * TCP sends it again without
			 */
			if (errno == EINVAL && gso && gso[i].size &&
			    gso[i].udp) {
				warn("tap: kernel refused a UDP frame to be "
				     "segmented, no UDP segmentation offload");
				tap_uso_off = true;
			} else if (errno == EINVAL && gso && gso[i].size) {
				warn("tap: kernel refused a TCP frame to be "
				     "segmented, no segmentation offload");
				tap_gso_off = true;
			} else if (errno == EINVAL && gso && gso[i].csum) {
				warn("tap: kernel refused a partial checksum, "
				     "no checksum offload");
				tap_csum_off = true;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				debug("tap: write to tap device failed: %s",
				      strerror(errno));
			}
			break;
		}
	}

	return i;
}

/**
 * tap_send_frames() - Send frames to the guest, in a batch
 * @c:		Execution context
 * @iov:	Frames, @bufs_per_frame buffers each, starting at the
 *		Ethernet header (no length header: tap_send_frames() adds it)
 * @bufs_per_frame: Number of buffers per frame
 * @nframes:	Number of frames
 *
 * Return: number of frames sent entirely; the rest were dropped because
 *	   the guest side is full or gone
 */
size_t tap_send_frames(const struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes)
{
	return tap_send_frames_gso(c, iov, bufs_per_frame, nframes, NULL);
}

/**
 * tap_gso_ok() - Can frames to the guest be segmented by the kernel?
 * @c:		Execution context
 *
 * Return: true for pasta with a virtio_net_hdr on the tap device, and for
 *	   a vhost-user guest that takes TCP segmentation offload
 */
bool tap_gso_ok(const struct ctx *c)
{
	if (c->vhost_user)
		return c->fd_tap >= 0 && vu_gso_ok();
	return c->mode == MODE_PASTA && c->fd_tap >= 0 && tap_vnet_len &&
	       !tap_gso_off;
}

/**
 * tap_uso_ok() - Can UDP frames to the guest be segmented by the kernel?
 * @c:		Execution context
 *
 * Return: true for pasta with a virtio_net_hdr on the tap device, unless
 *	   the kernel refused a UDP frame to be segmented
 */
bool tap_uso_ok(const struct ctx *c)
{
	return c->mode == MODE_PASTA && c->fd_tap >= 0 && tap_vnet_len &&
	       !tap_uso_off;
}

/**
 * tap_csum_ok() - Can the guest complete TCP checksums of frames we send?
 * @c:		Execution context
 *
 * A receiving kernel takes a partial checksum as verified, so the pass over
 * the payload is saved twice: ours and the check. Not with a capture file,
 * which should show valid checksums for frames that aren't segmented.
 *
 * Return: true for pasta with a virtio_net_hdr on the tap device, and for
 *	   a vhost-user guest that took GUEST_CSUM, without capture
 */
bool tap_csum_ok(const struct ctx *c)
{
	if (*c->pcap || c->fd_tap < 0)
		return false;
	if (c->vhost_user)
		return vu_csum_ok();
	return c->mode == MODE_PASTA && tap_vnet_len && !tap_csum_off;
}

/**
 * tap_send_frames_gso() - Send frames to the guest, some of them to be
 *			   segmented by the kernel
 * @c:		Execution context
 * @iov:	Frames, @bufs_per_frame buffers each, from the Ethernet header
 * @bufs_per_frame: Number of buffers per frame
 * @nframes:	Number of frames
 * @gso:	Segmentation of each frame, NULL for none: must be NULL or
 *		all zero unless tap_gso_ok() (TCP) or tap_uso_ok() (UDP)
 *
 * Captured frames are the ones we write, without virtio_net_hdr: segmented
 * ones appear whole, with a partial TCP checksum, as with offloads on a host.
 *
 * Return: number of frames sent entirely, as tap_send_frames()
 */
size_t tap_send_frames_gso(const struct ctx *c, const struct iovec *iov,
			   size_t bufs_per_frame, size_t nframes,
			   const struct tap_gso *gso)
{
	size_t sent, i;

	if (!nframes || !bufs_per_frame || c->fd_tap < 0)
		return 0;

	for (i = 0; i < nframes * bufs_per_frame; i++)
		busy_poll_moved(iov[i].iov_len);

	if (c->mode == MODE_PASTA)
		sent = tap_send_frames_pasta(c, iov, bufs_per_frame, nframes,
					     gso);
	else if (c->vhost_user)
		sent = vu_send_frames(c, iov, bufs_per_frame, nframes, gso);
	else
		sent = tap_send_frames_passt(c, iov, bufs_per_frame, nframes);

	if (!c->vhost_user)	/* vu_room_end() captures what it publishes */
		pcap_frames_iov(iov, bufs_per_frame, sent);
	return sent;
}

/* Room and queue toward the guest, stream socket and tap: frames are built
 * in our arena or by the caller, and sent by tap_out_flush()
 */
static struct iovec tap_out_iov[TAP_OUT_MAX];
static struct tap_gso tap_out_gso[TAP_OUT_MAX];
static unsigned int tap_out_n;
static bool tap_out_has_gso;
static uint8_t tap_arena[TAP_ARENA_SIZE] __attribute__((aligned(64)));
static size_t tap_arena_used;

/* Header length and slot size (arena) of the room last handed out */
static size_t tap_room_hlen, tap_room_stride;

/**
 * tap_room() - Room for the next frames toward the guest
 * @c:		Execution context
 * @hlen:	Length of the headers of each frame, Ethernet to L4, at most
 *		TAP_HROOM
 * @plen:	Payload bytes of each frame, at most
 * @n:		Number of frames wanted
 * @s:		Room of each frame, set here, @n entries
 * @iov:	Payload buffers of the frames, set here, in order
 * @iovmax:	Entries of @iov we may use
 *
 * The frames must then be committed in order with tap_commit(), and the
 * room closed with tap_room_end(), before anything else goes to the guest.
 *
 * Return: number of frames there is room for: 0 with nothing queued by
 *	   the caller means no room until tap_room_again() (vhost-user)
 */
size_t tap_room(const struct ctx *c, size_t hlen, size_t plen, size_t n,
		struct tap_slot *s, struct iovec *iov, size_t iovmax)
{
	size_t stride, i;
	uint8_t *base;

	if (c->fd_tap < 0 || hlen > TAP_HROOM)
		return 0;
	tap_room_hlen = hlen;
	if (c->vhost_user)
		return vu_room(c, hlen, plen, n, s, iov, iovmax);

	stride = ROUND_UP(TAP_HROOM + plen, 64);
	n = MIN(n, (TAP_ARENA_SIZE - tap_arena_used) / stride);
	n = MIN(n, (size_t)(TAP_OUT_MAX - tap_out_n));
	if (plen)
		n = MIN(n, iovmax);

	base = tap_arena + tap_arena_used;
	for (i = 0; i < n; i++) {
		s[i].hdr = base + i * stride + TAP_HROOM;
		s[i].iov = (unsigned int)i;
		s[i].niov = !!plen;
		if (plen) {
			iov[i].iov_base = s[i].hdr;
			iov[i].iov_len = plen;
		}
	}
	tap_room_stride = stride;
	return n;
}

/**
 * tap_commit() - The next frame of the room is complete
 * @c:		Execution context
 * @s:		Its room, from tap_room()
 * @iov:	Payload buffers given by tap_room()
 * @dlen:	Payload bytes written: all of the room but for the last frame
 *		committed
 * @gso:	Segmentation of the frame, NULL for none
 */
void tap_commit(const struct ctx *c, const struct tap_slot *s,
		const struct iovec *iov, size_t dlen,
		const struct tap_gso *gso)
{
	struct iovec *o = &tap_out_iov[tap_out_n];

	if (c->vhost_user) {
		/* Others are counted as tap_out_flush() sends them */
		busy_poll_moved(dlen);
		vu_commit(s, iov, dlen, gso);
		return;
	}

	o->iov_base = s->hdr - tap_room_hlen;
	o->iov_len = tap_room_hlen + dlen;
	if (gso && (gso->size || gso->csum)) {
		tap_out_gso[tap_out_n] = *gso;
		tap_out_has_gso = true;
	} else {
		tap_out_gso[tap_out_n] = (struct tap_gso){ 0 };
	}
	tap_out_n++;
	tap_arena_used += tap_room_stride;
}

/**
 * tap_room_end() - Close the room: frames not committed are given back
 * @c:		Execution context
 */
void tap_room_end(const struct ctx *c)
{
	if (c->vhost_user)
		vu_room_end(c);
}

/**
 * tap_queue() - Queue a small frame built by the caller, after the ones
 *		 committed so far
 * @c:		Execution context
 * @frame:	Frame, from the Ethernet header: must stay as it is until
 *		tap_out_flush() (vhost-user copies it right away)
 * @len:	Length, at most TAP_HROOM
 *
 * Return: false if there's no room for it: not queued
 */
bool tap_queue(const struct ctx *c, void *frame, size_t len)
{
	if (c->fd_tap < 0)
		return false;
	if (c->vhost_user)
		return vu_queue(c, frame, len);
	if (tap_out_n >= TAP_OUT_MAX)
		return false;

	tap_out_iov[tap_out_n].iov_base = frame;
	tap_out_iov[tap_out_n].iov_len = len;
	tap_out_gso[tap_out_n++] = (struct tap_gso){ 0 };
	return true;
}

/**
 * tap_out_flush() - Send the frames queued by tap_commit() and tap_queue()
 * @c:		Execution context
 *
 * Return: number of frames dropped, the last ones queued (full socket or
 *	   tap, guest gone): never any with vhost-user, which has them
 */
size_t tap_out_flush(const struct ctx *c)
{
	size_t n = tap_out_n, sent;

	if (c->vhost_user) {
		vu_flush();
		return 0;
	}
	if (!n)
		return 0;

	sent = tap_send_frames_gso(c, tap_out_iov, 1, n,
				   tap_out_has_gso ? tap_out_gso : NULL);
	tap_out_n = 0;
	tap_out_has_gso = false;
	tap_arena_used = 0;
	return n - sent;
}

/**
 * tap_room_again() - The guest has buffers again, after tap_room() found
 *		      none: resume who waits for them
 * @c:		Execution context
 * @now:	Current time
 */
void tap_room_again(struct ctx *c, const struct timespec *now)
{
	tcp_tap_room(c, now);
}

/**
 * tap_send_single() - Send one frame to the guest
 * @c:		Execution context
 * @frame:	Frame, starting at the Ethernet header
 * @len:	Length of @frame
 */
void tap_send_single(const struct ctx *c, const void *frame, size_t len)
{
	struct iovec iov = { .iov_base = (void *)frame, .iov_len = len };

	tap_send_frames(c, &iov, 1, 1);
}

/**
 * tap_l2_hdr() - Fill an Ethernet header towards the guest
 * @c:		Execution context
 * @buf:	Buffer, at least ETH_HLEN bytes, any alignment
 * @proto:	Ethertype, host order (ETH_P_IP, ETH_P_IPV6, ETH_P_ARP)
 *
 * Return: pointer to the byte after the header
 */
void *tap_l2_hdr(const struct ctx *c, void *buf, uint16_t proto)
{
	static const uint8_t zero[ETH_ALEN];
	struct ethhdr *eh = buf;	/* packed: any alignment */

	/* Broadcast until we know the guest's address */
	if (memcmp(c->guest_mac, zero, ETH_ALEN))
		memcpy(eh->h_dest, c->guest_mac, ETH_ALEN);
	else
		memset(eh->h_dest, 0xff, ETH_ALEN);

	memcpy(eh->h_source, c->our_tap_mac, ETH_ALEN);
	eh->h_proto = htons(proto);

	return eh + 1;
}

/**
 * tap_ip4_hdr() - Fill an IPv4 header (with checksum) for a packet to the
 *		   guest
 * @buf:	Buffer for the header, sizeof(struct iphdr), any alignment
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	L4 protocol number
 * @l4len:	Length of L4 header and payload
 *
 * Return: pointer to the byte after the header
 */
void *tap_ip4_hdr(void *buf, struct in_addr src, struct in_addr dst,
		  uint8_t proto, size_t l4len)
{
	/* Built aside and copied: callers' buffers may be unaligned, and the
	 * compiler turns the copy into a few stores
	 */
	struct iphdr iph = {
		.version	= IPVERSION,
		.ihl		= sizeof(iph) / 4,
		.tot_len	= htons((uint16_t)(sizeof(iph) + l4len)),
		.frag_off	= htons(IP_DF),	/* so no identification */
		.ttl		= IPDEFTTL,
		.protocol	= proto,
		.saddr		= src.s_addr,
		.daddr		= dst.s_addr,
	};

	iph.check = csum_ip4_header(&iph, sizeof(iph));
	memcpy(buf, &iph, sizeof(iph));

	return (uint8_t *)buf + sizeof(iph);
}

/**
 * tap_ip6_hdr() - Fill an IPv6 header for a packet to the guest
 * @buf:	Buffer for the header, sizeof(struct ip6_hdr), any alignment
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	L4 protocol number
 * @l4len:	Length of L4 header and payload
 * @flow:	Flow label (20 bits, non-zero for flows)
 *
 * Return: pointer to the byte after the header
 */
void *tap_ip6_hdr(void *buf, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t proto, size_t l4len,
		  uint32_t flow)
{
	struct ip6_hdr ip6h = {
		.ip6_flow	= tap_ip6_flow(flow),
		.ip6_plen	= htons((uint16_t)l4len),
		.ip6_nxt	= proto,
		.ip6_hlim	= TAP_HOP_LIMIT,
		.ip6_src	= *src,
		.ip6_dst	= *dst,
	};

	memcpy(buf, &ip6h, sizeof(ip6h));

	return (uint8_t *)buf + sizeof(ip6h);
}

/**
 * tap_tmpl_init() - Fill the header template of a flow's packets
 * @t:		Template
 * @v6:		IPv6, else IPv4 (@src and @dst are v4-mapped)
 * @src:	Source address: ours, as the guest sees it
 * @dst:	Destination address: the guest's
 * @proto:	L4 protocol number
 * @flow:	IPv6 flow label
 */
void tap_tmpl_init(struct tap_hdr_tmpl *t, bool v6,
		   const union inany_addr *src, const union inany_addr *dst,
		   uint8_t proto, uint32_t flow)
{
	memset(t, 0, sizeof(*t));
	t->v6 = v6;
	if (v6) {
		tap_ip6_hdr(&t->ip6, &src->a6, &dst->a6, proto, 0, flow);
		t->psum = csum_pseudo6(0, proto, &src->a6, &dst->a6);
		return;
	}

	tap_ip4_hdr(&t->ip4, *inany_v4(src), *inany_v4(dst), proto, 0);
	t->ip4.tot_len = t->ip4.check = 0;
	t->hsum = csum_unfolded(&t->ip4, sizeof(t->ip4), 0);
	t->psum = csum_pseudo4(0, proto, *inany_v4(src), *inany_v4(dst));
}

/**
 * tap_tmpl_l2l3() - Ethernet and IP headers of a flow's packet, from its
 *		     template
 * @c:		Execution context
 * @t:		Template, from tap_tmpl_init()
 * @l4:		L4 header, with room for the headers in front of it (any
 *		alignment)
 * @l4len:	Length of L4 header and payload, at most 65535 minus the IP
 *		header
 * @psum:	Set to the pseudo-header sum, for the L4 checksum
 *
 * Return: start of the frame (Ethernet header)
 */
uint8_t *tap_tmpl_l2l3(const struct ctx *c, const struct tap_hdr_tmpl *t,
		       uint8_t *l4, size_t l4len, uint32_t *psum)
{
	uint8_t *l3;

	if (t->v6) {
		struct ip6_hdr h = t->ip6;

		h.ip6_plen = htons((uint16_t)l4len);
		l3 = l4 - sizeof(h);
		memcpy(l3, &h, sizeof(h));
	} else {
		struct iphdr h = t->ip4;
		uint16_t tot = (uint16_t)(sizeof(h) + l4len);

		h.tot_len = htons(tot);
		h.check = csum_fold(t->hsum + tot);
		l3 = l4 - sizeof(h);
		memcpy(l3, &h, sizeof(h));
	}

	*psum = t->psum + (uint32_t)l4len;
	tap_l2_hdr(c, l3 - ETH_HLEN, t->v6 ? ETH_P_IPV6 : ETH_P_IP);
	return l3 - ETH_HLEN;
}

/**
 * tap_udp_hdr() - Fill a UDP header, with the checksum of a datagram
 * @buf:	Buffer for the header, sizeof(struct udphdr), any alignment
 * @sport:	Source port, host order
 * @dport:	Destination port, host order
 * @payload:	UDP payload, right after the header in the frame or not
 * @len:	Length of @payload
 * @psum:	Partial sum of the IPv4 or IPv6 pseudo-header (csum_pseudo4()
 *		or csum_pseudo6(), for sizeof(struct udphdr) + @len bytes)
 *
 * Return: pointer to the byte after the header
 */
void *tap_udp_hdr(void *buf, uint16_t sport, uint16_t dport,
		  const void *payload, size_t len, uint32_t psum)
{
	struct udphdr uh = {
		.source	= htons(sport),
		.dest	= htons(dport),
		.len	= htons((uint16_t)(sizeof(uh) + len)),
	};

	uh.check = csum(payload, len, csum_unfolded(&uh, sizeof(uh), psum));
	/* A zero checksum means "none" (RFC 768): send it as all ones */
	if (!uh.check)
		uh.check = 0xffff;

	memcpy(buf, &uh, sizeof(uh));

	return (uint8_t *)buf + sizeof(uh);
}

/**
 * tap_send_hdr_data() - Send one frame made of built headers and a payload
 * @c:		Execution context
 * @hdr:	Headers, from the Ethernet one
 * @hlen:	Length of @hdr
 * @data:	Payload, sent as it is
 * @len:	Length of @data
 */
static void tap_send_hdr_data(const struct ctx *c, void *hdr, size_t hlen,
			      const void *data, size_t len)
{
	struct iovec iov[2] = {
		{ .iov_base = hdr, .iov_len = hlen },
		{ .iov_base = (void *)data, .iov_len = len },
	};

	tap_send_frames(c, iov, 2, 1);
}

/**
 * tap_ip4_send() - Send an IPv4 packet with a complete L4 part to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	L4 protocol number
 * @l4:		L4 header and payload, checksum already set
 * @l4len:	Length of @l4
 */
static void tap_ip4_send(const struct ctx *c, struct in_addr src,
			 struct in_addr dst, uint8_t proto, const void *l4,
			 size_t l4len)
{
	static uint8_t hdr[ETH_HLEN + sizeof(struct iphdr)];

	if (l4len > IP_MAXPACKET - sizeof(struct iphdr))
		return;

	tap_ip4_hdr(tap_l2_hdr(c, hdr, ETH_P_IP), src, dst, proto, l4len);

	tap_send_hdr_data(c, hdr, sizeof(hdr), l4, l4len);
}

/**
 * tap_ip6_send() - Send an IPv6 packet with a complete L4 part to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	L4 protocol number
 * @l4:		L4 header and payload, checksum already set
 * @l4len:	Length of @l4
 * @flow:	Flow label
 */
static void tap_ip6_send(const struct ctx *c, const struct in6_addr *src,
			 const struct in6_addr *dst, uint8_t proto,
			 const void *l4, size_t l4len, uint32_t flow)
{
	static uint8_t hdr[ETH_HLEN + sizeof(struct ip6_hdr)];

	if (l4len > UINT16_MAX)
		return;

	tap_ip6_hdr(tap_l2_hdr(c, hdr, ETH_P_IPV6), src, dst, proto, l4len,
		    flow);

	tap_send_hdr_data(c, hdr, sizeof(hdr), l4, l4len);
}

/**
 * tap_udp4_hdrs() - Fill Ethernet, IPv4 and UDP headers for a datagram
 * @c:		Execution context
 * @buf:	Buffer, at least TAP_UDP4_HDRS_LEN bytes, any alignment
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @payload:	UDP payload, for the checksum
 * @len:	Length of @payload
 *
 * Return: length of the headers, 0 if the datagram can't fit a packet
 */
static size_t tap_udp4_hdrs(const struct ctx *c, void *buf,
			    struct in_addr src, uint16_t sport,
			    struct in_addr dst, uint16_t dport,
			    const void *payload, size_t len)
{
	size_t l4len = sizeof(struct udphdr) + len;
	uint8_t *p;

	if (l4len > IP_MAXPACKET - sizeof(struct iphdr))
		return 0;

	p = tap_l2_hdr(c, buf, ETH_P_IP);
	p = tap_ip4_hdr(p, src, dst, IPPROTO_UDP, l4len);
	p = tap_udp_hdr(p, sport, dport, payload, len,
			csum_pseudo4((uint16_t)l4len, IPPROTO_UDP, src, dst));

	return (size_t)(p - (uint8_t *)buf);
}

/**
 * tap_udp6_hdrs() - Fill Ethernet, IPv6 and UDP headers for a datagram
 * @c:		Execution context
 * @buf:	Buffer, at least TAP_UDP6_HDRS_LEN bytes, any alignment
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @flow:	Flow label
 * @payload:	UDP payload, for the checksum
 * @len:	Length of @payload
 *
 * Return: length of the headers, 0 if the datagram can't fit a packet
 */
static size_t tap_udp6_hdrs(const struct ctx *c, void *buf,
			    const struct in6_addr *src, uint16_t sport,
			    const struct in6_addr *dst, uint16_t dport,
			    uint32_t flow, const void *payload, size_t len)
{
	size_t l4len = sizeof(struct udphdr) + len;
	uint8_t *p;

	if (l4len > UINT16_MAX)
		return 0;

	p = tap_l2_hdr(c, buf, ETH_P_IPV6);
	p = tap_ip6_hdr(p, src, dst, IPPROTO_UDP, l4len, flow);
	p = tap_udp_hdr(p, sport, dport, payload, len,
			csum_pseudo6((uint32_t)l4len, IPPROTO_UDP, src, dst));

	return (size_t)(p - (uint8_t *)buf);
}

/**
 * tap_udp4_send() - Send a UDP datagram over IPv4 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @payload:	UDP payload (the header is built here)
 * @len:	Length of @payload
 */
void tap_udp4_send(const struct ctx *c, struct in_addr src, uint16_t sport,
		   struct in_addr dst, uint16_t dport, const void *payload,
		   size_t len)
{
	static uint8_t hdr[TAP_UDP4_HDRS_LEN];
	size_t hlen;

	hlen = tap_udp4_hdrs(c, hdr, src, sport, dst, dport, payload, len);
	if (hlen)
		tap_send_hdr_data(c, hdr, hlen, payload, len);
}

/**
 * tap_udp6_send() - Send a UDP datagram over IPv6 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @flow:	Flow label
 * @payload:	UDP payload (the header is built here)
 * @len:	Length of @payload
 */
void tap_udp6_send(const struct ctx *c, const struct in6_addr *src,
		   uint16_t sport, const struct in6_addr *dst, uint16_t dport,
		   uint32_t flow, const void *payload, size_t len)
{
	static uint8_t hdr[TAP_UDP6_HDRS_LEN];
	size_t hlen;

	hlen = tap_udp6_hdrs(c, hdr, src, sport, dst, dport, flow, payload,
			     len);
	if (hlen)
		tap_send_hdr_data(c, hdr, hlen, payload, len);
}

/**
 * tap_icmp4_send() - Send an ICMP message over IPv4 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @icmp:	ICMP header and body: the checksum is computed here
 * @len:	Length of @icmp
 */
void tap_icmp4_send(const struct ctx *c, struct in_addr src,
		    struct in_addr dst, void *icmp, size_t len)
{
	const size_t off = offsetof(struct icmphdr, checksum);
	uint8_t *p = icmp;
	uint16_t sum = 0;

	if (len < sizeof(struct icmphdr))
		return;

	/* Through memcpy(): @icmp may sit at any alignment */
	memcpy(p + off, &sum, sizeof(sum));
	sum = csum(p, len, 0);
	memcpy(p + off, &sum, sizeof(sum));

	tap_ip4_send(c, src, dst, IPPROTO_ICMP, icmp, len);
}

/**
 * tap_icmp6_send() - Send an ICMPv6 message to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @icmp6:	ICMPv6 header and body: the checksum is computed here
 * @len:	Length of @icmp6
 */
void tap_icmp6_send(const struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, void *icmp6, size_t len)
{
	const size_t off = offsetof(struct icmp6_hdr, icmp6_cksum);
	uint8_t *p = icmp6;
	uint16_t sum = 0;

	if (len < sizeof(struct icmp6_hdr))
		return;

	/* Through memcpy(): @icmp6 may sit at any alignment */
	memcpy(p + off, &sum, sizeof(sum));
	sum = csum(p, len, csum_pseudo6((uint32_t)len, IPPROTO_ICMPV6,
					src, dst));
	memcpy(p + off, &sum, sizeof(sum));

	tap_ip6_send(c, src, dst, IPPROTO_ICMPV6, icmp6, len,
		     tap_flow_label());
}

/**
 * tap_ip4_daddr() - Address of the guest for IPv4 packets we send
 * @c:		Execution context
 *
 * Return: the address the guest last used, or the assigned one
 */
struct in_addr tap_ip4_daddr(const struct ctx *c)
{
	if (c->ip4.addr_seen.s_addr != htonl(INADDR_ANY))
		return c->ip4.addr_seen;
	return c->ip4.addr;
}

/**
 * tap_ip6_daddr() - Address of the guest for IPv6 packets we send
 * @c:		Execution context
 * @src:	Source address we use: link-local sources get the guest's
 *		link-local address
 *
 * Return: pointer to the guest's address
 */
const struct in6_addr *tap_ip6_daddr(const struct ctx *c,
				     const struct in6_addr *src)
{
	if (src && IN6_IS_ADDR_LINKLOCAL(src) &&
	    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_ll_seen))
		return &c->ip6.addr_ll_seen;

	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_seen))
		return &c->ip6.addr_seen;

	return &c->ip6.addr;
}

/**
 * tap_flow_label() - New random, non-zero IPv6 flow label
 *
 * Return: 20-bit flow label
 */
uint32_t tap_flow_label(void)
{
	/* Random bits fetched in bulk: no syscall per flow */
	static uint32_t pool[256];
	static size_t left;
	uint32_t label;

	do {
		if (!left) {
			random_bytes(pool, sizeof(pool));
			left = ARRAY_SIZE(pool);
		}
		label = pool[--left] & IP6_FLOW_LABEL_MASK;
	} while (!label);

	return label;
}
