# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/vm/lib.sh - Helpers for the guest's test scripts (busybox sh)
#
# Sourced by test/vm/init before /vmtest/run. Results are console lines:
#   VMTEST PASS NAME / VMTEST FAIL NAME	a check in the guest
#   VMTEST KEY VALUE...			anything else the test reads
# test/lib/vm.sh turns the PASS/FAIL lines into the rig's results.

# vt_say WORDS...: one line for the test on the console
vt_say() {
	echo "VMTEST $*"
}

# vt_param NAME DEFAULT: value of NAME=VALUE on the kernel command line
vt_param() {
	local w
	for w in $(cat /proc/cmdline); do
		case $w in
		"$1="*)	echo "${w#*=}"; return ;;
		esac
	done
	echo "$2"
}

# vt_check NAME CMD...: run CMD, report PASS or FAIL with its last output
vt_check() {
	local name=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then
		vt_say "PASS $name"
	else
		vt_say "FAIL $name"
		tail -n 5 /tmp/check.out | sed 's/^/VMTEST #   /'
	fi
}

# vt_dhcp IF: one DHCP exchange with udhcpc, configuring address and default
# route; the lease goes to the console as "VMTEST LEASE key=value..." and
# to /tmp/lease (key=value lines)
vt_dhcp() {
	cat >/tmp/udhcpc.sh <<'EOS'
#!/bin/sh
case "$1" in
bound|renew)
	: >/tmp/lease
	for v in ip mask subnet router dns domain mtu lease serverid; do
		eval "echo \"$v=\$$v\"" >>/tmp/lease
	done
	ip addr add "$ip/$mask" dev "$interface"
	[ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
	ip route add default via "$router" dev "$interface"
	echo "VMTEST LEASE $(tr '\n' ' ' </tmp/lease)"
	;;
esac
exit 0
EOS
	chmod 755 /tmp/udhcpc.sh
	ip link set "$1" up
	udhcpc -i "$1" -f -n -q -t 10 -T 2 -s /tmp/udhcpc.sh
}

# vt_lease KEY: a value of the last lease
vt_lease() {
	sed -n "s/^$1=//p" /tmp/lease 2>/dev/null
}

# vt_slaac IF SECONDS: wait for a global IPv6 address from a router
# advertisement, past duplicate address detection (until then, the kernel
# picks the link-local address as source even towards global ones); prints
# the address
vt_slaac() {
	local i=0 a
	while [ $i -lt $(($2 * 10)) ]; do
		a=$(ip -6 addr show dev "$1" scope global | grep -v tentative |
			sed -n 's/.*inet6 \([0-9a-f:]*\)\/.*/\1/p' | head -n1)
		[ -n "$a" ] && { echo "$a"; return 0; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# vt_dhcp6 IF: DHCPv6 with dhclient -6 (once the link-local address is
# usable); the address goes on IF, the lease to /tmp/lease6 (addr=, dns=)
# and to the console as "VMTEST LEASE6 ..."
vt_dhcp6() {
	local i=0 PATH=$PATH:/usr/sbin

	command -v dhclient >/dev/null ||
		{ echo "no dhclient in the initramfs (isc-dhcp-client on" \
			"the host, then test/lib/vm-setup.sh)"; return 1; }
	while ip -6 addr show dev "$1" scope link | grep -q tentative ||
	      ! ip -6 addr show dev "$1" scope link | grep -q inet6; do
		[ $i -ge 100 ] && { echo "no link-local address"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	cat >/tmp/dhclient6.sh <<'EOS'
#!/bin/sh
case "$reason" in
BOUND6|RENEW6|REBIND6|REBOOT6)
	printf 'addr=%s\ndns=%s\n' "$new_ip6_address" \
		"$new_dhcp6_name_servers" >/tmp/lease6
	ip -6 addr add "$new_ip6_address/128" dev "$interface" nodad
	echo "VMTEST LEASE6 $(tr '\n' ' ' </tmp/lease6)"
	;;
esac
exit 0
EOS
	chmod 755 /tmp/dhclient6.sh
	echo 'request dhcp6.name-servers;' >/tmp/dhclient6.conf
	timeout 30 dhclient -6 -1 -cf /tmp/dhclient6.conf \
		-lf /tmp/dhclient6.leases -pf /tmp/dhclient6.pid \
		-sf /tmp/dhclient6.sh "$1" && [ -s /tmp/lease6 ]
}

# vt_lease6 KEY: a value of the DHCPv6 lease
vt_lease6() {
	sed -n "s/^$1=//p" /tmp/lease6 2>/dev/null
}

# vt_udp ADDR PORT SIZE COUNT: COUNT datagrams of SIZE bytes to the UDP echo
# server at ADDR PORT come back unchanged (test/udptool.c)
vt_udp() {
	/vmtest/files/udptool send "$@"
}

# vt_udp_echo PORT: a UDP echo server on PORT, in the background
vt_udp_echo() {
	/vmtest/files/udptool echo "$1" &
}

# vt_sha256 URL EXPECTED: fetch URL with wget (within 60 s: its own -T
# crashes this busybox); its SHA-256 must be EXPECTED
vt_sha256() {
	local got
	got=$(timeout 60 wget -q -O - "$1" | sha256sum | cut -d' ' -f1)
	echo "sha256 of $1: $got"
	[ "$got" = "$2" ]
}

# vt_resolve NAME SERVER EXPECTED: nslookup (UDP) of NAME at SERVER answers
# with the address EXPECTED
vt_resolve() {
	local out
	out=$(timeout 20 nslookup "$1" "$2" 2>&1)
	echo "$out"
	echo "$out" | sed -n '/^Name:/,$p' | grep -qF "$3"
}

# vt_serve PORT DIR: serve DIR over HTTP on PORT (both address families)
vt_serve() {
	httpd -p "$1" -h "$2"
}

# vt_sink ADDR PORT FILE EXPECTED: send FILE to test/bench/tcptool.py's
# server at ADDR PORT (SINK: it answers with the length and SHA-256 it got
# once we shut down writing); its SHA-256 must be EXPECTED
vt_sink() {
	local got
	got=$({ echo SINK; cat "$3"; } | timeout 60 nc "$1" "$2")
	echo "server got: $got"
	[ "${got#* }" = "$4" ]
}

# vt_iperf ADDR up|down SECONDS: bulk TCP with iperf3 (if the test appended
# test/build/vm/iperf3.cpio) to its server at ADDR: guest to server (up) or
# back (down); it must finish in time and its receiver must have got data
vt_iperf() {
	local rev= out rate

	[ -x /usr/bin/iperf3 ] ||
		{ echo "no iperf3 in the initramfs (iperf3 on the host, then"\
			"test/lib/vm-setup.sh)"; return 1; }
	[ "$2" = down ] && rev=-R
	out=$(timeout $(($3 + 20)) /usr/bin/iperf3 -c "$1" $rev -t "$3" -f m \
		2>&1)
	echo "$out" | tail -n 4
	rate=$(echo "$out" |
		sed -n 's/.* \([0-9.]*\) Mbits\/sec.*receiver$/\1/p')
	[ -n "$rate" ] && [ "${rate%.*}" -gt 0 ]
}

# vt_ready: tell the test the guest is ready for what comes from outside,
# then wait (until the test stops the guest, or vmtest.time runs out)
vt_ready() {
	vt_say "READY"
	while :; do
		sleep 60
	done
}
