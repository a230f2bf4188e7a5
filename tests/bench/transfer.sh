#!/usr/bin/env bash
# Benchmark: is pxeroot's download as fast as curl's, and what does a broken
# connection cost? A random 1 GiB file (cached in build/bench/transfer/), served
# by nginx on 127.0.0.1 and downloaded into a tmpfs, three ways:
#   (a) curl:       curl -o FILE URL;
#   (b) pxeroot:    build/pxeroot fetch URL FILE;
#   (c) with cuts:  the same pxeroot fetch through cutproxy (tests/tools/cutproxy.c)
#                   with --cuts 3, offsets drawn in [64, 900] MiB scaled to BENCH_MIB/1024:
#                   pxeroot must resume after each cut. The seed is the first from
#                   BENCH_SEED on whose three offsets add up to less than the file
#                   (each resumed connection carries the rest only, so only then do
#                   all three cuts happen); every round uses the same offsets.
#
#   tests/bench/transfer.sh    BENCH_RUNS=N (default 3) rounds; BENCH_MIB=N (default 1024);
#                              BENCH_SEED=N (default 1); BENCH_PXEROOT=PATH instead
#                              of build/pxeroot
#
# Prints every time, then (best of the rounds)
#   figure: curl X s; pxeroot Y s; throughput ratio curl/pxeroot R (target >= 0.95)
#   figure: pxeroot with N cuts Z s; time lost per cut L s ((Z - Y) / N)
# Every downloaded file is compared with the original. A failed run is reported
# with its exit status and the last lines of its output, the other runs go on,
# and the script exits 1 at the end; the ratios themselves are not enforced.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
# shellcheck source=tests/e2e/lib_transfer.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib_transfer.sh"
# shellcheck source=tests/bench/lib_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_bench.sh"

BENCH_DIR="$LAB_ROOT/build/bench/transfer"
BENCH_SRC=""
PXEROOT=${BENCH_PXEROOT:-$LAB_ROOT/build/pxeroot}
RUN_LOG=""
RUN_CUTS=0
BENCH_T=""
BENCH_MIB_N=1024
CUT_MIN=0
CUT_MAX=0
CUT_SEED=""

# Make (once) the random file of $1 MiB as build/bench/transfer/www/big.bin; set BENCH_SRC.
bench_make_file() {
	local mib=$1
	BENCH_SRC="$BENCH_DIR/www/big.bin"
	mkdir -p "$BENCH_DIR/www"
	if [[ ! -f "$BENCH_SRC" || "$(stat -c %s "$BENCH_SRC")" -ne $((mib * 1048576)) ]]; then
		lab_note "making a random $mib MiB file in $BENCH_SRC"
		head -c "$((mib * 1048576))" /dev/urandom >"$BENCH_SRC.tmp"
		mv -f "$BENCH_SRC.tmp" "$BENCH_SRC"
	fi
}

# Case (a): curl.
bench_curl() {
	curl -sSf -o "$BENCH_DST" "http://127.0.0.1:$HTTP_PORT/big.bin"
}

# Case (b): pxeroot fetch.
bench_pxeroot() {
	"$PXEROOT" fetch "http://127.0.0.1:$HTTP_PORT/big.bin" "$BENCH_DST"
}

# Case (c): pxeroot fetch through the cutproxy that bench_time started for it
# (3 cuts, the same offsets every round); bench_time sets RUN_CUTS after it.
bench_cuts() {
	"$PXEROOT" fetch "http://127.0.0.1:$CUTPROXY_PORT/big.bin" "$BENCH_DST"
}

# Set CUT_MIN and CUT_MAX ([64, 900] MiB scaled to $1 MiB) and CUT_SEED: the
# first seed from BENCH_SEED on (1000 tried) whose three offsets add up to less
# than the file minus 1 MiB (room for the HTTP headers).
bench_pick_seed() {
	local mib=$1 seed sum
	CUT_MIN=$((64 * 1048576 * mib / 1024))
	CUT_MAX=$((900 * 1048576 * mib / 1024))
	for ((seed = ${BENCH_SEED:-1}; seed < ${BENCH_SEED:-1} + 1000; seed++)); do
		sum=$("$LAB_ROOT/build/tests/cutproxy" --print-cuts --seed "$seed" --cuts 3 --min "$CUT_MIN" --max "$CUT_MAX" |
			awk '{ s += $1 } END { printf "%.0f\n", s }')
		if [[ $sum -lt $(((mib - 1) * 1048576)) ]]; then
			CUT_SEED=$seed
			lab_note "cuts: seed $seed, offsets $("$LAB_ROOT/build/tests/cutproxy" --print-cuts --seed "$seed" --cuts 3 \
				--min "$CUT_MIN" --max "$CUT_MAX" | paste -sd ' ') bytes"
			return 0
		fi
	done
	lab_die "no seed in ${BENCH_SEED:-1}..$((${BENCH_SEED:-1} + 999)) gives 3 cuts within $mib MiB"
}

# Start the cutproxy of case (c).
bench_cutproxy_start() {
	cutproxy_start --cuts 3 --seed "$CUT_SEED" --min "$CUT_MIN" --max "$CUT_MAX"
}

