/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_vhost_user.c - Unit tests for vhost_user.c: message parsing (short
 *		       messages, bad sizes, bad region tables, overlapping or
 *		       overflowing regions, unknown requests, file
 *		       descriptors), feature negotiation, and the data path
 *		       through rings in a memfd: frames to the guest (header,
 *		       mergeable buffers, GSO, no room, event suppression) and
 *		       from it (ARP request answered, gathered chains, broken
 *		       ring); room for frames in the RX buffers (payload in
 *		       place, mergeable chains, short peeks, empty ring,
 *		       headers aside, hostile chains)
 */

#include <endian.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "passt.h"
#include "pcap.h"
#include "tap.h"
#include "util.h"
#include "virtio.h"
#include "vhost_user.h"
#include "unit.h"

#define GMEM_SIZE	(1 << 20)
#define GPA		0x40000000ULL
#define UVA		0x7f1000000000ULL
#define QSIZE		16

/* Ring layout in guest memory: RX, then TX, then buffers */
#define RING_OFF(q)	((q) * 0x8000)
#define DESC(q)		RING_OFF(q)
#define AVAIL(q)	(RING_OFF(q) + 0x1000)
#define USED(q)		(RING_OFF(q) + 0x2000)
#define BUF_OFF		0x20000

static struct ctx c;
static struct timespec now;
static uint8_t *g;		/* our own view of guest memory */
static int memfd = -1, peer = -1;
static int kick[VU_QUEUES], call[VU_QUEUES];

static struct vu_hdr rh;
static union vu_payload rp;

/**
 * msg() - Hand one message to vu_msg_handle()
 * @req:	Request
 * @flags:	Extra header flags (NEED_REPLY)
 * @p:		Payload, NULL for none
 * @size:	Payload size
 * @fds:	File descriptors (used ones set to -1), NULL for none
 * @nfds:	Number of descriptors
 *
 * Return: what vu_msg_handle() returned
 */
static int msg(uint32_t req, uint32_t flags, const void *p, size_t size,
	       int *fds, size_t nfds)
{
	static union vu_payload pl;
	struct vu_hdr h = { .request = req, .size = (uint32_t)size,
			    .flags = VHOST_USER_VERSION | flags };

	memset(&pl, 0, sizeof(pl));
	if (p)
		memcpy(&pl, p, size);
	return vu_msg_handle(&c, &h, &pl, fds, nfds, &rh, &rp, &now);
}

/**
 * msg_u64() - Message with a 64-bit payload, asking for a reply
 * @req:	Request
 * @v:		Value
 *
 * Return: status in the reply (0 success), -1 if the handler failed, -2
 *	   without a reply
 */
static long long msg_u64(uint32_t req, uint64_t v)
{
	uint64_t le = htole64(v);

	if (msg(req, VHOST_USER_FLAG_NEED_REPLY, &le, sizeof(le), NULL, 0))
		return -1;
	return rh.size == sizeof(uint64_t) ? (long long)le64toh(rp.u64) : -2;
}

/**
 * msg_state() - Message with a vring state payload, asking for a reply
 * @req:	Request
 * @idx:	Ring index
 * @num:	Number
 *
 * Return: as msg_u64()
 */
static long long msg_state(uint32_t req, unsigned int idx, unsigned int num)
{
	struct vhost_vring_state s = { .index = idx, .num = num };

	if (msg(req, VHOST_USER_FLAG_NEED_REPLY, &s, sizeof(s), NULL, 0))
		return -1;
	return rh.size == sizeof(uint64_t) ? (long long)le64toh(rp.u64) : -2;
}

/**
 * mem_table() - SET_MEM_TABLE with our memfd as one region (or more)
 * @r:		Regions
 * @n:		Number of regions (and of fds, dups of the memfd)
 * @nfds:	Number of descriptors to pass
 *
 * Return: as msg_u64(); descriptors not taken are closed here
 */
static long long mem_table(const struct vu_mem_region_msg *r, unsigned int n,
			   size_t nfds)
{
	struct vu_mem_msg m = { .nregions = n };
	int fds[VHOST_USER_FDS_MAX];
	size_t i;
	int ret;

	memcpy(m.r, r, MIN(n, VU_REGIONS_MAX) * sizeof(*r));
	for (i = 0; i < nfds; i++)
		fds[i] = dup(memfd);

	ret = msg(VHOST_USER_SET_MEM_TABLE, VHOST_USER_FLAG_NEED_REPLY, &m,
		  offsetof(struct vu_mem_msg, r) +
		  MIN(n, VU_REGIONS_MAX) * sizeof(*r), fds, nfds);
	for (i = 0; i < nfds; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	if (ret)
		return -1;
	return rh.size ? (long long)le64toh(rp.u64) : -2;
}

/**
 * vring_fd() - SET_VRING_KICK or _CALL with an eventfd
 * @req:	Request
 * @idx:	Ring
 * @fd:		Eventfd, duplicated for the message
 *
 * Return: as msg_u64()
 */
static long long vring_fd(uint32_t req, unsigned int idx, int fd)
{
	uint64_t v = htole64(idx);
	int d = dup(fd), ret;

	ret = msg(req, VHOST_USER_FLAG_NEED_REPLY, &v, sizeof(v), &d, 1);
	if (d >= 0)
		close(d);
	if (ret)
		return -1;
	return rh.size ? (long long)le64toh(rp.u64) : -2;
}

/**
 * vring_give() - SET_VRING_KICK or _CALL, handing an eventfd over
 * @req:	Request
 * @idx:	Ring
 * @fd:		Eventfd, closed by vu_reset() from now on
 *
 * Return: as msg_u64()
 */
static long long vring_give(uint32_t req, unsigned int idx, int fd)
{
	uint64_t v = htole64(idx);
	int d = fd, ret;

	ret = msg(req, VHOST_USER_FLAG_NEED_REPLY, &v, sizeof(v), &d, 1);
	if (d >= 0)
		close(d);
	if (ret)
		return -1;
	return rh.size ? (long long)le64toh(rp.u64) : -2;
}

/**
 * device_up() - Negotiate and set up both rings, as QEMU does
 * @features:	Features to acknowledge
 *
 * Return: true if every step succeeded
 */
static bool device_up(uint64_t features)
{
	struct vu_mem_region_msg r = { .gpa = GPA, .size = GMEM_SIZE,
				       .uva = UVA };
	bool ok = true;
	unsigned int q;

	vu_reset(&c);
	memset(g, 0, GMEM_SIZE);

	ok &= msg_u64(VHOST_USER_SET_FEATURES, features) == 0;
	ok &= msg_u64(VHOST_USER_SET_PROTOCOL_FEATURES,
		      1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) == 0;
	ok &= mem_table(&r, 1, 1) == 0;

	for (q = 0; q < VU_QUEUES; q++) {
		struct vhost_vring_addr a = {
			.index = q,
			.desc_user_addr = UVA + DESC(q),
			.avail_user_addr = UVA + AVAIL(q),
			.used_user_addr = UVA + USED(q),
		};

		ok &= msg_state(VHOST_USER_SET_VRING_NUM, q, QSIZE) == 0;
		ok &= msg_state(VHOST_USER_SET_VRING_BASE, q, 0) == 0;
		ok &= !msg(VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a),
			   NULL, 0);
		/* Given away: vu_kick() checks the descriptor it gets */
		kick[q] = eventfd(0, EFD_NONBLOCK);
		call[q] = eventfd(0, EFD_NONBLOCK);
		ok &= vring_give(VHOST_USER_SET_VRING_KICK, q, kick[q]) == 0;
		ok &= vring_give(VHOST_USER_SET_VRING_CALL, q, call[q]) == 0;
		ok &= msg_state(VHOST_USER_SET_VRING_ENABLE, q, 1) == 0;
	}

	return ok;
}

