#!/usr/bin/env bash
# dracut boot (systemd in the initramfs, as Fedora and RHEL build it): the
# pxeroot module claims root=live:http://..., its mount hook runs
# `pxeroot mount /sysroot` (DHCP, download, sha512, loop + overlay) and dracut
# switches root into the live root, whose /sbin/init runs.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_dracut.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_dracut.sh"

# Boot the dracut image against a good archiso tree.
main() {
	local log url
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	dracut_image pxeroot-systemd systemd
	dracut_serve_archiso arch
	url=$(dracut_live_url arch)
	QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} qemu_boot "$log" "$(dracut_append "root=live:$url" checksum=y)"
	expect_line "$log" 'Starting .*dracut-mount\.service' "dracut ran its mount hook service"
	expect_line "$log" "pxeroot: verify $(lab_re_escape "$url"): sha512 ok" "pxeroot verified the image's sha512"
	expect_line "$log" 'pxeroot: mount: overlay on /sysroot' "pxeroot mounted the overlay on dracut's /sysroot"
	expect_no_line "$log" 'dracut-initqueue.*(ifup|dhclient|nm-)|Starting .*(NetworkManager|systemd-networkd)' \
		"dracut's own network stayed out of it"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower squashfs ro' \
		"squashfs read-only from a loop device, kept under /run/pxeroot"
	expect_line "$log" 'PXEROOT-E2E: resolv: nameserver 10\.0\.2\.3' "DHCP's DNS server in the live root's /etc/resolv.conf"
	expect_qemu exited "the live root powered off"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	dracut_figure "$log"
	scenario_end "$log"
}

main "$@"
