#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/52-tcp-scale.sh - Many TCP connections: 500 open at the same
# time, 5000 short ones in a row, through pasta and passt

. "$(dirname "$0")/../lib/rig.sh"

PORT=5001

rig_setup

start_servers() {
	rig_tcp_server r $PORT
	rig_tcp_server h $PORT
}

scale_checks() {
	local mode=$1

	check_tool "$mode: 500 concurrent connections, IPv4" \
		g timeout 60 python3 "$TCPTOOL" concurrent $FAR4 $PORT 500
	check_tool "$mode: 500 concurrent connections to the host, IPv6" \
		g timeout 60 python3 "$TCPTOOL" concurrent $GW6 $PORT 500
	check_tool "$mode: 5000 sequential short connections, IPv4" \
		g timeout 90 python3 "$TCPTOOL" sequential $FAR4 $PORT 5000
	check_tool "$mode: 5000 sequential short connections, IPv6" \
		g timeout 90 python3 "$TCPTOOL" sequential $FAR6 $PORT 5000
	check "$mode: daemon still running" rig_alive "$2"
}

# Enough descriptors for the clients in the guest
ulimit -n 4096 2>/dev/null

start_servers
if rig_pasta --config-net -t none -u none -T none -U none; then
	scale_checks pasta "$RIG_PASTA_PID"
else
	rig_result FAIL "pasta: start"
fi
rig_stop

start_servers
if rig_passt --no-ra && rig_guest_conf; then
	scale_checks passt "$RIG_PASST_PID"
else
	rig_result FAIL "passt: start"
fi
