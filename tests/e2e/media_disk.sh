#!/usr/bin/env bash
# archiso's media on disks (virtio), found through libblkid: the ISO written to a
# disk as it is, named by archisosearchuuid= (its ISO 9660 UUID), with memory
# enough for copytoram=auto to copy it (archiso's rule: under 4 GiB, 2 GiB to
# spare); the same ISO on a USB stick (xHCI, usb-storage), by archisolabel=;
# an ext4 partition holding the layout, found among two disks by
# archisosearchfilename= (each device mounted and looked into, device and
# filesystem read-only: a writable disk whose ext4 journal needs recovery is
# looked into and not written). Three disks with one PARTUUID and checksum=y
# (as a stick carrying the medium's name would be): a bare erofs (no companion
# files: refused), a tampered image (its sha512 fails), the real one, which
# boots. Failure twins: the first two alone, refused once rootdelay= is over;
# a medium without airootfs.sfs is refused, the paths named, nothing mounted.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_media.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_media.sh"

# QEMU arguments for disk image $1 on virtio, read-only.
disk() {
	printf '%s\n' -drive "file=$1,if=virtio,format=raw,readonly=on"
}

# Three disks whose partition 1 has PARTUUID 5058524f-01, in this order, into
# DUP_ARGS (two words a disk): a bare erofs, archiso's ISO with a tampered
# image (its sha512 list the real one's), the real layout in ext4 ($LAB_TMP/tree).
media_dup_devices() {
	local bad="$LAB_TMP/bad" sfs
	rm -rf "$bad"
	cp -a "$LAB_TMP/tree" "$bad"
	sfs="$bad/arch/x86_64/airootfs.sfs"
	printf '\xff' | dd of="$sfs" bs=1 seek=$(($(stat -c %s "$sfs") / 2)) conv=notrunc status=none
	media_iso "$LAB_TMP/bad.iso" "$bad" PXEROOT_BAD
	media_wrap "$LAB_TMP/bad.img" "$LAB_TMP/bad.iso" 5058524f
	lab_need mkfs.erofs
	mkfs.erofs --quiet "$LAB_TMP/bare.erofs" "$LAB_TMP/empty" || lab_die "mkfs.erofs failed"
	media_wrap "$LAB_TMP/bare.img" "$LAB_TMP/bare.erofs" 5058524f
	media_disk "$LAB_TMP/good.img" "$LAB_TMP/tree" PXEROOT_PART 5058524f
	mapfile -t DUP_ARGS < <(disk "$LAB_TMP/bare.img"; disk "$LAB_TMP/bad.img"; disk "$LAB_TMP/good.img")
}

