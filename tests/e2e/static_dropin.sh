#!/usr/bin/env bash
# The static binary drops into any initramfs: build/pxeroot has no program
# interpreter and no dynamic section, and the standalone image holds no shared
# object and no loader. An image of only the binary as /init, the kernel
# modules (taken from build/initramfs.img), the CA bundle and /dev/console, in
# no distribution's layout (no /usr, /lib64 or /bin, no busybox, no shell),
# boots archiso's HTTP flow: DHCP, download, sha512, overlay, the live init.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"

# Assert that build/pxeroot is a static executable.
check_elf() {
	local headers dynamic
	headers=$(readelf -lW "$PXEROOT")
	dynamic=$(readelf -dW "$PXEROOT")
	lab_assert "$(grep -q 'INTERP' <<<"$headers" && echo 1 || echo 0)" "build/pxeroot has no program interpreter"
	lab_assert "$(grep -q 'NEEDED' <<<"$dynamic" && echo 1 || echo 0)" "build/pxeroot needs no shared library"
	expect_ok "file(1) says statically linked" grep -q 'statically linked' <<<"$(file -b "$PXEROOT")"
}

# Assert that the standalone image holds no shared object, no loader and no shell.
check_standalone() {
	local list
	list=$(zstd -dcq "$LAB_ROOT/build/initramfs.img" | cpio -t --quiet)
	lab_assert "$(grep -Eq '\.so(\.[0-9]+)*$|ld-linux' <<<"$list" && echo 1 || echo 0)" \
		"build/initramfs.img holds no shared object or loader ($(wc -l <<<"$list") entries)"
	lab_assert "$(grep -Eq '(^|/)(busybox|sh|bash)$' <<<"$list" && echo 1 || echo 0)" "build/initramfs.img holds no shell"
}

# Write the bare image $1: /init, the modules of build/initramfs.img, the CA bundle, /dev/console.
make_bare_image() {
	local dir=$LAB_TMP/bare unpacked=$LAB_TMP/standalone
	mkdir -p "$dir/dev" "$dir/lib" "$dir/etc/ssl/certs" "$unpacked"
	lab_unpack_initrd "$LAB_ROOT/build/initramfs.img" "$unpacked"
	cp -a "$unpacked/usr/lib/modules" "$dir/lib/modules"
	cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/"
	cp "$PXEROOT" "$dir/init"
	mknod -m 600 "$dir/dev/console" c 5 1
	lab_pack_initrd "$dir" "$1"
	lab_note "bare image: $(cd "$dir" && find . -type f | grep -vc '^./lib/modules/') files beside the modules, $(stat -c %s "$1") bytes"
}

main() {
	local log
	lab_tmpdir
	lab_need readelf file zstd cpio mknod
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	LAB_LAST_LOG=$LAB_TMP/checks.log
	check_elf
	check_standalone
	make_bare_image "$LAB_TMP/bare.img"
	serve_archiso arch
	log="$LAB_TMP/serial.log"
	INITRD="$LAB_TMP/bare.img" qemu_boot "$log" "$(archiso_http_append pxeroot.debug)"
	expect_line "$log" 'pxeroot: modules: loaded virtio_net' "the static binary loaded the NIC's driver (libkmod)"
	expect_line "$log" 'pxeroot: net: up on ' "DHCP brought the network up"
	expect_line "$log" 'pxeroot: .*sha512.*ok' "the image was fetched and its sha512 checked"
	expect_line "$log" 'PXEROOT-E2E: init started' "the live root's init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
