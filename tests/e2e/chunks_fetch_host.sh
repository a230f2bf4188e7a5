#!/usr/bin/env bash
# Chunked images on the host, with `pxeroot fetch INDEX FILE` (no QEMU), against the peer:
#   1. differential: an 8 MiB image (random bytes, a run of zeros, text) made into an index and
#      store by casync make with each compression (zstd, xz, gzip) and each digest (sha512-256,
#      sha256); pxeroot fetch over HTTP with --checksum (the index's line in the sha512 list) and
#      casync extract from the same index and store over HTTP write byte-identical images, equal
#      to the original; pxeroot's lines name the chunk count, the digest and the bytes received;
#      the chunks of the run of zeros that repeat are fetched once (one request per chunk file);
#   2. a chunk altered in the first store (valid zstd of different bytes) and whole in a second
#      (--store): asked once more of the first store with Cache-Control: no-cache (a cache in
#      front of it may hold a bad copy), then of the second: good bytes, and lines naming the
#      chunk, the digest mismatch and the first store;
#   3. that chunk altered in the only store: refused with one line naming the chunk, its bytes
#      and the cause; no image left;
#   4. a chunk missing from every store: given up at once (404 is not retried), the chunk named;
#   5. the index altered after its sha512 list was made: refused before any chunk is asked for;
#   6. an index cut short (its list made over the cut bytes): "not a casync blob index", named;
#   7. a server that answers 503 with Retry-After (the index first, then every chunk, each until
#      the answer was seen; --jitter 1): the wait it asks for is kept, with a line for the file
#      and one for the store, and the image comes whole.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_chunks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_chunks.sh"

# Write the test image $1: 6 MiB of random bytes, 1 MiB of zeros, 1 MiB of text.
make_image() {
	seq -f 'pxeroot chunked image line %.0f' 1 40000 >"$1.text"
	truncate -s 1M "$1.text"
	cat <(head -c 6M /dev/urandom) <(head -c 1M /dev/zero) "$1.text" >"$1"
	rm -f "$1.text"
}

# One differential case: compression $1, digest $2, image $3 served from $WEBROOT.
differential() {
	local comp=$1 dg=$2 img=$3 name="img-$1-$2"
	chunk_image "$WEBROOT/$name.caibx" "$img" --compression="$comp" --digest="$dg"
	(cd "$WEBROOT" && sha512sum "$name.caibx" >"$name.sha512")
	: >"$NGINX_LOG"
	run_fetch "http://127.0.0.1:$HTTP_PORT/$name.caibx" "$name" --checksum
	lab_assert "$FETCH_RC" "$comp/$dg: pxeroot fetch exits 0"
	expect_line "$LAB_LAST_LOG" 'chunks: [1-9][0-9]* places repeat a chunk of another: each chunk fetched once' \
		"$comp/$dg: the repeated chunks (the run of zeros) said"
	expect_ok "$comp/$dg: no chunk file asked for twice" \
		test "$(grep -o '/[0-9a-f]*\.cacnk' "$NGINX_LOG" | sort | uniq -d | wc -l)" -eq 0
	expect_line "$LAB_LAST_LOG" "verify http://[^ ]*/$name\\.caibx: sha512 ok" "$comp/$dg: the index's sha512 checked"
	expect_line "$LAB_LAST_LOG" "chunks http://[^ ]*/$name\\.caibx: [0-9]+ chunks .*, $dg ids, an image of 8388608 bytes" \
		"$comp/$dg: the index read (chunks, digest, size)"
	expect_line "$LAB_LAST_LOG" 'chunks: [0-9]+ chunks checked, [0-9]+ bytes received for 8388608' "$comp/$dg: the figures of the fetch"
	casync extract --store="http://127.0.0.1:$HTTP_PORT/$name.castr" "http://127.0.0.1:$HTTP_PORT/$name.caibx" \
		"$LAB_TMP/peer-$name" >"$LAB_TMP/peer-$name.log" 2>&1 </dev/null || lab_die "casync extract $name failed"
	expect_ok "$comp/$dg: pxeroot's image is byte-identical to casync extract's" cmp -s "$LAB_TMP/out/$name" "$LAB_TMP/peer-$name"
	expect_ok "$comp/$dg: and to the original" cmp -s "$LAB_TMP/out/$name" "$img"
}

