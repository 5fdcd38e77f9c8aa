#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/80-podman.sh - pasta for real rootless podman containers
#
# Debian 12's podman (4.3) predates pasta support, so it can't start pasta
# itself: we do what podman 4.4 and later do for --network pasta. As an
# unprivileged user, in podman's rootless user and mount namespaces, make a
# network namespace bound to a file, attach pasta to it with podman's
# command line, and run containers (a busybox root file system imported as
# a local image, no registry) in it with --network ns:PATH. All of this in
# the rig's host namespace, so containers reach the rig's remote namespace
# only. Checked: addresses, routes and MTU copied from the host, DNS, TCP
# and UDP out, published ports from the host and from the remote namespace
# with the client's address kept, pasta gone when the namespace file goes.

. "$(dirname "$0")/../lib/rig.sh"

# Unprivileged user owning the containers, with subordinate ID ranges
PUSER=passt-rig
IMAGE=localhost/rig-busybox:latest
DNSNAME=podman.test.example
DNS4=198.18.5.5
DNS6=2001:db8:5::5
ECHO_PORT=7000		# TCP and UDP servers in the remote namespace

# socat prints IPv6 addresses in full
exploded() {
	python3 -c 'import ipaddress, sys
print(ipaddress.ip_address(sys.argv[1]).exploded)' "$1"
}
HOST6_X=$(exploded $HOST6)
REMOTE6_X=$(exploded $REMOTE6)

rig_setup

for tool in podman newuidmap setpriv socat busybox dnsmasq; do
	command -v $tool >/dev/null && continue
	# A missing package, not a kernel feature: a failure
	rig_result FAIL "$tool not installed (test/setup.sh installs it)"
	exit 1
done

# ---- the test user and podman's private state

