# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/lib/vm.sh - A real qemu guest for rig tests
#
# Sourced after test/lib/rig.sh. The guest is a Debian kernel with a busybox
# initramfs (made by test/lib/vm-setup.sh, cached in test/build/vm/), booted
# by qemu-system-x86_64 under TCG. Its /init (test/vm/init) runs the shell
# script a test gives to vm_initrd, with the helpers of test/vm/lib.sh, and
# reports on the serial console: vm_wait waits for a line, vm_results turns
# the guest's "VMTEST PASS/FAIL NAME" lines into rig results.
#
# Any network back-end goes in vm_qemu's arguments: vm_stream_args and
# vm_vhost_args give those for passt's two transports (for vhost-user, the
# guest's memory is shared, and the device has no MSI-X: QEMU 7.2 under TCG
# crashes with it).
#
# The same network checks run in the guest over either transport (82-qemu
# for the stream socket, 83-vhost-user for vhost-user): vm_net_setup starts
# the remote namespace's servers and writes the guest's script, files and
# passt options; vm_net_boot boots it and reports its checks; after that,
# vm_net_inbound checks -t and -u from the remote namespace to the guest.
#
# Functions: vm_ready, vm_initrd, vm_append, vm_qemu, vm_wait, vm_line,
# vm_results, vm_show, vm_user, vm_ns_pids, vm_stream_args, vm_vhost_args,
# vm_net_setup, vm_net_boot, vm_net_inbound, vm_feature.
# Variables: VM_DIR VM_KERNEL VM_BASE (the guest), VM_BOOT (seconds allowed
# for a boot to the test script), VM_MAC (the guest's MAC address), VM_MEM
# (its memory), VU_ACCEPT UDPTOOL (helpers built by test/Makefile).

VM_DIR=$RIG_TESTDIR/build/vm
VM_KERNEL=$VM_DIR/vmlinuz
VM_BASE=$VM_DIR/base.cpio
VM_BUSYBOX=$VM_DIR/busybox
VM_SETUP=$RIG_LIB/vm-setup.sh
VM_QEMU=${VM_QEMU:-qemu-system-x86_64}
# TCG on two busy cores: a boot takes 5 to 30 s, allow for much worse
VM_BOOT=${VM_BOOT:-150}
VM_MAC=52:54:00:9a:55:01
VM_MEM=256M
VU_ACCEPT=${VU_ACCEPT:-$RIG_TESTDIR/build/vu-accept}
UDPTOOL=${UDPTOOL:-$RIG_TESTDIR/build/udptool}

# vm_ready: the guest's pieces are there (running vm-setup.sh if not; it
# only downloads what's missing), or explain why not and fail
vm_ready() {
	if ! command -v "$VM_QEMU" >/dev/null ||
	   [ ! -s "$VM_KERNEL" ] || [ ! -s "$VM_BASE" ] ||
	   [ ! "$VM_BASE" -nt "$RIG_TESTDIR/vm/init" ] ||
	   [ ! "$VM_BASE" -nt "$RIG_TESTDIR/vm/lib.sh" ] ||
	   [ ! "$VM_BASE" -nt "$VM_SETUP" ] ||
	   { command -v iperf3 >/dev/null &&
	     [ ! -s "$VM_DIR/iperf3.cpio" ]; }; then
		if ! bash "$VM_SETUP" vm >"$RIG_TMP/vm-setup.log" 2>&1; then
			echo "#   $VM_SETUP failed:"
			rig_show "$RIG_TMP/vm-setup.log"
			return 1
		fi
	fi
	command -v "$VM_QEMU" >/dev/null || { echo "#   no $VM_QEMU"; return 1; }
	[ -x "$UDPTOOL" ] && [ -x "$VU_ACCEPT" ] ||
		{ echo "#   no $UDPTOOL or $VU_ACCEPT: make -C test"; return 1; }
}