# The index URL of the zstd/sha512-256 case.
index_url() {
	echo "http://127.0.0.1:$HTTP_PORT/img-zstd-sha512-256.caibx"
}

# Case 7: an nginx on $WEBROOT answering 503 with "Retry-After: 1" to the index while $LAB_TMP/busy-index
# exists and to every chunk while $LAB_TMP/busy-chunks does; each flag goes once its 503 was
# served (a bounded watch of the access log).
retry_after() {
	local flags="$LAB_TMP/busy" log watcher k
	touch "$flags-index" "$flags-chunks"
	NGINX_SERVER_EXTRA="location ~ \.caibx\$ { if (-f $flags-index) { add_header Retry-After 1 always; return 503; } }
		location ~ \.cacnk\$ { if (-f $flags-chunks) { add_header Retry-After 1 always; return 503; } }" nginx_start "$WEBROOT"
	(
		for what in index chunks; do
			for ((k = 0; k < 300; k++)); do
				grep -q "\.ca$([[ $what == index ]] && echo ibx || echo cnk) HTTP/[0-9.]*\" 503" "$NGINX_LOG" && break
				sleep 0.1
			done
			rm -f "$flags-$what"
		done
	) &
	watcher=$!
	lab_track "$watcher"
	run_fetch "$(index_url)" busy --checksum --jitter 1
	wait "$watcher" || true
	lab_untrack "$watcher"
	log=$LAB_LAST_LOG
	lab_assert "$FETCH_RC" "503 with Retry-After: pxeroot fetch exits 0"
	expect_ok "503 with Retry-After: the image is whole" cmp -s "$LAB_TMP/out/busy" "$LAB_TMP/image"
	expect_line "$log" 'fetch: waiting 0\.[0-9] s before the first request \(jitter up to 1 s\)' "--jitter 1: a wait below 1 s first, said"
	expect_line "$log" "fetch http://[^ ]*\.caibx: HTTP 503 \(attempt 1\); the server asks to wait 1 s \(Retry-After\); retrying in 1\.[0-4] s" \
		"503 with Retry-After on the index: the wait asked for, jittered upwards, said"
	expect_line "$log" "chunks http://127\.0\.0\.1:$HTTP_PORT/img-zstd-sha512-256\.castr/: HTTP 503, Retry-After 1 s: no request to it for 1\.[0-4] s" \
		"503 with Retry-After on the chunks: the store left alone as asked, said once"
	expect_ok "503 with Retry-After on the chunks: one line for the store, not one per chunk" \
		test "$(grep -c 'Retry-After 1 s: no request' "$log")" -eq 1
}

