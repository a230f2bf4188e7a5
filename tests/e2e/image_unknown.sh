#!/usr/bin/env bash
# root=live: on images pxeroot cannot boot: random bytes (no filesystem libblkid knows) and a
# swap area (something libblkid names, but not a kind pxeroot boots). Each is refused with one line naming
# the cause; nothing stays mounted, the onerror action runs, no panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot image NAME ($2) of the web root with serial log $1 and check the common failure path.
boot_refused() {
	local log=$1 name=$2
	qemu_boot "$log" "$(live_http_append "$name" pxeroot.debug)"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "$name: live root's init did not run"
	expect_line "$log" 'pxeroot: powering off' "$name: agent powers off (pxeroot.onerror=poweroff)"
	expect_nothing_mounted "$log" "$name"
}

# Serve both images, boot each, check the cause named.
main() {
	lab_tmpdir
	lab_need openssl mkswap
	mkdir -p "$LAB_TMP/www"
	# 4 MiB of fixed pseudo-random bytes (AES-CTR of zeros): no filesystem magic anywhere
	openssl enc -aes-128-ctr -nosalt -K 00000000000000000000000000000000 -iv 00000000000000000000000000000000 \
		</dev/zero 2>/dev/null | head -c 4194304 >"$LAB_TMP/rootfs.img" || true
	[[ $(stat -c %s "$LAB_TMP/rootfs.img") -eq 4194304 ]] || lab_die "random image not made"
	head -c 2097152 /dev/zero >"$LAB_TMP/www/rootfs.swap"
	mkswap "$LAB_TMP/www/rootfs.swap" >/dev/null 2>&1 || lab_die "mkswap failed"
	serve_image "$LAB_TMP/rootfs.img"
	(cd "$WEBROOT" && sha512sum rootfs.img rootfs.swap >rootfs.sha512) # one list for both names

	boot_refused "$LAB_TMP/random.log" rootfs.img
	expect_line "$LAB_TMP/random.log" 'pxeroot: image /run/pxeroot/img/rootfs\.img: no known filesystem in it' \
		"random bytes: refused, the cause named"
	boot_refused "$LAB_TMP/swap.log" rootfs.swap
	expect_line "$LAB_TMP/swap.log" 'pxeroot: image /run/pxeroot/img/rootfs\.swap: is swap; pxeroot boots squashfs, erofs, ext2/3/4 and iso9660 images' \
		"swap area: refused naming the type found"
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
