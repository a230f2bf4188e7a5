#!/usr/bin/env bash
# Build the standalone pxeroot initramfs: the agent as /init (stripped), its shared
# libraries (none when it is static), the CA bundle, device nodes and the kernel modules it may load.
#
#   tools/mkinitramfs.sh --binary build/pxeroot --moddir build/kernel/lib/modules/VER \
#       --out build/initramfs.img [--file KEY=SRC]... [--extra SRC:DEST]... [--exec PATH]...
#       [--module NAME]... [--compress gzip|xz|zstd] [--module-compress none|zstd|xz]
#
# --file copies SRC to the path the binary reads for KEY, a key word `pxeroot files` prints
# (the trust material, the CA bundle); without one for ca-bundle, the host's CA bundle at that
# same path goes in. --extra copies file or directory SRC to the absolute path DEST in the image
# (DEST ending in / keeps the name of SRC). --exec copies the executable at the
# absolute PATH to the same path in the image, with its shared libraries and
# loader (checked in the image as those of /init are). --module adds a kernel
# module to the list: the NIC drivers and every module the binary names (`pxeroot
# modules --net`, `pxeroot modules`). The output is a newc cpio compressed with --compress
# (default zstd; each is a compressor the kernel unpacks: CONFIG_RD_*). --module-compress
# keeps each kernel module compressed inside the image (.ko.zst or .ko.xz, named so in
# modules.dep; default zstd): the kernel then unpacks a fraction of the bytes before /init, and
# libkmod unpacks only the modules it loads. Needs root (mknod,
# and chroot for the final loader check). SOURCE_DATE_EPOCH sets all mtimes (default 0),
# entries are sorted and owned by root, and the compressors store no name or time, so that
# equal inputs give byte-identical images.
set -euo pipefail

readonly EMPTY_DIRS="proc sys dev run newroot etc tmp root usr/bin usr/sbin"

BINARY=""
MODDIR=""
OUT=""
COMPRESS=zstd
MODULE_COMPRESS=zstd
FILES=()
EXTRAS=()
EXECS=()
MODULES=()
STAGING=""
LIBS=()

# Print an error and exit 1.
die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

# Print a progress line.
say() {
	echo "mkinitramfs: $*"
}

# Print usage on stderr and exit with status $1.
usage() {
	sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit "$1"
}

