#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/setup.sh - Install what the test suite needs on a Debian 12 machine
#
# Usage: test/setup.sh		install what's missing, then vm-setup.sh
#	 test/setup.sh --check	only check: one PASS or FAIL line
#
# `make check` runs it first, so that the README's test command works on a
# fresh machine. As root, with apt-get: installs the packages below that
# aren't installed, creates /run/netns, and runs test/lib/vm-setup.sh if
# there is one (guest kernel and initramfs, libvirt from bookworm-backports,
# cached under test/build/). Otherwise (not root, no apt-get, apt-get
# failing) it says what is missing and goes on: the tests that need it then
# fail, and so does the "setup" suite of test/run (--check), so that a
# missing package is never a silent skip. Exit status: 0, unless --check
# finds something missing.

TEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Everything the build and the tests use, in one place
PACKAGES=(
	build-essential		# cc, make
	clang libclang-rt-14-dev	# fuzz smoke tests (libFuzzer)
	git			# lint: list of tracked files
	reuse			# lint: REUSE compliance
	iproute2		# ip, ss: the rig's namespaces
	iputils-ping		# ping from the guest
	tcpdump			# reading pcap files
	procps			# sysctl, ps
	psmisc			# fuser: waiting for apt's locks
	util-linux		# unshare, nsenter, setpriv
	passwd			# useradd: 80-podman's unprivileged user
	busybox			# udhcpc: DHCP client in the guest; images
	isc-dhcp-client		# dhclient: DHCP and DHCPv6 clients
	dnsmasq-base		# DNS server on the test "internet"
	socat			# TCP/UDP endpoints
	iperf3			# throughput tests and benchmarks
	python3			# test helpers (stale sockets, TCP tools)
	passt			# Debian's build, to compare against
	slirp4netns		# benchmarks: the other user-mode stack
	valgrind		# memcheck of short pasta and passt sessions
	podman			# 80-podman: rootless containers
	uidmap			# newuidmap, newgidmap: rootless podman
	qemu-system-x86		# real guests (vm-setup.sh, 8x tests)
	ethtool			# 58-tap-offload: offloads of pasta's tap
)

say() {
	echo "# setup: $*"
}

# missing: print the packages of the list that aren't installed
missing() {
	local p

	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q "install ok installed" || echo "$p"
	done
}

# apt_get ARGS...: apt-get, waiting (15 min at most) for another apt
# holding its locks; its output only if it fails
apt_get() {
	local log rc

	log=$(mktemp /tmp/setup-apt.XXXXXX) || return 1
	DEBIAN_FRONTEND=noninteractive apt-get -q \
		-o DPkg::Lock::Timeout=900 "$@" </dev/null >"$log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && tail -n 20 "$log" | sed 's/^/#   /'
	rm -f "$log"
	return $rc
}

if [ "$1" = "--check" ]; then
	if ! command -v dpkg-query >/dev/null; then
		echo "FAIL setup: no dpkg-query: not a Debian system, can't" \
			"check for the packages the suite needs"
		exit 1
	fi
	m=$(missing | tr '\n' ' ')
	if [ -n "$m" ]; then
		echo "FAIL setup: packages the suite needs, not installed:" \
			"$m(test/setup.sh installs them, as root)"
		exit 1
	fi
	echo "PASS setup: the ${#PACKAGES[@]} packages the suite needs are" \
		"installed"
	exit 0
fi

if ! command -v dpkg-query >/dev/null; then
	say "no dpkg-query: not a Debian system, nothing installed; the" \
	    "suite needs: ${PACKAGES[*]}"
	exit 0
fi

m=$(missing | tr '\n' ' ')
if [ -z "$m" ]; then
	say "the ${#PACKAGES[@]} packages the suite needs are installed"
else
	if [ "$(id -u)" != 0 ]; then
		say "not root: can't install $m"
	elif ! command -v apt-get >/dev/null; then
		say "no apt-get: can't install $m"
	else
		say "installing $m"
		# (the lists may be old, or missing on a fresh image)
		apt_get update ||
			say "apt-get update failed: trying with the lists we have"
		# shellcheck disable=SC2086
		apt_get install -y --no-install-recommends $m ||
			say "apt-get install failed"
		m=$(missing | tr '\n' ' ')
		if [ -n "$m" ]; then
			say "still missing: $m"
		else
			say "installed"
		fi
	fi
fi

# Some minimal images lack the runtime directory for named namespaces
[ "$(id -u)" = 0 ] && mkdir -p /run/netns

# Real guests: kernel, initramfs, libvirt (idempotent, cached)
if [ -e "$TEST_DIR/lib/vm-setup.sh" ]; then
	if [ "$(id -u)" = 0 ]; then
		bash "$TEST_DIR/lib/vm-setup.sh" ||
			say "vm-setup.sh failed: the tests with real guests will" \
			    "fail"
	else
		say "not root: test/lib/vm-setup.sh not run"
	fi
fi
exit 0
