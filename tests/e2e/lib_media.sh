# shellcheck shell=bash
# Local media in the lab; `source` it after lib.sh. archiso's layout on an ISO
# (a CD drive, or a disk that holds the ISO as it is) or on a partition of a
# disk image, and a boot that attaches them.
#
#   media_iso OUT TREE LABEL [DATE] — ISO of TREE, volume label LABEL; its
#       ISO 9660 date DATE (YYYYMMDDhhmmsscc) is the UUID libblkid reports, and
#       boot/<UUID>.uuid marks it, as archiso's ISOs do
#   media_disk OUT TREE LABEL — disk image: an MBR partition table, one Linux
#       partition from 1 MiB holding TREE as ext4 labelled LABEL
#   media_boot LOG APPEND [QEMU ARGS...] — boot with APPEND, power off on error

# Write TREE ($2) as ISO $1 with volume label $3 and UUID date $4.
media_iso() {
	local out=${1:?media_iso OUT TREE LABEL [DATE]} tree=${2:?} label=${3:?} date=${4:-2026113005000000} uuid msg
	lab_need xorriso
	uuid="${date:0:4}-${date:4:2}-${date:6:2}-${date:8:2}-${date:10:2}-${date:12:2}-${date:14:2}"
	mkdir -p "$tree/boot"
	: >"$tree/boot/$uuid.uuid"
	rm -f "$out"
	msg=$(xorriso -as mkisofs -quiet -R -J -V "$label" --modification-date="$date" -o "$out" "$tree" 2>&1) ||
		lab_die "xorriso $out: $msg"
	lab_note "media ISO: $out ($(stat -c %s "$out") bytes), LABEL=$label UUID=$uuid"
}

# Write disk image $1: MBR, partition 1 (type 0x83) from sector 2048 to the
# end, ext4 labelled $3 holding TREE $2.
media_disk() {
	local out=${1:?media_disk OUT TREE LABEL} tree=${2:?} label=${3:?} mib sectors
	lab_need mkfs.ext4 perl
	mib=$(($(du -sm "$tree" | cut -f1) + 16))
	sectors=$((mib * 2048))
	rm -f "$out" "$out.part"
	mkfs.ext4 -q -F -L "$label" -d "$tree" "$out.part" "${mib}M" || lab_die "mkfs.ext4 $out.part failed"
	truncate -s 1M "$out"
	# the partition entry: not bootable, CHS unused, type 0x83, LBA start 2048, length
	perl -e 'print "\0" x 446, pack("C8 V V", 0, 0, 0, 0, 0x83, 0, 0, 0, 2048, $ARGV[0]), "\0" x 48, "\x55\xaa"' \
		"$sectors" | dd of="$out" conv=notrunc status=none
	cat "$out.part" >>"$out"
	rm -f "$out.part"
	lab_note "media disk: $out ($(stat -c %s "$out") bytes), partition 1 ext4 LABEL=$label"
}

# Boot the lab kernel and initramfs with APPEND $2 (plus pxeroot.onerror=poweroff),
# serial console to LOG $1, the QEMU arguments after them attaching the media.
media_boot() {
	local log=${1:?media_boot LOG APPEND [QEMU ARGS...]} append=${2:?}
	shift 2
	# shellcheck disable=SC2034 # qemu_boot reads it
	local QEMU_NET_ARGS=(-nic none)
	qemu_boot "$log" "$append pxeroot.onerror=poweroff" "$@"
}
