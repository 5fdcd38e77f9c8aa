// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flow.c - Flow table of every protocol, and its keyed hash index
 *
 * The table (see flow.h for what an entry holds) is a fixed array: entries
 * are taken from a list of released ones first, then from the never-used
 * part above a high-water mark, so that memory no flow has used stays
 * untouched (not resident). Each type has a cap, as each protocol had its
 * own table before: a burst of one kind can't starve the others.
 *
 * The hash index maps keys (addresses and ports of one side) to values,
 * normally flow indices. Open addressing with linear probing in a fixed
 * table; removal shifts later entries back so lookups never need
 * tombstones. The hash is SipHash-2-4 with a random secret, so a guest or a
 * remote peer can't choose keys that collide.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <endian.h>
#include <string.h>
#include <netinet/in.h>

#include "flow.h"
#include "log.h"
#include "util.h"

struct flow flowtab[FLOW_MAX];

uint16_t flow_rule_cur;
uint64_t flow_drops[FLOW_DROP_NUM];

static const char *const flow_drop_name[FLOW_DROP_NUM] = {
	[FLOW_DROP_FULL]	= "flow-table-full",
	[FLOW_DROP_TAP_BAD]	= "tap-bad-frame",
	[FLOW_DROP_TAP_BUSY]	= "tap-busy",
};

static uint32_t flow_first_free = FLOW_MAX;	/* list of released entries */
static uint32_t flow_hw;			/* entries ever used */
static unsigned int flow_n[FLOW_NUM_TYPES];	/* entries in use, per type */

static const unsigned int flow_cap[FLOW_NUM_TYPES] = {
	[FLOW_TCP]		= FLOW_TCP_MAX,
	[FLOW_TCP_SPLICE]	= FLOW_TCP_SPLICE_MAX,
	[FLOW_UDP]		= FLOW_UDP_MAX,
	[FLOW_ICMP]		= FLOW_ICMP_MAX,
};

static const char *const flow_type_name[FLOW_NUM_TYPES] = {
	[FLOW_NONE]		= "free",
	[FLOW_TCP]		= "tcp",
	[FLOW_TCP_SPLICE]	= "tcp-splice",
	[FLOW_UDP]		= "udp",
	[FLOW_ICMP]		= "icmp",
};

static const char *const flow_state_name[] = {
	[FLOW_STATE_NEW]	= "new",
	[FLOW_STATE_ACTIVE]	= "active",
	[FLOW_STATE_CLOSING]	= "closing",
};

static const char *const flow_pif_name[] = {
	[PIF_NONE]		= "none",
	[PIF_TAP]		= "tap",
	[PIF_HOST]		= "host",
	[PIF_NS]		= "ns",
};

/* A free entry keeps the index of the next free one in its creation time:
 * the private area stays as the protocol left it
 */
static uint32_t *flow_next_free(struct flow *f)
{
	return &f->f.since;
}

/**
 * flow_alloc() - Take a free entry for a new flow
 * @type:	Type of the flow, not FLOW_NONE
 * @now_s:	Current time, seconds of CLOCK_MONOTONIC
 *
 * Return: entry, common part zeroed but for @type, @since and @rule (from
 *	   flow_rule_cur, set while a listening socket is served), private
 *	   area zeroed; NULL if the table is full or the type at its cap
 */
struct flow *flow_alloc(enum flow_type type, uint32_t now_s)
{
	struct flow *f;

	if (type == FLOW_NONE || type >= FLOW_NUM_TYPES)
		return NULL;
	if (flow_n[type] >= flow_cap[type]) {
		flow_drops[FLOW_DROP_FULL]++;
		return NULL;
	}

	if (flow_first_free < FLOW_MAX) {
		f = flow_at(flow_first_free);
		flow_first_free = *flow_next_free(f);
	} else if (flow_hw < FLOW_MAX) {
		f = flow_at(flow_hw++);
	} else {
		flow_drops[FLOW_DROP_FULL]++;
		return NULL;
	}

	memset(f, 0, sizeof(*f));
	f->f.type = type;
	f->f.rule = flow_rule_cur;
	f->f.since = now_s;
	flow_n[type]++;
	return f;
}

