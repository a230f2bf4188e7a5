#!/usr/bin/env bash
# The RAM budget of an image unpacked while it arrives: ramdisk.ext2.gz is small as served, but
# its 16 MiB ext2 does not fit in an image tmpfs of archiso_http_spc=8M. The budget refuses it
# as the unpacked image passes 8 MiB, before a write fails, with a line naming both sizes;
# nothing is mounted, no kernel panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Serve the gzipped image with its list and boot with an 8 MiB image tmpfs.
main() {
	local log img
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	img="$LAB_TMP/ramdisk.ext2"
	make_root_ext2_gz "$img"
	serve_image "$img.gz"
	qemu_boot "$log" "$(live_http_append ramdisk.ext2.gz archiso_http_spc=8M pxeroot.debug)"
	expect_line "$log" 'pxeroot: fetch http://[^ ]*/ramdisk\.ext2\.gz: the image unpacks to more than the 8\.0 MiB the image tmpfs holds \(archiso_http_spc=8M; [0-9.]+ MiB served so far\)' \
		"refused by the budget, naming both sizes"
	expect_no_line "$log" 'No space left on device' "before a write failed"
	expect_no_line "$log" 'sha512 (ok|mismatch)' "no verdict on part of the bytes"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "live root's init did not run"
	expect_line "$log" 'pxeroot: powering off' "agent powers off (pxeroot.onerror=poweroff)"
	expect_nothing_mounted "$log"
	scenario_end "$log"
}

main "$@"