#define F_BASE	((1ULL << VIRTIO_F_VERSION_1) |				\
		 (1ULL << VIRTIO_NET_F_MRG_RXBUF) |			\
		 (1ULL << VHOST_USER_F_PROTOCOL_FEATURES))
#define F_OFFLOADS	((1ULL << VIRTIO_NET_F_CSUM) |			\
			 (1ULL << VIRTIO_NET_F_GUEST_CSUM) |		\
			 (1ULL << VIRTIO_NET_F_HOST_TSO4) |		\
			 (1ULL << VIRTIO_NET_F_HOST_TSO6) |		\
			 (1ULL << VIRTIO_NET_F_GUEST_TSO4) |		\
			 (1ULL << VIRTIO_NET_F_GUEST_TSO6))

/**
 * post() - Add a one-descriptor chain to a ring's available ring
 * @q:		Ring
 * @i:		Descriptor index (also the head)
 * @off:	Buffer offset in guest memory
 * @len:	Buffer length
 * @write:	Device-writable (RX)
 */
static void post(unsigned int q, unsigned int i, size_t off, uint32_t len,
		 bool write)
{
	struct vring_desc *d = (struct vring_desc *)(g + DESC(q)) + i;
	struct vring_avail *a = (struct vring_avail *)(g + AVAIL(q));
	uint16_t idx = le16toh(a->idx);

	d->addr = htole64(GPA + off);
	d->len = htole32(len);
	d->flags = htole16(write ? VRING_DESC_F_WRITE : 0);
	d->next = 0;
	a->ring[idx % QSIZE] = htole16(i);
	a->idx = htole16(idx + 1);
}

/**
 * used() - The used ring of a ring
 * @q:		Ring
 *
 * Return: pointer into guest memory
 */
static struct vring_used *used(unsigned int q)
{
	return (struct vring_used *)(g + USED(q));
}

/**
 * signalled() - Was the call eventfd of a ring signalled? Reset it
 * @q:		Ring
 *
 * Return: true if so
 */
static bool signalled(unsigned int q)
{
	uint64_t v;

	return read(call[q], &v, sizeof(v)) == sizeof(v) && v;
}

/**
 * test_messages() - Parsing and refusals, no memory needed
 */
static void test_messages(void)
{
	struct vhost_vring_addr a = { .index = 0 };
	uint64_t f;
	int efd;

	vu_reset(&c);

	CHECK(!msg(VHOST_USER_GET_FEATURES, 0, NULL, 0, NULL, 0) &&
	      rh.size == sizeof(uint64_t) &&
	      (rh.flags & VHOST_USER_FLAG_REPLY), "GET_FEATURES: replied");
	f = le64toh(rp.u64);
	CHECK((f & F_BASE) == F_BASE && (f & F_OFFLOADS) == F_OFFLOADS,
	      "features: VERSION_1, MRG_RXBUF, PROTOCOL_FEATURES, offloads");
	CHECK(!(f & (1ULL << VIRTIO_RING_F_INDIRECT_DESC)) &&
	      (f & (1ULL << VIRTIO_RING_F_EVENT_IDX)),
	      "features: no indirect descriptors, event index");

	CHECK(!msg(VHOST_USER_GET_PROTOCOL_FEATURES, 0, NULL, 0, NULL, 0) &&
	      le64toh(rp.u64) == 1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK,
	      "protocol features: REPLY_ACK");
	CHECK(!msg(VHOST_USER_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0) &&
	      le64toh(rp.u64) == 1, "one queue pair");

	CHECK_EQ_INT(msg_u64(VHOST_USER_SET_FEATURES,
			     1ULL << VIRTIO_NET_F_MRG_RXBUF), -1,
		     "SET_FEATURES without VERSION_1: disconnect");
	CHECK(msg_u64(VHOST_USER_SET_FEATURES, F_BASE |
		      (1ULL << VIRTIO_RING_F_INDIRECT_DESC)) > 0,
	      "SET_FEATURES with a feature not offered: error status");
	CHECK(msg_u64(VHOST_USER_SET_PROTOCOL_FEATURES, 1ULL << 1) > 0,
	      "SET_PROTOCOL_FEATURES, not offered: error status");
	CHECK(msg(VHOST_USER_SET_FEATURES, VHOST_USER_FLAG_NEED_REPLY, &f, 4,
		  NULL, 0) == 0 && rh.size && le64toh(rp.u64),
	      "SET_FEATURES with 4 bytes of payload: error status");

	CHECK(msg(99, VHOST_USER_FLAG_NEED_REPLY, NULL, 0, NULL, 0) == 0 &&
	      rh.size == sizeof(uint64_t) && le64toh(rp.u64),
	      "unknown request, reply wanted: error reply");
	CHECK(msg(99, 0, NULL, 0, NULL, 0) == 0 && !rh.size,
	      "unknown request, no reply wanted: ignored");
	CHECK(msg(VHOST_USER_SET_LOG_BASE, VHOST_USER_FLAG_NEED_REPLY, NULL,
		  0, NULL, 0) == 0 && rh.size && le64toh(rp.u64),
	      "SET_LOG_BASE (no logging offered): error reply");
	{
		struct vu_hdr h = { .request = VHOST_USER_GET_FEATURES,
				    .flags = 2 };
		union vu_payload p = { 0 };

		CHECK(vu_msg_handle(&c, &h, &p, NULL, 0, &rh, &rp, &now),
		      "message version 2: disconnect");
	}

	CHECK(msg_state(VHOST_USER_SET_VRING_NUM, 0, 0) > 0 &&
	      msg_state(VHOST_USER_SET_VRING_NUM, 0, 3) > 0 &&
	      msg_state(VHOST_USER_SET_VRING_NUM, 0, 2048) > 0 &&
	      msg_state(VHOST_USER_SET_VRING_NUM, 2, 256) > 0,
	      "SET_VRING_NUM: size 0, 3, 2048, ring 2 refused");
	CHECK(msg_state(VHOST_USER_SET_VRING_NUM, 1, 1024) == 0,
	      "SET_VRING_NUM: 1024 on TX accepted");
	CHECK(msg_state(VHOST_USER_SET_VRING_BASE, 0, 70000) > 0,
	      "SET_VRING_BASE above 65535 refused");
	CHECK(msg_state(VHOST_USER_SET_VRING_ENABLE, 0, 2) > 0 &&
	      msg_state(VHOST_USER_SET_VRING_ENABLE, 3, 1) > 0,
	      "SET_VRING_ENABLE: bad value, bad ring refused");

	CHECK(msg(VHOST_USER_SET_VRING_ADDR, VHOST_USER_FLAG_NEED_REPLY, &a,
		  sizeof(a), NULL, 0) == 0 && le64toh(rp.u64),
	      "SET_VRING_ADDR without memory table: error");

	efd = eventfd(0, EFD_NONBLOCK);
	CHECK(vring_fd(VHOST_USER_SET_VRING_KICK, 5, efd) > 0,
	      "SET_VRING_KICK on ring 5 refused");
	CHECK(msg_u64(VHOST_USER_SET_VRING_KICK, VHOST_USER_VRING_NOFD) > 0,
	      "SET_VRING_KICK without descriptor (polling) refused");
	CHECK(msg_u64(VHOST_USER_SET_VRING_CALL,
		      1 | VHOST_USER_VRING_NOFD) == 0,
	      "SET_VRING_CALL without descriptor accepted");
	CHECK(msg_u64(VHOST_USER_SET_VRING_CALL, 1) > 0,
	      "SET_VRING_CALL announcing a descriptor, none passed: error");
	close(efd);
}

