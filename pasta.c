/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pasta.c - pasta: network namespace creation, joining and configuration
 *
 * pasta connects a network namespace to the host through a tap device. The
 * namespace is either one we create for a command (with a user namespace,
 * unless we are root already) or an existing one, given by PID or path.
 * Once our tap is there, --config-net mirrors the host's configuration in
 * it; finally we watch the namespace, and exit when it goes away.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/nsfs.h>

#include "passt.h"
#include "conf.h"
#include "pasta.h"
#include "hostwatch.h"
#include "netlink.h"
#include "util.h"
#include "log.h"

/* Poll interval for namespaces given as /proc/PID/ns/net, seconds */
#define PASTA_QUIT_POLL_S	1

static pid_t pasta_child_pid;		/* command's parent, 0 if none */
static volatile pid_t pasta_init_pid;	/* in our child: the command */
static int pasta_go_fd = -1;		/* write end: let the command run */

/* Namespace watch, prepared while we can still see the filesystem */
static int pasta_quit_fd = -1;			/* inotify or timerfd */
static enum epoll_type pasta_quit_type;		/* NSQUIT_INOTIFY or _TIMER */
static int pasta_quit_dirfd = -1;		/* directory of the netns file */
static char pasta_quit_name[NAME_MAX + 1];	/* netns file name in it */
static dev_t pasta_quit_dev;			/* identity of the netns */
static ino_t pasta_quit_ino;

/**
 * enum pasta_child_step - Where the child failed setting itself up
 */
enum pasta_child_step {
	STEP_OK = 0,
	STEP_UNSHARE,
	STEP_UID_MAP,
	STEP_GID_MAP,
	STEP_FORK,
};

static const char *pasta_child_step_str[] = {
	"", "create namespaces", "set up UID map", "set up GID map",
	"start the first process of the PID namespace",
};

/**
 * struct pasta_child_status - Report of the child to the parent
 * @step:	enum pasta_child_step
 * @err:	errno at that step
 */
struct pasta_child_status {
	int step;
	int err;
};

/**
 * pasta_child_report() - Tell the parent how setting up went
 * @fd:		Write end of the status pipe
 * @step:	enum pasta_child_step
 * @err:	errno, or 0
 */
static void pasta_child_report(int fd, enum pasta_child_step step, int err)
{
	struct pasta_child_status s = { .step = step, .err = err };

	if (write(fd, &s, sizeof(s)) < 0)
		_exit(1);
	if (step != STEP_OK)
		_exit(1);
}

/**
 * pasta_write_proc() - Write a string to a /proc file, from the child
 * @path:	File path
 * @s:		String
 *
 * Return: 0 on success, -1 with errno set on failure
 */
static int pasta_write_proc(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd, rc = 0;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	if (write(fd, s, len) != (ssize_t)len)
		rc = -1;
	close(fd);
	return rc;
}

/**
 * pasta_cmd() - PID 1 of the new PID namespace: mount /proc, wait, exec
 * @st:		Write end of the status pipe
 * @go:		Read end of the pipe pasta_ns_ready() writes to
 * @path:	Executable (looked up in $PATH if it has no slash)
 * @argv:	Arguments, NULL-terminated
 */
