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

# Whether what is mounted at $1 (FSTYPE SOURCE) matches the glob $2.
# shellcheck disable=SC2317  # run by expect_ok
mounted_as() {
	# shellcheck disable=SC2053  # $2 is a glob
	[[ "$(mounted "$1")" == $2 ]]
}

# Whether nothing is mounted at any of $@.
# shellcheck disable=SC2317  # run by expect_ok
nothing_mounted() {
	local dir
	for dir in "$@"; do
		[[ -z "$(mounted "$dir")" ]] || return 1
	done
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
	expect_ok "dir: the new root is an overlay ($(mounted "$NEWROOT"))" mounted_as "$NEWROOT" 'overlay*'
	expect_ok "dir: the directory's files are in the new root" grep -qx dir-root "$NEWROOT/etc/marker"
	echo change >"$NEWROOT/etc/new"
	expect_ok "dir: a write goes to the overlay, not into the directory" test ! -e "$tree/etc/new"
	"$TOOL" undo "$NEWROOT"
	expect_ok "dir: undo unmounts it" nothing_mounted "$NEWROOT"
	mount_root dir "$tree" "$NEWROOT" rw || rc=1
	lab_assert "$rc" "dir rw: mount_root succeeds"
	echo change >"$NEWROOT/etc/rw"
	expect_ok "dir rw: the directory itself is the root, read-write" test -e "$tree/etc/rw"
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
	expect_ok "block: $dev itself is the read-only lower ($(mounted /run/pxeroot/lower))" mounted_as /run/pxeroot/lower "ext4 $dev"
	expect_ok "block: no loop device attached ($before before, $after after)" test "$before" = "$after"
	expect_ok "block: the filesystem's files are in the new root" grep -qx dir-root "$NEWROOT/etc/marker"
	"$TOOL" undo "$NEWROOT"
	mount_root block "$dev" "$NEWROOT" rw || rc=1
	lab_assert "$rc" "block rw: mount_root succeeds"
	expect_ok "block rw: the ext4 device is the root ($(mounted "$NEWROOT"))" mounted_as "$NEWROOT" "ext4 $dev"
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
	expect_ok "empty block device: mount_root fails" test "$rc" -eq 1
	expect_line "$LAB_TMP/mount.log" "pxeroot: image $(lab_re_escape "$dev"): no known filesystem" "empty block device: the cause names the device"
	expect_ok "empty block device: nothing mounted" nothing_mounted "$NEWROOT" /run/pxeroot/lower
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