/**
 * test_mem_table() - SET_MEM_TABLE: refused tables, mapping, rings in it
 */
static void test_mem_table(void)
{
	struct vu_mem_region_msg r[VU_REGIONS_MAX + 1] = {
		{ .gpa = GPA, .size = GMEM_SIZE / 2, .uva = UVA },
		{ .gpa = GPA + GMEM_SIZE / 2, .size = GMEM_SIZE / 2,
		  .uva = UVA + GMEM_SIZE / 2, .offset = GMEM_SIZE / 2 },
	};
	struct vhost_vring_addr a = {
		.index = 0, .desc_user_addr = UVA + DESC(0),
		.avail_user_addr = UVA + AVAIL(0),
		.used_user_addr = UVA + USED(0),
	};
	int efd;

	vu_reset(&c);

	CHECK(mem_table(r, 2, 0) > 0, "memory table without fds refused");
	CHECK(mem_table(r, 2, 1) > 0, "memory table, fewer fds: refused");
	CHECK(mem_table(r, 0, 0) > 0, "empty memory table refused");
	CHECK(mem_table(r, VU_REGIONS_MAX + 1, VU_REGIONS_MAX) > 0,
	      "memory table of %u regions refused", VU_REGIONS_MAX + 1);
	CHECK(msg(VHOST_USER_SET_MEM_TABLE, VHOST_USER_FLAG_NEED_REPLY, r,
		  4, NULL, 0) == 0 && le64toh(rp.u64),
	      "memory table message of 4 bytes refused");
	{
		struct vu_mem_msg m = { .nregions = 2 };
		int fds[2] = { dup(memfd), dup(memfd) };

		memcpy(m.r, r, sizeof(r[0]) * 2);
		CHECK(msg(VHOST_USER_SET_MEM_TABLE, VHOST_USER_FLAG_NEED_REPLY,
			  &m, offsetof(struct vu_mem_msg, r) + sizeof(r[0]),
			  fds, 2) == 0 && le64toh(rp.u64) &&
		      fds[0] >= 0 && fds[1] >= 0,
		      "two regions announced, one in the message: refused, "
		      "descriptors left to the caller");
		close(fds[0]);
		close(fds[1]);
	}

	r[1].gpa = GPA + 4096;
	CHECK(mem_table(r, 2, 2) > 0, "overlapping regions refused");
	r[1].gpa = UINT64_MAX - 4096;
	CHECK(mem_table(r, 2, 2) > 0, "region wrapping around 2^64 refused");
	r[1].gpa = GPA + GMEM_SIZE / 2;
	r[1].offset = UINT64_MAX - 10;
	CHECK(mem_table(r, 2, 2) > 0, "region with huge offset refused");
	r[1].offset = GMEM_SIZE / 2;

	efd = eventfd(0, 0);
	{
		struct vu_mem_msg m = { .nregions = 1, .r = { r[0] } };
		int fd = dup(efd);

		CHECK(msg(VHOST_USER_SET_MEM_TABLE, VHOST_USER_FLAG_NEED_REPLY,
			  &m, offsetof(struct vu_mem_msg, r) + sizeof(r[0]),
			  &fd, 1) == 0 && le64toh(rp.u64),
		      "region on a descriptor we can't map: refused");
		if (fd >= 0)
			close(fd);
	}
	close(efd);

	r[1].size = GMEM_SIZE;
	CHECK(mem_table(r, 2, 2) > 0,
	      "region past the end of its file (SIGBUS on access) refused");
	r[1].size = GMEM_SIZE / 2;

	CHECK(mem_table(r, 2, 2) == 0, "two regions, with offset: mapped");
	CHECK(msg_state(VHOST_USER_SET_VRING_NUM, 0, QSIZE) == 0 &&
	      !msg(VHOST_USER_SET_VRING_ADDR, VHOST_USER_FLAG_NEED_REPLY, &a,
		   sizeof(a), NULL, 0) && !le64toh(rp.u64),
	      "ring addresses in the table accepted");
	a.used_user_addr = UVA + GMEM_SIZE - 8;
	CHECK(!msg(VHOST_USER_SET_VRING_ADDR, VHOST_USER_FLAG_NEED_REPLY, &a,
		   sizeof(a), NULL, 0) && le64toh(rp.u64),
	      "used ring past the end of memory refused");
	a.used_user_addr = UVA - 0x1000;
	CHECK(!msg(VHOST_USER_SET_VRING_ADDR, VHOST_USER_FLAG_NEED_REPLY, &a,
		   sizeof(a), NULL, 0) && le64toh(rp.u64),
	      "used ring outside memory refused");

	vu_reset(&c);
}

/**
 * test_rx_pcap() - Frames to the guest are captured once
 */
static void test_rx_pcap(void)
{
	char path[] = "/tmp/passt-unit-vu-pcap-XXXXXX";
	uint8_t frame[100] = { 0 };
	int fd = mkstemp(path);
	struct stat st;

	if (fd < 0)
		return;
	close(fd);

	CHECK(device_up(F_BASE), "capture: device up");
	pcap_init(path);
	strcpy(c.pcap, path);
	post(VU_RX, 0, BUF_OFF, 2048, true);
	tap_send_single(&c, frame, sizeof(frame));
	c.pcap[0] = 0;
	CHECK(le16toh(used(VU_RX)->idx) == 1 && !stat(path, &st) &&
	      st.st_size == 24 + 16 + sizeof(frame),
	      "capture: frame to the guest recorded once");
	unlink(path);
	signalled(VU_RX);
}

