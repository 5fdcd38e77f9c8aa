#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/83-vhost-user.sh - A real qemu guest on passt --vhost-user
#
# qemu-system-x86_64 (TCG) boots the rig's guest (test/lib/vm.sh) with a
# vhost-user virtio-net device on passt's socket: guest memory shared
# (memfd), no MSI-X (QEMU 7.2 under TCG crashes with it). In it, the same
# network checks as 82-qemu runs over the stream socket (vm_net_setup):
# DHCP, SLAAC, DHCPv6, ping, TCP both ways with SHA-256 and in bulk
# (iperf3), UDP both ways, DNS and --dns-forward, inbound -t and -u; and the
# guest's driver negotiated checksum and segmentation offloads both ways.
# Then, with shorter guests: a second front-end once the first one quit
# (passt keeps serving), --one-off (passt exits with qemu), --fd through
# test/vu-accept.c (as qemu 10.1's -netdev passt does with a socketpair;
# passt exits when the socket closes); and --print-capabilities. Last, a
# guest running out of RX buffers in the middle of a download (its
# interface down for a while): passt waits, resumes on the RX kick, and
# doesn't copy TCP payload (its debug log).

. "$(dirname "$0")/../lib/rig.sh"
. "$RIG_LIB/vm.sh"

rig_setup

vm_ready || rig_die "the guest's kernel and initramfs (test/lib/vm-setup.sh)"

# --print-capabilities: the vhost-user back-end convention, on stderr
caps() {
	local out err rc

	out=$("$PASST" --vhost-user --print-capabilities 2>"$RIG_TMP/caps.err")
	rc=$?
	err=$(tr -d ' \n' <"$RIG_TMP/caps.err")
	echo "exit $rc, stdout '$out', stderr '$err'"
	[ $rc -eq 0 ] && [ -z "$out" ] && [ "$err" = '{"type":"net"}' ]
}
check "--print-capabilities: {\"type\": \"net\"} on stderr, exit 0" caps

vm_net_setup || rig_die "the guest's checks (vm_net_setup)"

if ! check "passt --vhost-user starts" rig_passt_start --vhost-user \
	$VM_NET_PASST; then
	exit 1
fi

CONSOLE=$RIG_TMP/console.log
vm_net_boot vhost "$CONSOLE" $(vm_vhost_args "$RIG_SOCK")
# Offloads both ways, mergeable receive buffers, event index (virtio
# feature bits)
for f in CSUM:0 GUEST_CSUM:1 GUEST_TSO4:7 GUEST_TSO6:8 HOST_TSO4:11 \
	 HOST_TSO6:12 MRG_RXBUF:15 EVENT_IDX:29; do
	check "vhost: the guest negotiated ${f%:*}" \
		vm_feature "$CONSOLE" "${f#*:}"
done
vm_net_inbound vhost
check "passt still runs" rig_alive "$RIG_PASST_PID"
rig_kill "$VM_PID"
check "passt keeps running after qemu quits" rig_alive "$RIG_PASST_PID"

# A short guest: DHCP, ping, a TCP download, then it powers off (qemu
# exits: -no-reboot)
cat >"$RIG_TMP/short.sh" <<EOF
vt_check dhcp vt_dhcp eth0
vt_check ping-far ping -c1 -W5 $FAR4
vt_check tcp4-out vt_sha256 http://$FAR4:8000/out.bin $VM_OUT_SHA
EOF
vm_initrd "$RIG_TMP/initrd-short" "$RIG_TMP/short.sh" || rig_die "initramfs"

# short NAME SOCKET: boot the short guest on vhost-user SOCKET as NAME
# (console in $RIG_TMP/NAME.console), report its checks as "NAME: ..." and
# wait until it is done and qemu exits
short() {
	local name=$1 console=$RIG_TMP/$1.console

	vm_qemu "$name" "$RIG_TMP/initrd-short" "$console" \
		$(vm_vhost_args "$2")
	if ! check "$name: guest boots and runs its checks" \
		vm_wait "$VM_BOOT" "$console" DONE "$VM_PID"; then
		vm_show "$console"
	fi
	vm_results "$console" "$name" dhcp ping-far tcp4-out
	check "$name: qemu exits when the guest powers off" \
		rig_wait_exit 30 "$VM_PID"
	rig_kill "$VM_PID"
}

# The same passt, a second front-end
short second "$RIG_SOCK"
check "second: passt keeps running after qemu quits" \
	rig_alive "$RIG_PASST_PID"
rig_kill "$RIG_PASST_PID"

