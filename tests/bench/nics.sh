#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# Benchmark: does the network stage cost more with many NICs? Boots the good
# archiso tree twice: (a) one user-networking NIC; (b) eight NICs, eth0..eth6
# dead (carrier up, nothing answers) and eth7 on user networking. DHCP runs on
# every NIC at once, so (b) should take about as long as (a).
#
#   tests/bench/nics.sh            BENCH_RUNS=N boots each case N times (default 1)
#
# Prints the agent's "net: up on IFACE in N ms" figure and the live root's init
# uptime for every boot, then
#   figure: network stage 1 NIC: X ms, 8 NICs: Y ms, ratio Z (target <= 1.2)
# (medians when BENCH_RUNS > 1). Exits 1 when a boot gives no figure; the
# ratio itself is reported, not enforced.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
# shellcheck source=tests/bench/lib_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_bench.sh"

# Print the figure of LOG $1: "NET_MS UPTIME IFACE", with "-" for what is missing.
boot_figures() {
	local text ms iface up
	text=$(lab_log_text "$1")
	ms=$(sed -n 's/.*pxeroot: net: up on \([^ ]*\) in \([0-9]*\) ms.*/\2/p' <<<"$text" | head -n1)
	iface=$(sed -n 's/.*pxeroot: net: up on \([^ ]*\) in \([0-9]*\) ms.*/\1/p' <<<"$text" | head -n1)
	up=$(sed -n 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p' <<<"$text" | head -n1)
	echo "${ms:--} ${up:--} ${iface:--}"
}

# Boot case $1 (a label) with the NICs in QEMU_NET_ARGS, run $2; print its
# figures and append the network time to the array named by $3.
bench_boot() {
	local label=$1 run=$2 log ms up iface
	local -n out=$3
	log="$LAB_TMP/$label-$run.log"
	# shellcheck disable=SC2086  # BENCH_APPEND holds several words
	QEMU_TIMEOUT=120 qemu_boot "$log" "$(archiso_http_append ${BENCH_APPEND:-})" || true
	read -r ms up iface < <(boot_figures "$log")
	echo "$label run $run: net up on $iface in $ms ms, live init at uptime $up s (qemu: $QEMU_RESULT after $QEMU_SECONDS s)"
	if [[ "$ms" == - ]]; then
		echo "# $label run $run gave no 'net: up' figure; last lines of its log:"
		lab_log_text "$log" | grep -E 'pxeroot: ' | tail -n 8 | sed 's/^/#   /'
		return 1
	fi
	out+=("$ms")
}

# Run both cases BENCH_RUNS times and print the summary figure.
main() {
	local runs=${BENCH_RUNS:-1} run i one=() eight=() failed=0 a b
	lab_tmpdir
	serve_archiso arch
	for ((run = 1; run <= runs; run++)); do
		QEMU_NET_ARGS=()
		qemu_nic_user "$(lab_mac 1)"
		bench_boot one-nic "$run" one || failed=1
		QEMU_NET_ARGS=()
		for ((i = 1; i <= 7; i++)); do
			qemu_nic_dead "$(lab_mac "$i")"
		done
		qemu_nic_user "$(lab_mac 8)"
		bench_boot eight-nics "$run" eight || failed=1
	done
	if [[ $failed -ne 0 || ${#one[@]} -eq 0 || ${#eight[@]} -eq 0 ]]; then
		echo "figure: network stage 1 NIC: ${one[*]:-?} ms, 8 NICs: ${eight[*]:-?} ms, ratio ? (target <= 1.2)"
		exit 1
	fi
	a=$(median "${one[@]}")
	b=$(median "${eight[@]}")
	echo "figure: network stage 1 NIC: $a ms, 8 NICs: $b ms, ratio $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }') (target <= 1.2)"
}

main "$@"
