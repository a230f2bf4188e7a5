#!/usr/bin/env bash
# The one truth the generators ask the binary for, on the host: `pxeroot claim`
# says 0 / 1 / 2 for command lines pxeroot handles, does not handle, or has a
# malformed option in (naming it), or a check its source cannot make (an NFS
# export, an image read again after its check); `pxeroot modules` lists the mount stage's (and the firmware RAM disk's nfit, nd_pmem)
# modules (ext4 among them) once each; the mkinitcpio install hook, run under a
# stand-in of the mkinitcpio functions it calls, adds every one of them; the
# mkinitcpio runtime hook, sourced in busybox ash as mkinitcpio's init does,
# claims only what `pxeroot claim` claims. The NIC drivers of each generator's
# image (tools/mkinitramfs.sh's build/initramfs.img, Debian's mkinitramfs and
# dracut for the lab kernel, the mkinitcpio install hook's stand-in) are exactly
# those `pxeroot modules --net` names that the lab kernel has, with the modules
# under drivers/net/ they need. `pxeroot files` prints one KEY<tab>PATH line for
# each of the trust material and the CA bundle, and those are the paths the code
# reads (strace: the CMS CA file looked for at claim time, the CA bundle opened
# for HTTPS); no adapter spells one of them, and each one (the mkinitcpio install
# hook, dracut's module-setup.sh and the initramfs-tools hook under stand-ins of
# the functions they call, tools/mkinitramfs.sh --file for real) puts the trust
# material of PXEROOT_CONFDIR (or --file) and the host's CA bundle at the paths
# `pxeroot files` names; the images of the real generators hold the CA bundle there.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/e2e/lib_itools.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_itools.sh"
# shellcheck source=tests/e2e/lib_dracut.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_dracut.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"

# Assert that `pxeroot claim` of the command line $1 exits $2.
claim_is() {
	local line=$1 want=$2 rc=0 f="$LAB_TMP/cmdline"
	printf '%s\n' "$line" >"$f"
	"$PXEROOT" claim "$f" >"$LAB_TMP/claim.log" 2>&1 || rc=$?
	expect_ok "claim \"$line\" exits $want (got $rc)" test "$rc" -eq "$want"
}

# Exit codes of claim.
check_claim() {
	claim_is "archiso_http_srv=http://\${pxeserver}/ checksum=y" 0
	claim_is "root=live:https://h/a.sfs" 0
	claim_is "root=/dev/sda1 ro quiet" 1
	claim_is "root=live:CDLABEL=ARCH" 0
	claim_is "root=LABEL=rootfs rw" 1
	claim_is "archiso_http_srv=http://h/ verify=maybe" 2
	expect_line "$LAB_TMP/claim.log" 'cmdline verify="maybe": not a yes/no word' "claim names the malformed option"
	claim_is "root=live:ftp://h/a.sfs" 2
	check_claim_checks
}

# A check the chosen source cannot make on exactly the bytes it boots refuses
# the line at claim time (exit 2, one line naming the options and the source),
# and cmdline --explain says so instead of listing the checks.
check_claim_checks() {
	local f="$LAB_TMP/cmdline" rc=0
	claim_is "root=nfs:10.0.2.2:/export checksum=y verify=y cms_verify=y" 2
	expect_line "$LAB_TMP/claim.log" 'cmdline checksum=y verify=y cms_verify=y: the nfs source \(.*\) cannot check what it boots: an NFS export is the root as it is' "claim: an NFS export with checks refused, the options and source named"
	claim_is "root=/dev/nfs nfsroot=10.0.2.2:/srv/root checksum" 2
	claim_is "archiso_nfs_srv=10.0.2.2:/srv checksum=y copytoram=n" 2
	expect_line "$LAB_TMP/claim.log" 'cmdline checksum=y: the nfs source .*with copytoram=n the image would be read from the share again' "claim: archiso over NFS checked in place refused"
	claim_is "archisolabel=ARCH_202611 cms_verify=y copytoram=n" 2
	expect_line "$LAB_TMP/claim.log" 'cmdline cms_verify=y: the local source .*read from the medium again' "claim: a medium checked in place refused"
	claim_is "archiso_nfs_srv=10.0.2.2:/srv checksum=y" 0
	claim_is "archisolabel=ARCH_202611 checksum=y" 0
	claim_is "pxeroot.memdisk checksum=y copytoram=n" 0
	claim_is "root=nfs:10.0.2.2:/export" 0
	printf '%s\n' "root=nfs:10.0.2.2:/export checksum=y" >"$f"
	"$PXEROOT" cmdline --explain "$f" >"$LAB_TMP/explain.log" 2>&1 || rc=$?
	expect_ok "explain: an NFS export with checks is not a plan (exit $rc)" test "$rc" -ne 0
	expect_line "$LAB_TMP/explain.log" 'cmdline checksum=y: the nfs source .*cannot check what it boots' "explain: says why"
	expect_no_line "$LAB_TMP/explain.log" 'plan: checks:' "explain: lists no checks it would not make"
}

