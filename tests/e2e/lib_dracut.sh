# shellcheck shell=bash disable=SC2034
# Helpers for the dracut scenarios: a dracut 059 initramfs with the pxeroot
# module (dracut/90pxeroot) for the lab kernel, booted in QEMU. `source` it
# from a scenario after lib.sh (or lib_trust.sh).
#
#   dracut_need                        tools/deps.sh lab (dracut-core is in it)
#   dracut_image NAME FLAVOR [CONFDIR] build (or reuse) build/dracut/NAME.img and set
#                                      INITRD to it; FLAVOR is systemd (systemd in the
#                                      initramfs, as on Fedora or RHEL) or shell
#                                      (dracut's shell init, no systemd); CONFDIR is
#                                      PXEROOT_CONFDIR (default: an empty directory,
#                                      so no trust material)
#   dracut_root_sfs OUT                lib.sh's live root plus /etc/os-release
#   dracut_serve_archiso [BASEDIR]     serve_archiso with that root: sets WEBROOT, HTTP_PORT
#   dracut_live_url [BASEDIR] [ARCH]   the image URL for root=live:
#   dracut_append EXTRA...             kernel command line: dracut's rd.shell=0
#                                      rd.emergency=poweroff plus EXTRA
#   dracut_figure LOG                  print the guest uptime at which the live init ran
#
# The image is built from a copy of /usr/lib/dracut with 90pxeroot added
# (dracutbasedir=), without the host's dracut configuration (--conf /dev/null,
# an empty --confdir) and with the kernel modules of build/kernel (--kmoddir):
# nothing of the host's dracut setup or /lib/modules is read or changed. It is
# rebuilt when build/pxeroot, a file of dracut/90pxeroot, this file, the kernel
# or a trust file is newer. DRACUT_COMPRESS overrides the compressor
# (default "zstd -3 -q -T0": the kernel has CONFIG_RD_ZSTD=y). For images of
# other dracut modules (the benchmarks' dracut livenet): DRACUT_EXTRA_MODULES is
# a modules.d directory copied into the private base, DRACUT_ADD the modules to
# add (default pxeroot), DRACUT_OMIT the modules to leave out (default
# DRACUT_E2E_OMIT).
set -euo pipefail

DRACUT_DIR="$LAB_ROOT/build/dracut"
# dracut modules left out of the test images: dracut's own live and network
# roots (pxeroot does its own network), and the storage modules a network root
# does not need (they hold ~800 kernel modules and double the image).
readonly DRACUT_E2E_OMIT="dmsquash-live livenet network network-legacy network-manager
 kernel-modules kernel-modules-extra kernel-network-modules qemu qemu-net nvdimm crypt dm
 lvm mdraid multipath lunmask resume virtiofs nfs iscsi nbd cifs fcoe"
readonly DRACUT_SYSTEMD_MODULES="systemd systemd-initrd dracut-systemd"

# Install the lab's packages (tools/deps.sh lab, dracut-core among them).
dracut_need() {
	"$LAB_ROOT/tools/deps.sh" lab </dev/null >"$LAB_TMP/deps.log" 2>&1 || {
		sed 's/^/#   /' "$LAB_TMP/deps.log" | tail -n 20
		lab_die "tools/deps.sh lab failed"
	}
}

# Print the lab kernel's version (build/kernel/version).
dracut_kver() {
	[[ -s "$LAB_ROOT/build/kernel/version" ]] || lab_die "build/kernel missing (make kernel)"
	cat "$LAB_ROOT/build/kernel/version"
}

