// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * virtio.c - Virtqueues of a vhost-user guest: split rings in the guest's
 *	      memory, walked with every index, address and length checked
 *
 * Written from the virtio 1.x specification (split virtqueues, 2.7). The
 * rings and buffers live in the guest's memory, which the guest may change
 * at any time: each descriptor and ring entry is read once into local
 * storage and checked there. What we check:
 * - the memory table: bounded, no overlap, no wrap-around (vu_mem_check());
 * - every guest physical address and length, translated region by region
 *   (a buffer may span regions), and every ring address, which must be
 *   within one region;
 * - indices: available ring "idx" at most the ring size ahead of us, head
 *   and "next" indices below the ring size, chains at most the ring size
 *   long (no loops), no indirect descriptors (we don't offer them), and
 *   the direction of buffers (TX: read-only, RX: write-only).
 * Broken rings (indices, loops, addresses out of the table) make the caller
 * drop the front-end; a chain merely unusable to us (too many buffers,
 * wrong direction) goes back to the guest empty.
 *
 * Little-endian fields: VERSION_1 is mandatory for us, and says so.
 */

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <linux/virtio_ring.h>

#include "virtio.h"

/* Alignment of the parts of a split ring (virtio 1.x, 2.7) */
#define VQ_DESC_ALIGN	16
#define VQ_AVAIL_ALIGN	2
#define VQ_USED_ALIGN	4

/**
 * vu_gpa_to_host() - Translate a guest physical address
 * @m:		Memory table
 * @gpa:	Guest physical address
 * @len:	Length of the buffer at @gpa
 * @contig:	Set to bytes available from the returned address, up to @len,
 *		within the region holding @gpa
 *
 * Return: address in our space, NULL if @gpa is in no region
 */
void *vu_gpa_to_host(const struct vu_mem *m, uint64_t gpa, uint64_t len,
		     uint64_t *contig)
{
	unsigned int i;

	for (i = 0; i < m->n && i < VU_REGIONS_MAX; i++) {
		const struct vu_region *r = &m->r[i];
		uint64_t off, left;

		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;

		off = gpa - r->gpa;
		left = r->size - off;
		*contig = len < left ? len : left;
		return r->host + off;
	}

	return NULL;
}

/**
 * vu_uva_to_host() - Translate a front-end address of a whole ring part
 * @m:		Memory table
 * @uva:	Address in the front-end's space
 * @len:	Length, all of it in one region
 *
 * Return: address in our space, NULL if not entirely in one region
 */
void *vu_uva_to_host(const struct vu_mem *m, uint64_t uva, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < m->n && i < VU_REGIONS_MAX; i++) {
		const struct vu_region *r = &m->r[i];
		uint64_t off;

		if (uva < r->uva || uva - r->uva >= r->size)
			continue;

		off = uva - r->uva;
		if (len > r->size - off)
			return NULL;
		return r->host + off;
	}

	return NULL;
}

/**
 * vu_mem_check() - Validate a memory table from the front-end
 * @r:		Regions (only @gpa, @size, @uva and @offset are looked at)
 * @n:		Number of regions
 *
 * Return: 0 if usable, -1 if not: too many regions, an empty one, one
 *	   wrapping around or not mappable, or overlapping guest ranges
 */
int vu_mem_check(const struct vu_region *r, unsigned int n)
{
	unsigned int i, j;

	if (n > VU_REGIONS_MAX)
		return -1;

	for (i = 0; i < n; i++) {
		if (!r[i].size)
			return -1;
		/* Strictly below: the end must be representable */
		if (r[i].size > UINT64_MAX - r[i].gpa ||
		    r[i].size > UINT64_MAX - r[i].uva)
			return -1;
		if (r[i].offset > SIZE_MAX || r[i].size > SIZE_MAX ||
		    r[i].size > SIZE_MAX - r[i].offset)
			return -1;

		for (j = 0; j < i; j++) {
			if (r[i].gpa < r[j].gpa + r[j].size &&
			    r[j].gpa < r[i].gpa + r[i].size)
				return -1;
		}
	}

	return 0;
}

/**
 * vq_init() - Reset a virtqueue to its initial, unset state
 * @q:		Virtqueue (file descriptors are not closed here)
 */
void vq_init(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
	q->kick_fd = q->call_fd = q->err_fd = -1;
}

/**
 * vq_size_ok() - Check a ring size from SET_VRING_NUM
 * @size:	Number of entries
 *
 * Return: true for a power of two, 1 to VQ_SIZE_MAX
 */
bool vq_size_ok(uint64_t size)
{
	return size && size <= VQ_SIZE_MAX && !(size & (size - 1));
}

