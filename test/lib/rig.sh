# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/lib/rig.sh - Namespace topology and helpers for integration tests
#
# Sourced by test/rig/NN-name.sh. Topology made by rig_setup:
#
#   guest ns                host ns                     remote ns
#   (pasta: tap ext0,       ext0 198.18.0.1/24   veth   ext0 198.18.0.2/24
#    passt: tap eth0        2001:db8:1::1/64   <------> 2001:db8:1::2/64
#    made by qemu-tap)      default via remote          lo 198.19.0.1/32
#   lo up                   passt / pasta run here         2001:db8:2::1/128
#
# Functions: rig_setup, rig_pasta, rig_passt (rig_passt_start + rig_qemu_tap),
# rig_guest_conf, g/h/r, check, check_fail, check_out, check_re, check_tool,
# rig_retry, rig_bg, rig_tcp_server, rig_wait_port, rig_wait_file, rig_stop,
# rig_teardown, ours,
# rig_bbr, rig_cc, rig_cc_is, rig_cc_not, rig_udhcpc, rig_lease_has.
# Variables: HOST4 HOST6 REMOTE4 REMOTE6 FAR4 FAR6 GW4 GW6, NS_HOST NS_REMOTE
# NS_GUEST, PASST PASTA QEMU_TAP TCPTOOL, RIG_TMP, RIG_OURS, OUR_MAC.
#
# Every wait is bounded; processes are only ever killed by their PID.

RIG_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RIG_TESTDIR=$(dirname "$RIG_LIB")
RIG_TOP=$(dirname "$RIG_TESTDIR")
RIG_NAME=$(basename "$0" .sh)

PASST=${PASST:-$RIG_TOP/passt}
PASTA=${PASTA:-$(dirname "$PASST")/pasta}
QEMU_TAP=${QEMU_TAP:-$RIG_TESTDIR/build/qemu-tap}

HOST4=198.18.0.1
HOST6=2001:db8:1::1
REMOTE4=198.18.0.2
REMOTE6=2001:db8:1::2
FAR4=198.19.0.1
FAR6=2001:db8:2::1
GW4=$REMOTE4
GW6=$REMOTE6
PREFIX4=24
PREFIX6=64
# Our default MAC address towards the guest
OUR_MAC=9a:55:9a:55:9a:55

# Unique per run: several rigs may run at the same time on one machine
RIG_ID=${RIG_NAME%%-*}-$$-$RANDOM
NS_HOST=rig-$RIG_ID-host
NS_REMOTE=rig-$RIG_ID-remote
NS_GUEST=rig-$RIG_ID-guest

TCPTOOL=$RIG_TESTDIR/bench/tcptool.py

RIG_TMP=$(mktemp -d "/tmp/rig-$RIG_ID.XXXXXX") || exit 1
RIG_SOCK=$RIG_TMP/passt.sock

RIG_PASS=0
RIG_FAIL=0
RIG_NS=()		# namespaces we created
RIG_DAEMONS=()		# daemonised passt/pasta PIDs (not our children)
RIG_CHILDREN=()		# rig_bg PIDs (our children, session leaders)
declare -A RIG_BG	# rig_bg NAME -> PID
RIG_TORN=0

