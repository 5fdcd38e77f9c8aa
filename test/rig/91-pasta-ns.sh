#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/91-pasta-ns.sh - pasta namespaces: spawning a command (exit
# status, shell, user namespace when unprivileged), joining by PID, exiting
# when the namespace goes away, errors for bad targets

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

# ---- spawning a command
check "spawned command's status is pasta's" \
	status_is 7 hp --config-net -- sh -c 'exit 7'
# (the Debian build runs the command as PID 1 of a PID namespace: it can't
# signal itself there)
ours check "spawned command killed by a signal: 128 + signal" \
	status_is 143 hp --config-net -- sh -c 'kill -TERM $$'
ours check "command not found: 127" status_is 127 hp -- /nonexistent/cmd
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
pid_checks() {
	rig_bg target h unshare -n sleep 30
	TARGET=$RIG_BG_PID
	rig_retry 5 test "$(readlink /proc/$TARGET/ns/net)" != \
		"$(h readlink /proc/self/ns/net)"
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
