#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/55-tcp-faults.sh - TCP through passt with frames dropped,
# duplicated and reordered by the qemu stand-in (1% and 5%, both
# directions): transfers complete with identical content

. "$(dirname "$0")/../lib/rig.sh"

PORT=5001
# At 5%, every lost 64 KiB frame from the guest costs it a retransmission
# timeout (we keep no out-of-order data, and without SACK it resends
# everything after the hole), and timeouts back off when a retransmission
# or its ACK is lost too: 10 MB took 2-7 s mostly, but 26 s, 37 s and over
# 60 s in a few runs out of dozens. The checks are about integrity and
# completion: 10 MB at 1%, 3 MB at 5%.
SIZE=${TCP_FAULT_SIZE:-10000000}
SIZE5=${TCP_FAULT_SIZE5:-3000000}

rig_setup

for pct in 1 5; do
	size=$SIZE
	[ $pct = 5 ] && size=$SIZE5
	mb=$((size / 1000000))
	rig_tcp_server r $PORT

	RIG_QEMU_TAP_ARGS=(--drop $pct --dup $pct --reorder $pct)
	if ! rig_passt --no-ra || ! rig_guest_conf; then
		rig_result FAIL "passt with $pct% faults: start"
		rig_stop
		continue
	fi

	check_tool "$pct% loss/dup/reorder: $mb MB guest to host, IPv4" \
		g timeout 60 python3 "$TCPTOOL" sink $FAR4 $PORT $size 21
	check_tool "$pct% loss/dup/reorder: $mb MB host to guest, IPv4" \
		g timeout 60 python3 "$TCPTOOL" source $FAR4 $PORT $size 22
	check_tool "$pct% loss/dup/reorder: $mb MB guest to host, IPv6" \
		g timeout 60 python3 "$TCPTOOL" sink $FAR6 $PORT $size 23
	check_tool "$pct% loss/dup/reorder: $mb MB host to guest, IPv6" \
		g timeout 60 python3 "$TCPTOOL" source $FAR6 $PORT $size 24
	check_tool "$pct% loss/dup/reorder: 50 short connections" \
		g timeout 60 python3 "$TCPTOOL" sequential $FAR4 $PORT 50
	rig_stop
done