/**
 * flow_free() - Release an entry taken with flow_alloc()
 * @f:		Entry; nothing happens if it's already free
 */
void flow_free(struct flow *f)
{
	if (f->f.type == FLOW_NONE || f->f.type >= FLOW_NUM_TYPES)
		return;

	flow_n[f->f.type]--;
	f->f.type = FLOW_NONE;
	*flow_next_free(f) = flow_first_free;
	flow_first_free = flow_idx(f);
}

/**
 * flow_count() - Flows of a type in use
 * @type:	Type
 *
 * Return: number of entries of @type
 */
unsigned int flow_count(enum flow_type type)
{
	return type < FLOW_NUM_TYPES ? flow_n[type] : 0;
}

/**
 * flow_hwm() - High-water mark: entries at and above it were never used
 *
 * Return: index bound for loops over the table
 */
uint32_t flow_hwm(void)
{
	return flow_hw;
}

/**
 * flow_side_set() - Fill the addresses and ports of a side
 * @s:		Side
 * @pif:	Interface, enum flow_pif
 * @peer:	Address of the peer, NULL for unspecified
 * @peer_port:	Port of the peer
 * @ours:	Our address, NULL for unspecified
 * @our_port:	Our port
 */
void flow_side_set(struct flow_side *s, uint8_t pif,
		   const union inany_addr *peer, uint16_t peer_port,
		   const union inany_addr *ours, uint16_t our_port)
{
	memset(s, 0, sizeof(*s));
	s->pif = pif;
	if (peer)
		s->peer = *peer;
	if (ours)
		s->ours = *ours;
	s->peer_port = peer_port;
	s->our_port = our_port;
}

/**
 * flow_addr_fmt() - Format an address and port: 1.2.3.4:5, [::1]:5, or *:5
 *		     for an unspecified address
 * @a:		Address
 * @port:	Port
 * @buf:	Buffer
 * @len:	Size of @buf, at least INET6_ADDRSTRLEN + 8
 *
 * Return: @buf
 */
static const char *flow_addr_fmt(const union inany_addr *a, uint16_t port,
				 char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];

	if (inany_is_unspecified(a)) {
		snprintf(buf, len, "*:%u", port);
		return buf;
	}

	inany_ntop(a, s, sizeof(s));
	snprintf(buf, len, inany_v4(a) ? "%s:%u" : "[%s]:%u", s, port);
	return buf;
}

/**
 * flow_describe() - One line about a flow: type, state, age, both sides,
 *		     bytes each way
 * @f:		Entry
 * @now_s:	Current time, seconds of CLOCK_MONOTONIC
 * @buf:	Buffer for the text
 * @len:	Size of @buf
 *
 * Sides are written in the direction of the initiator: the initiating
 * peer to our address on INISIDE, then our address to the target peer on
 * TGTSIDE, e.g. "tcp active age 3s: tap 10.0.0.2:4000>1.2.3.4:80 host
 * *:0>1.2.3.4:80 bytes 512>1024" (512 bytes from the initiator, 1024 from
 * the target; "*": unspecified address).
 *
 * Return: length of the text, as snprintf()
 */
static int flow_describe(const struct flow *f, uint32_t now_s, char *buf,
			 size_t len)
{
	const struct flow_side *ini = &f->f.side[INISIDE];
	const struct flow_side *tgt = &f->f.side[TGTSIDE];
	char a[4][INET6_ADDRSTRLEN + 8];
	const char *type = "?", *state = "?";

	if (f->f.type < FLOW_NUM_TYPES)
		type = flow_type_name[f->f.type];
	if (f->f.state < ARRAY_SIZE(flow_state_name))
		state = flow_state_name[f->f.state];

	return snprintf(buf, len,
			"%s %s age %us: %s %s>%s %s %s>%s bytes %llu>%llu",
			type, state, now_s - f->f.since,
			ini->pif < ARRAY_SIZE(flow_pif_name) ?
			flow_pif_name[ini->pif] : "?",
			flow_addr_fmt(&ini->peer, ini->peer_port,
				      a[0], sizeof(a[0])),
			flow_addr_fmt(&ini->ours, ini->our_port,
				      a[1], sizeof(a[1])),
			tgt->pif < ARRAY_SIZE(flow_pif_name) ?
			flow_pif_name[tgt->pif] : "?",
			flow_addr_fmt(&tgt->ours, tgt->our_port,
				      a[2], sizeof(a[2])),
			flow_addr_fmt(&tgt->peer, tgt->peer_port,
				      a[3], sizeof(a[3])),
			(unsigned long long)f->f.bytes[INISIDE],
			(unsigned long long)f->f.bytes[TGTSIDE]);
}

