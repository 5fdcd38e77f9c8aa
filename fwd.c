/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fwd.c - Port forwarding specifications (-t, -u, -T, -U) and address
 *	   translation between guest and host for new flows
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "passt.h"
#include "flow.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "tcp.h"
#include "tcp_splice.h"
#include "udp.h"

#define EPHEMERAL_FIRST_DEFAULT	49152
#define EPHEMERAL_LAST_DEFAULT	65535
#define PORT_RANGE_FILE		"/proc/sys/net/ipv4/ip_local_port_range"

/**
 * struct spec_range - One parsed element of a port list
 * @first:	First port
 * @last:	Last port, inclusive
 * @to:		Target of @first
 */
struct spec_range {
	uint16_t first;
	uint16_t last;
	uint16_t to;
};

/**
 * fwd_ephemeral_range() - Read the host's ephemeral port range
 * @first:	Set to the first ephemeral port
 * @last:	Set to the last ephemeral port
 */
void fwd_ephemeral_range(uint16_t *first, uint16_t *last)
{
	/* Read once: specs parsed at run time (ctl.c) can't open files */
	static uint16_t cfirst, clast;
	unsigned long a, b;
	char buf[64], *end;
	ssize_t n;
	int fd;

	if (cfirst) {
		*first = cfirst;
		*last = clast;
		return;
	}

	*first = EPHEMERAL_FIRST_DEFAULT;
	*last = EPHEMERAL_LAST_DEFAULT;

	fd = open(PORT_RANGE_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;

	errno = 0;
	a = strtoul(buf, &end, 10);
	if (errno || end == buf)
		return;
	b = strtoul(end, &end, 10);
	if (errno || !a || a > b || b > 65535)
		return;

	*first = cfirst = a;
	*last = clast = b;
}

/**
 * parse_port() - Parse a decimal port number, advancing the cursor
 * @p:		Cursor, moved past the digits
 * @port:	Set to the port
 * @err:	Set to a message on failure
 *
 * Return: 0 on success, -1 on failure
 */
static int parse_port(const char **p, uint16_t *port, const char **err)
{
	const char *s = *p;
	unsigned long v = 0;

	if (*s < '0' || *s > '9') {
		*err = *s ? "Invalid character in port specification"
			  : "Missing port number in port specification";
		return -1;
	}

	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > 65535) {
			*err = "Port number out of range (1-65535)";
			return -1;
		}
	}

	if (!v) {
		*err = "Port 0 can't be forwarded";
		return -1;
	}

	*port = v;
	*p = s;
	return 0;
}

/**
 * parse_range() - Parse PORT or PORT-PORT, advancing the cursor
 * @p:		Cursor
 * @first:	Set to the first port
 * @last:	Set to the last port
 * @err:	Set to a message on failure
 *
 * Return: 0 on success, -1 on failure
 */
static int parse_range(const char **p, uint16_t *first, uint16_t *last,
		       const char **err)
{
	if (parse_port(p, first, err))
		return -1;

	if (**p != '-') {
		*last = *first;
		return 0;
	}

	(*p)++;
	if (parse_port(p, last, err))
		return -1;

	if (*last < *first) {
		*err = "Reversed port range in port specification";
		return -1;
	}

	return 0;
}

/**
 * parse_bind() - Parse the ADDR, ADDR%IF, [ADDR], [ADDR]%IF or %IF prefix
 * @s:		Prefix, up to (excluding) the '/'
 * @len:	Length of @s
 * @rule:	Address, family and interface name are set here
 * @err:	Set to a message on failure
 *
 * Return: 0 on success, -1 on failure
 */
static int parse_bind(const char *s, size_t len, struct fwd_rule *rule,
		      const char **err)
{
	char buf[INET6_ADDRSTRLEN + IFNAMSIZ + 4];
	const char *ifname = NULL;
	char *addr = buf, *pct;
	struct in6_addr a6;
	struct in_addr a4;

	if (!len) {
		*err = "Empty address before '/' in port specification";
		return -1;
	}
	if (len >= sizeof(buf)) {
		*err = "Address too long in port specification";
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = 0;

	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close) {
			*err = "Missing ']' in port specification address";
			return -1;
		}
		*close = 0;
		addr = buf + 1;
		if (close[1] == '%') {
			ifname = close + 2;
		} else if (close[1]) {
			*err = "Garbage after ']' in port specification";
			return -1;
		}
		/* [fe80::1%eth0] */
		pct = strchr(addr, '%');
		if (pct) {
			if (ifname) {
				*err = "Two interfaces in port specification";
				return -1;
			}
			*pct = 0;
			ifname = pct + 1;
		}
		if (!*addr) {
			*err = "Empty address in brackets";
			return -1;
		}
	} else {
		pct = strchr(buf, '%');
		if (pct) {
			*pct = 0;
			ifname = pct + 1;
		}
	}

	if (ifname) {
		if (!*ifname) {
			*err = "Empty interface name after '%'";
			return -1;
		}
		if (strlen(ifname) >= IFNAMSIZ) {
			*err = "Interface name too long in port specification";
			return -1;
		}
		if (strchr(ifname, '%') || strchr(ifname, '[') ||
		    strchr(ifname, ']')) {
			*err = "Invalid interface name in port specification";
			return -1;
		}
		strcpy(rule->ifname, ifname);
	}

	if (!*addr) {
		rule->af = AF_UNSPEC;
		memset(&rule->addr, 0, sizeof(rule->addr));
		return 0;
	}

	if (addr == buf && inet_pton(AF_INET, addr, &a4) == 1) {
		inany_from_v4(&rule->addr, a4);
		rule->af = AF_INET;
		return 0;
	}

	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		if (IN6_IS_ADDR_V4MAPPED(&a6)) {
			*err = "IPv4-mapped address in port specification";
			return -1;
		}
		rule->addr.a6 = a6;
		rule->af = AF_INET6;
		return 0;
	}

	if (addr != buf && inet_pton(AF_INET, addr, &a4) == 1)
		*err = "Brackets are for IPv6 addresses only";
	else
		*err = "Invalid address in port specification";
	return -1;
}

