#!/usr/bin/env bash
# UEFI HTTP boot on Debian's OVMF: the firmware on a tap NIC of the scenario's network namespace
# gets a URL from dnsmasq (vendor class HTTPClient) and loads it from nginx itself, no TFTP, no
# iPXE. make uki's image is built twice (byte-identical). One namespace, one dnsmasq (a URL per
# MAC), one nginx on port 80; boots in turn:
#   uki    — make uki's unified kernel image with its default line: pxeroot takes its own lease
#            and boots archiso's tree from ${pxeserver} with checksum=y;
#   404    — a URL that answers 404: the firmware's own message, no kernel starts;
#   iso    — an ISO (archiso's layout, the UKI in its EFI El Torito image) that the firmware loads
#            into a RAM disk and describes in the ACPI NFIT table: pxeroot loads nfit and nd_pmem,
#            finds the ISO by archisolabel= on /dev/pmem0, checks the image and uses it in place;
#   dracut — the same ISO named by dracut's root=live:CDLABEL=;
#   label  — the same with dracut's root=live:CDLABEL= naming a label the ISO does not carry;
#   ipxe   — the BIOS way for comparison: QEMU's iPXE ROM chain-loads kernel and initramfs by HTTP
#            with the UKI's line;
#   nonfit — a firmware that published no NFIT (SeaBIOS, kernel loaded by QEMU): the line says
#            which RAM disks were looked for.
# Figures: the wall time from QEMU's start to the live init (the firmware's time is not in the
# guest's uptime) and the uptime there, for the UKI, the ISO and the iPXE chain.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_uefi.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_uefi.sh"

INIT_RE='PXEROOT-E2E: init started'
IMG=/run/pxeroot/media/arch/x86_64/airootfs.sfs

