#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/34-follow.sh - Following the host: the "host" namespace changes
# its address, default route and resolv.conf while a guest is connected.
# pasta --config-net sets the namespace up again, passt's DHCP answers the
# new lease, NDP advertises the new prefix and deprecates the old one; a
# TCP connection on the address that went away is reset, one on another
# address goes on intact; a UDP flow that never goes idle moves to the new
# address. With --no-follow, and for values given as options, nothing
# follows.
#
# The daemon gets a resolv.conf of its own: it runs in a mount namespace
# where a directory of ours is bind-mounted on /etc (a bind-mounted file
# wouldn't do: replaced by rename, the mount would keep the old one). The
# machine's /etc/resolv.conf is never touched.

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

ETC=$RIG_TMP/etc
PORT=9034
SIZE=3000000
BPS=1000000

# New host addresses, one set per move, and their gateways on the remote
NEW4_A=198.18.5.1
GW4_A=198.18.5.2
NEW4_B=198.18.6.1
GW4_B=198.18.6.2
NEW6_A=2001:db8:5::1
GW6_A=2001:db8:5::2
NEW6_B=2001:db8:7::1
GW6_B=2001:db8:7::2

r ip addr add $GW4_A/24 dev ext0 || rig_die "remote address"
r ip addr add $GW4_B/24 dev ext0 || rig_die "remote address"
r ip -6 addr add $GW6_A/64 dev ext0 nodad || rig_die "remote address"
r ip -6 addr add $GW6_B/64 dev ext0 nodad || rig_die "remote address"

mkdir -p "$ETC" || rig_die "directory for /etc"
cp /etc/passwd /etc/group "$ETC/" 2>/dev/null

# resolv NS SEARCH: rewrite our resolv.conf as resolvers do, by rename
resolv() {
	printf 'nameserver %s\nsearch %s\n' "$1" "$2" >"$ETC/resolv.conf.new" &&
	mv "$ETC/resolv.conf.new" "$ETC/resolv.conf"
}
resolv 198.18.0.53 one.example

# Wrappers: the daemon in a mount namespace with our directory on /etc
for b in pasta passt; do
	real=$PASTA
	[ $b = passt ] && real=$PASST
	cat >"$RIG_TMP/wrap-$b" <<EOF
#!/bin/sh
exec unshare -m --propagation private sh -c \
	'mount --bind "$ETC" /etc && exec "\$0" "\$@"' "$real" "\$@"
EOF
	chmod +x "$RIG_TMP/wrap-$b"
done
PASTA=$RIG_TMP/wrap-pasta
PASST=$RIG_TMP/wrap-passt

rig_tcp_server r $PORT

# UDP: a sender from one source port, and a sink logging "ADDR PORT" lines
UPORT=9035
UDP_SINK='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
with open(sys.argv[2], "a") as log:
	while True:
		d, a = s.recvfrom(2048)
		log.write("%s %d\n" % a)
		log.flush()
'
UDP_KEEP='
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 40034))
while True:
	try:
		s.sendto(b"keepalive", (sys.argv[1], int(sys.argv[2])))
	except OSError:
		pass
	time.sleep(0.1)
'

# host_move4 ADDR GW: the host's IPv4 address and default route move
host_move4() {
	local old
	old=$(h ip -4 -o addr show dev ext0 scope global | awk '{ print $4 }')
	h ip addr add "$1/24" dev ext0 &&
	h ip route replace default via "$2" || return 1
	for a in $old; do
		h ip addr del "$a" dev ext0 || return 1
	done
	h ip route replace default via "$2"
}

# host_move6 ADDR GW: the same for IPv6
host_move6() {
	local old
	old=$(h ip -6 -o addr show dev ext0 scope global | awk '{ print $4 }')
	h ip -6 addr add "$1/64" dev ext0 nodad &&
	h ip -6 route replace default via "$2" || return 1
	for a in $old; do
		h ip -6 addr del "$a" dev ext0 || return 1
	done
	h ip -6 route replace default via "$2"
}

# log_has FILE TEXT: the daemon logged TEXT
log_has() {
	grep -qF -- "$2" "$1" || { tail -n 5 "$1"; false; }
}

