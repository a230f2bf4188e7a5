#!/usr/bin/env bash
# The two signature checks without the sum (cms_verify=y verify=y), one boot
# through their failure twins: pxeroot.onerror=retry runs the root stage again
# after each refusal while nginx serves, each attempt in turn, the signed tree
#   1. tampered: one byte in the middle of airootfs.sfs inverted after signing
#      (same size, no signature made again): the signatures alone catch it;
#   2. wrong_cms_signer: airootfs.sfs.cms.sig made by another signer of the same
#      code-signing CA (a valid signature, not by /etc/pxeroot/codesign.crt);
#   3. bad_gpg: airootfs.sfs.sig is the good key's signature of other data;
#   4. gpg_unknown_key: a good signature by a key that /etc/pxeroot/keyring.gpg
#      does not hold (the key named);
#   5. good: both signatures pass, no sha512 check, the live root boots.
# Each refused attempt: its cause named, nothing of the image mounted, init not
# run, no kernel panic; in the live root the image's mounts appear once each.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Attempt 1: the tampered image is refused on a signature, without a sum.
check_tampered() {
	local log
	log=$(trust_attempt_log 1)
	expect_line "$log" "pxeroot: verify $URL_RE: (cms|gpg)[: ].*image refused" "tampered: agent refuses the image on a signature"
	expect_no_line "$log" 'pxeroot: verify .*: (cms|gpg) ok' "tampered: no signature check passed"
	expect_no_line "$log" 'pxeroot: verify .*: sha512 ' "tampered: no sha512 check without checksum=y"
	trust_expect_attempt_refused "$log" tampered
}

# Attempt 2: the CMS signature of another signer is refused.
check_wrong_cms_signer() {
	local log
	log=$(trust_attempt_log 2)
	expect_line "$log" "pxeroot: verify $URL_RE: cms[: ].*image refused" "wrong_cms_signer: agent refuses the CMS signature"
	expect_no_line "$log" 'pxeroot: verify .*: cms ok' "wrong_cms_signer: the CMS check did not pass"
	trust_expect_attempt_refused "$log" wrong_cms_signer
}

# Attempt 3: a signature over other data is a bad signature.
check_bad_gpg() {
	local log
	log=$(trust_attempt_log 3)
	expect_line "$log" "pxeroot: verify $URL_RE: gpg bad signature.*: image refused" "bad_gpg: agent reports a bad OpenPGP signature"
	expect_no_line "$log" 'pxeroot: verify .*: gpg ok' "bad_gpg: the OpenPGP check did not pass"
	trust_expect_attempt_refused "$log" bad_gpg
}

# Attempt 4: a key the keyring does not hold is named.
check_gpg_unknown_key() {
	local log keyid=${TRUST_GPG_OTHER_FPR: -16}
	log=$(trust_attempt_log 4)
	expect_line "$log" "pxeroot: verify $URL_RE: gpg key .* is not in /etc/pxeroot/keyring\\.gpg: image refused" \
		"gpg_unknown_key: agent reports a key missing from the keyring"
	expect_line "$log" "pxeroot: verify .*: gpg key [^ ]*($keyid|${keyid,,}) is not in" "gpg_unknown_key: the line names the signing key ($keyid)"
	expect_no_line "$log" 'pxeroot: verify .*: gpg ok' "gpg_unknown_key: the OpenPGP check did not pass"
	trust_expect_attempt_refused "$log" gpg_unknown_key
}

# Attempt 5: the good tree passes both signature checks and boots.
check_good() {
	local log
	log=$(trust_attempt_log 5)
	expect_no_line "$log" 'pxeroot: verify .*: sha512 ' "good: no sha512 check without checksum=y"
	trust_expect_good_attempt "$log"
}

# Boot through the twins to the good tree.
main() {
	trust_boot_phases "cms_verify=y verify=y" tampered wrong_cms_signer bad_gpg gpg_unknown_key good
	check_tampered
	check_wrong_cms_signer
	check_bad_gpg
	check_gpg_unknown_key
	check_good
	scenario_end "$LOG"
}

main "$@"
