#!/usr/bin/env bash
# The boot report of `pxeroot fetch --report URL` on the host (no QEMU), received by
# tests/tools/report_sink.c:
#   1. a chunked image (casync index, two stores, a chunk altered in the first) fetched with
#      --checksum: one document, ok true, the stage "fetch" timed, the index's URL, the bytes, the
#      chunks, and both stores with the chunks each gave (the second gave one), adding up;
#      the line "report: sent to URL (N bytes, HTTP 204, in M ms)";
#   2. its failure twin, the index's sha512 list wrong: exit 1, one more document, ok false, the
#      error line naming the mismatch, no chunk counted;
#   3. a receiver that never answers (--report-timeout 1): the fetch's exit status stays 0, and
#      the line "report: not sent to URL: no answer within 1 s" comes after at most 1 s and a
#      margin.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_chunks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_chunks.sh"
# shellcheck source=tests/e2e/lib_report.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_report.sh"

main() {
	local img index second f doc ms
	lab_tmpdir
	WEBROOT="$LAB_TMP/www"
	mkdir -p "$WEBROOT" "$LAB_TMP/second"
	img="$LAB_TMP/image"
	head -c 3M /dev/urandom >"$img"
	chunk_image "$WEBROOT/img.caibx" "$img" --chunk-size=16384:65536:262144
	(cd "$WEBROOT" && sha512sum img.caibx >img.sha512)
	cp -a "$WEBROOT/img.castr" "$LAB_TMP/second/store"
	f=$(chunk_files "$WEBROOT/img.castr" | sed -n 2p)
	chunk_alter "$f"
	nginx_start "$LAB_TMP/second"
	second=$HTTP_PORT
	nginx_start "$WEBROOT"
	index="http://127.0.0.1:$HTTP_PORT/img.caibx"
	report_sink_start

	run_fetch "$index" ok --checksum --store "http://127.0.0.1:$second/store" --retries 1 --report "http://127.0.0.1:$REPORT_PORT/report"
	lab_assert "$FETCH_RC" "chunked: pxeroot fetch exits 0"
	expect_ok "chunked: the image is whole" cmp -s "$LAB_TMP/out/ok" "$img"
	expect_ok "chunked: one document received" same_nonempty "$(report_count)" 1
	expect_line "$LAB_LAST_LOG" "pxeroot: report: sent to http://127\\.0\\.0\\.1:$REPORT_PORT/report \\([0-9]+ bytes, HTTP 204, in [0-9]+ ms\\)$" \
		"chunked: the line says it was sent"
	doc=$(report_doc 1)
	expect_report "$doc" true "chunked"
	expect_ok "chunked: one stage, fetch, ok, timed" report_jq "$doc" '.stages == [{"stage":"fetch","ms":.stages[0].ms,"ok":true}]'
	expect_ok "chunked: no uptime on the host, no lease" report_jq "$doc" '(has("uptime_ms") or has("lease")) | not'
	expect_ok "chunked: the index's URL and the bytes" report_jq "$doc" ".root.url == \"$index\" and .root.bytes > 0"
	expect_ok "chunked: both stores, in order" report_jq "$doc" \
		"[.root.stores[].url] == [\"http://127.0.0.1:$HTTP_PORT/img.castr/\", \"http://127.0.0.1:$second/store/\"]"
	expect_ok "chunked: the altered chunk came from the second store" report_jq "$doc" '.root.stores[1].chunks == 1'
	expect_ok "chunked: the chunks per store add up to the chunks" report_jq "$doc" \
		'.root.chunks > 1 and ([.root.stores[].chunks] | add) == .root.chunks'

	echo "$(printf 'another index' | sha512sum | cut -d' ' -f1)  img.caibx" >"$WEBROOT/img.sha512"
	run_fetch "$index" bad --checksum --report "http://127.0.0.1:$REPORT_PORT/report"
	expect_ok "bad checksum: pxeroot fetch exits 1" same_nonempty "$FETCH_RC" 1
	expect_ok "bad checksum: one more document received" same_nonempty "$(report_count)" 2
	doc=$(report_doc 2)
	expect_report "$doc" false "bad checksum"
	expect_ok "bad checksum: the error line names the mismatch and the index" report_jq "$doc" \
		'.error | test("img\\.caibx.*sha512 mismatch")'
	expect_ok "bad checksum: the stage fetch failed, no chunk counted" report_jq "$doc" \
		'.stages[0].stage == "fetch" and .stages[0].ok == false and (.root | has("chunks") | not)'

	(cd "$WEBROOT" && sha512sum img.caibx >img.sha512)
	report_sink_start --hang
	run_fetch "$index" hang --checksum --store "http://127.0.0.1:$second/store" --retries 1 --report "http://127.0.0.1:$REPORT_PORT/report" --report-timeout 1
	lab_assert "$FETCH_RC" "unanswered: pxeroot fetch still exits 0"
	expect_line "$LAB_LAST_LOG" "pxeroot: report: not sent to http://127\\.0\\.0\\.1:$REPORT_PORT/report: no answer within 1 s \\(pxeroot\\.report_timeout=\\), after [0-9]+ ms$" \
		"unanswered: the line says why"
	ms=$(report_ms "$LAB_LAST_LOG")
	echo "figure: an unanswered report took ${ms:-?} ms with --report-timeout 1"
	expect_ok "unanswered: given up within the timeout and 500 ms ($ms ms)" at_most "$ms" 1500
	expect_ok "unanswered: the receiver saw one request" grep -q 'request 1: POST /report, [0-9]* bytes, not answered' "$REPORT_LOG"
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
