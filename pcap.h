/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pcap.h - Capture of guest-side frames in pcap format
 */

#ifndef PCAP_H
#define PCAP_H

#include <stddef.h>
#include <sys/uio.h>

/* Capture file set-up, and frames to record */
void pcap_init(const char *path);
void pcap_frame(const void *frame, size_t len);
void pcap_frames_iov(const struct iovec *iov, size_t bufs_per_frame,
		     size_t nframes);

#endif /* PCAP_H */
