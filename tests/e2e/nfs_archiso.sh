#!/usr/bin/env bash
# archiso over NFS: archiso_nfs_srv=${pxeserver}:/export names a share holding
# arch/x86_64/airootfs.sfs and its .sha512. With checksum=y the image is
# checked while it is copied into RAM, and the share is unmounted before the
# live root runs; with copytoram=n (and no check: a checked image is never read
# from the share again) it is loop-mounted from there. Failure twin: a tampered copy of the image under another
# archisobasedir is refused, nothing mounted, no panic.
# e2e: lock nfs
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_nfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_nfs.sh"

# Boot NAME ($1) with the share's archiso tree and the extra words $2.
boot_archiso() {
	# ${pxeserver} must reach the kernel command line as it is.
	# shellcheck disable=SC2016
	nfs_boot "$1" 'ip=dhcp archiso_nfs_srv=${pxeserver}:'"$NFS_PSEUDO $2"
}

# The share: the archiso tree of the usual live root, and a tampered copy under bad/.
main() {
	local share url_re
	lab_tmpdir
	share="$LAB_TMP/share"
	make_root_sfs "$LAB_TMP/root.sfs"
	make_archiso_tree "$share" "$LAB_TMP/root.sfs" arch
	make_archiso_tree "$share" "$LAB_TMP/root.sfs" bad
	printf '\xff' | dd of="$share/bad/x86_64/airootfs.sfs" bs=1 seek=$(($(stat -c %s "$LAB_TMP/root.sfs") / 2)) conv=notrunc status=none
	nfs_start "$share" ro
	url_re='/run/pxeroot/nfs/arch/x86_64/airootfs\.sfs'

	boot_archiso copy "archisobasedir=arch checksum=y"
	expect_line "$LOG" 'pxeroot: nfs 10\.0\.2\.2:/export: mounted with NFSv4\.2 on /run/pxeroot/nfs, read-only' "copy: \${pxeserver} is the server; the share read-only"
	expect_line "$LOG" "pxeroot: verify $url_re: sha512 ok" "copy: the image's sha512 checked"
	expect_line "$LOG" 'pxeroot: nfs: airootfs\.sfs copied into RAM; the share is unmounted' "copy: copied into RAM"
	expect_line "$LOG" 'PXEROOT-E2E: init started' "copy: live root's init started"
	expect_no_line "$LOG" 'PXEROOT-E2E: mount: .* nfs4? ' "copy: nothing of NFS left mounted"
	expect_line "$LOG" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower squashfs' "copy: the copy is the lower layer"

	boot_archiso share "archisobasedir=arch copytoram=n"
	expect_line "$LOG" 'pxeroot: nfs: copytoram=n: airootfs\.sfs is mounted from the share' "share: no copy"
	expect_line "$LOG" 'PXEROOT-E2E: init started' "share: live root's init started"
	expect_line "$LOG" 'PXEROOT-E2E: mount: 10\.0\.2\.2:/export /run/pxeroot/nfs nfs4 ro' "share: the share stays mounted"

	boot_archiso tampered "archisobasedir=bad checksum=y"
	nfs_expect_refused "$LOG" '' tampered
	expect_line "$LOG" 'pxeroot: verify /run/pxeroot/nfs/bad/x86_64/airootfs\.sfs: sha512 mismatch .*image refused' "tampered: the sha512 mismatch refuses it"
	nfs_stop
	scenario_end "$LOG"
}

main "$@"
