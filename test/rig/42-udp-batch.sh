#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/42-udp-batch.sh - pasta: UDP in batches, both directions, with
# the tap device's offloads on and off
#
# - the tap device in the namespace reports UDP segmentation offload on
#   (ethtool -k tx-udp-segmentation), where the kernel has it (6.2);
# - namespace to host: 3000 numbered datagrams of 1400 bytes, sent in runs
#   with UDP_SEGMENT (one frame per run from the namespace's kernel, with
#   the offload on; split by that kernel, with it off) and one by one, IPv4
#   and IPv6, guest MTU 1500: all received, in order, SHA-256 of the
#   content checked; the guest's transmit counters say whether frames were
#   larger than the MTU (offload on) or not (off);
# - host to namespace, the same, to a forwarded port (-u): pasta gives the
#   namespace runs of datagrams of one flow in one frame (its receive
#   counters see frames larger than the MTU), all received, in order, same
#   content;
# - datagrams of mixed sizes (a run ends with a shorter one), both ways;
# - no frame dropped by pasta for its virtio_net_hdr (debug log);
# - passt (qemu stand-in, guest MTU 1500): the same batches both ways,
#   IPv4 and IPv6, all received, in order, same content.
#
# Senders pace their bursts and receivers have large buffers: the path
# loses nothing, and nothing may be lost or reordered. Needs ethtool(8).

. "$(dirname "$0")/../lib/rig.sh"

PORT=7801		# forwarded by pasta (-u), to the namespace
HPORT=7802		# a receiver on the host
COUNT=3000
LEN=1400
LOG=$RIG_TMP/pasta-debug.log
UT=$RIG_TMP/udpbatch.py

cat >"$UT" <<'EOF'
# SPDX-License-Identifier: GPL-2.0-or-later
# recv ADDR PORT COUNT SIZES SEED: receive COUNT datagrams (2 s idle ends),
#   check number, order and content against what send makes
# send ADDR PORT COUNT SIZES SEED GSO: send them in paced bursts of 32,
#   each burst one sendmsg() with UDP_SEGMENT if GSO is 1
# SIZES: one size, or "mixed" (runs of equal sizes ending with a short one)
import hashlib, random, socket, struct, sys, time

UDP_SEGMENT = 103
BURST = 32

def fam(a):
    return socket.AF_INET6 if ':' in a else socket.AF_INET

def sizes(spec, count, seed):
    if spec != 'mixed':
        return [int(spec)] * count
    r, out = random.Random(seed), []
    while len(out) < count:
        n, s = r.randint(1, 40), r.randint(200, 1400)
        out += [s] * n + [r.randint(8, s)]
    return out[:count]

def payload(i, size, seed):
    head = struct.pack('!II', i, seed)
    return (head + bytes((i * 7 + j + seed) & 0xff
                         for j in range(size - len(head))))[:size]

cmd, addr, port, count, spec, seed = sys.argv[1:7]
port, count, seed = int(port), int(count), int(seed)
sz = sizes(spec, count, seed)
s = socket.socket(fam(addr), socket.SOCK_DGRAM)
try:
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)   # SO_RCVBUFFORCE
except OSError:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)

if cmd == 'recv':
    s.bind((addr, port))
    print('ready', flush=True)
    want, got = hashlib.sha256(), hashlib.sha256()
    for i in range(count):
        want.update(payload(i, sz[i], seed))
    n, nxt, bad = 0, 0, 0
    s.settimeout(20)
    while n < count:
        try:
            d = s.recv(65535)
        except socket.timeout:
            break
        s.settimeout(2)
        i = struct.unpack('!I', d[:4])[0] if len(d) >= 4 else -1
        if i != nxt:
            bad += 1
        nxt = i + 1
        got.update(d)
        n += 1
    print('received %d of %d, %d out of sequence' % (n, count, bad))
    if n != count or bad or got.digest() != want.digest():
        print('content: %s' % ('same' if got.digest() == want.digest()
                               else 'differs'))
        sys.exit(1)
    print('sha256 %s' % got.hexdigest())
elif cmd == 'send':
    gso = sys.argv[7] == '1'
    s.connect((addr, port))
    i = 0
    while i < count:
        burst = [payload(j, sz[j], seed)
                 for j in range(i, min(i + BURST, count))]
        if gso:
            # runs of equal size, a shorter one ending a run
            k = 0
            while k < len(burst):
                e = k + 1
                while e < len(burst) and len(burst[e]) <= len(burst[k]):
                    e += 1
                    if len(burst[e - 1]) < len(burst[k]):
                        break
                if e - k > 1:
                    s.setsockopt(socket.SOL_UDP, UDP_SEGMENT,
                                 len(burst[k]))
                    s.send(b''.join(burst[k:e]))
                    s.setsockopt(socket.SOL_UDP, UDP_SEGMENT, 0)
                else:
                    s.send(burst[k])
                k = e
        else:
            for p in burst:
                s.send(p)
        i += len(burst)
        time.sleep(0.003)
    print('sent %d' % count)
EOF

# feature NAME: on or off, as ethtool -k says for the guest's interface
feature() {
	g ethtool -k ext0 | awk -v f="$1:" '$1 == f { print $2 }'
}