# was_reset PID LOG: a tcptool client fails on a reset (not stalled, then
# killed by rig_reap). It reads slowly: data already in its receive buffer
# comes first, the error after that
was_reset() {
	rig_reap 10 "$1" && { echo "client succeeded"; return 1; }
	grep -q "reset" "$2" || { cat "$2"; false; }
}

# ns_has ADDR: pasta's namespace has ADDR on ext0
ns_has() {
	g ip -o addr show dev ext0 | grep -qF " $1/"
}

# ns_route4 GW, ns_route6 GW: default route in pasta's namespace via GW
ns_route4() {
	g ip -4 route show default | grep -qF "via $1 "
}
ns_route6() {
	g ip -6 route show default | grep -qF "via $1 "
}

# ---- pasta --config-net: address, route, flows
LOG=$RIG_TMP/follow-pasta.log
check "pasta --config-net starts, following" rig_pasta --config-net -l "$LOG"
sleep 0.5
check "pasta: namespace has the host's address" ns_has $HOST4
check "pasta: namespace has the host's gateway" ns_route4 $GW4

rig_bg src4 g timeout 20 python3 "$TCPTOOL" source $FAR4 $PORT $SIZE 41 \
	--slow $BPS
SRC4=$RIG_BG_PID
rig_bg src6 g timeout 20 python3 "$TCPTOOL" source $FAR6 $PORT $SIZE 61 \
	--slow $BPS
SRC6=$RIG_BG_PID
sleep 1

check "host moves to $NEW4_A, gateway $GW4_A" host_move4 $NEW4_A $GW4_A
check "pasta: namespace follows the new address" rig_retry 5 ns_has $NEW4_A
check "pasta: old address gone from the namespace" \
	rig_retry 5 bash -c "! ip netns exec $NS_GUEST ip -o addr show \
			     dev ext0 | grep -qF ' $HOST4/'"
check "pasta: namespace follows the new default route" \
	rig_retry 5 ns_route4 $GW4_A
check "pasta: one info line for the change" \
	log_has "$LOG" \
	"Host address changed: $HOST4/24 -> $NEW4_A/24, following"
check "pasta: gateway change logged" \
	log_has "$LOG" \
	"Host gateway changed: $GW4 -> $GW4_A, following"
check "pasta: connection on the address that went away is reset" \
	was_reset $SRC4 "$RIG_TMP/src4.log"
check "pasta: connection on the other address goes on, sha256 intact" \
	rig_reap 15 $SRC6
check "pasta: new connections use the new configuration" \
	g timeout 10 python3 "$TCPTOOL" sink $FAR4 $PORT 100000 42
check "pasta: remote sees the new host address" \
	bash -c "ip netns exec $NS_GUEST timeout 10 python3 $TCPTOOL peer \
		 $FAR4 $PORT | grep -q '^$NEW4_A '"

check "host moves to $NEW6_A, gateway $GW6_A" host_move6 $NEW6_A $GW6_A
check "pasta: namespace follows the new IPv6 address" \
	rig_retry 5 ns_has $NEW6_A
check "pasta: old IPv6 address gone from the namespace" \
	rig_retry 5 bash -c "! ip netns exec $NS_GUEST ip -o addr show \
			     dev ext0 | grep -qF ' $HOST6/'"
check "pasta: namespace follows the new IPv6 default route" \
	rig_retry 5 ns_route6 $GW6_A
check "pasta: link-local address kept" \
	bash -c "ip netns exec $NS_GUEST ip -6 addr show dev ext0 scope link |
		 grep -q 'inet6 fe80:'"
check "pasta: IPv6 to the far host from the new address" \
	bash -c "ip netns exec $NS_GUEST timeout 10 python3 $TCPTOOL peer \
		 $FAR6 $PORT | grep -q '^$NEW6_A '"
check "host moves back to $HOST6" host_move6 $HOST6 $GW6
check "pasta: namespace follows it back" rig_retry 5 ns_has $HOST6
check "pasta: and its default route" rig_retry 5 ns_route6 $GW6
rig_stop
g ip addr flush dev ext0 2>/dev/null
g ip link del ext0 2>/dev/null

