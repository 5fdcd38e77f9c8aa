// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flow.c - Flow hash index: keyed lookup from addresses and ports to flows
 *
 * Open addressing with linear probing in a fixed table; removal shifts
 * later entries back so lookups never need tombstones. The hash is
 * SipHash-2-4 with a random secret, so a guest or a remote peer can't
 * choose keys that collide.
 */

#include <stddef.h>
#include <stdint.h>
#include <endian.h>
#include <string.h>

#include "flow.h"
#include "util.h"

/**
 * struct flow_entry - A key and its value, in a dense array
 * @key:	Key stored
 * @value:	Value; for a free entry, the index of the next free one
 */
struct flow_entry {
	struct flow_key key;
	uint32_t value;
};

/**
 * struct flow_slot - One slot of the hash index
 * @tag:	Low 32 bits of the key's hash: its home slot, and a quick
 *		filter before comparing keys
 * @entry:	Index in flow_entries plus one, zero if the slot is free
 *
 * Slots are small and keys live in a dense array filled from the start, so
 * scattered hashing touches 8 bytes a flow, and keys cost memory only for
 * as many flows as are alive at once. Zeroed memory is an empty table.
 */
struct flow_slot {
	uint32_t tag;
	uint32_t entry;
};

#define FLOW_ENTRIES_MAX	(FLOW_HASH_SIZE / 4 * 3)
#define SLOT_FREE		0
#define FREE_END		UINT32_MAX

static struct flow_slot flow_tab[FLOW_HASH_SIZE];
static struct flow_entry flow_entries[FLOW_ENTRIES_MAX];
static uint32_t flow_entries_used;	/* never-used entries start here */
static uint32_t flow_free = FREE_END;	/* list of released entries */
static uint8_t flow_key_secret[16];

#define ROTL64(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIP_ROUND(v0, v1, v2, v3)					\
	do {								\
		v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0;		\
		v0 = ROTL64(v0, 32);					\
		v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2;		\
		v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0;		\
		v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2;		\
		v2 = ROTL64(v2, 32);					\
	} while (0)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/**
 * siphash_2_4() - SipHash-2-4 of a buffer with the flow secret
 * @data:	Data
 * @len:	Length of @data
 *
 * Return: 64-bit hash
 */
uint64_t siphash_2_4(const void *data, size_t len)
{
	uint64_t k0 = le64(flow_key_secret), k1 = le64(flow_key_secret + 8);
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k1 ^ 0x7465646279746573ULL;
	const uint8_t *p = data, *end = p + (len & ~(size_t)7);
	uint64_t m, last = (uint64_t)len << 56;
	size_t tail = len & 7, i;

	for (; p < end; p += 8) {
		m = le64(p);
		v3 ^= m;
		SIP_ROUND(v0, v1, v2, v3);
		SIP_ROUND(v0, v1, v2, v3);
		v0 ^= m;
	}

	for (i = 0; i < tail; i++)
		last |= (uint64_t)p[i] << (8 * i);

	v3 ^= last;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= last;

	v2 ^= 0xff;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);

	return v0 ^ v1 ^ v2 ^ v3;
}

/**
 * flow_hash_init() - Pick the random secret for hashing
 */
void flow_hash_init(void)
{
	random_bytes(flow_key_secret, sizeof(flow_key_secret));
}

static uint32_t flow_tag_of(const struct flow_key *k)
{
	return (uint32_t)siphash_2_4(k, sizeof(*k));
}

static bool flow_key_eq(const struct flow_key *a, const struct flow_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Slot holding @k, or the free slot ending its probe sequence */
static unsigned int flow_find(const struct flow_key *k, uint32_t tag)
{
	unsigned int i = tag & (FLOW_HASH_SIZE - 1);

	while (flow_tab[i].entry != SLOT_FREE) {
		if (flow_tab[i].tag == tag &&
		    flow_key_eq(&flow_entries[flow_tab[i].entry - 1].key, k))
			break;
		i = (i + 1) & (FLOW_HASH_SIZE - 1);
	}
	return i;
}

/**
 * flow_hash_lookup() - Find the value stored for a key
 * @k:		Key
 *
 * Return: value, or FLOW_IDX_NONE if absent
 */
uint32_t flow_hash_lookup(const struct flow_key *k)
{
	unsigned int i = flow_find(k, flow_tag_of(k));

	if (flow_tab[i].entry == SLOT_FREE)
		return FLOW_IDX_NONE;
	return flow_entries[flow_tab[i].entry - 1].value;
}

/**
 * flow_hash_insert() - Add a key to the index
 * @k:		Key
 * @value:	Opaque value (e.g. protocol table index), not FLOW_IDX_NONE
 *
 * Return: 0 on success, -1 if the index is full
 */
int flow_hash_insert(const struct flow_key *k, uint32_t value)
{
	uint32_t tag = flow_tag_of(k), e;
	unsigned int i;

	if (value == FLOW_IDX_NONE)
		return -1;

	i = flow_find(k, tag);
	if (flow_tab[i].entry != SLOT_FREE) {
		flow_entries[flow_tab[i].entry - 1].value = value;
		return 0;
	}

	/* Entries bound the load factor to 3/4: probe chains stay short */
	if (flow_free != FREE_END) {
		e = flow_free;
		flow_free = flow_entries[e].value;
	} else if (flow_entries_used < FLOW_ENTRIES_MAX) {
		e = flow_entries_used++;
	} else {
		return -1;
	}

	flow_entries[e].key = *k;
	flow_entries[e].value = value;
	flow_tab[i].tag = tag;
	flow_tab[i].entry = e + 1;
	return 0;
}

/**
 * flow_hash_remove() - Remove a key from the index
 * @k:		Key
 */
void flow_hash_remove(const struct flow_key *k)
{
	unsigned int mask = FLOW_HASH_SIZE - 1, i, j;
	uint32_t e;

	i = flow_find(k, flow_tag_of(k));
	if (flow_tab[i].entry == SLOT_FREE)
		return;

	e = flow_tab[i].entry - 1;
	flow_entries[e].value = flow_free;
	flow_free = e;
	flow_tab[i].entry = SLOT_FREE;

	/* Shift back later entries of the cluster whose home slot allows */
	for (j = (i + 1) & mask; flow_tab[j].entry != SLOT_FREE;
	     j = (j + 1) & mask) {
		unsigned int home = flow_tab[j].tag & mask;

		/* Can entry j move to i? Only if home is not in (i, j] */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			flow_tab[i] = flow_tab[j];
			flow_tab[j].entry = SLOT_FREE;
			i = j;
		}
	}
}
