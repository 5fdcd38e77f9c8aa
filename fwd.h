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

/* Port specifications: -t, -u, -T, -U */
int fwd_parse_spec(struct fwd_ports *fwd, const char *spec, bool pasta,
		   bool inbound, const char **err);
void fwd_ephemeral_range(uint16_t *first, uint16_t *last);
bool fwd_weak_room(void);

/* Address translation for new flows, both ways */
bool fwd_nat_from_tap(const struct ctx *c, uint8_t proto,
		      const union inany_addr *dst, uint16_t dport,
		      union inany_addr *host_dst, uint16_t *host_dport);
bool fwd_nat_to_tap(const struct ctx *c, uint8_t proto,
		    const union inany_addr *host_src, uint16_t host_sport,
		    union inany_addr *tap_src, uint16_t *tap_sport);
void fwd_guest_addr(const struct ctx *c, int af,
		    const union inany_addr *tap_src, union inany_addr *dst);

#endif /* FWD_H */
