/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_fwd.c - Unit tests for fwd.c: port specifications (every syntax and
 *		every error) and address translation for new flows
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../../passt.h"
#include "../../fwd.h"
#include "../../inany.h"
#include "../../util.h"
#include "unit.h"

static struct fwd_ports fwd;
static uint16_t efirst, elast;

/**
 * all_n() - Number of rules 'all' takes with the host's ephemeral range
 *
 * Return: 0, 1 or 2
 */
static unsigned int all_n(void)
{
	return (efirst > 1) + (elast < 65535);
}

/**
 * all_weak() - Are all rules of @fwd weak, with the given binding?
 * @af:		Expected address family
 * @ifname:	Expected interface name
 *
 * Return: true if so
 */
static bool all_weak(int af, const char *ifname)
{
	unsigned int i;

	for (i = 0; i < fwd.count; i++) {
		if (!(fwd.rules[i].flags & FWD_WEAK) ||
		    fwd.rules[i].af != af ||
		    strcmp(fwd.rules[i].ifname, ifname) ||
		    fwd.rules[i].to != fwd.rules[i].first)
			return false;
	}
	return true;
}

/**
 * all_covered() - Do the rules of @fwd cover exactly the ports of 'all'?
 *
 * Every port from 1 to 65535 must be in exactly one rule, unless it's
 * ephemeral (then in none); excluded ports don't matter.
 *
 * Return: true if so
 */
static bool all_covered(void)
{
	unsigned int p, i, n;

	for (p = 1; p <= 65535; p++) {
		bool eph = p >= efirst && p <= elast;

		for (i = n = 0; i < fwd.count; i++)
			n += p >= fwd.rules[i].first && p <= fwd.rules[i].last;
		if (n != !eph)
			return false;
	}
	return true;
}

/* One accepted specification and the single rule it should produce */
struct spec_ok {
	const char *spec;
	bool pasta;
	bool inbound;
	enum fwd_mode mode;
	unsigned int count;
	uint16_t first, last, to;	/* of the first rule, if any */
	int af;
	const char *addr;		/* text of the rule address, or NULL */
	const char *ifname;
};

static const struct spec_ok specs_ok[] = {
	{ "none", false, true, FWD_NONE, 0, 0, 0, 0, 0, NULL, "" },
	{ "none", true, false, FWD_NONE, 0, 0, 0, 0, 0, NULL, "" },
	{ "auto", true, true, FWD_AUTO, 0, 0, 0, 0, 0, NULL, "" },
	{ "auto", true, false, FWD_AUTO, 0, 0, 0, 0, 0, NULL, "" },
	{ "22", false, true, FWD_SPEC, 1, 22, 22, 22, AF_UNSPEC, NULL, "" },
	{ "1", false, true, FWD_SPEC, 1, 1, 1, 1, AF_UNSPEC, NULL, "" },
	{ "65535", false, true, FWD_SPEC, 1, 65535, 65535, 65535,
	  AF_UNSPEC, NULL, "" },
	{ "22,25", false, true, FWD_SPEC, 2, 22, 22, 22, AF_UNSPEC, NULL, "" },
	{ "22-80", true, true, FWD_SPEC, 1, 22, 80, 22, AF_UNSPEC, NULL, "" },
	{ "22:23", true, false, FWD_SPEC, 1, 22, 22, 23, AF_UNSPEC, NULL, "" },
	{ "22-80:32-90", false, true, FWD_SPEC, 1, 22, 80, 32, AF_UNSPEC,
	  NULL, "" },
	{ "8000-8000:8000-8000", true, true, FWD_SPEC, 1, 8000, 8000, 8000,
	  AF_UNSPEC, NULL, "" },
	{ "1-1000,~22", false, true, FWD_SPEC, 1, 1, 1000, 1, AF_UNSPEC,
	  NULL, "" },
	{ "~22,1-1000", false, true, FWD_SPEC, 1, 1, 1000, 1, AF_UNSPEC,
	  NULL, "" },
	{ "127.0.0.1/22", false, true, FWD_SPEC, 1, 22, 22, 22, AF_INET,
	  "127.0.0.1", "" },
	{ "0.0.0.0/22", false, true, FWD_SPEC, 1, 22, 22, 22, AF_INET,
	  "0.0.0.0", "" },
	{ "::1/22", false, true, FWD_SPEC, 1, 22, 22, 22, AF_INET6, "::1", "" },
	{ "[::1]/22", false, true, FWD_SPEC, 1, 22, 22, 22, AF_INET6, "::1",
	  "" },
	{ "[2001:db8::1]/80-81:90-91", true, true, FWD_SPEC, 1, 80, 81, 90,
	  AF_INET6, "2001:db8::1", "" },
	{ "fe80::1%eth0/22", false, true, FWD_SPEC, 1, 22, 22, 22, AF_INET6,
	  "fe80::1", "eth0" },
	{ "[fe80::1%eth0]/22", false, true, FWD_SPEC, 1, 22, 22, 22,
	  AF_INET6, "fe80::1", "eth0" },
	{ "[fe80::1]%eth0/22", false, true, FWD_SPEC, 1, 22, 22, 22,
	  AF_INET6, "fe80::1", "eth0" },
	{ "192.0.2.1%eth0/22:23", true, true, FWD_SPEC, 1, 22, 22, 23,
	  AF_INET, "192.0.2.1", "eth0" },
	{ "%eth0/22", false, true, FWD_SPEC, 1, 22, 22, 22, AF_UNSPEC, NULL,
	  "eth0" },
	{ "%lo/1-2,4", true, true, FWD_SPEC, 2, 1, 2, 1, AF_UNSPEC, NULL,
	  "lo" },
};

