# shellcheck shell=bash
# Chunked images (casync's index and chunk store), sourced by the scenarios that need them.
#   chunk_image INDEX IMG [CASYNC_MAKE_OPTIONS...] — IMG as casync index INDEX (NAME.caibx) and
#     its store NAME.castr beside it
#   chunk_files STORE — the store's chunk files, one a line, in a fixed order
#   chunk_alter FILE — replace chunk FILE with one whose bytes differ in one place (still a valid
#     zstd, xz or gzip file, so only the id check can tell); the original kept as FILE.orig
#   chunk_restore FILE — put back what chunk_alter replaced
#   chunk_path ID — the chunk's path inside its store (<4 hex>/<id>.cacnk)
#   chunk_id FILE — the id a chunk file is named after
#   chunk_at INDEX OFFSET — the chunk of INDEX holding byte OFFSET: its id, first and last byte
#   make_chunked_archiso WEBROOT SFS — archiso's tree with SFS chunked: BASEDIR/ARCH/airootfs.caibx,
#     airootfs.castr/ and airootfs.sha512 with the index's line
#   write_probe_check FILE — the probed live root's /e2e-check (probe sums, the server, memory)
#   make_probe_tree DIR NBIG MIB LIST — the live root with NBIG files of MIB MiB, each followed by
#     a 64 KiB probe file, and the probes' sha256 list
#   probed_image NBIG MIB — that tree as squashfs, index and store, cached in build/e2e; prints
#     the directory
#   chunk_of_file IMG INDEX STORE FILE — the chunk of INDEX (path in STORE) where FILE's data starts

# Write IMG ($2) as casync index $1 and its store beside it, with casync make's options $3....
chunk_image() {
	local index=${1:?chunk_image INDEX IMG [OPTIONS...]} img=${2:?chunk_image INDEX IMG [OPTIONS...]}
	shift 2
	lab_need casync
	casync make "$@" --store="${index%.caibx}.castr" "$index" "$img" >/dev/null || lab_die "casync make $index failed"
}

# Print the chunk files of store $1, sorted.
chunk_files() {
	find "${1:?chunk_files STORE}" -name '*.cacnk' | LC_ALL=C sort
}

# Print the path, inside its store, of the chunk whose id is $1: <first 4 hex digits>/<id>.cacnk.
chunk_path() {
	local id=${1:?chunk_path ID}
	echo "${id:0:4}/$id.cacnk"
}

# Print the id chunk file $1 is named after.
chunk_id() {
	local f=${1##*/}
	echo "${f%.cacnk}"
}

# Print "ID FIRST LAST" of the chunk of index $1 that holds byte $2 of the image: its id (as its
# file is named) and its first and last byte (as pxeroot's lines name them).
chunk_at() {
	perl -e '
		my ($idx, $off) = @ARGV;
		open my $x, "<", $idx or die "$idx: $!\n"; binmode $x; local $/; my $ix = <$x>;
		my $first = 0;
		for (my $k = 64; $k + 80 <= length $ix; $k += 40) {
			my ($end, $id) = unpack "Q< a32", substr($ix, $k, 40);
			if ($off < $end) { printf "%s %d %d\n", unpack("H*", $id), $first, $end - 1; exit 0 }
			$first = $end;
		}
		die "byte $off: past the end of $idx\n";
	' "${1:?chunk_at INDEX OFFSET}" "${2:?chunk_at INDEX OFFSET}"
}

# Replace chunk file $1 by the same bytes with the middle one flipped, compressed as before.
chunk_alter() {
	local f=${1:?chunk_alter FILE} raw magic
	raw=$(mktemp "$LAB_TMP/chunk.XXXXXX")
	cp "$f" "$f.orig"
	magic=$(od -A n -t x1 -N 2 "$f" | tr -d ' ')
	case $magic in
	28b5) zstd -q -d -c "$f" >"$raw" ;;
	fd37) xz -d -c "$f" >"$raw" ;;
	1f8b) gzip -d -c "$f" >"$raw" ;;
	*) lab_die "chunk_alter $f: unknown compression ($magic)" ;;
	esac
	perl -e 'open my $h, "+<", $ARGV[0] or die; my $n = -s $h; seek $h, $n >> 1, 0; read $h, my $b, 1;
		seek $h, $n >> 1, 0; print $h chr(ord($b) ^ 0x55); close $h' "$raw"
	case $magic in
	28b5) zstd -q -c "$raw" >"$f.new" ;;
	fd37) xz -c "$raw" >"$f.new" ;;
	1f8b) gzip -n -c "$raw" >"$f.new" ;;
	esac
	mv -f "$f.new" "$f"
	rm -f "$raw"
}

