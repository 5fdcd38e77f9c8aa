#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/91-pasta-ns.sh - pasta namespaces: spawning a command (exit
# status, shell, user namespace when unprivileged; PID, UTS, IPC and mount
# namespaces with the command as PID 1, as in a container; signals to pasta
# end it), joining by PID, exiting when the namespace goes away, errors for
# bad targets

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

# hp ARGS...: pasta in the host namespace, quiet, bounded in time, staying
# root (as root, pasta would otherwise switch to nobody)
hp() {
	h timeout 20 "$PASTA" -q --runas 0 "$@"
}

# status_is EXPECTED CMD...: CMD exits with status EXPECTED
status_is() {
	local exp=$1 rc
	shift
	"$@"
	rc=$?
	[ "$rc" = "$exp" ] || { echo "exit status $rc, expected $exp"; return 1; }
}

# out_is EXPECTED CMD...: CMD's output (stdout) is exactly EXPECTED
out_is() {
	local exp=$1 out
	shift
	out=$("$@")
	[ "$out" = "$exp" ] || { echo "output: '$out', expected '$exp'"; false; }
}

# kids PID: PIDs of the children of PID
kids() {
	ps -o pid= --ppid "$1" | tr -d ' '
}

# cmd_pid PASTA_PID: host PID of the command pasta spawned (a child of its
# child, which waits for it), after up to 5 s. pasta may have other
# children without children of their own (the sanitizer wrapper's tee)
cmd_pid() {
	local i a b
	for ((i = 0; i < 50; i++)); do
		for a in $(kids "$1"); do
			b=$(kids "$a")
			[ -n "$b" ] && { echo "$b"; return 0; }
		done
		sleep 0.1
	done
	return 1
}

# ---- spawning a command
check "spawned command's status is pasta's" \
	status_is 7 hp --config-net -- sh -c 'exit 7'
check "command not found: 127" status_is 127 hp -- /nonexistent/cmd

# As in a container: PID 1 of its own PID namespace, /proc of its own
check "spawned command is PID 1" out_is 1 hp -- sh -c 'echo $$'
check "its /proc shows the namespace's processes only" \
	out_is /proc/1 hp -- sh -c 'echo /proc/[0-9]*'
if command -v ps >/dev/null; then
	check "ps(1) sees the namespace's processes only" \
		out_is 1 eval "hp -- ps -e -o pid= | tr -d ' '"
fi
check "PID 1 ignores SIGTERM it has no handler for, as in a container" \
	out_is survived hp -- sh -c 'kill -TERM $$; echo survived'
check "hostname is the host's, prefixed with pasta-" \
	out_is "pasta-$(h cat /proc/sys/kernel/hostname)" \
	hp -- cat /proc/sys/kernel/hostname
check "IPC namespace of its own" \
	eval "test \"\$(hp -- readlink /proc/self/ns/ipc)\" != \
	      \"\$(readlink /proc/self/ns/ipc)\""

# Signals: killed from outside, the command's status is 128 + signal;
# SIGTERM or SIGINT to pasta end the command
sig_checks() {
	local pasta cmd rc

	rig_bg spawn-kill h "$PASTA" -q --runas 0 -- sleep 30
	pasta=$RIG_BG_PID
	cmd=$(cmd_pid "$pasta")
	check "spawned command found" test -n "$cmd" || return
	kill -KILL "$cmd"
	rig_reap 10 "$pasta"
	rc=$?
	check "spawned command killed by a signal: 128 + signal" \
		test "$rc" = 137

	for sig in TERM INT; do
		rig_bg "spawn-$sig" h "$PASTA" -q --runas 0 -- sleep 30
		pasta=$RIG_BG_PID
		cmd=$(cmd_pid "$pasta")
		check "SIG$sig to pasta: command found" test -n "$cmd" ||
			continue
		kill -"$sig" "$pasta"
		check "SIG$sig to pasta ends the command" \
			rig_wait_exit 5 "$cmd"
		check "SIG$sig to pasta: pasta exits" rig_wait_exit 5 "$pasta"
		rig_kill "$cmd"
	done
}
ours sig_checks "signals: spawned command killed, pasta killed"

check_out "spawned command gets --config-net addresses" \
	"inet $HOST4/$PREFIX4" hp --config-net -- ip -4 addr show ext0
check_out "spawned command gets the default route" \
	"default via $GW4 dev ext0" hp --config-net -- ip -4 route show
check_out "spawned command is in a namespace of its own" "ext0" \
	hp --config-net -- sh -c \
	"test \"\$(readlink /proc/self/ns/net)\" != \"$(h readlink /proc/self/ns/net)\" && ip -o link show ext0"
# (as root, the 2023 Debian build fails to map users for the command and
# ping sockets don't work there: see the unprivileged checks below)
ours check "spawned command can ping the far host" \
	hp --config-net -- ping -q -c1 -i0.3 -w5 $FAR4
ours check "spawned command can ping over IPv6" \
	hp --config-net -- ping -6 -q -c1 -i0.3 -w5 $FAR6
