#!/usr/bin/env bash
# HTTP archiso boot against an empty web root: the agent must report the
# HTTP 404 for the image URL, mount nothing and not panic the kernel.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot against an empty web root and check the failure path.
main() {
	local log url_re
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	mkdir -p "$LAB_TMP/www"
	nginx_start "$LAB_TMP/www"
	# No checksum=y: the only file asked for is the image (a .sha512 might be
	# fetched first and its 404 would hide the one under test).
	qemu_boot "$log" "ip=dhcp archiso_http_srv=http://10.0.2.2:$HTTP_PORT/ archisobasedir=arch pxeroot.onerror=poweroff pxeroot.debug"
	url_re="http://10\.0\.2\.2:$HTTP_PORT/arch/x86_64/airootfs\.sfs"
	expect_line "$log" "${LAB_LINE_START}pxeroot: fetch $url_re: HTTP 404\$" "agent reports HTTP 404 for the image URL"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "no live root's init"
	expect_nothing_mounted "$log"
	scenario_end "$log"
}

main "$@"
