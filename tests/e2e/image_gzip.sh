#!/usr/bin/env bash
# root=live: on a gzipped ext2 image, the classic diskless ramdisk.ext2.gz, in one boot with its
# failure twin: the failure policy pxeroot.onerror=retry pxeroot.retries=1 tries the root stage
# again after 1 s, and the file served changes while the agent waits.
#   1. truncated: the .gz cut short on the server, its sha512 list made over the cut bytes, so
#      that only the decompressor can tell: the sum is ok, the image is refused with a line
#      naming it, the format and both sizes; no init, no lower layer mounted.
#   2. the whole .gz: told by its magic, unpacked while it arrives into the image tmpfs, its
#      sha512 (checksum=y) taken over the .gz bytes as served (the list is ramdisk.ext2.sha512
#      with a line for ramdisk.ext2.gz); the progress line and a log line give both sizes; the
#      ext2 is mounted read-only under the overlay and the live root's init runs; its mount
#      table holds one loop device: nothing of the refused attempt stayed mounted; no panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Before attempt 2: serve the whole .gz and its list (each renamed into place).
# shellcheck disable=SC2317  # called through qemu_on_retry
serve_whole() {
	cp "$IMG.gz" "$WEBROOT/ramdisk.ext2.gz.new"
	(cd "$WEBROOT" && sha512sum ramdisk.ext2.gz.new | sed 's/\.new$//' >ramdisk.ext2.sha512.new)
	mv "$WEBROOT/ramdisk.ext2.sha512.new" "$WEBROOT/ramdisk.ext2.sha512"
	mv "$WEBROOT/ramdisk.ext2.gz.new" "$WEBROOT/ramdisk.ext2.gz"
}

IMG=""

# Serve three quarters of ramdisk.ext2.gz under its name, its list made over those bytes; boot,
# serve the whole .gz for the second attempt.
main() {
	local log size gz cut a
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	IMG="$LAB_TMP/ramdisk.ext2"
	make_root_ext2_gz "$IMG"
	size=$(stat -c %s "$IMG")
	gz=$(stat -c %s "$IMG.gz")
	cut=$((gz * 3 / 4))
	head -c "$cut" "$IMG.gz" >"$LAB_TMP/cut.gz"
	serve_image "$LAB_TMP/cut.gz" ramdisk.ext2.gz
	lab_note "served: ramdisk.ext2.gz cut to $cut of $gz bytes, the list made over the cut bytes; then the whole, $gz bytes ($size unpacked)"
	qemu_on_retry "$log" serve_whole
	qemu_boot "$log" "$(live_http_append ramdisk.ext2.gz pxeroot.onerror=retry pxeroot.retries=1 pxeroot.debug)"
	qemu_on_retry_stop
	qemu_attempt_log "$log" 1 "$LAB_TMP/attempt1.log"
	qemu_attempt_log "$log" 2 "$LAB_TMP/attempt2.log"

	a="$LAB_TMP/attempt1.log"
	expect_line "$a" "pxeroot: image http://[^ ]*/ramdisk\\.ext2\\.gz: gzip stream truncated after $cut bytes \\([0-9]+ unpacked\\)" \
		"truncated: refused with a line naming the image, the format and both sizes"
	expect_line "$a" 'pxeroot: verify http://[^ ]*/ramdisk\.ext2\.gz: sha512 ok' "truncated: the list matches the bytes as served: only the decompressor could tell"
	expect_no_line "$a" 'PXEROOT-E2E: init started' "truncated: live root's init did not run"
	expect_no_line "$a" 'pxeroot: mount: .* on /run/pxeroot/lower' "truncated: no lower layer mounted"
	expect_line "$a" 'pxeroot: retry: stage root failed .*attempt 1 of 1 in 1 s' "truncated: the failure policy tries again"

	a="$LAB_TMP/attempt2.log"
	expect_line "$a" 'pxeroot: verify http://[^ ]*/ramdisk\.ext2\.gz: sha512 ok' "the sha512 of the .gz as served is ok"
	expect_line "$a" "pxeroot: image http://[^ ]*/ramdisk\\.ext2\\.gz: gzip, $gz bytes as served, $size unpacked" \
		"agent names the format and both sizes"
	expect_line "$a" 'pxeroot: ramdisk\.ext2\.gz [0-9.]+/[0-9.]+ MiB .*\(unpacked 16\.0 MiB\)' "the progress line shows the unpacked size"
	expect_line "$a" 'pxeroot: mount: /dev/loop[0-9]+ \(/run/pxeroot/img/ramdisk\.ext2\.gz, ext2\) on /run/pxeroot/lower read-only' \
		"the image tmpfs holds the ext2 image, mounted read-only as the lower layer"
	expect_line "$a" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$a" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_line "$a" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower ext2 ro' "ext2 read-only from a loop device under it"
	expect_ok "nothing of the truncated attempt stays mounted (one loop device)" loops_mounted "$log" 1
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