# Succeed when image $1 must be (re)built: missing, or older than the agent,
# the module, this file, the kernel or a file of directory $2.
dracut_stale() {
	local img=$1 confdir=$2 dep
	[[ -f "$img" ]] || return 0
	for dep in "$LAB_ROOT/build/pxeroot" "$LAB_ROOT"/dracut/90pxeroot/* "${BASH_SOURCE[0]}" ${DRACUT_EXTRA_MODULES:+"$DRACUT_EXTRA_MODULES"} \
		"$LAB_ROOT/build/kernel/vmlinuz" "$confdir" "$confdir"/*; do
		[[ -e "$dep" && "$dep" -nt "$img" ]] && return 0
	done
	return 1
}

# Build dracut image $1 of flavor $2 (systemd or shell) with PXEROOT_CONFDIR $3
# (the caller holds the lock).
dracut_build() {
	local img=$1 flavor=$2 confdir=$3 kver base work omit start mod
	kver=$(dracut_kver)
	omit=${DRACUT_OMIT:-$DRACUT_E2E_OMIT}
	case "$flavor" in
	systemd) ;;
	shell) omit="$omit $DRACUT_SYSTEMD_MODULES" ;;
	*) lab_die "dracut_image: unknown flavor '$flavor'" ;;
	esac
	[[ -x "$LAB_ROOT/build/pxeroot" ]] || lab_die "build/pxeroot missing (make)"
	work=$(mktemp -d "$LAB_TMP/dracut.XXXXXX")
	base="$work/base"
	cp -a /usr/lib/dracut "$base"
	cp -a "$LAB_ROOT/dracut/90pxeroot" "$base/modules.d/90pxeroot"
	[[ -z "${DRACUT_EXTRA_MODULES:-}" ]] || cp -a "$DRACUT_EXTRA_MODULES/." "$base/modules.d/"
	mkdir -p "$work/conf.d" "$work/tmp"
	start=$EPOCHREALTIME
	if ! dracutbasedir="$base" PXEROOT_BIN="$LAB_ROOT/build/pxeroot" PXEROOT_CONFDIR="$confdir" \
		dracut --force --conf /dev/null --confdir "$work/conf.d" --tmpdir "$work/tmp" \
		--kver "$kver" --kmoddir "$LAB_ROOT/build/kernel/lib/modules/$kver" \
		--no-hostonly --no-hostonly-cmdline --no-early-microcode \
		--compress "${DRACUT_COMPRESS:-zstd -3 -q -T0}" \
		--add "${DRACUT_ADD:-pxeroot}" --omit "${omit//$'\n'/ }" "$img.new" \
		</dev/null >"$work/dracut.log" 2>&1; then
		tail -n 30 "$work/dracut.log" | sed 's/^/#   /'
		rm -f "$img.new"
		lab_die "dracut failed building $img"
	fi
	for mod in ${DRACUT_ADD:-pxeroot}; do
		grep -q "Including module: $mod \\*\\*\\*" "$work/dracut.log" ||
			lab_die "dracut left out the $mod module (see $work/dracut.log)"
	done
	mv "$img.new" "$img"
	cp "$work/dracut.log" "$img.log"
	lab_note "dracut: built $img ($flavor, $(stat -c %s "$img") bytes) in $(lab_elapsed "$start") s"
	rm -rf "$work"
}

# Make sure build/dracut/$1.img exists and is fresh (flavor $2, PXEROOT_CONFDIR
# $3), under a lock shared with scenarios running at the same time; set INITRD.
dracut_image() {
	local name=${1:?dracut_image NAME FLAVOR [CONFDIR]} flavor=${2:?dracut_image NAME FLAVOR [CONFDIR]}
	local confdir=${3:-} img fd
	lab_tmpdir
	dracut_need
	lab_need dracut flock zstd
	mkdir -p "$DRACUT_DIR"
	if [[ -z "$confdir" ]]; then
		confdir="$DRACUT_DIR/empty-conf"
		mkdir -p "$confdir"
	fi
	img="$DRACUT_DIR/$name.img"
	exec {fd}>"$DRACUT_DIR/.lock"
	flock "$fd"
	if dracut_stale "$img" "$confdir"; then
		dracut_build "$img" "$flavor" "$confdir"
	else
		lab_note "dracut: cached $img ($(stat -c %s "$img") bytes)"
	fi
	exec {fd}>&-
	export INITRD=$img
}

# Build lib.sh's live root as squashfs image $1, with an /etc/os-release:
# systemd's switch-root refuses a new root without one.
dracut_root_sfs() {
	local out=${1:?dracut_root_sfs OUT} dir
	lab_need unsquashfs mksquashfs
	make_root_sfs "$out.base"
	dir=$(mktemp -d "$LAB_TMP/osroot.XXXXXX")
	rmdir "$dir"
	unsquashfs -q -n -d "$dir" "$out.base" >/dev/null
	printf 'NAME="pxeroot e2e"\nID=pxeroot-e2e\n' >"$dir/etc/os-release"
	mksquashfs "$dir" "$out" -noappend -comp xz -all-root -quiet >/dev/null
	rm -rf "$dir" "$out.base"
}

# Like lib.sh's serve_archiso (BASEDIR $1, default arch) with dracut_root_sfs's
# root; set WEBROOT and HTTP_PORT.
dracut_serve_archiso() {
	lab_tmpdir
	WEBROOT="$LAB_TMP/www"
	mkdir -p "$WEBROOT"
	dracut_root_sfs "$LAB_TMP/root.sfs"
	make_archiso_tree "$WEBROOT" "$LAB_TMP/root.sfs" "${1:-arch}"
	nginx_start "$WEBROOT"
}

# Print the URL of the served image (BASEDIR $1, ARCH $2) for root=live:.
dracut_live_url() {
	echo "http://10.0.2.2:$HTTP_PORT/${1:-arch}/${2:-x86_64}/airootfs.sfs"
}

# Print the kernel command line for a dracut boot: no dracut shell, power off on
# a failure (so that QEMU exits), then the words given.
dracut_append() {
	echo "rd.shell=0 rd.emergency=poweroff $*"
}

# Print the guest uptime at which the live root's init started (serial log $1).
dracut_figure() {
	local up
	up=$(lab_log_text "$1" | sed -n 's/.*PXEROOT-E2E: init started uptime=\([0-9.]*\).*/\1/p' | head -n1)
	echo "figure: live init started at uptime ${up:-?} s (dracut, $(stat -c %s "$INITRD") byte initramfs)"
}