# The module list: the mount stage's, no name twice.
check_modules() {
	local mods m
	mods=$("$PXEROOT" modules)
	for m in loop overlay squashfs erofs ext4 isofs nfit nd_pmem; do
		expect_ok "modules lists $m" grep -qx "$m" <<<"$mods"
	done
	expect_ok "modules names each once" test -z "$(sort <<<"$mods" | uniq -d)"
	expect_ok "--for-sources says the mount stage needs ext4" grep -qxP 'ext4\tmount' <<<"$("$PXEROOT" modules --for-sources)"
}

# Print the path `pxeroot files` names for key $1.
file_path() {
	"$PXEROOT" files | awk -F'\t' -v k="$1" '$1 == k { print $2 }'
}

# Whether text $1 is KEY<tab>PATH lines, at least one, every path absolute.
# shellcheck disable=SC2317  # run by expect_ok
key_path_lines() {
	awk -F'\t' 'NF != 2 || $2 !~ /^\// { bad = 1 } END { exit bad || NR == 0 }' <<<"$1"
}

# Whether exit status $1 is a failure and file $2 was not left.
# shellcheck disable=SC2317  # run by expect_ok
refused_without() {
	[[ $1 -ne 0 && ! -e $2 ]]
}

# `pxeroot files`: KEY<tab>PATH lines, an absolute path each, the trust material's keys and the
# CA bundle's once each.
check_files() {
	local files key rc
	files=$("$PXEROOT" files)
	expect_ok "files: KEY<tab>PATH lines, every path absolute" key_path_lines "$files"
	for key in cms-cert cms-ca gpg-keyring ca-bundle; do
		expect_ok "files names $key once" test "$(awk -F'\t' -v k="$key" '$1 == k' <<<"$files" | wc -l)" -eq 1
	done
	rc=0
	"$PXEROOT" files extra >/dev/null 2>&1 || rc=$?
	expect_ok "files with an argument: usage, exit 2" test "$rc" -eq 2
}

# The code reads the paths `pxeroot files` prints: claim with cms_verify=y looks for the cms-ca
# file; an HTTPS fetch (to a TLS server that completes no handshake) opens the ca-bundle.
check_files_read() {
	local port pid
	lab_need strace openssl
	printf '%s\n' "archiso_http_srv=http://h/ cms_verify=y" >"$LAB_TMP/cmdline"
	strace -f -e trace=%file -o "$LAB_TMP/claim.strace" "$PXEROOT" claim "$LAB_TMP/cmdline" >/dev/null 2>&1 || true
	expect_line "$LAB_TMP/claim.strace" "\"$(lab_re_escape "$(file_path cms-ca)")\"" "claim with cms_verify=y looks for the cms-ca file of pxeroot files"
	port=$(free_port)
	openssl s_server -accept "127.0.0.1:$port" -nocert -quiet </dev/null >"$LAB_TMP/s_server.log" 2>&1 &
	pid=$!
	lab_track "$pid"
	lab_wait_ready "$pid" lab_listens "$pid" "$port" || lab_die "openssl s_server did not listen on $port"
	strace -f -e trace=%file -o "$LAB_TMP/fetch.strace" "$PXEROOT" fetch "https://127.0.0.1:$port/x" "$LAB_TMP/x" \
		--retries 1 --timeout 10 >/dev/null 2>&1 </dev/null || true
	lab_stop_pid "$pid"
	lab_untrack "$pid"
	expect_line "$LAB_TMP/fetch.strace" "open.*\"$(lab_re_escape "$(file_path ca-bundle)")\"" "an HTTPS fetch opens the ca-bundle of pxeroot files"
}

