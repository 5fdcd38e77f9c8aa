#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/60-splice.sh - pasta's loopback fast path: host loopback clients
# of -t ports reach the namespace's loopback, namespace loopback clients of
# -T ports reach the host's loopback; bulk data both ways with integrity,
# half-close, resets, 1000 short connections, bounded descriptors

. "$(dirname "$0")/../lib/rig.sh"

IN=10000	# -t: server in the namespace
OUT=10001	# -T: server on the host
NOSRV=10002	# -T: nothing listens on the host
MB100=100000000

rig_setup

# fds PID: number of open descriptors, pipes: number of pipe descriptors
fds() { ls /proc/"$1"/fd 2>/dev/null | wc -l; }
pipes() { ls -l /proc/"$1"/fd 2>/dev/null | grep -c 'pipe:'; }

# back_to PID FDS SECONDS: wait until the descriptor count is FDS again
back_to() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(fds "$1")" -le "$2" ] && return 0
		sleep 0.1
	done
	echo "descriptors: $(fds "$1"), baseline $2"
	return 1
}

# max_fds_during PID CMD...: run CMD, sample the descriptor count meanwhile,
# print the largest one seen; exit status of CMD
max_fds_during() {
	local pid=$1 max=0 n cmdpid rc
	shift
	"$@" >"$RIG_TMP/maxfd.out" 2>&1 &
	cmdpid=$!
	while kill -0 $cmdpid 2>/dev/null; do
		n=$(fds "$pid")
		[ "$n" -gt "$max" ] && max=$n
		sleep 0.05
	done
	wait $cmdpid
	rc=$?
	echo "$max"
	return $rc
}

# BBR as the default on both sides, where the kernel has it: the relay's
# own sockets must not pace over loopback (checked below)
rig_bbr h g && BBR=1

if ! rig_pasta --config-net -t $IN -T $OUT -T $NOSRV -u none -U none; then
	rig_result FAIL "pasta: start"
	exit 1
fi
PID=$RIG_PASTA_PID

rig_tcp_server g $IN
rig_tcp_server h $OUT 127.0.0.1
# Each host server waited for on its own address: the first one up isn't
# enough (the -T ::1 check below, run before the ::1 server listened, was
# reset)
rig_tcp_server h $OUT ::1

BASE_FDS=$(fds $PID)
BASE_PIPES=$(pipes $PID)
echo "# baseline: $BASE_FDS descriptors, $BASE_PIPES pipe ends"

# Addresses: loopback to loopback, no tap on the way
check_out "-t: host 127.0.0.1 client seen from the namespace's loopback" \
	"127.0.0.1 " h timeout 10 python3 "$TCPTOOL" peer 127.0.0.1 $IN
check_out "-t: host ::1 client seen from ::1 in the namespace" \
	"::1 " h timeout 10 python3 "$TCPTOOL" peer ::1 $IN
check_out "-T: namespace 127.0.0.1 client reaches the host's 127.0.0.1" \
	"127.0.0.1 " g timeout 10 python3 "$TCPTOOL" peer 127.0.0.1 $OUT
check_out "-T: namespace ::1 client reaches the host's ::1" \
	"::1 " g timeout 10 python3 "$TCPTOOL" peer ::1 $OUT
check_out "-T: no server on the host: the client sees a reset" \
	"reset" g timeout 10 python3 "$TCPTOOL" rst 127.0.0.1 $NOSRV

# Congestion control: the relay's sockets only talk over loopback, where
# BBR's pacing would hold data back; the endpoints keep the default
cc_checks() {
	rig_bg rr-in h python3 "$TCPTOOL" rr 127.0.0.1 $IN 3
	rig_bg rr-out g python3 "$TCPTOOL" rr 127.0.0.1 $OUT 3
	check "BBR default: the namespace's server uses it" \
		rig_cc_is g "sport = :$IN" bbr
	check "-t: relay socket in the namespace doesn't use BBR" \
		rig_cc_not g "dport = :$IN" bbr
	check "-t: relay socket accepted on the host doesn't use BBR" \
		rig_cc_not h "sport = :$IN" bbr
	check "-T: relay socket accepted in the namespace doesn't use BBR" \
		rig_cc_not g "sport = :$OUT" bbr
	check "-T: relay socket on the host doesn't use BBR" \
		rig_cc_not h "dport = :$OUT" bbr
	wait "${RIG_BG[rr-in]}" "${RIG_BG[rr-out]}"
}
if [ -n "$BBR" ]; then
	ours cc_checks
else
	rig_skip "congestion control of relay sockets: no BBR in this kernel"
fi

# Bulk data with integrity, both directions of both kinds
check_tool "-t: 100 MB host to namespace, sha256" \
	h timeout 60 python3 "$TCPTOOL" sink 127.0.0.1 $IN $MB100 11
