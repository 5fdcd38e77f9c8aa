#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/55-tcp-faults.sh - TCP through passt with frames dropped,
# duplicated and reordered by the qemu stand-in (1% and 5%, both
# directions): transfers complete with identical content

. "$(dirname "$0")/../lib/rig.sh"

TOOL=$RIG_TESTDIR/bench/tcptool.py
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

# tcheck DESC CMD...: check, and show the tool's line as a comment
tcheck() {
	check "$@"
	sed 's/^/#   /' "$RIG_TMP/check.out"
}

for pct in 1 5; do
	size=$SIZE
	[ $pct = 5 ] && size=$SIZE5
	mb=$((size / 1000000))
	rig_bg srv-remote r python3 "$TOOL" server $PORT
	rig_wait_port r tcp $PORT || rig_die "server in remote namespace"

	RIG_QEMU_TAP_ARGS=(--drop $pct --dup $pct --reorder $pct)
	if ! rig_passt --no-ra || ! rig_guest_conf; then
		rig_result FAIL "passt with $pct% faults: start"
		rig_stop
		continue
	fi

	tcheck "$pct% loss/dup/reorder: $mb MB guest to host, IPv4" \
		g timeout 60 python3 "$TOOL" sink $FAR4 $PORT $size 21
	tcheck "$pct% loss/dup/reorder: $mb MB host to guest, IPv4" \
		g timeout 60 python3 "$TOOL" source $FAR4 $PORT $size 22
	tcheck "$pct% loss/dup/reorder: $mb MB guest to host, IPv6" \
		g timeout 60 python3 "$TOOL" sink $FAR6 $PORT $size 23
	tcheck "$pct% loss/dup/reorder: $mb MB host to guest, IPv6" \
		g timeout 60 python3 "$TOOL" source $FAR6 $PORT $size 24
	tcheck "$pct% loss/dup/reorder: 50 short connections" \
		g timeout 60 python3 "$TOOL" sequential $FAR4 $PORT 50
	rig_stop
done