/**
 * rules_overlap() - Do two rules listen on a common port and address?
 * @a:		First rule
 * @b:		Second rule
 *
 * Return: true if they overlap
 */
static bool rules_overlap(const struct fwd_rule *a, const struct fwd_rule *b)
{
	if (a->last < b->first || b->last < a->first)
		return false;

	/* Different devices are different listeners only with an address */
	if (a->af == AF_UNSPEC || b->af == AF_UNSPEC)
		return true;

	return inany_equals(&a->addr, &b->addr);
}

/**
 * fwd_weak_room() - Whether a weak rule may take one more listening socket
 *
 * 'all' asks for tens of thousands of sockets, and the open files limit may
 * be lower: weak rules stop short of the last quarter of it, which flows,
 * timers and the guest's socket need. Start-up only: probes the lowest
 * free descriptor number.
 *
 * Return: true if the next socket leaves that reserve free
 */
bool fwd_weak_room(void)
{
	static rlim_t limit;
	struct rlimit rl;
	int fd;

	if (!limit) {
		if (getrlimit(RLIMIT_NOFILE, &rl) ||
		    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1U << 30))
			rl.rlim_cur = 1U << 30;
		limit = rl.rlim_cur - rl.rlim_cur / 4;
	}

	fd = eventfd(0, EFD_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return (rlim_t)fd + 2 < limit;	/* up to two sockets a port */
}

/**
 * fwd_all_rules() - Set the weak rules of 'all': every non-ephemeral port
 * @fwd:	Forwarding configuration, mode set to FWD_ALL here
 * @tmpl:	Address and interface binding for the rules
 * @efirst:	First port of the ephemeral range
 * @elast:	Last port of the ephemeral range
 *
 * One rule below the ephemeral range, one above it (if it ends before
 * 65535): failures to bind single ports aren't fatal.
 */
static void fwd_all_rules(struct fwd_ports *fwd, const struct fwd_rule *tmpl,
			  uint16_t efirst, uint16_t elast)
{
	struct fwd_rule *r;

	fwd->count = 0;
	if (efirst > 1) {
		r = &fwd->rules[fwd->count++];
		*r = *tmpl;
		r->first = r->to = 1;
		r->last = efirst - 1;
		r->flags = FWD_WEAK;
	}
	if (elast < NUM_PORTS - 1) {
		r = &fwd->rules[fwd->count++];
		*r = *tmpl;
		r->first = r->to = elast + 1;
		r->last = NUM_PORTS - 1;
		r->flags = FWD_WEAK;
	}
	fwd->mode = FWD_ALL;
}

/**
 * fwd_parse_all() - Parse 'all' or ADDR[%IF]/all (passt only)
 * @fwd:	Forwarding configuration to set, must be unset so far
 * @tmpl:	Address and interface binding, if any
 * @pasta:	true in pasta mode, where 'all' is rejected
 * @efirst:	First port of the ephemeral range
 * @elast:	Last port of the ephemeral range
 * @err:	On failure, set to a static message describing the problem
 *
 * Return: 0 on success, -1 on failure
 */
static int fwd_parse_all(struct fwd_ports *fwd, const struct fwd_rule *tmpl,
			 bool pasta, uint16_t efirst, uint16_t elast,
			 const char **err)
{
	if (pasta) {
		*err = "'all' port forwarding is only available in passt mode";
		return -1;
	}
	if (fwd->mode != FWD_UNSET) {
		*err = "'all' conflicts with other port specifications";
		return -1;
	}
	fwd_all_rules(fwd, tmpl, efirst, elast);
	return 0;
}

/**
 * fwd_parse_none() - Parse 'none'
 * @fwd:	Forwarding configuration to set
 * @err:	On failure, set to a static message describing the problem
 *
 * Return: 0 on success, -1 if other specifications were given before
 */
static int fwd_parse_none(struct fwd_ports *fwd, const char **err)
{
	if (fwd->mode != FWD_UNSET && fwd->mode != FWD_NONE) {
		*err = "'none' conflicts with other port specifications";
		return -1;
	}
	fwd->mode = FWD_NONE;
	return 0;
}

/**
 * fwd_parse_auto() - Parse 'auto' (pasta only)
 * @fwd:	Forwarding configuration to set
 * @pasta:	true in pasta mode, where 'auto' is allowed
 * @err:	On failure, set to a static message describing the problem
 *
 * Return: 0 on success, -1 on failure
 */
static int fwd_parse_auto(struct fwd_ports *fwd, bool pasta,
			  const char **err)
{
	if (!pasta) {
		*err = "'auto' port forwarding is only available in pasta mode";
		return -1;
	}
	if (fwd->mode != FWD_UNSET && fwd->mode != FWD_AUTO) {
		*err = "'auto' conflicts with other port specifications";
		return -1;
	}
	fwd->mode = FWD_AUTO;
	return 0;
}

/**
 * struct spec_list - Parsed items of one port list
 * @fw:		Forwarded ranges, in the order given
 * @ex:		Excluded ranges (~), in the order given
 * @nfw:	Number of entries in @fw
 * @nex:	Number of entries in @ex
 */
struct spec_list {
	struct spec_range fw[FWD_RULES_MAX];
	struct spec_range ex[FWD_RULES_MAX];
	unsigned int nfw;
	unsigned int nex;
};

