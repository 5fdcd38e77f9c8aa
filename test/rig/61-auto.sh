#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/61-auto.sh - pasta's automatic forwarding (the default, and
# -t/-u/-T/-U auto): ports bound in the namespace become reachable from the
# host and the other way around, within 2 s, and stop being forwarded when
# their server exits; our own sockets don't feed back; '~' exclusions; a
# port in use is retried, never fatal

. "$(dirname "$0")/../lib/rig.sh"


# UDP echo server (dual stack) and client
UDP_ECHO='import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)'
UDP_PING='import socket, sys
af = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(af, socket.SOCK_DGRAM)
s.settimeout(0.5)
s.sendto(b"ping", (sys.argv[1], int(sys.argv[2])))
print(s.recvfrom(2048)[0].decode())'

rig_setup

# listeners NS PROTO PORT: number of listening sockets on PORT
listeners() {
	local flag=-t
	[ "$2" = udp ] && flag=-u
	ip netns exec "$(rig_ns "$1")" ss -Hln $flag "sport = :$3" | wc -l
}

# pasta_on NS PROTO PORT: number of pasta's own sockets bound to PORT
pasta_on() {
	local flag=-t
	[ "$2" = udp ] && flag=-u
	ip netns exec "$(rig_ns "$1")" ss -Hlnp $flag "sport = :$3" |
		grep -c "pid=$PID,"
}

# count_is N CMD...: CMD prints the number N
count_is() {
	local n=$1 out
	shift
	out=$("$@")
	echo "got $out, expected $n"
	[ "$out" -eq "$n" ]
}

# none_within SECONDS NS PROTO PORT: wait until nothing listens on PORT
none_within() {
	local end=$((SECONDS + $1 + 1)) n
	while :; do
		n=$(listeners "$2" "$3" "$4")
		[ "$n" -eq 0 ] && return 0
		[ $SECONDS -ge $end ] && break
		sleep 0.1
	done
	echo "still $n listeners on $3/$4"
	return 1
}

# within SECONDS CMD...: CMD succeeds within SECONDS, prints the time taken
within() {
	local t0 t1 secs=$1
	shift
	t0=$(date +%s%N)
	rig_retry "$secs" "$@" >/dev/null 2>&1 || return 1
	t1=$(date +%s%N)
	echo "#   after $(((t1 - t0) / 1000000)) ms"
	[ $(((t1 - t0) / 1000000)) -le $((secs * 1000)) ]
}

# Phase 1: pasta's defaults (auto in all four directions)
rig_bg srv-host-pre h python3 "$TCPTOOL" server 10005 --addr 127.0.0.1
rig_wait_port h tcp 10005 || rig_die "server on the host"

if ! rig_pasta --config-net; then
	rig_result FAIL "pasta: start with default forwarding"
	exit 1
fi
PID=$RIG_PASTA_PID
rig_retry 5 g ping -c1 -W1 -q $GW4 >/dev/null 2>&1

check_out "host server listening before start-up: reachable from the namespace" \
	"127.0.0.1 " g timeout 5 python3 "$TCPTOOL" peer 127.0.0.1 10005

rig_bg srv-ns g python3 "$TCPTOOL" server 10000
rig_wait_port g tcp 10000 || rig_die "server in the namespace"
check "-t auto: new namespace server reachable from host loopback in 2 s" \
	within 2 h timeout 1 python3 "$TCPTOOL" peer 127.0.0.1 10000
check_out "-t auto: spliced, seen from the namespace's loopback" \
	"::1 " h timeout 5 python3 "$TCPTOOL" peer ::1 10000
check_out "-t auto: reachable from the remote host through the tap" \
	"$FAR4 " r timeout 5 python3 "$TCPTOOL" peer $HOST4 10000 --bind $FAR4

rig_bg srv-host h python3 "$TCPTOOL" server 10001
rig_wait_port h tcp 10001 || rig_die "server on the host"
check "-T auto: new host server reachable from the namespace in 2 s" \
	within 2 g timeout 1 python3 "$TCPTOOL" peer 127.0.0.1 10001
