#!/usr/bin/env bash
# verify=maybe: a trust option whose value is not a yes/no word is refused with
# the value quoted, before the network is touched, instead of being read as
# "no check" (the served image would boot unchecked); halt, no kernel panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot a good archiso tree with verify=maybe and check the refusal.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	serve_archiso arch
	qemu_boot "$log" "$(archiso_http_append verify=maybe pxeroot.debug)"
	expect_line "$log" 'pxeroot: cmdline verify="maybe": not a yes/no word' "error quotes the bad value"
	expect_line "$log" 'pxeroot: giving up on stage options' "options stage is not retried"
	expect_no_line "$log" 'pxeroot: (dhcp|fetch) ' "network and transfer never started"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "live root's init did not run"
	expect_line "$log" 'pxeroot: halted: ' "agent says it halted"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
