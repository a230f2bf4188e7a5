#!/usr/bin/env bash
# Benchmark: initramfs-tools with pxeroot beside Debian's own live-boot, on the same image in
# the same run. Both initramfs images are built by Debian's real mkinitramfs for the lab kernel
# (tests/e2e/lib_itools.sh: a private configuration directory, zstd, MODULES=list); both boot the
# same squashfs (the lab's live root), served by nginx under two names:
#   (a) pxeroot:   build/initramfs-tools/pxeroot.img, the E2E suite's image, on archiso's HTTP
#                  line (arch/x86_64/airootfs.sfs, its sha512 checked);
#   (b) live-boot: live-boot and live-boot-initramfs-tools of the host's Debian release,
#                  downloaded once into build/bench/live-boot/ and unpacked into a private tree
#                  that is laid over /usr only while mkinitramfs runs (never installed: their hook
#                  would go into every image the E2E suite builds), on live-boot's line
#                  `boot=live fetch=http://10.0.2.2:PORT/live/filesystem.squashfs`: its own DHCP
#                  (klibc ipconfig on the NIC it finds), busybox wget into a ramfs, no check;
#                  the image holds what the packages' hooks add (their kms hook: i915, nouveau,
#                  radeon) and virtio_pci.
# Both lines add `quiet`, and what makes a failed boot end at once (pxeroot.onerror=poweroff,
# panic=-1). The live-boot image is cached and rebuilt when its inputs change.
#
#   tests/bench/liveboot.sh   BENCH_RUNS=N (default 3) boots of each, alternating
#
# Prints each boot's guest uptime at the live init, then
#   figure: live init uptime, median of N: initramfs-tools+pxeroot X s (A bytes); live-boot Y s (B bytes) (same image, Z KiB)
# Exits 1 when a boot does not reach the live init.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
# shellcheck source=tests/e2e/lib_itools.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib_itools.sh"
# shellcheck source=tests/bench/lib_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_bench.sh"

LIVEBOOT_DIR="$LAB_ROOT/build/bench/live-boot"
LIVEBOOT_PKGS=(live-boot live-boot-initramfs-tools)

# Download the live-boot packages of apt's candidate version into $LIVEBOOT_DIR/debs, unless
# they are there (bench_debs).
liveboot_debs() {
	local ver
	ver=$(apt-cache policy live-boot 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[[ -n "$ver" && "$ver" != "(none)" ]] || lab_die "apt knows no live-boot package (apt-get update?)"
	bench_debs "$LIVEBOOT_DIR/debs" "$ver" "${LIVEBOOT_PKGS[@]}"
}

# Unpack the .debs into the new directory $1 with merged /usr's layout (their /bin and /lib
# moved under usr/), ready to be laid over /usr.
liveboot_tree() {
	local tree=$1 d
	bench_debs_unpack "$LIVEBOOT_DIR/debs" "$tree"
	for d in bin sbin lib; do
		[[ -d "$tree/$d" ]] || continue
		mkdir -p "$tree/usr/$d"
		cp -a "$tree/$d/." "$tree/usr/$d/"
		rm -rf "${tree:?}/$d"
	done
}

# Download the .debs when apt's candidate changed, then succeed when image $1 is missing or
# older than what goes into it.
liveboot_stale() {
	local img=$1 f
	liveboot_debs
	[[ -f "$img" ]] || return 0
	for f in "$LIVEBOOT_DIR/debs/version" "$LAB_ROOT/build/kernel/version" "$LAB_ROOT/tests/e2e/lib_itools.sh" "${BASH_SOURCE[0]}"; do
		[[ "$f" -nt "$img" ]] && return 0
	done
	return 1
}

# Build image $1: mkinitramfs with live-boot's hook and scripts from the private tree, plus
# virtio_pci (the lab's NIC sits on it; pxeroot's hook adds it too). Fails unless the image
# holds live-boot's boot script.
liveboot_build() {
	local img=$1 tree conf
	tree=$(mktemp -d "$LAB_TMP/live-boot-tree.XXXXXX")
	liveboot_tree "$tree"
	conf=$(itools_conf)
	echo virtio_pci >>"$conf/modules"
	itools_mkinitramfs "$conf" "$img" "$tree"
	lsinitramfs "$img" >"$LAB_TMP/live-boot.list"
	grep -qx 'scripts/live' "$LAB_TMP/live-boot.list" || lab_die "$img has no scripts/live (live-boot's hook did not run)"
}

# Build (or reuse) $LIVEBOOT_DIR/live-boot.img; set INITRD.
liveboot_image() {
	lab_need mkinitramfs unshare flock zstd apt-get apt-cache dpkg lsinitramfs
	itools_cached "$LIVEBOOT_DIR/live-boot.img" liveboot_stale liveboot_build
}

# Give archiso's image of serve_archiso a second name, live/filesystem.squashfs, where
# live-boot's fetch= wants it (a .squashfs name); print its URL.
liveboot_url() {
	mkdir -p "$WEBROOT/live"
	ln -sf ../arch/x86_64/airootfs.sfs "$WEBROOT/live/filesystem.squashfs"
	echo "http://10.0.2.2:$HTTP_PORT/live/filesystem.squashfs"
}

main() {
	local img_px img_lb
	lab_tmpdir
	itools_image
	img_px=$INITRD
	liveboot_image
	img_lb=$INITRD
	serve_archiso arch
	bench_two_images initramfs-tools+pxeroot "$img_px" "$(archiso_http_append quiet)" \
		live-boot "$img_lb" "boot=live fetch=$(liveboot_url) quiet panic=-1"
}

main "$@"
