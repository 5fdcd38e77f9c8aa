#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/bench/udp.sh - UDP throughput (iperf3 -u, as fast as the sender can)
# between a namespace and the host, side by side in one run: our pasta,
# Debian's /usr/bin/pasta, slirp4netns, a plain veth pair as the limit, and
# "relay": the same veth pair with bench/relay.c (the cheapest user-space
# relay: recvmmsg() / sendmmsg() and nothing else) in the host namespace,
# from RELAY_HOST:15201 to the iperf3 server on 127.0.0.1:5201.
#
# Datagrams of BENCH_UDP_LEN bytes (default 1400: what fits an Ethernet
# MTU), guest MTU 65520, both directions: "up" is namespace -> host, "down"
# host -> namespace (iperf3 -R). Each figure is the median of three runs of
# BENCH_DUR seconds (default 3): what the receiver got, in Mbit/s, and the
# share of datagrams lost, in percent. Every tool is set up first, each in
# its own namespace; then the runs of all tools take turns.
#
# With -b 0, loss mostly says how much faster the sender is than the
# rest of the path; the same runs at a fixed offered rate (BENCH_UDP_RATE,
# default 300M, "0" to skip them) say what each path loses at a rate all
# of them should sustain.
#
# Prints one line per tool and direction, then the ratios to veth:
#   udp TOOL DIR MBIT_S LOSS_PCT
#   udp_paced TOOL DIR MBIT_S LOSS_PCT
#   udp_ratio TOOL DIR RATIO_TO_VETH
# Environment: BENCH_DUR, BENCH_UDP_LEN, BENCH_UDP_TOOLS (default
# "ours-pasta deb-pasta slirp veth relay", or base-pasta first if
# BENCH_UDP_BASE is set), BENCH_UDP_RUNS (default 3), BENCH_UDP_BASE: the
# pasta (a link named pasta) of another build, e.g. before a change, as
# "base-pasta".

. "$(dirname "$0")/../lib/rig.sh"

DUR=${BENCH_DUR:-3}
LEN=${BENCH_UDP_LEN:-1400}
TOOLS="ours-pasta deb-pasta slirp veth relay"
[ -n "$BENCH_UDP_BASE" ] && TOOLS="base-pasta $TOOLS"
TOOLS=${BENCH_UDP_TOOLS:-$TOOLS}
OURS=$PASTA
RUNS=${BENCH_UDP_RUNS:-3}
RATE=${BENCH_UDP_RATE:-300M}
SLIRP_NET=198.18.8
VETH_HOST=198.18.5.1
VETH_GUEST=198.18.5.2
# relay: a veth pair of its own, set up along with veth's: another subnet
RELAY_HOST=198.18.6.1
RELAY_GUEST=198.18.6.2
RELAY_PORT=15201

declare -A R		# R[tool,dir] = "MBIT LOSS"

# iperf3 JSON on stdin (client side, with the server's output): "MBIT LOSS"
# as the receiver saw them. iperf3 3.12 reports the sender's count of
# datagrams in "end", and a receiver's count that misses datagrams lost at
# the end: received bytes come from the receiver's intervals instead
udp_rate() {
	python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
    sent = j["end"]["sum"]["packets"]
    iv = j["intervals"]
    if j["end"]["sum"].get("sender", True):
        iv = j["server_output_json"]["intervals"]
    b = sum(i["sum"]["bytes"] for i in iv)
    t = sum(i["sum"]["seconds"] for i in iv)
    got = b / int(sys.argv[1])
    print("%.0f %.2f" % (b * 8 / t / 1e6, 100.0 * (1 - got / sent)))
except Exception:
    print("n/a n/a")' "$LEN"
}

declare -A DST PORT GNS	# server address and port; GNS[tool]: namespace

# one TOOL DIR RATE: one run, "MBIT LOSS"
one() {
	local rev=

	[ "$2" = down ] && rev=-R
	NS_GUEST=${GNS[$1]}
	g timeout $((DUR + 15)) iperf3 -u -c "${DST[$1]}" \
		-p "${PORT[$1]:-5201}" $rev -b "$3" \
		-l "$LEN" -t "$DUR" -J --get-server-output 2>/dev/null |
		udp_rate
	sleep 0.3
}

# median FILE: median line of "MBIT LOSS" lines, by rate
median() {
	sort -n "$1" | awk '{ v[NR] = $0 } END {
		print (NR ? v[int((NR + 1) / 2)] : "n/a n/a") }'
}


