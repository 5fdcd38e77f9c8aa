/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * conf.h - Command line parsing and configuration derived from the host
 */

#ifndef CONF_H
#define CONF_H

#include "passt.h"

/* Command line and host-derived configuration, and its summary */
void conf(struct ctx *c, int argc, char **argv);
void conf_print(const struct ctx *c);

#endif /* CONF_H */
