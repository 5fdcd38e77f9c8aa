#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/70-isolation.sh - Sandboxing of the running daemon, seen from
# outside through /proc/PID: capabilities, seccomp, no_new_privs, empty root,
# namespaces, open descriptors; passt and pasta as root (--runas 0), passt
# started unprivileged and started as root without --runas (nobody)

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

# Capability masks: pasta keeps CAP_SYS_ADMIN (21, setns() in the target
# namespace) and CAP_NET_BIND_SERVICE (10), with --config-net also
# CAP_NET_ADMIN (12: the namespace follows the host, unless --no-follow),
# passt nothing
CAPS_PASST=0000000000000000
CAPS_PASTA=0000000000200400
CAPS_PASTA_CONF=0000000000201400

# status PID FIELD: value of a /proc/PID/status field
status() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# status_is PID FIELD VALUE
status_is() {
	local v
	v=$(status "$1" "$2")
	[ "$v" = "$3" ] || { echo "$2: $v, expected $3"; return 1; }
}

# root_empty PID: nothing at all under /proc/PID/root
root_empty() {
	local l
	l=$(ls -A "/proc/$1/root/" 2>&1) || { echo "$l"; return 1; }
	[ -z "$l" ] || { echo "root has: $l"; return 1; }
}

# ns_differs PID NS: namespace NS of PID isn't ours
ns_differs() {
	local theirs
	theirs=$(readlink "/proc/$1/ns/$2") || return 1
	[ "$theirs" != "$(readlink "/proc/$$/ns/$2")" ]
}

# ns_is PID NS FILE: namespace NS of PID is the one bound at FILE
ns_is() {
	[ "$(stat -L -c %i "/proc/$1/ns/$2")" = "$(stat -L -c %i "$3")" ]
}