# vm_initrd OUT SCRIPT [FILE...]: initramfs for one boot: the base one, then
# an archive with SCRIPT as /vmtest/run and the FILEs in /vmtest/files/
# (the kernel unpacks both, the second over the first)
vm_initrd() {
	local out=$1 script=$2 d f
	shift 2

	d=$(mktemp -d "$RIG_TMP/initrd.XXXXXX") || return 1
	mkdir -p "$d/vmtest/files" || return 1
	cp "$script" "$d/vmtest/run" || return 1
	for f; do
		cp "$f" "$d/vmtest/files/" || return 1
	done
	(cd "$d" && find . -mindepth 1 | sort |
		"$VM_BUSYBOX" cpio -o -H newc -R 0:0 >"$d.cpio" 2>/dev/null) ||
		return 1
	cat "$VM_BASE" "$d.cpio" >"$out" || return 1
	chmod 644 "$out"
	rm -rf "$d" "$d.cpio"
}

# vm_append [WORDS...]: the kernel command line (serial console, quiet,
# power off on panic, the guest's own time limit), plus WORDS
vm_append() {
	echo "console=ttyS0 quiet panic=-1 vmtest.time=$((VM_BOOT + 120)) $*"
}

# vm_qemu NAME INITRD CONSOLE QEMU_ARGS...: boot the guest in the host
# namespace, console output to CONSOLE; sets VM_PID (see rig_bg)
vm_qemu() {
	local name=$1 initrd=$2 console=$3
	shift 3

	rig_bg "$name" h "$VM_QEMU" -M pc -accel tcg -m "$VM_MEM" -smp 1 \
		-nodefaults -no-user-config -display none -no-reboot \
		-serial "file:$console" \
		-kernel "$VM_KERNEL" -initrd "$initrd" -append "$(vm_append)" \
		"$@"
	VM_PID=$RIG_BG_PID
}

# vm_line CONSOLE KEY: the rest of the first "VMTEST KEY ..." line
vm_line() {
	tr -d '\r' <"$1" 2>/dev/null | sed -n "s/^VMTEST $2 *//p" | head -n1
}

# vm_wait SECONDS CONSOLE KEY [PID]: wait for a "VMTEST KEY" line; fail
# sooner if the guest is done, timed out, or PID (qemu) is gone
vm_wait() {
	local end=$((SECONDS + $1)) console=$2 key=$3 pid=$4

	while [ $SECONDS -lt $end ]; do
		tr -d '\r' 2>/dev/null <"$console" | grep -q "^VMTEST $key" &&
			return 0
		tr -d '\r' 2>/dev/null <"$console" |
			grep -qE '^VMTEST (DONE|TIMEOUT)|Kernel panic' && break
		[ -n "$pid" ] && ! rig_alive "$pid" && break
		sleep 0.5
	done
	tr -d '\r' <"$console" 2>/dev/null | grep -q "^VMTEST $key"
}

# vm_show CONSOLE: the end of the console, as comment lines
vm_show() {
	[ -s "$1" ] || { echo "#   (nothing on the console)"; return 0; }
	tr -d '\r' <"$1" | tail -n 25 | sed 's/^/#   console: /'
}

# vm_results CONSOLE PREFIX [NAME...]: one rig result per "VMTEST PASS/FAIL
# NAME" line of the guest, named "PREFIX: NAME"; each NAME given must be
# there: a missing one is a failure (the guest didn't get that far)
vm_results() {
	local console=$1 prefix=$2 n line name st
	shift 2

	while read -r line; do
		st=${line%% *}
		name=${line#* }
		rig_result "$st" "$prefix: $name"
		[ "$st" = FAIL ] && tr -d '\r' <"$console" |
			sed -n "/^VMTEST FAIL $name\$/,/^VMTEST [A-Z]/p" |
			sed -n 's/^VMTEST #/#/p'
	done < <(tr -d '\r' <"$console" 2>/dev/null |
		 sed -n 's/^VMTEST \(PASS\|FAIL\) /\1 /p')
	for n; do
		tr -d '\r' <"$console" 2>/dev/null |
			grep -qE "^VMTEST (PASS|FAIL) $n\$" ||
			rig_result FAIL "$prefix: $n (no result from the guest)"
	done
}

# vm_user NAME: make sure the unprivileged user NAME exists (no home, no
# login shell), for tests that run programs as a user
vm_user() {
	id -u "$1" >/dev/null 2>&1 && return 0
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$1"
}

# vm_ns_pids NS [UID]: PIDs of the processes in network namespace NS (a
# name, or g/h/r), only those of UID if given
vm_ns_pids() {
	local ino p
	ino=$(stat -L -c %i "/run/netns/$(rig_ns "$1")") || return 1
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/net" 2>/dev/null)" = "net:[$ino]" ] ||
			continue
		[ -n "$2" ] && [ "$(stat -c %u "$p" 2>/dev/null)" != "$2" ] &&
			continue
		echo "${p#/proc/}"
	done
}

