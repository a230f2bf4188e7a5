# shellcheck shell=bash
# syslinux MEMDISK in the lab; `source` it after lib.sh. An isolinux ISO that
# boots the lab kernel, and a QEMU boot of /usr/lib/syslinux/memdisk with that
# ISO as its "initrd" ("iso raw"): MEMDISK keeps the ISO in RAM, emulates a CD
# for isolinux, and leaves its mBFT in base memory for the kernel it starts.
#
#   memdisk_iso ISO INITRD APPEND [TREE] — isolinux ISO (label PXEROOT_MEMDISK)
#       with the lab kernel, INITRD and kernel command line APPEND, plus the
#       files of directory TREE at its root (e.g. an archiso layout)
#   memdisk_boot LOG ISO — boot ISO under MEMDISK, serial console to LOG
#   memdisk_ipxe_boot LOG ISO — the netboot guides' chain: the NIC's iPXE ROM
#       gets an iPXE script by DHCP and TFTP (QEMU's user network), which loads
#       memdisk and ISO over HTTP from nginx and boots them

# Build ISO $1 booting the lab kernel with initrd $2 and command line $3; the
# files under directory $4 (when given) go to the ISO's root too.
memdisk_iso() {
	local iso=$1 initrd=$2 append=$3 tree=${4:-} dir
	lab_need xorriso
	[[ -f /usr/lib/ISOLINUX/isolinux.bin ]] || lab_die "no /usr/lib/ISOLINUX/isolinux.bin (package isolinux)"
	dir=$(mktemp -d "$LAB_TMP/isotree.XXXXXX")
	mkdir -p "$dir/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$dir/isolinux/"
	[[ -n "$tree" ]] && cp -a "$tree/." "$dir/"
	cp "$initrd" "$dir/initrd.img"
	cp "$LAB_ROOT/build/kernel/vmlinuz" "$dir/vmlinuz"
	printf 'SERIAL 0 115200\nDEFAULT test\nPROMPT 0\nTIMEOUT 0\nLABEL test\n  KERNEL /vmlinuz\n  APPEND initrd=/initrd.img %s\n' \
		"$append" >"$dir/isolinux/isolinux.cfg"
	xorriso -as mkisofs -quiet -o "$iso" -V PXEROOT_MEMDISK -b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table "$dir" 2>"$LAB_TMP/xorriso.log" ||
		lab_die "xorriso failed: $(tail -n 3 "$LAB_TMP/xorriso.log")"
	rm -rf "$dir"
	lab_note "ISO: $iso ($(stat -c %s "$iso") bytes), append: $append"
}

# Boot ISO $2 under syslinux MEMDISK; the serial console goes to LOG $1.
memdisk_boot() {
	[[ -f /usr/lib/syslinux/memdisk ]] || lab_die "no /usr/lib/syslinux/memdisk (package syslinux-common)"
	QEMU_KCONSOLE="" KERNEL=/usr/lib/syslinux/memdisk INITRD=$2 QEMU_MEM=768 qemu_boot "$1" "iso raw"
}

# Boot ISO $2 under MEMDISK the way iPXE chain-loads it: QEMU's DHCP names the
# iPXE script boot.ipxe (TFTP), which fetches memdisk and the ISO from nginx
# over HTTP; the serial console goes to LOG $1.
memdisk_ipxe_boot() {
	local log=${1:?memdisk_ipxe_boot LOG ISO} iso=${2:?memdisk_ipxe_boot LOG ISO} www tftp
	[[ -f /usr/lib/syslinux/memdisk ]] || lab_die "no /usr/lib/syslinux/memdisk (package syslinux-common)"
	local rom=/usr/lib/ipxe/qemu/pxe-e1000.rom
	[[ -f "$rom" ]] || lab_die "no $rom (package ipxe-qemu)"
	www=$(mktemp -d "$LAB_TMP/ipxe-www.XXXXXX")
	tftp=$(mktemp -d "$LAB_TMP/ipxe-tftp.XXXXXX")
	cp /usr/lib/syslinux/memdisk "$www/memdisk"
	cp "$iso" "$www/live.iso"
	nginx_start "$www"
	printf '#!ipxe\nkernel http://10.0.2.2:%s/memdisk iso raw\ninitrd http://10.0.2.2:%s/live.iso\nboot\n' \
		"$HTTP_PORT" "$HTTP_PORT" >"$tftp/boot.ipxe"
	# an e1000: the virtio ROM of ipxe-qemu declares the modern device id (1af4:1041), which
	# SeaBIOS does not run for QEMU's transitional virtio-net-pci (1af4:1000)
	# shellcheck disable=SC2034 # qemu_boot reads it
	local QEMU_NET_ARGS=(-netdev "user,id=n0,tftp=$tftp,bootfile=boot.ipxe" -device "e1000,netdev=n0,romfile=$rom")
	KERNEL=none QEMU_MEM=768 QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} qemu_boot "$log" ""
}
