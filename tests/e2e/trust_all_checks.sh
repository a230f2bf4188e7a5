#!/usr/bin/env bash
# Every check on (checksum=y cms_verify=y verify=y), one boot through its failure
# twins: pxeroot.onerror=retry runs the root stage again after each refusal while
# nginx serves, each attempt in turn, the signed tree
#   1. truncated: airootfs.sfs cut to half its size after signing (sum and
#      signatures are those of the whole file);
#   2-4. each companion missing in turn: airootfs.sfs.sig, airootfs.sfs.cms.sig,
#      airootfs.sha512 (the 404 and the check that cannot be done named);
#   5. good: the agent checks the sha512 list, the CMS signature (signer
#      /etc/pxeroot/codesign.crt, CA codesign_CA.crt) and the OpenPGP signature
#      (keyring.gpg, in process) in the download's pass, says so, and boots.
# Each refused attempt: its cause named, nothing of the image mounted, init not
# run, no kernel panic; in the live root the image's mounts appear once each.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Attempt 1: the truncated image is refused, no check passes.
check_truncated() {
	local log
	log=$(trust_attempt_log 1)
	expect_line "$log" "pxeroot: verify $URL_RE: (sha512|cms|gpg)[: ].*image refused" "truncated: agent refuses the image"
	expect_no_line "$log" 'pxeroot: verify .*: (sha512|cms|gpg) ok' "truncated: no check passed"
	trust_expect_attempt_refused "$log" truncated
}

# Attempt $1: companion $2 is missing, the check named $3 (option $4) cannot be done.
check_missing() {
	local log file=$2 check=$3 option=$4 comp
	log=$(trust_attempt_log "$1")
	comp=$(lab_re_escape "${SRV}arch/x86_64/$file")
	expect_line "$log" "pxeroot: fetch $comp: HTTP 404" "$file missing: agent names it (HTTP 404)"
	expect_line "$log" "pxeroot: verify $URL_RE: $check check requested \\($(lab_re_escape "$option")\\) but .*$comp cannot be fetched" \
		"$file missing: agent says the $check check cannot be done"
	trust_expect_attempt_refused "$log" "$file missing"
}

# Attempt 5: the good tree passes every check and boots.
check_good() {
	local log
	log=$(trust_attempt_log 5)
	expect_line "$log" "pxeroot: verify $URL_RE: sha512 ok" "good: agent verified the sha512"
	trust_expect_good_attempt "$log"
}

# Boot through the twins to the good tree.
main() {
	trust_boot_phases "checksum=y cms_verify=y verify=y" truncated no_sig no_cms no_sha512 good
	check_truncated
	check_missing 2 airootfs.sfs.sig gpg verify=y
	check_missing 3 airootfs.sfs.cms.sig cms cms_verify=y
	check_missing 4 airootfs.sha512 sha512 checksum=y
	check_good
	scenario_end "$LOG"
}

main "$@"
