#!/usr/bin/env bash
# Many diskless clients, one read-only export: dracut's root=nfs4:10.0.2.2:/export
# with pxeroot.overlay=1 mounts the export read-only under a tmpfs overlay, so
# the live root is writable while the export stays untouched; without the
# overlay, root=nfs:… (dracut's default ro) gives a read-only root.
# e2e: lock nfs
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_nfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_nfs.sh"

# One read-only export, two boots.
main() {
	nfs_serve_root ro
	nfs_boot overlay "ip=dhcp root=nfs4:10.0.2.2:$NFS_PSEUDO pxeroot.overlay=1"
	expect_line "$LOG" 'pxeroot: nfs 10\.0\.2\.2:/export: mounted with NFSv4\.2 on /run/pxeroot/nfs, read-only' "overlay: NFSv4.2 read-only"
	expect_line "$LOG" 'pxeroot: mount: overlay on ' "overlay: a tmpfs overlay over the export"
	expect_line "$LOG" 'PXEROOT-E2E: mount: overlay / overlay .*lowerdir=/run/pxeroot/nfs' "overlay: / is the overlay over the export"
	expect_line "$LOG" 'PXEROOT-E2E: wrote /written-by-guest' "overlay: the live root is writable"
	expect_ok "overlay: the export is untouched" test ! -e "$TREE/written-by-guest"
	expect_line "$LOG" 'PXEROOT-E2E: init started' "overlay: live root's init started"
	expect_no_line "$LOG" 'Kernel panic' "overlay: no kernel panic"

	nfs_boot plain "ip=dhcp root=nfs:10.0.2.2:$NFS_PSEUDO"
	expect_line "$LOG" 'pxeroot: nfs 10\.0\.2\.2:/export: mounted with NFSv4\.2 on /run/pxeroot/nfs, read-only' "plain: NFSv4.2 read-only"
	expect_line "$LOG" 'PXEROOT-E2E: / is read-only' "plain: without the overlay / is the read-only export"
	expect_line "$LOG" 'PXEROOT-E2E: init started' "plain: live root's init started"
	nfs_stop
	scenario_end "$LOG"
}

main "$@"
