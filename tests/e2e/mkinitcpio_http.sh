#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# A mkinitcpio-style image (lib_mkinitcpio.sh: the stand-in of mkinitcpio's init
# in busybox ash sourcing the project's runtime hook) boots archiso's HTTP line
# unchanged: run_hook sees `pxeroot claim` say yes and sets mount_handler, the
# handler runs `pxeroot mount /new_root`, and the init switches root into the
# live root. Failure twin: a wrong sum, the handler's line quotes pxeroot's
# reason and the recovery path runs, no init, no kernel panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_mkinitcpio.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_mkinitcpio.sh"

main() {
	local log
	lab_tmpdir
	mkinitcpio_image
	serve_archiso arch

	log="$LAB_TMP/serial-archiso.log"
	qemu_boot "$log" "$(archiso_http_append)"
	expect_line "$log" ':: running hook \[pxeroot\]' "the init ran the pxeroot runtime hook"
	expect_line "$log" 'pxeroot: verify http://10\.0\.2\.2:[0-9]+/arch/x86_64/airootfs\.sfs: sha512 ok' "the mount handler's pxeroot checked the image"
	expect_line "$log" 'pxeroot: mount: overlay on /new_root' "pxeroot mounted the overlay on /new_root"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's init started"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"

	echo "$(printf '0%.0s' {1..128})  airootfs.sfs" >"$WEBROOT/arch/x86_64/airootfs.sha512"
	log="$LAB_TMP/serial-badsum.log"
	qemu_boot "$log" "$(archiso_http_append)"
	expect_line "$log" 'ERROR: pxeroot could not mount the root on /new_root: pxeroot: verify .*sha512' "badsum: the handler quotes pxeroot's reason"
	expect_line "$log" 'mkinitcpio stand-in: no interactive shell here' "badsum: the recovery path ran"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "badsum: live root's init did not run"
	expect_no_line "$log" 'Kernel panic' "badsum: no kernel panic"
	scenario_end "$log"
}

main "$@"