/* One rejected specification */
struct spec_bad {
	const char *spec;
	bool pasta;
	bool inbound;
	const char *why;
};

static const struct spec_bad specs_bad[] = {
	{ "", false, true, "empty" },
	{ "0", false, true, "port 0" },
	{ "0-10", false, true, "range from port 0" },
	{ "65536", false, true, "port above 65535" },
	{ "99999999999999999999", false, true, "huge number" },
	{ "80-22", false, true, "reversed range" },
	{ "abc", false, true, "garbage" },
	{ "22x", false, true, "trailing garbage" },
	{ "22 ", false, true, "trailing space" },
	{ " 22", false, true, "leading space" },
	{ "+22", false, true, "sign" },
	{ "22,", false, true, "trailing comma" },
	{ ",22", false, true, "leading comma" },
	{ "22,,23", false, true, "empty list element" },
	{ "-22", false, true, "range without start" },
	{ "22-", false, true, "range without end" },
	{ "22-23-24", false, true, "double range" },
	{ ":22", false, true, "mapping without source" },
	{ "22:", false, true, "mapping without target" },
	{ "22:0", false, true, "mapping to port 0" },
	{ "22-80:32", false, true, "mapped range length mismatch" },
	{ "22:32-33", false, true, "mapped range length mismatch (2)" },
	{ "22-23:65535-65536", false, true, "mapped range beyond 65535" },
	{ "~22:23", false, true, "mapped exclusion" },
	{ "~", false, true, "empty exclusion" },
	{ "~~22", false, true, "double tilde" },
	{ "~22,~22", false, true, "same exclusion twice" },
	{ "~20-30,~25", false, true, "overlapping exclusions" },
	{ "~20-30,~30-40", false, true, "exclusions overlapping at edge" },
	{ "22,22", false, true, "same port twice" },
	{ "20-30,25", false, true, "overlapping ranges" },
	{ "22/", false, true, "address without ports" },
	{ "/22", false, true, "empty address" },
	{ "1.2.3/22", false, true, "bad IPv4 address" },
	{ "1.2.3.4.5/22", false, true, "bad IPv4 address (2)" },
	{ "2001:db8::g/22", false, true, "bad IPv6 address" },
	{ "[::1/22", false, true, "unclosed bracket" },
	{ "[::1]x/22", false, true, "garbage after bracket" },
	{ "[]/22", false, true, "empty brackets" },
	{ "[1.2.3.4]/22", false, true, "bracketed IPv4" },
	{ "::ffff:1.2.3.4/22", false, true, "IPv4-mapped address" },
	{ "%/22", false, true, "empty interface name" },
	{ "1.2.3.4%/22", false, true, "empty interface after address" },
	{ "%abcdefghijklmnopq/22", false, true, "interface name too long" },
	{ "[fe80::1%a]%b/22", false, true, "two interfaces" },
	{ "127.0.0.1/all", true, true, "address with all in pasta" },
	{ "127.0.0.1/all,22", false, true, "address with all inside a list" },
	{ "127.0.0.1/auto", true, true, "address with auto" },
	{ "127.0.0.1/none", false, true, "address with none" },
	{ "all", true, true, "all in pasta" },
	{ "all,22", false, true, "all inside a list" },
	{ "auto", false, true, "auto in passt" },
	{ "auto,22", true, true, "auto inside a list" },
	{ "none,22", false, true, "none inside a list" },
	{ "NONE", false, true, "keywords are lower case" },
	{ "127.0.0.1/22", true, false, "address with -T" },
	{ "%eth0/22", true, false, "interface with -U" },
	{ "[::1]/22", true, false, "bracketed address with -T" },
};

