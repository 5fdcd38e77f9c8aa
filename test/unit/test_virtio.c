/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_virtio.c - Unit tests for virtio.c: memory table checks, address
 *		   translation, and virtqueue walking with hostile rings
 *		   (descriptors out of the regions, chain loops, huge
 *		   lengths, bad indices, indirect descriptors, wrapped
 *		   indices), used ring updates and notification flags
 *
 * The "guest memory" is a static buffer, seen as two regions with a hole
 * between them in guest physical space.
 */

#include <endian.h>
#include <stdint.h>
#include <string.h>
#include <linux/virtio_ring.h>

#include "virtio.h"
#include "unit.h"

#define MEM_SIZE	(1 << 16)
#define R0_GPA		0x100000ULL	/* first half of the buffer */
#define R1_GPA		0x200000ULL	/* second half, not contiguous */
#define UVA		0x7f0000000000ULL
#define QSIZE		8

/* Offsets in the first region */
#define DESC_OFF	0x0
#define AVAIL_OFF	0x200
#define USED_OFF	0x400
#define DATA_OFF	0x1000

static uint8_t gmem[MEM_SIZE] __attribute__((aligned(4096)));
static struct vu_mem m;
static struct virtq q;
static struct vq_chain ch;

/**
 * setup() - Fresh memory table and ring: QSIZE entries, all empty
 */
static void setup(void)
{
	memset(gmem, 0, sizeof(gmem));
	memset(&m, 0, sizeof(m));
	m.n = 2;
	m.r[0] = (struct vu_region){ .gpa = R0_GPA, .size = MEM_SIZE / 2,
				     .uva = UVA, .host = gmem };
	m.r[1] = (struct vu_region){ .gpa = R1_GPA, .size = MEM_SIZE / 2,
				     .uva = UVA + MEM_SIZE / 2,
				     .host = gmem + MEM_SIZE / 2 };

	vq_init(&q);
	q.size = QSIZE;
	q.desc_uva = UVA + DESC_OFF;
	q.avail_uva = UVA + AVAIL_OFF;
	q.used_uva = UVA + USED_OFF;
	q.started = q.enabled = true;
	if (vq_map(&q, &m))
		CHECK(0, "setup: ring mapped");
}

/**
 * desc() - Write a descriptor
 * @i:		Index
 * @gpa:	Buffer address
 * @len:	Buffer length
 * @flags:	VRING_DESC_F_*
 * @next:	Next index
 */
static void desc(unsigned int i, uint64_t gpa, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	struct vring_desc *d = (struct vring_desc *)(gmem + DESC_OFF) + i;

	d->addr = htole64(gpa);
	d->len = htole32(len);
	d->flags = htole16(flags);
	d->next = htole16(next);
}

/**
 * avail() - Put a head in the available ring, and publish it
 * @head:	Head index
 */
static void avail(uint16_t head)
{
	struct vring_avail *a = (struct vring_avail *)(gmem + AVAIL_OFF);
	uint16_t idx = le16toh(a->idx);

	a->ring[idx % QSIZE] = htole16(head);
	a->idx = htole16(idx + 1);
}

/**
 * avail_idx_set() - Set the available index to anything
 * @idx:	Value
 */
static void avail_idx_set(uint16_t idx)
{
	((struct vring_avail *)(gmem + AVAIL_OFF))->idx = htole16(idx);
}

/**
 * test_mem_check() - Memory tables: accepted and refused ones
 */
