#!/usr/bin/env bash
# syslinux MEMDISK with an ISO, and `pxeroot memdisk-find` beside syslinux's own
# memdiskfind on the same boot: QEMU boots /usr/lib/syslinux/memdisk with an
# isolinux ISO as its "initrd" ("iso raw"); isolinux starts the lab kernel with
# the project's initramfs plus a small cpio (static busybox, memdiskfind, a
# script run as rdinit=) that prints both tools' output and exit status, then
# powers off. Both must find the ISO (exit 0) and print the same START,LENGTH,
# the length being the ISO's size; once with QEMU starting memdisk, once with
# iPXE chain-loading memdisk and the ISO over HTTP.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_memdisk.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_memdisk.sh"

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

# ISO $1: the project's initramfs plus a cpio with static busybox, memdiskfind
# with its libraries, and the test script, run as rdinit=.
make_test_iso() {
	local extra="$LAB_TMP/extra" lib dir
	lab_need busybox memdiskfind ldd
	mkdir -p "$extra/bin" "$extra/usr/bin"
	cp "$(command -v busybox)" "$extra/bin/busybox"
	for applet in sh mount poweroff; do ln -s busybox "$extra/bin/$applet"; done
	cp "$(command -v memdiskfind)" "$extra/usr/bin/memdiskfind"
	# memdiskfind is dynamic, the project's image has no libc: its libraries and loader, each
	# under its directory's real path (the image's /lib and /lib64 are links into /usr on
	# merged-/usr hosts)
	for lib in $(ldd "$(command -v memdiskfind)" | grep -o '/[^ ]*'); do
		dir=$(realpath "$(dirname "$lib")")
		mkdir -p "$extra$dir"
		cp -L "$lib" "$extra$dir/"
	done
	write_test_init "$extra/memdisk-test"
	lab_pack_initrd "$extra" "$LAB_TMP/extra.cpio.zst"
	cat "$LAB_ROOT/build/initramfs.img" "$LAB_TMP/extra.cpio.zst" >"$LAB_TMP/initrd.img"
	memdisk_iso "$1" "$LAB_TMP/initrd.img" "console=ttyS0 rdinit=/memdisk-test"
}

# Boot the test ISO under MEMDISK the way $1 says (memdisk_boot: QEMU starts memdisk;
# memdisk_ipxe_boot: iPXE chain-loads it over HTTP) and compare both finders.
differential() {
	local how=$1 iso=$2 log="$LAB_TMP/serial-$1.log" size theirs ours
	size=$(stat -c %s "$iso")
	"$how" "$log" "$iso"
	theirs=$(lab_log_text "$log" | sed -n 's/.*MEMDISK-TEST: memdiskfind: \(.*\)$/\1/p' | head -n1)
	ours=$(lab_log_text "$log" | sed -n 's/.*MEMDISK-TEST: pxeroot: \(.*\)$/\1/p' | head -n1)
	echo "figure: $how: memdiskfind printed \"$theirs\", pxeroot memdisk-find \"$ours\""
	expect_line "$log" 'MEMDISK-TEST: memdiskfind: 0x[0-9a-f]+,0x[0-9a-f]+ rc=0' "$how: syslinux's memdiskfind finds the ISO"
	expect_ok "$how: pxeroot memdisk-find prints exactly what memdiskfind prints ($ours)" same_nonempty "$ours" "$theirs"
	expect_ok "$how: the length is the ISO's size ($size bytes)" test "${ours%% *}" == "${ours%%,*},$(printf '%#x' "$size")"
	expect_no_line "$log" 'Kernel panic' "$how: no kernel panic"
}

main() {
	local iso
	lab_tmpdir
	iso="$LAB_TMP/memdisk.iso"
	make_test_iso "$iso"
	differential memdisk_boot "$iso"
	# under iPXE the table shares its page with RAM, which read() of /dev/mem shows as zeros
	differential memdisk_ipxe_boot "$iso"
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
