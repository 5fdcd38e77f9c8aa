/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_netlink.c - netlink.c against real kernel namespaces
 *
 * We create two network namespaces: "host" (A), where we stay, with a veth
 * link d0 configured by ip(8) as template, and "target" (B) with links t0
 * and t1, configured through netlink.c as pasta would. Results are read
 * back with ip(8). Needs root (or CAP_SYS_ADMIN) and veth: SKIP otherwise.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "unit.h"
#include "passt.h"
#include "netlink.h"
#include "util.h"

static struct ctx c;
static int fd_a, fd_b;
static char out[16384];

/* Run a shell command in namespace @fd, output (stdout) into out[] */
static int sh_in(int fd, const char *cmd)
{
	size_t len = 0;
	FILE *f;
	int rc;

	if (setns(fd, CLONE_NEWNET))
		return -1;

	out[0] = 0;
	if ((f = popen(cmd, "r"))) {
		size_t n;

		while (len < sizeof(out) - 1 &&
		       (n = fread(out + len, 1, sizeof(out) - 1 - len, f)) > 0)
			len += n;
		out[len] = 0;
		rc = pclose(f);
	} else {
		rc = -1;
	}

	if (setns(fd_a, CLONE_NEWNET)) {
		perror("setns back");
		exit(1);
	}
	return rc;
}

/* Interface index of @name in namespace @fd */
static unsigned int ifi_in(int fd, const char *name)
{
	unsigned int ifi;

	if (setns(fd, CLONE_NEWNET))
		return 0;
	ifi = if_nametoindex(name);
	if (setns(fd_a, CLONE_NEWNET))
		exit(1);
	return ifi;
}

static int has(const char *s)
{
	return strstr(out, s) != NULL;
}

static void host_queries(unsigned int d0)
{
	unsigned char mac[6], mac_ioctl[6];
	struct in6_addr a6 = IN6ADDR_ANY_INIT, ll = IN6ADDR_ANY_INIT, e6;
	struct in_addr a4 = { 0 }, e4;
	struct ifreq ifr = { 0 };
	int plen = 0, s;

	CHECK_EQ_INT(nl_link_index(false, "d0"), d0, "link index by name");
	CHECK_EQ_INT(nl_link_index(false, "nonexistent0"), 0,
		     "link index of a missing link is 0");
	CHECK_EQ_INT(nl_get_ext_if(AF_INET), d0,
		     "IPv4 template: interface of the default route");
	CHECK_EQ_INT(nl_get_ext_if(AF_INET6), d0,
		     "IPv6 template: interface of the default route");

	CHECK(!nl_route_get_def(d0, AF_INET, &a4), "IPv4 default gateway found");
	inet_pton(AF_INET, "198.18.5.2", &e4);
	CHECK_EQ_MEM(&a4, &e4, 4, "IPv4 default gateway is 198.18.5.2");

	CHECK(!nl_route_get_def(d0, AF_INET6, &a6),
	      "IPv6 default gateway found");
	inet_pton(AF_INET6, "2001:db8:5::2", &e6);
	CHECK_EQ_MEM(&a6, &e6, 16, "IPv6 default gateway is 2001:db8:5::2");

	CHECK(nl_route_get_def(d0 + 100, AF_INET, &a4),
	      "no default gateway on another interface");

	CHECK(!nl_addr_get(d0, AF_INET, &a4, &plen, NULL), "IPv4 address found");
	inet_pton(AF_INET, "198.18.5.1", &e4);
	CHECK_EQ_MEM(&a4, &e4, 4, "IPv4 address is the first one");
	CHECK_EQ_INT(plen, 24, "IPv4 prefix length");

	plen = 0;
	CHECK(!nl_addr_get(d0, AF_INET6, &a6, &plen, &ll),
	      "IPv6 address found");
	inet_pton(AF_INET6, "2001:db8:5::1", &e6);
	CHECK_EQ_MEM(&a6, &e6, 16, "IPv6 address is the global one");
	CHECK_EQ_INT(plen, 64, "IPv6 prefix length");
	CHECK(IN6_IS_ADDR_LINKLOCAL(&ll), "IPv6 link-local address found");

	s = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, IFNAMSIZ, "d0");
	ioctl(s, SIOCGIFHWADDR, &ifr);
	close(s);
	memcpy(mac_ioctl, ifr.ifr_hwaddr.sa_data, 6);
	CHECK(!nl_link_get_mac(false, d0, mac), "MAC address read");
	CHECK_EQ_MEM(mac, mac_ioctl, 6, "MAC address matches SIOCGIFHWADDR");
}

