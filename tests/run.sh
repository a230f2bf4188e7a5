#!/usr/bin/env bash
# Test driver for `make check`: unit test binaries and QEMU e2e scenarios.
#
#   tests/run.sh [all|unit|fuzz|e2e]  (default all)
#   ONLY=REGEX tests/run.sh           run only tests whose name matches REGEX
#
# Unit tests are the executables build/tests/*_test; e2e tests are the
# executable tests/e2e/*.sh (lib.sh and demo.sh excepted); fuzz tests run each
# tests/fuzz/fuzz_*.c target for FUZZ_SECONDS (default 60) with tests/fuzz/run.sh,
# FUZZ_JOBS (default 2) at a time, and fail on any finding. Each test is one
# process exiting 0 (pass) or not (fail). Prints PASS/FAIL lines, the output of
# failing tests, and last a single "N passed, N failed" line.
# TEST_TIMEOUT (seconds, default 900) bounds each test.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PASSED=0
FAILED=0
OUT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pxeroot-tests.XXXXXX")
trap 'rm -rf "$OUT_DIR"' EXIT

# Print the name of test $1: its file name without a .sh suffix.
test_name() {
	local name=${1##*/}
	name=${name#fuzz:}
	echo "${name%.sh}"
}

# Print the unit test executables, one per line.
unit_tests() {
	local t
	for t in "$ROOT"/build/tests/*_test; do
		[[ -f "$t" && -x "$t" ]] && echo "$t"
	done
	return 0
}

# Print the e2e scenario scripts, one per line.
e2e_tests() {
	local t
	for t in "$ROOT"/tests/e2e/*.sh; do
		case "${t##*/}" in lib.sh | lib_*.sh | demo.sh) continue ;; esac
		[[ -f "$t" && -x "$t" ]] && echo "$t"
	done
	return 0
}

# Print the fuzz targets as "fuzz:NAME", one per line.
fuzz_tests() {
	local t
	for t in "$ROOT"/tests/fuzz/fuzz_*.c; do
		[[ -f "$t" ]] || continue
		t=${t##*/}
		echo "fuzz:${t%.c}"
	done
	return 0
}

# Print the tests of kind $1 (all, unit, fuzz or e2e) that match ONLY.
select_tests() {
	local kind=$1 t
	{
		if [[ "$kind" == all || "$kind" == unit ]]; then unit_tests; fi
		if [[ "$kind" == all || "$kind" == fuzz ]]; then fuzz_tests; fi
		if [[ "$kind" == all || "$kind" == e2e ]]; then e2e_tests; fi
	} | while IFS= read -r t; do
		if [[ -z "${ONLY:-}" ]] || [[ "$(test_name "$t")" =~ $ONLY ]]; then
			echo "$t"
		fi
	done
}

# Start test $1 in the background: its output into $OUT_DIR/NAME.out, its exit status into
# NAME.rc, its start time into NAME.start.
start_one() {
	local t=$1 name
	name=$(test_name "$t")
	local cmd=("$t")
	[[ "$t" == fuzz:* ]] && cmd=("$ROOT/tests/fuzz/run.sh" "${t#fuzz:}" "${FUZZ_SECONDS:-60}")
	echo "$EPOCHREALTIME" >"$OUT_DIR/$name.start"
	(
		rc=0
		(cd "$ROOT" && timeout -k 10 "${TEST_TIMEOUT:-900}" "${cmd[@]}") </dev/null >"$OUT_DIR/$name.out" 2>&1 || rc=$?
		echo "$rc" >"$OUT_DIR/$name.rc"
	) &
}

# Print the PASS/FAIL line of the ended test $1 (and its output on failure), count it.
report_one() {
	local name secs rc
	name=$(test_name "$1")
	rc=$(cat "$OUT_DIR/$name.rc")
	secs=$(awk -v a="$(cat "$OUT_DIR/$name.start")" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", b - a + 0.5 }')
	if [[ $rc -eq 0 ]]; then
		echo "PASS $name (${secs}s)"
		grep '^figure: ' "$OUT_DIR/$name.out" | sed 's/^/    /' || true
		PASSED=$((PASSED + 1))
	else
		echo "FAIL $name (${secs}s)"
		[[ $rc -eq 124 ]] && echo "    (killed after ${TEST_TIMEOUT:-900} s)"
		grep '^not ok' "$OUT_DIR/$name.out" | sed "s/^/    failed: /" || true
		sed 's/^/    /' "$OUT_DIR/$name.out"
		FAILED=$((FAILED + 1))
	fi
}

# Wait for the running tests (BATCH), then report each in order.
flush() {
	local b
	wait
	for b in "${BATCH[@]}"; do report_one "$b"; done
	BATCH=()
}

# Run tests $@: fuzz targets (each one busy core) FUZZ_JOBS at a time, every other test alone.
run_tests() {
	local t
	BATCH=()
	for t in "$@"; do
		if [[ "$t" != fuzz:* || ${#BATCH[@]} -ge ${FUZZ_JOBS:-2} ]]; then
			flush
		fi
		start_one "$t"
		BATCH+=("$t")
		[[ "$t" == fuzz:* ]] || flush
	done
	flush
}

# Run the selected tests and print the summary line.
main() {
	local kind=${1:-all} tests=()
	case "$kind" in
	all | unit | fuzz | e2e) ;;
	*)
		echo "usage: $0 [all|unit|fuzz|e2e]   (ONLY=REGEX filters by name)" >&2
		exit 2
		;;
	esac
	mapfile -t tests < <(select_tests "$kind")
	[[ ${#tests[@]} -gt 0 ]] || echo "note: no tests selected (kind $kind${ONLY:+, ONLY=$ONLY})"
	run_tests "${tests[@]}"
	echo "$PASSED passed, $FAILED failed"
	[[ $FAILED -eq 0 ]]
}

main "$@"
