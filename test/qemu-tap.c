/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qemu-tap.c - Test stand-in for qemu: bridge passt's socket to a tap device
 *
 * qemu-tap [OPTIONS] SOCKET_PATH NETNS_PATH IFNAME
 *
 * Creates tap device IFNAME in the network namespace NETNS_PATH, brings it
 * up, connects to passt's UNIX socket SOCKET_PATH (or uses --fd N), and then
 * copies frames both ways: on the socket, each frame is preceded by its
 * length as a 32-bit big-endian number (qemu's "stream" framing); on the tap,
 * one frame per read() or write(). Exits 0 when passt closes the socket.
 *
 * Options:
 *   --fd N		use inherited, connected socket N (SOCKET_PATH ignored)
 *   --mac MAC		MAC address of the tap device
 *   --drop P		drop P percent of frames, each direction
 *   --dup P		send P percent of frames twice
 *   --reorder P	hold back P percent of frames behind the next one
 *   --split		send each frame to passt in a few pieces, with pauses
 *			between them (partial headers and frames)
 *   --seed N		seed for the above (default: from time and pid)
 *   --inject FILE	first send the frames listed in FILE to passt: one frame
 *			per line as hex digits (spaces and colons allowed), an
 *			optional "len:N " prefix puts N in the length header
 *			instead of the real length, "#" starts a comment
 *   --connect-timeout S  keep retrying the connection for S seconds (5)
 *   -v, --verbose	print frame counts at exit
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <linux/if_tun.h>

#define FRAME_MAX	(65535 + 14)
/* Socket read buffer: a few frames plus a partial one carried over */
#define SOCK_BUF	(4 * (FRAME_MAX + 4))
/* How long a held-back (reordered) frame may wait for a successor */
#define HOLD_MS		50

#define MIN(a, b)	((a) < (b) ? (a) : (b))

enum dir { TO_TAP, TO_SOCK };

static struct {
	int drop, dup, reorder, split, verbose;
	uint64_t rng;
} opt;

/* One held-back frame per direction, for --reorder */
static struct {
	int held;
	size_t len;
	unsigned char buf[FRAME_MAX];
} hold[2];

static unsigned long count[2], dropped[2];
static int tap_fd = -1, sock_fd = -1;

static void usage(const char *name)
{
	fprintf(stderr,
		"Usage: %s [--fd N] [--mac MAC] [--drop P] [--dup P] "
		"[--reorder P]\n"
		"\t[--split] [--seed N] [--inject FILE] [--connect-timeout S] [-v]\n"
		"\tSOCKET_PATH NETNS_PATH IFNAME\n", name);
	exit(2);
}

static void die(const char *what)
{
	fprintf(stderr, "qemu-tap: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* xorshift64*: reproducible with --seed, good enough for fault injection */
static unsigned percent_roll(void)
{
	opt.rng ^= opt.rng >> 12;
	opt.rng ^= opt.rng << 25;
	opt.rng ^= opt.rng >> 27;
	return (unsigned)((opt.rng * 0x2545f4914f6cdd1dULL) >> 33) % 100;
}

static int write_full(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static void sock_write_fail(void)
{
	if (errno == EPIPE || errno == ECONNRESET) {
		fprintf(stderr, "qemu-tap: passt closed the socket\n");
		exit(0);
	}
	die("write to socket");
}

/* --split: header and frame in two to four pieces at random offsets, with
 * pauses, so that passt sees partial headers and partial frames
 */
static void sock_send_split(const uint32_t *be, const void *frame, size_t len)
{
	static unsigned char buf[4 + FRAME_MAX + 1024];
	size_t total = 4 + MIN(len, sizeof(buf) - 4), off = 0;
	int pieces = 2 + percent_roll() % 3;

	memcpy(buf, be, 4);
	memcpy(buf + 4, frame, total - 4);
	while (off < total) {
		size_t chunk = total - off;

		if (--pieces > 0 && chunk > 1)
			chunk = 1 + (size_t)percent_roll() * (chunk - 1) / 100;
		if (write_full(sock_fd, buf + off, chunk))
			sock_write_fail();
		off += chunk;
		if (off < total)
			usleep(2000);
	}
}

/* Send one frame to passt with its length header (which may lie), in one
 * go as qemu does: header and frame in a single writev() when possible
 */
static void sock_send(const void *frame, size_t len, uint32_t hdr_len)
{
	uint32_t be = htonl(hdr_len);
	struct iovec iov[2] = { { &be, 4 }, { (void *)frame, len } };
	ssize_t n;

	if (opt.split) {
		sock_send_split(&be, frame, len);
		return;
	}

	do
		n = writev(sock_fd, iov, 2);
	while (n < 0 && errno == EINTR);

	if (n >= 0 && (size_t)n < 4)
		n = write_full(sock_fd, (char *)&be + n, 4 - n) ? -1 : 4;
	if (n >= 4)
		n = write_full(sock_fd, (char *)frame + (n - 4), len - (n - 4));

	if (n < 0)
		sock_write_fail();
}

static void out(enum dir d, const void *frame, size_t len)
{
	if (d == TO_SOCK) {
		sock_send(frame, len, len);
	} else if (write(tap_fd, frame, len) < 0) {
		/* The tap may refuse a bogus frame: not our problem here */
		fprintf(stderr, "qemu-tap: write to tap (%zu bytes): %s\n",
			len, strerror(errno));
	}
	count[d]++;
}

static void flush_held(enum dir d)
{
	if (hold[d].held) {
		hold[d].held = 0;
		out(d, hold[d].buf, hold[d].len);
	}
}

/* Forward one frame in direction @d, applying the fault injection knobs */
static void forward(enum dir d, const unsigned char *frame, size_t len)
{
	if (opt.drop && percent_roll() < (unsigned)opt.drop) {
		dropped[d]++;
		return;
	}

	if (opt.reorder && !hold[d].held &&
	    percent_roll() < (unsigned)opt.reorder) {
		memcpy(hold[d].buf, frame, len);
		hold[d].len = len;
		hold[d].held = 1;
		return;
	}

	out(d, frame, len);
	if (opt.dup && percent_roll() < (unsigned)opt.dup)
		out(d, frame, len);
	flush_held(d);
}

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = b[i];
	}
	return 0;
}

/* Create and bring up the tap device inside the namespace at @netns */
static void tap_open(const char *netns, const char *ifname,
		     const unsigned char *mac)
{
	struct ifreq ifr;
	int self, ns, s;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = open(netns, O_RDONLY | O_CLOEXEC);
	if (self < 0 || ns < 0)
		die(netns);
	if (setns(ns, CLONE_NEWNET))
		die("setns");

	tap_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tap_fd < 0)
		die("/dev/net/tun");

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(tap_fd, TUNSETIFF, &ifr))
		die("TUNSETIFF");

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");

	if (mac) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
		ifr.ifr_hwaddr.sa_family = 1;	/* ARPHRD_ETHER */
		memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
		if (ioctl(s, SIOCSIFHWADDR, &ifr))
			die("SIOCSIFHWADDR");
	}

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		die("SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		die("SIOCSIFFLAGS");
	close(s);

	if (setns(self, CLONE_NEWNET))
		die("setns back");
	close(self);
	close(ns);
}

