# shellcheck shell=bash
# initramfs-tools in the lab; `source` it after lib.sh. Debian's real mkinitramfs builds an image
# for the lab kernel with the project's hook and scripts in a private configuration directory
# (nothing of the host's /etc/initramfs-tools or /usr/share/initramfs-tools is changed): in a
# mount namespace of its own, /lib/modules/VER is the lab kernel's modules and /boot holds its
# config, which mkinitramfs reads for the compressors the kernel supports.
#
#   itools_image — build (or reuse, when newer than the binary and the project's
#       initramfs-tools files) build/initramfs-tools/pxeroot.img: sets INITRD
#   itools_cached IMG STALE BUILD — reuse IMG, or build it with command BUILD when STALE says so
#       (a lock beside IMG): sets INITRD
#   itools_conf — print a private copy of /etc/initramfs-tools (zstd, MODULES=list)
#   itools_mkinitramfs CONF IMG [OVERLAY] — mkinitramfs -d CONF for the lab kernel into IMG,
#       OVERLAY/usr laid over /usr for that build only

ITOOLS_DIR="$LAB_ROOT/build/initramfs-tools"

# Succeed when image $1 is missing or older than what goes into it.
itools_stale() {
	local img=$1 f
	[[ -f "$img" ]] || return 0
	for f in "$LAB_ROOT/build/pxeroot" "$LAB_ROOT"/initramfs-tools/hooks/* "$LAB_ROOT"/initramfs-tools/scripts/pxeroot \
		"$LAB_ROOT"/initramfs-tools/scripts/init-top/* "${BASH_SOURCE[0]}"; do
		[[ "$f" -nt "$img" ]] && return 0
	done
	return 1
}

# Print a new configuration directory for mkinitramfs: the host's /etc/initramfs-tools with
# zstd, and only the modules the hooks add (pxeroot's hook: its list and the NIC drivers), not
# MODULES=most's every storage and file system driver: a smaller image, built faster.
itools_conf() {
	local conf
	conf=$(mktemp -d "$LAB_TMP/itools-conf.XXXXXX")
	cp -a /etc/initramfs-tools/. "$conf/"
	sed -i -e 's/^COMPRESS=.*/COMPRESS=zstd/' -e 's/^MODULES=.*/MODULES=list/' "$conf/initramfs.conf"
	echo "$conf"
}

# Build image $2 for the lab kernel with mkinitramfs and configuration directory $1, in a mount
# namespace of its own; when $3 is given, that directory's usr/ is laid over /usr (overlayfs,
# read-only) for this build only: files of packages the host does not have.
itools_mkinitramfs() {
	local conf=$1 img=$2 over=${3:-} kver start
	[[ -s "$LAB_ROOT/build/kernel/version" ]] || lab_die "build/kernel missing (make kernel)"
	kver=$(cat "$LAB_ROOT/build/kernel/version")
	start=$EPOCHREALTIME
	# shellcheck disable=SC2016  # expanded by the inner sh, from its arguments
	if ! unshare -m sh -ec '
		[ -z "$5" ] || mount -t overlay lab -o "ro,lowerdir=$5/usr:/usr" /usr
		mkdir -p /lib/modules
		mount -t tmpfs lab /lib/modules
		mkdir "/lib/modules/$1"
		mount --bind "$2/lib/modules/$1" "/lib/modules/$1"
		mount -t tmpfs lab /boot
		cp "$2/boot/config-$1" /boot/
		mkinitramfs -d "$3" -o "$4" "$1"' sh "$kver" "$LAB_ROOT/build/kernel" "$conf" "$img.new" "$over" \
		</dev/null >"$LAB_TMP/mkinitramfs.log" 2>&1; then
		tail -n 30 "$LAB_TMP/mkinitramfs.log" | sed 's/^/#   /'
		lab_die "mkinitramfs failed building $img"
	fi
	mv "$img.new" "$img"
	lab_note "initramfs-tools: built $img ($(stat -c %s "$img") bytes) in $(lab_elapsed "$start") s"
}

# Build image $1 with mkinitramfs, the project's hook and scripts added (the caller holds the lock).
itools_build() {
	local img=$1 conf
	conf=$(itools_conf)
	mkdir -p "$conf/hooks" "$conf/scripts/init-top"
	cp "$LAB_ROOT/initramfs-tools/hooks/pxeroot" "$conf/hooks/"
	cp "$LAB_ROOT/initramfs-tools/scripts/pxeroot" "$conf/scripts/"
	cp "$LAB_ROOT/initramfs-tools/scripts/init-top/pxeroot" "$conf/scripts/init-top/"
	PXEROOT_BIN="$LAB_ROOT/build/pxeroot" PXEROOT_CONFDIR=/nonexistent itools_mkinitramfs "$conf" "$img"
}

# Reuse image $1, or build it with command $3 (given the image) when command $2 (given the
# image) says it is stale, under a lock beside it (one build at a time); set INITRD.
itools_cached() {
	local img=$1 stale=$2 build=$3 fd
	mkdir -p "${img%/*}"
	exec {fd}>"${img%/*}/.lock"
	flock "$fd"
	if "$stale" "$img"; then
		"$build" "$img"
	else
		lab_note "initramfs-tools: cached $img ($(stat -c %s "$img") bytes)"
	fi
	exec {fd}>&-
	export INITRD=$img
}

# Build or reuse build/initramfs-tools/pxeroot.img under a lock; set INITRD.
itools_image() {
	lab_tmpdir
	lab_need mkinitramfs unshare flock zstd
	itools_cached "$ITOOLS_DIR/pxeroot.img" itools_stale itools_build
}
