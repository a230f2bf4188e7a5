#!/usr/bin/env bash
# airootfs.sfs.sig is the good key's signature of other data, verify=y: gpgv
# reports a bad signature, the agent refuses the image, mounts nothing and
# powers off.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the tree with a signature over other data.
main() {
	local log srv url
	lab_tmpdir
	trust_setup
	log="$LAB_TMP/serial.log"
	trust_serve arch
	trust_fixture "$TRUST_IMGDIR" bad_gpg
	srv="http://10.0.2.2:$HTTP_PORT/"
	url=$(trust_image_re "$srv")
	qemu_boot "$log" "$(trust_append "$srv" verify=y pxeroot.debug)"
	expect_line "$log" "pxeroot: verify $url: gpg bad signature.*: image refused" "agent reports a bad OpenPGP signature"
	expect_no_line "$log" 'pxeroot: verify .*: gpg ok' "the OpenPGP check did not pass"
	trust_expect_refused "$log"
	scenario_end "$log"
}

main "$@"
