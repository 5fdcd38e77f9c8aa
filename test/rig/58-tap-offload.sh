#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/58-tap-offload.sh - pasta: offloads on the tap device, namespace
# to host: the namespace's kernel hands pasta TCP frames of up to 64 KiB
# whatever the MTU, and TCP and UDP checksums left partial
#
# - the tap device in the namespace reports checksum and TCP segmentation
#   offloads on (ethtool -k): fails if pasta leaves them off;
# - TCP from the guest to the far host, IPv4 and IPv6, at MTU 1500 and
#   65520, with the offloads on, then off (ethtool -K in the namespace):
#   content checked with SHA-256, and the guest's transmit counters say
#   whether frames were larger than the MTU (on) or not (off);
# - UDP datagrams from the guest, echoed back and compared, with offloads on
#   (checksums partial: a capture in the namespace sees them unfinished)
#   and off;
# - no frame dropped by pasta for its virtio_net_hdr (debug log);
# - with a capture file (-p), pasta completes the partial checksums of the
#   frames from the namespace in the capture.
#
# Needs ethtool(8) in the guest namespace.

. "$(dirname "$0")/../lib/rig.sh"

TOOL=$RIG_TESTDIR/bench/tcptool.py
UDPT=$RIG_TMP/udpecho.py
PORT=5001
UPORT=7777
SIZE=${OFFLOAD_SIZE:-20000000}
LOG=$RIG_TMP/pasta-debug.log

cat >"$UDPT" <<'EOF'
# echo ADDR PORT: echo datagrams back
# client HOST PORT COUNT MAX: send COUNT datagrams of sizes up to MAX, each
# with its number and a pattern, check each echo (resend on timeout)
import random, socket, sys, time

fam = lambda a: socket.AF_INET6 if ':' in a else socket.AF_INET
cmd, a = sys.argv[1], sys.argv[2:]
s = socket.socket(fam(a[0]), socket.SOCK_DGRAM)
for o in (socket.SO_RCVBUF, socket.SO_SNDBUF):
    s.setsockopt(socket.SOL_SOCKET, o, 4 << 20)
if cmd == 'echo':
    s.bind((a[0], int(a[1])))
    while True:
        d, peer = s.recvfrom(65535)
        s.sendto(d, peer)
count, mx = int(a[2]), int(a[3])
s.connect((a[0], int(a[1])))
s.settimeout(0.5)
rnd = random.Random(12)
pat = bytes(rnd.randrange(256) for _ in range(4096)) * 17
for i in range(count):
    size = mx if i % 7 == 0 else rnd.randint(8, mx)
    p = i.to_bytes(4, 'big') + pat[i % 4096:i % 4096 + size - 4]
    for attempt in range(10):
        s.send(p)
        try:
            while True:
                got = s.recv(65535)
                if got[:4] == p[:4]:
                    break
        except socket.timeout:
            continue
        if got != p:
            print('datagram %d (%d bytes): echo differs' % (i, size))
            sys.exit(1)
        break
    else:
        print('datagram %d (%d bytes): no echo' % (i, size))
        sys.exit(1)
print('ok %d datagrams' % count)
EOF

# servers SUFFIX: TCP sink and UDP echo servers in the remote namespace
servers() {
	rig_bg srv-tcp r python3 "$TOOL" server $PORT
	rig_bg srv-udp4 r python3 "$UDPT" echo $FAR4 $UPORT
	rig_bg srv-udp6 r python3 "$UDPT" echo $FAR6 $UPORT
	rig_wait_port r tcp $PORT || rig_die "TCP server in remote namespace"
}

# tx: "bytes packets" sent by the guest's tap interface
tx() {
	local d=/sys/class/net/ext0/statistics

	g cat $d/tx_bytes $d/tx_packets | tr '\n' ' '
}

# feature NAME: on or off, as ethtool -k says for the guest's interface
feature() {
	g ethtool -k ext0 | awk -v f="$1:" '$1 == f { print $2 }'
}

# offloads on|off: set checksum and segmentation offloads in the namespace
offloads() {
	g ethtool -K ext0 tx "$1" tso "$1" >/dev/null 2>&1
	[ "$(feature tx-checksumming)" = "$1" ] &&
		[ "$(feature tcp-segmentation-offload)" = "$1" ]
}

# xfer DESC MTU OFFL ADDR SEED: guest to far host, content, frame sizes
xfer() {
	local desc=$1 mtu=$2 offl=$3 addr=$4 seed=$5 b0 p0 b1 p1 avg

	read -r b0 p0 <<<"$(tx)"
	check "$desc: $((SIZE / 1000000)) MB guest to far host, content" \
		g timeout 60 python3 "$TOOL" sink "$addr" $PORT $SIZE "$seed"
	sed 's/^/#   /' "$RIG_TMP/check.out"
	read -r b1 p1 <<<"$(tx)"

	avg=$(((b1 - b0) / (p1 - p0 > 0 ? p1 - p0 : 1)))
	echo "#   guest sent $((p1 - p0)) frames, $avg bytes each"
	[ "$mtu" -ge 65520 ] && return
	if [ "$offl" = on ]; then
		ours check "$desc: frames to pasta much larger than the MTU" \
			test "$avg" -gt $((mtu * 4))
	else
		check "$desc: frames to pasta within the MTU" \
			test "$avg" -le $((mtu + 14))
	fi
}

