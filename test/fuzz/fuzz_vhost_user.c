/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_vhost_user.c - libFuzzer target: vhost-user messages from the
 *		       front-end, then frames through the rings they set up
 *
 * Input: a sequence of messages, each a 12-byte header (request, flags,
 * size, host order as on the socket) and its payload (cut at the end of
 * the input). Messages that carry file descriptors get them: one per
 * announced region for SET_MEM_TABLE (a memfd of FUZZ_MEM bytes), an
 * eventfd for SET_VRING_KICK, _CALL and _ERR unless "no fd" is set. Three
 * requests of our own drive the rest:
 *	FUZZ_WRITE: payload = 16-bit offset, then bytes to write to guest
 *		    memory (the memfd) there
 *	FUZZ_TX:    the guest kicked TX: vu_tx()
 *	FUZZ_RX:    payload = a frame to send to the guest (and its
 *		    struct tap_gso in the first bytes if the guest takes TSO)
 * Frames handed to the parser (tap_vu_frame(), a stub here) are read
 * whole, so that AddressSanitizer sees any byte out of place, and the
 * buffer for their copy is filled; guest memory itself is a mapping of the
 * memfd: a stray access faults.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "../../virtio.c"
#include "../../vhost_user.c"
#include "fuzz_common.h"

#define FUZZ_MEM	0x10000
#define FUZZ_WRITE	0x1000
#define FUZZ_TX		0x1001
#define FUZZ_RX		0x1002

static struct ctx c;
static int memfd = -1;
static uint8_t *gmem;

/**
 * tap_vu_frame() - Stand-in for the parser: read the whole frame in guest
 *		    memory, fill the buffer given for its copy
 * @c:		Execution context, unused
 * @h:		virtio_net_hdr, unused
 * @iov:	Frame, in guest memory
 * @niov:	Number of pieces
 * @len:	Length of the frame
 * @buf:	Buffer for our copy, room for @len bytes
 * @now:	Current time, unused
 *
 * Return: @len, as if copied whole
 */
size_t tap_vu_frame(struct ctx *c, const struct virtio_net_hdr *h,
		    const struct iovec *iov, size_t niov, size_t len,
		    uint8_t *buf, const struct timespec *now)
{
	size_t i, total = 0;

	(void)c;
	(void)h;
	(void)now;
	for (i = 0; i < niov; i++) {
		fuzz_touch(iov[i].iov_base, iov[i].iov_len);
		total += iov[i].iov_len;
	}
	if (total != len)
		abort();
	memset(buf, 0xa5, len);
	return len;
}

/**
 * tap_vu_flush() - Stand-in: nothing pending
 * @c:		Execution context, unused
 * @now:	Current time, unused
 */
void tap_vu_flush(struct ctx *c, const struct timespec *now)
{
	(void)c;
	(void)now;
}

/**
 * tap_room_again() - Stand-in: nobody waits for room here
 * @c:		Execution context, unused
 * @now:	Current time, unused
 */
void tap_room_again(struct ctx *c, const struct timespec *now)
{
	(void)c;
	(void)now;
}

/**
 * tap_vnet_hdr() - Stand-in for the header builder: offload flag only
 * @h:		Header to fill
 * @gso:	Segmentation or partial checksum, NULL for none
 */
void tap_vnet_hdr(struct virtio_net_hdr *h, const struct tap_gso *gso)
{
	memset(h, 0, sizeof(*h));
	if (gso && (gso->size || gso->csum))
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
}

/**
 * pcap_frames_iov() - Stand-in for the capture: read every frame given
 * @iov:	Buffers of the frames
 * @bufs_per_frame:	Buffers per frame
 * @nframes:	Number of frames
 */
void pcap_frames_iov(const struct iovec *iov, size_t bufs_per_frame,
		     size_t nframes)
{
	size_t i;

	for (i = 0; i < bufs_per_frame * nframes; i++)
		fuzz_touch(iov[i].iov_base, iov[i].iov_len);
}

