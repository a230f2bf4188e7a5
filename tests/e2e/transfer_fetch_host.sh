#!/usr/bin/env bash
# The transfer policy on the host, with `pxeroot fetch` (no QEMU): resume
# through 3 cuts (each resume at the byte the cut left, file identical,
# checksum ok), a server that ignores ranges (nginx max_ranges 0: started over,
# then complete), the overall deadline (--timeout) against a black hole, and
# a 404 that is not retried.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_transfer.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_transfer.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"

# Run pxeroot fetch $1 into $LAB_TMP/out/$2 with the flags $3...; log in $LAB_TMP/$2.log,
# exit status in FETCH_RC.
run_fetch() {
	local url=$1 name=$2
	shift 2
	mkdir -p "$LAB_TMP/out"
	FETCH_RC=0
	"$PXEROOT" fetch "$url" "$LAB_TMP/out/$name" "$@" >"$LAB_TMP/$name.log" 2>&1 </dev/null || FETCH_RC=$?
	LAB_LAST_LOG="$LAB_TMP/$name.log"
}

# Assert the resume offsets equal the bytes each cut left the client ($1 = log).
resumes_at_cuts() {
	local log=$1 got want
	got=$(sed -n 's/.*: resumed at byte \([0-9]*\) .*/\1/p' "$log" | tr '\n' ' ')
	want=$(sed -n 's/.*(attempt [0-9]*, \([0-9]*\) bytes so far).*/\1/p' "$log" | tr '\n' ' ')
	lab_assert "$([[ -n "$got" && "$got" == "$want" ]] && echo 0 || echo 1)" "resumes start where the cuts left off ($got/ $want)"
}

main() {
	local www
	lab_tmpdir
	www="$LAB_TMP/www"
	mkdir -p "$www"
	head -c 40M /dev/urandom >"$www/img.sfs"
	(cd "$www" && sha512sum img.sfs >img.sha512)
	nginx_start "$www"
	local good=$HTTP_PORT

	cutproxy_start --seed 3 --cuts 3 --min 1m --max 12m
	run_fetch "http://127.0.0.1:$CUTPROXY_PORT/img.sfs" cuts.sfs --checksum
	cutproxy_stop
	lab_assert "$FETCH_RC" "3 cuts: pxeroot fetch exits 0"
	expect_line "$LAB_TMP/cuts.sfs.log" 'complete after 4 attempts' "3 cuts: complete on the 4th attempt"
	resumes_at_cuts "$LAB_TMP/cuts.sfs.log"
	expect_line "$LAB_TMP/cuts.sfs.log" 'sha512 ok' "3 cuts: sha512 ok"
	lab_assert "$(cmp -s "$www/img.sfs" "$LAB_TMP/out/cuts.sfs" && echo 0 || echo 1)" "3 cuts: the file is identical"

	NGINX_HTTP_EXTRA="max_ranges 0;" nginx_start "$www"
	cutproxy_start --seed 3 --cuts 1 --min 1m --max 12m
	run_fetch "http://127.0.0.1:$CUTPROXY_PORT/img.sfs" norange.sfs --checksum
	cutproxy_stop
	lab_assert "$FETCH_RC" "no ranges: pxeroot fetch exits 0"
	expect_line "$LAB_TMP/norange.sfs.log" 'does not resume \(HTTP 200 to a range request\); starting over' "no ranges: started over, saying why"
	expect_line "$LAB_TMP/norange.sfs.log" 'sha512 ok' "no ranges: sha512 ok"
	lab_assert "$(cmp -s "$www/img.sfs" "$LAB_TMP/out/norange.sfs" && echo 0 || echo 1)" "no ranges: the file is identical"

	cutproxy_start --blackhole --upstream 127.0.0.1:9
	run_fetch "http://127.0.0.1:$CUTPROXY_PORT/img.sfs" deadline.sfs --timeout 2 --stall-timeout 30
	cutproxy_stop
	lab_assert "$([[ $FETCH_RC -eq 1 ]] && echo 0 || echo 1)" "deadline: pxeroot fetch exits 1"
	expect_line "$LAB_TMP/deadline.sfs.log" 'img\.sfs: not done after 2 s \(pxeroot\.timeout=\)$' "deadline: the line names pxeroot.timeout="
	lab_assert "$([[ ! -e "$LAB_TMP/out/deadline.sfs" ]] && echo 0 || echo 1)" "deadline: no file left"

	run_fetch "http://127.0.0.1:$good/none.sfs" missing.sfs
	lab_assert "$([[ $FETCH_RC -eq 1 ]] && echo 0 || echo 1)" "404: pxeroot fetch exits 1"
	expect_line "$LAB_TMP/missing.sfs.log" 'none\.sfs: HTTP 404$' "404: named"
	expect_no_line "$LAB_TMP/missing.sfs.log" 'attempt' "404: not retried"
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
