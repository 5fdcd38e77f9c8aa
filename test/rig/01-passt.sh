#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/01-passt.sh - passt with our qemu stand-in: daemon, pid file,
# ping, ARP/NDP, pcap, reconnection, --one-off, SIGTERM

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

ping_ok() {
	"$1" ping -q -c1 -i0.3 -w5 "$2"
}

neigh_resolved() {
	g ip neigh show "$1" | grep -qE 'lladdr ([0-9a-f]{2}:){5}[0-9a-f]{2}'
}

remote_echo() {
	local v=1
	[ "$1" = on ] && v=0
	r sysctl -qw net.ipv4.icmp_echo_ignore_all=$v \
		net.ipv6.icmp.echo_ignore_all=$v
}

# is_passt PID: the process runs a passt binary (or its .avx2 variant)
is_passt() {
	grep -q passt "/proc/$1/comm"
}

# ---- daemon start: returns once the socket listens, pid file written
PCAP=$RIG_TMP/capture.pcap
check "passt starts and its parent exits 0" rig_passt_start -p "$PCAP"
check "socket exists when the parent returns" test -S "$RIG_SOCK"
check "pid file holds the live daemon" \
	bash -c "kill -0 $RIG_PASST_PID && grep -q passt /proc/$RIG_PASST_PID/comm"

check "qemu stand-in connects, guest tap up" rig_qemu_tap
check "guest configured statically" rig_guest_conf

check "IPv4 ping to the far host" ping_ok g $FAR4
check "IPv6 ping to the far host" ping_ok g $FAR6
check "IPv4 ping to the remote" ping_ok g $REMOTE4
check "IPv6 ping to the remote" ping_ok g $REMOTE6

check "ARP: gateway resolved" neigh_resolved $GW4
check "NDP: gateway resolved" neigh_resolved $GW6
ours check_out "ARP answer carries our MAC" "lladdr $OUR_MAC" \
	g ip neigh show $GW4
ours check_out "NDP answer carries our MAC" "lladdr $OUR_MAC" \
	g ip -6 neigh show $GW6

# Larger echo requests (several kB) go through too
check "IPv4 ping with 8000 bytes of payload" \
	g ping -q -c1 -i0.3 -w5 -s 8000 $FAR4
check "IPv6 ping with 8000 bytes of payload" \
	g ping -q -c1 -i0.3 -w5 -s 8000 $FAR6

remote_echo off
check_fail "(remote ignores echo requests)" h ping -q -c1 -W1 $REMOTE4
ours check "IPv4 ping to the gateway is answered by the host" ping_ok g $GW4
ours check "IPv6 ping to the gateway is answered by the host" ping_ok g $GW6
remote_echo on

# ---- pcap: readable by tcpdump, holds the echo traffic
check_out "pcap readable by tcpdump: ICMP echo request" "ICMP echo request" \
	tcpdump -nr "$PCAP"
check_out "pcap: ICMP echo reply" "ICMP echo reply" tcpdump -nr "$PCAP"
check_out "pcap: ICMPv6 echo request" "ICMP6, echo request" \
	tcpdump -nr "$PCAP"
check_out "pcap: ARP reply" "ARP, Reply $GW4 is-at" tcpdump -nr "$PCAP"
check_re "pcap: large frames captured whole" "length 80(0[0-9]|[1-9][0-9])" \
	tcpdump -nr "$PCAP"

# ---- the guest goes away, passt waits for the next one
rig_kill "$RIG_QEMU_PID" 1
sleep 0.5
check "passt stays after the guest disconnects" rig_alive "$RIG_PASST_PID"
check "a second guest connects" rig_qemu_tap
rig_guest_conf >/dev/null 2>&1
check "second guest: IPv4 ping" ping_ok g $FAR4
check "second guest: IPv6 ping" ping_ok g $FAR6

# A third connection while the second is attached: refused, passt unharmed
rig_bg extra "$QEMU_TAP" "$RIG_SOCK" "/run/netns/$NS_GUEST" extra0
EXTRA=$RIG_BG_PID
check "a concurrent connection is closed by passt" \
	rig_wait_exit 5 $EXTRA
check "first guest still served: IPv4 ping" ping_ok g $FAR4

rig_stop
check "daemon exits on SIGTERM" rig_wait_exit 5 "$RIG_PASST_PID"

# ---- --one-off: exit when the guest leaves
rm -f "$RIG_SOCK"
check "passt --one-off starts" rig_passt --one-off
rig_guest_conf >/dev/null 2>&1
check "--one-off: IPv4 ping" ping_ok g $FAR4
rig_kill "$RIG_QEMU_PID" 1
check "--one-off: passt exits after the guest disconnects" \
	rig_wait_exit 5 "$RIG_PASST_PID"
rig_stop

# ---- foreground: SIGTERM gives exit status 0
rm -f "$RIG_SOCK"
rig_bg fg h "$PASST" -f --runas 0 -s "$RIG_SOCK"
FG=$RIG_BG_PID
check "-f: socket listening" rig_retry 5 test -S "$RIG_SOCK"
check "-f: still in the foreground (our child)" rig_alive $FG
kill -TERM $FG
rig_reap 5 $FG
check_out "-f: SIGTERM gives exit status 0" "status 0" echo "status $?"

rm -f "$RIG_SOCK"
rig_bg fg2 h "$PASST" -f --runas 0 -s "$RIG_SOCK"
FG=$RIG_BG_PID
rig_retry 5 test -S "$RIG_SOCK"
kill -INT $FG
rig_reap 5 $FG
ours check_out "-f: SIGINT gives exit status 0" "status 0" echo "status $?"
