#!/usr/bin/env bash
# Benchmark: the same live root booted over NFS and over HTTP, in one run.
# The tree of make_nfs_root (busybox, the test init) is exported by nfs-ganesha
# (tests/e2e/lib_nfs.sh) and, as a squashfs of the same tree, served by nginx
# in archiso's layout; each boot goes to the live root's init and powers off:
#   (a) nfs4:  root=/dev/nfs nfsroot=10.0.2.2:/export (the export is /, NFSv4.2);
#   (b) http:  archiso_http_srv=http://10.0.2.2:PORT/ (the image into RAM, overlay).
#
#   tests/bench/nfs.sh      BENCH_RUNS=N (default 3) boots of each, alternating;
#                           BENCH_PAD_MIB=N (default 64) adds /pad, N MiB of random bytes, to the
#                           tree (the HTTP boot downloads it with the image, the NFS boot never reads it)
#
# Prints each boot's guest uptime at the live init, then the medians:
#   figure: live init uptime, median of N: nfs4 X s; http Y s (image Z KiB)
# Exits 1 when a boot does not reach the live init.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
# shellcheck source=tests/e2e/lib_nfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib_nfs.sh"
# shellcheck source=tests/bench/lib_bench.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_bench.sh"

main() {
	local runs=${BENCH_RUNS:-3} i nfs=() http=() up
	nfs_serve_root v4
	head -c "$((${BENCH_PAD_MIB:-64} << 20))" /dev/urandom >"$TREE/pad"
	WEBROOT="$LAB_TMP/www"
	mksquashfs "$TREE" "$LAB_TMP/root.sfs" -noappend -comp xz -all-root -quiet >/dev/null
	make_archiso_tree "$WEBROOT" "$LAB_TMP/root.sfs" arch
	nginx_start "$WEBROOT"
	for ((i = 1; i <= runs; i++)); do
		up=$(bench_live_init "nfs-$i" "ip=dhcp root=/dev/nfs nfsroot=10.0.2.2:$NFS_PSEUDO quiet pxeroot.onerror=poweroff")
		echo "nfs4 boot $i: live init at ${up} s"
		nfs+=("$up")
		up=$(bench_live_init "http-$i" "ip=dhcp archiso_http_srv=http://10.0.2.2:$HTTP_PORT/ archisobasedir=arch quiet pxeroot.onerror=poweroff")
		echo "http boot $i: live init at ${up} s"
		http+=("$up")
	done
	nfs_stop
	echo "figure: live init uptime, median of $runs: nfs4 $(median "${nfs[@]}") s; http $(median "${http[@]}") s (tree with ${BENCH_PAD_MIB:-64} MiB of padding; image $(($(stat -c %s "$LAB_TMP/root.sfs") / 1024)) KiB)"
}

main "$@"
