#!/usr/bin/env bash
# RAM budget: an image larger than the VM's memory (a sparse 1 GiB file; the VM
# has 512 MiB) is refused as soon as the server announces its size, with a line
# giving the size needed; no byte is downloaded, nothing mounted, no panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Serve the big file and boot.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	mkdir -p "$LAB_TMP/www/arch/x86_64"
	truncate -s 1G "$LAB_TMP/www/arch/x86_64/airootfs.sfs"
	nginx_start "$LAB_TMP/www"
	QEMU_MEM=512 qemu_boot "$log" "ip=dhcp archiso_http_srv=http://10.0.2.2:$HTTP_PORT/ pxeroot.retries=0 pxeroot.onerror=poweroff pxeroot.debug"
	expect_line "$log" 'pxeroot: fetch http://[^ ]*/airootfs\.sfs: the image is 1024 MiB; it needs 1056 MiB of RAM \(the image and 32 MiB for the overlay and buffers\) but [0-9]+ MiB are available' "refused with the RAM needed"
	expect_no_line "$log" 'airootfs\.sfs [0-9.]+(/[0-9.]+)? MiB' "no progress line: nothing downloaded"
	expect_no_line "$log" 'attempt 2' "not retried"
	expect_line "$log" 'pxeroot: powering off' "onerror action taken"
	expect_nothing_mounted "$log"
	scenario_end "$log"
}

main "$@"
