/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * arp.c - ARP: answer requests on behalf of the whole network
 *
 * We stand in for every host the guest might want to reach: any request for
 * an IPv4 address other than the guest's own is answered with our MAC
 * address. Requests for the guest's own address (duplicate address
 * detection) and gratuitous announcements get no answer. The one exception:
 * a request from 0.0.0.0 for 0.0.0.0 is answered, as that's how the qrap
 * shipped by distributions probes a passt socket before handing it to qemu.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <net/if_arp.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include "arp.h"
#include "log.h"
#include "passt.h"
#include "tap.h"

/**
 * struct arp_eth_ip4 - ARP packet for Ethernet and IPv4, wire layout
 * @ah:		Fixed part: hardware and protocol types and lengths, operation
 * @sha:	Sender hardware address
 * @spa:	Sender protocol address
 * @tha:	Target hardware address
 * @tpa:	Target protocol address
 */
struct arp_eth_ip4 {
	struct arphdr ah;
	uint8_t sha[ETH_ALEN];
	uint8_t spa[sizeof(struct in_addr)];
	uint8_t tha[ETH_ALEN];
	uint8_t tpa[sizeof(struct in_addr)];
} __attribute__((packed));

/**
 * struct arp_frame - Whole frame of an ARP reply, wire layout
 * @eh:		Ethernet header
 * @arp:	ARP packet
 */
struct arp_frame {
	struct ethhdr eh;
	struct arp_eth_ip4 arp;
} __attribute__((packed));

/**
 * arp() - Handle an ARP packet from the guest
 * @c:		Execution context
 * @arp:	ARP packet (after the Ethernet header)
 * @len:	Length of @arp
 *
 * Return: 1 if handled (replied or ignored on purpose), 0 if malformed
 */
int arp(struct ctx *c, const void *arp, size_t len)
{
	struct arp_eth_ip4 req, *rep;
	struct in_addr tpa, spa;
	struct arp_frame f;
	bool probe;

	if (len < sizeof(req))
		return 0;

	/* Copy out: the packet may sit at any alignment in the frame */
	memcpy(&req, arp, sizeof(req));

	if (req.ah.ar_hrd != htons(ARPHRD_ETHER) ||
	    req.ah.ar_pro != htons(ETH_P_IP) ||
	    req.ah.ar_hln != ETH_ALEN || req.ah.ar_pln != sizeof(tpa))
		return 1;

	if (req.ah.ar_op != htons(ARPOP_REQUEST))
		return 1;

	memcpy(&tpa, req.tpa, sizeof(tpa));
	memcpy(&spa, req.spa, sizeof(spa));

	/* qrap's probe: no guest sends this, and qrap waits for an answer */
	probe = spa.s_addr == htonl(INADDR_ANY) &&
		tpa.s_addr == htonl(INADDR_ANY);

	/* Gratuitous ARP: the guest announces its own address */
	if (!probe && tpa.s_addr == spa.s_addr)
		return 1;

	/* The guest's own address: stay quiet, it's probing for conflicts */
	if (!probe && (tpa.s_addr == c->ip4.addr.s_addr ||
		       (c->ip4.addr_seen.s_addr &&
			tpa.s_addr == c->ip4.addr_seen.s_addr)))
		return 1;

	/* Reply to the requester's MAC, not to what we learnt so far */
	memcpy(f.eh.h_dest, req.sha, ETH_ALEN);
	memcpy(f.eh.h_source, c->our_tap_mac, ETH_ALEN);
	f.eh.h_proto = htons(ETH_P_ARP);

	rep = &f.arp;
	rep->ah = req.ah;
	rep->ah.ar_op = htons(ARPOP_REPLY);
	memcpy(rep->sha, c->our_tap_mac, ETH_ALEN);
	memcpy(rep->spa, req.tpa, sizeof(rep->spa));
	memcpy(rep->tha, req.sha, ETH_ALEN);
	memcpy(rep->tpa, req.spa, sizeof(rep->tpa));

	if (log_trace) {
		char buf[INET_ADDRSTRLEN];

		trace("ARP: answering who-has %s",
		      inet_ntop(AF_INET, &tpa, buf, sizeof(buf)));
	}

	tap_send_single(c, &f, sizeof(f));
	return 1;
}