# No adapter (nor make initramfs) spells a path of `pxeroot files`, its directory or its file name.
check_files_unspelled() {
	local word hits
	while read -r word; do
		hits=$(grep -rlF -- "$word" "$LAB_ROOT/mkinitcpio" "$LAB_ROOT/dracut" "$LAB_ROOT/initramfs-tools" \
			"$LAB_ROOT/tools/mkinitramfs.sh" "$LAB_ROOT/Makefile" || true)
		expect_ok "no adapter spells $word${hits:+ (in: ${hits//$'\n'/ })}" test -z "$hits"
	done < <("$PXEROOT" files | awk -F'\t' '{ d = $2; sub(/[^\/]*$/, "", d); f = $2; sub(/.*\//, "", f); print $2; print d; print f }' | sort -u)
}

# Fill directory $1 with the trust material under the names `pxeroot files` gives it (each file
# holding its key word), as PXEROOT_CONFDIR.
trust_conf() {
	local key path
	mkdir -p "$1"
	while IFS=$'\t' read -r key path; do
		[[ $key == ca-bundle ]] || echo "$key" >"$1/${path##*/}"
	done < <("$PXEROOT" files)
}

# Assert that the "SRC DEST" lines on stdin (what adapter $1 installed, PXEROOT_CONFDIR $2) put
# each file of `pxeroot files` at its path: the trust material from $2, the host's CA bundle.
expect_installs() {
	local name=$1 conf=$2 got key path src line rc
	got=$(cat)
	while IFS=$'\t' read -r key path; do
		src=$conf/${path##*/}
		[[ $key != ca-bundle ]] || src=$path
		rc=1
		while read -r line; do
			[[ "${line##* }" == "$path" ]] && cmp -s "${line% *}" "$src" && rc=0
		done <<<"$got"
		lab_assert "$rc" "$name: $key from ${src#"$LAB_TMP/"} at $path"
	done < <("$PXEROOT" files)
	expect_ok "$name: no other file" test "$(grep -c . <<<"$got")" -eq "$("$PXEROOT" files | wc -l)"
}

# Each adapter under stand-ins of the functions it calls, PXEROOT_CONFDIR holding the trust
# material: the stand-ins of its file copying print "SRC DEST".
check_adapter_files() {
	local conf=$LAB_TMP/trust-conf stub=$LAB_TMP/hook-functions
	lab_need unshare
	trust_conf "$conf"
	[[ -f "$(file_path ca-bundle)" ]] || lab_die "$(file_path ca-bundle) missing on the host (tools/deps.sh lab)"
	# shellcheck disable=SC2016  # expanded by the inner bash
	PXEROOT_BIN=$PXEROOT PXEROOT_CONFDIR=$conf bash -c '
		add_binary() { :; }; add_module() { :; }; add_checked_modules() { :; }; add_runscript() { :; }
		add_file() { echo "$1 $2"; }
		source "$1"; build' _ "$LAB_ROOT/mkinitcpio/install/pxeroot" | expect_installs mkinitcpio "$conf"
	# shellcheck disable=SC2016
	PXEROOT_BIN=$PXEROOT PXEROOT_CONFDIR=$conf moddir=$LAB_ROOT/dracut/90pxeroot bash -c '
		inst_binary() { :; }; inst_hook() { :; }; dracut_module_included() { return 1; }; dwarn() { :; }
		derror() { echo "derror: $*" >&2; }
		inst_simple() { echo "$1 $2"; }
		source "$1"; install' _ "$LAB_ROOT/dracut/90pxeroot/module-setup.sh" | expect_installs dracut "$conf"
	# shellcheck disable=SC2016
	printf '%s\n' 'copy_exec() { :; }' 'manual_add_modules() { :; }' 'copy_file() { echo "$2 $3"; }' >"$stub"
	# shellcheck disable=SC2016
	PXEROOT_BIN=$PXEROOT PXEROOT_CONFDIR=$conf unshare -m --propagation private sh -c '
		mount --bind "$1" /usr/share/initramfs-tools/hook-functions && exec sh "$2"' sh "$stub" \
		"$LAB_ROOT/initramfs-tools/hooks/pxeroot" | expect_installs initramfs-tools "$conf"
}

# tools/mkinitramfs.sh --file KEY=SRC for each trust key (a kernel without modules: quick): each
# SRC at the path `pxeroot files` names, the host's CA bundle at its; a key it lacks refused.
check_mkinitramfs_files() {
	local conf=$LAB_TMP/trust-conf moddir=$LAB_TMP/kmod/lib/modules/0.0.0-none dir=$LAB_TMP/standalone
	local key path args=() rc=0
	mkdir -p "$moddir" "$dir"
	touch "$moddir/modules.dep"
	while IFS=$'\t' read -r key path; do
		[[ $key == ca-bundle ]] || args+=(--file "$key=$conf/${path##*/}")
	done < <("$PXEROOT" files)
	"$LAB_ROOT/tools/mkinitramfs.sh" --binary "$PXEROOT" --moddir "$moddir" --out "$LAB_TMP/standalone.img" \
		--compress gzip --module-compress none "${args[@]}" >"$LAB_TMP/mkinitramfs-files.log" 2>&1 ||
		lab_die "tools/mkinitramfs.sh --file failed: $(tail -n 3 "$LAB_TMP/mkinitramfs-files.log")"
	lab_unpack_initrd "$LAB_TMP/standalone.img" "$dir"
	while IFS=$'\t' read -r key path; do
		[[ ! -f "$dir$path" ]] || echo "$dir$path $path"
	done < <("$PXEROOT" files) | expect_installs tools/mkinitramfs.sh "$conf"
	"$LAB_ROOT/tools/mkinitramfs.sh" --binary "$PXEROOT" --moddir "$moddir" --out "$LAB_TMP/bad.img" \
		--file "bogus=${args[1]#*=}" >"$LAB_TMP/mkinitramfs-bad.log" 2>&1 || rc=$?
	expect_ok "tools/mkinitramfs.sh --file bogus=...: refused" refused_without "$rc" "$LAB_TMP/bad.img"
	expect_line "$LAB_TMP/mkinitramfs-bad.log" "--file bogus=.*: not a key word of '.* files' \\(cms-cert" "the refusal names the key words"
}

# mkinitcpio's install hook under stand-ins of add_binary, add_module,
# add_checked_modules, add_file and add_runscript: every module of
# `pxeroot modules` is added.
check_mkinitcpio_install() {
	local added m
	added=$(PXEROOT_BIN=$PXEROOT PXEROOT_CONFDIR=$LAB_TMP/none bash -c '
		add_binary() { :; }; add_checked_modules() { :; }; add_file() { :; }; add_runscript() { :; }
		add_module() { echo "$1"; }
		source "$1"; build' _ "$LAB_ROOT/mkinitcpio/install/pxeroot")
	for m in $("$PXEROOT" modules); do
		expect_ok "mkinitcpio install adds $m" grep -qx "$m" <<<"$added"
	done
}

# The lab kernel's modules directory.
lab_moddir() {
	echo "$LAB_ROOT/build/kernel/lib/modules/$(dracut_kver)"
}

# Print the paths of the lab kernel's modules that the module names on stdin need, each name's
# own included (modprobe's dependencies and soft dependencies); nothing for a built-in or a
# module the kernel lacks.
module_closure() {
	local kver m
	kver=$(dracut_kver)
	while read -r m; do
		modprobe -d "$LAB_ROOT/build/kernel" -S "$kver" --show-depends "$m" 2>/dev/null |
			sed -n 's/^insmod \([^ ]*\).*/\1/p'
	done
}

# Print the names of the modules under drivers/net/ among the paths on stdin: '-' as '_', sorted,
# once each.
net_drivers() {
	grep '/kernel/drivers/net/.*\.ko' | sed 's|.*/||; s|\.ko.*||' | tr - _ | LC_ALL=C sort -u
}

# Assert that the drivers/net modules among the paths on stdin (generator $1's image) are those
# `pxeroot modules --net` names and the lab kernel has, with those they need.
expect_nic_drivers() {
	local name=$1 got want
	got=$(net_drivers || true)
	want=$("$PXEROOT" modules --net | module_closure | net_drivers)
	[[ "$got" == "$want" ]] || lab_note "$name: NIC drivers beyond the list: $(comm -13 <(echo "$want") <(echo "$got") | wc -l)," \
		"missing: $(comm -23 <(echo "$want") <(echo "$got") | tr '\n' ' ')"
	expect_ok "$name: the image's NIC drivers are the $(wc -l <<<"$want") that pxeroot modules --net names (and they need)" \
		same_nonempty "$got" "$want"
}

# The NIC drivers of each generator's image: the standalone image, initramfs-tools' and dracut's
# images for the lab kernel, mkinitcpio's install hook under stand-ins that print the modules'
# paths (add_checked_modules: those under the lab kernel matching its patterns, not its filter).
check_nic_drivers() {
	lab_need lsinitramfs modprobe
	[[ -f "$LAB_ROOT/build/initramfs.img" ]] || lab_die "build/initramfs.img missing (make initramfs)"
	lsinitramfs "$LAB_ROOT/build/initramfs.img" | expect_nic_drivers tools/mkinitramfs.sh
	itools_image
	lsinitramfs "$INITRD" | expect_nic_drivers initramfs-tools
	dracut_image pxeroot-systemd systemd
	lsinitramfs "$INITRD" | expect_nic_drivers dracut
	# shellcheck disable=SC2016  # expanded by the inner bash
	PXEROOT_BIN=$PXEROOT PXEROOT_CONFDIR=$LAB_TMP/none MODDIR=$(lab_moddir) bash -c '
		add_binary() { :; }; add_file() { :; }; add_runscript() { :; }
		add_module() { echo "${1%\?}"; }
		add_checked_modules() {
			local filter="^$"
			[[ $1 == -f ]] && filter=$2 && shift 2
			find "$MODDIR/kernel" -name "*.ko*" | grep -E "$(IFS="|"; echo "$*")" | grep -vE "$filter" | sed "s|.*/||; s|\.ko.*||"
		}
		source "$1"; build' _ "$LAB_ROOT/mkinitcpio/install/pxeroot" | module_closure | expect_nic_drivers mkinitcpio
}

# The images of the real generators (the standalone one, initramfs-tools', dracut's) hold the CA
# bundle at the path `pxeroot files` names.
check_images_ca_bundle() {
	local ca name
	ca=$(file_path ca-bundle)
	for name in tools/mkinitramfs.sh initramfs-tools dracut; do
		case $name in
		tools/mkinitramfs.sh) INITRD=$LAB_ROOT/build/initramfs.img ;;
		initramfs-tools) itools_image ;;
		dracut) dracut_image pxeroot-systemd systemd ;;
		esac
		lsinitramfs "$INITRD" >"$LAB_TMP/listing"
		expect_ok "$name: the image holds $ca" grep -qxF "${ca#/}" "$LAB_TMP/listing"
	done
}

