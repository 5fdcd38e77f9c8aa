#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/bench/run.sh - TCP benchmark, side by side in one run: our pasta and
# passt (with the qemu stand-in), Debian's /usr/bin/pasta and /usr/bin/passt,
# slirp4netns, a plain veth pair as the limit, and "relay": the same veth
# pair with the cheapest user-space relay we can write (bench/relay.c:
# epoll, splice(), no work of its own) in the host namespace between the
# guest and the servers: what any relay costs on this machine.
#
# From a guest namespace to a server in the host namespace, through the
# gateway address (mapped to the host's loopback; slirp4netns: its host
# loopback address; veth: the host end of the pair):
#   - iperf3 throughput guest -> host and host -> guest, guest MTU 65520 and
#     1500 (mean over the run, and the slowest one-second interval: steady?)
#   - request/response round trips of one byte (tcpbench.c rr, median of
#     three runs)
#   - connection rate: connect, one byte each way, close (tcpbench.c crr,
#     median of three runs)
#   - peak resident memory of the daemon (VmHWM; relay: its two processes)
# then a table, and ratios ours/Debian's pasta, ours/slirp4netns, ours/veth
# and relay/veth.
#
# Environment: BENCH_DUR (seconds per throughput figure, default 3),
# BENCH_TOOLS (default: "ours-pasta ours-passt deb-pasta deb-passt slirp
# veth relay"), BENCH_UDP=1 to also run bench/udp.sh. bench/splice.sh
# always runs: pasta's spliced loopback path against a direct loopback
# connection; so does bench/vm.sh (BENCH_VM=0 to leave it out): a real qemu
# guest's iperf3 through passt, stream socket against vhost-user.

. "$(dirname "$0")/../lib/rig.sh"

DUR=${BENCH_DUR:-3}
TOOLS="ours-pasta ours-passt deb-pasta deb-passt slirp veth relay"
TOOLS=${BENCH_TOOLS:-$TOOLS}
OURS=$PASST
RR_DUR=1
SLIRP_NET=198.18.8
VETH_HOST=198.18.5.1
VETH_GUEST=198.18.5.2
# relay: its ports on VETH_HOST, to the iperf3 and tcpbench servers
RELAY_IPERF=15201
RELAY_TCPBENCH=15002

declare -A R		# R[tool,figure] = value

# iperf3 JSON on stdin: "MEAN MIN" in Gbit/s (MIN: slowest interval)
iperf_rate() {
	python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
    e = j["end"]
    s = e.get("sum_received") or e.get("sum")
    iv = [i["sum"]["bits_per_second"] for i in j["intervals"]
          if not i["sum"].get("omitted") and i["sum"]["seconds"] > 0.5]
    print("%.2f %.2f" % (s["bits_per_second"] / 1e9, min(iv) / 1e9))
except Exception:
    print("n/a n/a")'
}

