#!/usr/bin/env bash
# The standalone initramfs is reproducible: tools/mkinitramfs.sh, run twice as
# `make initramfs` runs it (the same binary and modules, default compressor),
# from different staging directories and a second apart, writes byte-identical
# images; every entry is owned by root with the SOURCE_DATE_EPOCH time (0 when
# unset), and another SOURCE_DATE_EPOCH gives another image (the times are in it).
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Build the image $1 with staging under directory $2, SOURCE_DATE_EPOCH $3 (empty: unset).
build() {
	local out=$1 tmp=$2 epoch=$3 moddir
	moddir=$(echo "$LAB_ROOT"/build/kernel/lib/modules/*)
	mkdir -p "$tmp"
	env ${epoch:+SOURCE_DATE_EPOCH=$epoch} TMPDIR="$tmp" "$LAB_ROOT/tools/mkinitramfs.sh" \
		--binary "$LAB_ROOT/build/pxeroot" --moddir "$moddir" --out "$out" \
		</dev/null >>"$LAB_LAST_LOG" 2>&1 || lab_die "mkinitramfs failed (see $LAB_LAST_LOG)"
}

# Whether every entry of `cpio -tv` listing $1 is owned by root:root.
# shellcheck disable=SC2317  # run by expect_ok
owned_by_root() {
	awk '$3 != "root" || $4 != "root" { bad = 1 } END { exit bad }' <<<"$1"
}

# Whether every entry of image $1 has the time 0 (1970-01-01 in UTC).
# shellcheck disable=SC2317  # run by expect_ok
dated_epoch() {
	TZ=UTC0 zstd -dcq "$1" | TZ=UTC0 cpio -tv --quiet 2>/dev/null |
		awk '$0 !~ / Jan  1  1970 / { bad = 1 } END { exit bad }'
}

# Whether the entries of image $1 are in sorted order (bytewise).
# shellcheck disable=SC2317  # run by expect_ok
sorted_entries() {
	zstd -dcq "$1" | cpio -t --quiet 2>/dev/null | LC_ALL=C sort -c 2>/dev/null
}

# Whether files $1 and $2 differ.
# shellcheck disable=SC2317  # run by expect_ok
differ() {
	! cmp -s "$1" "$2"
}

main() {
	local listing
	lab_tmpdir
	lab_need zstd cpio cmp
	[[ -x "$LAB_ROOT/build/pxeroot" ]] || lab_die "build/pxeroot missing (make)"
	LAB_LAST_LOG=$LAB_TMP/build.log
	build "$LAB_TMP/a.img" "$LAB_TMP/t1" ""
	sleep 1
	build "$LAB_TMP/b.img" "$LAB_TMP/t2/deeper" ""
	expect_ok "two builds give byte-identical images ($(stat -c %s "$LAB_TMP/a.img") bytes)" \
		cmp -s "$LAB_TMP/a.img" "$LAB_TMP/b.img"
	listing=$(zstd -dcq "$LAB_TMP/a.img" | cpio -tv --quiet 2>/dev/null | sed 's/\r//')
	expect_ok "every entry is owned by root ($(wc -l <<<"$listing") entries)" owned_by_root "$listing"
	expect_ok "every entry has the time 0 (SOURCE_DATE_EPOCH unset)" dated_epoch "$LAB_TMP/a.img"
	expect_ok "entries are in sorted order" sorted_entries "$LAB_TMP/a.img"
	build "$LAB_TMP/c.img" "$LAB_TMP/t3" 1700000000
	expect_ok "another SOURCE_DATE_EPOCH gives another image" differ "$LAB_TMP/a.img" "$LAB_TMP/c.img"
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