check_tool "-t: 100 MB namespace to host, sha256" \
	h timeout 60 python3 "$TCPTOOL" source ::1 $IN $MB100 12
check_tool "-T: 100 MB namespace to host, sha256" \
	g timeout 60 python3 "$TCPTOOL" sink 127.0.0.1 $OUT $MB100 13
check_tool "-T: 100 MB host to namespace, sha256" \
	g timeout 60 python3 "$TCPTOOL" source ::1 $OUT $MB100 14
check_tool "-t: 20 MB to a slow reader (backpressure), sha256" \
	h timeout 60 python3 "$TCPTOOL" source 127.0.0.1 $IN 20000000 15 \
	--slow 20000000

# Half-close and resets
check_tool "-t: client half-closes, server answers on the open half" \
	h timeout 20 python3 "$TCPTOOL" halfc 127.0.0.1 $IN 1000000
check_tool "-t: server half-closes, client keeps sending" \
	h timeout 20 python3 "$TCPTOOL" halfs 127.0.0.1 $IN 1000000
check_tool "-T: client half-closes, server answers on the open half" \
	g timeout 20 python3 "$TCPTOOL" halfc 127.0.0.1 $OUT 1000000
check_tool "-T: server half-closes, client keeps sending" \
	g timeout 20 python3 "$TCPTOOL" halfs ::1 $OUT 1000000
check_tool "-t: reset by the server reaches the host client" \
	h timeout 20 python3 "$TCPTOOL" rst 127.0.0.1 $IN
check_tool "-t: reset by the host client reaches the server" \
	h timeout 20 python3 "$TCPTOOL" rstc 127.0.0.1 $IN
check_tool "-T: reset by the server reaches the namespace client" \
	g timeout 20 python3 "$TCPTOOL" rst 127.0.0.1 $OUT
check_tool "-T: reset by the namespace client reaches the server" \
	g timeout 20 python3 "$TCPTOOL" rstc ::1 $OUT

# Many connections, descriptors bounded and back to the baseline
back_to $PID $BASE_FDS 5 >/dev/null
max=$(max_fds_during $PID h timeout 90 python3 "$TCPTOOL" sequential \
	127.0.0.1 $IN 1000)
rc=$?
sed 's/^/#   /' "$RIG_TMP/maxfd.out"
check "-t: 1000 sequential short connections" [ $rc -eq 0 ]
echo "#   at most $max descriptors (baseline $BASE_FDS)"
check "-t: descriptors bounded during 1000 short connections" \
	[ "$max" -le $((BASE_FDS + 12)) ]
check "-T: 1000 sequential short connections" \
	g timeout 90 python3 "$TCPTOOL" sequential 127.0.0.1 $OUT 1000
check_tool "-t: 300 concurrent connections" \
	h timeout 60 python3 "$TCPTOOL" concurrent 127.0.0.1 $IN 300
check_tool "-T: 300 concurrent connections" \
	g timeout 60 python3 "$TCPTOOL" concurrent ::1 $OUT 300

check "descriptors back to the baseline after all connections closed" \
	back_to $PID $BASE_FDS 5
check "pipe count back to the baseline (pool reused)" \
	[ "$(pipes $PID)" -eq "$BASE_PIPES" ]
check "pasta still running" rig_alive $PID

# ---- a connection still being set up when pasta's timer first runs
# pasta resets connections not set up within 10 seconds: one pending at the
# first tick of its timer, a second after the start, was reset then, its
# age counted from time zero. Here the host's server never accepts and its
# queue is full, so that the SYN pasta sends is dropped: the connection
# stays pending; it must not be reset before those 10 seconds.
SLOW=10003
rig_kill "$PID"
rig_bg backlog h python3 -c "
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $SLOW))
s.listen(0)
time.sleep(60)"
rig_wait_port h tcp $SLOW 127.0.0.1 || rig_die "host server for -T $SLOW"
# (fills the accept queue: the one connection a backlog of 0 admits)
h bash -c "exec 3<>/dev/tcp/127.0.0.1/$SLOW" || rig_die "filling the queue"

# pending_kept: connect to pasta's -T listener within a second of its start
# (so before the first tick), then no reset for 4 seconds (read times out)
pending_kept() {
	g timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SLOW &&
		{ read -t 4 -u 3; rc=\$?; }
		echo \"read: status \$rc (above 128: timed out)\"
		[ \$rc -gt 128 ]"
}
if rig_pasta --config-net -t none -T $SLOW -u none -U none; then
	ours check "-T: connection pending at pasta's first timer tick kept" \
		pending_kept
else
	rig_result FAIL "pasta: restart with -T $SLOW"
fi
