#!/usr/bin/env bash
# Run one libFuzzer target for a fixed time and report how much it ran.
#
#   tests/fuzz/run.sh TARGET [SECONDS]      TARGET: fuzz_dhcp | fuzz_sha512list | fuzz_cmdline | fuzz_ipconf | fuzz_openpgp | fuzz_plan | fuzz_inflate | fuzz_caindex | fuzz_chunk
#
# Builds build/fuzz/TARGET (make), adds the seeds of tests/fuzz/corpus/TARGET to the working
# corpus build/fuzz/corpus/TARGET (the repository's seeds are never written to; inputs found by
# earlier runs are kept), runs with -max_total_time=SECONDS (default 60) and the target's
# dictionary when there is one. Prints the exec count and rate, then a last line
#   figure: TARGET N execs in S s
# Exits 0 when the time ran out without a finding, non-zero when the fuzzer found a crash, leak,
# timeout or out-of-memory input (kept under build/fuzz/artifacts/TARGET/, log in
# build/fuzz/logs/TARGET.log).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STAMP=""
trap 'rm -f "$STAMP"' EXIT

# Print usage on stderr and exit with status 2.
usage() {
	echo "usage: $0 TARGET [SECONDS]   (TARGET: a tests/fuzz/TARGET.c with a corpus directory)" >&2
	exit 2
}

# Copy the seeds of target $1 that the working corpus $2 lacks.
seed_corpus() {
	local seeds="$ROOT/tests/fuzz/corpus/$1" work=$2 f
	mkdir -p "$work"
	[[ -d "$seeds" ]] || return 0
	for f in "$seeds"/*; do
		[[ -f "$f" ]] || continue
		[[ -e "$work/${f##*/}" ]] || cp "$f" "$work/"
	done
}

# Print the value of libFuzzer's final statistic $1 from log $2 (empty when absent).
final_stat() {
	sed -n "s/^stat::$1:[[:space:]]*\([0-9]*\).*/\1/p" "$2" | tail -n 1
}

# Build, run and report target $1 for $2 seconds.
main() {
	[[ $# -ge 1 && $# -le 2 ]] || usage
	local target=$1 secs=${2:-60}
	[[ "$target" =~ ^[A-Za-z0-9_]+$ && -f "$ROOT/tests/fuzz/$target.c" ]] || usage
	[[ "$secs" =~ ^[0-9]+$ && "$secs" -gt 0 ]] || usage

	make -C "$ROOT" --no-print-directory -s "build/fuzz/$target" >/dev/null
	local bin="$ROOT/build/fuzz/$target"
	local work="$ROOT/build/fuzz/corpus/$target"
	local artifacts="$ROOT/build/fuzz/artifacts/$target/"
	local log="$ROOT/build/fuzz/logs/$target.log"
	local dict="$ROOT/tests/fuzz/$target.dict"
	seed_corpus "$target" "$work"
	mkdir -p "$artifacts" "$(dirname "$log")"

	local args=(-max_total_time="$secs" -print_final_stats=1 -timeout=10 -artifact_prefix="$artifacts")
	[[ -f "$dict" ]] && args+=(-dict="$dict")
	echo "fuzz: $target for $secs s (corpus $work)"
	local start=$EPOCHREALTIME rc=0
	STAMP=$(mktemp "${TMPDIR:-/tmp}/fuzz-stamp.XXXXXX")
	"$bin" "${args[@]}" "$work" >"$log" 2>&1 </dev/null || rc=$?
	local elapsed
	elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a + 0.5 }')

	local execs rate files
	execs=$(final_stat number_of_executed_units "$log")
	rate=$(final_stat average_exec_per_sec "$log")
	files=$(find "$work" -type f | wc -l)
	if [[ $rc -ne 0 ]]; then
		echo "fuzz: $target FAILED (exit $rc) after ${execs:-?} execs; last lines of $log:"
		tail -n 40 "$log" | sed 's/^/    /'
		echo "fuzz: reproducer(s) of this run (replay: $bin FILE):"
		find "$artifacts" -type f -newer "$STAMP" | sed 's/^/    /'
		return 1
	fi
	if [[ -z "$execs" ]]; then
		echo "fuzz: $target: no final statistics in $log" >&2
		return 1
	fi
	echo "fuzz: $target: $execs execs, ${rate:-?} execs/s, corpus $files inputs"
	echo "figure: $target $execs execs in $elapsed s"
}

main "$@"