static void pasta_cmd(int st, int go, const char *path, char **argv)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;
	int sig;
	char c;

	/* If our parent goes, so do we, and with us, as we're PID 1,
	 * everything else in the namespace. Only as long as exec() doesn't
	 * raise our capabilities (root): then pasta_child_sig() does it
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

	/* A /proc of our own, so that ps(1) and kill(1) see the processes of
	 * the namespace only. Not fatal: a container around us may forbid it
	 */
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL))
		warn("Couldn't mount /proc in the namespace: %s",
		     strerror(errno));

	pasta_child_report(st, STEP_OK, 0);
	close(st);

	/* pasta went away before it was ready: don't run anything */
	if (read(go, &c, 1) != 1)
		_exit(1);
	close(go);

	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (strchr(path, '/'))
		execv(path, argv);
	else
		execvp(path, argv);

	fprintf(stderr, "pasta: Couldn't run %s: %s\n", path, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/**
 * pasta_child_sig() - In our child: pasta is gone, or a signal ends us
 * @sig:	Signal number
 *
 * The command is PID 1 of its namespace: only SIGKILL from outside ends it
 * for sure (and with it the whole namespace), whatever handlers it has.
 */
static void pasta_child_sig(int sig)
{
	(void)sig;

	if (pasta_init_pid > 0)
		kill(pasta_init_pid, SIGKILL);	/* waitpid() returns */
	else
		_exit(1);	/* It will see pasta gone, and exit */
}

/**
 * pasta_child() - Child: enter new namespaces, start the command as PID 1
 * @st:		Write end of the status pipe
 * @go:		Read end of the pipe pasta_ns_ready() writes to
 * @uid:	Our effective UID, to map to root
 * @gid:	Our effective GID, to map to root
 * @userns:	Create a user namespace too
 * @path:	Executable (looked up in $PATH if it has no slash)
 * @argv:	Arguments, NULL-terminated
 *
 * A new PID namespace applies to children only: we fork its first process,
 * which runs the command, wait for it, and exit with its status, 128 plus
 * the signal number if it was killed.
 */
static void pasta_child(int st, int go, uid_t uid, gid_t gid, bool userns,
			const char *path, char **argv)
{
	int flags = CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
		    CLONE_NEWPID;
	char buf[HOST_NAME_MAX + 1 + sizeof("pasta-")];
	struct sigaction sa = { .sa_handler = SIG_DFL };
	char host[HOST_NAME_MAX + 1] = { 0 };
	pid_t ppid = getppid(), pid;
	int sig, status;
	sigset_t mask;

	/* pasta's handlers aren't for us. Signals that end us end the
	 * command first, and so does pasta's exit, by SIGTERM
	 */
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP ||
		    sig == SIGQUIT)
			sa.sa_handler = pasta_child_sig;
		else
			sa.sa_handler = SIG_DFL;
		sigaction(sig, &sa, NULL);
	}

	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	if (getppid() != ppid)
		_exit(1);

	if (userns)
		flags |= CLONE_NEWUSER;

	if (unshare(flags))
		pasta_child_report(st, STEP_UNSHARE, errno);

	if (userns) {
		/* Kernels before 3.19 have no setgroups file: fine */
		pasta_write_proc("/proc/self/setgroups", "deny");

		snprintf(buf, sizeof(buf), "0 %u 1", uid);
		if (pasta_write_proc("/proc/self/uid_map", buf))
			pasta_child_report(st, STEP_UID_MAP, errno);

		snprintf(buf, sizeof(buf), "0 %u 1", gid);
		if (pasta_write_proc("/proc/self/gid_map", buf))
			pasta_child_report(st, STEP_GID_MAP, errno);
	}

	/* Our mounts shouldn't propagate back to the host: best effort */
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);

	if (!gethostname(host, sizeof(host) - 1)) {
		snprintf(buf, sizeof(buf), "pasta-%s", host);
		buf[HOST_NAME_MAX] = 0;
		if (sethostname(buf, strlen(buf)))
			debug("Couldn't set hostname");	/* Cosmetic */
	}

	/* Ping sockets for everybody: with a user namespace, only the groups
	 * mapped in it are valid, that is, only root
	 */
	if (pasta_write_proc("/proc/sys/net/ipv4/ping_group_range",
			     "0 2147483647"))
		pasta_write_proc("/proc/sys/net/ipv4/ping_group_range", "0 0");

	/* Not before pasta_child_sig() knows whom to kill */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	if ((pid = fork()) < 0)
		pasta_child_report(st, STEP_FORK, errno);
	if (!pid)
		pasta_cmd(st, go, path, argv);	/* unblocks them, execs */
	pasta_init_pid = pid;
	sigprocmask(SIG_UNBLOCK, &mask, NULL);

	/* pasta must see the end of the status pipe if PID 1 dies early */
	close(st);
	close(go);
#ifdef SYS_close_range
	syscall(SYS_close_range, STDERR_FILENO + 1, ~0U, 0);