/**
 * parse_item() - Parse one [~]RANGE[:RANGE] item, advancing the cursor
 * @p:		Cursor, left on the ',' or the end of the list
 * @r:		Set to the range and its target
 * @excl:	Set if the item is an exclusion
 * @err:	Set to a message on failure
 *
 * Return: 0 on success, -1 on failure
 */
static int parse_item(const char **p, struct spec_range *r, bool *excl,
		      const char **err)
{
	*excl = false;

	if (**p == ',' || !**p) {
		*err = "Empty element in port specification";
		return -1;
	}

	if (**p == '~') {
		*excl = true;
		(*p)++;
	}

	if (parse_range(p, &r->first, &r->last, err))
		return -1;
	r->to = r->first;

	if (**p == ':') {
		uint16_t tfirst, tlast;

		if (*excl) {
			*err = "Excluded ports can't be mapped";
			return -1;
		}
		(*p)++;
		if (parse_range(p, &tfirst, &tlast, err))
			return -1;
		if (tlast - tfirst != r->last - r->first) {
			*err = "Mapped port ranges differ in length";
			return -1;
		}
		r->to = tfirst;
	}

	if (**p && **p != ',') {
		*err = "Invalid character in port specification";
		return -1;
	}

	return 0;
}

/**
 * parse_list() - Parse a comma-separated list of items
 * @p:		List, up to the end of the string
 * @l:		Parsed items, filled here
 * @err:	Set to a message on failure
 *
 * Return: 0 on success, -1 on failure
 */
static int parse_list(const char *p, struct spec_list *l, const char **err)
{
	l->nfw = l->nex = 0;

	for (;;) {
		struct spec_range r;
		bool excl;

		if (parse_item(&p, &r, &excl, err))
			return -1;

		if (excl) {
			if (l->nex >= FWD_RULES_MAX) {
				*err = "Too many excluded ranges";
				return -1;
			}
			l->ex[l->nex++] = r;
		} else {
			if (l->nfw >= FWD_RULES_MAX) {
				*err = "Too many forwarded ranges";
				return -1;
			}
			l->fw[l->nfw++] = r;
		}

		if (!*p)
			return 0;
		p++;	/* ',' */
		if (!*p) {
			*err = "Empty element in port specification";
			return -1;
		}
	}
}

/**
 * excl_check() - Exclusions overlap neither each other nor earlier ones
 * @fwd:	Forwarding configuration, with earlier exclusions
 * @l:		Parsed items
 * @err:	Set to a message on failure
 *
 * Return: 0 if they don't, -1 if they do
 */
static int excl_check(const struct fwd_ports *fwd, const struct spec_list *l,
		      const char **err)
{
	unsigned int i, j, port;

	for (i = 0; i < l->nex; i++) {
		for (j = 0; j < i; j++) {
			if (!(l->ex[i].last < l->ex[j].first ||
			      l->ex[j].last < l->ex[i].first)) {
				*err = "Overlapping excluded ports";
				return -1;
			}
		}
		for (port = l->ex[i].first; port <= l->ex[i].last; port++) {
			if (fwd_port_excluded(fwd, port)) {
				*err = "Overlapping excluded ports";
				return -1;
			}
		}
	}

	return 0;
}

/**
 * excl_only_add() - Apply a list of exclusions only: 'all' but those
 * @fwd:	Forwarding configuration to extend
 * @tmpl:	Address and interface binding, if any
 * @has_bind:	An address or interface was given
 * @efirst:	First port of the ephemeral range
 * @elast:	Last port of the ephemeral range
 * @err:	Set to a message on failure
 *
 * Alone, it's 'all'; after 'all' or 'auto', it only adds exclusions.
 *
 * Return: 0 on success, -1 on conflict
 */
static int excl_only_add(struct fwd_ports *fwd, const struct fwd_rule *tmpl,
			 bool has_bind, uint16_t efirst, uint16_t elast,
			 const char **err)
{
	if (fwd->mode == FWD_UNSET) {
		fwd_all_rules(fwd, tmpl, efirst, elast);
		return 0;
	}

	if (fwd->mode != FWD_ALL && fwd->mode != FWD_AUTO) {
		*err = "Exclusion-only specification conflicts with other port specifications";
		return -1;
	}
	if (has_bind) {
		*err = "Address binding conflicts with earlier port specification";
		return -1;
	}
	return 0;
}

/**
 * ranges_add() - Append the forwarded ranges of a list as rules
 * @fwd:	Forwarding configuration to extend
 * @l:		Parsed items, at least one forwarded range
 * @tmpl:	Address and interface binding for the new rules
 * @err:	Set to a message on failure
 *
 * Return: 0 on success, -1 on conflict, overlap or too many rules
 */
static int ranges_add(struct fwd_ports *fwd, const struct spec_list *l,
		      const struct fwd_rule *tmpl, const char **err)
{
	unsigned int i, j;

	if (fwd->mode != FWD_UNSET && fwd->mode != FWD_SPEC) {
		*err = "Specific ports conflict with 'none', 'auto', 'all' or exclusion-only specifications";
		return -1;
	}
	if (fwd->count + l->nfw > FWD_RULES_MAX) {
		*err = "Too many forwarding rules";
		return -1;
	}

	for (i = 0; i < l->nfw; i++) {
		struct fwd_rule a = *tmpl;

		a.first = l->fw[i].first;
		a.last = l->fw[i].last;
		for (j = 0; j < i; j++) {
			struct fwd_rule b = *tmpl;

			b.first = l->fw[j].first;
			b.last = l->fw[j].last;
			if (rules_overlap(&a, &b)) {
				*err = "Overlapping port specifications";
				return -1;
			}
		}
		for (j = 0; j < fwd->count; j++) {
			if (rules_overlap(&a, &fwd->rules[j])) {
				*err = "Overlapping port specifications";
				return -1;
			}
		}
	}

	for (i = 0; i < l->nfw; i++) {
		struct fwd_rule *r = &fwd->rules[fwd->count++];

		*r = *tmpl;
		r->first = l->fw[i].first;
		r->last = l->fw[i].last;
		r->to = l->fw[i].to;
		r->flags = 0;
	}
	fwd->mode = FWD_SPEC;
	return 0;
}

