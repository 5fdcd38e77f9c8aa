#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/bench/vm.sh - A real qemu guest's TCP throughput through passt: the
# stream socket against vhost-user, side by side in one run
#
# The rig's guest (test/lib/vm.sh, qemu TCG, one vCPU) with the host's
# iperf3 (test/build/vm/iperf3.cpio, made by test/lib/vm-setup.sh) runs
# iperf3 against a server in the host namespace (through the gateway
# address, mapped to the host's loopback): guest->host and host->guest at
# guest MTU 65520 and 1500, once with passt's stream socket (-netdev
# stream), once with passt --vhost-user. For each figure, from the host:
#   - throughput, Mbit/s (iperf3's receiver side)
#   - passt's CPU seconds per GB moved (utime + stime over the transfer,
#     from the guest's BEGIN to its END line; GB: rate times duration)
#   - CPU use, in % of one core, over the transfer, of the guest's vCPU
#     (qemu's TCG thread), of qemu in all, and of passt: the vCPU near
#     100% means the guest's CPU bounds the figure, not passt
# then a table with the ratios vhost-user / stream.
#
# Environment: BENCH_VM_DUR (seconds per figure, default 5); for digging:
# BENCH_VM_TRANSPORTS ("stream vhost-user"), BENCH_VM_FIGS (default: all,
# e.g. "up65520"), BENCH_VM_PASST_ARGS (more passt options, e.g. "--debug
# --log-file FILE"), BENCH_VM_KEEP (a directory: consoles copied there).
# Bounded: each guest has VM_BOOT s to boot and 4 x (BENCH_VM_DUR + 30) s
# for its runs.

. "$(dirname "$0")/../lib/rig.sh"
. "$RIG_LIB/vm.sh"

DUR=${BENCH_VM_DUR:-5}
TRANSPORTS=${BENCH_VM_TRANSPORTS:-"stream vhost-user"}
FIGS=${BENCH_VM_FIGS:-"up65520 down65520 up1500 down1500"}
HZ=$(getconf CLK_TCK)

declare -A R		# R[transport,figure] = value

# cpu_ticks PID: utime + stime of PID (all its threads), in clock ticks
cpu_ticks() {
	local st
	# Fields after the command name, which may have spaces ("CPU 0/TCG")
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)
	echo "${st:-x 0 0 0 0 0 0 0 0 0 0 0 0}" | awk '{ print $12 + $13 }'
}

# vcpu_tid PID: the thread of qemu PID running the guest's vCPU (TCG), or
# PID itself if there's no such thread (qemu names them with -name
# ...,debug-threads=on)
vcpu_tid() {
	local t
	for t in /proc/$1/task/*; do
		case "$(cat "$t/comm" 2>/dev/null)" in
		"CPU 0/TCG")	echo "${t##*/}"; return ;;
		esac
	done
	echo "$1"
}

# ms_now: monotonic milliseconds
ms_now() {
	awk '{ printf "%d", $1 * 1000 }' /proc/uptime
}

if ! vm_ready >/dev/null || [ ! -s "$VM_DIR/iperf3.cpio" ]; then
	echo "# vm: no guest image or no iperf3 for it (test/lib/vm-setup.sh;"
	echo "# iperf3 must be installed on the host)"
	exit 0
fi

rig_setup >/dev/null
rig_bg iperf3 h iperf3 -s
rig_wait_port h tcp 5201 || { echo "# vm: no iperf3 server"; exit 1; }

# The guest: DHCP, then each figure between BEGIN and END lines, so that
# the host can sample CPU times around each transfer
cat >"$RIG_TMP/guest.sh" <<EOF
vt_check dhcp vt_dhcp eth0
for mtu in 65520 1500; do
	ip link set eth0 mtu \$mtu
	for dir in up down; do
		rev=
		[ \$dir = down ] && rev=-R
		sleep 1
		vt_say "BEGIN \$dir\$mtu"
		timeout $((DUR + 20)) /usr/bin/iperf3 -c $GW4 \$rev -t $DUR -f m \
			>/tmp/iperf.out 2>&1
		r=\$(sed -n 's/.* \([0-9.]*\) Mbits\/sec.*receiver\$/\1/p' \
			/tmp/iperf.out)
		vt_say "END \$dir\$mtu \${r:-n/a}"
		case "\$r" in ""|0|0.00) sed 's/^/VMTEST #   /' /tmp/iperf.out ;; esac
	done
done
vt_ready
EOF
vm_initrd "$RIG_TMP/initrd0" "$RIG_TMP/guest.sh" ||
	{ echo "# vm: initramfs"; exit 1; }
cat "$RIG_TMP/initrd0" "$VM_DIR/iperf3.cpio" >"$RIG_TMP/initrd"

