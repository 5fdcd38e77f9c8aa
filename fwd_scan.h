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

/* Set-up and periodic rescan, pasta only */
void fwd_scan_init(struct ctx *c);
void fwd_scan_timer(struct ctx *c, const struct timespec *now);

/* Parser of /proc/net/{tcp,udp}[6] contents */
unsigned int fwd_scan_parse(const char *text, size_t len, bool udp,
			    uint8_t *map);

#endif /* FWD_SCAN_H */
