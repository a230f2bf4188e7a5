#!/usr/bin/env bash
# Default failure policy: checksum=y but the tree has no airootfs.sha512. The
# agent must name the missing list and the check, retry the stage with backoff
# (pxeroot.retries=2), then, with no shell in the initramfs, halt with a line
# saying so: nothing mounted, no panic, no silent hang.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Serve a tree without the checksum list and check retry -> halt.
main() {
	local log sha_re
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	serve_archiso arch
	rm -f "$WEBROOT/arch/x86_64/airootfs.sha512"
	qemu_boot "$log" "ip=dhcp archiso_http_srv=http://10.0.2.2:$HTTP_PORT/ checksum=y pxeroot.retries=2 pxeroot.debug"
	sha_re="http://10\.0\.2\.2:$HTTP_PORT/arch/x86_64/airootfs\.sha512"
	expect_line "$log" "pxeroot: fetch $sha_re: HTTP 404" "agent reports HTTP 404 for the sha512 list"
	expect_line "$log" "pxeroot: verify .*airootfs\.sfs: sha512 check requested \(checksum=y\) but the list $sha_re cannot be fetched" "error names the check and the list"
	expect_line "$log" 'pxeroot: retry: stage root failed .*attempt 1 of 2 in 1 s' "first retry after 1 s"
	expect_line "$log" 'pxeroot: retry: stage root failed .*attempt 2 of 2 in 2 s' "second retry after 2 s"
	expect_no_line "$log" 'attempt 3 of' "no third retry"
	expect_line "$log" 'pxeroot: rescue: no shell in this initramfs' "no rescue shell available"
	expect_line "$log" 'pxeroot: halted: ' "agent says it halted"
	expect_no_line "$log" 'pxeroot: fetch http://[^ ]*airootfs\.sfs$' "image never downloaded"
	expect_nothing_mounted "$log"
	scenario_end "$log"
}

main "$@"
