#!/usr/bin/env bash
# A resume never carries one mirror's validator to another, on the host with
# `pxeroot fetch --mirror` (no QEMU): the first mirror (httpfault
# --refuse-ranges) cuts the download half-way, then answers the range request
# with 503; the second (nginx, logging If-Range and Range) is asked for the
# file from zero, with no If-Range, and the file is identical.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_transfer.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_transfer.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"
FETCH_RC=0

# Start nginx serving directory $1 with an access log ($LAB_TMP/ifrange.log)
# that records each request's If-Range and Range headers; set IFRANGE_LOG.
nginx_ifrange_start() {
	IFRANGE_LOG="$LAB_TMP/ifrange.log"
	# shellcheck disable=SC2016  # nginx's variables
	NGINX_HTTP_EXTRA='log_format ifrange "$request_method $uri $status if_range=[$http_if_range] range=[$http_range]";' \
		NGINX_SERVER_EXTRA="access_log $IFRANGE_LOG ifrange;" nginx_start "$1"
}

main() {
	local www log
	lab_tmpdir
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	www="$LAB_TMP/www"
	mkdir -p "$www" "$LAB_TMP/out"
	head -c 4M /dev/urandom >"$www/img.sfs"
	nginx_ifrange_start "$www"
	httpfault_start "$www/img.sfs" --refuse-ranges
	log="$LAB_TMP/fetch.log"
	"$PXEROOT" fetch "http://127.0.0.1:$HTTPFAULT_PORT/img.sfs" "$LAB_TMP/out/img.sfs" \
		--mirror "http://127.0.0.1:$HTTP_PORT/" >"$log" 2>&1 </dev/null || FETCH_RC=$?
	LAB_LAST_LOG=$log
	lab_assert "$FETCH_RC" "pxeroot fetch exits 0"
	expect_ok "the file is identical" cmp -s "$www/img.sfs" "$LAB_TMP/out/img.sfs"
	expect_line "$HTTPFAULT_LOG" '^httpfault: GET  ?0 -> 200, 2097152 bytes sent$' "the first mirror cut the download half-way"
	expect_line "$HTTPFAULT_LOG" '^httpfault: GET bytes=1835008 -> 503' "the mirror that was sending was asked to resume first (256 KiB before the cut: the newest bytes of a broken attempt are asked for again)"
	expect_line "$log" "^pxeroot: fetch http://127\\.0\\.0\\.1:$HTTP_PORT/img\\.sfs: the first 1835008 bytes came from http://127\\.0\\.0\\.1:$HTTPFAULT_PORT/; starting over" \
		"pxeroot starts over on the second mirror, saying why"
	expect_no_line "$IFRANGE_LOG" 'httpfault' "no request to the second mirror carries the first one's ETag"
	expect_no_line "$IFRANGE_LOG" 'if_range=\[[^]-]' "no request to the second mirror carries an If-Range"
	expect_line "$IFRANGE_LOG" '^GET /img\.sfs 200 if_range=\[-\] range=\[-\]$' "the second mirror sent the whole file"
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
