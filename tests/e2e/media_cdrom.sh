#!/usr/bin/env bash
# archiso's ISO in a CD drive (QEMU -cdrom, IDE), found through libblkid:
# archisolabel= with checksum=y copies the image into RAM while it is checked
# (a medium that is not RAM is never read again after its check, whatever
# copytoram=auto would say of an optical drive) and lets the CD go; dracut's
# root=live:CDLABEL= with copytoram=y copies too. A disc put into the drive
# only after the first look is searched then (archisosearchfilename=), behind
# a USB stick with 70 partitions that comes first in the walk. Failure twins: a
# checked image too big for its tmpfs is refused (never checked and then read
# from the CD); a label no device has is waited for rootdelay= seconds, said on
# the console, then refused with the devices seen named, nothing mounted, no panic.
# Both twins in one boot: the root stage retried once (pxeroot.onerror=retry)
# while the disc in the drive is changed from one of another label to the one
# whose image is too big for the tmpfs.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_media.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_media.sh"

# Send monitor command $1 to the QEMU monitor of media_monitor (the words after it, the
# attempt number of qemu_on_retry, are not needed).
# shellcheck disable=SC2317  # called through qemu_on_retry
media_change() {
	printf '%s\n' "$1" >"$MEDIA_MONITOR.in"
}

