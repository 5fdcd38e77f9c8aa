// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * passt.c - Entry point: mode selection, start-up sequence, epoll loop
 *
 * One binary, two modes: passt (a VM attached to a UNIX socket) and pasta
 * (a network namespace through a tap device), picked by the name we are run
 * as. Everything happens in one single-threaded epoll loop: each file
 * descriptor carries a 64-bit reference whose type selects the handler.
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include "passt.h"
#include "util.h"
#include "log.h"
#include "conf.h"
#include "tap.h"
#include "pcap.h"
#include "flow.h"
#include "netlink.h"
#include "pasta.h"
#include "icmp.h"
#include "udp.h"
#include "tcp.h"
#include "tcp_splice.h"
#include "fwd_scan.h"
#include "ndp.h"
#include "dhcpv6.h"
#include "isolation.h"
#include "hostwatch.h"
#include "ctl.h"

#define EPOLL_EVENTS		8
#define TIMER_INTERVAL_MS	1000

static struct ctx c;
static volatile sig_atomic_t child_exited;
static volatile sig_atomic_t flow_dump_req;	/* SIGUSR1: list flows */
static int devnull_fd = -1;	/* opened before isolation, for daemonise() */

/* #syscalls exit_group exit rt_sigreturn */
static void exit_handler(int sig)
{
	(void)sig;
	_exit(EXIT_SUCCESS);
}

static void chld_handler(int sig)
{
	(void)sig;
	child_exited = 1;
}

static void usr1_handler(int sig)
{
	(void)sig;
	flow_dump_req = 1;
}

/* Mode from the name we were called with: pasta, passt4netns or passt */
static enum passt_mode mode_from_name(const char *argv0)
{
	char buf[PATH_MAX];
	const char *name;

	snprintf(buf, sizeof(buf), "%s", argv0);
	name = basename(buf);

	if (strstr(name, "pasta") || strstr(name, "passt4netns"))
		return MODE_PASTA;
	if (strstr(name, "passt"))
		return MODE_PASST;

	fprintf(stderr, "Invalid name %s: call me passt or pasta\n", name);
	exit(EXIT_FAILURE);
}

/* Raise the soft limit of open files to the hard one: -t all needs many */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void signals_init(void)
{
	struct sigaction sa = { .sa_handler = exit_handler };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);

	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	sa.sa_handler = chld_handler;
	sigaction(SIGCHLD, &sa, NULL);

	sa.sa_handler = usr1_handler;
	sigaction(SIGUSR1, &sa, NULL);
}

static void timer_init(void)
{
	struct itimerspec it = {
		.it_interval = { .tv_nsec = TIMER_INTERVAL_MS * 1000000L },
		.it_value = { .tv_nsec = TIMER_INTERVAL_MS * 1000000L },
	};
	union epoll_ref ref = { .type = EPOLL_TYPE_TIMER };
	int fd;

	if (TIMER_INTERVAL_MS >= 1000) {
		it.it_interval.tv_sec = it.it_value.tv_sec =
			TIMER_INTERVAL_MS / 1000;
		it.it_interval.tv_nsec = it.it_value.tv_nsec =
			(TIMER_INTERVAL_MS % 1000) * 1000000L;
	}

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0 || timerfd_settime(fd, 0, &it, NULL))
		die("Can't set up timer: %s", strerror(errno));
	ref.fd = fd;
	if (passt_epoll_add(&c, EPOLLIN, ref))
		die("Can't add timer to epoll set");
}

/* Periodic work of every protocol
 * #syscalls read
 */
static void timer_handler(int fd, const struct timespec *now)
{
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return;

	if (!c.no_icmp)
		icmp_timer(&c, now);
	if (!c.no_udp)
		udp_timer(&c, now);
	if (!c.no_tcp)
		tcp_timer(&c, now);
	if (c.mode == MODE_PASTA) {
		if (!c.no_tcp)
			tcp_splice_timer(&c, now);
		fwd_scan_timer(&c, now);
	}
	if (c.ifi6 && !c.no_ndp)
		ndp_timer(&c, now);
	if (c.mode == MODE_PASTA)
		pasta_child_exited(&c);
	ctl_timer(&c, now);
}

