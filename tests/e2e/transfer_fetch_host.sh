#!/usr/bin/env bash
# The transfer policy on the host, with `pxeroot fetch` (no QEMU): resume
# through 3 cuts (each resume at the byte the cut left, file identical,
# checksum ok), a server that ignores ranges (nginx max_ranges 0: started over,
# then complete), a server that answers the range request with 416 (started
# over, then complete), a server that sends more than the size it announced
# (httpfault: refused every time, no file left), the overall deadline
# (--timeout) against a black hole, and a 404 that is not retried.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_transfer.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_transfer.sh"

# Whether $1 is not empty and equal to $2.
# shellcheck disable=SC2317  # run by expect_ok
same_words() {
	[[ -n "$1" && "$1" == "$2" ]]
}

# Assert the resume offsets equal the bytes each cut left the client ($1 = log).
resumes_at_cuts() {
	local log=$1 got want
	got=$(sed -n 's/.*: resumed at byte \([0-9]*\) .*/\1/p' "$log" | tr '\n' ' ')
	want=$(sed -n 's/.*(attempt [0-9]*, \([0-9]*\) bytes so far).*/\1/p' "$log" | tr '\n' ' ')
	expect_ok "resumes start where the cuts left off ($got/ $want)" same_words "$got" "$want"
}

# Fetch img.sfs of directory $1 (served by the last nginx) through cutproxy with
# $4 cuts into file $3, --checksum; check that it succeeded, sha512 ok, and the
# file is identical; $2 labels the checks.
fetch_through_cuts() {
	local www=$1 label=$2 name=$3 cuts=$4
	cutproxy_start --seed 3 --cuts "$cuts" --min 1m --max 12m
	run_fetch "http://127.0.0.1:$CUTPROXY_PORT/img.sfs" "$name" --checksum
	cutproxy_stop
	lab_assert "$FETCH_RC" "$label: pxeroot fetch exits 0"
	expect_line "$LAB_TMP/$name.log" 'sha512 ok' "$label: sha512 ok"
	expect_ok "$label: the file is identical" cmp -s "$www/img.sfs" "$LAB_TMP/out/$name"
}

# With nginx serving directory $1 as the NGINX_* variables set it up, fetch through
# one cut into file $3 and check that pxeroot started over ($4, the line saying
# why) and still got the file whole; $2 labels the checks.
restart_case() {
	local www=$1 label=$2 name=$3 re=$4
	nginx_start "$www"
	fetch_through_cuts "$www" "$label" "$name" 1
	expect_line "$LAB_TMP/$name.log" "$re" "$label: started over, saying why"
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

	fetch_through_cuts "$www" "3 cuts" cuts.sfs 3
	expect_line "$LAB_TMP/cuts.sfs.log" 'complete after 4 attempts' "3 cuts: complete on the 4th attempt"
	resumes_at_cuts "$LAB_TMP/cuts.sfs.log"

	NGINX_HTTP_EXTRA="max_ranges 0;" restart_case "$www" "no ranges" norange.sfs \
		'does not resume \(HTTP 200 to a range request\); starting over'
	# shellcheck disable=SC2016  # $http_range is nginx's variable
	NGINX_SERVER_EXTRA='if ($http_range) { return 416; }' restart_case "$www" 416 r416.sfs \
		'has no byte [0-9]+ any more \(HTTP 416\); starting over'

	httpfault_start "$www/img.sfs" --extra 65536
	run_fetch "http://127.0.0.1:$HTTPFAULT_PORT/img.sfs" extra.sfs --retries 2
	expect_ok "extra data: pxeroot fetch exits 1" test "$FETCH_RC" -eq 1
	expect_line "$HTTPFAULT_LOG" '^httpfault: GET bytes=[0-9]+ -> 206, [0-9]+ bytes sent$' "extra data: the server sent a resumed answer"
	expect_line "$LAB_TMP/extra.sfs.log" 'resumed at byte 20709376 ' "extra data: resumed 256 KiB before the early end (the newest bytes of a broken attempt are asked for again)"
	expect_line "$LAB_TMP/extra.sfs.log" 'more data than the 41943040 bytes announced' "extra data: refused, the cause named"
	expect_no_line "$LAB_TMP/extra.sfs.log" "complete after" "extra data: never taken as complete"
	expect_ok "extra data: no file left" test ! -e "$LAB_TMP/out/extra.sfs"

	cutproxy_start --blackhole --upstream 127.0.0.1:9
	run_fetch "http://127.0.0.1:$CUTPROXY_PORT/img.sfs" deadline.sfs --timeout 2 --stall-timeout 30
	cutproxy_stop
	expect_ok "deadline: pxeroot fetch exits 1" test "$FETCH_RC" -eq 1
	expect_line "$LAB_TMP/deadline.sfs.log" 'img\.sfs: not done after 2 s \(pxeroot\.timeout=\)$' "deadline: the line names pxeroot.timeout="
	expect_ok "deadline: no file left" test ! -e "$LAB_TMP/out/deadline.sfs"

	run_fetch "http://127.0.0.1:$good/none.sfs" missing.sfs
	expect_ok "404: pxeroot fetch exits 1" test "$FETCH_RC" -eq 1
	expect_line "$LAB_TMP/missing.sfs.log" 'none\.sfs: HTTP 404$' "404: named"
	expect_no_line "$LAB_TMP/missing.sfs.log" 'attempt' "404: not retried"
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
