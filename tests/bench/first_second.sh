#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# Benchmark: the first seconds of an HTTP boot, side by side in one run, against
# the physical floor. The same 32 MiB squashfs over HTTP with checksum=y (the
# floor checks nothing), one vCPU, boots of each image in turn:
#   pxeroot        build/initramfs.img as `make initramfs` builds it (modules
#                  kept zstd-compressed in the image);
#   plain-modules  the same binary and modules, the modules stored as they are
#                  (tools/mkinitramfs.sh --module-compress none);
#   floor          a busybox /init with only the NIC's and the mount's modules:
#                  static address, wget of the image into /run, loop + overlay,
#                  switch_root: what any agent needs at the least;
#   old            BENCH_OLD_INITRD=PATH, when set: an image of another tree
#                  (the one a regression is measured against).
#
#   tests/bench/first_second.sh   BENCH_RUNS=N (default 5)
#
# Prints, per boot and then as medians: the guest uptime at /init, at the end
# of pxeroot's modules and network stages (its timeline), and at the live
# root's init; then each image's live init against the floor's.
# Exits 1 when a boot does not reach the live init.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
# shellcheck source=tests/bench/lib_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_bench.sh"

# Modules of the floor: the NIC's, then the mount's, each after what it needs.
readonly FLOOR_MODULES="virtio_pci virtio_net loop squashfs overlay"

# Write the floor's /init to $1: address from QEMU's user network, the image
# from $2 (URL), mounted as pxeroot mounts it, then the live root's init.
floor_init() {
	cat >"$1" <<-EOF
		#!/bin/busybox sh
		/bin/busybox --install -s /bin
		mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
		mount -t tmpfs tmpfs /run
		for m in $FLOOR_MODULES; do modprobe \$m; done
		ip link set lo up; ip link set eth0 up
		ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2
		wget -q -O /run/airootfs.sfs $2 || echo "floor: wget failed"
		mkdir -p /run/lower /run/cow /newroot
		mount -o loop,ro /run/airootfs.sfs /run/lower
		mount -t tmpfs tmpfs /run/cow; mkdir -p /run/cow/upper /run/cow/work
		mount -t overlay overlay -o lowerdir=/run/lower,upperdir=/run/cow/upper,workdir=/run/cow/work /newroot
		mkdir -p /newroot/run; mount --move /run /newroot/run
		exec switch_root /newroot /sbin/init
	EOF
	chmod 0755 "$1"
}

# Build the floor's image as $LAB_TMP/floor.img fetching URL $1: busybox, the
# modules of FLOOR_MODULES and what they need, modules.dep for busybox modprobe.
build_floor() {
	local dir="$LAB_TMP/floor" moddir ver m f
	lab_need busybox depmod
	moddir=$(echo "$LAB_ROOT"/build/kernel/lib/modules/*)
	ver=$(basename "$moddir")
	rm -rf "$dir"
	mkdir -p "$dir"/{bin,proc,sys,dev,run,newroot,lib/modules/"$ver"}
	cp "$(command -v busybox)" "$dir/bin/busybox"
	for m in $FLOOR_MODULES; do
		for f in $(modprobe -d "$LAB_ROOT/build/kernel" -S "$ver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'); do
			f=${f#"$LAB_ROOT/build/kernel/lib/modules/$ver/"}
			mkdir -p "$dir/lib/modules/$ver/$(dirname "$f")"
			cp "$moddir/$f" "$dir/lib/modules/$ver/$f"
		done
	done
	depmod -b "$dir" "$ver"
	floor_init "$dir/init" "$1"
	lab_pack_initrd "$dir" "$LAB_TMP/floor.img"
}

# Build the images of the run into $LAB_TMP/NAME.img; print their names.
build_images() {
	local moddir
	moddir=$(echo "$LAB_ROOT"/build/kernel/lib/modules/*)
	cp "$LAB_ROOT/build/initramfs.img" "$LAB_TMP/pxeroot.img"
	"$LAB_ROOT/tools/mkinitramfs.sh" --binary "$LAB_ROOT/build/pxeroot" --moddir "$moddir" --out "$LAB_TMP/plain-modules.img" \
		--module-compress none </dev/null >"$LAB_TMP/plain-modules.build.log" 2>&1 ||
		{ sed 's/^/#   /' "$LAB_TMP/plain-modules.build.log"; lab_die "cannot build the plain-modules image"; }
	build_floor "http://10.0.2.2:$HTTP_PORT/arch/x86_64/airootfs.sfs"
	if [[ -n "${BENCH_OLD_INITRD:-}" ]]; then
		cp "$BENCH_OLD_INITRD" "$LAB_TMP/old.img"
		echo "pxeroot plain-modules old floor"
	else
		echo "pxeroot plain-modules floor"
	fi
}

# Print the figures of serial log $1: uptime at /init, at pxeroot's modules and
# network marks, at the live init ("-" for one not found).
boot_figures() {
	lab_log_text "$1" | awk '
		function ts(line) { sub(/^\[ */, "", line); sub(/\].*/, "", line); return line + 0 }
		/Run \/init as init process/ && !ini { ini = ts($0) }
		/PXEROOT-E2E: timeline: modules / && !mods { mods = $NF }
		/PXEROOT-E2E: timeline: network / && !net { net = $NF }
		/PXEROOT-E2E: init started uptime=/ && !live { s = $0; sub(/.*uptime=/, "", s); live = s + 0 }
		END { printf "%s %s %s %s\n", ini ? sprintf("%.2f", ini) : "-", mods ? mods : "-", net ? net : "-", live ? live : "-" }'
}

declare -A u_init u_mods u_net u_live

# After boot $2 of image $1 (serial log $3): its figures, printed and kept.
record() {
	local ini mods net live
	read -r ini mods net live < <(boot_figures "$3")
	echo "$1 boot $2: /init at $ini s, modules done at $mods s, network up at $net s, live init at $live s"
	u_init[$1]+="$ini " u_mods[$1]+="$mods " u_net[$1]+="$net " u_live[$1]+="$live "
}

main() {
	local runs=${BENCH_RUNS:-5} name names live floor_live
	lab_tmpdir
	trap bench_cleanup EXIT
	ROOT_PAD_MIB=31 serve_archiso arch
	names=$(build_images)
	bench_rounds "$runs" "$names" "$(archiso_http_append pxeroot.debug)" record
	# shellcheck disable=SC2086  # the lists are words
	floor_live=$(median ${u_live[floor]})
	# shellcheck disable=SC2086
	for name in $names; do
		live=$(median ${u_live[$name]})
		echo "figure: $name: $(stat -c %s "$LAB_TMP/$name.img") bytes ($(zstd -dcq "$LAB_TMP/$name.img" | wc -c) unpacked);" \
			"median of $runs: /init at $(median ${u_init[$name]}) s, modules done at $(median ${u_mods[$name]}) s," \
			"network up at $(median ${u_net[$name]}) s, live init at $live s," \
			"$(awk -v a="$live" -v b="$floor_live" 'BEGIN { printf "%.2f", a / b }')x the floor"
	done
}

main "$@"
