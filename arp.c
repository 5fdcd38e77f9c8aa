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

#include "arp.h"
#include "log.h"
#include "passt.h"
#include "tap.h"

#define ARP_ETH_IP4_LEN	28	/* Ethernet/IPv4 ARP payload */

/**
 * struct arp_eth_ip4 - ARP packet for Ethernet and IPv4, wire layout
 * @htype:	Hardware type, ARPHRD_ETHER
 * @ptype:	Protocol type, ETH_P_IP
 * @hlen:	Hardware address length, 6
 * @plen:	Protocol address length, 4
 * @op:		ARPOP_REQUEST or ARPOP_REPLY
 * @sha:	Sender hardware address
 * @spa:	Sender protocol address
 * @tha:	Target hardware address
 * @tpa:	Target protocol address
 */
struct arp_eth_ip4 {
	uint16_t htype;
	uint16_t ptype;
	uint8_t hlen;
	uint8_t plen;
	uint16_t op;
	uint8_t sha[ETH_ALEN_];
	uint8_t spa[4];
	uint8_t tha[ETH_ALEN_];
	uint8_t tpa[4];
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
	uint8_t frame[ETH_HLEN_ + ARP_ETH_IP4_LEN];
	struct arp_eth_ip4 req, *rep;
	struct in_addr tpa, spa;
	bool probe;

	if (len < ARP_ETH_IP4_LEN)
		return 0;

	/* Copy out: the packet may sit at any alignment in the frame */
	memcpy(&req, arp, sizeof(req));

	if (req.htype != htons(ARPHRD_ETHER) || req.ptype != htons(0x0800) ||
	    req.hlen != ETH_ALEN_ || req.plen != 4)
		return 1;

	if (req.op != htons(ARPOP_REQUEST))
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
	memcpy(frame, req.sha, ETH_ALEN_);
	memcpy(frame + ETH_ALEN_, c->our_tap_mac, ETH_ALEN_);
	frame[12] = 0x08;
	frame[13] = 0x06;

	rep = (struct arp_eth_ip4 *)(frame + ETH_HLEN_);
	rep->htype = htons(ARPHRD_ETHER);
	rep->ptype = htons(0x0800);
	rep->hlen = ETH_ALEN_;
	rep->plen = 4;
	rep->op = htons(ARPOP_REPLY);
	memcpy(rep->sha, c->our_tap_mac, ETH_ALEN_);
	memcpy(rep->spa, req.tpa, sizeof(rep->spa));
	memcpy(rep->tha, req.sha, ETH_ALEN_);
	memcpy(rep->tpa, req.spa, sizeof(rep->tpa));

	if (log_trace) {
		char buf[INET_ADDRSTRLEN];

		trace("ARP: answering who-has %s",
		      inet_ntop(AF_INET, &tpa, buf, sizeof(buf)));
	}

	tap_send_single(c, frame, sizeof(frame));
	return 1;
}
