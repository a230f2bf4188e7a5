#!/usr/bin/env bash
# Fetch and unpack Debian's current amd64 kernel for the QEMU test lab.
#
#   tools/kernel.sh OUTDIR        (make kernel: OUTDIR=build/kernel)
#
# Result: OUTDIR/vmlinuz, OUTDIR/lib/modules/VER/ (with modules.dep from
# depmod) and OUTDIR/version. Runs once: when OUTDIR already holds a kernel
# and a modules.dep it only prints the version.
# KERNEL_PKG=linux-image-X overrides the package name.
set -euo pipefail

WORK_DIR=""

# Print an error and exit 1.
die() {
	echo "kernel: $*" >&2
	exit 1
}

# Print the version of an already prepared OUTDIR ($1), or fail if there is none.
cached_version() {
	local out=$1 dep
	[[ -f "$out/vmlinuz" ]] || return 1
	for dep in "$out"/lib/modules/*/modules.dep; do
		[[ -f "$dep" ]] || return 1
		if [[ -s "$out/version" ]]; then
			cat "$out/version"
		else
			basename "$(dirname "$dep")"
		fi
		return 0
	done
	return 1
}

# Print what apt's lists say linux-image-amd64 depends on (empty if unknown).
lookup_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n1
}

# Print the versioned kernel package that linux-image-amd64 depends on.
kernel_package() {
	local pkg
	if [[ -n "${KERNEL_PKG:-}" ]]; then
		echo "$KERNEL_PKG"
		return 0
	fi
	pkg=$(lookup_package)
	if [[ -z "$pkg" ]]; then
		# empty or stale package lists (a fresh machine): refresh once
		apt-get update -q </dev/null >&2 || true
		pkg=$(lookup_package)
	fi
	[[ -n "$pkg" ]] || die "cannot find the package behind linux-image-amd64 (apt-cache depends)"
	echo "$pkg"
}

# Download package $1 into directory $2 and print the path of the .deb.
download_deb() {
	local pkg=$1 dir=$2 deb
	# apt drops privileges to _apt for downloads: let it write here.
	chmod 777 "$dir"
	if ! (cd "$dir" && apt-get download -q "$pkg" </dev/null) >&2; then
		apt-get update -q </dev/null >&2 || true
		(cd "$dir" && apt-get download -q "$pkg" </dev/null) >&2 ||
			die "apt-get download $pkg failed"
	fi
	deb=$(find "$dir" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
	[[ -n "$deb" ]] || die "no .deb for $pkg after download"
	echo "$deb"
}

# Print the kernel version found in the unpacked tree $1 (from boot/vmlinuz-VER).
unpacked_version() {
	local f
	for f in "$1"/boot/vmlinuz-*; do
		[[ -f "$f" ]] || die "no boot/vmlinuz-* in $1"
		echo "${f##*/vmlinuz-}"
		return 0
	done
}

# Unpack .deb $1 into $2, install vmlinuz, run depmod and record the version.
unpack_kernel() {
	local deb=$1 out=$2 ver
	dpkg -x "$deb" "$out"
	ver=$(unpacked_version "$out")
	[[ -d "$out/lib/modules/$ver" ]] || die "no lib/modules/$ver in $deb"
	cp "$out/boot/vmlinuz-$ver" "$out/vmlinuz"
	depmod -b "$out" "$ver"
	echo "$ver" >"$out/version"
	echo "$ver"
}

# Prepare OUTDIR ($1) unless it is already prepared.
main() {
	local out=${1:-} ver pkg deb
	[[ -n "$out" && $# -eq 1 ]] || die "usage: $0 OUTDIR"
	if ver=$(cached_version "$out"); then
		echo "kernel: $out: cached, version $ver"
		return 0
	fi
	command -v depmod >/dev/null || die "depmod not found (install kmod: tools/deps.sh lab)"
	mkdir -p "$out"
	pkg=$(kernel_package)
	WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pxeroot-kernel.XXXXXX")
	trap 'rm -rf "$WORK_DIR"' EXIT
	echo "kernel: downloading $pkg"
	deb=$(download_deb "$pkg" "$WORK_DIR")
	echo "kernel: unpacking ${deb##*/} into $out"
	ver=$(unpack_kernel "$deb" "$out")
	echo "kernel: $out/vmlinuz, $out/lib/modules/$ver (depmod done), version $ver"
}

main "$@"
