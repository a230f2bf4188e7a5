#!/usr/bin/env bash
# A chunked root read lazily (the image served to the kernel as a network block device from
# chunks fetched as they are read), two boots:
#   1. a 1 GiB image of random bytes (16 files of 64 MiB, each followed by a 64 KiB probe file,
#      data stored uncompressed) in a VM with 384 MiB of RAM, root=live:URL.caibx checksum=y,
#      pxeroot.store= a second store, pxeroot.lazy=auto pxeroot.fetch_retries=1: lazy because the
#      image does not fit; the index's sha512 checked; /dev/nbd0 is the squashfs under the
#      overlay and init runs; after dropping the page cache it reads every probe, spread over the
#      whole image: their sha256 match the host's list, except
#      - probe 03, whose chunk is altered (valid zstd of other bytes) in both stores: its read
#        fails with an I/O error, one line names the chunk, its bytes and the mismatch;
#      - probe 05, whose chunk is altered in the first store only: good bytes, from the second;
#      the server is a process of the booted system with argv[0] "@pxeroot", its root
#      /run/pxeroot/serve, its executable a memfd, no file of the initramfs mapped or open; the
#      bytes fetched before init and the memory in use are printed;
#   2. a 64 MiB image (4 files of 16 MiB) with pxeroot.lazy=1 in 512 MiB: the background fill
#      reads the whole image into the chunk cache and a line says the root is in RAM; then the
#      host stops the HTTP server, and every probe still reads with the sha256 of the list.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_chunks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_chunks.sh"

