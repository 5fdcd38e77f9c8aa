#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/50-tcp-data.sh - TCP bulk data through pasta and passt, IPv4 and
# IPv6, both directions, content checked with SHA-256; to the far host (via
# the host's routing) and to the host itself (gateway mapped to loopback);
# then, idle, the daemon uses no CPU (busy polling stops with the traffic)

. "$(dirname "$0")/../lib/rig.sh"

SIZE=${TCP_SIZE:-100000000}
PORT=5001

rig_setup

rig_tcp_server r $PORT
rig_tcp_server h $PORT

# data_checks MODE: transfers in both directions, both IP versions
data_checks() {
	local mode=$1

	check_tool "$mode: 100 MB guest to far host, IPv4" \
		g timeout 60 python3 "$TCPTOOL" sink $FAR4 $PORT $SIZE 1
	check_tool "$mode: 100 MB far host to guest, IPv4" \
		g timeout 60 python3 "$TCPTOOL" source $FAR4 $PORT $SIZE 2
	check_tool "$mode: 100 MB guest to far host, IPv6" \
		g timeout 60 python3 "$TCPTOOL" sink $FAR6 $PORT $SIZE 3
	check_tool "$mode: 100 MB far host to guest, IPv6" \
		g timeout 60 python3 "$TCPTOOL" source $FAR6 $PORT $SIZE 4
	check_tool "$mode: 20 MB guest to host via gateway, IPv4" \
		g timeout 60 python3 "$TCPTOOL" sink $GW4 $PORT 20000000 5
	check_tool "$mode: 20 MB host to guest via gateway, IPv6" \
		g timeout 60 python3 "$TCPTOOL" source $GW6 $PORT 20000000 6
}

# cc_checks MODE: with BBR as the host's default, our socket to the host's
# loopback (gateway mapped) doesn't pace, the one to the far host keeps BBR
cc_checks() {
	local mode=$1

	rig_bg rr-gw g python3 "$TCPTOOL" rr $GW4 $PORT 3
	rig_bg rr-far g python3 "$TCPTOOL" rr $FAR4 $PORT 3
	check "$mode: socket to the host's loopback doesn't use BBR" \
		rig_cc_not h "dst 127.0.0.1 and dport = :$PORT" bbr
	check "$mode: socket to the far host keeps the default, BBR" \
		rig_cc_is h "dst $FAR4 and dport = :$PORT" bbr
	wait "${RIG_BG[rr-gw]}" "${RIG_BG[rr-far]}"
}

# idle_check MODE PID: after round trips through the gateway, the daemon
# sleeps again: busy polling stops with the traffic (a window that doesn't
# shrink would keep a CPU busy)
idle_check() {
	local mode=$1 pid=$2 t0 t1

	g timeout 10 python3 "$TCPTOOL" rr $GW4 $PORT 2 >/dev/null 2>&1
	sleep 0.5
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep 2
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	echo "#   $mode: $((t1 - t0)) clock ticks of CPU in 2 s, idle"
	check "$mode: idle after round trips, no polling left" \
		test $((t1 - t0)) -le 2
}

rig_bbr h && BBR=1

if rig_pasta --config-net -t none -u none -T none -U none; then
	rig_retry 5 g ip -6 route show default | grep -q . ||
		echo "# no IPv6 default route in guest yet"
	data_checks pasta
	idle_check pasta "$RIG_PASTA_PID"
	if [ -n "$BBR" ]; then
		ours cc_checks pasta
	else
		rig_skip "pasta: congestion control: no BBR in this kernel"
	fi
else
	rig_result FAIL "pasta: start"
fi
rig_stop
rig_tcp_server r $PORT
rig_tcp_server h $PORT

if rig_passt --no-ra && rig_guest_conf; then
	data_checks passt
	idle_check passt "$RIG_PASST_PID"
	[ -n "$BBR" ] && ours cc_checks passt
else
	rig_result FAIL "passt: start"
fi
