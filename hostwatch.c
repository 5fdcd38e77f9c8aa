// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hostwatch.c - Follow changes of the host's addresses, routes, resolver
 *
 * The guest gets the host's configuration at start. Hosts move: DHCP hands
 * out a new address, a VPN comes up, resolv.conf is rewritten. We watch:
 *
 * - addresses and routes: an rtnetlink socket subscribed to the address and
 *   route groups of both families, in our (the host's) network namespace;
 * - resolv.conf: inotify on its directory (and on that of the file a
 *   symbolic link points to), plus on the file itself, since a bind-mounted
 *   file is written through another directory.
 *
 * Notifications are not parsed: any of them (re)starts a short one-shot
 * timer, so that a burst of them ends in one re-read, which runs the same
 * logic as start-up (conf_host_reread()) and compares the result with what
 * the guest was given (hostwatch_diff()). What changed is applied to the
 * context, logged in one line each, and passed on: NDP advertises the new
 * prefix (the old one deprecated), pasta --config-net sets the namespace up
 * again, TCP connections whose host-side address is gone are reset. DHCP
 * and DHCPv6 answer from the context anyway: the guest gets the new
 * configuration when it renews, which our shorter lease times make happen
 * within minutes.
 *
 * Options given on the command line are kept by conf_host_reread(), so
 * they always win. A family that started in local mode, or disabled, stays
 * so; a family that loses its template interface or gateway keeps the last
 * configuration (the guest can do nothing better with no route anyway).
 *
 * After isolation no path is reachable: resolv.conf is re-read with
 * openat() relative to a descriptor of its directory, kept from start-up.
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "passt.h"
#include "conf.h"
#include "hostwatch.h"
#include "inany.h"
#include "log.h"
#include "ndp.h"
#include "netlink.h"
#include "pasta.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"

/* A burst of notifications ends in one re-read this long after the last */
#define HW_DEBOUNCE_MS		200

/* Notification reads per event, so that a flood can't keep us here */
#define HW_READS_MAX		64

/* Host addresses we compare connections against, at most */
#define HW_ADDRS_MAX		256

/* ref.data of our descriptors in the epoll set */
enum hw_src {
	HW_SRC_NETLINK = 0,
	HW_SRC_INOTIFY,
	HW_SRC_TIMER,
};

static bool hw_active;		/* watching: not --no-follow, set up */
static int hw_nl = -1;		/* rtnetlink notifications */
static int hw_ino = -1;		/* inotify: resolv.conf */
static int hw_timer = -1;	/* debounce, one-shot */
static int hw_dir = -1;		/* directory of the resolv.conf we read */
static char hw_name[NAME_MAX + 1];	/* its name there */
static char hw_link_name[NAME_MAX + 1];	/* name in /etc, if a link */

/* Host addresses, for hostwatch_addr_gone() */
static union inany_addr hw_addrs[HW_ADDRS_MAX];
static int hw_addrs_n;

/**
 * hostwatch_active() - Are we following the host's configuration?
 *
 * Return: true if the watches are set up (no --no-follow)
 */
bool hostwatch_active(void)
{
	return hw_active;
}

/**
 * hostwatch_epoll_add() - Add one of our descriptors to the epoll set
 * @c:		Execution context
 * @fd:		Descriptor
 * @src:	enum hw_src
 *
 * Return: 0 on success, -1 on failure
 */
static int hostwatch_epoll_add(const struct ctx *c, int fd, enum hw_src src)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_HOSTWATCH, .fd = fd,
				.data = src };

	return passt_epoll_add(c, EPOLLIN, ref);
}

/**
 * hostwatch_resolv_init() - Watch resolv.conf, keep its directory open
 *
 * Return: 0 on success, -1 if resolv.conf can't be watched
 */
