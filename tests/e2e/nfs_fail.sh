#!/usr/bin/env bash
# shellcheck disable=SC2119  # nfs_serve_root takes optional words
# NFS failure twins, each refused with its cause named, nothing mounted, no
# panic: a path the server does not have (v4 says no such path, then v3 is
# tried; v3 alone hears "access denied", all its MOUNT protocol says of a path
# not exported), a v4-only request (dracut's nfs4:) to a v3-only server, and no
# server running at all. An export asked for with checks (checksum=y verify=y
# cms_verify=y) is refused before the network comes up: nothing checks an
# export, so it is never booted as if it had been.
# e2e: lock nfs
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_nfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_nfs.sh"

# A v3 and v4 export for the missing paths, a v3-only one, then none.
main() {
	nfs_serve_root
	nfs_boot checked "ip=dhcp root=nfs:10.0.2.2:$NFS_PSEUDO checksum=y verify=y cms_verify=y"
	expect_line "$LOG" 'pxeroot: cmdline checksum=y verify=y cms_verify=y: the nfs source \(.*\) cannot check what it boots: an NFS export is the root as it is' "checked: refused at claim, the options and the source named"
	expect_no_line "$LOG" 'pxeroot: (dhcp|nfs) ' "checked: neither the network nor the export touched"
	expect_no_line "$LOG" 'PXEROOT-E2E: init started' "checked: live root's init did not run"
	expect_line "$LOG" 'pxeroot: halted' "checked: the agent halts (no policy without a plan)"
	expect_nothing_mounted "$LOG" checked
	nfs_boot no-path "ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/export/no/such"
	nfs_expect_refused "$LOG" '10\.0\.2\.2:/export/no/such: no such export or path on the server \(NFSv4\.2, 3 tried\)' no-path
	nfs_boot no-path-v3 "ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:/no/such/export,vers=3"
	nfs_expect_refused "$LOG" '10\.0\.2\.2:/no/such/export: access denied by the server: the path is not exported to this client, or root is squashed \(NFSv3 tried\)' no-path-v3
	nfs_start "$TREE" v3
	nfs_boot v4-only "ip=dhcp root=nfs4:10.0.2.2:$NFS_PSEUDO"
	nfs_expect_refused "$LOG" '10\.0\.2\.2:/export: NFS version not supported by the server \(NFSv4\.2, 4\.1, 4\.0 tried\)' v4-only
	nfs_stop
	nfs_boot no-server "ip=dhcp root=nfs:10.0.2.2:$NFS_PSEUDO pxeroot.nfs_timeout=20"
	nfs_expect_refused "$LOG" '10\.0\.2\.2:/export: (server unreachable|mount timed out)' no-server
	scenario_end "$LOG"
}

main "$@"
