# shellcheck shell=bash
# Local media in the lab; `source` it after lib.sh. archiso's layout on an ISO
# (a CD drive, or a disk that holds the ISO as it is) or on a partition of a
# disk image, and a boot that attaches them.
#
#   media_iso OUT TREE LABEL [DATE] — ISO of TREE, volume label LABEL; its
#       ISO 9660 date DATE (YYYYMMDDhhmmsscc) is the UUID libblkid reports, and
#       boot/<UUID>.uuid marks it, as archiso's ISOs do
#   media_disk OUT TREE LABEL [SIGNATURE] — disk image: an MBR partition table,
#       one Linux partition from 1 MiB holding TREE as ext4 labelled LABEL
#   media_wrap OUT FSIMAGE SIGNATURE — disk image: FSIMAGE as partition 1 of an
#       MBR whose disk signature is SIGNATURE (PARTUUID=SIGNATURE-01)
#   media_many_parts OUT N — disk image: an MBR extended partition holding N
#       logical partitions of 1 MiB each, none with a filesystem
#   media_dirty_ext4 OUT TREE — ext4 image of TREE whose journal is marked as
#       needing recovery (as after a crash): a mount that replays it writes
#   media_monitor — a QEMU monitor on FIFOs (QEMU args in MEDIA_MONITOR_ARGS)
#   media_when LOG ERE CMD — in the background: once LOG shows ERE, send CMD to
#       the monitor
#   media_boot LOG APPEND [QEMU ARGS...] — boot with APPEND, power off on error unless APPEND names a policy

# Write TREE ($2) as ISO $1 with volume label $3 and UUID date $4.
media_iso() {
	local out=${1:?media_iso OUT TREE LABEL [DATE]} tree=${2:?} label=${3:?} date=${4:-2026113005000000} uuid msg
	lab_need xorriso
	uuid="${date:0:4}-${date:4:2}-${date:6:2}-${date:8:2}-${date:10:2}-${date:12:2}-${date:14:2}"
	mkdir -p "$tree/boot"
	: >"$tree/boot/$uuid.uuid"
	rm -f "$out"
	msg=$(xorriso -as mkisofs -quiet -R -J -V "$label" --modification-date="$date" -o "$out" "$tree" 2>&1) ||
		lab_die "xorriso $out: $msg"
	lab_note "media ISO: $out ($(stat -c %s "$out") bytes), LABEL=$label UUID=$uuid"
}

# Write disk image $1: MBR, partition 1 (type 0x83) from sector 2048 to the
# end, ext4 labelled $3 holding TREE $2; disk signature $4 (hex, default 0).
media_disk() {
	local out=${1:?media_disk OUT TREE LABEL [SIGNATURE]} tree=${2:?} label=${3:?} mib
	lab_need mkfs.ext4
	mib=$(($(du -sm "$tree" | cut -f1) + 16))
	rm -f "$out.part"
	mkfs.ext4 -q -F -L "$label" -d "$tree" "$out.part" "${mib}M" || lab_die "mkfs.ext4 $out.part failed"
	media_wrap "$out" "$out.part" "${4:-0}"
	rm -f "$out.part"
	lab_note "media disk: $out ($(stat -c %s "$out") bytes), partition 1 ext4 LABEL=$label"
}

# Write disk image $1: MBR with disk signature $3 (hex; the partition's
# PARTUUID is SIGNATURE-01), partition 1 (type 0x83) from sector 2048 holding
# the filesystem image $2 (its size rounded up to whole sectors).
media_wrap() {
	local out=${1:?media_wrap OUT FSIMAGE SIGNATURE} fs=${2:?} sig=${3:?} sectors
	lab_need perl
	sectors=$((($(stat -c %s "$fs") + 511) / 512))
	rm -f "$out"
	truncate -s 1M "$out"
	# the disk signature at 440, the partition entry: not bootable, CHS unused, type 0x83, LBA start 2048, length
	perl -e 'print "\0" x 440, pack("V", hex($ARGV[1])), "\0\0", pack("C8 V V", 0, 0, 0, 0, 0x83, 0, 0, 0, 2048, $ARGV[0]), "\0" x 48, "\x55\xaa"' \
		"$sectors" "$sig" | dd of="$out" conv=notrunc status=none
	cat "$fs" >>"$out"
	truncate -s $(((2048 + sectors) * 512)) "$out"
}

