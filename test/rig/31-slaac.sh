#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/31-slaac.sh - Router Advertisements: the guest kernel's SLAAC
# gives the prefix and default route, through pasta and through passt;
# RA contents checked in the pcap; --no-ra and --no-ndp send nothing

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

DNS6=2001:db8:1::53
PCAP=$RIG_TMP/ra.pcap
PREFIX_NET=${HOST6%::*}::

# slaac_prep IF: let the guest kernel take RAs and autoconfigure, link up
slaac_prep() {
	g sysctl -qw "net.ipv6.conf.$1.accept_ra=1" \
		"net.ipv6.conf.$1.autoconf=1" \
		"net.ipv6.conf.$1.accept_ra_pinfo=1" \
		"net.ipv6.conf.$1.accept_ra_defrtr=1" \
		"net.ipv6.conf.$1.accept_ra_mtu=1" >/dev/null &&
	g ip link set "$1" mtu 65520 up
}

# slaac_addr IF: a global SLAAC address in our prefix (dynamic: from an RA)
slaac_addr() {
	g ip -6 addr show dev "$1" scope global |
		grep -E "inet6 ${PREFIX_NET%::}:[0-9a-f:]+/64 .*dynamic" |
		grep -qv "inet6 $HOST6/"
}

# ra_route IF [ADDR]: default route learnt from an RA via a link-local
# address (ADDR, if given)
ra_route() {
	g ip -6 route show default dev "$1" |
		grep -qE "via ${2:-fe80:[0-9a-f:]*} .*proto ra"
}

# ra_mtu IF MTU: the guest took the MTU option
ra_mtu() {
	[ "$(g cat "/proc/sys/net/ipv6/conf/$1/mtu")" = "$2" ]
}

# pcap_ra REGEX: an RA in the capture, printed by tcpdump -vv, matches
pcap_ra() {
	tcpdump -nn -vv -r "$PCAP" 'icmp6 and ip6[40] == 134' 2>/dev/null |
		grep -qE -- "$1"
}

# slaac_checks MODE IF
slaac_checks() {
	local m=$1 ifn=$2

	check "$m: guest interface takes RAs, up" slaac_prep "$ifn"
	check "$m: SLAAC address in the host's /64" \
		rig_retry 15 slaac_addr "$ifn"
	check "$m: default route from the RA, via a link-local address" \
		rig_retry 5 ra_route "$ifn"
	ours check "$m: default route via our link-local address fe80::1" \
		ra_route "$ifn" fe80::1
	check "$m: IPv6 MTU from the RA (9000)" rig_retry 5 ra_mtu "$ifn" 9000
	check "$m: ping to the far host over SLAAC" \
		g ping -6 -q -c1 -i0.3 -w5 $FAR6
	check "$m: RA in the capture" pcap_ra "router advertisement"
	ours check "$m: RA with hop limit 255" pcap_ra "hlim 255.*fe80::1 >"
	ours check "$m: RA with managed flag, router lifetime 65535" \
		pcap_ra "Flags \[managed.*router lifetime 65535s"
	check "$m: RA prefix /64, on-link, autonomous" \
		pcap_ra "prefix info.*$PREFIX_NET/64, Flags \[onlink, auto\]"
	check "$m: RA MTU option" pcap_ra "mtu option.*9000"
	check "$m: RA RDNSS option" pcap_ra "rdnss option.*$DNS6"
	check "$m: RA DNSSL option" pcap_ra "dnssl option.*example\.org"
	check "$m: RA source link-layer address option" \
		pcap_ra "source link-address option"
	ours check "$m: RA source link-layer address is our MAC" \
		pcap_ra "source link-address option.*$OUR_MAC"
}

# ---- pasta, without --config-net
check "pasta starts" rig_pasta -6 -m 9000 -D $DNS6 -S example.org \
	--dhcp-dns --dhcp-search -p "$PCAP"
slaac_checks pasta ext0
rig_stop

# ---- passt, qemu stand-in
rm -f "$PCAP"
check "passt starts" rig_passt -6 -m 9000 -D $DNS6 -S example.org -p "$PCAP"
slaac_checks passt eth0
rig_stop

# ---- --no-ra: neighbours answered, no RA at all
rm -f "$PCAP"
check "passt --no-ra starts" rig_passt -6 --no-ra -p "$PCAP"
check "--no-ra: guest interface takes RAs, up" slaac_prep eth0
# The kernel solicits right after DAD: give it time for a couple of RSs
sleep 6
check_fail "--no-ra: no SLAAC address" slaac_addr eth0
check_fail "--no-ra: no default route from an RA" ra_route eth0
check "--no-ra: guest sent router solicitations" \
	bash -c "tcpdump -nn -r '$PCAP' 'icmp6 and ip6[40] == 133' \
		 2>/dev/null | grep -q 'router solicitation'"
check_fail "--no-ra: no RA in the capture" pcap_ra "router advertisement"
check "--no-ra: address added statically" \
	g ip -6 addr add $HOST6/$PREFIX6 dev eth0 nodad
check "--no-ra: neighbour solicitations still answered" \
	g ping -6 -q -c1 -i0.3 -w5 $GW6
rig_stop

# ---- --no-ndp: no neighbour answers, no RAs
rm -f "$PCAP"
check "passt --no-ndp starts" rig_passt -6 --no-ndp -p "$PCAP"
check "--no-ndp: guest interface takes RAs, up" slaac_prep eth0
check "--no-ndp: address added statically" \
	g ip -6 addr add $HOST6/$PREFIX6 dev eth0 nodad
check_fail "--no-ndp: gateway not resolved, ping fails" \
	g ping -6 -q -c1 -w3 $GW6
check_fail "--no-ndp: no neighbour entry for the gateway" \
	bash -c "ip netns exec $NS_GUEST ip -6 neigh show $GW6 |
		 grep -q lladdr"
check_fail "--no-ndp: no SLAAC address" slaac_addr eth0
check_fail "--no-ndp: no RA in the capture" pcap_ra "router advertisement"
check_fail "--no-ndp: no neighbour advertisement in the capture" \
	bash -c "tcpdump -nn -r '$PCAP' 'icmp6 and ip6[40] == 136' \
		 2>/dev/null | grep -q 'neighbor advertisement'"
