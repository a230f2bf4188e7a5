#!/usr/bin/env bash
# airootfs.sfs.sig is a good signature by a key that /etc/pxeroot/keyring.gpg
# does not hold, verify=y: the agent names the key, refuses the image, mounts
# nothing and powers off.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the tree signed by the unknown key.
main() {
	local log srv url keyid
	lab_tmpdir
	trust_setup
	log="$LAB_TMP/serial.log"
	trust_serve arch
	trust_fixture "$TRUST_IMGDIR" gpg_unknown_key
	srv="http://10.0.2.2:$HTTP_PORT/"
	url=$(trust_image_re "$srv")
	keyid=${TRUST_GPG_OTHER_FPR: -16}
	qemu_boot "$log" "$(trust_append "$srv" verify=y pxeroot.debug)"
	expect_line "$log" "pxeroot: verify $url: gpg key .* is not in /etc/pxeroot/keyring\\.gpg: image refused" \
		"agent reports a key missing from the keyring"
	expect_line "$log" "pxeroot: verify .*: gpg key [^ ]*($keyid|${keyid,,}) is not in" "the line names the signing key ($keyid)"
	expect_no_line "$log" 'pxeroot: verify .*: gpg ok' "the OpenPGP check did not pass"
	trust_expect_refused "$log"
	scenario_end "$log"
}

main "$@"