static int fwd_parse_one(struct fwd_ports *fwd, const char *spec, bool pasta,
			 bool inbound, const char **err);

/**
 * fwd_parse_spec() - Parse one -t/-u/-T/-U argument into @fwd
 * @fwd:	Forwarding configuration to extend
 * @spec:	Option argument: none, auto, [ADDR[%IF]/]all, [ADDR[%IF]/]PORTS
 * @pasta:	true in pasta mode (auto allowed, all rejected)
 * @inbound:	true for -t/-u (address binding allowed)
 * @err:	On failure, set to a static message describing the problem
 *
 * Repeated options accumulate rules; 'none' and 'auto' conflict with any
 * other specification (exclusion-only specs may add to 'auto' and 'all').
 * On failure, @fwd is left unchanged.
 *
 * Return: 0 on success, -1 on invalid or conflicting specification
 */
int fwd_parse_spec(struct fwd_ports *fwd, const char *spec, bool pasta,
		   bool inbound, const char **err)
{
	unsigned int from = fwd->count;

	if (fwd_parse_one(fwd, spec, pasta, inbound, err))
		return -1;
	fwd_rule_ids(fwd, from);
	return 0;
}

/**
 * fwd_parse_one() - Parse one specification: see fwd_parse_spec()
 * @fwd:	Forwarding configuration to extend
 * @spec:	Option argument
 * @pasta:	true in pasta mode
 * @inbound:	true for -t/-u
 * @err:	On failure, set to a static message
 *
 * Return: 0 on success, -1 on invalid or conflicting specification
 */
static int fwd_parse_one(struct fwd_ports *fwd, const char *spec, bool pasta,
			 bool inbound, const char **err)
{
	struct fwd_rule tmpl = { .af = AF_UNSPEC };
	static struct spec_list l;
	const char *p, *slash;
	uint16_t efirst, elast;
	unsigned int i, port;

	if (!spec || !*spec) {
		*err = "Empty port specification";
		return -1;
	}
	if (!strcmp(spec, "none"))
		return fwd_parse_none(fwd, err);
	if (!strcmp(spec, "auto"))
		return fwd_parse_auto(fwd, pasta, err);

	fwd_ephemeral_range(&efirst, &elast);

	if (!strcmp(spec, "all"))
		return fwd_parse_all(fwd, &tmpl, pasta, efirst, elast, err);

	p = spec;
	slash = strchr(spec, '/');
	if (slash) {
		if (!inbound) {
			*err = "Address or interface binding is only allowed for -t and -u";
			return -1;
		}
		if (parse_bind(spec, slash - spec, &tmpl, err))
			return -1;
		p = slash + 1;
		if (!*p) {
			*err = "Missing ports after '/' in port specification";
			return -1;
		}
		/* libvirt: ADDR/all and %IF/all for a <portForward> */
		if (!strcmp(p, "all"))
			return fwd_parse_all(fwd, &tmpl, pasta, efirst, elast,
					     err);
		if (!strcmp(p, "auto") || !strcmp(p, "none")) {
			*err = "'auto' and 'none' can't be combined with an address";
			return -1;
		}
	}

	if (parse_list(p, &l, err) || excl_check(fwd, &l, err))
		return -1;

	if (!l.nfw) {
		if (excl_only_add(fwd, &tmpl, slash != NULL, efirst, elast,
				  err))
			return -1;
	} else if (ranges_add(fwd, &l, &tmpl, err)) {
		return -1;
	}

	for (i = 0; i < l.nex; i++) {
		for (port = l.ex[i].first; port <= l.ex[i].last; port++)
			fwd->excl[port / 8] |= 1 << (port % 8);
	}

	return 0;
}

/**
 * is_dns_port() - Is this a DNS port (plain or over TLS)?
 * @proto:	IPPROTO_TCP or IPPROTO_UDP (others never match)
 * @port:	Port number
 *
 * Return: true for ports 53 and 853 over TCP or UDP
 */
static inline bool is_dns_port(uint8_t proto, uint16_t port)
{
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return false;
	return port == 53 || port == 853;
}

/**
 * v4_is() - Does an inany address hold a given, specified IPv4 address?
 * @a:		inany address (v4-mapped for IPv4)
 * @v4:		IPv4 address, 0.0.0.0 never matches
 *
 * Return: true if equal
 */
static inline bool v4_is(const union inany_addr *a, struct in_addr v4)
{
	return v4.s_addr && a->u32[0] == 0 && a->u32[1] == 0 &&
	       a->u32[2] == htonl(0xffff) && a->u32[3] == v4.s_addr;
}

/**
 * v6_is() - Does an inany address hold a given, specified IPv6 address?
 * @a:		inany address
 * @v6:		IPv6 address, :: never matches
 *
 * Return: true if equal
 */
static inline bool v6_is(const union inany_addr *a, const struct in6_addr *v6)
{
	return !IN6_IS_ADDR_UNSPECIFIED(v6) && IN6_ARE_ADDR_EQUAL(&a->a6, v6);
}

