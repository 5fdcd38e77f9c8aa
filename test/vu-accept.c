/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vu-accept.c - Hand an accepted vhost-user connection to passt --fd
 *
 * vu-accept [-t SECONDS] PATH PROGRAM [ARGS...]
 *
 * Listens on the UNIX socket PATH, accepts one connection (from QEMU's
 * vhost-user chardev, which won't take a socketpair end), closes the
 * listening socket and removes PATH, then execs PROGRAM with ARGS, where
 * an argument "{}" is replaced by the number of the accepted socket: e.g.
 *
 *   vu-accept /tmp/vu.sock ./passt --vhost-user -f --fd {}
 *
 * This is what QEMU 10.1's -netdev passt does with a socketpair. Gives up
 * with status 2 when nothing connects within SECONDS (default 60).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr,
		"Usage: vu-accept [-t SECONDS] PATH PROGRAM [ARGS...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int timeout = 60, s, fd, i, flags;
	char num[16];
	struct pollfd p;

	if (argc > 2 && !strcmp(argv[1], "-t")) {
		timeout = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 3 || timeout <= 0)
		usage();
	if (strlen(argv[1]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "vu-accept: path too long: %s\n", argv[1]);
		return 2;
	}
	strcpy(a.sun_path, argv[1]);

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		perror("vu-accept: socket");
		return 2;
	}
	unlink(a.sun_path);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
		perror("vu-accept: bind/listen");
		return 2;
	}

	p.fd = s;
	p.events = POLLIN;
	i = poll(&p, 1, timeout * 1000);
	if (i <= 0) {
		fprintf(stderr, "vu-accept: no connection in %i s\n", timeout);
		unlink(a.sun_path);
		return 2;
	}
	fd = accept(s, NULL, NULL);
	if (fd < 0) {
		perror("vu-accept: accept");
		return 2;
	}
	close(s);
	unlink(a.sun_path);

	/* The program inherits it: no close-on-exec */
	flags = fcntl(fd, F_GETFD);
	if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC)) {
		perror("vu-accept: fcntl");
		return 2;
	}
	snprintf(num, sizeof(num), "%i", fd);
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "{}"))
			argv[i] = num;
	}

	execvp(argv[2], argv + 2);
	fprintf(stderr, "vu-accept: exec %s: %s\n", argv[2], strerror(errno));
	return 2;
}