/* Sequences of options for one protocol/direction */
struct spec_seq {
	const char *a, *b;
	bool pasta;
	bool ok;
	enum fwd_mode mode;
	unsigned int count;
	const char *why;
};

static const struct spec_seq seqs[] = {
	{ "none", "22", false, false, 0, 0, "none then ports" },
	{ "22", "none", false, false, 0, 0, "ports then none" },
	{ "none", "none", false, true, FWD_NONE, 0, "none twice" },
	{ "auto", "22", true, false, 0, 0, "auto then ports" },
	{ "22", "auto", true, false, 0, 0, "ports then auto" },
	{ "none", "auto", true, false, 0, 0, "none then auto" },
	{ "auto", "none", true, false, 0, 0, "auto then none" },
	{ "all", "22", false, false, 0, 0, "all then ports" },
	{ "22", "all", false, false, 0, 0, "ports then all" },
	{ "all", "all", false, false, 0, 0, "all twice" },
	{ "none", "all", false, false, 0, 0, "none then all" },
	{ "22", "80", false, true, FWD_SPEC, 2, "rules accumulate" },
	{ "22,25", "80-90:8080-8090", true, true, FWD_SPEC, 3,
	  "rules accumulate (lists)" },
	{ "22", "22", false, false, 0, 0, "same port in two options" },
	{ "20-30", "25", false, false, 0, 0, "overlap across options" },
	{ "127.0.0.1/22", "127.0.0.2/22", false, true, FWD_SPEC, 2,
	  "same port on two addresses" },
	{ "127.0.0.1/22", "22", false, false, 0, 0,
	  "same port on an address and on any" },
	{ "~22", "~22", false, false, 0, 0, "exclusion overlapping earlier" },
	{ "~22", "~23", false, true, FWD_ALL, 0, "exclusions accumulate" },
	{ "auto", "~22", true, true, FWD_AUTO, 0, "auto with exclusions" },
	{ "all", "~22", false, true, FWD_ALL, 0, "all with exclusions" },
	{ "198.18.0.2/all", "~22", false, true, FWD_ALL, 0,
	  "ADDR/all with exclusions" },
	{ "%lo/all", "%lo/~22", false, false, 0, 0,
	  "exclusion-only with an address after ADDR/all" },
	{ "%lo/all", "all", false, false, 0, 0, "ADDR/all then all" },
	{ "~22", "80", false, false, 0, 0, "exclusion-only then ports" },
	{ "80", "~22", false, false, 0, 0, "ports then exclusion-only" },
	{ "none", "~22", false, false, 0, 0, "none then exclusion-only" },
	{ "~22", "127.0.0.1/~23", false, false, 0, 0,
	  "exclusion-only with a new address" },
};

