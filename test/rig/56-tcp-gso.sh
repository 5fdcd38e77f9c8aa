#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/56-tcp-gso.sh - pasta at a small guest MTU: host to guest data goes
# through the tap as large frames the kernel segments (virtio_net_hdr GSO),
# and what the guest gets is still segments of its MSS, with good checksums
#
# - the guest's interface counters: one received frame per write() to the
#   tap, so bytes per frame well above 1514 means big frames were used;
# - a copy of every received frame (tc mirred from ext0 ingress) goes out of
#   a tap device read here by a small Python reader: that device has no
#   offloads, so the kernel cuts the frames into segments as it would on any
#   wire and completes their checksums from the partial ones we wrote. The
#   reader checks that no frame exceeds the MTU, that no segment exceeds the
#   MSS, and every TCP checksum;
# - every data frame reaches the guest's kernel with a partial checksum
#   (PACKET_AUXDATA says TP_STATUS_CSUMNOTREADY): pasta leaves TCP checksums
#   to it, also for frames of one MSS, as at MTU 65520;
# - content (SHA-256) at MTU 1500 and 1280, IPv4 and IPv6, with timestamps
#   and without, and with a slow reader (small windows, partial frames), and
#   at MTU 65520, where frames are one MSS: nothing to segment.

. "$(dirname "$0")/../lib/rig.sh"

PORT=5001
SIZE=50000000
MIRROR=$RIG_TMP/mirror.py

cat >"$MIRROR" <<'EOF'
# Read frames from a new tap device until SIGTERM (then those already queued)
# or IDLE seconds without any; check TCP segments: frame length <= MTU + 14,
# payload <= MSS, checksum, and that there were at least MIN of them
import fcntl, os, select, signal, struct, sys, time

name, mtu, mss, idle = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4])
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", name.encode(), 0x0002 |
                                         0x1000))	# TUNSETIFF, TAP NO_PI
open(sys.argv[5], "w").close()		# ready
stop = False
drained_by = float("inf")
def term(*a):
    global stop, drained_by
    stop = True
    drained_by = time.monotonic() + 10
signal.signal(signal.SIGTERM, term)

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(memoryview(b).cast("H"))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

frames = data = big = badsum = bigseg = 0
maxlen = maxseg = 0
last = time.monotonic()
while time.monotonic() - last < idle and time.monotonic() < drained_by:
    # after SIGTERM, only what is already queued, for at most 10 s
    r, _, _ = select.select([fd], [], [], 0 if stop else 0.2)
    if not r:
        if stop:
            break
        continue
    f = os.read(fd, 70000)
    last = time.monotonic()
    if len(f) < 14:
        continue
    et = f[12:14]
    if et == b"\x08\x00":
        ip = f[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 6:
            continue
        tot = struct.unpack("!H", ip[2:4])[0]
        l4 = ip[ihl:tot]
        pseudo = ip[12:20] + struct.pack("!BBH", 0, 6, len(l4))
    elif et == b"\x86\xdd":
        ip = f[14:]
        if ip[6] != 6:
            continue
        plen = struct.unpack("!H", ip[4:6])[0]
        l4 = ip[40:40 + plen]
        pseudo = ip[8:40] + struct.pack("!IxxxB", len(l4), 6)
    else:
        continue
    frames += 1
    maxlen = max(maxlen, len(f))
    if len(f) > mtu + 14:
        big += 1
    doff = (l4[12] >> 4) * 4
    seg = len(l4) - doff
    if seg > 0:
        data += 1
        maxseg = max(maxseg, seg)
        if seg > mss:
            bigseg += 1
    if csum(pseudo + l4) != 0xffff:
        badsum += 1

print("frames %d data %d maxlen %d maxseg %d over_mtu %d over_mss %d "
      "bad_csum %d" % (frames, data, maxlen, maxseg, big, bigseg, badsum))
ok = data >= int(sys.argv[6]) and not big and not bigseg and not badsum
sys.exit(0 if ok else 1)
EOF

# Count TCP data frames the guest receives on an interface, and how many came
# with a partial checksum (PACKET_AUXDATA: TP_STATUS_CSUMNOTREADY), until
# SIGTERM or IDLE seconds without any. A 64 KiB frame takes as much of the
# receive buffer: a large one keeps this slow reader from dropping most
PARTIAL=$RIG_TMP/partial.py
cat >"$PARTIAL" <<'EOF'
import select, signal, socket, struct, sys, time

SOL_PACKET, PACKET_AUXDATA, CSUMNOTREADY, OUTGOING = 263, 8, 8, 4
name, idle = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((name, 0))
s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 64 << 20)
open(sys.argv[3], "w").close()		# ready
stop = False
def term(*a):
    global stop
    stop = True
signal.signal(signal.SIGTERM, term)

