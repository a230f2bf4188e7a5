#!/usr/bin/env bash
# root=live: on an ISO without archiso's layout for this machine (only arch/i686/airootfs.sfs):
# refused with one line naming both paths looked for; nothing stays mounted, no panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot the ISO and check the failure path.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	make_root_sfs "$LAB_TMP/root.sfs"
	make_archiso_iso "$LAB_TMP/archlinux.iso" "$LAB_TMP/root.sfs" arch i686
	serve_image "$LAB_TMP/archlinux.iso"
	qemu_boot "$log" "$(live_http_append archlinux.iso pxeroot.debug)"
	expect_line "$log" 'pxeroot: image /run/pxeroot/img/archlinux\.iso \(iso9660\): no archiso root in it: neither /arch/x86_64/airootfs\.sfs nor /arch/x86_64/airootfs\.erofs' \
		"agent names both paths it looked for"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "live root's init did not run"
	expect_line "$log" 'pxeroot: powering off' "agent powers off (pxeroot.onerror=poweroff)"
	expect_nothing_mounted "$log"
	scenario_end "$log"
}

main "$@"