/**
 * test_rx() - Frames to the guest
 */
static void test_rx(void)
{
	struct virtio_net_hdr_mrg_rxbuf h;
	uint8_t frame[1000];
	struct tap_gso gso = { .size = 500, .l4off = 34, .hlen = 66 };
	struct iovec iov = { .iov_base = frame, .iov_len = sizeof(frame) };
	unsigned int i;
	size_t n;

	for (i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;

	CHECK(device_up(F_BASE) && vu_ready() && tap_is_ready(&c),
	      "device up, no offloads: ready");
	CHECK(!tap_gso_ok(&c), "no GUEST_TSO: no super-frames from TCP");
	CHECK(!tap_csum_ok(&c), "no GUEST_CSUM: our checksums complete");
	CHECK_EQ_INT(tap_send_frames(&c, &iov, 1, 1), 0,
		     "no RX buffers: frame dropped");

	post(VU_RX, 0, BUF_OFF, 2048, true);
	signalled(VU_RX);
	tap_send_single(&c, frame, 100);
	memcpy(&h, g + BUF_OFF, sizeof(h));
	CHECK(le16toh(used(VU_RX)->idx) == 1 &&
	      le32toh(used(VU_RX)->ring[0].id) == 0 &&
	      le32toh(used(VU_RX)->ring[0].len) == sizeof(h) + 100,
	      "frame in one buffer: used entry, header + frame length");
	CHECK(le16toh(h.num_buffers) == 1 && !h.hdr.flags &&
	      h.hdr.gso_type == VIRTIO_NET_HDR_GSO_NONE,
	      "header: one buffer, no flags without GUEST_CSUM");
	CHECK(!memcmp(g + BUF_OFF + sizeof(h), frame, 100), "frame copied");
	CHECK(signalled(VU_RX), "guest signalled");

	/* Mergeable buffers: 1000 + 12 bytes in buffers of 300 */
	for (i = 2; i < 8; i++)
		post(VU_RX, i, BUF_OFF + i * 2048, 300, true);
	n = tap_send_frames(&c, &iov, 1, 1);
	memcpy(&h, g + BUF_OFF + 2 * 2048, sizeof(h));
	CHECK(n == 1 && le16toh(h.num_buffers) == 4 &&
	      le16toh(used(VU_RX)->idx) == 5,
	      "frame of 1000 bytes in buffers of 300: 4 merged buffers");
	CHECK(!memcmp(g + BUF_OFF + 2 * 2048 + sizeof(h), frame,
		      300 - sizeof(h))
	      && !memcmp(g + BUF_OFF + 3 * 2048, frame + 300 - sizeof(h), 300)
	      && !memcmp(g + BUF_OFF + 5 * 2048,
			 frame + 1000 - (1012 - 900), 1012 - 900),
	      "frame split over the buffers in order");

	/* Two left: not enough for another 1000 bytes, given back */
	n = tap_send_frames(&c, &iov, 1, 1);
	CHECK(n == 0 && le16toh(used(VU_RX)->idx) == 5,
	      "not enough buffers for a frame: dropped, nothing used");
	CHECK(!le16toh(used(VU_RX)->flags),
	      "out of buffers: guest asked to kick RX");
	tap_send_single(&c, frame, 200);
	CHECK(le16toh(used(VU_RX)->idx) == 6,
	      "buffers given back were used for the next frame");

	/* Event suppression */
	post(VU_RX, 8, BUF_OFF + 8 * 2048, 2048, true);
	signalled(VU_RX);
	((struct vring_avail *)(g + AVAIL(VU_RX)))->flags =
		htole16(VRING_AVAIL_F_NO_INTERRUPT);
	tap_send_single(&c, frame, 100);
	CHECK(le16toh(used(VU_RX)->idx) == 7 && !signalled(VU_RX),
	      "interrupts suppressed by the guest: not signalled");

	/* Offloads */
	CHECK(device_up(F_BASE | F_OFFLOADS) && tap_gso_ok(&c),
	      "GUEST_TSO4/6 and GUEST_CSUM: super-frames from TCP");
	post(VU_RX, 0, BUF_OFF, 2048, true);
	post(VU_RX, 1, BUF_OFF + 2048, 2048, true);
	tap_send_frames_gso(&c, &iov, 1, 1, &gso);
	memcpy(&h, g + BUF_OFF, sizeof(h));
	CHECK(h.hdr.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM &&
	      h.hdr.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 &&
	      le16toh(h.hdr.gso_size) == 500 && le16toh(h.hdr.hdr_len) == 66 &&
	      le16toh(h.hdr.csum_start) == 34 &&
	      le16toh(h.hdr.csum_offset) == offsetof(struct tcphdr, check),
	      "super-frame: GSO TCPv4, segment size, partial checksum");
	gso.size = 0;
	tap_send_frames_gso(&c, &iov, 1, 1, &gso);
	memcpy(&h, g + BUF_OFF + 2048, sizeof(h));
	CHECK(h.hdr.flags == VIRTIO_NET_HDR_F_DATA_VALID &&
	      h.hdr.gso_type == VIRTIO_NET_HDR_GSO_NONE,
	      "plain frame with GUEST_CSUM: checksum valid, no GSO");

	/* Partial checksum, no segmentation: the guest completes it */
	CHECK(tap_csum_ok(&c), "GUEST_CSUM: checksums left to the guest");
	post(VU_RX, 2, BUF_OFF + 2 * 2048, 2048, true);
	gso.csum = true;
	tap_send_frames_gso(&c, &iov, 1, 1, &gso);
	gso.csum = false;
	memcpy(&h, g + BUF_OFF + 2 * 2048, sizeof(h));
	CHECK(h.hdr.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM &&
	      h.hdr.gso_type == VIRTIO_NET_HDR_GSO_NONE && !h.hdr.gso_size &&
	      le16toh(h.hdr.csum_start) == 34 &&
	      le16toh(h.hdr.csum_offset) == offsetof(struct tcphdr, check),
	      "partial checksum: NEEDS_CSUM at the TCP header, no GSO");

	/* Broken RX ring: the front-end socket is shut down */
	((struct vring_avail *)(g + AVAIL(VU_RX)))->idx = htole16(1000);
	CHECK(tap_send_frames(&c, &iov, 1, 1) == 0 && !vu_ready(),
	      "RX available index jumping past the ring: broken");
	{
		char b;

		CHECK(recv(peer, &b, 1, MSG_DONTWAIT) == 0,
		      "broken RX ring: front-end socket shut down");
	}

	CHECK(device_up(F_BASE), "device up again");
	post(VU_RX, 0, BUF_OFF, 0, true);
	CHECK(tap_send_frames(&c, &iov, 1, 1) == 0 && !vu_ready() &&
	      !used(VU_RX)->idx, "RX chain of zero length: broken, unused");
}

/**
 * chain2() - Add a chain of two descriptors to the RX available ring
 * @i:		Index of the first descriptor (the head), the second follows
 * @off:	Offset of the first buffer in guest memory
 * @len0:	Length of the first buffer
 * @off1:	Offset of the second buffer
 * @len1:	Length of the second buffer
 * @flags1:	Flags of the second descriptor (VRING_DESC_F_WRITE for RX)
 */
static void chain2(unsigned int i, size_t off, uint32_t len0, size_t off1,
		   uint32_t len1, uint16_t flags1)
{
	struct vring_desc *d = (struct vring_desc *)(g + DESC(VU_RX));

	post(VU_RX, i, off, len0, true);
	d[i].flags = htole16(VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	d[i].next = htole16((uint16_t)(i + 1));
	d[i + 1].addr = htole64(GPA + off1);
	d[i + 1].len = htole32(len1);
	d[i + 1].flags = htole16(flags1);
	d[i + 1].next = 0;
}

/**
 * room_fill() - Write headers and payload of a frame in its room, as TCP
 *		 does (the payload as a recvmsg() would, through the buffers)
 * @s:		Room of the frame
 * @iov:	Payload buffers of the room
 * @hlen:	Header length given to tap_room()
 * @dlen:	Payload bytes to write
 * @seed:	First byte value of the payload (it counts up)
 */
static void room_fill(const struct tap_slot *s, const struct iovec *iov,
		      size_t hlen, size_t dlen, uint8_t seed)
{
	unsigned int i;
	size_t j;

	memset(s->hdr - hlen, 0xee, hlen);
	for (i = s->iov; i < s->iov + s->niov && dlen; i++) {
		for (j = 0; j < iov[i].iov_len && dlen; j++, dlen--)
			((uint8_t *)iov[i].iov_base)[j] = seed++;
	}
}

/**
 * test_room() - Room in the guest's RX buffers: payload written in place
 */
static void test_room(void)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_VHOST_KICK, .data = VU_RX };
	struct virtio_net_hdr_mrg_rxbuf h;
	unsigned long long b0, c0, b1, c1;
	struct tap_slot s[4];
	struct iovec iov[64];
	uint8_t *p8;
	uint64_t one = 1;
	unsigned int i;
	size_t n, k;
	bool ok;

	CHECK(device_up(F_BASE | F_OFFLOADS), "room: device up");
	ref.fd = kick[VU_RX];

	/* Empty ring: no room, nothing taken, kicks asked for */
	((struct vring_used *)(g + USED(VU_RX)))->flags =
		htole16(VRING_USED_F_NO_NOTIFY);
	CHECK_EQ_INT(tap_room(&c, 54, 1000, 2, s, iov, 64), 0,
		     "room: empty ring, no room");
	CHECK(!used(VU_RX)->idx && !le16toh(used(VU_RX)->flags),
	      "room: empty ring, nothing used, RX kicks enabled");
	tap_room_end(&c);
	CHECK(!tap_out_flush(&c) && !used(VU_RX)->idx && !signalled(VU_RX),
	      "room: empty ring, nothing published, no signal");

	/* The guest adds buffers and kicks: no more kicks wanted */
	post(VU_RX, 0, BUF_OFF, 300, true);
	(void)!write(kick[VU_RX], &one, sizeof(one));
	CHECK(!vu_kick(&c, ref, &now) &&
	      (le16toh(used(VU_RX)->flags) & VRING_USED_F_NO_NOTIFY),
	      "room: RX kick handled, kicks off again");

	/* Mergeable chains: 12 + 54 + 1000 bytes in buffers of 300 */
	for (i = 1; i < 4; i++)
		post(VU_RX, i, BUF_OFF + i * 2048, 300, true);
	vu_rx_stats(&b0, &c0);
	n = tap_room(&c, 54, 1000, 1, s, iov, 64);
	for (i = 0, k = 0; i < s[0].niov; i++)
		k += iov[s[0].iov + i].iov_len;
	/* Our mapping of guest memory isn't vhost_user.c's: compare offsets */
	CHECK(n == 1 && s[0].niov == 4 && k == 1000 &&
	      iov[0].iov_base == s[0].hdr &&
	      (uint8_t *)iov[1].iov_base - s[0].hdr == 2048 - 66,
	      "room: frame over 4 chains, headers in the first buffer, "
	      "payload right after them");
	room_fill(&s[0], iov, 54, 1000, 0);
	tap_commit(&c, &s[0], iov, 1000, NULL);
	tap_room_end(&c);
	CHECK(!used(VU_RX)->idx, "room: committed, not published yet");
	CHECK(!tap_out_flush(&c) && le16toh(used(VU_RX)->idx) == 4 &&
	      signalled(VU_RX), "room: published at flush, guest signalled");
	memcpy(&h, g + BUF_OFF, sizeof(h));
	ok = le16toh(h.num_buffers) == 4;
	for (i = 0; i < 4; i++) {
		ok &= le32toh(used(VU_RX)->ring[i].id) == i;
		ok &= le32toh(used(VU_RX)->ring[i].len) == (i < 3 ? 300 :
							    1066 - 900);
	}
	CHECK(ok, "room: 4 used entries in order, num_buffers 4");
	CHECK(g[BUF_OFF + sizeof(h)] == 0xee &&
	      g[BUF_OFF + sizeof(h) + 54] == 0 &&
	      g[BUF_OFF + 2048] == (uint8_t)(300 - 66),
	      "room: headers and payload where the guest expects them");
	vu_rx_stats(&b1, &c1);
	CHECK(b1 - b0 == 1054 && c1 - c0 == sizeof(h),
	      "room: 1054 bytes to the guest, only the virtio_net_hdr copied");

	/* Two frames asked for, a short peek covers part of the first: the
	 * other chains go back, and the next frame starts with them
	 */
	for (i = 8; i < 16; i++)
		post(VU_RX, i, BUF_OFF + i * 2048, 300, true);
	n = tap_room(&c, 54, 1000, 2, s, iov, 64);
	CHECK(n == 2 && s[1].hdr - s[0].hdr == 4 * 2048,
	      "room: two frames of 4 chains each");
	p8 = s[0].hdr;
	room_fill(&s[0], iov, 54, 400, 0);
	tap_commit(&c, &s[0], iov, 400, NULL);
	tap_room_end(&c);
	tap_out_flush(&c);
	memcpy(&h, g + BUF_OFF + 8 * 2048, sizeof(h));
	CHECK(le16toh(used(VU_RX)->idx) == 6 && le16toh(h.num_buffers) == 2 &&
	      le32toh(used(VU_RX)->ring[5].id) == 9 &&
	      le32toh(used(VU_RX)->ring[5].len) == 466 - 300,
	      "room: short peek, two chains used");
	n = tap_room(&c, 54, 100, 1, s, iov, 64);
	CHECK(n == 1 && s[0].hdr - p8 == 2 * 2048,
	      "room: unused chains given back, taken again in order");
	tap_room_end(&c);
	tap_send_single(&c, g + BUF_OFF, 60);
	CHECK(le16toh(used(VU_RX)->idx) == 7 &&
	      le32toh(used(VU_RX)->ring[6].id) == 10,
	      "room: closed without commit, chain used by the next frame");

	/* Headers not fitting the first buffer: built aside, copied */
	CHECK(device_up(F_BASE | F_OFFLOADS), "room: device up again");
	chain2(0, BUF_OFF, sizeof(h), BUF_OFF + 0x1000, 2000,
	       VRING_DESC_F_WRITE);
	n = tap_room(&c, 54, 500, 1, s, iov, 64);
	room_fill(&s[0], iov, 54, 500, 1);
	CHECK(n == 1 && s[0].niov == 1 && iov[0].iov_len == 500 &&
	      !g[BUF_OFF + 0x1000] && g[BUF_OFF + 0x1000 + 54] == 1,
	      "room: first buffer only holds the virtio_net_hdr: headers "
	      "aside, payload in the second buffer after their room");
	tap_commit(&c, &s[0], iov, 500, NULL);
	tap_room_end(&c);
	tap_out_flush(&c);
	memcpy(&h, g + BUF_OFF, sizeof(h));
	CHECK(le16toh(used(VU_RX)->idx) == 1 &&
	      le32toh(used(VU_RX)->ring[0].len) == sizeof(h) + 554 &&
	      le16toh(h.num_buffers) == 1 &&
	      g[BUF_OFF + 0x1000] == 0xee && g[BUF_OFF + 0x1000 + 53] == 0xee &&
	      g[BUF_OFF + 0x1000 + 54] == 1,
	      "room: headers copied to the chain, before the payload");

	/* Hostile chains: the front-end is dropped, nothing written */
	chain2(2, BUF_OFF + 0x2000, 100, BUF_OFF + 0x3000, 2000, 0);
	memset(g + BUF_OFF + 0x2000, 0x55, 100);
	CHECK(tap_room(&c, 54, 100, 1, s, iov, 64) == 0 && !vu_ready() &&
	      le16toh(used(VU_RX)->idx) == 1 &&
	      g[BUF_OFF + 0x2000] == 0x55,
	      "room: read-only buffer in an RX chain: broken, untouched");

	CHECK(device_up(F_BASE | F_OFFLOADS), "room: device up again");
	post(VU_RX, 0, GMEM_SIZE - 100, 2000, true);
	CHECK(tap_room(&c, 54, 100, 1, s, iov, 64) == 0 && !vu_ready() &&
	      !used(VU_RX)->idx,
	      "room: RX buffer past the end of guest memory: broken");

	CHECK(device_up(F_BASE | F_OFFLOADS), "room: device up again");
	post(VU_RX, 0, BUF_OFF, 0, true);
	CHECK(tap_room(&c, 54, 100, 1, s, iov, 64) == 0 && !vu_ready() &&
	      !used(VU_RX)->idx, "room: RX chain of zero length: broken");
	CHECK(!tap_queue(&c, g, 60), "room: no queueing on a broken ring");
}

