/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pcap.c - Capture of guest-side frames in classic pcap format
 *
 * File format: a global header (magic 0xa1b2c3d4, version 2.4,
 * LINKTYPE_ETHERNET, snaplen 65535), then one record header with a
 * microsecond timestamp per frame, followed by the frame.
 *
 * Frames are written with a single writev() each, straight to the file: a
 * regular file write doesn't wait for the disk, so the data path isn't held
 * up. If the file can't be written any more (disk full...), capture stops
 * with a warning rather than slowing down every frame.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "log.h"
#include "pcap.h"

#define PCAP_MAGIC		0xa1b2c3d4
#define PCAP_VERSION_MAJOR	2
#define PCAP_VERSION_MINOR	4
#define PCAP_SNAPLEN		65535
#define LINKTYPE_ETHERNET	1

/* Buffers in one writev(): record header and frame parts */
#define PCAP_IOV_MAX		64

/**
 * struct pcap_file_hdr - Global header of a pcap file
 * @magic:	PCAP_MAGIC, written in host order (readers detect it)
 * @major:	Major version
 * @minor:	Minor version
 * @thiszone:	GMT offset, always 0
 * @sigfigs:	Timestamp accuracy, always 0
 * @snaplen:	Maximum length of captured frames
 * @linktype:	Link-layer header type
 */
struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

/**
 * struct pcap_rec_hdr - Record header, one per frame
 * @ts_sec:	Timestamp, seconds
 * @ts_usec:	Timestamp, microseconds
 * @incl_len:	Bytes of the frame saved in the file
 * @orig_len:	Length of the frame
 */
struct pcap_rec_hdr {
	uint32_t ts_sec;
	uint32_t ts_usec;
	uint32_t incl_len;
	uint32_t orig_len;
};

static int pcap_fd = -1;

/**
 * pcap_init() - Open the capture file given with -p, write its header
 * @path:	File path, or empty for no capture
 *
 * Exits on failure.
 */
void pcap_init(const char *path)
{
	struct pcap_file_hdr h = {
		.magic = PCAP_MAGIC,
		.major = PCAP_VERSION_MAJOR,
		.minor = PCAP_VERSION_MINOR,
		.thiszone = 0,
		.sigfigs = 0,
		.snaplen = PCAP_SNAPLEN,
		.linktype = LINKTYPE_ETHERNET,
	};
	ssize_t n;

	if (!path || !*path)
		return;

	pcap_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			S_IRUSR | S_IWUSR);
	if (pcap_fd < 0)
		die("Failed to open capture file %s: %s", path,
		    strerror(errno));

	n = write(pcap_fd, &h, sizeof(h));
	if (n != (ssize_t)sizeof(h))
		die("Failed to write capture file header to %s: %s", path,
		    n < 0 ? strerror(errno) : "short write");

	info("Saving packet capture to %s", path);
}

/**
 * pcap_write() - Write one record: header and frame buffers
 * @iov:	Frame buffers
 * @n:		Number of buffers
 * @now:	Timestamp
 *
 * #syscalls writev close
 */
static void pcap_write(const struct iovec *iov, size_t n,
		       const struct timespec *now)
{
	struct iovec v[PCAP_IOV_MAX + 1];
	struct pcap_rec_hdr h;
	size_t len = 0, i, cnt = 0, incl = 0;
	ssize_t ret;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;

	v[cnt].iov_base = &h;
	v[cnt++].iov_len = sizeof(h);

	/* Cut frames at the snap length, and at our scatter-gather limit */
	for (i = 0; i < n && cnt <= PCAP_IOV_MAX && incl < PCAP_SNAPLEN;
	     i++) {
		size_t l = iov[i].iov_len;

		if (l > PCAP_SNAPLEN - incl)
			l = PCAP_SNAPLEN - incl;
		v[cnt].iov_base = iov[i].iov_base;
		v[cnt++].iov_len = l;
		incl += l;
	}

	h.ts_sec = (uint32_t)now->tv_sec;
	h.ts_usec = (uint32_t)(now->tv_nsec / 1000);
	h.incl_len = (uint32_t)incl;
	h.orig_len = (uint32_t)len;

	ret = writev(pcap_fd, v, (int)cnt);
	if (ret == (ssize_t)(sizeof(h) + incl))
		return;

	/* Short write or error: the file is now of no use, stop here */
	warn("Failed to write packet capture (%s), capture stopped",
	     ret < 0 ? strerror(errno) : "short write");
	close(pcap_fd);
	pcap_fd = -1;
}

/**
 * pcap_frame() - Record one frame
 * @frame:	Frame, from the Ethernet header
 * @len:	Length of @frame
 *
 * #syscalls clock_gettime
 */
void pcap_frame(const void *frame, size_t len)
{
	struct iovec iov = { .iov_base = (void *)frame, .iov_len = len };
	struct timespec now;

	if (pcap_fd < 0)
		return;

	clock_gettime(CLOCK_REALTIME, &now);
	pcap_write(&iov, 1, &now);
}

/**
 * pcap_frames_iov() - Record frames given as scatter-gather lists
 * @iov:	Frames, @bufs_per_frame buffers each
 * @bufs_per_frame: Buffers per frame
 * @nframes:	Number of frames
 */
void pcap_frames_iov(const struct iovec *iov, size_t bufs_per_frame,
		     size_t nframes)
{
	struct timespec now;
	size_t i;

	if (pcap_fd < 0)
		return;

	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < nframes && pcap_fd >= 0; i++)
		pcap_write(iov + i * bufs_per_frame, bufs_per_frame, &now);
}
