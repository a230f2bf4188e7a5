#!/usr/bin/env bash
# root=live: on an ISO laid out as archiso's (arch/x86_64/airootfs.sfs): the ISO is mounted
# read-only, the squashfs inside it is the overlay's lower layer, the live root's init runs.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot the ISO and check both loop mounts and the overlay.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	make_root_sfs "$LAB_TMP/root.sfs"
	make_archiso_iso "$LAB_TMP/archlinux.iso" "$LAB_TMP/root.sfs"
	serve_image "$LAB_TMP/archlinux.iso"
	qemu_boot "$log" "$(live_http_append archlinux.iso pxeroot.debug)"
	expect_line "$log" 'pxeroot: mount: /dev/loop[0-9]+ \(/run/pxeroot/img/archlinux\.iso, iso9660\) on /run/pxeroot/iso read-only' \
		"agent names the type (iso9660) and mounts the ISO read-only"
	expect_line "$log" 'pxeroot: mount: /dev/loop[0-9]+ \(/run/pxeroot/iso/arch/x86_64/airootfs\.sfs, squashfs\) on /run/pxeroot/lower read-only' \
		"the ISO's arch/x86_64/airootfs.sfs is the lower layer"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/iso iso9660 ro' "the ISO stays mounted read-only"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower squashfs ro' "its squashfs read-only from a loop device"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
