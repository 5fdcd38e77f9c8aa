/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * tcp_splice.h - pasta: TCP between the namespace's and the host's loopback,
 *		  socket to socket with splice()
 */

#ifndef TCP_SPLICE_H
#define TCP_SPLICE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "passt.h"

/* Connections relayed at the same time: further ones are refused (reset) */
#define TCP_SPLICE_MAX		4096

/* Pipes kept ready (and reused) for new connections: two per connection */
#define TCP_SPLICE_PIPE_POOL	16

/* Size we try to give each pipe, bytes: capped by /proc/sys/fs/pipe-max-size */
#ifndef TCP_SPLICE_PIPE_SIZE
#define TCP_SPLICE_PIPE_SIZE	(1 << 20)
#endif

/* Seconds a connection attempt to the other side may take */
#define TCP_SPLICE_CONNECT_TIMEOUT	10

/**
 * tcp_splice_init() - Pipe pool, -T listening sockets in the namespace
 * @c:		Execution context
 *
 * Return: 0 on success, -1 if an explicitly requested -T port can't be bound
 */
int tcp_splice_init(struct ctx *c);

/**
 * tcp_splice_conn_from_sock() - Relay a connection accepted on a -t port
 *				 from the host's loopback into the namespace
 * @c:		Execution context
 * @s:		Accepted socket (ownership taken: closed on failure)
 * @sa:		Peer address of @s (loopback)
 * @to:		Port to connect to on the namespace's loopback
 */
void tcp_splice_conn_from_sock(struct ctx *c, int s,
			       const struct sockaddr_storage *sa, uint16_t to);

/**
 * tcp_splice_sock_handler() - Events on spliced sockets and -T listeners
 * @c:		Execution context
 * @ref:	epoll reference, type EPOLL_TYPE_TCP_SPLICE
 * @events:	epoll events
 */
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events);

/**
 * tcp_splice_timer() - Connection attempts timing out, pipe pool refill
 * @c:		Execution context
 * @now:	Current time
 */
void tcp_splice_timer(struct ctx *c, const struct timespec *now);

/**
 * tcp_splice_ns_listen() - Listen on the namespace's loopback (127.0.0.1
 *			    and ::1) and relay to the host's loopback (-T)
 * @c:		Execution context
 * @port:	Port to listen on in the namespace
 * @to:		Port on the host's loopback
 *
 * Return: 0 if at least one family could be bound (or already listening),
 *	   negative error code otherwise
 */
int tcp_splice_ns_listen(struct ctx *c, uint16_t port, uint16_t to);

/**
 * tcp_splice_ns_unlisten() - Close -T listening sockets of a port
 * @c:		Execution context
 * @port:	Port
 */
void tcp_splice_ns_unlisten(struct ctx *c, uint16_t port);

#endif /* TCP_SPLICE_H */
