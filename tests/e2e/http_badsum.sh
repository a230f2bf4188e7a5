#!/usr/bin/env bash
# HTTP archiso boot with a wrong airootfs.sha512: the agent must refuse the
# image, say why, mount nothing and power off without a kernel panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Replace the hash in WEBROOT's airootfs.sha512 with a well-formed wrong one.
corrupt_checksum() {
	local sumfile="$WEBROOT/arch/x86_64/airootfs.sha512" bad
	bad=$(printf 'pxeroot wrong hash' | sha512sum | cut -d' ' -f1)
	[[ "$bad" != "$(cut -d' ' -f1 "$sumfile")" ]] || lab_die "wrong hash equals the real one"
	echo "$bad  airootfs.sfs" >"$sumfile"
}

# Boot against the corrupted tree and check the failure path.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	serve_archiso arch
	corrupt_checksum
	qemu_boot "$log" "$(archiso_http_append pxeroot.debug)"
	expect_line "$log" 'pxeroot: .*airootfs\.sfs.*sha512 mismatch' "agent reports the sha512 mismatch"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "live root's init did not run"
	expect_line "$log" 'pxeroot: powering off' "agent powers off (pxeroot.onerror=poweroff)"
	expect_nothing_mounted "$log"
	scenario_end "$log"
}

main "$@"
