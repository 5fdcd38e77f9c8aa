/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_ctl.c - Unit tests for the configuration socket: request parsing
 *		(ctl.c), rule identifiers, listening socket tracking, refused
 *		table changes and rule formatting (fwd.c), flow listing in
 *		pieces and the rule of new flows (flow.c)
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/socket.h>

#include "../../passt.h"
#include "../../ctl.h"
#include "../../flow.h"
#include "../../fwd.h"
#include "../../util.h"
#include "unit.h"

static struct ctl_req req;
static struct ctx c;

/**
 * parse() - Parse a NUL-terminated request
 * @s:		Request
 * @err:	Set to the error message, if any
 *
 * Return: as ctl_parse()
 */
static int parse(const char *s, const char **err)
{
	*err = NULL;
	return ctl_parse(s, strlen(s), &req, err);
}

static void test_parse_ok(void)
{
	const char *e;

	CHECK_EQ_INT(parse("pesto 1 show\n", &e), 0, "show");
	CHECK(req.cmd == CTL_SHOW && !req.json, "show: command, no JSON");
	CHECK_EQ_INT(parse("pesto 1 show json\n", &e), 0, "show json");
	CHECK(req.json, "show json: JSON");
	CHECK_EQ_INT(parse("pesto\t1  flows \n", &e), 0,
		     "flows, tabs and repeated blanks");
	CHECK(req.cmd == CTL_FLOWS, "flows: command");
	CHECK_EQ_INT(parse("pesto 1 log-level warning\n", &e), 0,
		     "log-level warning");
	CHECK_EQ_INT(req.level, LOG_WARNING, "log-level: level");
	CHECK_EQ_INT(parse("pesto 1 add udp-in 53 198.18.0.1/5000:6000\n",
			   &e), 0, "add, two specs");
	CHECK(req.cmd == CTL_ADD && req.table == FWD_UDP_IN,
	      "add: command and table");
	CHECK_EQ_INT(req.nspec, 2, "add: specs");
	CHECK_EQ_STR(req.spec[1], "198.18.0.1/5000:6000", "add: second spec");
	CHECK_EQ_INT(parse("pesto 1 set tcp-out\n", &e), 0,
		     "set without spec (clear)");
	CHECK(req.cmd == CTL_SET && req.table == FWD_TCP_OUT && !req.nspec,
	      "set: table, no spec");
	CHECK_EQ_INT(parse("pesto 1 del tcp-in 22\n", &e), 0, "del");
	CHECK(req.cmd == CTL_DEL, "del: command");
}

static void test_parse_bad(void)
{
	static char big[CTL_REQ_MAX + 16];
	char words[CTL_REQ_MAX];
	const char *e;
	int i;

	CHECK_EQ_INT(parse("", &e), -1, "empty");
	CHECK_EQ_INT(parse("pesto 1 show", &e), -1, "no newline");
	CHECK_EQ_STR(e, "Request not terminated by a newline", "... message");
	CHECK_EQ_INT(parse("pesto 1 show\nx", &e), -1, "data after newline");
	CHECK_EQ_INT(parse("pesto 1 show\n\n", &e), -1, "two lines");
	CHECK_EQ_INT(parse("basil 1 show\n", &e), -1, "wrong magic");
	CHECK_EQ_INT(parse("pesto 2 show\n", &e), -1, "version 2");
	CHECK_EQ_STR(e, "Unsupported protocol version (this is 1)",
		     "... message");
	CHECK_EQ_INT(parse("pesto 1\n", &e), -1, "no command");
	CHECK_EQ_INT(parse("pesto 1 dance\n", &e), -1, "unknown command");
	CHECK_EQ_INT(parse("pesto 1 show yaml\n", &e), -1, "show: bad arg");
	CHECK_EQ_INT(parse("pesto 1 show json x\n", &e), -1,
		     "show: two args");
	CHECK_EQ_INT(parse("pesto 1 log-level\n", &e), -1, "no level");
	CHECK_EQ_INT(parse("pesto 1 log-level loud\n", &e), -1, "bad level");
	CHECK_EQ_INT(parse("pesto 1 add\n", &e), -1, "add: no table");
	CHECK_EQ_INT(parse("pesto 1 add tcp\n", &e), -1, "add: bad table");
	CHECK_EQ_INT(parse("pesto 1 add tcp-in\n", &e), -1, "add: no spec");
	CHECK_EQ_INT(parse("pesto 1 del udp-out\n", &e), -1, "del: no spec");
	CHECK_EQ_INT(parse("pesto 1 show\r\n", &e), -1, "carriage return");
	CHECK_EQ_INT(ctl_parse("pesto 1\0show\n", 13, &req, &e), -1,
		     "NUL byte");
	CHECK_EQ_INT(parse("pesto 1 add tcp-in \xc3\xa9\n", &e), -1,
		     "non-ASCII byte");

	memset(big, 'a', sizeof(big));
	big[CTL_REQ_MAX] = '\n';
	CHECK_EQ_INT(ctl_parse(big, CTL_REQ_MAX + 1, &req, &e), -1,
		     "one byte over the limit");
	CHECK_EQ_STR(e, "Request too long", "... message");

	/* 65 specs: too many words */
	strcpy(words, "pesto 1 add tcp-in");
	for (i = 0; i < CTL_WORDS_MAX + 1; i++)
		strcat(words, " 1");
	strcat(words, "\n");
	CHECK_EQ_INT(parse(words, &e), -1, "too many specs");
	words[strlen(words) - 3] = '\n';
	words[strlen(words) - 2] = 0;
	CHECK_EQ_INT(parse(words, &e), 0, "as many specs as allowed");
	CHECK_EQ_INT(req.nspec, CTL_WORDS_MAX, "... all kept");
}

