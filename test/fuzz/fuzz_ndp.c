/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_ndp.c - libFuzzer target: ICMPv6 (NDP) messages from the guest
 *
 * Input: one selector byte for the configuration (see fuzz_ctx()), one for
 * source and destination addresses, then the ICMPv6 message given to ndp().
 * Every input also runs the RA timer once.
 *
 * fuzz-extra: dhcp.c
 */

#include "../../ndp.c"
#include "fuzz_common.h"

/**
 * LLVMFuzzerInitialize() - Write seed inputs, if asked to
 * @argc:	Argument count, unused
 * @argv:	Arguments, unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t m[64] = { 0 };

	(void)argc;
	(void)argv;

	/* NS for the gateway, with SLLA */
	m[0] = 0;
	m[1] = 0;
	m[2] = ND_NEIGHBOR_SOLICIT;
	inet_pton(AF_INET6, "2001:db8:1::2", m + 2 + 8);
	m[2 + 24] = ND_OPT_SOURCE_LINKADDR;
	m[2 + 25] = 1;
	fuzz_seed("seed-ns", m, 2 + 32);

	/* DAD probe */
	m[1] = 1;
	fuzz_seed("seed-dad", m, 2 + 24);

	/* RS with SLLA */
	memset(m, 0, sizeof(m));
	m[0] = 0x21;
	m[2] = ND_ROUTER_SOLICIT;
	m[2 + 8] = ND_OPT_SOURCE_LINKADDR;
	m[2 + 9] = 1;
	fuzz_seed("seed-rs", m, 2 + 16);

	/* Echo request: not ours */
	m[2] = 128;
	fuzz_seed("seed-echo", m, 2 + 8);

	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Feed one input to ndp()
 * @data:	Input
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const saddrs[] = { "fe80::2", "::", "2001:db8:1::1",
					      "fe80::1" };
	static const char *const daddrs[] = { "ff02::1:ff00:2", "ff02::2",
					      "fe80::1", "2001:db8:1::2" };
	struct timespec now = { .tv_sec = 100000 };
	static struct ctx c;
	struct in6_addr s, d;
	uint8_t *msg;

	if (size < 2)
		return 0;

	fuzz_ctx(&c, data[0]);
	c.no_ra = !!(data[1] & 0x10);
	c.no_dhcpv6 = !!(data[1] & 0x20);
	if (data[1] & 0x40)
		memset(&c.ip6.our_tap_ll, 0, sizeof(c.ip6.our_tap_ll));
	inet_pton(AF_INET6, saddrs[data[1] & 3], &s);
	inet_pton(AF_INET6, daddrs[(data[1] >> 2) & 3], &d);

	msg = malloc(size - 2 ? size - 2 : 1);
	memcpy(msg, data + 2, size - 2);
	ndp(&c, &s, &d, msg, size - 2);
	free(msg);

	if (data[1] & 0x80) {
		ndp_next_ra = 1;
		ndp_timer(&c, &now);
	}

	return 0;
}
