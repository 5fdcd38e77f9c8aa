/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * tap.h - Guest-facing side: frames from and to qemu's socket or the tap
 */

#ifndef TAP_H
#define TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <sys/uio.h>
#include <linux/if_ether.h>
#include <linux/virtio_net.h>

#include "passt.h"

/* IPv6 header: version, in the top bits of ip6_flow, and flow label mask */
#define IP6_VERSION		6
#define IP6_FLOW_LABEL_MASK	0x000fffffU

/**
 * tap_ip6_flow() - ip6_flow field of an IPv6 header: version, flow label
 * @label:	Flow label, host order (bits above the label are ignored)
 *
 * Return: field value, network order, traffic class zero
 */
static inline uint32_t tap_ip6_flow(uint32_t label)
{
	return htonl((uint32_t)IP6_VERSION << 28 |
		     (label & IP6_FLOW_LABEL_MASK));
}

/**
 * struct tap_hdr_tmpl - IP header of a flow's packets to the guest, filled
 *			 once per flow: only lengths and checksums change
 * @ip4:	IPv4 header, tot_len and check zero
 * @ip6:	IPv6 header, ip6_plen zero
 * @psum:	Pseudo-header sum of addresses and protocol, no length
 * @hsum:	IPv4: sum of the header without tot_len and check
 * @v6:		IPv6 (@ip6), else IPv4 (@ip4)
 */
struct tap_hdr_tmpl {
	union {
		struct iphdr ip4;
		struct ip6_hdr ip6;
	};
	uint32_t psum;
	uint32_t hsum;
	bool v6;
};

/* IPv6 links carry packets of at least 1280 bytes (RFC 8200, 5) */
#define IPV6_MIN_MTU		1280

/* Ethernet, IP and UDP headers of a datagram to the guest, built in one go */
#define TAP_UDP4_HDRS_LEN	(ETH_HLEN + sizeof(struct iphdr) +	\
				 sizeof(struct udphdr))
#define TAP_UDP6_HDRS_LEN	(ETH_HLEN + sizeof(struct ip6_hdr) +	\
				 sizeof(struct udphdr))

/**
 * struct tap_l4_pkt - One L4 packet of a batch from the guest
 * @l4:		L4 header (with @niov 0, also the payload), in our memory:
 *		the frame buffer, or the copy of a vhost-user frame's
 *		headers. Valid only during the handler call, and at any
 *		alignment (passt stream)
 * @len:	Length of the L4 packet as given by the IP header, already
 *		checked to be within the frame; for UDP, the UDP length
 *		(checked to be at least a UDP header and within the IP
 *		payload). TCP: at least a TCP header without options, data
 *		offset not checked unless @niov is set
 * @gso:	UDP (pasta): the payload is a run of datagrams of @gso bytes
 *		each, the last one possibly shorter, sent by the namespace
 *		as one frame (UDP segmentation offload: at most
 *		TAP_USO_SEGS_MAX of them, checked); 0 for one datagram
 * @niov:	0: the payload follows the header at @l4 (pasta, passt
 *		stream, small vhost-user frames). Else the number of pieces
 *		in @iov: the payload of a vhost-user frame left in guest
 *		memory, for the socket to read, never us (the guest may
 *		change it meanwhile). The header is then all at @l4 (TCP:
 *		data offset checked), the pieces hold the rest of @len;
 *		@gso is 0
 * @iov:	Payload pieces, with @niov set
 */
struct tap_l4_pkt {
	const uint8_t *l4;
	size_t len;
	uint16_t gso;
	uint16_t niov;
	const struct iovec *iov;
};

/* Most payload pieces of one batch of L4 packets (a packet without @iov
 * counts as one): what one sendmsg() takes (UIO_MAXIOV)
 */
#define TAP_IOV_MAX	1024

/* Most datagrams in one UDP frame from or to pasta's tap: the kernel's own
 * limit for UDP_SEGMENT (UDP_MAX_SEGMENTS)
 */
#define TAP_USO_SEGS_MAX	128

/* Largest number of packets handed to an L4 handler at once */
#define TAP_BATCH_MAX	256

/* Set-up, events, state of the guest connection */
void tap_sock_init(struct ctx *c);
void tap_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		 const struct timespec *now);
bool tap_is_ready(const struct ctx *c);

/* Frames from a vhost-user guest, with their virtio_net_hdr */
size_t tap_vu_frame(struct ctx *c, const struct virtio_net_hdr *h,
		    const struct iovec *iov, size_t niov, size_t len,
		    uint8_t *buf, const struct timespec *now);
void tap_vu_flush(struct ctx *c, const struct timespec *now);

