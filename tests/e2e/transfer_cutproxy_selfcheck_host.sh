#!/usr/bin/env bash
# The transfer lab itself, on the host, without a VM: cutproxy (tests/tools/cutproxy.c)
# in front of nginx serving a random 40 MiB file.
#   - a small file on its own connection passes and uses no cut;
#   - with --cuts 3 a plain curl breaks after exactly the first offset (headers
#     plus body), `curl -C -` repeated up to 5 times completes the file, its
#     sha256 is the original's, and the log shows exactly 3 cuts;
#   - the same --seed, --min and --max cut at the same offset again;
#   - --blackhole: curl -m 2 times out (exit 28);
#   - --swap NEW:LIVE: the file is replaced at the first cut, the next download
#     returns the new content.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_transfer.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_transfer.sh"

SEED=42
CUT_MIN=1m
CUT_MAX=12m # three cuts of at most 12 MiB each fit in the 40 MiB file, so all happen
FIRST_CUT=""

# Print the size of file $1 in bytes (0 when it is missing).
size_of() {
	stat -c %s "$1" 2>/dev/null || echo 0
}

# Print the byte count of the first cut in the log of the last cutproxy.
first_cut_bytes() {
	sed -n 's/^cutproxy: cut connection [0-9]* after \([0-9]*\) bytes .*/\1/p' "$CUTPROXY_LOG" | head -n 1
}

# Run curl with the arguments given, quietly; print its exit status.
curl_rc() {
	local rc=0
	curl -sS "$@" 2>>"$LAB_TMP/curl.err" || rc=$?
	echo "$rc"
}

# Whether the first cut is known (FIRST_CUT) and $1 bytes is where it was.
# shellcheck disable=SC2317  # run by expect_ok
at_first_cut() {
	[[ -n "$FIRST_CUT" && "$1" == "$FIRST_CUT" ]]
}

# A small file fetched on its own connection passes and uses no cut.
check_small_passes() {
	local rc
	rc=$(curl_rc -f -o "$LAB_TMP/small.out" "http://127.0.0.1:$CUTPROXY_PORT/small.bin")
	[[ $rc -eq 0 ]] && cmp -s "$LAB_TMP/small.out" "$WEBROOT/small.bin" || rc=1
	lab_assert "$rc" "a 64 KiB file passes through the proxy unchanged"
	rc=0
	[[ "$(cutproxy_cuts)" -eq 0 ]] || rc=1
	lab_assert "$rc" "a connection that ends before the offset uses no cut (cuts: $(cutproxy_cuts))"
}

# With --cuts 3: a plain curl breaks after exactly the first offset; curl -C -
# completes the file in at most 5 more attempts; exactly 3 cuts.
check_cuts() {
	local url out=$LAB_TMP/big.out rc try got
	cutproxy_start --seed "$SEED" --cuts 3 --min "$CUT_MIN" --max "$CUT_MAX"
	LAB_LAST_LOG=$CUTPROXY_LOG
	check_small_passes
	url="http://127.0.0.1:$CUTPROXY_PORT/big.bin"
	rc=$(curl_rc -f -D "$LAB_TMP/big.hdr" -o "$out" "$url")
	expect_ok "a plain curl through --cuts 3 fails (exit $rc)" test "$rc" -ne 0
	FIRST_CUT=$(first_cut_bytes)
	got=$(($(size_of "$LAB_TMP/big.hdr") + $(size_of "$out")))
	expect_ok "the client got exactly the cut's bytes before the reset (headers + body $got, cut ${FIRST_CUT:-none})" \
		at_first_cut "$got"
	for ((try = 1; try <= 5; try++)); do
		rc=$(curl_rc -f -C - -o "$out" "$url")
		[[ $rc -eq 0 ]] && break
		lab_note "curl -C - attempt $try: exit $rc, $(size_of "$out") bytes so far"
	done
	lab_assert "$rc" "curl -C - completes the file within 5 attempts (attempt $try, exit $rc)"
	got=$(sha256sum <"$out" | cut -d' ' -f1)
	expect_ok "the resumed file's sha256 is the original's" test "$got" = "$BIG_SHA"
	expect_ok "the proxy log shows exactly 3 cuts (it shows $(cutproxy_cuts))" test "$(cutproxy_cuts)" -eq 3
	expect_line "$CUTPROXY_LOG" '^cutproxy: cut connection [0-9]+ after [0-9]+ bytes \(cut 3 of 3\)$' "the third cut is logged as cut 3 of 3"
	expect_line "$CUTPROXY_LOG" '^cutproxy: connection [0-9]+ from 127\.0\.0\.1:[0-9]+$' "connections are logged"
	cutproxy_stop
}

