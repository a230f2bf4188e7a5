# shellcheck shell=bash
# The live root and the images that carry it, sourced by lib.sh: a busybox root
# whose /sbin/init prints PXEROOT-E2E: lines (uptime, mounts, /run's use, args, resolv.conf,
# hostname, routes, links, loopback, IPv6, /run/pxeroot/net-*.conf) and powers
# off, as a squashfs, ext2/3/4, erofs or ISO 9660 image; the archiso tree or the
# single image file that nginx serves, and the kernel command lines that boot
# them. lib_trust.sh rebuilds its cached root image when this file changes.
#
# Environment: ROOT_PAD_MIB=N pads the squashfs root with N MiB of random bytes.

# Write the live root's /sbin/init: print PXEROOT-E2E: lines (uptime, mounts,
# the KiB used on /run, args, resolv.conf, hostname, IPv4 routes, links, loopback, IPv6 disable_ipv6 per
# interface, UEFI's SecureBoot variable (1 on, 0 off) when booted by UEFI, /run/pxeroot/net-*.conf, and when a script= hook was started beside
# it, /run/pxeroot/script.log once the hook has ended), then the image's /e2e-check when it has
# one (its arguments are init's), then power off.
write_root_init() {
	cat >"$1" <<-'EOF'
		#!/bin/sh
		# Test init of the e2e live root: report what pxeroot left, then power off.
		[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
		[ -r /proc/mounts ] || mount -t proc proc /proc
		read -r up _ </proc/uptime
		echo "PXEROOT-E2E: init started uptime=$up"
		while IFS= read -r line; do
		    echo "PXEROOT-E2E: mount: $line"
		done </proc/mounts
		echo "PXEROOT-E2E: run used: $(df -k /run | awk 'NR == 2 { print $3 }') KiB"
		echo "PXEROOT-E2E: args: $*"
		if [ -r /etc/resolv.conf ]; then
		    while IFS= read -r line; do
		        echo "PXEROOT-E2E: resolv: $line"
		    done </etc/resolv.conf
		fi
		read -r name </proc/sys/kernel/hostname
		echo "PXEROOT-E2E: hostname: $name"
		ip -4 route 2>/dev/null | while read -r line; do
		    echo "PXEROOT-E2E: route: $line"
		done
		# operstate follows a link change only when the kernel's linkwatch runs
		# (up to 1 s later): wait, 3 s at most in all, until it agrees with the
		# admin flag and the carrier.
		tries=0
		for dev in /sys/class/net/*; do
		    name=${dev##*/}
		    [ -e "$dev" ] && [ "$name" != lo ] || continue
		    while :; do
		        read -r flags <"$dev/flags"
		        want=down
		        if [ $((flags & 1)) -eq 1 ] && [ "$(cat "$dev/carrier" 2>/dev/null)" = 1 ]; then
		            want=up
		        fi
		        read -r oper <"$dev/operstate"
		        [ "$oper" = "$want" ] || [ "$tries" -ge 30 ] && break
		        tries=$((tries + 1))
		        sleep 0.1
		    done
		    read -r mtu <"$dev/mtu"
		    addr=$(ip -4 -o addr show dev "$name" 2>/dev/null | awk '$3 == "inet" { print $4; exit }')
		    echo "PXEROOT-E2E: link: $name mtu $mtu oper $oper addr ${addr:--}"
		done
		read -r flags </sys/class/net/lo/flags
		addr=$(ip -4 -o addr show dev lo 2>/dev/null | awk '$3 == "inet" { print $4; exit }')
		echo "PXEROOT-E2E: loopback: $([ $((flags & 1)) -eq 1 ] && echo up || echo down) addr ${addr:--}"
		for v6 in /proc/sys/net/ipv6/conf/*/disable_ipv6; do
		    [ -r "$v6" ] || continue
		    read -r v <"$v6"
		    name=${v6%/disable_ipv6}
		    echo "PXEROOT-E2E: ipv6: ${name##*/} disable_ipv6 $v"
		done
		if [ -d /sys/firmware/efi ]; then
		    [ -f /lib/efivarfs.ko ] && insmod /lib/efivarfs.ko 2>/dev/null
		    mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
		    # 4 bytes of attributes, then the value (efivarfs cannot skip: read all 5)
		    sb=$(od -An -tu1 -N5 /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c 2>/dev/null | awk '{ print $5 }')
		    echo "PXEROOT-E2E: efi: SecureBoot ${sb:--}"
		fi
		if [ -f /run/pxeroot/timeline ]; then
		    while IFS= read -r line; do
		        echo "PXEROOT-E2E: timeline: $line"
		    done </run/pxeroot/timeline
		fi
		for conf in /run/pxeroot/net-*.conf; do
		    [ -f "$conf" ] || continue
		    while IFS= read -r line; do
		        echo "PXEROOT-E2E: netconf: ${conf##*/}: $line"
		    done <"$conf"
		done
		# a script= hook started beside init: wait for its exit line (10 s at most), show its log
		if [ -e /run/pxeroot/script-run ]; then
		    i=0
		    while ! grep -q 'exited with status' /run/pxeroot/script.log 2>/dev/null && [ "$i" -lt 100 ]; do
		        sleep 0.1
		        i=$((i + 1))
		    done
		    while IFS= read -r line; do
		        echo "PXEROOT-E2E: script.log: $line"
		    done </run/pxeroot/script.log
		fi
		# a scenario's own checks, when its image has them
		[ -x /e2e-check ] && /e2e-check "$@"
		echo "PXEROOT-E2E: done"
		sync
		poweroff -f
	EOF
	chmod 0755 "$1"
}