static void test_mem_check(void)
{
	struct vu_region r[VU_REGIONS_MAX + 1] = { 0 };
	unsigned int i;

	r[0] = (struct vu_region){ .gpa = 0, .size = 0x1000, .uva = 0x5000 };
	r[1] = (struct vu_region){ .gpa = 0x1000, .size = 0x1000,
				   .uva = 0x9000, .offset = 0x1000 };
	CHECK(!vu_mem_check(r, 2), "mem: adjacent regions accepted");

	r[1].gpa = 0xfff;
	CHECK(vu_mem_check(r, 2), "mem: overlapping regions refused");
	r[1].gpa = 0;
	r[1].size = 0x10;
	CHECK(vu_mem_check(r, 2), "mem: region inside another refused");

	r[1] = (struct vu_region){ .gpa = 0x1000, .size = 0 };
	CHECK(vu_mem_check(r, 2), "mem: empty region refused");

	r[1] = (struct vu_region){ .gpa = UINT64_MAX - 0xfff, .size = 0x1000 };
	CHECK(vu_mem_check(r, 2), "mem: region ending at 2^64 refused");
	r[1] = (struct vu_region){ .gpa = 0x10000, .size = UINT64_MAX };
	CHECK(vu_mem_check(r, 2), "mem: guest range wrapping refused");
	r[1] = (struct vu_region){ .gpa = 0x10000, .size = 0x1000,
				   .uva = UINT64_MAX - 0x10 };
	CHECK(vu_mem_check(r, 2), "mem: front-end range wrapping refused");
	r[1] = (struct vu_region){ .gpa = 0x10000, .size = 0x1000,
				   .offset = UINT64_MAX - 0x10 };
	CHECK(vu_mem_check(r, 2), "mem: file offset wrapping refused");

	for (i = 0; i <= VU_REGIONS_MAX; i++)
		r[i] = (struct vu_region){ .gpa = i * 0x1000ULL,
					   .size = 0x1000 };
	CHECK(!vu_mem_check(r, VU_REGIONS_MAX), "mem: %u regions accepted",
	      VU_REGIONS_MAX);
	CHECK(vu_mem_check(r, VU_REGIONS_MAX + 1), "mem: %u regions refused",
	      VU_REGIONS_MAX + 1);
}

/**
 * test_translate() - Guest physical and front-end address translation
 */
static void test_translate(void)
{
	uint64_t c = 0;
	void *p;

	setup();

	p = vu_gpa_to_host(&m, R0_GPA + 16, 100, &c);
	CHECK(p == gmem + 16 && c == 100, "gpa: inside first region");
	p = vu_gpa_to_host(&m, R1_GPA, 10, &c);
	CHECK(p == gmem + MEM_SIZE / 2 && c == 10, "gpa: second region");
	p = vu_gpa_to_host(&m, R0_GPA + MEM_SIZE / 2 - 4, 100, &c);
	CHECK(p && c == 4, "gpa: length cut at the end of the region");
	CHECK(!vu_gpa_to_host(&m, R0_GPA + MEM_SIZE / 2, 1, &c),
	      "gpa: hole between regions");
	CHECK(!vu_gpa_to_host(&m, R0_GPA - 1, 1, &c), "gpa: below regions");
	CHECK(!vu_gpa_to_host(&m, UINT64_MAX, 1, &c), "gpa: 2^64 - 1");

	CHECK(vu_uva_to_host(&m, UVA, MEM_SIZE / 2) == gmem,
	      "uva: whole first region");
	CHECK(!vu_uva_to_host(&m, UVA + 8, MEM_SIZE / 2),
	      "uva: range past the end of its region refused");
	CHECK(!vu_uva_to_host(&m, UVA + 8, UINT64_MAX),
	      "uva: huge length refused");
	CHECK(!vu_uva_to_host(&m, UVA - 8, 16), "uva: before regions");
}

/**
 * test_map() - Ring placement: sizes, regions, alignment
 */
static void test_map(void)
{
	CHECK(!vq_size_ok(0) && !vq_size_ok(3) && !vq_size_ok(2048) &&
	      !vq_size_ok(1ULL << 32) && vq_size_ok(1) && vq_size_ok(1024),
	      "ring sizes: powers of two up to 1024 only");

	setup();
	CHECK(q.desc && q.avail && q.used, "ring in memory: mapped");

	q.used_uva = UVA + MEM_SIZE / 2 - 8;
	CHECK(vq_map(&q, &m) && !q.desc && !q.used,
	      "used ring across the end of its region refused");
	q.used_uva = UVA + USED_OFF + 2;
	CHECK(vq_map(&q, &m), "misaligned used ring refused");
	q.used_uva = UVA + USED_OFF;
	q.desc_uva = UVA + 8;
	CHECK(vq_map(&q, &m), "misaligned descriptor table refused");
	q.desc_uva = 0x1000;
	CHECK(vq_map(&q, &m), "descriptor table outside the table refused");
	q.desc_uva = UVA;
	q.size = 3;
	CHECK(vq_map(&q, &m), "ring of size 3 refused");
	q.size = QSIZE;
	CHECK(!vq_map(&q, &m), "fixed ring mapped again");

	((struct vring_used *)(gmem + USED_OFF))->idx = htole16(77);
	vq_map(&q, &m);
	CHECK_EQ_INT(q.used_idx, 77, "used index continues from the ring");
}

