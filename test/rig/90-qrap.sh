#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/90-qrap.sh - qrap: probing passt sockets, descriptor, arguments
#
# qrap only looks at /tmp/passt_N.socket: each qrap runs in its own mount
# namespace where a directory of ours is bound over /tmp, so that other
# passt instances on this machine are never seen (nor disturbed). A fake
# qemu prints its arguments, checks the descriptor it got, and sends an ARP
# request through it: passt must answer. Debian's own qrap (/usr/bin/qrap,
# from the passt package) must work with our passt too: its probe is an ARP
# request from 0.0.0.0 for 0.0.0.0.

. "$(dirname "$0")/../lib/rig.sh"

QRAP=${QRAP:-$(dirname "$PASST")/qrap}

if [ ! -x "$QRAP" ]; then
	rig_result FAIL "qrap binary next to passt ($QRAP)"
	exit 1
fi

rig_setup

# Our /tmp, as seen by qrap and the fake qemu
Q=$RIG_TMP/q
mkdir -p "$Q/bin" || rig_die "mkdir"
cp "$QRAP" "$Q/qrap" || rig_die "copy qrap"

cat >"$Q/bin/fake-qemu" <<'EOF'
#!/bin/bash
echo "QEMU ${0##*/}"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
for a in "$@"; do echo "ARG $a"; done
fd=${FAKE_FD:-5}
if [ -S "/proc/self/fd/$fd" ]; then
	echo "FD $fd socket"
else
	echo "FD $fd missing"
	exit 3
fi
# ARP request from 0.0.0.0 for 198.18.0.2, with the 4-byte length first
printf '\x00\x00\x00\x2a\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x42\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01\x02\x00\x00\x00\x00\x42\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xc6\x12\x00\x02' >&"$fd"
reply=$(timeout 3 dd bs=46 count=1 iflag=fullblock <&"$fd" 2>/dev/null |
	od -An -v -tx1 | tr -d ' \n')
# EtherType at bytes 16-17 (after the length), ARP operation at 24-25
if [ "${reply:32:4}" = 0806 ] && [ "${reply:48:4}" = 0002 ]; then
	echo "ARP reply"
else
	echo "no ARP reply: $reply"
fi
[ -n "$FAKE_READY" ] && echo ready >"$FAKE_READY"
[ -n "$FAKE_SLEEP" ] && sleep "$FAKE_SLEEP"
exit 0
EOF
chmod 755 "$Q/bin/fake-qemu"
for n in qemu-system-$(uname -m) qemu-kvm kvm; do
	ln -sf fake-qemu "$Q/bin/$n"
done

# qrun [VAR=VALUE...] ARGS...: run qrap ARGS in the host namespace, with our
# directory as /tmp and $PATH only /tmp/bin (for qemu look-ups)
qrun() {
	h timeout 20 unshare -m bash -c \
		'mount --bind "$1" /tmp || exit 99; shift; exec "$@"' \
		qrun "$Q" env PATH=/tmp/bin "$@"
}

# ---- argument errors
check_fail "no arguments: exit status" qrun /tmp/qrap
ours check_out "no arguments: usage" "Usage" qrun /tmp/qrap
ours check_fail "descriptor without qemu: exit status" qrun /tmp/qrap 5
ours check_fail "descriptor 1 is refused" qrun /tmp/qrap 1 fake-qemu

# ---- nothing to connect to
check_fail "no passt running: exit status" qrun /tmp/qrap 5 fake-qemu
out=$(qrun /tmp/qrap 5 fake-qemu 2>&1)
check "no passt running: qemu not started" test "${out/QEMU/}" = "$out"

# ---- one passt, at the first default path
RIG_SOCK=$Q/passt_1.socket
check "passt starts at /tmp/passt_1.socket" rig_passt_start

out=$(qrun /tmp/qrap 5 fake-qemu -m 64 -nographic 2>&1)
check "the qemu given is run" grep -qx "QEMU fake-qemu" <<<"$out"
check "qemu gets the connection on descriptor 5" \
	grep -q "^FD 5 socket" <<<"$out"
