# shellcheck shell=bash disable=SC2034
# Booting the trust image, sourced by lib_trust.sh: the kernel command line for
# a tree under an archiso_http_srv, and one boot of a fixture served over HTTP.

# Print the kernel command line that boots the archiso tree under
# archiso_http_srv $1 (DHCP, basedir arch, power off on a failure), plus $2...
# (later words win, archisobasedir= included).
trust_append() {
	local srv=${1:?trust_append SRV [EXTRA...]} extra=""
	shift
	[[ $# -gt 0 ]] && extra=" $*"
	echo "ip=dhcp archiso_http_srv=$srv archisobasedir=arch pxeroot.onerror=poweroff$extra"
}

# Serve a signed archiso tree over HTTP, turn it into fixture $1 ("good" keeps
# it as it is) and boot it with the extra words $2... and pxeroot.debug; set
# LOG (the serial log) and URL_RE (the image URL as a regex).
trust_boot_fixture() {
	local fixture=${1:?trust_boot_fixture FIXTURE [WORDS...]} srv
	shift
	lab_tmpdir
	trust_setup
	LOG="$LAB_TMP/serial.log"
	trust_serve arch
	[[ "$fixture" == good ]] || trust_fixture "$TRUST_IMGDIR" "$fixture"
	srv="http://10.0.2.2:$HTTP_PORT/"
	URL_RE=$(trust_image_re "$srv")
	qemu_boot "$LOG" "$(trust_append "$srv" "$@" pxeroot.debug)"
}
