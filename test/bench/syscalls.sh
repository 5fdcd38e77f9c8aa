#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/bench/syscalls.sh - System calls pasta makes per TCP connection and
# per request/response transaction, by call (strace -c attached to pasta
# during tcpbench.c crr and rr), on each path:
#   out-tap	guest -> gateway (host loopback), through the tap
#   in-tap	host -> pasta's forwarded port (-t) on a host address, tap
#   out-splice	guest loopback -> host (-T), spliced
#   in-splice	host loopback -> guest (-t), spliced
# Prints "PATH TEST N" and then one "  call per_unit" line per system call,
# ending with the total and the epoll_wait returns (wake-ups) per unit;
# before that, a run without strace: "PATH TEST N cpu_us_per_unit rate",
# pasta's CPU time (user + system, /proc/PID/stat) per unit.
#
# Environment: SYSC_PATHS (default: all four), SYSC_SECS (per run,
# default 1).

. "$(dirname "$0")/../lib/rig.sh"

PATHS=${SYSC_PATHS:-"out-tap in-tap out-splice in-splice"}
SECS=${SYSC_SECS:-1}
BENCH=$RIG_TMP/tcpbench
${CC:-cc} -O2 -o "$BENCH" "$RIG_TESTDIR/bench/tcpbench.c" ||
	{ echo "# can't build tcpbench.c"; exit 1; }
command -v strace >/dev/null || { echo "# strace missing"; exit 1; }

rig_setup >/dev/null
rig_bg srv-h h "$BENCH" server 5002
rig_bg srv-g g "$BENCH" server 5003
rig_wait_port h tcp 5002 || { echo "# no server in host"; exit 1; }
rig_wait_port g tcp 5003 || { echo "# no server in guest"; exit 1; }
rig_pasta --config-net -t 5003 -u none -T 5002 -U none >/dev/null 2>&1 ||
	{ echo "# pasta didn't start"; exit 1; }
rig_retry 5 g ping -c1 -W1 -q $GW4 >/dev/null 2>&1

# one PATH TEST: run tcpbench under strace -c of pasta, per-unit counts
one() {
	local path=$1 test=$2 ns dst port out n st

	case $path in
	out-tap)	ns=g; dst=$GW4; port=5002 ;;
	in-tap)		ns=h; dst=$HOST4; port=5003 ;;
	out-splice)	ns=g; dst=127.0.0.1; port=5002 ;;
	in-splice)	ns=h; dst=127.0.0.1; port=5003 ;;
	esac
	# Without strace first: CPU time per unit, and the rate
	local t0 t1
	t0=$(awk '{ print $14 + $15 }' "/proc/$RIG_PASTA_PID/stat")
	out=$($ns timeout $((SECS + 10)) "$BENCH" $test $dst $port $SECS)
	t1=$(awk '{ print $14 + $15 }' "/proc/$RIG_PASTA_PID/stat")
	echo "$out" | awk -v p=$path -v d=$((t1 - t0)) \
		-v hz="$(getconf CLK_TCK)" '{
		printf "%s %s %s cpu_us %.1f %s\n", p, $1, $2,
			$2 ? d * 1e6 / hz / $2 : 0, $1 == "rr" ? $3 "us" : $3 "/s"
	}'

	st=$RIG_TMP/strace-$path-$test
	strace -c -f -o "$st" -p "$RIG_PASTA_PID" 2>/dev/null &
	local spid=$!
	sleep 0.5
	out=$($ns timeout $((SECS + 10)) "$BENCH" $test $dst $port $SECS)
	sleep 0.2
	kill -INT $spid
	wait $spid
	n=$(echo "$out" | awk '{ print $2 }')
	echo "$path $test ${n:-0}"
	[ -n "$n" ] && [ "$n" -gt 0 ] || return
	awk -v n="$n" '
		$1 ~ /^[0-9.]+$/ && NF >= 5 {
			c = $4; name = $NF
			if (name == "total") next
			printf "  %-18s %7.2f\n", name, c / n; t += c
			if (name == "epoll_wait" || name == "epoll_pwait")
				w = c
		}
		END { printf "  %-18s %7.2f\n  %-18s %7.2f\n",
			"TOTAL", t / n, "wake-ups", w / n }' "$st"
}

for p in $PATHS; do
	one "$p" crr
	one "$p" rr
done
