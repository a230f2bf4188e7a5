#!/usr/bin/env bash
# A live ISO booted by syslinux MEMDISK: the ISO holds isolinux, the lab kernel,
# the project's initramfs and archiso's layout (arch/x86_64/airootfs.sfs and its
# .sha512). With pxeroot.memdisk checksum=y the agent finds the mBFT, maps the
# ISO with phram + mtdblock, mounts it, checks the image (companions from the
# ISO) and boots it in place. Failure twin: an archisobasedir= the ISO does not
# hold is refused with the paths named, nothing mounted, no panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_memdisk.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_memdisk.sh"

main() {
	local tree iso log
	lab_tmpdir
	tree="$LAB_TMP/tree"
	archiso_layout "$tree"

	iso="$LAB_TMP/live.iso"
	log="$LAB_TMP/serial-live.log"
	memdisk_iso "$iso" "$LAB_ROOT/build/initramfs.img" "console=ttyS0 pxeroot.memdisk checksum=y pxeroot.onerror=poweroff" "$tree"
	memdisk_boot "$log" "$iso"
	expect_line "$log" 'pxeroot: memdisk: mBFT at 0x[0-9a-f]+: the image is at 0x[0-9a-f]+, [0-9]+ bytes' "live: the mBFT found"
	expect_line "$log" 'pxeroot: memdisk: /dev/mtdblock[0-9]+ \(iso9660\) on /run/pxeroot/media read-only' "live: the ISO through phram and mtdblock"
	expect_line "$log" 'pxeroot: verify /run/pxeroot/media/arch/x86_64/airootfs\.sfs: sha512 ok' "live: the image checked with the ISO's sha512 list"
	expect_line "$log" 'PXEROOT-E2E: init started' "live: live root's init started"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower squashfs' "live: the image in the ISO is the lower layer"
	expect_no_line "$log" 'Kernel panic' "live: no kernel panic"
	local up
	up=$(lab_log_text "$log" | sed -n 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p' | head -n1)
	echo "figure: live init started at uptime ${up:-?} s (MEMDISK started by QEMU, $(stat -c %s "$iso") byte ISO in RAM)"

	iso="$LAB_TMP/nolayout.iso"
	log="$LAB_TMP/serial-nolayout.log"
	memdisk_iso "$iso" "$LAB_ROOT/build/initramfs.img" "console=ttyS0 pxeroot.memdisk archisobasedir=none pxeroot.onerror=poweroff pxeroot.debug" "$tree"
	memdisk_boot "$log" "$iso"
	expect_line "$log" 'pxeroot: archiso /run/pxeroot/media: no archiso image there: neither /none/x86_64/airootfs\.sfs nor /none/x86_64/airootfs\.erofs' "nolayout: refused, the paths named"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "nolayout: live root's init did not run"
	expect_line "$log" 'pxeroot: powering off' "nolayout: agent powers off"
	expect_nothing_mounted "$log" nolayout
	scenario_end "$log"
}

main "$@"
