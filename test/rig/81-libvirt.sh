#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/81-libvirt.sh - libvirt starts our passt for a real qemu guest
#
# libvirt 11.x (bookworm-backports, unpacked under test/build/libvirt/ by
# test/lib/vm-setup.sh: Debian 12's 9.0 refuses the passt back-end) runs in
# session mode as an unprivileged user, in the rig's host namespace, with
# our passt first in its PATH. A domain with <interface type='user'><backend
# type='passt'/> boots the rig's guest (test/lib/vm.sh) under TCG:
# - the passt that libvirt starts is ours, running as the user;
# - the guest: DHCP lease with the host's address and the remote as router,
#   ping, SLAAC, TCP out to the remote namespace over IPv4 and IPv6 with the
#   data's SHA-256;
# - <portForward proto='tcp'> without an address (wildcard) and with one,
#   reached from the remote namespace; the one with an address isn't bound
#   elsewhere;
# - passt is gone after "virsh destroy".
# A domain with <interface type='vhostuser'><backend type='passt'/> and
# shared memory (<memoryBacking><access mode='shared'/>) gets passt
# --vhost-user from libvirt: the same guest checks and forward through it.
# More domains have a <portForward> with an address or a device and no
# ranges, or excluded ones only, which libvirt turns into "--tcp-ports
# ADDR/all", "--udp-ports %DEV/all" and "--tcp-ports ADDR/~1024-60999"
# (issue 14, items 1 and 2): they must start, and passt must listen there,
# also above the ephemeral range.

. "$(dirname "$0")/../lib/rig.sh"
. "$RIG_LIB/vm.sh"

LV_ROOT=$RIG_TESTDIR/build/libvirt/root
LV_LIBDIR=$LV_ROOT/usr/lib/x86_64-linux-gnu
LV_USER=passt-vm
# A second address of the host namespace, for the address-only forwards
HOST4_B=198.18.0.3
DOM=rig81

rig_setup

vm_ready || rig_die "the guest's kernel and initramfs (test/lib/vm-setup.sh)"
if [ ! -x "$LV_ROOT/usr/sbin/libvirtd" ]; then
	bash "$VM_SETUP" libvirt >"$RIG_TMP/lv-setup.log" 2>&1 ||
		{ rig_show "$RIG_TMP/lv-setup.log"; rig_die "libvirt: $VM_SETUP"; }
fi
vm_user "$LV_USER" || rig_die "user $LV_USER"
LV_UID=$(id -u "$LV_USER")

h ip addr add $HOST4_B/$PREFIX4 dev ext0 || rig_die "second host address"

# The user's directories: under $RIG_TMP (removed with it), which the user
# may cross but not list
chmod 711 "$RIG_TMP" || rig_die "chmod"
LV=$RIG_TMP/lv
mkdir -p "$LV"/{home,config/libvirt,cache,runtime} || rig_die "mkdir"
chmod 700 "$LV/runtime"
# qemu writes the console itself: no virtlogd
echo 'stdio_handler = "file"' >"$LV/config/libvirt/qemu.conf"
chown -R "$LV_USER:" "$LV" || rig_die "chown"
chmod 700 "$LV"

PASST_DIR=$(dirname "$(readlink -f "$PASST")")
LV_ENV=(HOME="$LV/home" XDG_CONFIG_HOME="$LV/config"
	XDG_CACHE_HOME="$LV/cache" XDG_RUNTIME_DIR="$LV/runtime"
	PATH="$PASST_DIR:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
	LD_LIBRARY_PATH="$LV_LIBDIR"
	LIBVIRT_DRIVER_DIR="$LV_LIBDIR/libvirt/connection-driver"
	LIBVIRT_LOG_OUTPUTS="3:file:$LV/libvirtd.log")

# as_user CMD...: run CMD as the user, in the host namespace, with the
# environment libvirt's daemon and client need
AS_USER=(runuser -u "$LV_USER" -- env -i "${LV_ENV[@]}")
as_user() {
	h "${AS_USER[@]}" "$@"
}

# virsh ARGS...: the unpacked virsh, bounded in time
virsh() {
	as_user timeout 60 "$LV_ROOT/usr/bin/virsh" -q -c qemu:///session "$@"
}

# lv_pids NAME: the user's processes called NAME (comm) in the host
# namespace
lv_pids() {
	local p
	for p in $(vm_ns_pids h "$LV_UID"); do
		case "$(cat "/proc/$p/comm" 2>/dev/null)" in
		$1)	echo "$p" ;;
		esac
	done
}

