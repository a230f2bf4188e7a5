#!/usr/bin/env bash
# make install and make uninstall into a DESTDIR, for PREFIX=/usr and the
# default /usr/local: exactly the binary, the two man pages (gzip'd, the same
# text as man/), the script= examples of hooks/ (valid sh), mkinitcpio's
# install and runtime hooks, dracut's module and initramfs-tools' hook and scripts are
# installed, each where its generator looks; the hooks' default binary is the
# installed one; uninstall leaves no file behind. make install takes
# build/pxeroot as it is (make -o): it never builds again the binary the other
# scenarios read.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Assert that command $2... succeeds, described by $1.
check() {
	local what=$1 rc=0
	shift
	"$@" >>"$LAB_TMP/install.log" 2>&1 || rc=$?
	lab_assert "$rc" "$what"
}

# The files under directory $1, relative, sorted.
files_in() {
	(cd "$1" && find . -type f | sed 's|^\./||' | sort)
}

# The files make install should put under DESTDIR for PREFIX $1, sorted.
expected() {
	local usr=${1#/}
	printf '%s\n' "$usr/bin/pxeroot" "$usr/share/man/man7/pxeroot.cmdline.7.gz" "$usr/share/man/man8/pxeroot.8.gz" \
		usr/lib/initcpio/hooks/pxeroot usr/lib/initcpio/install/pxeroot usr/share/initramfs-tools/hooks/pxeroot \
		usr/share/initramfs-tools/scripts/pxeroot usr/share/initramfs-tools/scripts/init-top/pxeroot
	(cd "$LAB_ROOT/hooks" && find . -type f | sed "s|^\./|$usr/share/pxeroot/hooks/|")
	(cd "$LAB_ROOT/dracut" && find 90pxeroot -type f | sed 's|^|usr/lib/dracut/modules.d/|')
}

# Install with PREFIX $1 (empty: the default) into a fresh DESTDIR; check the tree, then uninstall.
round() {
	local pfx=$1 name=${1:-default} dest="$LAB_TMP/dest${1//\//-}" usr want got args=()
	usr=${pfx:-/usr/local}
	[[ -n "$pfx" ]] && args=(PREFIX="$pfx")
	mkdir -p "$dest"
	check "$name: make install" make -s -C "$LAB_ROOT" -o build/pxeroot install DESTDIR="$dest" "${args[@]}"
	want=$(expected "$usr" | sort)
	got=$(files_in "$dest")
	expect_ok "$name: the installed files are exactly the expected ones" test "$got" = "$want"
	[[ "$got" == "$want" ]] || diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
	check "$name: the binary runs" "$dest$usr/bin/pxeroot" version
	check "$name: pxeroot.8 is man/pxeroot.8" cmp <(gzip -dc "$dest$usr/share/man/man8/pxeroot.8.gz") "$LAB_ROOT/man/pxeroot.8"
	check "$name: pxeroot.cmdline.7 is man/pxeroot.cmdline.7" \
		cmp <(gzip -dc "$dest$usr/share/man/man7/pxeroot.cmdline.7.gz") "$LAB_ROOT/man/pxeroot.cmdline.7"
	check "$name: mkinitcpio's install hook defaults to $usr/bin/pxeroot" \
		grep -qF "add_binary \"\${PXEROOT_BIN:-$usr/bin/pxeroot}\" /usr/bin/pxeroot" "$dest/usr/lib/initcpio/install/pxeroot"
	check "$name: dracut's module defaults to $usr/bin/pxeroot" \
		grep -qF "inst_binary \"\${PXEROOT_BIN:-$usr/bin/pxeroot}\" /usr/bin/pxeroot" "$dest/usr/lib/dracut/modules.d/90pxeroot/module-setup.sh"
	check "$name: initramfs-tools' hook defaults to $usr/bin/pxeroot" \
		grep -qF "bin=\${PXEROOT_BIN:-$usr/bin/pxeroot}" "$dest/usr/share/initramfs-tools/hooks/pxeroot"
	check "$name: initramfs-tools' hook and init-top script are executable" \
		test -x "$dest/usr/share/initramfs-tools/hooks/pxeroot" -a -x "$dest/usr/share/initramfs-tools/scripts/init-top/pxeroot"
	check "$name: dracut's module-setup.sh is executable" test -x "$dest/usr/lib/dracut/modules.d/90pxeroot/module-setup.sh"
	check "$name: make uninstall" make -s -C "$LAB_ROOT" uninstall DESTDIR="$dest" "${args[@]}"
	got=$(files_in "$dest")
	expect_ok "$name: uninstall leaves no file (${got:-none left})" test -z "$got"
}

main() {
	local f
	lab_tmpdir
	[[ -x "$LAB_ROOT/build/pxeroot" ]] || lab_die "build/pxeroot missing (make)"
	: >"$LAB_TMP/install.log"
	for f in "$LAB_ROOT"/hooks/*.sh; do
		check "the example hook ${f##*/} is valid sh" sh -n "$f"
	done
	round /usr
	round ""
	scenario_end "$LAB_TMP/install.log"
}

main "$@"
