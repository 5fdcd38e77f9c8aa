/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_dhcpv6.c - libFuzzer target: DHCPv6 messages from the guest
 *
 * Input: one selector byte for the configuration (see fuzz_ctx()), then the
 * UDP payload handed to dhcpv6().
 *
 * fuzz-extra: dhcp.c
 */

#include "../../dhcpv6.c"
#include "fuzz_common.h"

/**
 * seed_opt() - Append an option to a seed message
 * @m:		Message
 * @len:	Length so far, updated
 * @code:	Option code
 * @data:	Option data
 * @olen:	Length of @data
 */
static void seed_opt(uint8_t *m, size_t *len, uint16_t code, const void *data,
		     size_t olen)
{
	m[(*len)++] = code >> 8;
	m[(*len)++] = code & 0xff;
	m[(*len)++] = olen >> 8;
	m[(*len)++] = olen & 0xff;
	memcpy(m + *len, data, olen);
	*len += olen;
}

/**
 * LLVMFuzzerInitialize() - Write seed inputs, if asked to
 * @argc:	Argument count, unused
 * @argv:	Arguments, unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t types[] = { SOLICIT, REQUEST, CONFIRM, RENEW,
					 REBIND, RELEASE, DECLINE,
					 INFORMATION_REQUEST };
	static const uint8_t duid[] = { 0, 3, 0, 1, 2, 0x11, 0x22, 0x33,
					0x44, 0x55 };
	static const uint8_t sid[] = { 0, 3, 0, 1, 0x9a, 0x9a, 0x9a, 0x9a,
				       0x9a, 0x9a };
	static const uint8_t oro[] = { 0, 23, 0, 24 };
	uint8_t m[512], ia[64] = { 1, 2, 3, 4 };
	size_t i, len;

	(void)argc;
	(void)argv;

	/* IA_NA with one IAADDR in 2001:db8:1::/64 */
	ia[13] = OPT_IAADDR;
	ia[15] = 24;
	inet_pton(AF_INET6, "2001:db8:1::1", ia + 16);

	for (i = 0; i < sizeof(types); i++) {
		char name[32];

		len = 0;
		m[len++] = (uint8_t)(i * 0x29);	/* configuration */
		m[len++] = types[i];
		m[len++] = 0xab;
		m[len++] = 0xcd;
		m[len++] = 0xef;
		seed_opt(m, &len, OPT_CLIENTID, duid, sizeof(duid));
		if (types[i] == REQUEST || types[i] == RENEW ||
		    types[i] == RELEASE || types[i] == DECLINE)
			seed_opt(m, &len, OPT_SERVERID, sid, sizeof(sid));
		if (types[i] != INFORMATION_REQUEST)
			seed_opt(m, &len, OPT_IA_NA, ia, 40);
		seed_opt(m, &len, OPT_ORO, oro, sizeof(oro));
		if (types[i] == SOLICIT && i % 2)
			seed_opt(m, &len, OPT_RAPID_COMMIT, NULL, 0);
		snprintf(name, sizeof(name), "seed-%zu", i);
		fuzz_seed(name, m, len);
	}

	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Feed one input to dhcpv6()
 * @data:	Input
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctx c;
	struct in6_addr s, d;
	uint8_t *msg;

	if (!size)
		return 0;

	fuzz_ctx(&c, data[0]);
	dhcpv6_init(&c);
	inet_pton(AF_INET6, "fe80::2", &s);
	inet_pton(AF_INET6, "ff02::1:2", &d);

	msg = malloc(size - 1 ? size - 1 : 1);
	memcpy(msg, data + 1, size - 1);
	dhcpv6(&c, &s, &d, msg, size - 1);
	free(msg);

	return 0;
}
