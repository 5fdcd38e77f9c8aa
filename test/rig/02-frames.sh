#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/02-frames.sh - passt against hostile guests: frames split across
# reads, malformed frames, lying length headers. passt must survive all of
# them and keep answering.

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

# MAC of the guest tap; injected frames use it too, so that what passt
# learns from them still matches the real guest interface
GMAC=02:00:00:00:00:01
RIG_QEMU_TAP_ARGS=(--mac $GMAC)

ping_ok() {
	"$1" ping -q -c1 -i0.3 -w5 "$2"
}

# Hex of the headers used below
E="9a559a559a55 020000000001"			# Ethernet: to us, from guest
IP4="c6120001 c6130001"				# 198.18.0.1 -> 198.19.0.1
IP6="20010db8000100000000000000000001 20010db8000200000000000000000001"
LL6="fe80000000000000000000fffe000001 ff0200000000000000000001ff000002"

# zeros N: hex string of N zero bytes
zeros() {
	head -c "$1" /dev/zero | od -An -v -tx1 | tr -d ' \n'
}

FRAMES=$RIG_TMP/malformed.frames
cat >"$FRAMES" <<EOF
# Ethernet headers with nothing behind them
$E 0800
$E 86dd
$E 0806
$E 88b5
# VLAN tag, unknown ethertype, padding
$E 8100 0001 0800 45000014
$E 88b5 $(zeros 64)

# IPv4: truncated header, bad IHL (too big, too small), bad lengths, version
$E 0800 4500 0054 0000
$E 0800 4f000054 00004000 40010000 $IP4
$E 0800 42000054 00004000 40010000 $IP4 0800f7ff00000000
$E 0800 4500ffff 00004000 40010000 $IP4 0800f7ff00010001
$E 0800 4500000a 00004000 40010000 $IP4 0800f7ff00010001
$E 0800 45000000 00004000 40010000 $IP4 0800f7ff00010001
$E 0800 6500001c 00004000 40010000 $IP4 0800f7ff00010001
# IPv4 fragments (more fragments; non-zero offset)
$E 0800 4500001c 00012000 40010000 $IP4 0800f7fe00010001
$E 0800 4500001c 00010010 40010000 $IP4 0800f7fe00010001
# ICMP: truncated echo, one byte, reply and unreachable from the guest
$E 0800 45000018 00004000 40010000 $IP4 08000000
$E 0800 45000015 00004000 40010000 $IP4 08
$E 0800 4500001c 00004000 40010000 $IP4 0000ffff00010001
$E 0800 45000024 00004000 40010000 $IP4 0301fcfe00000000 45000054
# UDP: truncated header, length field too big or too small, DHCP stubs
$E 0800 45000018 00004000 40110000 $IP4 00090009
$E 0800 45000020 00004000 40110000 $IP4 00090009ffff0000 41424344
$E 0800 45000020 00004000 40110000 $IP4 0009000900020000 41424344
$E 0800 45000024 00004000 40110000 00000000 ffffffff 00440043 00100000 0101060000000000
$E 0800 45000114 00004000 40110000 00000000 ffffffff 00440043 01000000 01010600 $(zeros 244)
# TCP: truncated header, data offset too big, zero, zero-length option
$E 0800 4500001e 00004000 40060000 $IP4 30390009 00000001
$E 0800 45000028 00004000 40060000 $IP4 30390009 00000001 00000000 f0022000 00000000
$E 0800 45000028 00004000 40060000 $IP4 30390009 00000001 00000000 00022000 00000000
$E 0800 45000030 00004000 40060000 $IP4 30390009 00000001 00000000 70022000 00000000 02000000 03ff0000
$E 0800 4500002c 00004000 40060000 $IP4 3039000a 00000001 00000000 60022000 00000000 02280000

# IPv6: truncated header, payload length too big, extension header loops
$E 86dd 60000000 0008 3a40 20010db8000100000000
$E 86dd 60000000 ffff 3a40 $IP6 8000000000010001
$E 86dd 60000000 0010 0040 $IP6 3aff000000000000 8000000000010001
$E 86dd 60000000 0010 0040 $IP6 0000000000000000 0000000000000000
$E 86dd 60000000 0010 2c40 $IP6 3a00000100000000 8000000000010001
$E 86dd 60000000 0008 3b40 $IP6 0000000000000000
# ICMPv6: two bytes, echo without body, NS/RS/NA with zero-length options
$E 86dd 60000000 0002 3a40 $IP6 8000
$E 86dd 60000000 0000 3a40 $IP6
$E 86dd 60000000 0008 3aff $LL6 87000000 00000000
$E 86dd 60000000 0020 3aff $LL6 87000000 00000000 20010db8000100000000000000000002 01000000 00000000
$E 86dd 60000000 0010 3aff fe80000000000000000000fffe000001 ff020000000000000000000000000002 85000000 00000000 01000000 00000000
$E 86dd 60000000 0020 3aff $LL6 88000000 e0000000 20010db8000100000000000000000002 02ff0000 00000000
# UDP over IPv6: truncated, DHCPv6 stubs
$E 86dd 60000000 0004 1140 $IP6 0222
$E 86dd 60000000 000c 1140 fe80000000000000000000fffe000001 ff020000000000000000000000010002 02220223 000c0000 01000000
$E 86dd 60000000 000c 1140 fe80000000000000000000fffe000001 ff020000000000000000000000010002 02220223 000c0000 0b000000

