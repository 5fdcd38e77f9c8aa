#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/lib/vm-setup.sh - Fetch and unpack what the real-guest rig tests need
#
# Run as root (test/setup.sh does, at its end). Idempotent, and quick when
# everything is cached under test/build/:
#
#   test/build/vm/kernel/	a Debian kernel package's /boot (dpkg -x)
#   test/build/vm/vmlinuz	-> its vmlinuz
#   test/build/vm/modules/	the modules the guest loads, and their order
#   test/build/vm/busybox	busybox-static's binary
#   test/build/vm/base.cpio	initramfs: busybox, the virtio-net modules,
#				test/vm/init and test/vm/lib.sh, the host's
#				dhclient (isc-dhcp-client) with its libraries
#				for DHCPv6, if installed
#   test/build/vm/iperf3.cpio	the host's iperf3 with its libraries, if
#				installed (test/bench appends it)
#   test/build/libvirt/root/	libvirt 11.x from bookworm-backports, unpacked
#
# Nothing of this is installed on the host, except qemu-system-x86 when it is
# missing, and a sources entry for bookworm-backports (backports are never
# installed unless asked for, so the entry alone changes nothing).
#
# Usage: vm-setup.sh [vm|libvirt]...	(default: both)

set -o pipefail

SETUP_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SETUP_TEST=$(dirname "$SETUP_LIB")
VM_DIR=$SETUP_TEST/build/vm
LV_DIR=$SETUP_TEST/build/libvirt
BPO_LIST=/etc/apt/sources.list.d/bookworm-backports.sources

# Guest kernel modules for virtio-net over PCI, with what they depend on
VM_MODULES="virtio_pci virtio_net"

# libvirt 11.x packages: client, library, the daemon and its qemu driver
LV_PKGS="libvirt0 libvirt-common libvirt-clients libvirt-daemon
	 libvirt-daemon-common libvirt-daemon-log libvirt-daemon-driver-qemu"

say() {
	echo "vm-setup: $*"
}

die() {
	echo "vm-setup: $*" >&2
	exit 1
}

# apt_get ARGS...: apt-get, retried while another apt holds its locks
apt_get() {
	local i
	for ((i = 0; i < 60; i++)); do
		apt-get -o DPkg::Lock::Timeout=60 "$@" && return 0
		# Only a lock is worth another try
		fuser /var/lib/apt/lists/lock /var/lib/dpkg/lock-frontend \
			>/dev/null 2>&1 || return 1
		sleep 5
	done
	return 1
}

# download DIR PKG...: apt-get download PKGs into DIR (as root: _apt can't
# write there, which apt only warns about)
download() {
	local dir=$1
	shift
	(cd "$dir" && apt_get download -q "$@" 2>&1 |
		grep -v -e 'unsandboxed' -e '^Get:' -e '^Fetched')
	return 0
}

# ---- the guest

# Name of the Debian kernel package that linux-image-amd64 points to
kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' |
		head -n1
}