/**
 * struct tap_gso - Segmentation of a TCP or UDP frame by the kernel (pasta)
 *		    or the guest (vhost-user), or only its checksum
 * @size:	Payload bytes per segment (TCP: the connection's MSS, options
 *		accounted for; UDP: the datagram size), 0 for a frame that
 *		goes as it is
 * @l4off:	Offset of the TCP or UDP header from the start of the frame
 * @hlen:	Length of all headers: Ethernet, IP, TCP with options or UDP
 * @v6:		IPv6 (else IPv4)
 * @udp:	UDP datagrams (tap_uso_ok() only), else TCP segments
 * @csum:	With @size 0: a TCP frame whose checksum is left to the
 *		receiver (tap_csum_ok() only)
 *
 * With @size or @csum set, the TCP or UDP checksum field holds the folded,
 * not complemented, pseudo-header sum (L4 length of the whole frame): the
 * receiver completes it. With @size set, the UDP length and IP lengths
 * cover the whole frame: the kernel cuts the payload into segments of @size
 * bytes (the last one may be shorter), copying headers and TCP options into
 * each, and completes their checksums.
 */
struct tap_gso {
	uint16_t size;
	uint16_t l4off;
	uint16_t hlen;
	bool v6;
	bool udp;
	bool csum;
};

/* Headroom for the headers (Ethernet to L4) of one frame in tap_room() */
#define TAP_HROOM	128

/* Frames of one tap_out_flush() batch (TCP), and their buffer arena: room
 * for eight 64 KiB frames (control frames are the caller's)
 */
#define TAP_OUT_MAX	1024
#define TAP_ARENA_SIZE	(8 * ROUND_UP(TAP_HROOM + 65535, 64))

/**
 * struct tap_slot - Room for one frame toward the guest, from tap_room()
 * @hdr:	End of the room for the headers: the caller writes them, the
 *		@hlen bytes given to tap_room(), right before it, any alignment
 * @iov:	Index of the first payload buffer in the caller's array
 * @niov:	Number of payload buffers: @plen bytes in all
 */
struct tap_slot {
	uint8_t *hdr;
	unsigned int iov;
	unsigned int niov;
};

/* Room toward the guest: its buffers, or ours, filled in place */
size_t tap_room(const struct ctx *c, size_t hlen, size_t plen, size_t n,
		struct tap_slot *s, struct iovec *iov, size_t iovmax);
void tap_commit(const struct ctx *c, const struct tap_slot *s,
		const struct iovec *iov, size_t dlen,
		const struct tap_gso *gso);
void tap_room_end(const struct ctx *c);
bool tap_queue(const struct ctx *c, void *frame, size_t len);
size_t tap_out_flush(const struct ctx *c);
void tap_room_again(struct ctx *c, const struct timespec *now);

/* Sending frames built by the caller */
size_t tap_send_frames(const struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes);
bool tap_gso_ok(const struct ctx *c);
bool tap_uso_ok(const struct ctx *c);
bool tap_csum_ok(const struct ctx *c);
void tap_vnet_hdr(struct virtio_net_hdr *h, const struct tap_gso *gso);
size_t tap_send_frames_gso(const struct ctx *c, const struct iovec *iov,
			   size_t bufs_per_frame, size_t nframes,
			   const struct tap_gso *gso);
void tap_send_single(const struct ctx *c, const void *frame, size_t len);

/* Header builders, for frames to the guest */
void *tap_l2_hdr(const struct ctx *c, void *buf, uint16_t proto);
void *tap_ip4_hdr(void *buf, struct in_addr src, struct in_addr dst,
		  uint8_t proto, size_t l4len);
void *tap_ip6_hdr(void *buf, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t proto, size_t l4len,
		  uint32_t flow);
void tap_tmpl_init(struct tap_hdr_tmpl *t, bool v6,
		   const union inany_addr *src, const union inany_addr *dst,
		   uint8_t proto, uint32_t flow);
uint8_t *tap_tmpl_l2l3(const struct ctx *c, const struct tap_hdr_tmpl *t,
		       uint8_t *l4, size_t l4len, uint32_t *psum);
void *tap_udp_hdr(void *buf, uint16_t sport, uint16_t dport,
		  const void *payload, size_t len, uint32_t psum);

/* Whole datagrams and messages to the guest: headers built here */
void tap_udp4_send(const struct ctx *c, struct in_addr src, uint16_t sport,
		   struct in_addr dst, uint16_t dport, const void *payload,
		   size_t len);
void tap_udp6_send(const struct ctx *c, const struct in6_addr *src,
		   uint16_t sport, const struct in6_addr *dst, uint16_t dport,
		   uint32_t flow, const void *payload, size_t len);
void tap_icmp4_send(const struct ctx *c, struct in_addr src,
		    struct in_addr dst, void *icmp, size_t len);
void tap_icmp6_send(const struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, void *icmp6, size_t len);

/* Guest addresses and flow labels for what we send */
struct in_addr tap_ip4_daddr(const struct ctx *c);
const struct in6_addr *tap_ip6_daddr(const struct ctx *c,
				     const struct in6_addr *src);
uint32_t tap_flow_label(void);

#endif /* TAP_H */
