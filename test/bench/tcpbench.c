/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * tcpbench.c - Request/response and connection rate benchmark, in C so that
 * the figures measure the network path rather than an interpreter
 *
 *   tcpbench server PORT		iterative echo server, dual stack
 *   tcpbench rr HOST PORT SECONDS	one-byte ping-pong on one connection:
 *					prints "rr N median_us p99_us"
 *   tcpbench crr HOST PORT SECONDS	connect, one byte each way, close:
 *					prints "crr N per_second"
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES	(1 << 22)

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int conn_to(const char *host, int port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	socklen_t sl;
	int s, one = 1;

	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*s6);
	} else {
		return -1;
	}

	s = socket(ss.ss_family, SOCK_STREAM, 0);
	if (s < 0)
		return -1;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s, (struct sockaddr *)&ss, sl)) {
		close(s);
		return -1;
	}
	return s;
}

static int server(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int ls, one = 1, zero = 0;

	a.sin6_port = htons((uint16_t)port);
	ls = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(ls, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 128)) {
		perror("server");
		return 1;
	}

	for (;;) {
		char buf[4096];
		ssize_t n;
		int s = accept(ls, NULL, NULL);

		if (s < 0)
			continue;
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		while ((n = read(s, buf, sizeof(buf))) > 0)
			if (write(s, buf, (size_t)n) != n)
				break;
		close(s);
	}
}

static int cmp(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

static int rr(const char *host, int port, double secs)
{
	static float lat[MAX_SAMPLES];
	double end, t;
	size_t n = 0;
	char c = 'x';
	int s;

	if ((s = conn_to(host, port)) < 0) {
		perror("rr: connect");
		return 1;
	}
	end = now() + secs;
	while ((t = now()) < end && n < MAX_SAMPLES) {
		if (write(s, &c, 1) != 1 || read(s, &c, 1) != 1) {
			perror("rr");
			return 1;
		}
		lat[n++] = (float)((now() - t) * 1e6);
	}
	close(s);
	qsort(lat, n, sizeof(lat[0]), cmp);
	printf("rr %zu %.1f %.1f\n", n, n ? lat[n / 2] : 0,
	       n ? lat[n * 99 / 100] : 0);
	return !n;
}

static int crr(const char *host, int port, double secs)
{
	double start = now(), end = start + secs;
	size_t n = 0;
	char c = 'x';

	while (now() < end) {
		int s = conn_to(host, port);

		if (s < 0 || write(s, &c, 1) != 1 || read(s, &c, 1) != 1) {
			perror("crr");
			return 1;
		}
		close(s);
		n++;
	}
	printf("crr %zu %.0f\n", n, (double)n / (now() - start));
	return !n;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return server(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "rr"))
		return rr(argv[2], atoi(argv[3]), atof(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "crr"))
		return crr(argv[2], atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: tcpbench server PORT | rr|crr HOST PORT SECS\n");
	return 2;
}