static void target_set(unsigned int t0, unsigned int t1, unsigned int d0)
{
	const unsigned char mac[6] = { 0x02, 0, 0, 0, 0x05, 0x01 };
	unsigned char got[6] = { 0 };
	struct in6_addr a6;
	struct in_addr a4;

	CHECK_EQ_INT(nl_link_index(true, "t0"), t0,
		     "link index by name in the namespace");
	CHECK_EQ_INT(nl_link_index(true, "d0"), 0,
		     "host link is not visible in the namespace");

	CHECK(!nl_link_set_mac(t0, mac), "set MAC address");
	CHECK(!nl_link_get_mac(true, t0, got), "read MAC address back");
	CHECK_EQ_MEM(got, mac, 6, "MAC address is the one set");

	CHECK(!nl_link_up(t1, 1400), "link up with MTU");
	sh_in(fd_b, "ip link show t1");
	CHECK(has("mtu 1400"), "MTU set");
	CHECK(has(",UP"), "link is up");

	/* Routes without addresses: the default route (dumped first) can be
	 * added only after the prefix route: needs more than one pass
	 */
	CHECK(!nl_route_dup(d0, t1, AF_INET), "IPv4 routes copied to a link "
	      "without addresses");
	sh_in(fd_b, "ip -4 route show dev t1");
	CHECK(has("default via 198.18.5.2"), "copied IPv4 default route");
	CHECK(has("198.18.99.0/24 via 198.18.5.3"),
	      "copied IPv4 route via gateway");
	CHECK(has("198.18.5.0/24"), "copied IPv4 prefix route");
	CHECK(!nl_route_dup(d0, t1, AF_INET), "copying again is fine");
	sh_in(fd_b, "ip -4 route flush dev t1");

	inet_pton(AF_INET, "198.18.7.10", &a4);
	CHECK(!nl_addr_set(t1, AF_INET, &a4, 24), "set IPv4 address");
	CHECK(!nl_addr_set(t1, AF_INET, &a4, 24), "set it again: fine");
	inet_pton(AF_INET, "198.18.7.1", &a4);
	CHECK(!nl_route_set_def(t1, AF_INET, &a4), "set IPv4 default route");
	sh_in(fd_b, "ip -4 addr show dev t1; ip -4 route show dev t1");
	CHECK(has("198.18.7.10/24"), "IPv4 address is there");
	CHECK(has("default via 198.18.7.1"), "IPv4 default route is there");

	sh_in(fd_b, "ip -4 route del default");
	inet_pton(AF_INET, "198.18.200.1", &a4);
	CHECK(!nl_route_set_def(t1, AF_INET, &a4),
	      "set IPv4 default route via off-link gateway");
	sh_in(fd_b, "ip -4 route show dev t1");
	CHECK(has("default via 198.18.200.1") && has("onlink"),
	      "off-link gateway route is on-link");
	sh_in(fd_b, "ip -4 route del default");

	inet_pton(AF_INET6, "2001:db8:7::10", &a6);
	CHECK(!nl_addr_set(t1, AF_INET6, &a6, 64), "set IPv6 address");
	inet_pton(AF_INET6, "2001:db8:7::1", &a6);
	CHECK(!nl_route_set_def(t1, AF_INET6, &a6), "set IPv6 default route");
	sh_in(fd_b, "ip -6 addr show dev t1; ip -6 route show dev t1");
	CHECK(has("2001:db8:7::10/64"), "IPv6 address is there");
	CHECK(!has("2001:db8:7::10/64 scope global tentative"),
	      "IPv6 address without DAD");
	CHECK(has("default via 2001:db8:7::1"), "IPv6 default route is there");
	sh_in(fd_b, "ip -6 route del default");
}

static void target_dup(unsigned int t0, unsigned int d0)
{
	struct in6_addr a6, ll;
	char ll_s[INET6_ADDRSTRLEN];
	int plen;

	nl_addr_get(d0, AF_INET6, &a6, &plen, &ll);
	inet_ntop(AF_INET6, &ll, ll_s, sizeof(ll_s));

	CHECK(!nl_link_up(t0, 0), "link up, MTU untouched");
	CHECK(!nl_addr_dup(d0, t0, AF_INET), "IPv4 addresses copied");
	CHECK(!nl_addr_dup(d0, t0, AF_INET6), "IPv6 addresses copied");
	CHECK(!nl_addr_dup(d0, t0, AF_INET6), "copying again is fine");
	sh_in(fd_b, "ip addr show dev t0");
	CHECK(has("198.18.5.1/24") && has("198.18.6.1/24"),
	      "both IPv4 addresses copied");
	CHECK(has("2001:db8:5::1/64"), "IPv6 global address copied");
	CHECK(!has(ll_s), "IPv6 link-local address not copied");
	CHECK(!has("2001:db8:5::1/64 scope global tentative"),
	      "copied IPv6 address without DAD");

	CHECK(!nl_route_dup(d0, t0, AF_INET), "IPv4 routes copied");
	CHECK(!nl_route_dup(d0, t0, AF_INET6), "IPv6 routes copied");
	sh_in(fd_b, "ip -4 route show dev t0; ip -6 route show dev t0");
	CHECK(has("default via 198.18.5.2"), "IPv4 default route");
	CHECK(has("198.18.99.0/24 via 198.18.5.3"), "IPv4 route via gateway");
	CHECK(has("default via 2001:db8:5::2"), "IPv6 default route");
	CHECK(has("2001:db8:99::/64 via 2001:db8:5::3"),
	      "IPv6 route via gateway");
	CHECK(has("metric 333"), "route metric copied");
}

