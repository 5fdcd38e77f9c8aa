#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/30-dhcp.sh - DHCP: a guest without --config-net configures itself
# with busybox udhcpc, through pasta and through passt; --no-dhcp, the DNS
# advertisement options, -H and --fqdn

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

# udhcpc_opts IF [TRIES [ARGS...]]: rig_udhcpc, asking for the search
# list and the MTU too
udhcpc_opts() {
	local ifn=$1 tries=${2:-5}

	shift $(($# < 2 ? $# : 2))
	rig_udhcpc "$ifn" "$tries" -O search -O mtu "$@"
}

DNS4=198.18.0.53
SEARCH="example.org sub.example.org"

# dhcp_checks MODE IF: what the guest got, and that it works
dhcp_checks() {
	local m=$1 ifn=$2

	check "$m: udhcpc gets a lease" udhcpc_opts "$ifn"
	check "$m: address is the host's" rig_lease_has "ip=$HOST4"
	check "$m: prefix length /$PREFIX4" rig_lease_has "mask=$PREFIX4"
	check "$m: router is the host's gateway" rig_lease_has "router=$GW4"
	check "$m: DNS server from -D" rig_lease_has "dns=$DNS4"
	check "$m: search domains from -S" rig_lease_has "search=$SEARCH"
	ours check "$m: domain name is the first search domain" \
		rig_lease_has "domain=example.org"
	check "$m: MTU 65520" rig_lease_has "mtu=65520"
	# Short: we follow the host's configuration (34-follow: infinite
	# with --no-follow)
	ours check "$m: lease of 600 s" rig_lease_has "lease=600"
	check "$m: address configured on the guest interface" \
		bash -c "ip netns exec $NS_GUEST ip -4 addr show dev $ifn |
			 grep -q 'inet $HOST4/$PREFIX4'"
	check "$m: ping to the far host over the DHCP configuration" \
		g ping -q -c1 -i0.3 -w5 $FAR4
}

# ---- pasta, without --config-net
check "pasta starts (DNS and search list advertised)" \
	rig_pasta -4 -D $DNS4 -S "$SEARCH" --dhcp-dns --dhcp-search
dhcp_checks pasta ext0
rig_stop

# pasta doesn't advertise DNS information unless asked to
check "pasta starts (no --dhcp-dns, --dhcp-search)" \
	rig_pasta -4 -D $DNS4 -S "$SEARCH"
check "pasta, default: udhcpc gets a lease" udhcpc_opts ext0
check "pasta, default: no DNS servers advertised" rig_lease_has "dns="
check "pasta, default: no search domains advertised" rig_lease_has "search="
check "pasta, default: no host name (option 12)" rig_lease_has "hostname="
rig_stop

# -H and --fqdn: udhcpc exports option 12 as \$hostname and options it
# doesn't know, like 81, as \$optNN in hex. With -F, udhcpc sends option
# 81 in ASCII (E clear) asking for S: we answer in ASCII with N and O set
# and RCODE1, RCODE2 255 (RFC 4702). Older builds don't have the options.
FQDN=vm1.example.org
FQDN_HEX=$(printf '%s' "$FQDN" | od -An -tx1 | tr -d ' \n')
names_pasta() {
	check "pasta -H --fqdn starts" rig_pasta -4 -H vm1 --fqdn "$FQDN"
	check "pasta -H: udhcpc gets a lease" udhcpc_opts ext0
	check "pasta -H: the guest gets the host name" \
		rig_lease_has "hostname=vm1"
	check "pasta --fqdn: no option 81 to a client that didn't send it" \
		rig_lease_has "opt81="
	check "pasta --fqdn: udhcpc -F gets a lease" \
		udhcpc_opts ext0 5 -F guest
	check "pasta --fqdn: option 81 with N, O, 255, 255 and the FQDN" \
		rig_lease_has "opt81=0affff$FQDN_HEX"
	check "pasta --fqdn: host name still there" rig_lease_has "hostname=vm1"
	rig_stop
}
ours names_pasta "-H and --fqdn (pasta)"

# --no-dhcp: no answer at all
check "pasta --no-dhcp starts" rig_pasta -4 --no-dhcp
check_fail "pasta --no-dhcp: udhcpc gets no lease" udhcpc_opts ext0 2
rig_stop

# ---- passt, qemu stand-in
check "passt starts" rig_passt -4 -D $DNS4 -S "$SEARCH"
dhcp_checks passt eth0
rig_stop

check "passt --no-dhcp-dns --no-dhcp-search starts" \
	rig_passt -4 -D $DNS4 -S "$SEARCH" --no-dhcp-dns \
	--no-dhcp-search
check "passt --no-dhcp-dns: udhcpc gets a lease" udhcpc_opts eth0
check "passt --no-dhcp-dns: no DNS servers" rig_lease_has "dns="
check "passt --no-dhcp-search: no search domains" rig_lease_has "search="
rig_stop

names_passt() {
	check "passt --hostname=NAME starts" rig_passt -4 --hostname=vm-2
	check "passt --hostname: udhcpc gets a lease" udhcpc_opts eth0
	check "passt --hostname: the guest gets the host name" \
		rig_lease_has "hostname=vm-2"
	rig_stop
}
ours names_passt "--hostname (passt)"

check "passt --no-dhcp starts" rig_passt -4 --no-dhcp
check_fail "passt --no-dhcp: udhcpc gets no lease" udhcpc_opts eth0 2
