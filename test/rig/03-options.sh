#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/rig/03-options.sh - --help, --version, and every invalid invocation
# exits 1 with one message line before starting anything

. "$(dirname "$0")/../lib/rig.sh"

rig_setup

BADSOCK=$RIG_TMP/bad.sock

# run_bad MODE ARGS: run one invocation in the host namespace (never in the
# machine's own), bounded; stdout, stderr and status in $RIG_TMP/bad.*
run_bad() {
	local mode=$1 base
	shift

	case $mode in
	passt)		set -- "$PASST" -f --runas 0 -s "$BADSOCK" "$@" ;;
	passt-raw)	set -- "$PASST" -f "$@" ;;
	pasta)		set -- "$PASTA" --netns "/run/netns/$NS_GUEST" \
				-f --runas 0 "$@" ;;
	pasta-raw)	set -- "$PASTA" -f "$@" ;;
	esac
	rm -f "$BADSOCK"
	h timeout -k 2 5 "$@" </dev/null >"$RIG_TMP/bad.out" \
		2>"$RIG_TMP/bad.err"
	echo $? >"$RIG_TMP/bad.rc"
}

# (on failure, print what the daemon said: check shows it)
bad_status() {
	[ "$(cat "$RIG_TMP/bad.rc")" = 1 ] && return 0
	echo "status $(cat "$RIG_TMP/bad.rc"), stderr:"
	cat "$RIG_TMP/bad.err"
	return 1
}

# Exactly one non-empty line on stderr (the other build's syslog noise
# aside), nothing on stdout, no socket created
bad_message() {
	local n
	n=$(grep -v 'to syslog$' "$RIG_TMP/bad.err" | grep -c .)
	[ "$n" = 1 ] && [ ! -s "$RIG_TMP/bad.out" ] && [ ! -e "$BADSOCK" ] &&
		return 0
	echo "$n lines on stderr$([ -e "$BADSOCK" ] && echo ", socket created"):"
	cat "$RIG_TMP/bad.err" "$RIG_TMP/bad.out"
	return 1
}

# bad WHO MODE ARGS...: WHO is "both" (the other build rejects it too) or
# "ours" (it doesn't, or not cleanly)
bad() {
	local who=$1 mode=$2 desc
	shift 2
	desc="${mode%-raw} $*"

	run_bad "$mode" "$@"
	if [ "$who" = both ]; then
		check "rejected, status 1: $desc" bad_status
	else
		ours check "rejected, status 1: $desc" bad_status
	fi
	ours check "one message line, nothing started: $desc" bad_message
}

# ---- --version, --help
check_re "passt --version names passt" "^passt " "$PASST" --version
check_out "passt --version: status 0" "status 0" \
	bash -c "$PASST --version >/dev/null 2>&1; echo status \$?"
check_re "pasta --version names pasta" "^pasta " "$PASTA" --version
check_out "pasta --version: status 0" "status 0" \
	bash -c "$PASTA --version >/dev/null 2>&1; echo status \$?"
ours check_out "passt --help: status 0" "status 0" \
	bash -c "$PASST --help >/dev/null 2>&1; echo status \$?"
ours check_out "pasta --help: status 0" "status 0" \
	bash -c "$PASTA --help >/dev/null 2>&1; echo status \$?"
check_out "passt --help lists --socket" "--socket" "$PASST" --help
check_out "pasta --help lists --config-net" "--config-net" "$PASTA" --help

# ---- addresses
bad both passt -a 300.1.1.1
bad both passt -a ::1
bad both passt -a 224.0.0.1
bad both passt -a 0.0.0.0
bad both passt -a ::ffff:1.2.3.4
bad both passt -n 33
bad both passt -g 1.2.3
bad ours passt -M 1:2:3
bad both passt -D 1.2.3
bad both passt -D 1.2.3.4.5
bad both passt -i nosuchif0
bad both pasta -a 198.18.0.256

# ---- MTU: up to 65521; too small for IPv4 or IPv6 only warns
bad both passt -m 70000
bad ours passt -m 65522
ours check_out "passt -m 65522: message gives the maximum" \
	"MTU 65522 too large (max 65521" cat "$RIG_TMP/bad.err"
bad ours pasta -m 65536
bad ours passt -a 10.0.0.1/24 -n 24
bad ours passt -a 10.0.0.1/33
bad ours passt -m abc
bad ours passt -m 1500x

# ---- port specifications
bad both passt -t 70000
bad ours passt -t 0
bad both passt -t 10-5
bad both passt -t abc
bad both passt -t 22,
bad both passt -t 1-2:3-5
bad both passt -t 22:70000
bad both passt -t "~22,~20-30"
bad both passt -t 22 -t none
bad both passt -u 1-70000
bad both passt -t 300.1.1.1/22
bad both passt -t auto
bad both pasta -t all
bad both pasta -T all
bad both pasta -u all
bad both pasta -U all
bad both pasta -t 70000
bad both pasta -T 5-1

# ---- options of the other mode, conflicts, unknown options
bad both passt -T 22
bad both passt -U 53
bad both passt -I tap0
bad ours passt --config-net
# -4 -6 is not an error: the last one wins, as upstream documents
# (Debian's 2023 build refused it); test_conf checks the outcome
bad both passt --bogus
bad both passt extra-argument
bad both passt --fd 1
bad both passt --log-size 5
bad both passt --socket
bad both pasta --bogus
bad both pasta -1
bad both pasta -s /tmp/x.sock
bad both pasta -I
bad ours pasta --ns-mac-addr zz
bad both passt-raw --runas nosuchuser-xyz

# Not an option error, but fatal before the daemon goes to background
run_bad passt -p /nonexistent/dir/x.pcap
ours check "unwritable pcap file: status 1" bad_status
