#!/usr/bin/env bash
# Benchmark: dracut with pxeroot beside dracut's own livenet, on the same image
# in the same run. Both initramfs images are built by Debian's dracut 059 for
# the lab kernel in the systemd flavour (as Fedora and RHEL build them), both
# boot the same command line, dracut's root=live:URL with an overlayfs overlay,
# against the same squashfs served by nginx:
#   (a) pxeroot:  the dracut/90pxeroot module (build/dracut/pxeroot-systemd.img,
#                 the E2E suite's image); pxeroot brings the NIC up and fetches;
#   (b) livenet:  dracut's livenet + dmsquash-live modules (Debian's dracut-live
#                 and dracut-network packages, unpacked into a private tree under
#                 build/bench/, never installed), its network-legacy DHCP and curl.
#
#   tests/bench/dracut_livenet.sh   BENCH_RUNS=N (default 3) boots of each, alternating
#
# Prints each boot's guest uptime at the live init, then
#   figure: live init uptime, median of N: dracut+pxeroot X s (A bytes); dracut livenet Y s (B bytes) (same image, Z KiB)
# Exits 1 when a boot does not reach the live init.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
# shellcheck source=tests/e2e/lib_dracut.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib_dracut.sh"
# shellcheck source=tests/bench/lib_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_bench.sh"

LIVENET_DIR="$LAB_ROOT/build/bench/dracut-livenet"

# Unpack Debian's dracut-live and dracut-network of the installed dracut-core's
# version (downloaded once into $LIVENET_DIR/debs, unpacked again after a new
# download); print their modules.d.
livenet_modules() {
	local ver out="$LIVENET_DIR/modules.d"
	ver=$(dpkg-query -W -f='${Version}' dracut-core)
	bench_debs "$LIVENET_DIR/debs" "$ver" dracut-live dracut-network
	if [[ ! -d "$out" || "$LIVENET_DIR/debs/version" -nt "$out" ]]; then
		rm -rf "$LIVENET_DIR/x" "$out"
		bench_debs_unpack "$LIVENET_DIR/debs" "$LIVENET_DIR/x"
		mv "$LIVENET_DIR/x/usr/lib/dracut/modules.d" "$out"
		touch "$out"
		rm -rf "$LIVENET_DIR/x"
	fi
	echo "$out"
}

# Build (or reuse) build/dracut/livenet-systemd.img, dracut's own live network
# root: its modules added, the network modules they need kept; set INITRD.
livenet_image() {
	local needed=" livenet dmsquash-live network network-legacy kernel-network-modules dm qemu qemu-net " omit=() m
	for m in $DRACUT_E2E_OMIT; do
		[[ "$needed" == *" $m "* ]] || omit+=("$m")
	done
	DRACUT_EXTRA_MODULES=$(livenet_modules) DRACUT_ADD="livenet dmsquash-live network-legacy" \
		DRACUT_OMIT="${omit[*]} pxeroot" dracut_image livenet-systemd systemd
}

main() {
	local line url img_px img_ln
	lab_tmpdir
	trap bench_cleanup EXIT
	"$LAB_ROOT/tools/deps.sh" bench </dev/null >"$LAB_TMP/deps-bench.log" 2>&1 ||
		lab_die "tools/deps.sh bench failed (see $LAB_TMP/deps-bench.log)"
	livenet_image
	img_ln=$INITRD
	dracut_image pxeroot-systemd systemd
	img_px=$INITRD
	dracut_serve_archiso arch
	url=$(dracut_live_url arch)
	line=$(dracut_append "ip=dhcp rd.neednet=1 root=live:$url rd.live.overlay.overlayfs=1")
	bench_two_images dracut+pxeroot "$img_px" "$line" "dracut livenet" "$img_ln" "$line"
}

main "$@"
