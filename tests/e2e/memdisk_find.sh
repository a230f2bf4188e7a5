#!/usr/bin/env bash
# syslinux MEMDISK with an ISO, and `pxeroot memdisk-find` beside syslinux's own
# memdiskfind on the same boot: QEMU boots /usr/lib/syslinux/memdisk with an
# isolinux ISO as its "initrd" ("iso raw"); isolinux starts the lab kernel with
# the project's initramfs plus a small cpio (static busybox, memdiskfind, a
# script run as rdinit=) that prints both tools' output and exit status, then
# powers off. Both must find the ISO (exit 0) and print the same START,LENGTH,
# the length being the ISO's size.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The script the kernel runs instead of /init: both finders, then power off.
write_test_init() {
	cat >"$1" <<-'EOF2'
		#!/bin/sh
		mount -t proc proc /proc
		mount -t sysfs sys /sys
		mount -t devtmpfs dev /dev 2>/dev/null
		out=$(memdiskfind 2>&1); rc=$?
		echo "MEMDISK-TEST: memdiskfind: $out rc=$rc"
		out=$(pxeroot memdisk-find 2>&1); rc=$?
		echo "MEMDISK-TEST: pxeroot: $out rc=$rc"
		poweroff -f
	EOF2
	chmod 0755 "$1"
}

# The isolinux ISO $1 (volume label PXEROOT_MEMDISK) booting the lab kernel with
# the project's initramfs and the test cpio.
make_memdisk_iso() {
	local iso=$1 dir extra
	lab_need xorriso cpio busybox memdiskfind
	dir="$LAB_TMP/isotree"
	extra="$LAB_TMP/extra"
	mkdir -p "$dir/isolinux" "$extra/bin" "$extra/usr/bin"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$dir/isolinux/"
	cp "$(command -v busybox)" "$extra/bin/busybox"
	for applet in sh mount poweroff; do ln -s busybox "$extra/bin/$applet"; done
	cp "$(command -v memdiskfind)" "$extra/usr/bin/memdiskfind"
	write_test_init "$extra/memdisk-test"
	(cd "$extra" && find . | cpio -o -H newc --quiet | gzip -9n) >"$LAB_TMP/extra.cpio.gz"
	cat "$LAB_ROOT/build/initramfs.img" "$LAB_TMP/extra.cpio.gz" >"$dir/initrd.img"
	cp "$LAB_ROOT/build/kernel/vmlinuz" "$dir/vmlinuz"
	cat >"$dir/isolinux/isolinux.cfg" <<-'EOF2'
		SERIAL 0 115200
		DEFAULT test
		PROMPT 0
		TIMEOUT 0
		LABEL test
		  KERNEL /vmlinuz
		  APPEND initrd=/initrd.img console=ttyS0 rdinit=/memdisk-test
	EOF2
	xorriso -as mkisofs -quiet -o "$iso" -V PXEROOT_MEMDISK -b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table "$dir" 2>"$LAB_TMP/xorriso.log" ||
		lab_die "xorriso failed: $(tail -n 3 "$LAB_TMP/xorriso.log")"
	lab_note "ISO: $iso ($(stat -c %s "$iso") bytes)"
}

main() {
	local iso log size theirs ours
	lab_tmpdir
	iso="$LAB_TMP/memdisk.iso"
	log="$LAB_TMP/serial.log"
	make_memdisk_iso "$iso"
	size=$(stat -c %s "$iso")
	QEMU_KCONSOLE="" KERNEL=/usr/lib/syslinux/memdisk INITRD=$iso QEMU_MEM=768 qemu_boot "$log" "iso raw"
	theirs=$(lab_log_text "$log" | sed -n 's/.*MEMDISK-TEST: memdiskfind: \(.*\)$/\1/p' | head -n1)
	ours=$(lab_log_text "$log" | sed -n 's/.*MEMDISK-TEST: pxeroot: \(.*\)$/\1/p' | head -n1)
	lab_note "memdiskfind: $theirs"
	lab_note "pxeroot memdisk-find: $ours"
	expect_line "$log" 'MEMDISK-TEST: memdiskfind: 0x[0-9a-f]+,0x[0-9a-f]+ rc=0' "syslinux's memdiskfind finds the ISO"
	lab_assert "$([[ -n "$ours" && "$ours" == "$theirs" ]] && echo 0 || echo 1)" "pxeroot memdisk-find prints exactly what memdiskfind prints ($ours)"
	lab_assert "$([[ "${ours%% *}" == *,"$(printf '%#x' "$size")" ]] && echo 0 || echo 1)" "the length is the ISO's size ($size bytes)"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