/**
 * test_event_idx() - EVENT_IDX negotiated: used_event decides signals,
 *		      avail_event asks for kicks, ring flags ignored
 */
static void test_event_idx(void)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_VHOST_KICK, .data = VU_TX };
	struct vring_avail *ra = (struct vring_avail *)(g + AVAIL(VU_RX));
	struct vring_avail *ta = (struct vring_avail *)(g + AVAIL(VU_TX));
	__virtio16 *tx_avail_event = (__virtio16 *)&used(VU_TX)->ring[QSIZE];
	__virtio16 *rx_avail_event = (__virtio16 *)&used(VU_RX)->ring[QSIZE];
	uint8_t frame[100] = { 0 };
	unsigned int i;

	CHECK(device_up(F_BASE | (1ULL << VIRTIO_RING_F_EVENT_IDX)),
	      "device up with EVENT_IDX");
	ref.fd = kick[VU_TX];

	for (i = 0; i < 4; i++)
		post(VU_RX, i, BUF_OFF + i * 2048, 2048, true);
	signalled(VU_RX);

	/* The flag means nothing now: used_event 0, index 0 -> 1 */
	ra->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
	ra->ring[QSIZE] = htole16(0);
	tap_send_single(&c, frame, sizeof(frame));
	CHECK(le16toh(used(VU_RX)->idx) == 1 && signalled(VU_RX),
	      "used index past used_event: signalled despite the flag");

	ra->flags = 0;
	ra->ring[QSIZE] = htole16(2);
	tap_send_single(&c, frame, sizeof(frame));
	CHECK(le16toh(used(VU_RX)->idx) == 2 && !signalled(VU_RX),
	      "used_event ahead: not signalled, flag clear or not");
	tap_send_single(&c, frame, sizeof(frame));
	CHECK(le16toh(used(VU_RX)->idx) == 3 && signalled(VU_RX),
	      "used index 2 -> 3 crosses used_event 2: signalled");

	/* RX ring exhausted: avail_event set to the next entry we'd take */
	tap_send_single(&c, frame, sizeof(frame));
	tap_send_single(&c, frame, sizeof(frame));
	CHECK(le16toh(used(VU_RX)->idx) == 4 &&
	      le16toh(*rx_avail_event) == 4,
	      "no RX buffers: avail_event published, kick on the next one");

	/* TX: after draining, avail_event is where the guest adds next */
	post(VU_TX, 0, BUF_OFF + 0x40000, 6, false);
	post(VU_TX, 1, BUF_OFF + 0x40000, 6, false);
	ta->ring[QSIZE] = htole16(0xffff);	/* no TX signals wanted */
	signalled(VU_TX);
	CHECK(!vu_kick(&c, ref, &now) && le16toh(used(VU_TX)->idx) == 2 &&
	      le16toh(*tx_avail_event) == 2 && !used(VU_TX)->flags,
	      "TX drained: avail_event 2, flags untouched");
	CHECK(!signalled(VU_TX), "TX used_event far ahead: not signalled");

	/* Hostile values are only decisions */
	ta->ring[QSIZE] = htole16(2);
	post(VU_TX, 2, BUF_OFF + 0x40000, 6, false);
	CHECK(!vu_kick(&c, ref, &now) && le16toh(used(VU_TX)->idx) == 3 &&
	      signalled(VU_TX), "TX used index crosses used_event: signal");
}

