# shellcheck shell=bash
# A mkinitcpio-style image in the lab; `source` it after lib.sh. Debian ships no mkinitcpio, so
# the image is the standalone one (its libraries and kernel modules) with a stand-in of
# mkinitcpio's init as /init: busybox ash mounts the API filesystems, reads root= from the
# command line, sources each runtime hook of HOOKS and calls its run_hook as mkinitcpio's init
# does, then calls "$mount_handler" /new_root and switches root into it with busybox's
# switch_root. The project's mkinitcpio/hooks/pxeroot is the only hook with a runtime part.
#
#   mkinitcpio_image — build $LAB_TMP/mkinitcpio.img from build/initramfs.img: sets INITRD

# Write the stand-in init ($1) and the functions of mkinitcpio's init_functions a hook uses ($2).
mkinitcpio_write_init() {
	cat >"$1" <<-'EOF2'
		#!/bin/busybox ash
		# stand-in of mkinitcpio's init: what a runtime hook meets, in the same order
		/bin/busybox --install -s /bin
		mount -t proc proc /proc -o nosuid,noexec,nodev
		mount -t sysfs sys /sys -o nosuid,noexec,nodev
		mount -t devtmpfs dev /dev -o mode=0755,nosuid
		mount -t tmpfs run /run -o nosuid,nodev,mode=0755
		. /init_functions
		for word in $(cat /proc/cmdline); do
		    case "$word" in root=*) root=${word#root=} ;; init=*) init=${word#init=} ;; esac
		done
		HOOKS="base udev modconf pxeroot block filesystems"
		for hook in $HOOKS; do
		    [ -r "/hooks/$hook" ] || continue
		    . "/hooks/$hook"
		    msg ":: running hook [$hook]"
		    run_hook
		    unset -f run_hook
		done
		[ -n "$mount_handler" ] || { err "no mount handler: no hook claimed root=$root"; poweroff -f; }
		mkdir -p /new_root
		"$mount_handler" /new_root
		exec switch_root /new_root "${init:-/sbin/init}"
	EOF2
	cat >"$2" <<-'EOF2'
		# the functions of mkinitcpio's init_functions that runtime hooks call
		msg() { echo "$@"; }
		err() { echo "ERROR: $*"; }
		launch_interactive_shell() { echo "mkinitcpio stand-in: no interactive shell here; powering off"; poweroff -f; }
	EOF2
	chmod 0755 "$1"
}

# Build $LAB_TMP/mkinitcpio.img: build/initramfs.img's files, the agent at /usr/bin/pxeroot, static
# busybox, the stand-in init, and mkinitcpio/hooks/pxeroot as /hooks/pxeroot.
mkinitcpio_image() {
	local dir img="$LAB_TMP/mkinitcpio.img"
	lab_tmpdir
	lab_need busybox
	dir=$(mktemp -d "$LAB_TMP/mkinitcpio.XXXXXX")
	lab_unpack_initrd "$LAB_ROOT/build/initramfs.img" "$dir"
	rm -f "$dir/usr/bin/pxeroot"
	mv "$dir/init" "$dir/usr/bin/pxeroot"
	mkdir -p "$dir/bin" "$dir/hooks" "$dir/new_root"
	cp "$(command -v busybox)" "$dir/bin/busybox"
	cp "$LAB_ROOT/mkinitcpio/hooks/pxeroot" "$dir/hooks/pxeroot"
	mkinitcpio_write_init "$dir/init" "$dir/init_functions"
	lab_pack_initrd "$dir" "$img"
	rm -rf "$dir"
	lab_note "mkinitcpio-style image: $img ($(stat -c %s "$img") bytes)"
	export INITRD=$img
}
