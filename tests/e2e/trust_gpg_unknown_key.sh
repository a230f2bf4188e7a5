#!/usr/bin/env bash
# airootfs.sfs.sig is a good signature by a key that /etc/pxeroot/keyring.gpg
# does not hold, verify=y: the agent names the key, refuses the image, mounts
# nothing and powers off.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the tree signed by the unknown key.
main() {
	local keyid
	trust_boot_fixture gpg_unknown_key verify=y
	keyid=${TRUST_GPG_OTHER_FPR: -16}
	expect_line "$LOG" "pxeroot: verify $URL_RE: gpg key .* is not in /etc/pxeroot/keyring\\.gpg: image refused" \
		"agent reports a key missing from the keyring"
	expect_line "$LOG" "pxeroot: verify .*: gpg key [^ ]*($keyid|${keyid,,}) is not in" "the line names the signing key ($keyid)"
	expect_no_line "$LOG" 'pxeroot: verify .*: gpg ok' "the OpenPGP check did not pass"
	trust_expect_refused "$LOG"
	scenario_end "$LOG"
}

main "$@"
