#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/bench/splice.sh - pasta's loopback fast path: iperf3 from the host's
# loopback to a server in the namespace through a -t port (spliced), next
# to a direct loopback connection on the same machine, for our pasta and
# Debian's /usr/bin/pasta, both directions (-R: namespace to host).
# Loopback throughput on a small machine swings with where the scheduler
# puts the processes: each figure is the median of BENCH_SPLICE_N runs
# (default 3), direct and spliced runs interleaved.
# Prints "splice TOOL DIR DIRECT_GBIT SPLICED_GBIT RATIO" lines.

. "$(dirname "$0")/../lib/rig.sh"

DUR=${BENCH_DUR:-3}
N=${BENCH_SPLICE_N:-3}

gbit() {
	python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
    print("%.2f" % (j["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception:
    print("n/a")'
}

median() {
	python3 -c "import statistics, sys
v = [float(x) for x in sys.argv[1:] if x != 'n/a']
print('%.2f' % statistics.median(v) if v else 'n/a')" "$@"
}

ratio() {
	python3 -c "import sys
try: print('%.2f' % (float('$2') / float('$1')))
except Exception: print('n/a')"
}

rig_setup
h ip link set lo up
rig_bg direct-server h iperf3 -s -p 5301
rig_bg ns-server g iperf3 -s -p 5201
rig_wait_port h tcp 5301 && rig_wait_port g tcp 5201

for tool in ours debian; do
	bin=$PASTA
	[ $tool = debian ] && bin=/usr/bin/pasta
	[ -x "$bin" ] || { echo "splice $tool n/a"; continue; }
	PASTA=$bin rig_pasta --config-net -t 5201 -T none -u none -U none ||
		{ echo "splice $tool n/a"; continue; }
	sleep 0.5
	for dir in host-to-ns ns-to-host; do
		rev=
		[ $dir = ns-to-host ] && rev=-R
		ds=() ss=()
		for ((i = 0; i < N; i++)); do
			ds+=("$(h timeout $((DUR + 10)) iperf3 -c 127.0.0.1 \
				-p 5301 -t "$DUR" $rev -J 2>/dev/null | gbit)")
			ss+=("$(h timeout $((DUR + 10)) iperf3 -c 127.0.0.1 \
				-p 5201 -t "$DUR" $rev -J 2>/dev/null | gbit)")
		done
		echo "# splice $tool $dir: direct ${ds[*]}, spliced ${ss[*]}"
		d=$(median "${ds[@]}")
		s=$(median "${ss[@]}")
		echo "splice $tool $dir $d $s $(ratio "$d" "$s")"
	done
	rig_kill "$RIG_PASTA_PID"
	RIG_DAEMONS=()
done
