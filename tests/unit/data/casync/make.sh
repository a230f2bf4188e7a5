#!/usr/bin/env bash
# Regenerate the casync fixtures of tests/unit/caindex_test.c and chunk_test.c in this directory
# (they are committed; run this only to change them; needs casync). The image is the numbers 1 to
# 5000, one a line, cut at 20480 bytes (seq 1 5000 | head -c 20480), which chunk_test.c makes
# again itself; it is chunked with --chunk-size=1024:2048:4096.
#
#   sha512-256.caibx             its index, casync's default digest (SHA-512/256)
#   sha512-256-gzip.castr/       the chunks of that index, gzip
#   sha512-256-zstd.castr/       the same chunks, zstd
#   sha512-256-xz.castr/         the same chunks, xz
#   sha256.caibx                 its index with --digest=sha256
#   sha256-xz.castr/             the chunks of that index, xz
set -euo pipefail

OUT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/casync-fixtures.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

seq 1 5000 | head -c 20480 >"$WORK/image"
rm -rf "$OUT"/*.caibx "$OUT"/*.castr

# Index IMAGE with digest $1 into $1.caibx, its chunks compressed with $2 into $1-$2.castr.
make_index() {
	casync make --digest="$1" --compression="$2" --chunk-size=1024:2048:4096 \
		--store="$OUT/$1-$2.castr" "$OUT/$1.caibx" "$WORK/image" >/dev/null
}

for c in gzip zstd xz; do
	make_index sha512-256 "$c"
done
make_index sha256 xz
