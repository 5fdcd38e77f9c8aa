/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * conf.c - Command line parsing and configuration derived from the host
 *
 * Options are parsed first, entirely, without touching the host: every
 * invalid value ends the process with one line on stderr and status 1
 * before anything is set up. Defaults that depend on the host (template
 * interface, addresses, gateway, nameservers) are derived afterwards.
 *
 * Each option has an entry in conf_opts_table: the mode(s) it's for, which
 * the parser enforces, and the handler of its group (logging, process,
 * passt transport, addresses, mapping, DNS, services, ports, pasta
 * namespace). Checks across options, positional arguments and mode
 * defaults follow, in that order.
 */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "passt.h"
#include "conf.h"
#include "ctl.h"
#include "fwd.h"
#include "log.h"
#include "netlink.h"
#include "util.h"

#define LOG_SIZE_DEFAULT	(1024 * 1024)
#define LOG_SIZE_MIN		4096
#define BUSY_POLL_DEFAULT_US	100	/* a wake-up in a VM costs more */
#define BUSY_POLL_MAX_US	10000
#define SOCK_PATH_MAX		sizeof(((struct sockaddr_un *)0)->sun_path)
#define IPV6_MIN_MTU		1280	/* RFC 8200, 5 */

/* Local mode: no template interface, the guest can only reach the host */
#define LOCAL_ADDR4		"169.254.2.1"
#define LOCAL_GW4		"169.254.2.2"
#define LOCAL_PREFIX4		16
#define LOCAL_GW6		"fe80::1"

/* Set while conf_host_reread() runs: the host changed, not start-up */
static bool conf_rerun;

/* Start-up messages about what the host has; at debug level on re-reads */
#define conf_note(...)							\
	do {								\
		if (conf_rerun)						\
			debug(__VA_ARGS__);				\
		else							\
			info(__VA_ARGS__);				\
	} while (0)

static const unsigned char mac_default[ETH_ALEN] = {
	0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55
};

/**
 * struct conf_opts - What was given on the command line, beyond @c itself
 * @v4_only:		-4 (last of -4/-6 wins)
 * @v6_only:		-6
 * @ifname:		-i: template interface for both families
 * @addr4_set:		-a with an IPv4 address given
 * @addr6_set:		-a with an IPv6 address given
 * @prefix4_set:	-n given, or -a with an IPv4 prefix length
 * @prefix4:		its prefix length
 * @addr_prefix4:	prefix length given with an IPv4 -a, 0 if none
 * @addr_prefix6:	prefix length given with an IPv6 -a, 0 if none
 * @gw4_set:		-g with an IPv4 address given
 * @gw6_set:		-g with an IPv6 address given
 * @mhl4_set:		--map-host-loopback given for IPv4 (or none)
 * @mhl6_set:		--map-host-loopback given for IPv6 (or none)
 * @mga4_set:		--map-guest-addr given for IPv4 (or none)
 * @mga6_set:		--map-guest-addr given for IPv6 (or none)
 * @dns_fwd4_set:	--dns-forward given for IPv4
 * @dns_fwd6_set:	--dns-forward given for IPv6
 * @dns_host4_set:	--dns-host given for IPv4
 * @dns_host6_set:	--dns-host given for IPv6
 * @out4_set:		-o given for IPv4
 * @out6_set:		-o given for IPv6
 * @dns_set:		-D given with addresses
 * @dns_none:		-D none given
 * @dns4_n:		IPv4 addresses from -D
 * @dns6_n:		IPv6 addresses from -D
 * @search_set:		-S given with domains
 * @search_n:		domains from -S
 * @dhcp_dns:		--dhcp-dns / --no-dhcp-dns given: 1 or 0, -1 if not
 * @dhcp_search:	--dhcp-search / --no-dhcp-search: 1 or 0, -1 if not
 * @quiet:		-q
 * @debug:		-d
 * @trace:		--trace
 * @log_file:		-l path, empty if none
 * @log_size:		--log-size
 * @runas_set:		--runas given
 * @userns_set:		--userns given
 * @netns_set:		--netns given
 * @no_copy_routes:	--no-copy-routes
 * @no_copy_addrs:	--no-copy-addrs
 * @vhost_user:		--vhost-user
 * @sock_set:		-s given
 * @vu_only:		option for vhost-user mode only, as given, or NULL
 * @no_follow:		--no-follow: don't follow the host's configuration
 */
struct conf_opts {
	bool v4_only;
	bool v6_only;
	char ifname[IFNAMSIZ];
	bool addr4_set, addr6_set;
	bool prefix4_set;
	int prefix4;
	int addr_prefix4, addr_prefix6;
	bool gw4_set, gw6_set;
	bool mhl4_set, mhl6_set;
	bool mga4_set, mga6_set;
	bool dns_fwd4_set, dns_fwd6_set;
	bool dns_host4_set, dns_host6_set;
	bool out4_set, out6_set;
	bool dns_set;
	bool dns_none;
	int dns4_n, dns6_n;
	bool search_set;
	int search_n;
	int dhcp_dns;
	int dhcp_search;
	bool quiet, debug, trace;
	char log_file[PATH_MAX];
	size_t log_size;
	bool runas_set;
	bool userns_set;
	bool netns_set;
	bool no_copy_routes;
	bool no_copy_addrs;
	bool vhost_user;
	bool sock_set;
	const char *vu_only;
	bool no_follow;
};

/* What the command line said, kept for conf_host_reread() */
static struct conf_opts conf_o;

/* Values for long options without a short form */
enum {
	OPT_TRACE = 256,
	OPT_LOG_SIZE,
	OPT_RUNAS,
	OPT_VERSION,
	OPT_VHOST_USER,
	OPT_PRINT_CAPS,
	OPT_OUTBOUND_IF4,
	OPT_OUTBOUND_IF6,
	OPT_DNS_FORWARD,
	OPT_DNS_HOST,
	OPT_DHCP_DNS,
	OPT_NO_DHCP_DNS,
	OPT_DHCP_SEARCH,
	OPT_NO_DHCP_SEARCH,
	OPT_NO_TCP,
	OPT_NO_UDP,
	OPT_NO_ICMP,
	OPT_NO_DHCP,
	OPT_NO_DHCPV6,
	OPT_NO_NDP,
	OPT_NO_RA,
	OPT_NO_MAP_GW,
	OPT_MAP_HOST_LOOPBACK,
	OPT_MAP_GUEST_ADDR,
	OPT_FREEBIND,
	OPT_USERNS,
	OPT_NETNS,
	OPT_NETNS_ONLY,
	OPT_NO_NETNS_QUIT,
	OPT_CONFIG_NET,
	OPT_NS_MAC_ADDR,
	OPT_NO_COPY_ROUTES,
	OPT_NO_COPY_ADDRS,
	OPT_NO_SPLICE,
	OPT_HOST_LO_TO_NS_LO,
	OPT_FQDN,
	OPT_SPLICE_ONLY,
	OPT_STATS,
	OPT_BUSY_POLL,
	OPT_CHROOT_FALLBACK,
	OPT_REPAIR_PATH,
	OPT_MIGRATE_EXIT,
	OPT_MIGRATE_NO_LINGER,
	OPT_NO_FOLLOW,
};

static const struct option options[] = {
	{ "debug", no_argument, NULL, 'd' },
	{ "trace", no_argument, NULL, OPT_TRACE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "log-file", required_argument, NULL, 'l' },
	{ "log-size", required_argument, NULL, OPT_LOG_SIZE },
	{ "stderr", no_argument, NULL, 'e' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "pid", required_argument, NULL, 'P' },
	{ "runas", required_argument, NULL, OPT_RUNAS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "one-off", no_argument, NULL, '1' },
	{ "fd", required_argument, NULL, 'F' },
	{ "socket", required_argument, NULL, 's' },
	{ "socket-path", required_argument, NULL, 's' },
	{ "vhost-user", no_argument, NULL, OPT_VHOST_USER },
	{ "print-capabilities", no_argument, NULL, OPT_PRINT_CAPS },
	{ "pcap", required_argument, NULL, 'p' },
	{ "conf-path", required_argument, NULL, 'c' },
	{ "mtu", required_argument, NULL, 'm' },
	{ "address", required_argument, NULL, 'a' },
	{ "netmask", required_argument, NULL, 'n' },
	{ "mac-addr", required_argument, NULL, 'M' },
	{ "gateway", required_argument, NULL, 'g' },
	{ "interface", required_argument, NULL, 'i' },
	{ "outbound", required_argument, NULL, 'o' },
	{ "outbound-if4", required_argument, NULL, OPT_OUTBOUND_IF4 },
	{ "outbound-if6", required_argument, NULL, OPT_OUTBOUND_IF6 },
	{ "dns", required_argument, NULL, 'D' },
	{ "search", required_argument, NULL, 'S' },
	{ "hostname", required_argument, NULL, 'H' },
	{ "fqdn", required_argument, NULL, OPT_FQDN },
	{ "dns-forward", required_argument, NULL, OPT_DNS_FORWARD },
	{ "dns-host", required_argument, NULL, OPT_DNS_HOST },
	{ "dhcp-dns", no_argument, NULL, OPT_DHCP_DNS },
	{ "no-dhcp-dns", no_argument, NULL, OPT_NO_DHCP_DNS },
	{ "dhcp-search", no_argument, NULL, OPT_DHCP_SEARCH },
	{ "no-dhcp-search", no_argument, NULL, OPT_NO_DHCP_SEARCH },
	{ "no-tcp", no_argument, NULL, OPT_NO_TCP },
	{ "no-udp", no_argument, NULL, OPT_NO_UDP },
	{ "no-icmp", no_argument, NULL, OPT_NO_ICMP },
	{ "no-dhcp", no_argument, NULL, OPT_NO_DHCP },
	{ "no-dhcpv6", no_argument, NULL, OPT_NO_DHCPV6 },
	{ "no-ndp", no_argument, NULL, OPT_NO_NDP },
	{ "no-ra", no_argument, NULL, OPT_NO_RA },
	{ "no-map-gw", no_argument, NULL, OPT_NO_MAP_GW },
	{ "map-host-loopback", required_argument, NULL, OPT_MAP_HOST_LOOPBACK },
	{ "map-guest-addr", required_argument, NULL, OPT_MAP_GUEST_ADDR },
	{ "ipv4-only", no_argument, NULL, '4' },
	{ "ipv6-only", no_argument, NULL, '6' },
	{ "tcp-ports", required_argument, NULL, 't' },
	{ "udp-ports", required_argument, NULL, 'u' },
	{ "tcp-ns", required_argument, NULL, 'T' },
	{ "udp-ns", required_argument, NULL, 'U' },
	{ "freebind", no_argument, NULL, OPT_FREEBIND },
	{ "userns", required_argument, NULL, OPT_USERNS },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "netns-only", no_argument, NULL, OPT_NETNS_ONLY },
	{ "no-netns-quit", no_argument, NULL, OPT_NO_NETNS_QUIT },
	{ "config-net", no_argument, NULL, OPT_CONFIG_NET },
	{ "ns-ifname", required_argument, NULL, 'I' },
	{ "ns-mac-addr", required_argument, NULL, OPT_NS_MAC_ADDR },
	{ "no-copy-routes", no_argument, NULL, OPT_NO_COPY_ROUTES },
	{ "no-copy-addrs", no_argument, NULL, OPT_NO_COPY_ADDRS },
	{ "no-splice", no_argument, NULL, OPT_NO_SPLICE },
	{ "host-lo-to-ns-lo", no_argument, NULL, OPT_HOST_LO_TO_NS_LO },
	{ "splice-only", no_argument, NULL, OPT_SPLICE_ONLY },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "busy-poll", required_argument, NULL, OPT_BUSY_POLL },
	{ "chroot-fallback", no_argument, NULL, OPT_CHROOT_FALLBACK },
	{ "repair-path", required_argument, NULL, OPT_REPAIR_PATH },
	{ "migrate-exit", no_argument, NULL, OPT_MIGRATE_EXIT },
	{ "migrate-no-linger", no_argument, NULL, OPT_MIGRATE_NO_LINGER },
	{ "no-follow", no_argument, NULL, OPT_NO_FOLLOW },
	{ 0 },
};

/* '+': stop at the first non-option (pasta CMD ARGS), ':': we report */
static const char optstring[] =
	"+:dqel:fP:h1F:s:p:c:m:a:n:M:g:i:o:D:S:H:46t:u:T:U:I:";

