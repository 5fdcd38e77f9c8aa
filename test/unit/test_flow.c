/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_flow.c - Flow table: allocation, caps per type, reuse, listing;
 * hash index: SipHash vectors, insert, lookup, removal with backward
 * shifting, full index; compared against a plain model
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

/* Table: caps, reuse of released entries, high-water mark, listing */
static void test_table(void)
{
	static struct flow *got[FLOW_TCP_MAX];
	union inany_addr g, d, h;
	struct flow *f, *f2;
	unsigned int n, i;
	char line[256];
	int len;

	CHECK(!flow_alloc(FLOW_NONE, 0) && !flow_alloc(FLOW_NUM_TYPES, 0),
	      "no flows of type none or unknown");
	CHECK_EQ_INT(flow_hwm(), 0, "nothing allocated: high-water mark 0");

	f = flow_alloc(FLOW_UDP, 100);
	CHECK(f && f->f.type == FLOW_UDP && f->f.since == 100 &&
	      flow_count(FLOW_UDP) == 1 && flow_hwm() == 1,
	      "first flow: type, creation time, count, high-water mark");
	CHECK(((uintptr_t)flow_priv(f) & 7) == 0 &&
	      flow_of_priv(flow_priv(f)) == f,
	      "private area aligned, and leads back to its flow");
	CHECK(flow_at(flow_idx(f)) == f, "index leads back to its flow");
	memset(flow_priv(f), 0xaa, FLOW_PRIV_SIZE);
	flow_free(f);
	CHECK_EQ_INT(flow_count(FLOW_UDP), 0, "released flow not counted");
	flow_free(f);
	CHECK_EQ_INT(flow_count(FLOW_UDP), 0, "releasing twice is harmless");
	f2 = flow_alloc(FLOW_ICMP, 5);
	CHECK(f2 == f && flow_hwm() == 1 && f2->f.type == FLOW_ICMP &&
	      !((uint8_t *)flow_priv(f2))[FLOW_PRIV_SIZE - 1],
	      "released entry reused first, cleared, high-water mark kept");
	flow_free(f2);

	/* Caps per type: a full type refuses, others still get entries */
	for (n = 0; n < ARRAY_SIZE(got); n++)
		if (!(got[n] = flow_alloc(FLOW_TCP, 0)))
			break;
	CHECK_EQ_INT(n, FLOW_TCP_MAX, "TCP flows up to FLOW_TCP_MAX");
	CHECK(!flow_alloc(FLOW_TCP, 0), "one more TCP flow is refused");
	for (i = 0; i < FLOW_ICMP_MAX; i++)
		if (!flow_alloc(FLOW_ICMP, 0))
			break;
	CHECK(i == FLOW_ICMP_MAX && !flow_alloc(FLOW_ICMP, 0) &&
	      flow_count(FLOW_ICMP) == FLOW_ICMP_MAX,
	      "ICMP flows up to FLOW_ICMP_MAX, then refused");
	CHECK((f = flow_alloc(FLOW_UDP, 0)) != NULL,
	      "full TCP and ICMP types don't starve UDP");
	flow_free(f);
	flow_free(got[7]);
	CHECK(flow_alloc(FLOW_TCP, 0) == got[7],
	      "a TCP flow released makes room for one more");

	for (i = 0; i < flow_hwm(); i++)
		flow_free(flow_at(i));
	CHECK(!flow_count(FLOW_TCP) && !flow_count(FLOW_ICMP) &&
	      !flow_count(FLOW_UDP), "all released");
	n = flow_hwm();
	for (i = 0; i < 100; i++)
		flow_free(flow_alloc(FLOW_TCP, 0));
	CHECK_EQ_INT(flow_hwm(), n, "churn reuses entries, no growth");

	/* Listing: a line with both sides, state, age and bytes */
	f = flow_alloc(FLOW_TCP, 10);
	inany_from_v4(&g, (struct in_addr){ htonl(0xc6120002) });
	inany_from_v4(&d, (struct in_addr){ htonl(0xc6130001) });
	flow_side_set(&f->f.side[INISIDE], PIF_TAP, &g, 40000, &d, 80);
	flow_side_set(&f->f.side[TGTSIDE], PIF_HOST, &d, 80, NULL, 0);
	f->f.state = FLOW_STATE_ACTIVE;
	f->f.bytes[INISIDE] = 512;
	f->f.bytes[TGTSIDE] = 1024;
	len = flow_describe(f, 13, line, sizeof(line));
	CHECK_EQ_STR(line, "tcp active age 3s: tap 198.18.0.2:40000>"
		     "198.19.0.1:80 host *:0>198.19.0.1:80 bytes 512>1024",
		     "IPv4 TCP flow listed");
	CHECK_EQ_INT(len, strlen(line), "length of the line returned");
	h.a6 = in6addr_loopback;
	flow_side_set(&f->f.side[TGTSIDE], PIF_NS, &h, 5201, &h, 33000);
	f->f.type = FLOW_TCP_SPLICE;
	f->f.state = 200;
	flow_describe(f, 10, line, sizeof(line));
	CHECK_EQ_STR(line, "tcp-splice ? age 0s: tap 198.18.0.2:40000>"
		     "198.19.0.1:80 ns [::1]:33000>[::1]:5201 bytes 512>1024",
		     "IPv6 side in brackets, unknown state as '?'");
	len = flow_describe(f, 10, line, 8);
	CHECK(len > 8 && strlen(line) == 7, "short buffer: truncated, ended");
	flow_free(f);
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

	test_table();

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