# run TRANSPORT: boot the guest on passt over TRANSPORT, record each figure
run() {
	local t=$1 console=$RIG_TMP/$1.console f p0 q0 t0 p1 q1 t1 line
	local rate ms v0 v1 tid

	RIG_SOCK=$RIG_TMP/$t.sock
	if [ "$t" = vhost-user ]; then
		rig_passt_start --vhost-user $BENCH_VM_PASST_ARGS >/dev/null || return
		vm_qemu "qemu-$t" "$RIG_TMP/initrd" "$console" \
			-name vm,debug-threads=on $(vm_vhost_args "$RIG_SOCK")
	else
		rig_passt_start $BENCH_VM_PASST_ARGS >/dev/null || return
		vm_qemu "qemu-$t" "$RIG_TMP/initrd" "$console" \
			-name vm,debug-threads=on $(vm_stream_args "$RIG_SOCK")
	fi
	if ! vm_wait "$VM_BOOT" "$console" "PASS dhcp" "$VM_PID"; then
		echo "# vm: $t: the guest didn't get a lease"
		vm_show "$console"
	else
		for f in $FIGS; do
			vm_wait 30 "$console" "BEGIN $f" "$VM_PID" || break
			tid=$(vcpu_tid "$VM_PID")
			v0=$(cpu_ticks "$VM_PID/task/$tid")
			p0=$(cpu_ticks "$RIG_PASST_PID")
			q0=$(cpu_ticks "$VM_PID")
			t0=$(ms_now)
			vm_wait $((DUR + 30)) "$console" "END $f" "$VM_PID" ||
				break
			v1=$(cpu_ticks "$VM_PID/task/$tid")
			p1=$(cpu_ticks "$RIG_PASST_PID")
			q1=$(cpu_ticks "$VM_PID")
			t1=$(ms_now)
			line=$(vm_line "$console" "END $f")
			rate=$(echo "$line" | awk '{ print $1 }')
			ms=$((t1 - t0))
			R[$t,$f]=$rate
			# GB moved: iperf3's rate over its -t seconds
			R[$t,${f}cpu]=$(awk -v p=$((p1 - p0)) -v hz="$HZ" \
				-v r="$rate" -v d="$DUR" 'BEGIN { if (r > 0)
				printf "%.2f", p / hz / (r * d / 8000);
				else print "n/a" }')
			R[$t,${f}v]=$(awk -v c=$((v1 - v0)) -v hz="$HZ" \
				-v ms="$ms" 'BEGIN {
				printf "%.0f", 100 * c / hz / (ms / 1000) }')
			R[$t,${f}q]=$(awk -v c=$((q1 - q0)) -v hz="$HZ" \
				-v ms="$ms" 'BEGIN {
				printf "%.0f", 100 * c / hz / (ms / 1000) }')
			R[$t,${f}p]=$(awk -v c=$((p1 - p0)) -v hz="$HZ" \
				-v ms="$ms" 'BEGIN {
				printf "%.0f", 100 * c / hz / (ms / 1000) }')
		done
	fi
	tr -d '\r' <"$console" | grep '^VMTEST #' | sed 's/^VMTEST /# vm: /'
	[ -n "$BENCH_VM_KEEP" ] && cp "$console" "$RIG_TMP/passt.log" \
		"$BENCH_VM_KEEP/"
	rig_kill "$VM_PID"
	rig_kill "$RIG_PASST_PID"
	echo "# vm: $t: done"
}

echo "# Guest TCP benchmark: qemu TCG guest, iperf3 ${DUR}s per figure," \
	"guest <-> host namespace"
for t in $TRANSPORTS; do
	run "$t"
done

declare -A LABEL=(
	[up65520]="guest->host Mbit/s, MTU 65520"
	[down65520]="host->guest Mbit/s, MTU 65520"
	[up1500]="guest->host Mbit/s, MTU 1500"
	[down1500]="host->guest Mbit/s, MTU 1500"
)

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || a == "n/a" || b == "n/a" ||
		    b + 0 == 0)
			print "n/a"; else printf "%.2f", a / b }'
}

echo
printf "%-46s %11s %11s %11s\n" figure stream vhost-user vhost/stream
for f in $FIGS; do
	for k in "" cpu v q p; do
		case $k in
		"")	l=${LABEL[$f]} ;;
		cpu)	l="  passt CPU s per GB (lower: better)" ;;
		v)	l="  guest vCPU % (qemu's TCG thread)" ;;
		q)	l="  qemu CPU % (all its threads)" ;;
		p)	l="  passt CPU %" ;;
		esac
		printf "%-46s %11s %11s %11s\n" "$l" \
			"${R[stream,$f$k]:-n/a}" "${R[vhost-user,$f$k]:-n/a}" \
			"$(ratio "${R[vhost-user,$f$k]}" "${R[stream,$f$k]}")"
	done
done
echo
echo "# guest vCPU % near 100: the guest's CPU bounds the figure"
exit 0
