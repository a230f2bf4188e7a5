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
# under drivers/net/ they need.
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
	lab_assert "$([[ $rc -eq $want ]] && echo 0 || echo 1)" "claim \"$line\" exits $want (got $rc)"
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
	lab_assert "$([[ $rc -ne 0 ]] && echo 0 || echo 1)" "explain: an NFS export with checks is not a plan (exit $rc)"
	expect_line "$LAB_TMP/explain.log" 'cmdline checksum=y: the nfs source .*cannot check what it boots' "explain: says why"
	expect_no_line "$LAB_TMP/explain.log" 'plan: checks:' "explain: lists no checks it would not make"
}

# The module list: the mount stage's, no name twice.
check_modules() {
	local mods m
	mods=$("$PXEROOT" modules)
	for m in loop overlay squashfs erofs ext4 isofs nfit nd_pmem; do
		lab_assert "$(grep -qx "$m" <<<"$mods" && echo 0 || echo 1)" "modules lists $m"
	done
	lab_assert "$([[ -z "$(sort <<<"$mods" | uniq -d)" ]] && echo 0 || echo 1)" "modules names each once"
	lab_assert "$("$PXEROOT" modules --for-sources | grep -qxP 'ext4\tmount' && echo 0 || echo 1)" "--for-sources says the mount stage needs ext4"
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
		lab_assert "$(grep -qx "$m" <<<"$added" && echo 0 || echo 1)" "mkinitcpio install adds $m"
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
	lab_assert "$([[ -n "$want" && "$got" == "$want" ]] && echo 0 || echo 1)" \
		"$name: the image's NIC drivers are the $(wc -l <<<"$want") that pxeroot modules --net names (and they need)"
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
	lab_assert "$([[ "$got" == "$want" ]] && echo 0 || echo 1)" "mkinitcpio hook: \"$line\" claimed: $want (got $got)"
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
	check_nic_drivers
	LAB_LAST_LOG=$LAB_TMP/claim.log
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