/**
 * vq_map() - Translate the ring addresses of a virtqueue
 * @q:		Virtqueue, with size and front-end addresses set
 * @m:		Memory table
 *
 * The used index we continue from is the one in the ring: a front-end may
 * hand a running ring over to us (back-end restart).
 *
 * Return: 0 on success, -1 if a part is not in the table, or misaligned
 */
int vq_map(struct virtq *q, const struct vu_mem *m)
{
	uint64_t n = q->size;

	q->desc = NULL;
	q->avail = NULL;
	q->used = NULL;

	if (!vq_size_ok(n))
		return -1;

	q->desc = vu_uva_to_host(m, q->desc_uva,
				 n * sizeof(struct vring_desc));
	/* With used_event and avail_event after the rings: part of the
	 * layout (virtio 1.x, 2.7), whether EVENT_IDX is used or not
	 */
	q->avail = vu_uva_to_host(m, q->avail_uva,
				  sizeof(struct vring_avail) +
				  (n + 1) * sizeof(__virtio16));
	q->used = vu_uva_to_host(m, q->used_uva,
				 sizeof(struct vring_used) +
				 n * sizeof(struct vring_used_elem) +
				 sizeof(__virtio16));

	if (!q->desc || !q->avail || !q->used ||
	    (uintptr_t)q->desc % VQ_DESC_ALIGN ||
	    (uintptr_t)q->avail % VQ_AVAIL_ALIGN ||
	    (uintptr_t)q->used % VQ_USED_ALIGN) {
		q->desc = NULL;
		q->avail = NULL;
		q->used = NULL;
		return -1;
	}

	q->used_idx = le16toh(__atomic_load_n(&q->used->idx,
					      __ATOMIC_ACQUIRE));
	q->signalled = q->used_idx;
	return 0;
}

/**
 * vq_ready() - Can a virtqueue be used?
 * @q:		Virtqueue
 *
 * Return: true if mapped, started, enabled, not broken
 */
bool vq_ready(const struct virtq *q)
{
	return q->desc && q->started && q->enabled && !q->broken;
}

/**
 * vq_avail_idx() - Read the available ring index, checking how far it went
 * @q:		Virtqueue, mapped
 * @n:		Set to the number of entries available
 *
 * Return: 0, or -1 if the guest claims more entries than the ring has
 */
static int vq_avail_idx(const struct virtq *q, uint16_t *n)
{
	uint16_t idx = le16toh(__atomic_load_n(&q->avail->idx,
					       __ATOMIC_ACQUIRE));

	*n = (uint16_t)(idx - q->last_avail);
	return *n > q->size ? -1 : 0;
}

/**
 * vq_has_avail() - Are there available chains we didn't take yet?
 * @q:		Virtqueue
 *
 * Return: true if so (also if the index is bogus: vq_pop() tells)
 */
bool vq_has_avail(const struct virtq *q)
{
	uint16_t n;

	if (!q->avail || q->broken)
		return false;

	return vq_avail_idx(q, &n) || n;
}

/**
 * vq_pop() - Take the next available descriptor chain
 * @q:		Virtqueue, ready
 * @m:		Memory table
 * @writable:	true for buffers the device writes (RX), false for TX
 * @ch:		Chain, filled with translated buffers
 *
 * Return: VQ_CHAIN, VQ_BAD_CHAIN (taken, but not usable: give it back
 *	   with length 0), VQ_EMPTY, or VQ_BROKEN (and @q is marked broken)
 */
int vq_pop(struct virtq *q, const struct vu_mem *m, bool writable,
	   struct vq_chain *ch)
{
	unsigned int count = 0, mask = q->size - 1;
	bool bad = false;
	uint16_t n, i;

	ch->n = 0;
	ch->len = 0;

	if (q->broken)
		return VQ_BROKEN;
	if (!q->avail || !q->size)
		return VQ_EMPTY;

	if (vq_avail_idx(q, &n))
		goto broken;
	if (!n)
		return VQ_EMPTY;

	i = le16toh(__atomic_load_n(&q->avail->ring[q->last_avail & mask],
				    __ATOMIC_RELAXED));
	if (i >= q->size)
		goto broken;

	q->last_avail++;
	ch->head = i;