/**
 * usage() - Print the options of the current mode, exit
 * @c:		Execution context
 * @fp:		stdout for --help
 * @status:	Exit status
 */
static void usage(const struct ctx *c, FILE *fp, int status)
{
	bool pasta = c->mode == MODE_PASTA;

	if (pasta) {
		fprintf(fp,
"Usage: pasta [OPTION]... [COMMAND [ARG]...]\n"
"       pasta [OPTION]... PID\n"
"       pasta [OPTION]... --netns [PATH|NAME]\n"
"\n"
"Connect a network namespace to the host's network: spawn COMMAND (default:\n"
"$SHELL) in new user, network, PID, mount, UTS and IPC namespaces, or join\n"
"those of PID, or the network namespace at PATH (NAME: /run/netns/NAME).\n\n");
	} else {
		fprintf(fp,
"Usage: passt [OPTION]...\n"
"\n"
"Connect a virtual machine (qemu -netdev stream or vhost-user socket) to\n"
"the host's network, without privileges, translating its L2 frames to\n"
"host L4 sockets.\n\n");
	}

	fprintf(fp,
"Options:\n"
"  -d, --debug              Be verbose\n"
"      --trace              Be extremely verbose (per packet), implies -d\n"
"  -q, --quiet              Only log warnings and errors\n"
"  -l, --log-file PATH      Log (only) to this file\n"
"      --log-size BYTES     Maximum size of the log file (default: 1 MiB)\n"
"  -e, --stderr             Deprecated, ignored\n"
"  -f, --foreground         Don't run in background\n"
"  -P, --pid FILE           Write our PID to FILE\n"
"      --runas UID[:GID]    Run as this user and group after setup\n"
"                           (also LOGIN[:GROUP]; default: current user,\n"
"                           'nobody' instead of root)\n"
"      --stats SECONDS      Log event counts, at most every SECONDS\n"
"                           (needs -f)\n"
"      --busy-poll USEC     Poll for events up to USEC microseconds\n"
"                           before sleeping, as traffic allows; 0: never\n"
"                           (default: %u)\n"
"      --chroot-fallback    Accepted, no effect yet\n"
"  -h, --help               Show this help and exit\n"
"      --version            Show the version and exit\n"
"  -p, --pcap FILE          Capture guest-side frames to FILE (pcap)\n"
"  -c, --conf-path PATH     Configuration socket for pesto(1): change\n"
"                           forwarding, list flows at run time\n"
"  -m, --mtu MTU            MTU to advertise (up to 65521, 0: none;\n"
"                           default: 65520)\n"
"  -a, --address ADDR[/LEN] Assign this IPv4 or IPv6 address to the guest,\n"
"                           with a prefix length (IPv4: instead of -n)\n"
"                           (default: the host's own address; with no\n"
"                           host interface: 169.254.2.1, IPv6 none)\n"
"  -n, --netmask MASK       IPv4 netmask, dotted or prefix length\n"
"  -M, --mac-addr ADDR      Our MAC address towards the guest\n"
"                           (default: 9a:55:9a:55:9a:55)\n"
"  -g, --gateway ADDR       Gateway address for the guest (default: host's;\n"
"                           with no host interface: 169.254.2.2, fe80::1)\n"
"  -i, --interface NAME     Host template interface for both IP versions\n"
"  -o, --outbound ADDR      Source address of outbound sockets\n"
"      --outbound-if4 NAME  Bind IPv4 outbound sockets to this interface\n"
"      --outbound-if6 NAME  Bind IPv6 outbound sockets to this interface\n"
"  -D, --dns ADDR           Nameserver for the guest, repeatable; 'none'\n"
"                           (default: from /etc/resolv.conf)\n"
"  -S, --search LIST        Search domains for the guest; 'none'\n"
"      --dns-forward ADDR   Redirect DNS (ports 53, 853) sent to ADDR to\n"
"                           the host's resolver\n"
"      --dns-host ADDR      Resolver for --dns-forward (default: the first\n"
"                           nameserver of the host)\n"
"  -H, --hostname NAME      Host name for the guest, sent by DHCP\n"
"                           (option 12; 64 characters at most)\n"
"      --fqdn NAME          Fully qualified domain name for the guest,\n"
"                           sent to DHCP and DHCPv6 clients that ask\n"
"                           (options 81 and 39)\n",
		BUSY_POLL_DEFAULT_US);
	if (pasta)
		fprintf(fp,
"      --dhcp-dns           Advertise nameservers (DHCP, NDP, DHCPv6)\n"
"      --dhcp-search        Advertise search domains\n");
	else
		fprintf(fp,
"      --no-dhcp-dns        Don't advertise nameservers\n"
"      --no-dhcp-search     Don't advertise search domains\n");
	fprintf(fp,
"      --no-map-gw          Don't map the gateway address to the host\n"
"      --map-host-loopback ADDR|none\n"
"                           Guest address standing for host loopback\n"
"                           (default: the gateway)\n"
"      --map-guest-addr ADDR|none\n"
"                           Guest address standing for the host's own\n"
"                           address\n"
"      --no-tcp, --no-udp, --no-icmp\n"
"                           Disable a protocol\n"
"      --no-dhcp, --no-ndp, --no-dhcpv6, --no-ra\n"
"                           Disable a built-in service\n"
"      --freebind           Bind forwarded ports to addresses not (yet)\n"
"                           configured on the host\n"
"      --no-follow          Keep the host's configuration as found at\n"
"                           start, don't follow its changes\n"
"  -4, --ipv4-only          IPv4 only\n"
"  -6, --ipv6-only          IPv6 only\n");

	if (pasta) {
		fprintf(fp,
"  -t, --tcp-ports SPEC     TCP ports to forward into the namespace\n"
"  -u, --udp-ports SPEC     UDP ports to forward into the namespace\n"
"  -T, --tcp-ns SPEC        TCP ports to forward from the namespace\n"
"  -U, --udp-ns SPEC        UDP ports to forward from the namespace\n"
"        SPEC: none, auto (default), or [ADDR[%%IF]/]LIST where LIST is\n"
"        comma-separated PORT[-PORT][:PORT[-PORT]] or ~PORT[-PORT] items;\n"
"        addresses only for -t and -u\n"
"      --userns PATH        User namespace to join\n"
"      --netns PATH|NAME    Network namespace to join\n"
"      --netns-only         Don't join or create a user namespace\n"
"      --no-netns-quit      Don't exit when the namespace goes away\n"
"      --config-net         Configure the tap interface in the namespace\n"
"      --no-copy-routes     With --config-net: only the default route\n"
"      --no-copy-addrs      With --config-net: only one address\n"
"  -I, --ns-ifname NAME     Tap interface name (default: like the host\n"
"                           template interface, else tap0)\n"
"      --ns-mac-addr ADDR   MAC address of the tap interface\n"
"      --no-splice          Don't splice loopback connections\n"
"      --splice-only        Forward only loopback connections (splice),\n"
"                           no tap device\n"
"      --host-lo-to-ns-lo   Deprecated, accepted\n");
	} else {
		fprintf(fp,
"  -t, --tcp-ports SPEC     TCP ports to forward to the guest\n"
"  -u, --udp-ports SPEC     UDP ports to forward to the guest\n"
"        SPEC: none (default), [ADDR[%%IF]/]all, or [ADDR[%%IF]/]LIST where\n"
"        LIST is comma-separated PORT[-PORT][:PORT[-PORT]] or ~PORT[-PORT]\n"
"        items; all: every port outside the ephemeral range\n"
"  -s, --socket, --socket-path PATH\n"
"                           UNIX socket path (default: /tmp/passt_N.socket)\n"
"  -F, --fd FD              Use this already connected socket, implies -1\n"
"  -1, --one-off            Quit after the first guest disconnects\n"
"      --vhost-user         Be a vhost-user back-end on the socket (or --fd)\n"
"      --repair-path PATH|none, --migrate-exit, --migrate-no-linger\n"
"                           vhost-user only, accepted, no effect yet\n"
"      --print-capabilities Print vhost-user capabilities and exit\n");
	}

	exit(status);
}

/**
 * parse_uint() - Strict decimal number
 * @s:		Text
 * @min:	Smallest accepted value
 * @max:	Largest accepted value
 * @val:	Set to the value
 *
 * Return: 0 on success, -1 on garbage or out-of-range value
 */
static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *val)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*val = v;
	return 0;
}

/**
 * parse_mac() - Parse a MAC address, six colon-separated hex bytes
 * @s:		Text
 * @mac:	Set to the address
 *
 * Return: 0 on success, -1 on failure
 */
static int parse_mac(const char *s, unsigned char *mac)
{
	int i;

	for (i = 0; i < ETH_ALEN; i++) {
		unsigned v = 0, n = 0;

		while (isxdigit((unsigned char)*s) && n < 2) {
			char ch = tolower((unsigned char)*s++);

			v = v * 16 + (isdigit((unsigned char)ch) ?
				      ch - '0' : ch - 'a' + 10);
			n++;
		}
		if (!n)
			return -1;
		mac[i] = v;
		if (i < ETH_ALEN - 1 && *s++ != ':')
			return -1;
	}

	return *s ? -1 : 0;
}

/**
 * parse_addr() - Parse an IPv4 or IPv6 address
 * @s:		Text
 * @a4:		Set for IPv4
 * @a6:		Set for IPv6
 *
 * Return: AF_INET, AF_INET6, or 0 if invalid
 */
static int parse_addr(const char *s, struct in_addr *a4, struct in6_addr *a6)
{
	if (inet_pton(AF_INET, s, a4) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, a6) == 1)
		return AF_INET6;
	return 0;
}

/**
 * v4_bad() - Is an IPv4 address unusable as a host or guest address?
 * @a:		Address
 *
 * Return: a description of the problem, NULL if the address is fine
 */
static const char *v4_bad(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	if (h == INADDR_ANY)
		return "unspecified";
	if ((h >> 24) == IN_LOOPBACKNET)
		return "loopback";
	if (IN_MULTICAST(h))
		return "multicast";
	if (h == INADDR_BROADCAST)
		return "broadcast";
	return NULL;
}

/**
 * v6_bad() - Is an IPv6 address unusable as a host or guest address?
 * @a:		Address
 *
 * Return: a description of the problem, NULL if the address is fine
 */
static const char *v6_bad(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return "unspecified";
	if (IN6_IS_ADDR_LOOPBACK(a))
		return "loopback";
	if (IN6_IS_ADDR_MULTICAST(a))
		return "multicast";
	if (IN6_IS_ADDR_V4MAPPED(a))
		return "IPv4-mapped";
	if (IN6_IS_ADDR_V4COMPAT(a))
		return "IPv4-compatible";
	return NULL;
}

/**
 * parse_good_addr() - Parse an address usable by a host, or die
 * @opt:	Option name, for messages
 * @s:		Text
 * @a4:		Set for IPv4
 * @a6:		Set for IPv6
 *
 * Return: AF_INET or AF_INET6
 */
static int parse_good_addr(const char *opt, const char *s,
			   struct in_addr *a4, struct in6_addr *a6)
{
	const char *bad;
	int af;

	af = parse_addr(s, a4, a6);
	if (!af)
		die("Invalid address for %s: %s", opt, s);

	bad = af == AF_INET ? v4_bad(*a4) : v6_bad(a6);
	if (bad)
		die("Invalid address for %s: %s is %s", opt, s, bad);

	return af;
}

/**
 * copy_path() - Copy a path option argument, checking its length
 * @dst:	Destination
 * @size:	Size of @dst
 * @opt:	Option name, for messages
 * @s:		Argument
 */
static void copy_path(char *dst, size_t size, const char *opt, const char *s)
{
	if (!*s)
		die("Empty argument for %s", opt);
	if (strlen(s) >= size)
		die("Argument for %s too long: %s", opt, s);
	strcpy(dst, s);
}

/**
 * copy_ifname() - Copy an interface name option argument, checking it
 * @dst:	Destination, IFNAMSIZ bytes
 * @opt:	Option name, for messages
 * @s:		Argument
 */
