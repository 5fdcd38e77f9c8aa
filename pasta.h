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

/**
 * pasta_start_ns() - Create user and network namespaces for a command
 * @c:		Execution context
 * @argc:	Number of arguments of the command (0: spawn $SHELL)
 * @argv:	Command and arguments
 *
 * The child waits, inside the new namespaces, until pasta_ns_ready() lets
 * it exec the command. Sets c->pasta_netns_fd (and the userns one).
 * Exits on failure.
 */
void pasta_start_ns(struct ctx *c, int argc, char **argv);

/**
 * pasta_open_ns() - Open the target namespace given by PID or --netns
 * @c:		Execution context
 *
 * Sets c->pasta_netns_fd (and joins the user namespace unless
 * --netns-only). Exits on failure.
 */
void pasta_open_ns(struct ctx *c);

/**
 * pasta_ns_conf() - Configure the namespace: loopback up and, with
 *		     --config-net, the tap link, addresses, routes and MTU
 * @c:		Execution context
 *
 * Exits on failure.
 */
void pasta_ns_conf(struct ctx *c);

/**
 * pasta_ns_ready() - Let the spawned command run, now that all is set up
 * @c:		Execution context
 */
void pasta_ns_ready(struct ctx *c);

/**
 * pasta_netns_quit_init() - Watch the namespace so we exit when it is gone
 * @c:		Execution context
 */
void pasta_netns_quit_init(struct ctx *c);

/**
 * pasta_netns_quit_handler() - The namespace may be gone: check, exit
 * @c:		Execution context
 * @ref:	epoll reference (NSQUIT_INOTIFY or NSQUIT_TIMER)
 */
void pasta_netns_quit_handler(struct ctx *c, union epoll_ref ref);

/**
 * pasta_child_exited() - Reap the spawned command; exit with its status
 * @c:		Execution context
 *
 * Called on SIGCHLD (from the main loop, not the signal handler).
 */
void pasta_child_exited(struct ctx *c);

#endif /* PASTA_H */