/* Open the pid file now: later we may no longer be allowed to */
static void pidfile_open(void)
{
	c.pidfile_fd = -1;
	if (!*c.pidfile)
		return;

	c.pidfile_fd = open(c.pidfile, O_WRONLY | O_CREAT | O_TRUNC |
				       O_CLOEXEC, 0644);
	if (c.pidfile_fd < 0)
		die("Couldn't open PID file %s: %s", c.pidfile,
		    strerror(errno));
}

static void pidfile_write(pid_t pid)
{
	char buf[32];
	int n;

	if (c.pidfile_fd < 0)
		return;

	n = snprintf(buf, sizeof(buf), "%d\n", pid);
	if (write_all(c.pidfile_fd, buf, n))
		die("Couldn't write PID file %s: %s", c.pidfile,
		    strerror(errno));
	close(c.pidfile_fd);
	c.pidfile_fd = -1;
}

/*
 * Go to background once everything is set up, so that whoever started us
 * can start the guest as soon as we return: the parent writes the PID file
 * and exits 0.
 */
static void daemonise(void)
{
	pid_t pid;
	int fd;

	pid = fork();
	if (pid < 0)
		die("Couldn't fork: %s", strerror(errno));
	if (pid) {
		pidfile_write(pid);
		_exit(EXIT_SUCCESS);
	}

	if (c.pidfile_fd >= 0)
		close(c.pidfile_fd);
	c.pidfile_fd = -1;

	setsid();
	fd = devnull_fd;
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_to_syslog();
}

/* --stats: events handled per epoll type, and when we last printed them */
static unsigned long stats_n[EPOLL_TYPE_MAX];
static unsigned long stats_total, stats_printed;
static time_t stats_last;

static const char *const stats_name[EPOLL_TYPE_MAX] = {
	"none", "tap-listen", "tap-passt", "tap-pasta", "timer",
	"nsquit-inotify", "nsquit-timer", "icmp", "udp-listen", "udp-reply",
	"tcp-listen", "tcp", "tcp-timer", "tcp-splice", "hostwatch",
	"vhost-cmd", "vhost-kick", "ctl-listen", "ctl",
};

/**
 * stats_print() - Log the event counts, if new ones and due (--stats)
 * @now:	Current time
 */
static void stats_print(const struct timespec *now)
{
	char line[512] = "";
	size_t n = 0;
	int i;

	if (stats_total == stats_printed ||
	    now->tv_sec - stats_last < (time_t)c.stats)
		return;

	for (i = 0; i < EPOLL_TYPE_MAX; i++) {
		if (!stats_n[i] || n >= sizeof(line))
			continue;
		n += snprintf(line + n, sizeof(line) - n, " %s %lu",
			      stats_name[i] ? stats_name[i] : "?", stats_n[i]);
	}
	info("Events:%s", line);
	stats_printed = stats_total;
	stats_last = now->tv_sec;
}

static void dispatch(union epoll_ref ref, uint32_t events,
		     const struct timespec *now)
{
	if (ref.type < EPOLL_TYPE_MAX) {
		stats_n[ref.type]++;
		stats_total++;
	}

	switch (ref.type) {
	case EPOLL_TYPE_TAP_LISTEN:
	case EPOLL_TYPE_TAP_PASST:
	case EPOLL_TYPE_TAP_PASTA:
	case EPOLL_TYPE_VHOST_CMD:
	case EPOLL_TYPE_VHOST_KICK:
		tap_handler(&c, ref, events, now);
		break;
	case EPOLL_TYPE_TIMER:
		timer_handler(ref.fd, now);
		break;
	case EPOLL_TYPE_NSQUIT_INOTIFY:
	case EPOLL_TYPE_NSQUIT_TIMER:
		pasta_netns_quit_handler(&c, ref);
		break;
	case EPOLL_TYPE_ICMP:
		icmp_sock_handler(&c, ref, events, now);
		break;
	case EPOLL_TYPE_UDP_LISTEN:
	case EPOLL_TYPE_UDP_REPLY:
		udp_sock_handler(&c, ref, events, now);
		break;
	case EPOLL_TYPE_TCP_LISTEN:
	case EPOLL_TYPE_TCP:
	case EPOLL_TYPE_TCP_TIMER:
		tcp_sock_handler(&c, ref, events, now);
		break;
	case EPOLL_TYPE_TCP_SPLICE:
		tcp_splice_sock_handler(&c, ref, events);
		break;
	case EPOLL_TYPE_HOSTWATCH:
		hostwatch_handler(&c, ref, now);
		break;
	case EPOLL_TYPE_CTL_LISTEN:
	case EPOLL_TYPE_CTL:
		ctl_handler(&c, ref, events, now);
		break;
	default:
		debug("Unexpected epoll reference type %u", ref.type);
	}
}