static void copy_ifname(char *dst, const char *opt, const char *s)
{
	const char *p;

	if (!*s)
		die("Empty interface name for %s", opt);
	if (strlen(s) >= IFNAMSIZ)
		die("Interface name too long for %s: %s", opt, s);
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		die("Invalid interface name for %s: %s", opt, s);
	for (p = s; *p; p++) {
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			die("Invalid interface name for %s: %s", opt, s);
	}
	strcpy(dst, s);
}

/**
 * add_search() - Add search domains from a -S argument or resolv.conf
 * @c:		Execution context
 * @n:		Number of domains stored so far, updated
 * @list:	Space or comma separated domains
 * @strict:	Die on invalid domains (options) rather than skip them
 */
static void add_search(struct ctx *c, int *n, const char *list, bool strict)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, " \t,\n");
		const char *q;

		if (!len) {
			p++;
			continue;
		}

		/* One trailing dot means the root: drop it */
		if (len > 1 && p[len - 1] == '.')
			len--;

		for (q = p; q < p + len; q++) {
			if (!isalnum((unsigned char)*q) && *q != '-' &&
			    *q != '.' && *q != '_')
				break;
		}

		if (q < p + len || len > DNSRCH_LEN ||
		    (len == 1 && *p == '.')) {
			if (strict)
				die("Invalid search domain: %.*s", (int)len, p);
		} else if (*n >= MAXDNSRCH) {
			warn("Too many search domains, ignoring %.*s",
			     (int)len, p);
		} else {
			memcpy(c->dns_search[*n].n, p, len);
			c->dns_search[*n].n[len] = 0;
			(*n)++;
			c->dns_search[*n].n[0] = 0;
		}

		p += strcspn(p, " \t,\n");
	}
}

/**
 * conf_name_chars() - Check the characters of a host or domain name
 * @s:		Name
 * @dns:	Labels must fit DNS: 63 characters at most
 *
 * Letters, digits, hyphens and underscores, in non-empty labels separated
 * by single dots, not starting or ending with a hyphen (RFC 1035 2.3.1,
 * RFC 1123 2.1; the underscore is common enough in host names to let
 * through). Nothing that a guest's DHCP client script could trip over, and
 * no option taken as an argument by mistake.
 *
 * Return: NULL if valid, or what's wrong with it
 */
static const char *conf_name_chars(const char *s, bool dns)
{
	size_t label = 0;

	for (; *s; s++) {
		if (*s == '.') {
			if (!label)
				return "empty label";
			if (s[-1] == '-')
				return "label ending with a hyphen";
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return "invalid character";
		if (!label && *s == '-')
			return "label starting with a hyphen";
		if (++label > 63 && dns)
			return "label longer than 63 characters";
	}

	if (!label)
		return "empty label";
	return s[-1] == '-' ? "label ending with a hyphen" : NULL;
}

/**
 * conf_hostname() - Parse -H, --hostname: the guest's host name
 * @c:		Execution context, hostname set here
 * @arg:	Argument
 */
static void conf_hostname(struct ctx *c, const char *arg)
{
	const char *bad;

	if (!*arg)
		die("Empty --hostname");
	if (strlen(arg) >= sizeof(c->hostname))
		die("Invalid --hostname: longer than %zu characters: %s",
		    sizeof(c->hostname) - 1, arg);
	/* Not a DNS name: the whole 64 characters may be one label */
	if ((bad = conf_name_chars(arg, false)))
		die("Invalid --hostname: %s: %s", bad, arg);

	strcpy(c->hostname, arg);
}

/**
 * conf_fqdn() - Parse --fqdn: the guest's fully qualified domain name
 * @c:		Execution context, fqdn set here
 * @arg:	Argument, with or without the root's trailing dot
 */
static void conf_fqdn(struct ctx *c, const char *arg)
{
	size_t len = strlen(arg);
	const char *bad;

	/* One trailing dot is the root label: implied, so drop it */
	if (len > 1 && arg[len - 1] == '.' && arg[len - 2] != '.')
		len--;

	if (!len)
		die("Empty --fqdn");
	if (len >= sizeof(c->fqdn))
		die("Invalid --fqdn: longer than %zu characters: %.*s",
		    sizeof(c->fqdn) - 1, (int)MIN(len, 300), arg);

	memcpy(c->fqdn, arg, len);
	c->fqdn[len] = 0;
	if ((bad = conf_name_chars(c->fqdn, true))) {
		c->fqdn[0] = 0;
		die("Invalid --fqdn: %s: %s", bad, arg);
	}
}

/**
 * conf_runas() - Parse --runas UID[:GID] or LOGIN[:GROUP]
 * @c:		Execution context, uid and gid set here
 * @arg:	Argument
 */
static void conf_runas(struct ctx *c, const char *arg)
{
	char user[LOGIN_NAME_MAX + 1] = { 0 };
	const char *colon = strchr(arg, ':');
	const char *group = colon ? colon + 1 : NULL;
	size_t ulen = colon ? (size_t)(colon - arg) : strlen(arg);
	unsigned long v;

	if (!ulen || ulen >= sizeof(user))
		die("Invalid --runas user: %s", arg);
	memcpy(user, arg, ulen);

	if (!parse_uint(user, 0, UINT32_MAX - 1, &v)) {
		struct passwd *pw = getpwuid(v);

		c->uid = v;
		c->gid = pw ? pw->pw_gid : (gid_t)v;
	} else {
		struct passwd *pw = getpwnam(user);

		if (!pw)
			die("Invalid --runas user: %s", user);
		c->uid = pw->pw_uid;
		c->gid = pw->pw_gid;
	}

	if (group) {
		if (!*group)
			die("Invalid --runas group in %s", arg);
		if (!parse_uint(group, 0, UINT32_MAX - 1, &v)) {
			c->gid = v;
		} else {
			struct group *gr = getgrnam(group);

			if (!gr)
				die("Invalid --runas group: %s", group);
			c->gid = gr->gr_gid;
		}
	}
}

/**
 * in_init_userns() - Are we in the initial user namespace?
 *
 * Return: true if the UID map is the identity on the whole range
 */
static bool in_init_userns(void)
{
	unsigned long a, b, n;
	char buf[128];
	ssize_t len;
	int fd;

	fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return true;
	buf[len] = 0;

	if (sscanf(buf, "%lu %lu %lu", &a, &b, &n) != 3)
		return true;
	return !a && !b && n == 4294967295UL;
}

/**
 * conf_runas_default() - Current user, but root only in a user namespace
 * @c:		Execution context
 */
static void conf_runas_default(struct ctx *c)
{
	c->uid = geteuid();
	c->gid = getegid();

	if (!c->uid && in_init_userns()) {
		struct passwd *pw = getpwnam("nobody");

		c->uid = pw ? pw->pw_uid : 65534;
		c->gid = pw ? pw->pw_gid : 65534;
	}
}

/**
 * conf_bad_opt() - Report an unknown option or a missing argument, exit
 * @ret:	'?' or ':' from getopt_long()
 * @argv:	Arguments
 */
static void conf_bad_opt(int ret, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	bool is_long = arg && !strncmp(arg, "--", 2);

	if (ret == ':') {
		if (is_long)
			die("Option %s requires an argument", arg);
		die("Option -%c requires an argument", optopt);
	}

	if (is_long)
		die("Invalid option: %s", arg);
	if (optopt)
		die("Invalid option: -%c", optopt);
	die("Invalid option: %s", arg);
}

/**
 * conf_address() - Parse -a ADDR or ADDR/LEN, or die
 * @c:		Execution context
 * @o:		Command line options
 * @arg:	Argument
 *
 * A prefix length (as cloud-hypervisor launchers pass it) is the IPv4
 * netmask, or the IPv6 prefix length of the address pasta --config-net
 * sets: the default for IPv6 (64) is kept for advertisements.
 */
static void conf_address(struct ctx *c, struct conf_opts *o, const char *arg)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = strchr(arg, '/');
	unsigned long len = 0;
	struct in6_addr a6;
	struct in_addr a4;
	int af;

	if (slash) {
		if ((size_t)(slash - arg) >= sizeof(buf))
			die("Invalid address for --address: %s", arg);
		memcpy(buf, arg, slash - arg);
		buf[slash - arg] = 0;
		arg = buf;
	}

	af = parse_good_addr("--address", arg, &a4, &a6);
	if (slash && parse_uint(slash + 1, 1, af == AF_INET ? 32 : 128, &len))
		die("Invalid prefix length for --address: %s (valid: 1-%d)",
		    slash + 1, af == AF_INET ? 32 : 128);

	if (af == AF_INET) {
		if (o->addr4_set)
			die("Only one IPv4 --address allowed");
		c->ip4.addr = a4;
		o->addr4_set = true;
		o->addr_prefix4 = len;
		c->ip4.no_copy_addrs = true;
	} else {
		if (o->addr6_set)
			die("Only one IPv6 --address allowed");
		c->ip6.addr = a6;
		o->addr6_set = true;
		o->addr_prefix6 = len;
		c->ip6.no_copy_addrs = true;
	}
}

/**
 * conf_mtu() - Parse -m: 0 (don't advertise) to MTU_MAX, or die
 * @c:		Execution context
 * @arg:	Argument
 *
 * Values too small for one IP version only warn: that version can't work,
 * the other one may.
 */
static void conf_mtu(struct ctx *c, const char *arg)
{
	unsigned long v;

	if (parse_uint(arg, 0, ULONG_MAX, &v))
		die("Invalid MTU: %s (valid: 0 to %d, 0: don't advertise)",
		    arg, MTU_MAX);
	if (v > MTU_MAX)
		die("MTU %s too large (max %d; valid: 0 to %d, 0: don't advertise)",
		    arg, MTU_MAX, MTU_MAX);

	if (v && v < MTU_MIN)
		warn("MTU %lu too small for IPv4 (minimum %d)", v, MTU_MIN);
	else if (v && v < IPV6_MIN_MTU)
		warn("MTU %lu too small for IPv6 (minimum %d)", v,
		     IPV6_MIN_MTU);
	c->mtu = v;
}

/**
 * conf_ports() - Parse one of -t -u -T -U, or die
 * @c:		Execution context
 * @fwd:	Forwarding configuration to extend
 * @opt:	Option character
 * @spec:	Argument
 */
static void conf_ports(const struct ctx *c, struct fwd_ports *fwd, char opt,
		       const char *spec)
{
	bool inbound = opt == 't' || opt == 'u';
	const char *err = "invalid";

	if (fwd_parse_spec(fwd, spec, c->mode == MODE_PASTA, inbound, &err))
		die("Invalid port specification for -%c '%s': %s",
		    opt, spec, err);
}

/**
 * conf_port_defaults() - Implicit UDP forwarding for pasta
 * @c:		Execution context
 * @udp:	UDP forwarding for one direction
 * @tcp:	TCP forwarding for the same direction
 */
static void conf_port_defaults(struct ctx *c, struct fwd_ports *udp,
			       const struct fwd_ports *tcp)
{
	unsigned int i;

	/* UDP follows TCP port numbers unless given: no translation */
	if (udp->mode == FWD_UNSET && !c->no_udp && !c->no_tcp &&
	    tcp->mode != FWD_UNSET) {
		udp->mode = tcp->mode;
		udp->count = tcp->count;
		memcpy(udp->excl, tcp->excl, sizeof(udp->excl));
		for (i = 0; i < tcp->count; i++) {
			udp->rules[i] = tcp->rules[i];
			udp->rules[i].to = udp->rules[i].first;
			/* Not asked for explicitly: failing isn't fatal */
			udp->rules[i].flags |= FWD_WEAK;
		}
		fwd_rule_ids(udp, 0);	/* rules of their own */
	}
}

/* Modes an option is for */
#define IN_PASST	(1 << MODE_PASST)
#define IN_PASTA	(1 << MODE_PASTA)
#define IN_BOTH		(IN_PASST | IN_PASTA)

/**
 * struct conf_opt - One option: its mode(s) and the handler of its group
 * @val:	Value getopt_long() returns for it
 * @name:	Name in messages, e.g. "-T/--tcp-ns"
 * @modes:	IN_PASST, IN_PASTA or IN_BOTH
 * @handler:	Parses the option into the context and command line options
 */
struct conf_opt {
	int val;
	const char *name;
	unsigned int modes;
	void (*handler)(struct ctx *c, struct conf_opts *o, int opt,
			const char *arg);
};