/**
 * test_pop() - Walking good and hostile chains
 */
static void test_pop(void)
{
	int r;

	setup();
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_EMPTY, "empty ring");
	CHECK(!vq_has_avail(&q), "empty ring: nothing available");

	desc(0, R0_GPA + DATA_OFF, 100, 0, 0);
	avail(0);
	CHECK(vq_has_avail(&q), "one chain available");
	r = vq_pop(&q, &m, false, &ch);
	CHECK(r == VQ_CHAIN && ch.head == 0 && ch.n == 1 && ch.len == 100 &&
	      ch.iov[0].iov_base == gmem + DATA_OFF,
	      "single descriptor: one buffer, translated");
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_EMPTY, "then empty");

	/* Header and data in two descriptors, data across both regions */
	desc(3, R0_GPA + DATA_OFF, 12, VRING_DESC_F_NEXT, 5);
	desc(5, R0_GPA + MEM_SIZE / 2 - 10, 10, VRING_DESC_F_NEXT, 6);
	desc(6, R1_GPA, 30, 0, 0);
	avail(3);
	r = vq_pop(&q, &m, false, &ch);
	CHECK(r == VQ_CHAIN && ch.head == 3 && ch.n == 3 && ch.len == 52,
	      "chain of three descriptors");

	/* The same buffer as one descriptor spanning regions: not in
	 * guest physical space (hole), broken
	 */
	desc(1, R0_GPA + MEM_SIZE / 2 - 10, 40, 0, 0);
	avail(1);
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_BROKEN,
		     "buffer running into a hole: broken");
	CHECK(q.broken && vq_pop(&q, &m, false, &ch) == VQ_BROKEN &&
	      !vq_ready(&q), "broken ring stays broken");

	setup();
	desc(0, R0_GPA + DATA_OFF, 10, VRING_DESC_F_NEXT, 1);
	desc(1, R0_GPA + DATA_OFF, 10, VRING_DESC_F_NEXT, 0);
	avail(0);
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_BROKEN,
		     "chain loop detected");

	setup();
	desc(0, R0_GPA + DATA_OFF, 10, VRING_DESC_F_NEXT, 0);
	avail(0);
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_BROKEN,
		     "descriptor pointing to itself");

	setup();
	desc(0, R0_GPA + DATA_OFF, 10, VRING_DESC_F_NEXT, QSIZE);
	avail(0);
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_BROKEN,
		     "next index out of the ring");

	setup();
	avail(QSIZE);
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_BROKEN,
		     "head index out of the ring");

	setup();
	desc(0, R0_GPA + DATA_OFF, 16, VRING_DESC_F_INDIRECT, 0);
	avail(0);
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_BROKEN,
		     "indirect descriptor (not offered) refused");

	setup();
	desc(0, 0x10, 16, 0, 0);
	avail(0);
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_BROKEN,
		     "buffer outside guest memory");

	setup();
	desc(0, R0_GPA + DATA_OFF, UINT32_MAX, 0, 0);
	avail(0);
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_BROKEN,
		     "huge length, past the regions");

	setup();
	desc(0, UINT64_MAX - 4, 100, 0, 0);
	avail(0);
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_BROKEN,
		     "address wrapping around 2^64");

	setup();
	avail_idx_set(QSIZE + 1);
	CHECK_EQ_INT(vq_pop(&q, &m, false, &ch), VQ_BROKEN,
		     "available index more than the ring size ahead");

	setup();
	desc(0, R0_GPA + DATA_OFF, 10, VRING_DESC_F_WRITE, 0);
	avail(0);
	r = vq_pop(&q, &m, false, &ch);
	CHECK(r == VQ_BAD_CHAIN && ch.head == 0 && !ch.n && !ch.len &&
	      !q.broken, "TX: device-writable buffer: chain given back");
	desc(1, R0_GPA + DATA_OFF, 10, 0, 0);
	avail(1);
	CHECK_EQ_INT(vq_pop(&q, &m, true, &ch), VQ_BAD_CHAIN,
		     "RX: read-only buffer: chain given back");
	desc(2, R0_GPA + DATA_OFF, 10, VRING_DESC_F_WRITE, 0);
	avail(2);
	CHECK_EQ_INT(vq_pop(&q, &m, true, &ch), VQ_CHAIN,
		     "RX: writable buffer taken");

	/* Wrapped indices: both counters around 65535 */
	setup();
	q.last_avail = 0xffff;
	avail_idx_set(0xffff);
	desc(0, R0_GPA + DATA_OFF, 8, 0, 0);
	desc(1, R0_GPA + DATA_OFF, 9, 0, 0);
	avail(0);
	avail(1);
	CHECK(vq_pop(&q, &m, false, &ch) == VQ_CHAIN && ch.len == 8 &&
	      vq_pop(&q, &m, false, &ch) == VQ_CHAIN && ch.len == 9 &&
	      vq_pop(&q, &m, false, &ch) == VQ_EMPTY && q.last_avail == 1,
	      "available index wrapping around 65535");

	vq_unpop(&q, 2);
	CHECK(q.last_avail == 0xffff && vq_pop(&q, &m, false, &ch) ==
	      VQ_CHAIN && ch.len == 8, "chains given back come again");
}

