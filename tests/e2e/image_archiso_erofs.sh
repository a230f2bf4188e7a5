#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# archiso's fallback: the tree under archiso_http_srv= has airootfs.erofs and no
# airootfs.sfs (and airootfs.sha512 has a line for the .erofs only). The .sfs
# attempt fails, a HEAD finds it missing (404) and airootfs.erofs present: the
# agent fetches that, verifies it against airootfs.sha512 and boots it.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Serve an erofs-only archiso tree and boot it.
main() {
	local log dir
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	dir="$LAB_TMP/www/arch/x86_64"
	mkdir -p "$dir"
	make_root_erofs "$dir/airootfs.erofs"
	(cd "$dir" && sha512sum airootfs.erofs >airootfs.sha512)
	nginx_start "$LAB_TMP/www"
	qemu_boot "$log" "$(archiso_http_append)"
	expect_line "$log" 'pxeroot: fetch http://[^ ]*/arch/x86_64/airootfs\.sfs: HTTP 404' "airootfs.sfs is missing"
	expect_line "$log" 'pxeroot: fetch: no airootfs\.sfs, using http://[^ ]*/arch/x86_64/airootfs\.erofs$' "agent falls back to airootfs.erofs"
	expect_line "$log" 'pxeroot: verify http://[^ ]*/airootfs\.erofs: sha512 ok' "erofs image verified"
	expect_line "$log" 'PXEROOT-E2E: mount: /dev/loop[0-9]+ /run/pxeroot/lower erofs ro' "erofs is the lower layer"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's init started"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
