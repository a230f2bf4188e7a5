#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# Benchmark: the standalone initramfs by binary and by compressor, side by side
# in one run. Images of the same modules (tools/mkinitramfs.sh) are built from
#   dynamic-gzip   the dynamic binary (build/dynamic/pxeroot, `make dynamic`)
#                  with its shared libraries, gzip'd: the image as it was;
#   static-gzip, static-xz, static-zstd   the static build/pxeroot, each compressor;
# and each boots archiso's HTTP line against the same served image.
#
#   tests/bench/initramfs.sh   BENCH_RUNS=N (default 3) boots of each, in turn;
#                              BENCH_DYNAMIC=PATH, BENCH_STATIC=PATH the two binaries
#
# Prints, per image: its compressed and uncompressed size, then the medians of
# the kernel's unpack time ("Trying to unpack" to "Freeing initrd memory") and
# the guest uptime at /init's start ("Run /init"), at the end of pxeroot's modules stage (its
# timeline: a driver probed before the network shows there), at its "net: up" and at
# the live root's init; then which compressor gave the earliest live init among
# the static images within the 10 MiB budget.
# Exits 1 when a boot does not reach the live init.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
# shellcheck source=tests/bench/lib_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_bench.sh"

readonly IMAGES="dynamic-gzip static-gzip static-xz static-zstd"
# the standalone image's size budget (its modules kept compressed, the NIC drivers of `pxeroot modules --net` among them)
readonly SIZE_LIMIT=$((10 << 20))

# Build image $1 (BINARY-COMPRESSOR) as $LAB_TMP/$1.img.
build_image() {
	local name=$1 bin moddir
	case "${name%-*}" in
	dynamic) bin=${BENCH_DYNAMIC:-$LAB_ROOT/build/dynamic/pxeroot} ;;
	static) bin=${BENCH_STATIC:-$LAB_ROOT/build/pxeroot} ;;
	esac
	[[ -x "$bin" ]] || lab_die "$bin missing (make all dynamic)"
	moddir=$(echo "$LAB_ROOT"/build/kernel/lib/modules/*)
	"$LAB_ROOT/tools/mkinitramfs.sh" --binary "$bin" --moddir "$moddir" --out "$LAB_TMP/$name.img" \
		--compress "${name##*-}" </dev/null >"$LAB_TMP/$name.build.log" 2>&1 ||
		{ sed 's/^/#   /' "$LAB_TMP/$name.build.log"; lab_die "cannot build the $name image"; }
}

# Print the figures of serial log $1: unpack seconds, uptime at /init, at
# network up and at the live init ("-" for one not found).
boot_figures() {
	lab_log_text "$1" | awk '
		function ts(line) { sub(/^\[ */, "", line); sub(/\].*/, "", line); return line + 0 }
		/Trying to unpack rootfs image as initramfs/ && !t0 { t0 = ts($0) }
		/Freeing initrd memory/ && !t1 { t1 = ts($0) }
		/Run \/init as init process/ && !ini { ini = ts($0) }
		/PXEROOT-E2E: timeline: modules / && !mods { mods = $NF }
		/pxeroot: net: up on .*\(uptime [0-9.]+ s\)/ && !net { s = $0; sub(/.*\(uptime /, "", s); net = s + 0 }
		/PXEROOT-E2E: init started uptime=/ && !live { s = $0; sub(/.*uptime=/, "", s); live = s + 0 }
		END { printf "%s %s %s %s %s\n", (t0 && t1) ? sprintf("%.2f", t1 - t0) : "-", ini ? sprintf("%.2f", ini) : "-", mods ? mods : "-", net ? net : "-", live ? live : "-" }'
}

declare -A u_unpack u_init u_mods u_net u_live

# After boot $2 of image $1 (serial log $3): its figures, printed and kept.
record() {
	local unpack ini mods net live
	read -r unpack ini mods net live < <(boot_figures "$3")
	echo "$1 boot $2: unpack $unpack s, /init at $ini s, modules done at $mods s, network up at $net s, live init at $live s"
	u_unpack[$1]+="$unpack " u_init[$1]+="$ini " u_mods[$1]+="$mods " u_net[$1]+="$net " u_live[$1]+="$live "
}

main() {
	local runs=${BENCH_RUNS:-3} name live best="" best_live="" over=""
	lab_tmpdir
	serve_archiso arch
	for name in $IMAGES; do
		build_image "$name"
	done
	bench_rounds "$runs" "$IMAGES" "$(archiso_http_append)" record
	# shellcheck disable=SC2086  # the lists are words
	for name in $IMAGES; do
		live=$(median ${u_live[$name]})
		echo "figure: $name: $(stat -c %s "$LAB_TMP/$name.img") bytes ($(zstd -dcq "$LAB_TMP/$name.img" | wc -c) uncompressed);" \
			"median of $runs: unpack $(median ${u_unpack[$name]}) s, /init at $(median ${u_init[$name]}) s," \
			"modules done at $(median ${u_mods[$name]}) s (pxeroot's timeline)," \
			"network up at $(median ${u_net[$name]}) s, live init at $live s"
		[[ "$name" == static-* ]] || continue
		if (($(stat -c %s "$LAB_TMP/$name.img") > SIZE_LIMIT)); then
			over+=" ${name#static-}"
		elif [[ -z "$best" ]] || awk -v a="$live" -v b="$best_live" 'BEGIN { exit !(a < b) }'; then
			best=${name#static-} best_live=$live
		fi
	done
	echo "figure: earliest live init of the static images within $((SIZE_LIMIT >> 20)) MiB: ${best:-none}" \
		"(over it:${over:- none}; the default of make initramfs: COMPRESS=$(sed -n 's/^COMPRESS ?= //p' "$LAB_ROOT/Makefile"))"
}

main "$@"
