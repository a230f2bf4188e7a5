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

# Assert that the dracut image $INITRD holds FILE ($1).
expect_in_image() {
	local file=$1 list
	list=$(lsinitrd "$INITRD" 2>/dev/null | awk '{ print $NF }')
	if grep -qx -- "$file" <<<"$list"; then
		lab_assert 0 "$file in $(basename "$INITRD")"
	else
		lab_assert 1 "$file in $(basename "$INITRD")"
	fi
}

# Assert that the dracut image $INITRD does not hold FILE ($1).
expect_not_in_image() {
	local file=$1 list
	list=$(lsinitrd "$INITRD" 2>/dev/null | awk '{ print $NF }')
	if grep -qx -- "$file" <<<"$list"; then
		lab_assert 1 "$file not in $(basename "$INITRD")"
	else
		lab_assert 0 "$file not in $(basename "$INITRD")"
	fi
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
	expect_in_image etc/pxeroot/codesign.crt
	expect_in_image etc/pxeroot/codesign_CA.crt
	expect_in_image etc/pxeroot/keyring.gpg
	expect_not_in_image usr/bin/gpgv
	expect_in_image usr/bin/pxeroot
	expect_in_image etc/ssl/certs/ca-certificates.crt
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