# lv_cleanup: domains destroyed, then the daemon and whatever the user
# still runs in our namespace stopped, all by PID
lv_cleanup() {
	local p

	if [ -n "$LV_DAEMON" ] && rig_alive "$LV_DAEMON"; then
		for p in $(virsh list --name 2>/dev/null); do
			virsh destroy "$p" >/dev/null 2>&1
		done
		rig_kill "$LV_DAEMON" 1
	fi
	for p in $(vm_ns_pids h "$LV_UID"); do
		rig_kill "$p"
	done
}

lv_exit() {
	local rc=$?
	lv_cleanup
	(exit $rc)
	rig_exit
}
trap lv_exit EXIT

# ---- the daemon

# It reads its CPU map from /usr/share/libvirt, and no override of that
# path works outside its build tree: in a mount namespace of its own, the
# unpacked /usr/share is laid over the host's (read-only)
rig_bg libvirtd h unshare -m sh -c \
	'mount -t overlay overlay -o ro,lowerdir="$1":/usr/share /usr/share &&
	 shift && exec "$@"' lv-mount "$LV_ROOT/usr/share" \
	"${AS_USER[@]}" "$LV_ROOT/usr/sbin/libvirtd"
LV_DAEMON=$RIG_BG_PID

lv_sock() {
	[ -S "$LV/runtime/libvirt/libvirt-sock" ]
}
if ! check "libvirtd (session mode, unprivileged) is up" rig_retry 30 lv_sock
then
	rig_show "$RIG_TMP/libvirtd.log"
	rig_show "$LV/libvirtd.log"
	exit 1
fi
check_re "it's libvirt 11 or later" 'daemon: (1[1-9]|[2-9][0-9])\.' \
	virsh version --daemon

# ---- the guest and its data

WEB=$RIG_TMP/web
mkdir -p "$WEB" || rig_die "mkdir"
head -c 1048576 /dev/urandom >"$WEB/out.bin"
head -c 262144 /dev/urandom >"$RIG_TMP/in.bin"
head -c 65536 /dev/urandom >"$RIG_TMP/in81.bin"
OUT_SHA=$(sha256sum <"$WEB/out.bin" | cut -d' ' -f1)
IN_SHA=$(sha256sum <"$RIG_TMP/in.bin" | cut -d' ' -f1)
IN81_SHA=$(sha256sum <"$RIG_TMP/in81.bin" | cut -d' ' -f1)

rig_bg httpd r busybox httpd -f -p 8000 -h "$WEB"
rig_wait_port r tcp 8000 || rig_die "httpd in the remote namespace"

cat >"$RIG_TMP/guest.sh" <<EOF
vt_check dhcp vt_dhcp eth0
vt_check lease-address test "\$(vt_lease ip)" = $HOST4
vt_check lease-router test "\$(vt_lease router)" = $GW4
vt_check ping-gateway ping -c1 -W5 $GW4
vt_check tcp4-out vt_sha256 http://$FAR4:8000/out.bin $OUT_SHA
vt_check slaac vt_slaac eth0 20
vt_check tcp6-out vt_sha256 "http://[$FAR6]:8000/out.bin" $OUT_SHA
mkdir -p /tmp/w80 /tmp/w81
cp /vmtest/files/in.bin /tmp/w80/
cp /vmtest/files/in81.bin /tmp/w81/
vt_serve 80 /tmp/w80
vt_serve 81 /tmp/w81
vt_ready
EOF
vm_initrd "$RIG_TMP/initrd" "$RIG_TMP/guest.sh" "$RIG_TMP/in.bin" \
	"$RIG_TMP/in81.bin" || rig_die "initramfs"

# domain_xml NAME CONSOLE PORTFORWARDS [vhostuser]: a TCG domain booting our
# guest, with a passt interface; a vhost-user one, with shared memory, if
# asked (and no MSI-X for virtio-net-pci: QEMU 7.2 under TCG crashes with
# it there, and libvirt has no attribute for it)
domain_xml() {
	local type=user mem= cmd=

	if [ "$4" = vhostuser ]; then
		type=vhostuser
		mem="
  <memoryBacking>
    <source type='memfd'/>
    <access mode='shared'/>
  </memoryBacking>"
		cmd="
  <qemu:commandline>
    <qemu:arg value='-global'/>
    <qemu:arg value='virtio-net-pci.vectors=0'/>
  </qemu:commandline>"
	fi
	cat <<EOF
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$1</name>
  <memory unit='MiB'>256</memory>$mem
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$VM_KERNEL</kernel>
    <initrd>$RIG_TMP/initrd</initrd>
    <cmdline>$(vm_append)</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v "$VM_QEMU")</emulator>
    <interface type='$type'>
      <mac address='$VM_MAC'/>
      <backend type='passt' logFile='$LV/$1-passt.log'/>
      <model type='virtio'/>
$3
    </interface>
    <serial type='file'>
      <source path='$2'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>$cmd
</domain>
EOF
}