static void multipath(unsigned int t0, unsigned int d0)
{
	struct in_addr a4, e4;

	sh_in(fd_a, "ip route replace default nexthop via 198.18.5.2 weight 1 "
		    "nexthop via 198.18.5.4 weight 5 nexthop via 198.18.5.5 "
		    "weight 2");
	CHECK_EQ_INT(nl_get_ext_if(AF_INET), d0,
		     "multipath: template interface");
	CHECK(!nl_route_get_def(d0, AF_INET, &a4), "multipath: gateway found");
	inet_pton(AF_INET, "198.18.5.4", &e4);
	CHECK_EQ_MEM(&a4, &e4, 4, "multipath: highest weight nexthop");

	sh_in(fd_b, "ip -4 route del default");
	CHECK(!nl_route_dup(d0, t0, AF_INET), "multipath: route copied");
	sh_in(fd_b, "ip -4 route show default");
	CHECK(has("nexthop via 198.18.5.4 dev t0 weight 5") &&
	      has("nexthop via 198.18.5.2 dev t0 weight 1"),
	      "multipath: nexthops and weights copied");

	/* No default route: the only interface with routes */
	sh_in(fd_a, "ip route del default; ip -6 route del default");
	CHECK_EQ_INT(nl_get_ext_if(AF_INET), d0,
		     "no default route: the only interface with routes");
	CHECK_EQ_INT(nl_get_ext_if(AF_INET6), d0,
		     "no IPv6 default route: link-local routes don't count");
	CHECK(nl_route_get_def(d0, AF_INET, &a4),
	      "no default route: no gateway");

	sh_in(fd_a, "ip addr add 198.18.8.1/24 dev d0p");
	CHECK_EQ_INT(nl_get_ext_if(AF_INET), 0,
		     "two interfaces with routes: no template");
}

int main(void)
{
	unsigned int d0, t0, t1;

	if (unshare(CLONE_NEWNET)) {
		printf("SKIP netlink: can't create network namespaces (%s)\n",
		       strerror(errno));
		return 0;
	}
	fd_a = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (system("ip link set lo up && "
		   "ip link add d0 type veth peer name d0p && "
		   "ip link set d0 up && ip link set d0p up && "
		   "ip addr add 198.18.5.1/24 dev d0 && "
		   "ip addr add 198.18.6.1/24 dev d0 && "
		   "ip -6 addr add 2001:db8:5::1/64 dev d0 nodad && "
		   "ip route add default via 198.18.5.2 && "
		   "ip route add 198.18.99.0/24 via 198.18.5.3 metric 333 && "
		   "ip -6 route add default via 2001:db8:5::2 && "
		   "ip -6 route add 2001:db8:99::/64 via 2001:db8:5::3 "
		   "2>/dev/null")) {
		printf("SKIP netlink: can't set up veth links with ip(8)\n");
		return 0;
	}

	if (unshare(CLONE_NEWNET)) {
		printf("SKIP netlink: can't create a second namespace\n");
		return 0;
	}
	fd_b = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (system("ip link add t0 type veth peer name t0p && "
		   "ip link add t1 type veth peer name t1p && "
		   "ip link set t0p up && ip link set t1p up") ||
	    setns(fd_a, CLONE_NEWNET)) {
		printf("FAIL netlink: set up target namespace\n");
		return 1;
	}

	d0 = if_nametoindex("d0");
	t0 = ifi_in(fd_b, "t0");
	t1 = ifi_in(fd_b, "t1");

	c.pasta_netns_fd = fd_b;
	nl_sock_init(&c, false);
	host_queries(d0);

	nl_sock_init(&c, true);
	nl_sock_init(&c, true);		/* Twice: keeps what it has */
	target_set(t0, t1, d0);
	target_dup(t0, d0);
	multipath(t0, d0);

	return unit_done();
}