# ARP: truncated, zero address lengths, unknown operation, IPv6 protocol
$E 0806 00010800 0604
$E 0806 00010800 00000001 $(zeros 20)
$E 0806 00010800 06040063 020000000001 c6120001 000000000000 c6120002
$E 0806 000186dd 06100001 020000000001 $(zeros 42)
$E 0806 00010800 06040001 ffffffffffff c6120001 000000000000 00000000
$E 0806 00010800 06040001 020000000001 00000000 000000000000 c6120001

# The largest frames: 65535 bytes, IPv4 and IPv6 UDP
$E 0800 4500fff1 00004000 40110000 $IP4 00090009ffdd0000 $(zeros 65493)
$E 86dd 60000000 ffc9 1140 $IP6 00090009ffc90000 $(zeros 65473)
EOF

# ---- partial frames: every frame split in pieces across reads
check "passt starts" rig_passt_start
check "guest with --split connects" rig_qemu_tap --mac $GMAC --split
rig_guest_conf >/dev/null 2>&1
ours check "split frames: IPv4 ping" ping_ok g $FAR4
ours check "split frames: IPv6 ping" ping_ok g $FAR6
ours check "split frames: 30000-byte IPv4 ping" \
	g ping -q -c1 -i0.3 -w5 -s 30000 $FAR4
rig_kill "$RIG_QEMU_PID" 1
sleep 0.5

# ---- malformed frames, then the same connection is used normally
check "malformed frames sent" \
	rig_qemu_tap --mac $GMAC --inject "$FRAMES"
check "passt alive after malformed frames" rig_alive "$RIG_PASST_PID"
rig_guest_conf >/dev/null 2>&1
check "same connection: IPv4 ping after malformed frames" ping_ok g $FAR4
check "same connection: IPv6 ping after malformed frames" ping_ok g $FAR6
check "same connection: ARP after malformed frames" \
	bash -c "ip netns exec $NS_GUEST ip neigh show $GW4 | grep -q lladdr"
rig_kill "$RIG_QEMU_PID" 1
sleep 0.5

# ---- lying length headers: passt may drop the connection, not die
n=0
for lie in "len:0" "len:6 9a559a559a55" "len:13 $E 08" \
	   "len:70000 $E 0800 $(zeros 100)" "len:0xffffffff $E 0800" \
	   "len:100 $E 0800 45000054"; do
	n=$((n + 1))
	echo "$lie" >"$RIG_TMP/lie$n.frames"
	rig_bg lie$n "$QEMU_TAP" --mac $GMAC --inject "$RIG_TMP/lie$n.frames" \
		"$RIG_SOCK" "/run/netns/$NS_GUEST" eth0
	pid=$RIG_BG_PID
	sleep 0.5
	rig_kill $pid 1
	g ip link del eth0 >/dev/null 2>&1
	sleep 0.3
	check "passt alive after length header \"${lie%% *}\"" \
		rig_alive "$RIG_PASST_PID"
done

# A frame cut short by the guest disconnecting
printf '%s' "len:1000 $E 0800 45000054" >"$RIG_TMP/cut.frames"
rig_bg cut "$QEMU_TAP" --inject "$RIG_TMP/cut.frames" "$RIG_SOCK" \
	"/run/netns/$NS_GUEST" cut0
sleep 0.3
rig_kill $RIG_BG_PID 1
sleep 0.3
check "passt alive after a frame cut by a disconnect" rig_alive "$RIG_PASST_PID"

check "a clean guest connects afterwards" rig_qemu_tap --mac $GMAC
rig_guest_conf >/dev/null 2>&1
check "clean guest: IPv4 ping" ping_ok g $FAR4
check "clean guest: IPv6 ping" ping_ok g $FAR6

# ---- fault injection in the stand-in itself: drops, duplicates, reordering
rig_kill "$RIG_QEMU_PID" 1
sleep 0.5
check "guest with drop/dup/reorder connects" \
	rig_qemu_tap --mac $GMAC --dup 20 --reorder 20 --seed 7
rig_guest_conf >/dev/null 2>&1
check "duplicated and reordered frames: 10 IPv4 pings" \
	g ping -q -c10 -i0.2 -w10 $FAR4
check "duplicated and reordered frames: 10 IPv6 pings" \
	g ping -q -c10 -i0.2 -w10 $FAR6
check "passt alive at the end" rig_alive "$RIG_PASST_PID"
