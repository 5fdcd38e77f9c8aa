/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * conf.h - Command line parsing and configuration derived from the host
 */

#ifndef CONF_H
#define CONF_H

#include "passt.h"

/* resolv.conf: where, and how much of it we read */
#define RESOLV_CONF		"/etc/resolv.conf"
#define RESOLV_CONF_MAX		65536

/* Command line and host-derived configuration, and its summary */
void conf(struct ctx *c, int argc, char **argv);
void conf_print(const struct ctx *c);

/* Following the host: --no-follow, derive the configuration again */
bool conf_follows(void);
void conf_host_reread(const struct ctx *c, struct ctx *n, char *resolv);

#endif /* CONF_H */
