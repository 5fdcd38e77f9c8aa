/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_hostwatch.c - Following the host: what differs between two
 * configurations, and what doesn't count
 */

#include <arpa/inet.h>
#include <string.h>

#include "passt.h"
#include "hostwatch.h"
#include "unit.h"

static struct ctx a, b;

/**
 * pair() - Old and new configuration, both as the rig's host
 */
static void pair(void)
{
	unit_ctx_init(&a);
	unit_ctx_init(&b);
}

static void test_diff(void)
{
	pair();
	CHECK_EQ_INT(hostwatch_diff(&a, &b), 0, "same configuration: nothing");

	pair();
	inet_pton(AF_INET, "198.18.5.1", &b.ip4.addr);
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_ADDR4, "IPv4 address");
	pair();
	b.ip4.prefix_len = 16;
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_ADDR4, "IPv4 prefix length");
	pair();
	inet_pton(AF_INET, "198.18.0.3", &b.ip4.gw);
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_GW4, "IPv4 gateway");
	pair();
	b.ifi4 = 7;
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_IFI4, "IPv4 template");

	pair();
	inet_pton(AF_INET6, "2001:db8:7::1", &b.ip6.addr);
	inet_pton(AF_INET6, "2001:db8:7::2", &b.ip6.gw);
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_ADDR6 | HW_GW6,
		     "IPv6 address and gateway");
	pair();
	b.ip6.prefix_len = 48;
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_ADDR6, "IPv6 prefix length");

	pair();
	inet_pton(AF_INET, "198.18.0.99", &b.ip4.dns[1]);
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_DNS4, "IPv4 nameserver");
	pair();
	memset(&b.ip6.dns, 0, sizeof(b.ip6.dns));
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_DNS6, "IPv6 nameservers gone");
	pair();
	strcpy(b.dns_search[1].n, "other");
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_SEARCH, "search domain");
	pair();
	b.dns_search[1].n[0] = 0;
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_SEARCH, "search list shorter");
	pair();
	strcpy(b.dns_search[2].n, "more");
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_SEARCH, "search list longer");
	pair();
	strcpy(a.dns_search[3].n, "stale");
	strcpy(b.dns_search[3].n, "other");
	CHECK_EQ_INT(hostwatch_diff(&a, &b), 0,
		     "search: nothing past the end of the list counts");
	pair();
	inet_pton(AF_INET, "198.18.0.53", &b.ip4.dns_host);
	CHECK_EQ_INT(hostwatch_diff(&a, &b), HW_DNS_HOST,
		     "resolver for --dns-forward");
}

/* Families that can't follow: disabled or in local mode, either side */
static void test_no_follow(void)
{
	pair();
	b.ifi4 = 0;
	inet_pton(AF_INET, "0.0.0.0", &b.ip4.addr);
	CHECK_EQ_INT(hostwatch_diff(&a, &b) & HW_V4, 0,
		     "host lost IPv4: keep the last configuration");
	CHECK_EQ_INT(hostwatch_diff(&a, &b) & HW_DNS4, 0,
		     "host lost IPv4: keep its nameservers too");
	pair();
	b.ifi6 = IFI_LOCAL;
	memset(&b.ip6.addr, 0, sizeof(b.ip6.addr));
	CHECK_EQ_INT(hostwatch_diff(&a, &b) & HW_V6, 0,
		     "host IPv6 in local mode now: keep the last one");
	pair();
	a.ifi4 = b.ifi4 = IFI_LOCAL;
	inet_pton(AF_INET, "198.18.5.1", &b.ip4.addr);
	CHECK_EQ_INT(hostwatch_diff(&a, &b) & HW_V4, 0,
		     "started in local mode: stays so");
	pair();
	a.ifi6 = 0;
	inet_pton(AF_INET6, "2001:db8:7::1", &b.ip6.addr);
	CHECK_EQ_INT(hostwatch_diff(&a, &b) & HW_V6, 0,
		     "started with IPv6 disabled: stays so");
}

int main(void)
{
	test_diff();
	test_no_follow();

	return unit_done();
}
