#!/usr/bin/env bash
# Write an ISO that UEFI firmware boots from a URL (HTTP boot of a whole ISO) or from a drive: the
# tree given (archiso's layout: BASEDIR/ARCH/airootfs.sfs and its companion files) plus an El
# Torito EFI boot image, a FAT image holding the unified kernel image as \EFI\BOOT\BOOTX64.EFI.
#
#   tools/mkiso.sh --uki FILE.efi --tree DIR --label LABEL --out FILE.iso
#
# The label is what archisolabel= (or dracut's root=live:CDLABEL=) names in the UKI's command
# line. Reproducible: fixed FAT volume id, file times from SOURCE_DATE_EPOCH (default 0).
set -euo pipefail

UKI="" TREE="" LABEL="" OUT=""
TMP=""

# Print usage on stderr and exit with status $1.
usage() {
	echo "usage: $0 --uki FILE.efi --tree DIR --label LABEL --out FILE.iso" >&2
	exit "$1"
}

# Print an error and exit 1.
die() {
	echo "mkiso: $*" >&2
	exit 1
}

# Read the options into the globals.
parse_args() {
	while [[ $# -gt 0 ]]; do
		[[ $# -ge 2 ]] || usage 2
		case "$1" in
		--uki) UKI=$2 ;;
		--tree) TREE=$2 ;;
		--label) LABEL=$2 ;;
		--out) OUT=$2 ;;
		*) usage 2 ;;
		esac
		shift 2
	done
	[[ -n "$UKI" && -n "$TREE" && -n "$LABEL" && -n "$OUT" ]] || usage 2
	[[ -f "$UKI" ]] || die "$UKI: no such file"
	[[ -d "$TREE" ]] || die "$TREE: not a directory"
	[[ "$LABEL" =~ ^[A-Z0-9_]{1,32}$ ]] || die "label $LABEL: ISO 9660 volume ids are 1 to 32 of A-Z 0-9 _"
	local t
	for t in mkfs.vfat mmd mcopy xorriso; do
		command -v "$t" >/dev/null || die "$t missing (Debian packages dosfstools, mtools, xorriso)"
	done
}

# Write the FAT image $1 holding the UKI as EFI/BOOT/BOOTX64.EFI (sized to it, 1 MiB spare).
efi_image() {
	local kib=$(($(stat -c %s "$UKI") / 1024 + 1024))
	mkfs.vfat -C -n PXEROOT_EFI -i 50584552 "$1" "$kib" >/dev/null || die "mkfs.vfat $1 failed"
	mmd -i "$1" ::/EFI ::/EFI/BOOT || die "mmd failed"
	mcopy -i "$1" "$UKI" ::/EFI/BOOT/BOOTX64.EFI || die "mcopy failed"
}

# Build the ISO.
main() {
	parse_args "$@"
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMP"' EXIT
	export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}
	mkdir -p "$TMP/tree/boot"
	cp -a "$TREE/." "$TMP/tree/"
	efi_image "$TMP/tree/boot/efiboot.img"
	local when
	when=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S00)
	xorriso -as mkisofs -quiet -R -J -V "$LABEL" --modification-date="$when" \
		-e boot/efiboot.img -no-emul-boot -o "$TMP/out.iso" "$TMP/tree" 2>"$TMP/xorriso.log" ||
		die "xorriso failed: $(tail -n 3 "$TMP/xorriso.log")"
	mv "$TMP/out.iso" "$OUT"
	echo "mkiso: $OUT: $(stat -c %s "$OUT") bytes, label $LABEL, EFI boot image boot/efiboot.img"
}

main "$@"
