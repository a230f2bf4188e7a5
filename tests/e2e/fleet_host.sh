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

# FLEET_DURING of the half-way storm: stop the origin once the cache has sent half the clients'
# bytes (SIZE: the image's), at most once.
# shellcheck disable=SC2317  # called through FLEET_DURING
stop_origin_half_way() {
	[[ -z "$STOPPED_AT" ]] || return 0
	if [[ $(awk '{ b += $4 } END { printf "%d", b / 1048576 }' "$FLEET_CACHE_LOG") -ge $((N * SIZE / 2097152)) ]]; then
		fleet_origin_stop
		STOPPED_AT=$1
		wc -l <"$FLEET_CACHE_LOG" >"$LAB_TMP/stopped-line"
	fi
}

# FLEET_DURING of the 503 storm: the origin busy for the first 5 s.
# shellcheck disable=SC2317  # called through FLEET_DURING
busy_for_5s() {
	[[ ${1%.*} -lt 5 ]] || rm -f "$FLEET_BUSY"
}

# Whether the cache's answer was a HIT ($1, its X-Cache-Status) and file $2 holds the bytes of
# file $3 ($4 same) or other bytes ($4 other).
# shellcheck disable=SC2317  # called through expect_ok
cached_copy() {
	local rc=0
	[[ $1 == HIT ]] || return 1
	cmp -s "$2" "$3" || rc=1
	[[ ($4 == same && $rc -eq 0) || ($4 == other && $rc -eq 1) ]]
}

# Wait until $1 seconds have passed since the EPOCHREALTIME value $2.
sleep_until() {
	local left
	left=$(awk -v s="$1" -v a="$2" -v b="$EPOCHREALTIME" 'BEGIN { d = s - (b - a); printf "%.1f", (d > 0 ? d : 0) }')
	sleep "$left"
}

# Storm 1: clean, cold cache.
clean_storm() {
	fleet_storm clean "$FLEET_CACHE_URL/image.caibx" "$N" --checksum "${JITTER[@]}"
	fleet_figures "clean chunked" "$IMG"
	expect_all_verified "clean"
	expect_ok "clean: the origin served at most 1.1 × the image (${FLEET_RATIO}×)" \
		awk -v r="$FLEET_RATIO" 'BEGIN { exit !(r <= 1.1) }'
	expect_ok "clean: each chunk asked of the origin at most once" at_most "$(fleet_origin_max_per_path '\.cacnk$')" 1
	expect_ok "clean: no request for the whole image" test "$(fleet_origin_count '\.sfs$')" -eq 0
}

# Storm 2: the cache warm from storm 1 (started at EPOCHREALTIME $1), its index and list due
# again; the origin stops half-way; then, the origin still down and the index due once more,
# one client more.
half_way_storm() {
	local t0
	sleep_until 11 "$1"
	STOPPED_AT=""
	t0=$EPOCHREALTIME
	FLEET_DURING=stop_origin_half_way fleet_storm halfway "$FLEET_CACHE_URL/image.caibx" "$N" --checksum "${JITTER[@]}"
	fleet_figures "origin stopped half-way" "$IMG"
	expect_ok "origin stopped half-way: it was stopped (at ${STOPPED_AT:-never} s)" test -n "$STOPPED_AT"
	expect_all_verified "origin stopped half-way"
	expect_ok "origin stopped half-way: no chunk asked of the origin" test "$(fleet_origin_count '\.cacnk$')" -eq 0
	expect_ok "origin stopped half-way: after the stop every answer came from the cache" \
		test "$(tail -n "+$(($(cat "$LAB_TMP/stopped-line") + 1))" "$FLEET_STORM/cache.log" | awk '$5 != "HIT" && $5 != "STALE" && $5 != "UPDATING"' | wc -l)" -eq 0
	sleep_until 11 "$t0"
	fleet_storm late "$FLEET_CACHE_URL/image.caibx" 1 --checksum
	fleet_figures "origin down, index due" "$IMG"
	expect_ok "origin down, index due: one more client verified" test "$FLEET_VERIFIED" -eq 1
	expect_ok "origin down, index due: the cache served its stale index and list" \
		test "$(awk '$2 ~ /\.(caibx|sha512)$/ && $5 == "STALE"' "$FLEET_STORM/cache.log" | wc -l)" -eq 2
	fleet_origin_start
}