static void test_rule_ids_fmt(void)
{
	struct fwd_ports f = { 0 };
	const char *e;
	char buf[256];

	CHECK_EQ_INT(fwd_parse_spec(&f, "8080:80,[2001:db8::1]/5000", false,
				    true, &e), -1,
		     "address only before the whole list");
	CHECK_EQ_INT(fwd_parse_spec(&f, "8080:80", false, true, &e), 0,
		     "spec 8080:80");
	CHECK_EQ_INT(fwd_parse_spec(&f, "[2001:db8::1]%lo/5000-5001", false,
				    true, &e), 0, "spec with address and if");
	CHECK(f.rules[0].id && f.rules[1].id &&
	      f.rules[0].id != f.rules[1].id, "rules get distinct ids");

	fwd_rule_fmt(&f.rules[0], false, buf, sizeof(buf));
	CHECK(strstr(buf, ": 8080:80") != NULL, "text: %s", buf);
	fwd_rule_fmt(&f.rules[1], false, buf, sizeof(buf));
	CHECK(strstr(buf, ": [2001:db8::1]%lo/5000-5001") != NULL,
	      "text, address and interface: %s", buf);
	fwd_rule_fmt(&f.rules[0], true, buf, sizeof(buf));
	CHECK(strstr(buf, "\"spec\":\"8080:80\"") != NULL &&
	      strstr(buf, "\"weak\":false") != NULL, "JSON: %s", buf);
}

static void test_lsock(void)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_TCP_LISTEN, .fd = 7 };

	fwd_rule_binding = 42;
	fwd_lsock_note(7, ref.u64);
	fwd_rule_binding = 0;
	fwd_lsock_note(8, ref.u64);
	CHECK_EQ_INT(fwd_lsock_rule(7), 42, "socket noted while binding");
	CHECK_EQ_INT(fwd_lsock_rule(8), 0, "socket of no rule");
	fwd_lsock_forget(7);
	fwd_lsock_forget(8);
	CHECK_EQ_INT(fwd_lsock_rule(7), 0, "forgotten");
	CHECK_EQ_INT(fwd_lsock_rule(-1), 0, "negative descriptor");
	CHECK_EQ_INT(fwd_lsock_rule(FWD_LSOCK_FD_MAX), 0,
		     "descriptor beyond the table");
	fwd_lsock_note(FWD_LSOCK_FD_MAX, ref.u64);	/* ignored */
}

static void test_change_refused(void)
{
	const char *specs[] = { "70000" }, *nine[] = { "9" };
	char msg[256];

	c.mode = MODE_PASST;
	memset(&c.tcp_in, 0, sizeof(c.tcp_in));
	CHECK_EQ_INT(fwd_change(&c, FWD_TCP_IN, FWD_OP_ADD, specs, 1, msg,
				sizeof(msg)), -1, "bad spec refused");
	CHECK(strstr(msg, "Bad port specification") != NULL, "... %s", msg);
	CHECK_EQ_INT(fwd_change(&c, FWD_TCP_IN, FWD_OP_DEL, nine, 1, msg,
				sizeof(msg)), -1, "deleting a missing rule");
	CHECK(strstr(msg, "No such rule: 9") != NULL, "... %s", msg);
	CHECK_EQ_INT(fwd_change(&c, FWD_TCP_OUT, FWD_OP_ADD, nine, 1, msg,
				sizeof(msg)), -1, "outbound table in passt");
	c.no_udp = 1;
	CHECK_EQ_INT(fwd_change(&c, FWD_UDP_IN, FWD_OP_ADD, nine, 1, msg,
				sizeof(msg)), -1, "UDP disabled");
	CHECK_EQ_STR(msg, "UDP is disabled", "... message");
	c.no_udp = 0;

	c.mode = MODE_PASTA;
	c.tcp_in.mode = FWD_AUTO;
	CHECK_EQ_INT(fwd_change(&c, FWD_TCP_IN, FWD_OP_SET, nine, 1, msg,
				sizeof(msg)), -1, "automatic table untouched");
	CHECK_EQ_INT(c.tcp_in.mode, FWD_AUTO, "... still automatic");
	c.tcp_in.mode = FWD_NONE;
	CHECK_EQ_INT(fwd_change(&c, FWD_TCP_IN, FWD_OP_SET, NULL, 0, msg,
				sizeof(msg)), 0, "clearing an empty table");
	c.mode = MODE_PASST;
}

