#!/usr/bin/env bash
# One byte in the middle of airootfs.sfs inverted after signing (same size, no
# sum or signature recomputed), cms_verify=y verify=y without checksum=y: the
# signatures alone must catch it; nothing mounted, power off, no panic.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the tampered tree with the two signature checks.
main() {
	local log srv url
	lab_tmpdir
	trust_setup
	log="$LAB_TMP/serial.log"
	trust_serve arch
	trust_fixture "$TRUST_IMGDIR" tampered
	srv="http://10.0.2.2:$HTTP_PORT/"
	url=$(trust_image_re "$srv")
	qemu_boot "$log" "$(trust_append "$srv" cms_verify=y verify=y pxeroot.debug)"
	expect_line "$log" "pxeroot: verify $url: (cms|gpg)[: ].*image refused" "agent refuses the image on a signature"
	expect_no_line "$log" 'pxeroot: verify .*: (cms|gpg) ok' "no signature check passed"
	expect_no_line "$log" 'pxeroot: verify .*: sha512 ' "no sha512 check without checksum=y"
	trust_expect_refused "$log"
	scenario_end "$log"
}

main "$@"