/**
 * fwd_nat_from_tap() - Translate the destination of a guest-originated flow
 * @c:		Execution context
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6
 * @dst:	Destination address as the guest sent it
 * @dport:	Destination port as the guest sent it (0 for ICMP)
 * @host_dst:	Set to the address the host socket must reach
 * @host_dport:	Set to the port the host socket must reach
 *
 * Applies, in order: --dns-forward (to --dns-host, ports 53 and 853, not
 * for ICMP), the host loopback mapping (gateway or --map-host-loopback,
 * unless --no-map-gw) and --map-guest-addr (host's own address).
 *
 * Return: true if the flow may be set up, false if it must be dropped
 */
bool fwd_nat_from_tap(const struct ctx *c, uint8_t proto,
		      const union inany_addr *dst, uint16_t dport,
		      union inany_addr *host_dst, uint16_t *host_dport)
{
	*host_dport = dport;

	if (inany_v4(dst)) {
		if (is_dns_port(proto, dport) && v4_is(dst, c->ip4.dns_match) &&
		    c->ip4.dns_host.s_addr) {
			inany_from_v4(host_dst, c->ip4.dns_host);
			return true;
		}
		if (v4_is(dst, c->ip4.map_host_loopback)) {
			struct in_addr lo = { htonl(INADDR_LOOPBACK) };

			inany_from_v4(host_dst, lo);
			return true;
		}
		if (v4_is(dst, c->ip4.map_guest_addr)) {
			if (!c->ip4.addr.s_addr)
				return false;
			inany_from_v4(host_dst, c->ip4.addr);
			return true;
		}
	} else {
		if (is_dns_port(proto, dport) &&
		    v6_is(dst, &c->ip6.dns_match) &&
		    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_host)) {
			host_dst->a6 = c->ip6.dns_host;
			return true;
		}
		if (v6_is(dst, &c->ip6.map_host_loopback)) {
			host_dst->a6 = in6addr_loopback;
			return true;
		}
		if (v6_is(dst, &c->ip6.map_guest_addr)) {
			if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
				return false;
			host_dst->a6 = c->ip6.addr;
			return true;
		}
		/* No scope on the host side: unmapped link-local is useless */
		if (IN6_IS_ADDR_LINKLOCAL(&dst->a6))
			return false;
	}

	/* The guest can't reach host loopback except through the mapping */
	if (inany_is_unspecified(dst) || inany_is_loopback(dst))
		return false;

	*host_dst = *dst;
	return true;
}

/**
 * fwd_nat_to_tap() - Translate a host-side address to what the guest sees
 * @c:		Execution context
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, ...
 * @host_src:	Source of host-side traffic (remote peer or loopback)
 * @host_sport:	Source port of host-side traffic
 * @tap_src:	Set to the source address to use towards the guest
 * @tap_sport:	Set to the source port to use towards the guest
 *
 * The inverse of fwd_nat_from_tap() for replies, and the mapping of
 * inbound connections: loopback sources appear as the host loopback
 * mapping address (gateway), the --dns-host resolver as --dns-forward,
 * the host's own address as --map-guest-addr.
 *
 * Return: true if the guest can be reached with these addresses, false if
 * there is no usable mapping (e.g. loopback source with --no-map-gw)
 */
bool fwd_nat_to_tap(const struct ctx *c, uint8_t proto,
		    const union inany_addr *host_src, uint16_t host_sport,
		    union inany_addr *tap_src, uint16_t *tap_sport)
{
	*tap_sport = host_sport;

	if (inany_v4(host_src)) {
		/* Before loopback: the resolver may well be 127.0.0.53 */
		if (is_dns_port(proto, host_sport) && c->ip4.dns_match.s_addr &&
		    v4_is(host_src, c->ip4.dns_host)) {
			inany_from_v4(tap_src, c->ip4.dns_match);
			return true;
		}
		if (inany_is_loopback(host_src)) {
			if (!c->ip4.map_host_loopback.s_addr)
				return false;
			inany_from_v4(tap_src, c->ip4.map_host_loopback);
			return true;
		}
		if (v4_is(host_src, c->ip4.addr)) {
			/* The guest would see its own address as source */
			if (c->ip4.map_guest_addr.s_addr)
				inany_from_v4(tap_src, c->ip4.map_guest_addr);
			else if (c->ip4.map_host_loopback.s_addr)
				inany_from_v4(tap_src,
					      c->ip4.map_host_loopback);
			else
				return false;
			return true;
		}
	} else {
		if (is_dns_port(proto, host_sport) &&
		    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns_match) &&
		    v6_is(host_src, &c->ip6.dns_host)) {
			tap_src->a6 = c->ip6.dns_match;
			return true;
		}
		if (IN6_IS_ADDR_LOOPBACK(&host_src->a6)) {
			if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_host_loopback))
				return false;
			tap_src->a6 = c->ip6.map_host_loopback;
			return true;
		}
		if (v6_is(host_src, &c->ip6.addr)) {
			if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_guest_addr))
				tap_src->a6 = c->ip6.map_guest_addr;
			else if (!IN6_IS_ADDR_UNSPECIFIED(
					&c->ip6.map_host_loopback))
				tap_src->a6 = c->ip6.map_host_loopback;
			else
				return false;
			return true;
		}
	}

	if (inany_is_unspecified(host_src))
		return false;

	*tap_src = *host_src;
	return true;
}

/**
 * fwd_guest_addr() - Destination address of the guest for a given source
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @tap_src:	Source address as the guest will see it
 * @dst:	Set to the guest's address (IPv6: link-local for link-local
 *		sources)
 */