/**
 * test_long_chain() - Chains with more buffers than we take
 */
static void test_long_chain(void)
{
	static uint8_t big[1 << 17] __attribute__((aligned(4096)));
	struct vu_mem bm = { .n = 1 };
	struct virtq b;
	struct vring_avail *a;
	unsigned int i, n = 128;

	bm.r[0] = (struct vu_region){ .gpa = 0, .size = sizeof(big),
				      .uva = 0, .host = big };
	vq_init(&b);
	b.size = n;
	b.desc_uva = 0;
	b.avail_uva = 0x4000;
	b.used_uva = 0x5000;
	b.started = b.enabled = true;
	CHECK(!vq_map(&b, &bm), "ring of 128 mapped");

	for (i = 0; i < n; i++) {
		struct vring_desc *d = (struct vring_desc *)big + i;

		d->addr = htole64(0x8000 + i);
		d->len = htole32(1);
		d->flags = htole16(i + 1 < n ? VRING_DESC_F_NEXT : 0);
		d->next = htole16(i + 1);
	}
	a = (struct vring_avail *)(big + 0x4000);
	a->ring[0] = 0;
	a->idx = htole16(1);
	CHECK(vq_pop(&b, &bm, false, &ch) == VQ_BAD_CHAIN && !b.broken,
	      "chain of %u buffers (more than %u): given back", n,
	      VQ_IOV_MAX);

	/* Longest chain: the whole ring, then one more is a loop */
	((struct vring_desc *)big)[n - 1].flags = htole16(VRING_DESC_F_NEXT);
	((struct vring_desc *)big)[n - 1].next = 0;
	a->ring[1] = 0;
	a->idx = htole16(2);
	CHECK(vq_pop(&b, &bm, false, &ch) == VQ_BROKEN,
	      "chain through the whole ring and back: loop");
}

/**
 * test_used() - Used ring entries, publication, notification flags
 */
static void test_used(void)
{
	struct vring_used *u = (struct vring_used *)(gmem + USED_OFF);
	struct vring_avail *a = (struct vring_avail *)(gmem + AVAIL_OFF);

	setup();
	q.used_idx = QSIZE - 1;
	vq_fill(&q, 0, 5, 100);
	vq_fill(&q, 1, 6, 200);
	CHECK(le32toh(u->ring[QSIZE - 1].id) == 5 &&
	      le32toh(u->ring[QSIZE - 1].len) == 100 &&
	      le32toh(u->ring[0].id) == 6 && le32toh(u->ring[0].len) == 200,
	      "used entries written at wrapped positions");
	CHECK(u->idx == 0, "not published before vq_flush()");
	vq_flush(&q, 2);
	CHECK_EQ_INT(le16toh(u->idx), QSIZE + 1, "used index published");

	CHECK(vq_notify_needed(&q), "guest wants interrupts");
	a->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
	CHECK(!vq_notify_needed(&q), "guest suppressed interrupts");

	vq_kick_enable(&q, false);
	CHECK(le16toh(u->flags) == VRING_USED_F_NO_NOTIFY, "kicks off");
	vq_kick_enable(&q, true);
	CHECK(!u->flags, "kicks on");
}

/**
 * test_event_idx() - EVENT_IDX: used_event before, at, after the new used
 *		      index, wrapping around; avail_event publication
 */