# Report a failed run of $1 (exit status $2, output in RUN_LOG): the status and
# the last lines of what it printed, on stdout.
bench_report_failure() {
	echo "# $1 failed: exit status $2; last lines of its output:"
	tail -n 15 "$RUN_LOG" | tr '\r' '\n' | tail -n 15 | sed 's/^/#   /'
	if [[ "$1" == bench_cuts && -n "$CUTPROXY_LOG" ]]; then
		echo "# cutproxy's log:"
		sed 's/^/#   /' "$CUTPROXY_LOG"
	fi
}

# Run case function $1 on an empty destination, output to RUN_LOG, and check
# the file; set BENCH_T to its wall time in seconds (3 decimals), or to
# "failed" after a report of the failure.
bench_time() {
	local fn=$1 start end rc=0
	bench_clear
	RUN_LOG="$LAB_TMP/$fn.log"
	[[ "$fn" == bench_cuts ]] && bench_cutproxy_start
	start=$EPOCHREALTIME
	"$fn" </dev/null >"$RUN_LOG" 2>&1 || rc=$?
	end=$EPOCHREALTIME
	if [[ $rc -eq 0 ]] && ! cmp -s "$BENCH_DST" "$BENCH_SRC"; then
		echo "the downloaded file differs from the original ($(stat -c %s "$BENCH_DST" 2>/dev/null || echo no) bytes)" >>"$RUN_LOG"
		rc=99
	fi
	if [[ "$fn" == bench_cuts ]]; then
		RUN_CUTS=$(cutproxy_cuts)
		cutproxy_stop
	fi
	if [[ $rc -ne 0 ]]; then
		bench_report_failure "$fn" "$rc"
		BENCH_T=failed
		return 0
	fi
	BENCH_T=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
}

# Print the smallest of the arguments that are numbers, or "failed" when none is.
bench_min() {
	local best
	best=$(printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g | head -n 1) || true
	echo "${best:-failed}"
}

# Print $1 / $2 with two decimals, or "n/a" when either failed.
bench_ratio() {
	[[ "$1" == failed || "$2" == failed ]] && { echo n/a; return 0; }
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}

# Print ($1 - $2) / $3 with three decimals, or "failed" when a run failed or $3 is 0.
bench_per_cut() {
	[[ "$1" == failed || "$2" == failed || "$3" -eq 0 ]] && { echo failed; return 0; }
	awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.3f", (a - b) / n }'
}

# Print time $1 as "T s", or "failed".
bench_s() {
	[[ "$1" == failed ]] && echo failed || echo "$1 s"
}

# Print the number of runs in the arguments that failed.
bench_failures() {
	printf '%s\n' "$@" | grep -c '^failed$' || true
}

# Prepare, run BENCH_RUNS rounds of the three cases, print the figures.
main() {
	local runs=${BENCH_RUNS:-3} run curl=() pxe=() cut=() a b c ncuts=0 fails
	BENCH_MIB_N=${BENCH_MIB:-1024}
	lab_tmpdir
	trap bench_cleanup EXIT
	lab_need curl cmp mountpoint
	[[ $EUID -eq 0 ]] || lab_die "mounting the tmpfs needs root"
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	transfer_tool_build cutproxy
	bench_pick_seed "$BENCH_MIB_N"
	bench_make_file "$BENCH_MIB_N"
	bench_mount_tmpfs "$((BENCH_MIB_N * 6 / 5 + 8))" big.bin
	nginx_start "$BENCH_DIR/www"
	# One untimed download so that the file is in the page cache for every case.
	bench_time bench_curl
	[[ "$BENCH_T" != failed ]] || lab_die "the warm-up curl download failed"
	for ((run = 1; run <= runs; run++)); do
		bench_time bench_curl
		curl+=("$BENCH_T")
		bench_time bench_pxeroot
		pxe+=("$BENCH_T")
		bench_time bench_cuts
		cut+=("$BENCH_T")
		[[ "$BENCH_T" == failed ]] || ncuts=$RUN_CUTS
		echo "round $run: curl $(bench_s "${curl[-1]}"), pxeroot $(bench_s "${pxe[-1]}"), pxeroot with cuts $(bench_s "${cut[-1]}") ($RUN_CUTS cuts)"
	done
	bench_clear
	echo "all: curl ${curl[*]}; pxeroot ${pxe[*]}; pxeroot with cuts ${cut[*]} (s, $BENCH_MIB_N MiB)"
	a=$(bench_min "${curl[@]}")
	b=$(bench_min "${pxe[@]}")
	c=$(bench_min "${cut[@]}")
	echo "figure: curl $(bench_s "$a"); pxeroot $(bench_s "$b"); throughput ratio curl/pxeroot $(bench_ratio "$a" "$b") (target >= 0.95)"
	echo "figure: pxeroot with $ncuts cuts $(bench_s "$c"); time lost per cut $(bench_s "$(bench_per_cut "$c" "$b" "$ncuts")")"
	fails=$(bench_failures "${curl[@]}" "${pxe[@]}" "${cut[@]}")
	if [[ $fails -ne 0 ]]; then
		echo "not ok - $fails of $((3 * runs)) runs failed (see above)"
		exit 1
	fi
}

main "$@"
