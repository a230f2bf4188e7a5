#!/usr/bin/env bash
# Text a server chose is printed escaped, on the host with `pxeroot fetch` (no
# QEMU): httpfault sends ETags holding ESC [2J and a BEL (every answer a new
# one, so the file seems to change at each resume), then a Content-Range
# holding ESC [2J and a 0x01: the lines quoting them show \x1b, \x07, \x01 and
# the log never holds a raw control byte.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_transfer.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_transfer.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"

# Assert log $1 (case $2) has no byte below 0x20 but the newline, nor 0x7f.
no_raw_controls() {
	local n
	n=$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]' "$1") || true
	expect_ok "$2: no raw control byte in the log ($n lines with one)" test "${n:-0}" -eq 0
}

# httpfault with --evil $1 serving file $2: the fetch fails (the file keeps
# changing, or the range answer is malformed), the line matching $3 quotes the
# header escaped, nothing raw, no file left.
evil_case() {
	local mode=$1 file=$2 re=$3
	httpfault_start "$file" --evil "$mode"
	run_fetch "http://127.0.0.1:$HTTPFAULT_PORT/img.sfs" "$mode.sfs" --retries 2
	lab_stop_pid "$HTTPFAULT_PID"
	lab_untrack "$HTTPFAULT_PID"
	expect_ok "$mode: pxeroot fetch exits 1" test "$FETCH_RC" -eq 1
	expect_line "$LAB_TMP/$mode.sfs.log" "$re" "$mode: the header quoted with \\x escapes"
	no_raw_controls "$LAB_TMP/$mode.sfs.log" "$mode"
	expect_ok "$mode: no file left" test ! -e "$LAB_TMP/out/$mode.sfs"
}

main() {
	local www
	lab_tmpdir
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	www="$LAB_TMP/www"
	mkdir -p "$www"
	head -c 1M /dev/urandom >"$www/img.sfs"
	evil_case etag "$www/img.sfs" \
		'changed on the server \("e\\x1b\[2J\\x07[0-9]+", was "e\\x1b\[2J\\x07[0-9]+"\); starting over$'
	evil_case range "$www/img.sfs" \
		'answered the range request with "bytes \\x1b\[2J\\x01[0-9]+-[0-9]+/[0-9]+"; starting over$'
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
