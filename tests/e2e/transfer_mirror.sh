#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# Mirrors: archiso_http_srv= points at a port nobody listens on, the first
# pxeroot.mirror= at a server that answers 404 for everything, the second at
# the real tree. The checksum list and the image come from the second mirror,
# the log names each step, and the live root boots.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Three bases, one good.
main() {
	local log dead empty good
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	mkdir -p "$LAB_TMP/empty"
	nginx_start "$LAB_TMP/empty"
	empty=$HTTP_PORT
	serve_archiso arch
	good=$HTTP_PORT
	dead=$(free_port)
	qemu_boot "$log" "ip=dhcp archiso_http_srv=http://10.0.2.2:$dead/ pxeroot.mirror=http://10.0.2.2:$empty/ pxeroot.mirror=http://10.0.2.2:$good checksum=y pxeroot.onerror=poweroff pxeroot.debug"
	expect_line "$log" "pxeroot: plan: mirror 2 http://10\.0\.2\.2:$good\$" "plan lists the mirrors"
	expect_line "$log" "pxeroot: fetch http://10\.0\.2\.2:$dead/arch/x86_64/airootfs\.sha512: .*\(attempt 1\); next mirror: http://10\.0\.2\.2:$empty/" "dead server: on to the first mirror"
	expect_line "$log" "pxeroot: fetch http://10\.0\.2\.2:$empty/arch/x86_64/airootfs\.sha512: HTTP 404 \(attempt 2\); next mirror: http://10\.0\.2\.2:$good/" "404: on to the second mirror"
	expect_line "$log" "pxeroot: fetch http://10\.0\.2\.2:$good/arch/x86_64/airootfs\.sfs\$" "image fetched from the second mirror at once"
	expect_no_line "$log" "pxeroot: fetch http://10\.0\.2\.2:($dead|$empty)/arch/x86_64/airootfs\.sfs" "the failed bases are skipped for the image"
	expect_line "$log" 'pxeroot: verify .*airootfs\.sfs: sha512 ok' "sha512 ok"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's init started"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