# Build the tiny busybox live root in directory $1 (made anew): busybox and a link
# for each of its applets, the test init, efivarfs.ko, /etc/hostname; ROOT_PAD_MIB=N
# adds /pad, N MiB of random bytes, to make an image of it that big.
make_root_tree() {
	local dir=${1:?make_root_tree DIR} applets=() applet
	lab_tmpdir
	lab_need busybox perl
	rm -rf "$dir"
	mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc,root,lib}
	chmod 1777 "$dir/tmp"
	cp "$(command -v busybox)" "$dir/bin/busybox"
	for applet in $(busybox --list-full); do
		case "$applet" in
		sbin/init | linuxrc | bin/busybox) continue ;;
		esac
		applets+=("$dir/$applet")
	done
	# one process for the few hundred links (their directories are those made above)
	perl -e 'for (@ARGV) { unlink; symlink("/bin/busybox", $_) or die "symlink $_: $!\n" }' "${applets[@]}" ||
		lab_die "cannot link busybox's applets in $dir"
	write_root_init "$dir/sbin/init"
	# efivarfs is a module of Debian's kernel: the live root loads it to read UEFI's variables
	cp "$(find "$LAB_ROOT/build/kernel/lib/modules" -name efivarfs.ko | head -n1)" "$dir/lib/" 2>/dev/null || true
	echo "pxeroot-e2e" >"$dir/etc/hostname"
	if [[ -n "${ROOT_PAD_MIB:-}" ]]; then
		head -c "$((ROOT_PAD_MIB << 20))" /dev/urandom >"$dir/pad"
	fi
}

# Write the tree of make_root_tree as squashfs image $1 (xz, every file owned by root).
root_sfs_build() {
	local out=$1 dir
	lab_need mksquashfs
	dir=$(mktemp -d "$LAB_TMP/rootfs.XXXXXX")
	make_root_tree "$dir"
	mksquashfs "$dir" "$out" -noappend -comp xz -all-root -quiet >/dev/null || lab_die "mksquashfs $out failed"
	rm -rf "$dir"
}

# Build the busybox live root as squashfs image $1. Without ROOT_PAD_MIB it is a copy of
# build/e2e/root.sfs, made under a lock (renamed into place whole) when missing or older
# than this file, busybox or the lab kernel (its efivarfs.ko); with ROOT_PAD_MIB=N (random bytes) it is made anew.
make_root_sfs() {
	local out=${1:?make_root_sfs OUT.sfs} cache="$LAB_ROOT/build/e2e/root.sfs" fd busybox
	lab_tmpdir
	lab_need busybox flock
	if [[ -n "${ROOT_PAD_MIB:-}" ]]; then
		root_sfs_build "$out"
	else
		mkdir -p "${cache%/*}"
		exec {fd}>"$cache.lock"
		flock "$fd"
		busybox=$(command -v busybox)
		if [[ ! -f "$cache" || "${BASH_SOURCE[0]}" -nt "$cache" || "$busybox" -nt "$cache" ||
			"$LAB_ROOT/build/kernel/vmlinuz" -nt "$cache" ]]; then
			root_sfs_build "$cache.new"
			mv -f "$cache.new" "$cache"
		fi
		exec {fd}>&-
		cp "$cache" "$out"
	fi
	lab_note "root image: $out ($(stat -c %s "$out") bytes)"
}

# Lay out WEBROOT/BASEDIR/ARCH/airootfs.sfs and airootfs.sha512 as archiso does.
make_archiso_tree() {
	local webroot=${1:?make_archiso_tree WEBROOT SFS [BASEDIR] [ARCH]}
	local sfs=${2:?make_archiso_tree WEBROOT SFS [BASEDIR] [ARCH]}
	local dir="$webroot/${3:-arch}/${4:-x86_64}"
	mkdir -p "$dir"
	cp "$sfs" "$dir/airootfs.sfs"
	(cd "$dir" && sha512sum airootfs.sfs >airootfs.sha512)
}

# Build the root image ($LAB_TMP/root.sfs) and archiso's tree of it in directory $1
# (BASEDIR $2, default arch).
archiso_layout() {
	lab_tmpdir
	mkdir -p "${1:?archiso_layout DIR [BASEDIR]}"
	make_root_sfs "$LAB_TMP/root.sfs"
	make_archiso_tree "$1" "$LAB_TMP/root.sfs" "${2:-arch}"
}