# vm_stream_args SOCKET: qemu arguments for a virtio-net device on passt's
# stream socket SOCKET
vm_stream_args() {
	echo "-device virtio-net-pci,netdev=n0,mac=$VM_MAC" \
	     "-netdev stream,id=n0,server=off,addr.type=unix,addr.path=$1"
}

# vm_vhost_args SOCKET: qemu arguments for a virtio-net device on passt's
# vhost-user socket SOCKET: shared guest memory, no MSI-X (vectors=0)
vm_vhost_args() {
	echo "-object memory-backend-memfd,id=m0,size=$VM_MEM,share=on" \
	     "-numa node,memdev=m0 -chardev socket,id=c0,path=$1" \
	     "-netdev vhost-user,id=n0,chardev=c0" \
	     "-device virtio-net-pci,netdev=n0,mac=$VM_MAC,vectors=0"
}

# Names of the guest's checks from vm_net_setup's script, in order
VM_NET_CHECKS="dhcp lease-address lease-router ping-gateway ping-far
	tcp4-out tcp4-up tcp4-bulk-up tcp4-bulk-down udp4 udp4-dns dns-forward
	slaac dhcpv6 lease6-address ping6-far tcp6-out tcp6-up udp6 udp6-dns"

# vm_net_setup: files, servers in the remote namespace (HTTP on 8000, DNS on
# 53, tcptool.py on 9000, UDP echo on 9001, iperf3 on 5201: far addresses;
# bulk transfers with iperf3 find flow control bugs), and the initramfs
# $RIG_TMP/initrd whose script runs $VM_NET_CHECKS, then serves HTTP on 80
# and UDP echo on 7 and says READY. Sets VM_NET_PASST (passt's options for
# these checks: -t 8080:80 -u 8081:7, --dns-forward).
VM_NAME=vm.rig.example
VM_NAME4=198.18.0.42
VM_NAME6=2001:db8:1::42
VM_DNS_FWD=198.18.0.53
vm_net_setup() {
	local web=$RIG_TMP/web up_sha

	mkdir -p "$web" || return 1
	head -c 2097152 /dev/urandom >"$web/out.bin"
	head -c 2097152 /dev/urandom >"$RIG_TMP/up.bin"
	head -c 1048576 /dev/urandom >"$RIG_TMP/in.bin"
	VM_OUT_SHA=$(sha256sum <"$web/out.bin" | cut -d' ' -f1)
	up_sha=$(sha256sum <"$RIG_TMP/up.bin" | cut -d' ' -f1)
	VM_IN_SHA=$(sha256sum <"$RIG_TMP/in.bin" | cut -d' ' -f1)

	rig_bg httpd r busybox httpd -f -p 8000 -h "$web"
	rig_bg dnsmasq r dnsmasq --no-daemon --conf-file=/dev/null --no-hosts \
		--no-resolv --port 53 --listen-address $FAR4,$FAR6 \
		--bind-interfaces --pid-file="$RIG_TMP/dnsmasq.pid" \
		--address=/$VM_NAME/$VM_NAME4 --address=/$VM_NAME/$VM_NAME6
	rig_bg tcptool r python3 "$TCPTOOL" server 9000
	rig_bg udpecho r "$UDPTOOL" echo 9001
	rig_bg iperf3 r iperf3 -s -B $FAR4
	rig_wait_port r tcp 8000 && rig_wait_port r udp 53 &&
		rig_wait_port r tcp 9000 && rig_wait_port r udp 9001 &&
		rig_wait_port r tcp 5201 ||
		{ echo "#   servers in the remote namespace"; return 1; }

	cat >"$RIG_TMP/guest.sh" <<EOF
vt_say FEATURES \$(cat /sys/class/net/eth0/device/features)
vt_check dhcp vt_dhcp eth0
vt_check lease-address test "\$(vt_lease ip)" = $HOST4
vt_check lease-router test "\$(vt_lease router)" = $GW4
vt_check ping-gateway ping -c1 -W5 $GW4
vt_check ping-far ping -c1 -W5 $FAR4
vt_check tcp4-out vt_sha256 http://$FAR4:8000/out.bin $VM_OUT_SHA
vt_check tcp4-up vt_sink $FAR4 9000 /vmtest/files/up.bin $up_sha
vt_check tcp4-bulk-up vt_iperf $FAR4 up 3
vt_check tcp4-bulk-down vt_iperf $FAR4 down 3
vt_check udp4 vt_udp $FAR4 9001 1400 20
vt_check udp4-dns vt_resolve $VM_NAME $FAR4 $VM_NAME4
vt_check dns-forward vt_resolve $VM_NAME $VM_DNS_FWD $VM_NAME4
vt_check slaac vt_slaac eth0 20
vt_check dhcpv6 vt_dhcp6 eth0
vt_check lease6-address test "\$(vt_lease6 addr)" = $HOST6
vt_check ping6-far ping6 -c1 -W5 $FAR6
vt_check tcp6-out vt_sha256 "http://[$FAR6]:8000/out.bin" $VM_OUT_SHA
vt_check tcp6-up vt_sink $FAR6 9000 /vmtest/files/up.bin $up_sha
vt_check udp6 vt_udp $FAR6 9001 1400 20
vt_check udp6-dns vt_resolve $VM_NAME $FAR6 $VM_NAME6
vt_serve 80 /vmtest/files
vt_udp_echo 7
vt_ready
EOF
	vm_initrd "$RIG_TMP/initrd" "$RIG_TMP/guest.sh" "$RIG_TMP/in.bin" \
		"$RIG_TMP/up.bin" "$UDPTOOL" || return 1
	# iperf3 for bulk transfers (the checks say if it's missing)
	[ -s "$VM_DIR/iperf3.cpio" ] &&
		cat "$VM_DIR/iperf3.cpio" >>"$RIG_TMP/initrd"
	VM_NET_PASST="-t 8080:80 -u 8081:7 --dns-forward $VM_DNS_FWD
		      --dns-host $FAR4"
}