# udp_xfer DESC MTU ADDR: datagrams up to the largest unfragmented size
udp_xfer() {
	local desc=$1 mtu=$2 addr=$3 l3=20

	[[ $addr == *:* ]] && l3=40
	check "$desc: UDP datagrams guest to far host and back, content" \
		g timeout 60 python3 "$UDPT" client "$addr" $UPORT 300 \
		$((mtu - l3 - 8))
	sed 's/^/#   /' "$RIG_TMP/check.out"
}

# udp_csum WHAT: a capture in the guest of UDP datagrams it sends shows
# WHAT ("bad udp cksum": left partial, "udp sum ok": complete), not the other
udp_csum() {
	local cap=$RIG_TMP/guest.pcap txt=$RIG_TMP/guest.txt

	rm -f "$cap"
	rig_bg gcap g timeout 10 tcpdump -i ext0 -n -U -c 5 -w "$cap" \
		"udp and dst host $FAR4 and dst port $UPORT"
	rig_wait_file 5 "$cap"
	g timeout 10 python3 "$UDPT" client $FAR4 $UPORT 5 100 >/dev/null
	rig_reap 10 "${RIG_BG[gcap]}"
	tcpdump -r "$cap" -n -vv 2>/dev/null >"$txt"
	cat "$txt"
	grep -q "$1" "$txt" &&
		! grep -v "$1" "$txt" | grep -q "udp sum\|udp cksum"
}

# max_len FILE: largest "length N" in tcpdump -e output
max_len() {
	grep -o "length [0-9]*" "$1" |
		awk '$2 > m { m = $2 } END { print m + 0 }'
}

if ! command -v ethtool >/dev/null; then
	rig_result FAIL "ethtool(8) needed in the namespace: not installed"
	exit 1
fi

rig_setup
servers

if rig_pasta --config-net -t none -u none -T none -U none -d -l "$LOG"; then
	rig_retry 5 g ip -6 route show default | grep -q . ||
		echo "# no IPv6 default route in guest yet"

	ours check "tap device: checksum offload on" \
		test "$(feature tx-checksumming)" = on
	ours check "tap device: TCP segmentation offload on" \
		test "$(feature tcp-segmentation-offload)" = on
	ours check "tap device: TCP segmentation offload for IPv6 on" \
		test "$(feature tx-tcp6-segmentation)" = on

	for mtu in 1500 65520; do
		g ip link set ext0 mtu $mtu
		for offl in on off; do
			if [ $offl = on ]; then
				ours check "MTU $mtu: offloads on" offloads on
			else
				check "MTU $mtu: offloads off" offloads off
			fi
			xfer "MTU $mtu, offloads $offl, IPv4" $mtu $offl \
				$FAR4 $((mtu % 7 + 1))
			xfer "MTU $mtu, offloads $offl, IPv6" $mtu $offl \
				$FAR6 $((mtu % 7 + 2))
			udp_xfer "MTU $mtu, offloads $offl, IPv4" $mtu $FAR4
			udp_xfer "MTU $mtu, offloads $offl, IPv6" $mtu $FAR6
		done
		offloads on
	done

	g ip link set ext0 mtu 1500
	ours check "offloads on: UDP checksums from the namespace partial" \
		udp_csum "bad udp cksum"
	offloads off
	check "offloads off: UDP checksums from the namespace complete" \
		udp_csum "udp sum ok"
	offloads on

	check_fail "no frame dropped for its virtio_net_hdr" \
		grep "frame dropped" "$LOG"
else
	rig_result FAIL "pasta: start"
fi
rig_stop

# Capture file: checksums of frames from the namespace completed in it
servers
CAP=$RIG_TMP/pasta.pcap
if rig_pasta --config-net -t none -u none -T none -U none -p "$CAP"; then
	g ip link set ext0 mtu 1500
	rig_retry 5 g ip -6 route show default | grep -q . ||
		echo "# no IPv6 default route in guest yet"
	check "capture: TCP, 2 MB guest to far host" \
		g timeout 60 python3 "$TOOL" sink $FAR4 $PORT 2000000 9
	check "capture: UDP datagrams guest to far host" \
		g timeout 60 python3 "$UDPT" client $FAR6 $UPORT 20 1452
	rig_stop
	tcpdump -r "$CAP" -n -e -vv "src host $HOST4 or src host $HOST6" \
		2>/dev/null >"$RIG_TMP/cap.txt"
	echo "#   $(grep -c "cksum.*correct\|udp sum ok" "$RIG_TMP/cap.txt")" \
		"checksums correct in the capture," \
		"$(grep -c "incorrect\|bad udp cksum" "$RIG_TMP/cap.txt")" \
		"not, largest frame $(max_len "$RIG_TMP/cap.txt") bytes"
	ours check "capture: frames from the namespace larger than the MTU" \
		test "$(max_len "$RIG_TMP/cap.txt")" -gt 6000
	ours check "capture: TCP and UDP checksums from the namespace valid" \
		eval '! grep -q "incorrect\|bad udp cksum" "$RIG_TMP/cap.txt" &&
		      grep -q "udp sum ok" "$RIG_TMP/cap.txt" &&
		      grep -q "cksum.*(correct)" "$RIG_TMP/cap.txt"'
else
	rig_result FAIL "pasta: start with a capture file"
fi
