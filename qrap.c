/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qrap.c - Connect to a running passt and start qemu on that connection
 *
 * For qemu versions without native UNIX stream sockets (before 7.2): we
 * connect to passt's socket, leave the connection on a file descriptor of
 * choice, and exec qemu with a "socket" network back-end on that descriptor.
 * The socket back-end of qemu speaks the same framing as passt: each frame
 * preceded by its length as a 32-bit big-endian number.
 *
 *	qrap FD QEMU_PATH [QEMU_ARG]...		explicit descriptor and qemu
 *	qrap [QEMU_ARG]...			fd 5, qemu found in $PATH, and
 *						network options replaced
 *
 * Standalone on purpose: built from this file alone, with libc only.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Default socket paths of passt: /tmp/passt_1.socket ... _64 */
#define SOCK_PATH_FMT		"/tmp/passt_%i.socket"
#define SOCK_PATH_SHOW		"/tmp/passt_N.socket"
#define SOCK_PROBE_MAX		64

/* How long a passt instance has to answer our ARP probe */
#define PROBE_TIMEOUT_MS	500

/* Descriptor used when the command line gives none */
#define FD_DEFAULT		5

/* Arguments we pass on to qemu, at most */
#define ARGS_MAX		4096

/* Largest frame passt sends: 64 KiB of IP, plus the Ethernet header */
#define FRAME_MAX		(65535 + 14)

#if defined(__s390x__) || defined(__s390__)
#define NIC_MODEL		"virtio-net-ccw"
#else
#define NIC_MODEL		"virtio-net-pci"
#endif

#define NETDEV_ID		"hostnet0"

/* NIC models whose -device options conflict with the one we add */
static const char *nic_models[] = {
	"virtio-net-pci", "virtio-net-ccw", "virtio-net-device", "virtio-net",
	"e1000e", "e1000", "rtl8139", NULL,
};

/* qemu binaries we look for in $PATH when none is given */
static const char *qemu_names[] = {
#if defined(__x86_64__)
	"qemu-system-x86_64",
#elif defined(__aarch64__)
	"qemu-system-aarch64",
#elif defined(__i386__)
	"qemu-system-i386",
#elif defined(__powerpc64__)
	"qemu-system-ppc64",
#elif defined(__s390x__)
	"qemu-system-s390x",
#elif defined(__arm__)
	"qemu-system-arm",
#elif defined(__riscv)
	"qemu-system-riscv64",
#endif
	"qemu-kvm", "kvm", NULL,
};

static char *qemu_argv[ARGS_MAX + 8];
static char frame_buf[FRAME_MAX];

/**
 * usage() - Print how to call us, exit
 * @name:	Our name, argv[0]
 * @status:	Exit status
 */
static void usage(const char *name, int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f, "Usage: %s FDNUM QEMU_PATH [QEMU_ARG]...\n", name);
	fprintf(f, "       %s [QEMU_ARG]...\n", name);
	fprintf(f, "\n"
		"Connect to a running passt (probing " SOCK_PATH_SHOW
		" for N from 1 to %i),\n"
		"then run qemu with the connection as file descriptor FDNUM "
		"(default %i),\n"
		"adding a socket network back-end and a " NIC_MODEL
		" device unless the\n"
		"arguments have network options already. Without FDNUM and "
		"QEMU_PATH,\n"
		"qemu is looked up in $PATH and network options given are "
		"replaced.\n", SOCK_PROBE_MAX, FD_DEFAULT);
	exit(status);
}

/**
 * parse_fd() - Parse a file descriptor number
 * @s:		String
 *
 * Return: descriptor number, -1 if @s isn't a number
 */
static long parse_fd(const char *s)
{
	char *end;
	long n;

	if (*s < '0' || *s > '9')
		return -1;

	errno = 0;
	n = strtol(s, &end, 10);
	if (*end || errno || n > INT_MAX)
		return -1;
	return n;
}

