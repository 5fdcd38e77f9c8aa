/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pasta.h - pasta: network namespace creation, joining and configuration
 */

#ifndef PASTA_H
#define PASTA_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "passt.h"

/* Target namespace: spawn a command in new ones, or open an existing one */
void pasta_start_ns(struct ctx *c, int argc, char **argv);
void pasta_open_ns(struct ctx *c);

/* Start-up, once our tap is there */
void pasta_ns_conf(struct ctx *c);
void pasta_ns_ready(struct ctx *c);
void pasta_netns_quit_init(struct ctx *c);

/* Run time: the host's configuration changed (hostwatch.c) */
void pasta_ns_follow(const struct ctx *c, unsigned int m);

/* Run time: the namespace or the command went away */
void pasta_netns_quit_handler(struct ctx *c, union epoll_ref ref);
void pasta_child_exited(struct ctx *c);

#endif /* PASTA_H */
