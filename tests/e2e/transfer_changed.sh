#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# The image changes on the server between two attempts: cutproxy cuts the
# first download and, at that moment, puts a different airootfs.sfs (and its
# airootfs.sha512) in place. The resume's If-Range must notice the new
# validator: the log says the file changed and that the download starts over;
# the companions are fetched again and the new image boots with checksum=y.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_transfer.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_transfer.sh"

# Serve image A, stage image B beside it, boot through a proxy that swaps them at its cut.
main() {
	local log dir
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	ROOT_PAD_MIB=12 serve_archiso arch
	dir="$WEBROOT/arch/x86_64"
	ROOT_PAD_MIB=13 make_root_sfs "$LAB_TMP/new.sfs"
	cp "$LAB_TMP/new.sfs" "$dir/.new.sfs"
	(cd "$LAB_TMP" && sha512sum new.sfs | sed 's/new\.sfs$/airootfs.sfs/') >"$dir/.new.sha512"
	touch -d '2001-01-01' "$dir/.new.sfs"
	cutproxy_start --seed 7 --cuts 1 --min 1M --max 6M \
		--swap "$dir/.new.sfs:$dir/airootfs.sfs" --swap "$dir/.new.sha512:$dir/airootfs.sha512"
	HTTP_PORT=$CUTPROXY_PORT qemu_boot "$log" "$(HTTP_PORT=$CUTPROXY_PORT archiso_http_append pxeroot.stall_timeout=10)"
	cutproxy_stop
	expect_line "$CUTPROXY_LOG" '^cutproxy: swap ' "cutproxy replaced the image at its cut"
	expect_line "$log" 'pxeroot: fetch .*airootfs\.sfs: changed on the server \(.*\); starting over' "agent says the file changed and starts over"
	expect_no_line "$log" 'resumed at byte' "nothing of the old file was kept"
	expect_line "$log" 'pxeroot: verify .*airootfs\.sfs: sha512 ok' "the new image passed the new list"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's init started"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
