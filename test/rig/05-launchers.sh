#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/05-launchers.sh - Command lines that launchers (libvirt, podman,
# cloud-hypervisor tools, ...) generate: what they ask for is what we do

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

# listening NS PROTO PORT: local addresses listening on PORT, one a line
listening() {
	local flag=-t
	[ "$2" = udp ] && flag=-u
	ip netns exec "$(rig_ns "$1")" ss -Hln $flag "sport = :$3" |
		awk '{ print $4 }'
}

# listens_on NS PROTO PORT ADDR: PORT listens on ADDR:PORT and nowhere else
listens_on() {
	local l
	l=$(listening "$1" "$2" "$3")
	echo "listening on port $3: ${l:-nothing}"
	[ "$l" = "$4:$3" ]
}

# no_listener NS PROTO PORT
no_listener() {
	local l
	l=$(listening "$1" "$2" "$3")
	echo "listening on port $3: ${l:-nothing}"
	[ -z "$l" ]
}

# ---- -t ADDR/all, -t ADDR/~PORTS (libvirt <portForward address=...>):
# every port outside the ephemeral range, above it too, on ADDR only.
# Exclusions keep the number of sockets below the descriptor limit.
h sysctl -qw net.ipv4.ip_local_port_range="30000 60000"

if ours check "passt -t $HOST4/~1-29999 starts" \
	rig_passt_start -t "$HOST4/~1-29999"; then
	rig_wait_port h tcp 65535
	check "exclusion-only with address: port 65535 on $HOST4 only" \
		listens_on h tcp 65535 $HOST4
	check "exclusion-only with address: 60001, above the ephemeral range" \
		listens_on h tcp 60001 $HOST4
	check "exclusion-only with address: ephemeral port 45000 not bound" \
		no_listener h tcp 45000
	check "exclusion-only with address: excluded port 22 not bound" \
		no_listener h tcp 22
	check "passt -t: no UDP socket without -u (60001)" \
		no_listener h udp 60001
fi
rig_stop

if ours check "passt -t $HOST4/all -t ~1-29999 starts" \
	rig_passt_start -t "$HOST4/all" -t "~1-29999"; then
	rig_wait_port h tcp 65535
	check "ADDR/all: port 65535 on $HOST4 only" \
		listens_on h tcp 65535 $HOST4
	check "ADDR/all: port 60001 on $HOST4 only" \
		listens_on h tcp 60001 $HOST4
	check "ADDR/all: ephemeral port 60000 not bound" \
		no_listener h tcp 60000
fi
rig_stop

if ours check "passt -u %lo/all -u ~1-29999 starts" \
	rig_passt_start -u "%lo/all" -u "~1-29999"; then
	rig_wait_port h udp 65535
	check "%lo/all: UDP port 65535 bound" \
		rig_wait_port h udp 65535
	check "%lo/all: no TCP socket" no_listener h tcp 65535
fi
rig_stop

# ---- -t all with an open files limit below what 'all' needs (libvirt's
# portForward without ports, on a host with a hard limit of a few thousand):
# passt starts, binds what the limit allows, keeps a reserve for flows
if ours check "passt -t all -u all, open files limit 4096: starts" \
	h prlimit --nofile=4096:4096 "$PASST" --runas 0 -s "$RIG_SOCK" \
	-P "$RIG_TMP/lim.pid" -l "$RIG_TMP/lim.log" -t all -u all
then
	RIG_PASST_PID=$(cat "$RIG_TMP/lim.pid")
	RIG_DAEMONS+=("$RIG_PASST_PID")
	rig_track "$RIG_PASST_PID"
	check "open files limit: says which ports it left out" \
		grep -q "ports not forwarded: open files limit reached" \
		"$RIG_TMP/lim.log"
	check "open files limit: port 1000 forwarded" \
		rig_wait_port h tcp 1000
	check_out "open files limit: a quarter of 4096 left for flows" \
		"yes" sh -c "[ \$(ls /proc/$RIG_PASST_PID/fd | wc -l) -le 3100 ] &&
		echo yes"
	if rig_qemu_tap && rig_guest_conf >/dev/null 2>&1; then
		check "open files limit: guest still reaches the far host" \
			g ping -q -c1 -w5 $FAR4
	fi
fi
rig_stop

# ---- passt -t 2222:22 binds no UDP port (passt forwards UDP with -u only)
if check "passt -t 2222:22 starts" rig_passt_start -t 2222:22; then
	rig_wait_port h tcp 2222
	check "passt -t 2222:22: TCP port 2222 bound" rig_wait_port h tcp 2222
	ours check "passt -t 2222:22: no UDP port 2222" no_listener h udp 2222
fi
rig_stop

# ---- -a ADDR/LEN (cloud-hypervisor launchers): address and prefix length
A4=198.18.0.7/25
A6=2001:db8:1::7/80
if ours check "pasta --config-net -a $A4 -a $A6 starts" \
	rig_pasta --config-net -a $A4 -a $A6 -t none -u none -T none -U none