static void test_event_idx(void)
{
	struct vring_used *u = (struct vring_used *)(gmem + USED_OFF);
	struct vring_avail *a = (struct vring_avail *)(gmem + AVAIL_OFF);
	__virtio16 *used_event = &a->ring[QSIZE];
	__virtio16 *avail_event = (__virtio16 *)&u->ring[QSIZE];

	CHECK(vq_event_crossed(5, 6, 5) && !vq_event_crossed(6, 6, 5) &&
	      !vq_event_crossed(4, 6, 5) && vq_event_crossed(5, 9, 5) &&
	      vq_event_crossed(8, 9, 5) && !vq_event_crossed(9, 9, 5),
	      "event crossed only within [old, new)");
	CHECK(vq_event_crossed(0xffff, 1, 0xfffe) &&
	      vq_event_crossed(0, 1, 0xfffe) && !vq_event_crossed(1, 1, 0xfffe) &&
	      !vq_event_crossed(0xfffd, 1, 0xfffe),
	      "event crossed across wrap-around of the index");
	CHECK(!vq_event_crossed(3, 7, 7) && !vq_event_crossed(7, 7, 7),
	      "nothing new: no event");

	setup();
	q.event_idx = true;
	a->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);	/* ignored now */

	*used_event = htole16(0);
	vq_flush(&q, 1);			/* used index 0 -> 1 */
	CHECK(vq_notify_needed(&q), "used_event 0, used index 0 -> 1: signal "
	      "(flag ignored)");
	vq_flush(&q, 1);			/* 1 -> 2 */
	CHECK(!vq_notify_needed(&q), "used_event behind: no signal");

	*used_event = htole16(5);
	vq_flush(&q, 2);			/* 2 -> 4 */
	CHECK(!vq_notify_needed(&q), "used_event ahead of the new index: no "
	      "signal");
	vq_flush(&q, 1);			/* 4 -> 5 */
	CHECK(!vq_notify_needed(&q), "used_event at the new index: no signal");
	vq_flush(&q, 1);			/* 5 -> 6 */
	CHECK(vq_notify_needed(&q), "used index went past used_event: signal");
	CHECK(!vq_notify_needed(&q), "asked twice: signalled once");

	/* Wrap-around of the free running index */
	setup();
	q.event_idx = true;
	q.used_idx = q.signalled = 0xfffe;
	*used_event = htole16(0xffff);
	vq_flush(&q, 3);			/* 0xfffe -> 1 */
	CHECK(le16toh(u->idx) == 1 && vq_notify_needed(&q),
	      "used_event 0xffff, index 0xfffe -> 1: signal");
	*used_event = htole16(0xfffe);
	vq_flush(&q, 1);			/* 1 -> 2 */
	CHECK(!vq_notify_needed(&q), "stale used_event from before the wrap: "
	      "no signal");

	/* Any value the guest writes is just a decision */
	*used_event = htole16(0x8000);
	vq_flush(&q, 1);
	CHECK(!vq_notify_needed(&q), "hostile used_event: no signal, no harm");

	/* avail_event: on publishes our next entry, off leaves it */
	setup();
	q.event_idx = true;
	q.last_avail = 0x1234;
	vq_kick_enable(&q, true);
	CHECK(le16toh(*avail_event) == 0x1234 && !u->flags,
	      "kicks on: avail_event is the next entry we'll take");
	q.last_avail = 0x1240;
	vq_kick_enable(&q, false);
	CHECK(le16toh(*avail_event) == 0x1234 && !u->flags,
	      "kicks off: avail_event left behind, flags untouched");
	q.last_avail = 0xffff;
	vq_kick_enable(&q, true);
	CHECK(le16toh(*avail_event) == 0xffff, "avail_event at wrap-around");

	/* The rings are mapped with both fields: a ring ending right before
	 * them at the end of a region is refused
	 */
	setup();
	q.used_uva = UVA + MEM_SIZE / 2 - sizeof(struct vring_used) -
		     QSIZE * sizeof(struct vring_used_elem);
	CHECK(vq_map(&q, &m), "used ring without room for avail_event "
	      "refused");
	setup();
	q.avail_uva = UVA + MEM_SIZE / 2 - sizeof(struct vring_avail) -
		      QSIZE * sizeof(__virtio16);
	CHECK(vq_map(&q, &m), "available ring without room for used_event "
	      "refused");
}

/**
 * main() - Run the tests
 *
 * Return: 0 if all passed
 */
int main(void)
{
	test_mem_check();
	test_translate();
	test_map();
	test_pop();
	test_long_chain();
	test_used();
	test_event_idx();

	return unit_done();
}
