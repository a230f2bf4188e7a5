#!/usr/bin/env bash
# switch_root failing half-way. A live root whose /run is a file: /dev, /proc
# and /sys were moved into it when moving /run fails; they are moved back,
# the failure policy applies with the initramfs as it was (mount table: /proc
# at /proc again), no kernel panic. A live root whose init cannot be executed
# (init=/bad-init, not a program): the initramfs is already deleted, so the
# machine halts with a line saying so instead of looping in a rescue shell.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Build root image $1 from the busybox tree, changed by the function named $2.
make_broken_root() {
	local out=$1 change=$2 tree
	tree=$(mktemp -d "$LAB_TMP/tree.XXXXXX")
	make_root_tree "$tree"
	"$change" "$tree"
	mksquashfs "$tree" "$out" -noappend -comp xz -all-root -quiet >/dev/null
	rm -rf "$tree"
}

# /run of tree $1 is a regular file: the mount cannot move there.
# shellcheck disable=SC2317  # called through make_broken_root
run_is_a_file() {
	rm -rf "$1/run"
	echo "not a directory" >"$1/run"
}

# Tree $1 gets /bad-init: executable, but no program.
# shellcheck disable=SC2317  # called through make_broken_root
bad_init() {
	printf 'no program\n' >"$1/bad-init"
	chmod 0755 "$1/bad-init"
}

main() {
	local log_move log_exec
	lab_tmpdir
	log_move="$LAB_TMP/serial-move.log"
	log_exec="$LAB_TMP/serial-exec.log"
	WEBROOT="$LAB_TMP/www"
	mkdir -p "$WEBROOT"
	make_broken_root "$LAB_TMP/run-file.sfs" run_is_a_file
	make_broken_root "$LAB_TMP/bad-init.sfs" bad_init
	make_archiso_tree "$WEBROOT" "$LAB_TMP/run-file.sfs" runfile
	make_archiso_tree "$WEBROOT" "$LAB_TMP/bad-init.sfs" badinit
	nginx_start "$WEBROOT"

	QEMU_STOP_RE='pxeroot: (halted|powering off)' qemu_boot "$log_move" \
		"ip=dhcp archiso_http_srv=http://10.0.2.2:$HTTP_PORT/ archisobasedir=runfile checksum=y pxeroot.onerror=poweroff pxeroot.debug"
	expect_line "$log_move" 'pxeroot: switch_root: move /run to /newroot/run: ' "moving /run failed"
	expect_line "$log_move" 'pxeroot: switch_root: moved /newroot/dev back to /dev' "/dev moved back"
	expect_line "$log_move" 'pxeroot: switch_root: moved /newroot/sys back to /sys' "/sys moved back"
	expect_line "$log_move" 'pxeroot: mounts: proc /proc proc ' "the mount table shows /proc at /proc again"
	expect_no_line "$log_move" 'pxeroot: mounts: proc /newroot/proc ' "nothing left under /newroot/proc"
	expect_line "$log_move" 'pxeroot: powering off' "the failure policy applied (poweroff)"
	expect_no_line "$log_move" 'PXEROOT-E2E: init started' "no init ran"
	expect_no_line "$log_move" 'Kernel panic' "no kernel panic"

	qemu_boot "$log_exec" \
		"ip=dhcp archiso_http_srv=http://10.0.2.2:$HTTP_PORT/ archisobasedir=badinit checksum=y init=/bad-init"
	expect_line "$log_exec" 'pxeroot: switch_root: exec /bad-init: Exec format error; the initramfs is already deleted' \
		"the exec failure is named, and why there is no way back"
	expect_line "$log_exec" 'pxeroot: halted: ' "the machine halts (default policy, no initramfs left)"
	expect_no_line "$log_exec" 'pxeroot: (rescue: starting|retry: )' "no rescue shell, no retry"
	expect_no_line "$log_exec" 'Kernel panic' "no kernel panic"
	scenario_end "$log_exec"
}

main "$@"