/**
 * flow_type_str() - Name of a flow type, as in listings
 * @type:	enum flow_type
 *
 * Return: static string, "?" if out of range
 */
const char *flow_type_str(uint8_t type)
{
	return type < FLOW_NUM_TYPES ? flow_type_name[type] : "?";
}

/**
 * flow_json_side() - One side of a flow as a JSON object
 * @s:		Side
 * @buf:	Buffer
 * @len:	Size of @buf, at least 2 * INET6_ADDRSTRLEN + 96
 *
 * Return: @buf
 */
static const char *flow_json_side(const struct flow_side *s, char *buf,
				  size_t len)
{
	char p[INET6_ADDRSTRLEN], o[INET6_ADDRSTRLEN];

	if (inany_is_unspecified(&s->peer))
		strcpy(p, "*");
	else
		inany_ntop(&s->peer, p, sizeof(p));
	if (inany_is_unspecified(&s->ours))
		strcpy(o, "*");
	else
		inany_ntop(&s->ours, o, sizeof(o));

	snprintf(buf, len, "{\"pif\":\"%s\",\"peer\":\"%s\","
		 "\"peer_port\":%u,\"ours\":\"%s\",\"our_port\":%u}",
		 s->pif < ARRAY_SIZE(flow_pif_name) ? flow_pif_name[s->pif] :
		 "?", p, s->peer_port, o, s->our_port);
	return buf;
}

/**
 * flow_list() - Describe flows into a buffer, as many as fit, from a position
 * @now_s:	Current time, seconds of CLOCK_MONOTONIC
 * @json:	One JSON object per flow (comma-separated), else text lines
 *		as flow_dump() logs them, with packet counts at the end
 * @buf:	Buffer
 * @len:	Size of @buf
 * @pos:	Index to start from, updated to where to go on next time
 *		(flow_hwm() or more: done)
 *
 * The caller sends the buffer out and calls again: the table can be much
 * larger than any buffer, and flows can come and go in between (each one
 * present throughout is listed once). JSON objects after the first one
 * listed (@pos not zero on entry, or not the first in this call) start with
 * a comma, so the caller can wrap them in an array.
 *
 * Return: bytes written to @buf, no terminating NUL counted
 */
int flow_list(uint32_t now_s, bool json, char *buf, size_t len,
	      uint32_t *pos)
{
	char line[640], sides[2][2 * INET6_ADDRSTRLEN + 96];
	size_t used = 0;
	uint32_t i;

	for (i = *pos; i < flow_hw; i++) {
		const struct flow *f = flow_at(i);
		int n;

		if (f->f.type == FLOW_NONE)
			continue;

		if (json) {
			n = snprintf(line, sizeof(line),
				     "%s{\"id\":%u,\"proto\":\"%s\","
				     "\"state\":\"%s\",\"age\":%u,"
				     "\"rule\":%u,\"ini\":%s,\"tgt\":%s,"
				     "\"bytes\":[%llu,%llu],"
				     "\"packets\":[%u,%u]}\n",
				     used || *pos ? "," : "", i,
				     flow_type_str(f->f.type),
				     f->f.state < ARRAY_SIZE(flow_state_name) ?
				     flow_state_name[f->f.state] : "?",
				     now_s - f->f.since, f->f.rule,
				     flow_json_side(&f->f.side[INISIDE],
						    sides[0], sizeof(sides[0])),
				     flow_json_side(&f->f.side[TGTSIDE],
						    sides[1], sizeof(sides[1])),
				     (unsigned long long)f->f.bytes[INISIDE],
				     (unsigned long long)f->f.bytes[TGTSIDE],
				     f->f.pkts[INISIDE], f->f.pkts[TGTSIDE]);
		} else {
			n = snprintf(line, sizeof(line), "flow %u: ", i);
			n += flow_describe(f, now_s, line + n,
					   sizeof(line) - (size_t)n - 1);
			if ((size_t)n < sizeof(line) - 2)
				n += snprintf(line + n, sizeof(line) - n - 1,
					      " packets %u>%u",
					      f->f.pkts[INISIDE],
					      f->f.pkts[TGTSIDE]);
			if ((size_t)n > sizeof(line) - 2)
				n = (int)sizeof(line) - 2;
			line[n++] = '\n';
			line[n] = 0;
		}
		if (n < 0 || (size_t)n >= sizeof(line))
			continue;
		if (used + (size_t)n > len)
			break;
		memcpy(buf + used, line, (size_t)n);
		used += (size_t)n;
	}

	*pos = i;
	return (int)used;
}

