/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_flow.c - Flow hash index: SipHash vectors, insert, lookup, removal
 * with backward shifting, full table; compared against a plain model
 *
 * unit-include: flow.c
 */

#include <stdlib.h>

#include "../../flow.c"
#include "unit.h"

#define MODEL_N	20000

static struct flow_key model_key[MODEL_N];
static uint32_t model_val[MODEL_N];
static bool model_live[MODEL_N];

static void key_make(struct flow_key *k, unsigned int n)
{
	struct in_addr a = { htonl(0xc6120000 | (n & 0xffff)) };

	memset(k, 0, sizeof(*k));
	inany_from_v4(&k->peer, a);
	inany_from_v4(&k->ours, a);
	k->peer_port = (uint16_t)n;
	k->our_port = (uint16_t)(n >> 16) + 1;
	k->proto = IPPROTO_TCP;
}

/* Every live key maps to its value, every dead one to nothing */
static bool model_agrees(void)
{
	unsigned int i;

	for (i = 0; i < MODEL_N; i++) {
		uint32_t v = flow_hash_lookup(&model_key[i]);

		if (model_live[i] ? v != model_val[i] : v != FLOW_IDX_NONE)
			return false;
	}
	return true;
}

int main(void)
{
	/* Reference vector of the SipHash paper: key 00..0f, message 00..0e */
	uint8_t msg[15];
	unsigned int i, round, fails = 0;
	struct flow_key k;

	for (i = 0; i < 16; i++)
		flow_key_secret[i] = i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = i;
	CHECK(siphash_2_4(msg, sizeof(msg)) == 0xa129ca6149be45e5ULL,
	      "SipHash-2-4 matches the reference vector (15 bytes)");
	CHECK(siphash_2_4(msg, 0) == 0x726fdb47dd0e0e31ULL,
	      "SipHash-2-4 matches the reference vector (empty)");

	flow_hash_init();
	key_make(&k, 1);
	CHECK(flow_hash_lookup(&k) == FLOW_IDX_NONE, "empty index finds nothing");
	CHECK(flow_hash_insert(&k, FLOW_IDX_NONE) == -1,
	      "FLOW_IDX_NONE can't be stored");
	CHECK(!flow_hash_insert(&k, 7) && flow_hash_lookup(&k) == 7,
	      "insert then lookup");
	CHECK(!flow_hash_insert(&k, 8) && flow_hash_lookup(&k) == 8,
	      "insert of an existing key replaces its value");
	flow_hash_remove(&k);
	CHECK(flow_hash_lookup(&k) == FLOW_IDX_NONE, "removed key is gone");
	flow_hash_remove(&k);
	CHECK(flow_hash_lookup(&k) == FLOW_IDX_NONE,
	      "removing an absent key is harmless");

	/* Random inserts and removals, checked against the model */
	srand(1);
	for (i = 0; i < MODEL_N; i++)
		key_make(&model_key[i], i * 2654435761U);
	for (round = 0; round < 40; round++) {
		for (i = 0; i < 2000; i++) {
			unsigned int n = rand() % MODEL_N;

			if (model_live[n] && rand() % 2) {
				flow_hash_remove(&model_key[n]);
				model_live[n] = false;
			} else {
				model_val[n] = rand() % 1000000;
				if (flow_hash_insert(&model_key[n],
						     model_val[n]))
					fails++;
				model_live[n] = true;
			}
		}
		if (!model_agrees())
			break;
	}
	CHECK(round == 40 && !fails,
	      "40 rounds of random inserts and removals agree with a model");

	for (i = 0; i < MODEL_N; i++)
		if (model_live[i])
			flow_hash_remove(&model_key[i]);
	memset(model_live, 0, sizeof(model_live));
	CHECK(model_agrees(), "all removed: nothing found");

	/* Fill up: the index refuses past its entries, keeps what it has */
	for (i = 0; i < FLOW_ENTRIES_MAX; i++) {
		key_make(&k, 0x100000 + i);
		if (flow_hash_insert(&k, i))
			break;
	}
	CHECK(i == FLOW_ENTRIES_MAX, "index takes FLOW_ENTRIES_MAX keys");
	key_make(&k, 0x100000 + FLOW_ENTRIES_MAX);
	CHECK(flow_hash_insert(&k, 1) == -1, "full index refuses a new key");
	key_make(&k, 0x100000 + 1234);
	CHECK(flow_hash_lookup(&k) == 1234, "full index still finds old keys");
	flow_hash_remove(&k);
	key_make(&k, 0x100000 + FLOW_ENTRIES_MAX);
	CHECK(!flow_hash_insert(&k, 5) && flow_hash_lookup(&k) == 5,
	      "a removal makes room for a new key");

	return unit_done();
}
