#!/usr/bin/env bash
# A rack boots at once through an HTTP cache, on the host (no QEMU): 24 clients (`pxeroot
# fetch URL FILE --checksum`, FLEET_N) released together fetch a chunked image of 16 MiB of
# random bytes (casync's defaults) through the caching nginx of docs/fleet.md (its block as it
# is), in front of an origin nginx in a network namespace whose egress is limited to 40 MiB/s
# in aggregate (tests/e2e/lib_fleet.sh):
#   1. clean, cold cache: every client verified (exit 0, the image's sha512), none failed; the
#      origin served at most 1.1 × the image, each chunk at most once; the figures;
#   2. the origin stops half-way, the cache warm from 1 and its index and list due again: every
#      client verified from the cache;
# e2e: lock fleet
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_chunks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_chunks.sh"
# shellcheck source=tests/e2e/lib_fleet.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_fleet.sh"

N=${FLEET_N:-24}

# Assert that every client of the last storm verified and none failed; $1 names the storm.
expect_all_verified() {
	expect_ok "$1: all $N clients verified" test "$FLEET_VERIFIED" -eq "$N"
	expect_ok "$1: none failed" test "$FLEET_FAILED" -eq 0
}

main() {
	local www img
	lab_tmpdir
	www="$LAB_TMP/www"
	mkdir -p "$www"
	img="$www/image.sfs"
	head -c 16M /dev/urandom >"$img"
	chunk_image "$www/image.caibx" "$img"
	(cd "$www" && sha512sum image.sfs image.caibx >image.sha512)
	fleet_net
	fleet_origin_start "$www"
	fleet_cache_start

	fleet_storm clean "$FLEET_CACHE_URL/image.caibx" "$N" --checksum
	fleet_figures "clean chunked" "$img"
	expect_all_verified "clean"
	expect_ok "clean: the origin served at most 1.1 × the image (${FLEET_RATIO}×)" \
		awk -v r="$FLEET_RATIO" 'BEGIN { exit !(r <= 1.1) }'
	expect_ok "clean: each chunk asked of the origin at most once" test "$(fleet_origin_max_per_path '\.cacnk$')" -le 1
	expect_ok "clean: no request for the whole image" test "$(fleet_origin_count '\.sfs$')" -eq 0
	scenario_end "$FLEET_CACHE_LOG"
}

main "$@"
