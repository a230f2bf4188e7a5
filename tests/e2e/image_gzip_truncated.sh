#!/usr/bin/env bash
# A gzipped ext2 image cut short on the server, with a sha512 list made over the cut bytes, so
# that only the decompressor can tell: the sum is ok, the image is refused with a line naming it,
# the format and both sizes, nothing is mounted and the agent powers off without a kernel panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Serve three quarters of ramdisk.ext2.gz under its name, its list made over those bytes; boot.
main() {
	local log img cut
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	img="$LAB_TMP/ramdisk.ext2"
	make_root_ext2_gz "$img"
	cut=$(($(stat -c %s "$img.gz") * 3 / 4))
	head -c "$cut" "$img.gz" >"$LAB_TMP/cut.gz"
	serve_image "$LAB_TMP/cut.gz" ramdisk.ext2.gz
	lab_note "served: ramdisk.ext2.gz cut to $cut of $(stat -c %s "$img.gz") bytes, the list made over the cut bytes"
	qemu_boot "$log" "$(live_http_append ramdisk.ext2.gz pxeroot.debug)"
	expect_line "$log" "pxeroot: image http://[^ ]*/ramdisk\\.ext2\\.gz: gzip stream truncated after $cut bytes \\([0-9]+ unpacked\\)" \
		"refused with a line naming the image, the format and both sizes"
	expect_line "$log" 'pxeroot: verify http://[^ ]*/ramdisk\.ext2\.gz: sha512 ok' "the list matches the bytes as served: only the decompressor could tell"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "live root's init did not run"
	expect_line "$log" 'pxeroot: powering off' "agent powers off (pxeroot.onerror=poweroff)"
	expect_nothing_mounted "$log"
	scenario_end "$log"
}

main "$@"
