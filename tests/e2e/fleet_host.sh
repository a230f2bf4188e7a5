#!/usr/bin/env bash
# A rack boots at once through an HTTP cache, on the host (no QEMU): 24 clients (`pxeroot
# fetch URL FILE --checksum`, FLEET_N; FLEET_JITTER=S adds --jitter S to storms 1 and 2)
# released together fetch a chunked image of 16 MiB of random bytes (casync's defaults) through
# the caching nginx of docs/fleet.md (its block as it is), in front of an origin nginx in a
# network namespace whose egress is limited to 40 MiB/s in aggregate (tests/e2e/lib_fleet.sh):
#   1. clean, cold cache: every client verified (exit 0, the image byte for byte), none failed; the
#      origin served at most 1.1 × the image, each chunk at most once, never the whole image;
#   2. the origin stops once the cache has sent half the clients' bytes, the cache warm from 1
#      and its index and list due again: every client verified, no chunk asked of the origin,
#      every answer after the stop from the cache; then, the origin still down and the index due
#      once more, one client more verified from the cache's stale index and list;
#   3. a fresh cache holding a bad copy of the first chunk (altered at the origin, asked once
#      through the cache, restored): every client verified; those that got the bad copy (at least
#      one: the first fresh copy replaces it, so the later ones get a good one) say so, ask past
#      the cache with no-cache and say the copy they got there was good; the origin asked for that
#      chunk alone with no-cache, at most once per such client, never for the whole image; the
#      cache's copy good afterwards;
#   4. a fresh cache holding the index and list, the origin answering 503 with Retry-After: 2 for
#      the first 5 s: every client verified, none done before 5 s; each says it left the store
#      alone for 2 to 3 s (never less, never more); no 503 cached; at most 3 rounds of 8 requests
#      per client answered 503.
# The figures of each storm are printed.
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

# Print how many clients' logs of the last storm have a Retry-After hold line for the store
# whose wait matches the extended regex $1.
held_for() {
	fleet_clients_with "chunks $(lab_re_escape "$FLEET_CACHE_URL/image.castr/"): HTTP 503, Retry-After 2 s: no request to it for $1 s"
}

# Storm 1: clean, cold cache.
clean_storm() {
	fleet_storm clean "$FLEET_CACHE_URL/image.caibx" "$N" --checksum "${JITTER[@]}"
	fleet_figures "clean chunked"
	expect_all_verified "clean"
	expect_ok "clean: the origin served at most 1.1 × the image (${FLEET_RATIO}×)" \
		awk -v r="$FLEET_RATIO" 'BEGIN { exit !(r <= 1.1) }'
	expect_ok "clean: each chunk asked of the origin at most once" at_most "$(fleet_origin_max_per_path '\.cacnk$')" 1
	expect_ok "clean: no request for the whole image" test "$(fleet_origin_count '\.sfs$')" -eq 0
	fleet_cache_disk
}

# Storm 2: the origin stops half-way, the cache warm; then one client with the index due again.
half_way_storm() {
	fleet_halfway_storm "$N" --checksum "${JITTER[@]}"
	expect_ok "origin stopped half-way: it was stopped (at ${FLEET_STOPPED_AT:-never} s)" test -n "$FLEET_STOPPED_AT"
	expect_all_verified "origin stopped half-way"
	expect_ok "origin stopped half-way: no chunk asked of the origin" test "$(fleet_origin_count '\.cacnk$')" -eq 0
	expect_ok "origin stopped half-way: after the stop every answer came from the cache" test "$FLEET_AFTER_STOP" -eq 0
	fleet_stale_client
	expect_ok "origin down, index due: one more client verified" test "$FLEET_VERIFIED" -eq 1
	expect_ok "origin down, index due: the cache served its stale index and list" test "$FLEET_STALE" -eq 2
}

# Storm 3: a fresh cache that holds a bad copy of the image's first chunk.
bad_copy_storm() {
	fleet_badcopy_storm "$N" --checksum
	expect_ok "bad copy: the cache held the altered chunk ($FLEET_BAD_BEFORE)" test "$FLEET_BAD_BEFORE" == "HIT other"
	expect_all_verified "bad copy"
	expect_ok "bad copy: a client found the bad copy and asked past the cache ($FLEET_BAD_CLIENTS of $N)" at_least "$FLEET_BAD_CLIENTS" 1
	expect_ok "bad copy: each of them got it good past the cache and said so" test "$FLEET_GOOD_CLIENTS" -eq "$FLEET_BAD_CLIENTS"
	expect_ok "bad copy: the origin was asked for that chunk again with no-cache ($FLEET_BAD_NOCACHE), at most once per such client" \
		between "$FLEET_BAD_NOCACHE" 1 "$FLEET_BAD_CLIENTS"
	expect_ok "bad copy: for no other path with no-cache" test "$(fleet_origin_count . no-cache)" -eq "$FLEET_BAD_NOCACHE"
	expect_ok "bad copy: no request for the whole image" test "$(fleet_origin_count '\.sfs$')" -eq 0
	expect_ok "bad copy: the fresh copy replaced it in the cache ($FLEET_BAD_AFTER)" test "$FLEET_BAD_AFTER" == "HIT same"
}

# Storm 4: a fresh cache holding the index and list only; the origin answers 503 with
# Retry-After: 2 for the first 5 s.
busy_storm() {
	fleet_busy_storm "$N" 5 --checksum
	expect_all_verified "503 for 5 s"
	expect_ok "503 for 5 s: the origin answered 503" test "$(awk '$3 == 503' "$FLEET_STORM/origin.log" | wc -l)" -ge 1
	expect_ok "503 for 5 s: every client left the store alone for 2 to 3 s as told and said so" test "$(held_for '(2\.[0-9]|3\.0)')" -eq "$N"
	expect_ok "503 for 5 s: no client asked again sooner or waited longer" test "$(held_for '([01]\.[0-9]|3\.[1-9]|[4-9]\.[0-9]|[0-9]{2,}\.[0-9])')" -eq 0
	expect_ok "503 for 5 s: no client ended before the origin answered again (the first at $FLEET_FIRST s)" \
		awk -v t="$FLEET_FIRST" 'BEGIN { exit !(t >= 5) }'
	expect_ok "503 for 5 s: the cache kept no 503 (each chunk asked of the origin at most once with a 200)" \
		at_most "$(awk '$3 == 200 && $2 ~ /\.cacnk$/ { if (++n[$2] > m) m = n[$2] } END { print m + 0 }' "$FLEET_STORM/origin.log")" 1
	expect_ok "503 for 5 s: the clients made at most 3 rounds of 8 requests each while it lasted" \
		at_most "$(awk '$3 == 503' "$FLEET_STORM/cache.log" | wc -l)" $((N * 24))
}

main() {
	lab_tmpdir
	lab_need curl
	fleet_image "$LAB_TMP/www" 16
	JITTER=()
	[[ -z "${FLEET_JITTER:-}" ]] || JITTER=(--jitter "$FLEET_JITTER")
	fleet_net
	fleet_origin_start "$LAB_TMP/www"
	fleet_cache_start
	clean_storm
	half_way_storm
	bad_copy_storm
	busy_storm
	scenario_end "$FLEET_CACHE_LOG"
}

main "$@"
