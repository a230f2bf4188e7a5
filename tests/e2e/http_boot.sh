#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# HTTP archiso boot: DHCP, download airootfs.sfs from nginx, check its sha512,
# mount it read-only under an overlay root and run the live root's /sbin/init.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot against a good archiso tree and check the live root came up as expected.
main() {
	local log
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	serve_archiso arch
	qemu_boot "$log" "$(archiso_http_append pxeroot.debug -- e2e-arg1 e2e=arg2)"
	expect_line "$log" 'pxeroot: .*sha512.*ok' "agent verified the image's sha512"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ \S+ squashfs ro' "squashfs mounted read-only from a loop device"
	expect_line "$log" 'PXEROOT-E2E: args: e2e-arg1 e2e=arg2$' "words after -- reach init as arguments"
	expect_line "$log" 'PXEROOT-E2E: resolv: nameserver 10\.0\.2\.3' "DHCP's DNS server in the live root's /etc/resolv.conf"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	report_uptime "$log"
	scenario_end "$log"
}

# Print the guest uptime at which the live root's init started.
report_uptime() {
	local up
	up=$(tr -d '\r' <"$1" | sed -n 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p' | head -n1)
	echo "figure: live init started at uptime ${up:-?} s"
}

main "$@"
