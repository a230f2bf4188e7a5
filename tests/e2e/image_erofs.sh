#!/usr/bin/env bash
# root=live: on an erofs image: libblkid names it, it is mounted read-only from a loop device as
# the overlay's lower layer; `rw` is ignored with one line, since erofs is read-only.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot the erofs image and check the agent's lines and the mounts the live root sees.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	make_root_erofs "$LAB_TMP/rootfs.erofs"
	serve_image "$LAB_TMP/rootfs.erofs"
	qemu_boot "$log" "$(live_http_append rootfs.erofs pxeroot.debug rw)"
	expect_line "$log" 'pxeroot: mount: /dev/loop[0-9]+ \(/run/pxeroot/img/rootfs\.erofs, erofs\) on /run/pxeroot/lower read-only' \
		"agent names the type (erofs) and mounts it read-only as the lower layer"
	expect_line "$log" 'pxeroot: mount: rw ignored: a erofs image is read-only; changes go to the overlay' "rw ignored with one line"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower erofs ro' "erofs read-only from a loop device under it"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
