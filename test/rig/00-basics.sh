#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/00-basics.sh - pasta --config-net, ARP/NDP, ping through pasta

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

# ping_ok NS ADDR: one echo reply within 5 s (a request is sent every 0.3 s,
# so a first request lost to neighbour resolution doesn't matter)
ping_ok() {
	"$1" ping -q -c1 -i0.3 -w5 "$2"
}

# link_up NS IFNAME: administratively up
link_up() {
	"$1" ip link show "$2" | grep -qE '[<,]UP[,>]'
}

# neigh_resolved ADDR [IFNAME]: neighbour entry with a link-layer address
neigh_resolved() {
	g ip neigh show "$1" | grep -qE 'lladdr ([0-9a-f]{2}:){5}[0-9a-f]{2}'
}

# remote_echo on|off: make the remote host (not) answer echo requests
remote_echo() {
	local v=1
	[ "$1" = on ] && v=0
	r sysctl -qw net.ipv4.icmp_echo_ignore_all=$v \
		net.ipv6.icmp.echo_ignore_all=$v
}

# ---- --config-net with defaults; lo down first, pasta must bring it up
g ip link set lo down

check "pasta --config-net starts (parent exits 0 when ready)" \
	rig_pasta --config-net
check "pid file holds a live process" rig_alive "$RIG_PASTA_PID"

# No waiting here: the namespace is configured when the parent returns
check_out "address configured when pasta returns" "inet $HOST4/$PREFIX4" \
	g ip -4 addr show dev ext0
check_out "IPv4 address and prefix copied from host" "inet $HOST4/$PREFIX4 " \
	g ip -4 addr show dev ext0
check_out "IPv6 address and prefix copied from host" "inet6 $HOST6/$PREFIX6 " \
	g ip -6 addr show dev ext0
check_out "IPv4 default route via host's gateway" "default via $GW4 dev ext0" \
	g ip -4 route show default
check_out "IPv6 default route via host's gateway" "default via $GW6 dev ext0" \
	g ip -6 route show default
check_out "default MTU 65520" "mtu 65520 " g ip link show ext0
check "interface named like the host's (ext0) and up" link_up g ext0
check "loopback brought up" link_up g lo
check "tap interface has a carrier" \
	bash -c "ip netns exec $NS_GUEST ip link show ext0 | grep -q LOWER_UP"

# ---- ping through pasta; the remote host answers
check "IPv4 ping to the far host" ping_ok g $FAR4
check "IPv6 ping to the far host" rig_retry 3 ping_ok g $FAR6
check "IPv4 ping to the remote (gateway's neighbour)" ping_ok g $REMOTE4

# ---- ARP and NDP answers for the gateway
check "ARP: gateway resolved" neigh_resolved $GW4
check "NDP: gateway resolved" rig_retry 3 neigh_resolved $GW6
ours check_out "ARP answer carries our MAC" "lladdr $OUR_MAC" \
	g ip neigh show $GW4
ours check_out "NDP answer carries our MAC" "lladdr $OUR_MAC" \
	g ip -6 neigh show $GW6

# Any other address on the link is answered too: we stand in for it
g ping -q -c1 -W1 198.18.0.77 >/dev/null 2>&1
check "ARP: any other address on the link resolved" neigh_resolved 198.18.0.77
g ping -6 -q -c1 -W1 2001:db8:1::77 >/dev/null 2>&1
check "NDP: any other address on the link resolved" \
	neigh_resolved 2001:db8:1::77

# ---- the gateway address reaches the host itself: the remote is deaf now
remote_echo off
check_fail "(remote ignores echo requests)" h ping -q -c1 -W1 $REMOTE4
ours check "IPv4 ping to the gateway is answered by the host" \
	ping_ok g $GW4
ours check "IPv6 ping to the gateway is answered by the host" \
	ping_ok g $GW6
remote_echo on

# ---- -m and -I
rig_stop
check "pasta exits on SIGTERM" rig_wait_exit 5 "$RIG_PASTA_PID"
check "tap interface gone after pasta exits" \
	rig_retry 3 bash -c "! ip netns exec $NS_GUEST ip link show ext0"

check "pasta --config-net -m 1500 -I tap9 starts" \
	rig_pasta --config-net -m 1500 -I tap9
check_out "-m sets the MTU" "mtu 1500 " g ip link show tap9
check "-I names the interface" link_up g tap9
check_out "address on the -I interface" "inet $HOST4/$PREFIX4" \
	g ip -4 addr show dev tap9
check_out "default route through the -I interface" "default via $GW4 dev tap9" \
	g ip -4 route show default
check "IPv4 ping through the -I interface" ping_ok g $FAR4
check "IPv6 ping through the -I interface" rig_retry 3 ping_ok g $FAR6