# ---- passt and a DHCP client: lease, DNS, search list, RA prefix
slaac_addr() {
	g ip -6 addr show dev eth0 scope global | grep -E "inet6 $1" |
		grep -q "${2:-dynamic}"
}

LOG=$RIG_TMP/follow-passt.log
check "passt starts, following" rig_passt -l "$LOG"
rig_tcp_server r $PORT
g sysctl -qw net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1 \
	>/dev/null
check "passt: udhcpc gets a lease" rig_udhcpc eth0 5 -O search
check "passt: lease has the host's address" rig_lease_has "ip=$NEW4_A"
check "passt: nameserver from resolv.conf" rig_lease_has "dns=198.18.0.53"
check "passt: search list from resolv.conf" rig_lease_has "search=one.example"
ours check "passt: short lease while following" rig_lease_has "lease=600"
check "passt: SLAAC address in the host's prefix" \
	rig_retry 15 slaac_addr "2001:db8:1:"

# A UDP flow that never goes idle (a tunnel's keepalives, every 100 ms from
# one port), and the remote's log of where they come from. The guest keeps
# its address until it renews its lease: the flow's tuple stays the same
rig_bg usink r timeout 40 python3 -c "$UDP_SINK" $UPORT "$RIG_TMP/usink.log"
rig_bg ukeep g timeout 35 python3 -c "$UDP_KEEP" $FAR4 $UPORT
check "passt: UDP keepalives reach the remote" \
	rig_retry 5 grep -q "^$NEW4_A " "$RIG_TMP/usink.log"

check "host moves to $NEW4_B, gateway $GW4_B" host_move4 $NEW4_B $GW4_B
check "passt: UDP flow on the old address closed, opened again from the new" \
	rig_retry 5 grep -q "^$NEW4_B " "$RIG_TMP/usink.log"
ours check "passt: UDP flow closing logged" \
	log_has "$LOG" "UDP: host address $NEW4_A went away, closing flow"
check "host's resolv.conf changes" resolv 198.18.6.53 two.example
check "host moves to $NEW6_B, gateway $GW6_B" host_move6 $NEW6_B $GW6_B
check "passt: address change logged" \
	rig_retry 5 log_has "$LOG" \
	"Host address changed: $NEW4_A/24 -> $NEW4_B/24, following"
check "passt: nameserver change logged" \
	rig_retry 5 log_has "$LOG" \
	"Host nameservers changed: 198.18.0.53 -> 198.18.6.53, following"
check "passt: search list change logged" \
	rig_retry 5 log_has "$LOG" \
	"Host search domains changed: one.example -> two.example, following"
check "passt: RA with the new prefix: SLAAC address in it" \
	rig_retry 10 slaac_addr "2001:db8:7:"
check "passt: the old prefix's address deprecated" \
	rig_retry 10 slaac_addr "2001:db8:1:" deprecated

check "passt: guest reaches the far host before it renews its lease" \
	g ping -q -c1 -w5 $FAR4
check "passt: and with TCP, sha256 intact" \
	g timeout 10 python3 "$TCPTOOL" sink $FAR4 $PORT 100000 43

g ip addr flush dev eth0 scope global
g ip route flush dev eth0 2>/dev/null
check "passt: udhcpc gets a new lease" rig_udhcpc eth0 5 -O search
check "passt: new lease has the new address" rig_lease_has "ip=$NEW4_B"
check "passt: new lease has the new gateway" rig_lease_has "router=$GW4_B"
check "passt: new lease has the new nameserver" \
	rig_lease_has "dns=198.18.6.53"
check "passt: new lease has the new search list" \
	rig_lease_has "search=two.example"
check "passt: ping to the far host with the new lease" \
	g ping -q -c1 -w5 $FAR4
rig_stop

