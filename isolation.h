/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * isolation.h - Self-isolation: capabilities, identity, namespaces, seccomp
 *
 * Call sequence in main():
 *   isolate_initial()  first thing: close leaked fds, drop capabilities the
 *                      mode never needs
 *   conf()             also opens the log file
 *   ... pid file, passt's UNIX socket: perhaps in a root-only directory ...
 *   isolate_user()     switch to the final uid/gid
 *   ... open namespaces, sockets, pcap file, /dev/null, syslog ...
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

/* Isolation steps, in the order main() calls them */
void isolate_initial(int argc, char **argv);
void isolate_user(uid_t uid, gid_t gid, bool use_userns, const char *userns,
		  enum passt_mode mode);
int isolate_prefork(const struct ctx *c);
void isolate_postfork(const struct ctx *c);

/* Files opened before isolation, read after it */
int isolate_keep_open(const char *path);
ssize_t isolate_reread(int fd, char *buf, size_t size, off_t off);

#endif /* ISOLATION_H */
