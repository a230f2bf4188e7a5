#!/usr/bin/env bash
# Two NICs on QEMU user networks, both of which would get a DHCP lease:
# BOOTIF= (as PXELINUX and iPXE pass it) names the second NIC's MAC, so the
# agent must use eth1 only and set eth0 down.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot with BOOTIF naming eth1 and check that only eth1 was configured.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	serve_archiso arch
	QEMU_NET_ARGS=()
	qemu_nic_user "$(lab_mac 1)"
	qemu_nic_user "$(lab_mac 2)"
	qemu_boot "$log" "$(archiso_http_append BOOTIF=01-52-54-00-12-34-02)"
	expect_line "$log" "${LAB_LINE_START}pxeroot: net: BOOTIF 52:54:00:12:34:02 is eth1\$" "BOOTIF resolved to eth1"
	expect_line "$log" "${LAB_LINE_START}pxeroot: dhcp eth1: lease 10\.0\.2\.15/24 from " "DHCP lease on eth1"
	expect_no_line "$log" 'pxeroot: dhcp eth0: ' "no DHCP on eth0"
	expect_line "$log" "${LAB_LINE_START}pxeroot: net: not used, set down:( eth[0-9]+)* eth0( |$)" "eth0 set down as not used"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: link: eth1 mtu [0-9]+ oper up addr 10\.0\.2\.15/24$' "live root: eth1 has 10.0.2.15"
	expect_line "$log" 'PXEROOT-E2E: link: eth0 mtu [0-9]+ oper \S+ addr -$' "live root: eth0 has no address"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
