/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pcap.h - Capture of guest-side frames in pcap format
 */

#ifndef PCAP_H
#define PCAP_H

#include <stddef.h>
#include <sys/uio.h>

/**
 * pcap_init() - Open the capture file given with -p, write its header
 * @path:	File path, or empty for no capture
 *
 * Exits on failure.
 */
void pcap_init(const char *path);

/**
 * pcap_frame() - Record one frame
 * @frame:	Frame, from the Ethernet header
 * @len:	Length of @frame
 */
void pcap_frame(const void *frame, size_t len);

/**
 * pcap_frames_iov() - Record frames given as scatter-gather lists
 * @iov:	Frames, @bufs_per_frame buffers each
 * @bufs_per_frame: Buffers per frame
 * @nframes:	Number of frames
 */
void pcap_frames_iov(const struct iovec *iov, size_t bufs_per_frame,
		     size_t nframes);

/**
 * pcap_fd() - File descriptor of the capture, to keep across isolation
 *
 * Return: file descriptor, or -1 if there is no capture
 */
int pcap_fd(void);

#endif /* PCAP_H */
