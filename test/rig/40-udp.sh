#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/40-udp.sh - UDP through pasta (or passt, see 41-udp-passt.sh):
# echo to a remote host (IPv4, IPv6), 1000 datagrams of mixed sizes up to the
# largest one a 65520-byte MTU carries, checked byte by byte; source port
# kept; forwarded ports (-u range and mapping) from the host and remote
# namespaces; pasta -U; DNS through --dns-forward; ECONNREFUSED from ICMP
# errors; flow expiry with a shortened timeout; malformed frames (passt).

UDP_MODE=${UDP_MODE:-pasta}

. "$(dirname "$0")/../lib/rig.sh"

# Largest payloads in one frame with MTU 65520
MAX4=$((65520 - 20 - 8))
MAX6=$((65520 - 40 - 8))

# ---- a small UDP client/server, content checked
udp_tool_write() {
	cat >"$RIG_TMP/udptool.py" <<'EOF'
# SPDX-License-Identifier: GPL-2.0-or-later
import random, socket, sys, time

def fam(a):
    return socket.AF_INET6 if ':' in a else socket.AF_INET

def sock(a, port=0):
    s = socket.socket(fam(a), socket.SOCK_DGRAM)
    if fam(a) == socket.AF_INET6 and a == '::':
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    for o in (socket.SO_RCVBUF, socket.SO_SNDBUF):
        s.setsockopt(socket.SOL_SOCKET, o, 4 << 20)
    if port or a not in ('::', '0.0.0.0'):
        s.bind((a, port))
    return s

cmd, args = sys.argv[1], sys.argv[2:]

if cmd == 'echo':
    # echo PORT LOG [ADDR]: echo datagrams back, log new peers and payloads
    port, log = int(args[0]), args[1]
    s = sock(args[2] if len(args) > 2 else '::', port)
    seen = set()
    with open(log, 'a', buffering=1) as f:
        while True:
            d, a = s.recvfrom(65535)
            if (a[0], a[1]) not in seen:
                seen.add((a[0], a[1]))
                f.write('from %s %d\n' % (a[0], a[1]))
            if len(d) < 32:
                f.write('data %r\n' % d)
            s.sendto(d, a)

elif cmd == 'client':
    # client HOST PORT COUNT MAXSIZE [SPORT]: send, check every echo
    host, port, count, mx = args[0], int(args[1]), int(args[2]), int(args[3])
    sport = int(args[4]) if len(args) > 4 else 0
    s = sock('::' if fam(host) == socket.AF_INET6 else '0.0.0.0', sport)
    s.connect((host, port))
    pat = bytes(range(256)) * 260
    rnd = random.Random(4)
    for i in range(count):
        r = i % 10
        size = mx if r == 0 else rnd.randint(4, 64) if r == 1 else \
            rnd.randint(4, mx)
        p = i.to_bytes(4, 'big') + pat[i % 256:i % 256 + size - 4]
        for attempt in range(5):
            s.send(p)
            end = time.time() + 1
            got = None
            while time.time() < end:
                s.settimeout(max(end - time.time(), 0.01))
                try:
                    got = s.recv(65535)
                except socket.timeout:
                    break
                if got == p:
                    break
            if got == p:
                break
        else:
            print('datagram %d of %d bytes: no correct echo' % (i, size))
            sys.exit(1)
    print('ok %d' % count)

elif cmd == 'refused':
    # refused HOST PORT: connected socket, expect ECONNREFUSED
    s = sock('::' if fam(args[0]) == socket.AF_INET6 else '0.0.0.0')
    s.connect((args[0], int(args[1])))
    s.settimeout(1)
    for attempt in range(3):
        try:
            s.send(b'anybody?')
            s.recv(100)
        except ConnectionRefusedError:
            print('refused')
            sys.exit(0)
        except socket.timeout:
            pass
    sys.exit(1)

elif cmd == 'inject':
    # inject FILE GUEST_MAC OUR_MAC SRC4 DST4 SRC6 DST6 PORT: frames file
    out, gmac, omac, s4, d4, s6, d6, port = args
    port = int(port)
    eth = lambda t: bytes.fromhex(omac.replace(':', '')) + \
        bytes.fromhex(gmac.replace(':', '')) + t.to_bytes(2, 'big')

    def csum(b):
        if len(b) % 2:
            b += b'\0'
        s = sum(int.from_bytes(b[i:i + 2], 'big') for i in range(0, len(b), 2))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        return (~s) & 0xffff

    def ip4(l4, src=s4, dst=d4, tot=None, ihl=5):
        h = bytearray(20)
        h[0] = 0x40 | ihl
        h[2:4] = (tot if tot is not None else 20 + len(l4)).to_bytes(2, 'big')
        h[8], h[9] = 64, 17
        h[12:16] = socket.inet_aton(src)
        h[16:20] = socket.inet_aton(dst)
        h[10:12] = csum(bytes(h)).to_bytes(2, 'big')
        return eth(0x0800) + bytes(h) + l4

    def ip6(l4, plen=None):
        h = bytearray(40)
        h[0] = 0x60
        h[4:6] = (plen if plen is not None else len(l4)).to_bytes(2, 'big')
        h[6], h[7] = 17, 64
        h[8:24] = socket.inet_pton(socket.AF_INET6, s6)
        h[24:40] = socket.inet_pton(socket.AF_INET6, d6)
        return eth(0x86dd) + bytes(h) + l4

    def udp(data, dport=port, ulen=None):
        ul = ulen if ulen is not None else 8 + len(data)
        return (40000).to_bytes(2, 'big') + dport.to_bytes(2, 'big') + \
            ul.to_bytes(2, 'big') + b'\0\0' + data

    frames = [
        ('UDP length beyond IP payload', ip4(udp(b'bad1', ulen=200))),
        ('UDP length zero', ip4(udp(b'bad2', ulen=0))),
        ('UDP length short of payload', ip4(udp(b'bad3', ulen=9))),
        ('IP length beyond frame', ip4(udp(b'bad4'), tot=1000)),
        ('bad IHL', ip4(udp(b'bad5'), ihl=3)),
        ('truncated UDP header', ip4(udp(b'bad6')[:4])),
        ('destination port zero', ip4(udp(b'bad7', dport=0))),
        ('broadcast destination', ip4(udp(b'bad8'), dst='255.255.255.255')),
        ('IPv6 UDP length mismatch', ip6(udp(b'bad9', ulen=300))),
        ('IPv6 payload length beyond frame', ip6(udp(b'bad10'), plen=2000)),
        ('canary', ip4(udp(b'canary'))),
    ]
    with open(out, 'w') as f:
        for name, fr in frames:
            f.write('# %s\n%s\n' % (name, fr.hex()))
EOF
}

