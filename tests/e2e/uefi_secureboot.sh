#!/usr/bin/env bash
# Secure Boot end to end: Debian's OVMF built for Secure Boot (q35 with SMM) with the snakeoil test
# keys enrolled loads unified kernel images by HTTP (lib_uefi.sh's lab). The firmware checks the
# kernel, the initramfs and the command line as one signed file; pxeroot checks the root
# (cms_verify=y against the image's codesign certificate); nothing unverified on the way.
#   signed   — the UKI signed with the snakeoil key boots to the live init, which sees Secure
#              Boot on in its EFI variable;
#   unsigned — the same UKI unsigned: the firmware refuses it, no kernel starts;
#   changed  — the signed UKI with one word of its command line changed afterwards
#              (cms_verify=y → cms_verify=n): refused by the firmware likewise.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"
# shellcheck source=tests/e2e/lib_uefi.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_uefi.sh"

# shellcheck disable=SC2016  # ${pxeserver} is pxeroot's
LINE='console=ttyS0 ip=dhcp archiso_http_srv=http://${pxeserver}/ archisobasedir=arch cms_verify=y'
REFUSED_RE='BdsDxe: failed to load Boot[0-9A-F]+ "UEFI HTTPv4.*: Access Denied'

# The signed UKI boots; the root is checked.
case_signed() {
	local log="$LAB_TMP/serial-signed.log" up
	QEMU_MARK_RE='PXEROOT-E2E: init started' QEMU_TIMEOUT=360 uefi_boot "$log" 1 secure
	expect_line "$log" 'EFI stub: UEFI Secure Boot is enabled' "signed: the stub saw Secure Boot on"
	expect_line "$log" 'secureboot: Secure boot enabled' "signed: the kernel saw Secure Boot on"
	expect_line "$log" "pxeroot: verify http://$(lab_re_escape "$NETNS_ADDR")/arch/x86_64/airootfs\\.sfs: cms ok \\(signer .*$TRUST_CMS_CN" "signed: pxeroot checked the root's CMS signature"
	expect_line "$log" 'PXEROOT-E2E: init started' "signed: live root's init started"
	expect_line "$log" 'PXEROOT-E2E: efi: SecureBoot 1' "signed: the live root sees Secure Boot on"
	expect_no_line "$log" 'Kernel panic' "signed: no kernel panic"
	up=$(lab_log_text "$log" | sed -n 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p' | head -n1)
	echo "figure: signed UKI by UEFI HTTP boot with Secure Boot: live init ${QEMU_MARK_SECONDS:-?} s after QEMU started (guest uptime ${up:-?} s)"
}

# A UKI the firmware must refuse ($1 its name, MAC number $2, file $3).
case_refused() {
	local name=$1 log="$LAB_TMP/serial-$1.log"
	QEMU_STOP_RE="$REFUSED_RE|Linux version" QEMU_TIMEOUT=240 uefi_boot "$log" "$2" secure
	expect_line "$NGINX_LOG" "GET /$3 HTTP/1\\.1\" 200 " "$name: the firmware downloaded it"
	expect_line "$log" "$REFUSED_RE" "$name: the firmware refused it (Access Denied)"
	expect_no_line "$log" 'Linux version|EFI stub' "$name: no kernel started"
}

main() {
	local www
	trust_setup
	trust_tree
	www=$WEBROOT
	uefi_lab "$www"
	uefi_uki "$www/signed.efi" "$LINE" signed
	uefi_uki "$www/unsigned.efi" "$LINE"
	cp "$www/signed.efi" "$www/changed.efi"
	perl -0777 -pi -e '$n = s/cms_verify=y/cms_verify=n/g; die "cmdline not found once\n" unless $n == 1' "$www/changed.efi" ||
		lab_die "changing the signed UKI's command line failed"
	sbverify --cert "$SNAKEOIL.pem" "$www/signed.efi" >/dev/null 2>&1 || lab_die "sbverify: the signed UKI does not verify"
	! sbverify --cert "$SNAKEOIL.pem" "$www/changed.efi" >/dev/null 2>&1 || lab_die "sbverify: the changed UKI still verifies"
	uefi_dnsmasq 1=signed.efi 2=unsigned.efi 3=changed.efi
	case_refused unsigned 2 unsigned.efi
	case_refused changed 3 changed.efi
	case_signed
	scenario_end
}

main "$@"