# Storm 3: a fresh cache that holds a bad copy of the image's first chunk (altered at the origin,
# asked once through the cache, restored at the origin).
bad_copy_storm() {
	local id path file k got
	read -r id _ < <(chunk_at "$WWW/image.caibx" 0)
	path="image.castr/$(chunk_path "$id")"
	file="$WWW/$path"
	fleet_cache_stop
	fleet_cache_start
	chunk_alter "$file"
	curl -sS -o /dev/null "$FLEET_CACHE_URL/$path" || lab_die "cannot get $path through the cache"
	chunk_restore "$file"
	got=$(curl -sS -D - -o "$LAB_TMP/cached-copy" "$FLEET_CACHE_URL/$path" | tr -d '\r' | sed -n 's/^X-Cache-Status: //p')
	expect_ok "bad copy: the cache holds the altered chunk (X-Cache-Status $got)" \
		cached_copy "$got" "$LAB_TMP/cached-copy" "$file" other
	fleet_storm badcopy "$FLEET_CACHE_URL/image.caibx" "$N" --checksum
	fleet_figures "a bad copy in the cache" "$IMG"
	expect_all_verified "bad copy"
	k=$(fleet_clients_with "chunk $id \\(bytes 0-[0-9]+\\): .* from $FLEET_CACHE_URL/image\\.castr/; asking $FLEET_CACHE_URL/image\\.castr/ again with Cache-Control: no-cache")
	lab_note "bad copy: $k of $N clients got the bad copy from the cache before a fresh one replaced it"
	expect_ok "bad copy: a client found the bad copy and asked past the cache ($k of $N)" at_least "$k" 1
	expect_ok "bad copy: each of them got it good past the cache, said so" test "$(fleet_clients_with \
		"chunk $id \\(bytes 0-[0-9]+\\): good from $FLEET_CACHE_URL/image\\.castr/ past the caches \\(Cache-Control: no-cache\\): a cache there held a bad copy")" -eq "$k"
	expect_ok "bad copy: the origin was asked for that chunk again with no-cache (at most once per such client)" \
		between "$(fleet_origin_count "/$id\\.cacnk\$" no-cache)" 1 "$k"
	expect_ok "bad copy: for no other path with no-cache" test "$(fleet_origin_count . no-cache)" -eq "$(fleet_origin_count "/$id\\.cacnk\$" no-cache)"
	expect_ok "bad copy: no request for the whole image" test "$(fleet_origin_count '\.sfs$')" -eq 0
	got=$(curl -sS -D - -o "$LAB_TMP/cached-copy" "$FLEET_CACHE_URL/$path" | tr -d '\r' | sed -n 's/^X-Cache-Status: //p')
	expect_ok "bad copy: the fresh copy replaced it in the cache (X-Cache-Status $got)" \
		cached_copy "$got" "$LAB_TMP/cached-copy" "$file" same
}

# Storm 4: a fresh cache holding the index and list only; the origin answers 503 with
# Retry-After: 2 for the first 5 s of the storm.
busy_storm() {
	local f
	fleet_cache_stop
	fleet_cache_start
	for f in image.sha512 image.caibx; do
		curl -sSf -o /dev/null "$FLEET_CACHE_URL/$f" || lab_die "cannot get $f through the cache"
	done
	touch "$FLEET_BUSY"
	FLEET_DURING=busy_for_5s fleet_storm busy "$FLEET_CACHE_URL/image.caibx" "$N" --checksum
	rm -f "$FLEET_BUSY"
	fleet_figures "503 with Retry-After: 2 for 5 s" "$IMG"
	expect_all_verified "503 for 5 s"
	expect_ok "503 for 5 s: the origin answered 503 ($(fleet_origin_count . all | tr -d '\n') requests, $(awk '$3 == 503' "$FLEET_STORM/origin.log" | wc -l) of them 503)" \
		test "$(awk '$3 == 503' "$FLEET_STORM/origin.log" | wc -l)" -ge 1
	expect_ok "503 for 5 s: every client left the store alone for 2 to 3 s as told, said so" test "$(fleet_clients_with \
		"chunks $FLEET_CACHE_URL/image\\.castr/: HTTP 503, Retry-After 2 s: no request to it for (2\\.[0-9]|3\\.0) s")" -eq "$N"
	expect_ok "503 for 5 s: no client asked again sooner (no other wait said)" test "$(fleet_clients_with \
		"Retry-After [0-9]+ s: no request to it for ([01]\\.|3\\.[1-9]|[4-9]\\.)")" -eq 0
	expect_ok "503 for 5 s: the cache kept no 503 (each chunk asked of the origin at most once with a 200)" \
		at_most "$(awk '$3 == 200 && $2 ~ /\.cacnk$/ { if (++n[$2] > m) m = n[$2] } END { print m + 0 }' "$FLEET_STORM/origin.log")" 1
	expect_ok "503 for 5 s: the clients made at most 3 rounds of 8 requests each while it lasted" \
		at_most "$(awk '$3 == 503' "$FLEET_STORM/cache.log" | wc -l)" $((N * 24))
}

main() {
	local t0
	lab_tmpdir
	lab_need curl
	WWW="$LAB_TMP/www"
	mkdir -p "$WWW"
	IMG="$WWW/image.sfs"
	head -c 16M /dev/urandom >"$IMG"
	SIZE=$(stat -c %s "$IMG")
	chunk_image "$WWW/image.caibx" "$IMG"
	(cd "$WWW" && sha512sum image.sfs image.caibx >image.sha512)
	JITTER=()
	[[ -z "${FLEET_JITTER:-}" ]] || JITTER=(--jitter "$FLEET_JITTER")
	fleet_net
	fleet_origin_start "$WWW"
	fleet_cache_start
	t0=$EPOCHREALTIME
	clean_storm
	half_way_storm "$t0"
	bad_copy_storm
	busy_storm
	scenario_end "$FLEET_CACHE_LOG"
}

main "$@"