#endif

	while (waitpid(pid, &status, 0) != pid) {
		if (errno != EINTR)
			_exit(1);
	}

	if (WIFSIGNALED(status))
		_exit(128 + WTERMSIG(status));
	_exit(WEXITSTATUS(status));
}

/**
 * pasta_shell() - Shell to spawn without a command: $SHELL or /bin/sh
 * @argv0:	Set to its name as login shell, "-" and base name
 * @size:	Size of @argv0
 *
 * Return: path of the shell
 */
static const char *pasta_shell(char *argv0, size_t size)
{
	const char *sh = getenv("SHELL"), *base;

	if (!sh || *sh != '/' || access(sh, X_OK))
		sh = "/bin/sh";

	base = strrchr(sh, '/') + 1;
	snprintf(argv0, size, "-%s", base);
	return sh;
}

/**
 * pasta_ns_open_fd() - Open a namespace file, exit on failure
 * @path:	Path
 * @what:	"network" or "user"
 * @type:	CLONE_NEWNET or CLONE_NEWUSER, checked if the kernel can tell
 *
 * Return: file descriptor
 */
static int pasta_ns_open_fd(const char *path, const char *what, int type)
{
	int fd, t;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die("Couldn't open %s namespace %s: %s", what, path,
		    strerror(errno));

	t = ioctl(fd, NS_GET_NSTYPE);
	if (t >= 0 && t != type)
		die("%s is not a %s namespace", path, what);

	return fd;
}

/**
 * pasta_same_ns() - Is a namespace the one we are in?
 * @fd:		Namespace file descriptor
 * @self:	Our own, e.g. /proc/self/ns/user
 *
 * Return: true if it's the same namespace
 */
static bool pasta_same_ns(int fd, const char *self)
{
	struct stat a, b;

	if (fstat(fd, &a) || stat(self, &b))
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/**
 * pasta_join_userns() - Join the user namespace owning the target, if needed
 * @c:		Execution context, with pasta_userns_fd open
 *
 * As root, we already have every capability over the namespaces of our
 * descendants, and joining would only take away what we have in the
 * initial namespace (binding low ports, say): don't.
 */
static void pasta_join_userns(const struct ctx *c)
{
	if (c->pasta_userns_fd < 0 || !geteuid())
		return;

	if (pasta_same_ns(c->pasta_userns_fd, "/proc/self/ns/user"))
		return;

	if (setns(c->pasta_userns_fd, CLONE_NEWUSER))
		die("Couldn't join user namespace %s: %s",
		    *c->userns_path ? c->userns_path : "of target",
		    strerror(errno));
}

/**
 * pasta_quit_prep() - Prepare the watch on the namespace, before isolation
 * @c:		Execution context, with the netns open
 *
 * Once we're isolated, the namespace file is out of sight: keep a handle
 * on its directory, and set up the inotify watch (a namespace file from
 * "ip netns add" or podman) or the poll timer (/proc/PID/ns/net, which
 * inotify can't watch) right away.
 */
static void pasta_quit_prep(const struct ctx *c)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (c->no_netns_quit || !*c->netns_path)
		return;

	if (fstat(c->pasta_netns_fd, &st))
		die("Couldn't stat network namespace: %s", strerror(errno));
	pasta_quit_dev = st.st_dev;
	pasta_quit_ino = st.st_ino;

	snprintf(dir, sizeof(dir), "%s", c->netns_path);
	if (!(slash = strrchr(dir, '/')) || !slash[1])
		die("Can't watch network namespace %s", c->netns_path);
	snprintf(pasta_quit_name, sizeof(pasta_quit_name), "%s", slash + 1);
	if (slash == dir)
		slash[1] = 0;	/* The root directory */
	else
		*slash = 0;

	pasta_quit_dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pasta_quit_dirfd < 0)
		die("Couldn't open %s: %s", dir, strerror(errno));

	if (!strncmp(dir, "/proc/", strlen("/proc/"))) {
		pasta_quit_fd = timerfd_create(CLOCK_MONOTONIC,
					       TFD_NONBLOCK | TFD_CLOEXEC);
		if (pasta_quit_fd < 0)
			die("Couldn't set up namespace timer: %s",
			    strerror(errno));
		pasta_quit_type = EPOLL_TYPE_NSQUIT_TIMER;
		return;
	}

	pasta_quit_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (pasta_quit_fd < 0)
		die("Couldn't set up inotify: %s", strerror(errno));
	if (inotify_add_watch(pasta_quit_fd, dir,
			      IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF) < 0)
		die("Couldn't watch %s: %s", dir, strerror(errno));
	pasta_quit_type = EPOLL_TYPE_NSQUIT_INOTIFY;
}

