#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/71-flood.sh - Floods from the guest, each bounded in time: flood
# ping, a burst of random and malformed frames (qemu-tap --inject), then
# thousands of TCP connection attempts (closed and open ports, abandoned
# half way) and UDP flows. Afterwards passt still answers ping quickly, and
# its memory stays flat: VmRSS grows by less than 8 MiB, stays below 32 MiB,
# and a second connection flood takes less than 1 MiB more than the first.

. "$(dirname "$0")/../lib/rig.sh"

GMAC=52:54:00:12:34:56
OPEN=5002
FLOOD_S=${FLOOD_S:-10}
RSS_GROW_KB=$((8 * 1024))
RSS_MAX_KB=$((32 * 1024))
RIG_QEMU_TAP_ARGS=(--mac $GMAC)

rig_setup

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# responsive: three quick replies, both IP versions
responsive() {
	g ping -c 3 -i 0.2 -W 1 -w 3 -q $FAR4 >/dev/null &&
	g ping -6 -c 3 -i 0.2 -W 1 -w 3 -q $FAR6 >/dev/null
}

# Server on the open port: accept, close
cat >"$RIG_TMP/acceptor.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::', int(sys.argv[1])))
s.listen(4096)
while True:
    c, a = s.accept()
    c.close()
EOF

# Random and malformed frames, as qemu-tap --inject lines
cat >"$RIG_TMP/frames.py" <<'EOF'
import random, struct, sys
r = random.Random(int(sys.argv[1]))
n = int(sys.argv[2])
ours = bytes.fromhex('9a559a559a55')
guest = bytes.fromhex('525400123456')
h4 = bytes([198, 18, 0, 1])
far4 = bytes([198, 19, 0, 1])
h6 = bytes.fromhex('20010db8000100000000000000000001')
far6 = bytes.fromhex('20010db8000200000000000000000001')

def rb(k):
    return bytes(r.getrandbits(8) for _ in range(k))

def l4(proto):
    if proto == 6:          # TCP, random flags, SYN often
        flags = 0x02 if r.random() < 0.5 else r.getrandbits(8)
        off = r.choice([5, 5, 5, 0, 15, r.getrandbits(4)])
        h = struct.pack('!HHIIBBHHH', r.getrandbits(16), r.getrandbits(16),
                        r.getrandbits(32), r.getrandbits(32), off << 4,
                        flags, r.getrandbits(16), 0, 0)
        return h + rb(r.choice([0, 0, 4, 12, 40, 300]))
    if proto == 17:         # UDP, lengths right or not
        p = rb(r.choice([0, 1, 20, 500]))
        ulen = 8 + len(p) if r.random() < 0.6 else r.getrandbits(16)
        dport = r.choice([67, 547, 53, r.getrandbits(16)])
        return struct.pack('!HHHH', r.getrandbits(16), dport, ulen, 0) + p
    if proto in (1, 58):    # ICMP / ICMPv6: echo, NDP, anything
        t = r.choice([8, 128, 133, 135, 136, r.getrandbits(8)])
        return bytes([t, r.getrandbits(8), 0, 0]) + rb(r.choice([4, 20, 64]))
    return rb(r.choice([0, 8, 64]))

def ip4():
    proto = r.choice([6, 17, 1, 6, 17, r.getrandbits(8)])
    body = l4(proto)
    ihl = 5 if r.random() < 0.8 else r.getrandbits(4)
    tot = 20 + len(body) if r.random() < 0.8 else r.getrandbits(16)
    frag = 0x4000 if r.random() < 0.9 else r.getrandbits(16)
    dst = far4 if r.random() < 0.7 else bytes([198, 18 + r.getrandbits(1),
                                               r.getrandbits(8),
                                               r.getrandbits(8)])
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, 0, tot, 0, frag, 64, proto,
                    0, h4, dst)
    return b'\x08\x00' + h + rb(max(0, ihl * 4 - 20) if ihl > 5 else 0) + body

def ip6():
    nh = r.choice([6, 17, 58, 0, 43, 44, 60, r.getrandbits(8)])
    body = l4(nh if nh in (6, 17, 58) else r.choice([6, 17, 58]))
    if nh in (0, 43, 60):   # an extension header, maybe a lying one
        body = bytes([r.choice([6, 17, 58, 0]), r.getrandbits(3), 1, 4]) + \
               rb(4) + body
    plen = len(body) if r.random() < 0.8 else r.getrandbits(16)
    src = h6 if r.random() < 0.8 else bytes.fromhex('fe80' + '00' * 6) + rb(8)
    h = struct.pack('!IHBB16s16s', 0x60000000, plen, nh, 64, src, far6)
    return b'\x86\xdd' + h + body

def arp():
    a = struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4,
                    r.choice([1, 2, r.getrandbits(16)]), guest, h4,
                    b'\0' * 6, bytes([198, 18, 0, r.getrandbits(8)]))
    return b'\x08\x06' + a[:r.choice([28, 28, 10, 27])]

