/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fwd_scan.c - pasta: automatic port forwarding ("auto"), following the
 *		ports bound on the other side
 *
 * With -t auto / -u auto, ports bound in the namespace (listening TCP
 * sockets, bound and unconnected UDP sockets) are forwarded from the host,
 * as tcp_listen_port() and udp_port_bind() do; with -T auto / -U auto,
 * ports bound on the host are forwarded from the namespace's loopback
 * (tcp_splice_ns_listen(), udp_port_bind()). Once a second we read
 * /proc/net/tcp, tcp6, udp and udp6 of the other side, and bind what
 * appeared and release what went away. Ports excluded with '~' never are.
 *
 * The files are opened before isolation: the namespace's ones from a task
 * inside it (ns_call()), so that they show its view. They are re-read
 * through the kept descriptors (isolate_reread()).
 *
 * Our own sockets must not look like the user's: a port we listen on in the
 * namespace (-T, explicit or automatic) would otherwise be forwarded back
 * from the host (-t auto), and keep itself alive. Ports we bound on a side
 * are therefore ignored when scanning that side. Our per-flow sockets are
 * connected: they aren't listening (TCP) or unconnected (UDP) ones.
 *
 * A port that can't be bound (e.g. in use) is logged once, and tried again
 * on every scan.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fwd.h"
#include "fwd_scan.h"
#include "isolation.h"
#include "log.h"
#include "passt.h"
#include "tcp.h"
#include "tcp_splice.h"
#include "udp.h"
#include "util.h"

/* Size of the read buffer: a file larger than this is read in chunks */
#define SCAN_BUF_SIZE		(256 * 1024)

/**
 * enum scan_dir - Forwarding direction
 * @SCAN_TCP_IN:	-t auto: scan the namespace, listen on the host
 * @SCAN_UDP_IN:	-u auto: scan the namespace, bind on the host
 * @SCAN_TCP_OUT:	-T auto: scan the host, listen in the namespace
 * @SCAN_UDP_OUT:	-U auto: scan the host, bind in the namespace
 */
enum scan_dir {
	SCAN_TCP_IN,
	SCAN_UDP_IN,
	SCAN_TCP_OUT,
	SCAN_UDP_OUT,
	SCAN_DIRS,
};

#define SCAN_UDP(d)	((d) == SCAN_UDP_IN || (d) == SCAN_UDP_OUT)
#define SCAN_OUT(d)	((d) >= SCAN_TCP_OUT)
/* The direction whose sockets live on the side @d scans */
#define SCAN_OPPOSITE(d)	(((d) + 2) % SCAN_DIRS)

/**
 * struct scan_state - Automatic forwarding state of one direction
 * @fd:		Kept /proc/net files to scan: IPv4, IPv6 (-1: none)
 * @active:	Direction is in "auto" mode
 * @ours:	Ports we bind in this direction: explicit rules
 * @bound:	Ports we bound automatically
 * @failed:	Ports that couldn't be bound, already logged
 */
struct scan_state {
	int fd[2];
	bool active;
	uint8_t ours[NUM_PORTS / 8];
	uint8_t bound[NUM_PORTS / 8];
	uint8_t failed[NUM_PORTS / 8];
};

static struct scan_state scan[SCAN_DIRS];
static char scan_buf[SCAN_BUF_SIZE];
static uint8_t scan_map[NUM_PORTS / 8];

/**
 * fwd_scan_line() - Parse one line of /proc/net/{tcp,udp}[6]
 * @l:		Line
 * @port:	Set to the local port
 * @state:	Set to the socket state
 *
 * Return: true if the line is a socket entry
 */
static bool fwd_scan_line(const char *l, unsigned int *port,
			  unsigned int *state)
{
	return sscanf(l, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x",
		      port, state) == 2;
}

/**
 * fwd_scan_parse() - Collect bound ports from /proc/net/{tcp,udp}[6] text
 * @text:	File contents, whole lines (the header line is skipped)
 * @len:	Length of @text
 * @udp:	UDP file: bound, unconnected sockets (state 07) count; TCP file:
 *		listening sockets (state 0A) count
 * @map:	Bitmap of NUM_PORTS bits: set for each port found
 *
 * Return: number of entries that counted
 */
unsigned int fwd_scan_parse(const char *text, size_t len, bool udp,
			    uint8_t *map)
{
	const char *p = text, *end = text + len;
	unsigned int n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		unsigned int port, state;
		char line[256];
		size_t l;

		if (!nl)
			nl = end;
		l = MIN((size_t)(nl - p), sizeof(line) - 1);
		memcpy(line, p, l);
		line[l] = '\0';
		p = nl + 1;

		if (!fwd_scan_line(line, &port, &state))
			continue;
		if (!port || port >= NUM_PORTS)
			continue;
		if (state != (udp ? 0x07U : 0x0aU))
			continue;

		BITMAP_SET(map, port);
		n++;
	}

	return n;
}

