#!/usr/bin/env bash
# The mount stage's three kinds of root handle, on the host in a private mount
# namespace (tmpfs on /run), through tests/tools/mountroot.c: a directory (what
# an NFS source hands over) becomes the overlay's lower layer, the directory
# itself untouched by writes, and with rw is bound read-write as the root; a
# block device is mounted as it is (no loop device of pxeroot's), read-only
# under the overlay or, ext4 with rw, read-write as the root; a block device
# holding no filesystem is refused naming the device, nothing left mounted.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOOL="$LAB_ROOT/build/tests/mountroot"
NEWROOT=/run/newroot
LOOPS=()
LOOP_DEV=""

# FSTYPE and SOURCE of what is mounted at $1 ("" when nothing).
mounted() {
	findmnt -n -r -o FSTYPE,SOURCE --mountpoint "$1" 2>/dev/null | head -1 || true
}

# Run mountroot with $@; its output into $LAB_TMP/mount.log; its exit code.
mount_root() {
	local rc=0
	"$TOOL" "$@" >"$LAB_TMP/mount.log" 2>&1 || rc=$?
	LAB_LAST_LOG=$LAB_TMP/mount.log
	return $rc
}

# A host loop device on file $1 (read-write) into LOOP_DEV, kept for detach_loops.
loop_dev() {
	LOOP_DEV=$(losetup -f --show "$1")
	LOOPS+=("$LOOP_DEV")
}

# A directory root: overlay over it; rw: bound read-write.
check_dir() {
	local tree=$LAB_TMP/tree rc=0
	mkdir -p "$tree/etc" && echo dir-root >"$tree/etc/marker"
	mount_root dir "$tree" "$NEWROOT" || rc=1
	lab_assert "$rc" "dir: mount_root succeeds"
	lab_assert "$([[ "$(mounted "$NEWROOT")" == overlay* ]] && echo 0 || echo 1)" "dir: the new root is an overlay ($(mounted "$NEWROOT"))"
	lab_assert "$(grep -qx dir-root "$NEWROOT/etc/marker" && echo 0 || echo 1)" "dir: the directory's files are in the new root"
	echo change >"$NEWROOT/etc/new"
	lab_assert "$([[ ! -e "$tree/etc/new" ]] && echo 0 || echo 1)" "dir: a write goes to the overlay, not into the directory"
	"$TOOL" undo "$NEWROOT"
	lab_assert "$([[ -z "$(mounted "$NEWROOT")" ]] && echo 0 || echo 1)" "dir: undo unmounts it"
	mount_root dir "$tree" "$NEWROOT" rw || rc=1
	lab_assert "$rc" "dir rw: mount_root succeeds"
	echo change >"$NEWROOT/etc/rw"
	lab_assert "$([[ -e "$tree/etc/rw" ]] && echo 0 || echo 1)" "dir rw: the directory itself is the root, read-write"
	"$TOOL" undo "$NEWROOT"
}

# An ext4 block device: read-only lower under the overlay; rw: the root itself.
check_block() {
	local img=$LAB_TMP/root.ext4 dev rc=0 before after
	truncate -s 16M "$img"
	mkfs.ext4 -q -F -d "$LAB_TMP/tree" "$img"
	loop_dev "$img"
	dev=$LOOP_DEV
	before=$(losetup -l -n | wc -l)
	mount_root block "$dev" "$NEWROOT" || rc=1
	after=$(losetup -l -n | wc -l)
	lab_assert "$rc" "block: mount_root succeeds"
	lab_assert "$([[ "$(mounted /run/pxeroot/lower)" == "ext4 $dev" ]] && echo 0 || echo 1)" "block: $dev itself is the read-only lower ($(mounted /run/pxeroot/lower))"
	lab_assert "$([[ "$before" == "$after" ]] && echo 0 || echo 1)" "block: no loop device attached ($before before, $after after)"
	lab_assert "$(grep -qx dir-root "$NEWROOT/etc/marker" && echo 0 || echo 1)" "block: the filesystem's files are in the new root"
	"$TOOL" undo "$NEWROOT"
	mount_root block "$dev" "$NEWROOT" rw || rc=1
	lab_assert "$rc" "block rw: mount_root succeeds"
	lab_assert "$([[ "$(mounted "$NEWROOT")" == "ext4 $dev" ]] && echo 0 || echo 1)" "block rw: the ext4 device is the root ($(mounted "$NEWROOT"))"
	expect_line "$LAB_TMP/mount.log" "pxeroot: mount: $(lab_re_escape "$dev") \\(ext4\\) on $NEWROOT read-write" "block rw: the line names the device"
	"$TOOL" undo "$NEWROOT"
}

# A block device with nothing on it: refused, the device named, nothing mounted.
check_block_bad() {
	local img=$LAB_TMP/zero.img dev rc=0
	truncate -s 4M "$img"
	loop_dev "$img"
	dev=$LOOP_DEV
	mount_root block "$dev" "$NEWROOT" || rc=$?
	lab_assert "$([[ $rc -eq 1 ]] && echo 0 || echo 1)" "empty block device: mount_root fails"
	expect_line "$LAB_TMP/mount.log" "pxeroot: image $(lab_re_escape "$dev"): no known filesystem" "empty block device: the cause names the device"
	lab_assert "$([[ -z "$(mounted "$NEWROOT")$(mounted /run/pxeroot/lower)" ]] && echo 0 || echo 1)" "empty block device: nothing mounted"
}

# Detach the host loop devices this test attached (from the EXIT trap).
# shellcheck disable=SC2317
detach_loops() {
	local d
	for d in "${LOOPS[@]}"; do losetup -d "$d" 2>/dev/null || true; done
}

main() {
	if [[ "${1:-}" != --inside ]]; then
		exec unshare -m --propagation private "$0" --inside
	fi
	lab_tmpdir
	[[ -x "$TOOL" ]] || lab_die "$TOOL missing (make unit)"
	mount -t tmpfs tmpfs /run
	trap 'detach_loops; lab_cleanup' EXIT
	check_dir
	check_block
	check_block_bad
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
