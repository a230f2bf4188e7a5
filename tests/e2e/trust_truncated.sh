#!/usr/bin/env bash
# airootfs.sfs cut to half its size on the server after signing (sum and
# signatures are those of the whole file), checksum=y cms_verify=y verify=y:
# the agent refuses the image, mounts nothing and powers off.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the truncated tree with every check on.
main() {
	trust_boot_fixture truncated checksum=y cms_verify=y verify=y
	expect_line "$LOG" "pxeroot: verify $URL_RE: (sha512|cms|gpg)[: ].*image refused" "agent refuses the image"
	expect_no_line "$LOG" 'pxeroot: verify .*: (sha512|cms|gpg) ok' "no check passed"
	trust_expect_refused "$LOG"
	scenario_end "$LOG"
}

main "$@"