static void sock_connect(const char *path, int timeout_s)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timespec t0, t;

	if (strlen(path) >= sizeof(a.sun_path)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	strcpy(a.sun_path, path);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		sock_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock_fd < 0)
			die("socket");
		if (!connect(sock_fd, (struct sockaddr *)&a, sizeof(a)))
			return;
		if (errno != ENOENT && errno != ECONNREFUSED &&
		    errno != EAGAIN)
			die(path);
		close(sock_fd);

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= timeout_s)
			die(path);
		usleep(50 * 1000);
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Send the frames listed in @path (format: see top of file) */
static void inject(const char *path)
{
	static unsigned char frame[FRAME_MAX + 1024];
	static char line[2 * sizeof(frame) + 64];
	unsigned long n = 0, lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		die(path);

	while (fgets(line, sizeof(line), f)) {
		long hdr = -1;
		size_t len = 0;
		char *p = line;
		int hi = -1;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "qemu-tap: %s:%lu: line too long\n",
				path, lineno);
			exit(2);
		}

		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, "len:", 4)) {
			hdr = strtol(p + 4, &p, 0);
			if (hdr < 0 || hdr > UINT32_MAX) {
				fprintf(stderr, "qemu-tap: %s:%lu: bad len\n",
					path, lineno);
				exit(2);
			}
		}

		for (; *p && *p != '#' && *p != '\n'; p++) {
			int v;

			if (*p == ' ' || *p == '\t' || *p == ':' ||
			    *p == '\r')
				continue;
			if ((v = hexval(*p)) < 0) {
				fprintf(stderr, "qemu-tap: %s:%lu: bad hex\n",
					path, lineno);
				exit(2);
			}
			if (hi < 0) {
				hi = v;
				continue;
			}
			if (len >= sizeof(frame)) {
				fprintf(stderr, "qemu-tap: %s:%lu: too long\n",
					path, lineno);
				exit(2);
			}
			frame[len++] = hi << 4 | v;
			hi = -1;
		}
		if (hi >= 0) {
			fprintf(stderr, "qemu-tap: %s:%lu: odd digits\n",
				path, lineno);
			exit(2);
		}
		if (!len && hdr < 0)
			continue;	/* blank or comment line */

		sock_send(frame, len, hdr < 0 ? len : (uint32_t)hdr);
		n++;
	}
	fclose(f);
	if (opt.verbose)
		fprintf(stderr, "qemu-tap: injected %lu frames\n", n);
}

