/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * flow.h - Flow table of every protocol, and its keyed hash index
 *
 * A flow joins two sides, each on an interface (enum flow_pif). Side 0,
 * INISIDE, is where the flow came from (who sent the first packet or
 * connected), side 1, TGTSIDE, where it goes. Each side records addresses
 * and ports as seen on that side: the peer's, and ours, the one the peer
 * talks to (after translation, they can differ between the two sides):
 *
 *   initiator                       passt/pasta                      target
 *             side[INISIDE]                        side[TGTSIDE]
 *   peer:peer_port  ---------> ours:our_port  ours:our_port ---------> peer
 *
 * For example, a guest connecting out with TCP: side[INISIDE] is on
 * PIF_TAP, peer is the guest, ours the address it connected to;
 * side[TGTSIDE] is on PIF_HOST, peer is the server. A connection accepted
 * on a forwarded port (-t) has PIF_HOST at INISIDE and PIF_TAP at TGTSIDE.
 *
 * Entries are struct flow: the common part (type, sides, state, age, byte
 * counters) that flow.c lists and anyone may read, and a private area of
 * FLOW_PRIV_SIZE bytes that only the protocol of the flow's type touches:
 * each protocol module keeps its struct to itself, checks with a
 * static_assert() that it fits, and reaches it with flow_priv(); back from
 * it with flow_of_priv(). Indices (flow_idx()) are stable while the flow
 * lives, so they can go in epoll references.
 */

#ifndef FLOW_H
#define FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "inany.h"

#define INISIDE			0	/* side that initiated the flow */
#define TGTSIDE			1	/* side the flow goes to */

/* Slots in the hash index (power of two), and the value for "empty". Up to
 * three quarters of them take keys: 49152, for at most 32768 TCP
 * connections, two keys per UDP flow (4096) and one per ICMP flow (1024).
 * Lookups touch slots all over the table, so it all ends up resident:
 * 512 KiB, no bigger than needed.
 */
#define FLOW_HASH_SIZE		(1U << 16)
#define FLOW_IDX_NONE		UINT32_MAX

/**
 * enum flow_pif - Interface a side of a flow belongs to
 * @PIF_NONE:	None (unused side)
 * @PIF_TAP:	The guest: tap device or qemu socket, frames we build
 * @PIF_HOST:	Sockets in the host's (our own) network namespace
 * @PIF_NS:	Sockets in pasta's target namespace (spliced flows)
 */
enum flow_pif {
	PIF_NONE = 0,
	PIF_TAP,
	PIF_HOST,
	PIF_NS,
};

/**
 * enum flow_type - Protocol owning a flow entry
 * @FLOW_NONE:		Free entry
 * @FLOW_TCP:		TCP between the guest and a host socket (tcp.c)
 * @FLOW_TCP_SPLICE:	TCP between two sockets, pasta's loopback path
 *			(tcp_splice.c)
 * @FLOW_UDP:		UDP, through the guest or spliced (udp.c)
 * @FLOW_ICMP:		ICMP or ICMPv6 echo from the guest (icmp.c)
 * @FLOW_NUM_TYPES:	Number of types
 */
enum flow_type {
	FLOW_NONE = 0,
	FLOW_TCP,
	FLOW_TCP_SPLICE,
	FLOW_UDP,
	FLOW_ICMP,
	FLOW_NUM_TYPES,
};

/* Flows of each type at most (further ones are refused), and in total */
#define FLOW_TCP_MAX		(1U << 15)
#define FLOW_TCP_SPLICE_MAX	4096
#define FLOW_UDP_MAX		4096
#define FLOW_ICMP_MAX		1024
#define FLOW_MAX		(FLOW_TCP_MAX + FLOW_TCP_SPLICE_MAX + \
				 FLOW_UDP_MAX + FLOW_ICMP_MAX)

/* Bytes of protocol-specific state per flow: the largest private struct
 * (TCP's), each protocol checks that its own fits
 */
#define FLOW_PRIV_SIZE		120

/**
 * enum flow_state - Coarse state of a flow, for listings
 * @FLOW_STATE_NEW:	Being set up (connecting, handshake)
 * @FLOW_STATE_ACTIVE:	Carrying data both ways
 * @FLOW_STATE_CLOSING:	One side or both closed, going away
 */
enum flow_state {
	FLOW_STATE_NEW = 0,
	FLOW_STATE_ACTIVE,
	FLOW_STATE_CLOSING,
};

/**
 * struct flow_side - Addresses and ports of one side, as seen on that side
 * @peer:	Address of the peer
 * @ours:	Our address, the one the peer talks to (unspecified: any)
 * @peer_port:	Port of the peer (ICMP: echo identifier)
 * @our_port:	Our port
 * @pif:	Interface, enum flow_pif
 */
struct flow_side {
	union inany_addr peer;
	union inany_addr ours;
	uint16_t peer_port;
	uint16_t our_port;
	uint8_t pif;
};