# Put back chunk file $1 as chunk_alter found it.
chunk_restore() {
	mv -f "${1:?chunk_restore FILE}.orig" "$1"
}

# archiso's tree in $1 with image $2 chunked beside nothing else: airootfs.caibx, airootfs.castr/,
# airootfs.sha512 (the index's line).
make_chunked_archiso() {
	local dir="${1:?make_chunked_archiso WEBROOT SFS}/arch/x86_64"
	mkdir -p "$dir"
	chunk_image "$dir/airootfs.caibx" "${2:?make_chunked_archiso WEBROOT SFS}"
	(cd "$dir" && sha512sum airootfs.caibx >airootfs.sha512)
}

# Write the checks of a probed image into file $1 (the live root's /e2e-check, run by its init
# with init's arguments): with the argument e2e-wait-ram, first wait (60 s at most) for the
# server's line that the whole root is in RAM, say so, and give the host 3 s to stop the server;
# then drop the page cache; with e2e-seqread, time reading /data/07-big whole; then print the sha256 of every /data/*-probe (or that its read
# failed), the server's pid, argv[0], root, executable and every file it maps or holds open, and
# the memory in use (Shmem, the server's RSS).
write_probe_check() {
	cat >"$1" <<-'EOF2'
		#!/bin/sh
		if [ "$1" = e2e-wait-ram ]; then
		    i=0
		    while ! grep -q 'the whole root is in RAM' /run/pxeroot/log && [ "$i" -lt 600 ]; do
		        sleep 0.1
		        i=$((i + 1))
		    done
		    echo "PXEROOT-E2E: check: root in RAM"
		    sleep 3
		fi
		echo 3 >/proc/sys/vm/drop_caches
		if [ "$1" = e2e-seqread ]; then
		    read -r t0 _ </proc/uptime
		    cat /data/07-big >/dev/null
		    read -r t1 _ </proc/uptime
		    echo "PXEROOT-E2E: seqread: /data/07-big $(stat -c %s /data/07-big) bytes in $t0 $t1"
		fi
		for f in /data/*-probe; do
		    if s=$(sha256sum "$f" 2>/dev/null); then
		        echo "PXEROOT-E2E: sha256: $s"
		    else
		        echo "PXEROOT-E2E: read failed: $f"
		    fi
		done
		for p in /proc/[0-9]*; do
		    a=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)
		    case "$a" in
		    @*)
		        echo "PXEROOT-E2E: server: pid ${p#/proc/} argv ${a% } root $(readlink "$p/root") exe $(readlink "$p/exe")"
		        awk '$6 != "" { print $6, $7 }' "$p/maps" | sort -u | while read -r m; do echo "PXEROOT-E2E: server map: $m"; done
		        for fd in "$p"/fd/*; do echo "PXEROOT-E2E: server fd: $(readlink "$fd")"; done
		        echo "PXEROOT-E2E: server rss: $(awk '/^VmRSS/ { print $2 }' "$p/status") KiB"
		        ;;
		    esac
		done
		echo "PXEROOT-E2E: shmem: $(awk '/^Shmem:/ { print $2 }' /proc/meminfo) KiB"
	EOF2
	chmod 0755 "$1"
}

# Build in directory $1 (made anew) the live root with /data/NN-big (NBIG files, $2, of $3 MiB of
# random bytes) each followed by /data/NN-probe (64 KiB of random bytes), the checks of
# write_probe_check, and write the probes' sha256 list (as the guest prints it) to $4.
make_probe_tree() {
	local dir=${1:?make_probe_tree DIR NBIG MIB LIST} n=${2:?} mib=${3:?} list=${4:?} i name
	make_root_tree "$dir"
	mkdir -p "$dir/data"
	for ((i = 0; i < n; i++)); do
		printf -v name '%02d' "$i"
		head -c "${mib}M" /dev/urandom >"$dir/data/$name-big"
		head -c 64K /dev/urandom >"$dir/data/$name-probe"
	done
	write_probe_check "$dir/e2e-check"
	(cd "$dir" && sha256sum data/*-probe | sed 's| data/| /data/|') >"$list"
}

# The probed image of NBIG ($1) files of $2 MiB under build/e2e/probed-$1x$2/, made once (under
# a lock; again when this file or lib_image.sh is newer): image.sfs (data stored uncompressed, as
# random bytes do not compress, and no file packed into a fragment: each probe has blocks of its
# own, after its big file), image.caibx and image.castr/ (casync's defaults), probes.sha256,
# probes/NN-probe (a copy of each probe file).
# Prints the directory.
probed_image() {
	local n=${1:?probed_image NBIG MIB} mib=${2:?probed_image NBIG MIB} dir fd tree
	dir="$LAB_ROOT/build/e2e/probed-${n}x$mib"
	mkdir -p "$dir"
	exec {fd}>"$dir.lock"
	flock "$fd"
	if [[ ! -f "$dir/done" || "${BASH_SOURCE[0]}" -nt "$dir/done" || "$LAB_ROOT/tests/e2e/lib_image.sh" -nt "$dir/done" ]]; then
		rm -rf "${dir:?}"/* "$dir/done"
		tree=$(mktemp -d "$LAB_TMP/probed.XXXXXX")
		make_probe_tree "$tree" "$n" "$mib" "$dir/probes.sha256"
		mkdir -p "$dir/probes"
		cp "$tree"/data/*-probe "$dir/probes/"
		mksquashfs "$tree" "$dir/image.sfs" -noappend -noD -no-fragments -all-root -quiet >/dev/null || lab_die "mksquashfs $dir/image.sfs failed"
		rm -rf "$tree"
		chunk_image "$dir/image.caibx" "$dir/image.sfs"
		touch "$dir/done"
	fi
	exec {fd}>&-
	echo "$dir"
}

# Print the path, inside store $3, of the chunk of index $2 that holds the first byte of the
# data of FILE ($4, a file of the image's tree found by its first 4 KiB in image $1, whose data
# is stored uncompressed).
chunk_of_file() {
	local off id
	off=$(perl -e '
		my ($img, $file) = @ARGV;
		open my $f, "<", $file or die "$file: $!"; read $f, my $needle, 4096; close $f;
		open my $i, "<", $img or die "$img: $!";
		my ($pos, $buf) = (0, "");
		while (read $i, my $b, 64 << 20) {
			$buf = length $buf ? substr($buf, -4095) . $b : $b;
			my $at = index $buf, $needle;
			if ($at >= 0) { print $pos - (length($buf) - length($b)) + $at; exit 0 }
			$pos += length $b;
		}
		die "$file: not found in $img\n";
	' "${1:?chunk_of_file IMG INDEX STORE FILE}" "${4:?chunk_of_file IMG INDEX STORE FILE}") || lab_die "chunk_of_file: $4 not in $1"
	read -r id _ < <(chunk_at "${2:?chunk_of_file IMG INDEX STORE FILE}" "$off")
	echo "${3-}/$(chunk_path "$id")"
}
