#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/82-qemu.sh - A real qemu guest on passt's stream socket
#
# qemu-system-x86_64 (TCG) boots the rig's Debian kernel and busybox
# initramfs (test/lib/vm.sh) with -netdev stream to our passt in the host
# namespace. The guest: DHCP lease (the host's address, the remote as
# router), ping, SLAAC, ping6, TCP out to the remote namespace over IPv4 and
# IPv6 with the data's SHA-256, DNS queries (UDP) to the remote namespace
# over both families and through --dns-forward; then it serves a file that
# the remote namespace fetches through passt's -t forward, over IPv4 and
# IPv6.

. "$(dirname "$0")/../lib/rig.sh"
. "$RIG_LIB/vm.sh"

rig_setup

vm_ready || rig_die "the guest's kernel and initramfs (test/lib/vm-setup.sh)"

WEB=$RIG_TMP/web
mkdir -p "$WEB" || rig_die "mkdir"
head -c 1048576 /dev/urandom >"$WEB/out.bin"
head -c 262144 /dev/urandom >"$RIG_TMP/in.bin"
OUT_SHA=$(sha256sum <"$WEB/out.bin" | cut -d' ' -f1)
IN_SHA=$(sha256sum <"$RIG_TMP/in.bin" | cut -d' ' -f1)

# The remote namespace serves out.bin on both families (far addresses)
rig_bg httpd r busybox httpd -f -p 8000 -h "$WEB"
# and answers DNS queries for one name, on the far addresses
NAME=vm.rig.example
NAME4=198.18.0.42
NAME6=2001:db8:1::42
DNS_FWD=198.18.0.53
rig_bg dnsmasq r dnsmasq --no-daemon --conf-file=/dev/null --no-hosts \
	--no-resolv --port 53 --listen-address $FAR4,$FAR6 --bind-interfaces \
	--pid-file="$RIG_TMP/dnsmasq.pid" \
	--address=/$NAME/$NAME4 --address=/$NAME/$NAME6
rig_wait_port r tcp 8000 && rig_wait_port r udp 53 ||
	rig_die "servers in the remote namespace"

cat >"$RIG_TMP/guest.sh" <<EOF
vt_check dhcp vt_dhcp eth0
vt_check lease-address test "\$(vt_lease ip)" = $HOST4
vt_check lease-router test "\$(vt_lease router)" = $GW4
vt_check ping-gateway ping -c1 -W5 $GW4
vt_check ping-far ping -c1 -W5 $FAR4
vt_check tcp4-out vt_sha256 http://$FAR4:8000/out.bin $OUT_SHA
vt_check udp4-dns vt_resolve $NAME $FAR4 $NAME4
vt_check dns-forward vt_resolve $NAME $DNS_FWD $NAME4
vt_check slaac vt_slaac eth0 20
vt_check ping6-far ping6 -c1 -W5 $FAR6
vt_check tcp6-out vt_sha256 "http://[$FAR6]:8000/out.bin" $OUT_SHA
vt_check udp6-dns vt_resolve $NAME $FAR6 $NAME6
vt_serve 80 /vmtest/files
vt_ready
EOF
vm_initrd "$RIG_TMP/initrd" "$RIG_TMP/guest.sh" "$RIG_TMP/in.bin" ||
	rig_die "initramfs"

check "passt starts" rig_passt_start -t 8080:80 \
	--dns-forward $DNS_FWD --dns-host $FAR4 || exit 1

CONSOLE=$RIG_TMP/console.log
vm_qemu qemu "$RIG_TMP/initrd" "$CONSOLE" \
	-device "virtio-net-pci,netdev=n0,mac=$VM_MAC" \
	-netdev "stream,id=n0,server=off,addr.type=unix,addr.path=$RIG_SOCK"
rig_track "$VM_PID"

if ! check "guest boots and runs its checks" \
	vm_wait "$VM_BOOT" "$CONSOLE" READY "$VM_PID"; then
	vm_show "$CONSOLE"
fi
vm_results "$CONSOLE" guest dhcp lease-address lease-router ping-gateway \
	ping-far tcp4-out udp4-dns dns-forward slaac ping6-far tcp6-out \
	udp6-dns

# fetch ADDR: in.bin from the guest's web server through passt's -t
fetch() {
	local got
	got=$(r timeout 30 busybox wget -q -O - "http://$1:8080/in.bin" |
		sha256sum | cut -d' ' -f1)
	echo "sha256: $got"
	[ "$got" = "$IN_SHA" ]
}
check "tcp4 in: -t 8080:80 from the remote namespace, sha256" fetch $HOST4
check "tcp6 in: -t 8080:80 from the remote namespace, sha256" fetch "[$HOST6]"

check "passt still runs" rig_alive "$RIG_PASST_PID"
rig_kill "$VM_PID"
check "passt keeps running after qemu quits" rig_alive "$RIG_PASST_PID"

[ "$RIG_FAIL" -gt 0 ] && vm_show "$CONSOLE"
exit 0