static int hostwatch_resolv_init(void)
{
	const uint32_t dir_mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
				  IN_DELETE | IN_MOVED_FROM;
	char path[PATH_MAX], real[PATH_MAX], dir[PATH_MAX];
	char etc[PATH_MAX];

	snprintf(path, sizeof(path), "%s", RESOLV_CONF);
	snprintf(etc, sizeof(etc), "%s", RESOLV_CONF);
	snprintf(hw_link_name, sizeof(hw_link_name), "%s", basename(path));
	dirname(etc);

	hw_ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (hw_ino < 0)
		return -1;

	/* Replaced (new file, or new link target) in its directory */
	if (inotify_add_watch(hw_ino, etc, dir_mask) < 0)
		return -1;

	if (!realpath(RESOLV_CONF, real)) {
		/* No file yet: watch for it in its own directory */
		snprintf(real, sizeof(real), "%s", RESOLV_CONF);
	} else {
		/* Written in place, also through other paths (bind mounts) */
		inotify_add_watch(hw_ino, real, IN_MODIFY | IN_CLOSE_WRITE);
	}

	snprintf(dir, sizeof(dir), "%s", real);
	snprintf(hw_name, sizeof(hw_name), "%s", basename(real));
	dirname(dir);
	if (strcmp(dir, etc) && inotify_add_watch(hw_ino, dir, dir_mask) < 0)
		warn("Can't watch %s for resolver changes: %s", dir,
		     strerror(errno));

	hw_dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (hw_dir < 0)
		return -1;

	return 0;
}

/**
 * hostwatch_init() - Set up the watches, before isolation
 * @c:		Execution context
 *
 * With --no-follow, nothing: the configuration stays what conf() found.
 * Failures are not fatal: we just don't follow what we can't watch.
 */
void hostwatch_init(struct ctx *c)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
			     RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE,
	};

	if (!conf_follows())
		return;

	hw_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (hw_timer < 0 || hostwatch_epoll_add(c, hw_timer, HW_SRC_TIMER)) {
		warn("Can't set up a timer to follow the host: %s",
		     strerror(errno));
		if (hw_timer >= 0)
			close(hw_timer);
		hw_timer = -1;
		return;
	}

	hw_nl = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       NETLINK_ROUTE);
	if (hw_nl < 0 || bind(hw_nl, (struct sockaddr *)&sa, sizeof(sa)) ||
	    hostwatch_epoll_add(c, hw_nl, HW_SRC_NETLINK)) {
		warn("Can't watch host addresses and routes: %s",
		     strerror(errno));
		if (hw_nl >= 0)
			close(hw_nl);
		hw_nl = -1;
	}

	if (hostwatch_resolv_init() ||
	    hostwatch_epoll_add(c, hw_ino, HW_SRC_INOTIFY)) {
		warn("Can't watch %s: %s", RESOLV_CONF, strerror(errno));
		if (hw_ino >= 0)
			close(hw_ino);
		hw_ino = -1;
	}

	hw_active = true;
}

/**
 * hostwatch_arm() - (Re)start the debounce timer
 *
 * #syscalls timerfd_settime
 */
static void hostwatch_arm(void)
{
	struct itimerspec it = {
		.it_value.tv_nsec = HW_DEBOUNCE_MS * 1000000L,
	};

	if (timerfd_settime(hw_timer, 0, &it, NULL))
		debug("Host watch: can't arm timer: %s", strerror(errno));
}

/**
 * hostwatch_netlink() - Drain address and route notifications
 *
 * Return: true if there was anything (or we lost some: overrun)
 *
 * #syscalls recvfrom
 */
static bool hostwatch_netlink(void)
{
	static char buf[8192] __attribute__((aligned(8)));
	bool any = false;
	int i;

	for (i = 0; i < HW_READS_MAX; i++) {
		ssize_t n = recv(hw_nl, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0) {
			any = true;
		} else if (n < 0 && errno == ENOBUFS) {
			any = true;	/* overrun: re-read all anyway */
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			break;
		}
	}

	return any;
}

/**
 * hostwatch_inotify() - Drain resolv.conf notifications
 *
 * Return: true if one may concern resolv.conf
 *
 * #syscalls read
 */
static bool hostwatch_inotify(void)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;
	int i;

	for (i = 0; i < HW_READS_MAX; i++) {
		ssize_t n = read(hw_ino, buf, sizeof(buf));
		size_t off = 0;

		if (n <= 0)
			break;

		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			const struct inotify_event *ev;

			ev = (const struct inotify_event *)(buf + off);
			if (off + sizeof(*ev) + ev->len > (size_t)n)
				break;

			/* The file itself, or its name in a directory */
			if (!ev->len || !strcmp(ev->name, hw_name) ||
			    !strcmp(ev->name, hw_link_name))
				any = true;
			off += sizeof(*ev) + ev->len;
		}
	}

	return any;
}

