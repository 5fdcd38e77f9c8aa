// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vhost_user.c - vhost-user back-end: control messages, guest memory,
 *		  frames through the guest's virtqueues
 *
 * Written from the vhost-user specification (QEMU's
 * docs/interop/vhost-user.rst) and virtio 1.x. The front-end (QEMU) talks
 * to us on a UNIX stream socket, the one passt mode otherwise uses for
 * frames: messages with a 12-byte header and a payload, file descriptors
 * as SCM_RIGHTS. It hands us the guest's memory (one memfd per region,
 * mapped here), the rings of one RX/TX queue pair, and eventfds: the guest
 * kicks TX when it adds frames, we signal "call" when we used buffers.
 *
 * Guest to us: on a TX kick, each chain is a virtio_net_hdr and a frame.
 * The guest can write its memory at any time, and a header changing
 * between the check of a length and its use would take the parser outside
 * the frame: the parser in tap.c reads only its copy in our TX arena. Of
 * small frames, and of those whose payload we read (ARP, ICMP, NDP, DHCP),
 * that's the whole frame; of TCP segments and UDP datagrams, only the
 * headers: the payload goes from guest memory to the socket, as iovecs
 * (struct tap_l4_pkt), and the kernel's copy is the only one. A guest
 * changing that payload meanwhile only changes its own data. With its
 * header, checksum offload and TCP segmentation from the guest (CSUM,
 * HOST_TSO4/6) are checked and honoured as for pasta's tap device. Chains
 * go back to the guest once the parser flushed its batch, and the arena is
 * reused then.
 *
 * Us to guest: tap.c's room (tap_room()) is made of the guest's own RX
 * buffers here (vu_room()): each frame takes chains (several of them with
 * MRG_RXBUF: num_buffers) until they hold the virtio_net_hdr, headers and
 * payload; the caller writes headers (in the first buffer, or aside and
 * copied if it's too short) and payload in place: TCP peeks socket data
 * right into the guest's memory, one copy in all. Committed frames get
 * their used entries in order at vu_room_end(), chains left over go back
 * to the available ring (they are the last ones taken), and vu_flush()
 * publishes the entries with one call signal per batch, unless the guest
 * suppressed them. Other frames (tap_send_frames()) are copied into the
 * same room. TCP super-frames (struct tap_gso) go as GSO frames with a
 * partial checksum if the guest took GUEST_TSO4/6 and GUEST_CSUM, and
 * tap_gso_ok() says no otherwise, so that TCP builds MSS-sized frames. No
 * room: TCP waits (copied frames are dropped), and we ask the guest to
 * kick RX when it adds buffers: vu_kick() then calls tap_room_again().
 *
 * Notifications both ways follow EVENT_IDX if the front-end takes it: we
 * signal only when the used index passes the guest's used_event, and ask
 * for a kick by publishing avail_event (virtio.c), else the ring flags.
 *
 * A front-end breaking a ring (see virtio.c) or the protocol is dropped:
 * tap.c resets the connection, as for a stream socket going away.
 */

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <netinet/tcp.h>
#include <linux/if_ether.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <linux/vhost_types.h>

#include "passt.h"
#include "util.h"
#include "log.h"
#include "tap.h"
#include "virtio.h"
#include "vhost_user.h"
#include "pcap.h"

/* How long we wait for the rest of a message, once its header came */
#define VU_MSG_TIMEOUT_MS	1000

/* TX chains handled per batch, and the arena for what we copy of them */
#define VU_TX_BATCH		64
#define VU_TX_ARENA		(512 * 1024)

/* Frame bytes per batch: the guest gets its buffers back after each batch,
 * and the TCP stack of a Linux guest holds back data until its segments
 * in flight are freed (TCP small queues): smaller batches keep it going
 */
#define VU_TX_BATCH_BYTES	(512 * 1024)

/* Batches per kick: a guest refilling TX as fast as we go can't starve
 * everything else, we kick ourselves to come back
 */
#define VU_TX_ROUNDS		16

/* Features we offer: see the comment at the top */
#define VU_FEATURES	((1ULL << VIRTIO_F_VERSION_1) |			\
			 (1ULL << VIRTIO_NET_F_MRG_RXBUF) |		\
			 (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |	\
			 (1ULL << VIRTIO_NET_F_CSUM) |			\
			 (1ULL << VIRTIO_NET_F_GUEST_CSUM) |		\
			 (1ULL << VIRTIO_NET_F_HOST_TSO4) |		\
			 (1ULL << VIRTIO_NET_F_HOST_TSO6) |		\
			 (1ULL << VIRTIO_NET_F_GUEST_TSO4) |		\
			 (1ULL << VIRTIO_NET_F_GUEST_TSO6) |		\
			 (1ULL << VIRTIO_RING_F_EVENT_IDX))
#define VU_PROTOCOL_FEATURES	(1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK)

/* Header in front of every frame: num_buffers is there with VERSION_1 */
#define VU_HDR_LEN	sizeof(struct virtio_net_hdr_mrg_rxbuf)

/**
 * struct vu_dev - State of the vhost-user device
 * @features:	Features acknowledged by the front-end
 * @proto:	Protocol features acknowledged
 * @mem:	Memory table, mapped
 * @vq:		RX and TX virtqueues
 * @rx_dropped:	Frames to the guest dropped for lack of RX buffers
 * @tx_dropped:	Frames from the guest dropped as malformed
 */
static struct vu_dev {
	uint64_t features;
	uint64_t proto;
	struct vu_mem mem;
	struct virtq vq[VU_QUEUES];
	unsigned long rx_dropped;
	unsigned long tx_dropped;
} vu = {
	.vq = { { .kick_fd = -1, .call_fd = -1, .err_fd = -1 },
		{ .kick_fd = -1, .call_fd = -1, .err_fd = -1 } },
};

/* Copies of TX frames, or of their headers, for the parser */
static uint8_t vu_tx_arena[VU_TX_ARENA] __attribute__((aligned(8)));

/* Room toward the guest: chains at most, and their buffers */
#define VU_ROOM_CHAINS	VQ_SIZE_MAX
#define VU_ROOM_IOV	(4 * VQ_SIZE_MAX)

/**
 * struct vu_rx_chain - RX chain taken for the room
 * @head:	Head index, for the used ring
 * @iov:	First buffer in vu_rx.iov
 * @niov:	Number of buffers
 * @len:	Bytes in the chain
 */
struct vu_rx_chain {
	uint16_t head;
	uint16_t iov;
	uint16_t niov;
	uint32_t len;
};

/**
 * struct vu_rx_frame - Frame of the room: its chains, then what it holds
 * @chain:	First chain in vu_rx.ch
 * @nchains:	Chains it may span
 * @bounce:	Headers built in vu_rx.bounce, copied to the chain at the end
 * @len:	Bytes of the frame, with virtio_net_hdr, once committed
 * @vh:		Its virtio_net_hdr, but for num_buffers, once committed
 */
struct vu_rx_frame {
	uint16_t chain;
	uint16_t nchains;
	bool bounce;
	uint32_t len;
	struct virtio_net_hdr_mrg_rxbuf vh;
};

/**
 * struct vu_rx - Frames toward the guest: room handed out, used entries
 * @pending:	Used ring entries written, not published yet (vu_flush())
 * @nchains:	Chains taken for the room
 * @nframes:	Frames of the room
 * @committed:	Frames committed so far
 * @niov:	Buffers of the chains in @iov
 * @hlen:	Header length (Ethernet to L4) of the room's frames
 * @bytes:	Bytes of frames written to the guest (without virtio_net_hdr)
 * @copied:	Bytes of those, and of virtio_net_hdr, we copied there
 * @ch:		Chains taken
 * @f:		Frames
 * @iov:	Buffers of the chains, in order
 * @bounce:	Headers of frames whose first buffer can't hold them
 */
static struct vu_rx {
	unsigned int pending;
	unsigned int nchains;
	unsigned int nframes;
	unsigned int committed;
	unsigned int niov;
	size_t hlen;
	unsigned long long bytes;
	unsigned long long copied;
	struct vu_rx_chain ch[VU_ROOM_CHAINS];
	struct vu_rx_frame f[VU_ROOM_CHAINS];
	struct iovec iov[VU_ROOM_IOV];
	uint8_t bounce[VU_ROOM_CHAINS][TAP_HROOM];
} vu_rx;

/**
 * vu_has() - Did the front-end acknowledge a feature?
 * @bit:	Feature bit
 *
 * Return: true if so
 */
static bool vu_has(unsigned int bit)
{
	return !!(vu.features & (1ULL << bit));
}

/**
 * vu_log_limited() - Log a problem at most once a second, with a count
 * @count:	Occurrences so far, incremented here
 * @what:	What happened
 */
static void vu_log_limited(unsigned long *count, const char *what)
{
	static time_t next;
	struct timespec now;

	(*count)++;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec >= next) {
		debug("vhost-user: %s (%lu so far)", what, *count);
		next = now.tv_sec + 1;
	}
}

