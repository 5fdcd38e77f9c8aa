/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fwd.h - Port forwarding rules and address translation between guest and
 *	   host
 */

#ifndef FWD_H
#define FWD_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

#include "inany.h"

struct ctx;

#define NUM_PORTS	(1U << 16)
#define FWD_RULES_MAX	128

/**
 * enum fwd_mode - How ports of one protocol and direction are forwarded
 * @FWD_UNSET:	option not given: mode default applies (passt: none,
 *		pasta: auto)
 * @FWD_NONE:	nothing forwarded
 * @FWD_SPEC:	explicit ports and ranges in @rules
 * @FWD_ALL:	passt "all", or a spec of exclusions only: every
 *		non-ephemeral port but the excluded ones, failures not fatal.
 *		fwd_parse_spec() also stores this as FWD_WEAK rules (1 to
 *		first ephemeral port - 1, and last ephemeral port + 1 to
 *		65535, with the ADDR/ or %IF/ binding of the spec, if any):
 *		walking the rules and skipping excluded ports is enough to
 *		implement it
 * @FWD_AUTO:	pasta "auto": follow the ports bound on the other side
 */
enum fwd_mode {
	FWD_UNSET = 0,
	FWD_NONE,
	FWD_SPEC,
	FWD_ALL,
	FWD_AUTO,
};

/* Rule flags */
#define FWD_WEAK	(1 << 0)	/* failure to bind isn't fatal */

/**
 * struct fwd_rule - One forwarded range, from one -t/-u/-T/-U option
 * @addr:	address to bind, unspecified for any (dual stack)
 * @af:		AF_UNSPEC (dual stack), AF_INET or AF_INET6: family of @addr
 * @ifname:	device to bind to (ADDR%IF/ or %IF/), empty for none
 * @first:	first port of the range we listen on
 * @last:	last port of the range (inclusive)
 * @to:		target port corresponding to @first
 * @flags:	FWD_WEAK, ...
 */
struct fwd_rule {
	union inany_addr addr;
	int af;
	char ifname[IFNAMSIZ];
	uint16_t first;
	uint16_t last;
	uint16_t to;
	uint8_t flags;
};

/**
 * struct fwd_ports - Forwarding configuration, one protocol and direction
 * @mode:	enum fwd_mode
 * @count:	number of rules in use
 * @rules:	rules, in the order given
 * @excl:	bitmap of excluded ports (~PORT), applied to every rule and
 *		to FWD_ALL and FWD_AUTO
 */
struct fwd_ports {
	enum fwd_mode mode;
	unsigned int count;
	struct fwd_rule rules[FWD_RULES_MAX];
	uint8_t excl[NUM_PORTS / 8];
};

/**
 * fwd_port_excluded() - Is a port excluded by a '~' spec?
 * @fwd:	Forwarding configuration
 * @port:	Port number
 *
 * Return: true if excluded
 */
static inline bool fwd_port_excluded(const struct fwd_ports *fwd,
				     uint16_t port)
{
	return fwd->excl[port / 8] & (1 << (port % 8));
}

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
		   bool inbound, const char **err);

/**
 * fwd_ephemeral_range() - Read the host's ephemeral port range
 * @first:	Set to the first ephemeral port
 * @last:	Set to the last ephemeral port
 */
void fwd_ephemeral_range(uint16_t *first, uint16_t *last);

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
		      union inany_addr *host_dst, uint16_t *host_dport);

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
		    union inany_addr *tap_src, uint16_t *tap_sport);

/**
 * fwd_guest_addr() - Destination address of the guest for a given source
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @tap_src:	Source address as the guest will see it
 * @dst:	Set to the guest's address (IPv6: link-local for link-local
 *		sources)
 */
void fwd_guest_addr(const struct ctx *c, int af,
		    const union inany_addr *tap_src, union inany_addr *dst);

#endif /* FWD_H */
