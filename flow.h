/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * flow.h - Flow hash index: keyed lookup from addresses and ports to flows
 */

#ifndef FLOW_H
#define FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "inany.h"

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

/* Hash index: keys to flow indices, and the keyed hash behind it */
void flow_hash_init(void);
int flow_hash_insert(const struct flow_key *k, uint32_t value);
uint32_t flow_hash_lookup(const struct flow_key *k);
void flow_hash_remove(const struct flow_key *k);
uint64_t siphash_2_4(const void *data, size_t len);

#endif /* FLOW_H */
