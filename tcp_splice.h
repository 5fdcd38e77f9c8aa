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

/* Pipes kept ready (and reused) for new connections: two per connection */
#define TCP_SPLICE_PIPE_POOL	16

/* Size we try to give each pipe, bytes: capped by /proc/sys/fs/pipe-max-size */
#ifndef TCP_SPLICE_PIPE_SIZE
#define TCP_SPLICE_PIPE_SIZE	(1 << 20)
#endif

/* Sockets kept open in the namespace for -t connections, per IP version:
 * one ns_call() opens a batch, rather than one per connection
 */
#define TCP_SPLICE_NS_SOCKS	16

/* Seconds a connection attempt to the other side may take */
#define TCP_SPLICE_CONNECT_TIMEOUT	10

/* Set-up, connections handed over by tcp.c, events, periodic work */
int tcp_splice_init(struct ctx *c);
void tcp_splice_conn_from_sock(struct ctx *c, int s,
			       const struct sockaddr_storage *sa, uint16_t to);
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events);
void tcp_splice_timer(struct ctx *c, const struct timespec *now);

/* Listening sockets in the namespace (-T), for automatic forwarding */
int tcp_splice_ns_listen(struct ctx *c, uint16_t port, uint16_t to);
void tcp_splice_ns_unlisten(struct ctx *c, uint16_t port);

/* Forwarding rules changed at run time (fwd.c) */
void tcp_splice_listen_close(struct ctx *c, int fd);
void tcp_splice_flow_rst(uint32_t idx);

#endif /* TCP_SPLICE_H */
