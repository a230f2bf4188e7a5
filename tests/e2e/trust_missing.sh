#!/usr/bin/env bash
# A check requested whose companion file is missing on the server: three boots
# against three trees in one nginx, each lacking one file: airootfs.sfs.sig
# with verify=y, airootfs.sfs.cms.sig with cms_verify=y, airootfs.sha512 with
# checksum=y. Each time the agent names the 404 and the check it cannot do,
# refuses the image, mounts nothing and powers off.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

FIRST_FAILED_LOG=""

# Boot basedir $1 with option $2; companion file $3 is missing, the check
# named $4 must say it cannot be fetched.
boot_missing() {
	local basedir=$1 option=$2 file=$3 check=$4 log srv url comp
	log="$LAB_TMP/serial-$basedir.log"
	srv="http://10.0.2.2:$HTTP_PORT/"
	url=$(trust_image_re "$srv" "$basedir")
	comp=$(lab_re_escape "${srv}$basedir/x86_64/$file")
	echo "# boot: $file missing, $option"
	qemu_boot "$log" "$(trust_append "$srv" "archisobasedir=$basedir" "$option" pxeroot.debug)"
	expect_line "$log" "pxeroot: fetch $comp: HTTP 404" "$basedir: agent names the missing $file (HTTP 404)"
	expect_line "$log" "pxeroot: verify $url: $check check requested \\($(lab_re_escape "$option")\\) but .*$comp cannot be fetched" \
		"$basedir: agent says the $check check cannot be done"
	trust_expect_refused "$log"
	[[ $LAB_FAILED -ne 0 && -z "$FIRST_FAILED_LOG" ]] && FIRST_FAILED_LOG=$log
	return 0
}

# Build the three trees, serve them, boot each.
main() {
	local basedir
	lab_tmpdir
	trust_setup
	for basedir in nosig nocms nosha; do
		trust_tree "$basedir"
	done
	trust_fixture "$(trust_imgdir "$WEBROOT" nosig)" no_sig
	trust_fixture "$(trust_imgdir "$WEBROOT" nocms)" no_cms
	trust_fixture "$(trust_imgdir "$WEBROOT" nosha)" no_sha512
	nginx_start "$WEBROOT"
	boot_missing nosig verify=y airootfs.sfs.sig gpg
	boot_missing nocms cms_verify=y airootfs.sfs.cms.sig cms
	boot_missing nosha checksum=y airootfs.sha512 sha512
	scenario_end "${FIRST_FAILED_LOG:-$LAB_LAST_LOG}"
}

main "$@"