for i in range(n):
    k = r.random()
    if k < 0.4:
        f = ip4()
    elif k < 0.8:
        f = ip6()
    elif k < 0.9:
        f = arp()
    else:
        f = r.getrandbits(16).to_bytes(2, 'big') + rb(r.choice([0, 1, 40]))
    dst = ours if r.random() < 0.9 else rb(6)
    print((dst + guest + f)[:65535].hex())
EOF

# Connection flood from the guest: non-blocking connects (30% to the open
# port), abandoned in batches, and a UDP datagram from a new socket each
# time, for SECONDS; prints the counts
cat >"$RIG_TMP/connflood.py" <<'EOF'
import random, socket, sys, time
far4, far6, port, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
                         float(sys.argv[4])
r = random.Random(7)
end = time.time() + secs
tcp = udp = 0
open_socks = []
while time.time() < end and tcp < 40000:
    for fam, addr in ((socket.AF_INET, far4), (socket.AF_INET6, far6)):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setblocking(False)
        p = port if r.random() < 0.3 else r.randint(20000, 60000)
        s.connect_ex((addr, p))
        open_socks.append(s)
        tcp += 1
        u = socket.socket(fam, socket.SOCK_DGRAM)
        try:
            u.sendto(b'flood', (addr, r.randint(20000, 60000)))
            udp += 1
        except OSError:
            pass
        u.close()
    if len(open_socks) > 600:
        for s in open_socks[:300]:
            s.close()
        del open_socks[:300]
for s in open_socks:
    s.close()
print('tcp', tcp, 'udp', udp)
EOF

rig_bg acceptor r python3 "$RIG_TMP/acceptor.py" $OPEN
rig_wait_port r tcp $OPEN || rig_die "acceptor in remote namespace"

python3 "$RIG_TMP/frames.py" $RANDOM 20000 >"$RIG_TMP/malformed.frames" ||
	rig_die "frame generator"

check "passt starts" rig_passt || rig_die "passt didn't start"
rig_guest_conf >/dev/null 2>&1
PID=$RIG_PASST_PID
check "responsive before the floods" rig_retry 5 responsive
RSS0=$(rss_kb $PID)
echo "# VmRSS before: ${RSS0} kB"

# ---- flood ping

g timeout -s INT $FLOOD_S ping -f -q $FAR4 >"$RIG_TMP/pingf4.out" 2>&1 &
P4=$!
g timeout -s INT $FLOOD_S ping -6 -f -q $FAR6 >"$RIG_TMP/pingf6.out" 2>&1
wait $P4
grep -h 'packets transmitted' "$RIG_TMP"/pingf*.out | sed 's/^/#   /'
check "alive after flood ping" rig_alive $PID
check "responsive after flood ping" responsive

# ---- burst of random and malformed frames on a new connection

rig_kill "$RIG_QEMU_PID" 1
rig_retry 5 rig_qemu_tap -v --mac $GMAC --inject "$RIG_TMP/malformed.frames" \
	>/dev/null
rig_guest_conf >/dev/null 2>&1
check "20000 random and malformed frames sent" rig_retry 10 \
	grep -q "injected 20000 frames" "$RIG_TMP/qemu-tap.log"
check "alive after 20000 random and malformed frames" rig_alive $PID
check "responsive after random and malformed frames" rig_retry 5 responsive

# ---- connection flood, twice: tables the first one filled are reused
# by the second one, which must not take more memory

for round in 1 2; do
	check "connection flood from the guest, round $round" \
		g timeout $((FLOOD_S + 20)) python3 "$RIG_TMP/connflood.py" \
		$FAR4 $FAR6 $OPEN $FLOOD_S
	sed 's/^/#   /' "$RIG_TMP/check.out"
	check "alive after connection flood $round" rig_alive $PID
	check "responsive after connection flood $round" rig_retry 3 responsive
	eval "RSS_C$round=\$(rss_kb $PID)"
done
echo "# VmRSS after each connection flood: $RSS_C1 kB, $RSS_C2 kB"
check "second connection flood: VmRSS grew by less than 1 MiB" \
	test $((RSS_C2 - RSS_C1)) -lt 1024

# Flows of the flood still open
check "open port still reachable from the guest" \
	g timeout 10 python3 -c \
	"import socket; socket.create_connection(('$FAR4', $OPEN), 5)"

RSS1=$(rss_kb $PID)
echo "# VmRSS after: ${RSS1} kB"
check "VmRSS grew by less than $((RSS_GROW_KB / 1024)) MiB" \
	test $((RSS1 - RSS0)) -lt $RSS_GROW_KB
check "VmRSS below $((RSS_MAX_KB / 1024)) MiB" test "$RSS1" -lt $RSS_MAX_KB
