#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/59-ctl.sh - Configuration socket (-c) and pesto: add and remove
# forwarding rules while a long transfer runs through another rule (intact,
# no reset), list flows during a transfer, refused requests (bad spec, port
# in use, all or nothing, wrong uid, oversized, garbage) leave the daemon
# serving, silent clients don't stall traffic and are dropped, removing a
# rule closes its listener and ends only its flows; pasta and passt

. "$(dirname "$0")/../lib/rig.sh"

PESTO=${PESTO:-$(dirname "$PASST")/pesto}
[ -x "$PESTO" ] || PESTO=$RIG_TOP/pesto	# PASST may be a wrapper
CTL=$RIG_TMP/ctl.sock
LONG=24000000		# bytes of the long transfer, ~8 s at 3 MB/s
SLOW=3000000

rig_setup

echo keep >"$RIG_TMP/notsock"
check_out "-c on a file that isn't a socket: refused" "not a socket" \
	h timeout 10 "$PASST" -f --runas 0 -s "$RIG_TMP/x.sock" \
	-c "$RIG_TMP/notsock"
check_out "... and the file is left alone" "keep" cat "$RIG_TMP/notsock"

# raw_req DATA_PY: send the bytes of a Python expression to the socket,
# print the reply
raw_req() {
	h timeout 15 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(12)
s.connect(sys.argv[1])
try:
    s.sendall(eval(sys.argv[2]))
    s.shutdown(socket.SHUT_WR)
except OSError:
    pass
print(s.recv(65536).decode(errors="replace"))
' "$CTL" "$1"
}

# flows_json_ok: the JSON listing has the long transfer: remote peer on the
# host side, guest port 10000 on the tap side, bytes counted both ways
flows_json_ok() {
	h timeout 10 "$PESTO" --flows --json "$CTL" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for f in d["flows"]:
    i, t = f["ini"], f["tgt"]
    if (f["proto"] == "tcp" and i["pif"] == "host" and
        i["peer"] == sys.argv[1] and t["pif"] == "tap" and
        t["peer"] == sys.argv[2] and t["peer_port"] == 10000 and
        f["bytes"][0] > 0 and f["bytes"][1] > 100000 and
        f["packets"][0] > 0 and f["packets"][1] > 10 and f["rule"] > 0):
        sys.exit(0)
print(d)
sys.exit(1)
' "$REMOTE4" "$HOST4"
}

# udp_echo NS ADDR PORT: one datagram to an echo server, answer in 2 s
udp_echo() {
	"$1" timeout 5 python3 -c '
import socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET,
                  socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"ping", (a, int(sys.argv[2])))
sys.exit(0 if s.recv(64) == b"ping" else 1)
' "$2" "$3"
}

# idle_clients N SECONDS: N connections that send nothing, for SECONDS
idle_clients() {
	rig_bg idle h timeout 20 python3 -c '
import socket, sys, time
l = []
for i in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    l.append(s)
time.sleep(float(sys.argv[3]))
' "$CTL" "$1" "$2"
}

ctl_checks() {
	local mode=$1 t0 t1 t

	rig_bg srv g python3 "$TCPTOOL" server 10000,10001,10002,10003
	rig_wait_port g tcp 10003 || rig_die "server in guest"
	rig_bg uecho g python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 10007))
while True:
    d, a = s.recvfrom(64)
    s.sendto(d, a)