/**
 * check_ok() - One accepted specification
 * @t:		Table entry
 */
static void check_ok(const struct spec_ok *t)
{
	const char *err = NULL;
	char buf[INET6_ADDRSTRLEN];
	const struct fwd_rule *r;
	int rc;

	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, t->spec, t->pasta, t->inbound, &err);
	if (!CHECK(!rc, "spec '%s' (%s, %s) accepted%s%s", t->spec,
		   t->pasta ? "pasta" : "passt",
		   t->inbound ? "inbound" : "outbound",
		   err ? ": " : "", err ? err : ""))
		return;

	r = &fwd.rules[0];
	CHECK(fwd.mode == t->mode && fwd.count == t->count,
	      "spec '%s': mode %d, %u rules", t->spec, t->mode, t->count);
	if (!t->count)
		return;

	CHECK(r->first == t->first && r->last == t->last && r->to == t->to,
	      "spec '%s': ports %u-%u to %u", t->spec, t->first, t->last,
	      t->to);
	CHECK(!r->flags, "spec '%s': explicit ports are not weak", t->spec);
	CHECK(r->af == t->af, "spec '%s': address family", t->spec);
	if (t->addr)
		CHECK_EQ_STR(inany_ntop(&r->addr, buf, sizeof(buf)), t->addr,
			     "spec '%s': bound address", t->spec);
	else
		CHECK(inany_is_unspecified(&r->addr) ||
		      IN6_IS_ADDR_UNSPECIFIED(&r->addr.a6),
		      "spec '%s': no address", t->spec);
	CHECK_EQ_STR(r->ifname, t->ifname, "spec '%s': interface", t->spec);
}

/**
 * test_details() - Properties not covered by the tables
 */
