#!/usr/bin/env bash
# root=live: on images pxeroot cannot boot, then on a good ISO, in one boot: the failure policy
# pxeroot.onerror=retry pxeroot.retries=4 tries the root stage again after 1, 2, 4 and 8 s, and
# the file served as rootfs.img (with its sha512 list) changes while the agent waits. Each
# attempt's part of the log names its cause and shows no init:
#   1. random bytes (no filesystem libblkid knows): "no known filesystem";
#   2. a swap area (libblkid names it, pxeroot does not boot it): the type named;
#   3. an ISO without archiso's layout for this machine (only arch/i686/airootfs.sfs): both
#      paths looked for named;
#   4. ramdisk.ext2.gz, small as served, whose 16 MiB ext2 does not fit in the image tmpfs of
#      archiso_http_spc=8M: refused by the budget as the unpacked image passes 8 MiB, before a
#      write fails, both sizes named, no verdict on part of the bytes;
#   5. an ISO laid out as archiso's: mounted read-only, its arch/x86_64/airootfs.sfs the overlay's
#      lower layer, the live root's init runs. The live root's mount table holds the ISO and its
#      squashfs once each: nothing any refused attempt mounted is left; no kernel panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Before attempt K+1 ($1 = K): serve case K+1 as rootfs.img, its list first.
# shellcheck disable=SC2317  # called through qemu_on_retry
next_case() {
	serve_case "$(($1 + 1))"
}

# Serve $LAB_TMP/case/N ($1) as $WEBROOT/rootfs.img with its sha512 list (each renamed into place).
serve_case() {
	cp "$LAB_TMP/case/$1" "$WEBROOT/rootfs.img.new"
	(cd "$WEBROOT" && sha512sum rootfs.img.new | sed 's/\.new$//' >rootfs.sha512.new)
	mv "$WEBROOT/rootfs.sha512.new" "$WEBROOT/rootfs.sha512"
	mv "$WEBROOT/rootfs.img.new" "$WEBROOT/rootfs.img"
}

# Make the five images: $LAB_TMP/case/1 ... 5.
make_cases() {
	local c="$LAB_TMP/case"
	lab_need openssl mkswap
	mkdir -p "$c"
	# 4 MiB of fixed pseudo-random bytes (AES-CTR of zeros): no filesystem magic anywhere
	openssl enc -aes-128-ctr -nosalt -K 00000000000000000000000000000000 -iv 00000000000000000000000000000000 \
		</dev/zero 2>/dev/null | head -c 4194304 >"$c/1" || true
	[[ $(stat -c %s "$c/1") -eq 4194304 ]] || lab_die "random image not made"
	head -c 2097152 /dev/zero >"$c/2"
	mkswap "$c/2" >/dev/null 2>&1 || lab_die "mkswap failed"
	make_root_sfs "$LAB_TMP/root.sfs"
	make_archiso_iso "$c/3" "$LAB_TMP/root.sfs" arch i686
	make_root_ext2_gz "$LAB_TMP/ramdisk.ext2"
	cp "$LAB_TMP/ramdisk.ext2.gz" "$c/4"
	make_archiso_iso "$c/5" "$LAB_TMP/root.sfs"
}

# Assert what every refused attempt's part of the log ($1) shows: the retry line of attempt
# $2 and no init; $3 prefixes the descriptions.
expect_attempt_refused() {
	local log=$1 k=$2 p=$3 delay
	delay=$((1 << (k - 1)))
	expect_line "$log" "pxeroot: retry: stage root failed .*attempt $k of 4 in $delay s" "$p: the failure policy tries again (attempt $k of 4 in $delay s)"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "$p: live root's init did not run"
	expect_no_line "$log" 'pxeroot: mount: .* on /run/pxeroot/lower' "$p: no lower layer mounted"
}

# Assert that the live root of LOG ($1) has the ISO and its squashfs mounted once each, and no
# other loop device: nothing of the refused attempts stayed mounted.
# shellcheck disable=SC2317  # called through expect_ok
only_last_image_mounted() {
	loops_mounted "$1" 2 && [[ $(lab_log_text "$1" | grep -c 'PXEROOT-E2E: mount: .* iso9660 ') -eq 1 ]]
}

# Boot once through the five cases and check each attempt's part of the log.
main() {
	local log a
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	make_cases
	WEBROOT="$LAB_TMP/www"
	mkdir -p "$WEBROOT"
	serve_case 1
	nginx_start "$WEBROOT"
	qemu_on_retry "$log" next_case
	qemu_boot "$log" "$(live_http_append rootfs.img archiso_http_spc=8M pxeroot.onerror=retry pxeroot.retries=4 pxeroot.debug)"
	qemu_on_retry_stop
	for a in 1 2 3 4 5; do
		qemu_attempt_log "$log" "$a" "$LAB_TMP/attempt$a.log"
	done

	a="$LAB_TMP/attempt1.log"
	expect_line "$a" 'pxeroot: image /run/pxeroot/img/rootfs\.img: no known filesystem in it' "random bytes: refused, the cause named"
	expect_attempt_refused "$a" 1 "random bytes"

	a="$LAB_TMP/attempt2.log"
	expect_line "$a" 'pxeroot: image /run/pxeroot/img/rootfs\.img: is swap; pxeroot boots squashfs, erofs, ext2/3/4 and iso9660 images' \
		"swap area: refused naming the type found"
	expect_attempt_refused "$a" 2 "swap area"

	a="$LAB_TMP/attempt3.log"
	expect_line "$a" 'pxeroot: image /run/pxeroot/img/rootfs\.img \(iso9660\): no archiso root in it: neither /arch/x86_64/airootfs\.sfs nor /arch/x86_64/airootfs\.erofs' \
		"ISO without the layout: agent names both paths it looked for"
	expect_attempt_refused "$a" 3 "ISO without the layout"

	a="$LAB_TMP/attempt4.log"
	expect_line "$a" 'pxeroot: fetch http://[^ ]*/rootfs\.img: the image unpacks to more than the 8\.0 MiB the image tmpfs holds \(archiso_http_spc=8M; [0-9.]+ MiB served so far\)' \
		"gzip too big: refused by the budget, naming both sizes"
	expect_no_line "$a" 'No space left on device' "gzip too big: before a write failed"
	expect_no_line "$a" 'sha512 (ok|mismatch)' "gzip too big: no verdict on part of the bytes"
	expect_attempt_refused "$a" 4 "gzip too big"

	a="$LAB_TMP/attempt5.log"
	expect_line "$a" 'pxeroot: mount: /dev/loop[0-9]+ \(/run/pxeroot/img/rootfs\.img, iso9660\) on /run/pxeroot/iso read-only' \
		"iso: agent names the type (iso9660) and mounts the ISO read-only"
	expect_line "$a" 'pxeroot: mount: /dev/loop[0-9]+ \(/run/pxeroot/iso/arch/x86_64/airootfs\.sfs, squashfs\) on /run/pxeroot/lower read-only' \
		"iso: the ISO's arch/x86_64/airootfs.sfs is the lower layer"
	expect_line "$a" 'PXEROOT-E2E: init started' "iso: live root's /sbin/init started"
	expect_line "$a" 'PXEROOT-E2E: mount: overlay / overlay' "iso: / is an overlay"
	expect_line "$a" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/iso iso9660 ro' "iso: the ISO stays mounted read-only"
	expect_line "$a" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower squashfs ro' "iso: its squashfs read-only from a loop device"
	expect_ok "nothing of the refused attempts stays mounted (two loop devices, one ISO)" only_last_image_mounted "$log"
	expect_no_line "$log" 'attempt 5 of' "no fifth retry"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