/**
 * arp_req() - Build an ARP request from the guest for the gateway
 * @buf:	Buffer, at least 42 bytes
 *
 * Return: frame length
 */
static size_t arp_req(uint8_t *buf)
{
	static const uint8_t mac[ETH_ALEN] = { 0x52, 0x54, 0, 1, 2, 3 };
	struct ethhdr eh = { .h_proto = htons(ETH_P_ARP) };
	struct arphdr ah = { .ar_hrd = htons(ARPHRD_ETHER),
			     .ar_pro = htons(ETH_P_IP), .ar_hln = ETH_ALEN,
			     .ar_pln = 4, .ar_op = htons(ARPOP_REQUEST) };
	uint8_t *p = buf;

	memset(eh.h_dest, 0xff, ETH_ALEN);
	memcpy(eh.h_source, mac, ETH_ALEN);
	memcpy(p, &eh, sizeof(eh));
	p += sizeof(eh);
	memcpy(p, &ah, sizeof(ah));
	p += sizeof(ah);
	memcpy(p, mac, ETH_ALEN);
	memcpy(p + ETH_ALEN, &c.ip4.addr, 4);
	memset(p + ETH_ALEN + 4, 0, ETH_ALEN);
	memcpy(p + 2 * ETH_ALEN + 4, &c.ip4.gw, 4);
	return sizeof(eh) + sizeof(ah) + 2 * ETH_ALEN + 8;
}

