#!/usr/bin/env bash
# Build the libraries `make static` links that Debian ships no static archive of: libcurl and
# libkmod, each from Debian's own source package (the version the host's -dev package was built
# from), configured with only what pxeroot uses, installed into DIR/prefix (include/, lib/,
# lib/pkgconfig/). The other libraries (libcrypto, libssl, libblkid, libsquashfs, zlib, zstd,
# xz) are the .a files of the host's -dev packages.
#
#   tools/static-libs.sh [DIR]        as root when packages are missing; DIR default build/static
#
# The sources come through a private apt configuration under DIR/apt: deb-src entries made at run
# time from the host's own apt sources (same URIs, suites, components, keys), its own lists and
# cache; /etc/apt is only read. A library is built once per source version: DIR/prefix/stamps/
# NAME names the version installed (and a hash of its build flags), and a second run with the same
# versions builds nothing.
# DIR/prefix/stamps/libs is rewritten only when a library was built, for make to relink.
#
# Name resolution stays glibc's, no c-ares: curl's threaded resolver and the agent's own
# getaddrinfo (an NFS server's name) use it. glibc 2.36 has the "files" and "dns" NSS services
# inside libc, the static libc too: with no /etc/nsswitch.conf (the initramfs) or "hosts: files
# dns", /etc/hosts then the servers of /etc/resolv.conf, nothing loaded. Another service named in
# nsswitch.conf (mdns4_minimal, myhostname, systemd) is dlopen()ed: when absent it is skipped as
# unavailable; when present it brings a second, shared libc (what ld's getaddrinfo warning is
# about). c-ares would serve curl only, reading the same two files a second way.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tools/lib_apt.sh
source "$ROOT/tools/lib_apt.sh"
JOBS=$(nproc)

# curl: HTTP and HTTPS (OpenSSL), TFTP, proxies (HTTP CONNECT, HTTPS proxies); nothing else.
readonly CURL_FLAGS=(--disable-shared --enable-static --with-openssl --without-gnutls --without-nss
	--without-wolfssl --without-mbedtls --without-rustls --without-bearssl --without-libssh
	--without-libssh2 --without-librtmp --without-libidn2 --without-libpsl --without-brotli
	--without-zstd --without-nghttp2 --without-ngtcp2 --without-nghttp3 --without-quiche
	--without-msh3 --without-hyper --without-libgsasl --without-gssapi --without-winidn
	--with-zlib --enable-http --enable-tftp --enable-proxy --enable-threaded-resolver
	--disable-ares --disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet
	--disable-pop3 --disable-imap --disable-smb --disable-smtp --disable-gopher --disable-mqtt
	--disable-ftp --disable-file --disable-manual --disable-ntlm --disable-ntlm-wb --disable-alt-svc
	--disable-hsts --disable-cookies --disable-netrc --disable-doh --disable-websockets --disable-mime
	--disable-get-easy-options --disable-libcurl-option
	--disable-unix-sockets --disable-dependency-tracking --without-ca-fallback --disable-tls-srp
	--with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --with-ca-path=/etc/ssl/certs)
# kmod: the library alone; modules plain, .ko.xz or .ko.zst; no libcrypto signature printing.
readonly KMOD_FLAGS=(--with-xz --with-zstd --with-zlib
	--without-openssl --disable-tools --disable-manpages --disable-test-modules --disable-debug
	--disable-python --disable-dependency-tracking)

# Print usage on stderr and exit with status $1.
usage() {
	echo "usage: $0 [DIR]   (default build/static)" >&2
	exit "$1"
}

# Print a message on stderr and exit with status 1.
die() {
	echo "static-libs: $*" >&2
	exit 1
}

# Print the source version the installed binary package $1 was built from.
source_version() {
	dpkg-query -W -f='${source:Version}' "$1" 2>/dev/null || die "package $1 is not installed"
}

# Print the host's apt sources as deb-src entries: deb822 stanzas with Types: deb-src, one-line
# "deb" entries as "deb-src"; URIs, suites, components and keys as the host has them.
deb_src_entries() {
	local f
	while IFS= read -r f; do
		case "$f" in
		*.sources) sed -E 's/^Types:.*/Types: deb-src/' "$f" && echo ;;
		*) sed -n -E 's/^deb([[:space:]])/deb-src\1/p' "$f" ;;
		esac
	done < <(apt_sources)
}

# Write the private apt configuration under $1 (its sources, lists and cache) and print the
# options that select it.
apt_private() {
	local dir
	dir=$(realpath -m "$1")
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/parts"
	: >"$dir/sources.list"
	deb_src_entries >"$dir/sources.sources.new"
	[[ -s "$dir/sources.sources.new" ]] || die "no apt sources found in /etc/apt"
	mv "$dir/sources.sources.new" "$dir/parts/host-src.sources"
	printf '%s\n' -o "Dir::Etc::SourceList=$dir/sources.list" -o "Dir::Etc::SourceParts=$dir/parts" \
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" \
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Sandbox::User=root"
}

# Unpack source package $1 version $2 (Debian's patches applied) under $3 once, with the private
# apt configuration in the remaining arguments; print the source tree's path.
fetch_source() {
	local pkg=$1 ver=$2 dir=$3 tree
	shift 3
	tree="$dir/$pkg-$ver"
	if [[ ! -f "$tree/.unpacked" ]]; then
		rm -rf "$tree" "$dir/work"
		mkdir -p "$dir/work"
		apt-get "$@" -q update </dev/null >&2 || die "apt-get update (private lists) failed"
		(cd "$dir/work" && apt-get "$@" -q source --only-source "$pkg=$ver" </dev/null >&2) ||
			die "apt-get source $pkg=$ver failed"
		mv "$(find "$dir/work" -mindepth 1 -maxdepth 1 -type d | head -n 1)" "$tree"
		rm -rf "$dir/work"
		touch "$tree/.unpacked"
	fi
	echo "$tree"
}