void fwd_guest_addr(const struct ctx *c, int af,
		    const union inany_addr *tap_src, union inany_addr *dst)
{
	if (af == AF_INET) {
		if (c->ip4.addr_seen.s_addr)
			inany_from_v4(dst, c->ip4.addr_seen);
		else
			inany_from_v4(dst, c->ip4.addr);
		return;
	}

	if (IN6_IS_ADDR_LINKLOCAL(&tap_src->a6) &&
	    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_ll_seen)) {
		dst->a6 = c->ip6.addr_ll_seen;
		return;
	}

	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_seen))
		dst->a6 = c->ip6.addr_seen;
	else
		dst->a6 = c->ip6.addr;
}

/* Live changes: rule identifiers, listening sockets of each rule */

uint16_t fwd_rule_binding;
static uint16_t fwd_next_id;

/**
 * struct fwd_lsock - Listening socket of a rule, indexed by descriptor
 * @ref:	epoll reference of the socket (type and data), 0 if not ours
 * @rule:	Rule identifier, 0 for none (automatic forwarding)
 */
struct fwd_lsock {
	uint64_t ref;
	uint16_t rule;
};

static struct fwd_lsock fwd_lsock[FWD_LSOCK_FD_MAX];
static int fwd_lsock_hw;	/* descriptors noted are below this */

static const char *const fwd_table_name[FWD_TABLES] = {
	[FWD_TCP_IN]	= "HOST TCP",
	[FWD_UDP_IN]	= "HOST UDP",
	[FWD_TCP_OUT]	= "SPLICE TCP",
	[FWD_UDP_OUT]	= "SPLICE UDP",
};

/**
 * fwd_rule_ids() - Give rules new identifiers
 * @fwd:	Forwarding configuration
 * @from:	First rule to number, up to the last one
 *
 * Identifiers wrap after 65535 rules created: one in use could come back
 * only after that many changes while it stays.
 */
void fwd_rule_ids(struct fwd_ports *fwd, unsigned int from)
{
	unsigned int i;

	for (i = from; i < fwd->count && i < FWD_RULES_MAX; i++) {
		if (!++fwd_next_id)
			fwd_next_id = 1;
		fwd->rules[i].id = fwd_next_id;
	}
}

/**
 * fwd_lsock_note() - Record a new listening socket, of fwd_rule_binding
 * @fd:		Socket
 * @ref:	Its epoll reference
 */
void fwd_lsock_note(int fd, uint64_t ref)
{
	if (fd < 0 || fd >= FWD_LSOCK_FD_MAX) {
		if (fwd_rule_binding)
			warn_once("Listening socket %i of rule %u untracked: "
				  "the rule can't be removed", fd,
				  fwd_rule_binding);
		return;
	}
	fwd_lsock[fd].ref = ref;
	fwd_lsock[fd].rule = fwd_rule_binding;
	if (fd >= fwd_lsock_hw)
		fwd_lsock_hw = fd + 1;
}

/**
 * fwd_lsock_forget() - A listening socket is being closed
 * @fd:		Socket
 */
void fwd_lsock_forget(int fd)
{
	if (fd < 0 || fd >= FWD_LSOCK_FD_MAX)
		return;
	fwd_lsock[fd].ref = 0;
	fwd_lsock[fd].rule = 0;
	while (fwd_lsock_hw && !fwd_lsock[fwd_lsock_hw - 1].ref)
		fwd_lsock_hw--;
}

/**
 * fwd_lsock_rule() - Rule a listening socket belongs to
 * @fd:		Socket
 *
 * Return: rule identifier, 0 for none
 */
uint16_t fwd_lsock_rule(int fd)
{
	if (fd < 0 || fd >= FWD_LSOCK_FD_MAX)
		return 0;
	return fwd_lsock[fd].rule;
}

/**
 * fwd_table_get() - Forwarding table of the context
 * @c:		Execution context
 * @t:		Table
 *
 * Return: pointer to the table
 */
struct fwd_ports *fwd_table_get(struct ctx *c, enum fwd_table t)
{
	switch (t) {
	case FWD_UDP_IN:
		return &c->udp_in;
	case FWD_TCP_OUT:
		return &c->tcp_out;
	case FWD_UDP_OUT:
		return &c->udp_out;
	default:
		return &c->tcp_in;
	}
}

/**
 * fwd_rule_fmt() - Describe a rule, in the syntax of -t/-u/-T/-U
 * @r:		Rule
 * @json:	JSON object with the fields, else "ID: SPEC" text
 * @buf:	Buffer
 * @len:	Size of @buf
 *
 * Return: as snprintf()
 */
int fwd_rule_fmt(const struct fwd_rule *r, bool json, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN + 2] = "", bind[INET6_ADDRSTRLEN + 24];
	char ports[32], to[16] = "";
	unsigned int to_last = r->to + (r->last - r->first);

	if (r->af != AF_UNSPEC) {
		char a[INET6_ADDRSTRLEN];

		inany_ntop(&r->addr, a, sizeof(a));
		snprintf(addr, sizeof(addr), r->af == AF_INET6 ? "[%s]" : "%s",
			 a);
	}
	if (*addr || *r->ifname)
		snprintf(bind, sizeof(bind), "%s%s%s/", addr,
			 *r->ifname ? "%" : "", r->ifname);
	else
		*bind = 0;

	if (r->first == r->last)
		snprintf(ports, sizeof(ports), "%u", r->first);
	else
		snprintf(ports, sizeof(ports), "%u-%u", r->first, r->last);
	if (r->to != r->first && r->first == r->last)
		snprintf(to, sizeof(to), ":%u", r->to);
	else if (r->to != r->first)
		snprintf(to, sizeof(to), ":%u-%u", r->to, to_last);

	if (json)
		return snprintf(buf, len, "{\"id\":%u,\"spec\":\"%s%s%s\","
				"\"first\":%u,\"last\":%u,\"to\":%u,"
				"\"weak\":%s}", r->id, bind, ports, to,
				r->first, r->last, r->to,
				r->flags & FWD_WEAK ? "true" : "false");
	return snprintf(buf, len, "%u: %s%s%s%s", r->id, bind, ports, to,
			r->flags & FWD_WEAK ? " (best effort)" : "");
}