/**
 * vu_print_capabilities() - --print-capabilities: what a launcher may check
 *
 * As upstream: through the logger, that is, on standard error.
 */
void vu_print_capabilities(void)
{
	info("{");
	info("  \"type\": \"net\"");
	info("}");
}

/* Memory table */

/**
 * vu_mem_unmap() - Unmap the guest's memory, forget the table
 *
 * #syscalls:vu munmap
 */
static void vu_mem_unmap(void)
{
	unsigned int i;

	for (i = 0; i < vu.mem.n && i < VU_REGIONS_MAX; i++) {
		if (vu.mem.r[i].map)
			munmap(vu.mem.r[i].map, vu.mem.r[i].map_len);
	}
	memset(&vu.mem, 0, sizeof(vu.mem));
	for (i = 0; i < VU_QUEUES; i++) {
		vu.vq[i].desc = NULL;
		vu.vq[i].avail = NULL;
		vu.vq[i].used = NULL;
	}
}

/**
 * vu_set_mem_table() - SET_MEM_TABLE: check and map the guest's memory
 * @p:		Payload
 * @size:	Payload size
 * @fds:	File descriptors, one per region, taken (set to -1) if used
 * @nfds:	Number of descriptors
 *
 * Return: 0 on success, -1 if the table is refused (the old one is kept)
 *
 * #syscalls:vu mmap mmap2 munmap close fstat fstat64 newfstatat
 */
static int vu_set_mem_table(const union vu_payload *p, size_t size,
			    int *fds, size_t nfds)
{
	struct vu_region r[VU_REGIONS_MAX] = { 0 };
	unsigned int n, i;

	if (size < offsetof(struct vu_mem_msg, r))
		return -1;
	n = p->mem.nregions;
	if (!n || n > VU_REGIONS_MAX || n != nfds ||
	    size < offsetof(struct vu_mem_msg, r) + n * sizeof(p->mem.r[0]))
		return -1;

	for (i = 0; i < n; i++) {
		r[i].gpa = le64toh(p->mem.r[i].gpa);
		r[i].size = le64toh(p->mem.r[i].size);
		r[i].uva = le64toh(p->mem.r[i].uva);
		r[i].offset = le64toh(p->mem.r[i].offset);
	}
	if (vu_mem_check(r, n)) {
		warn("vhost-user: invalid memory table, refused");
		return -1;
	}

	for (i = 0; i < n; i++) {
		size_t len = r[i].offset + r[i].size;
		struct stat st;
		void *m;

		/* Past the end of the file, access would raise SIGBUS */
		if (fstat(fds[i], &st) || st.st_size < 0 ||
		    (uint64_t)st.st_size < len) {
			warn("vhost-user: memory region %u past the end of its "
			     "file, refused", i);
			m = MAP_FAILED;
		} else {
			m = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_NORESERVE, fds[i], 0);
			if (m == MAP_FAILED)
				warn("vhost-user: can't map guest memory "
				     "region %u (%zu bytes): %s", i, len,
				     strerror(errno));
		}

		if (m == MAP_FAILED) {
			while (i--)
				munmap(r[i].map, r[i].map_len);
			return -1;
		}
		r[i].map = m;
		r[i].map_len = len;
		r[i].host = (uint8_t *)m + r[i].offset;
	}

	/* Mapped: the descriptors aren't needed any more */
	for (i = 0; i < n; i++) {
		close(fds[i]);
		fds[i] = -1;
	}

	vu_mem_unmap();
	memcpy(vu.mem.r, r, sizeof(r));
	vu.mem.n = n;

	/* Rings already placed move with the table */
	for (i = 0; i < VU_QUEUES; i++) {
		struct virtq *q = &vu.vq[i];

		if (q->size && q->desc_uva && vq_map(q, &vu.mem))
			warn("vhost-user: ring %u not in new memory table", i);
	}

	for (i = 0; i < n; i++) {
		debug("vhost-user: memory region %u: guest 0x%llx, %llu bytes",
		      i, (unsigned long long)r[i].gpa,
		      (unsigned long long)r[i].size);
	}
	return 0;
}