# mkinitcpio's runtime hook sourced in busybox ash, its /usr/bin/pxeroot a
# function that runs the binary on the line $1: mount_handler set when $2 is yes.
hook_claims() {
	local line=$1 want=$2 got
	printf '%s\n' "$line" >"$CMDLINE"
	sed 's|/usr/bin/pxeroot|pxeroot|g' "$LAB_ROOT/mkinitcpio/hooks/pxeroot" >"$LAB_TMP/hook"
	# shellcheck disable=SC2016  # expanded by the inner shell
	got=$(busybox ash -c '
		pxeroot() { "$PXEROOT" "$@" "$CMDLINE" 2>/dev/null; }
		. "$1"
		mount_handler=
		run_hook
		[ -n "$mount_handler" ] && echo yes || echo no' _ "$LAB_TMP/hook")
	expect_ok "mkinitcpio hook: \"$line\" claimed: $want (got $got)" test "$got" == "$want"
}

# The runtime hook follows claim.
check_mkinitcpio_hook() {
	export PXEROOT CMDLINE="$LAB_TMP/cmdline"
	hook_claims "archiso_http_srv=http://h/" yes
	hook_claims "root=/dev/sda1" no
	hook_claims "root=live:http://h/a.sfs verify=maybe" yes
}

main() {
	lab_tmpdir
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	check_claim
	check_modules
	check_mkinitcpio_install
	check_mkinitcpio_hook
	check_files
	check_files_read
	check_files_unspelled
	check_adapter_files
	check_mkinitramfs_files
	check_nic_drivers
	check_images_ca_bundle
	LAB_LAST_LOG=$LAB_TMP/claim.log
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
