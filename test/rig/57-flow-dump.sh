#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/57-flow-dump.sh - SIGUSR1 makes pasta and passt (isolated, under
# seccomp) list their flow table in the log: a TCP connection in the middle
# of an exchange, a UDP exchange and a ping, each with both sides'
# addresses and ports and the bytes that went each way; for pasta, also a
# spliced connection from the host's loopback (-t)

. "$(dirname "$0")/../lib/rig.sh"

TCP_PORT=5071
UDP_PORT=5072
SPLICE_PORT=5073
TCP_SPORT=40171
UDP_SPORT=40172
SPLICE_SPORT=40173
UP=100000	# TCP bytes guest to far host
DOWN=50000	# and back
UDP_MSG=hello	# UDP payload, echoed

cat >"$RIG_TMP/flowtool.py" <<'EOF'
# SPDX-License-Identifier: GPL-2.0-or-later
import socket, sys, time

cmd, args = sys.argv[1], sys.argv[2:]

def recv_n(s, n):
    got = 0
    while got < n:
        d = s.recv(min(65536, n - got))
        if not d:
            break
        got += len(d)
    return got

if cmd == 'tcp-server':
    # tcp-server PORT UP DOWN: per connection, read UP bytes, send DOWN,
    # wait for the client to close
    port, up, down = int(args[0]), int(args[1]), int(args[2])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('0.0.0.0', port))
    ls.listen(4)
    while True:
        s, _ = ls.accept()
        recv_n(s, up)
        s.sendall(b'd' * down)
        while s.recv(65536):
            pass
        s.close()
elif cmd == 'tcp-client':
    # tcp-client HOST PORT SPORT UP DOWN DONEFILE HOLD: exchange, write
    # DONEFILE, keep the connection open HOLD seconds
    host, port, sport = args[0], int(args[1]), int(args[2])
    up, down, done, hold = int(args[3]), int(args[4]), args[5], float(args[6])
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1' if host == '127.0.0.1' else '0.0.0.0', sport))
    s.settimeout(20)
    s.connect((host, port))
    s.sendall(b'u' * up)
    if recv_n(s, down) != down:
        sys.exit(1)
    with open(done, 'w') as f:
        f.write('done\n')
    time.sleep(hold)
    s.close()
elif cmd == 'udp-echo':
    # udp-echo ADDR PORT: bound to the address, so that replies come from it
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((args[0], int(args[1])))
    while True:
        d, a = s.recvfrom(65535)
        s.sendto(d, a)
elif cmd == 'udp-client':
    # udp-client HOST PORT SPORT MSG: one datagram, wait for its echo
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('0.0.0.0', int(args[2])))
    s.settimeout(1)
    for attempt in range(5):
        s.sendto(args[3].encode(), (args[0], int(args[1])))
        try:
            if s.recv(65535) == args[3].encode():
                sys.exit(0)
        except socket.timeout:
            pass
    sys.exit(1)
EOF
TOOL="python3 $RIG_TMP/flowtool.py"

rig_setup

# servers: start the TCP and UDP servers in the remote namespace
servers() {
	rig_bg tcp-srv r $TOOL tcp-server $TCP_PORT $UP $DOWN
	rig_bg udp-srv r $TOOL udp-echo $FAR4 $UDP_PORT
	rig_wait_port r tcp $TCP_PORT || rig_die "TCP server in remote namespace"
	rig_wait_port r udp $UDP_PORT || rig_die "UDP server in remote namespace"
}

# dump_lines LOG PID: SIGUSR1 to PID, wait (5 s at most) for the listing in
# LOG, leave its flow lines in $RIG_TMP/dump.txt
dump_lines() {
	local log=$1 pid=$2 i before

	before=$(grep -c 'Flow table:' "$log" 2>/dev/null)
	kill -USR1 "$pid" || return 1
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c 'Flow table:' "$log")" -gt "$before" ] && break
		sleep 0.1
	done
	sleep 0.2
	# Lines of the last listing only
	awk '/Flow table:/ { n = NR } { l[NR] = $0 }
	     END { for (i = n + 1; i <= NR; i++) print l[i] }' "$log" \
		>"$RIG_TMP/dump.txt"
	sed 's/^/#   /' "$RIG_TMP/dump.txt"
	[ -s "$RIG_TMP/dump.txt" ]
}