# Set-ups: each tool in its namespace, all up at once, so that runs of all
# tools can take turns (the load of a shared machine then weighs on all)
setup_pasta() {
	local name=$1 bin=$2

	[ -x "$bin" ] || { echo "# $name: $bin missing"; return 1; }
	PASTA=$bin
	rig_pasta --config-net -t none -u none -T none -U none \
		>/dev/null 2>&1 || { echo "# $name: didn't start"; return 1; }
	rig_retry 5 g ping -c1 -W1 -q $GW4 >/dev/null 2>&1
	DST[$name]=$GW4
}

setup_slirp() {
	command -v slirp4netns >/dev/null || { echo "# slirp: missing"; return 1; }
	rig_bg slirp h slirp4netns --configure --mtu=65520 \
		--cidr=$SLIRP_NET.0/24 --netns-type=path \
		"/run/netns/$NS_GUEST" tap0
	rig_retry 5 g ping -c1 -W1 -q $SLIRP_NET.2 >/dev/null 2>&1 ||
		{ echo "# slirp: no connectivity"; return 1; }
	DST[slirp]=$SLIRP_NET.2
}

# veth_pair HOST_DEV HOST_ADDR GUEST_ADDR: a veth pair to the guest's vb0
veth_pair() {
	h ip link add "$1" type veth peer name vb0 netns "$NS_GUEST" || return 1
	h ip addr add "$2/24" dev "$1"
	h ip link set "$1" mtu 65520 up
	g ip addr add "$3/24" dev vb0
	g ip link set vb0 mtu 65520 up
}

setup_veth() {
	veth_pair vb0 $VETH_HOST $VETH_GUEST || return 1
	rig_retry 5 g ping -c1 -W1 -q $VETH_HOST >/dev/null 2>&1 || return 1
	DST[veth]=$VETH_HOST
}

# A veth pair like veth's (host end vb1, on its own subnet: veth's is up at
# the same time), relay.c in the host namespace between it and the iperf3
# server
setup_relay() {
	veth_pair vb1 $RELAY_HOST $RELAY_GUEST || return 1
	rig_bg relay h "$RELAY" $RELAY_HOST $RELAY_PORT 127.0.0.1 5201
	rig_wait_port h tcp $RELAY_PORT $RELAY_HOST &&
		rig_retry 5 g ping -c1 -W1 -q $RELAY_HOST >/dev/null 2>&1 ||
		{ echo "# relay: didn't start"; return 1; }
	DST[relay]=$RELAY_HOST
	PORT[relay]=$RELAY_PORT
}

RELAY=$RIG_TMP/relay
${CC:-cc} -O2 -o "$RELAY" "$RIG_TESTDIR/bench/relay.c" ||
	{ echo "# can't build relay.c"; exit 1; }

rig_setup >/dev/null
rig_bg iperf3 h iperf3 -s -J
rig_wait_port h tcp 5201 || { echo "# no iperf3 server"; exit 1; }

echo "# UDP benchmark: $LEN-byte datagrams, ${DUR}s per run, median of $RUNS"
UP=
for t in $TOOLS; do
	rig_new_guest || { echo "# $t: no namespace"; continue; }
	GNS[$t]=$NS_GUEST
	case $t in
	ours-pasta)	setup_pasta ours-pasta "$OURS" ;;
	base-pasta)	setup_pasta base-pasta "$BENCH_UDP_BASE" ;;
	deb-pasta)	setup_pasta deb-pasta /usr/bin/pasta ;;
	slirp)		setup_slirp ;;
	veth)		setup_veth ;;
	relay)		setup_relay ;;
	*)		false ;;
	esac && UP="$UP $t"
done

for ((i = 0; i < RUNS; i++)); do
	for t in $UP; do
		for dir in up down; do
			one $t $dir 0 >>"$RIG_TMP/$t-$dir"
			[ "$RATE" = 0 ] && continue
			one $t $dir "$RATE" >>"$RIG_TMP/$t-$dir-paced"
		done
	done
done

for t in $UP; do
	for dir in up down; do
		R[$t,$dir]=$(median "$RIG_TMP/$t-$dir")
		echo "udp $t $dir ${R[$t,$dir]}"
		[ "$RATE" = 0 ] && continue
		echo "udp_paced $t $dir $(median "$RIG_TMP/$t-$dir-paced")"
	done
done

for t in $TOOLS; do
	[ $t = veth ] && continue
	for dir in up down; do
		echo "udp_ratio $t $dir $(awk -v a="${R[$t,$dir]% *}" \
			-v b="${R[veth,$dir]% *}" 'BEGIN {
			if (a == "" || b == "" || a == "n/a" || b == "n/a" ||
			    b + 0 == 0) print "n/a"; else printf "%.2f", a / b
			}')"
	done
done
