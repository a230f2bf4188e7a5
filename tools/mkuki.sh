#!/usr/bin/env bash
# Join a unified kernel image: systemd's EFI stub with the kernel, an initramfs, a command line and
# an os-release section, each added with objcopy at its own address after the stub's sections (as
# the stub's documentation describes), then signed for Secure Boot when a key is given.
#
#   tools/mkuki.sh --kernel VMLINUZ --initrd IMG [--cmdline TEXT] --out FILE.efi
#                  [--stub linuxx64.efi.stub] [--key KEY --cert CERT] [--key-pass PASS]
#
# The default command line boots archiso's tree (arch/x86_64/airootfs.sfs, checked with its
# airootfs.sha512) from port 80 of the DHCP server (archiso's ${pxeserver}), console on ttyS0.
#
# Reproducible: the same inputs give the same unsigned file (the PE header's time is
# SOURCE_DATE_EPOCH, default 0; the os-release holds pxeroot's version, PXEROOT_VERSION). A signature holds its signing time.
set -euo pipefail

STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
# shellcheck disable=SC2016  # ${pxeserver} is pxeroot's to expand
DEFAULT_CMDLINE='console=ttyS0 ip=dhcp archiso_http_srv=http://${pxeserver}/ archisobasedir=arch checksum=y'
KERNEL="" INITRD="" CMDLINE=$DEFAULT_CMDLINE OUT="" KEY="" CERT="" KEY_PASS="" VERSION=${PXEROOT_VERSION:-0}
TMP=""

# Print usage on stderr and exit with status $1.
usage() {
	echo "usage: $0 --kernel VMLINUZ --initrd IMG [--cmdline TEXT] --out FILE.efi [--stub STUB] [--key KEY --cert CERT [--key-pass PASS]]" >&2
	exit "$1"
}

# Print an error and exit 1.
die() {
	echo "mkuki: $*" >&2
	exit 1
}

# Read the options into the globals.
parse_args() {
	while [[ $# -gt 0 ]]; do
		[[ $# -ge 2 ]] || usage 2
		case "$1" in
		--kernel) KERNEL=$2 ;;
		--initrd) INITRD=$2 ;;
		--cmdline) CMDLINE=$2 ;;
		--out) OUT=$2 ;;
		--stub) STUB=$2 ;;
		--key) KEY=$2 ;;
		--cert) CERT=$2 ;;
		--key-pass) KEY_PASS=$2 ;;
		*) usage 2 ;;
		esac
		shift 2
	done
	[[ -n "$KERNEL" && -n "$INITRD" && -n "$OUT" ]] || usage 2
	[[ -z "$KEY" && -z "$CERT" ]] || [[ -n "$KEY" && -n "$CERT" ]] || die "--key and --cert go together"
	local f
	for f in "$STUB" "$KERNEL" "$INITRD" ${KEY:+"$KEY" "$CERT"}; do
		[[ -f "$f" ]] || die "$f: no such file"
	done
}

# Print the first address after every section of PE file $1, rounded up to 4 KiB.
stub_end() {
	local size vma end=0 e
	# objdump -h: "IDX NAME SIZE VMA LMA OFFSET ALIGN" on each section's first line
	while read -r size vma; do
		e=$((0x$vma + 0x$size))
		((e > end)) && end=$e
	done < <(objdump -h "$1" | awk '$1 ~ /^[0-9]+$/ { print $3, $4 }')
	echo $(((end + 4095) / 4096 * 4096))
}

# Write the os-release section's text into file $1.
os_release() {
	printf 'NAME="pxeroot"\nID=pxeroot\nPRETTY_NAME="pxeroot netboot (%s)"\nVERSION_ID="%s"\n' "$VERSION" "$VERSION" >"$1"
}

# Join the stub and the sections into $OUT, unsigned.
join_sections() {
	local at size name file args=()
	at=$(stub_end "$STUB")
	os_release "$TMP/osrel"
	printf '%s' "$CMDLINE" >"$TMP/cmdline"
	# .linux before .initrd, each at the next 4 KiB boundary after the one before it
	for name in osrel:"$TMP/osrel" cmdline:"$TMP/cmdline" linux:"$KERNEL" initrd:"$INITRD"; do
		file=${name#*:}
		name=${name%%:*}
		args+=(--add-section ".$name=$file" --change-section-vma ".$name=$(printf '%#x' "$at")")
		size=$(stat -c %s "$file")
		at=$(((at + size + 4095) / 4096 * 4096))
	done
	objcopy "${args[@]}" "$STUB" "$TMP/uki.efi" || die "objcopy failed"
}

# Write the 32-bit little-endian number $3 at byte offset $2 of file $1.
put_le32() {
	printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($3 & 255)) $(($3 >> 8 & 255)) $(($3 >> 16 & 255)) $(($3 >> 24 & 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# objcopy stamps the PE header of $TMP/uki.efi with the time and a checksum over it: the time
# becomes SOURCE_DATE_EPOCH (default 0), the checksum 0 (UEFI never reads it; a signature leaves
# it out).
pin_header() {
	local pe
	pe=$(od -An -tu4 -j60 -N4 "$TMP/uki.efi" | tr -d ' ')
	put_le32 "$TMP/uki.efi" $((pe + 8)) "${SOURCE_DATE_EPOCH:-0}"
	put_le32 "$TMP/uki.efi" $((pe + 24 + 64)) 0
}

# Sign $TMP/uki.efi with KEY and CERT into $TMP/signed.efi (a protected key opened with KEY_PASS).
sign() {
	command -v sbsign >/dev/null || die "sbsign missing (Debian package sbsigntool)"
	local key=$KEY
	if grep -q 'ENCRYPTED' "$KEY"; then
		[[ -n "$KEY_PASS" ]] || die "$KEY is protected by a password: give it with --key-pass (UKI_KEY_PASS=)"
		key=$TMP/key.pem
		(umask 077 && openssl pkey -in "$KEY" -passin "pass:$KEY_PASS" -out "$key") || die "$KEY: cannot be opened with the password given"
	fi
	# (sbsign warns of the gaps objcopy leaves between sections; the signature covers them)
	sbsign --key "$key" --cert "$CERT" --output "$TMP/signed.efi" "$TMP/uki.efi" >"$TMP/sbsign.log" 2>&1 ||
		die "sbsign failed: $(tail -n 3 "$TMP/sbsign.log")"
	mv "$TMP/signed.efi" "$TMP/uki.efi"
}

# Build the UKI.
main() {
	parse_args "$@"
	command -v objcopy >/dev/null || die "objcopy missing (Debian package binutils)"
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMP"' EXIT
	join_sections
	pin_header
	[[ -z "$KEY" ]] || sign
	mv "$TMP/uki.efi" "$OUT"
	echo "mkuki: $OUT: $(stat -c %s "$OUT") bytes${KEY:+, signed by $(openssl x509 -in "$CERT" -noout -subject | sed 's/^subject=//')}"
}

main "$@"
