#!/usr/bin/env bash
# Test driver for `make check`: unit test binaries and QEMU e2e scenarios.
#
#   tests/run.sh [all|unit|fuzz|e2e]  (default all)
#   ONLY=REGEX tests/run.sh           run only tests whose name matches REGEX
#
# Unit tests are the executables build/tests/*_test, run one at a time; fuzz
# tests run each tests/fuzz/fuzz_*.c target for FUZZ_SECONDS (default 60) with
# tests/fuzz/run.sh, FUZZ_JOBS (default 2) at a time, and fail on any finding;
# e2e tests are the executable tests/e2e/*.sh (lib.sh, lib_*.sh and demo.sh
# excepted), E2E_JOBS (default 2) at a time: a fuzz target, like a QEMU boot
# (-smp 1), keeps one core busy. The kinds run one after the other. A
# scenario's header comment may hold lines that say how it shares the machine:
#   # e2e: alone        no other test runs beside it
#   # e2e: lock NAME    no other scenario whose header names NAME runs beside it
# A test waiting for a lock lets the tests after it start first; one waiting
# for a free slot or to run alone does not. Each test is one process exiting 0
# (pass) or not (fail). Prints the PASS/FAIL lines in the order of the list
# (each once it and every test before it ended), the output of failing tests,
# and last a single "N passed, N failed" line.
# TEST_TIMEOUT (seconds, default 900) bounds each test.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PASSED=0
FAILED=0
OUT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pxeroot-tests.XXXXXX")
trap 'rm -rf "$OUT_DIR"' EXIT
# The tests of this run in the order of the list, and per index: kind (unit,
# fuzz, e2e), whether it runs alone (1 or 0), the locks it names (words),
# state (pending, running, ended) and the PID of the process that runs it.
TESTS=()
KIND=()
ALONE=()
LOCKS=()
STATE=()
PIDS=()
# The indexes of the running tests; the index of the next test to report.
RUNNING=()
NEXT_REPORT=0

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

