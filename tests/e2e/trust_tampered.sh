#!/usr/bin/env bash
# One byte in the middle of airootfs.sfs inverted after signing (same size, no
# sum or signature recomputed), cms_verify=y verify=y without checksum=y: the
# signatures alone must catch it; nothing mounted, power off, no panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the tampered tree with the two signature checks.
main() {
	trust_boot_fixture tampered cms_verify=y verify=y
	expect_line "$LOG" "pxeroot: verify $URL_RE: (cms|gpg)[: ].*image refused" "agent refuses the image on a signature"
	expect_no_line "$LOG" 'pxeroot: verify .*: (cms|gpg) ok' "no signature check passed"
	expect_no_line "$LOG" 'pxeroot: verify .*: sha512 ' "no sha512 check without checksum=y"
	trust_expect_refused "$LOG"
	scenario_end "$LOG"
}

main "$@"
