#!/usr/bin/env bash
# dracut (systemd in the initramfs) with an NFS root: the pxeroot module claims
# dracut's root=nfs:SERVER:PATH, its mount hook runs `pxeroot mount /sysroot`
# (DHCP, NFSv4.2 from nfs-ganesha, read-only under a tmpfs overlay with
# rd.live.overlay.overlayfs=1) and dracut switches root into the export. No
# module of dracut's own NFS or network is in the image. Failure twin: an
# export that does not exist is refused, dracut's emergency path names
# pxeroot's reason, nothing is mounted, the guest powers off.
# e2e: lock nfs
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_dracut.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_dracut.sh"
# shellcheck source=tests/e2e/lib_nfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_nfs.sh"

main() {
	local log
	lab_tmpdir
	dracut_image pxeroot-systemd systemd
	TREE="$LAB_TMP/nfsroot"
	make_nfs_root "$TREE"
	printf 'NAME="pxeroot e2e"\nID=pxeroot-e2e\n' >"$TREE/etc/os-release" # systemd's switch-root wants one
	nfs_start "$TREE" v4 ro

	log="$LAB_TMP/serial-nfs.log"
	QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} qemu_boot "$log" "$(dracut_append "root=nfs:10.0.2.2:$NFS_PSEUDO" rd.live.overlay.overlayfs=1)"
	expect_line "$log" 'Starting .*dracut-mount\.service' "dracut ran its mount hook service"
	expect_line "$log" 'pxeroot: nfs 10\.0\.2\.2:[^ ]+: mounted with NFSv4\.[0-9] on /run/pxeroot/nfs, read-only' "pxeroot mounted the export read-only"
	expect_line "$log" 'pxeroot: mount: overlay on /sysroot' "pxeroot put the overlay on dracut's /sysroot"
	expect_no_line "$log" 'Starting .*(NetworkManager|systemd-networkd|nfs-)|dracut-initqueue.*(ifup|dhclient|nfsroot)' "dracut's own network and NFS stayed out of it"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is the overlay over the export"
	expect_qemu exited "the live root powered off"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	dracut_figure "$log"

	log="$LAB_TMP/serial-missing.log"
	QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} qemu_boot "$log" "$(dracut_append "root=nfs:10.0.2.2:/no/such/export" rd.live.overlay.overlayfs=1 pxeroot.nfs_timeout=10)"
	expect_line "$log" 'Warning: pxeroot could not mount the root on /sysroot: pxeroot: nfs 10\.0\.2\.2:/no/such/export: ' "dracut's emergency path names pxeroot's reason"
	expect_no_line "$log" 'pxeroot: mount: ' "missing: pxeroot mounted nothing"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "missing: live root's init did not run"
	expect_qemu exited "missing: the guest powered off (rd.emergency=poweroff)"
	expect_no_line "$log" 'Kernel panic' "missing: no kernel panic"
	nfs_stop
	scenario_end "$log"
}

main "$@"
