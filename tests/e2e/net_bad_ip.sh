#!/usr/bin/env bash
# A static ip= with an octet out of range is refused with the value quoted,
# before the network is touched; the default policy then halts (no shell in
# the initramfs) without a kernel panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly BAD_IP=192.168.77.300::192.168.77.1:255.255.255.0::eth0:none

# Boot with the malformed ip= and check the refusal.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	qemu_boot "$log" "ip=$BAD_IP archiso_http_srv=http://10.0.2.2:9/ pxeroot.debug"
	expect_line "$log" "${LAB_LINE_START}pxeroot: cmdline ip=\"$(lab_re_escape "$BAD_IP")\": " "error quotes the bad value"
	expect_no_line "$log" 'pxeroot: dhcp' "network never started"
	expect_no_line "$log" 'pxeroot: net ' "no interface configured"
	expect_line "$log" 'pxeroot: halted: ' "agent says it halted"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
