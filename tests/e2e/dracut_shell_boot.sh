#!/usr/bin/env bash
# dracut boot with dracut's shell init (no systemd in the initramfs) and the
# archiso form of the command line: the pxeroot module claims
# archiso_http_srv=, pxeroot mounts the root on /sysroot, dracut's init
# switches root. Then the failure twin on the same image: a missing image
# (HTTP 404) ends in dracut's emergency shell (rd.shell) with pxeroot's
# reason, without a kernel panic. (rd.emergency=poweroff cannot end this
# flavor here: dracut copies the host's poweroff, which is systemctl, and it
# fails without systemd as PID 1; the systemd flavor's twin covers it.) The
# good boot's clock starts in 2000, as with a dead RTC: pxeroot mount moves it
# to its build time, as the standalone boot does.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_dracut.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_dracut.sh"

# Boot the shell-init image against the good tree, then against a missing one.
main() {
	local log bad srv
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	bad="$LAB_TMP/serial-404.log"
	dracut_image pxeroot-shell shell
	dracut_serve_archiso arch
	srv="http://10.0.2.2:$HTTP_PORT/"
	QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} qemu_boot "$log" \
		"$(dracut_append "archiso_http_srv=$srv" archisobasedir=arch checksum=y ip=dhcp)" -rtc base=2000-01-01T00:00:00
	expect_no_line "$log" 'systemd\[1\]' "no systemd in this initramfs"
	expect_line "$log" 'pxeroot: clock: 2000-01-01 .* UTC is before the build time, set to ' \
		"pxeroot mount moved a clock of 2000 to the build time"
	expect_line "$log" "pxeroot: verify $(lab_re_escape "$(dracut_live_url arch)"): sha512 ok" \
		"pxeroot verified the image's sha512"
	expect_line "$log" 'pxeroot: mount: overlay on /sysroot' "pxeroot mounted the overlay on dracut's /sysroot"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_qemu exited "the live root powered off"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	dracut_figure "$log"

	QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} QEMU_STOP_RE='Dropping to debug shell' qemu_boot "$bad" \
		"rd.shell archiso_http_srv=$srv archisobasedir=missing checksum=y ip=dhcp"
	expect_line "$bad" 'pxeroot: fetch .*/missing/x86_64/airootfs\.sha512: HTTP 404' "pxeroot reports the 404"
	expect_line "$bad" 'Warning: pxeroot could not mount the root on /sysroot: pxeroot: .*/missing/x86_64/airootfs' \
		"dracut's emergency path names pxeroot's reason"
	expect_no_line "$bad" 'PXEROOT-E2E: init started' "live root's init did not run"
	expect_qemu stop "dracut dropped to its emergency shell"
	expect_no_line "$bad" 'Kernel panic' "no kernel panic"
	scenario_end "$bad"
}

main "$@"
