#!/usr/bin/env bash
# root=live: on a gzipped ext2 image, the classic diskless ramdisk.ext2.gz: told by its magic,
# unpacked while it arrives into the image tmpfs, its sha512 (checksum=y) taken over the .gz
# bytes as served (the list is ramdisk.ext2.sha512 with a line for ramdisk.ext2.gz); the progress
# line and a log line give both sizes; the ext2 is mounted read-only under the overlay and the
# live root's init runs.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Build the ext2 image, gzip it, serve it with its list and boot it.
main() {
	local log img size gz
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	img="$LAB_TMP/ramdisk.ext2"
	make_root_ext2_gz "$img"
	size=$(stat -c %s "$img")
	gz=$(stat -c %s "$img.gz")
	serve_image "$img.gz"
	lab_note "served: ramdisk.ext2.gz, $gz bytes ($size unpacked); list ramdisk.ext2.sha512: $(cut -c 1-16,129- "$WEBROOT/ramdisk.ext2.sha512")"
	qemu_boot "$log" "$(live_http_append ramdisk.ext2.gz pxeroot.debug)"
	expect_line "$log" 'pxeroot: verify http://[^ ]*/ramdisk\.ext2\.gz: sha512 ok' "the sha512 of the .gz as served is ok"
	expect_line "$log" "pxeroot: image http://[^ ]*/ramdisk\\.ext2\\.gz: gzip, $gz bytes as served, $size unpacked" \
		"agent names the format and both sizes"
	expect_line "$log" 'pxeroot: ramdisk\.ext2\.gz [0-9.]+/[0-9.]+ MiB .*\(unpacked 16\.0 MiB\)' "the progress line shows the unpacked size"
	expect_line "$log" 'pxeroot: mount: /dev/loop[0-9]+ \(/run/pxeroot/img/ramdisk\.ext2\.gz, ext2\) on /run/pxeroot/lower read-only' \
		"the image tmpfs holds the ext2 image, mounted read-only as the lower layer"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower ext2 ro' "ext2 read-only from a loop device under it"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
