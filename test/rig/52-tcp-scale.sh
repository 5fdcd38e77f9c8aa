#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/52-tcp-scale.sh - Many TCP connections: 500 open at the same
# time, 5000 short ones in a row, through pasta and passt

. "$(dirname "$0")/../lib/rig.sh"

TOOL=$RIG_TESTDIR/bench/tcptool.py
PORT=5001

rig_setup

start_servers() {
	rig_bg srv-remote r python3 "$TOOL" server $PORT
	rig_bg srv-host h python3 "$TOOL" server $PORT
	rig_wait_port r tcp $PORT || rig_die "server in remote namespace"
	rig_wait_port h tcp $PORT || rig_die "server in host namespace"
}

# tcheck DESC CMD...: check, and show the tool's line as a comment
tcheck() {
	check "$@"
	sed 's/^/#   /' "$RIG_TMP/check.out"
}

scale_checks() {
	local mode=$1

	tcheck "$mode: 500 concurrent connections, IPv4" \
		g timeout 60 python3 "$TOOL" concurrent $FAR4 $PORT 500
	tcheck "$mode: 500 concurrent connections to the host, IPv6" \
		g timeout 60 python3 "$TOOL" concurrent $GW6 $PORT 500
	tcheck "$mode: 5000 sequential short connections, IPv4" \
		g timeout 90 python3 "$TOOL" sequential $FAR4 $PORT 5000
	tcheck "$mode: 5000 sequential short connections, IPv6" \
		g timeout 90 python3 "$TOOL" sequential $FAR6 $PORT 5000
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
