#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# An image made by Debian's real mkinitramfs (initramfs-tools) with the
# project's hook and scripts boots the archiso HTTP command line unchanged, no
# boot= on it: scripts/init-top/pxeroot sees `pxeroot claim` say yes and makes
# scripts/pxeroot the boot script; its mountroot runs `pxeroot mount`, and
# initramfs-tools' init switches root into the live root. The same image boots
# dracut's root=live:URL. Failure twin: a wrong sum, refused by pxeroot, ends
# in initramfs-tools' panic with pxeroot's reason, no init, no kernel panic.
# Prints the uptime at the live init.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_itools.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_itools.sh"

main() {
	local log up dir
	lab_tmpdir
	itools_image
	serve_archiso arch

	log="$LAB_TMP/serial-archiso.log"
	qemu_boot "$log" "$(archiso_http_append)"
	expect_line "$log" 'pxeroot: verify http://10\.0\.2\.2:[0-9]+/arch/x86_64/airootfs\.sfs: sha512 ok' "archiso: pxeroot fetched and checked the image"
	expect_line "$log" 'PXEROOT-E2E: init started' "archiso: live root's init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "archiso: / is pxeroot's overlay"
	expect_no_line "$log" 'Kernel panic' "archiso: no kernel panic"
	up=$(lab_log_text "$log" | sed -n 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p' | head -n1)
	echo "figure: live init started at uptime ${up:-?} s (initramfs-tools, $(stat -c %s "$INITRD") byte initramfs)"

	log="$LAB_TMP/serial-dracut.log"
	qemu_boot "$log" "ip=dhcp root=live:http://10.0.2.2:$HTTP_PORT/arch/x86_64/airootfs.sfs"
	expect_line "$log" 'PXEROOT-E2E: init started' "root=live: live root's init started"

	dir="$WEBROOT/arch/x86_64"
	echo "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000  airootfs.sfs" >"$dir/airootfs.sha512"
	log="$LAB_TMP/serial-badsum.log"
	QEMU_STOP_RE='pxeroot could not mount the root' qemu_boot "$log" "$(archiso_http_append)"
	expect_line "$log" 'pxeroot could not mount the root on /root: .*sha512' "badsum: initramfs-tools' panic quotes pxeroot's reason"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "badsum: live root's init did not run"
	expect_no_line "$log" 'Kernel panic' "badsum: no kernel panic"
	scenario_end "$log"
}

main "$@"