/**
 * fwd_rule_same() - Do two rules describe the same forwarding?
 * @a:		First rule
 * @b:		Second rule
 * @flags:	Compare flags too (best effort or not)
 *
 * Return: true if equal in everything but their identifiers (and flags)
 */
static bool fwd_rule_same(const struct fwd_rule *a, const struct fwd_rule *b,
			  bool flags)
{
	return a->af == b->af && !memcmp(&a->addr, &b->addr, sizeof(a->addr)) &&
	       !strncmp(a->ifname, b->ifname, IFNAMSIZ) &&
	       a->first == b->first && a->last == b->last && a->to == b->to &&
	       (!flags || (a->flags & FWD_WEAK) == (b->flags & FWD_WEAK));
}

/**
 * fwd_rule_unlisten() - Close the listening sockets of a rule
 * @c:		Execution context
 * @id:		Rule identifier
 *
 * UDP flows of the sockets end with them (they reply through them); TCP
 * connections stay, see fwd_rule_flows_end().
 */
static void fwd_rule_unlisten(struct ctx *c, uint16_t id)
{
	int fd;

	for (fd = 0; fd < fwd_lsock_hw; fd++) {
		union epoll_ref ref = { .u64 = fwd_lsock[fd].ref };

		if (!id || fwd_lsock[fd].rule != id || !ref.u64)
			continue;

		switch (ref.type) {
		case EPOLL_TYPE_TCP_LISTEN:
			tcp_listen_close(c, fd);
			break;
		case EPOLL_TYPE_TCP_SPLICE:
			tcp_splice_listen_close(c, fd);
			break;
		case EPOLL_TYPE_UDP_LISTEN:
			udp_listen_close(c, ref.data);
			break;
		default:
			fwd_lsock_forget(fd);
		}
	}
}

/**
 * fwd_rule_flows_end() - End the flows that came in through a rule
 * @c:		Execution context
 * @id:		Rule identifier
 *
 * Return: number of flows ended
 */
static unsigned int fwd_rule_flows_end(struct ctx *c, uint16_t id)
{
	unsigned int n = 0;
	uint32_t i;

	for (i = 0; id && i < flow_hwm(); i++) {
		const struct flow *f = flow_at(i);

		if (f->f.type == FLOW_NONE || f->f.rule != id ||
		    f->f.state == FLOW_STATE_CLOSING)
			continue;

		n++;
		switch (f->f.type) {
		case FLOW_TCP:
			tcp_flow_rst(c, i);
			break;
		case FLOW_TCP_SPLICE:
			tcp_splice_flow_rst(i);
			break;
		case FLOW_UDP:
			udp_flow_end(c, i);
			break;
		default:
			n--;
		}
	}
	return n;
}

/**
 * fwd_rule_listen() - Open the listening sockets of a rule
 * @c:		Execution context
 * @t:		Table the rule is in
 * @fwd:	Table contents (exclusions, mode)
 * @r:		Rule
 * @msg:	Error message, on failure
 * @len:	Size of @msg
 *
 * On failure, sockets opened for the rule stay: fwd_rule_unlisten() them.
 *
 * Return: 0 on success, -1 if a port that isn't best effort can't be bound
 *
 * #syscalls eventfd2 getrlimit prlimit64
 */
static int fwd_rule_listen(struct ctx *c, enum fwd_table t,
			   const struct fwd_ports *fwd,
			   const struct fwd_rule *r, char *msg, size_t len)
{
	bool weak = (r->flags & FWD_WEAK) || fwd->mode == FWD_ALL;
	unsigned int p;

	fwd_rule_binding = r->id;
	for (p = r->first; p && p <= r->last; p++) {
		uint16_t to = (uint16_t)(r->to + (p - r->first));
		char a[INET6_ADDRSTRLEN] = "*";
		int rc;

		if (fwd_port_excluded(fwd, (uint16_t)p))
			continue;
		if (weak && !fwd_weak_room())
			continue;

		errno = 0;
		switch (t) {
		case FWD_TCP_IN:
			rc = tcp_listen_rule(c, r, (uint16_t)p, to);
			break;
		case FWD_TCP_OUT:
			rc = tcp_splice_ns_listen(c, (uint16_t)p, to);
			break;
		default:
			rc = udp_listen_rule(c, t == FWD_UDP_OUT, r,
					     (uint16_t)p, to);
			if (rc)
				rc = errno ? -errno : -EIO;
		}
		if (!rc || weak)
			continue;

		if (r->af != AF_UNSPEC)
			inany_ntop(&r->addr, a, sizeof(a));
		snprintf(msg, len, "Listen failed for %s port %s%s%s/%u: %s",
			 fwd_table_name[t], a, *r->ifname ? "%" : "",
			 r->ifname, p, strerror(-rc));
		fwd_rule_binding = 0;
		return -1;
	}

	fwd_rule_binding = 0;
	return 0;
}

/**
 * fwd_rule_find() - Find a rule by identifier
 * @fwd:	Table
 * @id:		Identifier
 *
 * Return: rule, NULL if not in the table
 */
static const struct fwd_rule *fwd_rule_find(const struct fwd_ports *fwd,
					    uint16_t id)
{
	unsigned int i;

	for (i = 0; i < fwd->count && i < FWD_RULES_MAX; i++) {
		if (fwd->rules[i].id == id)
			return &fwd->rules[i];
	}
	return NULL;
}

