#!/usr/bin/env bash
# Benchmark: a root image of 1 GiB (tests/e2e/lib_chunks.sh's probed image: 16 files of 64 MiB of
# random bytes, each followed by a 64 KiB probe) booted three ways in the same run, against the
# small live root, plus casync extract of the same index as the peer of pxeroot's chunked fetch:
#   stream: root=live:URL.sfs checksum=y, today's single transfer into the image tmpfs;
#   whole:  root=live:URL.caibx checksum=y pxeroot.lazy=0, every chunk fetched first, from the
#           store of casync's default chunks (64 KiB on average) and from one of 1 MiB chunks
#           (casync make --chunk-size=256K:1M:4M, made once beside the cached image);
#   lazy:   the same with pxeroot.lazy=1, in a VM of the same size and in one of 384 MiB;
#   small:  the lab's small live root by one stream (what the boot costs without the image).
# Every boot but the small one reads every probe (their sums are checked) and reads one 64 MiB
# file whole after dropping the page cache (the sequential read rate of the root).
#
#   tests/bench/chunks.sh   BENCH_RUNS=N (default 1) rounds of the boots that fetch the whole
#                           image, BENCH_FAST_RUNS=N (default 3) of the small and lazy boots (their
#                           medians are what the ratio compares); BENCH_MEM (default 1700) MiB for the
#                           VMs that hold the image in RAM; QEMU_SMP (default 1) CPUs of every VM
#
# Prints one line per boot, then
#   figure: live init uptime: small S s; stream A s; whole B s (1 MiB chunks: B2 s); lazy C s (384 MiB: D s); lazy/small R
#   figure: lazy: N chunks, M bytes fetched before init
#   figure: memory after boot (Shmem; server RSS): stream ..; whole ..; lazy ..; lazy in 384 MiB ..
#   figure: sequential read of a 64 MiB file after boot: stream X MiB/s (from RAM); lazy Y MiB/s; the stream's download Z MiB/s
#   figure: on the host, the 1 GiB image from the same index and store: pxeroot fetch P s; casync extract Q s
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
# shellcheck source=tests/e2e/lib_chunks.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib_chunks.sh"
# shellcheck source=tests/bench/lib_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_bench.sh"

# The value of the first PXEROOT-E2E line of log $1 matching the sed expression $2, or "-".
guest_figure() {
	local v
	v=$(lab_log_text "$1" | sed -n "$2" | head -n1)
	echo "${v:--}"
}

