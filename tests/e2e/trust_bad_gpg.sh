#!/usr/bin/env bash
# airootfs.sfs.sig is the good key's signature of other data, verify=y: the
# agent reports a bad signature, refuses the image, mounts nothing and powers
# off.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the tree with a signature over other data.
main() {
	trust_boot_fixture bad_gpg verify=y
	expect_line "$LOG" "pxeroot: verify $URL_RE: gpg bad signature.*: image refused" "agent reports a bad OpenPGP signature"
	expect_no_line "$LOG" 'pxeroot: verify .*: gpg ok' "the OpenPGP check did not pass"
	trust_expect_refused "$LOG"
	scenario_end "$LOG"
}

main "$@"