/**
 * conf_opt_log() - Logging: -d, --trace, -q, -l, --log-size, -e, --stats
 * @c:		Execution context
 * @o:		Command line options
 * @opt:	Option value, from getopt_long()
 * @arg:	Argument, NULL for options without one
 */
static void conf_opt_log(struct ctx *c, struct conf_opts *o, int opt,
			 const char *arg)
{
	unsigned long v;

	switch (opt) {
	case 'd':
		o->debug = true;
		break;
	case OPT_TRACE:
		o->trace = o->debug = true;
		break;
	case 'q':
		o->quiet = true;
		break;
	case 'l':
		copy_path(o->log_file, sizeof(o->log_file),
			  "--log-file", arg);
		copy_path(c->log_file, sizeof(c->log_file),
			  "--log-file", arg);
		break;
	case OPT_LOG_SIZE:
		if (parse_uint(arg, LOG_SIZE_MIN, SIZE_MAX, &v))
			die("Invalid --log-size: %s (minimum %d bytes)",
			    arg, LOG_SIZE_MIN);
		o->log_size = c->log_size = v;
		break;
	case 'e':
		warn("--stderr is deprecated and has no effect");
		break;
	case OPT_STATS:
		if (parse_uint(arg, 1, UINT_MAX, &v))
			die("Invalid --stats interval: %s (seconds, at least 1)",
			    arg);
		c->stats = v;
		break;
	}
}

/**
 * conf_opt_process() - Process: -f, -P, --runas, -h, --version, -p,
 *			 --busy-poll, ...
 * @c:		Execution context
 * @o:		Command line options
 * @opt:	Option value, from getopt_long()
 * @arg:	Argument, NULL for options without one
 */
static void conf_opt_process(struct ctx *c, struct conf_opts *o, int opt,
			     const char *arg)
{
	bool pasta = c->mode == MODE_PASTA;
	unsigned long v;

	switch (opt) {
	case 'f':
		c->foreground = 1;
		break;
	case 'P':
		copy_path(c->pidfile, sizeof(c->pidfile), "--pid",
			  arg);
		break;
	case OPT_RUNAS:
		conf_runas(c, arg);
		o->runas_set = true;
		break;
	case 'h':
		usage(c, stdout, EXIT_SUCCESS);
		break;
	case OPT_VERSION:
		printf("%s " VERSION "\n", pasta ? "pasta" : "passt");
		exit(EXIT_SUCCESS);
		break;
	case 'p':
		copy_path(c->pcap, sizeof(c->pcap), "--pcap", arg);
		break;
	case OPT_CHROOT_FALLBACK:
		/* Accepted: pivot_root() has no fallback (yet) */
		break;
	case OPT_BUSY_POLL:
		if (parse_uint(arg, 0, BUSY_POLL_MAX_US, &v))
			die("Invalid --busy-poll time: %s (microseconds, "
			    "0 to %u)", arg, BUSY_POLL_MAX_US);
		c->busy_poll_ns = v * 1000LL;
		break;
	}
}

/**
 * conf_opt_ctl() - Configuration socket: -c
 * @c:		Execution context
 * @o:		Command line options
 * @opt:	Option value, from getopt_long()
 * @arg:	Argument
 */
static void conf_opt_ctl(struct ctx *c, struct conf_opts *o, int opt,
			 const char *arg)
{
	(void)c;
	(void)o;
	(void)opt;
	if (!*arg || strlen(arg) >= SOCK_PATH_MAX)
		die("Invalid --conf-path: %s", arg);
	ctl_set_path(arg);
}

/**
 * conf_opt_passt() - passt transport: -1, -F, -s, vhost-user, migration
 * @c:		Execution context
 * @o:		Command line options
 * @opt:	Option value, from getopt_long()
 * @arg:	Argument, NULL for options without one
 */
static void conf_opt_passt(struct ctx *c, struct conf_opts *o, int opt,
			   const char *arg)
{
	unsigned long v;

	switch (opt) {
	case '1':
		c->one_off = 1;
		break;
	case 'F':
		if (parse_uint(arg, 0, INT_MAX, &v))
			die("Invalid --fd: %s", arg);
		if (v <= STDERR_FILENO)
			die("Invalid --fd: %s (must be above 2)", arg);
		if (fcntl(v, F_GETFD) < 0)
			die("Invalid --fd: %s is not open", arg);
		c->fd_passed = v;
		c->one_off = 1;
		break;
	case 's':
		if (*arg && strlen(arg) >= SOCK_PATH_MAX)
			die("Socket path too long: %s", arg);
		copy_path(c->sock_path, sizeof(c->sock_path),
			  "--socket", arg);
		o->sock_set = true;
		break;
	case OPT_VHOST_USER:
		o->vhost_user = true;
		break;
	case OPT_PRINT_CAPS:
		/* As upstream: on standard error */
		fprintf(stderr, "{\n  \"type\": \"net\"\n}\n");
		exit(EXIT_SUCCESS);
		break;
	case OPT_REPAIR_PATH:
		if (strcmp(arg, "none") &&
		    (!*arg || strlen(arg) >= SOCK_PATH_MAX))
			die("Invalid --repair-path: %s", arg);
		o->vu_only = "--repair-path";
		break;
	case OPT_MIGRATE_EXIT:
		o->vu_only = "--migrate-exit";
		break;
	case OPT_MIGRATE_NO_LINGER:
		o->vu_only = "--migrate-no-linger";
		break;
	}
}

/**
 * conf_opt_addr() - Link and addresses: -m, -a, -n, -M, -g, -i, -o, -4, ...
 * @c:		Execution context
 * @o:		Command line options
 * @opt:	Option value, from getopt_long()
 * @arg:	Argument, NULL for options without one
 */
static void conf_opt_addr(struct ctx *c, struct conf_opts *o, int opt,
			  const char *arg)
{
	struct in6_addr a6;
	struct in_addr a4;
	unsigned long v;
	int af;

	switch (opt) {
	case 'm':
		conf_mtu(c, arg);
		break;
	case 'a':
		conf_address(c, o, arg);
		break;
	case 'n':
		if (strchr(arg, '.')) {
			uint32_t m;

			if (inet_pton(AF_INET, arg, &a4) != 1)
				die("Invalid netmask: %s", arg);
			m = ntohl(a4.s_addr);
			if (!m || (~m & (~m + 1)))
				die("Invalid netmask: %s", arg);
			o->prefix4 = 32 - __builtin_ctz(m);
		} else {
			if (parse_uint(arg, 1, 32, &v))
				die("Invalid netmask: %s", arg);
			o->prefix4 = v;
		}
		o->prefix4_set = true;
		break;
	case 'M':
		if (parse_mac(arg, c->our_tap_mac))
			die("Invalid MAC address: %s", arg);
		break;
	case OPT_NS_MAC_ADDR:
		if (parse_mac(arg, c->ns_mac))
			die("Invalid MAC address: %s", arg);
		break;
	case 'g':
		af = parse_good_addr("--gateway", arg, &a4, &a6);
		if (af == AF_INET) {
			if (o->gw4_set)
				die("Only one IPv4 --gateway allowed");
			c->ip4.gw = a4;
			o->gw4_set = true;
			c->ip4.no_copy_routes = true;
		} else {
			if (o->gw6_set)
				die("Only one IPv6 --gateway allowed");
			c->ip6.gw = a6;
			o->gw6_set = true;
			c->ip6.no_copy_routes = true;
		}
		break;
	case 'i':
		copy_ifname(o->ifname, "--interface", arg);
		break;
	case 'o':
		af = parse_good_addr("--outbound", arg, &a4, &a6);
		if (af == AF_INET) {
			if (o->out4_set)
				die("Only one IPv4 --outbound allowed");
			c->ip4.addr_out = a4;
			o->out4_set = true;
		} else {
			if (o->out6_set)
				die("Only one IPv6 --outbound allowed");
			c->ip6.addr_out = a6;
			o->out6_set = true;
		}
		break;
	case OPT_OUTBOUND_IF4:
		copy_ifname(c->ip4.ifname_out, "--outbound-if4",
			    arg);
		break;
	case OPT_OUTBOUND_IF6:
		copy_ifname(c->ip6.ifname_out, "--outbound-if6",
			    arg);
		break;
	case '4':
		o->v4_only = true;
		o->v6_only = false;
		break;
	case '6':
		o->v6_only = true;
		o->v4_only = false;
		break;
	}
}

/**
 * conf_opt_map() - Address mapping: --no-map-gw, --map-host-loopback, ...
 * @c:		Execution context
 * @o:		Command line options
 * @opt:	Option value, from getopt_long()
 * @arg:	Argument, NULL for options without one
 */
static void conf_opt_map(struct ctx *c, struct conf_opts *o, int opt,
			 const char *arg)
{
	struct in6_addr a6;
	struct in_addr a4;
	int af;

	switch (opt) {
	case OPT_NO_MAP_GW:
		c->no_map_gw = 1;
		break;
	case OPT_MAP_HOST_LOOPBACK:
		if (!strcmp(arg, "none")) {
			if (o->mhl4_set || o->mhl6_set)
				die("--map-host-loopback none conflicts with an address");
			memset(&c->ip4.map_host_loopback, 0,
			       sizeof(c->ip4.map_host_loopback));
			memset(&c->ip6.map_host_loopback, 0,
			       sizeof(c->ip6.map_host_loopback));
			o->mhl4_set = o->mhl6_set = true;
			c->no_map_gw = 1;
			break;
		}
		af = parse_good_addr("--map-host-loopback", arg,
				     &a4, &a6);
		if (af == AF_INET) {
			if (o->mhl4_set)
				die("Only one IPv4 --map-host-loopback allowed");
			c->ip4.map_host_loopback = a4;
			o->mhl4_set = true;
		} else {
			if (o->mhl6_set)
				die("Only one IPv6 --map-host-loopback allowed");
			c->ip6.map_host_loopback = a6;
			o->mhl6_set = true;
		}
		break;
	case OPT_MAP_GUEST_ADDR:
		if (!strcmp(arg, "none")) {
			if (o->mga4_set || o->mga6_set)
				die("--map-guest-addr none conflicts with an address");
			memset(&c->ip4.map_guest_addr, 0,
			       sizeof(c->ip4.map_guest_addr));
			memset(&c->ip6.map_guest_addr, 0,
			       sizeof(c->ip6.map_guest_addr));
			o->mga4_set = o->mga6_set = true;
			break;
		}
		af = parse_good_addr("--map-guest-addr", arg,
				     &a4, &a6);
		if (af == AF_INET) {
			if (o->mga4_set)
				die("Only one IPv4 --map-guest-addr allowed");
			c->ip4.map_guest_addr = a4;
			o->mga4_set = true;
		} else {
			if (o->mga6_set)
				die("Only one IPv6 --map-guest-addr allowed");
			c->ip6.map_guest_addr = a6;
			o->mga6_set = true;
		}
		break;
	}
}

/**
 * conf_opt_dns() - DNS and names: -D, -S, -H, --fqdn, --dns-forward, ...
 * @c:		Execution context
 * @o:		Command line options
 * @opt:	Option value, from getopt_long()
 * @arg:	Argument, NULL for options without one
 */
