#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/04-socket.sh - passt's default socket path numbering
# (/tmp/passt_N.socket), explicit paths, stale socket files. /tmp is shared
# with everything else on the machine: all of this runs in a private mount
# namespace with its own tmpfs on /tmp. Then, under our own temporary
# directory: socket and pid file in a root-only directory as root (they
# come before the switch to nobody), and fatal errors on stderr with
# --log-file.

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

# A process holding a private mount namespace (in the host network
# namespace) for us to enter
rig_bg mntns h unshare -m --propagation private sleep 600
MNT=$RIG_BG_PID
for ((i = 0; i < 50; i++)); do
	[ "$(readlink /proc/$MNT/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] &&
		break
	sleep 0.1
done

# x CMD...: run CMD in the private mount and host network namespaces
x() {
	nsenter -t "$MNT" -m -n "$@"
}

# A binary under /tmp (a build in /tmp/NAME) would vanish under the tmpfs:
# show its directory somewhere else in the private mount namespace
XPASST=$(readlink -f "$PASST")
case "$XPASST" in
/tmp/*)
	for d in /mnt /srv /opt /media; do
		[ -d $d ] && x mount --bind "$(dirname "$XPASST")" $d && break
	done
	XPASST=$d/$(basename "$XPASST")
	;;
esac

if ! x mount -t tmpfs rigtmp /tmp; then
	rig_skip "no private tmpfs on /tmp"
	exit 0
fi

# start N [ARGS]: daemonised passt, pid file /tmp/pN, recorded for cleanup
start() {
	local n=$1 rc pid
	shift
	x "$XPASST" --runas 0 -P /tmp/p$n "$@" </dev/null \
		>"$RIG_TMP/passt$n.log" 2>&1
	rc=$?
	pid=$(x cat /tmp/p$n 2>/dev/null)
	[ -n "$pid" ] && RIG_DAEMONS+=("$pid")
	eval "PID$n=$pid"
	return $rc
}

is_socket() {
	x test -S "$1"
}

# listening PATH: a live listener answers on PATH
listening() {
	x ss -Hlx 2>/dev/null | grep -q " $1 "
}

check "first passt starts" start 1
check "first passt takes /tmp/passt_1.socket" is_socket /tmp/passt_1.socket
check "first passt listens there" listening /tmp/passt_1.socket

check "second passt starts" start 2
check "second passt takes /tmp/passt_2.socket" is_socket /tmp/passt_2.socket
check "second passt listens there" listening /tmp/passt_2.socket

# An explicit path with a live listener is fatal, and left alone
check_fail "explicit path of a live socket refused" \
	start 3 -s /tmp/passt_1.socket
check "the live socket still answers" listening /tmp/passt_1.socket
ours check_fail "live socket and pid file of another instance: refused" \
	x "$XPASST" --runas 0 -s /tmp/passt_1.socket -P /tmp/p1
ours check "its pid file is left alone" \
	eval 'test "$(x cat /tmp/p1)" = "$PID1"'

# The first one goes away: its number is free again, stale file or not
rig_kill "$PID1"
check "first passt exits on SIGTERM" rig_wait_exit 5 "$PID1"
check "third passt starts" start 4
check "third passt reuses /tmp/passt_1.socket" listening /tmp/passt_1.socket

# A stale socket file (no listener) is taken over
if command -v python3 >/dev/null; then
	x python3 -c 'import socket
s = socket.socket(socket.AF_UNIX)
s.bind("/tmp/passt_3.socket")'
	check "(stale socket file made)" is_socket /tmp/passt_3.socket
	check "fourth passt starts" start 5
	check "fourth passt takes over the stale passt_3" \
		listening /tmp/passt_3.socket

	x python3 -c 'import socket
s = socket.socket(socket.AF_UNIX)
s.bind("/tmp/stale.sock")'
	check "explicit path of a stale socket taken over" \
		start 6 -s /tmp/stale.sock
	check "it listens there" listening /tmp/stale.sock
else
	echo "# $RIG_NAME: python3 missing, stale socket checks not run"
fi

rig_stop

# ---- Started as real root without --runas (libvirt's system instance,
# libguestfs): socket and pid file in a directory only root may write to.
# Both must be there before we become nobody. In the machine's mount
# namespace, so that the qemu stand-in sees the socket.
PRIV=$RIG_TMP/root-only
mkdir -m 0700 "$PRIV"
RIG_SOCK=$PRIV/passt.sock
nobody=$(id -u nobody 2>/dev/null || echo 65534)

root_start() {
	h "$PASST" -s "$RIG_SOCK" -P "$PRIV/passt.pid" </dev/null \
		>"$RIG_TMP/root.log" 2>&1 || { cat "$RIG_TMP/root.log"; false; }
	ROOT_PID=$(cat "$PRIV/passt.pid" 2>/dev/null)
	[ -n "$ROOT_PID" ] && RIG_DAEMONS+=("$ROOT_PID") && rig_track "$ROOT_PID"
	[ -n "$ROOT_PID" ]
}

# uid_is PID UID: all four user IDs of PID are UID
uid_is() {
	local ids
	ids=$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$1/status")
	[ "$ids" = "$2 $2 $2 $2" ] || { echo "Uid: $ids, expected $2"; false; }
}

root_checks() {
	check "root, root-only directory: passt starts, writes its pid file" \
		root_start || return
	check "root, root-only directory: socket created there" \
		test -S "$RIG_SOCK"
	check "root, root-only directory: runs as nobody afterwards" \
		uid_is "$ROOT_PID" "$nobody"
	check "root, root-only directory: qemu stand-in connects" rig_qemu_tap
	check "root, root-only directory: guest pings through the socket" \
		eval 'rig_guest_conf >/dev/null 2>&1 &&
		      g ping -q -c1 -i0.3 -w5 $FAR4'
	rig_stop
}
ours root_checks "root: socket and pid file in a root-only directory"

# ---- Fatal start-up errors go to stderr too with --log-file: libvirt
# shows the user what we print there
log_err() {
	local rc
	h "$PASST" --runas 0 -f -s "$RIG_TMP/missing/passt.sock" \
		--log-file "$RIG_TMP/err.log" </dev/null \
		>"$RIG_TMP/err.out" 2>"$RIG_TMP/err.err"
	rc=$?
	echo "exit status $rc"
	[ $rc = 1 ]
}
err_in() {
	grep -q "$RIG_TMP/missing/passt.sock" "$1" || { cat "$1"; false; }
}
log_checks() {
	check "--log-file, bad socket path: exit status 1" log_err
	check "--log-file, bad socket path: error on stderr" \
		err_in "$RIG_TMP/err.err"
	check "--log-file, bad socket path: error in the log file" \
		err_in "$RIG_TMP/err.log"
	check "--log-file, bad socket path: nothing on stdout" \
		test ! -s "$RIG_TMP/err.out"
}
ours log_checks "--log-file: fatal errors on stderr too"