/**
 * seed_msg() - Append a message to a seed buffer
 * @buf:	Buffer
 * @off:	Current length, updated
 * @req:	Request
 * @p:		Payload
 * @size:	Payload size
 */
static void seed_msg(uint8_t *buf, size_t *off, uint32_t req, const void *p,
		     uint32_t size)
{
	struct vu_hdr h = { .request = req, .flags = VHOST_USER_VERSION,
			    .size = size };

	memcpy(buf + *off, &h, sizeof(h));
	if (size)
		memcpy(buf + *off + sizeof(h), p, size);
	*off += sizeof(h) + size;
}

/**
 * LLVMFuzzerInitialize() - Guest memory, and seed inputs if asked to
 * @argc:	Argument count, unused
 * @argv:	Arguments, unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static uint8_t s[4096];
	uint64_t f = (1ULL << VIRTIO_F_VERSION_1) |
		     (1ULL << VIRTIO_NET_F_MRG_RXBUF) |
		     (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |
		     (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
		     (1ULL << VIRTIO_NET_F_GUEST_TSO4) |
		     (1ULL << VIRTIO_NET_F_GUEST_TSO6);
	struct vu_mem_msg m = { .nregions = 1,
				.r = { { .gpa = 0, .size = FUZZ_MEM,
					 .uva = 0x10000000 } } };
	size_t off = 0;
	unsigned int q;

	(void)argc;
	(void)argv;

	memfd = memfd_create("fuzz-guest", 0);
	if (memfd < 0 || ftruncate(memfd, FUZZ_MEM))
		abort();
	gmem = mmap(NULL, FUZZ_MEM, PROT_READ | PROT_WRITE, MAP_SHARED,
		    memfd, 0);
	if (gmem == MAP_FAILED)
		abort();
	c.fd_tap = -1;
	c.vhost_user = 1;

	/* What QEMU sends, then a frame each way */
	seed_msg(s, &off, VHOST_USER_SET_FEATURES, &f, sizeof(f));
	seed_msg(s, &off, VHOST_USER_SET_MEM_TABLE, &m,
		 offsetof(struct vu_mem_msg, r) + sizeof(m.r[0]));
	for (q = 0; q < VU_QUEUES; q++) {
		struct vhost_vring_state st = { .index = q, .num = 8 };
		struct vhost_vring_addr a = {
			.index = q,
			.desc_user_addr = 0x10000000 + q * 0x1000,
			.avail_user_addr = 0x10000000 + q * 0x1000 + 0x200,
			.used_user_addr = 0x10000000 + q * 0x1000 + 0x400,
		};
		uint64_t v = q;

		seed_msg(s, &off, VHOST_USER_SET_VRING_NUM, &st, sizeof(st));
		st.num = 0;
		seed_msg(s, &off, VHOST_USER_SET_VRING_BASE, &st, sizeof(st));
		seed_msg(s, &off, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a));
		seed_msg(s, &off, VHOST_USER_SET_VRING_KICK, &v, sizeof(v));
		seed_msg(s, &off, VHOST_USER_SET_VRING_CALL, &v, sizeof(v));
		st.num = 1;
		seed_msg(s, &off, VHOST_USER_SET_VRING_ENABLE, &st,
			 sizeof(st));
	}
	{
		/* TX: descriptor 0 -> 0x4000, 60 bytes; RX: 0 -> 0x5000 */
		struct vring_desc d = { .addr = 0x4000, .len = 60 };
		uint8_t w[2 + sizeof(d)];
		uint16_t av[3] = { 0, 1, 0 };
		uint8_t wa[2 + sizeof(av)];

		w[0] = 0x00;
		w[1] = 0x10;	/* TX descriptor table at 0x1000 */
		memcpy(w + 2, &d, sizeof(d));
		seed_msg(s, &off, FUZZ_WRITE, w, sizeof(w));
		wa[0] = 0x00;
		wa[1] = 0x12;	/* TX available ring at 0x1200 */
		memcpy(wa + 2, av, sizeof(av));
		seed_msg(s, &off, FUZZ_WRITE, wa, sizeof(wa));
		seed_msg(s, &off, FUZZ_TX, NULL, 0);

		d.addr = 0x5000;
		d.len = 2048;
		d.flags = VRING_DESC_F_WRITE;
		w[1] = 0x00;	/* RX descriptor table at 0 */
		memcpy(w + 2, &d, sizeof(d));
		seed_msg(s, &off, FUZZ_WRITE, w, sizeof(w));
		wa[1] = 0x02;	/* RX available ring at 0x200 */
		seed_msg(s, &off, FUZZ_WRITE, wa, sizeof(wa));
		seed_msg(s, &off, FUZZ_RX, "0123456789abcdefghijklmnopq", 27);
	}
	fuzz_seed("setup", s, off);
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Play a sequence of messages
 * @data:	Input, see the top
 * @size:	Length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union vu_payload p, rp;
	struct timespec now = { 0 };
	struct vu_hdr h, rh;

	vu_reset(&c);
	memset(gmem, 0, FUZZ_MEM);

	while (size >= sizeof(h)) {
		int fds[VHOST_USER_FDS_MAX];
		size_t nfds = 0, i, len;

		memcpy(&h, data, sizeof(h));
		data += sizeof(h);
		size -= sizeof(h);
		len = MIN(h.size, size);
		if (len > sizeof(p))
			len = sizeof(p);
		memset(&p, 0, sizeof(p));
		memcpy(&p, data, len);
		data += len;
		size -= len;
		h.size = (uint32_t)len;

		if (h.request == FUZZ_WRITE) {
			size_t at = len >= 2 ? (size_t)(p.raw[0] |
							p.raw[1] << 8) : 0;

			if (len > 2 && at < FUZZ_MEM)
				memcpy(gmem + at, p.raw + 2,
				       MIN(len - 2, FUZZ_MEM - at));
			continue;
		}
		if (h.request == FUZZ_TX) {
			if (vu_tx(&c, &now))
				vu_reset(&c);
			continue;
		}
		if (h.request == FUZZ_RX) {
			struct tap_gso gso = { 0 };
			struct iovec iov = { .iov_base = p.raw,
					     .iov_len = len };

			if (vu_gso_ok() && len >= sizeof(gso)) {
				memcpy(&gso.size, p.raw, 2);
				memcpy(&gso.l4off, p.raw + 2, 2);
				memcpy(&gso.hlen, p.raw + 4, 2);
				gso.v6 = p.raw[6] & 1;
				iov.iov_base = p.raw + sizeof(gso);
				iov.iov_len = len - sizeof(gso);
			}
			vu_send_frames(&c, &iov, 1, 1,
				       vu_gso_ok() ? &gso : NULL);
			continue;
		}

		if (h.request == VHOST_USER_SET_MEM_TABLE) {
			for (i = 0; i < MIN(p.mem.nregions, 8U); i++)
				fds[nfds++] = dup(memfd);
		} else if ((h.request == VHOST_USER_SET_VRING_KICK ||
			    h.request == VHOST_USER_SET_VRING_CALL ||
			    h.request == VHOST_USER_SET_VRING_ERR) &&
			   !(p.u64 & VHOST_USER_VRING_NOFD)) {
			fds[nfds++] = eventfd(0, EFD_NONBLOCK);
		}

		if (vu_msg_handle(&c, &h, &p, fds, nfds, &rh, &rp, &now))
			vu_reset(&c);
		if (rh.size > sizeof(rp))
			abort();

		for (i = 0; i < nfds; i++) {
			if (fds[i] >= 0)
				close(fds[i]);
		}
	}

	vu_reset(&c);
	return 0;
}
