#!/usr/bin/env bash
# Long fuzzing runs that grow the committed corpora (make fuzz-deep; not part of make check).
#
#   tests/fuzz/deep.sh TARGET...
#
# Each target runs until FUZZ_DEEP_RUNS executions (default 10000000) or FUZZ_DEEP_SECONDS
# (default 1200), whichever comes first, on its working corpus build/fuzz/deep/TARGET plus the
# committed one, tests/fuzz/corpus/TARGET, which it only reads. Afterwards libFuzzer's -merge=1
# adds to the committed corpus the inputs that bring new coverage, minimized; of those at most
# FUZZ_DEEP_MAX_NEW (default 20, the smallest) are kept, none over FUZZ_DEEP_MAX_BYTES (default
# 4096). One line per target:
#   figure: TARGET N execs in S s, R exec/s, corpus C inputs (+A of M merged), cov: X ft: Y
# A crash, leak, timeout or out-of-memory input fails the target (its input is kept under
# build/fuzz/artifacts/TARGET/, the log in build/fuzz/logs/TARGET.deep.log); the others still run
# and the script exits non-zero at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=${FUZZ_DEEP_RUNS:-10000000}
SECONDS_MAX=${FUZZ_DEEP_SECONDS:-1200}
MAX_NEW=${FUZZ_DEEP_MAX_NEW:-20}
MAX_BYTES=${FUZZ_DEEP_MAX_BYTES:-4096}
STAMP=""
trap 'rm -f "$STAMP"' EXIT

# Print usage on stderr and exit with status 2.
usage() {
	echo "usage: $0 TARGET...   (each a tests/fuzz/TARGET.c)" >&2
	exit 2
}

# Print the value of libFuzzer's final statistic $1 from log $2 (empty when absent).
final_stat() {
	sed -n "s/^stat::$1:[[:space:]]*\([0-9]*\).*/\1/p" "$2" | tail -n 1
}

# Print "cov: X ft: Y" from the last status line of log $1.
coverage() {
	grep -o 'cov: [0-9]* ft: [0-9]*' "$1" | tail -n 1
}

# Print the file names in directory $1, sorted, one per line.
list_dir() {
	find "$1" -maxdepth 1 -type f -printf '%f\n' | sort
}

# Merge the new inputs of working corpus $2 into committed corpus $1 with binary $3 (log $4);
# keep at most MAX_NEW of the added files (the smallest), none larger than MAX_BYTES. Print how
# many were kept and how many the merge offered ("K of N").
merge_back() {
	local dir=$1 work=$2 bin=$3 log=$4 added=() f kept=0
	mapfile -t added < <(list_dir "$dir")
	"$bin" -merge=1 -merge_control_file="$work.merge" "$dir" "$work" >"$log" 2>&1 </dev/null
	rm -f "$work.merge"
	mapfile -t added < <(list_dir "$dir" | comm -13 <(printf '%s\n' "${added[@]}") -)
	while read -r _ f; do
		if [[ $kept -lt $MAX_NEW && $(stat -c %s "$dir/$f") -le $MAX_BYTES ]]; then
			kept=$((kept + 1))
		else
			rm -f "$dir/$f"
		fi
	done < <(for f in "${added[@]}"; do echo "$(stat -c %s "$dir/$f") $f"; done | sort -n)
	echo "$kept of ${#added[@]}"
}

# Run target $1 once and print its figure line; return non-zero on a finding.
deep_one() {
	local target=$1
	[[ "$target" =~ ^[A-Za-z0-9_]+$ && -f "$ROOT/tests/fuzz/$target.c" ]] || usage
	make -C "$ROOT" --no-print-directory -s "build/fuzz/$target" >/dev/null
	local bin="$ROOT/build/fuzz/$target"
	local dir="$ROOT/tests/fuzz/corpus/$target"
	local work="$ROOT/build/fuzz/deep/$target"
	local artifacts="$ROOT/build/fuzz/artifacts/$target/"
	local log="$ROOT/build/fuzz/logs/$target.deep.log"
	local dict="$ROOT/tests/fuzz/$target.dict"
	mkdir -p "$dir" "$work" "$artifacts" "$(dirname "$log")"

	local args=(-runs="$RUNS" -max_total_time="$SECONDS_MAX" -print_final_stats=1 -timeout=10
		-artifact_prefix="$artifacts")
	[[ -f "$dict" ]] && args+=(-dict="$dict")
	echo "fuzz-deep: $target: up to $RUNS execs or $SECONDS_MAX s"
	local start=$EPOCHREALTIME rc=0
	STAMP=$(mktemp "${TMPDIR:-/tmp}/fuzz-stamp.XXXXXX")
	"$bin" "${args[@]}" "$work" "$dir" >"$log" 2>&1 </dev/null || rc=$?
	local secs execs rate cov
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a + 0.5 }')
	execs=$(final_stat number_of_executed_units "$log")
	rate=$(final_stat average_exec_per_sec "$log")
	cov=$(coverage "$log")
	if [[ $rc -ne 0 || -z "$execs" ]]; then
		echo "fuzz-deep: $target FAILED (exit $rc) after ${execs:-?} execs; last lines of $log:"
		grep -v '^stat::' "$log" | tail -n 40 | sed 's/^/    /'
		echo "fuzz-deep: inputs kept (replay: $bin FILE):"
		find "$artifacts" -type f -newer "$STAMP" | sed 's/^/    /'
		return 1
	fi
	local added
	added=$(merge_back "$dir" "$work" "$bin" "$ROOT/build/fuzz/logs/$target.merge.log")
	echo "figure: $target $execs execs in $secs s, ${rate:-?} exec/s," \
		"corpus $(list_dir "$dir" | wc -l) inputs (+$added merged), ${cov:-cov: ? ft: ?}"
}

# Run every target given, then fail if any failed.
main() {
	[[ $# -ge 1 ]] || usage
	local t failed=()
	for t in "$@"; do
		deep_one "$t" || failed+=("$t")
	done
	if [[ ${#failed[@]} -gt 0 ]]; then
		echo "fuzz-deep: findings in: ${failed[*]}"
		return 1
	fi
	echo "fuzz-deep: $# targets, no finding"
}

main "$@"
