#!/usr/bin/env bash
# A chunked root image (casync index and store) booted in whole mode, two boots:
#   1. dracut's form, root=live:URL.caibx checksum=y with pxeroot.store= naming a second store,
#      in one boot with its failure twin (pxeroot.onerror=retry pxeroot.retries=1
#      pxeroot.fetch_retries=1: one round per chunk):
#      a. one chunk altered in both stores (valid zstd of other bytes): the root stage fails with
#         a line naming the chunk, its bytes and the digest mismatch; nothing mounted, no init;
#      b. that chunk restored in the second store only, and another chunk missing from the first:
#         both come from the second store (lines name the mismatch and the 404 and the next
#         store), the image is written whole into the image tmpfs, mounted read-only under the
#         overlay, and the live root's init runs; one loop device in its mount table;
#      The altered chunk is asked once more of the first store past its caches (no-cache) first.
#      c. the boot report (pxeroot.report=, received by tests/tools/report_sink.c): exactly one
#         document, sent before switch_root: valid JSON, ok true, this version, every stage in
#         order with its ms (the root stage's two attempts), the lease's address, the index's
#         URL, the chunks and each store's (two from the second), adding up;
#   2. archiso's form, pxeroot.chunks=1 with the index <basedir>/<arch>/airootfs.caibx chunked
#      with gzip and SHA-256 ids, and pxeroot.jitter=1: a wait below a second before the first
#      request, said; the index's sha512 checked, the root booted; the report's failure twin: its
#      receiver never answers (pxeroot.report_timeout=2): the line "report: not sent" within the
#      timeout and a margin, and the boot goes on to init.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_chunks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_chunks.sh"
# shellcheck source=tests/e2e/lib_report.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_report.sh"

ALTERED=""
MISSING=""
SECOND=""

# Before attempt 2: the altered chunk made whole in the second store, another chunk taken out
# of the first.
# shellcheck disable=SC2317  # called through qemu_on_retry
second_attempt() {
	chunk_restore "$SECOND/$(chunk_path "$(chunk_id "$ALTERED")")"
	mv "$MISSING" "$LAB_TMP/missing.cacnk"
}

# Boot 1: the dracut form, the twin, two stores.
boot_live() {
	local log="$LAB_TMP/serial-live.log" store second_port a id_alt id_miss
	mkdir -p "$LAB_TMP/www" "$LAB_TMP/second"
	make_root_sfs "$LAB_TMP/root.sfs"
	chunk_image "$LAB_TMP/www/root.caibx" "$LAB_TMP/root.sfs" --chunk-size=16384:65536:262144
	(cd "$LAB_TMP/www" && sha512sum root.caibx >root.sha512)
	store="$LAB_TMP/www/root.castr"
	SECOND="$LAB_TMP/second/store"
	cp -a "$store" "$SECOND"
	ALTERED=$(chunk_files "$store" | sed -n 2p)
	MISSING=$(chunk_files "$store" | sed -n 5p)
	id_alt=$(chunk_id "$ALTERED")
	id_miss=$(chunk_id "$MISSING")
	chunk_alter "$ALTERED"
	chunk_alter "$SECOND/$(chunk_path "$id_alt")"
	nginx_start "$LAB_TMP/second"
	second_port=$HTTP_PORT
	nginx_start "$LAB_TMP/www"
	report_sink_start
	qemu_on_retry "$log" second_attempt
	qemu_boot "$log" "ip=dhcp root=live:http://10.0.2.2:$HTTP_PORT/root.caibx pxeroot.store=http://10.0.2.2:$second_port/store checksum=y pxeroot.onerror=retry pxeroot.retries=1 pxeroot.fetch_retries=1 pxeroot.debug pxeroot.report=http://10.0.2.2:$REPORT_PORT/report"
	qemu_on_retry_stop
	qemu_attempt_log "$log" 1 "$LAB_TMP/attempt1.log"
	qemu_attempt_log "$log" 2 "$LAB_TMP/attempt2.log"

	a="$LAB_TMP/attempt1.log"
	expect_line "$a" 'pxeroot: verify http://[^ ]*/root\.caibx: sha512 ok' "altered: the index's sha512 checked first"
	expect_line "$a" "pxeroot: chunk $id_alt \\(bytes [0-9]+-[0-9]+\\): digest [0-9a-f]{64} does not match the id from http://10\\.0\\.2\\.2:$second_port/store/; giving up after 1 attempts" \
		"altered: refused, the chunk, its bytes and the cause named"
	expect_no_line "$a" 'PXEROOT-E2E: init started' "altered: no init"
	expect_no_line "$a" 'pxeroot: mount: .* on /run/pxeroot/lower' "altered: no lower layer mounted"
	expect_line "$a" 'pxeroot: retry: stage root failed .*attempt 1 of 1 in 1 s' "altered: the failure policy tries again"

	a="$LAB_TMP/attempt2.log"
	expect_line "$a" "pxeroot: chunk $id_alt \\(bytes [0-9]+-[0-9]+\\): digest [0-9a-f]{64} does not match the id from http://[^ ]*/root\\.castr/; next store: http://10\\.0\\.2\\.2:$second_port/store/" \
		"the altered chunk: the first store's refused, the second asked"
	expect_line "$a" "pxeroot: chunk $id_alt \\(bytes [0-9]+-[0-9]+\\): digest [0-9a-f]{64} does not match the id from (http://[^ ]*/root\\.castr/); asking \\1 again with Cache-Control: no-cache" \
		"the altered chunk: first asked again of the first store past its caches"
	expect_line "$a" "pxeroot: chunk $id_miss \\(bytes [0-9]+-[0-9]+\\): HTTP 404 from http://[^ ]*/root\\.castr/; next store: http://10\\.0\\.2\\.2:$second_port/store/" \
		"the missing chunk: the 404 named, the second store asked"
	expect_line "$a" 'pxeroot: chunks: [0-9]+ chunks checked, [0-9]+ bytes received for [0-9]+ in [0-9.]+ s; per store [0-9]+/2$' \
		"two chunks from the second store, the figures of the fetch"
	expect_line "$a" 'pxeroot: mount: /dev/loop[0-9]+ \(/run/pxeroot/img/root, squashfs\) on /run/pxeroot/lower read-only' \
		"the image written whole into the image tmpfs, mounted read-only"
	expect_line "$a" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$a" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_ok "nothing of the refused attempt stays mounted (one loop device)" loops_mounted "$log" 1
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	LAB_LAST_LOG=$log
	expect_live_report "$second_port"
}

