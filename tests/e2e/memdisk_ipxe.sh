#!/usr/bin/env bash
# The netboot guides' MEMDISK chain: QEMU's NIC ROM (iPXE) gets an iPXE script
# by DHCP and TFTP, which loads syslinux memdisk and a live ISO over HTTP from
# nginx and boots them. The ISO's command line names it the archiso way,
# archisolabel= with checksum=y: the agent finds MEMDISK's mBFT, maps the ISO
# (phram, mtdblock), finds that device by its label through libblkid, checks
# the image and boots it in place (copytoram=auto never copies out of
# MEMDISK's RAM). The guest uptime at the live init is printed as a figure.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_memdisk.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_memdisk.sh"

main() {
	local tree iso log img=/run/pxeroot/media/arch/x86_64/airootfs.sfs
	lab_tmpdir
	tree="$LAB_TMP/tree"
	archiso_layout "$tree"
	iso="$LAB_TMP/live.iso"
	log="$LAB_TMP/serial.log"
	memdisk_iso "$iso" "$LAB_ROOT/build/initramfs.img" "console=ttyS0 archisolabel=PXEROOT_MEMDISK checksum=y pxeroot.onerror=poweroff" "$tree"
	memdisk_ipxe_boot "$log" "$iso"
	expect_line "$log" 'pxeroot: memdisk: mBFT at 0x[0-9a-f]+: the image is at 0x[0-9a-f]+, [0-9]+ bytes' "the mBFT found"
	expect_line "$log" 'pxeroot: memdisk: the image is /dev/mtdblock[0-9]+' "the ISO mapped with phram and mtdblock"
	expect_line "$log" 'pxeroot: media: LABEL=PXEROOT_MEMDISK \(archisolabel=\) is /dev/mtdblock[0-9]+ \(iso9660, LABEL=PXEROOT_MEMDISK\)' "archisolabel= finds MEMDISK's ISO through libblkid"
	expect_line "$log" "pxeroot: archiso: copytoram=auto: $img is used in place: MEMDISK's ISO is in RAM already" "auto keeps the image in MEMDISK's RAM"
	expect_line "$log" "pxeroot: verify $img: sha512 ok" "the image checked with the ISO's sha512 list"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's init started"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/mtdblock[0-9]+ /run/pxeroot/media iso9660' "MEMDISK's ISO is the medium"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	local rc=0
	grep -q 'GET /live.iso HTTP/1.1" 200' "$NGINX_LOG" || rc=1
	lab_assert "$rc" "iPXE fetched the ISO over HTTP"
	local up
	up=$(lab_log_text "$log" | sed -n 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p' | head -n1)
	echo "figure: live init started at uptime ${up:-?} s (MEMDISK chain-loaded by iPXE, $(stat -c %s "$iso") byte ISO in RAM)"
	scenario_end "$log"
}

main "$@"