static void conf_opt_dns(struct ctx *c, struct conf_opts *o, int opt,
			 const char *arg)
{
	struct in6_addr a6;
	struct in_addr a4;
	int af;

	switch (opt) {
	case 'D':
		if (!strcmp(arg, "none")) {
			if (o->dns_set)
				die("-D none conflicts with nameserver addresses");
			o->dns_none = true;
			c->no_dns = 1;
			break;
		}
		if (o->dns_none)
			die("-D none conflicts with nameserver addresses");
		af = parse_addr(arg, &a4, &a6);
		if (!af || (af == AF_INET ? !a4.s_addr :
			    IN6_IS_ADDR_UNSPECIFIED(&a6)))
			die("Invalid nameserver address: %s", arg);
		o->dns_set = true;
		if (af == AF_INET) {
			if (o->dns4_n >= MAXNS)
				warn("Too many IPv4 nameservers, ignoring %s",
				     arg);
			else
				c->ip4.dns[o->dns4_n++] = a4;
		} else {
			if (o->dns6_n >= MAXNS)
				warn("Too many IPv6 nameservers, ignoring %s",
				     arg);
			else
				c->ip6.dns[o->dns6_n++] = a6;
		}
		break;
	case 'S':
		if (!strcmp(arg, "none")) {
			if (o->search_set)
				die("-S none conflicts with search domains");
			c->no_dns_search = 1;
			break;
		}
		if (c->no_dns_search)
			die("-S none conflicts with search domains");
		if (!*arg)
			die("Empty search list for -S");
		add_search(c, &o->search_n, arg, true);
		o->search_set = true;
		break;
	case 'H':
		conf_hostname(c, arg);
		break;
	case OPT_FQDN:
		conf_fqdn(c, arg);
		break;
	case OPT_DNS_FORWARD:
		af = parse_addr(arg, &a4, &a6);
		if (af == AF_INET && (!a4.s_addr ||
				      IN_MULTICAST(ntohl(a4.s_addr))))
			af = 0;
		if (af == AF_INET6 && (IN6_IS_ADDR_UNSPECIFIED(&a6) ||
				       IN6_IS_ADDR_MULTICAST(&a6) ||
				       IN6_IS_ADDR_V4MAPPED(&a6)))
			af = 0;
		if (!af)
			die("Invalid --dns-forward address: %s", arg);
		if (af == AF_INET) {
			if (o->dns_fwd4_set)
				die("Only one IPv4 --dns-forward address allowed");
			c->ip4.dns_match = a4;
			o->dns_fwd4_set = true;
		} else {
			if (o->dns_fwd6_set)
				die("Only one IPv6 --dns-forward address allowed");
			c->ip6.dns_match = a6;
			o->dns_fwd6_set = true;
		}
		break;
	case OPT_DNS_HOST:
		af = parse_addr(arg, &a4, &a6);
		if (!af || (af == AF_INET ? !a4.s_addr :
			    IN6_IS_ADDR_UNSPECIFIED(&a6) ||
			    IN6_IS_ADDR_V4MAPPED(&a6)))
			die("Invalid --dns-host address: %s", arg);
		if (af == AF_INET) {
			if (o->dns_host4_set)
				die("Only one IPv4 --dns-host address allowed");
			c->ip4.dns_host = a4;
			o->dns_host4_set = true;
		} else {
			if (o->dns_host6_set)
				die("Only one IPv6 --dns-host address allowed");
			c->ip6.dns_host = a6;
			o->dns_host6_set = true;
		}
		break;
	case OPT_DHCP_DNS:
		o->dhcp_dns = 1;
		break;
	case OPT_NO_DHCP_DNS:
		o->dhcp_dns = 0;
		break;
	case OPT_DHCP_SEARCH:
		o->dhcp_search = 1;
		break;
	case OPT_NO_DHCP_SEARCH:
		o->dhcp_search = 0;
		break;
	}
}

/**
 * conf_opt_service() - Protocols, services: --no-tcp, ..., --freebind
 * @c:		Execution context
 * @o:		Command line options
 * @opt:	Option value, from getopt_long()
 * @arg:	Argument, NULL for options without one
 */
static void conf_opt_service(struct ctx *c, struct conf_opts *o, int opt,
			     const char *arg)
{
	(void)arg;

	switch (opt) {
	case OPT_NO_TCP:
		c->no_tcp = 1;
		break;
	case OPT_NO_UDP:
		c->no_udp = 1;
		break;
	case OPT_NO_ICMP:
		c->no_icmp = 1;
		break;
	case OPT_NO_DHCP:
		c->no_dhcp = 1;
		break;
	case OPT_NO_DHCPV6:
		c->no_dhcpv6 = 1;
		break;
	case OPT_NO_NDP:
		c->no_ndp = 1;
		break;
	case OPT_NO_RA:
		c->no_ra = 1;
		break;
	case OPT_FREEBIND:
		c->freebind = 1;
		break;
	case OPT_NO_FOLLOW:
		o->no_follow = true;
		break;
	}
}

/**
 * conf_opt_ports() - Port forwarding: -t, -u, -T, -U
 * @c:		Execution context
 * @o:		Command line options
 * @opt:	Option value, from getopt_long()
 * @arg:	Argument, NULL for options without one
 */
static void conf_opt_ports(struct ctx *c, struct conf_opts *o, int opt,
			   const char *arg)
{
	(void)o;

	switch (opt) {
	case 't':
		conf_ports(c, &c->tcp_in, 't', arg);
		break;
	case 'u':
		conf_ports(c, &c->udp_in, 'u', arg);
		break;
	case 'T':
		conf_ports(c, &c->tcp_out, 'T', arg);
		break;
	case 'U':
		conf_ports(c, &c->udp_out, 'U', arg);
		break;
	}
}

/**
 * conf_opt_ns() - pasta namespace and tap: --netns, --config-net, ...
 * @c:		Execution context
 * @o:		Command line options
 * @opt:	Option value, from getopt_long()
 * @arg:	Argument, NULL for options without one
 */
static void conf_opt_ns(struct ctx *c, struct conf_opts *o, int opt,
			const char *arg)
{
	switch (opt) {
	case OPT_USERNS:
		if (o->userns_set)
			die("--userns given more than once");
		copy_path(c->userns_path, sizeof(c->userns_path),
			  "--userns", arg);
		o->userns_set = true;
		break;
	case OPT_NETNS:
		if (o->netns_set)
			die("--netns given more than once");
		if (!*arg)
			die("Empty argument for --netns");
		if (strchr(arg, '/')) {
			copy_path(c->netns_path, sizeof(c->netns_path),
				  "--netns", arg);
		} else {
			if (!strcmp(arg, ".") ||
			    !strcmp(arg, ".."))
				die("Invalid namespace name: %s",
				    arg);
			if (snprintf(c->netns_path,
				     sizeof(c->netns_path),
				     "/run/netns/%s", arg) >=
			    (int)sizeof(c->netns_path))
				die("Argument for --netns too long");
		}
		o->netns_set = true;
		break;
	case OPT_NETNS_ONLY:
		c->netns_only = 1;
		break;
	case OPT_NO_NETNS_QUIT:
		c->no_netns_quit = 1;
		break;
	case OPT_CONFIG_NET:
		c->pasta_conf_ns = 1;
		break;
	case 'I':
		copy_ifname(c->pasta_ifname, "--ns-ifname", arg);
		break;
	case OPT_NO_COPY_ROUTES:
		o->no_copy_routes = true;
		break;
	case OPT_NO_COPY_ADDRS:
		o->no_copy_addrs = true;
		break;
	case OPT_NO_SPLICE:
		c->no_splice = 1;
		break;
	case OPT_HOST_LO_TO_NS_LO:
		break;
	case OPT_SPLICE_ONLY:
		c->splice_only = 1;
		break;
	}
}

/* Options by group, and the mode(s) each one is for */
static const struct conf_opt conf_opts_table[] = {
	{ 'd', "-d/--debug", IN_BOTH, conf_opt_log },
	{ OPT_TRACE, "--trace", IN_BOTH, conf_opt_log },
	{ 'q', "-q/--quiet", IN_BOTH, conf_opt_log },
	{ 'l', "-l/--log-file", IN_BOTH, conf_opt_log },
	{ OPT_LOG_SIZE, "--log-size", IN_BOTH, conf_opt_log },
	{ 'e', "-e/--stderr", IN_BOTH, conf_opt_log },
	{ OPT_STATS, "--stats", IN_BOTH, conf_opt_log },
	{ OPT_BUSY_POLL, "--busy-poll", IN_BOTH, conf_opt_process },
	{ 'f', "-f/--foreground", IN_BOTH, conf_opt_process },
	{ 'P', "-P/--pid", IN_BOTH, conf_opt_process },
	{ OPT_RUNAS, "--runas", IN_BOTH, conf_opt_process },
	{ 'h', "-h/--help", IN_BOTH, conf_opt_process },
	{ OPT_VERSION, "--version", IN_BOTH, conf_opt_process },
	{ 'p', "-p/--pcap", IN_BOTH, conf_opt_process },
	{ 'c', "-c/--conf-path", IN_BOTH, conf_opt_ctl },
	{ OPT_CHROOT_FALLBACK, "--chroot-fallback", IN_BOTH, conf_opt_process },
	{ '1', "-1/--one-off", IN_PASST, conf_opt_passt },
	{ 'F', "-F/--fd", IN_PASST, conf_opt_passt },
	{ 's', "-s/--socket", IN_PASST, conf_opt_passt },
	{ OPT_VHOST_USER, "--vhost-user", IN_BOTH, conf_opt_passt },
	{ OPT_PRINT_CAPS, "--print-capabilities", IN_BOTH, conf_opt_passt },
	{ OPT_REPAIR_PATH, "--repair-path", IN_PASST, conf_opt_passt },
	{ OPT_MIGRATE_EXIT, "--migrate-exit", IN_PASST, conf_opt_passt },
	{ OPT_MIGRATE_NO_LINGER, "--migrate-no-linger",
	  IN_PASST, conf_opt_passt },
	{ 'm', "-m/--mtu", IN_BOTH, conf_opt_addr },
	{ 'a', "-a/--address", IN_BOTH, conf_opt_addr },
	{ 'n', "-n/--netmask", IN_BOTH, conf_opt_addr },
	{ 'M', "-M/--mac-addr", IN_BOTH, conf_opt_addr },
	{ OPT_NS_MAC_ADDR, "--ns-mac-addr", IN_PASTA, conf_opt_addr },
	{ 'g', "-g/--gateway", IN_BOTH, conf_opt_addr },
	{ 'i', "-i/--interface", IN_BOTH, conf_opt_addr },
	{ 'o', "-o/--outbound", IN_BOTH, conf_opt_addr },
	{ OPT_OUTBOUND_IF4, "--outbound-if4", IN_BOTH, conf_opt_addr },
	{ OPT_OUTBOUND_IF6, "--outbound-if6", IN_BOTH, conf_opt_addr },
	{ '4', "-4/--ipv4-only", IN_BOTH, conf_opt_addr },
	{ '6', "-6/--ipv6-only", IN_BOTH, conf_opt_addr },
	{ OPT_NO_MAP_GW, "--no-map-gw", IN_BOTH, conf_opt_map },
	{ OPT_MAP_HOST_LOOPBACK, "--map-host-loopback", IN_BOTH, conf_opt_map },
	{ OPT_MAP_GUEST_ADDR, "--map-guest-addr", IN_BOTH, conf_opt_map },
	{ 'D', "-D/--dns", IN_BOTH, conf_opt_dns },
	{ 'S', "-S/--search", IN_BOTH, conf_opt_dns },
	{ 'H', "-H/--hostname", IN_BOTH, conf_opt_dns },
	{ OPT_FQDN, "--fqdn", IN_BOTH, conf_opt_dns },
	{ OPT_DNS_FORWARD, "--dns-forward", IN_BOTH, conf_opt_dns },
	{ OPT_DNS_HOST, "--dns-host", IN_BOTH, conf_opt_dns },
	{ OPT_DHCP_DNS, "--dhcp-dns", IN_PASTA, conf_opt_dns },
	{ OPT_NO_DHCP_DNS, "--no-dhcp-dns", IN_PASST, conf_opt_dns },
	{ OPT_DHCP_SEARCH, "--dhcp-search", IN_PASTA, conf_opt_dns },
	{ OPT_NO_DHCP_SEARCH, "--no-dhcp-search", IN_PASST, conf_opt_dns },
	{ OPT_NO_TCP, "--no-tcp", IN_BOTH, conf_opt_service },
	{ OPT_NO_UDP, "--no-udp", IN_BOTH, conf_opt_service },
	{ OPT_NO_ICMP, "--no-icmp", IN_BOTH, conf_opt_service },
	{ OPT_NO_DHCP, "--no-dhcp", IN_BOTH, conf_opt_service },
	{ OPT_NO_DHCPV6, "--no-dhcpv6", IN_BOTH, conf_opt_service },
	{ OPT_NO_NDP, "--no-ndp", IN_BOTH, conf_opt_service },
	{ OPT_NO_RA, "--no-ra", IN_BOTH, conf_opt_service },
	{ OPT_FREEBIND, "--freebind", IN_BOTH, conf_opt_service },
	{ OPT_NO_FOLLOW, "--no-follow", IN_BOTH, conf_opt_service },
	{ 't', "-t/--tcp-ports", IN_BOTH, conf_opt_ports },
	{ 'u', "-u/--udp-ports", IN_BOTH, conf_opt_ports },
	{ 'T', "-T/--tcp-ns", IN_PASTA, conf_opt_ports },
	{ 'U', "-U/--udp-ns", IN_PASTA, conf_opt_ports },
	{ OPT_USERNS, "--userns", IN_PASTA, conf_opt_ns },
	{ OPT_NETNS, "--netns", IN_PASTA, conf_opt_ns },
	{ OPT_NETNS_ONLY, "--netns-only", IN_PASTA, conf_opt_ns },
	{ OPT_NO_NETNS_QUIT, "--no-netns-quit", IN_PASTA, conf_opt_ns },
	{ OPT_CONFIG_NET, "--config-net", IN_PASTA, conf_opt_ns },
	{ 'I', "-I/--ns-ifname", IN_PASTA, conf_opt_ns },
	{ OPT_NO_COPY_ROUTES, "--no-copy-routes", IN_PASTA, conf_opt_ns },
	{ OPT_NO_COPY_ADDRS, "--no-copy-addrs", IN_PASTA, conf_opt_ns },
	{ OPT_NO_SPLICE, "--no-splice", IN_PASTA, conf_opt_ns },
	{ OPT_HOST_LO_TO_NS_LO, "--host-lo-to-ns-lo", IN_PASTA, conf_opt_ns },
	{ OPT_SPLICE_ONLY, "--splice-only", IN_PASTA, conf_opt_ns },
};

