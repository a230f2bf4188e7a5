# shellcheck shell=bash disable=SC2034
# The trust scenarios' assertions, sourced by lib_trust.sh (on top of
# lib_assert.sh's): the host tools' verdicts on a tree, a signed tree booted,
# a signed tree refused.

# Assert the host's verdicts on the image in directory $1: the other arguments
# are CHECK=STATUS words (sha512=ok cms=nosigner ...); $TRUST_FIXTURE_LABEL
# prefixes the descriptions.
trust_expect_host() {
	local dir=$1 want check status got
	shift
	for want in "$@"; do
		check=${want%%=*}
		status=${want#*=}
		got=$(trust_host_status "$dir" "$check")
		if [[ "$got" == "$status" ]]; then
			lab_assert 0 "${TRUST_FIXTURE_LABEL:-fixture}: host $check check says $status"
		else
			lab_assert 1 "${TRUST_FIXTURE_LABEL:-fixture}: host $check check says $status (it says $got)"
		fi
	done
}

# Assert that the live root's init ran on an overlay over a read-only squashfs
# and that the kernel did not panic (serial log $1).
trust_expect_booted() {
	local log=$1
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ \S+ squashfs ro' "squashfs mounted read-only from a loop device"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
}

# Assert the failure twin on serial log $1 (booted with pxeroot.debug and
# pxeroot.onerror=poweroff): the live root's init never ran, the mount table
# dump names nothing of the image, the agent powered off, no kernel panic.
trust_expect_refused() {
	local log=$1
	expect_no_line "$log" 'PXEROOT-E2E: init started' "live root's init did not run"
	expect_line "$log" 'pxeroot: powering off' "agent powers off (pxeroot.onerror=poweroff)"
	expect_nothing_mounted "$log"
}