check "ping sockets allowed in the new namespace" \
	hp -- sh -c 'r=$(cat /proc/sys/net/ipv4/ping_group_range); test "$r" != "1	0"'
check_out "no command: \$SHELL is run" "from the shell" \
	h env SHELL=/bin/sh timeout 20 "$PASTA" -q --runas 0 <<<'echo from the shell'
check "no command: shell's exit status" \
	status_is 3 h env SHELL=/bin/sh timeout 20 "$PASTA" -q --runas 0 <<<'exit 3'

# ---- unprivileged: a user namespace, where we are root
# /dev/net/tun may be root-only here: a private node, in a mount namespace
unpriv() {
	h timeout 20 unshare -m sh -c \
		'mount -t tmpfs tmpfs /dev/net &&
		 mknod -m 666 /dev/net/tun c 10 200 || exit 99
		 exec setpriv --reuid 65534 --regid 65534 --clear-groups "$@"' \
		unpriv "$@"
}
if ! command -v setpriv >/dev/null; then
	echo "# $RIG_NAME: no setpriv(1): unprivileged checks not run"
elif [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null)" = 0 ]; then
	rig_skip "unprivileged user namespaces disabled"
else
	check_out "unprivileged: command runs as root of a user namespace" \
		"uid=0" unpriv "$PASTA" -q --config-net -- id
	check "unprivileged: command is PID 1, /proc of its own" \
		out_is "1 /proc/1" unpriv "$PASTA" -q -- \
		sh -c 'echo $$ /proc/[0-9]*'
	check_out "unprivileged: --config-net works" "inet $HOST4/$PREFIX4" \
		unpriv "$PASTA" -q --config-net -- ip -4 addr show ext0
	check "unprivileged: ping to the far host" \
		unpriv "$PASTA" -q --config-net -- ping -q -c1 -i0.3 -w5 $FAR4
	check "unprivileged: exit status" \
		status_is 9 unpriv "$PASTA" -q -- sh -c 'exit 9'
fi

# ---- joining by PID; pasta exits when the process does
# (the 2023 Debian build drops its capabilities before opening
# /proc/PID/ns/user, and can't join a target owned by root: ours only)
# netns_moved PID: PID is no longer in the host's network namespace
netns_moved() {
	[ "$(readlink "/proc/$1/ns/net")" != "$(h readlink /proc/self/ns/net)" ]
}
pid_checks() {
	rig_bg target h unshare -n sleep 30
	TARGET=$RIG_BG_PID
	# (not only once: unshare(1) may not have run yet)
	rig_retry 5 netns_moved "$TARGET"
	check "pasta PID --config-net starts" \
		h "$PASTA" -q --runas 0 --config-net -P "$RIG_TMP/pid.pid" \
		"$TARGET"
	PID_PASTA=$(cat "$RIG_TMP/pid.pid" 2>/dev/null)
	RIG_DAEMONS+=("$PID_PASTA")
	check_out "PID target configured" "inet $HOST4/$PREFIX4" \
		nsenter -t "$TARGET" -n ip -4 addr show ext0
	check "PID target can ping the far host" \
		nsenter -t "$TARGET" -n ping -q -c1 -i0.3 -w5 $FAR4
	rig_kill "$TARGET"
	check "pasta exits when the PID does" rig_wait_exit 5 "$PID_PASTA"
}
ours pid_checks "pasta PID: joins, configures, exits with the PID"

# ---- --netns: pasta exits when the namespace file is deleted
check "pasta --netns starts" rig_pasta --config-net
check "pasta --netns keeps running" rig_alive "$RIG_PASTA_PID"
ip netns del "$NS_GUEST"
check "pasta exits when the netns file is deleted" \
	rig_wait_exit 5 "$RIG_PASTA_PID"

NS_KEEP=rig-$RIG_ID-keep
ip netns add "$NS_KEEP" && RIG_NS+=("$NS_KEEP")
check "pasta --no-netns-quit starts" \
	h "$PASTA" -q --runas 0 --no-netns-quit -P "$RIG_TMP/keep.pid" \
	--netns "/run/netns/$NS_KEEP"
KEEP_PASTA=$(cat "$RIG_TMP/keep.pid" 2>/dev/null)
RIG_DAEMONS+=("$KEEP_PASTA")
ip netns del "$NS_KEEP"
sleep 2
check "--no-netns-quit: still running after deletion" rig_alive "$KEEP_PASTA"

# ---- bad targets
check_fail "missing --netns file: exit status" \
	hp --netns "/run/netns/rig-$RIG_ID-none"
ours check_out "missing --netns file: message" \
	"Couldn't open network namespace" hp --netns "/run/netns/rig-$RIG_ID-none"
check_fail "--netns file that isn't a namespace" hp --netns /etc/hostname
ours check_fail "our own namespace as target" hp --netns /proc/self/ns/net
check_fail "PID that doesn't exist" hp 999999999

rig_teardown
rig_exit