# Write disk image $1: MBR, partition 1 an extended partition (0x05) from
# sector 2048 holding $2 logical partitions of 1 MiB (type 0x83, no filesystem),
# each behind its EBR, the EBRs chained as the MBR scheme has them.
media_many_parts() {
	local out=${1:?media_many_parts OUT N} n=${2:?}
	lab_need perl
	rm -f "$out"
	truncate -s $(((n + 2) * 1024 * 1024)) "$out"
	perl -e '
		my ($n) = @ARGV;
		my $entry = sub { pack("C8 V V", 0, 0, 0, 0, $_[0], 0, 0, 0, $_[1], $_[2]) };
		my $sector = sub { my ($lba, $e1, $e2) = @_; seek(STDOUT, $lba * 512 + 446, 0);
			print $e1, $e2, "\0" x 32, "\x55\xaa" };
		$sector->(0, $entry->(0x05, 2048, $n * 2048), "\0" x 16);
		for my $i (0 .. $n - 1) {
			my $next = $i + 1 < $n ? $entry->(0x05, ($i + 1) * 2048, 2048) : "\0" x 16;
			$sector->(2048 + $i * 2048, $entry->(0x83, 64, 1984), $next);
		}' "$n" 1<>"$out" || lab_die "media_many_parts $out failed"
	lab_note "media disk: $out, $n logical partitions without a filesystem"
}

# Write ext4 image $1 holding TREE $2, its journal marked as needing recovery:
# a read-only mount through a writable device replays it and writes the disk.
media_dirty_ext4() {
	local out=${1:?media_dirty_ext4 OUT TREE} tree=${2:?} msg
	lab_need mkfs.ext4 debugfs
	rm -f "$out"
	mkfs.ext4 -q -F -L PXEROOT_DIRTY -d "$tree" "$out" 16M || lab_die "mkfs.ext4 $out failed"
	msg=$(debugfs -w -R "feature needs_recovery" "$out" 2>&1) || lab_die "debugfs $out: $msg"
	lab_note "media disk: $out, ext4 LABEL=PXEROOT_DIRTY, journal needs recovery"
}

# A QEMU monitor on the FIFOs $LAB_TMP/monitor.in and .out; MEDIA_MONITOR_ARGS
# holds the QEMU arguments, MEDIA_MONITOR the path media_when writes to.
media_monitor() {
	lab_tmpdir
	MEDIA_MONITOR="$LAB_TMP/monitor"
	rm -f "$MEDIA_MONITOR.in" "$MEDIA_MONITOR.out"
	mkfifo "$MEDIA_MONITOR.in" "$MEDIA_MONITOR.out"
	MEDIA_MONITOR_ARGS=(-monitor "pipe:$MEDIA_MONITOR")
}

# In the background (tracked, stopped on exit): wait (120 s at most) until LOG
# ($1) shows a line matching ERE $2, then write monitor command $3 to the
# monitor of media_monitor.
media_when() {
	local log=${1:?media_when LOG ERE CMD} re=${2:?} cmd=${3:?}
	(
		for ((i = 0; i < 600; i++)); do
			if lab_log_text "$log" | grep -qE -- "$re"; then
				printf '%s\n' "$cmd" >"$MEDIA_MONITOR.in"
				exit 0
			fi
			sleep 0.2
		done
	) &
	lab_track $!
	lab_note "monitor: '$cmd' once /$re/ shows"
}

# Boot the lab kernel and initramfs with pxeroot.onerror=poweroff and APPEND $2 (which
# may name another policy: the last word wins), serial console to LOG $1, the QEMU
# arguments after them attaching the media.
media_boot() {
	local log=${1:?media_boot LOG APPEND [QEMU ARGS...]} append=${2:?}
	shift 2
	# shellcheck disable=SC2034 # qemu_boot reads it
	local QEMU_NET_ARGS=(-nic none)
	qemu_boot "$log" "pxeroot.onerror=poweroff $append" "$@"
}
