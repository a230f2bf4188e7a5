#!/usr/bin/env bash
# A server that accepts the connection and never answers: with
# pxeroot.stall_timeout=3 and pxeroot.fetch_retries=2 each attempt ends after
# 3 s with a line saying so, the second is the last, then the onerror action
# (poweroff): nothing mounted, no panic, no hang.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_transfer.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_transfer.sh"

# Boot against a black hole.
main() {
	local log url_re
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	cutproxy_start --blackhole --upstream 127.0.0.1:9
	qemu_boot "$log" "ip=dhcp archiso_http_srv=http://10.0.2.2:$CUTPROXY_PORT/ pxeroot.stall_timeout=3 pxeroot.fetch_retries=2 pxeroot.retries=0 pxeroot.onerror=poweroff pxeroot.debug"
	url_re="http://10\.0\.2\.2:$CUTPROXY_PORT/arch/x86_64/airootfs\.sfs"
	expect_line "$log" "pxeroot: fetch $url_re: no data for 3 s \(pxeroot\.stall_timeout=\) \(attempt 1\); retrying in [0-9.]+ s" "first attempt ends on the stall timer"
	expect_line "$log" "pxeroot: fetch $url_re: no data for 3 s \(pxeroot\.stall_timeout=\); giving up after 2 attempts" "second attempt is the last"
	expect_line "$log" 'pxeroot: giving up on stage root: .*pxeroot\.onerror=poweroff' "stage root given up"
	expect_line "$log" 'pxeroot: powering off' "onerror action taken"
	expect_nothing_mounted "$log"
	scenario_end "$log"
}

main "$@"
