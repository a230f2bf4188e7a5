#!/usr/bin/env bash
# The server of a chunked image read as a network block device (serve/lazy.c), on the host, no
# QEMU: tests/tools/nbdkernel.c stands in for the kernel on the socket and checks every reply
# against the original image. The image: 24 MiB and 1000 bytes (random bytes, 4 MiB of zeros
# among them; not a whole number of 4 KiB blocks), chunked by casync make, served by nginx.
#   1. the whole store: reads at random, 16 in flight, answered in any order and matched by their
#      handles, with the image's bytes; a read across the image's end (its bytes, then zeros) and
#      one wholly past it (zeros); a write refused with EROFS, its payload skipped, a read after
#      it answered; 128 KiB reads in order from the start (the figure); the disconnect ends the
#      server (lazy_serve returns 0);
#   2. the same with a chunk cache of 1 MiB, less than the reads in flight hold: all right;
#   3. a chunk altered in the only store (--retries 1): the reads over it fail with EIO and bring
#      no data, every other read is right; a line names the chunk, its bytes, the mismatch and
#      the store, given up after 1 attempt;
#   4. that chunk altered in the first of two stores only: every read right; a line names the
#      chunk, the mismatch, the first store and the next; the second store gave it.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_chunks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_chunks.sh"

TOOL="$LAB_ROOT/build/tests/nbdkernel"
BAD_AT=$((8 << 20)) # a byte inside the random bytes: the chunk altered holds it

# Write the test image $1: 16 MiB of random bytes, 4 MiB of zeros, 4 MiB and 1000 bytes of
# random bytes.
make_image() {
	cat <(head -c 16M /dev/urandom) <(head -c 4M /dev/zero) <(head -c $(((4 << 20) + 1000)) /dev/urandom) >"$1"
}

# Run nbdkernel on $INDEX and $IMAGE with the options $2...: its output in
# $LAB_TMP/serve-$1.log (LAB_LAST_LOG), its exit status and each of its checks recorded as this
# scenario's, named with $1; its figure and its "# " lines passed on, named likewise.
run_serve() {
	local label=$1 log="$LAB_TMP/serve-$1.log" rc=0 line
	shift
	"$TOOL" "$INDEX" "$IMAGE" "$@" >"$log" 2>&1 </dev/null || rc=$?
	LAB_LAST_LOG=$log
	lab_assert "$rc" "$label: nbdkernel exits 0 (it exited $rc)"
	while IFS= read -r line; do
		case $line in
		"ok - "*) lab_assert 0 "$label: ${line#ok - }" ;;
		"not ok - "*) lab_assert 1 "$label: ${line#not ok - }" ;;
		"figure: sequential reads: "*) echo "figure: sequential reads, $label: ${line#figure: sequential reads: }" ;;
		"# "*) lab_note "$label: ${line#\# }" ;;
		esac
	done <"$log"
}

main() {
	local first second id from to file re
	lab_tmpdir
	[[ -x "$TOOL" ]] || lab_die "$TOOL missing (make unit)"
	mkdir -p "$LAB_TMP/www" "$LAB_TMP/second"
	IMAGE="$LAB_TMP/image"
	INDEX="$LAB_TMP/www/image.caibx"
	make_image "$IMAGE"
	chunk_image "$INDEX" "$IMAGE"
	cp -a "$LAB_TMP/www/image.castr" "$LAB_TMP/second/store"
	nginx_start "$LAB_TMP/second"
	second="http://127.0.0.1:$HTTP_PORT/store/"
	nginx_start "$LAB_TMP/www"
	first="http://127.0.0.1:$HTTP_PORT/image.castr/"

	run_serve "whole store" --store "$first"
	run_serve "cache of 1 MiB" --store "$first" --cache $((1 << 20))

	read -r id from to < <(chunk_at "$INDEX" "$BAD_AT")
	file="$LAB_TMP/www/image.castr/$(chunk_path "$id")"
	lab_note "the chunk altered: $id, bytes $from-$to"
	chunk_alter "$file"
	run_serve "altered in the only store" --store "$first" --retries 1 --eio "$BAD_AT"
	re="chunk $id \\(bytes $from-$to\\): digest [0-9a-f]{64} does not match the id from $(lab_re_escape "$first")"
	expect_line "$LAB_LAST_LOG" "$re; giving up after 1 attempts$" \
		"altered in the only store: a line names the chunk, its bytes, the mismatch and the store; given up after 1 attempt"
	expect_line "$LAB_LAST_LOG" "^# --eio $BAD_AT: chunk $id \\(bytes $from-$to\\)" \
		"altered in the only store: the reads expected to fail are those over that chunk"

	run_serve "altered in the first store" --store "$first" --store "$second" --retries 1
	expect_line "$LAB_LAST_LOG" "$re; next store: $(lab_re_escape "$second")$" \
		"altered in the first store: a line names the chunk, the mismatch, the first store and the next"
	expect_no_line "$LAB_LAST_LOG" 'giving up' "altered in the first store: no chunk given up"
	expect_line "$LAB_LAST_LOG" '^# second server: .*; per store [0-9]+/[1-9][0-9]*$' \
		"altered in the first store: the second store gave the chunk to the server that read it all"
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