# fds_expected PID NETNS_FDS DIRS: 0-2 are /dev/null (character device 1:3:
# paths show as seen from the daemon, /null once it detached /dev); the others
# are sockets, epoll, timerfd, inotify, /dev/net/tun (10:200), pipes and
# /proc/net tables (pasta: splicing and automatic forwarding), at most
# NETNS_FDS network namespaces and DIRS O_PATH directory handles (pasta's
# watch on the namespace's directory, resolv.conf's directory of both modes,
# read again when the host changes it); no other file of the host
fds_expected() {
	local pid=$1 max_ns=$2 max_dirs=$3 nns=0 ndirs=0 fd t bad=0 fds dev

	fds=$(ls "/proc/$pid/fd") || return 1
	for fd in $fds; do
		t=$(readlink "/proc/$pid/fd/$fd") || continue
		dev=$(stat -L -c %F:%t:%T "/proc/$pid/fd/$fd")
		[ "$fd" -le 2 ] && [ "$dev" = "character special file:1:3" ] &&
			continue
		[ "$dev" = "character special file:a:c8" ] && continue
		if [ "${dev%%:*}" = directory ] &&
		   grep -qE '^flags:\s*[0-7]*1[0-7]{7}$' \
			"/proc/$pid/fdinfo/$fd"; then
			ndirs=$((ndirs + 1))
			continue
		fi
		case "$fd:$t" in
		*:socket:\[*|*:anon_inode:*|*:/dev/net/tun)	;;
		# pasta: pooled splice pipes; /proc/net tables of both sides,
		# opened before isolation for automatic forwarding
		*:pipe:\[*)	;;
		*/task/*/net/tcp|*/task/*/net/tcp6)	;;
		*/task/*/net/udp|*/task/*/net/udp6)	;;
		*:net:\[*)	nns=$((nns + 1))		;;
		*)
			# A namespace opened through a bind mount shows its path
			if [ "$(stat -L -f -c %T "/proc/$pid/fd/$fd")" = nsfs ]
			then
				nns=$((nns + 1))
			else
				echo "fd $fd: $t"
				bad=1
			fi
			;;
		esac
	done
	[ $nns -le "$max_ns" ] || { echo "$nns namespace fds"; bad=1; }
	[ $ndirs -le "$max_dirs" ] || { echo "$ndirs directory fds"; bad=1; }
	return $bad
}

# isolated NAME PID CAPS NETNS_FDS DIRS: the whole set of checks on a daemon
isolated() {
	local name=$1 pid=$2 caps=$3 nsfds=$4 dirs=$5

	check "$name: CapEff $caps" status_is "$pid" CapEff "$caps"
	check "$name: CapPrm $caps" status_is "$pid" CapPrm "$caps"
	check "$name: CapBnd $caps" status_is "$pid" CapBnd "$caps"
	check "$name: no inheritable, ambient capabilities" \
		eval "status_is $pid CapInh 0000000000000000 &&
		      status_is $pid CapAmb 0000000000000000"
	check "$name: Seccomp: 2 (filter)" status_is "$pid" Seccomp 2
	check "$name: NoNewPrivs: 1" status_is "$pid" NoNewPrivs 1
	check "$name: root directory is empty" root_empty "$pid"
	check "$name: mount namespace detached" ns_differs "$pid" mnt
	check "$name: UTS namespace detached" ns_differs "$pid" uts
	check "$name: IPC namespace detached" ns_differs "$pid" ipc
	check "$name: PID namespace detached (daemonised)" \
		ns_differs "$pid" pid
	check "$name: network namespace is the host's" \
		ns_is "$pid" net "/run/netns/$NS_HOST"
	check "$name: only expected descriptors open" \
		fds_expected "$pid" "$nsfds" "$dirs"
}

ping_ok() {
	"$1" ping -q -c1 -i0.3 -w5 "$2"
}

# tcp_ok NS ADDR PORT: one line through a TCP connection to the remote's
# echo listener
tcp_ok() {
	local out
	out=$(echo isolation | "$1" timeout 5 socat -t2 - "TCP:$2:$3" 2>&1)
	[ "$out" = isolation ]
}

# udp_ok NS ADDR PORT: one datagram to the remote's UDP echo, and its reply
udp_ok() {
	local out
	out=$(echo isolation | "$1" timeout 5 socat -T2 - "UDP:$2:$3" 2>&1)
	[ "$out" = isolation ] || { echo "reply: $out"; false; }
}

have_socat=0
command -v socat >/dev/null && have_socat=1

# The remote's echo listeners: rig_stop ends them with each daemon
echo_start() {
	rig_bg echo4 r socat TCP4-LISTEN:7007,fork,reuseaddr EXEC:cat
	rig_bg echo6 r socat TCP6-LISTEN:7007,fork,reuseaddr,ipv6only=1 EXEC:cat
	rig_bg uecho4 r socat UDP4-RECVFROM:7007,bind=$FAR4,fork EXEC:cat
	rig_wait_port r tcp 7007 && rig_wait_port r udp 7007
}

# exercise NAME NS: traffic of every kind through the daemon, under the filter
exercise() {
	check "$1: IPv4 ping works under seccomp" ping_ok "$2" $FAR4
	check "$1: IPv6 ping works under seccomp" rig_retry 3 ping_ok "$2" $FAR6
	if [ $have_socat = 1 ]; then
		echo_start
		check "$1: TCP connection works under seccomp" \
			rig_retry 3 tcp_ok "$2" $FAR4 7007
		check "$1: UDP datagram and reply work under seccomp" \
			rig_retry 3 udp_ok "$2" $FAR4 7007
	fi
}

# ---- pasta as root, --runas 0, on a namespace from "ip netns add"
if check "pasta starts (root, --runas 0)" rig_pasta --config-net; then
	exercise pasta g
	check "pasta: still running after traffic" rig_alive "$RIG_PASTA_PID"
	isolated pasta "$RIG_PASTA_PID" $CAPS_PASTA_CONF 2 2
	check "pasta: stays root, as --runas 0 asked" \
		status_is "$RIG_PASTA_PID" Uid 0
fi
rig_stop

# ---- the same, --no-follow: no CAP_NET_ADMIN, nothing to set up later
if check "pasta --no-follow starts" rig_pasta --config-net --no-follow; then
	check "pasta --no-follow: CapEff $CAPS_PASTA" \
		status_is "$RIG_PASTA_PID" CapEff $CAPS_PASTA
	check "pasta --no-follow: CapBnd $CAPS_PASTA" \
		status_is "$RIG_PASTA_PID" CapBnd $CAPS_PASTA
fi
rig_stop

# ---- passt as root, --runas 0, with the qemu stand-in connected
if check "passt starts (root, --runas 0)" rig_passt; then
	rig_guest_conf
	exercise passt g
	check "passt: still running after traffic" rig_alive "$RIG_PASST_PID"
	isolated passt "$RIG_PASST_PID" $CAPS_PASST 0 1
	check "passt: in a user namespace of its own" \
		ns_differs "$RIG_PASST_PID" user
fi
rig_stop

# ---- passt started as an unprivileged user: needs a user namespace
chmod 0777 "$RIG_TMP"
pidf=$RIG_TMP/passt-user.pid
if check "passt starts as an unprivileged user (65534)" \
	h setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$PASST" -s "$RIG_TMP/user.sock" -P "$pidf"; then
	rig_wait_file 10 "$pidf"
	pid=$(cat "$pidf")
	RIG_DAEMONS+=("$pid")
	isolated "passt (user)" "$pid" $CAPS_PASST 0 1
	check "passt (user): in a user namespace of its own" \
		ns_differs "$pid" user
	check "passt (user): runs as 65534" status_is "$pid" Uid 65534
fi
rig_stop

# ---- passt started as root without --runas: switches to nobody
pidf=$RIG_TMP/passt-nobody.pid
if check "passt starts as root without --runas" \
	h "$PASST" -s "$RIG_TMP/nobody.sock" -P "$pidf"; then
	rig_wait_file 10 "$pidf"
	pid=$(cat "$pidf")
	RIG_DAEMONS+=("$pid")
	nobody=$(id -u nobody 2>/dev/null || echo 65534)
	check "passt (root): switched to nobody" status_is "$pid" Uid "$nobody"
	check "passt (root): no capabilities" \
		status_is "$pid" CapEff 0000000000000000
	check "passt (root): Seccomp: 2" status_is "$pid" Seccomp 2
fi
rig_stop
