# shellcheck shell=bash
# Shared by the benchmarks; `source` it after tests/e2e/lib.sh.

BENCH_MNT=""

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
