#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/bench/udp.sh - UDP throughput (iperf3 -u) from a namespace to a
# remote host, through our pasta, Debian's /usr/bin/pasta and slirp4netns.
# Prints one line per tool: udp_throughput TOOL MBIT_S (or "n/a")

. "$(dirname "$0")/../lib/rig.sh"

DUR=${BENCH_DUR:-3}
LEN=${BENCH_UDP_LEN:-16000}

# iperf3 JSON: bits per second the server received
udp_rate() {
	python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
    e = j["end"]
    s = e.get("sum_received") or e.get("sum")
    print("%.0f" % (s["bits_per_second"] / 1e6))
except Exception:
    print("n/a")'
}

udp_run() {
	g timeout $((DUR + 10)) iperf3 -u -c "$1" -b 0 -l "$LEN" -t "$DUR" -J \
		2>/dev/null | udp_rate
}

rig_setup >/dev/null
rig_bg iperf3 r iperf3 -s -B $FAR4
rig_wait_port r tcp 5201 || { echo "udp_throughput all n/a"; exit 0; }

# Ours, then Debian's pasta
for tool in ours pasta-debian; do
	if [ $tool = pasta-debian ]; then
		[ -x /usr/bin/pasta ] || { echo "udp_throughput $tool n/a"; continue; }
		PASTA=/usr/bin/pasta
	fi
	if rig_pasta --config-net -t none -u none -T none -U none >/dev/null; then
		sleep 1
		echo "udp_throughput $tool $(udp_run $FAR4)"
	else
		echo "udp_throughput $tool n/a"
	fi
	rig_stop
	rig_bg iperf3 r iperf3 -s -B $FAR4
	rig_wait_port r tcp 5201
	sleep 0.5
done

if command -v slirp4netns >/dev/null; then
	rig_bg slirp h slirp4netns --configure --mtu 65520 \
		--netns-type=path "/run/netns/$NS_GUEST" tap0
	for ((i = 0; i < 50; i++)); do
		g ip route 2>/dev/null | grep -q default && break
		sleep 0.1
	done
	echo "udp_throughput slirp4netns $(udp_run $FAR4)"
else
	echo "udp_throughput slirp4netns n/a"
fi
