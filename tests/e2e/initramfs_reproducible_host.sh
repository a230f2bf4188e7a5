#!/usr/bin/env bash
# The standalone initramfs is reproducible: tools/mkinitramfs.sh, run twice as
# `make initramfs` runs it (the same binary and modules, default compressor),
# from different staging directories and a second apart, writes byte-identical
# images; every entry is owned by root with the SOURCE_DATE_EPOCH time (0 when
# unset), and another SOURCE_DATE_EPOCH gives another image: its entries carry
# that time (built with gzip and plain modules, the quick way: the times are in
# the cpio whatever compresses it).
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Build the image $1 with staging under directory $2, SOURCE_DATE_EPOCH $3 (empty: unset),
# more options of mkinitramfs.sh after.
build() {
	local out=$1 tmp=$2 epoch=$3 moddir
	shift 3
	moddir=$(echo "$LAB_ROOT"/build/kernel/lib/modules/*)
	mkdir -p "$tmp"
	env ${epoch:+SOURCE_DATE_EPOCH=$epoch} TMPDIR="$tmp" "$LAB_ROOT/tools/mkinitramfs.sh" \
		--binary "$LAB_ROOT/build/pxeroot" --moddir "$moddir" --out "$out" "$@" \
		</dev/null >>"$LAB_LAST_LOG" 2>&1 || lab_die "mkinitramfs failed (see $LAB_LAST_LOG)"
}

# Print the verbose cpio listing of image $1 (any compressor the kernel reads), times in UTC.
listing() {
	zstd -dcq "$1" | TZ=UTC0 cpio -tv --quiet 2>/dev/null | sed 's/\r//'
}

# Whether every entry of listing $1 is owned by root.
# shellcheck disable=SC2317  # called through expect_ok
all_root() {
	awk '$3 != "root" || $4 != "root" { bad = 1 } END { exit bad }' <<<"$1"
}

# Whether every entry of listing $1 has the date $2 (as cpio -tv prints it in UTC).
# shellcheck disable=SC2317  # called through expect_ok
all_dated() {
	awk -v d=" $2 " 'index($0, d) == 0 { bad = 1 } END { exit bad }' <<<"$1"
}

# Whether the entries of image $1 are in sorted order.
# shellcheck disable=SC2317  # called through expect_ok
sorted_entries() {
	zstd -dcq "$1" | cpio -t --quiet 2>/dev/null | LC_ALL=C sort -c 2>/dev/null
}

main() {
	local a
	lab_tmpdir
	lab_need zstd cpio cmp
	[[ -x "$LAB_ROOT/build/pxeroot" ]] || lab_die "build/pxeroot missing (make)"
	LAB_LAST_LOG=$LAB_TMP/build.log
	build "$LAB_TMP/a.img" "$LAB_TMP/t1" ""
	sleep 1
	build "$LAB_TMP/b.img" "$LAB_TMP/t2/deeper" ""
	expect_ok "two builds give byte-identical images ($(stat -c %s "$LAB_TMP/a.img") bytes)" cmp -s "$LAB_TMP/a.img" "$LAB_TMP/b.img"
	a=$(listing "$LAB_TMP/a.img")
	expect_ok "every entry is owned by root ($(wc -l <<<"$a") entries)" all_root "$a"
	expect_ok "every entry has the time 0 (SOURCE_DATE_EPOCH unset)" all_dated "$a" 'Jan  1  1970'
	expect_ok "entries are in sorted order" sorted_entries "$LAB_TMP/a.img"
	build "$LAB_TMP/c.img" "$LAB_TMP/t3" 1700000000 --compress gzip --module-compress none
	expect_ok "another SOURCE_DATE_EPOCH gives another image: every entry has its time (2023-11-14)" \
		all_dated "$(listing "$LAB_TMP/c.img")" 'Nov 14  2023'
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