/**
 * hostwatch_resolv_read() - Read resolv.conf through the kept directory
 *
 * Return: contents, NUL-terminated, or NULL if it can't be read
 *
 * #syscalls openat read close
 */
static char *hostwatch_resolv_read(void)
{
	static char buf[RESOLV_CONF_MAX];
	size_t len = 0;
	int fd;

	if (hw_dir < 0)
		return NULL;

	fd = openat(hw_dir, hw_name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		debug("Host watch: can't open %s again: %s", hw_name,
		      strerror(errno));
		return NULL;
	}

	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;

	return buf;
}

/**
 * hostwatch_diff() - What differs between two configurations
 * @a:		What the guest was given
 * @b:		What the host has now, from conf_host_reread()
 *
 * A family compares only if it has a template interface in both (not
 * disabled, not local mode): we don't enable or disable families on the
 * fly, and keep the last configuration while the host has none.
 *
 * Return: mask of HW_* bits
 */
unsigned int hostwatch_diff(const struct ctx *a, const struct ctx *b)
{
	unsigned int m = 0;
	int i;

	if (a->ifi4 && a->ifi4 != IFI_LOCAL &&
	    b->ifi4 && b->ifi4 != IFI_LOCAL) {
		if (a->ip4.addr.s_addr != b->ip4.addr.s_addr ||
		    a->ip4.prefix_len != b->ip4.prefix_len)
			m |= HW_ADDR4;
		if (a->ip4.gw.s_addr != b->ip4.gw.s_addr)
			m |= HW_GW4;
		if (a->ifi4 != b->ifi4)
			m |= HW_IFI4;
	}

	if (a->ifi6 && a->ifi6 != IFI_LOCAL &&
	    b->ifi6 && b->ifi6 != IFI_LOCAL) {
		if (!IN6_ARE_ADDR_EQUAL(&a->ip6.addr, &b->ip6.addr) ||
		    a->ip6.prefix_len != b->ip6.prefix_len)
			m |= HW_ADDR6;
		if (!IN6_ARE_ADDR_EQUAL(&a->ip6.gw, &b->ip6.gw))
			m |= HW_GW6;
		if (a->ifi6 != b->ifi6)
			m |= HW_IFI6;
	}

	if (a->ifi4 && b->ifi4 &&
	    memcmp(a->ip4.dns, b->ip4.dns, sizeof(a->ip4.dns)))
		m |= HW_DNS4;
	if (a->ifi6 && b->ifi6 &&
	    memcmp(a->ip6.dns, b->ip6.dns, sizeof(a->ip6.dns)))
		m |= HW_DNS6;

	for (i = 0; i <= MAXDNSRCH; i++) {
		if (strcmp(a->dns_search[i].n, b->dns_search[i].n)) {
			m |= HW_SEARCH;
			break;
		}
		if (!*a->dns_search[i].n)
			break;
	}

	if (a->ip4.dns_host.s_addr != b->ip4.dns_host.s_addr ||
	    !IN6_ARE_ADDR_EQUAL(&a->ip6.dns_host, &b->ip6.dns_host))
		m |= HW_DNS_HOST;

	return m;
}

/**
 * hostwatch_dns_fmt() - Nameservers of both families, for a log line
 * @c:		Execution context
 * @buf:	Buffer
 * @size:	Size of @buf
 *
 * Return: @buf
 */
static const char *hostwatch_dns_fmt(const struct ctx *c, char *buf,
				     size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < MAXNS && c->ip4.dns[i].s_addr && n < size; i++) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &c->ip4.dns[i], a, sizeof(a));
		n += snprintf(buf + n, size - n, "%s%s", n ? " " : "", a);
	}
	for (i = 0; i < MAXNS && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]) &&
		    n < size; i++) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, &c->ip6.dns[i], a, sizeof(a));
		n += snprintf(buf + n, size - n, "%s%s", n ? " " : "", a);
	}
	if (!n)
		snprintf(buf, size, "none");
	return buf;
}

