#!/usr/bin/env bash
# airootfs.sfs.cms.sig made by another signer of the same code-signing CA (a
# valid signature, but not by /etc/pxeroot/codesign.crt), cms_verify=y: the
# agent refuses the image, says so, mounts nothing and powers off.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the tree signed by the wrong CMS signer.
main() {
	local log srv url
	lab_tmpdir
	trust_setup
	log="$LAB_TMP/serial.log"
	trust_serve arch
	trust_fixture "$TRUST_IMGDIR" wrong_cms_signer
	srv="http://10.0.2.2:$HTTP_PORT/"
	url=$(trust_image_re "$srv")
	qemu_boot "$log" "$(trust_append "$srv" cms_verify=y pxeroot.debug)"
	expect_line "$log" "pxeroot: verify $url: cms[: ].*image refused" "agent refuses the CMS signature"
	expect_no_line "$log" 'pxeroot: verify .*: cms ok' "the CMS check did not pass"
	trust_expect_refused "$log"
	scenario_end "$log"
}

main "$@"
