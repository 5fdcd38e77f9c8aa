#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/fuzz/run.sh - Build the fuzz targets with libFuzzer and sanitizers,
#		     run each for a bounded time, print one PASS/FAIL line each
#
# Usage: test/fuzz/run.sh [TARGET...]	(default: every fuzz_*.c here)
# Environment: FUZZ_TIME (seconds per target, default 20), CLANG (compiler,
# default clang). Without a clang that has libFuzzer, targets are skipped.
# A crashing input is kept in test/out/ and shown as hex. Seed inputs: those
# a target writes to $FUZZ_SEED_DIR at start, and files in corpus/NAME/.

FUZZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$FUZZ_DIR/../.." && pwd)
OUT=${OUT:-$FUZZ_DIR/../out}
TIME=${FUZZ_TIME:-20}
CLANG=${CLANG:-clang}
FLAGS="-std=gnu11 -g -O1 -D_GNU_SOURCE -DVERSION=\"fuzz\" -Wall -Wextra
	-Wno-missing-field-initializers -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=all -I$TOP -I$FUZZ_DIR"

if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=$(cd "$FUZZ_DIR" && ls fuzz_*.c | sed 's/\.c$//')
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/passt-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

# Is libFuzzer there at all?
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long s)
{ (void)d; (void)s; return 0; }' >"$WORK/probe.c"
if ! command -v "$CLANG" >/dev/null 2>&1 ||
   ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$WORK/probe" \
	"$WORK/probe.c" >/dev/null 2>&1; then
	for t in $targets; do
		echo "SKIP fuzz: ${t#fuzz_}: clang with libFuzzer not available"
	done
	exit 0
fi

failed=0
for t in $targets; do
	name=${t#fuzz_}
	bin=$WORK/$t
	corpus=$WORK/corpus-$name
	log=$WORK/$t.log

	mkdir -p "$corpus"
	# Other daemon sources a target needs: "fuzz-extra: a.c b.c"
	extra=$(sed -n '1,20s/.*fuzz-extra:\([^*]*\).*/\1/p' "$FUZZ_DIR/$t.c")
	srcs=
	for s in $extra; do srcs="$srcs $TOP/$s"; done
	# shellcheck disable=SC2086
	if ! "$CLANG" $FLAGS -o "$bin" "$FUZZ_DIR/$t.c" $srcs >"$log" 2>&1; then
		cat "$log"
		echo "FAIL fuzz: $name: target doesn't build"
		failed=1
		continue
	fi

	# Seeds kept in corpus/NAME (read only: new inputs go to $corpus)
	seeds=
	[ -d "$FUZZ_DIR/corpus/$name" ] && seeds=$FUZZ_DIR/corpus/$name

	# shellcheck disable=SC2086
	FUZZ_SEED_DIR=$corpus timeout -k 10 $((TIME + 60)) "$bin" \
		-max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 \
		-max_len=4096 -artifact_prefix="$WORK/$name-" \
		-print_final_stats=1 "$corpus" $seeds >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")

	if [ $rc -eq 0 ]; then
		echo "PASS fuzz: $name: no crash in ${TIME}s (${execs:-?} runs)"
		continue
	fi

	tail -n 40 "$log"
	for a in "$WORK/$name"-*; do
		[ -f "$a" ] || continue
		cp "$a" "$OUT/fuzz-$(basename "$a")"
		echo "# crashing input, kept as $OUT/fuzz-$(basename "$a"):"
		od -A d -t x1 "$a" | head -n 40
	done
	echo "FAIL fuzz: $name: crash or sanitizer error (status $rc)"
	failed=1
done

exit $failed