main() {
	local img comp dg f id second log
	lab_tmpdir
	WEBROOT="$LAB_TMP/www"
	mkdir -p "$WEBROOT" "$LAB_TMP/second"
	img="$LAB_TMP/image"
	make_image "$img"
	nginx_start "$LAB_TMP/second"
	second=$HTTP_PORT
	nginx_start "$WEBROOT"
	for comp in zstd xz gzip; do
		for dg in sha512-256 sha256; do
			differential "$comp" "$dg" "$img"
		done
	done

	cp -a "$WEBROOT/img-zstd-sha512-256.castr" "$LAB_TMP/second/store"
	f=$(chunk_files "$WEBROOT/img-zstd-sha512-256.castr" | sed -n 3p)
	id=$(chunk_id "$f")
	chunk_alter "$f"
	: >"$NGINX_LOG"
	run_fetch "$(index_url)" alt2 --checksum --store "http://127.0.0.1:$second/store" --retries 1
	log=$LAB_LAST_LOG
	expect_line "$log" "chunk $id \\(bytes [0-9]+-[0-9]+\\): digest [0-9a-f]{64} does not match the id from (http://[^ ]*/img-zstd-sha512-256\\.castr/); asking \\1 again with Cache-Control: no-cache" \
		"altered in the first store: asked again of the same store past its caches"
	expect_ok "altered in the first store: twice from the first store (the second time with no-cache)" \
		test "$(grep -c "$(chunk_path "$id")" "$NGINX_LOG")" -eq 2
	lab_assert "$FETCH_RC" "altered in the first store: pxeroot fetch exits 0"
	expect_ok "altered in the first store: the image is whole, from the second" cmp -s "$LAB_TMP/out/alt2" "$img"
	expect_line "$log" "chunk $id \\(bytes [0-9]+-[0-9]+\\): digest [0-9a-f]{64} does not match the id from http://[^ ]*/img-zstd-sha512-256\\.castr/; next store: http://127\\.0\\.0\\.1:$second/store/" \
		"altered in the first store: a line names the chunk, the mismatch, the store and the next"
	expect_line "$log" 'chunks: [0-9]+ chunks checked, .*; per store [0-9]+/1$' "altered in the first store: one chunk came from the second"

	run_fetch "$(index_url)" alt1 --checksum --retries 1
	log=$LAB_LAST_LOG
	expect_ok "altered in the only store: pxeroot fetch exits 1" test "$FETCH_RC" -eq 1
	expect_line "$log" "chunk $id \\(bytes [0-9]+-[0-9]+\\): digest [0-9a-f]{64} does not match the id from http://[^ ]*\\.castr/; giving up after 1 attempts" \
		"altered in the only store: refused, the chunk, its bytes and the cause named"
	expect_ok "altered in the only store: no image left" test ! -e "$LAB_TMP/out/alt1"
	chunk_restore "$f"

	mv "$f" "$LAB_TMP/missing.cacnk"
	rm -f "$LAB_TMP/second/store/$(chunk_path "$id")"
	run_fetch "$(index_url)" missing --checksum --store "http://127.0.0.1:$second/store"
	log=$LAB_LAST_LOG
	expect_ok "missing everywhere: pxeroot fetch exits 1" test "$FETCH_RC" -eq 1
	expect_line "$log" "chunk $id \\(bytes [0-9]+-[0-9]+\\): HTTP 404 from http://127\\.0\\.0\\.1:$second/store/ at every store" \
		"missing everywhere: given up at once, the chunk named"
	expect_no_line "$log" "retrying in" "missing everywhere: a 404 is not retried"
	mv "$LAB_TMP/missing.cacnk" "$f"

	cp "$WEBROOT/img-zstd-sha512-256.caibx" "$LAB_TMP/index.orig"
	printf '\x01' | dd of="$WEBROOT/img-zstd-sha512-256.caibx" bs=1 seek=100 conv=notrunc status=none
	: >"$NGINX_LOG"
	run_fetch "$(index_url)" badsum --checksum
	expect_ok "index altered: pxeroot fetch exits 1" test "$FETCH_RC" -eq 1
	expect_line "$LAB_LAST_LOG" 'sha512 mismatch' "index altered: refused by its sha512"
	expect_no_line "$NGINX_LOG" '\.cacnk' "index altered: no chunk asked for"

	head -c 1000 "$LAB_TMP/index.orig" >"$WEBROOT/img-zstd-sha512-256.caibx"
	(cd "$WEBROOT" && sha512sum img-zstd-sha512-256.caibx >img-zstd-sha512-256.sha512)
	run_fetch "$(index_url)" cut --checksum
	expect_ok "index cut short: pxeroot fetch exits 1" test "$FETCH_RC" -eq 1
	expect_line "$LAB_LAST_LOG" 'chunks http://[^ ]*/img-zstd-sha512-256\.caibx: not a casync blob index: ' "index cut short: refused, named"
	expect_ok "index cut short: no image left" test ! -e "$LAB_TMP/out/cut"
	cp "$LAB_TMP/index.orig" "$WEBROOT/img-zstd-sha512-256.caibx"
	(cd "$WEBROOT" && sha512sum img-zstd-sha512-256.caibx >img-zstd-sha512-256.sha512)

	retry_after
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