# measure NAME TARGET DEV PIDS [IPERF_PORT TCPBENCH_PORT]: every figure for
# one set-up; PIDS: the daemon's, or several (peak RSS: their sum), or ""
measure() {
	local name=$1 dst=$2 dev=$3 pids=$4 iport=${5:-5201} tport=${6:-5002}
	local mtu dir out v p

	for mtu in 65520 1500; do
		g ip link set "$dev" mtu $mtu
		sleep 0.2
		for dir in up down; do
			local rev=
			[ $dir = down ] && rev=-R
			out=$(g timeout $((DUR + 15)) iperf3 -c "$dst" \
				-p "$iport" $rev \
				-t $((DUR + 1)) -O 1 -i 0.5 -J 2>/dev/null |
				iperf_rate)
			R[$name,$dir$mtu]=${out% *}
			R[$name,${dir}min$mtu]=${out#* }
		done
	done
	g ip link set "$dev" mtu 65520

	# Latency swings from run to run with where the scheduler puts the
	# three processes: median of three runs
	v=$(for i in 1 2 3; do
		g timeout $((RR_DUR + 10)) "$BENCH" rr "$dst" "$tport" $RR_DUR
	done | awk '/^rr / { print $3 }' | sort -n | sed -n 2p)
	R[$name,rr]=${v:-n/a}
	# Connection rate, median of three half-second runs: as many
	# connections in all as one run of a second and a half, so that
	# sockets in TIME_WAIT don't run the host out of ports
	v=$(for i in 1 2 3; do
		g timeout $((RR_DUR + 10)) "$BENCH" crr "$dst" "$tport" 0.5
	done | awk '/^crr / { print $3 }' | sort -n | sed -n 2p)
	R[$name,crr]=${v:-n/a}

	R[$name,rss]=n/a
	v=0
	for p in $pids; do
		[ -r "/proc/$p/status" ] || { v=; break; }
		v=$((v + $(awk '/^VmHWM/ { print $2 }' "/proc/$p/status")))
	done
	[ -n "$pids" ] && [ -n "$v" ] &&
		R[$name,rss]=$(awk -v k="$v" \
			'BEGIN { printf "%.1f", k / 1024 }')
	echo "# $name: done"
}

# A fresh guest namespace (rig_new_guest) for each set-up: sockets in
# TIME_WAIT left by connection rate tests don't exhaust its ports

bench_pasta() {
	local name=$1 bin=$2

	[ -x "$bin" ] || { echo "# $name: $bin missing"; return; }
	PASTA=$bin
	if rig_pasta --config-net -t none -u none -T none -U none \
	   >/dev/null 2>&1; then
		rig_retry 5 g ping -c1 -W1 -q $GW4 >/dev/null 2>&1
		measure "$name" $GW4 ext0 "$RIG_PASTA_PID"
	else
		echo "# $name: didn't start"
	fi
	rig_kill "$RIG_PASTA_PID"
}

bench_passt() {
	local name=$1 bin=$2

	[ -x "$bin" ] || { echo "# $name: $bin missing"; return; }
	PASST=$bin
	if rig_passt --no-ra >/dev/null 2>&1 && rig_guest_conf; then
		rig_retry 5 g ping -c1 -W1 -q $GW4 >/dev/null 2>&1
		measure "$name" $GW4 eth0 "$RIG_PASST_PID"
	else
		echo "# $name: didn't start"
	fi
	rig_kill "$RIG_PASST_PID"
	rig_kill "$RIG_QEMU_PID" 1
	PASST=$OURS
}

bench_slirp() {
	local pid

	if ! command -v slirp4netns >/dev/null; then
		echo "# slirp: missing"
		return
	fi
	rig_bg slirp h slirp4netns --configure --mtu=65520 \
		--cidr=$SLIRP_NET.0/24 --netns-type=path \
		"/run/netns/$NS_GUEST" tap0
	pid=$RIG_BG_PID
	if rig_retry 5 g ping -c1 -W1 -q $SLIRP_NET.2 >/dev/null 2>&1; then
		measure slirp $SLIRP_NET.2 tap0 "$pid"
	else
		echo "# slirp: no connectivity"
	fi
	rig_kill "$pid" 1
}

bench_veth() {
	h ip link add vb0 type veth peer name vb0 netns "$NS_GUEST" || return
	h ip addr add $VETH_HOST/24 dev vb0
	h ip link set vb0 mtu 65520 up
	g ip addr add $VETH_GUEST/24 dev vb0
	g ip link set vb0 mtu 65520 up
	h ip link set vb0 mtu 65520
	if rig_retry 5 g ping -c1 -W1 -q $VETH_HOST >/dev/null 2>&1; then
		# Both ends need the small MTU: set the host end as we go
		measure veth $VETH_HOST vb0 ""
	fi
	h ip link del vb0
}

# The veth pair of bench_veth, with relay.c in the host namespace: the guest
# reaches the servers through it (VETH_HOST:RELAY_* to 127.0.0.1)
bench_relay() {
	local p1 p2

	h ip link add vb0 type veth peer name vb0 netns "$NS_GUEST" || return
	h ip addr add $VETH_HOST/24 dev vb0
	h ip link set vb0 mtu 65520 up
	g ip addr add $VETH_GUEST/24 dev vb0
	g ip link set vb0 mtu 65520 up
	rig_bg relay-iperf h "$RELAY" $VETH_HOST $RELAY_IPERF 127.0.0.1 5201
	p1=$RIG_BG_PID
	rig_bg relay-tcpbench h "$RELAY" $VETH_HOST $RELAY_TCPBENCH \
		127.0.0.1 5002
	p2=$RIG_BG_PID
	if rig_wait_port h tcp $RELAY_IPERF $VETH_HOST &&
	   rig_wait_port h tcp $RELAY_TCPBENCH $VETH_HOST &&
	   rig_retry 5 g ping -c1 -W1 -q $VETH_HOST >/dev/null 2>&1; then
		measure relay $VETH_HOST vb0 "$p1 $p2" \
			$RELAY_IPERF $RELAY_TCPBENCH
	else
		echo "# relay: didn't start"
	fi
	rig_kill "$p1"
	rig_kill "$p2"
	h ip link del vb0
}

BENCH=$RIG_TMP/tcpbench
${CC:-cc} -O2 -o "$BENCH" "$RIG_TESTDIR/bench/tcpbench.c" ||
	{ echo "# can't build tcpbench.c"; exit 1; }
RELAY=$RIG_TMP/relay
${CC:-cc} -O2 -o "$RELAY" "$RIG_TESTDIR/bench/relay.c" ||
	{ echo "# can't build relay.c"; exit 1; }

rig_setup >/dev/null
rig_bg iperf3 h iperf3 -s
rig_bg tcpbench h "$BENCH" server 5002
rig_wait_port h tcp 5201 || { echo "# no iperf3 server"; exit 1; }
rig_wait_port h tcp 5002 || { echo "# no tcpbench server"; exit 1; }

echo "# TCP benchmark: ${DUR}s per throughput figure, guest namespace to host"
for t in $TOOLS; do
	rig_new_guest || { echo "# $t: no namespace"; continue; }
	case $t in
	ours-pasta)	bench_pasta ours-pasta "$(dirname "$OURS")/pasta" ;;
	ours-passt)	bench_passt ours-passt "$OURS" ;;
	deb-pasta)	bench_pasta deb-pasta /usr/bin/pasta ;;
	deb-passt)	bench_passt deb-passt /usr/bin/passt ;;
	slirp)		bench_slirp ;;
	veth)		bench_veth ;;
	relay)		bench_relay ;;
	esac
