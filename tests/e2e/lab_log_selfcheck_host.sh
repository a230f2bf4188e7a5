#!/usr/bin/env bash
# The lab's serial-log reader itself, on the host, without a VM: lab_log_text
# must hand the scenarios every line of the agent's whole, even when a kernel
# message broke into it (the kernel writes to the serial port at once, the
# agent's lines go through the tty, so "pxeroot: fet[  3.88] IPv6: ...\n ch"
# is what the port shows), and must leave a clean log unchanged.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Write $2 (printf format, no arguments) into file $1.
put() {
	# shellcheck disable=SC2059  # the format is the fixture
	printf "$2" >"$1"
}

main() {
	local raw clean text
	lab_tmpdir
	raw=$LAB_TMP/raw.log
	clean=$LAB_TMP/clean.log

	put "$raw" 'pxeroot: fetch http://h/a.sfs: resu[    3.889109] IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready\r\nmed at byte 1747104 (attempt 2)\r\n'
	text=$(lab_log_text "$raw")
	expect_line "$raw" '^pxeroot: fetch http://h/a\.sfs: resumed at byte 1747104 \(attempt 2\)$' "a line broken by one kernel message is whole again"
	expect_line "$raw" '^\[    3\.889109\] IPv6: ADDRCONF\(NETDEV_CHANGE\): eth0: link becomes ready$' "the kernel message follows it on a line of its own"
	expect_ok "no line is lost or added" test "$(wc -l <<<"$text")" -eq 2

	put "$raw" 'pxeroot: a[    1.000000] k1\n[    1.100000] k2\nb[    1.200000] k3\nc\nnext\n'
	text=$(lab_log_text "$raw")
	expect_ok "two messages in a row and a third in the same line: the line is whole, all three kept" \
		test "$text" = $'pxeroot: abc\n[    1.200000] k3\n[    1.000000] k1\n[    1.100000] k2\nnext'

	put "$raw" 'pxeroot: tail[    2.000000] last message\n'
	expect_line "$raw" '^pxeroot: tail$' "a message at the end of the log: the line before it is whole"

	put "$clean" '[    0.000000] Linux version\r\npxeroot: progress [attempt 2]\r\n[    0.500000] k\r\nPXEROOT-E2E: init started\r\n'
	expect_ok "a clean log only loses its carriage returns" \
		test "$(lab_log_text "$clean")" = "$(tr -d '\r' <"$clean")"
	scenario_end "$raw"
}

main "$@"