udp() { python3 "$RIG_TMP/udptool.py" "$@"; }

rig_setup
udp_tool_write

# Servers: echo on the far host, DNS resolver on the host's loopback
# Bound to each address: replies must come from the address asked
rig_bg echo-remote4 r python3 "$RIG_TMP/udptool.py" echo 7777 "$RIG_TMP/remote.peers" $FAR4
rig_bg echo-remote6 r python3 "$RIG_TMP/udptool.py" echo 7777 "$RIG_TMP/remote.peers" $FAR6
rig_bg sink-remote r python3 "$RIG_TMP/udptool.py" echo 9999 "$RIG_TMP/remote.sink" $FAR4
rig_bg echo-hostlo h python3 "$RIG_TMP/udptool.py" echo 10020 "$RIG_TMP/hostlo.peers"
rig_bg dnsmasq h dnsmasq --no-daemon --conf-file=/dev/null --no-hosts \
	--no-resolv --port 53 --listen-address 127.0.0.1 --bind-interfaces \
	--pid-file="$RIG_TMP/dnsmasq.pid" --address=/test.example/198.18.5.5
rig_wait_port r udp 7777 && rig_wait_port r udp 9999 &&
	rig_wait_port h udp 10020 && rig_wait_port h udp 53 ||
	rig_die "test servers didn't start"

DNSFWD4=198.18.5.53
# Forwarded: a range and a mapped port
FWD_ARGS=(-u 10000-10002,10010:11010 --dns-forward $DNSFWD4
	  --dns-host 127.0.0.1)

if [ "$UDP_MODE" = pasta ]; then
	export PASST_UDP_FLOW_TIMEOUT=3
	rig_pasta --config-net -t none -T none -U 10020 "${FWD_ARGS[@]}" ||
		rig_die "pasta didn't start"
	GIF=ext0
else
	udp inject "$RIG_TMP/bad.frames" 02:00:00:00:00:01 $OUR_MAC \
		$HOST4 $FAR4 $HOST6 $FAR6 9999
	RIG_QEMU_TAP_ARGS=(--mac 02:00:00:00:00:01 --inject "$RIG_TMP/bad.frames")
	export PASST_UDP_FLOW_TIMEOUT=3
	rig_passt "${FWD_ARGS[@]}" || rig_die "passt didn't start"
	rig_guest_conf || rig_die "guest configuration"
	GIF=eth0
fi
unset PASST_UDP_FLOW_TIMEOUT

# IPv6 may take a moment (DAD, routes)
rig_retry 5 g ping -6 -c1 -W1 -q $FAR6 >/dev/null 2>&1

# ---- outbound echo
check "$UDP_MODE: echo to remote, IPv4" \
	rig_retry 3 g timeout 10 python3 "$RIG_TMP/udptool.py" client $FAR4 7777 5 100
check "$UDP_MODE: echo to remote, IPv6" \
	rig_retry 3 g timeout 10 python3 "$RIG_TMP/udptool.py" client $FAR6 7777 5 100
check "$UDP_MODE: 1000 datagrams up to $MAX4 bytes, IPv4, content checked" \
	g timeout 60 python3 "$RIG_TMP/udptool.py" client $FAR4 7777 1000 $MAX4
check "$UDP_MODE: 1000 datagrams up to $MAX6 bytes, IPv6, content checked" \
	g timeout 60 python3 "$RIG_TMP/udptool.py" client $FAR6 7777 1000 $MAX6

