/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * conf.h - Command line parsing and configuration derived from the host
 */

#ifndef CONF_H
#define CONF_H

#include "passt.h"

/**
 * conf() - Parse the command line, derive the rest from the host
 * @c:		Execution context, mode already set
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Prints one line and exits with status 1 on any invalid option;
 * --help and --version print and exit 0.
 */
void conf(struct ctx *c, int argc, char **argv);

/**
 * conf_print() - Log a summary of the configuration (unless -q)
 * @c:		Execution context
 */
void conf_print(const struct ctx *c);

#endif /* CONF_H */