# Parse the command line into the globals above.
parse_args() {
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--binary) BINARY=${2:?--binary needs a path}; shift 2 ;;
		--moddir) MODDIR=${2:?--moddir needs a path}; shift 2 ;;
		--out) OUT=${2:?--out needs a path}; shift 2 ;;
		--file) FILES+=("${2:?--file needs KEY=SRC}"); shift 2 ;;
		--extra) EXTRAS+=("${2:?--extra needs SRC:DEST}"); shift 2 ;;
		--exec) EXECS+=("${2:?--exec needs a path}"); shift 2 ;;
		--module) MODULES+=("${2:?--module needs a name}"); shift 2 ;;
		--compress) COMPRESS=${2:?--compress needs gzip, xz or zstd}; shift 2 ;;
		--module-compress) MODULE_COMPRESS=${2:?--module-compress needs none, zstd or xz}; shift 2 ;;
		-h | --help) usage 0 ;;
		*) echo "mkinitramfs: unknown argument '$1'" >&2; usage 2 ;;
		esac
	done
	[[ -n "$BINARY" && -n "$MODDIR" && -n "$OUT" ]] || usage 2
	[[ -f "$BINARY" && -x "$BINARY" ]] || die "$BINARY: not an executable file"
	[[ -f "$MODDIR/modules.dep" ]] || die "$MODDIR/modules.dep missing (run tools/kernel.sh)"
	[[ $EUID -eq 0 ]] || die "must run as root (mknod of /dev/console, chroot check)"
	[[ "$COMPRESS" =~ ^(gzip|xz|zstd)$ ]] || die "--compress $COMPRESS: want gzip, xz or zstd"
	[[ "$MODULE_COMPRESS" =~ ^(none|xz|zstd)$ ]] || die "--module-compress $MODULE_COMPRESS: want none, zstd or xz"
	local tool spec
	for spec in "${FILES[@]}"; do
		[[ "$spec" == ?*=?* ]] || die "--file $spec: want KEY=SRC"
		[[ -f "${spec#*=}" ]] || die "--file $spec: ${spec#*=} is not a file"
	done
	for spec in "${EXTRAS[@]}"; do
		[[ "$spec" == *:/* && -n "${spec%%:*}" ]] || die "--extra $spec: want SRC:/ABSOLUTE/DEST"
		[[ -e "${spec%%:*}" ]] || die "--extra $spec: ${spec%%:*} does not exist"
	done
	for spec in "${EXECS[@]}"; do
		[[ "$spec" == /* ]] || die "--exec $spec: want an absolute path"
		[[ -f "$spec" && -x "$spec" ]] || die "--exec $spec: not an executable file"
		[[ "$spec" != /init ]] || die "--exec $spec: /init is the agent"
	done
	for tool in cpio "$COMPRESS" strip ldd readelf modprobe depmod mknod chroot; do
		command -v "$tool" >/dev/null || die "$tool not found (tools/deps.sh build lab)"
	done
}

# Succeed when the host uses the merged-/usr layout (/lib -> usr/lib).
host_is_merged_usr() {
	[[ -L /lib && "$(readlink /lib)" == "usr/lib" ]]
}

# Create the directory skeleton: /lib, /lib64, /bin, /sbin as in the host
# (symlinks into usr/ on merged-/usr hosts), plus the empty mount points.
make_skeleton() {
	local d
	chmod 0755 "$STAGING"
	mkdir -p "$STAGING/usr"
	for d in bin sbin lib lib64; do
		if host_is_merged_usr; then
			mkdir -p "$STAGING/usr/$d"
			ln -s "usr/$d" "$STAGING/$d"
		else
			mkdir -p "$STAGING/$d"
		fi
	done
	for d in $EMPTY_DIRS; do
		mkdir -p "$STAGING/$d"
	done
	chmod 1777 "$STAGING/tmp"
	chmod 0700 "$STAGING/root"
}

# Install the agent, without its symbols and debug sections, as /init and /usr/bin/pxeroot.
install_binary() {
	strip --strip-all -o "$STAGING/init" "$BINARY"
	chmod 0755 "$STAGING/init"
	ln -s /init "$STAGING/usr/bin/pxeroot"
}

# Print the ELF interpreter (PT_INTERP) of $1, or nothing for a static binary.
elf_interpreter() {
	readelf -l "$1" 2>/dev/null |
		sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p'
}

# Append to LIBS the absolute paths ldd prints for executable $1 (loader included).
collect_libs() {
	local bin=$1 out line path
	if ! out=$(ldd "$bin" 2>&1); then
		[[ "$out" == *"not a dynamic executable"* ]] && return 0
		die "ldd $bin failed: $out"
	fi
	while IFS= read -r line; do
		[[ "$line" == *"not found"* ]] && die "ldd: missing library: $line"
		path=""
		if [[ "$line" =~ =\>\ (/[^ ]+) ]]; then
			path=${BASH_REMATCH[1]}
		elif [[ "$line" =~ ^[[:space:]]*(/[^ ]+) ]]; then
			path=${BASH_REMATCH[1]}
		fi
		[[ -n "$path" ]] && LIBS+=("$path")
	done <<<"$out"
	path=$(elf_interpreter "$bin")
	[[ -n "$path" ]] && LIBS+=("$path")
	return 0
}

# Copy file $1 (following symlinks) to the same absolute path in the image.
copy_to_same_path() {
	local src=$1
	[[ -e "$STAGING$src" ]] && return 0
	mkdir -p "$STAGING$(dirname "$src")"
	cp -L --preserve=mode "$src" "$STAGING$src"
}

# Copy the shared libraries and the dynamic loader of the agent and of every
# --exec executable into the image.
install_libs() {
	local lib exe count
	collect_libs "$BINARY"
	for exe in "${EXECS[@]}"; do
		collect_libs "$exe"
	done
	for lib in "${LIBS[@]}"; do
		copy_to_same_path "$lib"
	done
	count=0
	[[ ${#LIBS[@]} -eq 0 ]] || count=$(printf '%s\n' "${LIBS[@]}" | sort -u | wc -l)
	say "$count shared objects (libraries and loaders)"
}

# Copy each --exec executable to the same path in the image.
install_execs() {
	local exe
	for exe in "${EXECS[@]}"; do
		[[ -e "$STAGING$exe" || -L "$STAGING$exe" ]] && die "--exec $exe: already in the image"
		copy_to_same_path "$exe"
		chmod 0755 "$STAGING$exe"
		say "exec: $exe"
	done
}

# Copy each file the binary reads (`pxeroot files`: KEY PATH lines) to its PATH: the SRC of
# --file KEY=SRC, else for the CA bundle the host's at PATH.
install_files() {
	local list key path spec src
	list=$("$BINARY" files) || die "$BINARY files: failed"
	for spec in "${FILES[@]}"; do
		awk -v k="${spec%%=*}" '$1 == k { found = 1 } END { exit !found }' <<<"$list" ||
			die "--file $spec: not a key word of '$BINARY files' ($(awk '{ print $1 }' <<<"$list" | paste -sd ' '))"
	done
	while read -r key path; do
		src=""
		for spec in "${FILES[@]}"; do
			[[ "${spec%%=*}" == "$key" ]] && src=${spec#*=}
		done
		if [[ -z "$src" && "$key" == ca-bundle ]]; then
			[[ -f "$path" ]] || die "$path missing (install ca-certificates)"
			src=$path
		fi
		[[ -n "$src" ]] || continue
		mkdir -p "$STAGING${path%/*}"
		cp -L --preserve=mode "$src" "$STAGING$path"
		say "file: $key $src -> $path"
	done <<<"$list"
}

# Create /dev/console and /dev/null, needed before devtmpfs is mounted.
make_device_nodes() {
	mknod -m 600 "$STAGING/dev/console" c 5 1
	mknod -m 666 "$STAGING/dev/null" c 1 3
}

# Print the module paths (relative to the module dir) that module $1 needs,
# itself included, deps first; print nothing for built-in modules.
module_files() {
	local base=$1 ver=$2 mod=$3 out line
	out=$(modprobe -d "$base" -S "$ver" --show-depends "$mod" 2>&1) || return 1
	while IFS= read -r line; do
		case "$line" in
		insmod\ *)
			line=${line#insmod }
			line=${line%% *}
			echo "${line#*/lib/modules/"$ver"/}"
			;;
		esac
	done <<<"$out"
}