/**
 * main() - Set up according to options and the host, then serve events
 * @argc:	Argument count
 * @argv:	Options and, for pasta, the target or command
 *
 * Return: 0 when terminated by a signal or when the guest goes away for
 *	   good, 1 on configuration or set-up errors
 */
int main(int argc, char **argv)
{
	struct epoll_event events[EPOLL_EVENTS];
	long long poll_ns = 0;
	sigset_t mask, wait_mask;

	isolate_initial(argc, argv);

	c.mode = mode_from_name(argv[0]);
	c.fd_tap = c.fd_tap_listen = c.fd_passed = -1;
	c.pasta_netns_fd = c.pasta_userns_fd = c.pidfile_fd = -1;
	log_init(c.mode == MODE_PASTA ? "pasta" : "passt", LOG_INFO, false);

	signals_init();
	raise_nofile();

	c.epollfd = epoll_create1(EPOLL_CLOEXEC);
	if (c.epollfd < 0)
		die("Couldn't create epoll set: %s", strerror(errno));

	conf(&c, argc, argv);

	/* Started as root, we're about to become nobody: the pid file and
	 * passt's socket may be in directories only root can write to
	 * (libvirt's system instance), create them first. The socket first:
	 * if another instance holds it, its pid file stays as it is
	 */
	if (c.mode == MODE_PASST)
		tap_sock_init(&c);
	pidfile_open();
	ctl_init(&c);

	isolate_user(c.uid, c.gid, !c.netns_only, c.userns_path, c.mode);

	if (c.mode == MODE_PASTA) {
		if (c.pasta_pid || *c.netns_path) {
			pasta_open_ns(&c);
		} else {
			int n = 0;

			while (c.pasta_cmd && c.pasta_cmd[n])
				n++;
			pasta_start_ns(&c, n, c.pasta_cmd);
		}
		nl_sock_init(&c, true);
	}

	/* From here on, SIGCHLD and SIGUSR1 are seen only while waiting for
	 * events
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, &wait_mask);
	sigdelset(&wait_mask, SIGCHLD);
	sigdelset(&wait_mask, SIGUSR1);

	if (c.mode == MODE_PASTA) {
		tap_sock_init(&c);
		pasta_ns_conf(&c);
	}

	pcap_init(c.pcap);
	flow_hash_init();
	if (c.ifi6)
		dhcpv6_init(&c);
	if (!c.no_tcp && tcp_init(&c))
		die("Failed to set up TCP port forwarding");
	if (!c.no_tcp && tcp_splice_init(&c))
		die("Failed to set up TCP port forwarding");
	if (!c.no_udp && udp_init(&c))
		die("Failed to set up UDP port forwarding");
	if (c.mode == MODE_PASTA)
		fwd_scan_init(&c);	/* before isolation: opens /proc files */
	timer_init();
	hostwatch_init(&c);	/* before isolation: opens /etc */

	conf_print(&c);
	devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* Checks the namespace file by path: not visible once isolated */
	if (c.mode == MODE_PASTA)
		pasta_netns_quit_init(&c);

	if (!c.foreground)
		log_syslog_prepare();

	/* No host path is reachable after this */
	if (isolate_prefork(&c))
		die("Failed to sandbox process, exiting");

	if (!c.foreground)
		daemonise();
	else
		pidfile_write(getpid());

	if (c.mode == MODE_PASTA)
		pasta_ns_ready(&c);

	isolate_postfork(&c);

	for (;;) {
		struct timespec now;
		int i, n;

		n = passt_epoll_wait(&c, events, EPOLL_EVENTS, &wait_mask,
				     &poll_ns, &now);
		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));

		if (flow_dump_req) {
			flow_dump_req = 0;
			flow_dump((uint32_t)now.tv_sec);
		}

		if (child_exited) {
			child_exited = 0;
			if (c.mode == MODE_PASTA)
				pasta_child_exited(&c);
		}

		for (i = 0; i < n; i++) {
			union epoll_ref ref = { .u64 = events[i].data.u64 };

			dispatch(ref, events[i].events, &now);
		}

		if (!c.no_tcp)
			tcp_defer_handler(&c, &now);
		if (c.stats)
			stats_print(&now);
	}
}