check "$UDP_MODE: remote sees the guest's source port, IPv4" \
	g timeout 10 python3 "$RIG_TMP/udptool.py" client $FAR4 7777 3 50 33333
check_out "$UDP_MODE: remote log shows source port 33333 (IPv4)" \
	"from $HOST4 33333" cat "$RIG_TMP/remote.peers"
check "$UDP_MODE: remote sees the guest's source port, IPv6" \
	g timeout 10 python3 "$RIG_TMP/udptool.py" client $FAR6 7777 3 50 33335
check_out "$UDP_MODE: remote log shows source port 33335 (IPv6)" \
	"from $HOST6 33335" cat "$RIG_TMP/remote.peers"

# ---- ICMP errors
check "$UDP_MODE: connected socket gets ECONNREFUSED, IPv4" \
	g timeout 10 python3 "$RIG_TMP/udptool.py" refused $FAR4 9
check "$UDP_MODE: connected socket gets ECONNREFUSED, IPv6" \
	g timeout 10 python3 "$RIG_TMP/udptool.py" refused $FAR6 9

# ---- DNS through --dns-forward
check_out "$UDP_MODE: DNS through --dns-forward to a resolver on host loopback" \
	"198.18.5.5" g timeout 10 busybox nslookup test.example $DNSFWD4

# ---- inbound forwarding to servers in the guest
rig_bg echo-guest1 g python3 "$RIG_TMP/udptool.py" echo 10001 "$RIG_TMP/guest1.peers"
rig_bg echo-guest2 g python3 "$RIG_TMP/udptool.py" echo 11010 "$RIG_TMP/guest2.peers"
rig_wait_port g udp 10001 && rig_wait_port g udp 11010

check "$UDP_MODE: -u range: remote to forwarded port, IPv4" \
	r timeout 10 python3 "$RIG_TMP/udptool.py" client $HOST4 10001 20 2000
check "$UDP_MODE: -u range: remote to forwarded port, IPv6" \
	r timeout 10 python3 "$RIG_TMP/udptool.py" client $HOST6 10001 20 2000
check "$UDP_MODE: -u mapping 10010:11010 from remote" \
	r timeout 10 python3 "$RIG_TMP/udptool.py" client $HOST4 10010 20 2000
check_out "$UDP_MODE: guest sees the remote's address as source" \
	"$REMOTE4 " cat "$RIG_TMP/guest1.peers"
check "$UDP_MODE: -u range: host namespace, loopback, IPv4" \
	h timeout 10 python3 "$RIG_TMP/udptool.py" client 127.0.0.1 10001 20 2000
check "$UDP_MODE: -u range: host namespace, loopback, IPv6" \
	h timeout 10 python3 "$RIG_TMP/udptool.py" client ::1 10001 20 2000
check "$UDP_MODE: -u mapping from host namespace, host address" \
	h timeout 10 python3 "$RIG_TMP/udptool.py" client $HOST4 10010 20 2000

if [ "$UDP_MODE" = pasta ]; then
	check "pasta: -U from namespace loopback to host loopback, IPv4" \
		g timeout 10 python3 "$RIG_TMP/udptool.py" client 127.0.0.1 10020 20 2000
	check "pasta: -U from namespace loopback to host loopback, IPv6" \
		g timeout 10 python3 "$RIG_TMP/udptool.py" client ::1 10020 20 2000
	check "pasta: -U: large datagrams" \
		g timeout 20 python3 "$RIG_TMP/udptool.py" client 127.0.0.1 10020 50 65507
fi

# ---- to the host through the gateway address (host loopback)
check "$UDP_MODE: gateway address reaches host loopback" \
	g timeout 10 python3 "$RIG_TMP/udptool.py" client $GW4 10020 5 1000

# ---- flow expiry (timeout shortened to 3 s for this test)
host_port_bound() {
	h ss -Hun "sport = :$1" | grep -q .
}
g timeout 10 python3 "$RIG_TMP/udptool.py" client $FAR4 7777 1 50 34567 \
	>/dev/null 2>&1
ours check "$UDP_MODE: flow socket bound to guest port 34567" \
	host_port_bound 34567
[ "$RIG_OURS" = 1 ] && sleep 5
ours check_fail "$UDP_MODE: flow socket closed after the idle timeout" \
	host_port_bound 34567
check "$UDP_MODE: new flow on the same tuple after expiry" \
	g timeout 10 python3 "$RIG_TMP/udptool.py" client $FAR4 7777 3 50 34567

# ---- malformed frames (injected by the qemu stand-in before anything else)
if [ "$UDP_MODE" = passt ]; then
	check_out "passt: valid datagram after malformed ones arrives" \
		"canary" cat "$RIG_TMP/remote.sink"
	check_fail "passt: malformed datagrams dropped" \
		grep -q "bad" "$RIG_TMP/remote.sink"
fi
check "$UDP_MODE: still alive" rig_alive "${RIG_PASTA_PID:-$RIG_PASST_PID}"
check "$UDP_MODE: still forwarding after all that" \
	g timeout 10 python3 "$RIG_TMP/udptool.py" client $FAR4 7777 5 100