/**
 * conf_opt_find() - Look up an option value in the table
 * @val:	Value from getopt_long()
 *
 * Return: table entry, NULL for '?', ':' and anything unknown
 */
static const struct conf_opt *conf_opt_find(int val)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(conf_opts_table); i++) {
		if (conf_opts_table[i].val == val)
			return &conf_opts_table[i];
	}
	return NULL;
}

/**
 * conf_check() - Checks and consequences across options
 * @c:		Execution context
 * @o:		Command line options
 */
static void conf_check(struct ctx *c, struct conf_opts *o)
{
	if (o->vu_only && !o->vhost_user)
		die("%s is only available in vhost-user mode (--vhost-user)",
		    o->vu_only);
	if (o->addr_prefix4) {
		if (o->prefix4_set)
			die("--netmask conflicts with the prefix length of --address");
		o->prefix4 = o->addr_prefix4;
		o->prefix4_set = true;
	}

	if (o->vhost_user)
		c->vhost_user = 1;

	if (o->sock_set && c->fd_passed >= 0)
		die("--fd and --socket are mutually exclusive");

	if ((o->no_copy_routes || o->no_copy_addrs) && !c->pasta_conf_ns)
		die("--no-copy-routes and --no-copy-addrs require --config-net");
	if (o->no_copy_routes)
		c->ip4.no_copy_routes = c->ip6.no_copy_routes = true;
	if (o->no_copy_addrs)
		c->ip4.no_copy_addrs = c->ip6.no_copy_addrs = true;

	if (c->no_tcp &&
	    ((c->tcp_in.mode != FWD_UNSET && c->tcp_in.mode != FWD_NONE) ||
	     (c->tcp_out.mode != FWD_UNSET && c->tcp_out.mode != FWD_NONE)))
		die("TCP port forwarding requested but TCP is disabled (--no-tcp)");
	if (c->no_udp &&
	    ((c->udp_in.mode != FWD_UNSET && c->udp_in.mode != FWD_NONE) ||
	     (c->udp_out.mode != FWD_UNSET && c->udp_out.mode != FWD_NONE)))
		die("UDP port forwarding requested but UDP is disabled (--no-udp)");

	if (c->splice_only) {
		if (c->no_splice)
			die("--splice-only conflicts with --no-splice");
		/* Nothing through the tap: no services, no DNS for it */
		c->no_icmp = c->no_dhcp = c->no_dhcpv6 = 1;
		c->no_ndp = c->no_ra = 1;
		c->no_dns = c->no_dns_search = 1;
	}

	if (c->no_map_gw) {
		/* An explicit --map-host-loopback ADDR still applies */
		if (!o->mhl4_set)
			memset(&c->ip4.map_host_loopback, 0,
			       sizeof(c->ip4.map_host_loopback));
		if (!o->mhl6_set)
			memset(&c->ip6.map_host_loopback, 0,
			       sizeof(c->ip6.map_host_loopback));
	}
}

/**
 * conf_positional() - Arguments after the options: pasta's PID or command
 * @c:		Execution context
 * @o:		Command line options
 * @argc:	Argument count
 * @argv:	Arguments, optind at the first non-option
 *
 * Sets the namespaces to join (PID, --netns) or the command to spawn, and
 * the foreground for it.
 */
static void conf_positional(struct ctx *c, const struct conf_opts *o,
			    int argc, char **argv)
{
	bool dashdash = optind > 1 && !strcmp(argv[optind - 1], "--");
	unsigned long v;

	if (c->mode != MODE_PASTA) {
		if (optind < argc)
			die("Unexpected argument: %s (passt takes none)",
			    argv[optind]);
		return;
	}

	if (optind < argc) {
		const char *a = argv[optind];

		if (o->netns_set)
			die("--netns can't be used with a PID or command: %s",
			    a);

		if (!dashdash && optind == argc - 1 &&
		    !parse_uint(a, 1, INT_MAX, &v)) {
			c->pasta_pid = v;
		} else {
			c->pasta_cmd = argv + optind;
		}
	}

	if (c->pasta_pid) {
		snprintf(c->netns_path, sizeof(c->netns_path),
			 "/proc/%ld/ns/net", (long)c->pasta_pid);
		if (!o->userns_set && !c->netns_only)
			snprintf(c->userns_path,
				 sizeof(c->userns_path),
				 "/proc/%ld/ns/user",
				 (long)c->pasta_pid);
	} else if (o->netns_set) {
		if (!o->userns_set)
			c->netns_only = 1;
	} else {
		/* We spawn the command: its exit status is ours */
		if (o->userns_set)
			die("--userns requires --netns or a PID");
		c->foreground = 1;
	}

	if (c->pasta_conf_ns)
		c->no_ra = 1;
}

/**
 * conf_defaults() - Mode defaults for what wasn't given
 * @c:		Execution context, positional arguments parsed
 * @o:		Command line options
 */
static void conf_defaults(struct ctx *c, const struct conf_opts *o)
{
	bool pasta = c->mode == MODE_PASTA;

	/* Advertisement of DNS information */
	if (pasta) {
		c->no_dhcp_dns = o->dhcp_dns != 1;
		c->no_dhcp_dns_search = o->dhcp_search != 1;
	} else {
		c->no_dhcp_dns = o->dhcp_dns == 0;
		c->no_dhcp_dns_search = o->dhcp_search == 0;
	}

	/* Port forwarding defaults: passt forwards UDP only with -u */
	if (pasta) {
		conf_port_defaults(c, &c->udp_in, &c->tcp_in);
		conf_port_defaults(c, &c->udp_out, &c->tcp_out);
	}

	if (c->tcp_in.mode == FWD_UNSET)
		c->tcp_in.mode = pasta && !c->no_tcp ? FWD_AUTO : FWD_NONE;
	if (c->udp_in.mode == FWD_UNSET)
		c->udp_in.mode = pasta && !c->no_udp ? FWD_AUTO : FWD_NONE;
	if (c->tcp_out.mode == FWD_UNSET)
		c->tcp_out.mode = pasta && !c->no_tcp ? FWD_AUTO : FWD_NONE;
	if (c->udp_out.mode == FWD_UNSET)
		c->udp_out.mode = pasta && !c->no_udp ? FWD_AUTO : FWD_NONE;

	/* After the positional arguments: spawning a command implies -f */
	if (c->stats && !c->foreground)
		die("--stats needs -f/--foreground");

	if (!o->runas_set)
		conf_runas_default(c);
}

/**
 * conf_parse() - Parse all options and positional arguments into @c
 * @c:		Execution context, mode set
 * @o:		Other things given on the command line, filled here
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Doesn't query the host (except user and group names). Dies on errors.
 */
static void conf_parse(struct ctx *c, struct conf_opts *o, int argc,
		       char **argv)
{
	bool pasta = c->mode == MODE_PASTA;
	int opt;

	memset(o, 0, sizeof(*o));
	o->dhcp_dns = o->dhcp_search = -1;
	o->log_size = LOG_SIZE_DEFAULT;

	c->mtu = MTU_DEFAULT;
	c->busy_poll_ns = BUSY_POLL_DEFAULT_US * 1000LL;
	memcpy(c->our_tap_mac, mac_default, ETH_ALEN);
	c->fd_passed = -1;
	c->log_size = LOG_SIZE_DEFAULT;

	/* Full reset: tests run this more than once */
	optind = 0;
	opterr = 0;

	/* --vhost-user anywhere means passt, whatever our name */
	for (opt = 1; opt < argc && strcmp(argv[opt], "--"); opt++) {
		if (!strcmp(argv[opt], "--vhost-user")) {
			c->mode = MODE_PASST;
			pasta = false;
		}
	}

	while ((opt = getopt_long(argc, argv, optstring, options,
				  NULL)) != -1) {
		const struct conf_opt *e = conf_opt_find(opt);

		if (!e)
			conf_bad_opt(opt, argv);
		if (!(e->modes & (pasta ? IN_PASTA : IN_PASST)))
			die("%s is only available in %s mode", e->name,
			    pasta ? "passt" : "pasta");
		e->handler(c, o, opt, optarg);
	}

	conf_check(c, o);
	conf_positional(c, o, argc, argv);
	conf_defaults(c, o);
}

/**
 * classful_prefix() - Prefix length of an IPv4 address by its class
 * @a:		Address
 *
 * Return: 8, 16 or 24
 */
static int classful_prefix(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	if (IN_CLASSA(h))
		return 8;
	if (IN_CLASSB(h))
		return 16;
	return 24;
}

/**
 * conf_template_ifi() - Template interface for a family
 * @c:		Execution context
 * @o:		Command line options
 * @af:		AF_INET or AF_INET6
 *
 * Return: interface index, 0 if none
 */
static unsigned int conf_template_ifi(const struct ctx *c,
				      const struct conf_opts *o, int af)
{
	const char *out = af == AF_INET ? c->ip4.ifname_out :
					  c->ip6.ifname_out;
	unsigned int ifi;

	if (*o->ifname) {
		ifi = nl_link_index(false, o->ifname);
		if (!ifi && !conf_rerun)
			die("Invalid interface name %s: not found", o->ifname);
		return ifi;
	}

	if (*out) {
		ifi = nl_link_index(false, out);
		if (!ifi && !conf_rerun)
			die("Invalid outbound interface %s: not found", out);
		return ifi;
	}

	return nl_get_ext_if(af);
}

/**
 * conf_ip4_local() - IPv4 in local mode: no template interface to copy
 * @c:		Execution context
 * @o:		Command line options
 *
 * The guest gets a link-local address and a gateway standing for the host
 * (loopback mapping), unless the options say otherwise.
 */
static void conf_ip4_local(struct ctx *c, const struct conf_opts *o)
{
	struct ip4_ctx *ip4 = &c->ip4;

	if (o->addr4_set) {
		ip4->prefix_len = classful_prefix(ip4->addr);
	} else {
		inet_pton(AF_INET, LOCAL_ADDR4, &ip4->addr);
		ip4->prefix_len = LOCAL_PREFIX4;
	}
	if (o->prefix4_set)
		ip4->prefix_len = o->prefix4;
	if (!o->gw4_set)
		inet_pton(AF_INET, LOCAL_GW4, &ip4->gw);

	ip4->addr_seen = ip4->addr;
	/* Nothing to copy from: pasta sets just the address and route */
	ip4->no_copy_addrs = ip4->no_copy_routes = true;
	c->ifi4 = IFI_LOCAL;
	*c->ifname4 = 0;

	if (!o->mhl4_set && !c->no_map_gw)
		ip4->map_host_loopback = ip4->gw;
}

/**
 * conf_ip4() - Derive IPv4 configuration from the host and options
 * @c:		Execution context
 * @o:		Command line options
 */
