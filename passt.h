/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * passt.h - Execution context shared by all modules, epoll references
 */

#ifndef PASST_H
#define PASST_H

#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/types.h>
#include <time.h>

#include "inany.h"
#include "fwd.h"

/* Nameservers and search domains we keep from the host or the options */
#define MAXNS		3
#define MAXDNSRCH	8
#define DNSRCH_LEN	254

/* Largest frame we handle on the tap side (Ethernet header included) */
#define FRAME_MAX	(65535 + ETH_HLEN)

/* Default and accepted MTU values */
#define MTU_DEFAULT	65520
#define MTU_MIN		68
#define MTU_MAX		65521	/* 65535 - Ethernet header, 4-byte aligned */

/**
 * enum passt_mode - Mode of operation, from the name the binary is run as
 * @MODE_PASST:	UNIX stream socket towards qemu (or a passed fd)
 * @MODE_PASTA:	tap device in a network namespace
 */
enum passt_mode {
	MODE_PASST,
	MODE_PASTA,
};

/**
 * enum epoll_type - What a file descriptor in the epoll set is
 */
enum epoll_type {
	EPOLL_TYPE_NONE = 0,
	EPOLL_TYPE_TAP_LISTEN,		/* passt: listening UNIX socket */
	EPOLL_TYPE_TAP_PASST,		/* passt: connected guest socket */
	EPOLL_TYPE_TAP_PASTA,		/* pasta: tap device */
	EPOLL_TYPE_TIMER,		/* periodic tick (timerfd) */
	EPOLL_TYPE_NSQUIT_INOTIFY,	/* pasta: netns file deletion */
	EPOLL_TYPE_NSQUIT_TIMER,	/* pasta: netns liveness poll */
	EPOLL_TYPE_ICMP,		/* ping socket of an echo flow */
	EPOLL_TYPE_UDP_LISTEN,		/* UDP socket bound to a forwarded port */
	EPOLL_TYPE_UDP_REPLY,		/* UDP socket of one outbound flow */
	EPOLL_TYPE_TCP_LISTEN,		/* TCP listening socket, forwarded port */
	EPOLL_TYPE_TCP,			/* TCP connected socket, tap side flow */
	EPOLL_TYPE_TCP_TIMER,		/* per-connection TCP timer */
	EPOLL_TYPE_TCP_SPLICE,		/* spliced TCP socket (pasta) */
	EPOLL_TYPE_HOSTWATCH,		/* host changes: rtnetlink, inotify */
	EPOLL_TYPE_VHOST_CMD,		/* vhost-user: front-end socket */
	EPOLL_TYPE_VHOST_KICK,		/* vhost-user: kick eventfd of a ring */
	EPOLL_TYPE_CTL_LISTEN,		/* -c: configuration socket */
	EPOLL_TYPE_CTL,			/* -c: a configuration client */
	EPOLL_TYPE_MAX,
};

/**
 * union epoll_ref - 64-bit epoll data: type, file descriptor, opaque part
 * @type:	enum epoll_type
 * @fd:		file descriptor (fits 24 bits, see FD_REF_MAX)
 * @data:	32 bits owned by the protocol handler of @type
 * @u64:	the whole reference, as stored in struct epoll_event
 */
union epoll_ref {
	struct {
		uint32_t type:8;
		int32_t fd:24;
		uint32_t data;
	};
	uint64_t u64;
};

#define FD_REF_MAX	((1 << 23) - 1)

/**
 * struct ip4_ctx - IPv4 configuration and observed state
 * @addr:		address assigned to the guest
 * @addr_seen:		source address the guest last used
 * @prefix_len:		prefix length of @addr
 * @gw:			default gateway, as seen by the guest
 * @map_host_loopback:	guest-side address standing for host loopback
 * @map_guest_addr:	guest-side address standing for the host's address
 * @dns:		nameservers advertised to the guest (0-terminated)
 * @dns_match:		--dns-forward address, or INADDR_ANY
 * @dns_host:		--dns-host target of @dns_match
 * @addr_out:		-o: source address for outbound sockets, or ANY
 * @ifname_out:		--outbound-if4: device for outbound sockets
 * @no_copy_addrs:	pasta --config-net: set only @addr (-a given)
 * @no_copy_routes:	pasta --config-net: set only the default route
 */
struct ip4_ctx {
	struct in_addr addr;
	struct in_addr addr_seen;
	int prefix_len;
	struct in_addr gw;
	struct in_addr map_host_loopback;
	struct in_addr map_guest_addr;
	struct in_addr dns[MAXNS + 1];
	struct in_addr dns_match;
	struct in_addr dns_host;
	struct in_addr addr_out;
	char ifname_out[IFNAMSIZ];
	bool no_copy_addrs;
	bool no_copy_routes;
};

/**
 * struct ip6_ctx - IPv6 configuration and observed state
 * @addr:		global address assigned to the guest
 * @addr_seen:		global source address the guest last used
 * @addr_ll_seen:	link-local source address the guest last used
 * @prefix_len:		prefix length of @addr
 * @gw:			default gateway, as seen by the guest
 * @our_tap_ll:		our link-local address on the tap side (router)
 * @map_host_loopback:	guest-side address standing for host loopback
 * @map_guest_addr:	guest-side address standing for the host's address
 * @dns:		nameservers advertised to the guest (:: terminated)
 * @dns_match:		--dns-forward address, or ::
 * @dns_host:		--dns-host target of @dns_match
 * @addr_out:		-o: source address for outbound sockets, or ::
 * @ifname_out:		--outbound-if6: device for outbound sockets
 * @no_copy_addrs:	pasta --config-net: set only @addr (-a given)
 * @no_copy_routes:	pasta --config-net: set only the default route
 */
