/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * udptool.c - UDP echo server and checking client, for the rig and its guest
 *
 * udptool echo PORT
 *	Echo every datagram back to its sender, on PORT of both families,
 *	from the address it was sent to (whatever the routes say), until
 *	killed.
 * udptool send ADDR PORT [SIZE [COUNT]]
 *	Send COUNT (default 20) datagrams of SIZE bytes (default 1000, at
 *	most 65000) to ADDR (numeric IPv4 or IPv6), each with its own
 *	content; each must come back unchanged within 2 s (three tries; we
 *	give up after three datagrams lost in a row). Exits 0 if all of them
 *	came back, 1 if not.
 *
 * Linked statically: the rig's busybox guest has no UDP tool of its own.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/uio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXLEN		65000

static unsigned char buf[MAXLEN], got[MAXLEN + 1];

/* echo_one() - Receive one datagram on @s, send it back from its destination
 * address (IP_PKTINFO, IPV6_PKTINFO: the same ancillary data both ways)
 */
static void echo_one(int s)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} c;
	struct sockaddr_storage from;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from),
			    .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = &c, .msg_controllen = sizeof(c) };
	struct cmsghdr *cm;
	ssize_t n;

	n = recvmsg(s, &m, 0);
	if (n < 0)
		return;
	iov.iov_len = n;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo *pi = (void *)CMSG_DATA(cm);

			pi->ipi_spec_dst = pi->ipi_addr;
			pi->ipi_ifindex = 0;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			   cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo *pi = (void *)CMSG_DATA(cm);

			pi->ipi6_ifindex = 0;
		}
	}
	m.msg_flags = 0;
	sendmsg(s, &m, 0);
}

static int echo(int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct pollfd p[2];
	int one = 1;

	p[0].fd = socket(AF_INET, SOCK_DGRAM, 0);
	p[1].fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (p[0].fd < 0 || p[1].fd < 0 ||
	    setsockopt(p[0].fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ||
	    setsockopt(p[1].fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	    setsockopt(p[1].fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
		       sizeof(one)) ||
	    bind(p[0].fd, (struct sockaddr *)&a4, sizeof(a4)) ||
	    bind(p[1].fd, (struct sockaddr *)&a6, sizeof(a6))) {
		perror("udptool: echo sockets");
		return 2;
	}
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents)
			echo_one(p[0].fd);
		if (p[1].revents)
			echo_one(p[1].fd);
	}
}

/* fill() - Content of datagram @i: a pattern that differs per datagram */
static void fill(unsigned char *p, size_t len, unsigned i)
{
	size_t k;

	for (k = 0; k < len; k++)
		p[k] = (unsigned char)(k * 7 + i * 31 + (k >> 8));
}

static int send_check(const char *addr, int port, size_t len, unsigned count)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct sockaddr *sa;
	unsigned i, ok = 0, lost = 0;
	socklen_t sl;
	int s, try;

	if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1) {
		sa = (struct sockaddr *)&a4;
		sl = sizeof(a4);
	} else if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
		sa = (struct sockaddr *)&a6;
		sl = sizeof(a6);
	} else {
		fprintf(stderr, "udptool: bad address %s\n", addr);
		return 2;
	}

	s = socket(sa->sa_family, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, sa, sl)) {
		perror("udptool: socket/connect");
		return 2;
	}

	for (i = 0; i < count; i++) {
		fill(buf, len, i);
		for (try = 0; try < 3; try++) {
			struct pollfd p = { .fd = s, .events = POLLIN };
			ssize_t n;

			if (send(s, buf, len, 0) != (ssize_t)len) {
				perror("udptool: send");
				break;
			}
			/* Skip late echoes of earlier datagrams */
			while (poll(&p, 1, 2000) == 1) {
				n = recv(s, got, sizeof(got), 0);
				if (n == (ssize_t)len && !memcmp(got, buf, len))
					break;
				if (n < 0)
					perror("udptool: recv");
			}
			if (p.revents & POLLIN) {
				ok++;
				break;
			}
		}
		lost = try == 3 ? lost + 1 : 0;
		if (lost == 3)
			break;
	}

	printf("udptool: %u/%u datagrams of %zu bytes echoed by %s port %i\n",
	       ok, count, len, addr, port);
	return ok == count ? 0 : 1;
}

int main(int argc, char **argv)
{
	size_t len = 1000;
	unsigned count = 20;

	if (argc == 3 && !strcmp(argv[1], "echo"))
		return echo(atoi(argv[2]));

	if (argc >= 4 && argc <= 6 && !strcmp(argv[1], "send")) {
		if (argc > 4)
			len = strtoul(argv[4], NULL, 0);
		if (argc > 5)
			count = strtoul(argv[5], NULL, 0);
		if (!len || len > MAXLEN || !count) {
			fprintf(stderr, "udptool: bad size or count\n");
			return 2;
		}
		return send_check(argv[2], atoi(argv[3]), len, count);
	}

	fprintf(stderr, "Usage: udptool echo PORT\n"
			"       udptool send ADDR PORT [SIZE [COUNT]]\n");
	return 2;
}