/**
 * fwd_scan_file() - Read a kept /proc/net file, collect its bound ports
 * @fd:		Descriptor from isolate_keep_open(), -1 for none
 * @udp:	UDP file
 * @map:	Bitmap to add ports to
 */
static void fwd_scan_file(int fd, bool udp, uint8_t *map)
{
	off_t off = 0;

	if (fd < 0)
		return;

	for (;;) {
		ssize_t n = isolate_reread(fd, scan_buf, sizeof(scan_buf), off);
		const char *last;
		size_t len;

		if (n <= 0)
			return;

		if ((size_t)n < sizeof(scan_buf) - 1) {
			fwd_scan_parse(scan_buf, n, udp, map);
			return;
		}

		/* Full buffer: parse whole lines, read on from there */
		last = memrchr(scan_buf, '\n', n);
		if (!last)
			return;
		len = last - scan_buf + 1;
		fwd_scan_parse(scan_buf, len, udp, map);
		off += len;
	}
}

/**
 * fwd_scan_bind() - Start forwarding a port in one direction
 * @c:		Execution context
 * @d:		Direction
 * @port:	Port
 *
 * Return: 0 on success, negative on failure
 */
static int fwd_scan_bind(struct ctx *c, enum scan_dir d, uint16_t port)
{
	switch (d) {
	case SCAN_TCP_IN:
		return tcp_listen_port(c, port, port);
	case SCAN_UDP_IN:
		return udp_port_bind(c, false, port, port);
	case SCAN_TCP_OUT:
		return tcp_splice_ns_listen(c, port, port);
	case SCAN_UDP_OUT:
		return udp_port_bind(c, true, port, port);
	default:
		return -EINVAL;
	}
}

/**
 * fwd_scan_unbind() - Stop forwarding a port in one direction
 * @c:		Execution context
 * @d:		Direction
 * @port:	Port
 */
static void fwd_scan_unbind(struct ctx *c, enum scan_dir d, uint16_t port)
{
	switch (d) {
	case SCAN_TCP_IN:
		tcp_unlisten_port(c, port);
		break;
	case SCAN_UDP_IN:
		udp_port_unbind(c, false, port);
		break;
	case SCAN_TCP_OUT:
		tcp_splice_ns_unlisten(c, port);
		break;
	case SCAN_UDP_OUT:
		udp_port_unbind(c, true, port);
		break;
	default:
		break;
	}
}

/**
 * fwd_scan_fwd() - Forwarding configuration of a direction
 * @c:		Execution context
 * @d:		Direction
 *
 * Return: pointer to the configuration
 */
static const struct fwd_ports *fwd_scan_fwd(const struct ctx *c,
					    enum scan_dir d)
{
	switch (d) {
	case SCAN_TCP_IN:
		return &c->tcp_in;
	case SCAN_UDP_IN:
		return &c->udp_in;
	case SCAN_TCP_OUT:
		return &c->tcp_out;
	default:
		return &c->udp_out;
	}
}

/**
 * fwd_scan_dir() - Scan the other side for one direction, update bindings
 * @c:		Execution context
 * @d:		Direction
 */
static void fwd_scan_dir(struct ctx *c, enum scan_dir d)
{
	const struct scan_state *opp = &scan[SCAN_OPPOSITE(d)];
	const struct fwd_ports *fwd = fwd_scan_fwd(c, d);
	struct scan_state *st = &scan[d];
	unsigned int i;

	if (!st->active)
		return;

	memset(scan_map, 0, sizeof(scan_map));
	fwd_scan_file(st->fd[0], SCAN_UDP(d), scan_map);
	fwd_scan_file(st->fd[1], SCAN_UDP(d), scan_map);

	for (i = 0; i < NUM_PORTS / 8; i++) {
		/* Bound on the other side, not by us, not excluded */
		uint8_t want = scan_map[i] & ~opp->ours[i] & ~opp->bound[i] &
			       ~fwd->excl[i];
		uint8_t change = want ^ st->bound[i];
		unsigned int b;

		st->failed[i] &= want;
		if (!change)
			continue;

		for (b = 0; b < 8; b++) {
			uint16_t port = (uint16_t)(i * 8 + b);
			int rc;

			if (!(change & (1 << b)))
				continue;

			if (!(want & (1 << b))) {
				debug("%s: stop forwarding port %u (%s)",
				      SCAN_UDP(d) ? "UDP" : "TCP", port,
				      SCAN_OUT(d) ? "to host" : "to namespace");
				fwd_scan_unbind(c, d, port);
				BITMAP_CLR(st->bound, port);
				continue;
			}

			rc = fwd_scan_bind(c, d, port);
			if (!rc) {
				debug("%s: forwarding port %u (%s)",
				      SCAN_UDP(d) ? "UDP" : "TCP", port,
				      SCAN_OUT(d) ? "to host" : "to namespace");
				BITMAP_SET(st->bound, port);
				BITMAP_CLR(st->failed, port);
			} else if (!BITMAP_ISSET(st->failed, port)) {
				info("%s: can't forward port %u %s (in use?),"
				     " will retry",
				     SCAN_UDP(d) ? "UDP" : "TCP", port,
				     SCAN_OUT(d) ? "from namespace" :
						   "from host");
				BITMAP_SET(st->failed, port);
			}
		}
	}
}