main() {
	local tree iso part empty log uuid=2026-11-30-05-00-00-00 args=() dirty_sum
	lab_tmpdir
	tree="$LAB_TMP/tree"
	archiso_layout "$tree"
	iso="$LAB_TMP/live.iso"
	media_iso "$iso" "$tree" PXEROOT_DISK
	rm -f "$tree/boot/$uuid.uuid"
	echo marker >"$tree/boot/pxeroot-e2e.marker"
	part="$LAB_TMP/part.img"
	media_disk "$part" "$tree" PXEROOT_PART
	mkdir -p "$LAB_TMP/empty"
	empty="$LAB_TMP/empty.iso"
	media_iso "$empty" "$LAB_TMP/empty" PXEROOT_EMPTY 2026113006000000

	log="$LAB_TMP/serial-uuid.log"
	mapfile -t args < <(disk "$iso")
	QEMU_MEM=2600 media_boot "$log" "archisosearchuuid=$uuid checksum=y" "${args[@]}"
	expect_line "$log" "pxeroot: media: UUID=$uuid or a device holding /boot/$uuid.uuid \\(archisosearchuuid=\\) is /dev/vda \\(iso9660, LABEL=PXEROOT_DISK\\)" "uuid: the ISO on a disk found by its UUID"
	expect_line "$log" 'pxeroot: archiso: copytoram=auto: /run/pxeroot/media/arch/x86_64/airootfs\.sfs is copied into RAM: 1 MiB, [0-9]+ MiB of memory available' "uuid: auto copies with 2 GiB to spare"
	expect_line "$log" 'pxeroot: media: the image is in RAM; /dev/vda is unmounted' "uuid: the disk let go"
	expect_line "$log" 'PXEROOT-E2E: init started' "uuid: live root's init started"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower squashfs' "uuid: the copy is the lower layer"
	expect_no_line "$log" 'Kernel panic' "uuid: no kernel panic"

	log="$LAB_TMP/serial-usb.log"
	media_boot "$log" "archisolabel=PXEROOT_DISK" -device qemu-xhci,id=xhci \
		-drive "if=none,id=stick,file=$iso,format=raw,readonly=on" -device usb-storage,bus=xhci.0,drive=stick,removable=on
	expect_line "$log" 'pxeroot: media: LABEL=PXEROOT_DISK \(archisolabel=\) is /dev/sda \(iso9660, LABEL=PXEROOT_DISK\)' "usb: the ISO on a USB stick found by its label"
	expect_line "$log" 'PXEROOT-E2E: init started' "usb: live root's init started"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/sda /run/pxeroot/media iso9660' "usb: the stick is the medium"

	log="$LAB_TMP/serial-search.log"
	media_dirty_ext4 "$LAB_TMP/dirty.img" "$LAB_TMP/empty"
	dirty_sum=$(sha256sum <"$LAB_TMP/dirty.img")
	mapfile -t args < <(printf '%s\n' -drive "file=$LAB_TMP/dirty.img,if=virtio,format=raw"; disk "$empty"; disk "$part")
	media_boot "$log" "archisosearchfilename=/boot/pxeroot-e2e.marker pxeroot.debug" "${args[@]}"
	expect_line "$log" 'pxeroot: media: /dev/vda does not hold /boot/pxeroot-e2e.marker' "search: the writable disk with a dirty journal looked into"
	expect_no_line "$log" 'EXT4-fs \(vda\): (recovery|write access)' "search: its journal not replayed"
	expect_ok "search: the disk's bytes unchanged by the look (sha256)" test "$(sha256sum <"$LAB_TMP/dirty.img")" == "$dirty_sum"
	expect_line "$log" 'pxeroot: media: /dev/vdb does not hold /boot/pxeroot-e2e.marker' "search: the other disk looked into"
	expect_line "$log" 'pxeroot: media: a device holding /boot/pxeroot-e2e.marker \(archisosearchfilename=\) is /dev/vdc1 \(ext4, LABEL=PXEROOT_PART\)' "search: the partition holding the file found"
	expect_line "$log" 'pxeroot: archiso: copytoram=auto: /run/pxeroot/media/arch/x86_64/airootfs\.sfs is used in place: 1 MiB, [0-9]+ MiB of memory available' "search: auto keeps the image in place without 2 GiB to spare"
	expect_line "$log" 'PXEROOT-E2E: init started' "search: live root's init started"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/vdc1 /run/pxeroot/media ext4 ro' "search: the partition stays mounted read-only"

	log="$LAB_TMP/serial-dup.log"
	media_dup_devices
	media_boot "$log" "root=live:PARTUUID=5058524f-01 checksum=y" "${DUP_ARGS[@]}"
	expect_line "$log" 'pxeroot: media: 3 devices match PARTUUID=5058524f-01 \(root=live:\): /dev/vda1 \(erofs\), /dev/vdb1 \(iso9660, LABEL=PXEROOT_BAD\), /dev/vdc1 \(ext4, LABEL=PXEROOT_PART\); each is tried in this order until one holds an image that passes the checks' "dup: one line names every device that matches"
	expect_line "$log" 'pxeroot: media: /dev/vda1 holds the root filesystem itself \(erofs\), with no companion files beside it to check: refused \(checksum=y\)' "dup: a bare erofs refused under checksum=y"
	expect_line "$log" 'pxeroot: media: /dev/vda1 refused; trying the next device that is PARTUUID=5058524f-01' "dup: a refused match does not end the search"
	expect_line "$log" 'pxeroot: verify /run/pxeroot/media/arch/x86_64/airootfs\.sfs: sha512 mismatch' "dup: the tampered image fails its check"
	expect_line "$log" 'pxeroot: media: /dev/vdb1 refused; trying the next device' "dup: ...and the next one is tried"
	expect_line "$log" 'pxeroot: media: PARTUUID=5058524f-01 \(root=live:\) is /dev/vdc1 \(ext4, LABEL=PXEROOT_PART\)' "dup: the disk with the real image is tried last"
	expect_line "$log" 'PXEROOT-E2E: init started' "dup: the verified image boots"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower squashfs' "dup: its checked copy is the lower layer"

	log="$LAB_TMP/serial-dupbad.log"
	media_boot "$log" "root=live:PARTUUID=5058524f-01 checksum=y rootdelay=2 pxeroot.debug" "${DUP_ARGS[@]:0:4}"
	expect_line "$log" 'pxeroot: media: no device that is PARTUUID=5058524f-01 \(root=live:\) holds an image that passes the checks \(2 refused\) within 2 s' "dupbad: refused when no match passes, the count named"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "dupbad: live root's init did not run"
	expect_line "$log" 'pxeroot: powering off' "dupbad: agent powers off"
	expect_nothing_mounted "$log" dupbad

	log="$LAB_TMP/serial-empty.log"
	mapfile -t args < <(disk "$empty")
	media_boot "$log" "archisolabel=PXEROOT_EMPTY pxeroot.debug" "${args[@]}"
	expect_line "$log" 'pxeroot: archiso /run/pxeroot/media: no archiso image there: neither /arch/x86_64/airootfs\.sfs nor /arch/x86_64/airootfs\.erofs' "empty: refused, the paths named"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "empty: live root's init did not run"
	expect_line "$log" 'pxeroot: powering off' "empty: agent powers off"
	expect_nothing_mounted "$log" empty
	scenario_end "$log"
}

main "$@"