# Copy the requested modules with their dependencies, then run depmod in the image.
install_modules() {
	local moddir base ver dst mod rel f count=0
	moddir=$(cd "$MODDIR" && pwd -P)
	ver=$(basename "$moddir")
	base=$(cd "$moddir/../../.." && pwd -P)
	dst="$STAGING/lib/modules/$ver"
	mkdir -p "$dst"
	local net wanted
	net=$("$BINARY" modules --net) || die "$BINARY modules --net: failed"
	wanted=$("$BINARY" modules) || die "$BINARY modules: failed"
	for mod in $net $wanted "${MODULES[@]}"; do
		if ! rel=$(module_files "$base" "$ver" "$mod"); then
			say "note: module $mod not in kernel $ver, skipped"
			continue
		fi
		for f in $rel; do
			[[ -e "$dst/$f" ]] && continue
			mkdir -p "$dst/$(dirname "$f")"
			cp "$moddir/$f" "$dst/$f"
			count=$((count + 1))
		done
	done
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[[ -f "$moddir/$f" ]] && cp "$moddir/$f" "$dst/$f"
	done
	compress_modules "$dst"
	depmod -b "$STAGING" "$ver"
	say "$count kernel modules for $ver (kept compressed: $MODULE_COMPRESS)"
}

# Compress every .ko under $1 as MODULE_COMPRESS says (the file then ends in .ko.zst or .ko.xz;
# depmod names it so), in the kernel's own way (xz with CRC32, as the kernel's build does).
compress_modules() {
	local ext=${MODULE_COMPRESS/zstd/zst}
	case "$MODULE_COMPRESS" in
	none) return 0 ;;
	zstd) find "$1" -name '*.ko' -print0 | xargs -0 -r zstd -q -19 --rm ;;
	xz) find "$1" -name '*.ko' -print0 | xargs -0 -r xz -q --check=crc32 --lzma2=dict=1MiB ;;
	esac
	[[ ! -f "$1/modules.order" ]] || sed -i "s/\.ko\$/.ko.$ext/" "$1/modules.order"
}