/**
 * hostwatch_search_fmt() - Search domains, for a log line
 * @c:		Execution context
 * @buf:	Buffer
 * @size:	Size of @buf
 *
 * Return: @buf
 */
static const char *hostwatch_search_fmt(const struct ctx *c, char *buf,
					size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < MAXDNSRCH && *c->dns_search[i].n && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", n ? " " : "",
			      c->dns_search[i].n);
	if (!n)
		snprintf(buf, size, "none");
	return buf;
}

/**
 * hostwatch_log() - One info line per change
 * @a:		Old configuration
 * @b:		New one
 * @m:		What changed, HW_* bits
 */
static void hostwatch_log(const struct ctx *a, const struct ctx *b,
			  unsigned int m)
{
	char o[INET6_ADDRSTRLEN], n[INET6_ADDRSTRLEN];
	char lo[512], ln[512];

	if (m & HW_ADDR4) {
		inet_ntop(AF_INET, &a->ip4.addr, o, sizeof(o));
		inet_ntop(AF_INET, &b->ip4.addr, n, sizeof(n));
		info("Host address changed: %s/%i -> %s/%i, following", o,
		     a->ip4.prefix_len, n, b->ip4.prefix_len);
	}
	if (m & HW_GW4) {
		inet_ntop(AF_INET, &a->ip4.gw, o, sizeof(o));
		inet_ntop(AF_INET, &b->ip4.gw, n, sizeof(n));
		info("Host gateway changed: %s -> %s, following", o, n);
	}
	if (m & HW_IFI4)
		info("Host IPv4 template interface changed: %s -> %s, following",
		     a->ifname4, b->ifname4);
	if (m & HW_ADDR6) {
		inet_ntop(AF_INET6, &a->ip6.addr, o, sizeof(o));
		inet_ntop(AF_INET6, &b->ip6.addr, n, sizeof(n));
		info("Host address changed: %s/%i -> %s/%i, following", o,
		     a->ip6.prefix_len, n, b->ip6.prefix_len);
	}
	if (m & HW_GW6) {
		inet_ntop(AF_INET6, &a->ip6.gw, o, sizeof(o));
		inet_ntop(AF_INET6, &b->ip6.gw, n, sizeof(n));
		info("Host gateway changed: %s -> %s, following", o, n);
	}
	if (m & HW_IFI6)
		info("Host IPv6 template interface changed: %s -> %s, following",
		     a->ifname6, b->ifname6);
	if (m & (HW_DNS4 | HW_DNS6))
		info("Host nameservers changed: %s -> %s, following",
		     hostwatch_dns_fmt(a, lo, sizeof(lo)),
		     hostwatch_dns_fmt(b, ln, sizeof(ln)));
	if (m & HW_SEARCH)
		info("Host search domains changed: %s -> %s, following",
		     hostwatch_search_fmt(a, lo, sizeof(lo)),
		     hostwatch_search_fmt(b, ln, sizeof(ln)));
	if (m & HW_DNS_HOST) {
		if (a->ip4.dns_host.s_addr != b->ip4.dns_host.s_addr) {
			inet_ntop(AF_INET, &a->ip4.dns_host, o, sizeof(o));
			inet_ntop(AF_INET, &b->ip4.dns_host, n, sizeof(n));
		} else {
			inet_ntop(AF_INET6, &a->ip6.dns_host, o, sizeof(o));
			inet_ntop(AF_INET6, &b->ip6.dns_host, n, sizeof(n));
		}
		info("Host resolver for DNS forwarding changed: %s -> %s, following",
		     o, n);
	}
}

/**
 * hostwatch_apply() - Take the new configuration over into the context
 * @c:		Execution context
 * @n:		New configuration
 * @m:		What changed, HW_* bits
 */
