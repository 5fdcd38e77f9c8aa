/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_ctl.c - libFuzzer target: requests on the configuration socket (-c)
 *
 * Input: the bytes a client sends, handed to ctl_parse() as ctl_read() does
 * (at most CTL_REQ_MAX + 1 bytes). What a parsed request refers to is then
 * checked against the limits its users rely on.
 */

#include "../../ctl.c"
#include "fuzz_common.h"

/* ctl.c's other callees, stand-ins: never reached from ctl_parse() */
struct fwd_ports *fwd_table_get(struct ctx *c, enum fwd_table t)
{
	(void)t;
	return &c->tcp_in;
}

int fwd_rule_fmt(const struct fwd_rule *r, bool json, char *buf, size_t len)
{
	(void)r;
	(void)json;
	return snprintf(buf, len, "-");
}

int fwd_change(struct ctx *c, enum fwd_table t, enum fwd_op op,
	       const char *const *specs, unsigned int n, char *msg, size_t len)
{
	(void)c;
	(void)t;
	(void)op;
	(void)specs;
	(void)n;
	return snprintf(msg, len, "-") < 0;
}

void fwd_ephemeral_range(uint16_t *first, uint16_t *last)
{
	*first = 49152;
	*last = 65535;
}

int flow_list(uint32_t now_s, bool json, char *buf, size_t len,
	      uint32_t *pos)
{
	(void)now_s;
	(void)json;
	(void)buf;
	(void)len;
	*pos = 0;
	return 0;
}

int flow_totals(bool json, char *buf, size_t len)
{
	(void)json;
	return snprintf(buf, len, "-");
}

uint32_t flow_hwm(void)
{
	return 0;
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
	static const char *const seeds[] = {
		"pesto 1 show\n", "pesto 1 show json\n", "pesto 1 flows\n",
		"pesto 1 log-level debug\n", "pesto 1 add tcp-in 8080:80\n",
		"pesto 1 del udp-in 198.18.0.1%eth0/53 ~54\n",
		"pesto 1 set tcp-out\n", "pesto 1 set tcp-in 1-10 22 all\n",
	};
	size_t i;

	(void)argc;
	(void)argv;

	for (i = 0; i < ARRAY_SIZE(seeds); i++) {
		char name[32];

		snprintf(name, sizeof(name), "seed-%zu", i);
		fuzz_seed(name, seeds[i], strlen(seeds[i]));
	}
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Feed one request to ctl_parse()
 * @data:	Input
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctl_req req;
	const char *err = NULL;
	unsigned int i;
	char *msg;

	if (size > CTL_REQ_MAX + 1)
		size = CTL_REQ_MAX + 1;

	/* Exact-size copy: reading past it trips AddressSanitizer */
	msg = malloc(size ? size : 1);
	memcpy(msg, data, size);

	if (ctl_parse(msg, size, &req, &err)) {
		if (!err || !*err)
			abort();
	} else {
		if (req.table >= FWD_TABLES || req.nspec > CTL_WORDS_MAX)
			abort();
		for (i = 0; i < req.nspec; i++) {
			if (!*req.spec[i] || strchr(req.spec[i], ' ') ||
			    req.spec[i] < req.buf ||
			    req.spec[i] >= req.buf + sizeof(req.buf))
				abort();
		}
	}

	free(msg);
	return 0;
}
