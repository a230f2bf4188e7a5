#!/usr/bin/env bash
# Signed archiso tree over HTTPS (nginx with a test CA's certificate for
# 10.0.2.2, pxeroot.ca=/etc/pxeroot/test-ca.crt) on a guest whose clock starts
# at 2000-01-01: the agent sets the clock to its build time (else no
# certificate would be valid yet), trusts the server through the test CA,
# passes the three checks and boots the live root.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Boot the good signed tree over HTTPS with a dead clock.
main() {
	local log srv url path
	lab_tmpdir
	trust_setup
	log="$LAB_TMP/serial.log"
	trust_tree arch
	nginx_tls_start "$WEBROOT"
	srv="https://10.0.2.2:$HTTPS_PORT/"
	url=$(trust_image_re "$srv")
	qemu_boot "$log" "$(trust_append "$srv" pxeroot.ca=/etc/pxeroot/test-ca.crt \
		checksum=y cms_verify=y verify=y pxeroot.debug)" -rtc base=2000-01-01
	expect_line "$log" 'pxeroot: clock: .*2000.* is before the build time, set to ' \
		"agent moved the clock from 2000 to its build time"
	expect_line "$log" "pxeroot: verify $url: sha512 ok" "agent verified the sha512"
	expect_line "$log" "pxeroot: verify $url: cms ok \\(signer .*$TRUST_CMS_CN" "agent verified the CMS signature"
	expect_line "$log" "pxeroot: verify $url: gpg ok \\(key " "agent verified the OpenPGP signature"
	expect_no_line "$log" 'SSL certificate problem' "no certificate problem"
	trust_expect_booted "$log"
	path=$(lab_re_escape "/arch/x86_64/airootfs.sfs")
	expect_line "$NGINX_TLS_LOG" "\"GET $path HTTP/[0-9.]+\" 200 " "the image came from the TLS server"
	scenario_end "$log"
}

main "$@"
