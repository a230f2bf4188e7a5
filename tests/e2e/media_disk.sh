#!/usr/bin/env bash
# archiso's media on disks (virtio), found through libblkid: the ISO written to a
# disk as it is, named by archisosearchuuid= (its ISO 9660 UUID), with memory
# enough for copytoram=auto to copy it (archiso's rule: under 4 GiB, 2 GiB to
# spare); the same ISO on a USB stick (xHCI, usb-storage), by archisolabel=;
# an ext4 partition holding the layout, found among two disks by
# archisosearchfilename= (each device mounted and looked into). Failure twin: a
# medium without airootfs.sfs is refused, the paths named, nothing mounted.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_media.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_media.sh"

# QEMU arguments for disk image $1 on virtio, read-only.
disk() {
	printf '%s\n' -drive "file=$1,if=virtio,format=raw,readonly=on"
}

main() {
	local tree iso part empty log uuid=2026-11-30-05-00-00-00 args=()
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
	mapfile -t args < <(disk "$empty"; disk "$part")
	media_boot "$log" "archisosearchfilename=/boot/pxeroot-e2e.marker pxeroot.debug" "${args[@]}"
	expect_line "$log" 'pxeroot: media: /dev/vda does not hold /boot/pxeroot-e2e.marker' "search: the other disk looked into"
	expect_line "$log" 'pxeroot: media: a device holding /boot/pxeroot-e2e.marker \(archisosearchfilename=\) is /dev/vdb1 \(ext4, LABEL=PXEROOT_PART\)' "search: the partition holding the file found"
	expect_line "$log" 'pxeroot: archiso: copytoram=auto: /run/pxeroot/media/arch/x86_64/airootfs\.sfs is used in place: 1 MiB, [0-9]+ MiB of memory available' "search: auto keeps the image in place without 2 GiB to spare"
	expect_line "$log" 'PXEROOT-E2E: init started' "search: live root's init started"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/vdb1 /run/pxeroot/media ext4 ro' "search: the partition stays mounted read-only"

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