'
	rig_wait_port g udp 10007
	rig_retry 5 g ping -c1 -W1 -q $GW4 >/dev/null 2>&1

	check_out "$mode: log says Configuration socket" \
		"Configuration socket: $CTL" cat "$RIG_TMP/$mode.log"
	check_out "$mode: socket mode 0600" "600" stat -c %a "$CTL"
	check_re "$mode: pesto shows the start-up rule" "^ +[0-9]+: 10000$" \
		h timeout 10 "$PESTO" "$CTL"
	check "$mode: pesto --json shows valid JSON" \
		sh -c "ip netns exec $NS_HOST timeout 10 $PESTO --json $CTL |
		       python3 -m json.tool"

	# Long transfer out of the guest through 10000, read slowly
	rig_bg long r timeout 60 python3 "$TCPTOOL" source $HOST4 10000 \
		$LONG 7 --slow $SLOW
	sleep 1

	check_re "$mode: add a rule (-A -t 10001) during the transfer, JSON" \
		'^\{"result":"HOST TCP: 1 rules added, 0 removed, 0 flows ended"\}$' \
		h timeout 10 "$PESTO" --json -A -t 10001 "$CTL"
	check_out "$mode: new rule forwards" "$REMOTE4 " \
		r timeout 10 python3 "$TCPTOOL" peer $HOST4 10001
	check "$mode: flow listing: both sides and byte counts" flows_json_ok
	check_re "$mode: text listing, one line per flow" \
		"^flow [0-9]+: tcp active .* bytes [0-9]+>[0-9]+ packets [1-9][0-9]*>[1-9][0-9]*$" \
		h timeout 10 "$PESTO" --flows "$CTL"
	check_out "$mode: listing ends with the totals" "Flows: " \
		h timeout 10 "$PESTO" --flows "$CTL"

	# Refusals
	check_fail "$mode: bad spec refused (exit status)" \
		h timeout 10 "$PESTO" -A -t 70000 "$CTL"
	check_out "$mode: bad spec: daemon's message on stderr" \
		"Bad port specification" h timeout 10 "$PESTO" -A -t 70000 "$CTL"
	rig_bg hold h python3 "$TCPTOOL" server 10005 --addr $HOST4
	rig_wait_port h tcp 10005
	check_out "$mode: port in use refused" "Address already in use" \
		h timeout 10 "$PESTO" -A -t $HOST4/10005 "$CTL"
	check_out "$mode: all or nothing: 10006 with 10005 refused" \
		"Address already in use" \
		h timeout 10 "$PESTO" -A -t $HOST4/10006 -t $HOST4/10005 "$CTL"
	check_out "$mode: ... and 10006 isn't forwarded" "ECONNREFUSED" \
		r timeout 10 python3 "$TCPTOOL" refused $HOST4 10006
	check_fail "$mode: ... nor listed" \
		sh -c "ip netns exec $NS_HOST timeout 10 $PESTO $CTL | grep 1000[56]"
	check_out "$mode: overlapping rule refused" "Overlapping" \
		h timeout 10 "$PESTO" -A -t 10000 "$CTL"
	check_out "$mode: deleting a rule that isn't there refused" \
		"No such rule" h timeout 10 "$PESTO" -D -t 10009 "$CTL"

	check_fail "$mode: other user: socket file not accessible" \
		h timeout 10 runuser -u nobody -- "$PESTO" "$CTL"
	chmod 666 "$CTL"
	check_out "$mode: other user: refused by SO_PEERCRED" \
		"Permission denied" \
		h timeout 10 runuser -u nobody -- "$PESTO" "$CTL"
	chmod 600 "$CTL"

	check_out "$mode: oversized request refused" "error Request too long" \
		raw_req "b'pesto 1 show ' + b'x' * 5000 + b'\n'"
	check_out "$mode: garbage refused" "error " \
		raw_req "bytes(range(256)) * 3"
	check_out "$mode: wrong version refused" "Unsupported protocol version" \
		raw_req "b'pesto 2 show\n'"
	check_out "$mode: unterminated request refused" "error " \
		raw_req "b'pesto 1 show'"
	check "$mode: log level change" \
		h timeout 10 "$PESTO" --log-level debug "$CTL"
	check_fail "$mode: bad log level refused" \
		h timeout 10 "$PESTO" --log-level loud "$CTL"
	h timeout 10 "$PESTO" --log-level info "$CTL" >/dev/null 2>&1

	# Silent clients: all slots taken, traffic flows, others turned away
	idle_clients 6 14
	sleep 1
	t0=$(date +%s)
	check "$mode: with silent clients, 10 MB through a new connection" \
		r timeout 20 python3 "$TCPTOOL" sink $HOST4 10001 10000000 3
	t1=$(date +%s)
	check "$mode: ... in less than 8 s" test $((t1 - t0)) -lt 8
	check_out "$mode: more clients than slots turned away" \
		"Too many clients" h timeout 10 "$PESTO" "$CTL"
	check "$mode: silent clients dropped after their deadline" \
		rig_retry 15 h timeout 5 "$PESTO" "$CTL"

	# UDP rules
	check_fail "$mode: UDP 10007 not forwarded yet" \
		udp_echo r $HOST4 10007
	check "$mode: add a UDP rule (-A -u 10007)" \
		h timeout 10 "$PESTO" -A -u 10007 "$CTL"
	check "$mode: UDP 10007 forwarded" udp_echo r $HOST4 10007
	check "$mode: remove it (-D -u 10007)" \
		h timeout 10 "$PESTO" -D -u 10007 "$CTL"
	check_fail "$mode: UDP 10007 no longer forwarded" \
		udp_echo r $HOST4 10007

	# Removal: listener closed, only its flows end
	check "$mode: add 10002" h timeout 10 "$PESTO" -A -t 10002 "$CTL"
	rig_bg victim r timeout 60 python3 "$TCPTOOL" source $HOST4 10002 \
		$LONG 5 --slow $SLOW
	rig_bg victim-lo h timeout 60 python3 "$TCPTOOL" source 127.0.0.1 \
		10002 $LONG 4 --slow $SLOW
	sleep 1
	[ "$mode" = pasta ] && t=tcp-splice || t=tcp
	check_re "$mode: the flow from host loopback listed ($t)" \
		"^flow [0-9]+: $t active .*: host 127\.0\.0\.1:" \
		h timeout 10 "$PESTO" --flows "$CTL"
	check "$mode: remove 10002 and 10001 (-D)" \
		h timeout 10 "$PESTO" -D -t 10002 -t 10001 "$CTL"
	check_out "$mode: 10001 no longer forwarded" "ECONNREFUSED" \
		r timeout 10 python3 "$TCPTOOL" refused $HOST4 10001
	check_fail "$mode: the flow through 10002 ended" \
		rig_reap 20 "${RIG_BG[victim]}"
	check_fail "$mode: the one from host loopback too" \
		rig_reap 20 "${RIG_BG[victim-lo]}"
	check "$mode: replace the table (-t 10000,10003), 10000 kept" \
		h timeout 10 "$PESTO" -t 10000 -t 10003 "$CTL"
	check_out "$mode: 10003 forwarded" "$REMOTE4 " \
		r timeout 10 python3 "$TCPTOOL" peer $HOST4 10003
	check_re "$mode: -s: table before and after a change" \
		"^tcp-in .*rules added.*tcp-in .* 1: 10000 .*: 10004 " sh -c "ip netns exec $NS_HOST \
		timeout 10 $PESTO -s -A -t 10004 $CTL | tr '\n' ' '"
	check "$mode: long transfer through 10000 intact (sha256, no reset)" \
		rig_reap 60 "${RIG_BG[long]}"
	check "$mode: daemon still running" rig_alive "$2"
	[ "$mode" = pasta ] && outbound_checks

	rig_kill "${RIG_BG[hold]}" 1
	rig_kill "${RIG_BG[srv]}" 1
	rig_kill "${RIG_BG[idle]}" 1
	rig_kill "${RIG_BG[uecho]}" 1
}