/**
 * flow_totals() - Table use: flows in use per type, caps, high-water mark,
 *		   then drop counters by reason
 * @json:	JSON object, else one text line
 * @buf:	Buffer
 * @len:	Size of @buf
 *
 * Return: as snprintf()
 */
int flow_totals(bool json, char *buf, size_t len)
{
	unsigned int n = 0, t;
	size_t used = 0;
	int r;

	for (t = FLOW_NONE + 1; t < FLOW_NUM_TYPES; t++)
		n += flow_n[t];

	r = snprintf(buf, len, json ? "{\"flows\":%u,\"max\":%u" :
		     "Flows: %u of %u", n, FLOW_MAX);
	for (t = FLOW_NONE + 1; t < FLOW_NUM_TYPES && r >= 0; t++) {
		used += (size_t)r;
		if (used >= len)
			return (int)used;
		r = snprintf(buf + used, len - used,
			     json ? ",\"%s\":[%u,%u]" : ", %s %u/%u",
			     flow_type_name[t], flow_n[t], flow_cap[t]);
	}
	if (r < 0)
		return r;
	used += (size_t)r;
	if (used >= len)
		return (int)used;
	r = snprintf(buf + used, len - used,
		     json ? ",\"hwm\":%u,\"dropped\":{" :
		     ", high-water %u\nDropped:", flow_hw);
	for (t = 0; t < FLOW_DROP_NUM && r >= 0; t++) {
		used += (size_t)r;
		if (used >= len)
			return (int)used;
		r = snprintf(buf + used, len - used,
			     json ? "%s\"%s\":%llu" : "%s %s %llu",
			     t ? "," : "", flow_drop_name[t],
			     (unsigned long long)flow_drops[t]);
	}
	if (r < 0)
		return r;
	used += (size_t)r;
	if (used >= len)
		return (int)used;
	r = snprintf(buf + used, len - used, json ? "}}" : "");
	return r < 0 ? r : (int)(used + (size_t)r);
}

/**
 * flow_dump() - Log the whole table, one line per flow (on SIGUSR1)
 * @now_s:	Current time, seconds of CLOCK_MONOTONIC
 */
void flow_dump(uint32_t now_s)
{
	unsigned int n = 0, t;
	char line[256];
	uint32_t i;

	for (t = FLOW_NONE + 1; t < FLOW_NUM_TYPES; t++)
		n += flow_n[t];
	info("Flow table: %u flows", n);

	for (i = 0; i < flow_hw; i++) {
		const struct flow *f = flow_at(i);

		if (f->f.type == FLOW_NONE)
			continue;
		flow_describe(f, now_s, line, sizeof(line));
		info("flow %u: %s", i, line);
	}
}

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
static uint32_t flow_entries_free = FREE_END; /* released entries */
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
	if (flow_entries_free != FREE_END) {
		e = flow_entries_free;
		flow_entries_free = flow_entries[e].value;
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
	flow_entries[e].value = flow_entries_free;
	flow_entries_free = e;
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