/**
 * fwd_scan_all() - Scan every direction in "auto" mode
 * @c:		Execution context
 */
static void fwd_scan_all(struct ctx *c)
{
	enum scan_dir d;

	for (d = 0; d < SCAN_DIRS; d++)
		fwd_scan_dir(c, d);
}

/**
 * fwd_scan_timer() - Rescan the other sides, bind and release ports
 * @c:		Execution context
 * @now:	Current time
 */
void fwd_scan_timer(struct ctx *c, const struct timespec *now)
{
	(void)now;

	if (c->mode != MODE_PASTA)
		return;
	fwd_scan_all(c);
}

/**
 * struct scan_open_arg - Files to open in the namespace
 * @fd:		Set to descriptors: tcp, tcp6, udp, udp6 (-1 if not wanted)
 * @want:	Which ones to open
 */
struct scan_open_arg {
	int fd[4];
	bool want[4];
};

static const char *scan_files[4] = { "tcp", "tcp6", "udp", "udp6" };

/**
 * fwd_scan_open() - Open /proc/net files of the calling task's namespace
 * @arg:	struct scan_open_arg
 *
 * Return: 0
 */
static int fwd_scan_open(void *arg)
{
	struct scan_open_arg *a = arg;
	char path[64];
	int i;

	for (i = 0; i < 4; i++) {
		a->fd[i] = -1;
		if (!a->want[i])
			continue;
		/* Our own task: a child of ns_call() inside the namespace */
		snprintf(path, sizeof(path), "/proc/thread-self/net/%s",
			 scan_files[i]);
		a->fd[i] = isolate_keep_open(path);
		if (a->fd[i] < 0) {
			snprintf(path, sizeof(path), "/proc/self/net/%s",
				 scan_files[i]);
			a->fd[i] = isolate_keep_open(path);
		}
	}
	return 0;
}

/**
 * fwd_scan_ours() - Ports an explicit configuration binds
 * @fwd:	Forwarding configuration
 * @map:	Bitmap to fill
 */
static void fwd_scan_ours(const struct fwd_ports *fwd, uint8_t *map)
{
	unsigned int i, p;

	if (fwd->mode != FWD_SPEC && fwd->mode != FWD_ALL)
		return;

	for (i = 0; i < fwd->count && i < FWD_RULES_MAX; i++) {
		const struct fwd_rule *r = &fwd->rules[i];

		for (p = r->first; p && p <= r->last; p++) {
			if (!fwd_port_excluded(fwd, (uint16_t)p))
				BITMAP_SET(map, p);
		}
	}
}

/**
 * fwd_scan_init() - Open the /proc/net files to scan, bind the ports that
 *		     are already bound on the other side
 * @c:		Execution context
 *
 * Must run before isolation: files of both namespaces are kept open.
 */
void fwd_scan_init(struct ctx *c)
{
	struct scan_open_arg ns = { 0 }, host = { 0 };
	enum scan_dir d;
	int i;

	if (c->mode != MODE_PASTA)
		return;

	for (d = 0; d < SCAN_DIRS; d++) {
		struct scan_state *st = &scan[d];
		bool udp = SCAN_UDP(d);

		st->fd[0] = st->fd[1] = -1;
		fwd_scan_ours(fwd_scan_fwd(c, d), st->ours);
		st->active = fwd_scan_fwd(c, d)->mode == FWD_AUTO &&
			     !(udp ? c->no_udp : c->no_tcp);
		if (!st->active)
			continue;

		if (SCAN_OUT(d))
			host.want[udp * 2] = host.want[udp * 2 + 1] = true;
		else
			ns.want[udp * 2] = ns.want[udp * 2 + 1] = true;
	}

	for (i = 0; i < 4; i++)
		ns.fd[i] = -1;
	if ((ns.want[0] || ns.want[2]) && ns_call(c, fwd_scan_open, &ns))
		warn("Can't open namespace's /proc/net files");
	fwd_scan_open(&host);

	for (d = 0; d < SCAN_DIRS; d++) {
		struct scan_open_arg *a = SCAN_OUT(d) ? &host : &ns;
		int f = SCAN_UDP(d) * 2;

		if (!scan[d].active)
			continue;
		scan[d].fd[0] = a->fd[f];
		scan[d].fd[1] = a->fd[f + 1];
		if (a->fd[f] < 0 && a->fd[f + 1] < 0)
			warn("Can't scan %s ports for automatic forwarding",
			     scan_files[f]);
	}

	fwd_scan_all(c);
}