# outbound_checks: pasta -T rules added and removed
outbound_checks() {
	rig_bg lo8 h python3 "$TCPTOOL" server 10008 --addr 127.0.0.1
	rig_wait_port h tcp 10008
	check_out "pasta: 10008 from the namespace's loopback: nothing yet" \
		"ECONNREFUSED" g timeout 10 python3 "$TCPTOOL" refused \
		127.0.0.1 10008
	check "pasta: add an outbound rule (-A -T 10008)" \
		h timeout 10 "$PESTO" -A -T 10008 "$CTL"
	check_out "pasta: namespace loopback 10008 reaches the host's" \
		"127.0.0.1 " g timeout 10 python3 "$TCPTOOL" peer 127.0.0.1 10008
	check_re "pasta: listed in tcp-out" "^ +[0-9]+: 10008$" \
		h timeout 10 "$PESTO" "$CTL"
	check "pasta: clear the outbound tables (-C SPLICE)" \
		h timeout 10 "$PESTO" -C SPLICE "$CTL"
	check_out "pasta: 10008 closed in the namespace" "ECONNREFUSED" \
		g timeout 10 python3 "$TCPTOOL" refused 127.0.0.1 10008
	rig_kill "${RIG_BG[lo8]}" 1
}

if rig_pasta --config-net -c "$CTL" -t 10000 -u none -T none -U none; then
	ctl_checks pasta "$RIG_PASTA_PID"
else
	rig_result FAIL "pasta: start"
fi
rig_stop
rm -f "$CTL"

if rig_passt --no-ra -c "$CTL" -t 10000 &&
   rig_guest_conf; then
	ctl_checks passt "$RIG_PASST_PID"
else
	rig_result FAIL "passt: start"
fi

rig_teardown
