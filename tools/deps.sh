#!/usr/bin/env bash
# Install the Debian packages a task needs, and only the missing ones.
#
#   tools/deps.sh [GROUP...]     GROUP: build | lab | fuzz | bench | static | all  (default: build lab)
#
# Idempotent: when every package is already installed it does nothing and
# needs no privileges. Otherwise it must run as root; it never reads stdin.
set -euo pipefail

readonly GROUP_BUILD=(build-essential pkg-config libcurl4-openssl-dev libssl-dev libblkid-dev libsquashfs-dev libkmod-dev zlib1g-dev libzstd-dev liblzma-dev)
# dnsmasq-base: the dnsmasq binary alone. The "dnsmasq" package adds a system
# service that starts on install and can register itself as the host's
# resolver; the lab only runs its own instances inside test network namespaces.
# e2fsprogs, erofs-utils, xorriso: the ext4, erofs and ISO test images (mkfs.ext4 -d, mkfs.erofs).
# zstd: the dracut images' compressor. systemd: the dracut images of the systemd flavour take it
# from the build host (dracut-core only recommends it; a container or chroot has none), and
# systemd-sysv its poweroff, which dracut's emergency path runs for rd.emergency=poweroff.
# nfs-ganesha, nfs-ganesha-vfs, rpcbind: the userspace NFS v3/v4 server of the NFS scenarios
# (tests/e2e/lib_nfs.sh runs its own rpcbind and ganesha on 127.0.0.1; no kernel nfsd needed).
# netbase: /etc/services, where rpcbind and rpcinfo look up "sunrpc" (a minimal Debian has none).
# syslinux-common (memdisk), isolinux, syslinux-utils (memdiskfind, the reference for memdisk-find).
# casync: the chunked images (casync make) and the peer pxeroot's chunked fetch is compared with (casync extract).
# jq: the boot report's documents checked as JSON (tests/e2e/lib_report.sh).
readonly GROUP_LAB=(qemu-system-x86 busybox-static squashfs-tools nginx-light kmod cpio ca-certificates gzip openssl dnsmasq-base iproute2 gnupg gpgv curl dracut-core e2fsprogs erofs-utils xorriso zstd systemd systemd-sysv nfs-ganesha nfs-ganesha-vfs rpcbind netbase syslinux-common isolinux syslinux-utils ipxe-qemu ovmf systemd-boot-efi sbsigntool mtools dosfstools groff-base debootstrap initramfs-tools-core casync jq)
readonly GROUP_FUZZ=(clang libclang-rt-14-dev)
# make static (tools/static-libs.sh): apt-get source (dpkg-dev, patch) and the autotools that
# regenerate curl's and kmod's build files after Debian's patches; the .a files of the other
# libraries come with the build group's -dev packages.
readonly GROUP_STATIC=(dpkg-dev patch autoconf automake libtool file)
# dmsetup, isc-dhcp-client, iputils-arping: what dracut's own livenet image takes from the build
# host (tests/bench/dracut_livenet.sh); its dracut modules come from a private tree, not installed.
readonly GROUP_BENCH=(dmsetup isc-dhcp-client iputils-arping)

# Print usage on stderr and exit with status $1.
usage() {
	echo "usage: $0 [build|lab|fuzz|bench|static|all]..." >&2
	exit "$1"
}

# Print the packages of group $1 (one per line); fail on an unknown group.
group_packages() {
	case "$1" in
	build) printf '%s\n' "${GROUP_BUILD[@]}" ;;
	lab) printf '%s\n' "${GROUP_LAB[@]}" ;;
	fuzz) printf '%s\n' "${GROUP_FUZZ[@]}" ;;
	bench) printf '%s\n' "${GROUP_BENCH[@]}" ;;
	static) printf '%s\n' "${GROUP_STATIC[@]}" ;;
	all) printf '%s\n' "${GROUP_BUILD[@]}" "${GROUP_LAB[@]}" "${GROUP_FUZZ[@]}" "${GROUP_BENCH[@]}" "${GROUP_STATIC[@]}" ;;
	-h | --help) usage 0 ;;
	*)
		echo "deps: unknown group '$1'" >&2
		usage 2
		;;
	esac
}

# Succeed when package $1 is fully installed.
is_installed() {
	local status
	status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]]
}

# Print the packages among the arguments that are not installed.
missing_packages() {
	local pkg
	for pkg in "$@"; do
		is_installed "$pkg" || echo "$pkg"
	done
}

# Install the packages given as arguments with apt-get, non-interactively.
apt_install() {
	if [[ $EUID -ne 0 ]]; then
		echo "deps: missing packages: $*" >&2
		echo "deps: run as root (e.g. sudo $0 ...) or install them yourself" >&2
		exit 1
	fi
	echo "deps: installing: $*"
	apt-get update -q </dev/null
	# another apt run (a parallel test's install) holds the lock for a while: wait for it
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "$@" </dev/null
}

# Collect the packages of all requested groups and install those missing.
main() {
	local groups=("$@") pkgs=() missing=() g
	[[ ${#groups[@]} -gt 0 ]] || groups=(build lab)
	for g in "${groups[@]}"; do
		group_packages "$g" >/dev/null
		mapfile -t -O "${#pkgs[@]}" pkgs < <(group_packages "$g")
	done
	mapfile -t missing < <(missing_packages "${pkgs[@]}" | sort -u)
	if [[ ${#missing[@]} -eq 0 ]]; then
		echo "deps: ${groups[*]}: all ${#pkgs[@]} packages installed"
		return 0
	fi
	apt_install "${missing[@]}"
	mapfile -t missing < <(missing_packages "${pkgs[@]}")
	if [[ ${#missing[@]} -gt 0 ]]; then
		echo "deps: still missing after install: ${missing[*]}" >&2
		exit 1
	fi
	echo "deps: ${groups[*]}: done"
}

main "$@"