static void conf_ip4(struct ctx *c, const struct conf_opts *o)
{
	struct ip4_ctx *ip4 = &c->ip4;
	struct in_addr host = { 0 };
	int host_prefix = 0;
	unsigned int ifi;

	if (o->v6_only)
		goto disable;

	ifi = conf_template_ifi(c, o, AF_INET);
	if (!ifi) {
		conf_ip4_local(c, o);
		return;
	}

	if (!o->gw4_set && nl_route_get_def(ifi, AF_INET, &ip4->gw)) {
		conf_note("IPv4: no default gateway, disabled");
		goto disable;
	}

	if (nl_addr_get(ifi, AF_INET, &host, &host_prefix, NULL))
		host.s_addr = 0;

	if (!o->addr4_set) {
		if (!host.s_addr) {
			conf_note("IPv4: no address on the template interface, disabled");
			goto disable;
		}
		ip4->addr = host;
		ip4->prefix_len = host_prefix;
	} else if (host.s_addr == ip4->addr.s_addr && host_prefix) {
		ip4->prefix_len = host_prefix;
	} else {
		ip4->prefix_len = classful_prefix(ip4->addr);
	}
	if (o->prefix4_set)
		ip4->prefix_len = o->prefix4;
	if (!ip4->prefix_len || ip4->prefix_len > 32)
		ip4->prefix_len = classful_prefix(ip4->addr);

	ip4->addr_seen = ip4->addr;
	c->ifi4 = ifi;
	if (!if_indextoname(ifi, c->ifname4))
		snprintf(c->ifname4, sizeof(c->ifname4), "if%u", ifi);

	if (!o->mhl4_set && !c->no_map_gw)
		ip4->map_host_loopback = ip4->gw;
	return;

disable:
	c->ifi4 = 0;
	*c->ifname4 = 0;
	memset(&ip4->addr, 0, sizeof(ip4->addr));
	memset(&ip4->addr_seen, 0, sizeof(ip4->addr_seen));
	memset(&ip4->gw, 0, sizeof(ip4->gw));
	memset(&ip4->map_host_loopback, 0, sizeof(ip4->map_host_loopback));
	memset(&ip4->map_guest_addr, 0, sizeof(ip4->map_guest_addr));
	memset(&ip4->dns_match, 0, sizeof(ip4->dns_match));
	ip4->prefix_len = 0;
}

/**
 * conf_ip6_local() - IPv6 in local mode: no template interface to copy
 * @c:		Execution context
 * @o:		Command line options
 *
 * No global address to give (unless -a): the guest uses its link-local one
 * and reaches the host through our link-local address, the gateway.
 */
static void conf_ip6_local(struct ctx *c, const struct conf_opts *o)
{
	struct ip6_ctx *ip6 = &c->ip6;

	if (o->addr6_set)
		ip6->prefix_len = o->addr_prefix6 ? o->addr_prefix6 : 64;
	else
		ip6->prefix_len = 0;
	if (!o->gw6_set)
		inet_pton(AF_INET6, LOCAL_GW6, &ip6->gw);

	ip6->addr_seen = ip6->addr;
	if (IN6_IS_ADDR_LINKLOCAL(&ip6->gw))
		ip6->our_tap_ll = ip6->gw;
	else
		inet_pton(AF_INET6, LOCAL_GW6, &ip6->our_tap_ll);

	ip6->no_copy_addrs = ip6->no_copy_routes = true;
	c->ifi6 = IFI_LOCAL;
	*c->ifname6 = 0;

	if (!o->mhl6_set && !c->no_map_gw)
		ip6->map_host_loopback = ip6->gw;
}

/**
 * conf_ip6() - Derive IPv6 configuration from the host and options
 * @c:		Execution context
 * @o:		Command line options
 */
static void conf_ip6(struct ctx *c, const struct conf_opts *o)
{
	struct in6_addr host = IN6ADDR_ANY_INIT, ll = IN6ADDR_ANY_INIT;
	struct ip6_ctx *ip6 = &c->ip6;
	int host_prefix = 0;
	unsigned int ifi;

	if (o->v4_only)
		goto disable;

	ifi = conf_template_ifi(c, o, AF_INET6);
	if (!ifi) {
		conf_ip6_local(c, o);
		return;
	}

	if (!o->gw6_set && nl_route_get_def(ifi, AF_INET6, &ip6->gw)) {
		conf_note("IPv6: no default gateway, disabled");
		goto disable;
	}

	if (nl_addr_get(ifi, AF_INET6, &host, &host_prefix, &ll))
		host = in6addr_any;

	if (!o->addr6_set) {
		if (IN6_IS_ADDR_UNSPECIFIED(&host)) {
			conf_note("IPv6: no global address on the template interface, disabled");
			goto disable;
		}
		ip6->addr = host;
		ip6->prefix_len = host_prefix ? host_prefix : 64;
	} else if (IN6_ARE_ADDR_EQUAL(&host, &ip6->addr) && host_prefix) {
		ip6->prefix_len = host_prefix;
	} else {
		ip6->prefix_len = 64;
	}
	if (o->addr_prefix6)
		ip6->prefix_len = o->addr_prefix6;

	ip6->addr_seen = ip6->addr;
	if (IN6_IS_ADDR_LINKLOCAL(&ip6->gw)) {
		ip6->our_tap_ll = ip6->gw;
	} else {
		inet_pton(AF_INET6, "fe80::1", &ip6->our_tap_ll);
	}

	c->ifi6 = ifi;
	if (!if_indextoname(ifi, c->ifname6))
		snprintf(c->ifname6, sizeof(c->ifname6), "if%u", ifi);

	if (!o->mhl6_set && !c->no_map_gw)
		ip6->map_host_loopback = ip6->gw;
	return;

disable:
	c->ifi6 = 0;
	*c->ifname6 = 0;
	memset(&ip6->addr, 0, sizeof(ip6->addr));
	memset(&ip6->addr_seen, 0, sizeof(ip6->addr_seen));
	memset(&ip6->gw, 0, sizeof(ip6->gw));
	memset(&ip6->our_tap_ll, 0, sizeof(ip6->our_tap_ll));
	memset(&ip6->map_host_loopback, 0, sizeof(ip6->map_host_loopback));
	memset(&ip6->map_guest_addr, 0, sizeof(ip6->map_guest_addr));
	memset(&ip6->dns_match, 0, sizeof(ip6->dns_match));
	ip6->prefix_len = 0;
}

/**
 * add_dns4() - Add an IPv4 nameserver to advertise, if not there yet
 * @c:		Execution context
 * @a:		Address
 */
static void add_dns4(struct ctx *c, struct in_addr a)
{
	int i;

	for (i = 0; i < MAXNS && c->ip4.dns[i].s_addr; i++) {
		if (c->ip4.dns[i].s_addr == a.s_addr)
			return;
	}
	if (i < MAXNS)
		c->ip4.dns[i] = a;
}

/**
 * add_dns6() - Add an IPv6 nameserver to advertise, if not there yet
 * @c:		Execution context
 * @a:		Address
 */
static void add_dns6(struct ctx *c, const struct in6_addr *a)
{
	int i;

	for (i = 0; i < MAXNS && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]);
	     i++) {
		if (IN6_ARE_ADDR_EQUAL(&c->ip6.dns[i], a))
			return;
	}
	if (i < MAXNS)
		c->ip6.dns[i] = *a;
}

/**
 * conf_dns_parse() - Nameservers and search domains from resolv.conf text
 * @c:		Execution context, families already configured
 * @o:		Command line options
 * @buf:	Contents of resolv.conf, NUL-terminated, modified here
 */
static void conf_dns_parse(struct ctx *c, const struct conf_opts *o,
			   char *buf)
{
	struct in_addr host4[MAXNS] = { 0 };
	struct in6_addr host6[MAXNS];
	int n4 = 0, n6 = 0, i, nsearch = 0;
	bool dropped = false;
	char *line, *save;

	memset(host6, 0, sizeof(host6));

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *kw = line + strspn(line, " \t"), *arg, *end;
		struct in6_addr a6;
		struct in_addr a4;

		arg = kw + strcspn(kw, " \t");
		if (*arg)
			*arg++ = 0;
		arg += strspn(arg, " \t");
		end = arg + strcspn(arg, "#;");
		*end = 0;

		if (!strcmp(kw, "nameserver")) {
			char *pct;

			arg[strcspn(arg, " \t")] = 0;
			pct = strchr(arg, '%');
			if (pct)
				*pct = 0;	/* link-local zone */

			if (inet_pton(AF_INET, arg, &a4) == 1) {
				if (a4.s_addr && n4 < MAXNS)
					host4[n4++] = a4;
			} else if (inet_pton(AF_INET6, arg, &a6) == 1) {
				if (!IN6_IS_ADDR_UNSPECIFIED(&a6) &&
				    n6 < MAXNS)
					host6[n6++] = a6;
			}
		} else if (!strcmp(kw, "search") || !strcmp(kw, "domain")) {
			if (o->search_set || c->no_dns_search)
				continue;
			/* The last of these lines wins */
			nsearch = 0;
			c->dns_search[0].n[0] = 0;
			add_search(c, &nsearch, arg, false);
		}
	}

	if (!o->dns_host4_set && n4)
		c->ip4.dns_host = host4[0];
	if (!o->dns_host6_set && n6)
		c->ip6.dns_host = host6[0];

	if (c->no_dns) {
		memset(c->ip4.dns, 0, sizeof(c->ip4.dns));
		memset(c->ip6.dns, 0, sizeof(c->ip6.dns));
	} else if (!o->dns_set) {
		/* Loopback resolvers are unreachable for the guest: in their
		 * place, the --dns-forward address (which leads to the first
		 * of them by default), else the host loopback mapping
		 */
		struct in_addr lo4 = c->ip4.dns_match.s_addr ?
				     c->ip4.dns_match :
				     c->ip4.map_host_loopback;
		const struct in6_addr *lo6 =
			!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match) ?
			&c->ip6.dns_match : &c->ip6.map_host_loopback;

		for (i = 0; i < n4; i++) {
			if ((ntohl(host4[i].s_addr) >> 24) != IN_LOOPBACKNET)
				add_dns4(c, host4[i]);
			else if (lo4.s_addr)
				add_dns4(c, lo4);
			else
				dropped = true;
		}
		for (i = 0; i < n6; i++) {
			if (!IN6_IS_ADDR_LOOPBACK(&host6[i]))
				add_dns6(c, &host6[i]);
			else if (!IN6_IS_ADDR_UNSPECIFIED(lo6))
				add_dns6(c, lo6);
			else
				dropped = true;
		}

		/* None otherwise: --dns-forward, if it leads somewhere */
		if (!c->ip4.dns[0].s_addr && c->ip4.dns_match.s_addr &&
		    c->ip4.dns_host.s_addr)
			add_dns4(c, c->ip4.dns_match);
		if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[0]) &&
		    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match) &&
		    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_host))
			add_dns6(c, &c->ip6.dns_match);
	}

	if (!c->ifi4)
		memset(c->ip4.dns, 0, sizeof(c->ip4.dns));
	if (!c->ifi6)
		memset(c->ip6.dns, 0, sizeof(c->ip6.dns));

	if (!c->no_dns && !c->ip4.dns[0].s_addr && !conf_rerun &&
	    IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[0]) && (c->ifi4 || c->ifi6)) {
		if (dropped)
			warn("Couldn't get any nameserver address: host loopback resolvers aren't mapped");
		else
			warn("Couldn't get any nameserver address");
	}

	if (c->no_dns_search)
		c->dns_search[0].n[0] = 0;
}

/**
 * conf_dns() - Nameservers and search domains from resolv.conf or options
 * @c:		Execution context, families already configured
 * @o:		Command line options
 * @path:	resolv.conf path
 */
static void conf_dns(struct ctx *c, const struct conf_opts *o,
		     const char *path)
{
	static char buf[RESOLV_CONF_MAX];
	ssize_t len = -1;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (len < 0)
		len = 0;
	buf[len] = 0;

	conf_dns_parse(c, o, buf);
}

/**
 * conf_local_info() - Say, in one line, which families are in local mode
 * @c:		Execution context, families already configured
 */
