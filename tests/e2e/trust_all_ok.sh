#!/usr/bin/env bash
# Signed archiso tree over HTTP with checksum=y cms_verify=y verify=y: the agent
# checks the sha512 list, the CMS signature (signer /etc/pxeroot/codesign.crt,
# CA codesign_CA.crt) and the OpenPGP signature (keyring.gpg, gpgv) in the
# download's pass, says so, and boots the live root.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the good signed tree with every check on.
main() {
	local log srv url
	lab_tmpdir
	trust_setup
	log="$LAB_TMP/serial.log"
	trust_serve arch
	srv="http://10.0.2.2:$HTTP_PORT/"
	url=$(trust_image_re "$srv")
	qemu_boot "$log" "$(trust_append "$srv" checksum=y cms_verify=y verify=y pxeroot.debug)"
	expect_line "$log" "pxeroot: verify $url: sha512 ok" "agent verified the sha512"
	expect_line "$log" "pxeroot: verify $url: cms ok \\(signer .*$TRUST_CMS_CN" "agent verified the CMS signature, naming the signer"
	expect_line "$log" "pxeroot: verify $url: gpg ok \\(key ($TRUST_GPG_GOOD_FPR|${TRUST_GPG_GOOD_FPR,,})\\)" \
		"agent verified the OpenPGP signature, naming the key's fingerprint"
	expect_no_line "$log" 'pxeroot: verify .*image refused' "no check refused the image"
	trust_expect_booted "$log"
	scenario_end "$log"
}

main "$@"