static void test_details(void)
{
	const char *err = NULL;
	unsigned int p;
	bool ok;
	int rc;

	/* Exclusions in a spec with ports */
	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "1-1000,~22,~30-32", false, true, &err);
	CHECK(!rc && fwd_port_excluded(&fwd, 22) &&
	      fwd_port_excluded(&fwd, 30) && fwd_port_excluded(&fwd, 32) &&
	      !fwd_port_excluded(&fwd, 23) && !fwd_port_excluded(&fwd, 29) &&
	      !fwd_port_excluded(&fwd, 33),
	      "exclusions set exactly the excluded ports");

	/* Exclusion-only: all non-ephemeral ports but those, weak */
	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "~3000-3010", false, true, &err);
	CHECK(!rc && fwd.mode == FWD_ALL, "exclusion-only spec means all");
	CHECK(fwd.count == all_n() && all_weak(AF_UNSPEC, ""),
	      "exclusion-only spec: weak rules around the ephemeral range");
	CHECK(all_covered(), "exclusion-only spec: every port up to 65535 "
	      "but the ephemeral range (%u-%u) and the excluded ones",
	      efirst, elast);
	ok = true;
	for (p = 3000; p <= 3010; p++)
		ok = ok && fwd_port_excluded(&fwd, p);
	CHECK(ok && !fwd_port_excluded(&fwd, 2999) &&
	      !fwd_port_excluded(&fwd, 3011),
	      "exclusion-only spec: range 3000-3010 excluded");

	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "::1/~22", false, true, &err);
	CHECK(!rc && fwd.mode == FWD_ALL && fwd.count == all_n() &&
	      all_weak(AF_INET6, "") && fwd_port_excluded(&fwd, 22),
	      "exclusion-only spec keeps its address binding");

	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "198.18.0.2%lo/~22", false, true, &err);
	CHECK(!rc && fwd.mode == FWD_ALL && all_weak(AF_INET, "lo") &&
	      all_covered(),
	      "ADDR%%IF/~22: every rule on the address and interface");

	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "~22", true, false, &err);
	CHECK(!rc && fwd.mode == FWD_ALL,
	      "exclusion-only spec accepted in pasta too (-T)");

	/* all (passt) */
	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "all", false, true, &err);
	CHECK(!rc && fwd.mode == FWD_ALL && fwd.count == all_n() &&
	      all_weak(AF_UNSPEC, ""),
	      "all: weak rules, any address");
	CHECK(all_covered(), "all: every port up to 65535 but the ephemeral "
	      "range (%u-%u)", efirst, elast);

	/* libvirt's <portForward address=...> and <portForward dev=...> */
	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "198.18.0.2/all", false, true, &err);
	CHECK(!rc && fwd.mode == FWD_ALL && all_weak(AF_INET, "") &&
	      all_covered(), "198.18.0.2/all: all ports on that address");
	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "%up0/all", false, true, &err);
	CHECK(!rc && fwd.mode == FWD_ALL && all_weak(AF_UNSPEC, "up0") &&
	      all_covered(), "%%up0/all: all ports on that interface");
	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "[2001:db8::2]%up0/all", false, true, &err);
	CHECK(!rc && fwd.mode == FWD_ALL && all_weak(AF_INET6, "up0"),
	      "[2001:db8::2]%%up0/all");
	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "%up0/all", false, false, &err);
	CHECK(rc == -1, "%%up0/all rejected for -T/-U");

	/* Mapping detail */
	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "22,80-81:8080-8081,443:4443", true, true,
			    &err);
	CHECK(!rc && fwd.count == 3 && fwd.rules[0].to == 22 &&
	      fwd.rules[1].first == 80 && fwd.rules[1].last == 81 &&
	      fwd.rules[1].to == 8080 && fwd.rules[2].first == 443 &&
	      fwd.rules[2].to == 4443,
	      "list with plain, mapped range and mapped port, in order");

	/* Failure leaves earlier rules alone */
	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, "22", false, true, &err);
	rc |= !fwd_parse_spec(&fwd, "23,24,24", false, true, &err);
	CHECK(!rc && fwd.count == 1 && fwd.mode == FWD_SPEC,
	      "a rejected spec leaves the configuration unchanged");
	rc = fwd_parse_spec(&fwd, "~30,~30", false, true, &err);
	CHECK(rc && !fwd_port_excluded(&fwd, 30),
	      "a rejected exclusion isn't recorded");

	/* Error messages are set */
	err = NULL;
	fwd_parse_spec(&fwd, "x", false, true, &err);
	CHECK(err && *err, "errors come with a message");

	/* Rule table limit */
	memset(&fwd, 0, sizeof(fwd));
	rc = 0;
	for (p = 1; p <= FWD_RULES_MAX && !rc; p++) {
		char s[16];

		snprintf(s, sizeof(s), "%u", p);
		rc = fwd_parse_spec(&fwd, s, false, true, &err);
	}
	CHECK(!rc && fwd.count == FWD_RULES_MAX, "%u rules fit",
	      FWD_RULES_MAX);
	CHECK(fwd_parse_spec(&fwd, "1000", false, true, &err) == -1,
	      "one rule more is rejected");
}

/**
 * check_seq() - Two specs for the same option, in order
 * @t:		Table entry
 */
static void check_seq(const struct spec_seq *t)
{
	const char *err = NULL;
	int rc;

	memset(&fwd, 0, sizeof(fwd));
	rc = fwd_parse_spec(&fwd, t->a, t->pasta, true, &err);
	if (!CHECK(!rc, "seq '%s' then '%s': first accepted", t->a, t->b))
		return;
	rc = fwd_parse_spec(&fwd, t->b, t->pasta, true, &err);
	/* FWD_ALL: as many rules as the ephemeral range leaves out */
	if (t->ok)
		CHECK(!rc && fwd.mode == t->mode &&
		      fwd.count == (t->mode == FWD_ALL ? all_n() : t->count),
		      "%s: '%s' then '%s' accepted", t->why, t->a, t->b);
	else
		CHECK(rc == -1, "%s: '%s' then '%s' rejected", t->why, t->a,
		      t->b);
}

/* Fixture for address translation */
static struct ctx c;

#define A4(s)	({ union inany_addr a_; struct in_addr v_;		\
		   inet_pton(AF_INET, s, &v_); inany_from_v4(&a_, v_); a_; })
