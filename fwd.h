/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fwd.h - Port forwarding rules and address translation between guest and
 *	   host
 */

#ifndef FWD_H
#define FWD_H

#include <stdbool.h>
#include <stddef.h>
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
 * @id:		Unique, non-zero: listening sockets and flows refer to it
 */
struct fwd_rule {
	union inany_addr addr;
	int af;
	char ifname[IFNAMSIZ];
	uint16_t first;
	uint16_t last;
	uint16_t to;
	uint8_t flags;
	uint16_t id;
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

/**
 * enum fwd_table - Forwarding tables that can be changed at run time
 * @FWD_TCP_IN:		-t
 * @FWD_UDP_IN:		-u
 * @FWD_TCP_OUT:	-T (pasta)
 * @FWD_UDP_OUT:	-U (pasta)
 * @FWD_TABLES:		Number of tables
 */
enum fwd_table {
	FWD_TCP_IN = 0,
	FWD_UDP_IN,
	FWD_TCP_OUT,
	FWD_UDP_OUT,
	FWD_TABLES,
};

/**
 * enum fwd_op - Changes to a table
 * @FWD_OP_ADD:		Add the rules of a spec
 * @FWD_OP_DEL:		Remove the rules a spec describes
 * @FWD_OP_SET:		Replace the whole table
 */
enum fwd_op {
	FWD_OP_ADD,
	FWD_OP_DEL,
	FWD_OP_SET,
};

/* Descriptors above this aren't tracked: their rule can't be removed */
#define FWD_LSOCK_FD_MAX	(1 << 18)

/* Rule being bound: listening sockets opened meanwhile belong to it */
extern uint16_t fwd_rule_binding;

/* Rule identifiers, listening sockets of rules, live changes */
void fwd_rule_ids(struct fwd_ports *fwd, unsigned int from);
void fwd_lsock_note(int fd, uint64_t ref);
void fwd_lsock_forget(int fd);
uint16_t fwd_lsock_rule(int fd);
struct fwd_ports *fwd_table_get(struct ctx *c, enum fwd_table t);
int fwd_rule_fmt(const struct fwd_rule *r, bool json, char *buf,
		 size_t len);
int fwd_change(struct ctx *c, enum fwd_table t, enum fwd_op op,
	       const char *const *specs, unsigned int n, char *msg,
	       size_t len);

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
