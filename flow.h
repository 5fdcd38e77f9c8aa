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
 * struct flow_key - What identifies a flow on one side
 * @faddr:	Far end (peer) address
 * @laddr:	Local end address
 * @fport:	Far end port
 * @lport:	Local end port
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP(V6)
 * @side:	Which side the key describes (0: guest side, 1: host side)
 */
struct flow_key {
	union inany_addr faddr;
	union inany_addr laddr;
	uint16_t fport;
	uint16_t lport;
	uint8_t proto;
	uint8_t side;
	uint8_t pad[2];
};

/**
 * flow_key_set() - Fill a flow key, padding zeroed so keys compare whole
 * @k:		Key to fill
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP(V6)
 * @side:	0: guest side, 1: host side
 * @faddr:	Far end address
 * @fport:	Far end port
 * @laddr:	Local end address
 * @lport:	Local end port
 */
static inline void flow_key_set(struct flow_key *k, uint8_t proto,
				uint8_t side, const union inany_addr *faddr,
				uint16_t fport, const union inany_addr *laddr,
				uint16_t lport)
{
	memset(k, 0, sizeof(*k));
	k->faddr = *faddr;
	k->laddr = *laddr;
	k->fport = fport;
	k->lport = lport;
	k->proto = proto;
	k->side = side;
}

/* Hash index: keys to flow indices, and the keyed hash behind it */
void flow_hash_init(void);
int flow_hash_insert(const struct flow_key *k, uint32_t value);
uint32_t flow_hash_lookup(const struct flow_key *k);
void flow_hash_remove(const struct flow_key *k);
uint64_t siphash_2_4(const void *data, size_t len);

#endif /* FLOW_H */