# Print the kind of test $1: fuzz, e2e or unit.
test_kind() {
	case "$1" in
	fuzz:*) echo fuzz ;;
	"$ROOT"/tests/e2e/*) echo e2e ;;
	*) echo unit ;;
	esac
}

# Print how many tests of kind $1 may run at a time.
kind_jobs() {
	case "$1" in
	fuzz) echo "${FUZZ_JOBS:-2}" ;;
	e2e) echo "${E2E_JOBS:-2}" ;;
	*) echo 1 ;;
	esac
}

# Print the words of the "# e2e: ..." lines in the header comment of scenario $1
# (the comment lines after its first line), one line each.
e2e_header() {
	awk 'NR > 1 && !/^#/ { exit } NR > 1 && sub(/^# e2e: /, "")' "$1"
}

# Record test $1 as index $2: its kind, and for a scenario whether it runs alone
# and the locks it names; exit 2 on a header line run.sh does not know.
add_test() {
	local t=$1 i=$2 word rest
	TESTS[i]=$t
	KIND[i]=$(test_kind "$t")
	ALONE[i]=0
	LOCKS[i]=""
	STATE[i]=pending
	[[ "${KIND[i]}" == e2e ]] || return 0
	while read -r word rest; do
		case "$word" in
		alone) ALONE[i]=1 ;;
		lock) LOCKS[i]+=" $rest" ;;
		*)
			echo "run.sh: ${t#"$ROOT"/}: unknown header line '# e2e: $word${rest:+ $rest}'" >&2
			exit 2
			;;
		esac
	done < <(e2e_header "$t")
}

# Start test index $1 in the background: its output into $OUT_DIR/NAME.out, its
# start and end times into NAME.start and NAME.end, the PID of its timeout into
# NAME.pid, last its exit status into NAME.rc.
start_one() {
	local i=$1 t=${TESTS[$1]} name
	name=$(test_name "$t")
	local cmd=("$t")
	[[ "$t" == fuzz:* ]] && cmd=("$ROOT/tests/fuzz/run.sh" "${t#fuzz:}" "${FUZZ_SECONDS:-60}")
	echo "$EPOCHREALTIME" >"$OUT_DIR/$name.start"
	(
		rc=0
		(cd "$ROOT" && exec timeout -k 10 "${TEST_TIMEOUT:-900}" "${cmd[@]}") </dev/null >"$OUT_DIR/$name.out" 2>&1 &
		echo "$!" >"$OUT_DIR/$name.pid"
		wait "$!" || rc=$?
		echo "$EPOCHREALTIME" >"$OUT_DIR/$name.end"
		echo "$rc" >"$OUT_DIR/$name.rc.new"
		mv "$OUT_DIR/$name.rc.new" "$OUT_DIR/$name.rc"
	) &
	PIDS[i]=$!
	STATE[i]=running
	RUNNING+=("$i")
}

# Whether test index $1 may start beside the running tests: 0 yes; 1 no, and no
# later test may start before it (no free slot for its kind, tests of another
# kind running, it or a running test runs alone); 2 no, but a later test may (a
# running scenario names one of its locks).
start_verdict() {
	local i=$1 j lock
	[[ ${#RUNNING[@]} -gt 0 ]] || return 0
	[[ ${ALONE[i]} -eq 0 && ${#RUNNING[@]} -lt $(kind_jobs "${KIND[i]}") ]] || return 1
	for j in "${RUNNING[@]}"; do
		[[ "${KIND[j]}" == "${KIND[i]}" && ${ALONE[j]} -eq 0 ]] || return 1
	done
	for lock in ${LOCKS[i]}; do
		for j in "${RUNNING[@]}"; do
			[[ " ${LOCKS[j]} " != *" $lock "* ]] || return 2
		done
	done
	return 0
}

# Start the pending tests that may start now, in the order of the list.
start_ready() {
	local i rc
	for ((i = NEXT_REPORT; i < ${#TESTS[@]}; i++)); do
		[[ "${STATE[i]}" == pending ]] || continue
		rc=0
		start_verdict "$i" || rc=$?
		case $rc in
		0) start_one "$i" ;;
		1) return 0 ;;
		esac
	done
}

# Wait until at least one running test has ended (its NAME.rc is there); mark
# each one that has as ended.
reap() {
	local i keep ended=0
	while [[ ${#RUNNING[@]} -gt 0 ]]; do
		keep=()
		for i in "${RUNNING[@]}"; do
			if [[ -e "$OUT_DIR/$(test_name "${TESTS[i]}").rc" ]]; then
				wait "${PIDS[i]}" || true
				STATE[i]=ended
				ended=1
			else
				keep+=("$i")
			fi
		done
		RUNNING=("${keep[@]}")
		[[ $ended -eq 0 ]] || return 0
		sleep 0.2
	done
}

# Print the PASS/FAIL line of the ended test $1 with its seconds from start to
# end (and its output on failure), count it.
report_one() {
	local name secs rc
	name=$(test_name "$1")
	rc=$(cat "$OUT_DIR/$name.rc")
	secs=$(awk -v a="$(cat "$OUT_DIR/$name.start")" -v b="$(cat "$OUT_DIR/$name.end")" 'BEGIN { printf "%d", b - a + 0.5 }')
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

# Report, in the order of the list, each ended test whose predecessors are all reported.
report_ready() {
	while [[ $NEXT_REPORT -lt ${#TESTS[@]} && "${STATE[NEXT_REPORT]}" == ended ]]; do
		report_one "${TESTS[NEXT_REPORT]}"
		NEXT_REPORT=$((NEXT_REPORT + 1))
	done
}

# On INT or TERM: pass TERM to the running tests' timeout (which hands it to
# the test, so that a scenario cleans up after itself), wait for them, exit $1.
stop_running() {
	local i pidfile
	for i in "${RUNNING[@]}"; do
		pidfile="$OUT_DIR/$(test_name "${TESTS[i]}").pid"
		if [[ -s "$pidfile" ]]; then
			kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
		fi
	done
	wait || true
	exit "$1"
}

# Run tests $@: each kind in turn, as many at a time as kind_jobs says, as the
# scenarios' headers allow; report them in order.
run_tests() {
	local i=0 t
	for t in "$@"; do
		add_test "$t" "$i"
		i=$((i + 1))
	done
	trap 'stop_running 130' INT
	trap 'stop_running 143' TERM
	while [[ $NEXT_REPORT -lt ${#TESTS[@]} ]]; do
		start_ready
		reap
		report_ready
	done
}

# Run the selected tests and print the summary line.
main() {
	local kind=${1:-all} tests=() jobs
	case "$kind" in
	all | unit | fuzz | e2e) ;;
	*)
		echo "usage: $0 [all|unit|fuzz|e2e]   (ONLY=REGEX filters by name)" >&2
		exit 2
		;;
	esac
	for jobs in "${FUZZ_JOBS:-2}" "${E2E_JOBS:-2}"; do
		[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || {
			echo "$0: FUZZ_JOBS and E2E_JOBS are numbers of tests at a time (1 or more)" >&2
			exit 2
		}
	done
	mapfile -t tests < <(select_tests "$kind")
	[[ ${#tests[@]} -gt 0 ]] || echo "note: no tests selected (kind $kind${ONLY:+, ONLY=$ONLY})"
	run_tests "${tests[@]}"
	echo "$PASSED passed, $FAILED failed"
	[[ $FAILED -eq 0 ]]
}

main "$@"
