#!/usr/bin/env bash
# root=live: on an ISO holding only <archisobasedir>/<arch>/airootfs.erofs, with archisobasedir=
# and arch= set: the erofs file is the fallback when airootfs.sfs is absent.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot the ISO and check that its erofs is the lower layer.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	make_root_erofs "$LAB_TMP/root.erofs"
	make_archiso_iso "$LAB_TMP/live.iso" "$LAB_TMP/root.erofs" custom x86_64 airootfs.erofs
	serve_image "$LAB_TMP/live.iso"
	qemu_boot "$log" "$(live_http_append live.iso archisobasedir=custom arch=x86_64 pxeroot.debug)"
	expect_line "$log" 'pxeroot: mount: /dev/loop[0-9]+ \(/run/pxeroot/iso/custom/x86_64/airootfs\.erofs, erofs\) on /run/pxeroot/lower read-only' \
		"the ISO's custom/x86_64/airootfs.erofs is the lower layer"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower erofs ro' "its erofs read-only from a loop device"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