/* Virtqueue set-up */

/**
 * vu_vq_stop() - Stop a ring: no more kicks from it, close its eventfds
 * @c:		Execution context
 * @q:		Virtqueue
 * @all:	Also the call and error eventfds
 *
 * #syscalls:vu close
 */
static void vu_vq_stop(const struct ctx *c, struct virtq *q, bool all)
{
	if (q->kick_fd >= 0) {
		passt_epoll_del(c, q->kick_fd);
		close(q->kick_fd);
		q->kick_fd = -1;
	}
	q->started = false;

	if (!all)
		return;
	if (q->call_fd >= 0)
		close(q->call_fd);
	if (q->err_fd >= 0)
		close(q->err_fd);
	q->call_fd = q->err_fd = -1;
}

/**
 * vu_signal() - Tell the guest we used buffers of a ring, if it wants to know
 * @q:		Virtqueue
 *
 * #syscalls:vu write
 */
static void vu_signal(struct virtq *q)
{
	uint64_t one = 1;

	if (q->call_fd < 0 || !vq_notify_needed(q))
		return;

	if (write(q->call_fd, &one, sizeof(one)) < 0)
		debug("vhost-user: can't signal guest: %s", strerror(errno));
}

/**
 * vu_vring_fd() - SET_VRING_KICK, _CALL, _ERR: take an eventfd for a ring
 * @c:		Execution context
 * @req:	Request
 * @v:		Payload: ring index, and VHOST_USER_VRING_NOFD
 * @fds:	File descriptors, the first one taken (set to -1) if used
 * @nfds:	Number of descriptors
 *
 * Return: 0 on success, -1 on invalid index or missing descriptor
 */
static int vu_vring_fd(struct ctx *c, uint32_t req, uint64_t v, int *fds,
		       size_t nfds)
{
	unsigned int idx = v & VHOST_USER_VRING_IDX_MASK;
	bool nofd = v & VHOST_USER_VRING_NOFD;
	struct virtq *q;
	int fd = -1;

	if (idx >= VU_QUEUES || (!nofd && nfds != 1) || (nofd && nfds))
		return -1;
	q = &vu.vq[idx];

	if (!nofd) {
		fd = fds[0];
		if (fd > FD_REF_MAX)
			return -1;
		fds[0] = -1;
	}

	switch (req) {
	case VHOST_USER_SET_VRING_KICK: {
		union epoll_ref ref = { .type = EPOLL_TYPE_VHOST_KICK,
					.data = idx };

		vu_vq_stop(c, q, false);
		if (fd < 0) {
			/* Polling mode: we don't do it */
			return -1;
		}
		q->kick_fd = fd;
		ref.fd = fd;
		if (passt_epoll_add(c, EPOLLIN, ref)) {
			close(fd);
			q->kick_fd = -1;
			return -1;
		}
		q->started = true;
		if (!vu_has(VHOST_USER_F_PROTOCOL_FEATURES))
			q->enabled = true;
		break;
	}
	case VHOST_USER_SET_VRING_CALL:
		if (q->call_fd >= 0)
			close(q->call_fd);
		q->call_fd = fd;
		break;
	default:
		if (q->err_fd >= 0)
			close(q->err_fd);
		q->err_fd = fd;
		break;
	}

	return 0;
}

static int vu_tx(struct ctx *c, const struct timespec *now);

/**
 * vu_msg_handle() - Handle one vhost-user message
 * @c:		Execution context
 * @h:		Header (size already checked against what was read)
 * @p:		Payload, @h->size bytes of it valid
 * @fds:	File descriptors that came with it: the ones used are set to
 *		-1, the caller closes the rest
 * @nfds:	Number of descriptors
 * @rh:		Reply header, set if a reply is due (size 0: none)
 * @rp:		Reply payload
 * @now:	Current time
 *
 * Return: 0 if handled (maybe with an error status in the reply), -1 if the
 *	   front-end must be disconnected
 */