# counters DIR: "bytes packets" of the guest's tap interface, tx or rx
counters() {
	local d=/sys/class/net/ext0/statistics

	g cat "$d/${1}_bytes" "$d/${1}_packets" | tr '\n' ' '
}

# xfer DESC FROM ADDR SIZES GSO: COUNT datagrams, FROM g (to host) or h (to
# guest); the receiver is started on the other side first
xfer() {
	local desc=$1 from=$2 addr=$3 sizes=$4 gso=$5 to=h port=$HPORT seed
	local out=$RIG_TMP/recv.out

	seed=$((RANDOM % 1000))
	[ "$from" = h ] && to=g port=$PORT
	rm -f "$RIG_TMP/recv.log"
	rig_bg recv "$to" python3 "$UT" recv :: $port $COUNT "$sizes" $seed
	rig_wait_file 5 "$RIG_TMP/recv.log"
	rig_retry 5 grep -q ready "$RIG_TMP/recv.log"
	"$from" timeout 60 python3 "$UT" send "$addr" $port $COUNT \
		"$sizes" $seed "$gso" >/dev/null
	rig_reap 30 "${RIG_BG[recv]}"
	cp "$RIG_TMP/recv.log" "$out"
	check "$desc: all received, in order, same content" \
		grep -q "^sha256" "$out"
	sed 's/^/#   /' "$out"
}

# avg_frame DIR B0 P0: average size of the frames since B0 P0
avg_frame() {
	local b1 p1

	read -r b1 p1 <<<"$(counters "$1")"
	echo $(((b1 - $2) / (p1 - $3 > 0 ? p1 - $3 : 1)))
}

if ! command -v ethtool >/dev/null; then
	rig_result FAIL "ethtool(8) needed in the namespace: not installed"
	exit 1
fi

rig_setup

if rig_pasta --config-net -t none -u $PORT -T none -U none -d -l "$LOG"; then
	rig_retry 5 g ip -6 route show default | grep -q . ||
		echo "# no IPv6 default route in guest yet"
	g ip link set ext0 mtu 1500

	uso=$(feature tx-udp-segmentation)
	if [ -z "$uso" ] || [ "$(uname -r | awk -F. '{
	     print ($1 > 6 || ($1 == 6 && $2 >= 2)) }')" = 0 ]; then
		rig_result SKIP "no UDP segmentation offload on tap devices"
		uso=
	else
		ours check "tap device: UDP segmentation offload on" \
			test "$uso" = on
	fi

	for offl in on off; do
		if [ -n "$uso" ]; then
			g ethtool -K ext0 tx-udp-segmentation $offl \
				>/dev/null 2>&1
			check "offload $offl" \
				test "$(feature tx-udp-segmentation)" = $offl
		fi
		for ip in 4 6; do
			gw=$GW4 host=$HOST4
			[ $ip = 6 ] && gw=$GW6 host=$HOST6
			d="offload $offl, IPv$ip"

			read -r b0 p0 <<<"$(counters tx)"
			xfer "$d, namespace to host, UDP_SEGMENT" g $gw $LEN 1
			avg=$(avg_frame tx "$b0" "$p0")
			echo "#   guest sent frames of $avg bytes on average"
			if [ -n "$uso" ] && [ $offl = on ]; then
				ours check "$d: frames to pasta above the MTU" \
					test "$avg" -gt 3000
			elif [ -n "$uso" ]; then
				check "$d: frames to pasta within the MTU" \
					test "$avg" -le 1514
			fi
			xfer "$d, namespace to host, one by one" g $gw $LEN 0
			xfer "$d, namespace to host, mixed sizes" g $gw mixed 1

			read -r b0 p0 <<<"$(counters rx)"
			xfer "$d, host to namespace" h $host $LEN 0
			avg=$(avg_frame rx "$b0" "$p0")
			echo "#   guest received frames of $avg bytes on average"
			# Above what one datagram and its headers take
			ours check "$d: runs of datagrams in one frame from pasta" \
				test "$avg" -gt 1600
			xfer "$d, host to namespace, mixed sizes" h $host mixed 0
		done
	done

	check_fail "no frame dropped for its virtio_net_hdr" \
		grep "frame dropped" "$LOG"
else
	rig_result FAIL "pasta: start"
fi
rig_stop

# passt: no tap device, no segmentation offload, the same batches
if [ ! -x "$QEMU_TAP" ]; then
	rig_result FAIL "passt: qemu stand-in $QEMU_TAP not built"
elif rig_passt -u $PORT && rig_guest_conf; then
	g ip link set eth0 mtu 1500
	rig_retry 5 g ping -c1 -W1 -q $GW4 >/dev/null 2>&1
	for ip in 4 6; do
		gw=$GW4 host=$HOST4
		[ $ip = 6 ] && gw=$GW6 host=$HOST6
		xfer "passt, IPv$ip, guest to host, UDP_SEGMENT" g $gw $LEN 1
		xfer "passt, IPv$ip, guest to host, mixed sizes" g $gw mixed 0
		xfer "passt, IPv$ip, host to guest" h $host $LEN 0
		xfer "passt, IPv$ip, host to guest, mixed sizes" h $host \
		     mixed 0
	done
else
	rig_result FAIL "passt: start"
fi

rig_teardown
rig_exit
