/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fwd_scan.h - pasta: automatic port forwarding ("auto"), following the
 *		ports bound on the other side
 */

#ifndef FWD_SCAN_H
#define FWD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "passt.h"

/**
 * fwd_scan_init() - Open the /proc/net files to scan, bind the ports that
 *		     are already bound on the other side
 * @c:		Execution context
 *
 * Must run before isolation: files of both namespaces are kept open.
 */
void fwd_scan_init(struct ctx *c);

/**
 * fwd_scan_timer() - Rescan the other sides, bind and release ports
 * @c:		Execution context
 * @now:	Current time
 */
void fwd_scan_timer(struct ctx *c, const struct timespec *now);

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
			    uint8_t *map);

#endif /* FWD_SCAN_H */
