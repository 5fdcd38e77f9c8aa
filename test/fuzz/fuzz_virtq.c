/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_virtq.c - libFuzzer target: walking a virtqueue the guest wrote
 *
 * Input: ring size (log2, modulo 11: 1 to 1024 entries), a flags byte (bit
 * 0: device-writable buffers wanted, RX; bit 1: give back every other
 * chain), our starting available index (16 bits, little-endian), then the
 * available ring (flags, idx, entries) and, after it, the descriptor
 * table. Buffers may point anywhere: the guest memory is two regions with
 * a hole between them, and each buffer we get is read and written whole,
 * so that AddressSanitizer sees any byte outside the regions.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../virtio.c"
#include "fuzz_seed.h"

#ifndef MIN
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#endif

/* Guest memory: region 0 at 0 (rings, then buffers), region 1 at 1 MiB */
#define R0_SIZE		0x10000
#define R1_SIZE		0x1000
#define R1_GPA		0x100000	/* hole below */
#define AVAIL_OFF	0x0
#define DESC_OFF	0x1000
#define USED_OFF	0x6000

static uint8_t r0[R0_SIZE] __attribute__((aligned(4096)));
static uint8_t r1[R1_SIZE] __attribute__((aligned(4096)));
static volatile uint32_t sink;

/**
 * LLVMFuzzerInitialize() - Write seed inputs, if asked to
 * @argc:	Argument count, unused
 * @argv:	Arguments, unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t in[4 + 4 + 2 * 4 + 16 * 4];
	struct vring_desc d[4] = {
		{ .addr = 0x2000, .len = 12, .flags = VRING_DESC_F_NEXT,
		  .next = 1 },
		{ .addr = R1_GPA, .len = 100 },
		{ .addr = R0_SIZE - 16, .len = 16 },
		{ .addr = 0x3000, .len = 60, .flags = VRING_DESC_F_WRITE },
	};
	uint16_t avail[2 + 4] = { 0, 3, 0, 2, 3, 0 };

	(void)argc;
	(void)argv;

	in[0] = 2;		/* 4 entries */
	in[1] = 0;
	in[2] = in[3] = 0;
	memcpy(in + 4, avail, 4 + 2 * 4);
	memcpy(in + 4 + 4 + 2 * 4, d, sizeof(d));
	fuzz_seed("chains", in, sizeof(in));
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Walk a ring built from the input
 * @data:	Input, see the top
 * @size:	Length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vu_mem m = { .n = 2 };
	static struct vq_chain ch;
	unsigned int i, taken = 0, n;
	size_t alen, left;
	struct virtq q;
	bool writable, unpop;

	if (size < 4)
		return 0;

	memset(r0, 0, sizeof(r0));
	memset(r1, 0, sizeof(r1));
	m.r[0] = (struct vu_region){ .gpa = 0, .size = R0_SIZE, .uva = 0,
				     .host = r0 };
	m.r[1] = (struct vu_region){ .gpa = R1_GPA, .size = R1_SIZE,
				     .uva = R1_GPA, .host = r1 };

	vq_init(&q);
	q.size = 1U << (data[0] % 11);
	writable = data[1] & 1;
	unpop = data[1] & 2;
	q.desc_uva = DESC_OFF;
	q.avail_uva = AVAIL_OFF;
	q.used_uva = USED_OFF;
	q.started = q.enabled = true;
	if (vq_map(&q, &m))
		abort();	/* our layout fits the largest ring */
	q.last_avail = (uint16_t)(data[2] | data[3] << 8);

	data += 4;
	size -= 4;
	alen = sizeof(struct vring_avail) + q.size * sizeof(__virtio16);
	left = MIN(size, alen);
	memcpy(r0 + AVAIL_OFF, data, left);
	data += left;
	size -= left;
	memcpy(r0 + DESC_OFF, data,
	       MIN(size, q.size * sizeof(struct vring_desc)));

	/* At most one round of the ring, and then some */
	for (n = 0; n < 2 * q.size + 2; n++) {
		int r = vq_pop(&q, &m, writable, &ch);
		size_t total = 0;

		if (r == VQ_EMPTY || r == VQ_BROKEN)
			break;

		for (i = 0; i < ch.n; i++) {
			uint8_t *p = ch.iov[i].iov_base;
			size_t k;

			total += ch.iov[i].iov_len;
			for (k = 0; k < ch.iov[i].iov_len; k++) {
				sink += p[k];
				if (writable)
					p[k] = (uint8_t)k;
			}
		}
		if (total != ch.len || ch.n > VQ_IOV_MAX)
			abort();

		if (unpop && (n & 1)) {
			vq_unpop(&q, 1);
			continue;
		}
		vq_fill(&q, taken++, ch.head, (uint32_t)ch.len);
		if (taken >= q.size) {
			vq_flush(&q, taken);
			taken = 0;
		}
	}
	vq_flush(&q, taken);
	sink += vq_notify_needed(&q);
	vq_kick_enable(&q, true);
	sink += vq_has_avail(&q);

	return 0;
}