then
	ours check_out "-a 198.18.0.7/25: set with prefix length 25" \
		"198.18.0.7/25" g ip -4 -o addr show
	ours check_out "-a 2001:db8:1::7/80: set with prefix length 80" \
		"2001:db8:1::7/80" g ip -6 -o addr show
fi
rig_stop

# ---- --stats N: event counts in the log, at most every N seconds
rig_bg stats h "$PASST" -f --runas 0 -s "$RIG_SOCK" --stats 1
STATS_PID=$RIG_BG_PID
rig_wait_file 10 "$RIG_SOCK"
# counts_logged N: at least N "Events:" lines, the timer counted (5 s)
counts_logged() {
	local i n
	for ((i = 0; i < 50; i++)); do
		n=$(grep -c 'Events:.* timer [0-9]' "$RIG_TMP/stats.log")
		[ "$n" -ge "$1" ] && return 0
		sleep 0.1
	done
	cat "$RIG_TMP/stats.log"
	return 1
}
ours check "passt -f --stats 1: event counts in the log" counts_logged 2
# At most one line a second, however many events: 3 s of pings give 4 lines
# at most
rig_qemu_tap >/dev/null && rig_guest_conf
N0=$(grep -c 'Events:' "$RIG_TMP/stats.log")
g ping -c 30 -i 0.1 -W 1 -q $GW4 >/dev/null
N1=$(grep -c 'Events:' "$RIG_TMP/stats.log")
ours check "passt --stats 1: guest frames counted" \
	grep -q 'Events:.* tap-passt [0-9]' "$RIG_TMP/stats.log"
ours check "passt --stats 1: at most one line a second ($N0, then $N1)" \
	test $((N1 - N0)) -le 4
rig_kill "$STATS_PID" 1

# ---- pasta --splice-only: loopback clients of -t ports are spliced,
# and there's no tap device at all (upstream: "no tap")
SPORT=10000
L0=$(cat "$RIG_TMP/pasta.log" 2>/dev/null | wc -l)
if ours check "pasta --config-net --splice-only -t $SPORT starts" \
	rig_pasta --config-net --splice-only -t $SPORT -u none -T none \
		-U none; then
	rig_tcp_server g $SPORT
	check "--splice-only: no tap device, loopback up in the namespace" \
		test "$(g ip -o link show | awk '{ print $2 $9 }')" = "lo:UNKNOWN"
	tail -n +$((L0 + 1)) "$RIG_TMP/pasta.log" >"$RIG_TMP/splice-only.log"
	check "--splice-only: the start-up report, without an interface" \
		grep -q "^MAC:" "$RIG_TMP/splice-only.log"
	check_fail "--splice-only: no \"Namespace interface\" line" \
		grep -q "Namespace interface" "$RIG_TMP/splice-only.log"
	check_out "--splice-only: host 127.0.0.1 client spliced to the netns" \
		"127.0.0.1 " h timeout 10 python3 "$TCPTOOL" peer 127.0.0.1 \
		$SPORT
	check_fail "--splice-only: remote client of the -t port refused" \
		r timeout 5 python3 "$TCPTOOL" peer $HOST4 $SPORT
	check_fail "--splice-only: no route out of the namespace" \
		g ping -c1 -W1 -q $REMOTE4
fi
rig_stop

# ---- root, /dev/net/tun mode 0600: pasta drops to nobody before creating
# the tap device, so say why it fails and what to do. A private mount
# namespace shows a 0600 copy of the device over /dev/net/tun.
tun_0600() {
	mkdir -p "$RIG_TMP/dev" &&
	mount -t tmpfs rigdev "$RIG_TMP/dev" &&
	mknod -m 0600 "$RIG_TMP/dev/tun" c 10 200 &&
	mount --bind "$RIG_TMP/dev/tun" /dev/net/tun &&
	timeout -k 2 10 "$PASTA" --config-net "$@" -- true
}
export -f tun_0600
export PASTA RIG_TMP
h unshare -m --propagation private bash -c 'tun_0600 "$@"' - \
	>"$RIG_TMP/tun.out" 2>&1
echo $? >"$RIG_TMP/tun.rc"
ours check_out "root, tun 0600: pasta says to use --runas or the mode" \
	"use --runas 0, or make /dev/net/tun usable by all" \
	cat "$RIG_TMP/tun.out"
ours check "root, tun 0600: status 1" test "$(cat "$RIG_TMP/tun.rc")" = 1
h unshare -m --propagation private bash -c 'tun_0600 "$@"' - --runas 0 \
	>"$RIG_TMP/tun0.out" 2>&1
RC0=$?
check "root, tun 0600, --runas 0: pasta runs the command (status $RC0)" \
	test $RC0 = 0