# Make curl's tree $1 the source of Debian's OpenSSL flavour once: its rules pop the last two
# patches of the series (the GnuTLS and NSS renames) before configuring; then regenerate the
# build files the patches touched.
curl_prepare() {
	local tree=$1 p
	[[ -f "$tree/.prepared" ]] && return 0
	while IFS= read -r p; do
		patch -d "$tree" -R -p1 -s <"$tree/debian/patches/$p"
	done < <(grep -v -E '^[[:space:]]*(#|$)' "$tree/debian/patches/series" | tail -n 2 | tac)
	(cd "$tree" && autoreconf -fi >/dev/null 2>&1) || die "autoreconf in $tree failed"
	touch "$tree/.prepared"
}

# Make kmod's tree $1 (a git snapshot, no configure) ready to configure once, without gtk-doc.
kmod_prepare() {
	local tree=$1
	[[ -f "$tree/.prepared" ]] && return 0
	touch "$tree/libkmod/docs/gtk-doc.make"
	(cd "$tree" && autoreconf -fi >/dev/null 2>&1) || die "autoreconf in $tree failed"
	touch "$tree/.prepared"
}

# Build and install what pxeroot links of curl (the library, its headers, libcurl.pc).
curl_install() {
	make -C lib -j"$JOBS" && make -C lib install && make -C include install &&
		make install-pkgconfigDATA
}

# Build and install what pxeroot links of kmod (tree $2) into prefix $1. Its configure refuses
# --enable-static, so the archive is made from libkmod-internal.a, the static libkmod (with its
# shared/ helpers) kmod's own tools link, as the shared library is: one object whose only global
# symbols are those of libkmod.sym (its helpers, such as mkdir_p, stay inside). Installed as
# libkmod.a beside libkmod.h and libkmod.pc.
kmod_install() {
	make -j"$JOBS" libkmod/libkmod-internal.la libkmod/libkmod.pc &&
		make install-includeHEADERS install-pkgconfigDATA &&
		sed -n -E 's/^[[:space:]]*(kmod_[a-z0-9_]+);.*/\1/p' "$2/libkmod/libkmod.sym" >libkmod.syms &&
		ld -r --whole-archive libkmod/.libs/libkmod-internal.a -o libkmod.o &&
		objcopy --keep-global-symbols=libkmod.syms libkmod.o &&
		rm -f "$1/lib/libkmod.a" && ar rcs "$1/lib/libkmod.a" libkmod.o
}

# Configure source package $1's tree $2 out of tree in $3 with the flags that follow, build and
# install it into prefix $4 with ${1}_install (the output in $3/build.log).
build_autotools() {
	local pkg=$1 tree=$2 obj=$3 prefix=$4 cflags
	shift 4
	cflags="$(dpkg-buildflags --get CFLAGS) -ffunction-sections -fdata-sections"
	rm -rf "$obj"
	mkdir -p "$obj"
	echo "static-libs: building $pkg in $obj" >&2
	(cd "$obj" && "$tree/configure" --prefix="$prefix" --libdir="$prefix/lib" "$@" \
		CFLAGS="$cflags" CPPFLAGS="$(dpkg-buildflags --get CPPFLAGS)" && "${pkg}_install" "$prefix" "$tree") \
		>"$obj/build.log" 2>&1 || die "$pkg failed to build (see $obj/build.log)"
}

# Build library $1 (source package $2, Debian's version $3) into DIR $4's prefix unless its stamp
# names that version and the same build flags (those that follow) already.
build_lib() {
	local name=$1 pkg=$2 ver=$3 dir=$4 stamp tree apt_opts key
	shift 4
	stamp="$dir/prefix/stamps/$name"
	key="$ver flags:$(printf '%s\n' "$@" | sha256sum | cut -c1-12)"
	[[ "$(cat "$stamp" 2>/dev/null)" == "$key" ]] && return 0
	mapfile -t apt_opts < <(apt_private "$dir/apt")
	tree=$(fetch_source "$pkg" "$ver" "$dir/src" "${apt_opts[@]}")
	"${pkg}_prepare" "$tree"
	build_autotools "$pkg" "$tree" "$dir/obj-$pkg" "$dir/prefix" "$@"
	mkdir -p "$dir/prefix/stamps"
	echo "$key" >"$stamp"
}

# Rewrite DIR $1's stamps/libs (what make relinks on) when its content changes.
write_libs_stamp() {
	local stamps=$1/prefix/stamps
	cat "$stamps/libcurl" "$stamps/libkmod" | cmp -s - "$stamps/libs" ||
		cat "$stamps/libcurl" "$stamps/libkmod" >"$stamps/libs"
}

# Build what is missing, then say which versions DIR's prefix holds.
main() {
	[[ $# -le 1 ]] || usage 2
	[[ "${1:-}" != -h && "${1:-}" != --help ]] || usage 0
	local dir
	dir=$(realpath -m "${1:-$ROOT/build/static}")
	"$ROOT/tools/deps.sh" build static >&2
	build_lib libcurl curl "$(source_version libcurl4-openssl-dev)" "$dir" "${CURL_FLAGS[@]}"
	build_lib libkmod kmod "$(source_version libkmod-dev)" "$dir" "${KMOD_FLAGS[@]}"
	write_libs_stamp "$dir"
	echo "static-libs: $dir/prefix: libcurl $(cut -d' ' -f1 "$dir/prefix/stamps/libcurl"), libkmod $(cut -d' ' -f1 "$dir/prefix/stamps/libkmod")"
}

main "$@"