done

# ---- report

FIGS="up65520 upmin65520 down65520 downmin65520 up1500 upmin1500 down1500
downmin1500 rr crr rss"
declare -A LABEL=(
	[up65520]="guest->host Gbit/s, MTU 65520"
	[upmin65520]="  slowest 0.5 s interval"
	[down65520]="host->guest Gbit/s, MTU 65520"
	[downmin65520]="  slowest 0.5 s interval"
	[up1500]="guest->host Gbit/s, MTU 1500"
	[upmin1500]="  slowest 0.5 s interval"
	[down1500]="host->guest Gbit/s, MTU 1500"
	[downmin1500]="  slowest 0.5 s interval"
	[rr]="request/response, median us (lower: better)"
	[crr]="connections per second"
	[rss]="daemon peak RSS, MiB (lower: better)"
)

echo
printf "%-46s" "figure"
for t in $TOOLS; do printf " %11s" "$t"; done
printf " %13s %13s %11s %11s\n" "pasta/deb" "pasta/slirp" "pasta/veth" \
	"relay/veth"

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || a == "n/a" || b == "n/a" ||
		    b + 0 == 0)
			print "n/a"; else printf "%.2f", a / b }'
}

for f in $FIGS; do
	printf "%-46s" "${LABEL[$f]}"
	for t in $TOOLS; do printf " %11s" "${R[$t,$f]:-n/a}"; done
	printf " %13s" "$(ratio "${R[ours-pasta,$f]}" "${R[deb-pasta,$f]}")"
	printf " %13s" "$(ratio "${R[ours-pasta,$f]}" "${R[slirp,$f]}")"
	printf " %11s" "$(ratio "${R[ours-pasta,$f]}" "${R[veth,$f]}")"
	printf " %11s\n" "$(ratio "${R[relay,$f]}" "${R[veth,$f]}")"
done
echo
echo "# ratios: ours (pasta) / other, and relay / veth; for latency and RSS"
echo "# lower is better. relay/veth: what the cheapest user-space relay"
echo "# reaches of a plain veth pair on this machine"
echo "# note: at guest MTU 1500, slirp4netns sends segments larger than the"
echo "# guest's MSS (up to its own --mtu) to the tap: it doesn't honour it"

# pasta's loopback fast path against a direct loopback connection
rig_teardown
echo
echo "# splice TOOL DIRECTION DIRECT_GBIT SPLICED_GBIT SPLICED/DIRECT"
"$RIG_TESTDIR/bench/splice.sh" | grep '^splice'

if [ "${BENCH_UDP:-0}" = 1 ] && [ -x "$RIG_TESTDIR/bench/udp.sh" ]; then
	rig_teardown
	"$RIG_TESTDIR/bench/udp.sh"
fi

# A real guest: passt's stream socket against vhost-user (bounded: about
# two minutes, ten at most)
if [ "${BENCH_VM:-1}" = 1 ] && [ -x "$RIG_TESTDIR/bench/vm.sh" ]; then
	rig_teardown
	echo
	timeout 600 "$RIG_TESTDIR/bench/vm.sh"
fi
