#!/usr/bin/env bash
# A malformed option is refused with its value quoted, before the network is
# touched; the default policy then halts (no shell in the initramfs) without
# a kernel panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot with ip=banana and check the refusal.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	qemu_boot "$log" 'ip=banana archiso_http_srv=http://10.0.2.2:9/ pxeroot.debug'
	expect_line "$log" 'pxeroot: cmdline ip="banana": not a method' "error quotes the bad value"
	expect_line "$log" 'pxeroot: giving up on stage options' "options stage is not retried"
	expect_no_line "$log" 'pxeroot: dhcp ' "network never started"
	expect_line "$log" 'pxeroot: halted: ' "agent says it halted"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
