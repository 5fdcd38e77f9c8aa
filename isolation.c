// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * isolation.c - Self-isolation: capabilities, identity, namespaces, seccomp
 *
 * We sit between an untrusted guest and the host, so we confine ourselves
 * step by step, as soon as each privilege is no longer needed:
 *
 * - isolate_initial(): close descriptors we were handed by mistake, keep only
 *   the capabilities the mode may still need (CAP_NET_BIND_SERVICE; pasta
 *   also what joining and configuring the target namespace takes).
 *
 * - isolate_user(): switch to the final uid/gid (conf() picked --runas, or
 *   nobody when started as root), keeping those capabilities.
 *
 * - isolate_prefork(): everything is open now. passt moves into a new user
 *   namespace of its own (its sockets live in the original network
 *   namespace, and it needs no capability there any more). Both modes detach
 *   mount, IPC, UTS and, when they will fork to the background, PID
 *   namespaces, and pivot into an empty read-only tmpfs. Then the final
 *   capability set: none for passt; CAP_SYS_ADMIN (setns() in ns_call()) and
 *   CAP_NET_BIND_SERVICE (ports bound in the namespace at run time) for pasta,
 *   plus CAP_NET_ADMIN with --config-net unless --no-follow (the namespace
 *   follows the host's changes), in the user namespace it runs in.
 *   Bounding, inheritable and ambient sets
 *   are emptied of everything else, and no_new_privs is set.
 *
 * - isolate_postfork(): seccomp allow-list of the mode, generated at build
 *   time by seccomp.sh from "#syscalls" annotations in the sources: pasta,
 *   passt, or passt --vhost-user (passt's list, plus what mapping guest
 *   memory and taking descriptors from the front-end need).
 *
 * pasta can't move into a user namespace of its own: setns() into the target
 * network namespace needs CAP_SYS_ADMIN in the user namespace owning it.
 * Started as root with --runas 0 on a namespace from "ip netns add" (owned by
 * the initial user namespace), it keeps those two capabilities there: the
 * seccomp allow-list is what limits their use (no mount, no unshare, ...).
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "util.h"
#include "passt.h"
#include "log.h"
#include "isolation.h"
#include "hostwatch.h"
#include "seccomp.h"

/* Only the SIGSYS handler of the debug mode runs under the filter (and logs):
 * #syscalls rt_sigreturn
 */

#define CAP_BIT(x)	(1ULL << (x))

/* Kept from the start until isolate_user() switched identity */
#define CAPS_ID		(CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETGID))

/* Kept until isolate_prefork(), in addition to the final ones: SETPCAP to
 * empty the bounding set, SETFCAP to map root (--runas 0) in our user
 * namespace
 */
#define CAPS_INIT_PASST	(CAP_BIT(CAP_NET_BIND_SERVICE) | CAP_BIT(CAP_SETPCAP) | \
			 CAP_BIT(CAP_SETFCAP))
#define CAPS_INIT_PASTA	(CAPS_INIT_PASST | CAP_BIT(CAP_SYS_ADMIN) |	\
			 CAP_BIT(CAP_NET_ADMIN) | CAP_BIT(CAP_SYS_PTRACE))

/* Final sets, after isolate_prefork() */
#define CAPS_RUN_PASST	0ULL
#define CAPS_RUN_PASTA	(CAP_BIT(CAP_SYS_ADMIN) | CAP_BIT(CAP_NET_BIND_SERVICE))

/* Highest capability number we try to drop from the bounding set */
#define CAP_NUM_MAX	63

/* Most descriptors we keep open because of --fd (only one is meaningful) */
#define KEEP_FD_MAX	8

static bool isolated;		/* isolate_prefork() done: no more paths */

/**
 * struct caps - Capability sets as 64-bit masks
 * @eff:	Effective
 * @prm:	Permitted
 * @inh:	Inheritable
 */
struct caps {
	uint64_t eff;
	uint64_t prm;
	uint64_t inh;
};

