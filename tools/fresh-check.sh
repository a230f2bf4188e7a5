#!/usr/bin/env bash
# Run `make check` (or other targets) on a fresh Debian bookworm: the check that the package
# lists of tools/deps.sh are complete. For contributors; CI does not run it.
#
#   tools/fresh-check.sh [--target 'TARGET...'] [DIR]      as root
#
# DIR (default build/fresh) holds base/, a minimal bookworm (debootstrap --variant=minbase,
# made once and kept), root/, a copy of base/ made for each run, and apt-archives/, the .deb
# files downloaded so far (bind-mounted into root/, so packages are installed afresh each run but
# downloaded once). The mirror is the host's: read from its apt sources, which are copied into
# the tree. The committed tree (git clone of HEAD: uncommitted changes are not tested) is cloned
# to /root/pxeroot inside; `make` is installed (the one package make check cannot install
# itself), then `make TARGET...` (default: FRESH_TARGET, else check) runs there as root through
# chroot, in a mount namespace of its own: /proc, /sys, /dev (with /dev/pts and /dev/net/tun for
# the lab's tap devices), a tmpfs on /run, and / a mount point (ip netns needs it). ONLY,
# FUZZ_SECONDS, FUZZ_JOBS, E2E_JOBS and TEST_TIMEOUT are passed on when set. Prints the last
# line of make (the "N passed, N failed" of make check; the whole log is DIR/make.log) and exits
# with make's status.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tools/lib_apt.sh
source "$ROOT/tools/lib_apt.sh"
SUITE=bookworm
CHROOT=""

# Print usage on stderr and exit with status $1.
usage() {
	echo "usage: $0 [--target 'TARGET...'] [DIR]   (as root; default DIR build/fresh, TARGET check)" >&2
	exit "$1"
}

# Print a message on stderr and exit with status 1.
die() {
	echo "fresh-check: $*" >&2
	exit 1
}

# Install debootstrap with apt-get unless it is there.
need_debootstrap() {
	command -v debootstrap >/dev/null && return 0
	echo "fresh-check: installing debootstrap"
	apt-get update -q </dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap </dev/null
}

# Make DIR/base once: a minimal bookworm from the host's mirror.
make_base() {
	local dir=$1 mirror
	[[ -f "$dir/base/.fresh-done" ]] && return 0
	mirror=$(apt_mirror "$SUITE")
	[[ -n "$mirror" ]] || die "no apt source for $SUITE in the host's /etc/apt"
	echo "fresh-check: debootstrap $SUITE into $dir/base"
	rm -rf "$dir/base"
	debootstrap --variant=minbase "$SUITE" "$dir/base" "$mirror" >"$dir/debootstrap.log" 2>&1 ||
		die "debootstrap failed (see $dir/debootstrap.log)"
	touch "$dir/base/.fresh-done"
}

# Make DIR/root afresh from DIR/base: the host's apt sources and resolver, the committed tree.
make_root() {
	local dir=$1 f key
	grep -q " $dir/root[/ ]" /proc/self/mountinfo && die "something is mounted under $dir/root"
	echo "fresh-check: copying $dir/base to $dir/root"
	rm -rf "$dir/root"
	cp -a "$dir/base" "$dir/root"
	# no service a package installs (nginx) is started: the chroot shares the host's network
	printf '#!/bin/sh\nexit 101\n' >"$dir/root/usr/sbin/policy-rc.d"
	chmod 0755 "$dir/root/usr/sbin/policy-rc.d"
	rm -f "$dir/root/etc/apt/sources.list"
	while IFS= read -r f; do
		cp "$f" "$dir/root$f"
		while IFS= read -r key; do # keyrings the sources name, when the tree lacks them
			if [[ -f "$key" && ! -e "$dir/root$key" ]]; then
				install -D -m 0644 "$key" "$dir/root$key"
			fi
		done < <(sed -n -E 's/.*[Ss]igned-[Bb]y[:=][[:space:]]*([^] ]+).*/\1/p' "$f")
	done < <(apt_sources)
	cp -L /etc/resolv.conf "$dir/root/etc/resolv.conf"
	# what an installed machine has and debootstrap leaves out
	printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$dir/root/etc/hosts"
	mkdir -p "$dir/apt-archives/partial"
	git clone -q "$ROOT" "$dir/root/root/pxeroot"
	echo "fresh-check: cloned $(git -C "$dir/root/root/pxeroot" log -1 --format='%h %s' | cut -c1-72)"
}

# Unmount everything under the chroot (EXIT trap of the inner part).
cleanup_mounts() {
	[[ -n "$CHROOT" ]] && mountpoint -q "$CHROOT" && umount -R -l "$CHROOT"
	return 0
}

# Inside the new mount namespace: mount what the tests need under DIR/root, run make TARGETS
# there, print its last line and return its status.
inside() {
	local dir=$1 targets=$2 rc=0 var envs=()
	CHROOT="$dir/root"
	trap cleanup_mounts EXIT
	mount --bind "$CHROOT" "$CHROOT"
	mount -t proc proc "$CHROOT/proc"
	mount -t sysfs sysfs "$CHROOT/sys"
	mount --rbind /dev "$CHROOT/dev"
	mount -t tmpfs -o mode=0755 tmpfs "$CHROOT/run"
	mount --bind "$dir/apt-archives" "$CHROOT/var/cache/apt/archives"
	for var in ONLY FUZZ_SECONDS FUZZ_JOBS E2E_JOBS TEST_TIMEOUT; do
		if [[ -n "${!var:-}" ]]; then envs+=("$var=${!var}"); fi
	done
	echo "fresh-check: make $targets (log: $dir/make.log)"
	# shellcheck disable=SC2016 # expanded by the shell inside the chroot
	chroot "$CHROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 "${envs[@]}" /bin/bash -c '
		set -e
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q && apt-get install -y -q --no-install-recommends make
		cd /root/pxeroot && exec make $0' "$targets" </dev/null >"$dir/make.log" 2>&1 || rc=$?
	tail -n 1 "$dir/make.log"
	return "$rc"
}

# Parse the arguments, prepare the tree and run the inner part in a mount namespace of its own.
main() {
	local dir="$ROOT/build/fresh" targets=${FRESH_TARGET:-check}
	if [[ "${1:-}" == --inside ]]; then
		inside "$2" "$3"
		return
	fi
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--target)
			[[ $# -ge 2 ]] || usage 2
			targets=$2
			shift 2
			;;
		-h | --help) usage 0 ;;
		-*) usage 2 ;;
		*)
			dir=$1
			shift
			;;
		esac
	done
	[[ $EUID -eq 0 ]] || die "run as root (debootstrap, mounts, chroot)"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	need_debootstrap
	make_base "$dir"
	make_root "$dir"
	unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}" --inside "$dir" "$targets"
}

main "$@"