static void hostwatch_apply(struct ctx *c, const struct ctx *n,
			    unsigned int m)
{
	/* A guest keeps using the old address until it renews its lease:
	 * the address it's seen with follows by itself. The namespace that
	 * pasta --config-net sets up has the new one right away.
	 */
	bool now_seen = c->mode == MODE_PASTA && c->pasta_conf_ns;

	if (m & HW_V4) {
		c->ifi4 = n->ifi4;
		memcpy(c->ifname4, n->ifname4, sizeof(c->ifname4));
		c->ip4.addr = n->ip4.addr;
		if (now_seen)
			c->ip4.addr_seen = n->ip4.addr;
		c->ip4.prefix_len = n->ip4.prefix_len;
		c->ip4.gw = n->ip4.gw;
		c->ip4.map_host_loopback = n->ip4.map_host_loopback;
	}
	if (m & HW_V6) {
		c->ifi6 = n->ifi6;
		memcpy(c->ifname6, n->ifname6, sizeof(c->ifname6));
		c->ip6.addr = n->ip6.addr;
		if (now_seen)
			c->ip6.addr_seen = n->ip6.addr;
		c->ip6.prefix_len = n->ip6.prefix_len;
		c->ip6.gw = n->ip6.gw;
		c->ip6.our_tap_ll = n->ip6.our_tap_ll;
		c->ip6.map_host_loopback = n->ip6.map_host_loopback;
	}
	if (m & HW_DNS4)
		memcpy(c->ip4.dns, n->ip4.dns, sizeof(c->ip4.dns));
	if (m & HW_DNS6)
		memcpy(c->ip6.dns, n->ip6.dns, sizeof(c->ip6.dns));
	if (m & HW_SEARCH)
		memcpy(c->dns_search, n->dns_search, sizeof(c->dns_search));
	if (m & HW_DNS_HOST) {
		c->ip4.dns_host = n->ip4.dns_host;
		c->ip6.dns_host = n->ip6.dns_host;
	}
}

/**
 * hostwatch_addr_gone() - Is a local address of ours no longer on the host?
 * @a:		Address
 *
 * Return: true if it's not among the addresses the host has now
 */
static bool hostwatch_addr_gone(const union inany_addr *a)
{
	int i;

	if (inany_is_unspecified(a) || inany_is_loopback(a))
		return false;

	for (i = 0; i < hw_addrs_n; i++) {
		if (inany_equals(a, &hw_addrs[i]))
			return false;
	}
	return true;
}

/**
 * hostwatch_update() - Re-read the host's configuration, follow changes
 * @c:		Execution context
 * @now:	Current time
 */
static void hostwatch_update(struct ctx *c, const struct timespec *now)
{
	static struct ctx old, n;
	unsigned int m;

	conf_host_reread(c, &n, hostwatch_resolv_read());

	/* Connections on an address the host no longer has can't go on (with
	 * a full list, we can't tell which ones those are)
	 */
	hw_addrs_n = nl_addr_all(hw_addrs, HW_ADDRS_MAX);
	if (hw_addrs_n > 0 && hw_addrs_n < HW_ADDRS_MAX) {
		if (!c->no_tcp)
			tcp_host_addr_check(c, hostwatch_addr_gone);
		if (!c->no_udp)
			udp_host_addr_check(c, hostwatch_addr_gone);
	}

	m = hostwatch_diff(c, &n);
	if (!m) {
		debug("Host configuration changed, nothing the guest has");
		return;
	}

	hostwatch_log(c, &n, m);
	old = *c;
	hostwatch_apply(c, &n, m);

	if (c->mode == MODE_PASTA && c->pasta_conf_ns)
		pasta_ns_follow(c, m);
	if (c->ifi6 && !c->no_ndp)
		ndp_host_changed(c, &old, now);
}

/**
 * hostwatch_handler() - Handle events of our descriptors
 * @c:		Execution context
 * @ref:	epoll reference, data: enum hw_src
 * @now:	Current time
 */
void hostwatch_handler(struct ctx *c, union epoll_ref ref,
		       const struct timespec *now)
{
	uint64_t expirations;

	switch (ref.data) {
	case HW_SRC_NETLINK:
		if (hostwatch_netlink())
			hostwatch_arm();
		break;
	case HW_SRC_INOTIFY:
		if (hostwatch_inotify())
			hostwatch_arm();
		break;
	case HW_SRC_TIMER:
		if (read(ref.fd, &expirations, sizeof(expirations)) > 0)
			hostwatch_update(c, now);
		break;
	}
}
