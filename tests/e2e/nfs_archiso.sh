#!/usr/bin/env bash
# archiso over NFS: archiso_nfs_srv=${pxeserver}:/export names a share holding
# arch/x86_64/airootfs.sfs and its .sha512. With checksum=y the image is
# checked while it is copied into RAM, and the share is unmounted before the
# live root runs; with copytoram=n (and no check: a checked image is never read
# from the share again) it is loop-mounted from there. Failure twin, the first
# attempt of the checked boot (pxeroot.onerror=retry pxeroot.retries=1): the image
# on the share tampered with (one byte) is refused on its sha512, nothing of it
# mounted, no init; the byte is put back while the agent waits, and the second
# attempt is the checked copy that boots, with nothing of NFS and one loop device
# mounted (nothing of the first attempt left), no panic.
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

# Flip the byte in the middle of the share's image (in place: the same file, its bytes changed).
flip_byte() {
	local img="$SHARE/arch/x86_64/airootfs.sfs" off byte
	off=$(($(stat -c %s "$img") / 2))
	byte=$(od -An -tu1 -j "$off" -N1 "$img" | tr -d ' ')
	printf '%b' "\\$(printf '%03o' $((byte ^ 255)))" | dd of="$img" bs=1 seek="$off" conv=notrunc status=none
}

SHARE=""

# The share: the archiso tree of the usual live root, its image tampered with for the first attempt.
main() {
	local url_re a
	lab_tmpdir
	SHARE="$LAB_TMP/share"
	make_root_sfs "$LAB_TMP/root.sfs"
	make_archiso_tree "$SHARE" "$LAB_TMP/root.sfs" arch
	flip_byte
	nfs_start "$SHARE" ro
	url_re='/run/pxeroot/nfs/arch/x86_64/airootfs\.sfs'

	qemu_on_retry "$LAB_TMP/serial-copy.log" flip_byte
	boot_archiso copy "archisobasedir=arch checksum=y pxeroot.onerror=retry pxeroot.retries=1"
	qemu_on_retry_stop
	qemu_attempt_log "$LOG" 1 "$LAB_TMP/tampered.log"
	qemu_attempt_log "$LOG" 2 "$LAB_TMP/copy.log"
	a="$LAB_TMP/tampered.log"
	expect_line "$a" "pxeroot: verify $url_re: sha512 mismatch .*image refused" "tampered: the sha512 mismatch refuses it"
	expect_no_line "$a" 'PXEROOT-E2E: init started' "tampered: live root's init did not run"
	expect_no_line "$a" 'pxeroot: mount: .* on /run/pxeroot/lower' "tampered: no lower layer mounted"
	expect_line "$a" 'pxeroot: retry: stage root failed .*attempt 1 of 1 in 1 s' "tampered: the failure policy applies (a retry, the byte put back meanwhile)"
	a="$LAB_TMP/copy.log"
	expect_line "$a" 'pxeroot: nfs 10\.0\.2\.2:/export: mounted with NFSv4\.2 on /run/pxeroot/nfs, read-only' "copy: \${pxeserver} is the server; the share read-only"
	expect_line "$a" "pxeroot: verify $url_re: sha512 ok" "copy: the image's sha512 checked"
	expect_line "$a" 'pxeroot: nfs: airootfs\.sfs copied into RAM; the share is unmounted' "copy: copied into RAM"
	expect_line "$a" 'PXEROOT-E2E: init started' "copy: live root's init started"
	expect_no_line "$a" 'PXEROOT-E2E: mount: .* nfs4? ' "copy: nothing of NFS left mounted"
	expect_line "$a" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower squashfs' "copy: the copy is the lower layer"
	expect_ok "tampered and copy: one loop device mounted, nothing of the refused attempt left" loops_mounted "$LOG" 1
	expect_no_line "$LOG" 'Kernel panic' "tampered and copy: no kernel panic"

	boot_archiso share "archisobasedir=arch copytoram=n"
	expect_line "$LOG" 'pxeroot: nfs: copytoram=n: airootfs\.sfs is mounted from the share' "share: no copy"
	expect_line "$LOG" 'PXEROOT-E2E: init started' "share: live root's init started"
	expect_line "$LOG" 'PXEROOT-E2E: mount: 10\.0\.2\.2:/export /run/pxeroot/nfs nfs4 ro' "share: the share stays mounted"
	nfs_stop
	scenario_end "$LOG"
}

main "$@"