/**
 * struct flow_common - What every flow has, whatever the protocol
 * @type:	enum flow_type, FLOW_NONE if the entry is free
 * @state:	enum flow_state
 * @since:	Creation time, seconds of CLOCK_MONOTONIC (free entry: index
 *		of the next free one)
 * @rule:	Forwarding rule (struct fwd_rule @id) whose listening socket
 *		the flow came in through, 0 for none
 * @bytes:	Payload bytes received from each side, @bytes[INISIDE] is
 *		what the initiator sent
 * @pkts:	Packets received from each side: frames from or to the guest,
 *		datagrams on sockets (spliced TCP: none, only bytes)
 * @side:	The two sides, see the picture above
 */
struct flow_common {
	uint8_t type;
	uint8_t state;
	uint16_t rule;
	uint32_t since;
	uint64_t bytes[2];
	uint32_t pkts[2];
	struct flow_side side[2];
};

/**
 * struct flow - Flow table entry
 * @f:		Common part
 * @priv:	Protocol-specific state, private to the protocol's module
 */
struct flow {
	struct flow_common f;
	union {
		uint8_t b[FLOW_PRIV_SIZE];
		uint64_t align;
	} priv;
};

extern struct flow flowtab[FLOW_MAX];

/**
 * flow_at() - Flow entry from its index
 * @idx:	Index, below FLOW_MAX
 *
 * Return: pointer to the entry
 */
static inline struct flow *flow_at(uint32_t idx)
{
	return &flowtab[idx];
}

/**
 * flow_idx() - Index of a flow entry
 * @f:		Entry
 *
 * Return: index
 */
static inline uint32_t flow_idx(const struct flow *f)
{
	return (uint32_t)(f - flowtab);
}

/**
 * flow_priv() - Protocol-specific area of a flow
 * @f:		Entry
 *
 * Return: pointer to FLOW_PRIV_SIZE bytes, 8-byte aligned
 */
static inline void *flow_priv(struct flow *f)
{
	return f->priv.b;
}

/**
 * flow_of_priv() - Flow entry of a protocol-specific area
 * @p:		Pointer returned by flow_priv()
 *
 * Return: the entry
 */
static inline struct flow *flow_of_priv(const void *p)
{
	return (struct flow *)((uintptr_t)p - offsetof(struct flow, priv));
}

/**
 * struct flow_key - What identifies a flow on one side
 * @peer:	Address of the peer on that side
 * @ours:	Our address on that side (the one the peer talks to)
 * @peer_port:	Port of the peer
 * @our_port:	Our port
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP(V6)
 * @pif:	Interface the side belongs to, enum flow_pif
 */
struct flow_key {
	union inany_addr peer;
	union inany_addr ours;
	uint16_t peer_port;
	uint16_t our_port;
	uint8_t proto;
	uint8_t pif;
	uint8_t pad[2];
};

/**
 * flow_key_set() - Fill a flow key, padding zeroed so keys compare whole
 * @k:		Key to fill
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP(V6)
 * @pif:	Interface of the side, enum flow_pif
 * @peer:	Address of the peer
 * @peer_port:	Port of the peer
 * @ours:	Our address
 * @our_port:	Our port
 */
static inline void flow_key_set(struct flow_key *k, uint8_t proto,
				uint8_t pif, const union inany_addr *peer,
				uint16_t peer_port,
				const union inany_addr *ours, uint16_t our_port)
{
	memset(k, 0, sizeof(*k));
	k->peer = *peer;
	k->ours = *ours;
	k->peer_port = peer_port;
	k->our_port = our_port;
	k->proto = proto;
	k->pif = pif;
}

/* Table: allocation, iteration, listing */
struct flow *flow_alloc(enum flow_type type, uint32_t now_s);
void flow_free(struct flow *f);
unsigned int flow_count(enum flow_type type);
uint32_t flow_hwm(void);
void flow_side_set(struct flow_side *s, uint8_t pif,
		   const union inany_addr *peer, uint16_t peer_port,
		   const union inany_addr *ours, uint16_t our_port);
void flow_dump(uint32_t now_s);
int flow_list(uint32_t now_s, bool json, char *buf, size_t len,
	      uint32_t *pos);
int flow_totals(bool json, char *buf, size_t len);
const char *flow_type_str(uint8_t type);

/* Rule of the listening socket being served: new flows carry it */
extern uint16_t flow_rule_cur;

/**
 * enum flow_drop - Reasons for dropping, counted for listings
 * @FLOW_DROP_FULL:	New flow refused: table, or its type, full
 * @FLOW_DROP_TAP_BAD:	Frame from pasta's tap device cut or with a bad
 *			virtio_net_hdr
 * @FLOW_DROP_TAP_BUSY:	TCP frame to the guest not taken (queue full),
 *			sent again later
 * @FLOW_DROP_NUM:	Number of reasons
 */
enum flow_drop {
	FLOW_DROP_FULL = 0,
	FLOW_DROP_TAP_BAD,
	FLOW_DROP_TAP_BUSY,
	FLOW_DROP_NUM,
};

extern uint64_t flow_drops[FLOW_DROP_NUM];

/* Hash index: keys to flow indices, and the keyed hash behind it */
void flow_hash_init(void);
int flow_hash_insert(const struct flow_key *k, uint32_t value);
uint32_t flow_hash_lookup(const struct flow_key *k);
void flow_hash_remove(const struct flow_key *k);
uint64_t siphash_2_4(const void *data, size_t len);

#endif /* FLOW_H */
