#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/53-tcp-inbound.sh - Inbound TCP forwarding (-t) with a range and
# a mapping, from the host namespace and from the remote namespace: the guest
# sees the true client address (the gateway for the host itself), both IP
# versions, pasta and passt

. "$(dirname "$0")/../lib/rig.sh"

FWD="-t 10000-10002 -t 10010:10020"

rig_setup

# inbound_checks MODE
inbound_checks() {
	local mode=$1

	rig_bg srv-guest g python3 "$TCPTOOL" server 10000,10001,10002,10020
	rig_wait_port g tcp 10020 || rig_die "server in guest"
	# The guest's MAC address must be known: let it say something first
	rig_retry 5 g ping -c1 -W1 -q $GW4 >/dev/null 2>&1

	check_out "$mode: range, from remote, IPv4: true client address" \
		"$FAR4 " r timeout 10 python3 "$TCPTOOL" peer $HOST4 10001 \
		--bind $FAR4
	check_out "$mode: range, from remote, IPv6: true client address" \
		"$FAR6 " r timeout 10 python3 "$TCPTOOL" peer $HOST6 10002 \
		--bind $FAR6
	check_out "$mode: mapping 10010:10020, from remote, IPv4" \
		" 10020" r timeout 10 python3 "$TCPTOOL" peer $HOST4 10010 \
		--bind $FAR4
	check_out "$mode: mapping 10010:10020, from remote, IPv6" \
		" 10020" r timeout 10 python3 "$TCPTOOL" peer $HOST6 10010 \
		--bind $FAR6
	check_out "$mode: range, from the host itself, IPv4: gateway" \
		"$GW4 " h timeout 10 python3 "$TCPTOOL" peer $HOST4 10000
	check_out "$mode: mapping, from host loopback, IPv6: gateway" \
		"$GW6 " h timeout 10 python3 "$TCPTOOL" peer ::1 10010
	check "$mode: inbound data, 10 MB into the guest" \
		r timeout 30 python3 "$TCPTOOL" sink $HOST4 10000 10000000 9
	check "$mode: inbound data, 10 MB out of the guest" \
		r timeout 30 python3 "$TCPTOOL" source $HOST6 10002 10000000 8
	check "$mode: reconnects from the same client ports, guest in TIME-WAIT" \
		reconnects
	check_out "$mode: port outside the range is refused" \
		"ECONNREFUSED" r timeout 10 python3 "$TCPTOOL" refused \
		$HOST4 10003
	[ -n "$BBR" ] && ours cc_checks "$mode"
}

# reconnects: connections from a few fixed client ports, three rounds: the
# guest closes first, so its side of each earlier connection is in TIME-WAIT
# and has to take our new SYN (timestamps and sequence numbers that grow),
# or be reset and then take it (after a restart: the pasta run's are still
# there when passt's starts)
reconnects() {
	local round port

	for round in 1 2 3; do
		for port in 40101 40102 40103 40104 40105 40106; do
			r timeout 3 python3 "$TCPTOOL" peer $HOST4 10001 \
				--sport $port >/dev/null && continue
			echo "round $round, client port $port: failed"
			return 1
		done
	done
}

# cc_checks MODE: with BBR as the host's default, our socket accepted from
# the host's loopback doesn't pace, the one accepted from remote keeps BBR
cc_checks() {
	rig_bg rr-lo h python3 "$TCPTOOL" rr 127.0.0.1 10000 3
	rig_bg rr-far r python3 "$TCPTOOL" rr $HOST4 10001 3 --bind $FAR4
	check "$1: socket accepted from the host's loopback doesn't use BBR" \
		rig_cc_not h "src 127.0.0.1 and sport = :10000" bbr
	check "$1: socket accepted from remote keeps the default, BBR" \
		rig_cc_is h "sport = :10001" bbr
	wait "${RIG_BG[rr-lo]}" "${RIG_BG[rr-far]}"
}

rig_bbr h && BBR=1

if rig_pasta --config-net --no-splice $FWD -u none -T none -U none; then
	inbound_checks pasta
else
	rig_result FAIL "pasta: start"
fi
rig_stop

if rig_passt --no-ra $FWD && rig_guest_conf; then
	inbound_checks passt
else
	rig_result FAIL "passt: start"
fi
