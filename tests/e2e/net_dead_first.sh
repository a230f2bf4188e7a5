#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# Two NICs, the first one dead (carrier up, nothing ever answers), the second
# on QEMU's user network: DHCP runs on all NICs at once, so the lease on eth1
# arrives at once and the dead eth0 is set down; IPv6, held back while DHCP
# runs, is given back afterwards. QEMU_TIMEOUT is below the
# default 60 s DHCP timeout: waiting it out on eth0 first fails the scenario.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot with eth0 dead and eth1 on user networking and check eth1 was used.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	serve_archiso arch
	QEMU_NET_ARGS=()
	qemu_nic_dead "$(lab_mac 1)"
	qemu_nic_user "$(lab_mac 2)"
	QEMU_TIMEOUT=45 qemu_boot "$log" "$(archiso_http_append)"
	expect_line "$log" "${LAB_LINE_START}pxeroot: dhcp eth1: lease 10\.0\.2\.15/24 from " "DHCP lease on eth1"
	expect_no_line "$log" 'pxeroot: dhcp eth0: lease ' "no lease on the dead eth0"
	expect_line "$log" "${LAB_LINE_START}pxeroot: net: up on eth1 in [0-9]+ ms" "network stage done on eth1"
	expect_net_quick "$log"
	expect_line "$log" "${LAB_LINE_START}pxeroot: net: not used, set down:( eth[0-9]+)* eth0( |$)" "eth0 set down as not used"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: link: eth0 mtu [0-9]+ oper down addr -$' "live root: eth0 down, no address"
	expect_line "$log" 'PXEROOT-E2E: link: eth1 mtu [0-9]+ oper up addr 10\.0\.2\.15/24$' "live root: eth1 up with 10.0.2.15"
	expect_line "$log" 'PXEROOT-E2E: ipv6: eth1 disable_ipv6 0$' "IPv6, held back during DHCP, is given back to eth1"
	expect_line "$log" 'PXEROOT-E2E: ipv6: eth0 disable_ipv6 0$' "and to eth0"
	expect_line "$log" 'PXEROOT-E2E: ipv6: default disable_ipv6 0$' "and to the default for new interfaces"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	report_net_up "$log"
	scenario_end "$log"
}

# Print the network stage time (ms) the agent reported in LOG $1, or nothing.
net_up_ms() {
	lab_log_text "$1" | sed -n 's/.*pxeroot: net: up on [^ ]* in \([0-9]*\) ms.*/\1/p' | head -n1
}

# Assert that the network stage took under 15 s: the dead NIC was not waited for.
expect_net_quick() {
	local ms ok=1
	ms=$(net_up_ms "$1")
	if [[ -n "$ms" && "$ms" -lt 15000 ]]; then ok=0; fi
	lab_assert "$ok" "network stage under 15000 ms (${ms:-no figure})"
}

# Print the network stage time the agent reported.
report_net_up() {
	local ms
	ms=$(net_up_ms "$1")
	echo "figure: network stage with a dead first NIC: ${ms:-?} ms"
}

main "$@"
