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
 *
 * Besides the options, sets: ifi4/ifi6 (0: family disabled, IFI_LOCAL:
 * local mode, no template interface on the host), template names,
 * addresses, gateways and nameservers from the host; forwarding modes
 * (never FWD_UNSET on return); c->uid/gid; for pasta, netns_path
 * and userns_path (from PID or --netns), pasta_cmd (NULL: spawn a shell,
 * unless a PID or --netns is given), foreground when spawning, and
 * pasta_ifname. Calls log_init() and log_open_file(), and
 * nl_sock_init(c, false). Doesn't open the PID file.
 */
void conf(struct ctx *c, int argc, char **argv);

/**
 * conf_print() - Log a summary of the configuration (unless -q)
 * @c:		Execution context
 */
void conf_print(const struct ctx *c);

#endif /* CONF_H */