/* capget() and capset() through the raw system calls: libc has no wrapper */
static int caps_get(struct caps *s)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &hdr, d))
		return -1;

	s->eff = d[0].effective | (uint64_t)d[1].effective << 32;
	s->prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	s->inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int caps_set(const struct caps *s)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {
		{ (uint32_t)s->eff, (uint32_t)s->prm, (uint32_t)s->inh },
		{ (uint32_t)(s->eff >> 32), (uint32_t)(s->prm >> 32),
		  (uint32_t)(s->inh >> 32) },
	};

	return syscall(SYS_capset, &hdr, d);
}

/* Reduce effective and permitted sets to @keep, inheritable to nothing */
static int caps_reduce(uint64_t keep)
{
	struct caps s;

	if (caps_get(&s))
		return -1;

	s.prm &= keep;
	s.eff = s.prm;
	s.inh = 0;
	return caps_set(&s);
}

/* Empty the ambient set, and the bounding set but for @keep, if we may */
static void caps_bound_ambient(uint64_t keep)
{
	int cap;

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);

	for (cap = 0; cap <= CAP_NUM_MAX; cap++) {
		if (keep & CAP_BIT(cap))
			continue;
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) <= 0)
			continue;	/* not there, or beyond the last one */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			debug("Can't drop capability %i from bounding set: %s",
			      cap, strerror(errno));
			return;		/* no CAP_SETPCAP: can't drop any */
		}
	}
}

/* Same rule as passt.c: the name we are called with selects the mode */
static enum passt_mode isolate_mode(const char *argv0)
{
	char buf[PATH_MAX];
	const char *name;

	if (!argv0)
		return MODE_PASST;

	snprintf(buf, sizeof(buf), "%s", argv0);
	name = basename(buf);
	if (strstr(name, "pasta") || strstr(name, "passt4netns"))
		return MODE_PASTA;
	return MODE_PASST;
}

/* Make sure 0, 1 and 2 are open: otherwise our sockets could take them, and
 * end up overwritten by /dev/null (daemonising) or written to as stderr
 */
static void fds_std_open(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		n = open("/dev/null", O_RDWR);
		if (n < 0)
			die("Standard descriptor %i closed, no /dev/null", fd);
		if (n != fd) {
			if (dup2(n, fd) < 0)
				die("dup2(): %s", strerror(errno));
			close(n);
		}
	}
}

/* close_range() without relying on a libc wrapper, with a fallback */
static void fds_close_range(unsigned int first, unsigned int last)
{
	struct rlimit rl;
	unsigned int fd;

	if (first > last)
		return;
#ifdef SYS_close_range
	if (!syscall(SYS_close_range, first, last, 0))
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > (1U << 20))
		rl.rlim_cur = 1U << 20;
	if (last >= rl.rlim_cur)
		last = rl.rlim_cur - 1;
	for (fd = first; fd <= last && fd >= first; fd++)
		close(fd);
}

/* Descriptor number given to --fd, -F: -1 if not a valid one */
static int fd_arg(const char *s)
{
	char *end;
	long n;

	if (!s || !*s)
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || n <= STDERR_FILENO || n > INT_MAX)
		return -1;
	return n;
}

/* Close every descriptor above stderr but those named with --fd/-F */
static void fds_close_leaked(int argc, char **argv)
{
	int keep[KEEP_FD_MAX], n = 0, i, j;
	unsigned int first = STDERR_FILENO + 1;

	for (i = 1; i < argc && argv[i]; i++) {
		const char *a = argv[i], *v = NULL;
		bool opt = false;
		int fd;

		if (!strcmp(a, "--"))
			break;

		if (!strcmp(a, "--fd") || !strcmp(a, "-F")) {
			opt = true;
			if (i + 1 < argc)
				v = argv[++i];
		} else if (!strncmp(a, "--fd=", 5)) {
			opt = true;
			v = a + 5;
		} else if (!strncmp(a, "-F", 2)) {
			opt = true;
			v = a + 2;
		}

		if (!opt || (fd = fd_arg(v)) < 0 || n >= KEEP_FD_MAX)
			continue;

		/* Insertion sort, no duplicates */
		for (j = n; j > 0 && keep[j - 1] > fd; j--)
			keep[j] = keep[j - 1];
		if (j > 0 && keep[j - 1] == fd) {
			memmove(&keep[j], &keep[j + 1], (n - j) * sizeof(*keep));
			continue;
		}
		keep[j] = fd;
		n++;
	}

	for (i = 0; i < n; i++) {
		if (keep[i] > 0 && (unsigned int)keep[i] > first)
			fds_close_range(first, keep[i] - 1);
		first = keep[i] + 1;
	}
	fds_close_range(first, ~0U);
}

