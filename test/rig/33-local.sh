#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/33-local.sh - Local mode: the host namespace has no interface but
# lo, yet pasta and passt start and the guest reaches the host's loopback
# through the gateway: 169.254.2.1/16 via 169.254.2.2, IPv6 fe80::1 with
# the guest's own link-local address; pasta's interface falls back to tap0;
# explicit -a/-n/-g still win; DHCP (passt) hands out the local addresses

. "$(dirname "$0")/../lib/rig.sh"

ADDR4=169.254.2.1
LGW4=169.254.2.2
LGW6=fe80::1

rig_setup

# No external interface at all: only lo stays in the host namespace
h ip link del ext0 || rig_die "deleting ext0"
check "host namespace has no interface but lo" \
	bash -c "[ \"\$(ip netns exec $NS_HOST ip -o link show |
			grep -vc ': lo:')\" = 0 ]"

# servers: on the host's loopback only, TCP (both versions), UDP echo;
# rig_stop ends them with the daemon
servers() {
	rig_tcp_server h 10330 127.0.0.1
	rig_tcp_server h 10331 ::1
	rig_bg udp4 h socat -T 30 UDP4-RECVFROM:10332,bind=127.0.0.1,fork \
		EXEC:cat
	rig_wait_port h udp 10332 || rig_die "UDP server on host loopback"
}

# udp_echo HOST PORT: one datagram there and its echo back
udp_echo() {
	echo local-mode-udp | g timeout 10 socat -T 3 - "UDP:$1:$2" |
		grep -qx local-mode-udp
}

# peer6 ADDR%IF PORT: client address the TCP server saw (tcptool's client
# can't give a scope to a link-local address, socat can)
peer6() {
	echo PEER | g timeout 10 socat -T 5 - "TCP6:[$1]:$2"
}

# ra_route IF: default route via our link-local address, learnt from an RA
ra_route() {
	g ip -6 route show default dev "$1" | grep -q "via $LGW6 .*proto ra"
}

# addr_has IF PATTERN: the guest's address list for IF matches PATTERN
addr_has() {
	g ip addr show dev "$1" | grep -q -- "$2"
}

# route_has FAMILY PATTERN: the guest's default route matches PATTERN
route_has() {
	g ip "$1" route show default | grep -q -- "$2"
}

# no_global6 IF: no global IPv6 address (e.g. SLAAC from an empty prefix)
no_global6() {
	local a

	a=$(g ip -6 addr show dev "$1" scope global)
	[ -z "$a" ] || { echo "$a"; false; }
}

# ---- pasta, --config-net, no -I
servers
if check "pasta starts with no external interface" rig_pasta --config-net; then
	ours check_out "pasta: log says local mode is used" "local mode" \
		cat "$RIG_TMP/pasta.log"
	check "pasta: guest interface falls back to tap0" \
		g ip link show tap0
	check "pasta: guest address $ADDR4/16" addr_has tap0 "inet $ADDR4/16 "
	check "pasta: default route via $LGW4" route_has -4 "via $LGW4 "
	check "pasta: IPv6 default route via $LGW6" route_has -6 "via $LGW6 "
	check "pasta: ping $LGW4 (host)" \
		rig_retry 5 g ping -c1 -W1 -q $LGW4
	check_out "pasta: TCP to $LGW4 reaches host's 127.0.0.1" \
		"127.0.0.1 " g timeout 10 python3 "$TCPTOOL" peer $LGW4 10330
	check "pasta: 1 MB over TCP to host loopback" \
		g timeout 20 python3 "$TCPTOOL" sink $LGW4 10330 1000000 3
	check "pasta: UDP echo from host's 127.0.0.1 via $LGW4" \
		udp_echo $LGW4 10332
	check "pasta: ping $LGW6%tap0 (host)" \
		rig_retry 5 g ping -6 -c1 -W1 -q "$LGW6%tap0"
	check_out "pasta: TCP to $LGW6%tap0 reaches host's ::1" \
		"::1 " peer6 "$LGW6%tap0" 10331
	check "pasta: no global IPv6 address on tap0" no_global6 tap0
fi
rig_stop

# ---- pasta: explicit address, prefix length and gateway still win
servers
if check "pasta -a -n -g starts with no external interface" \
	rig_pasta --config-net -4 -I local0 -a 198.18.7.1 -n 24 \
	-g 198.18.7.254; then
	check "pasta -a: guest address 198.18.7.1/24" \
		addr_has local0 "inet 198.18.7.1/24 "
	check_fail "pasta -a: no local mode address" \
		addr_has local0 "inet $ADDR4/"
	check "pasta -g: default route via 198.18.7.254" \
		route_has -4 "via 198.18.7.254 "
	check_out "pasta -g: TCP to 198.18.7.254 reaches host loopback" \
		"127.0.0.1 " g timeout 10 python3 "$TCPTOOL" peer 198.18.7.254 \
		10330
fi
rig_stop

# ---- passt, DHCP with busybox udhcpc in the guest
servers
if check "passt starts with no external interface" rig_passt; then
	check "passt: udhcpc gets a lease" rig_udhcpc eth0
	check "passt: DHCP address $ADDR4" rig_lease_has "ip=$ADDR4"
	check "passt: DHCP mask 255.255.0.0 (/16)" rig_lease_has "mask=16"
	check "passt: DHCP router $LGW4" rig_lease_has "router=$LGW4"
	check_out "passt: TCP to $LGW4 reaches host's 127.0.0.1" \
		"127.0.0.1 " g timeout 10 python3 "$TCPTOOL" peer $LGW4 10330
	check "passt: UDP echo from host's 127.0.0.1 via $LGW4" \
		udp_echo $LGW4 10332
	check "passt: ping $LGW4 (host)" \
		rig_retry 5 g ping -c1 -W1 -q $LGW4
	check "passt: RA gives a default route via $LGW6" \
		rig_retry 15 ra_route eth0
	check "passt: RA brings no global IPv6 address (no prefix)" \
		no_global6 eth0
	check_out "passt: TCP to $LGW6%eth0 reaches host's ::1" \
		"::1 " rig_retry 5 peer6 "$LGW6%eth0" 10331
fi
rig_stop