/**
 * now_ms() - Monotonic time in milliseconds
 *
 * Return: time
 */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/**
 * read_timeout() - Read exactly @len bytes before a deadline
 * @s:		Socket
 * @buf:	Buffer
 * @len:	Bytes to read
 * @deadline:	now_ms() deadline
 *
 * Return: 0 on success, 1 on timeout, -1 on end of stream or error
 */
static int read_timeout(int s, char *buf, size_t len, long long deadline)
{
	size_t done = 0;

	while (done < len) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;
		int rc;

		if (left <= 0)
			return 1;

		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -1;
		if (!rc)
			return 1;

		n = recv(s, buf + done, len - done, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}

	return 0;
}

/**
 * probe() - Check that passt serves us on a connected socket
 * @s:		Connected socket
 *
 * We send an ARP request for a documentation address from the unspecified
 * one, which passt answers. A passt already serving another guest closes
 * our connection instead. One whole frame is consumed, so that qemu starts
 * reading at a frame boundary; a passt that doesn't answer ARP (IPv6 only)
 * but keeps the connection open is taken too.
 *
 * Return: true if this passt is ours
 */
static bool probe(int s)
{
	static const unsigned char arp[4 + 42] = {
		0, 0, 0, 42,				/* length */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* broadcast */
		0x02, 0x71, 0x72, 0x61, 0x70, 0x01,	/* our MAC */
		0x08, 0x06,				/* ARP */
		0x00, 0x01, 0x08, 0x00, 6, 4,		/* Ethernet, IPv4 */
		0x00, 0x01,				/* request */
		0x02, 0x71, 0x72, 0x61, 0x70, 0x01,	/* sender MAC */
		0, 0, 0, 0,				/* sender: none */
		0, 0, 0, 0, 0, 0,			/* target MAC */
		192, 0, 2, 1,				/* target */
	};
	long long deadline = now_ms() + PROBE_TIMEOUT_MS;
	uint32_t len;
	int rc;

	if (send(s, arp, sizeof(arp), MSG_NOSIGNAL) != sizeof(arp))
		return false;

	rc = read_timeout(s, (char *)&len, sizeof(len), deadline);
	if (rc > 0)
		return true;	/* Quiet, but not closed: it's serving us */
	if (rc < 0)
		return false;

	len = ntohl(len);
	if (len < 14 || len > FRAME_MAX)
		return false;

	/* Give a partial frame some more time: we must not leave half of it */
	return !read_timeout(s, frame_buf, len, now_ms() + PROBE_TIMEOUT_MS);
}

/**
 * passt_connect() - Connect to the first passt instance serving us
 *
 * Return: connected socket, -1 if none found
 */
static int passt_connect(void)
{
	int i;

	for (i = 1; i <= SOCK_PROBE_MAX; i++) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		int s;

		snprintf(a.sun_path, sizeof(a.sun_path), SOCK_PATH_FMT, i);

		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0) {
			perror("qrap: socket");
			return -1;
		}

		if (!connect(s, (struct sockaddr *)&a, sizeof(a)) && probe(s)) {
			fprintf(stderr, "qrap: connected to %s\n", a.sun_path);
			return s;
		}

		close(s);
	}

	return -1;
}

/**
 * opt_is() - Does an argument name a qemu option, with one or two dashes?
 * @arg:	Argument
 * @name:	Option name without dashes
 *
 * Return: true if it does
 */
static bool opt_is(const char *arg, const char *name)
{
	if (*arg++ != '-')
		return false;
	if (*arg == '-')
		arg++;
	return !strcmp(arg, name);
}

/**
 * is_nic_device() - Is a -device argument one of the NICs we'd conflict with?
 * @val:	Argument of -device
 *
 * Return: true if it is
 */
static bool is_nic_device(const char *val)
{
	int i;

	if (!strncmp(val, "driver=", strlen("driver=")))
		val += strlen("driver=");

	for (i = 0; nic_models[i]; i++) {
		size_t len = strlen(nic_models[i]);

		if (!strncmp(val, nic_models[i], len) &&
		    (val[len] == ',' || !val[len]))
			return true;
	}
	return false;
}