/**
 * pasta_quit_gone() - Is the namespace file gone, or another namespace now?
 *
 * Return: true if so (a /proc/PID target exited, PID reused, file deleted)
 *
 * #syscalls:pasta newfstatat fstatat64 statx
 */
static bool pasta_quit_gone(void)
{
	struct stat st;

	if (fstatat(pasta_quit_dirfd, pasta_quit_name, &st, 0))
		return errno == ENOENT || errno == ESRCH;

	return st.st_dev != pasta_quit_dev || st.st_ino != pasta_quit_ino;
}

/**
 * pasta_start_ns() - Create namespaces for a command, as for a container
 * @c:		Execution context
 * @argc:	Number of arguments of the command (0: spawn $SHELL)
 * @argv:	Command and arguments, NULL-terminated
 *
 * Network, mount, IPC, UTS and PID namespaces (and a user namespace unless
 * we are root), a /proc of their own, hostname prefixed with "pasta-". The
 * command is PID 1 there: it waits until pasta_ns_ready() lets it exec.
 * Our child is its parent, whose exit status is the command's. Sets
 * c->pasta_netns_fd (and the userns one). Exits on failure.
 */
void pasta_start_ns(struct ctx *c, int argc, char **argv)
{
	static char sh_argv0[PATH_MAX];
	static char *sh_argv[2];
	struct pasta_child_status s;
	bool userns = geteuid() != 0;
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char path[PATH_MAX];
	int go[2], st[2];
	const char *exe;
	ssize_t n;
	pid_t pid;

	if (argc > 0) {
		exe = argv[0];
	} else {
		exe = pasta_shell(sh_argv0, sizeof(sh_argv0));
		sh_argv[0] = sh_argv0;
		sh_argv[1] = NULL;
		argv = sh_argv;
	}

	if (pipe2(go, O_CLOEXEC) || pipe2(st, O_CLOEXEC))
		die("Couldn't create pipes: %s", strerror(errno));

	fflush(stdout);
	fflush(stderr);

	if ((pid = fork()) < 0)
		die("Couldn't fork: %s", strerror(errno));

	if (!pid) {
		close(go[1]);
		close(st[0]);
		pasta_child(st[1], go[0], uid, gid, userns, exe, argv);
		_exit(1);
	}

	close(go[0]);
	close(st[1]);

	do
		n = read(st[0], &s, sizeof(s));
	while (n < 0 && errno == EINTR);
	close(st[0]);

	if (n != sizeof(s) || s.step != STEP_OK) {
		waitpid(pid, NULL, 0);
		if (n != sizeof(s))
			die("Couldn't set up namespaces for %s", exe);
		if (s.step < 0 || s.step > STEP_FORK)
			s.step = STEP_UNSHARE;
		die("Couldn't %s for %s: %s", pasta_child_step_str[s.step],
		    exe, strerror(s.err));
	}

	pasta_child_pid = pid;
	pasta_go_fd = go[1];

	if (userns) {
		snprintf(path, sizeof(path), "/proc/%i/ns/user", pid);
		c->pasta_userns_fd = pasta_ns_open_fd(path, "user",
						      CLONE_NEWUSER);
	}
	snprintf(path, sizeof(path), "/proc/%i/ns/net", pid);
	c->pasta_netns_fd = pasta_ns_open_fd(path, "network", CLONE_NEWNET);

	pasta_join_userns(c);

	nl_sock_init(c, true);
	debug("Spawned %s in new namespaces, as PID 1 there, child of %i",
	      exe, pid);
}

