/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_dhcp.c - libFuzzer target: DHCP requests from the guest
 *
 * Input: one selector byte for the configuration (see fuzz_ctx()), then the
 * UDP payload handed to dhcp().
 */

#include "../../dhcp.c"
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
	static const uint8_t types[] = { 1, 3, 8, 4, 7, 0 };
	uint8_t m[400] = { 0 };
	size_t i, len;

	(void)argc;
	(void)argv;

	for (i = 0; i < sizeof(types); i++) {
		char name[32];

		memset(m, 0, sizeof(m));
		m[0] = (uint8_t)(i * 0x29);	/* configuration */
		m[1] = 1;
		m[2] = 1;
		m[3] = 6;
		m[5] = 0x12;
		memcpy(m + 1 + OFF_CHADDR, "\x02\x11\x22\x33\x44\x55", 6);
		memcpy(m + 1 + OFF_COOKIE, dhcp_cookie, 4);
		len = 1 + DHCP_OPTS_OFF;
		if (types[i]) {
			m[len++] = 53;
			m[len++] = 1;
			m[len++] = types[i];
		}
		memcpy(m + len, "\x32\x04\xc6\x12\x00\x01"
			"\x36\x04\xc6\x12\x00\x02"
			"\x37\x06\x01\x03\x06\x0f\x77\x1a"
			"\x3d\x07\x01\x02\x11\x22\x33\x44\x55"
			"\x39\x02\x05\xdc\x50\x00\xff", 37);
		len += 37;
		snprintf(name, sizeof(name), "seed-%zu", i);
		fuzz_seed(name, m, len);
	}

	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Feed one input to dhcp()
 * @data:	Input
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctx c;
	uint8_t *msg;

	if (!size)
		return 0;

	fuzz_ctx(&c, data[0]);

	/* Exact-size copy: reading past it trips AddressSanitizer */
	msg = malloc(size - 1 ? size - 1 : 1);
	memcpy(msg, data + 1, size - 1);
	dhcp(&c, msg, size - 1);
	free(msg);

	return 0;
}