static void conf_local_info(const struct ctx *c)
{
	char a4[INET_ADDRSTRLEN], g4[INET_ADDRSTRLEN], g6[INET6_ADDRSTRLEN];
	char v4[80] = "", v6[80] = "";

	if (c->ifi4 != IFI_LOCAL && c->ifi6 != IFI_LOCAL)
		return;

	if (c->ifi4 == IFI_LOCAL) {
		inet_ntop(AF_INET, &c->ip4.addr, a4, sizeof(a4));
		inet_ntop(AF_INET, &c->ip4.gw, g4, sizeof(g4));
		snprintf(v4, sizeof(v4), ", guest %s/%d, gateway %s", a4,
			 c->ip4.prefix_len, g4);
	}
	if (c->ifi6 == IFI_LOCAL) {
		inet_ntop(AF_INET6, &c->ip6.gw, g6, sizeof(g6));
		snprintf(v6, sizeof(v6), ", IPv6 gateway %s", g6);
	}

	info("No external %sinterface: local mode%s%s",
	     c->ifi4 != IFI_LOCAL ? "IPv6 " :
	     c->ifi6 != IFI_LOCAL ? "IPv4 " : "", v4, v6);
}

/**
 * conf() - Parse the command line, derive the rest from the host
 * @c:		Execution context, mode already set
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Prints one line and exits with status 1 on any invalid option;
 * --help and --version print and exit 0.
 *
 * Besides the options, sets: ifi4/ifi6 (0: family disabled, IFI_LOCAL:
 * local mode, no template interface on the host), template names,
 * addresses, gateways and nameservers from the host; forwarding modes
 * (never FWD_UNSET on return); c->uid/gid; for pasta, netns_path
 * and userns_path (from PID or --netns), pasta_cmd (NULL: spawn a shell,
 * unless a PID or --netns is given), foreground when spawning, and
 * pasta_ifname. Calls log_init() and log_open_file(), and
 * nl_sock_init(c, false). Doesn't open the PID file.
 */
void conf(struct ctx *c, int argc, char **argv)
{
	const char *ident = c->mode == MODE_PASTA ? "pasta" : "passt";
	struct conf_opts *o = &conf_o;
	int level;

	conf_parse(c, o, argc, argv);

	level = o->quiet ? LOG_WARNING : LOG_INFO;
	if (o->debug)
		level = LOG_DEBUG;
	c->quiet = o->quiet && !o->debug;
	c->debug = o->debug;
	c->trace = o->trace;
	log_init(ident, level, o->trace);

	if (*o->log_file && log_open_file(o->log_file, o->log_size))
		die("Couldn't open log file %s: %s", o->log_file,
		    strerror(errno));

	nl_sock_init(c, false);

	/* Interface names given as options: fail before anything else */
	if (*o->ifname && !nl_link_index(false, o->ifname))
		die("Invalid interface name %s: not found", o->ifname);
	if (*c->ip4.ifname_out && !nl_link_index(false, c->ip4.ifname_out))
		die("Invalid --outbound-if4 interface %s: not found",
		    c->ip4.ifname_out);
	if (*c->ip6.ifname_out && !nl_link_index(false, c->ip6.ifname_out))
		die("Invalid --outbound-if6 interface %s: not found",
		    c->ip6.ifname_out);

	conf_ip4(c, o);
	conf_ip6(c, o);
	if (!c->ifi4 && !c->ifi6)
		warn("No usable external interface: the %s has no connectivity beyond the host",
		     c->mode == MODE_PASTA ? "namespace" : "guest");
	conf_local_info(c);

	conf_dns(c, o, RESOLV_CONF);

	if (c->mode == MODE_PASTA && !*c->pasta_ifname) {
		if (*c->ifname4)
			strcpy(c->pasta_ifname, c->ifname4);
		else if (*c->ifname6)
			strcpy(c->pasta_ifname, c->ifname6);
		else
			strcpy(c->pasta_ifname, "tap0");
	}
}

/**
 * conf_follows() - Do we follow changes of the host's configuration?
 *
 * Return: false with --no-follow, true otherwise
 */
bool conf_follows(void)
{
	return !conf_o.no_follow;
}

/**
 * conf_dns_reread() - Nameservers and search domains from resolv.conf again
 * @c:		Execution context, families configured
 * @o:		Command line options: -D and -S lists stay as they are
 * @resolv:	Contents of resolv.conf, NUL-terminated, modified here
 */
static void conf_dns_reread(struct ctx *c, const struct conf_opts *o,
			    char *resolv)
{
	if (!o->dns_set) {
		memset(c->ip4.dns, 0, sizeof(c->ip4.dns));
		memset(c->ip6.dns, 0, sizeof(c->ip6.dns));
	}
	if (!o->search_set)
		c->dns_search[0].n[0] = 0;
	conf_dns_parse(c, o, resolv);
}

/**
 * conf_host_reread() - Derive the configuration from the host again
 * @c:		Execution context, as configured at start or last re-read
 * @n:		Copy of @c, with what the host has now
 * @resolv:	Contents of resolv.conf, NUL-terminated (modified here), or
 *		NULL to keep nameservers and search domains as they are
 *
 * Runs the same logic as start-up, with the same command line: values
 * given as options stay as they are. A template interface given with -i
 * or --outbound-if4/6 that went away means that family can't follow, see
 * hostwatch_diff().
 */
void conf_host_reread(const struct ctx *c, struct ctx *n, char *resolv)
{
	const struct conf_opts *o = &conf_o;

	*n = *c;
	conf_rerun = true;

	conf_ip4(n, o);
	conf_ip6(n, o);
	if (resolv)
		conf_dns_reread(n, o, resolv);

	conf_rerun = false;
}

/**
 * fwd_describe() - Log the forwarding configuration of one option
 * @name:	Option, e.g. "TCP in (-t)"
 * @fwd:	Forwarding configuration
 */
static void fwd_describe(const char *name, const struct fwd_ports *fwd)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned int i;

	switch (fwd->mode) {
	case FWD_NONE:
	case FWD_UNSET:
		return;
	case FWD_AUTO:
		info("    %s: auto", name);
		return;
	case FWD_ALL:
		info("    %s: all non-ephemeral ports%s", name,
		     fwd->count && fwd->rules[0].af != AF_UNSPEC ?
		     " on one address" : "");
		return;
	case FWD_SPEC:
		break;
	}

	for (i = 0; i < fwd->count; i++) {
		const struct fwd_rule *r = &fwd->rules[i];
		const char *addr = "*";

		if (r->af != AF_UNSPEC)
			addr = inany_ntop(&r->addr, buf, sizeof(buf));

		info("    %s: %s%s%s port %u-%u -> %u-%u", name, addr,
		     *r->ifname ? "%" : "", r->ifname, r->first, r->last,
		     r->to, r->to + (r->last - r->first));
	}
}

/**
 * conf_print() - Log a summary of the configuration (unless -q)
 * @c:		Execution context
 */
void conf_print(const struct ctx *c)
{
	char buf[INET6_ADDRSTRLEN], buf2[INET6_ADDRSTRLEN];
	const unsigned char *m = c->our_tap_mac;
	int i;

	if (c->quiet)
		return;

	if (*c->ifname4 || *c->ifname6) {
		info("Template interface: %s%s%s%s%s",
		     c->ifname4, *c->ifname4 ? " (IPv4)" : "",
		     *c->ifname4 && *c->ifname6 ? ", " : "",
		     c->ifname6, *c->ifname6 ? " (IPv6)" : "");
	}
	if (c->ifi4 == IFI_LOCAL || c->ifi6 == IFI_LOCAL) {
		info("Local mode, no template interface: %s%s%s",
		     c->ifi4 == IFI_LOCAL ? "IPv4" : "",
		     c->ifi4 == IFI_LOCAL && c->ifi6 == IFI_LOCAL ? ", " : "",
		     c->ifi6 == IFI_LOCAL ? "IPv6" : "");
	}
	if (*c->ip4.ifname_out || *c->ip6.ifname_out) {
		info("Outbound interface: %s%s%s%s%s",
		     c->ip4.ifname_out,
		     *c->ip4.ifname_out ? " (IPv4)" : "",
		     *c->ip4.ifname_out && *c->ip6.ifname_out ? ", " : "",
		     c->ip6.ifname_out,
		     *c->ip6.ifname_out ? " (IPv6)" : "");
	}
	if (c->mode == MODE_PASTA && !c->splice_only)
		info("Namespace interface: %s", c->pasta_ifname);

	info("MAC:");
	info("    host: %02x:%02x:%02x:%02x:%02x:%02x",
	     m[0], m[1], m[2], m[3], m[4], m[5]);
	if (c->mtu)
		info("MTU: %d", c->mtu);

	if (c->ifi4) {
		struct in_addr mask = {
			htonl(c->ip4.prefix_len ?
			      ~0U << (32 - c->ip4.prefix_len) : 0)
		};

		info("%s:", c->no_dhcp ? "IPv4" : "DHCP");
		info("    assign: %s",
		     inet_ntop(AF_INET, &c->ip4.addr, buf, sizeof(buf)));
		info("    mask: %s",
		     inet_ntop(AF_INET, &mask, buf, sizeof(buf)));
		info("    router: %s",
		     inet_ntop(AF_INET, &c->ip4.gw, buf, sizeof(buf)));
		if (c->ip4.map_host_loopback.s_addr)
			info("    host loopback mapped from: %s",
			     inet_ntop(AF_INET, &c->ip4.map_host_loopback,
				       buf, sizeof(buf)));
		if (c->ip4.map_guest_addr.s_addr)
			info("    host address mapped from: %s",
			     inet_ntop(AF_INET, &c->ip4.map_guest_addr,
				       buf, sizeof(buf)));
		if (c->ip4.dns_match.s_addr)
			info("    DNS forward: %s -> %s",
			     inet_ntop(AF_INET, &c->ip4.dns_match, buf,
				       sizeof(buf)),
			     inet_ntop(AF_INET, &c->ip4.dns_host, buf2,
				       sizeof(buf2)));
		for (i = 0; i < MAXNS && c->ip4.dns[i].s_addr; i++) {
			if (!i)
				info("DNS:");
			info("    %s", inet_ntop(AF_INET, &c->ip4.dns[i],
						 buf, sizeof(buf)));
		}
	}

	if (c->ifi6) {
		info("NDP/DHCPv6:");
		info("    assign: %s",
		     inet_ntop(AF_INET6, &c->ip6.addr, buf, sizeof(buf)));
		info("    prefix length: %d", c->ip6.prefix_len);
		info("    router: %s",
		     inet_ntop(AF_INET6, &c->ip6.gw, buf, sizeof(buf)));
		info("    our link-local: %s",
		     inet_ntop(AF_INET6, &c->ip6.our_tap_ll, buf,
			       sizeof(buf)));
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_host_loopback))
			info("    host loopback mapped from: %s",
			     inet_ntop(AF_INET6, &c->ip6.map_host_loopback,
				       buf, sizeof(buf)));
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_guest_addr))
			info("    host address mapped from: %s",
			     inet_ntop(AF_INET6, &c->ip6.map_guest_addr,
				       buf, sizeof(buf)));
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match))
			info("    DNS forward: %s -> %s",
			     inet_ntop(AF_INET6, &c->ip6.dns_match, buf,
				       sizeof(buf)),
			     inet_ntop(AF_INET6, &c->ip6.dns_host, buf2,
				       sizeof(buf2)));
		for (i = 0; i < MAXNS &&
			    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]); i++) {
			if (!i)
				info("DNS:");
			info("    %s", inet_ntop(AF_INET6, &c->ip6.dns[i],
						 buf, sizeof(buf)));
		}
	}

	for (i = 0; i < MAXDNSRCH && *c->dns_search[i].n; i++) {
		if (!i)
			info("DNS search list:");
		info("    %s", c->dns_search[i].n);
	}

	if (*c->hostname && c->ifi4 && !c->no_dhcp)
		info("DHCP host name: %s", c->hostname);
	if (*c->fqdn && ((c->ifi4 && !c->no_dhcp) ||
			 (c->ifi6 && !c->no_dhcpv6)))
		info("DHCP%s%s FQDN: %s",
		     c->ifi4 && !c->no_dhcp ? "" : "v6",
		     c->ifi4 && !c->no_dhcp && c->ifi6 && !c->no_dhcpv6 ?
		     "/DHCPv6" : "", c->fqdn);

	if (c->tcp_in.mode > FWD_NONE || c->udp_in.mode > FWD_NONE ||
	    c->tcp_out.mode > FWD_NONE || c->udp_out.mode > FWD_NONE) {
		info("Port forwarding:");
		fwd_describe("TCP in", &c->tcp_in);
		fwd_describe("UDP in", &c->udp_in);
		fwd_describe("TCP out", &c->tcp_out);
		fwd_describe("UDP out", &c->udp_out);
	}
}
