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

# Print the median of the numbers given (the mean of the two middle ones for an even count);
# "-" (a figure not found) is left out, and printed when nothing else is given.
median() {
	printf '%s\n' "$@" | awk '$1 != "-"' | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) print "-"; else print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Boot NAME ($1) with the kernel command line $2 (serial log
# $LAB_TMP/serial-NAME.log); print the guest's uptime at the live root's init.
# Dies when the init does not start.
bench_live_init() {
	local log="$LAB_TMP/serial-$1.log" up
	qemu_boot "$log" "$2" >&2
	up=$(lab_log_text "$log" | sed -n 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p' | head -n1)
	[[ -n "$up" ]] || lab_die "$1: the live root's init did not start (log $log)"
	echo "$up"
}

# Boot the live root BENCH_RUNS times (default 3) with each of two initramfs images in turn:
# label $1, image $2, kernel command line $3, then label $4, image $5, line $6 (QEMU_TIMEOUT
# 240 s). Print each boot's uptime at the live init, then the medians beside the images' sizes
# and the root image's ($LAB_TMP/root.sfs). Fails the setup, with the serial log's tail, when a
# boot does not reach the live init.
bench_two_images() {
	local runs=${BENCH_RUNS:-3} i j up name ups=() fig=()
	local labels=("$1" "$4") imgs=("$2" "$5") lines=("$3" "$6")
	for ((i = 1; i <= runs; i++)); do
		for j in 0 1; do
			name="${labels[j]//[^A-Za-z0-9]/-}-$i"
			up=$(INITRD=${imgs[j]} QEMU_TIMEOUT=240 bench_live_init "$name" "${lines[j]}") || {
				lab_log_text "$LAB_TMP/serial-$name.log" | tail -n 20 | sed 's/^/#   /'
				lab_die "${labels[j]} boot $i: the live root's init did not start"
			}
			echo "${labels[j]} boot $i: live init at $up s"
			ups[j]+=" $up"
		done
	done
	for j in 0 1; do
		# shellcheck disable=SC2086  # the uptimes, one word each
		fig+=("${labels[j]} $(median ${ups[j]}) s ($(stat -c %s "${imgs[j]}") bytes)")
	done
	echo "figure: live init uptime, median of $runs: ${fig[0]}; ${fig[1]} (same image, $(($(stat -c %s "$LAB_TMP/root.sfs") / 1024)) KiB)"
}

# Boot the images $LAB_TMP/NAME.img of NAMES ($2) in turn, $1 rounds, with the kernel command
# line $3; after each boot call $4 NAME ROUND LOG (it reads the figures of the serial LOG). Dies
# when a boot does not reach the live root's init.
bench_rounds() {
	local runs=$1 names=$2 line=$3 fn=$4 i name log
	for ((i = 1; i <= runs; i++)); do
		for name in $names; do
			log="$LAB_TMP/serial-$name-$i.log"
			INITRD="$LAB_TMP/$name.img" qemu_boot "$log" "$line" >/dev/null
			lab_log_text "$log" | grep -q 'PXEROOT-E2E: init started' ||
				lab_die "$name boot $i: the live root's init did not start (log $log)"
			"$fn" "$name" "$i" "$log"
		done
	done
}

# Keep Debian packages $3... of version $2 in directory $1 (their .debs and a file "version"):
# downloaded with apt-get download (the host's own apt configuration, nothing installed) unless
# $1 holds that version already; another version's files go first. Fails the setup, with
# apt's output on stderr, when the download fails.
bench_debs() {
	local dir=$1 ver=$2 pkg specs=()
	shift 2
	[[ -f "$dir/version" && "$(cat "$dir/version")" == "$ver" ]] && return 0
	for pkg in "$@"; do
		specs+=("$pkg=$ver")
	done
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && apt-get download -q "${specs[@]}" </dev/null >"$LAB_TMP/apt-download.log" 2>&1) || {
		sed 's/^/#   /' "$LAB_TMP/apt-download.log" >&2
		lab_die "cannot download ${specs[*]}"
	}
	echo "$ver" >"$dir/version"
}

# Unpack every .deb of directory $1 (bench_debs) into directory $2 (dpkg -x).
bench_debs_unpack() {
	local deb
	for deb in "$1"/*.deb; do
		dpkg -x "$deb" "$2"
	done
}