# passt_of DOMAIN-LOG-NAME: PID of the passt libvirt started, waiting up to
# 10 s (the one whose command line has that log file)
passt_of() {
	local i p
	for ((i = 0; i < 100; i++)); do
		for p in $(lv_pids 'passt*'); do
			tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
				grep -qF -- "$1" && { echo "$p"; return 0; }
		done
		sleep 0.1
	done
	return 1
}

# is_ours PID: PID runs the passt binary under test
is_ours() {
	local exe
	exe=$(readlink "/proc/$1/exe")
	echo "passt: $exe, ours: $(readlink -f "$PASST")"
	[ "${exe% (deleted)}" = "$(readlink -f "$PASST")" ]
}

# ---- domain 1: forwards with explicit ports, with and without an address

CONSOLE=$LV/console.log
domain_xml "$DOM" "$CONSOLE" "\
      <portForward proto='tcp'>
        <range start='8080' to='80'/>
      </portForward>
      <portForward proto='tcp' address='$HOST4'>
        <range start='8081' to='81'/>
      </portForward>" >"$RIG_TMP/$DOM.xml"
chmod 644 "$RIG_TMP/$DOM.xml"

if ! check "virsh create: domain with a passt interface starts" \
	virsh create "$RIG_TMP/$DOM.xml"; then
	rig_show "$LV/libvirtd.log"
	rig_show "$LV/$DOM-passt.log"
	exit 1
fi

PASST_PID=$(passt_of "$LV/$DOM-passt.log")
if check "libvirt started a passt" test -n "$PASST_PID"; then
	rig_track "$PASST_PID"
	echo "# passt command line from libvirt: $(tr '\0' ' ' \
		<"/proc/$PASST_PID/cmdline")"
	ours check "the passt libvirt started is ours" is_ours "$PASST_PID"
	check "passt runs as the session's user" \
		test "$(stat -c %u "/proc/$PASST_PID")" = "$LV_UID"
fi
QEMU_PID=$(lv_pids 'qemu-system*' | head -n1)
[ -n "$QEMU_PID" ] && rig_track "$QEMU_PID"

if ! check "guest boots and runs its checks" \
	vm_wait "$VM_BOOT" "$CONSOLE" READY "$QEMU_PID"; then
	vm_show "$CONSOLE"
	rig_show "$LV/$DOM-passt.log"
fi
vm_results "$CONSOLE" guest dhcp lease-address lease-router ping-gateway \
	tcp4-out slaac tcp6-out

# fetch URL SHA: URL, fetched from the remote namespace, has that SHA-256
fetch() {
	local got
	got=$(r timeout 30 busybox wget -q -O - "$1" | sha256sum |
		cut -d' ' -f1)
	echo "sha256 of $1: $got"
	[ "$got" = "$2" ]
}
check "portForward without address: tcp4, remote to guest, sha256" \
	fetch "http://$HOST4:8080/in.bin" "$IN_SHA"
check "portForward without address: tcp6, remote to guest, sha256" \
	fetch "http://[$HOST6]:8080/in.bin" "$IN_SHA"
check "portForward address='$HOST4': remote to guest port 81, sha256" \
	fetch "http://$HOST4:8081/in81.bin" "$IN81_SHA"
check_fail "portForward address='$HOST4': not bound to $HOST4_B" \
	r timeout 10 busybox wget -q -O /dev/null "http://$HOST4_B:8081/in81.bin"
check_fail "portForward address='$HOST4': not bound to $HOST6" \
	r timeout 10 busybox wget -q -O /dev/null "http://[$HOST6]:8081/in81.bin"

check "virsh destroy" virsh destroy "$DOM"
if [ -n "$PASST_PID" ]; then
	check "passt gone after virsh destroy" rig_wait_exit 10 "$PASST_PID"
fi
[ -n "$QEMU_PID" ] && check "qemu gone after virsh destroy" \
	rig_wait_exit 10 "$QEMU_PID"
[ "$RIG_FAIL" -gt 0 ] && vm_show "$CONSOLE" && rig_show "$LV/$DOM-passt.log"

# ---- domain 2: the same over vhost-user

VU=${DOM}vu
VU_CONSOLE=$LV/$VU-console.log
domain_xml "$VU" "$VU_CONSOLE" "\
      <portForward proto='tcp'>
        <range start='8080' to='80'/>
      </portForward>" vhostuser >"$RIG_TMP/$VU.xml"
chmod 644 "$RIG_TMP/$VU.xml"

# has_arg PID ARG: the process's command line has ARG
has_arg() {
	tr '\0' '\n' <"/proc/$1/cmdline" | grep -qxF -- "$2"
}

PASST_PID=
if check "vhostuser: domain with a passt vhost-user interface starts" \
	virsh create "$RIG_TMP/$VU.xml"; then
	PASST_PID=$(passt_of "$LV/$VU-passt.log")