# Boot NAME ($1) with VM memory $2 MiB and kernel command line $3; check the probes against list
# $4; print "NAME: init U s; ..." and leave its figures in FIG_* variables.
boot_one() {
	local name=$1 mem=$2 line=$3 list=$4 log="$LAB_TMP/serial-$1.log" bad t
	QEMU_MEM=$mem QEMU_TIMEOUT=600 qemu_boot "$log" "$line" >/dev/null
	FIG_INIT=$(guest_figure "$log" 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p')
	[[ "$FIG_INIT" != - ]] || lab_die "$name: the live root's init did not start (log $log)"
	if [[ -n "$list" ]]; then
		bad=$(lab_log_text "$log" | sed -n 's/.*PXEROOT-E2E: sha256: //p' | sort | diff - <(sort "$list") | grep -c '^[<>]' || true)
		[[ "$bad" -eq 0 ]] || lab_die "$name: $bad probe sums differ from the host's (log $log)"
	fi
	FIG_SHMEM=$(guest_figure "$log" 's/.*PXEROOT-E2E: shmem: \([0-9]*\) KiB.*/\1/p')
	FIG_RSS=$(guest_figure "$log" 's/.*PXEROOT-E2E: server rss: \([0-9]*\) KiB.*/\1/p')
	FIG_BEFORE=$(guest_figure "$log" 's/.*; \([0-9]* chunks, [0-9]* bytes\) fetched so far.*/\1/p')
	FIG_DOWN=$(guest_figure "$log" 's/.* [0-9.]*\/[0-9.]* MiB 100% \([0-9.]*\) MiB\/s.*/\1/p')
	t=$(guest_figure "$log" 's/.*PXEROOT-E2E: seqread: .* \([0-9]*\) bytes in \([0-9.]*\) \([0-9.]*\)$/\1 \2 \3/p')
	FIG_SEQ=$(awk -v t="$t" 'BEGIN { split(t, a, " "); if (a[3] > a[2]) printf "%.1f", a[1] / 1048576 / (a[3] - a[2]); else print "-" }')
	echo "$name: init $FIG_INIT s; Shmem $FIG_SHMEM KiB; server RSS $FIG_RSS KiB; sequential read $FIG_SEQ MiB/s${FIG_BEFORE:+; before init: $FIG_BEFORE}"
}

# pxeroot fetch and casync extract of index URL $1 (store $2) on the host: seconds each.
host_peer() {
	local t0 p c
	t0=$EPOCHREALTIME
	"$LAB_ROOT/build/pxeroot" fetch "$1" "$LAB_TMP/host-pxeroot.img" >"$LAB_TMP/host-pxeroot.log" 2>&1 </dev/null ||
		lab_die "pxeroot fetch $1 failed (log $LAB_TMP/host-pxeroot.log)"
	p=$(lab_elapsed "$t0")
	rm -f "$LAB_TMP/host-pxeroot.img"
	t0=$EPOCHREALTIME
	casync extract --store="$2" "$1" "$LAB_TMP/host-casync.img" >"$LAB_TMP/host-casync.log" 2>&1 </dev/null ||
		lab_die "casync extract $1 failed (log $LAB_TMP/host-casync.log)"
	c=$(lab_elapsed "$t0")
	rm -f "$LAB_TMP/host-casync.img"
	echo "figure: on the host, the 1 GiB image from the same index and store: pxeroot fetch $p s; casync extract $c s"
}

main() {
	local img www base mem=${BENCH_MEM:-1700} i small stream whole whole1m lazy lazy384 mstream mwhole mlazy mlazy384 seqs seql down before
	lab_tmpdir
	img=$(probed_image 16 64)
	www="$LAB_TMP/www"
	mkdir -p "$www"
	ln -s "$img/image.sfs" "$www/big.sfs"
	ln -s "$img/image.castr" "$www/big.castr"
	cp "$img/image.caibx" "$www/big.caibx"
	[[ -f "$img/image-1m.caibx" ]] || chunk_image "$img/image-1m.caibx" "$img/image.sfs" --chunk-size=256K:1M:4M
	ln -s "$img/image-1m.castr" "$www/big1m.castr"
	cp "$img/image-1m.caibx" "$www/big1m.caibx"
	make_root_sfs "$www/small.sfs"
	(cd "$www" && sha512sum small.sfs >small.sha512 && sha512sum "$img/image.sfs" | sed 's|  .*|  big.sfs|' >big.sha512 &&
		sha512sum big.caibx >>big.sha512 && sha512sum big1m.caibx >big1m.sha512)
	nginx_start "$www"
	base="ip=dhcp pxeroot.onerror=poweroff checksum=y root=live:http://10.0.2.2:$HTTP_PORT"
	for ((i = 1; i <= ${BENCH_FAST_RUNS:-3}; i++)); do
		boot_one "small-$i" "$mem" "$base/small.sfs" ""
		small+=" $FIG_INIT"
		boot_one "lazy-$i" "$mem" "$base/big.caibx pxeroot.lazy=1 -- e2e-seqread" "$img/probes.sha256"
		lazy+=" $FIG_INIT" mlazy="$FIG_SHMEM KiB; $FIG_RSS KiB" seql=$FIG_SEQ before=$FIG_BEFORE
		boot_one "lazy384-$i" 384 "$base/big.caibx pxeroot.lazy=1 -- e2e-seqread" "$img/probes.sha256"
		lazy384+=" $FIG_INIT" mlazy384="$FIG_SHMEM KiB; $FIG_RSS KiB"
	done
	for ((i = 1; i <= ${BENCH_RUNS:-1}; i++)); do
		boot_one "stream-$i" "$mem" "$base/big.sfs -- e2e-seqread" "$img/probes.sha256"
		stream+=" $FIG_INIT" mstream="$FIG_SHMEM KiB" seqs=$FIG_SEQ down=$FIG_DOWN
		boot_one "whole-$i" "$mem" "$base/big.caibx pxeroot.lazy=0 -- e2e-seqread" "$img/probes.sha256"
		whole+=" $FIG_INIT" mwhole="$FIG_SHMEM KiB"
		boot_one "whole1m-$i" "$mem" "$base/big1m.caibx pxeroot.lazy=0" ""
		whole1m+=" $FIG_INIT"
	done
	# shellcheck disable=SC2086  # the uptimes, one word each
	small=$(median $small) stream=$(median $stream) whole=$(median $whole) whole1m=$(median $whole1m) lazy=$(median $lazy) lazy384=$(median $lazy384)
	echo "figure: live init uptime: small $small s; stream $stream s; whole $whole s (1 MiB chunks: $whole1m s); lazy $lazy s (384 MiB: $lazy384 s); lazy/small $(awk -v a="$lazy" -v b="$small" 'BEGIN { printf "%.2f", a / b }')"
	echo "figure: lazy: $before fetched before init"
	echo "figure: memory after boot (Shmem; server RSS): stream $mstream; whole $mwhole; lazy $mlazy; lazy in 384 MiB $mlazy384"
	echo "figure: sequential read of a 64 MiB file after boot: stream $seqs MiB/s (from RAM); lazy $seql MiB/s; the stream's download $down MiB/s"
	host_peer "http://127.0.0.1:$HTTP_PORT/big.caibx" "http://127.0.0.1:$HTTP_PORT/big.castr"
}

main "$@"