/**
 * isolate_initial() - Close leaked descriptors, drop unneeded capabilities
 * @argc:	Argument count, as passed to main()
 * @argv:	Arguments: descriptors given with --fd/-F are kept open
 *
 * Keeps CAP_NET_BIND_SERVICE if we have it, and for pasta what it needs to
 * join and configure the target namespace. Exits on failure.
 */
void isolate_initial(int argc, char **argv)
{
	enum passt_mode mode = isolate_mode(argc > 0 ? argv[0] : NULL);
	uint64_t keep = CAPS_ID;

	fds_std_open();
	fds_close_leaked(argc, argv);

	keep |= mode == MODE_PASTA ? CAPS_INIT_PASTA : CAPS_INIT_PASST;
	if (caps_reduce(keep))
		die("Can't drop capabilities: %s", strerror(errno));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

/**
 * isolate_user() - Switch to the final identity
 * @uid:	Target user ID (decided by conf(): --runas, or nobody for root)
 * @gid:	Target group ID
 * @use_userns:	false with --netns-only: never create a user namespace
 * @userns:	--userns path, or NULL/empty: pasta_open_ns() joins it, not us
 * @mode:	MODE_PASST or MODE_PASTA
 *
 * Capabilities kept by isolate_initial() survive the switch (PR_SET_KEEPCAPS)
 * but CAP_SETUID and CAP_SETGID, no longer needed. Creating passt's user
 * namespace waits for isolate_prefork(): forwarded ports below 1024 are bound
 * after this, and need CAP_NET_BIND_SERVICE in the initial user namespace.
 * Exits on failure.
 */
void isolate_user(uid_t uid, gid_t gid, bool use_userns, const char *userns,
		  enum passt_mode mode)
{
	uint64_t keep = mode == MODE_PASTA ? CAPS_INIT_PASTA : CAPS_INIT_PASST;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	struct caps s;

	(void)use_userns;
	(void)userns;

	if (getresuid(&ruid, &euid, &suid) || getresgid(&rgid, &egid, &sgid))
		die("Can't get user and group IDs: %s", strerror(errno));

	/* Supplementary groups: drop them if we may, e.g. root --runas 0 */
	if (setgroups(0, NULL) && errno != EPERM)
		die("Can't drop supplementary groups: %s", strerror(errno));

	if (ruid != uid || euid != uid || suid != uid ||
	    rgid != gid || egid != gid || sgid != gid) {
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
			die("Can't keep capabilities: %s", strerror(errno));

		if (setresgid(gid, gid, gid))
			die("Can't set group ID to %u: %s", gid,
			    strerror(errno));
		if (setresuid(uid, uid, uid))
			die("Can't set user ID to %u: %s", uid,
			    strerror(errno));

		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);

		/* The switch made us non-dumpable, so our /proc files now
		 * belong to root: pasta's child couldn't write the ID maps of
		 * the namespace it creates. Until isolate_prefork(), our
		 * capabilities keep unprivileged processes from tracing us.
		 */
		if (mode == MODE_PASTA)
			prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	}

	/* Effective set is cleared by a switch from root: raise it again */
	if (caps_get(&s))
		die("Can't get capabilities: %s", strerror(errno));
	s.prm &= keep;
	s.eff = s.prm;
	s.inh = 0;
	if (caps_set(&s))
		die("Can't set capabilities: %s", strerror(errno));
}

