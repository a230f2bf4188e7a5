#!/usr/bin/env bash
# root=live: on an ext4 image: libblkid names it, it is mounted read-only from a loop device as
# the overlay's lower layer, and the live root's init runs on the overlay. Then the same with
# an ext2 image, buildroot's rootfs.ext2, which the ext4 driver mounts.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot image rootfs.KIND ($1) of the web root and check the agent's lines and the mounts the
# live root sees.
boot_kind() {
	local kind=$1 log="$LAB_TMP/serial-$1.log"
	qemu_boot "$log" "$(live_http_append "rootfs.$kind" pxeroot.debug)"
	expect_line "$log" 'pxeroot: .*sha512.*ok' "$kind: agent verified the image's sha512"
	expect_line "$log" "pxeroot: mount: /dev/loop[0-9]+ \\(/run/pxeroot/img/rootfs\\.$kind, $kind\\) on /run/pxeroot/lower read-only" \
		"$kind: agent names the type and mounts it read-only as the lower layer"
	expect_line "$log" 'PXEROOT-E2E: init started' "$kind: live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "$kind: / is an overlay"
	expect_line "$log" "PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower $kind ro" "$kind: read-only from a loop device under it"
	expect_no_line "$log" 'Kernel panic' "$kind: no kernel panic"
}

# Serve both images under one sha512 list, boot each.
main() {
	lab_tmpdir
	make_root_ext4 "$LAB_TMP/rootfs.ext4"
	mkdir -p "$LAB_TMP/www"
	make_root_ext4 "$LAB_TMP/www/rootfs.ext2" 16 ext2
	serve_image "$LAB_TMP/rootfs.ext4"
	(cd "$WEBROOT" && sha512sum rootfs.ext4 rootfs.ext2 >rootfs.sha512)
	boot_kind ext4
	boot_kind ext2
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
