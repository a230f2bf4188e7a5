# shellcheck shell=bash
# Shared by the benchmarks (destination tmpfs, cleanup); `source` it after
# tests/e2e/lib.sh.

BENCH_MNT=""
BENCH_DST=""

# Unmount the destination tmpfs (BENCH_MNT), then run lib.sh's cleanup with the
# exit status the script had (servers stopped by PID, temp dir removed). Armed
# with `trap bench_cleanup EXIT`.
bench_cleanup() {
	local rc=$?
	if [[ -n "$BENCH_MNT" ]] && mountpoint -q "$BENCH_MNT"; then
		umount "$BENCH_MNT" || echo "# cleanup: could not unmount $BENCH_MNT" >&2
	fi
	set +e
	(exit "$rc")
	lab_cleanup
}

# Mount a tmpfs of $1 MiB under $LAB_TMP as the download destination; set
# BENCH_MNT, and BENCH_DST to file $2 in it.
bench_mount_tmpfs() {
	BENCH_MNT="$LAB_TMP/dst"
	mkdir -p "$BENCH_MNT"
	mount -t tmpfs -o "size=$1M,mode=0755" pxeroot-bench "$BENCH_MNT" ||
		{ BENCH_MNT=""; lab_die "cannot mount a tmpfs"; }
	# shellcheck disable=SC2034  # read by the benchmark that sources this
	BENCH_DST="$BENCH_MNT/${2:?bench_mount_tmpfs MIB FILE}"
}

# Empty the destination tmpfs.
bench_clear() {
	find "$BENCH_MNT" -mindepth 1 -delete
}
