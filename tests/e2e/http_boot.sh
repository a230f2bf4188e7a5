#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# HTTP archiso boot: DHCP, download airootfs.sfs from nginx, check its sha512,
# mount it read-only under an overlay root and run the live root's /sbin/init.
# Only the NIC's drivers load before the lease (no disk or CD controller is
# probed for a network source), and /run/pxeroot/timeline has every stage
# boundary in order. The boot report goes to a port nobody listens on: one line says it was not
# sent and why, and the boot goes on.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot against a good archiso tree and check the live root came up as expected.
main() {
	local log closed
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	serve_archiso arch
	closed=$(free_port)
	qemu_boot "$log" "$(archiso_http_append pxeroot.debug "pxeroot.report=http://10.0.2.2:$closed/report" -- e2e-arg1 e2e=arg2)"
	expect_line "$log" 'pxeroot: .*sha512.*ok' "agent verified the image's sha512"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ \S+ squashfs ro' "squashfs mounted read-only from a loop device"
	expect_line "$log" 'PXEROOT-E2E: args: e2e-arg1 e2e=arg2$' "words after -- reach init as arguments"
	expect_line "$log" 'PXEROOT-E2E: resolv: nameserver 10\.0\.2\.3' "DHCP's DNS server in the live root's /etc/resolv.conf"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	expect_line "$log" 'pxeroot: modules: [0-9]+ loaded for the NICs present' "only the NICs' drivers coldplugged for a network source"
	expect_no_line "$log" 'ata_piix|scsi host[0-9]' "no disk or CD controller probed"
	expect_timeline "$log"
	expect_line "$log" "pxeroot: report: not sent to http://10\\.0\\.2\\.2:$closed/report: .*, after [0-9]+ ms\$" \
		"report to a closed port: not sent, the cause named, and init still ran"
	report_uptime "$log"
	scenario_end "$log"
}

# Assert that the live root of LOG ($1) shows pxeroot's timeline: every stage
# boundary of an HTTP boot, once each, in order, at uptimes that never go back.
expect_timeline() {
	local events
	events=$(lab_log_text "$1" | sed -n 's/.*PXEROOT-E2E: timeline: \([a-z_]*\) \([0-9.]*\)$/\1 \2/p')
	echo "$events" | sed 's/^/# timeline: /'
	expect_ok "timeline: start, options, modules, network, download, checks, image, root, prepare, hook, serve, switch_root" \
		test "$(awk '{ printf "%s ", $1 }' <<<"$events")" == "start options modules network download checks image root prepare hook serve switch_root "
	lab_assert "$(awk 'NR > 1 && $2 < last { bad = 1 } { last = $2 } END { print bad + 0 }' <<<"$events")" "timeline: uptimes in order"
}

# Print the guest uptime at which the live root's init started.
report_uptime() {
	local up
	up=$(tr -d '\r' <"$1" | sed -n 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p' | head -n1)
	echo "figure: live init started at uptime ${up:-?} s"
}

main "$@"