# Assert that the probes of LOG ($1) read with the sha256 of list $2, but for the probes whose
# names are in $3 (space-separated, e.g. "03"), which must fail; $4 labels the checks.
expect_probes() {
	local log=$1 list=$2 failing=" $3 " label=$4 sum path name
	while read -r sum path; do
		name=${path##*/}
		name=${name%-probe}
		if [[ "$failing" == *" $name "* ]]; then
			expect_line "$log" "PXEROOT-E2E: read failed: $path\$" "$label: $path fails to read"
		else
			expect_line "$log" "PXEROOT-E2E: sha256: $sum  $path\$" "$label: $path reads with the host's sha256"
		fi
	done <"$list"
}

# Assert the server of LOG ($1) is @pxeroot, rooted in /run/pxeroot/serve, run from a memfd,
# holding no file of the initramfs (every path it maps or holds is a memfd, a device, a socket
# or pipe, or under /run/pxeroot); $2 labels the checks.
expect_server() {
	local log=$1 label=$2 text
	expect_line "$log" 'PXEROOT-E2E: server: pid [0-9]+ argv @pxeroot serve root /run/pxeroot/serve exe /memfd:pxeroot \(deleted\)$' \
		"$label: the server is @pxeroot, its root /run/pxeroot/serve, its executable a memfd"
	text=$(lab_log_text "$log" | sed -n 's/.*PXEROOT-E2E: server \(map\|fd\): //p' |
		grep -vE '^(/memfd:|/dev/|socket:|pipe:|anon_inode:|/run/pxeroot/|\[)' || true)
	expect_ok "$label: the server maps and holds no file of the initramfs${text:+ (it holds: $text)}" test -z "$text"
}

# The lines of a boot's figures: init's uptime, the bytes the stores served before it, memory.
report_figures() {
	local log=$1 label=$2
	echo "figure: $label: live init at uptime $(lab_log_text "$log" | sed -n 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p' | head -n1) s"
	echo "figure: $label: $(lab_log_text "$log" | sed -n 's/.*PXEROOT-E2E: \(server rss: .*\)/\1/p' | head -n1), $(lab_log_text "$log" | sed -n 's/.*PXEROOT-E2E: \(shmem: .*\)/\1/p' | head -n1)"
}

# Boot 1: the 1 GiB image lazily in 384 MiB, two chunks altered.
boot_big() {
	local log="$LAB_TMP/serial-big.log" img www second f3 f5 id3 id5 port2
	img=$(probed_image 16 64)
	www="$LAB_TMP/www"
	second="$LAB_TMP/second"
	mkdir -p "$www" "$second"
	cp -al "$img/image.castr" "$www/big.castr"
	cp -al "$img/image.castr" "$second/store"
	cp "$img/image.caibx" "$www/big.caibx"
	(cd "$www" && sha512sum big.caibx >big.sha512)
	f3=$(chunk_of_file "$img/image.sfs" "$img/image.caibx" "" "$img/probes/03-probe")
	f5=$(chunk_of_file "$img/image.sfs" "$img/image.caibx" "" "$img/probes/05-probe")
	id3=$(chunk_id "$f3")
	id5=$(chunk_id "$f5")
	chunk_alter "$www/big.castr$f3"
	chunk_alter "$second/store$f3"
	chunk_alter "$www/big.castr$f5"
	lab_note "probe 03 lies in chunk $id3 (altered in both stores), probe 05 in $id5 (altered in the first)"
	nginx_start "$second"
	port2=$HTTP_PORT
	nginx_start "$www"
	QEMU_MEM=384 QEMU_TIMEOUT=240 qemu_boot "$log" "ip=dhcp root=live:http://10.0.2.2:$HTTP_PORT/big.caibx checksum=y pxeroot.store=http://10.0.2.2:$port2/store pxeroot.lazy=auto pxeroot.fetch_retries=1 pxeroot.onerror=poweroff"
	expect_line "$log" 'pxeroot: verify http://[^ ]*/big\.caibx: sha512 ok' "1 GiB: the index's sha512 checked"
	expect_line "$log" 'pxeroot: fetch http://[^ ]*/big\.caibx: the image is 10[0-9][0-9] MiB; .*; reading it as it is used \(pxeroot\.lazy=auto\)' \
		"1 GiB: lazy, as the image does not fit in 384 MiB"
	expect_line "$log" 'pxeroot: mount: /dev/nbd0 \(squashfs\) on /run/pxeroot/lower read-only' "1 GiB: the network block device is the read-only lower layer"
	expect_line "$log" 'pxeroot: serve: /dev/nbd0: serving the root after switch_root as pid [0-9]+ \(@pxeroot' "1 GiB: a line says the server stays"
	expect_line "$log" 'PXEROOT-E2E: init started' "1 GiB: live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/nbd0 /run/pxeroot/lower squashfs ro' "1 GiB: the live root's lower layer is /dev/nbd0"
	expect_probes "$log" "$img/probes.sha256" "03" "1 GiB"
	expect_line "$log" "pxeroot: chunk $id3 \\(bytes [0-9]+-[0-9]+\\): digest [0-9a-f]{64} does not match the id from http://10\\.0\\.2\\.2:$port2/store/; giving up after 1 attempts" \
		"1 GiB: the chunk altered in both stores named, with its bytes and the cause"
	expect_line "$log" "pxeroot: chunk $id5 \\(bytes [0-9]+-[0-9]+\\): digest [0-9a-f]{64} does not match the id from http://[^ ]*/big\\.castr/; next store: http://10\\.0\\.2\\.2:$port2/store/" \
		"1 GiB: the chunk altered in the first store: refused there, taken from the second"
	expect_server "$log" "1 GiB"
	expect_no_line "$log" 'Kernel panic' "1 GiB: no kernel panic"
	report_figures "$log" "1 GiB lazy in 384 MiB"
}

# When the guest says the root is in RAM: stop the HTTP server, and say so in file $1.
# shellcheck disable=SC2317  # called through qemu_on_line
stop_server() {
	lab_stop_pid "$NGINX_PID"
	echo "stopped" >"$1"
}

# Boot 2: the 64 MiB image filled into RAM, then the server stopped.
boot_fill() {
	local log="$LAB_TMP/serial-fill.log" img www="$LAB_TMP/www2"
	img=$(probed_image 4 16)
	mkdir -p "$www"
	cp -al "$img/image.castr" "$www/small.castr"
	cp "$img/image.caibx" "$www/small.caibx"
	nginx_start "$www"
	qemu_on_line "$log" 'PXEROOT-E2E: check: root in RAM' stop_server "$LAB_TMP/stopped"
	qemu_boot "$log" "ip=dhcp root=live:http://10.0.2.2:$HTTP_PORT/small.caibx pxeroot.lazy=1 pxeroot.onerror=poweroff -- e2e-wait-ram"
	qemu_on_retry_stop
	expect_line "$log" 'pxeroot: nbd /dev/nbd0: the whole root is in RAM \([0-9]+ chunks, 6[0-9]\.[0-9] MiB\)' "in RAM: the fill's line"
	expect_line "$log" 'PXEROOT-E2E: check: root in RAM' "in RAM: the live root saw it"
	expect_ok "in RAM: the HTTP server was stopped then" test -s "$LAB_TMP/stopped"
	expect_probes "$log" "$img/probes.sha256" "" "in RAM, server stopped"
	expect_no_line "$log" 'PXEROOT-E2E: read failed' "in RAM, server stopped: no read fails"
	expect_no_line "$log" 'Kernel panic' "in RAM: no kernel panic"
	report_figures "$log" "64 MiB filled"
}

main() {
	lab_tmpdir
	boot_big
	boot_fill
	scenario_end "$LAB_TMP/serial-fill.log"
}

main "$@"