setup_kernel() {
	local pkg tmp f list

	[ -s "$VM_DIR/vmlinuz" ] && [ -s "$VM_DIR/modules/load" ] && return 0
	pkg=$(kernel_pkg)
	if [ -z "$pkg" ]; then
		apt_get update -q >/dev/null
		pkg=$(kernel_pkg)
	fi
	[ -n "$pkg" ] || die "no linux-image-*-amd64 package known to apt"
	say "fetching $pkg"

	tmp=$(mktemp -d "$VM_DIR/dl.XXXXXX") || return 1
	download "$tmp" "$pkg"
	ls "$tmp"/linux-image-*.deb >/dev/null 2>&1 ||
		{ rm -rf "$tmp"; die "apt-get download $pkg failed"; }
	rm -rf "$VM_DIR/kernel"
	dpkg -x "$tmp"/linux-image-*.deb "$VM_DIR/kernel" ||
		{ rm -rf "$tmp"; die "dpkg -x $pkg failed"; }
	rm -rf "$tmp"
	ln -sf "$(cd "$VM_DIR" && ls kernel/boot/vmlinuz-* | head -n1)" \
		"$VM_DIR/vmlinuz"
	[ -s "$VM_DIR/vmlinuz" ] || die "no vmlinuz in $pkg"

	# Only the modules we load are kept (the rest is 400 MB)
	KDIR=$(ls -d "$VM_DIR"/kernel/lib/modules/* | head -n1)
	rm -rf "$VM_DIR/modules"
	mkdir -p "$VM_DIR/modules" || exit 1
	list=$(mod_order $VM_MODULES) || die "modules for the guest"
	for f in $list; do
		cp "$f" "$VM_DIR/modules/" || exit 1
		basename "$f" >>"$VM_DIR/modules/load.new"
	done
	mv "$VM_DIR/modules/load.new" "$VM_DIR/modules/load"
	rm -rf "$VM_DIR/kernel/lib" "$VM_DIR/kernel/usr"
}

setup_busybox() {
	local tmp

	[ -x "$VM_DIR/busybox" ] && return 0
	say "fetching busybox-static"
	tmp=$(mktemp -d "$VM_DIR/dl.XXXXXX") || return 1
	download "$tmp" busybox-static
	dpkg -x "$tmp"/busybox-static_*.deb "$tmp/x" &&
		cp "$tmp/x/bin/busybox" "$VM_DIR/busybox.new" &&
		mv "$VM_DIR/busybox.new" "$VM_DIR/busybox"
	rm -rf "$tmp"
	[ -x "$VM_DIR/busybox" ] || die "no busybox from busybox-static"
}

# mod_deps FILE: modules a module file depends on, from its .modinfo
mod_deps() {
	"$VM_DIR/busybox" strings "$1" | sed -n 's/^depends=//p' | tr ',' ' '
}

# mod_order MODULE...: MODULE and its dependencies, dependencies first
MOD_SEEN=" "
mod_order() {
	local m f
	for m; do
		[[ $MOD_SEEN == *" $m "* ]] && continue
		MOD_SEEN="$MOD_SEEN$m "
		# Built into the kernel: nothing to load
		grep -q "/$m.ko\$" "$KDIR/modules.builtin" 2>/dev/null &&
			continue
		f=$(find "$KDIR/kernel" -name "$m.ko" | head -n1)
		[ -n "$f" ] || die "module $m not found in $KDIR"
		mod_order $(mod_deps "$f")
		echo "$f"
	done
}

# host_bin ROOT BIN: copy the host's program BIN and the libraries it
# loads (ldd) into ROOT, at the same paths; false if BIN isn't there
host_bin() {
	local root=$1 bin f

	bin=$(command -v "$2") || return 1
	for f in "$bin" $(ldd "$bin" | grep -o '/[^ ]*'); do
		cp -L --parents "$f" "$root/" || return 1
	done
}

# The host's iperf3 as an initramfs to append to the base one, rebuilt when
# the host's is newer
setup_iperf3() {
	local root

	if ! command -v iperf3 >/dev/null; then
		say "no iperf3 on the host: guest benchmarks won't run"
		rm -f "$VM_DIR/iperf3.cpio"
		return 0
	fi
	[ "$VM_DIR/iperf3.cpio" -nt "$(command -v iperf3)" ] && return 0
	say "building iperf3.cpio"
	root=$(mktemp -d "$VM_DIR/root.XXXXXX") || return 1
	host_bin "$root" iperf3 ||
		{ rm -rf "$root"; die "copying iperf3 and its libraries"; }
	(cd "$root" && find . -mindepth 1 | sort |
		"$VM_DIR/busybox" cpio -o -H newc -R 0:0 \
		>"$VM_DIR/iperf3.cpio.new" 2>/dev/null) ||
		{ rm -rf "$root"; die "cpio failed"; }
	rm -rf "$root"
	mv "$VM_DIR/iperf3.cpio.new" "$VM_DIR/iperf3.cpio"
}

# The base initramfs, rebuilt when missing or older than its sources
setup_initramfs() {
	local root f

	if [ -s "$VM_DIR/base.cpio" ] &&
	   [ "$VM_DIR/base.cpio" -nt "$SETUP_TEST/vm/init" ] &&
	   [ "$VM_DIR/base.cpio" -nt "$SETUP_TEST/vm/lib.sh" ] &&
	   [ "$VM_DIR/base.cpio" -nt "$VM_DIR/busybox" ] &&
	   [ "$VM_DIR/base.cpio" -nt "$VM_DIR/modules/load" ] &&
	   [ "$VM_DIR/base.cpio" -nt "$SETUP_LIB/vm-setup.sh" ]; then
		return 0
	fi
	say "building the initramfs"

	root=$(mktemp -d "$VM_DIR/root.XXXXXX") || return 1
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc,vmtest,lib/modules} ||
		return 1
	cp "$VM_DIR/busybox" "$root/bin/busybox" || return 1
	cp "$SETUP_TEST/vm/init" "$root/init" || return 1
	cp "$SETUP_TEST/vm/lib.sh" "$root/vmtest/lib.sh" || return 1
	chmod 755 "$root/init" "$root/bin/busybox"

	cp "$VM_DIR"/modules/* "$root/lib/modules/" || return 1
	# DHCPv6 client: busybox has none (no udhcpc6 in Debian's builds)
	if ! host_bin "$root" dhclient; then
		say "no dhclient (isc-dhcp-client) on the host: the guest" \
			"can't run DHCPv6 checks"
	fi
	mkdir -p "$root/var/lib/dhcp" || return 1
	echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
	echo "root:x:0:" >"$root/etc/group"

	(cd "$root" && find . -mindepth 1 | sort |
		"$VM_DIR/busybox" cpio -o -H newc -R 0:0 \
		>"$VM_DIR/base.cpio.new" 2>/dev/null) ||
		{ rm -rf "$root"; die "cpio failed"; }
	rm -rf "$root"
	mv "$VM_DIR/base.cpio.new" "$VM_DIR/base.cpio"
}

setup_qemu() {
	command -v qemu-system-x86_64 >/dev/null && return 0
	say "installing qemu-system-x86"
	DEBIAN_FRONTEND=noninteractive apt_get install -y -q \
		--no-install-recommends qemu-system-x86 >/dev/null ||
		die "can't install qemu-system-x86"
}

setup_vm() {
	mkdir -p "$VM_DIR" || exit 1
	setup_qemu
	# busybox first: its strings(1) reads the modules' dependencies
	setup_busybox
	setup_kernel
	setup_initramfs
	setup_iperf3
}

# ---- libvirt

# The backports entry, in the same form as Debian's own
setup_backports() {
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list \
	     /etc/apt/sources.list.d/; then
		say "adding $BPO_LIST"
		cat >"$BPO_LIST" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	fi
	apt-cache policy libvirt0 2>/dev/null | grep '~bpo' >/dev/null && return 0
	apt_get update -q >/dev/null
	apt-cache policy libvirt0 2>/dev/null | grep '~bpo' >/dev/null ||
		die "no libvirt0 from bookworm-backports known to apt"
}

# Libraries the backports' libvirt needs that the host lacks (their current
# versions are good enough otherwise: checked with ldd below). systemd's own
# libraries are left out: the host's are used, and installing the newer ones
# is exactly what we avoid.
lv_extra_libs() {
	apt-get install -s --no-install-recommends -t bookworm-backports \
		$LV_PKGS 2>/dev/null |
		sed -n 's/^Inst \(lib[^ ]*\) .*/\1/p' |
		grep -v -e '^libvirt' -e systemd -e '^libudev' -e '^libpam'
}

setup_libvirt() {
	local tmp d missing=

	[ -x "$LV_DIR/root/usr/sbin/libvirtd" ] &&
	[ -x "$LV_DIR/root/usr/bin/virsh" ] && return 0
	setup_backports

	mkdir -p "$LV_DIR" || exit 1
	tmp=$(mktemp -d "$LV_DIR/dl.XXXXXX") || return 1
	say "fetching libvirt from bookworm-backports"
	download "$tmp" -t bookworm-backports $LV_PKGS $(lv_extra_libs)
	rm -rf "$LV_DIR/root.new"
	for d in "$tmp"/*.deb; do
		dpkg -x "$d" "$LV_DIR/root.new" ||
			{ rm -rf "$tmp"; die "dpkg -x $d failed"; }
	done
	rm -rf "$tmp"

	# Every library the daemon, virsh and the qemu driver need is there
	for d in "$LV_DIR"/root.new/usr/sbin/libvirtd \
		 "$LV_DIR"/root.new/usr/bin/virsh \
		 "$LV_DIR"/root.new/usr/lib/*/libvirt/connection-driver/*.so; do
		[ -e "$d" ] || die "libvirt: $d missing"
		missing=$(LD_LIBRARY_PATH=$(echo "$LV_DIR"/root.new/usr/lib/*-linux-gnu) \
			  ldd "$d" | grep 'not found')
		[ -z "$missing" ] || die "libvirt: $d: $missing"
	done
	rm -rf "$LV_DIR/root"
	mv "$LV_DIR/root.new" "$LV_DIR/root"
	say "libvirt $(LD_LIBRARY_PATH=$(echo "$LV_DIR"/root/usr/lib/*-linux-gnu) \
		"$LV_DIR/root/usr/sbin/libvirtd" --version 2>/dev/null |
		awk '{ print $NF }') in $LV_DIR/root"
}

[ "$(id -u)" = 0 ] || die "needs root (apt-get)"
[ $# -eq 0 ] && set -- vm libvirt
# Rig scripts run this too, when something is missing: one at a time
mkdir -p "$SETUP_TEST/build" || exit 1
exec 9>"$SETUP_TEST/build/.vm-setup.lock"
flock -w 900 9 || die "another vm-setup.sh holds the lock for too long"
for what; do
	case $what in
	vm)		setup_vm ;;
	libvirt)	setup_libvirt ;;
	*)		die "unknown part: $what" ;;
	esac
done
exit 0