int vu_msg_handle(struct ctx *c, const struct vu_hdr *h,
		  const union vu_payload *p, int *fds, size_t nfds,
		  struct vu_hdr *rh, union vu_payload *rp,
		  const struct timespec *now)
{
	size_t size = h->size;
	bool reply = false;
	int ret = 0;

	memset(rh, 0, sizeof(*rh));
	rh->request = h->request;
	rh->flags = VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY;

	if ((h->flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION) {
		debug("vhost-user: message version %u, not 1",
		      h->flags & VHOST_USER_VERSION_MASK);
		return -1;
	}

	switch (h->request) {
	case VHOST_USER_GET_FEATURES:
		rp->u64 = htole64(VU_FEATURES);
		reply = true;
		break;
	case VHOST_USER_GET_PROTOCOL_FEATURES:
		rp->u64 = htole64(VU_PROTOCOL_FEATURES);
		reply = true;
		break;
	case VHOST_USER_GET_QUEUE_NUM:
		rp->u64 = htole64(1);
		reply = true;
		break;
	case VHOST_USER_SET_FEATURES: {
		unsigned int i;
		uint64_t f;

		if (size < sizeof(p->u64)) {
			ret = -1;
			break;
		}
		f = le64toh(p->u64);
		if (!(f & (1ULL << VIRTIO_F_VERSION_1))) {
			warn("vhost-user: front-end without "
			     "VIRTIO_F_VERSION_1, disconnecting");
			return -1;
		}
		if (f & ~VU_FEATURES) {
			ret = -1;
			break;
		}
		vu.features = f;
		for (i = 0; i < VU_QUEUES; i++)
			vu.vq[i].event_idx = vu_has(VIRTIO_RING_F_EVENT_IDX);
		debug("vhost-user: features 0x%llx", (unsigned long long)f);
		break;
	}
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		if (size < sizeof(p->u64) ||
		    (le64toh(p->u64) & ~VU_PROTOCOL_FEATURES)) {
			ret = -1;
			break;
		}
		vu.proto = le64toh(p->u64);
		break;
	case VHOST_USER_SET_OWNER:
		break;
	case VHOST_USER_RESET_OWNER:
		/* Deprecated, and means nothing more than a reset to us */
		vu_reset(c);
		break;
	case VHOST_USER_SET_MEM_TABLE:
		ret = vu_set_mem_table(p, size, fds, nfds);
		break;
	case VHOST_USER_SET_VRING_NUM:
		if (size < sizeof(p->state) ||
		    p->state.index >= VU_QUEUES ||
		    !vq_size_ok(p->state.num)) {
			ret = -1;
			break;
		}
		vu.vq[p->state.index].size = p->state.num;
		break;
	case VHOST_USER_SET_VRING_ADDR: {
		struct virtq *q;

		if (size < sizeof(p->addr) || p->addr.index >= VU_QUEUES) {
			ret = -1;
			break;
		}
		q = &vu.vq[p->addr.index];
		q->desc_uva = le64toh(p->addr.desc_user_addr);
		q->avail_uva = le64toh(p->addr.avail_user_addr);
		q->used_uva = le64toh(p->addr.used_user_addr);
		ret = vq_map(q, &vu.mem);
		if (ret)
			warn("vhost-user: ring %u not in guest memory",
			     p->addr.index);
		break;
	}
	case VHOST_USER_SET_VRING_BASE:
		if (size < sizeof(p->state) || p->state.index >= VU_QUEUES ||
		    p->state.num > UINT16_MAX) {
			ret = -1;
			break;
		}
		vu.vq[p->state.index].last_avail = (uint16_t)p->state.num;
		break;
	case VHOST_USER_GET_VRING_BASE: {
		struct virtq *q;

		if (size < sizeof(p->state) || p->state.index >= VU_QUEUES)
			return -1;
		q = &vu.vq[p->state.index];
		vu_vq_stop(c, q, false);
		rp->state.index = p->state.index;
		rp->state.num = q->last_avail;
		reply = true;
		break;
	}
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		if (size < sizeof(p->u64)) {
			ret = -1;
			break;
		}
		ret = vu_vring_fd(c, h->request, le64toh(p->u64), fds, nfds);
		if (!ret && h->request == VHOST_USER_SET_VRING_KICK &&
		    vu_tx(c, now))
			return -1;
		break;
	case VHOST_USER_SET_VRING_ENABLE:
		if (size < sizeof(p->state) || p->state.index >= VU_QUEUES ||
		    p->state.num > 1) {
			ret = -1;
			break;
		}
		vu.vq[p->state.index].enabled = p->state.num;
		if (vu_tx(c, now))
			return -1;
		break;
	case VHOST_USER_SEND_RARP:
		/* Not offered (protocol feature RARP): nothing to do */
		break;
	default:
		debug("vhost-user: request %u not supported", h->request);
		ret = -1;
		break;
	}

	if (reply) {
		rh->size = h->request == VHOST_USER_GET_VRING_BASE ?
			   sizeof(rp->state) : sizeof(rp->u64);
	} else if (h->flags & VHOST_USER_FLAG_NEED_REPLY) {
		/* REPLY_ACK: 0 for success. Without it, say something
		 * anyway: a front-end waiting for a reply must not hang
		 */
		rp->u64 = htole64(ret ? 1 : 0);
		rh->size = sizeof(rp->u64);
	} else if (ret) {
		debug("vhost-user: request %u failed", h->request);
	}

	return 0;
}

/**
 * vu_read_all() - Read the payload of a message, waiting a bounded time
 * @fd:		Socket
 * @buf:	Buffer
 * @len:	Bytes to read
 *
 * Return: 0 on success, -1 on error, end of stream or timeout: the whole
 *	   payload must come within VU_MSG_TIMEOUT_MS
 *
 * #syscalls:vu read poll ppoll clock_gettime
 */
static int vu_read_all(int fd, void *buf, size_t len)
{
	struct timespec start, t;
	size_t done = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (done < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n = read(fd, (uint8_t *)buf + done, len - done);
		long long ms;

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (!n)
			return -1;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = VU_MSG_TIMEOUT_MS - timespec_diff_ms(&t, &start);
		if (ms <= 0 || poll(&pfd, 1, (int)ms) <= 0)
			return -1;
	}

	return 0;
}

/**
 * vu_cmd_input() - Handle messages from the front-end on its socket
 * @c:		Execution context
 * @now:	Current time
 *
 * Return: 0, or -1 if the front-end went away or must be disconnected
 *
 * #syscalls:vu recvmsg sendmsg close
 */
int vu_cmd_input(struct ctx *c, const struct timespec *now)
{
	static union vu_payload p, rp;
	char cbuf[CMSG_SPACE(sizeof(int) * VHOST_USER_FDS_MAX)];
	int fds[VHOST_USER_FDS_MAX];
	struct vu_hdr h, rh;
	int i;

	/* A few messages per event, to stay fair to the data path */
	for (i = 0; i < 16; i++) {
		struct iovec iov = { .iov_base = &h, .iov_len = sizeof(h) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;
		size_t nfds = 0, k;
		ssize_t n;
		int ret;

		n = recvmsg(c->fd_tap, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			      errno == EINTR))
			return 0;
		if (n <= 0)
			return -1;

		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			size_t cnt;

			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_RIGHTS ||
			    cm->cmsg_len < CMSG_LEN(0))
				continue;
			cnt = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (k = 0; k < cnt; k++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int),
				       sizeof(fd));
				if (nfds < VHOST_USER_FDS_MAX)
					fds[nfds++] = fd;
				else
					close(fd);
			}
		}

		ret = -1;
		if ((size_t)n < sizeof(h) || (mh.msg_flags & MSG_CTRUNC)) {
			debug("vhost-user: short message, or too many fds");
		} else if (h.size > sizeof(p)) {
			debug("vhost-user: message %u: payload of %u bytes",
			      h.request, h.size);
		} else if (vu_read_all(c->fd_tap, &p, h.size)) {
			debug("vhost-user: message %u: payload cut",
			      h.request);
		} else {
			memset(p.raw + h.size, 0, sizeof(p) - h.size);
			ret = vu_msg_handle(c, &h, &p, fds, nfds, &rh, &rp,
					    now);
		}

		for (k = 0; k < nfds; k++) {
			if (fds[k] >= 0)
				close(fds[k]);
		}
		if (ret)
			return -1;

		if (rh.size) {
			struct iovec riov[2] = {
				{ .iov_base = &rh, .iov_len = sizeof(rh) },
				{ .iov_base = &rp, .iov_len = rh.size },
			};
			struct msghdr rmh = { .msg_iov = riov,
					      .msg_iovlen = 2 };

			if (sendmsg(c->fd_tap, &rmh, MSG_NOSIGNAL) !=
			    (ssize_t)(sizeof(rh) + rh.size))
				return -1;
		}
	}

	return 0;
}

