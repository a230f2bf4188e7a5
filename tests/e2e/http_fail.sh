#!/usr/bin/env bash
# shellcheck disable=SC2119  # report_sink_start takes optional arguments
# The HTTP failure twins, one boot: the default failure policy (pxeroot.onerror=retry,
# pxeroot.retries=3) tries the root stage again after 1, 2 and 4 s, and the web root changes
# while the agent waits, so that each attempt meets one case:
#   1. retry: checksum=y but the tree has no airootfs.sha512: the missing list and the check
#      named, the image never downloaded;
#   2. badsum: a wrong sum in airootfs.sha512: the mismatch named;
#   3. 404: the list is back but the image is gone: HTTP 404 for the image URL;
#   4. too big: an image bigger than the VM's RAM (1 GiB, -m 512) is refused before any byte
#      is kept, naming the RAM it needs; the fetch not retried. The retries are spent: no
#      fourth retry; with no shell in the initramfs the agent halts with a line saying so,
#      and its mount table shows nothing of any attempt mounted; no init, no kernel panic,
#      no silent hang.
#   The boot report (pxeroot.report=, received by tests/tools/report_sink.c) is sent once, when
#   the boot gives up, before the halt: valid JSON, ok false, this version, the root stage failed
#   after its four attempts, the lease's address, the image's URL, and the error line naming the
#   RAM the image needs.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_report.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_report.sh"

IMGDIR=""

# Before attempt K+1 ($1 = K, the retry just announced): serve that attempt's case.
# shellcheck disable=SC2317  # called through qemu_on_retry
next_case() {
	case "$1" in
	1) corrupt_checksum ;;
	2)
		(cd "$IMGDIR" && sha512sum airootfs.sfs >airootfs.sha512.new && mv airootfs.sha512.new airootfs.sha512)
		rm -f "$IMGDIR/airootfs.sfs"
		;;
	3) truncate -s 1G "$IMGDIR/airootfs.sfs" ;;
	esac
}

# Write a well-formed wrong hash for airootfs.sfs into the tree's airootfs.sha512.
# shellcheck disable=SC2317  # called through qemu_on_retry
corrupt_checksum() {
	local bad
	bad=$(printf 'pxeroot wrong hash' | sha512sum | cut -d' ' -f1)
	[[ "$bad" != "$(sha512sum <"$IMGDIR/airootfs.sfs" | cut -d' ' -f1)" ]] || lab_die "wrong hash equals the real one"
	echo "$bad  airootfs.sfs" >"$IMGDIR/airootfs.sha512.new"
	mv "$IMGDIR/airootfs.sha512.new" "$IMGDIR/airootfs.sha512"
}

# The report of the boot that gave up: its line in the last attempt's log $1, before the halt;
# one document for the image URL $2.
expect_failure_report() {
	local doc
	doc=$(report_doc 1)
	expect_line "$1" "pxeroot: report: sent to http://10\\.0\\.2\\.2:$REPORT_PORT/report \\([0-9]+ bytes, HTTP 204, in [0-9]+ ms\\)" \
		"report: sent when the boot gave up"
	expect_ok "report: before the halt" grep -q 'report: sent.*' <(sed -n '/giving up on stage root/,/halted:/p' "$1")
	expect_ok "report: exactly one document" same_nonempty "$(report_count)" 1
	expect_report "$doc" false "the boot that gave up"
	expect_ok "report: the root stage failed after four attempts, the stages before it ok" report_jq "$doc" \
		'[.stages[] | [.stage, .ok]] == [["options",true],["modules",true],["network",true],["root",false]] and .stages[3].attempts == 4'
	expect_ok "report: the lease's address" report_jq "$doc" '.lease.address == "10.0.2.15/24"'
	expect_ok "report: the image's URL" report_jq "$doc" ".root.url == \"$2\""
	expect_ok "report: the error line names the cause" report_jq "$doc" \
		'.error | test("airootfs\\.sfs: the image is 1024 MiB; it needs 1056 MiB of RAM")'
}

# Boot once through the four cases and check each attempt's part of the log.
main() {
	local log sha_re url_re a
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	serve_archiso arch
	IMGDIR="$WEBROOT/arch/x86_64"
	rm -f "$IMGDIR/airootfs.sha512"
	report_sink_start
	qemu_on_retry "$log" next_case
	QEMU_MEM=512 qemu_boot "$log" "ip=dhcp archiso_http_srv=http://10.0.2.2:$HTTP_PORT/ checksum=y pxeroot.retries=3 pxeroot.debug pxeroot.report=http://10.0.2.2:$REPORT_PORT/report"
	qemu_on_retry_stop
	for a in 1 2 3 4; do
		qemu_attempt_log "$log" "$a" "$LAB_TMP/attempt$a.log"
	done
	sha_re="http://10\.0\.2\.2:$HTTP_PORT/arch/x86_64/airootfs\.sha512"
	url_re="http://10\.0\.2\.2:$HTTP_PORT/arch/x86_64/airootfs\.sfs"

	a="$LAB_TMP/attempt1.log"
	expect_line "$a" "pxeroot: fetch $sha_re: HTTP 404" "retry: agent reports HTTP 404 for the sha512 list"
	expect_line "$a" "pxeroot: verify .*airootfs\.sfs: sha512 check requested \(checksum=y\) but the list $sha_re cannot be fetched" \
		"retry: error names the check and the list"
	expect_no_line "$a" "pxeroot: fetch $url_re\$" "retry: image never downloaded"
	expect_line "$a" 'pxeroot: retry: stage root failed .*attempt 1 of 3 in 1 s' "retry: first retry after 1 s"

	a="$LAB_TMP/attempt2.log"
	expect_line "$a" 'pxeroot: .*airootfs\.sfs.*sha512 mismatch' "badsum: agent reports the sha512 mismatch"
	expect_line "$a" 'pxeroot: retry: stage root failed .*attempt 2 of 3 in 2 s' "badsum: second retry after 2 s"

	a="$LAB_TMP/attempt3.log"
	expect_line "$a" "${LAB_LINE_START}pxeroot: fetch $url_re: HTTP 404\$" "404: agent reports HTTP 404 for the image URL"
	expect_no_line "$a" 'sha512 (ok|mismatch)' "404: no verdict without the image"
	expect_line "$a" 'pxeroot: retry: stage root failed .*attempt 3 of 3 in 4 s' "404: third retry after 4 s"

	a="$LAB_TMP/attempt4.log"
	expect_line "$a" "pxeroot: fetch $url_re: the image is 1024 MiB; it needs 1056 MiB of RAM \\(the image and 32 MiB for the overlay and buffers\\) but [0-9]+ MiB are available" \
		"too big: refused with the RAM needed"
	expect_no_line "$a" 'airootfs\.sfs [0-9.]+(/[0-9.]+)? MiB' "too big: no progress line: nothing downloaded"
	expect_no_line "$a" "pxeroot: fetch $url_re: .*retrying|\\[attempt 2" "too big: the fetch not retried"
	expect_no_line "$log" 'attempt 4 of' "no fourth retry"
	expect_line "$a" 'pxeroot: giving up on stage root' "last attempt: the agent gives up on the root stage"
	expect_line "$a" 'pxeroot: rescue: no shell in this initramfs' "no rescue shell available"
	expect_line "$a" 'pxeroot: halted: ' "agent says it halted"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "no attempt ran the live root's init"
	expect_nothing_mounted "$log" "after all four attempts"
	expect_failure_report "$a" "http://10.0.2.2:$HTTP_PORT/arch/x86_64/airootfs.sfs"
	scenario_end "$log"
}

main "$@"
