/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * tap.h - Guest-facing side: frames from and to qemu's socket or the tap
 */

#ifndef TAP_H
#define TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/uio.h>

#include "passt.h"

#define ETH_HLEN_	14

/**
 * struct tap_l4_pkt - One L4 packet of a batch from the guest
 * @l4:		L4 header and payload, inside the frame buffer: valid only
 *		during the handler call, and at any alignment (passt stream)
 * @len:	Length of @l4 as given by the IP header, already checked to
 *		be within the frame; for UDP, the UDP length (checked to be at
 *		least 8 and within the IP payload). TCP: at least 20 bytes,
 *		data offset not checked
 */
struct tap_l4_pkt {
	const uint8_t *l4;
	size_t len;
};

/* Largest number of packets handed to an L4 handler at once */
#define TAP_BATCH_MAX	256

/**
 * tap_sock_init() - Set up the guest side: listening socket, passed fd, or
 *		     (pasta) the tap device in the namespace
 * @c:		Execution context
 *
 * Exits on failure.
 */
void tap_sock_init(struct ctx *c);

/**
 * tap_handler() - Handle events on the tap-side file descriptors
 * @c:		Execution context
 * @ref:	epoll reference (TAP_LISTEN, TAP_PASST, TAP_PASTA)
 * @events:	epoll events
 * @now:	Current time
 */
void tap_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		 const struct timespec *now);

/**
 * tap_is_ready() - Is there a guest attached to send frames to?
 * @c:		Execution context
 *
 * Return: true if frames can be sent
 */
bool tap_is_ready(const struct ctx *c);

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
		       size_t bufs_per_frame, size_t nframes);

/**
 * struct tap_gso - Segmentation of a TCP frame by the kernel (pasta)
 * @size:	Payload bytes per segment (the connection's MSS, options
 *		accounted for), 0 for a frame that goes as it is
 * @l4off:	Offset of the TCP header from the start of the frame
 * @hlen:	Length of all headers: Ethernet, IP, TCP with options
 * @v6:		IPv6 (else IPv4)
 *
 * With @size set, the TCP checksum field holds the folded, not complemented,
 * pseudo-header sum (L4 length of the whole frame), and IP lengths cover the
 * whole frame: the kernel completes checksums and cuts the payload into
 * segments of @size bytes (the last one may be shorter), copying headers
 * and TCP options into each.
 */
struct tap_gso {
	uint16_t size;
	uint16_t l4off;
	uint16_t hlen;
	bool v6;
};

/**
 * tap_gso_ok() - Can frames to the guest be segmented by the kernel?
 * @c:		Execution context
 *
 * Return: true for pasta with a virtio_net_hdr on the tap device
 */
bool tap_gso_ok(const struct ctx *c);

/**
 * tap_send_frames_gso() - Send frames to the guest, some of them to be
 *			   segmented by the kernel
 * @c:		Execution context
 * @iov:	Frames, @bufs_per_frame buffers each, from the Ethernet header
 * @bufs_per_frame: Number of buffers per frame
 * @nframes:	Number of frames
 * @gso:	Segmentation of each frame, NULL for none: must be NULL or
 *		all zero unless tap_gso_ok()
 *
 * Return: number of frames sent entirely, as tap_send_frames()
 */
size_t tap_send_frames_gso(const struct ctx *c, const struct iovec *iov,
			   size_t bufs_per_frame, size_t nframes,
			   const struct tap_gso *gso);

/**
 * tap_send_single() - Send one frame to the guest
 * @c:		Execution context
 * @frame:	Frame, starting at the Ethernet header
 * @len:	Length of @frame
 */
void tap_send_single(const struct ctx *c, const void *frame, size_t len);

/**
 * tap_l2_hdr() - Fill an Ethernet header towards the guest
 * @c:		Execution context
 * @buf:	Buffer, at least ETH_HLEN_ bytes
 * @proto:	Ethertype, host order (ETH_P_IP, ETH_P_IPV6, ETH_P_ARP)
 *
 * Return: pointer to the byte after the header
 */
void *tap_l2_hdr(const struct ctx *c, void *buf, uint16_t proto);

/**
 * tap_ip4_hdr() - Fill an IPv4 header (with checksum) for a packet to the
 *		   guest
 * @buf:	Buffer for the header, 20 bytes
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	L4 protocol number
 * @l4len:	Length of L4 header and payload
 *
 * Return: pointer to the byte after the header
 */
void *tap_ip4_hdr(void *buf, struct in_addr src, struct in_addr dst,
		  uint8_t proto, size_t l4len);

/**
 * tap_ip6_hdr() - Fill an IPv6 header for a packet to the guest
 * @buf:	Buffer for the header, 40 bytes
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
		  uint32_t flow);

/**
 * tap_ip4_send() - Send an IPv4 packet with a complete L4 part to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @proto:	L4 protocol number
 * @l4:		L4 header and payload, checksum already set
 * @l4len:	Length of @l4
 */
void tap_ip4_send(const struct ctx *c, struct in_addr src, struct in_addr dst,
		  uint8_t proto, const void *l4, size_t l4len);

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
void tap_ip6_send(const struct ctx *c, const struct in6_addr *src,
		  const struct in6_addr *dst, uint8_t proto, const void *l4,
		  size_t l4len, uint32_t flow);

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
		   size_t len);

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
		   uint32_t flow, const void *payload, size_t len);

/**
 * tap_icmp4_send() - Send an ICMP message over IPv4 to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @icmp:	ICMP header and body: the checksum is computed here
 * @len:	Length of @icmp
 */
void tap_icmp4_send(const struct ctx *c, struct in_addr src,
		    struct in_addr dst, void *icmp, size_t len);

/**
 * tap_icmp6_send() - Send an ICMPv6 message to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @icmp6:	ICMPv6 header and body: the checksum is computed here
 * @len:	Length of @icmp6
 */
void tap_icmp6_send(const struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, void *icmp6, size_t len);

/**
 * tap_ip4_daddr() - Address of the guest for IPv4 packets we send
 * @c:		Execution context
 *
 * Return: the address the guest last used, or the assigned one
 */
struct in_addr tap_ip4_daddr(const struct ctx *c);

/**
 * tap_ip6_daddr() - Address of the guest for IPv6 packets we send
 * @c:		Execution context
 * @src:	Source address we use: link-local sources get the guest's
 *		link-local address
 *
 * Return: pointer to the guest's address
 */
const struct in6_addr *tap_ip6_daddr(const struct ctx *c,
				     const struct in6_addr *src);

/**
 * tap_flow_label() - New random, non-zero IPv6 flow label
 *
 * Return: 20-bit flow label
 */
uint32_t tap_flow_label(void);

#endif /* TAP_H */