/**
 * vu_connected() - A front-end connected: start from a clean device
 * @c:		Execution context
 */
void vu_connected(struct ctx *c)
{
	vu_reset(c);
}

/**
 * vu_reset() - Forget the front-end: unmap memory, close eventfds
 * @c:		Execution context
 */
void vu_reset(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < VU_QUEUES; i++) {
		vu_vq_stop(c, &vu.vq[i], true);
		vq_init(&vu.vq[i]);
	}
	vu_mem_unmap();
	if (vu_rx.bytes)
		debug("vhost-user: %llu bytes of frames to the guest, %llu "
		      "copied", vu_rx.bytes, vu_rx.copied);
	memset(&vu_rx, 0, offsetof(struct vu_rx, ch));
	vu.features = 0;
	vu.proto = 0;
}

/* Data path */

/**
 * vu_ready() - Can frames be sent to the guest?
 *
 * Return: true if the RX ring is usable
 */
bool vu_ready(void)
{
	return vq_ready(&vu.vq[VU_RX]);
}

/**
 * vu_gso_ok() - Does the guest take TCP super-frames?
 *
 * Return: true with GUEST_TSO4, GUEST_TSO6 and GUEST_CSUM
 */
bool vu_gso_ok(void)
{
	return vu_has(VIRTIO_NET_F_GUEST_TSO4) &&
	       vu_has(VIRTIO_NET_F_GUEST_TSO6) &&
	       vu_has(VIRTIO_NET_F_GUEST_CSUM);
}

/**
 * vu_csum_ok() - Does the guest complete partial checksums?
 *
 * Return: true with GUEST_CSUM
 */
bool vu_csum_ok(void)
{
	return vu_has(VIRTIO_NET_F_GUEST_CSUM);
}

/**
 * vu_hdr_fill() - virtio_net_hdr for a frame to the guest
 * @h:		Header to fill
 * @gso:	Segmentation of the frame or its partial checksum, NULL for none
 */
static void vu_hdr_fill(struct virtio_net_hdr_mrg_rxbuf *h,
			const struct tap_gso *gso)
{
	memset(h, 0, sizeof(*h));
	tap_vnet_hdr(&h->hdr, gso);

	/* Our checksums are complete: spare the guest the check */
	if (!h->hdr.flags && vu_has(VIRTIO_NET_F_GUEST_CSUM))
		h->hdr.flags = VIRTIO_NET_HDR_F_DATA_VALID;

	h->hdr.hdr_len = htole16(h->hdr.hdr_len);
	h->hdr.gso_size = htole16(h->hdr.gso_size);
	h->hdr.csum_start = htole16(h->hdr.csum_start);
	h->hdr.csum_offset = htole16(h->hdr.csum_offset);
}

/**
 * struct vu_cursor - Position in a list of buffers
 * @iov:	Buffers
 * @n:		Number of buffers
 * @i:		Current buffer
 * @off:	Offset in the current buffer
 */
struct vu_cursor {
	const struct iovec *iov;
	size_t n;
	size_t i;
	size_t off;
};

/**
 * vu_copy() - Copy from a cursor into buffers, as much as fits
 * @src:	Source, advanced
 * @dst:	Destination buffers
 * @ndst:	Number of destination buffers
 * @skip:	Bytes to leave alone at the start of the destination
 *
 * Return: bytes written after @skip
 */
static size_t vu_copy(struct vu_cursor *src, const struct iovec *dst,
		      size_t ndst, size_t skip)
{
	size_t d, doff = 0, done = 0;

	for (d = 0; d < ndst && skip >= dst[d].iov_len; d++)
		skip -= dst[d].iov_len;
	doff = skip;

	while (d < ndst && src->i < src->n) {
		const struct iovec *s = &src->iov[src->i];
		size_t len = MIN(s->iov_len - src->off,
				 dst[d].iov_len - doff);

		memcpy((uint8_t *)dst[d].iov_base + doff,
		       (const uint8_t *)s->iov_base + src->off, len);
		done += len;
		src->off += len;
		doff += len;
		if (src->off >= s->iov_len) {
			src->i++;
			src->off = 0;
		}
		if (doff >= dst[d].iov_len) {
			d++;
			doff = 0;
		}
	}

	return done;
}


/**
 * vu_iov_range() - Buffers covering a range of bytes of a list of buffers
 * @in:		Buffers
 * @nin:	Number of buffers
 * @skip:	Offset of the range
 * @len:	Length of the range, all of it in @in
 * @out:	Buffers covering the range, set here
 * @max:	Entries of @out we may use
 *
 * Return: number of entries used, -1 if @max isn't enough
 */