/* Write a short string to a /proc file of ours */
static int proc_write(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, s, len) != (ssize_t)len)
		rc = -1;
	close(fd);
	return rc;
}

/* New user namespace, mapping our own IDs to themselves: passt only */
static int userns_create(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int dumpable, rc = -1;
	char map[64];

	/* With non-dumpable credentials (we switched from root), our /proc
	 * files belong to root, and we couldn't write our own ID maps
	 */
	dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);

	if (unshare(CLONE_NEWUSER)) {
		warn("Can't create user namespace: %s", strerror(errno));
		goto out;
	}

	if (proc_write("/proc/self/setgroups", "deny") && errno != ENOENT)
		warn("Can't deny setgroups(): %s", strerror(errno));

	snprintf(map, sizeof(map), "%u %u 1", uid, uid);
	if (proc_write("/proc/self/uid_map", map)) {
		warn("Can't write UID map: %s", strerror(errno));
		goto out;
	}
	snprintf(map, sizeof(map), "%u %u 1", gid, gid);
	if (proc_write("/proc/self/gid_map", map)) {
		warn("Can't write GID map: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (dumpable >= 0)
		prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
	return rc;
}

/* Mount an empty, read-only tmpfs on some existing directory, make it our
 * root, and detach the old one: no path of the host is reachable after this
 */
static int root_pivot_empty(void)
{
	static const char *dirs[] = { "/tmp", "/dev", "/run", "/mnt", "/proc" };
	unsigned int i;

	if (mount("", "/", "", MS_REC | MS_PRIVATE, NULL)) {
		warn("Can't make mounts private: %s", strerror(errno));
		return -1;
	}

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (!mount("", dirs[i], "tmpfs",
			   MS_RDONLY | MS_NODEV | MS_NOEXEC | MS_NOSUID,
			   "nr_inodes=2,size=4k"))
			break;
	}
	if (i == ARRAY_SIZE(dirs)) {
		warn("Can't mount empty filesystem: %s", strerror(errno));
		return -1;
	}

	/* pivot_root(".", ".") stacks the old root on top of the new one, at
	 * the same place: detaching "." then gets rid of the old root
	 */
	if (chdir(dirs[i]) || syscall(SYS_pivot_root, ".", ".") ||
	    umount2(".", MNT_DETACH) || chdir("/")) {
		warn("Can't pivot into empty root: %s", strerror(errno));
		return -1;
	}

	return 0;
}

/**
 * isolate_prefork() - Detach namespaces, pivot to an empty root, drop caps
 * @c:		Execution context
 *
 * Return: 0 on success, negative error code if a capability can't be dropped
 *	   (namespace or mount failures only give a warning: less isolation)
 */
int isolate_prefork(const struct ctx *c)
{
	int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
	uint64_t keep;

	if (c->mode == MODE_PASTA) {
		keep = CAPS_RUN_PASTA;
		/* --config-net, following the host: we set the namespace up
		 * again when the host changes (netlink checks the sender too)
		 */
		if (c->pasta_conf_ns && hostwatch_active())
			keep |= CAP_BIT(CAP_NET_ADMIN);
	} else {
		keep = CAPS_RUN_PASST;
		/* Without it we still isolate if we are privileged */
		userns_create();
	}

	/* A PID namespace is for the children: the daemonised one will be its
	 * first process. In the foreground, the first child (ns_call()) would
	 * be, and the namespace would be gone once that returns.
	 */
	if (!c->foreground)
		flags |= CLONE_NEWPID;

	if (unshare(flags)) {
		warn("Can't detach namespaces: %s", strerror(errno));
	} else if (root_pivot_empty()) {
		warn("Host filesystem still reachable");
	}
	isolated = true;

	caps_bound_ambient(keep);
	if (caps_reduce(keep)) {
		int ret = -errno;

		err("Can't drop capabilities: %s", strerror(errno));
		return ret;
	}

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		int ret = -errno;

		err("Can't set no_new_privs: %s", strerror(errno));
		return ret;
	}

	/* Processes of the same user can't trace us, or read our memory */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	return 0;
}