# RIG_OURS=1 when testing our own build, 0 for another implementation of the
# same interface (e.g. PASST=/usr/bin/passt): see ours()
if [ -z "$RIG_OURS" ]; then
	case "$(readlink -f "$PASST")" in
	/usr/bin/*|/usr/sbin/*|/bin/*|/sbin/*)	RIG_OURS=0 ;;
	*)					RIG_OURS=1 ;;
	esac
fi

# ---- results

# rig_result PASS|FAIL|SKIP DESCRIPTION
rig_result() {
	echo "$1 $RIG_NAME: $2"
	case $1 in
	PASS)	RIG_PASS=$((RIG_PASS + 1)) ;;
	FAIL)	RIG_FAIL=$((RIG_FAIL + 1)) ;;
	esac
}

# Show the last output of a failed check, as comment lines
rig_show() {
	[ -s "$1" ] && tail -n 15 "$1" | sed 's/^/#   /'
	return 0
}

# check DESC CMD...: PASS if CMD exits 0
check() {
	local desc=$1
	shift
	if "$@" >"$RIG_TMP/check.out" 2>&1; then
		rig_result PASS "$desc"
	else
		rig_result FAIL "$desc"
		echo "#   command: $*"
		rig_show "$RIG_TMP/check.out"
		return 1
	fi
}

# check_fail DESC CMD...: PASS if CMD exits non-zero
check_fail() {
	local desc=$1
	shift
	if "$@" >"$RIG_TMP/check.out" 2>&1; then
		rig_result FAIL "$desc"
		echo "#   command succeeded: $*"
		rig_show "$RIG_TMP/check.out"
		return 1
	else
		rig_result PASS "$desc"
	fi
}

# check_tool DESC CMD...: check, and if it passes, show the tool's output
# (tcptool.py's line: bytes, rate) as a comment
check_tool() {
	check "$@" && sed 's/^/#   /' "$RIG_TMP/check.out"
}

# check_out DESC SUBSTRING CMD...: PASS if CMD's output (stdout and stderr)
# contains SUBSTRING, whatever its exit status
check_out() {
	local desc=$1 exp=$2 out
	shift 2
	out=$("$@" 2>&1)
	if [[ $out == *"$exp"* ]]; then
		rig_result PASS "$desc"
	else
		rig_result FAIL "$desc"
		echo "#   expected \"$exp\" from: $*"
		echo "$out" | tail -n 15 | sed 's/^/#   /'
		return 1
	fi
}

# check_re DESC REGEX CMD...: PASS if a line of CMD's output matches the
# extended regular expression REGEX
check_re() {
	local desc=$1 re=$2 out
	shift 2
	out=$("$@" 2>&1)
	if echo "$out" | grep -qE -- "$re"; then
		rig_result PASS "$desc"
	else
		rig_result FAIL "$desc"
		echo "#   expected /$re/ from: $*"
		echo "$out" | tail -n 15 | sed 's/^/#   /'
		return 1
	fi
}

# rig_skip DESC: a check that can't run for lack of a kernel feature
rig_skip() {
	rig_result SKIP "$1"
}

# ours CMD...: run CMD (usually a check) only against our own build; with
# another build, print a note line instead (neither PASS nor FAIL)
ours() {
	if [ "$RIG_OURS" = 1 ]; then
		"$@"
	else
		echo "# $RIG_NAME: not checked on this build: ${2:-$*}"
	fi
}

# rig_retry SECONDS CMD...: retry CMD every 0.1 s until it succeeds
rig_retry() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		"$@" && return 0
		[ $SECONDS -ge $end ] && break
		sleep 0.1
	done
	"$@"
}

# rig_wait_file SECONDS FILE: wait until FILE exists and isn't empty
rig_wait_file() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		[ -s "$2" ] && return 0
		sleep 0.1
	done
	[ -s "$2" ]
}

# ---- namespaces

rig_ns() {
	case $1 in
	g)	echo "$NS_GUEST" ;;
	h)	echo "$NS_HOST" ;;
	r)	echo "$NS_REMOTE" ;;
	*)	echo "$1" ;;
	esac
}

# g/h/r CMD...: run CMD in the guest, host or remote namespace
g() { ip netns exec "$NS_GUEST" "$@"; }
h() { ip netns exec "$NS_HOST" "$@"; }
r() { ip netns exec "$NS_REMOTE" "$@"; }

# Abort the test: the topology couldn't be built
rig_die() {
	rig_result FAIL "rig setup: $*"
	exit 1
}

# rig_new_guest: a fresh guest namespace (NS_GUEST) for the next set-up,
# numbered, cleaned up with the others (benchmarks: one per tool)
RIG_GUEST_N=0
rig_new_guest() {
	RIG_GUEST_N=$((RIG_GUEST_N + 1))
	NS_GUEST=rig-$RIG_ID-guest$RIG_GUEST_N
	ip netns add "$NS_GUEST" || return 1
	RIG_NS+=("$NS_GUEST")
	ip -n "$NS_GUEST" link set lo up
	ip netns exec "$NS_GUEST" sysctl -qw \
		net.ipv4.ping_group_range="0 2147483647"
}

rig_setup() {
	local ns

	if [ "$(id -u)" != 0 ]; then
		echo "# $RIG_NAME: needs root (network namespaces)"
		rig_result SKIP "rig needs root"
		exit 0
	fi
	if [ ! -c /dev/net/tun ]; then
		rig_result SKIP "no /dev/net/tun"
		exit 0
	fi
	if ! ip netns add "$NS_HOST" 2>"$RIG_TMP/setup.err"; then
		rig_show "$RIG_TMP/setup.err"
		rig_result SKIP "no network namespaces"
		exit 0
	fi
	RIG_NS+=("$NS_HOST")
	for ns in "$NS_REMOTE" "$NS_GUEST"; do
		ip netns add "$ns" || rig_die "ip netns add $ns"
		RIG_NS+=("$ns")
	done

	for ns in "$NS_HOST" "$NS_REMOTE" "$NS_GUEST"; do
		ip netns exec "$ns" sysctl -qw \
			net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 >/dev/null 2>&1
		ip -n "$ns" link set lo up || rig_die "lo up in $ns"
	done
	# Guest DAD back to the default: pasta must cope with it
	ip netns exec "$NS_GUEST" sysctl -qw \
		net.ipv6.conf.default.accept_dad=1 >/dev/null 2>&1

	for ns in "$NS_HOST" "$NS_GUEST"; do
		ip netns exec "$ns" sysctl -qw \
			net.ipv4.ping_group_range="0 2147483647" ||
			rig_die "ping_group_range in $ns"
	done

	ip -n "$NS_HOST" link add ext0 type veth peer name ext0 \
		netns "$NS_REMOTE" || rig_die "veth"

	h ip addr add $HOST4/$PREFIX4 dev ext0 || rig_die "host address"
	h ip -6 addr add $HOST6/$PREFIX6 dev ext0 nodad ||
		rig_die "host address"
	h ip link set ext0 up || rig_die "host link"
	h ip route add default via $REMOTE4 || rig_die "host route"
	h ip -6 route add default via $REMOTE6 || rig_die "host route"

	r ip addr add $REMOTE4/$PREFIX4 dev ext0 || rig_die "remote address"
	r ip -6 addr add $REMOTE6/$PREFIX6 dev ext0 nodad ||
		rig_die "remote address"
	r ip addr add $FAR4/32 dev lo || rig_die "far address"
	r ip -6 addr add $FAR6/128 dev lo || rig_die "far address"
	r ip link set ext0 up || rig_die "remote link"

	# The gateway must be reachable before we ask anything of it
	rig_retry 5 h ping -c1 -W1 -q $REMOTE4 >/dev/null 2>&1 ||
		rig_die "host can't ping remote (IPv4)"
	rig_retry 5 h ping -6 -c1 -W1 -q $FAR6 >/dev/null 2>&1 ||
		rig_die "host can't ping far host (IPv6)"
}

# ---- processes

# rig_bg NAME CMD...: start CMD in the background (CMD may start with g, h
# or r for a namespace), output in $RIG_TMP/NAME.log; sets RIG_BG_PID
rig_bg() {
	local name=$1 ns
	shift

	case $1 in
	g|h|r)
		ns=$(rig_ns "$1")
		shift
		set -- ip netns exec "$ns" "$@"
		;;
	esac

	# Own session, so that we can also signal whatever it starts
	setsid "$@" </dev/null >"$RIG_TMP/$name.log" 2>&1 &
	RIG_BG_PID=$!
	RIG_BG[$name]=$RIG_BG_PID
	RIG_CHILDREN+=("$RIG_BG_PID")
	rig_track "$RIG_BG_PID"
}

# rig_tcp_server NS PORT [ADDR]: test/bench/tcptool.py's server in
# namespace NS (g, h or r) on PORT (only on ADDR, if given), in the
# background; returns once it listens, dies if it doesn't
rig_tcp_server() {
	local ns=$1 port=$2 addr=$3

	rig_bg "srv-$ns-$port${addr:+-${addr//:/_}}" "$ns" \
		python3 "$TCPTOOL" server "$port" ${addr:+--addr "$addr"}
	rig_wait_port "$ns" tcp "$port" $addr ||
		rig_die "TCP server on port $port${addr:+ of $addr} in $ns"
}

# rig_alive PID: true if PID runs (and isn't a zombie)
rig_alive() {
	local st

	[ -n "$1" ] && [ -e "/proc/$1" ] || return 1
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# rig_kill PID [GROUP]: SIGTERM, then SIGKILL after 3 s; GROUP=1 also
# signals the process group led by PID
rig_kill() {
	local pid=$1 group=$2 i

	rig_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	[ "$group" = 1 ] && kill -TERM -- "-$pid" 2>/dev/null
	for ((i = 0; i < 30; i++)); do
		rig_alive "$pid" || break
		sleep 0.1
	done
	if rig_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		[ "$group" = 1 ] && kill -KILL -- "-$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# rig_wait_exit SECONDS PID: wait until a process (not our child) is gone
rig_wait_exit() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		rig_alive "$2" || return 0
		sleep 0.1
	done
	! rig_alive "$2"
}

# rig_reap SECONDS PID: wait for our child PID to exit (SIGKILL after
# SECONDS) and return its exit status
rig_reap() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		rig_alive "$2" || break
		sleep 0.1
	done
	rig_alive "$2" && kill -KILL "$2" 2>/dev/null
	wait "$2"
}

# rig_daemon_log FILE: show a daemon's log as comment lines
rig_daemon_log() {
	rig_show "$1"
}

# rig_pasta [ARGS...]: start pasta (daemonised) in the host namespace for
# the guest namespace; sets RIG_PASTA_PID
rig_pasta() {
	local pidf=$RIG_TMP/pasta.pid log=$RIG_TMP/pasta.log rc

	rm -f "$pidf"
	h "$PASTA" --runas 0 -P "$pidf" "$@" --netns "/run/netns/$NS_GUEST" \
		</dev/null >>"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "#   pasta exited with status $rc"
		rig_show "$log"
		return $rc
	fi
	if ! rig_wait_file 10 "$pidf"; then
		echo "#   pasta wrote no pid file"
		rig_show "$log"
		return 1
	fi
	RIG_PASTA_PID=$(cat "$pidf")
	RIG_DAEMONS+=("$RIG_PASTA_PID")
	rig_track "$RIG_PASTA_PID"
}

# rig_passt_start [ARGS...]: start passt (daemonised) in the host namespace
# with socket $RIG_SOCK; sets RIG_PASST_PID
rig_passt_start() {
	local pidf=$RIG_TMP/passt.pid log=$RIG_TMP/passt.log rc

	rm -f "$pidf"
	h "$PASST" --runas 0 -s "$RIG_SOCK" -P "$pidf" "$@" \
		</dev/null >>"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "#   passt exited with status $rc"
		rig_show "$log"
		return $rc
	fi
	if ! rig_wait_file 10 "$pidf"; then
		echo "#   passt wrote no pid file"
		rig_show "$log"
		return 1
	fi
	RIG_PASST_PID=$(cat "$pidf")
	RIG_DAEMONS+=("$RIG_PASST_PID")
	rig_track "$RIG_PASST_PID"
}

# rig_qemu_tap [QEMU_TAP_OPTIONS...]: connect our qemu stand-in to
# $RIG_SOCK, with tap eth0 in the guest; waits for eth0; sets RIG_QEMU_PID
rig_qemu_tap() {
	local i

	g ip link del eth0 >/dev/null 2>&1
	rig_bg qemu-tap "$QEMU_TAP" "$@" "$RIG_SOCK" "/run/netns/$NS_GUEST" \
		eth0
	RIG_QEMU_PID=$RIG_BG_PID
	for ((i = 0; i < 50; i++)); do
		g ip link show eth0 >/dev/null 2>&1 && return 0
		rig_alive "$RIG_QEMU_PID" || break
		sleep 0.1
	done
	echo "#   qemu-tap didn't create eth0"
	rig_show "$RIG_TMP/qemu-tap.log"
	return 1
}

# rig_passt [ARGS...]: rig_passt_start ARGS, then rig_qemu_tap
# (options for it in the RIG_QEMU_TAP_ARGS array)
rig_passt() {
	rig_passt_start "$@" || return
	rig_qemu_tap "${RIG_QEMU_TAP_ARGS[@]}"
}

# rig_guest_conf [IFNAME]: configure the guest interface (default eth0)
# statically, as --config-net would: host's addresses, default routes via
# the gateway, MTU 65520
rig_guest_conf() {
	local ifn=${1:-eth0}

	# Static, as --config-net: no SLAAC address besides ours (servers
	# bound to :: would answer from whichever the kernel picks)
	g sysctl -qw "net.ipv6.conf.$ifn.accept_dad=0" >/dev/null 2>&1
	g sysctl -qw "net.ipv6.conf.$ifn.accept_ra=0" >/dev/null 2>&1
	g sysctl -qw "net.ipv6.conf.$ifn.autoconf=0" >/dev/null 2>&1
	g ip -6 addr flush dev "$ifn" scope global 2>/dev/null
	g ip -6 route flush dev "$ifn" proto ra 2>/dev/null
	g ip link set "$ifn" mtu 65520 up &&
	g ip addr add $HOST4/$PREFIX4 dev "$ifn" &&
	g ip -6 addr add $HOST6/$PREFIX6 dev "$ifn" nodad &&
	g ip route replace default via $GW4 &&
	g ip -6 route replace default via $GW6 dev "$ifn"
}

# rig_wait_port NS PROTO PORT [ADDR]: wait (10 s) for a listener (bound to
# ADDR, if given: with several servers on one port, any one of them isn't
# enough); NS: g, h, r or a name; PROTO: tcp or udp
rig_wait_port() {
	local ns i flag=-t filter="sport = :$3"
	ns=$(rig_ns "$1")
	[ "$2" = udp ] && flag=-u
	case $4 in
	*:*)	filter="src [$4]:$3" ;;
	?*)	filter="src $4:$3" ;;
	esac
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$ns" ss -Hln $flag "$filter" 2>/dev/null |
			grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# rig_bbr NS...: make BBR the default TCP congestion control in each
# namespace (g, h, r); fails if the kernel has no BBR
rig_bbr() {
	local ns
	for ns; do
		ip netns exec "$(rig_ns "$ns")" sysctl -qw \
			net.ipv4.tcp_congestion_control=bbr 2>/dev/null ||
			return 1
	done
}

# rig_cc NS FILTER: congestion control of the first established TCP socket
# matching the ss FILTER in namespace NS, waiting up to 5 s for one
rig_cc() {
	local i cc
	for ((i = 0; i < 50; i++)); do
		cc=$(ip netns exec "$(rig_ns "$1")" ss -Htni state established \
			"$2" 2>/dev/null | awk '/^[ \t]/ { print $1; exit }')
		[ -n "$cc" ] && break
		sleep 0.1
	done
	echo "$cc"
}

# rig_cc_is NS FILTER CC: that socket uses CC; rig_cc_not: it doesn't
rig_cc_is() {
	local cc
	cc=$(rig_cc "$1" "$2")
	echo "congestion control of $2 in $1: ${cc:-no such socket}"
	[ "$cc" = "$3" ]
}
# (waits up to 3 s for the change: an accepted socket has the listener's
# until the daemon has accepted it and switched)
rig_cc_not() {
	local cc i

	for ((i = 0; i < 30; i++)); do
		cc=$(rig_cc "$1" "$2")
		[ -n "$cc" ] && [ "$cc" != "$3" ] && break
		sleep 0.1
	done
	echo "congestion control of $2 in $1: ${cc:-no such socket}"
	[ -n "$cc" ] && [ "$cc" != "$3" ]
}

# ---- DHCP client in the guest (busybox udhcpc)

RIG_LEASE=$RIG_TMP/udhcpc.env

# rig_udhcpc IF [TRIES [ARGS...]]: one bounded DHCP exchange in the guest,
# quitting once bound; the script records what udhcpc got in $RIG_LEASE
# (KEY=VALUE lines, from the variables udhcpc exports to it) and configures
# the address and default route. ARGS go to udhcpc.
rig_udhcpc() {
	local ifn=$1 tries=${2:-5}

	shift $(($# < 2 ? $# : 2))
	[ -x "$RIG_TMP/udhcpc.sh" ] || cat >"$RIG_TMP/udhcpc.sh" <<EOF
#!/bin/sh
case "\$1" in
bound|renew)
	for v in ip mask subnet router dns domain search mtu lease serverid \\
		 hostname opt81; do
		echo "\$v=\$(printenv "\$v")"
	done >"$RIG_LEASE.tmp"
	ip addr add "\$ip/\$mask" dev "\$interface"
	ip route add default via "\$router" dev "\$interface"
	mv "$RIG_LEASE.tmp" "$RIG_LEASE"
	;;
esac
exit 0
EOF
	chmod +x "$RIG_TMP/udhcpc.sh"
	rm -f "$RIG_LEASE"
	g ip link set "$ifn" up
	g timeout 20 busybox udhcpc -i "$ifn" -f -n -q -t "$tries" -T 1 \
		-s "$RIG_TMP/udhcpc.sh" "$@"
}

# rig_lease_has KEY=VALUE: the last lease rig_udhcpc recorded has this line
rig_lease_has() {
	grep -qxF -- "$1" "$RIG_LEASE" || { cat "$RIG_LEASE"; false; }
}

# rig_stop: stop every process we started (by PID)
rig_stop() {
	local pid

	for pid in "${RIG_DAEMONS[@]}"; do
		rig_kill "$pid"
	done
	for pid in "${RIG_CHILDREN[@]}"; do
		rig_kill "$pid" 1
	done
	RIG_DAEMONS=()
	RIG_CHILDREN=()
}

# rig_teardown: stop processes, delete namespaces and temporary files
rig_teardown() {
	local ns

	[ "$RIG_TORN" = 1 ] && return 0
	RIG_TORN=1

	if [ "$RIG_FAIL" -gt 0 ]; then
		for f in "$RIG_TMP"/*.log; do
			[ -s "$f" ] || continue
			echo "# log $(basename "$f"):"
			rig_show "$f"
		done
	fi

	# Normal cleanup from here: the watchdog isn't needed
	[ -n "$RIG_WATCHDOG" ] && kill -KILL "$RIG_WATCHDOG" 2>/dev/null &&
		wait "$RIG_WATCHDOG" 2>/dev/null
	rig_stop
	for ns in "${RIG_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	RIG_NS=()
	rm -rf "$RIG_TMP"
}

rig_exit() {
	local rc=$?

	trap - EXIT
	rig_teardown
	[ "$RIG_FAIL" -gt 0 ] && [ "$rc" -lt 128 ] && rc=1
	exit $rc
}

trap rig_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# A watchdog in its own session cleans up if this script dies without
# running its traps (SIGKILL, e.g. from a time limit): it kills, by PID,
# processes recorded in $RIG_TMP/pids and any process inside our
# namespaces, then deletes the namespaces (all named rig-$RIG_ID-*)
rig_watchdog() {
	setsid bash -c '
		parent=$1 tmp=$2 id=$3
		while kill -0 "$parent" 2>/dev/null; do sleep 1; done
		pids() {
			cat "$tmp/pids" 2>/dev/null
			for ns in /run/netns/rig-"$id"-*; do
				[ -e "$ns" ] || continue
				ino=$(stat -L -c %i "$ns") || continue
				for p in /proc/[0-9]*; do
					[ "$(readlink "$p/ns/net" 2>/dev/null)" = \
					  "net:[$ino]" ] && echo "${p#/proc/}"
				done
			done
		}
		for sig in TERM KILL; do
			for p in $(pids); do kill -$sig "$p" 2>/dev/null; done
			sleep 1
		done
		for ns in /run/netns/rig-"$id"-*; do
			[ -e "$ns" ] && ip netns del "${ns##*/}"
		done
		rm -rf "$tmp"
	' rig-watchdog "$$" "$RIG_TMP" "$RIG_ID" </dev/null >/dev/null 2>&1 &
	RIG_WATCHDOG=$!
}

# rig_track PID: also make the watchdog kill PID
rig_track() {
	echo "$1" >>"$RIG_TMP/pids"
}

rig_watchdog

echo "# $RIG_NAME: testing $PASST ($([ "$RIG_OURS" = 1 ] && echo "our build" ||
	echo "another build: checks of our own behaviour are not run"))"
