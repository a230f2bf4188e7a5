#!/usr/bin/env bash
# dracut boot with a wrong airootfs.sha512: pxeroot refuses the image and says
# why, nothing is mounted on /sysroot, dracut's emergency path runs with that
# reason and, with rd.shell=0 rd.emergency=poweroff, powers off; no panic.
# Before it, on the good tree, a failure after the root was mounted: a
# script= whose sha512 is not pxeroot.script_sha512=, with
# pxeroot.script_required=1. `pxeroot mount` undoes its mounts before it
# exits, its refusal line is the reason dracut prints, and dracut does not
# switch into the root.
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

# Boot with a required script= whose pinned sha512 is wrong (serial log $1).
script_refused() {
	local log=$1 url re bad
	printf '#!/bin/sh\necho hook ran\n' >"$WEBROOT/hook.sh"
	url="http://10.0.2.2:$HTTP_PORT/hook.sh"
	re="script $(lab_re_escape "$url"): not run: its sha512 is not pxeroot\\.script_sha512= \\(pxeroot\\.script_required=1\\)"
	bad=$(printf 'not the script' | sha512sum | cut -d' ' -f1)
	QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} qemu_boot "$log" "$(dracut_append "root=live:$(dracut_live_url arch)" checksum=y \
		"script=$url" pxeroot.script_required=1 "pxeroot.script_sha512=$bad")"
	expect_line "$log" 'pxeroot: mount: overlay on /sysroot' "script: the root was mounted before the hook ran"
	expect_line "$log" "pxeroot: $re" "script: pxeroot refuses the script and says why"
	expect_line "$log" "Warning: pxeroot could not mount the root on /sysroot: pxeroot: $re" \
		"script: dracut's emergency path names the refusal"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "script: the live root's init did not run"
	expect_no_line "$log" 'Unmount(ing|ed) .*(sysroot|/run/pxeroot)' \
		"script: nothing of pxeroot's left mounted for systemd to unmount at power-off (/sysroot, /run/pxeroot/*)"
	expect_qemu exited "script: the guest powered off (rd.emergency=poweroff)"
	expect_no_line "$log" 'Kernel panic' "script: no kernel panic"
}

# Boot the dracut image with a refused script, then against the corrupted tree,
# and check the failure paths.
main() {
	local log url
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	dracut_image pxeroot-systemd systemd
	dracut_serve_archiso arch
	script_refused "$LAB_TMP/serial-script.log"
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