/* Debug mode (PASST_SECCOMP_DEBUG=1): log the call, make it fail, go on */
static void seccomp_sigsys(int sig, siginfo_t *info, void *ucontext)
{
	ucontext_t *uc = ucontext;

	(void)sig;
	warn("seccomp: blocked system call %i (arch 0x%x)",
	     info->si_syscall, info->si_arch);

#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
	uc->uc_mcontext.regs[0] = -ENOSYS;
#else
	(void)uc;
	_exit(EXIT_FAILURE);
#endif
}

/**
 * isolate_postfork() - Install the seccomp allow-list of the mode
 * @c:		Execution context
 *
 * With PASST_SECCOMP_DEBUG=1 in the environment, a call outside the list is
 * logged and fails with ENOSYS instead of killing the process.
 *
 * Exits on failure.
 */
void isolate_postfork(const struct ctx *c)
{
	const char *dbg = getenv(ISOLATE_SECCOMP_DEBUG_ENV);
	struct sock_fprog prog;
	unsigned int i;

	if (c->mode == MODE_PASTA) {
		prog.filter = seccomp_filter_pasta;
		prog.len = ARRAY_SIZE(seccomp_filter_pasta);
	} else if (c->vhost_user) {
		/* Guest memory mapped, eventfds, descriptors on the socket */
		prog.filter = seccomp_filter_vu;
		prog.len = ARRAY_SIZE(seccomp_filter_vu);
	} else {
		prog.filter = seccomp_filter_passt;
		prog.len = ARRAY_SIZE(seccomp_filter_passt);
	}

	if (dbg && !strcmp(dbg, "1")) {
		struct sigaction sa = {
			.sa_sigaction = seccomp_sigsys,
			.sa_flags = SA_SIGINFO,
		};

		if (sigaction(SIGSYS, &sa, NULL))
			die("Can't set SIGSYS handler: %s", strerror(errno));

		for (i = 0; i < prog.len; i++) {
			struct sock_filter *f = &prog.filter[i];

			if (f->code == (BPF_RET | BPF_K) &&
			    f->k == SECCOMP_RET_KILL_PROCESS)
				f->k = SECCOMP_RET_TRAP;
		}
		warn("seccomp: debug mode, blocked calls are only logged");
	}

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die("Can't set no_new_privs: %s", strerror(errno));

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
		die("Can't install seccomp filter: %s", strerror(errno));
}

/**
 * isolate_keep_open() - Open a file to be re-read after isolation
 * @path:	Absolute path, e.g. "/proc/net/tcp6" (from ns_call() for pasta's
 *		namespace: /proc/self/net/... of the calling task)
 *
 * Re-read it later with isolate_reread(). Only before isolate_prefork().
 *
 * Return: file descriptor (O_RDONLY, O_CLOEXEC), or -1 with errno set
 */
int isolate_keep_open(const char *path)
{
	if (isolated) {
		warn("Opening %s after isolation: not reachable", path);
		errno = ENOENT;
		return -1;
	}
	return open(path, O_RDONLY | O_CLOEXEC);
}

/**
 * isolate_reread() - Read a kept file (e.g. /proc/net/tcp) from the start
 * @fd:		Descriptor from isolate_keep_open()
 * @buf:	Buffer, NUL-terminated on return
 * @size:	Size of @buf
 * @off:	Offset to read from: 0, then previous offset + returned bytes
 *		to read a file larger than @buf in chunks
 *
 * Return: bytes read (0 at end of file), or -1 with errno set
 *
 * #syscalls pread64
 */
ssize_t isolate_reread(int fd, char *buf, size_t size, off_t off)
{
	size_t total = 0;

	if (!size) {
		errno = EINVAL;
		return -1;
	}

	while (total < size - 1) {
		ssize_t n = pread(fd, buf + total, size - 1 - total,
				  off + total);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!n)
			break;
		total += n;
	}
	buf[total] = '\0';
	return total;
}