data = partial = 0
last = time.monotonic()
while not stop and time.monotonic() - last < idle:
    r, _, _ = select.select([s], [], [], 0.2)
    if not r:
        continue
    f, anc, _, addr = s.recvmsg(128, socket.CMSG_SPACE(20))
    last = time.monotonic()
    if addr[2] == OUTGOING or len(f) < 74:
        continue
    if f[12:14] == b"\x08\x00" and f[23] == 6:
        ihl = (f[14] & 15) * 4
        l4len = struct.unpack("!H", f[16:18])[0] - ihl
        doff = (f[14 + ihl + 12] >> 4) * 4
    elif f[12:14] == b"\x86\xdd" and f[20] == 6:
        l4len = struct.unpack("!H", f[18:20])[0]
        doff = (f[54 + 12] >> 4) * 4
    else:
        continue
    if l4len <= doff:
        continue
    data += 1
    for lvl, typ, d in anc:
        if lvl == SOL_PACKET and typ == PACKET_AUXDATA and \
           struct.unpack("I", d[:4])[0] & CSUMNOTREADY:
            partial += 1

print("data frames %d, with a partial checksum %d" % (data, partial))
sys.exit(0 if data >= 100 and partial == data else 1)
EOF

rig_setup

rig_tcp_server r $PORT

# rx DEV: "bytes packets" received by DEV in the guest
rx() {
	local d=/sys/class/net/$1/statistics

	g cat $d/rx_bytes $d/rx_packets | tr '\n' ' '
}

# gso_xfer DESC MTU ADDR SEED [ARGS...]: transfer SIZE bytes from the far host
# to the guest at guest MTU, check content, bytes per received frame, and the
# segments a copy of the frames turns into; ARGS go to tcptool.py source
gso_xfer() {
	local desc=$1 mtu=$2 addr=$3 seed=$4 b0 p0 b1 p1 avg mss l3=20
	shift 4

	[[ $addr == *:* ]] && l3=40
	mss=$((mtu - l3 - 20))

	g ip link set ext0 mtu "$mtu"
	rm -f "$RIG_TMP/mirror.ready" "$RIG_TMP/partial.ready"
	rig_bg mirror g python3 "$MIRROR" mir0 "$mtu" "$mss" 20 \
		"$RIG_TMP/mirror.ready" $((mtu < 16384 ? 1000 : 100))
	rig_wait_file 5 "$RIG_TMP/mirror.ready"
	g ip link set mir0 mtu "$mtu" txqueuelen 10000 up
	rig_bg partial g python3 "$PARTIAL" ext0 20 "$RIG_TMP/partial.ready"
	rig_wait_file 5 "$RIG_TMP/partial.ready"
	g tc qdisc add dev ext0 ingress
	g tc filter add dev ext0 parent ffff: protocol all u32 \
		match u32 0 0 action mirred egress mirror dev mir0

	read -r b0 p0 <<<"$(rx ext0)"
	check "$desc: $((SIZE / 1000000)) MB far host to guest, content" \
		g timeout 60 python3 "$TCPTOOL" source "$addr" $PORT $SIZE \
		"$seed" "$@"
	read -r b1 p1 <<<"$(rx ext0)"

	g tc qdisc del dev ext0 ingress
	kill -TERM "${RIG_BG[mirror]}" "${RIG_BG[partial]}" 2>/dev/null
	wait "${RIG_BG[mirror]}"
	local mrc=$?
	wait "${RIG_BG[partial]}"
	local prc=$?
	echo "#   mirror: $(cat "$RIG_TMP/mirror.log")"
	echo "#   guest: $(cat "$RIG_TMP/partial.log")"

	avg=$(((b1 - b0) / (p1 - p0 > 0 ? p1 - p0 : 1)))
	echo "#   guest received $((p1 - p0)) frames, $avg bytes each"
	# Frames of one MSS at the largest MTU: nothing to segment
	[ "$mtu" -lt 16384 ] &&
		ours check "$desc: frames through the tap much larger than the MTU" \
			test "$avg" -gt $((mtu * 4))
	check "$desc: segments on the wire within MTU and MSS, checksums good" \
		test "$mrc" = 0
	ours check "$desc: data frames with partial checksums, for the kernel" \
		test "$prc" = 0
}

if rig_pasta --config-net -t none -u none -T none -U none; then
	rig_retry 5 g ip -6 route show default | grep -q . ||
		echo "# no IPv6 default route in guest yet"

	gso_xfer "MTU 1500, IPv4" 1500 $FAR4 21
	gso_xfer "MTU 1500, IPv6" 1500 $FAR6 22
	gso_xfer "MTU 1280, IPv6" 1280 $FAR6 23
	gso_xfer "MTU 65520, IPv4" 65520 $FAR4 26
	gso_xfer "MTU 65520, IPv6" 65520 $FAR6 27
	g sysctl -qw net.ipv4.tcp_timestamps=0
	gso_xfer "MTU 1500, IPv4, no timestamps" 1500 $FAR4 24
	g sysctl -qw net.ipv4.tcp_timestamps=1
	g sysctl -qw net.ipv4.tcp_rmem="4096 16384 65536"
	gso_xfer "MTU 1500, IPv4, slow reader, small window" 1500 $FAR4 25 \
		--slow 20000000
else
	rig_result FAIL "pasta: start"
fi