# --one-off: passt exits when its front-end goes away
RIG_SOCK=$RIG_TMP/one-off.sock
if check "one-off: passt --vhost-user --one-off starts" \
	rig_passt_start --vhost-user --one-off $VM_NET_PASST; then
	short one-off "$RIG_SOCK"
	check "one-off: passt exits after qemu quits" \
		rig_wait_exit 10 "$RIG_PASST_PID"
fi

# --fd: an accepted connection, passt in the foreground in its place
FD_SOCK=$RIG_TMP/fd.sock
rig_bg fd h "$VU_ACCEPT" -t "$VM_BOOT" "$FD_SOCK" \
	"$PASST" --vhost-user -f --runas 0 --fd {} $VM_NET_PASST
FD_PID=$RIG_BG_PID
if check "fd: vu-accept listens" rig_retry 10 test -S "$FD_SOCK"; then
	short fd "$FD_SOCK"
	rig_reap 10 "$FD_PID"
	FD_RC=$?
	check "fd: passt exits with status 0 when the socket closes" \
		test "$FD_RC" -eq 0
fi

# No room toward the guest: its interface goes down in the middle of a
# download (the driver neither takes nor refills RX buffers), then up
# again. passt waits for buffers instead of dropping frames and resumes as
# the guest kicks RX; the download completes intact. passt's debug log
# tells the resumption, and how much of what it wrote to the guest it
# copied: TCP payload is peeked from the socket into the guest's buffers.
head -c 67108864 /dev/urandom >"$RIG_TMP/web/big.bin"
BIG_SHA=$(sha256sum <"$RIG_TMP/web/big.bin" | cut -d' ' -f1)
cat >"$RIG_TMP/stall.sh" <<EOF
# stall DELAY: download, and take the interface down for 3 s after DELAY s
stall() {
	(timeout 60 wget -q -O - http://$FAR4:8000/big.bin | sha256sum \\
		>/tmp/big.sha) &
	big=\$!
	sleep \$1
	ip link set eth0 down
	sleep 3
	ip link set eth0 up
	ip route add default via $GW4 dev eth0
	wait \$big
	test "\$(cut -d' ' -f1 /tmp/big.sha)" = $BIG_SHA
}
vt_check dhcp vt_dhcp eth0
# A receive buffer larger than the RX ring holds (256 buffers of at most a
# page): with the window open that far, passt fills the ring before the
# window closes, however fast either side is (ASan)
echo "4096 8388608 16777216" >/proc/sys/net/ipv4/tcp_rmem
# At some point of the download: the guest's speed varies
vt_check stall-download-1 stall 0.2
vt_check stall-download-2 stall 0.5
vt_check stall-download-3 stall 1
EOF
vm_initrd "$RIG_TMP/initrd-stall" "$RIG_TMP/stall.sh" || rig_die "initramfs"

# stall_log: the RX kick resumed TCP, and the timer didn't reset it
stall_log() {
	local log=$RIG_TMP/passt-stall.log

	grep -aE "room toward the guest|RX ring" "$log" | head
	grep -aq "room toward the guest again, resuming" "$log" &&
		! grep -aq "no room toward the guest, resetting" "$log"
}

# stall_copied: under 5% of the bytes written to the guest were copied
stall_copied() {
	local l b n
	l=$(grep -ao "[0-9]* bytes of frames to the guest, [0-9]* copied" \
		"$RIG_TMP/passt-stall.log" | tail -n1)
	echo "passt: $l"
	b=${l%% *}
	n=${l##*, }
	n=${n%% *}
	[ -n "$b" ] && [ -n "$n" ] && [ "$b" -gt $((3 * 67108864)) ] &&
		[ $((n * 20)) -lt "$b" ]
}

RIG_SOCK=$RIG_TMP/stall.sock
if check "stall: passt --vhost-user --debug starts" \
	rig_passt_start --vhost-user --one-off --debug \
		--log-file "$RIG_TMP/passt-stall.log" $VM_NET_PASST; then
	vm_qemu stall "$RIG_TMP/initrd-stall" "$RIG_TMP/stall.console" \
		$(vm_vhost_args "$RIG_SOCK")
	if ! check "stall: guest boots and runs its checks" \
		vm_wait "$VM_BOOT" "$RIG_TMP/stall.console" DONE "$VM_PID"; then
		vm_show "$RIG_TMP/stall.console"
	fi
	vm_results "$RIG_TMP/stall.console" stall dhcp stall-download-1 \
		stall-download-2 stall-download-3
	rig_wait_exit 30 "$VM_PID"
	rig_kill "$VM_PID"
	check "stall: passt exits after qemu quits" \
		rig_wait_exit 10 "$RIG_PASST_PID"
	check "stall: TCP resumed on the guest's RX kick, not reset" \
		stall_log
	check "stall: TCP payload to the guest not copied by passt" \
		stall_copied
fi

exit 0