else
	rig_show "$LV/libvirtd.log"
	rig_show "$LV/$VU-passt.log"
fi
if check "vhostuser: libvirt started a passt" test -n "$PASST_PID"; then
	rig_track "$PASST_PID"
	echo "# passt command line from libvirt: $(tr '\0' ' ' \
		<"/proc/$PASST_PID/cmdline")"
	ours check "vhostuser: the passt libvirt started is ours" \
		is_ours "$PASST_PID"
	check "vhostuser: passt runs with --vhost-user" \
		has_arg "$PASST_PID" --vhost-user
fi
QEMU_PID=$(lv_pids 'qemu-system*' | head -n1)
[ -n "$QEMU_PID" ] && rig_track "$QEMU_PID"

if [ -n "$PASST_PID" ]; then
	if ! check "vhostuser: guest boots and runs its checks" \
		vm_wait "$VM_BOOT" "$VU_CONSOLE" READY "$QEMU_PID"; then
		vm_show "$VU_CONSOLE"
		rig_show "$LV/$VU-passt.log"
	fi
	vm_results "$VU_CONSOLE" vhostuser dhcp lease-address lease-router \
		ping-gateway tcp4-out slaac tcp6-out
	check "vhostuser: portForward, tcp4, remote to guest, sha256" \
		fetch "http://$HOST4:8080/in.bin" "$IN_SHA"
	check "vhostuser: portForward, tcp6, remote to guest, sha256" \
		fetch "http://[$HOST6]:8080/in.bin" "$IN_SHA"
	check "vhostuser: virsh destroy" virsh destroy "$VU"
	check "vhostuser: passt gone after virsh destroy" \
		rig_wait_exit 10 "$PASST_PID"
	[ -n "$QEMU_PID" ] && check "vhostuser: qemu gone after virsh destroy" \
		rig_wait_exit 10 "$QEMU_PID"
fi
[ "$RIG_FAIL" -gt 0 ] && vm_show "$VU_CONSOLE" && rig_show "$LV/$VU-passt.log"

# ---- more domains: an address or a device, and no ports or only excluded
# ones

# listening PROTO ADDR PORT: passt ($PASST_PID) has a socket bound to
# ADDR:PORT
listening() {
	local flag=-t
	[ "$1" = udp ] && flag=-u
	h ss -Hlnp $flag "sport = :$3" | tee /dev/stderr |
		grep -F "$2:$3 " | grep -q "pid=$PASST_PID,"
}

# some_ports NAME DESC PROTO ADDR PORT PORTFORWARD: a domain with that
# <portForward> starts, its passt listens on ADDR:PORT (PROTO), and is gone
# after "virsh destroy". One domain each: a passt binding every port of
# one protocol can take all the files it may open (this machine's hard
# limit is 20000, which we can't raise).
some_ports() {
	local name=$1 desc=$2 proto=$3 addr=$4 port=$5

	domain_xml "$name" "$LV/$name-console.log" "      $6" \
		>"$RIG_TMP/$name.xml"
	chmod 644 "$RIG_TMP/$name.xml"

	PASST_PID=
	if ! check "$desc: domain starts" virsh create "$RIG_TMP/$name.xml"
	then
		rig_show "$LV/$name-passt.log"
		return 1
	fi
	PASST_PID=$(passt_of "$LV/$name-passt.log")
	if check "$desc: libvirt started a passt" test -n "$PASST_PID"; then
		rig_track "$PASST_PID"
		echo "# passt command line from libvirt: $(tr '\0' ' ' \
			<"/proc/$PASST_PID/cmdline")"
		check "$desc: $proto port $port bound at $addr" \
			listening "$proto" "$addr" "$port"
	fi
	check "$desc: virsh destroy" virsh destroy "$name"
	[ -n "$PASST_PID" ] && check "$desc: passt gone after virsh destroy" \
		rig_wait_exit 10 "$PASST_PID"
}

# "--tcp-ports ADDR/all", "--udp-ports %DEV/all": any port above the
# well-known ones and below the ephemeral range will do
some_ports "${DOM}tcp" "portForward address='$HOST4_B' without ports" \
	tcp "$HOST4_B" 8082 "<portForward proto='tcp' address='$HOST4_B'/>"
some_ports "${DOM}udp" "portForward dev='ext0' without ports" \
	udp '%ext0' 8082 "<portForward proto='udp' dev='ext0'/>"
# "--tcp-ports ADDR/~1024-60999": what is left is above the ephemeral range
# (32768-60999 in a new namespace), up to 65535
some_ports "${DOM}excl" "portForward address='$HOST4_B', only excluded ports" \
	tcp "$HOST4_B" 65000 "\
<portForward proto='tcp' address='$HOST4_B'>
        <range start='1024' end='60999' exclude='yes'/>
      </portForward>"

exit 0