# The report of boot 1, its second store on port $1.
expect_live_report() {
	local doc
	doc=$(report_doc 1)
	expect_line "$LAB_LAST_LOG" "pxeroot: report: sent to http://10\\.0\\.2\\.2:$REPORT_PORT/report \\([0-9]+ bytes, HTTP 204, in [0-9]+ ms\\)" \
		"report: the line says it was sent"
	expect_ok "report: exactly one document" same_nonempty "$(report_count)" 1
	expect_report "$doc" true "boot 1"
	expect_ok "report: the stages in order, up to serve" report_jq "$doc" \
		'[.stages[].stage] == ["options","modules","network","root","prepare","hook","serve"] and all(.stages[]; .ok)'
	expect_ok "report: the root stage's two attempts" report_jq "$doc" '.stages[3].attempts == 2'
	expect_ok "report: the uptime" report_jq "$doc" '.uptime_ms > 0'
	expect_ok "report: the lease's address, by DHCP on eth0" report_jq "$doc" \
		'.lease.address == "10.0.2.15/24" and .lease.iface == "eth0" and .lease.method == "dhcp" and .lease.lease_s > 0'
	expect_ok "report: the index's URL" report_jq "$doc" ".root.url == \"http://10.0.2.2:$HTTP_PORT/root.caibx\""
	expect_ok "report: two chunks from the second store, the chunks per store adding up" report_jq "$doc" \
		".root.stores[1] == {\"url\":\"http://10.0.2.2:$1/store/\",\"chunks\":2} and ([.root.stores[].chunks] | add) == .root.chunks and .root.bytes > 0"
}

# Boot 2: archiso's form, gzip chunks, SHA-256 ids.
boot_archiso() {
	local log="$LAB_TMP/serial-archiso.log" dir="$LAB_TMP/www2/arch/x86_64"
	mkdir -p "$dir"
	chunk_image "$dir/airootfs.caibx" "$LAB_TMP/root.sfs" --compression=gzip --digest=sha256
	(cd "$dir" && sha512sum airootfs.caibx >airootfs.sha512)
	nginx_start "$LAB_TMP/www2"
	report_sink_start --hang
	qemu_boot "$log" "$(archiso_http_append pxeroot.chunks=1 pxeroot.jitter=1 "pxeroot.report=http://10.0.2.2:$REPORT_PORT/report" pxeroot.report_timeout=2)"
	expect_line "$log" 'pxeroot: fetch: waiting 0\.[0-9] s before the first request \(jitter up to 1 s\)' "archiso: pxeroot.jitter=1 waits below a second first, said"
	expect_line "$log" 'pxeroot: verify http://[^ ]*/arch/x86_64/airootfs\.caibx: sha512 ok' "archiso: the index's sha512 checked"
	expect_line "$log" 'pxeroot: chunks http://[^ ]*/arch/x86_64/airootfs\.caibx: [0-9]+ chunks .*, sha256 ids' "archiso: the index beside the images read"
	expect_line "$log" 'PXEROOT-E2E: init started' "archiso: live root's /sbin/init started"
	expect_no_line "$log" 'Kernel panic' "archiso: no kernel panic"
	expect_unanswered_report "$log"
}

# The report's failure twin in LOG ($1): the receiver never answered; the boot went on.
expect_unanswered_report() {
	local ms
	expect_line "$1" "pxeroot: report: not sent to http://10\\.0\\.2\\.2:$REPORT_PORT/report: no answer within 2 s \\(pxeroot\\.report_timeout=\\), after [0-9]+ ms" \
		"unanswered report: the line says why"
	ms=$(report_ms "$1")
	echo "figure: an unanswered report held the boot ${ms:-?} ms (pxeroot.report_timeout=2)"
	expect_ok "unanswered report: given up within the timeout and a margin ($ms ms)" at_most "$ms" 3000
	expect_ok "unanswered report: the receiver saw the one request" grep -q 'request 1: POST /report, [0-9]* bytes, not answered' "$REPORT_LOG"
	expect_no_line "$REPORT_LOG" 'request 2:' "unanswered report: never sent twice"
	expect_ok "unanswered report: no document written" same_nonempty "$(report_count)" 0
}

main() {
	lab_tmpdir
	boot_live
	boot_archiso
	scenario_end "$LAB_TMP/serial-archiso.log"
}

main "$@"
