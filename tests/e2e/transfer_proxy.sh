#!/usr/bin/env bash
# proxy= (dracut's option): the image URL names a host that does not resolve
# (images.pxeroot.test); with proxy=http://10.0.2.2:PORT the request goes to
# nginx as an absolute-form request and the live root boots. Without proxy= the
# same URL fails on the name, so the boot above can only have used the proxy.
# The guest's only DNS server is its own loopback (static ip=; the agent sets
# lo up), so no name is ever looked up anywhere else, and the lookup fails at
# once (nothing listens there).
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Boot through the proxy, then fail without it.
main() {
	local log log2 srv="http://images.pxeroot.test/"
	local ip="ip=10.0.2.15::10.0.2.2:255.255.255.0:proxytest:eth0:none:127.0.0.1"
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	log2="$LAB_TMP/serial-noproxy.log"
	serve_archiso arch
	qemu_boot "$log" "$ip archiso_http_srv=$srv checksum=y proxy=http://10.0.2.2:$HTTP_PORT pxeroot.onerror=poweroff pxeroot.debug"
	expect_line "$log" 'pxeroot: plan: transfers: .*proxy http://10\.0\.2\.2:[0-9]+$' "plan shows the proxy"
	expect_line "$log" 'pxeroot: verify http://images\.pxeroot\.test/arch/x86_64/airootfs\.sfs: sha512 ok' "image fetched through the proxy and verified"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's init started"
	expect_line "$log" 'PXEROOT-E2E: loopback: up addr 127\.0\.0\.1/8$' "the agent set the loopback up (127.0.0.1 answers in the guest)"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	qemu_boot "$log2" "$ip archiso_http_srv=$srv pxeroot.fetch_retries=1 pxeroot.retries=0 pxeroot.onerror=poweroff"
	expect_line "$log2" 'pxeroot: fetch http://images\.pxeroot\.test/arch/x86_64/airootfs\.sfs: .*resolve' "without proxy= the name does not resolve"
	expect_no_line "$log2" 'PXEROOT-E2E: init started' "and nothing boots"
	scenario_end "$log"
}

main "$@"