/**
 * pasta_open_ns() - Open the target namespace given by PID or --netns
 * @c:		Execution context
 *
 * Sets c->pasta_netns_fd (and joins the user namespace unless
 * --netns-only). Exits on failure.
 */
void pasta_open_ns(struct ctx *c)
{
	if (c->pasta_pid) {
		if (!*c->netns_path)
			snprintf(c->netns_path, sizeof(c->netns_path),
				 "/proc/%i/ns/net", c->pasta_pid);
		if (!*c->userns_path && !c->netns_only)
			snprintf(c->userns_path, sizeof(c->userns_path),
				 "/proc/%i/ns/user", c->pasta_pid);
	} else if (*c->netns_path && !strchr(c->netns_path, '/')) {
		char name[PATH_MAX];

		/* A bare name, as ip-netns(8) has it */
		snprintf(name, sizeof(name), "%s", c->netns_path);
		if (snprintf(c->netns_path, sizeof(c->netns_path),
			     "/run/netns/%s", name) >=
		    (int)sizeof(c->netns_path))
			die("Network namespace name too long: %s", name);
	}

	if (!*c->netns_path)
		die("No target namespace given");

	c->pasta_netns_fd = pasta_ns_open_fd(c->netns_path, "network",
					     CLONE_NEWNET);

	if (*c->userns_path && !c->netns_only) {
		c->pasta_userns_fd = pasta_ns_open_fd(c->userns_path, "user",
						      CLONE_NEWUSER);
		pasta_join_userns(c);
	}

	if (pasta_same_ns(c->pasta_netns_fd, "/proc/self/ns/net"))
		die("Network namespace %s is our own: refusing to use it",
		    c->netns_path);

	nl_sock_init(c, true);
	pasta_quit_prep(c);
}

/**
 * pasta_no_dad() - Disable DAD on the tap, inside the namespace
 * @arg:	Interface name
 *
 * Our link-local address is then usable at once, like the global ones we
 * add with IFA_F_NODAD. Nobody else is on that link anyway.
 *
 * Return: 0 on success, -1 on failure
 */
static int pasta_no_dad(void *arg)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_dad",
		 (const char *)arg);
	return write_file(path, "0");
}

/**
 * pasta_ns_conf_af() - Addresses and routes of one family in the namespace
 * @c:		Execution context
 * @ifi:	Index of our tap interface in the namespace
 * @af:		AF_INET or AF_INET6
 *
 * Copies those of the template interface, or sets just the address and
 * default route (--no-copy-addrs, --no-copy-routes, local mode).
 *
 * Return: NULL on success, what failed otherwise
 */
static const char *pasta_ns_conf_af(const struct ctx *c, unsigned int ifi,
				    int af)
{
	if (af == AF_INET) {
		/* Local mode: no template, nothing to copy */
		if (c->ip4.no_copy_addrs || c->ifi4 == IFI_LOCAL) {
			if (nl_addr_set(ifi, AF_INET, &c->ip4.addr,
					c->ip4.prefix_len))
				return "Couldn't set IPv4 address in namespace";
		} else if (nl_addr_dup(c->ifi4, ifi, AF_INET)) {
			return "Couldn't copy IPv4 addresses to namespace";
		}

		if (c->ip4.no_copy_routes || c->ifi4 == IFI_LOCAL) {
			if (c->ip4.gw.s_addr &&
			    nl_route_set_def(ifi, AF_INET, &c->ip4.gw))
				return "Couldn't set IPv4 default route in "
				       "namespace";
		} else if (nl_route_dup(c->ifi4, ifi, AF_INET)) {
			return "Couldn't copy IPv4 routes to namespace";
		}
		return NULL;
	}

	if (c->ip6.no_copy_addrs || c->ifi6 == IFI_LOCAL) {
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr) &&
		    nl_addr_set(ifi, AF_INET6, &c->ip6.addr, c->ip6.prefix_len))
			return "Couldn't set IPv6 address in namespace";
	} else if (nl_addr_dup(c->ifi6, ifi, AF_INET6)) {
		return "Couldn't copy IPv6 addresses to namespace";
	}

	if (c->ip6.no_copy_routes || c->ifi6 == IFI_LOCAL) {
		if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw) &&
		    nl_route_set_def(ifi, AF_INET6, &c->ip6.gw))
			return "Couldn't set IPv6 default route in namespace";
	} else if (nl_route_dup(c->ifi6, ifi, AF_INET6)) {
		return "Couldn't copy IPv6 routes to namespace";
	}
	return NULL;
}