static int vu_iov_range(const struct iovec *in, size_t nin, size_t skip,
			size_t len, struct iovec *out, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < nin && len; i++) {
		size_t l;

		if (skip >= in[i].iov_len) {
			skip -= in[i].iov_len;
			continue;
		}
		if (k >= max)
			return -1;
		l = MIN(in[i].iov_len - skip, len);
		out[k].iov_base = (uint8_t *)in[i].iov_base + skip;
		out[k++].iov_len = l;
		len -= l;
		skip = 0;
	}

	return (int)k;
}

/**
 * vu_rx_broken() - The RX ring is unusable: drop the front-end
 * @c:		Execution context
 *
 * #syscalls:vu shutdown
 */
static void vu_rx_broken(const struct ctx *c)
{
	/* The command socket tells tap.c, which resets connections */
	warn("vhost-user: RX ring broken, disconnecting");
	vu.vq[VU_RX].broken = true;
	shutdown(c->fd_tap, SHUT_RDWR);
	vu_rx.nchains = vu_rx.nframes = vu_rx.committed = vu_rx.niov = 0;
}

/**
 * vu_room() - Room for frames in the guest's RX buffers, see tap_room()
 * @c:		Execution context
 * @hlen:	Header length of each frame, Ethernet to L4, <= TAP_HROOM
 * @plen:	Payload bytes of each frame
 * @n:		Number of frames wanted
 * @s:		Room of each frame, set here
 * @iov:	Payload buffers, set here: they point into guest memory
 * @iovmax:	Entries of @iov we may use
 *
 * Each frame takes chains until they hold the virtio_net_hdr, the headers
 * and @plen bytes (several chains only with MRG_RXBUF). Headers go in the
 * first buffer if it's large enough, else in a bounce buffer, copied at
 * vu_room_end(). An empty ring enables RX kicks (vu_kick() then calls
 * tap_room_again()).
 *
 * Return: number of frames there is room for
 */
size_t vu_room(const struct ctx *c, size_t hlen, size_t plen, size_t n,
	       struct tap_slot *s, struct iovec *iov, size_t iovmax)
{
	struct virtq *q = &vu.vq[VU_RX];
	bool mrg = vu_has(VIRTIO_NET_F_MRG_RXBUF), again = false;
	static struct vq_chain ch;
	size_t f, niov = 0;

	vu_rx.nchains = vu_rx.nframes = vu_rx.committed = vu_rx.niov = 0;
	vu_rx.hlen = hlen;
	if (!vq_ready(q) || hlen > TAP_HROOM)
		return 0;
	n = MIN(n, (size_t)VU_ROOM_CHAINS);

	for (f = 0; f < n; f++) {
		size_t need = VU_HDR_LEN + MAX(hlen + plen, ETH_ZLEN), got = 0;
		unsigned int first = vu_rx.nchains, iov0 = vu_rx.niov;
		struct vu_rx_frame *fr = &vu_rx.f[f];
		int k;

		while (got < need) {
			struct vu_rx_chain *rc = &vu_rx.ch[vu_rx.nchains];
			int r;

			if (vu_rx.nchains >= VU_ROOM_CHAINS)
				goto cut;

			r = vq_pop(q, &vu.mem, true, &ch);
			if (r == VQ_EMPTY) {
				/* Kick us when there's more, then look again:
				 * buffers may have come meanwhile
				 */
				vq_kick_enable(q, true);
				if (!again && vq_has_avail(q)) {
					again = true;
					continue;
				}
				goto cut;
			}
			if (r != VQ_CHAIN || !ch.len ||
			    (!got && ch.iov[0].iov_len < VU_HDR_LEN)) {
				vu_rx_broken(c);
				return 0;
			}
			if ((got && !mrg) ||
			    vu_rx.niov + ch.n > VU_ROOM_IOV) {
				vq_unpop(q, 1);
				if (!mrg && !f)
					vu_log_limited(&vu.rx_dropped,
						       "RX buffer too small "
						       "without MRG_RXBUF");
				goto cut;
			}

			rc->head = ch.head;
			rc->iov = (uint16_t)vu_rx.niov;
			rc->niov = (uint16_t)ch.n;
			rc->len = (uint32_t)ch.len;
			memcpy(vu_rx.iov + vu_rx.niov, ch.iov,
			       ch.n * sizeof(ch.iov[0]));
			vu_rx.niov += (unsigned int)ch.n;
			vu_rx.nchains++;
			got += ch.len;
		}

		k = vu_iov_range(vu_rx.iov + iov0, vu_rx.niov - iov0,
				 VU_HDR_LEN + hlen, plen, iov + niov,
				 iovmax - niov);
		if (k < 0)
			goto cut;

		fr->chain = (uint16_t)first;
		fr->nchains = (uint16_t)(vu_rx.nchains - first);
		fr->len = 0;
		fr->bounce = vu_rx.iov[iov0].iov_len < VU_HDR_LEN + hlen;
		if (fr->bounce)
			s[f].hdr = vu_rx.bounce[f] + TAP_HROOM;
		else
			s[f].hdr = (uint8_t *)vu_rx.iov[iov0].iov_base +
				   VU_HDR_LEN + hlen;
		s[f].iov = (unsigned int)niov;
		s[f].niov = (unsigned int)k;
		niov += (size_t)k;
		continue;
cut:
		/* This frame doesn't fit: its chains go back */
		vq_unpop(q, vu_rx.nchains - first);
		vu_rx.nchains = first;
		vu_rx.niov = iov0;
		break;
	}

	vu_rx.nframes = (unsigned int)f;
	return f;
}

/**
 * vu_commit() - The next frame of the room is complete, see tap_commit()
 * @s:		Its room (unused: frames come in order)
 * @iov:	Its payload buffers (unused)
 * @dlen:	Payload bytes in it
 * @gso:	Segmentation of the frame or its partial checksum, NULL for none
 *		(only if vu_gso_ok() or vu_csum_ok())
 */
void vu_commit(const struct tap_slot *s, const struct iovec *iov,
	       size_t dlen, const struct tap_gso *gso)
{
	struct vu_rx_frame *fr = &vu_rx.f[vu_rx.committed];

	(void)s;
	(void)iov;
	if (vu_rx.committed >= vu_rx.nframes)
		return;

	fr->len = (uint32_t)(VU_HDR_LEN + vu_rx.hlen + dlen);
	vu_hdr_fill(&fr->vh, gso);
	vu_rx.committed++;
}