check_out "-T auto: IPv6 loopback too" \
	"::1 " g timeout 5 python3 "$TCPTOOL" peer ::1 10001

rig_bg udp-ns g python3 -c "$UDP_ECHO" :: 10010
rig_wait_port g udp 10010 || rig_die "UDP server in the namespace"
check "-u auto: new namespace UDP server reachable from the host in 2 s" \
	within 2 h timeout 1 python3 -c "$UDP_PING" 127.0.0.1 10010
rig_bg udp-host h python3 -c "$UDP_ECHO" :: 10011
rig_wait_port h udp 10011 || rig_die "UDP server on the host"
check "-U auto: new host UDP server reachable from the namespace in 2 s" \
	within 2 g timeout 1 python3 -c "$UDP_PING" 127.0.0.1 10011

# Two more scans: our own sockets must not be forwarded back
sleep 2.2
check "forwarded: pasta listens on 10000 on the host" \
	count_is 1 pasta_on h tcp 10000
check "forwarded: pasta listens on 127.0.0.1 and ::1 port 10001 in the namespace" \
	count_is 2 pasta_on g tcp 10001
check "no feedback: pasta doesn't listen on 10000 in the namespace" \
	count_is 0 pasta_on g tcp 10000
check "no feedback: pasta doesn't listen on 10001 on the host" \
	count_is 0 pasta_on h tcp 10001
check "no feedback: pasta doesn't listen on 10005 on the host" \
	count_is 0 pasta_on h tcp 10005
check "no feedback: pasta has no UDP socket on 10010 in the namespace" \
	count_is 0 pasta_on g udp 10010
check "no feedback: pasta has no UDP socket on 10011 on the host" \
	count_is 0 pasta_on h udp 10011

rig_kill "${RIG_BG[srv-ns]}" 1
rig_kill "${RIG_BG[srv-host]}" 1
rig_kill "${RIG_BG[udp-ns]}" 1
rig_kill "${RIG_BG[udp-host]}" 1
check "-t auto: port released on the host after the server exits" \
	none_within 2 h tcp 10000
check "-T auto: port released in the namespace after the server exits" \
	none_within 2 g tcp 10001
check "-u auto: port released on the host after the server exits" \
	none_within 2 h udp 10010
check "-U auto: port released in the namespace after the server exits" \
	none_within 2 g udp 10011
check_out "-t auto: released port refused from the host" \
	"ECONNREFUSED" h timeout 5 python3 "$TCPTOOL" refused 127.0.0.1 10000
check "pasta still running" rig_alive $PID
rig_stop

# Phase 2: exclusions, and a port that's in use on the host
rig_bg blocker h python3 "$TCPTOOL" server 10030
rig_wait_port h tcp 10030 || rig_die "blocking server on the host"
if ! rig_pasta --config-net -t auto -t ~10020 -T none -u none -U none \
	-l "$RIG_TMP/auto.log"; then
	rig_result FAIL "pasta: start with -t auto -t ~10020"
	exit 1
fi
PID=$RIG_PASTA_PID

rig_bg srv-ns2 g python3 "$TCPTOOL" server 10020,10030,10031
rig_wait_port g tcp 10031 || rig_die "servers in the namespace"
check "-t auto: other ports still forwarded" \
	within 2 h timeout 1 python3 "$TCPTOOL" peer 127.0.0.1 10031
sleep 2.2
check "-t ~10020: excluded port not forwarded" \
	count_is 0 listeners h tcp 10020
check "-t auto: port in use on the host logged once" \
	count_is 1 grep -c "can't forward port 10030" "$RIG_TMP/auto.log"
check "-t auto: port in use isn't fatal" rig_alive $PID
rig_kill "${RIG_BG[blocker]}" 1
check "-t auto: port retried, forwarded once free" \
	within 2 h timeout 1 python3 "$TCPTOOL" peer 127.0.0.1 10030