/**
 * test_tx() - Frames from the guest
 */
static void test_tx(void)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_VHOST_KICK, .data = VU_TX };
	struct virtio_net_hdr_mrg_rxbuf h = { 0 };
	uint8_t arp[64];
	uint64_t one = 1;
	size_t alen = arp_req(arp);
	struct vring_desc *d = (struct vring_desc *)(g + DESC(VU_TX));
	struct vring_avail *a = (struct vring_avail *)(g + AVAIL(VU_TX));

	CHECK(device_up(F_BASE | F_OFFLOADS), "device up again");
	ref.fd = kick[VU_TX];

	/* Header and frame in one buffer */
	memcpy(g + BUF_OFF, &h, sizeof(h));
	memcpy(g + BUF_OFF + sizeof(h), arp, alen);
	post(VU_TX, 0, BUF_OFF, (uint32_t)(sizeof(h) + alen), false);
	post(VU_RX, 0, BUF_OFF + 0x10000, 2048, true);
	memset(g + BUF_OFF + 0x10000, 0xee, 2048);
	(void)!write(kick[VU_TX], &one, sizeof(one));
	CHECK(!vu_kick(&c, ref, &now), "TX kick handled");
	CHECK(le16toh(used(VU_TX)->idx) == 1 &&
	      le32toh(used(VU_TX)->ring[0].id) == 0,
	      "TX chain given back");
	CHECK(le16toh(used(VU_RX)->idx) == 1 &&
	      le32toh(used(VU_RX)->ring[0].len) == sizeof(h) + ETH_ZLEN &&
	      !memcmp(g + BUF_OFF + 0x10000 + sizeof(h), arp + ETH_ALEN,
		      ETH_ALEN),
	      "ARP request from the guest answered, to its MAC");
	CHECK(alen < ETH_ZLEN &&
	      !memcmp(g + BUF_OFF + 0x10000 + sizeof(h) + alen,
		      (uint8_t [ETH_ZLEN]){ 0 }, ETH_ZLEN - alen),
	      "ARP reply padded with zeroes to 60 bytes");

	/* Header alone, frame split over two more descriptors: gathered */
	memcpy(g + BUF_OFF, &h, sizeof(h));
	memcpy(g + BUF_OFF + 0x100, arp, 20);
	memcpy(g + BUF_OFF + 0x200, arp + 20, alen - 20);
	d[1] = (struct vring_desc){ htole64(GPA + BUF_OFF), htole32(sizeof(h)),
				    htole16(VRING_DESC_F_NEXT), htole16(2) };
	d[2] = (struct vring_desc){ htole64(GPA + BUF_OFF + 0x100),
				    htole32(20), htole16(VRING_DESC_F_NEXT),
				    htole16(3) };
	d[3] = (struct vring_desc){ htole64(GPA + BUF_OFF + 0x200),
				    htole32(alen - 20), 0, 0 };
	a->ring[1] = htole16(1);
	a->idx = htole16(2);
	post(VU_RX, 1, BUF_OFF + 0x11000, 2048, true);
	CHECK(!vu_kick(&c, ref, &now) && le16toh(used(VU_TX)->idx) == 2 &&
	      le16toh(used(VU_RX)->idx) == 2,
	      "frame in three buffers: gathered, answered");

	/* Too short for a header: dropped, chain given back */
	post(VU_TX, 4, BUF_OFF, 6, false);
	CHECK(!vu_kick(&c, ref, &now) && le16toh(used(VU_TX)->idx) == 3 &&
	      le16toh(used(VU_RX)->idx) == 2,
	      "chain shorter than the header: dropped, given back");

	/* Bad virtio_net_hdr: segmentation of ARP */
	h.hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.hdr.gso_size = htole16(100);
	memcpy(g + BUF_OFF, &h, sizeof(h));
	memcpy(g + BUF_OFF + sizeof(h), arp, alen);
	post(VU_TX, 5, BUF_OFF, (uint32_t)(sizeof(h) + alen), false);
	post(VU_RX, 2, BUF_OFF + 0x12000, 2048, true);
	CHECK(!vu_kick(&c, ref, &now) && le16toh(used(VU_TX)->idx) == 4 &&
	      le16toh(used(VU_RX)->idx) == 2,
	      "ARP frame with a GSO header: dropped");

	/* Device-writable buffer on TX: given back, not parsed */
	h.hdr.gso_type = 0;
	h.hdr.gso_size = 0;
	memcpy(g + BUF_OFF, &h, sizeof(h));
	post(VU_TX, 6, BUF_OFF, (uint32_t)(sizeof(h) + alen), true);
	CHECK(!vu_kick(&c, ref, &now) && le16toh(used(VU_TX)->idx) == 5 &&
	      le16toh(used(VU_RX)->idx) == 2,
	      "writable TX buffer: given back unparsed");

	/* A full batch takes the last chain: kicks must be back on. Eight
	 * 64 KiB chains fill the TX arena (VU_TX_ARENA) of one batch: ARP
	 * frames, which are copied whole
	 */
	{
		uint16_t start = le16toh(used(VU_TX)->idx);
		unsigned int k;

		memset(g + BUF_OFF + 0x40000, 0, 0x10000);
		g[BUF_OFF + 0x40000 + sizeof(h) + 12] = ETH_P_ARP >> 8;
		g[BUF_OFF + 0x40000 + sizeof(h) + 13] = ETH_P_ARP & 0xff;
		for (k = 0; k < 8; k++)
			post(VU_TX, k, BUF_OFF + 0x40000, 0x10000, false);
		CHECK(!vu_kick(&c, ref, &now) &&
		      le16toh(used(VU_TX)->idx) == (uint16_t)(start + 8) &&
		      !(le16toh(used(VU_TX)->flags) & VRING_USED_F_NO_NOTIFY),
		      "full batch takes the last chain: kicks enabled again");
	}

	/* Loop in the TX ring: broken, disconnect */
	d[7] = (struct vring_desc){ htole64(GPA + BUF_OFF), htole32(16),
				    htole16(VRING_DESC_F_NEXT), htole16(7) };
	a->ring[le16toh(a->idx) % QSIZE] = htole16(7);
	a->idx = htole16(le16toh(a->idx) + 1);
	CHECK(vu_kick(&c, ref, &now) == -1, "TX chain loop: disconnect");

	/* GET_VRING_BASE: where we are, kicks no longer watched */
	CHECK(device_up(F_BASE), "device up again");
	post(VU_TX, 0, BUF_OFF, 6, false);
	CHECK(!vu_kick(&c, (union epoll_ref){ .type = EPOLL_TYPE_VHOST_KICK,
					      .fd = kick[VU_TX],
					      .data = VU_TX }, &now),
	      "kick");
	{
		struct vhost_vring_state s = { .index = VU_TX };

		CHECK(!msg(VHOST_USER_GET_VRING_BASE, 0, &s, sizeof(s), NULL,
			   0) && rh.size == sizeof(s) && rp.state.num == 1 &&
		      rp.state.index == VU_TX,
		      "GET_VRING_BASE: index after the chain we used");
	}
	post(VU_TX, 1, BUF_OFF, 6, false);
	CHECK(!vu_kick(&c, (union epoll_ref){ .type = EPOLL_TYPE_VHOST_KICK,
					      .fd = kick[VU_TX],
					      .data = VU_TX }, &now) &&
	      le16toh(used(VU_TX)->idx) == 1,
	      "stopped ring: kicks ignored");
}

