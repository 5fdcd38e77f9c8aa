#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/51-tcp-close.sh - TCP half-close in each direction, reset
# propagation in each direction, refused connections, through pasta and
# passt, IPv4 and IPv6

. "$(dirname "$0")/../lib/rig.sh"

PORT=5001
CLOSED=5999

rig_setup

start_servers() {
	rig_tcp_server r $PORT
}

# close_checks MODE
close_checks() {
	local mode=$1 a v

	for v in 4 6; do
		[ $v = 4 ] && a=$FAR4 || a=$FAR6
		check "$mode: IPv$v half-close by guest, host side answers" \
			g timeout 20 python3 "$TCPTOOL" halfc $a $PORT 3000000
		check "$mode: IPv$v half-close by host, guest keeps sending" \
			g timeout 20 python3 "$TCPTOOL" halfs $a $PORT 3000000
		check "$mode: IPv$v reset by host side reaches the guest" \
			g timeout 20 python3 "$TCPTOOL" rst $a $PORT
		check "$mode: IPv$v reset by guest reaches the host side" \
			g timeout 20 python3 "$TCPTOOL" rstc $a $PORT
		check "$mode: IPv$v refused: ECONNREFUSED within 1 s" \
			g timeout 20 python3 "$TCPTOOL" refused $a $CLOSED 1
	done
}

start_servers
if rig_pasta --config-net -t none -u none -T none -U none; then
	close_checks pasta
else
	rig_result FAIL "pasta: start"
fi
rig_stop

start_servers
if rig_passt --no-ra && rig_guest_conf; then
	close_checks passt

	# The guest goes away in the middle of transfers: connections are
	# reset, passt waits for the next guest, which can connect again
	rig_bg xfer g python3 "$TCPTOOL" source $FAR4 $PORT 2000000000 5 \
		--slow 10000000
	rig_bg xfer6 g python3 "$TCPTOOL" sink $FAR6 $PORT 2000000000 6
	sleep 1
	rig_kill "$RIG_QEMU_PID" 1
	sleep 0.5
	check "passt: still running after the guest went away" \
		rig_alive "$RIG_PASST_PID"
	if rig_qemu_tap && rig_guest_conf; then
		check "passt: new guest connects after a disconnection" \
			g timeout 20 python3 "$TCPTOOL" halfc $FAR4 $PORT \
			1000000
	else
		rig_result FAIL "passt: qemu stand-in reconnects"
	fi
else
	rig_result FAIL "passt: start"
fi