/**
 * vu_iov_write() - Write bytes at an offset of a list of buffers
 * @iov:	Buffers
 * @n:		Number of buffers
 * @off:	Offset
 * @buf:	Bytes
 * @len:	Number of bytes, all within the buffers
 */
static void vu_iov_write(const struct iovec *iov, size_t n, size_t off,
			 const void *buf, size_t len)
{
	struct iovec src = { .iov_base = (void *)buf, .iov_len = len };
	struct vu_cursor cur = { .iov = &src, .n = 1 };

	vu_rx.copied += vu_copy(&cur, iov, n, off);
}

/**
 * vu_room_end() - Close the room: used entries for the committed frames,
 *		   chains not used back to the guest, see tap_room_end()
 * @c:		Execution context
 *
 * Every committed frame but the last one holds the payload asked for, so
 * that unused chains are the last ones taken. Entries are published by
 * vu_flush(), in the order frames were committed.
 */
void vu_room_end(const struct ctx *c)
{
	struct virtq *q = &vu.vq[VU_RX];
	unsigned int f, used = 0;

	if (!vq_ready(q)) {
		vu_rx.nchains = vu_rx.nframes = vu_rx.committed = 0;
		return;
	}

	for (f = 0; f < vu_rx.committed; f++) {
		struct vu_rx_frame *fr = &vu_rx.f[f];
		const struct vu_rx_chain *rc = &vu_rx.ch[fr->chain];
		const struct iovec *fiov = vu_rx.iov + rc->iov;
		bool last = f + 1 == vu_rx.committed;
		size_t left, niov = 0;
		unsigned int j;

		/* Some guest NICs drop runts: pad to Ethernet's least, room
		 * for it was taken by vu_room()
		 */
		if (fr->len < VU_HDR_LEN + ETH_ZLEN) {
			static const uint8_t pad[ETH_ZLEN];
			size_t all = 0;

			for (j = 0; j < fr->nchains; j++)
				all += rc[j].niov;
			vu_iov_write(fiov, all, fr->len, pad,
				     VU_HDR_LEN + ETH_ZLEN - fr->len);
			fr->len = VU_HDR_LEN + ETH_ZLEN;
		}
		left = fr->len;

		for (j = 0; j < fr->nchains; j++) {
			size_t l = MIN(left, (size_t)rc[j].len);

			if (!l && last)
				break;
			vq_fill(q, vu_rx.pending + used++, rc[j].head,
				(uint32_t)l);
			niov += rc[j].niov;
			left -= l;
		}

		if (fr->bounce) {
			vu_iov_write(fiov, niov, VU_HDR_LEN,
				     vu_rx.bounce[f] + TAP_HROOM - vu_rx.hlen,
				     vu_rx.hlen);
		}
		fr->vh.num_buffers = htole16((uint16_t)j);
		vu_iov_write(fiov, niov, 0, &fr->vh, VU_HDR_LEN);
		vu_rx.bytes += fr->len - VU_HDR_LEN;

		if (*c->pcap) {
			static struct iovec pv[VU_ROOM_IOV];
			int k = vu_iov_range(fiov, niov, VU_HDR_LEN,
					     fr->len - VU_HDR_LEN, pv,
					     ARRAY_SIZE(pv));

			if (k > 0)
				pcap_frames_iov(pv, (size_t)k, 1);
		}
	}

	vq_unpop(q, vu_rx.nchains - used);
	vu_rx.pending += used;
	vu_rx.nchains = vu_rx.nframes = vu_rx.committed = vu_rx.niov = 0;
}

/**
 * vu_queue() - Copy a small frame into the guest's buffers, see tap_queue()
 * @c:		Execution context
 * @frame:	Frame, from the Ethernet header
 * @len:	Length, at most TAP_HROOM
 *
 * Return: false if the guest has no buffers for it
 */
bool vu_queue(const struct ctx *c, const void *frame, size_t len)
{
	struct tap_slot s;

	if (len > TAP_HROOM || !vu_room(c, len, 0, 1, &s, NULL, 0))
		return false;

	memcpy(s.hdr - len, frame, len);
	vu_rx.copied += len;
	vu_commit(&s, NULL, 0, NULL);
	vu_room_end(c);
	return true;
}

/**
 * vu_flush() - Publish used RX entries, signal the guest (once per batch)
 */
void vu_flush(void)
{
	struct virtq *q = &vu.vq[VU_RX];

	if (!vu_rx.pending)
		return;
	if (vq_ready(q)) {
		vq_flush(q, vu_rx.pending);
		vu_signal(q);
	}
	vu_rx.pending = 0;
}

/**
 * vu_rx_stats() - Bytes of frames written to the guest, and copied by us
 * @bytes:	Frame bytes (without virtio_net_hdr) so far
 * @copied:	Bytes we copied with memcpy() toward the guest, headers
 *		included: payload peeked from sockets isn't
 */
void vu_rx_stats(unsigned long long *bytes, unsigned long long *copied)
{
	*bytes = vu_rx.bytes;
	*copied = vu_rx.copied;
}

/**
 * vu_send_frames() - Copy frames into the guest's RX buffers
 * @c:		Execution context
 * @iov:	Frames, @bpf buffers each, from the Ethernet header
 * @bpf:	Buffers per frame
 * @nframes:	Number of frames
 * @gso:	Segmentation of each frame, NULL for none (only if vu_gso_ok())
 *
 * Return: number of frames sent; the rest is dropped (no room)
 */