# Print the figure line of boot $1 (LOG $2): wall time to the live init, guest uptime there.
figure() {
	local up
	up=$(lab_log_text "$2" | sed -n 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p' | head -n1)
	echo "figure: $1: live init ${QEMU_MARK_SECONDS:-?} s after QEMU started (guest uptime ${up:-?} s)"
}

# Assert that LOG ($1) of boot NAME ($2) found the ISO in the firmware's RAM disk by option $3
# (archisolabel= or root=live:), checked its image there, used it in place and ran the live init.
expect_ram_iso_booted() {
	local log=$1 name=$2 option=$3
	expect_line "$log" "pxeroot: media: LABEL=PXEROOT_UEFI \\($option\\) is /dev/pmem0 \\(iso9660, LABEL=PXEROOT_UEFI\\)" "$name: $option finds the ISO"
	expect_line "$log" "pxeroot: archiso: copytoram=auto: $IMG is used in place: the firmware's RAM disk is in RAM already" "$name: used in place, never copied"
	expect_line "$log" "pxeroot: verify $IMG: sha512 ok" "$name: the image checked with the ISO's sha512 list"
	expect_line "$log" "$INIT_RE" "$name: live root's init started"
}

# The UKI by HTTP, with make uki's own command line.
case_uki() {
	local log="$LAB_TMP/serial-uki.log" addr_re
	addr_re=$(lab_re_escape "$NETNS_ADDR")
	QEMU_MARK_RE=$INIT_RE QEMU_TIMEOUT=300 uefi_boot "$log" 1
	expect_line "$log" 'Start HTTP Boot over IPv4' "uki: the firmware's HTTP boot entry ran first"
	expect_line "$log" "URI: http://$addr_re/pxeroot\\.efi" "uki: the firmware took the URL from dnsmasq"
	expect_line "$NGINX_LOG" 'GET /pxeroot\.efi HTTP/1\.1" 200 .*UefiHttpBoot' "uki: the firmware downloaded the UKI itself"
	expect_line "$log" 'EFI stub: ' "uki: systemd's stub started the kernel"
	expect_line "$log" 'Command line: console=ttyS0 ip=dhcp archiso_http_srv=http://\$\{pxeserver\}/ archisobasedir=arch checksum=y$' "uki: the UKI's own command line"
	expect_line "$log" "pxeroot: dhcp eth0: lease 192\\.168\\.77\\.[0-9]+/24 from $addr_re" "uki: pxeroot took its own lease"
	expect_line "$log" "pxeroot: verify http://$addr_re/arch/x86_64/airootfs\\.sfs: sha512 ok" "uki: \${pxeserver} expanded, the image checked"
	expect_line "$log" "$INIT_RE" "uki: live root's init started"
	expect_line "$log" 'PXEROOT-E2E: efi: SecureBoot 0' "uki: booted by UEFI, Secure Boot off"
	expect_no_line "$log" 'Kernel panic' "uki: no kernel panic"
	figure "UKI by UEFI HTTP boot" "$log"
}

# A URL that answers 404: the firmware says so, nothing starts.
case_404() {
	local log="$LAB_TMP/serial-404.log"
	QEMU_STOP_RE='Error: |BdsDxe: failed to load' QEMU_TIMEOUT=240 uefi_boot "$log" 2
	expect_qemu stop "404: the firmware gave up on the URL"
	expect_line "$NGINX_LOG" '"(HEAD|GET) /missing\.efi HTTP/1\.1" 404 ' "404: nginx answered 404"
	expect_line "$log" 'Error: |BdsDxe: failed to load' "404: the firmware's own message"
	expect_no_line "$log" 'Linux version' "404: no kernel started"
}

# The whole ISO by HTTP, in the firmware's RAM disk.
case_iso() {
	local log="$LAB_TMP/serial-iso.log"
	QEMU_MARK_RE=$INIT_RE QEMU_TIMEOUT=300 uefi_boot "$log" 3
	expect_line "$NGINX_LOG" 'GET /pxeroot\.iso HTTP/1\.1" 200 .*UefiHttpBoot' "iso: the firmware downloaded the ISO"
	expect_line "$log" 'ACPI: NFIT ' "iso: the firmware published an NFIT table"
	expect_line "$log" 'pxeroot: firmware: RAM disk \(virtual CD\) at 0x[0-9a-f]+, [0-9]+ KiB, in the ACPI NFIT table' "iso: pxeroot read the RAM disk from the NFIT"
	expect_line "$log" 'pxeroot: firmware: the RAM disk at 0x[0-9a-f]+ is /dev/pmem0' "iso: nfit and nd_pmem made it /dev/pmem0"
	expect_ram_iso_booted "$log" iso archisolabel=
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/pmem0 /run/pxeroot/media iso9660 ro' "iso: the RAM disk is the medium"
	expect_no_line "$log" 'Kernel panic' "iso: no kernel panic"
	figure "whole ISO by UEFI HTTP boot" "$log"
}

# The same ISO named the dracut way, root=live:CDLABEL=.
case_dracut() {
	local log="$LAB_TMP/serial-dracut.log"
	QEMU_TIMEOUT=300 uefi_boot "$log" 6
	expect_ram_iso_booted "$log" dracut root=live:
}

# The ISO's UKI names a label the ISO does not carry.
case_label() {
	local log="$LAB_TMP/serial-label.log"
	QEMU_TIMEOUT=300 uefi_boot "$log" 4
	expect_line "$log" 'pxeroot: firmware: the RAM disk at 0x[0-9a-f]+ is /dev/pmem0' "label: the RAM disk mapped"
	expect_line "$log" 'pxeroot: media: LABEL=NOT_THIS \(root=live:\) did not appear within 3 s \(rootdelay=\); block devices: .*pmem0 iso9660 LABEL=PXEROOT_UEFI' "label: refused, the RAM disk's label named"
	expect_no_line "$log" "$INIT_RE" "label: live root's init did not run"
	expect_nothing_mounted "$log" label
}

# The BIOS chain for comparison: iPXE loads kernel and initramfs by HTTP.
case_ipxe() {
	local log="$LAB_TMP/serial-ipxe.log"
	QEMU_NET_ARGS=()
	qemu_nic_tap "$(lab_mac 5)"
	KERNEL=none QEMU_NETNS=$NETNS QEMU_MARK_RE=$INIT_RE QEMU_TIMEOUT=300 qemu_boot "$log" ""
	expect_line "$NGINX_LOG" 'GET /initramfs\.img HTTP/1\.1" 200 .*iPXE' "ipxe: iPXE fetched the initramfs"
	expect_line "$log" "$INIT_RE" "ipxe: live root's init started"
	figure "kernel and initramfs chain-loaded by iPXE (BIOS)" "$log"
}

# No firmware RAM disk at all.
case_nonfit() {
	local log="$LAB_TMP/serial-nonfit.log"
	qemu_boot "$log" "archisolabel=PXEROOT_UEFI rootdelay=2 pxeroot.retries=0 pxeroot.onerror=poweroff pxeroot.debug"
	expect_line "$log" 'pxeroot: media: LABEL=PXEROOT_UEFI \(archisolabel=\) did not appear within 2 s \(rootdelay=\); block devices: none; RAM disks: none \(no MEMDISK mBFT; no ACPI NFIT table from the firmware\)' \
		"nonfit: the line names the RAM disks looked for"
	expect_no_line "$log" 'pxeroot: firmware: ' "nonfit: no RAM disk line"
	expect_nothing_mounted "$log" nonfit
}

main() {
	local www tree fail='rootdelay=3 pxeroot.retries=0 pxeroot.onerror=poweroff pxeroot.debug'
	lab_tmpdir
	www="$LAB_TMP/www"
	tree="$LAB_TMP/tree"
	archiso_layout "$tree"
	cp -a "$tree" "$www"
	uefi_lab "$www"
	uefi_uki "$www/pxeroot.efi" default
	uefi_uki "$LAB_TMP/again.efi" default
	expect_ok "make uki's image is reproducible (two builds byte-identical)" cmp -s "$www/pxeroot.efi" "$LAB_TMP/again.efi"
	uefi_iso "$www/pxeroot.iso" "$tree" PXEROOT_UEFI "console=ttyS0 archisolabel=PXEROOT_UEFI archisobasedir=arch checksum=y"
	uefi_iso "$www/dracut.iso" "$tree" PXEROOT_UEFI "console=ttyS0 root=live:CDLABEL=PXEROOT_UEFI archisobasedir=arch checksum=y"
	uefi_iso "$www/label.iso" "$tree" PXEROOT_UEFI "console=ttyS0 root=live:CDLABEL=NOT_THIS archisobasedir=arch checksum=y $fail"
	cp "$LAB_ROOT/build/kernel/vmlinuz" "$LAB_ROOT/build/initramfs.img" "$www/"
	# shellcheck disable=SC2016  # ${next-server} is iPXE's
	# iPXE expands ${next-server} itself (and would empty archiso's ${pxeserver})
	printf '%s\n' '#!ipxe' 'kernel http://${next-server}/vmlinuz console=ttyS0 ip=dhcp archiso_http_srv=http://${next-server}/ archisobasedir=arch checksum=y' \
		'initrd http://${next-server}/initramfs.img' boot >"$www/boot.ipxe"
	uefi_dnsmasq 1=pxeroot.efi 2=missing.efi 3=pxeroot.iso 4=label.iso 5=boot.ipxe 6=dracut.iso
	case_uki
	case_404
	case_iso
	case_dracut
	case_label
	case_ipxe
	case_nonfit
	scenario_end
}

main "$@"
