/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vhost_user.h - vhost-user back-end: control messages, guest memory,
 *		  frames through the guest's virtqueues
 */

#ifndef VHOST_USER_H
#define VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/uio.h>
#include <linux/vhost_types.h>

#include "passt.h"
#include "virtio.h"

/* Message ids, from QEMU's docs/interop/vhost-user.rst (front-end ones) */
enum vu_request {
	VHOST_USER_NONE = 0,
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_LOG_BASE = 6,
	VHOST_USER_SET_LOG_FD = 7,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_SEND_RARP = 19,
};

/* Header flags: version 1 in the low bits, reply, reply wanted */
#define VHOST_USER_VERSION		0x1U
#define VHOST_USER_VERSION_MASK		0x3U
#define VHOST_USER_FLAG_REPLY		(1U << 2)
#define VHOST_USER_FLAG_NEED_REPLY	(1U << 3)

/* Feature and protocol feature bits not in the kernel's headers */
#define VHOST_USER_F_PROTOCOL_FEATURES	30
#define VHOST_USER_PROTOCOL_F_REPLY_ACK	3

/* SET_VRING_KICK, _CALL, _ERR payload: ring index, and "no descriptor" */
#define VHOST_USER_VRING_IDX_MASK	0xffULL
#define VHOST_USER_VRING_NOFD		(1ULL << 8)

/* File descriptors in one message, at most */
#define VHOST_USER_FDS_MAX		8

/* Largest payload we read: anything longer is a protocol error */
#define VHOST_USER_PAYLOAD_MAX		4096

/* Queues: one pair, RX (to the guest) first */
#define VU_RX		0
#define VU_TX		1
#define VU_QUEUES	2

/**
 * struct vu_hdr - Header of every vhost-user message
 * @request:	enum vu_request
 * @flags:	Version, VHOST_USER_FLAG_*
 * @size:	Bytes of payload following
 */
struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

/**
 * struct vu_mem_region_msg - One region of SET_MEM_TABLE
 * @gpa:	Guest physical address
 * @size:	Length
 * @uva:	Front-end's address
 * @offset:	Offset in the file descriptor
 */
struct vu_mem_region_msg {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t offset;
};

/**
 * struct vu_mem_msg - Payload of SET_MEM_TABLE
 * @nregions:	Number of regions
 * @padding:	Unused
 * @r:		Regions, one file descriptor each
 */
struct vu_mem_msg {
	uint32_t nregions;
	uint32_t padding;
	struct vu_mem_region_msg r[VU_REGIONS_MAX];
};

/**
 * union vu_payload - Payload of a vhost-user message
 * @u64:	Features, ring index and flags for eventfds, status
 * @state:	Ring index and number (size, base, enable)
 * @addr:	Ring addresses
 * @mem:	Memory table
 * @raw:	Anything, up to the size we accept
 */
union vu_payload {
	uint64_t u64;
	struct vhost_vring_state state;
	struct vhost_vring_addr addr;
	struct vu_mem_msg mem;
	uint8_t raw[VHOST_USER_PAYLOAD_MAX];
};

struct tap_gso;
struct tap_slot;

/* Connection and control messages */
void vu_connected(struct ctx *c);
int vu_cmd_input(struct ctx *c, const struct timespec *now);
int vu_msg_handle(struct ctx *c, const struct vu_hdr *h,
		  const union vu_payload *p, int *fds, size_t nfds,
		  struct vu_hdr *rh, union vu_payload *rp,
		  const struct timespec *now);
void vu_reset(struct ctx *c);
void vu_print_capabilities(void);

/* Data path */
int vu_kick(struct ctx *c, union epoll_ref ref, const struct timespec *now);
bool vu_ready(void);
bool vu_gso_ok(void);
bool vu_csum_ok(void);
size_t vu_send_frames(const struct ctx *c, const struct iovec *iov,
		      size_t bpf, size_t nframes, const struct tap_gso *gso);
size_t vu_room(const struct ctx *c, size_t hlen, size_t plen, size_t n,
	       struct tap_slot *s, struct iovec *iov, size_t iovmax);
void vu_commit(const struct tap_slot *s, const struct iovec *iov,
	       size_t dlen, const struct tap_gso *gso);
void vu_room_end(const struct ctx *c);
bool vu_queue(const struct ctx *c, const void *frame, size_t len);
void vu_flush(void);
void vu_rx_stats(unsigned long long *bytes, unsigned long long *copied);

#endif /* VHOST_USER_H */