/**
 * open_fds() - Count our open file descriptors
 *
 * Return: number of entries in /proc/self/fd
 */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/**
 * send_raw() - Write bytes on the front-end's end, with a descriptor
 * @buf:	Bytes
 * @len:	Length
 * @fd:		Descriptor to pass, -1 for none
 */
static void send_raw(const void *buf, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	}
	(void)!sendmsg(peer, &mh, 0);
}

/**
 * new_pair() - New front-end connection: c.fd_tap and peer
 */
static void new_pair(void)
{
	int sv[2];

	if (peer >= 0)
		close(peer);
	if (c.fd_tap >= 0)
		close(c.fd_tap);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		c.fd_tap = peer = -1;
		return;
	}
	c.fd_tap = sv[0];
	peer = sv[1];
	fd_set_nonblock(c.fd_tap);
}

/**
 * test_socket() - vu_cmd_input(): framing on the socket, descriptors
 */
static void test_socket(void)
{
	struct vu_hdr h = { .request = VHOST_USER_GET_FEATURES,
			    .flags = VHOST_USER_VERSION };
	uint8_t buf[64];
	int before, efd;
	ssize_t n;

	new_pair();
	CHECK(vu_cmd_input(&c, &now) == 0, "nothing to read: fine");

	send_raw(&h, sizeof(h), -1);
	CHECK(vu_cmd_input(&c, &now) == 0, "GET_FEATURES on the socket");
	n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT);
	memcpy(&h, buf, sizeof(h));
	CHECK(n == sizeof(h) + 8 && h.size == 8 &&
	      h.flags == (VHOST_USER_VERSION | VHOST_USER_FLAG_REPLY),
	      "reply: header with REPLY flag, 8 bytes of features");

	efd = eventfd(0, 0);
	before = open_fds();
	h = (struct vu_hdr){ .request = VHOST_USER_GET_FEATURES,
			     .flags = VHOST_USER_VERSION };
	send_raw(&h, sizeof(h), efd);
	CHECK(vu_cmd_input(&c, &now) == 0 && open_fds() == before,
	      "descriptor with a message that takes none: closed");
	recv(peer, buf, sizeof(buf), MSG_DONTWAIT);

	h.request = VHOST_USER_SET_VRING_NUM;
	h.size = 5000;
	send_raw(&h, sizeof(h), efd);
	CHECK(vu_cmd_input(&c, &now) == -1 && open_fds() == before,
	      "payload larger than we take: disconnect, descriptor closed");
	close(efd);

	new_pair();
	send_raw(&h, 6, -1);
	shutdown(peer, SHUT_WR);
	CHECK(vu_cmd_input(&c, &now) == -1, "cut header: disconnect");

	new_pair();
	h.size = 8;
	send_raw(&h, sizeof(h), -1);
	send_raw("abc", 3, -1);
	shutdown(peer, SHUT_WR);
	CHECK(vu_cmd_input(&c, &now) == -1, "cut payload: disconnect");

	new_pair();
	close(peer);
	peer = -1;
	CHECK(vu_cmd_input(&c, &now) == -1, "front-end gone: disconnect");

	/* A payload trickling in, a byte every 300 ms: given up after 1 s */
	new_pair();
	h = (struct vu_hdr){ .request = VHOST_USER_GET_QUEUE_NUM,
			     .flags = VHOST_USER_VERSION, .size = 8 };
	send_raw(&h, sizeof(h), -1);
	{
		struct timespec t0, t1;
		pid_t pid = fork();
		int i;

		if (!pid) {
			for (i = 0; i < 8; i++) {
				usleep(300 * 1000);
				send_raw("x", 1, -1);
			}
			_exit(0);
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CHECK(vu_cmd_input(&c, &now) == -1,
		      "payload trickling in: disconnect");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		CHECK(t1.tv_sec - t0.tv_sec < 2,
		      "payload trickling in: given up within 2 s");
		waitpid(pid, NULL, 0);
	}
	new_pair();
}

/**
 * main() - Set up a context, guest memory and eventfds, run the tests
 *
 * Return: 0 if all passed
 */
int main(void)
{
	unit_ctx_init(&c);
	c.vhost_user = 1;
	c.fd_tap = -1;
	c.epollfd = epoll_create1(0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	memcpy(c.guest_mac, (uint8_t []){ 0x52, 0x54, 0, 1, 2, 3 }, ETH_ALEN);

	memfd = memfd_create("guest", 0);
	if (memfd < 0 || ftruncate(memfd, GMEM_SIZE)) {
		CHECK(0, "memfd for guest memory");
		return unit_done();
	}
	g = mmap(NULL, GMEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		 0);
	if (g == MAP_FAILED) {
		CHECK(0, "mapping guest memory");
		return unit_done();
	}
	new_pair();

	test_messages();
	test_mem_table();
	test_rx();
	new_pair();
	test_rx_pcap();
	new_pair();
	test_room();
	new_pair();
	test_tx();
	test_event_idx();
	test_socket();

	vu_reset(&c);
	return unit_done();
}