# Build the root image and the archiso tree in $LAB_TMP/www (BASEDIR $1, default
# arch) and serve it with nginx; set WEBROOT and HTTP_PORT.
serve_archiso() {
	lab_tmpdir
	WEBROOT="$LAB_TMP/www"
	archiso_layout "$WEBROOT" "${1:-arch}"
	nginx_start "$WEBROOT"
}

# Print the kernel command line that boots the tree of serve_archiso, plus $@.
archiso_http_append() {
	local extra=""
	[[ -n "$*" ]] && extra=" $*"
	echo "ip=dhcp archiso_http_srv=http://10.0.2.2:$HTTP_PORT/ archisobasedir=arch checksum=y pxeroot.onerror=poweroff$extra"
}

# Build the live root as ext4 image $1 of $2 MiB (default 16); $3 ext2 or ext3 makes that kind.
make_root_ext4() {
	local out=${1:?make_root_ext4 OUT [SIZE_MB] [ext2|ext3|ext4]} size=${2:-16} kind=${3:-ext4} dir
	lab_need "mkfs.$kind"
	dir=$(mktemp -d "$LAB_TMP/tree.XXXXXX")
	make_root_tree "$dir"
	rm -f "$out"
	"mkfs.$kind" -q -F -L pxeroot-e2e -d "$dir" "$out" "${size}M" >/dev/null 2>&1 || lab_die "mkfs.$kind -d $dir $out failed"
	rm -rf "$dir"
	lab_note "root image: $out ($kind, $(stat -c %s "$out") bytes)"
}

# Build the diskless ramdisk of the netboot guides: the live root as a 16 MiB ext2 image $1 and,
# beside it, $1.gz (gzip -9, no name or time stored).
make_root_ext2_gz() {
	local out=${1:?make_root_ext2_gz OUT}
	make_root_ext4 "$out" 16 ext2
	gzip -9n -c "$out" >"$out.gz" || lab_die "gzip $out failed"
}

# Build the live root as erofs image $1 (lz4hc, every file owned by root).
make_root_erofs() {
	local out=${1:?make_root_erofs OUT} dir
	lab_need mkfs.erofs
	dir=$(mktemp -d "$LAB_TMP/tree.XXXXXX")
	make_root_tree "$dir"
	rm -f "$out"
	mkfs.erofs -zlz4hc --all-root "$out" "$dir" >/dev/null 2>&1 || lab_die "mkfs.erofs $out $dir failed"
	rm -rf "$dir"
	lab_note "root image: $out (erofs, $(stat -c %s "$out") bytes)"
}

# Write directory $2 as ISO 9660 image $1 (Rock Ridge and Joliet names, volume ID PXEROOT_E2E).
make_iso() {
	local out=${1:?make_iso OUT DIR} dir=${2:?make_iso OUT DIR} msg
	lab_need xorriso
	rm -f "$out"
	msg=$(xorriso -as mkisofs -quiet -R -J -V PXEROOT_E2E -o "$out" "$dir" 2>&1) || lab_die "xorriso $out: $msg"
	lab_note "iso image: $out ($(stat -c %s "$out") bytes)"
}

# Build ISO $1 laid out as archiso's: image $2 as BASEDIR/ARCH/NAME ($3 arch, $4 x86_64,
# $5 airootfs.sfs), plus a boot/ directory as on a real ISO.
make_archiso_iso() {
	local out=${1:?make_archiso_iso OUT IMG [BASEDIR] [ARCH] [NAME]} img=${2:?make_archiso_iso OUT IMG}
	local dir sub="${3:-arch}/${4:-x86_64}"
	lab_tmpdir
	dir=$(mktemp -d "$LAB_TMP/iso.XXXXXX")
	mkdir -p "$dir/$sub" "$dir/${3:-arch}/boot"
	cp "$img" "$dir/$sub/${5:-airootfs.sfs}"
	echo "pxeroot e2e" >"$dir/${3:-arch}/boot/README"
	make_iso "$out" "$dir"
	rm -rf "$dir"
}

# Put FILE ($1) at $LAB_TMP/www/NAME ($2, default FILE's name) with its sha512 list beside it
# (NAME's extension replaced by .sha512, as checksum=y expects), and serve it with nginx; set
# WEBROOT and HTTP_PORT.
serve_image() {
	local file=${1:?serve_image FILE [NAME]} name=${2:-${1##*/}}
	lab_tmpdir
	WEBROOT="$LAB_TMP/www"
	mkdir -p "$WEBROOT"
	cp "$file" "$WEBROOT/$name"
	(cd "$WEBROOT" && sha512sum "$name" >"${name%.*}.sha512")
	nginx_start "$WEBROOT"
}

# Print the kernel command line that boots $WEBROOT/NAME ($1) of serve_image with root=live:,
# its sha512 checked, plus the words after $1.
live_http_append() {
	local name=${1:?live_http_append NAME [EXTRA...]} extra=""
	shift
	[[ -n "$*" ]] && extra=" $*"
	echo "ip=dhcp root=live:http://10.0.2.2:$HTTP_PORT/$name checksum=y pxeroot.onerror=poweroff$extra"
}