# Copy each --extra SRC:DEST into the image.
install_extras() {
	local spec src dest
	for spec in "${EXTRAS[@]}"; do
		src=${spec%%:*}
		dest=${spec#*:}
		[[ "$dest" == */ ]] && dest="$dest$(basename "$src")"
		mkdir -p "$STAGING$(dirname "$dest")"
		cp -RL --preserve=mode "$src" "$STAGING$dest"
		say "extra: $src -> $dest"
	done
}

# Fail unless the loader of host executable $1 is in the image and, inside the
# image, resolves every library of the image's copy $2 (an absolute path there).
verify_loader() {
	local interp listing
	interp=$(elf_interpreter "$1")
	[[ -n "$interp" ]] || return 0
	[[ -x "$STAGING$interp" ]] || die "verify: loader $interp of $2 missing from the image"
	listing=$(chroot "$STAGING" "$interp" --list "$2" 2>&1) ||
		die "verify: $interp --list $2 failed in the image: $listing"
	[[ "$listing" != *"not found"* ]] ||
		die "verify: unresolved libraries of $2 in the image: $listing"
}

# Fail unless the image holds every library, the loaders, /init, the --exec
# executables and the device nodes, and the loader inside the image resolves
# all libraries of /init and of each --exec executable.
verify_staging() {
	local lib exe
	for lib in "${LIBS[@]}"; do
		[[ -f "$STAGING$lib" ]] || die "verify: $lib missing from the image"
	done
	verify_loader "$BINARY" /init
	for exe in "${EXECS[@]}"; do
		[[ -f "$STAGING$exe" && -x "$STAGING$exe" ]] || die "verify: $exe missing from the image"
		verify_loader "$exe" "$exe"
	done
	[[ -x "$STAGING/init" ]] || die "verify: /init missing"
	[[ -c "$STAGING/dev/console" ]] || die "verify: /dev/console missing"
	[[ -f "$(echo "$STAGING"/lib/modules/*/modules.alias)" ]] ||
		die "verify: modules.alias missing"
}

# Compress stdin to stdout with COMPRESS, in the kernel's formats: xz with
# CRC32 (the kernel's xz decoder has no CRC64), zstd single-threaded (the same
# output whatever the machine's core count).
compress() {
	case "$COMPRESS" in
	gzip) gzip -9 -n ;;
	xz) xz -9 --check=crc32 -T1 ;;
	zstd) zstd -19 -T1 -q ;;
	esac
}

# Write the staging dir as a compressed newc cpio to OUT, atomically.
write_archive() {
	local tmp="$OUT.tmp.$$"
	mkdir -p "$(dirname "$OUT")"
	find "$STAGING" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
	(cd "$STAGING" && find . | LC_ALL=C sort |
		cpio -o -H newc --reproducible -R 0:0 --quiet) | compress >"$tmp"
	mv -f "$tmp" "$OUT"
}

# Print the size of OUT (compressed and not), the compressor and the number of
# entries in the image.
report() {
	local bytes raw entries files
	bytes=$(stat -c %s "$OUT")
	raw=$(du -sb --apparent-size "$STAGING" | cut -f1)
	entries=$(cd "$STAGING" && find . | wc -l)
	files=$(find "$STAGING" -type f | wc -l)
	say "$OUT: $bytes bytes ($(mib "$bytes") MiB, $COMPRESS) from $(mib "$raw") MiB," \
		"$entries entries, $files regular files"
}

# Print byte count $1 in MiB with one decimal.
mib() {
	awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'
}

# Remove the staging directory.
cleanup() {
	[[ -n "$STAGING" ]] && rm -rf "$STAGING"
	return 0
}

# Build the image.
main() {
	parse_args "$@"
	STAGING=$(mktemp -d "${TMPDIR:-/tmp}/pxeroot-initramfs.XXXXXX")
	trap cleanup EXIT
	make_skeleton
	install_binary
	install_libs
	install_execs
	install_files
	make_device_nodes
	install_modules
	install_extras
	verify_staging
	write_archive
	report
}

main "$@"
