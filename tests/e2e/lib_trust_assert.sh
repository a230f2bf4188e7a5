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

# Whether attempt log $1 (trust_attempt_log) shows something of the image mounted: a loop
# device, or a mount other than the tmpfs the image is fetched into; 1 (and the lines) when
# it does, or when the log is missing or empty.
trust_mounted_nothing() {
	local lines
	[[ -s "$1" ]] || return 1
	lines=$(grep -E 'pxeroot: (loop|mount): ' "$1" | grep -vE 'pxeroot: mount: tmpfs on ' || true)
	[[ -n "$lines" ]] || return 0
	printf '#   %s\n' "${lines//$'\n'/$'\n'#   }"
	return 1
}

# Assert the failure twin that attempt log $1 (trust_attempt_log; $2 labels it) holds: the
# root stage failed and is tried again, the agent mounted nothing of the image, the live
# root's init did not run, no kernel panic.
trust_expect_attempt_refused() {
	local log=$1 label=$2
	expect_line "$log" 'pxeroot: retry: stage root failed \(' "$label: the root stage failed and is tried again"
	expect_ok "$label: nothing of the image mounted (no loop device, no mount but the download's tmpfs)" \
		trust_mounted_nothing "$log"
	expect_no_line "$log" 'PXEROOT-E2E: init started' "$label: live root's init did not run"
	expect_no_line "$log" 'Kernel panic' "$label: no kernel panic"
}

# Assert that the live root's mount table (the PXEROOT-E2E: mount: lines of log $1) names
# one squashfs and no mount point twice: a refused attempt left nothing mounted behind it
# (a tmpfs or loop device of its own would be stacked where the booted attempt mounted).
trust_expect_mounted_once() {
	local log=$1 table twice
	table=$(grep 'PXEROOT-E2E: mount: ' "$log" || true)
	twice=$(awk '{ print $4 }' <<<"$table" | sort | uniq -d | xargs)
	expect_ok "the live root's mount table names one squashfs" test "$(grep -c ' squashfs ' <<<"$table")" -eq 1
	expect_ok "the live root's mount table has no mount point twice (${twice:-none twice})" test -z "$twice"
}

# Assert that the attempt of log $1 (trust_attempt_log) booted the good tree at URL_RE
# with both signatures checked: the CMS signer and the OpenPGP key named, no check
# refused the image, the live root booted, nothing left by the refused attempts.
trust_expect_good_attempt() {
	local log=$1
	expect_line "$log" "pxeroot: verify $URL_RE: cms ok \\(signer .*$TRUST_CMS_CN" "good: agent verified the CMS signature, naming the signer"
	expect_line "$log" "pxeroot: verify $URL_RE: gpg ok \\(key ($TRUST_GPG_GOOD_FPR|${TRUST_GPG_GOOD_FPR,,})\\)" \
		"good: agent verified the OpenPGP signature, naming the key's fingerprint"
	expect_no_line "$log" 'pxeroot: verify .*image refused' "good: no check refused the image"
	trust_expect_booted "$log"
	trust_expect_mounted_once "$log"
}