/**
 * pasta_ns_conf() - Configure the namespace: loopback up and, with
 *		     --config-net, the tap link, addresses, routes and MTU
 * @c:		Execution context
 *
 * Exits on failure.
 */
void pasta_ns_conf(struct ctx *c)
{
	unsigned int lo, ifi;
	const char *e;

	nl_sock_init(c, true);

	if (!(lo = nl_link_index(true, "lo")) || nl_link_up(lo, 0))
		die("Couldn't bring up loopback interface in namespace");

	if (c->splice_only)	/* no tap device: loopback is all there is */
		return;

	ifi = c->pasta_ifi;
	if (!ifi && *c->pasta_ifname)
		ifi = c->pasta_ifi = nl_link_index(true, c->pasta_ifname);

	if (!ifi) {
		if (c->pasta_conf_ns)
			die("No tap interface to configure in namespace");
		return;
	}

	if (c->pasta_conf_ns) {
		static const unsigned char zero[ETH_ALEN];

		if (memcmp(c->ns_mac, zero, ETH_ALEN) &&
		    nl_link_set_mac(ifi, c->ns_mac))
			die("Couldn't set MAC address in namespace");

		if (c->ifi6 && *c->pasta_ifname)
			ns_call(c, pasta_no_dad, c->pasta_ifname);

		if (nl_link_up(ifi, c->mtu))
			die("Couldn't bring up %s in namespace",
			    c->pasta_ifname);

		if (c->ifi4 && (e = pasta_ns_conf_af(c, ifi, AF_INET)))
			die("%s", e);
		if (c->ifi6 && (e = pasta_ns_conf_af(c, ifi, AF_INET6)))
			die("%s", e);
	}

	/* Frames to the namespace go to the tap's own address */
	nl_link_get_mac(true, ifi, c->guest_mac);
}

/**
 * pasta_ns_follow() - The host changed: set the namespace up again
 * @c:		Execution context, with the new configuration
 * @m:		What changed, HW_* bits of hostwatch.h
 *
 * For each family that changed, its addresses and routes on our tap are
 * removed, then set as at start. Link-local ones stay.
 */
void pasta_ns_follow(const struct ctx *c, unsigned int m)
{
	unsigned int ifi = c->pasta_ifi;
	const char *e;

	if (!c->pasta_conf_ns || !ifi)
		return;

	if ((m & HW_V4) && c->ifi4) {
		nl_flush(ifi, AF_INET);
		if ((e = pasta_ns_conf_af(c, ifi, AF_INET)))
			warn("%s", e);
	}
	if ((m & HW_V6) && c->ifi6) {
		nl_flush(ifi, AF_INET6);
		if ((e = pasta_ns_conf_af(c, ifi, AF_INET6)))
			warn("%s", e);
	}
}

/**
 * pasta_ns_ready() - Let the spawned command run, now that all is set up
 * @c:		Execution context
 *
 * #syscalls:pasta write close
 */
void pasta_ns_ready(struct ctx *c)
{
	char go = 1;

	(void)c;

	if (pasta_go_fd < 0)
		return;

	if (write(pasta_go_fd, &go, 1) != 1)
		warn("Couldn't start command in namespace: %s",
		     strerror(errno));
	close(pasta_go_fd);
	pasta_go_fd = -1;
}

/**
 * pasta_netns_quit_init() - Watch the namespace so we exit when it is gone
 * @c:		Execution context
 *
 * A namespace file (--netns PATH) is watched with inotify on its directory;
 * /proc/PID/ns/net (a PID target) can't be, we poll it with a timer.
 * Nothing to do for a command we spawned: its exit ends us.
 *
 * #syscalls:pasta timerfd_settime
 */