check "passt answers through it" grep -q "^ARP reply" <<<"$out"
check "qemu arguments kept" grep -qx "ARG -nographic" <<<"$out"
ours check "socket back-end added" \
	grep -qx "ARG socket,fd=5,id=hostnet0" <<<"$out"
ours check "NIC added" \
	grep -qx "ARG virtio-net-pci,netdev=hostnet0" <<<"$out"

out=$(qrun FAKE_FD=7 /tmp/qrap 7 fake-qemu -net socket,fd=7 \
      -net nic,model=virtio 2>&1)
check "descriptor 7 works too" grep -q "^FD 7 socket" <<<"$out"
check "passt answers on descriptor 7" grep -q "^ARP reply" <<<"$out"
ours check "own -net options: nothing added" \
	test "$(grep -cx 'ARG -net' <<<"$out")" = 2 -a \
	     "$(grep -cx 'ARG -netdev' <<<"$out")" = 0

out=$(qrun /tmp/qrap 5 fake-qemu -netdev socket,fd=5,id=n \
      -device e1000,netdev=n 2>&1)
ours check "own -netdev and NIC: nothing added" \
	test "$(grep -cx 'ARG -netdev' <<<"$out")" = 1 -a \
	     "$(grep -cx 'ARG -device' <<<"$out")" = 1

# ---- patching mode: qemu from $PATH, conflicting options replaced
out=$(qrun /tmp/qrap disk.img -netdev user,id=x -device e1000,netdev=x \
      -device virtio-blk,drive=d -m 64 2>&1)
ours check "no descriptor: qemu found in \$PATH, gets descriptor 5" \
	grep -q "^FD 5 socket" <<<"$out"
ours check "no descriptor: connection works" grep -q "^ARP reply" <<<"$out"
ours check "no descriptor: other arguments kept" \
	test "$(grep -c -e '^ARG disk.img$' -e '^ARG virtio-blk,drive=d$' \
		-e '^ARG 64$' <<<"$out")" = 3
ours check "no descriptor: conflicting network options removed" \
	test "$(grep -c -e '^ARG user,id=x$' -e '^ARG e1000,netdev=x$' \
		<<<"$out")" = 0
ours check "no descriptor: socket back-end added" \
	grep -q "^ARG socket,fd=5,id=hostnet0" <<<"$out"

# ---- the qrap distributions ship (Debian's): its probe is an ARP request
# from 0.0.0.0 for 0.0.0.0, and it starts qemu only once that's answered
DQRAP=${DEBIAN_QRAP:-/usr/bin/qrap}
if [ -x "$DQRAP" ]; then
	check "Debian's qrap: qemu started with the connection" \
		qrun "$DQRAP" 5 fake-qemu -m 64
	out=$(qrun "$DQRAP" 5 fake-qemu -m 64 2>&1)
	check "Debian's qrap: qemu gets descriptor 5" \
		grep -q "^FD 5 socket" <<<"$out"
	check "Debian's qrap: passt answers qemu at a frame boundary" \
		grep -q "^ARP reply" <<<"$out"
else
	rig_result FAIL "Debian's qrap installed ($DQRAP: package passt)"
fi

# ---- a busy passt is skipped
rig_bg qrap-busy h timeout 20 unshare -m bash -c \
	'mount --bind "$1" /tmp || exit 99; shift; exec "$@"' qrun "$Q" \
	env PATH=/tmp/bin FAKE_READY=/tmp/busy.ready FAKE_SLEEP=8 /tmp/qrap 5 \
	fake-qemu
check "first qrap connected" rig_wait_file 5 "$Q/busy.ready"
check_fail "second qrap: only passt is busy" qrun /tmp/qrap 5 fake-qemu

RIG_SOCK=$Q/passt_2.socket
rm -f "$RIG_TMP/passt.pid"
check "second passt at /tmp/passt_2.socket" rig_passt_start
out=$(qrun /tmp/qrap 5 fake-qemu 2>&1)
# (the 2023 Debian build gives up on the busy one: "Connection reset")
ours check "second qrap gets the second passt" grep -q "^ARP reply" <<<"$out"
ours check "second qrap says which socket" \
	grep -qi "connected to /tmp/passt_2.socket" <<<"$out"

rig_teardown
rig_exit
