/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * virtio.h - Virtqueues of a vhost-user guest: split rings in the guest's
 *	      memory, walked with every index, address and length checked
 */

#ifndef VIRTIO_H
#define VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_ring.h>

/* Memory regions of a guest, and the largest ring we take */
#define VU_REGIONS_MAX	8
#define VQ_SIZE_MAX	1024

/* Buffers of one descriptor chain we look at, at most */
#define VQ_IOV_MAX	64

/**
 * struct vu_region - One memory region of the guest, mapped here
 * @gpa:	Guest physical address of the start
 * @size:	Length in bytes
 * @uva:	Address of the start in the front-end's address space
 * @offset:	Offset of the start in the file descriptor given for it
 * @host:	Start of the region in our address space
 * @map:	Start of our mapping (from offset 0 of the file), for munmap
 * @map_len:	Length of our mapping
 */
struct vu_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t offset;
	uint8_t *host;
	void *map;
	size_t map_len;
};

/**
 * struct vu_mem - Memory table of the guest
 * @n:		Number of regions in use
 * @r:		Regions
 */
struct vu_mem {
	unsigned int n;
	struct vu_region r[VU_REGIONS_MAX];
};

/**
 * struct virtq - One split virtqueue, as the back-end sees it
 * @size:	Number of entries, a power of two up to VQ_SIZE_MAX, 0 unset
 * @desc_uva:	Descriptor table, front-end address (SET_VRING_ADDR)
 * @avail_uva:	Available ring, front-end address
 * @used_uva:	Used ring, front-end address
 * @desc:	Descriptor table, translated, NULL until the ring is set up
 * @avail:	Available ring, translated
 * @used:	Used ring, translated
 * @last_avail:	Next available ring entry we'll take (free running)
 * @used_idx:	Next used ring entry we'll write (free running)
 * @signalled:	@used_idx when we last decided whether to signal the guest
 * @event_idx:	VIRTIO_RING_F_EVENT_IDX negotiated: used_event and
 *		avail_event instead of the flags
 * @broken:	The front-end broke the ring: no more use until reset
 * @kick_fd:	Eventfd the guest kicks, -1 if none
 * @call_fd:	Eventfd we signal the guest with, -1 if none
 * @err_fd:	Eventfd for errors, -1 if none (unused)
 * @started:	Kick eventfd received (started), until GET_VRING_BASE
 * @enabled:	SET_VRING_ENABLE 1 (or no protocol features)
 */
struct virtq {
	unsigned int size;
	uint64_t desc_uva;
	uint64_t avail_uva;
	uint64_t used_uva;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;
	uint16_t used_idx;
	uint16_t signalled;
	bool event_idx;
	bool broken;
	int kick_fd;
	int call_fd;
	int err_fd;
	bool started;
	bool enabled;
};

/**
 * struct vq_chain - A descriptor chain taken from the available ring
 * @head:	Index of the first descriptor: goes back in the used ring
 * @n:		Number of buffers in @iov
 * @len:	Total bytes in @iov
 * @iov:	Buffers, translated
 */
struct vq_chain {
	uint16_t head;
	size_t n;
	size_t len;
	struct iovec iov[VQ_IOV_MAX];
};

/* Results of vq_pop() */
enum vq_pop_res {
	VQ_BROKEN = -1,		/* ring unusable: reset the device */
	VQ_EMPTY = 0,		/* nothing available */
	VQ_CHAIN = 1,		/* a chain, in @ch */
	VQ_BAD_CHAIN = 2,	/* a chain we can't use: return it empty */
};

/* Address translation */
void *vu_gpa_to_host(const struct vu_mem *m, uint64_t gpa, uint64_t len,
		     uint64_t *contig);
void *vu_uva_to_host(const struct vu_mem *m, uint64_t uva, uint64_t len);
int vu_mem_check(const struct vu_region *r, unsigned int n);

/* Virtqueues */
void vq_init(struct virtq *q);
bool vq_size_ok(uint64_t size);
int vq_map(struct virtq *q, const struct vu_mem *m);
bool vq_ready(const struct virtq *q);
int vq_pop(struct virtq *q, const struct vu_mem *m, bool writable,
	   struct vq_chain *ch);
void vq_unpop(struct virtq *q, unsigned int n);
void vq_fill(struct virtq *q, unsigned int off, uint16_t head, uint32_t len);
void vq_flush(struct virtq *q, unsigned int n);
bool vq_event_crossed(uint16_t event, uint16_t new, uint16_t old);
bool vq_notify_needed(struct virtq *q);
void vq_kick_enable(struct virtq *q, bool on);
bool vq_has_avail(const struct virtq *q);

#endif /* VIRTIO_H */
