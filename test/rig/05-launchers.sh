#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/05-launchers.sh - Command lines that launchers (libvirt, podman,
# cloud-hypervisor tools, ...) generate: what they ask for is what we do

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

# listening NS PROTO PORT: local addresses listening on PORT, one a line
listening() {
	local flag=-t
	[ "$2" = udp ] && flag=-u
	ip netns exec "$(rig_ns "$1")" ss -Hln $flag "sport = :$3" |
		awk '{ print $4 }'
}

# listens_on NS PROTO PORT ADDR: PORT listens on ADDR:PORT and nowhere else
listens_on() {
	local l
	l=$(listening "$1" "$2" "$3")
	echo "listening on port $3: ${l:-nothing}"
	[ "$l" = "$4:$3" ]
}

# no_listener NS PROTO PORT
no_listener() {
	local l
	l=$(listening "$1" "$2" "$3")
	echo "listening on port $3: ${l:-nothing}"
	[ -z "$l" ]
}

# ---- -t ADDR/all, -t ADDR/~PORTS (libvirt <portForward address=...>):
# every port outside the ephemeral range, above it too, on ADDR only.
# Exclusions keep the number of sockets below the descriptor limit.
h sysctl -qw net.ipv4.ip_local_port_range="30000 60000"

if ours check "passt -t $HOST4/~1-29999 starts" \
	rig_passt_start -t "$HOST4/~1-29999"; then
	rig_wait_port h tcp 65535
	check "exclusion-only with address: port 65535 on $HOST4 only" \
		listens_on h tcp 65535 $HOST4
	check "exclusion-only with address: port 60001 (above the ephemeral range)" \
		listens_on h tcp 60001 $HOST4
	check "exclusion-only with address: ephemeral port 45000 not bound" \
		no_listener h tcp 45000
	check "exclusion-only with address: excluded port 22 not bound" \
		no_listener h tcp 22
	check "passt -t: no UDP socket without -u (60001)" \
		no_listener h udp 60001
fi
rig_stop

if ours check "passt -t $HOST4/all -t ~1-29999 starts" \
	rig_passt_start -t "$HOST4/all" -t "~1-29999"; then
	rig_wait_port h tcp 65535
	check "ADDR/all: port 65535 on $HOST4 only" \
		listens_on h tcp 65535 $HOST4
	check "ADDR/all: port 60001 on $HOST4 only" \
		listens_on h tcp 60001 $HOST4
	check "ADDR/all: ephemeral port 60000 not bound" \
		no_listener h tcp 60000
fi
rig_stop

if ours check "passt -u %lo/all -u ~1-29999 starts" \
	rig_passt_start -u "%lo/all" -u "~1-29999"; then
	rig_wait_port h udp 65535
	check "%lo/all: UDP port 65535 bound" \
		rig_wait_port h udp 65535
	check "%lo/all: no TCP socket" no_listener h tcp 65535
fi
rig_stop

# ---- passt -t 2222:22 binds no UDP port (passt forwards UDP with -u only)
if check "passt -t 2222:22 starts" rig_passt_start -t 2222:22; then
	rig_wait_port h tcp 2222
	check "passt -t 2222:22: TCP port 2222 bound" rig_wait_port h tcp 2222
	ours check "passt -t 2222:22: no UDP port 2222" no_listener h udp 2222
fi
rig_stop

# ---- -a ADDR/LEN (cloud-hypervisor launchers): address and prefix length
if check "pasta --config-net -a 198.18.0.7/25 -a 2001:db8:1::7/80 starts" \
	rig_pasta --config-net -a 198.18.0.7/25 -a 2001:db8:1::7/80 \
		-t none -u none -T none -U none; then
	ours check_out "-a 198.18.0.7/25: set with prefix length 25" \
		"198.18.0.7/25" g ip -4 -o addr show
	ours check_out "-a 2001:db8:1::7/80: set with prefix length 80" \
		"2001:db8:1::7/80" g ip -6 -o addr show
fi
rig_stop
