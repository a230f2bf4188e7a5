#!/usr/bin/env bash
# Build the lab's systemd live root once: a minimal Debian bookworm (debootstrap --variant=minbase
# from the host's apt mirror, plus systemd-sysv) as a squashfs, for the scenarios that need a real
# systemd after switch_root. Kept at OUT (default build/systemd-root/root.sfs) and built again only
# when this script is newer, one build at a time (a lock beside OUT; OUT is renamed into place
# whole). As root.
#
#   tools/systemd-root.sh [OUT]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tools/lib_apt.sh
source "$ROOT/tools/lib_apt.sh"
SUITE=bookworm
OUT=${1:-$ROOT/build/systemd-root/root.sfs}
TREE=""

# Print a message on stderr and exit with status 1.
die() {
	echo "systemd-root: $*" >&2
	exit 1
}

# Add what the scenarios need and boot time does not: a host name, an empty machine-id (systemd
# makes one at boot), no console login prompt.
finish_tree() {
	local dir=$1
	echo pxeroot-systemd >"$dir/etc/hostname"
	: >"$dir/etc/machine-id"
	rm -f "$dir/etc/systemd/system/getty.target.wants/"*
	ln -sf /dev/null "$dir/etc/systemd/system/serial-getty@.service"
	ln -sf /dev/null "$dir/etc/systemd/system/getty@.service"
	rm -rf "$dir/var/cache/apt/archives/"*.deb "$dir/var/lib/apt/lists/"*
}

main() {
	local mirror fd
	[[ $EUID -eq 0 ]] || die "run as root (debootstrap)"
	command -v flock >/dev/null || die "flock missing (util-linux)"
	mkdir -p "$(dirname "$OUT")"
	exec {fd}>"$OUT.lock"
	flock "$fd"
	if [[ -f "$OUT" && "$OUT" -nt "${BASH_SOURCE[0]}" ]]; then
		echo "systemd-root: $OUT is up to date ($(stat -c %s "$OUT") bytes)"
		return 0
	fi
	command -v debootstrap >/dev/null || die "debootstrap missing (tools/deps.sh lab)"
	command -v mksquashfs >/dev/null || die "mksquashfs missing (tools/deps.sh lab)"
	mirror=$(apt_mirror "$SUITE")
	[[ -n "$mirror" ]] || die "no apt source for $SUITE in the host's /etc/apt"
	TREE=$(mktemp -d "$(dirname "$OUT")/tree.XXXXXX")
	trap 'rm -rf "$TREE" "$OUT.tmp"' EXIT
	echo "systemd-root: debootstrap $SUITE (minbase, systemd-sysv) into $TREE"
	debootstrap --variant=minbase --include=systemd-sysv "$SUITE" "$TREE" "$mirror" >"$OUT.debootstrap.log" 2>&1 ||
		die "debootstrap failed (see $OUT.debootstrap.log)"
	finish_tree "$TREE"
	mksquashfs "$TREE" "$OUT.tmp" -noappend -comp zstd -quiet >/dev/null || die "mksquashfs failed"
	mv -f "$OUT.tmp" "$OUT"
	echo "systemd-root: $OUT ($(stat -c %s "$OUT") bytes)"
}

main "$@"
