#!/usr/bin/env bash
# Compressed images on the host, with `pxeroot fetch` (no QEMU): a zstd and an xz image come out
# unpacked, byte for byte, their sha512 taken over the bytes as served; a gzip image resumed
# through 3 cuts keeps unpacking where it stopped; one started over (a server that ignores
# ranges) unpacks again from zero; a flipped byte is refused as corrupt data at once (no verdict
# on the part the checks saw) and trailing garbage after a zstd frame is refused, no file left.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_transfer.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_transfer.sh"

# Assert that `pxeroot fetch` of $WWW/$1 with --checksum through port $2 succeeded, named format
# $3 and both sizes, and left the image unpacked; $4 labels the checks.
fetch_unpacked() {
	local name=$1 port=$2 format=$3 label=$4 log="$LAB_TMP/$4.log"
	run_fetch "http://127.0.0.1:$port/$name" "$label" --checksum
	lab_assert "$FETCH_RC" "$label: pxeroot fetch exits 0"
	expect_line "$log" "verify http://[^ ]*/$(lab_re_escape "$name"): sha512 ok" "$label: sha512 of the bytes as served ok"
	expect_line "$log" "image http://[^ ]*/$(lab_re_escape "$name"): $format, $(stat -c %s "$WWW/$name") bytes as served, $(stat -c %s "$PAYLOAD") unpacked" \
		"$label: format and both sizes named"
	expect_ok "$label: the file is the image unpacked" cmp -s "$PAYLOAD" "$LAB_TMP/out/$label"
}

# Assert that `pxeroot fetch` of $WWW/$1 failed with a line matching $2 and left no file; $3
# labels the checks.
fetch_refused() {
	local name=$1 re=$2 label=$3
	run_fetch "http://127.0.0.1:$HTTP_PORT/$name" "$label" --checksum
	expect_ok "$label: pxeroot fetch exits 1" test "$FETCH_RC" -eq 1
	expect_line "$LAB_TMP/$label.log" "$re" "$label: refused, the cause named"
	expect_no_line "$LAB_TMP/$label.log" 'sha512 (ok|mismatch)' "$label: no verdict on part of the bytes"
	expect_ok "$label: no file left" test ! -e "$LAB_TMP/out/$label"
}

# Replace byte $2 of file $1 by its complement (always a change, whatever the byte was).
flip_byte() {
	local byte
	byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059  # the format is the one octal escape built here
	printf "\\$(printf '%03o' $((255 - byte)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

main() {
	lab_tmpdir
	WWW="$LAB_TMP/www"
	PAYLOAD="$LAB_TMP/image"
	mkdir -p "$WWW"
	{ head -c 6M /dev/urandom; head -c 8M /dev/zero; head -c 6M /dev/urandom; } >"$PAYLOAD"
	gzip -1n -c "$PAYLOAD" >"$WWW/image.gz"
	zstd -q -3 -c "$PAYLOAD" >"$WWW/image.zst"
	xz -1 -T1 -c "$PAYLOAD" >"$WWW/image.xz"
	cp "$WWW/image.gz" "$WWW/bad.gz"
	flip_byte "$WWW/bad.gz" $(($(stat -c %s "$WWW/image.gz") / 2))
	{ cat "$WWW/image.zst"; printf 'junk'; } >"$WWW/junk.zst"
	(cd "$WWW" && sha512sum image.gz image.zst image.xz >image.sha512 && sha512sum bad.gz >bad.sha512 &&
		sha512sum junk.zst >junk.sha512)
	nginx_start "$WWW"

	fetch_unpacked image.zst "$HTTP_PORT" zstd zstd
	fetch_unpacked image.xz "$HTTP_PORT" xz xz

	cutproxy_start --seed 5 --cuts 3 --min 1m --max 4m
	fetch_unpacked image.gz "$CUTPROXY_PORT" gzip cuts
	cutproxy_stop
	expect_line "$LAB_TMP/cuts.log" 'complete after 4 attempts' "cuts: resumed 3 times"
	expect_no_line "$LAB_TMP/cuts.log" 'starting over' "cuts: never started over"

	NGINX_HTTP_EXTRA="max_ranges 0;" nginx_start "$WWW"
	cutproxy_start --seed 7 --cuts 1 --min 1m --max 4m
	fetch_unpacked image.gz "$CUTPROXY_PORT" gzip restart
	cutproxy_stop
	expect_line "$LAB_TMP/restart.log" 'starting over' "restart: started over from zero"

	fetch_refused bad.gz 'image http://[^ ]*/bad\.gz: corrupt gzip data at byte [0-9]+ \(' "corrupt"
	fetch_refused junk.zst 'image http://[^ ]*/junk\.zst: corrupt zstd data at byte [0-9]+ \(' "junk"
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
