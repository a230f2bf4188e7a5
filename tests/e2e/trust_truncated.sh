#!/usr/bin/env bash
# airootfs.sfs cut to half its size on the server after signing (sum and
# signatures are those of the whole file), checksum=y cms_verify=y verify=y:
# the agent refuses the image, mounts nothing and powers off.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the truncated tree with every check on.
main() {
	local log srv url
	lab_tmpdir
	trust_setup
	log="$LAB_TMP/serial.log"
	trust_serve arch
	trust_fixture "$TRUST_IMGDIR" truncated
	srv="http://10.0.2.2:$HTTP_PORT/"
	url=$(trust_image_re "$srv")
	qemu_boot "$log" "$(trust_append "$srv" checksum=y cms_verify=y verify=y pxeroot.debug)"
	expect_line "$log" "pxeroot: verify $url: (sha512|cms|gpg)[: ].*image refused" "agent refuses the image"
	expect_no_line "$log" 'pxeroot: verify .*: (sha512|cms|gpg) ok' "no check passed"
	trust_expect_refused "$log"
	scenario_end "$log"
}

main "$@"
