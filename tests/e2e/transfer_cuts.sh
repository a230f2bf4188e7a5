#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# Broken connections: cutproxy (tests/tools/cutproxy.c) sits between the guest
# and nginx and cuts the image download 1 to 5 times at offsets drawn from a
# seed (each under 4 MiB into its connection, so that all of them land inside
# the 25 MiB image). Every boot must still come up with checksum=y, the log showing one
# resume per cut, nothing downloaded twice (the resumes start where the cuts
# were), and the memory used during the download at most the image + 16 MiB.
# TRANSFER_SEEDS (default 10; `make soak` runs 100) boots, seed 1, 2, ...
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_transfer.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_transfer.sh"

# Boot through cutproxy with seed $1 and $2 cuts; check the resumes.
boot_seed() {
	local seed=$1 cuts=$2 log resumes over
	log="$LAB_TMP/serial-$seed.log"
	cutproxy_start --seed "$seed" --cuts "$cuts" --min 256K --max 4M
	HTTP_PORT=$CUTPROXY_PORT qemu_boot "$log" "$(HTTP_PORT=$CUTPROXY_PORT archiso_http_append pxeroot.stall_timeout=10)"
	cutproxy_stop
	expect_ok "seed $seed: cutproxy cut the download $cuts times (log shows $(cutproxy_cuts))" test "$(cutproxy_cuts)" -eq "$cuts"
	resumes=$(lab_log_text "$log" | grep -c 'pxeroot: fetch .*airootfs\.sfs: resumed at byte' || true)
	expect_ok "seed $seed: $cuts resumes logged (found $resumes)" test "$resumes" -eq "$cuts"
	expect_no_line "$log" 'starting over' "seed $seed: never started over"
	expect_line "$log" 'pxeroot: .*sha512.*ok' "seed $seed: sha512 of the resumed image ok"
	expect_line "$log" 'PXEROOT-E2E: init started' "seed $seed: live root's init started"
	expect_no_line "$log" 'Kernel panic' "seed $seed: no kernel panic"
	over=$(lab_log_text "$log" | sed -n 's/.*pxeroot: memory: .* (\([-+][0-9]*\) KiB over the image).*/\1/p' | head -n1)
	expect_ok "seed $seed: memory during the download at most the image + 16 MiB (${over:-?} KiB over)" at_most "$over" 16384
	echo "figure: seed $seed, $cuts cuts: memory over the image ${over:-?} KiB"
	LAB_LAST_LOG=$log
}

# One nginx, one padded image, TRANSFER_SEEDS boots.
main() {
	local seed
	lab_tmpdir
	ROOT_PAD_MIB=24 serve_archiso arch
	for ((seed = 1; seed <= ${TRANSFER_SEEDS:-10}; seed++)); do
		boot_seed "$seed" $(((seed - 1) % 5 + 1))
	done
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