size_t vu_send_frames(const struct ctx *c, const struct iovec *iov,
		      size_t bpf, size_t nframes, const struct tap_gso *gso)
{
	static struct iovec dst[VU_ROOM_IOV];
	size_t f;

	for (f = 0; f < nframes; f++) {
		const struct iovec *fi = iov + f * bpf;
		struct vu_cursor src = { .iov = fi, .n = bpf };
		size_t len = 0, j;
		struct tap_slot s;

		for (j = 0; j < bpf; j++)
			len += fi[j].iov_len;
		if (len > FRAME_MAX ||
		    !vu_room(c, 0, len, 1, &s, dst, ARRAY_SIZE(dst)))
			break;

		vu_rx.copied += vu_copy(&src, dst + s.iov, s.niov, 0);
		vu_commit(&s, NULL, len, gso ? gso + f : NULL);
		vu_room_end(c);
	}

	vu_flush();

	if (f < nframes && !vu.vq[VU_RX].broken) {
		vu_log_limited(&vu.rx_dropped,
			       "no room in guest RX ring, frames dropped");
	}

	return f;
}

/**
 * vu_tx_frame() - Hand the frame of a TX chain to the parser, with room for
 *		   its copy in our arena
 * @c:		Execution context
 * @ch:		Chain: virtio_net_hdr, then the frame
 * @used:	Bytes of the arena used in this batch, updated; the caller
 *		leaves room for a frame of FRAME_MAX bytes and alignment
 * @now:	Current time
 */
static void vu_tx_frame(struct ctx *c, const struct vq_chain *ch,
			size_t *used, const struct timespec *now)
{
	struct virtio_net_hdr_mrg_rxbuf vh;
	struct vu_cursor src = { .iov = ch->iov, .n = ch->n };
	struct iovec hv = { .iov_base = &vh, .iov_len = sizeof(vh) };
	struct iovec fv[VQ_IOV_MAX];
	struct virtio_net_hdr h;
	size_t len, n = 0;
	uint8_t *frame;

	if (ch->len < VU_HDR_LEN) {
		vu_log_limited(&vu.tx_dropped, "TX chain shorter than header");
		return;
	}
	len = ch->len - VU_HDR_LEN;
	if (len > FRAME_MAX) {
		vu_log_limited(&vu.tx_dropped, "oversized frame from guest");
		return;
	}

	vu_copy(&src, &hv, 1, 0);

	h.flags = vh.hdr.flags;
	h.gso_type = vh.hdr.gso_type;
	h.hdr_len = le16toh(vh.hdr.hdr_len);
	h.gso_size = le16toh(vh.hdr.gso_size);
	h.csum_start = le16toh(vh.hdr.csum_start);
	h.csum_offset = le16toh(vh.hdr.csum_offset);

	/* The frame: the rest of the chain, @len bytes */
	for (; src.i < src.n; src.i++, src.off = 0) {
		fv[n].iov_base = (uint8_t *)src.iov[src.i].iov_base + src.off;
		fv[n++].iov_len = src.iov[src.i].iov_len - src.off;
	}

	/* Our copy of what the parser reads, which the guest can't change
	 * under it: IP headers aligned (frame at 2 modulo 8)
	 */
	frame = vu_tx_arena + ROUND_UP(*used, 8) + 2;
	*used = (size_t)(frame - vu_tx_arena) +
		tap_vu_frame(c, &h, fv, n, len, frame, now);
}

/**
 * vu_tx() - Take frames the guest queued on the TX ring
 * @c:		Execution context
 * @now:	Current time
 *
 * Return: 0, or -1 if the ring is broken
 *
 * #syscalls:vu write
 */
static int vu_tx(struct ctx *c, const struct timespec *now)
{
	struct virtq *q = &vu.vq[VU_TX];
	static struct vq_chain ch;
	uint16_t heads[VU_TX_BATCH];
	unsigned int rounds = 0;

	if (!vq_ready(q))
		return 0;

	do {
		size_t used = 0, bytes = 0;
		unsigned int n = 0, i;
		int r = VQ_EMPTY;

		/* No kicks while we're at it */
		vq_kick_enable(q, false);

		while (n < VU_TX_BATCH &&
		       used + FRAME_MAX + 16 <= VU_TX_ARENA &&
		       bytes + FRAME_MAX <= VU_TX_BATCH_BYTES) {
			r = vq_pop(q, &vu.mem, false, &ch);
			if (r == VQ_EMPTY || r == VQ_BROKEN)
				break;

			bytes += ch.len;

			heads[n++] = ch.head;
			if (r == VQ_BAD_CHAIN)
				vu_log_limited(&vu.tx_dropped,
					       "unusable TX chain");
			else
				vu_tx_frame(c, &ch, &used, now);
		}

		/* Packets point into the chains: flush, then give back */
		tap_vu_flush(c, now);
		for (i = 0; i < n; i++)
			vq_fill(q, i, heads[i], 0);
		if (n) {
			vq_flush(q, n);
			vu_signal(q);
		}

		if (r == VQ_BROKEN) {
			warn("vhost-user: TX ring broken, disconnecting");
			return -1;
		}
		if (r == VQ_EMPTY || !vq_has_avail(q)) {
			/* Kicks again, then check we didn't miss any: also
			 * when a full batch took the last chain
			 */
			vq_kick_enable(q, true);
		}
	} while (vq_has_avail(q) && ++rounds < VU_TX_ROUNDS);

	if (rounds >= VU_TX_ROUNDS && q->kick_fd >= 0) {
		uint64_t one = 1;

		/* More to do: come back after other events */
		if (write(q->kick_fd, &one, sizeof(one)) < 0)
			vq_kick_enable(q, true);
	}

	return 0;
}

/**
 * vu_kick() - The guest kicked a ring
 * @c:		Execution context
 * @ref:	epoll reference: ring index in @data
 * @now:	Current time
 *
 * Return: 0, or -1 if the front-end must be disconnected
 *
 * #syscalls:vu read
 */
int vu_kick(struct ctx *c, union epoll_ref ref, const struct timespec *now)
{
	uint64_t v;

	if (ref.data >= VU_QUEUES || ref.fd != vu.vq[ref.data].kick_fd)
		return 0;

	if (read(ref.fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		debug("vhost-user: kick read: %s", strerror(errno));

	if (ref.data == VU_TX)
		return vu_tx(c, now);

	/* RX buffers added: no more kicks until we run out again, resume
	 * whoever waits for room
	 */
	if (vq_ready(&vu.vq[VU_RX])) {
		vq_kick_enable(&vu.vq[VU_RX], false);
		tap_room_again(c, now);
	}
	return 0;
}