main() {
	local tree iso log a img=/run/pxeroot/media/arch/x86_64/airootfs.sfs
	lab_tmpdir
	tree="$LAB_TMP/tree"
	archiso_layout "$tree"
	iso="$LAB_TMP/live.iso"
	media_iso "$iso" "$tree" PXEROOT_CD

	log="$LAB_TMP/serial-label.log"
	media_boot "$log" "archisolabel=PXEROOT_CD checksum=y" -cdrom "$iso"
	expect_line "$log" 'pxeroot: media: LABEL=PXEROOT_CD \(archisolabel=\) is /dev/sr0 \(iso9660, LABEL=PXEROOT_CD\)' "label: the CD found by its label"
	expect_line "$log" 'pxeroot: media: /dev/sr0 \(iso9660\) on /run/pxeroot/media read-only' "label: the CD mounted read-only"
	expect_line "$log" "pxeroot: archiso: $img is copied into RAM: checksum=y asked for checks, .* \\(copytoram=auto alone: used in place: it is on an optical drive\\)" "label: a checked image is copied, not read from the CD again"
	expect_line "$log" "pxeroot: verify $img: sha512 ok" "label: the image checked with the CD's sha512 list"
	expect_line "$log" 'pxeroot: media: the image is in RAM; /dev/sr0 is unmounted' "label: the checked copy boots, the CD is let go"
	expect_line "$log" 'PXEROOT-E2E: init started' "label: live root's init started"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower squashfs' "label: the copy is the lower layer"
	expect_no_line "$log" 'PXEROOT-E2E: mount: /dev/sr0' "label: the CD is not mounted in the live system"
	expect_no_line "$log" 'Kernel panic' "label: no kernel panic"

	log="$LAB_TMP/serial-cdlabel.log"
	media_boot "$log" "root=live:CDLABEL=PXEROOT_CD copytoram=y" -cdrom "$iso"
	expect_line "$log" 'pxeroot: media: LABEL=PXEROOT_CD \(root=live:\) is /dev/sr0' "cdlabel: dracut's root=live:CDLABEL= finds the CD"
	expect_line "$log" 'pxeroot: media: the image is in RAM; /dev/sr0 is unmounted' "cdlabel: copytoram=y copies and lets the CD go"
	expect_line "$log" 'PXEROOT-E2E: init started' "cdlabel: live root's init started"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower squashfs' "cdlabel: the copy is the lower layer"
	expect_no_line "$log" 'PXEROOT-E2E: mount: /dev/sr0' "cdlabel: the CD is not mounted in the live system"

	log="$LAB_TMP/serial-late.log"
	media_many_parts "$LAB_TMP/parts.img" 70
	media_monitor
	media_when "$log" 'pxeroot: media: waiting up to' "change cd0 $iso"
	media_boot "$log" "archisosearchfilename=/boot/2026-11-30-05-00-00-00.uuid rootdelay=60 pxeroot.debug" "${MEDIA_MONITOR_ARGS[@]}" \
		-drive if=none,id=cd0,media=cdrom,readonly=on -device ide-cd,drive=cd0 -device qemu-xhci,id=xhci \
		-drive "if=none,id=stick,file=$LAB_TMP/parts.img,format=raw,readonly=on" -device usb-storage,bus=xhci.0,drive=stick,removable=on
	expect_line "$log" 'pxeroot: media: waiting up to 60 s \(rootdelay=\) for a device holding /boot/2026-11-30-05-00-00-00\.uuid' "late: the drive was empty at the first look"
	expect_line "$log" 'pxeroot: media: a device holding /boot/2026-11-30-05-00-00-00\.uuid \(archisosearchfilename=\) is /dev/sr0 \(iso9660, LABEL=PXEROOT_CD\)' "late: the disc put in later is searched, past 70 partitions"
	expect_line "$log" 'PXEROOT-E2E: init started' "late: live root's init started"

	# The two failure twins in one boot: the policy retries the root stage once (after 1 s),
	# and the disc in the drive is changed while the agent waits.
	log="$LAB_TMP/serial-twins.log"
	media_iso "$LAB_TMP/other.iso" "$tree" PXEROOT_OTHER
	media_monitor
	qemu_on_retry "$log" media_change "change cd0 $iso"
	media_boot "$log" \
		"archisolabel=PXEROOT_CD checksum=y copytoram_size=256k rootdelay=3 pxeroot.onerror=retry pxeroot.retries=1 pxeroot.debug" \
		"${MEDIA_MONITOR_ARGS[@]}" -drive "if=none,id=cd0,media=cdrom,readonly=on,file=$LAB_TMP/other.iso" -device ide-cd,drive=cd0
	qemu_on_retry_stop
	qemu_attempt_log "$log" 1 "$LAB_TMP/nolabel.log"
	qemu_attempt_log "$log" 2 "$LAB_TMP/small.log"

	# 1. a disc labelled PXEROOT_OTHER: the label asked for is on no device
	a="$LAB_TMP/nolabel.log"
	expect_line "$a" 'pxeroot: media: waiting up to 3 s \(rootdelay=\) for LABEL=PXEROOT_CD \(archisolabel=\)' "nolabel: the wait is said, with its bound"
	expect_line "$a" 'pxeroot: media: LABEL=PXEROOT_CD \(archisolabel=\) did not appear within 3 s \(rootdelay=\); block devices: .*sr0 iso9660 LABEL=PXEROOT_OTHER' "nolabel: refused, the devices seen named"
	expect_no_line "$a" 'PXEROOT-E2E: init started' "nolabel: live root's init did not run"
	expect_line "$a" 'pxeroot: retry: stage root failed .*attempt 1 of 1 in 1 s' "nolabel: the failure policy applies (a retry, the disc changed meanwhile)"

	# 2. the disc PXEROOT_CD: a checked image too big for copytoram_size=256k
	a="$LAB_TMP/small.log"
	expect_line "$a" "pxeroot: archiso $img: the image is 1 MiB but the image tmpfs \\(copytoram_size=256k\\) has 0 MiB free" "small: a checked image that does not fit in RAM is refused, the sizes named"
	expect_no_line "$a" "pxeroot: verify $img" "small: not checked and then used in place"
	expect_no_line "$a" 'PXEROOT-E2E: init started' "small: live root's init did not run"
	expect_line "$a" 'pxeroot: giving up on stage root' "small: the failure policy applies (retries spent)"
	expect_line "$a" 'pxeroot: halted' "small: agent halts (no shell)"
	expect_nothing_mounted "$log" "nolabel and small"
	scenario_end "$log"
}

main "$@"