/**
 * net_opt_len() - Is this a network option, and how many arguments is it?
 * @argv:	Arguments from the option on, NULL-terminated
 *
 * Return: 0 if not a network option, 1 or 2 (option and its value)
 */
static int net_opt_len(char **argv)
{
	if (opt_is(argv[0], "netdev") || opt_is(argv[0], "net") ||
	    opt_is(argv[0], "nic"))
		return argv[1] ? 2 : 1;

	if (opt_is(argv[0], "device") && argv[1] && is_nic_device(argv[1]))
		return 2;

	return 0;
}

/**
 * main() - Connect, set up the descriptor and arguments, exec qemu
 * @argc:	Argument count
 * @argv:	FDNUM QEMU_PATH [QEMU_ARG]..., or [QEMU_ARG]...
 *
 * Return: doesn't return on success, 1 on failure
 */
int main(int argc, char **argv)
{
	static char netdev[64], device[128];
	const char *name = argc ? argv[0] : "qrap";
	const char *qemu = NULL;
	bool patch = false, has_net = false;
	int i, n = 0, s;
	char **args;
	long fd;

	if (argc < 2)
		usage(name, 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		usage(name, 0);

	if ((fd = parse_fd(argv[1])) >= 0) {
		if (argc < 3 || !*argv[2])
			usage(name, 1);
		if (fd <= STDERR_FILENO) {
			fprintf(stderr, "qrap: descriptor %li would replace "
				"standard input, output or error\n", fd);
			exit(1);
		}
		qemu = argv[2];
		args = argv + 3;
	} else {
		fd = FD_DEFAULT;
		patch = true;
		args = argv + 1;
	}

	if (argc > ARGS_MAX) {
		fprintf(stderr, "qrap: too many arguments\n");
		exit(1);
	}

	/* Arguments: drop network options (patching) or note them */
	qemu_argv[n++] = (char *)qemu;
	for (i = 0; args[i]; ) {
		int len = net_opt_len(args + i);

		if (len) {
			has_net = true;
			if (patch) {
				i += len;
				continue;
			}
		}
		qemu_argv[n++] = args[i++];
	}

	if (patch || !has_net) {
		snprintf(netdev, sizeof(netdev), "socket,fd=%li,id=" NETDEV_ID,
			 fd);
		snprintf(device, sizeof(device), NIC_MODEL ",netdev=" NETDEV_ID);
		qemu_argv[n++] = "-netdev";
		qemu_argv[n++] = netdev;
		qemu_argv[n++] = "-device";
		qemu_argv[n++] = device;
	}
	qemu_argv[n] = NULL;

	if ((s = passt_connect()) < 0) {
		fprintf(stderr, "qrap: no passt instance found at "
			SOCK_PATH_SHOW ", N from 1 to %i\n", SOCK_PROBE_MAX);
		exit(1);
	}

	/* dup2() gives a descriptor without FD_CLOEXEC: qemu inherits it */
	if (s == fd) {
		fcntl(s, F_SETFD, 0);
	} else if (dup2(s, fd) < 0) {
		fprintf(stderr, "qrap: can't use descriptor %li: %s\n", fd,
			strerror(errno));
		exit(1);
	} else {
		close(s);
	}

	if (qemu) {
		execvp(qemu, qemu_argv);
		fprintf(stderr, "qrap: couldn't run %s: %s\n", qemu,
			strerror(errno));
		exit(1);
	}

	for (i = 0; qemu_names[i]; i++) {
		qemu_argv[0] = (char *)qemu_names[i];
		execvp(qemu_names[i], qemu_argv);
	}

	fprintf(stderr, "qrap: couldn't find qemu in $PATH (tried");
	for (i = 0; qemu_names[i]; i++)
		fprintf(stderr, " %s", qemu_names[i]);
	fprintf(stderr, ")\n");
	exit(1);
}