struct ip6_ctx {
	struct in6_addr addr;
	struct in6_addr addr_seen;
	struct in6_addr addr_ll_seen;
	int prefix_len;
	struct in6_addr gw;
	struct in6_addr our_tap_ll;
	struct in6_addr map_host_loopback;
	struct in6_addr map_guest_addr;
	struct in6_addr dns[MAXNS + 1];
	struct in6_addr dns_match;
	struct in6_addr dns_host;
	struct in6_addr addr_out;
	char ifname_out[IFNAMSIZ];
	bool no_copy_addrs;
	bool no_copy_routes;
};

/**
 * struct dns_search - One search domain, as text
 * @n:		domain name, dot-separated, no trailing dot
 */
struct dns_search {
	char n[DNSRCH_LEN + 1];
};

/* ifi4 / ifi6 in local mode: family enabled, but no template interface */
#define IFI_LOCAL	UINT_MAX

/**
 * struct ctx - Execution context: configuration and runtime state
 *
 * Built by conf(), read by every module. Fields are grouped by topic.
 */
struct ctx {
	enum passt_mode mode;
	int epollfd;

	/* Lifecycle */
	int foreground;
	int one_off;
	char pidfile[PATH_MAX];
	int pidfile_fd;
	uid_t uid;
	gid_t gid;
	int quiet;
	int debug;
	int trace;
	unsigned int stats;		/* --stats: seconds between counts */
	long long busy_poll_ns;		/* --busy-poll: longest window, 0: off */
	char log_file[PATH_MAX];
	size_t log_size;
	char pcap[PATH_MAX];

	/* passt transport */
	char sock_path[PATH_MAX];
	int fd_tap_listen;
	int fd_tap;		/* connected guest socket or tap device */
	int fd_passed;		/* --fd N, or -1 */
	int vhost_user;		/* --vhost-user: fd_tap is the front-end */

	/* pasta */
	char netns_path[PATH_MAX];	/* --netns, or /proc/PID/ns/net */
	char userns_path[PATH_MAX];	/* --userns, or /proc/PID/ns/user */
	int netns_only;
	int no_netns_quit;
	int pasta_conf_ns;		/* --config-net */
	int pasta_netns_fd;		/* fd of the target network namespace */
	int pasta_userns_fd;		/* fd of the user namespace, or -1 */
	unsigned int pasta_ifi;		/* index of our tap in the namespace */
	char pasta_ifname[IFNAMSIZ];	/* -I: tap name in the namespace */
	unsigned char ns_mac[ETH_ALEN];	/* --ns-mac-addr, or zero */
	pid_t pasta_pid;		/* PID given on the command line, or 0 */
	char **pasta_cmd;		/* command to spawn, NULL-terminated */
	int no_splice;
	int splice_only;		/* --splice-only: no tap traffic */

	/* Link layer */
	unsigned char our_tap_mac[ETH_ALEN];	/* -M: our MAC towards guest */
	unsigned char guest_mac[ETH_ALEN];	/* learnt from guest frames */
	int mtu;				/* -m, 0: don't advertise */

	/* Template interfaces and addresses; ifiN == 0: family disabled,
	 * IFI_LOCAL: local mode, enabled without a template interface
	 */
	unsigned int ifi4;
	unsigned int ifi6;
	char ifname4[IFNAMSIZ];		/* template interface, IPv4 */
	char ifname6[IFNAMSIZ];		/* template interface, IPv6 */
	struct ip4_ctx ip4;
	struct ip6_ctx ip6;

	/* DNS */
	struct dns_search dns_search[MAXDNSRCH + 1];	/* "" terminated */
	char hostname[64 + 1];		/* -H: DHCP option 12, or "" */
	char fqdn[253 + 1];		/* --fqdn, no trailing dot, or "" */
	int no_dns;			/* -D none */
	int no_dns_search;		/* -S none */
	int no_dhcp_dns;		/* don't advertise nameservers */
	int no_dhcp_dns_search;		/* don't advertise search domains */

	/* Services */
	int no_tcp;
	int no_udp;
	int no_icmp;
	int no_dhcp;
	int no_dhcpv6;
	int no_ndp;
	int no_ra;
	int no_map_gw;
	int freebind;

	/* Port forwarding: inbound (-t, -u), outbound from pasta ns (-T, -U) */
	struct fwd_ports tcp_in;
	struct fwd_ports udp_in;
	struct fwd_ports tcp_out;
	struct fwd_ports udp_out;
};

/* epoll set of the context, and waiting on it (util.c) */
int passt_epoll_add(const struct ctx *c, uint32_t events, union epoll_ref ref);
int passt_epoll_mod(const struct ctx *c, uint32_t events, union epoll_ref ref);
void passt_epoll_del(const struct ctx *c, int fd);
void busy_poll_moved(size_t bytes);
long long busy_poll_adapt(long long window, long long waited, long long max);
int passt_epoll_wait(const struct ctx *c, struct epoll_event *events,
		     int maxevents, const sigset_t *mask, long long *window,
		     struct timespec *now);

#endif /* PASST_H */
