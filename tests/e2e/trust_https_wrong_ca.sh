#!/usr/bin/env bash
# HTTPS without pxeroot.ca: the server's certificate comes from a test CA that
# the initramfs's system CA bundle does not hold, so the agent refuses the
# connection with curl's reason, mounts nothing and powers off.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the good signed tree over HTTPS with the default CA bundle.
main() {
	local log srv
	lab_tmpdir
	trust_setup
	log="$LAB_TMP/serial.log"
	trust_tree arch
	nginx_tls_start "$WEBROOT"
	srv="https://10.0.2.2:$HTTPS_PORT/"
	qemu_boot "$log" "$(trust_append "$srv" checksum=y cms_verify=y verify=y pxeroot.debug)"
	expect_line "$log" "pxeroot: fetch $(lab_re_escape "$srv")[^ ]*: SSL certificate problem" \
		"agent names the URL and the certificate problem"
	expect_no_line "$log" 'pxeroot: verify .*: (sha512|cms|gpg) ok' "no check passed"
	trust_expect_refused "$log"
	scenario_end "$log"
}

main "$@"
