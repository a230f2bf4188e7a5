#!/usr/bin/env bash
# dracut boot with a wrong airootfs.sha512: pxeroot refuses the image and says
# why, nothing is mounted on /sysroot, dracut's emergency path runs with that
# reason and, with rd.shell=0 rd.emergency=poweroff, powers off; no panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_dracut.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_dracut.sh"

# Replace the hash in WEBROOT's airootfs.sha512 with a well-formed wrong one.
corrupt_checksum() {
	local sumfile="$WEBROOT/arch/x86_64/airootfs.sha512" bad
	bad=$(printf 'pxeroot wrong hash' | sha512sum | cut -d' ' -f1)
	[[ "$bad" != "$(cut -d' ' -f1 "$sumfile")" ]] || lab_die "wrong hash equals the real one"
	echo "$bad  airootfs.sfs" >"$sumfile"
}

# Boot the dracut image against the corrupted tree and check the failure path.
main() {
	local log url
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	dracut_image pxeroot-systemd systemd
	dracut_serve_archiso arch
	corrupt_checksum
	url=$(lab_re_escape "$(dracut_live_url arch)")
	QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} qemu_boot "$log" "$(dracut_append "root=live:$(dracut_live_url arch)" checksum=y)"
	expect_line "$log" "pxeroot: verify $url: sha512 mismatch" "pxeroot reports the sha512 mismatch"
	expect_line "$log" "Warning: pxeroot could not mount the root on /sysroot: pxeroot: verify $url: sha512 mismatch" \
		"dracut's emergency path names pxeroot's reason"
	expect_no_line "$log" 'pxeroot: mount: ' "pxeroot mounted nothing"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "live root's init did not run"
	expect_qemu exited "the guest powered off (rd.emergency=poweroff)"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
