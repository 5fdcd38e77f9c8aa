/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * isolation.h - Self-isolation: capabilities, identity, namespaces, seccomp
 *
 * Call sequence in main():
 *   isolate_initial()  first thing: close leaked fds, drop capabilities the
 *                      mode never needs
 *   conf()
 *   isolate_user()     switch to the final uid/gid
 *   ... open namespaces, sockets, pid/pcap/log files, /dev/null, syslog ...
 *   isolate_prefork()  new mount/IPC/UTS(/PID/user) namespaces, empty
 *                      read-only root, final capability set, no_new_privs
 *   daemonise (fork)
 *   isolate_postfork() seccomp allow-list of the mode
 *
 * After isolate_prefork() no path of the host can be opened: anything needed
 * later (e.g. /proc/net/tcp for port scans) must be opened before, see
 * isolate_keep_open(), and re-read through the kept descriptor.
 */

#ifndef ISOLATION_H
#define ISOLATION_H

#include <stdbool.h>
#include <sys/types.h>

#include "passt.h"

/* Environment variable: if set to 1, seccomp traps (SIGSYS, logged) instead
 * of killing the process on a system call not in the allow-list
 */
#define ISOLATE_SECCOMP_DEBUG_ENV	"PASST_SECCOMP_DEBUG"

/**
 * isolate_initial() - Close leaked descriptors, drop unneeded capabilities
 * @argc:	Argument count, as passed to main()
 * @argv:	Arguments: descriptors given with --fd/-F are kept open
 *
 * Keeps CAP_NET_BIND_SERVICE if we have it, and for pasta what it needs to
 * join and configure the target namespace. Exits on failure.
 */
void isolate_initial(int argc, char **argv);

/**
 * isolate_user() - Switch to the final identity
 * @uid:	Target user ID (decided by conf(): --runas, or nobody for root)
 * @gid:	Target group ID
 * @use_userns:	false with --netns-only: never create a user namespace
 * @userns:	--userns path, or NULL/empty: pasta_open_ns() joins it, not us
 * @mode:	MODE_PASST or MODE_PASTA
 *
 * Capabilities kept by isolate_initial() survive the switch. The user
 * namespace for passt is created in isolate_prefork(), once forwarded ports
 * (possibly below 1024) are bound. Exits on failure.
 */
void isolate_user(uid_t uid, gid_t gid, bool use_userns, const char *userns,
		  enum passt_mode mode);

/**
 * isolate_prefork() - Detach namespaces, pivot to an empty root, drop caps
 * @c:		Execution context
 *
 * Return: 0 on success, negative error code if a capability can't be dropped
 *	   (namespace or mount failures only give a warning: less isolation)
 */
int isolate_prefork(const struct ctx *c);

/**
 * isolate_postfork() - Install the seccomp allow-list of the mode
 * @c:		Execution context
 *
 * Exits on failure.
 */
void isolate_postfork(const struct ctx *c);

/**
 * isolate_keep_open() - Open a file to be re-read after isolation
 * @path:	Absolute path, e.g. "/proc/net/tcp6" (from ns_call() for pasta's
 *		namespace: /proc/self/net/... of the calling task)
 *
 * Re-read it later with isolate_reread(). Only before isolate_prefork().
 *
 * Return: file descriptor (O_RDONLY, O_CLOEXEC), or -1 with errno set
 */
int isolate_keep_open(const char *path);

/**
 * isolate_reread() - Read a kept file (e.g. /proc/net/tcp) from the start
 * @fd:		Descriptor from isolate_keep_open()
 * @buf:	Buffer, NUL-terminated on return
 * @size:	Size of @buf
 * @off:	Offset to read from: 0, then previous offset + returned bytes
 *		to read a file larger than @buf in chunks
 *
 * Return: bytes read (0 at end of file), or -1 with errno set
 */
ssize_t isolate_reread(int fd, char *buf, size_t size, off_t off);

#endif /* ISOLATION_H */