# dump_has REGEX: a flow line of the last listing matches
dump_has() {
	grep -Eq "$1" "$RIG_TMP/dump.txt"
}

# flow_checks MODE LOG PID
flow_checks() {
	local mode=$1 log=$2 pid=$3 done=$RIG_TMP/tcp-$1.done g4
	local addr='[0-9.]+' n='[0-9]+'

	g4=$HOST4

	check "$mode: UDP exchange with the far host" \
		g timeout 10 $TOOL udp-client $FAR4 $UDP_PORT $UDP_SPORT $UDP_MSG
	check "$mode: ping to the far host" \
		g timeout 10 ping -c 2 -i 0.2 -W 2 $FAR4

	rm -f "$done"
	rig_bg "tcp-cli-$mode" g timeout 30 $TOOL tcp-client $FAR4 \
		$TCP_PORT $TCP_SPORT $UP $DOWN "$done" 8
	check "$mode: TCP exchange with the far host, connection kept open" \
		rig_wait_file 15 "$done"
	sleep 0.5	# last ACKs from the guest

	check "$mode: SIGUSR1 lists the flow table in the log" \
		dump_lines "$log" "$pid"
	check "$mode: daemon still running after SIGUSR1" \
		kill -0 "$pid"

	check "$mode: TCP flow: guest to far host, both sides, bytes each way" \
		dump_has "tcp active age ${n}s: tap ${g4//./\\.}:$TCP_SPORT>${FAR4//./\\.}:$TCP_PORT host \\*:0>${FAR4//./\\.}:$TCP_PORT bytes $UP>$DOWN\$"
	check "$mode: UDP flow: guest to far host, both sides, bytes each way" \
		dump_has "udp active age ${n}s: tap ${g4//./\\.}:$UDP_SPORT>${FAR4//./\\.}:$UDP_PORT host (\\*|$addr):0>${FAR4//./\\.}:$UDP_PORT bytes ${#UDP_MSG}>${#UDP_MSG}\$"
	check "$mode: ICMP flow: guest pinged far host, two requests, two replies" \
		dump_has "icmp active age ${n}s: tap ${g4//./\\.}:$n>${FAR4//./\\.}:0 host \\*:0>${FAR4//./\\.}:0 bytes 128>128\$"
	check_fail "$mode: nothing listed as free or unknown" \
		dump_has "^flow $n: (free|\\?) "

	wait "${RIG_BG[tcp-cli-$mode]}" 2>/dev/null
}

# splice_checks LOG PID: pasta, connection from the host's loopback to a -t
# port, spliced to the namespace's loopback
splice_checks() {
	local log=$1 pid=$2 done=$RIG_TMP/splice.done n='[0-9]+'

	rig_bg splice-srv g $TOOL tcp-server $SPLICE_PORT $UP $DOWN
	rig_wait_port g tcp $SPLICE_PORT || rig_die "TCP server in guest"
	rig_bg splice-cli h timeout 30 $TOOL tcp-client 127.0.0.1 \
		$SPLICE_PORT $SPLICE_SPORT $UP $DOWN "$done" 8
	check "pasta: spliced exchange from the host's loopback" \
		rig_wait_file 15 "$done"

	check "pasta: SIGUSR1 lists the spliced connection" \
		dump_lines "$log" "$pid"
	check "pasta: spliced flow: host loopback to namespace, bytes each way" \
		dump_has "tcp-splice active age ${n}s: host 127\\.0\\.0\\.1:$SPLICE_SPORT>\\*:0 ns \\*:0>127\\.0\\.0\\.1:$SPLICE_PORT bytes $UP>$DOWN\$"

	wait "${RIG_BG[splice-cli]}" 2>/dev/null
}

servers
if rig_pasta --config-net -t $SPLICE_PORT -u none -T none -U none \
	-l "$RIG_TMP/pasta-flows.log"; then
	flow_checks pasta "$RIG_TMP/pasta-flows.log" "$RIG_PASTA_PID"
	splice_checks "$RIG_TMP/pasta-flows.log" "$RIG_PASTA_PID"
else
	check "pasta: start" false
fi
rig_stop

servers

if rig_passt --no-ra -l "$RIG_TMP/passt-flows.log" && rig_guest_conf; then
	flow_checks passt "$RIG_TMP/passt-flows.log" "$RIG_PASST_PID"
else
	check "passt: start" false
fi

rig_teardown