#define A6(s)	({ union inany_addr a_;					\
		   inet_pton(AF_INET6, s, &a_.a6); a_; })

/**
 * nat_ctx() - Set up a context like the rig: host 198.18.0.1, gw .2
 */
static void nat_ctx(void)
{
	memset(&c, 0, sizeof(c));
	inet_pton(AF_INET, "198.18.0.1", &c.ip4.addr);
	c.ip4.addr_seen = c.ip4.addr;
	inet_pton(AF_INET, "198.18.0.2", &c.ip4.gw);
	c.ip4.map_host_loopback = c.ip4.gw;
	inet_pton(AF_INET, "169.254.1.1", &c.ip4.dns_match);
	inet_pton(AF_INET, "127.0.0.53", &c.ip4.dns_host);
	inet_pton(AF_INET, "169.254.1.2", &c.ip4.map_guest_addr);

	inet_pton(AF_INET6, "2001:db8:1::1", &c.ip6.addr);
	c.ip6.addr_seen = c.ip6.addr;
	inet_pton(AF_INET6, "fe80::1", &c.ip6.gw);
	c.ip6.map_host_loopback = c.ip6.gw;
	inet_pton(AF_INET6, "fd00::53", &c.ip6.dns_match);
	inet_pton(AF_INET6, "2001:db8:5::53", &c.ip6.dns_host);
	inet_pton(AF_INET6, "fd00::2", &c.ip6.map_guest_addr);
	c.ifi4 = c.ifi6 = 1;
}

/**
 * from_tap() - Run fwd_nat_from_tap(), compare the result
 * @proto:	Protocol
 * @dst:	Destination from the guest
 * @port:	Destination port
 * @exp:	Expected host destination, NULL if the flow must be dropped
 * @what:	Description
 */
static void from_tap(uint8_t proto, union inany_addr dst, uint16_t port,
		     const union inany_addr *exp, const char *what)
{
	union inany_addr out;
	uint16_t oport = 0;
	bool ok;

	memset(&out, 0x5a, sizeof(out));
	ok = fwd_nat_from_tap(&c, proto, &dst, port, &out, &oport);
	if (!exp)
		CHECK(!ok, "from guest: %s: dropped", what);
	else
		CHECK(ok && inany_equals(&out, exp) && oport == port,
		      "from guest: %s", what);
}

/**
 * to_tap() - Run fwd_nat_to_tap(), compare the result
 * @proto:	Protocol
 * @src:	Host-side source
 * @port:	Source port
 * @exp:	Expected source towards the guest, NULL if unreachable
 * @what:	Description
 */
static void to_tap(uint8_t proto, union inany_addr src, uint16_t port,
		   const union inany_addr *exp, const char *what)
{
	union inany_addr out;
	uint16_t oport = 0;
	bool ok;

	memset(&out, 0x5a, sizeof(out));
	ok = fwd_nat_to_tap(&c, proto, &src, port, &out, &oport);
	if (!exp)
		CHECK(!ok, "to guest: %s: no mapping", what);
	else
		CHECK(ok && inany_equals(&out, exp) && oport == port,
		      "to guest: %s", what);
}

/**
 * test_nat() - Address translation both ways
 */