void pasta_netns_quit_init(struct ctx *c)
{
	union epoll_ref ref = { .type = pasta_quit_type, .fd = pasta_quit_fd };

	if (pasta_quit_fd < 0)
		return;

	/* Gone before we started watching? */
	if (pasta_quit_gone()) {
		info("Namespace %s is gone, exiting", c->netns_path);
		exit(EXIT_SUCCESS);
	}

	if (pasta_quit_type == EPOLL_TYPE_NSQUIT_TIMER) {
		struct itimerspec it = {
			.it_interval = { .tv_sec = PASTA_QUIT_POLL_S },
			.it_value = { .tv_sec = PASTA_QUIT_POLL_S },
		};

		if (timerfd_settime(pasta_quit_fd, 0, &it, NULL))
			die("Couldn't set namespace timer: %s",
			    strerror(errno));
	}

	if (pasta_quit_fd > FD_REF_MAX)
		die("File descriptor number too big for epoll");
	if (passt_epoll_add(c, EPOLLIN, ref))
		die("Couldn't add namespace watch to epoll set");
}

/**
 * pasta_quit_inotify() - Read inotify events: is our netns file gone?
 * @fd:		inotify descriptor
 *
 * Return: true if the namespace file or its directory went away
 */
static bool pasta_quit_inotify(int fd)
{
	char buf[sizeof(struct inotify_event) + NAME_MAX + 1]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	bool gone = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		size_t off = 0;

		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			const struct inotify_event *ev;

			ev = (const struct inotify_event *)(buf + off);
			if (off + sizeof(*ev) + ev->len > (size_t)n)
				break;

			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
					IN_UNMOUNT))
				gone = true;

			if ((ev->mask & IN_DELETE) && ev->len &&
			    strnlen(ev->name, ev->len) ==
			    strlen(pasta_quit_name) &&
			    !strncmp(ev->name, pasta_quit_name, ev->len))
				gone = true;

			off += sizeof(*ev) + ev->len;
		}
	}

	return gone;
}

/**
 * pasta_netns_quit_handler() - The namespace may be gone: check, exit
 * @c:		Execution context
 * @ref:	epoll reference (NSQUIT_INOTIFY or NSQUIT_TIMER)
 *
 * #syscalls:pasta read exit_group
 */
void pasta_netns_quit_handler(struct ctx *c, union epoll_ref ref)
{
	bool gone = false;

	if (ref.type == EPOLL_TYPE_NSQUIT_INOTIFY) {
		/* After isolation, a stat() through the directory handle
		 * sees the file below the namespace bind mount, not the
		 * namespace: trust the event name only.
		 */
		gone = pasta_quit_inotify(ref.fd);
	} else if (ref.type == EPOLL_TYPE_NSQUIT_TIMER) {
		uint64_t exp;

		if (read(ref.fd, &exp, sizeof(exp)) < 0 && errno == EAGAIN)
			return;
		gone = pasta_quit_gone();
	}

	if (gone) {
		info("Namespace %s is gone, exiting", c->netns_path);
		exit(EXIT_SUCCESS);
	}
}

/**
 * pasta_child_exited() - Reap the spawned command; exit with its status
 * @c:		Execution context
 *
 * Called on SIGCHLD (from the main loop, not the signal handler), and
 * harmless at any other time: the command's status becomes ours, 128 plus
 * the signal number if it was killed.
 *
 * #syscalls:pasta wait4 waitid exit_group
 */
void pasta_child_exited(struct ctx *c)
{
	int status;
	pid_t pid;

	(void)c;

	if (!pasta_child_pid)
		return;

	do
		pid = waitpid(pasta_child_pid, &status, WNOHANG);
	while (pid < 0 && errno == EINTR);

	if (pid < 0 && errno == ECHILD) {
		/* Somebody else reaped it: we can't know how it went */
		err("Lost track of spawned command");
		exit(EXIT_FAILURE);
	}

	if (pid != pasta_child_pid)
		return;

	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		exit(128 + WTERMSIG(status));
}
