#!/usr/bin/env bash
# airootfs.sfs.cms.sig made by another signer of the same code-signing CA (a
# valid signature, but not by /etc/pxeroot/codesign.crt), cms_verify=y: the
# agent refuses the image, says so, mounts nothing and powers off.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the tree signed by the wrong CMS signer.
main() {
	trust_boot_fixture wrong_cms_signer cms_verify=y
	expect_line "$LOG" "pxeroot: verify $URL_RE: cms[: ].*image refused" "agent refuses the CMS signature"
	expect_no_line "$LOG" 'pxeroot: verify .*: cms ok' "the CMS check did not pass"
	trust_expect_refused "$LOG"
	scenario_end "$LOG"
}

main "$@"