	for (;;) {
		struct vring_desc d;
		uint64_t addr, len;
		uint16_t flags;

		if (count++ >= q->size)
			goto broken;	/* loop, or longer than the ring */

		memcpy(&d, &q->desc[i], sizeof(d));
		addr = le64toh(d.addr);
		len = le32toh(d.len);
		flags = le16toh(d.flags);

		if (flags & VRING_DESC_F_INDIRECT)
			goto broken;
		if (!(flags & VRING_DESC_F_WRITE) != !writable)
			bad = true;

		while (len && !bad) {
			uint64_t c;
			void *p = vu_gpa_to_host(m, addr, len, &c);

			if (!p)
				goto broken;
			if (ch->n >= VQ_IOV_MAX) {
				bad = true;
				break;
			}
			ch->iov[ch->n].iov_base = p;
			ch->iov[ch->n++].iov_len = c;
			ch->len += c;
			addr += c;
			len -= c;
		}

		if (!(flags & VRING_DESC_F_NEXT))
			break;

		i = le16toh(d.next);
		if (i >= q->size)
			goto broken;
	}

	if (bad) {
		ch->n = 0;
		ch->len = 0;
		return VQ_BAD_CHAIN;
	}
	return VQ_CHAIN;

broken:
	q->broken = true;
	ch->n = 0;
	ch->len = 0;
	return VQ_BROKEN;
}

/**
 * vq_unpop() - Give back chains taken and not used, last ones first
 * @q:		Virtqueue
 * @n:		Number of chains
 */
void vq_unpop(struct virtq *q, unsigned int n)
{
	q->last_avail -= (uint16_t)n;
}

/**
 * vq_fill() - Write a used ring entry, not visible to the guest yet
 * @q:		Virtqueue, mapped
 * @off:	Entry after the last published one (0: the next one)
 * @head:	Head of the chain used
 * @len:	Bytes written to the chain (0 for TX)
 */
void vq_fill(struct virtq *q, unsigned int off, uint16_t head, uint32_t len)
{
	struct vring_used_elem e = { .id = htole32(head), .len = htole32(len) };
	unsigned int at = (q->used_idx + off) & (q->size - 1);

	memcpy(&q->used->ring[at], &e, sizeof(e));
}

/**
 * vq_flush() - Publish used ring entries written by vq_fill()
 * @q:		Virtqueue, mapped
 * @n:		Number of entries
 */
void vq_flush(struct virtq *q, unsigned int n)
{
	q->used_idx += (uint16_t)n;
	__atomic_store_n(&q->used->idx, htole16(q->used_idx),
			 __ATOMIC_RELEASE);
}

/**
 * vq_event_crossed() - Did an index move past the one the other side asked
 *			to be told about? (virtio 1.x, 2.7.7.2 and 2.7.10.2)
 * @event:	Index given by the other side (used_event or avail_event)
 * @new:	Index now
 * @old:	Index at the previous notification decision
 *
 * Any @event is harmless: it only decides whether we notify.
 *
 * Return: true if @event is in [@old, @new), modulo 2^16
 */
bool vq_event_crossed(uint16_t event, uint16_t new, uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

/**
 * vq_notify_needed() - Does the guest want an interrupt for used entries
 *			published since the last time we asked?
 * @q:		Virtqueue, mapped
 *
 * Return: without EVENT_IDX, false if the guest suppressed interrupts
 *	   (VRING_AVAIL_F_NO_INTERRUPT); with it, true if the used index went
 *	   past used_event since the last call
 */
bool vq_notify_needed(struct virtq *q)
{
	uint16_t old = q->signalled, ev;

	/* Our used index must be visible before we look at the guest's
	 * flag or used_event
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->signalled = q->used_idx;

	if (!q->event_idx)
		return !(le16toh(__atomic_load_n(&q->avail->flags,
						 __ATOMIC_RELAXED)) &
			 VRING_AVAIL_F_NO_INTERRUPT);

	/* used_event follows the available ring entries */
	ev = le16toh(__atomic_load_n(&q->avail->ring[q->size],
				     __ATOMIC_RELAXED));
	return vq_event_crossed(ev, q->used_idx, old);
}

/**
 * vq_kick_enable() - Ask the guest for kicks, or tell it we don't need them
 * @q:		Virtqueue, mapped
 * @on:		true if we want kicks when the guest adds buffers
 *
 * With EVENT_IDX, "on" publishes avail_event: a kick once the guest makes
 * the next entry available. "Off" leaves avail_event where it was, behind
 * the available index: no more kicks until it wraps around to it.
 */
void vq_kick_enable(struct virtq *q, bool on)
{
	if (q->event_idx) {
		if (!on)
			return;
		/* avail_event follows the used ring entries */
		__atomic_store_n((__virtio16 *)&q->used->ring[q->size],
				 htole16(q->last_avail), __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&q->used->flags,
				 htole16(on ? 0 : VRING_USED_F_NO_NOTIFY),
				 __ATOMIC_RELAXED);
	}
	/* Visible before we look at the available index again */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
