# shellcheck shell=bash
# UEFI firmware in the lab, sourced by the UEFI scenarios: Debian's OVMF (plain, or the Secure Boot
# build with the snakeoil keys enrolled) booting by HTTP on a tap NIC of the scenario's network
# namespace, where dnsmasq answers the firmware's DHCP request (vendor class HTTPClient) with a URL
# per MAC and nginx serves on port 80; the unified kernel images and ISOs the firmware loads.
#
#   uefi_lab WEBROOT — netns, nginx on NETNS_ADDR:80 serving WEBROOT (archiso's tree in it)
#   uefi_dnsmasq MAC_N=PATH... — dnsmasq: MAC number N gets http://NETNS_ADDR/PATH (HTTPClient),
#                                iPXE (user class) its script URL likewise
#   uefi_uki OUT CMDLINE [signed] — make uki's tools/mkuki.sh (CMDLINE "default": its own line;
#                                   signed: the snakeoil key)
#   uefi_iso OUT TREE LABEL CMDLINE — an ISO holding TREE and a UKI of CMDLINE (tools/mkiso.sh)
#   uefi_boot LOG MAC_N [secure] — boot OVMF on the tap NIC with MAC number N, PXE off
#
# The firmware tries PXE before HTTP: its PXEv4 and PXEv6 entries are turned off through fw_cfg
# (opt/org.tianocore/IPv4PXESupport, IPv6PXESupport) and the NIC carries no option ROM, so the
# first entry is "UEFI HTTPv4".

OVMF_DIR=/usr/share/OVMF
SNAKEOIL=/usr/share/ovmf/PkKek-1-snakeoil

# Create the namespace and serve WEBROOT ($1) on port 80 of its address.
uefi_lab() {
	lab_need qemu-system-x86_64 objcopy xorriso mkfs.vfat mcopy
	[[ -f "$OVMF_DIR/OVMF_CODE_4M.fd" ]] || lab_die "no $OVMF_DIR/OVMF_CODE_4M.fd (package ovmf)"
	netns_create 192.168.77.1/24
	NGINX_ADDR=$NETNS_ADDR NGINX_NETNS=$NETNS NGINX_PORT=80 nginx_start "${1:?uefi_lab WEBROOT}"
}

# Start dnsmasq: a lease for anyone, and for each MAC_N=PATH argument the URL of PATH as the boot
# file of MAC number N, for UEFI HTTP boot (option 60 HTTPClient echoed) and for iPXE.
uefi_dnsmasq() {
	local args=() spec n path
	for spec in "$@"; do
		n=${spec%%=*} path=${spec#*=}
		args+=(--dhcp-host="$(lab_mac "$n"),set:m$n" --dhcp-boot="tag:m$n,http://$NETNS_ADDR/$path")
	done
	dnsmasq_start --dhcp-authoritative --dhcp-range=192.168.77.50,192.168.77.60,255.255.255.0,1h \
		--dhcp-vendorclass=set:efihttp,HTTPClient --dhcp-option-force=tag:efihttp,60,HTTPClient \
		--dhcp-userclass=set:ipxe,iPXE "${args[@]}"
}

# Build the UKI $1 with command line $2 from the lab kernel and initramfs; $3 "signed": signed
# with the snakeoil key the Secure Boot firmware trusts.
uefi_uki() {
	local out=${1:?uefi_uki OUT CMDLINE [signed]} line=(--cmdline "${2:?}") sign=()
	[[ "$2" == default ]] && line=()
	[[ "${3:-}" == signed ]] && sign=(--key "$SNAKEOIL.key" --cert "$SNAKEOIL.pem" --key-pass snakeoil)
	"$LAB_ROOT/tools/mkuki.sh" --kernel "${KERNEL:-$LAB_ROOT/build/kernel/vmlinuz}" --initrd "${INITRD:-$LAB_ROOT/build/initramfs.img}" \
		"${line[@]}" --out "$out" "${sign[@]}" >"$out.log" 2>&1 || lab_die "mkuki $out: $(tail -n 3 "$out.log")"
	lab_note "$(cat "$out.log")"
}

# Build ISO $1 from archiso tree $2 with label $3 and a UKI of command line $4 as its EFI loader.
uefi_iso() {
	local out=${1:?uefi_iso OUT TREE LABEL CMDLINE} tree=${2:?} label=${3:?} cmdline=${4:?}
	uefi_uki "$out.efi" "$cmdline"
	"$LAB_ROOT/tools/mkiso.sh" --uki "$out.efi" --tree "$tree" --label "$label" --out "$out" >"$out.log" 2>&1 ||
		lab_die "mkiso $out: $(tail -n 3 "$out.log")"
	rm -f "$out.efi"
	lab_note "$(cat "$out.log")"
}

# Boot OVMF ($3 "secure": the Secure Boot build, q35 with SMM, the snakeoil variables) on the tap
# NIC with MAC number $2, the serial console into LOG $1; a fresh copy of the variable store.
uefi_boot() {
	local log=${1:?uefi_boot LOG MAC_N [secure]} mac=${2:?} code=$OVMF_DIR/OVMF_CODE_4M.fd vars=$OVMF_DIR/OVMF_VARS_4M.fd
	local machine=q35 extra=()
	if [[ "${3:-}" == secure ]]; then
		code=$OVMF_DIR/OVMF_CODE_4M.snakeoil.fd vars=$OVMF_DIR/OVMF_VARS_4M.snakeoil.fd machine=q35,smm=on
		extra=(-global driver=cfi.pflash01,property=secure,value=on)
	fi
	cp "$vars" "$log.vars"
	QEMU_NET_ARGS=()
	QEMU_NIC="virtio-net-pci,romfile=" qemu_nic_tap "$(lab_mac "$mac")"
	KERNEL=none QEMU_NETNS=$NETNS QEMU_MEM=${QEMU_MEM:-1024} qemu_boot "$log" "" -machine "$machine" "${extra[@]}" \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code" -drive "if=pflash,format=raw,unit=1,file=$log.vars" \
		-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n
}
