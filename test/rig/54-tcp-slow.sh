#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/54-tcp-slow.sh - Slow and stalled readers on either side: windows
# close (zero window) and open again, nothing is lost; pasta and passt

. "$(dirname "$0")/../lib/rig.sh"

PORT=5001
SLOWPORT=5002
SIZE=40000000

rig_setup

start_servers() {
	rig_tcp_server r $PORT
	rig_bg srv-slow r python3 "$TCPTOOL" server $SLOWPORT --slow 20000000
	rig_wait_port r tcp $SLOWPORT || rig_die "server in remote namespace"
}

slow_checks() {
	local mode=$1

	check "$mode: host side reads slowly, 40 MB from guest, IPv4" \
		g timeout 30 python3 "$TCPTOOL" sink $FAR4 $SLOWPORT $SIZE 11
	check "$mode: host side stalls 2 s, 40 MB from guest, IPv6" \
		g timeout 30 python3 "$TCPTOOL" sink $FAR6 $PORT $SIZE 12 \
		--pause 2
	check "$mode: guest reads slowly, 40 MB to guest, IPv6" \
		g timeout 30 python3 "$TCPTOOL" source $FAR6 $PORT $SIZE 13 \
		--slow 20000000
	check "$mode: guest stalls 2 s, 40 MB to guest, IPv4" \
		g timeout 30 python3 "$TCPTOOL" source $FAR4 $PORT $SIZE 14 \
		--pause 2
}

start_servers
if rig_pasta --config-net -t none -u none -T none -U none; then
	slow_checks pasta
else
	rig_result FAIL "pasta: start"
fi
rig_stop

start_servers
if rig_passt --no-ra && rig_guest_conf; then
	slow_checks passt
else
	rig_result FAIL "passt: start"
fi
