#!/usr/bin/env bash
# dracut boot of a signed archiso tree with checksum=y cms_verify=y verify=y:
# the dracut image is built with PXEROOT_CONFDIR holding the test signer's
# certificate, its CA and the OpenPGP keyring, so the module copies them to
# /etc/pxeroot/ (no gpgv: pxeroot checks OpenPGP itself); pxeroot checks all
# three in the download's pass and the live root boots.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"
# shellcheck source=tests/e2e/lib_dracut.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_dracut.sh"

# Lay out the trust material under the names the module looks for, in
# build/dracut/trust-conf (copies keep their sources' times); print the directory.
trust_confdir() {
	local dir="$DRACUT_DIR/trust-conf"
	mkdir -p "$dir"
	cp -p "$TRUST_CMS_CERT" "$dir/codesign.crt"
	cp -p "$TRUST_CMS_CA" "$dir/codesign_CA.crt"
	cp -p "$TRUST_KEYRING" "$dir/keyring.gpg"
	echo "$dir"
}

# List the files of the dracut image $INITRD into $LAB_TMP/initrd.files (lsinitrd's last
# column); return lsinitrd's exit status, and 1 when it listed nothing.
list_image() {
	local rc=0
	lsinitrd "$INITRD" >"$LAB_TMP/lsinitrd.out" 2>"$LAB_TMP/lsinitrd.err" || rc=$?
	awk '{ print $NF }' "$LAB_TMP/lsinitrd.out" >"$LAB_TMP/initrd.files"
	[[ $rc -ne 0 || -s "$LAB_TMP/initrd.files" ]] || rc=1
	return "$rc"
}

# Assert that the dracut image $INITRD holds FILE ($1) when $2 is "holds", that it does
# not when $2 is "lacks"; a failing lsinitrd fails the assertion either way.
expect_image() {
	local file=$1 want=$2 desc rc=0 has=lacks
	desc="$file $([[ $want == holds ]] && echo in || echo not in) $(basename "$INITRD")"
	if ! list_image; then
		lab_assert 1 "$desc (lsinitrd failed: $(head -n 1 "$LAB_TMP/lsinitrd.err"))"
		return 0
	fi
	grep -qx -- "$file" "$LAB_TMP/initrd.files" && has=holds
	[[ $has == "$want" ]] || rc=1
	lab_assert "$rc" "$desc"
}

# Build the trust image, check what it holds, boot the signed tree.
main() {
	local log url confdir
	lab_tmpdir
	trust_setup
	log="$LAB_TMP/serial.log"
	mkdir -p "$DRACUT_DIR"
	confdir=$(trust_confdir)
	dracut_image pxeroot-systemd-trust systemd "$confdir"
	expect_image etc/pxeroot/codesign.crt holds
	expect_image etc/pxeroot/codesign_CA.crt holds
	expect_image etc/pxeroot/keyring.gpg holds
	expect_image usr/bin/gpgv lacks
	expect_image usr/bin/pxeroot holds
	expect_image etc/ssl/certs/ca-certificates.crt holds
	dracut_serve_archiso arch
	sign_tree "$WEBROOT" arch
	url=$(lab_re_escape "$(dracut_live_url arch)")
	QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} qemu_boot "$log" \
		"$(dracut_append "root=live:$(dracut_live_url arch)" checksum=y cms_verify=y verify=y)"
	expect_line "$log" "pxeroot: verify $url: sha512 ok" "pxeroot verified the sha512"
	expect_line "$log" "pxeroot: verify $url: cms ok \\(signer .*$TRUST_CMS_CN" "pxeroot verified the CMS signature"
	expect_line "$log" "pxeroot: verify $url: gpg ok \\(key ($TRUST_GPG_GOOD_FPR|${TRUST_GPG_GOOD_FPR,,})\\)" \
		"pxeroot verified the OpenPGP signature with the image's keyring"
	expect_no_line "$log" 'pxeroot: verify .*image refused' "no check refused the image"
	expect_line "$log" 'PXEROOT-E2E: init started' "live root's /sbin/init started"
	expect_line "$log" 'PXEROOT-E2E: mount: overlay / overlay' "/ is an overlay"
	expect_no_line "$log" 'Kernel panic' "no kernel panic"
	scenario_end "$log"
}

main "$@"
