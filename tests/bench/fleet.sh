#!/usr/bin/env bash
# Benchmark: a rack of FLEET_N (200) machines booting at once through the caching nginx of
# docs/fleet.md, on the host (tests/e2e/lib_fleet.sh; no QEMU): each machine is a `pxeroot fetch
# URL FILE --checksum` of a FLEET_MIB (64) MiB image of random bytes, the origin's egress limited
# to FLEET_RATE_MIB (40) MiB/s in aggregate, the clients released together, FLEET_JITTER (0)
# seconds of start jitter (--jitter) when set. Storms, each of a cold cache unless said:
#   chunked: URL.caibx (casync's defaults, 64 KiB chunks on average);
#   stream:  URL.sfs, one stream per client through the cache's 1 MiB slices;
#   the faults of fleet_host at this scale: the origin stopped half-way with the cache warm (and
#   one client more with the origin down and the index due again), a bad copy of the first chunk
#   in the cache, the origin answering 503 with Retry-After: 2 for its first 10 s.
# Prints for each storm
#   figure: fleet LABEL N=N: origin R× the image, p50 X s, p99 Y s (p99/p50 Z), V verified, F failed
# and for the faults the lines that count what the clients and the cache did.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
# shellcheck source=tests/e2e/lib_chunks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib_chunks.sh"
# shellcheck source=tests/e2e/lib_fleet.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib_fleet.sh"

main() {
	local n=${FLEET_N:-200} jitter=() t0
	lab_tmpdir
	lab_need curl
	[[ -z "${FLEET_JITTER:-}" ]] || jitter=(--jitter "$FLEET_JITTER")
	fleet_image "$LAB_TMP/www" "${FLEET_MIB:-64}"
	lab_note "image: $(stat -c %s "$FLEET_IMG") bytes, $(chunk_files "$LAB_TMP/www/image.castr" | wc -l) chunks;" \
		"origin $((${FLEET_RATE_MIB:-40})) MiB/s; $(nproc) CPUs"
	fleet_net
	fleet_origin_start "$LAB_TMP/www"
	t0=$EPOCHREALTIME

	fleet_cache_start
	fleet_storm stream "$FLEET_CACHE_URL/image.sfs" "$n" --checksum "${jitter[@]}"
	fleet_figures "stream (1 MiB slices)"
	echo "figure: fleet stream: the origin asked $(fleet_origin_count '\.sfs$') times for the image, at most $(fleet_origin_max_per_path '\.sfs$') per path"
	fleet_cache_stop

	fleet_cache_start
	fleet_storm chunked "$FLEET_CACHE_URL/image.caibx" "$n" --checksum "${jitter[@]}"
	fleet_figures "chunked"
	fleet_cache_disk
	echo "figure: fleet chunked: $(fleet_origin_count '\.cacnk$') chunk requests at the origin, at most $(fleet_origin_max_per_path '\.cacnk$') per chunk"

	fleet_halfway_storm "$n" --checksum "${jitter[@]}"
	echo "figure: fleet origin stopped at $FLEET_STOPPED_AT s: answers after it not from the cache: $FLEET_AFTER_STOP; chunks asked of the origin: $(fleet_origin_count '\.cacnk$')"
	fleet_stale_client
	echo "figure: fleet origin down, index due: the cache answered $FLEET_STALE of the index and list stale; $FLEET_VERIFIED verified"

	fleet_badcopy_storm "$n" --checksum "${jitter[@]}"
	echo "figure: fleet bad copy: $FLEET_BAD_CLIENTS of $n clients got it and asked past the cache, $FLEET_GOOD_CLIENTS got it good;" \
		"the origin asked for it $FLEET_BAD_NOCACHE times with no-cache; the cache's copy after: $FLEET_BAD_AFTER"

	fleet_busy_storm "$n" 10 --checksum "${jitter[@]}"
	echo "figure: fleet busy: $(fleet_clients_with 'Retry-After 2 s: no request to it for') of $n clients held off the store as told;" \
		"503s at the origin $(awk '$3 == 503' "$FLEET_STORM/origin.log" | wc -l); first client done at $FLEET_FIRST s"
	lab_note "the bench took $(lab_elapsed "$t0") s"
}

main "$@"