static void test_change_del(void)
{
	const char *spec[] = { "10000" }, *two[] = { "10000", "10001" };
	const char *e;
	char msg[256];

	/* pasta's implicit UDP rules: weak, deleted by their plain spec */
	c.mode = MODE_PASTA;
	memset(&c.udp_in, 0, sizeof(c.udp_in));
	fwd_parse_spec(&c.udp_in, "10000", true, true, &e);
	fwd_parse_spec(&c.udp_in, "10001", true, true, &e);
	c.udp_in.rules[0].flags |= FWD_WEAK;
	CHECK_EQ_INT(fwd_change(&c, FWD_UDP_IN, FWD_OP_DEL, two, 2, msg,
				sizeof(msg)), 0, "delete two rules, one weak");
	CHECK_EQ_INT(c.udp_in.count, 0, "... table empty");
	CHECK_EQ_INT(c.udp_in.mode, FWD_NONE, "... mode none");
	CHECK_EQ_INT(fwd_change(&c, FWD_UDP_IN, FWD_OP_DEL, spec, 1, msg,
				sizeof(msg)), -1, "... then gone");
	c.mode = MODE_PASST;
}

static void test_flows(void)
{
	struct flow *f[3];
	uint32_t pos = 0;
	char buf[4096];
	int n, i;

	flow_rule_cur = 5;
	f[0] = flow_alloc(FLOW_TCP, 100);
	flow_rule_cur = 0;
	f[1] = flow_alloc(FLOW_UDP, 100);
	f[2] = flow_alloc(FLOW_ICMP, 100);
	CHECK(f[0] && f[1] && f[2], "three flows");
	CHECK_EQ_INT(f[0]->f.rule, 5, "flow of a rule remembers it");
	CHECK_EQ_INT(f[1]->f.rule, 0, "other flows have none");

	n = flow_list(103, false, buf, sizeof(buf), &pos);
	buf[n] = 0;
	CHECK(n > 0 && pos == flow_hwm(), "text listing, all at once");
	CHECK(strstr(buf, "tcp new age 3s") != NULL, "text: %.60s", buf);

	/* Room for one JSON object at a time: three calls, one comma each
	 * after the first
	 */
	pos = 0;
	for (i = 0; i < 3; i++) {
		n = flow_list(103, true, buf, 400, &pos);
		buf[n] = 0;
		CHECK(n > 0 && strchr(buf, '\n') == buf + n - 1,
		      "JSON, piece %i: one object", i);
		CHECK((buf[0] == ',') == (i > 0), "JSON, piece %i: comma", i);
	}
	n = flow_list(103, true, buf, 400, &pos);
	CHECK_EQ_INT(n, 0, "JSON: nothing left");

	n = flow_totals(true, buf, sizeof(buf));
	CHECK(n > 0 && strstr(buf, "\"flows\":3") != NULL, "totals: %s", buf);
	CHECK(strstr(buf, "\"dropped\":{\"flow-table-full\":0,") != NULL,
	      "totals: drop counters");

	for (i = 0; i < 3; i++)
		flow_free(f[i]);
}

static void test_drops(void)
{
	static struct flow *f[FLOW_ICMP_MAX];
	uint64_t before = flow_drops[FLOW_DROP_FULL];
	char buf[1024];
	unsigned int i;

	for (i = 0; i < FLOW_ICMP_MAX; i++)
		f[i] = flow_alloc(FLOW_ICMP, 1);
	CHECK(f[FLOW_ICMP_MAX - 1] != NULL, "ICMP flows up to the cap");
	CHECK(flow_alloc(FLOW_ICMP, 1) == NULL, "one more refused");
	CHECK_EQ_INT(flow_drops[FLOW_DROP_FULL], before + 1,
		     "refusal counted");
	flow_totals(false, buf, sizeof(buf));
	CHECK(strstr(buf, "Dropped: flow-table-full 1,") != NULL,
	      "text totals: %s", buf);
	for (i = 0; i < FLOW_ICMP_MAX; i++)
		flow_free(f[i]);
}

int main(void)
{
	unit_ctx_init(&c);

	test_parse_ok();
	test_parse_bad();
	test_rule_ids_fmt();
	test_lsock();
	test_change_refused();
	test_change_del();
	test_flows();
	test_drops();

	return unit_done();
}
