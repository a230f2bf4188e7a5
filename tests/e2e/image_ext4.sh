#!/usr/bin/env bash
# root=live: on an ext4 image: libblkid names it, it is mounted read-only from a loop device as
# the overlay's lower layer, and the live root's init runs on the overlay.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot the ext4 image and check the agent's lines and the mounts the live root sees.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	make_root_ext4 "$LAB_TMP/rootfs.ext4"
	serve_image "$LAB_TMP/rootfs.ext4"
	qemu_boot "$log" "$(live_http_append rootfs.ext4 pxeroot.debug)"
	expect_line "$log" 'pxeroot: .*sha512.*ok' "agent verified the image's sha512"
	expect_line "$log" 'pxeroot: mount: /dev/loop[0-9]+ \(/run/pxeroot/img/rootfs\.ext4, ext4\) on /run/pxeroot/lower read-only' \
		"agent names the type (ext4) and mounts it read-only as the lower layer"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower ext4 ro' "ext4 read-only from a loop device under it"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