/**
 * fwd_change() - Change a forwarding table at run time, all or nothing
 * @c:		Execution context
 * @t:		Table
 * @op:		FWD_OP_ADD, FWD_OP_DEL (the rules the specs describe,
 *		exactly)
 *		or FWD_OP_SET (replace the whole table, no spec: clear it)
 * @specs:	Specifications, syntax of -t/-u/-T/-U
 * @n:		Number of @specs
 * @msg:	Error message on failure, summary on success
 * @len:	Size of @msg
 *
 * New rules get their listening sockets before anything else changes: if
 * one fails, those opened are closed, the table stays as it was. Rules
 * removed have their sockets closed, and the flows they let in end (TCP
 * with a reset); other flows are untouched. Replacing keeps the rules that
 * stay the same, with their sockets and flows; the sockets of the others
 * close before the new ones open (they may share ports), and come back if
 * those fail, minus the UDP flows they had. Tables in automatic mode are
 * left to the port scanner.
 *
 * Return: 0 on success, -1 on failure
 */
int fwd_change(struct ctx *c, enum fwd_table t, enum fwd_op op,
	       const char *const *specs, unsigned int n, char *msg, size_t len)
{
	bool inbound = t == FWD_TCP_IN || t == FWD_UDP_IN;
	bool pasta = c->mode == MODE_PASTA;
	static struct fwd_ports next, del;
	unsigned int i, j, added = 0, removed = 0, ended = 0;
	struct fwd_ports *cur;
	const char *e;

	if (t >= FWD_TABLES) {
		snprintf(msg, len, "No such table");
		return -1;
	}
	cur = fwd_table_get(c, t);
	if (!inbound && !pasta) {
		snprintf(msg, len, "Outbound forwarding is for pasta only");
		return -1;
	}
	if ((t == FWD_TCP_IN || t == FWD_TCP_OUT) ? c->no_tcp : c->no_udp) {
		snprintf(msg, len, "%s is disabled", fwd_table_name[t] +
			 (inbound ? 5 : 7));
		return -1;
	}
	if (cur->mode == FWD_AUTO) {
		snprintf(msg, len, "%s forwarding is automatic: not changed",
			 fwd_table_name[t]);
		return -1;
	}

	if (op == FWD_OP_SET) {
		memset(&next, 0, sizeof(next));
	} else {
		next = *cur;
		if (next.mode == FWD_NONE)
			next.mode = FWD_UNSET;	/* 'none' refuses more */
	}
	memset(&del, 0, sizeof(del));

	for (i = 0; i < n; i++) {
		struct fwd_ports *into = op == FWD_OP_DEL ? &del : &next;

		if (fwd_parse_spec(into, specs[i], pasta, inbound, &e)) {
			snprintf(msg, len, "Bad port specification '%s': %s",
				 specs[i], e);
			return -1;
		}
		if (into->mode == FWD_AUTO) {
			snprintf(msg, len, "'auto' only at start-up");
			return -1;
		}
	}

	if (op == FWD_OP_DEL) {
		for (i = 0; i < del.count; i++) {
			for (j = 0; j < next.count; j++) {
				/* Implicit UDP rules of pasta are weak */
				if (fwd_rule_same(&del.rules[i],
						  &next.rules[j], false))
					break;
			}
			if (j == next.count) {
				char d[128];

				fwd_rule_fmt(&del.rules[i], false, d,
					     sizeof(d));
				snprintf(msg, len, "No such rule: %s",
					 strchr(d, ' ') + 1);
				return -1;
			}
			memmove(&next.rules[j], &next.rules[j + 1],
				(next.count - j - 1) * sizeof(next.rules[0]));
			next.count--;
		}
	}

	/* Same rule, same exclusions: it stays as it is */
	if (op == FWD_OP_SET &&
	    !memcmp(next.excl, cur->excl, sizeof(cur->excl))) {
		for (i = 0; i < next.count; i++) {
			for (j = 0; j < cur->count; j++) {
				if (fwd_rule_same(&next.rules[i],
						  &cur->rules[j], true))
					next.rules[i].id = cur->rules[j].id;
			}
		}
	}

	/* Going away: sockets first (new rules may want their ports) */
	for (j = 0; j < cur->count; j++) {
		if (!fwd_rule_find(&next, cur->rules[j].id)) {
			fwd_rule_unlisten(c, cur->rules[j].id);
			removed++;
		}
	}

	for (i = 0; i < next.count; i++) {
		if (fwd_rule_find(cur, next.rules[i].id))
			continue;
		if (!fwd_rule_listen(c, t, &next, &next.rules[i], msg, len)) {
			added++;
			continue;
		}

		/* Undo: new sockets, then the old ones back */
		for (j = 0; j <= i; j++) {
			if (!fwd_rule_find(cur, next.rules[j].id))
				fwd_rule_unlisten(c, next.rules[j].id);
		}
		for (j = 0; j < cur->count; j++) {
			char m[128];

			if (fwd_rule_find(&next, cur->rules[j].id))
				continue;
			if (fwd_rule_listen(c, t, cur, &cur->rules[j], m,
					    sizeof(m)))
				err("Couldn't restore forwarding: %s", m);
		}
		return -1;
	}

	for (j = 0; j < cur->count; j++) {
		if (!fwd_rule_find(&next, cur->rules[j].id))
			ended += fwd_rule_flows_end(c, cur->rules[j].id);
	}

	if (!next.count && next.mode != FWD_ALL)
		next.mode = FWD_NONE;
	else if (next.mode == FWD_UNSET || next.mode == FWD_NONE)
		next.mode = FWD_SPEC;
	*cur = next;

	snprintf(msg, len, "%s: %u rules added, %u removed, %u flows ended",
		 fwd_table_name[t], added, removed, ended);
	info("Forwarding changed: %s", msg);
	return 0;
}