static void test_nat(void)
{
	union inany_addr lo4 = A4("127.0.0.1"), lo6 = A6("::1");
	union inany_addr gw4 = A4("198.18.0.2"), gw6 = A6("fe80::1");
	union inany_addr far4 = A4("198.19.0.1"), far6 = A6("2001:db8:2::1");
	union inany_addr res4 = A4("127.0.0.53"), res6 = A6("2001:db8:5::53");
	union inany_addr dm4 = A4("169.254.1.1"), dm6 = A6("fd00::53");
	union inany_addr mga4 = A4("169.254.1.2"), mga6 = A6("fd00::2");
	union inany_addr host4 = A4("198.18.0.1"), host6 = A6("2001:db8:1::1");
	union inany_addr mhl4 = A4("192.0.2.1"), seen4 = A4("198.18.0.77");
	union inany_addr ll6 = A6("fe80::abcd");
	union inany_addr d;

	nat_ctx();

	from_tap(IPPROTO_TCP, gw4, 80, &lo4, "TCP to gateway goes to 127.0.0.1");
	from_tap(IPPROTO_UDP, gw4, 5000, &lo4, "UDP to gateway goes to 127.0.0.1");
	from_tap(IPPROTO_ICMP, gw4, 0, &lo4, "ping to gateway goes to 127.0.0.1");
	from_tap(IPPROTO_TCP, gw6, 80, &lo6, "TCP to IPv6 gateway goes to ::1");
	from_tap(IPPROTO_ICMPV6, gw6, 0, &lo6, "ping6 to gateway goes to ::1");
	from_tap(IPPROTO_UDP, dm4, 53, &res4, "UDP DNS to --dns-forward goes to --dns-host");
	from_tap(IPPROTO_TCP, dm4, 53, &res4, "TCP DNS to --dns-forward goes to --dns-host");
	from_tap(IPPROTO_TCP, dm4, 853, &res4, "DNS over TLS to --dns-forward goes to --dns-host");
	from_tap(IPPROTO_UDP, dm6, 53, &res6, "IPv6 DNS to --dns-forward goes to --dns-host");
	from_tap(IPPROTO_UDP, dm4, 54, &dm4, "other port of --dns-forward not redirected");
	from_tap(IPPROTO_ICMP, dm4, 0, &dm4, "ping to --dns-forward not redirected");
	from_tap(IPPROTO_TCP, mga4, 22, &host4, "--map-guest-addr goes to the host's address");
	from_tap(IPPROTO_TCP, mga6, 22, &host6, "IPv6 --map-guest-addr goes to the host's address");
	from_tap(IPPROTO_ICMP, mga4, 0, &host4, "ping to --map-guest-addr");
	from_tap(IPPROTO_TCP, far4, 80, &far4, "other destinations unchanged");
	from_tap(IPPROTO_UDP, far6, 80, &far6, "other IPv6 destinations unchanged");
	from_tap(IPPROTO_TCP, lo4, 80, NULL, "loopback destination");
	from_tap(IPPROTO_TCP, lo6, 80, NULL, "IPv6 loopback destination");
	from_tap(IPPROTO_UDP, A4("0.0.0.0"), 80, NULL, "unspecified destination");
	from_tap(IPPROTO_TCP, A6("fe80::99"), 80, NULL, "unmapped link-local destination");

	to_tap(IPPROTO_TCP, lo4, 80, &gw4, "loopback source appears as gateway");
	to_tap(IPPROTO_TCP, lo6, 80, &gw6, "IPv6 loopback source appears as gateway");
	to_tap(IPPROTO_UDP, res4, 53, &dm4, "DNS reply from --dns-host appears from --dns-forward");
	to_tap(IPPROTO_TCP, res4, 853, &dm4, "DNS over TLS reply mapped back");
	to_tap(IPPROTO_UDP, res6, 53, &dm6, "IPv6 DNS reply mapped back");
	to_tap(IPPROTO_UDP, res4, 54, &gw4, "non-DNS port of loopback resolver is just loopback");
	to_tap(IPPROTO_UDP, res6, 5353, &res6, "non-DNS port of --dns-host unchanged");
	to_tap(IPPROTO_TCP, host4, 22, &mga4, "host's address appears as --map-guest-addr");
	to_tap(IPPROTO_TCP, host6, 22, &mga6, "host's IPv6 address appears as --map-guest-addr");
	to_tap(IPPROTO_TCP, far4, 80, &far4, "remote source unchanged");
	to_tap(IPPROTO_TCP, far6, 80, &far6, "remote IPv6 source unchanged");

	/* --no-map-gw: conf() leaves map_host_loopback unset */
	memset(&c.ip4.map_host_loopback, 0, sizeof(c.ip4.map_host_loopback));
	memset(&c.ip6.map_host_loopback, 0, sizeof(c.ip6.map_host_loopback));
	memset(&c.ip4.map_guest_addr, 0, sizeof(c.ip4.map_guest_addr));
	from_tap(IPPROTO_TCP, gw4, 80, &gw4, "--no-map-gw: gateway is just a remote host");
	from_tap(IPPROTO_TCP, gw6, 80, NULL, "--no-map-gw: link-local gateway unreachable");
	to_tap(IPPROTO_TCP, lo4, 80, NULL, "--no-map-gw: loopback source");
	to_tap(IPPROTO_TCP, lo6, 80, NULL, "--no-map-gw: IPv6 loopback source");
	to_tap(IPPROTO_TCP, host4, 80, NULL, "--no-map-gw, no --map-guest-addr: host's address");
	from_tap(IPPROTO_TCP, mga6, 22, &host6, "--map-guest-addr works without gateway mapping");

	/* --map-host-loopback ADDR instead of the gateway */
	nat_ctx();
	inet_pton(AF_INET, "192.0.2.1", &c.ip4.map_host_loopback);
	memset(&c.ip4.map_guest_addr, 0, sizeof(c.ip4.map_guest_addr));
	from_tap(IPPROTO_TCP, A4("192.0.2.1"), 80, &lo4, "--map-host-loopback address goes to loopback");
	from_tap(IPPROTO_TCP, gw4, 80, &gw4, "gateway no longer mapped with --map-host-loopback");
	to_tap(IPPROTO_TCP, lo4, 80, &mhl4, "loopback source appears as --map-host-loopback");
	to_tap(IPPROTO_TCP, host4, 80, &mhl4, "host's address without --map-guest-addr appears as host loopback mapping");

	/* fwd_guest_addr() */
	nat_ctx();
	inet_pton(AF_INET, "198.18.0.77", &c.ip4.addr_seen);
	fwd_guest_addr(&c, AF_INET, &far4, &d);
	CHECK(inany_equals(&d, &seen4),
	      "guest address: IPv4 uses the address last seen");
	c.ip4.addr_seen.s_addr = 0;
	fwd_guest_addr(&c, AF_INET, &far4, &d);
	CHECK(inany_equals(&d, &host4),
	      "guest address: IPv4 assigned one if none seen");
	fwd_guest_addr(&c, AF_INET6, &far6, &d);
	CHECK(inany_equals(&d, &host6), "guest address: IPv6 global");
	fwd_guest_addr(&c, AF_INET6, &gw6, &d);
	CHECK(inany_equals(&d, &host6),
	      "guest address: link-local source, none seen: global");
	inet_pton(AF_INET6, "fe80::abcd", &c.ip6.addr_ll_seen);
	fwd_guest_addr(&c, AF_INET6, &gw6, &d);
	CHECK(inany_equals(&d, &ll6),
	      "guest address: link-local source gets link-local guest");
	fwd_guest_addr(&c, AF_INET6, &far6, &d);
	CHECK(inany_equals(&d, &host6),
	      "guest address: global source gets global guest");
}

int main(void)
{
	unsigned int i;

	fwd_ephemeral_range(&efirst, &elast);
	CHECK(efirst >= 1 && efirst <= elast,
	      "ephemeral range read: %u-%u", efirst, elast);

	for (i = 0; i < ARRAY_SIZE(specs_ok); i++)
		check_ok(&specs_ok[i]);

	for (i = 0; i < ARRAY_SIZE(specs_bad); i++) {
		const char *err = NULL;
		int rc;

		memset(&fwd, 0, sizeof(fwd));
		rc = fwd_parse_spec(&fwd, specs_bad[i].spec, specs_bad[i].pasta,
				    specs_bad[i].inbound, &err);
		CHECK(rc == -1 && err && fwd.mode == FWD_UNSET,
		      "reject %s: '%s'%s%s", specs_bad[i].why,
		      specs_bad[i].spec, err ? " -> " : "", err ? err : "");
	}

	for (i = 0; i < ARRAY_SIZE(seqs); i++)
		check_seq(&seqs[i]);

	test_details();
	test_nat();

	return unit_done();
}
