#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/82-qemu.sh - A real qemu guest on passt's stream socket
#
# qemu-system-x86_64 (TCG) boots the rig's Debian kernel and busybox
# initramfs (test/lib/vm.sh) with -netdev stream to our passt in the host
# namespace, and runs the network checks that 83-vhost-user runs over
# vhost-user (vm_net_setup): DHCP lease, ping, SLAAC, DHCPv6, ping6, TCP
# both ways with the data's SHA-256 and UDP echoes, to the remote namespace
# over IPv4 and IPv6, DNS queries over both families and through
# --dns-forward; then the remote namespace reaches the guest's servers
# through passt's -t and -u forwards, over IPv4 and IPv6.

. "$(dirname "$0")/../lib/rig.sh"
. "$RIG_LIB/vm.sh"

rig_setup

vm_ready || rig_die "the guest's kernel and initramfs (test/lib/vm-setup.sh)"
vm_net_setup || rig_die "the guest's checks (vm_net_setup)"

check "passt starts" rig_passt_start $VM_NET_PASST || exit 1

CONSOLE=$RIG_TMP/console.log
vm_net_boot guest "$CONSOLE" $(vm_stream_args "$RIG_SOCK")
rig_track "$VM_PID"
vm_net_inbound guest

check "passt still runs" rig_alive "$RIG_PASST_PID"
rig_kill "$VM_PID"
check "passt keeps running after qemu quits" rig_alive "$RIG_PASST_PID"

[ "$RIG_FAIL" -gt 0 ] && vm_show "$CONSOLE"
exit 0