# --blackhole: nothing answers, curl -m 2 times out, the connection stays open.
check_blackhole() {
	local rc start secs
	cutproxy_start --blackhole
	LAB_LAST_LOG=$CUTPROXY_LOG
	start=$EPOCHREALTIME
	rc=$(curl_rc -o /dev/null -m 2 "http://127.0.0.1:$CUTPROXY_PORT/big.bin")
	secs=$(lab_elapsed "$start")
	expect_ok "curl -m 2 through --blackhole times out (exit $rc after $secs s)" test "$rc" -eq 28
	expect_line "$CUTPROXY_LOG" '^cutproxy: connection 1 from ' "the blackhole accepted the connection"
	cutproxy_stop
}

# --swap: at the first cut the file is replaced; the next download (no cut
# left) returns the new content. The same seed and bounds cut at the same offset.
check_swap() {
	local url rc got
	head -c $((16 << 20)) /dev/urandom >"$WEBROOT/swap.bin"
	head -c $((16 << 20)) /dev/urandom >"$LAB_TMP/swap.new"
	got=$(sha256sum <"$LAB_TMP/swap.new" | cut -d' ' -f1)
	cutproxy_start --seed "$SEED" --cuts 1 --min "$CUT_MIN" --max "$CUT_MAX" --swap "$LAB_TMP/swap.new:$WEBROOT/swap.bin"
	LAB_LAST_LOG=$CUTPROXY_LOG
	url="http://127.0.0.1:$CUTPROXY_PORT/swap.bin"
	rc=$(curl_rc -f -o "$LAB_TMP/swap1.out" "$url")
	expect_ok "the first download of swap.bin is cut (exit $rc)" test "$rc" -ne 0
	expect_ok "the same seed and bounds cut at the same offset ($(first_cut_bytes) and $FIRST_CUT)" \
		at_first_cut "$(first_cut_bytes)"
	expect_line "$CUTPROXY_LOG" "^cutproxy: swap $(lab_re_escape "$LAB_TMP/swap.new") -> $(lab_re_escape "$WEBROOT/swap.bin")\$" "the swap is logged"
	rc=$(curl_rc -f -o "$LAB_TMP/swap2.out" "$url")
	lab_assert "$rc" "the second download passes (exit $rc)"
	expect_ok "the second download returns the new content" \
		test "$(sha256sum <"$LAB_TMP/swap2.out" | cut -d' ' -f1)" = "$got"
	cutproxy_stop
}

# Make the files, serve them, run every check.
main() {
	lab_tmpdir
	lab_need curl sha256sum cmp
	transfer_tool_build cutproxy
	WEBROOT="$LAB_TMP/www"
	mkdir -p "$WEBROOT"
	head -c $((40 << 20)) /dev/urandom >"$WEBROOT/big.bin"
	head -c 65536 /dev/urandom >"$WEBROOT/small.bin"
	BIG_SHA=$(sha256sum <"$WEBROOT/big.bin" | cut -d' ' -f1)
	nginx_start "$WEBROOT"
	check_cuts
	check_blackhole
	check_swap
	if [[ $LAB_FAILED -ne 0 && -s "$LAB_TMP/curl.err" ]]; then
		echo "# curl said:"
		sed 's/^/#   /' "$LAB_TMP/curl.err"
	fi
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