# ---- passt --no-follow, and passt with explicit options: nothing follows
# no_follow_checks NAME ADDR GW DNS SEARCH MOVE-TO MOVE-GW -- ARGS...
no_follow_checks() {
	local m=$1 ip=$2 gw=$3 dns=$4 search=$5 to=$6 togw=$7

	shift 8
	LOG=$RIG_TMP/follow-$RANDOM.log
	check "$m: passt starts" rig_passt -l "$LOG" "$@"
	g ip addr flush dev eth0 scope global
	g ip route flush dev eth0 2>/dev/null
	check "$m: udhcpc gets a lease" rig_udhcpc eth0 5 -O search
	check "$m: lease has $ip" rig_lease_has "ip=$ip"
	check "$m: host moves to $to" host_move4 "$to" "$togw"
	check "$m: host's resolv.conf changes" resolv 198.18.9.53 nine.example
	sleep 1
	g ip addr flush dev eth0 scope global
	g ip route flush dev eth0 2>/dev/null
	check "$m: udhcpc gets a lease again" rig_udhcpc eth0 5 -O search
	check "$m: address didn't follow" rig_lease_has "ip=$ip"
	check "$m: gateway didn't follow" rig_lease_has "router=$gw"
	check "$m: nameserver didn't follow" rig_lease_has "dns=$dns"
	check "$m: search list didn't follow" rig_lease_has "search=$search"
	check_fail "$m: no change logged" grep -q following "$LOG"
	rig_stop
}

resolv 198.18.6.53 two.example
no_follow_checks "--no-follow" $NEW4_B $GW4_B 198.18.6.53 two.example \
	$NEW4_A $GW4_A -- --no-follow
ours check "--no-follow: infinite lease" rig_lease_has "lease=4294967295"

no_follow_checks "explicit -a -g -D -S" 198.18.0.77 $GW4_A 198.18.0.99 \
	pinned.example $NEW4_B $GW4_B -- -a 198.18.0.77/24 -g $GW4_A \
	-D 198.18.0.99 -S pinned.example


# ---- resolv.conf as a symbolic link (as with systemd-resolved): the
# directory of its target is watched, the target read through it
mkdir -p "$RIG_TMP/resolve" || rig_die "directory for the link target"
printf 'nameserver 198.18.0.61\nsearch link.example\n' \
	>"$RIG_TMP/resolve/stub.conf"
ln -sf "$RIG_TMP/resolve/stub.conf" "$ETC/resolv.conf" ||
	rig_die "resolv.conf link"
LOG=$RIG_TMP/follow-link.log
check "resolv.conf link: passt starts" rig_passt -l "$LOG"
g ip addr flush dev eth0 scope global
g ip route flush dev eth0 2>/dev/null
check "resolv.conf link: udhcpc gets a lease" rig_udhcpc eth0 5 -O search
check "resolv.conf link: nameserver from the link target" \
	rig_lease_has "dns=198.18.0.61"
check "resolv.conf link: target replaced" \
	bash -c "printf 'nameserver 198.18.0.62\nsearch two.link.example\n' \
		 >'$RIG_TMP/resolve/stub.conf.new' &&
		 mv '$RIG_TMP/resolve/stub.conf.new' '$RIG_TMP/resolve/stub.conf'"
check "resolv.conf link: change logged" \
	rig_retry 5 log_has "$LOG" \
	"Host nameservers changed: 198.18.0.61 -> 198.18.0.62, following"
g ip addr flush dev eth0 scope global
g ip route flush dev eth0 2>/dev/null
check "resolv.conf link: udhcpc gets a new lease" \
	rig_udhcpc eth0 5 -O search
check "resolv.conf link: new nameserver" rig_lease_has "dns=198.18.0.62"
check "resolv.conf link: new search list" \
	rig_lease_has "search=two.link.example"
check "resolv.conf link: target rewritten in place" \
	bash -c "printf 'nameserver 198.18.0.63\n' >'$RIG_TMP/resolve/stub.conf'"
check "resolv.conf link: in-place change logged" \
	rig_retry 5 log_has "$LOG" \
	"Host nameservers changed: 198.18.0.62 -> 198.18.0.63, following"
check "resolv.conf link: search list gone with it" \
	rig_retry 5 log_has "$LOG" \
	"Host search domains changed: two.link.example -> none, following"
rig_stop