# vm_net_boot PREFIX CONSOLE QEMU_ARGS...: boot the guest of vm_net_setup
# (as "qemu"), wait for its READY and report its checks as "PREFIX: NAME"
vm_net_boot() {
	local prefix=$1 console=$2
	shift 2

	vm_qemu qemu "$RIG_TMP/initrd" "$console" "$@"
	if ! check "$prefix: guest boots and runs its checks" \
		vm_wait "$VM_BOOT" "$console" READY "$VM_PID"; then
		vm_show "$console"
	fi
	vm_results "$console" "$prefix" $VM_NET_CHECKS
}

# vm_feature CONSOLE BIT: the guest's virtio-net driver negotiated feature
# BIT (the guest's FEATURES line: its sysfs string of 0s and 1s, by bit)
vm_feature() {
	local f
	f=$(vm_line "$1" FEATURES)
	echo "features: $f"
	[ "${f:$2:1}" = 1 ]
}

# vm_fetch ADDR: in.bin from the guest's web server through passt's -t
vm_fetch() {
	local got
	got=$(r timeout 30 busybox wget -q -O - "http://$1:8080/in.bin" |
		sha256sum | cut -d' ' -f1)
	echo "sha256: $got"
	[ "$got" = "$VM_IN_SHA" ]
}

# vm_net_inbound PREFIX: from the remote namespace, through passt's -t and
# -u forwards to the guest's servers, over both families
vm_net_inbound() {
	check "$1: tcp4 in: -t 8080:80, sha256" vm_fetch $HOST4
	check "$1: tcp6 in: -t 8080:80, sha256" vm_fetch "[$HOST6]"
	check "$1: udp4 in: -u 8081:7, echo" \
		r "$UDPTOOL" send $HOST4 8081 1400 20
	check "$1: udp6 in: -u 8081:7, echo" \
		r "$UDPTOOL" send $HOST6 8081 1400 20
}
