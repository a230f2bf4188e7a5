#!/usr/bin/env bash
# One NIC with carrier but no DHCP server behind it: after
# pxeroot.dhcp_timeout=5 the agent says so, dumps its mount table
# (pxeroot.debug) and powers off as pxeroot.onerror=poweroff asks; nothing of
# an image is mounted and the kernel does not panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot on a dead NIC and check the no-lease failure path.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	QEMU_NET_ARGS=()
	qemu_nic_dead "$(lab_mac 1)"
	QEMU_TIMEOUT=90 qemu_boot "$log" 'ip=dhcp archiso_http_srv=http://10.0.2.2:9/ pxeroot.dhcp_timeout=5 pxeroot.onerror=poweroff pxeroot.debug'
	expect_line "$log" "${LAB_LINE_START}pxeroot: dhcp: no lease on any of 1 interface\\(s\\) after 5 s \\(pxeroot\\.dhcp_timeout=\\)\$" "agent says no lease after 5 s"
	expect_no_line "$log" 'pxeroot: dhcp [^:]*: lease ' "no lease"
	expect_line "$log" 'pxeroot: dhcp: waiting for a lease on eth0, [0-9]+ s left \(pxeroot\.dhcp_timeout=\)' \
		"agent says what it waits for while it waits"
	expect_line "$log" 'pxeroot: mounts: ' "agent printed its mount table"
	expect_no_line "$log" 'pxeroot: mounts: .*(squashfs|overlay|/dev/loop|/run/pxeroot/)' "nothing of the image is mounted"
	expect_line "$log" "${LAB_LINE_START}pxeroot: powering off" "agent says it powers off"
	expect_qemu exited "QEMU powered off by itself"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "no live root's init"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
