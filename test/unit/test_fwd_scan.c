/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_fwd_scan.c - Parsing of /proc/net/{tcp,udp}[6] for automatic
 * forwarding, whole files read in chunks through a kept descriptor
 *
 * unit-include: fwd_scan.c
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../fwd_scan.c"
#include "unit.h"

static const char tcp4[] =
"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
"retrnsmt   uid  timeout inode\n"
"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 "
"00000000     0        0 1667 1 00000000d6784a49 100 0 0 10 0\n"
"   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
"00000000     0        0 1668 1 00000000d6784a49 100 0 0 10 0\n"
"   2: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 "
"00000000     0        0 1669 1 00000000d6784a49 20 4 30 10 -1\n"
"   3: 0100007F:2710 0100007F:C350 06 00000000:00000000 03:00000ABC "
"00000000     0        0 0 3 00000000d6784a49\n";

static const char tcp6[] =
"  sl  local_address                         remote_address                "
"        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
"   0: 00000000000000000000000000000000:0016 "
"00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
"00000000     0        0 21 1 0000000000000000 100 0 0 10 0\n"
"   1: 00000000000000000000000001000000:FFFF "
"00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
"00000000     0        0 22 1 0000000000000000 100 0 0 10 0\n";

static const char udp4[] =
"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
"retrnsmt   uid  timeout inode ref pointer drops\n"
"  123: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 "
"00000000     0        0 31 2 0000000000000000 0\n"
"  124: 0100007F:A000 0100007F:0035 01 00000000:00000000 00:00000000 "
"00000000     0        0 32 2 0000000000000000 0\n"
"  125: 00000000:0000 00000000:0000 07 00000000:00000000 00:00000000 "
"00000000     0        0 33 2 0000000000000000 0\n";

/**
 * map_count() - Number of bits set in a port bitmap
 * @map:	Bitmap of NUM_PORTS bits
 *
 * Return: count of set bits
 */
static unsigned int map_count(const uint8_t *map)
{
	unsigned int i, n = 0;

	for (i = 0; i < NUM_PORTS; i++)
		n += BITMAP_ISSET(map, i);
	return n;
}

/**
 * big_file() - Write a /proc/net/tcp-like file of 5000 entries, 2 in 3
 *		listening (ports 1000 + i, i % 3 != 0), open it for reading
 *
 * Return: read-only descriptor of the (already unlinked) file, -1 on error
 */
static int big_file(void)
{
	char path[] = "/tmp/test_fwd_scan.XXXXXX";
	unsigned int i;
	int fd, rc;
	FILE *f;

	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		return -1;
	}
	rc = fputs("  sl  local_address rem_address   st tx_queue rx_queue\n",
		   f);
	for (i = 0; i < 5000 && rc >= 0; i++) {
		rc = fprintf(f, "%5u: 0100007F:%04X 00000000:0000 %s 00000000:"
			     "00000000 00:00000000 00000000     0        0 %u 1 "
			     "00000000d6784a49 100 0 0 10 0                      \n",
			     i, 1000 + i, i % 3 ? "0A" : "01", 100000 + i);
	}
	if (fclose(f) || rc < 0) {
		unlink(path);
		return -1;
	}

	fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	return fd;
}

int main(void)
{
	static uint8_t map[NUM_PORTS / 8];
	unsigned int n, i;
	int fd;

	n = fwd_scan_parse(tcp4, sizeof(tcp4) - 1, false, map);
	CHECK(n == 2, "tcp: two listening sockets");
	CHECK(BITMAP_ISSET(map, 631) && BITMAP_ISSET(map, 8080),
	      "tcp: ports of listening sockets (0A) found");
	CHECK(!BITMAP_ISSET(map, 54321) && !BITMAP_ISSET(map, 10000),
	      "tcp: established and TIME_WAIT sockets ignored");
	CHECK(map_count(map) == 2, "tcp: nothing else set");

	memset(map, 0, sizeof(map));
	n = fwd_scan_parse(tcp6, sizeof(tcp6) - 1, false, map);
	CHECK(n == 2 && BITMAP_ISSET(map, 22) && BITMAP_ISSET(map, 65535),
	      "tcp6: long addresses, ports 22 and 65535");

	memset(map, 0, sizeof(map));
	n = fwd_scan_parse(udp4, sizeof(udp4) - 1, true, map);
	CHECK(n == 1 && BITMAP_ISSET(map, 53),
	      "udp: bound unconnected socket (07) found");
	CHECK(!BITMAP_ISSET(map, 0xa000) && map_count(map) == 1,
	      "udp: connected sockets and port 0 ignored");

	memset(map, 0, sizeof(map));
	n = fwd_scan_parse(udp4, sizeof(udp4) - 1, false, map);
	CHECK(n == 0, "udp file parsed as tcp: no listening state");

	memset(map, 0, sizeof(map));
	n = fwd_scan_parse("garbage\n\n:\n   7: zz:1 2:3 0A\n", 28, false,
			   map);
	CHECK(n == 0 && !map_count(map), "malformed lines ignored");

	n = fwd_scan_parse("   0: 0100007F:0277 00000000:0000\n", 34, false,
			   map);
	CHECK(n == 0 && !map_count(map), "entry without state not taken");

	/* A file larger than the read buffer: read in chunks, line-aligned.
	 * Setting it up isn't a check: only a failure to do so is reported.
	 */
	fd = big_file();
	if (fd < 0) {
		CHECK(0, "chunked reads: temporary file can't be set up: %s",
		      strerror(errno));
		return unit_done();
	}

	memset(map, 0, sizeof(map));
	fwd_scan_file(fd, false, map);
	n = 0;
	for (i = 0; i < 5000; i++)
		n += BITMAP_ISSET(map, 1000 + i) == !!(i % 3);
	CHECK(n == 5000, "file larger than the buffer: every entry seen");
	CHECK(map_count(map) == 5000 - 1667, "file: only listening entries");

	memset(map, 0, sizeof(map));
	fwd_scan_file(fd, false, map);
	CHECK(map_count(map) == 5000 - 1667, "file re-read from the start");
	close(fd);

	memset(map, 0, sizeof(map));
	fwd_scan_file(-1, false, map);
	CHECK(!map_count(map), "no descriptor: nothing found");

	return unit_done();
}
