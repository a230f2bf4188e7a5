#!/usr/bin/env bash
# shellcheck disable=SC2119  # nfs_serve_root takes optional words
# Diskless boots in the kernel's syntax against nfs-ganesha exporting a live
# root read-write over NFSv3 and v4: root=/dev/nfs nfsroot=10.0.2.2:/export rw
# (no vers=: NFSv4.2 is tried first and taken) and
# nfsroot=10.0.2.2:<dir>,vers=3 rw. Each live root is the export itself (no
# overlay) and writes /written-by-guest, which the host then finds in the export;
# eth0 keeps its address, net-eth0.conf says the root is on the network, and
# the root's (stand-in) systemd-networkd gets a file keeping the configuration.
# e2e: lock nfs
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_nfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_nfs.sh"

# Boot NAME ($1) with APPEND ($2); expect NFS version $3 read-write, the init,
# and the guest's file on the host.
boot_rw() {
	local name=$1 append=$2 vers=$3
	rm -f "$TREE/written-by-guest"
	nfs_boot "$name" "$append"
	expect_line "$LOG" "pxeroot: nfs 10\.0\.2\.2:[^ ]+: mounted with NFSv$vers on /run/pxeroot/nfs, read-write" "$name: NFSv$vers mounted read-write"
	expect_line "$LOG" 'pxeroot: mount: /run/pxeroot/nfs is / as it is, no overlay' "$name: the export is / itself"
	expect_line "$LOG" 'PXEROOT-E2E: init started' "$name: live root's init started"
	expect_line "$LOG" 'PXEROOT-E2E: mount: [^ ]+ / nfs4? rw' "$name: / is the NFS export, read-write"
	expect_line "$LOG" 'PXEROOT-E2E: wrote /written-by-guest' "$name: the guest wrote into /"
	expect_ok "$name: the host sees the guest's file in the export" \
		test "$(cat "$TREE/written-by-guest" 2>/dev/null)" == "written by the guest"
	nfs_expect_kept "$LOG" "$name" '10\.0\.2\.15/24'
	expect_no_line "$LOG" 'Kernel panic' "$name: no kernel panic"
}

# One export, two boots.
main() {
	nfs_serve_root
	boot_rw v4 "ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:$NFS_PSEUDO rw" 4.2
	boot_rw v3 "ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:$NFS_EXPORT_DIR,vers=3 rw" 3
	nfs_stop
	scenario_end "$LOG"
}

main "$@"