static void stats(void)
{
	if (opt.verbose)
		fprintf(stderr, "qemu-tap: to passt %lu (dropped %lu), "
			"to tap %lu (dropped %lu)\n", count[TO_SOCK],
			dropped[TO_SOCK], count[TO_TAP], dropped[TO_TAP]);
}

static long num(const char *s, long min, long max, const char *name)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "qemu-tap: bad %s: %s\n", name, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static unsigned char sbuf[SOCK_BUF], tbuf[FRAME_MAX + 1];
	const char *inject_path = NULL;
	int fd = -1, timeout_s = 5, have_mac = 0, seeded = 0, i;
	unsigned char mac[6];
	size_t have = 0;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-v") || !strcmp(o, "--verbose")) {
			opt.verbose = 1;
			continue;
		}
		if (!strcmp(o, "--split")) {
			opt.split = 1;
			continue;
		}
		if (!strcmp(o, "--")) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			usage(argv[0]);

		if (!strcmp(o, "--fd")) {
			fd = num(argv[++i], 0, 65535, "fd");
		} else if (!strcmp(o, "--mac")) {
			if (parse_mac(argv[++i], mac))
				usage(argv[0]);
			have_mac = 1;
		} else if (!strcmp(o, "--drop")) {
			opt.drop = num(argv[++i], 0, 100, "percentage");
		} else if (!strcmp(o, "--dup")) {
			opt.dup = num(argv[++i], 0, 100, "percentage");
		} else if (!strcmp(o, "--reorder")) {
			opt.reorder = num(argv[++i], 0, 100, "percentage");
		} else if (!strcmp(o, "--seed")) {
			opt.rng = num(argv[++i], 0, LONG_MAX, "seed");
			seeded = 1;
		} else if (!strcmp(o, "--inject")) {
			inject_path = argv[++i];
		} else if (!strcmp(o, "--connect-timeout")) {
			timeout_s = num(argv[++i], 0, 3600, "timeout");
		} else {
			usage(argv[0]);
		}
	}
	if (argc - i != 3)
		usage(argv[0]);

	if (!seeded)
		opt.rng = (uint64_t)time(NULL) << 20 ^ getpid();
	opt.rng = opt.rng * 0x9e3779b97f4a7c15ULL + 1;	/* never zero */
	if (!opt.rng)
		opt.rng = 1;

	signal(SIGPIPE, SIG_IGN);

	/* Connect first: the guest may start sending as soon as the tap is up */
	if (fd >= 0)
		sock_fd = fd;
	else
		sock_connect(argv[i], timeout_s);

	tap_open(argv[i + 1], argv[i + 2], have_mac ? mac : NULL);

	if (inject_path)
		inject(inject_path);

	for (;;) {
		struct pollfd p[2] = { { .fd = tap_fd, .events = POLLIN },
				       { .fd = sock_fd, .events = POLLIN } };
		int held = hold[TO_TAP].held || hold[TO_SOCK].held;
		int n = poll(p, 2, held ? HOLD_MS : -1);
		ssize_t r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (!n) {
			/* Nothing followed a held-back frame: let it go */
			flush_held(TO_TAP);
			flush_held(TO_SOCK);
			continue;
		}

		if (p[0].revents & (POLLIN | POLLERR | POLLHUP)) {
			r = read(tap_fd, tbuf, sizeof(tbuf));
			if (r < 0 && errno != EINTR && errno != EAGAIN)
				die("read from tap");
			if (r > 0)
				forward(TO_SOCK, tbuf, r);
		}

		if (p[1].revents & (POLLIN | POLLERR | POLLHUP)) {
			size_t off = 0;

			r = read(sock_fd, sbuf + have, sizeof(sbuf) - have);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				if (r < 0 && errno != ECONNRESET)
					die("read from socket");
				flush_held(TO_TAP);
				stats();
				return 0;	/* passt closed the socket */
			}
			have += r;

			/* Every complete frame, then keep the partial tail */
			while (have - off >= 4) {
				uint32_t len;

				memcpy(&len, sbuf + off, 4);
				len = ntohl(len);
				if (len > FRAME_MAX) {
					fprintf(stderr, "qemu-tap: bad frame "
						"length %u from passt\n", len);
					stats();
					return 1;
				}
				if (have - off - 4 < len)
					break;
				forward(TO_TAP, sbuf + off + 4, len);
				off += 4 + len;
			}
			memmove(sbuf, sbuf + off, have - off);
			have -= off;
		}
	}
}
