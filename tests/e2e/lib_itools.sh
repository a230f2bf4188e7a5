# shellcheck shell=bash
# initramfs-tools in the lab; `source` it after lib.sh. Debian's real mkinitramfs builds an image
# for the lab kernel with the project's hook and scripts in a private configuration directory
# (nothing of the host's /etc/initramfs-tools or /usr/share/initramfs-tools is changed): in a
# mount namespace of its own, /lib/modules/VER is the lab kernel's modules and /boot holds its
# config, which mkinitramfs reads for the compressors the kernel supports.
#
#   itools_image — build (or reuse, when newer than the binary and the project's
#       initramfs-tools files) build/initramfs-tools/pxeroot.img: sets INITRD

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

# Build image $1 with mkinitramfs (the caller holds the lock).
itools_build() {
	local img=$1 kver conf start
	[[ -s "$LAB_ROOT/build/kernel/version" ]] || lab_die "build/kernel missing (make kernel)"
	kver=$(cat "$LAB_ROOT/build/kernel/version")
	conf=$(mktemp -d "$LAB_TMP/itools-conf.XXXXXX")
	cp -a /etc/initramfs-tools/. "$conf/"
	# zstd, and only the modules the hooks add (pxeroot's hook: its list and the NIC drivers), not
	# MODULES=most's every storage and file system driver: a smaller image, built faster
	sed -i -e 's/^COMPRESS=.*/COMPRESS=zstd/' -e 's/^MODULES=.*/MODULES=list/' "$conf/initramfs.conf"
	mkdir -p "$conf/hooks" "$conf/scripts/init-top"
	cp "$LAB_ROOT/initramfs-tools/hooks/pxeroot" "$conf/hooks/"
	cp "$LAB_ROOT/initramfs-tools/scripts/pxeroot" "$conf/scripts/"
	cp "$LAB_ROOT/initramfs-tools/scripts/init-top/pxeroot" "$conf/scripts/init-top/"
	start=$EPOCHREALTIME
	# shellcheck disable=SC2016  # expanded by the inner sh, from its arguments
	if ! PXEROOT_BIN="$LAB_ROOT/build/pxeroot" PXEROOT_CONFDIR=/nonexistent unshare -m sh -ec '
		mkdir -p /lib/modules
		mount -t tmpfs lab /lib/modules
		mkdir "/lib/modules/$1"
		mount --bind "$2/lib/modules/$1" "/lib/modules/$1"
		mount -t tmpfs lab /boot
		cp "$2/boot/config-$1" /boot/
		mkinitramfs -d "$3" -o "$4" "$1"' sh "$kver" "$LAB_ROOT/build/kernel" "$conf" "$img.new" \
		</dev/null >"$LAB_TMP/mkinitramfs.log" 2>&1; then
		tail -n 30 "$LAB_TMP/mkinitramfs.log" | sed 's/^/#   /'
		lab_die "mkinitramfs failed building $img"
	fi
	mv "$img.new" "$img"
	lab_note "initramfs-tools: built $img ($(stat -c %s "$img") bytes) in $(lab_elapsed "$start") s"
}

# Build or reuse build/initramfs-tools/pxeroot.img under a lock; set INITRD.
itools_image() {
	local img="$ITOOLS_DIR/pxeroot.img" fd
	lab_tmpdir
	lab_need mkinitramfs unshare flock zstd
	mkdir -p "$ITOOLS_DIR"
	exec {fd}>"$ITOOLS_DIR/.lock"
	flock "$fd"
	if itools_stale "$img"; then
		itools_build "$img"
	else
		lab_note "initramfs-tools: cached $img ($(stat -c %s "$img") bytes)"
	fi
	exec {fd}>&-
	export INITRD=$img
}