# user_setup: create $PUSER and its /etc/subuid and /etc/subgid ranges if
# missing (65536 IDs above every range already given out)
user_setup() {
	local f start

	if ! getent passwd $PUSER >/dev/null; then
		useradd --system --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin $PUSER || return 1
	fi
	for f in /etc/subuid /etc/subgid; do
		touch $f
		grep -q "^$PUSER:" $f && continue
		start=$(awk -F: '{ e = $2 + $3; if (e > m) m = e }
			END { print (m > 100000 ? m : 100000) }' $f)
		echo "$PUSER:$start:65536" >>$f || return 1
	done
}
user_setup || rig_die "test user $PUSER"

# Everything podman keeps goes here (removed with $RIG_TMP): storage,
# runtime directory, configuration, home
PD=$RIG_TMP/podman
mkdir -p "$PD/home" "$PD/run" "$PD/rootfs" || rig_die "mkdir $PD"
chmod 711 "$RIG_TMP"
chmod 700 "$PD/run"
# No systemd here: cgroups by path, events to a file
cat >"$PD/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PD/events.log"
EOF
chown -R $PUSER: "$PD"

# The host namespace's resolver, for pasta and podman alike (ip netns exec
# bind-mounts it on /etc/resolv.conf): dnsmasq in the remote namespace
NETNS_ETC=/etc/netns/$NS_HOST
mkdir -p "$NETNS_ETC" && echo "nameserver $FAR4" >"$NETNS_ETC/resolv.conf" ||
	rig_die "resolv.conf for the host namespace"

# pu CMD...: run CMD as the test user in the host namespace, bounded
pu() {
	h timeout 60 setpriv --reuid $PUSER --regid $PUSER --init-groups \
		env -i -C "$PD/home" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$PD/home" \
		USER=$PUSER LOGNAME=$PUSER XDG_RUNTIME_DIR="$PD/run" \
		CONTAINERS_CONF="$PD/containers.conf" "$@"
}

# pm ARGS...: podman with our storage
pm() {
	pu podman --root "$PD/storage" --runroot "$PD/runroot" \
		--storage-driver vfs "$@"
}

# pns CMD...: CMD as root of podman's user namespace, in its mount namespace
pns() {
	pm unshare "$@"
}

# podman's pause process keeps its user and mount namespaces: ours to stop
pause_pid() {
	cat "$PD/run/libpod/tmp/pause.pid" 2>/dev/null
}

podman_cleanup() {
	local p

	pm rm -a -f -t 0 >/dev/null 2>&1
	p=$(pause_pid)
	[ -n "$p" ] && rig_kill "$p"
	rm -rf "$NETNS_ETC"
}
trap 'rc=$?; podman_cleanup; (exit $rc); rig_exit' EXIT

# ---- image: busybox and socat, with their libraries

# rootfs_add FILE...: copy executables and the libraries they load
rootfs_add() {
	local f l

	for f; do
		cp -L "$f" "$PD/rootfs/bin/" || return 1
		for l in $(ldd "$f" | awk '/=>/ { print $3 } /^\t\// { print $1 }')
		do
			mkdir -p "$PD/rootfs$(dirname "$l")" &&
				cp -L "$l" "$PD/rootfs$l" || return 1
		done
	done
}

# udpask ADDRESS: send one datagram to a socat ADDRESS, print the first
# reply (within 5 s). socat alone quits 0.5 s after the end of its input
# (-t), or waits all of a longer -t: no UDP exchange ends by itself
write_udpask() {
	cat >"$1" <<'EOF'
#!/bin/sh
f=$(mktemp) || exit 1
echo x | socat -t 5 -T 5 - "$1" >"$f" &
p=$!
i=0
while [ $i -lt 50 ] && ! [ -s "$f" ]; do
	sleep 0.1
	i=$((i + 1))
done
kill $p 2>/dev/null
cat "$f"
rm -f "$f"
EOF
	chmod 755 "$1"
}
UDPASK=$PD/udpask
write_udpask "$UDPASK"

make_image() {
	local a

	mkdir -p "$PD/rootfs/"{bin,etc,tmp,proc,sys,dev,run} || return 1
	rootfs_add "$(command -v busybox)" "$(command -v socat)" || return 1
	cp "$UDPASK" "$PD/rootfs/bin/udpask" || return 1
	for a in $(busybox --list); do
		[ -e "$PD/rootfs/bin/$a" ] || ln -s busybox "$PD/rootfs/bin/$a"
	done
	tar -C "$PD/rootfs" -c . | pm import - $IMAGE
}

check "podman imports a busybox root file system as an image" make_image

# ---- podman's namespaces

# Under ip netns exec, /sys is a new sysfs without cgroup mounts, and the
# OCI runtime (crun) refuses to start on a bare sysfs directory, as it
# does on hybrid cgroup v1/v2 hosts: a tmpfs there, in podman's mount
# namespace only, is what a cgroup-less legacy host looks like. Rootless
# containers on such a host have no cgroups, as here.
pns mount -t tmpfs -o mode=755 rig-cgroup /sys/fs/cgroup ||
	rig_die "tmpfs on /sys/fs/cgroup in podman's mount namespace"
PAUSE=$(pause_pid)
[ -n "$PAUSE" ] && rig_track "$PAUSE"
check "podman's pause process runs in the rig's host namespace" \
	[ "$(readlink /proc/"$PAUSE"/ns/net)" = \
	  "$(h readlink /proc/self/ns/net)" ]

# pasta opens /dev/net/tun as the user's root: if the device isn't
# accessible to it (mode 0600 here, 0666 on a usual Debian), a copy of the
# node that is, over it, in podman's mount namespace only
if ! pu sh -c 'exec 3<>/dev/net/tun' 2>/dev/null; then
	mknod -m 666 "$PD/tun" c 10 200 &&
		pns mount --bind "$PD/tun" /dev/net/tun ||
		rig_die "/dev/net/tun for the test user"
fi

# The network namespace, as podman creates it: a file under the runtime
# directory, bound to a new namespace in podman's mount namespace
NETNS=$PD/run/netns/rig-netns
pns sh -c "mkdir -p '${NETNS%/*}' && touch '$NETNS' &&
	   unshare --net='$NETNS' true" || rig_die "network namespace file"

# ---- servers in the remote namespace

rig_bg dnsmasq r dnsmasq --no-daemon --conf-file=/dev/null --no-hosts \
	--no-resolv --port 53 --listen-address $FAR4 --bind-interfaces \
	--pid-file="$RIG_TMP/dnsmasq.pid" \
	--address=/$DNSNAME/$DNS4 --address=/$DNSNAME/$DNS6
# They answer with the address of the client they see, once they have read
# the request: socat fails with EPIPE writing it to a shell already gone,
# and then sends no answer
PEER='read l; echo "peer $SOCAT_PEERADDR"'
rig_bg tcp4 r socat TCP4-LISTEN:$ECHO_PORT,reuseaddr,fork SYSTEM:"$PEER"
rig_bg tcp6 r socat TCP6-LISTEN:$ECHO_PORT,bind=[$FAR6],reuseaddr,fork \
	SYSTEM:"$PEER"
rig_bg udp4 r socat UDP4-RECVFROM:$ECHO_PORT,bind=$FAR4,fork SYSTEM:"$PEER"
rig_bg udp6 r socat UDP6-RECVFROM:$ECHO_PORT,bind=[$FAR6],fork \
	SYSTEM:"$PEER"
# and one on the host's loopback, that -T none keeps from containers
rig_bg hostlo h socat TCP4-LISTEN:$ECHO_PORT,bind=127.0.0.1,reuseaddr,fork \
	SYSTEM:"$PEER"
rig_wait_port r udp 53 && rig_wait_port r tcp $ECHO_PORT &&
	rig_wait_port r udp $ECHO_PORT && rig_wait_port h tcp $ECHO_PORT ||
	rig_die "test servers"

# ---- pasta, with podman's command line

# The user may not reach the binary under test (a checkout under /root):
# then a copy of it, named pasta (the mode comes from the name)
if ! pu test -x "$PASTA"; then
	mkdir -p "$PD/bin" && cp "$(readlink -f "$PASTA")" "$PD/bin/passt" &&
		ln -s passt "$PD/bin/pasta" && chmod -R a+rX "$PD/bin" ||
		rig_die "copy of $PASTA for $PUSER"
	PASTA=$PD/bin/pasta
fi

PASTA_ARGS=(--config-net -t 8080-8080:80-80 -u 8081-8081:81-81 -T none
	    -U none --no-map-gw --netns "$NETNS")

start_pasta() {
	local rc

	rm -f "$PD/pasta.pid"
	pns "$PASTA" "${PASTA_ARGS[@]}" -P "$PD/pasta.pid" \
		>"$RIG_TMP/pasta.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] || { echo "pasta exited with status $rc"; return 1; }
	# podman starts the container as soon as pasta returns: the
	# namespace must be configured by then, not a moment later
	pns nsenter --net="$NETNS" ip -o addr show |
		grep -q "inet $HOST4/$PREFIX4 " ||
		{ echo "no address in the namespace when pasta returned"; return 1; }
	[ -s "$PD/pasta.pid" ]
}
check "pasta with podman's command line returns, namespace configured" \
	start_pasta || rig_die "pasta didn't start"
PPID_=$(cat "$PD/pasta.pid")
rig_track "$PPID_"
RIG_DAEMONS+=("$PPID_")
check "the pasta attached to the namespace is the one under test" \
	cmp /proc/"$PPID_"/exe "$(readlink -f "$PASST")"
check "pasta runs as the test user, in podman's user namespace" \
	[ "$(stat -c %u /proc/"$PPID_")" = "$(id -u $PUSER)" ] &&
	[ "$(readlink /proc/"$PPID_"/ns/user)" = \
	  "$(readlink /proc/"$PAUSE"/ns/user)" ]

# ---- containers

# ctr ARGS...: a container in the namespace, removed when it ends
ctr() {
	pm run --rm --network ns:"$NETNS" $IMAGE "$@"
}

check_out "container: host's IPv4 address" "inet $HOST4/$PREFIX4" \
	ctr ip -4 addr show ext0
check_out "container: host's IPv6 address" "inet6 $HOST6/$PREFIX6" \
	ctr ip -6 addr show ext0 scope global
check_out "container: MTU 65520" "mtu 65520" ctr ip link show ext0
check_out "container: IPv4 default route via the host's gateway" \
	"default via $GW4 dev ext0" ctr ip -4 route show
check_out "container: IPv6 default route via the host's gateway" \
	"default via $GW6 dev ext0" ctr ip -6 route show
check_out "container: host's nameserver in resolv.conf" \
	"nameserver $FAR4" ctr cat /etc/resolv.conf
check_out "container: DNS query answered by the remote resolver" \
	"$DNS4" ctr nslookup -type=a $DNSNAME
check_out "container: DNS AAAA query answered by the remote resolver" \
	"$DNS6" ctr nslookup -type=aaaa $DNSNAME

check_out "container: TCP to the remote host, host's address as source" \
	"peer $HOST4" ctr socat -t 5 -T 5 - TCP4:$FAR4:$ECHO_PORT
check_out "container: TCP over IPv6 to the remote host" \
	"peer [$HOST6_X]" ctr socat -t 5 -T 5 - TCP6:[$FAR6]:$ECHO_PORT
check_out "--no-map-gw: the gateway address is the remote host, not the host" \
	"peer $HOST4" ctr socat -t 5 -T 5 - TCP4:$GW4:$ECHO_PORT
check_out "container: UDP to the remote host, host's address as source" \
	"peer $HOST4" ctr udpask UDP4:$FAR4:$ECHO_PORT
check_out "container: UDP over IPv6 to the remote host" \
	"peer [$HOST6_X]" \
	ctr udpask UDP6:[$FAR6]:$ECHO_PORT

# Published ports: servers on 80 (TCP) and 81 (UDP) in a long-lived
# container, answering with the client address they see
SRV='read l; echo "srv $SOCAT_PEERADDR"'
start_server() {
	pm run -d --name srv --network ns:"$NETNS" $IMAGE sh -c "
		socat TCP4-LISTEN:80,reuseaddr,fork SYSTEM:'$SRV' &
		socat TCP6-LISTEN:80,ipv6only=1,reuseaddr,fork SYSTEM:'$SRV' &
		socat UDP4-RECVFROM:81,fork SYSTEM:'$SRV' &
		socat UDP6-RECVFROM:81,ipv6only=1,fork SYSTEM:'$SRV' &
		wait" || return 1
	rig_retry 10 pns nsenter --net="$NETNS" sh -c \
		'ss -Hltn "sport = :80" | grep -q . &&
		 ss -Hlun "sport = :81" | grep -q .'
}
check "container with servers on ports 80 (TCP) and 81 (UDP) starts" \
	start_server
CONMON=$(pm inspect --format '{{.State.ConmonPid}}' srv 2>/dev/null)
# (for the watchdog, if we're killed: conmon and the container's init)
for p in $CONMON $(pm inspect --format '{{.State.Pid}}' srv 2>/dev/null); do
	[ "$p" != 0 ] && rig_track "$p"
done

check_out "-t 8080:80 from the host's loopback" "srv " \
	h socat -t 5 -T 5 - TCP4:127.0.0.1:8080
check_out "-t 8080:80 from the host's IPv6 loopback" "srv " \
	h socat -t 5 -T 5 - TCP6:[::1]:8080
check_out "-t 8080:80 from the remote namespace, client address kept" \
	"srv $REMOTE4" r socat -t 5 -T 5 - TCP4:$HOST4:8080
check_out "-t 8080:80 from the remote namespace over IPv6, address kept" \
	"srv [$REMOTE6_X]" r socat -t 5 -T 5 - TCP6:[$HOST6]:8080
check_out "-u 8081:81 from the host's loopback" "srv " \
	h "$UDPASK" UDP4:127.0.0.1:8081
check_out "-u 8081:81 from the remote namespace, client address kept" \
	"srv $REMOTE4" r "$UDPASK" UDP4:$HOST4:8081
check_out "-u 8081:81 from the remote namespace over IPv6, address kept" \
	"srv [$REMOTE6_X]" r "$UDPASK" UDP6:[$HOST6]:8081
check_fail "-T none: the host's loopback server isn't forwarded" \
	ctr socat -T 2 - TCP4:127.0.0.1:$ECHO_PORT

# ---- the end: the container stops, podman removes the namespace file

check "container stops" pm stop -t 2 srv
check "pasta still runs while the namespace file exists" rig_alive "$PPID_"
# (lazily, as podman does: pasta keeps the namespace open)
check "podman removes the namespace (unmount, delete)" \
	pns sh -c "umount -l '$NETNS' && rm '$NETNS'"
check "pasta exits by itself once the namespace file is gone" \
	rig_wait_exit 5 "$PPID_"
