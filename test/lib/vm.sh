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
# Any network back-end goes in vm_qemu's arguments; for vhost-user, guest
# memory must be shared:
#   vm_qemu NAME INITRD CONSOLE \
#	-object memory-backend-memfd,id=m0,size=256M,share=on \
#	-machine memory-backend=m0 -chardev socket,id=c0,path=SOCKET \
#	-netdev vhost-user,id=n0,chardev=c0 \
#	-device virtio-net-pci,netdev=n0,mac=$VM_MAC,vectors=0
#
# Functions: vm_ready, vm_initrd, vm_append, vm_qemu, vm_wait, vm_line,
# vm_results, vm_show, vm_user, vm_ns_pids.
# Variables: VM_DIR VM_KERNEL VM_BASE (the guest), VM_BOOT (seconds allowed
# for a boot to the test script), VM_MAC (the guest's MAC address).

VM_DIR=$RIG_TESTDIR/build/vm
VM_KERNEL=$VM_DIR/vmlinuz
VM_BASE=$VM_DIR/base.cpio
VM_BUSYBOX=$VM_DIR/busybox
VM_SETUP=$RIG_LIB/vm-setup.sh
VM_QEMU=${VM_QEMU:-qemu-system-x86_64}
# TCG on two busy cores: a boot takes 5 to 30 s, allow for much worse
VM_BOOT=${VM_BOOT:-150}
VM_MAC=52:54:00:9a:55:01

# vm_ready: the guest's pieces are there (running vm-setup.sh if not; it
# only downloads what's missing), or explain why not and fail
vm_ready() {
	if ! command -v "$VM_QEMU" >/dev/null ||
	   [ ! -s "$VM_KERNEL" ] || [ ! -s "$VM_BASE" ] ||
	   [ ! "$VM_BASE" -nt "$RIG_TESTDIR/vm/init" ] ||
	   [ ! "$VM_BASE" -nt "$RIG_TESTDIR/vm/lib.sh" ]; then
		if ! bash "$VM_SETUP" vm >"$RIG_TMP/vm-setup.log" 2>&1; then
			echo "#   $VM_SETUP failed:"
			rig_show "$RIG_TMP/vm-setup.log"
			return 1
		fi
	fi
	command -v "$VM_QEMU" >/dev/null || { echo "#   no $VM_QEMU"; false; }
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

	rig_bg "$name" h "$VM_QEMU" -M pc -accel tcg -m 256 -smp 1 \
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
		tr -d '\r' <"$console" 2>/dev/null | grep -q "^VMTEST $key" &&
			return 0
		tr -d '\r' <"$console" 2>/dev/null |
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
