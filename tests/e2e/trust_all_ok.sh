#!/usr/bin/env bash
# Signed archiso tree over HTTP with checksum=y cms_verify=y verify=y: the agent
# checks the sha512 list, the CMS signature (signer /etc/pxeroot/codesign.crt,
# CA codesign_CA.crt) and the OpenPGP signature (keyring.gpg, in process) in the
# download's pass, says so, and boots the live root.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the good signed tree with every check on.
main() {
	trust_boot_fixture good checksum=y cms_verify=y verify=y
	expect_line "$LOG" "pxeroot: verify $URL_RE: sha512 ok" "agent verified the sha512"
	expect_line "$LOG" "pxeroot: verify $URL_RE: cms ok \\(signer .*$TRUST_CMS_CN" "agent verified the CMS signature, naming the signer"
	expect_line "$LOG" "pxeroot: verify $URL_RE: gpg ok \\(key ($TRUST_GPG_GOOD_FPR|${TRUST_GPG_GOOD_FPR,,})\\)" \
		"agent verified the OpenPGP signature, naming the key's fingerprint"
	expect_no_line "$LOG" 'pxeroot: verify .*image refused' "no check refused the image"
	trust_expect_booted "$LOG"
	scenario_end "$LOG"
}

main "$@"
