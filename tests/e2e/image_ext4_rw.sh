#!/usr/bin/env bash
# root=live: on an ext4 image with `ro ... rw` (the last word wins): the image itself is / read-write
# from a read-write loop device, no overlay.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot the ext4 image read-write and check / from the live root.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	make_root_ext4 "$LAB_TMP/rootfs.ext4"
	serve_image "$LAB_TMP/rootfs.ext4"
	qemu_boot "$log" "$(live_http_append rootfs.ext4 ro pxeroot.debug rw)"
	expect_line "$log" 'pxeroot: plan: root rw' "the plan says rw (the last of ro/rw)"
	expect_line "$log" 'pxeroot: mount: /dev/loop[0-9]+ \(/run/pxeroot/img/rootfs\.ext4, ext4\) on /newroot read-write' \
		"agent mounts the ext4 image read-write on /newroot"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ / ext4 rw' "/ is the ext4 image, read-write"
	expect_no_line "$log" 'PXEROOT-E2E: mount: overlay ' "no overlay"
	expect_no_line "$log" 'PXEROOT-E2E: mount: .* /run/pxeroot/(lower|cow) ' "no lower layer, no overlay tmpfs"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
