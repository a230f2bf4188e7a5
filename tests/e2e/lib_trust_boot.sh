# shellcheck shell=bash disable=SC2034
# Booting the trust image, sourced by lib_trust.sh: the kernel command line for
# a tree under an archiso_http_srv, and one boot through several fixtures in turn:
# pxeroot.onerror=retry runs the root stage again after each refusal while the
# served tree moves on to the next fixture (the last one boots), the serial log
# cut into the attempts.

# Print the kernel command line that boots the archiso tree under
# archiso_http_srv $1 (DHCP, basedir arch, power off on a failure), plus $2...
# (later words win, archisobasedir= included).
trust_append() {
	local srv=${1:?trust_append SRV [EXTRA...]} extra=""
	shift
	[[ $# -gt 0 ]] && extra=" $*"
	echo "ip=dhcp archiso_http_srv=$srv archisobasedir=arch pxeroot.onerror=poweroff$extra"
}

# Make the fixtures $@ (names of TRUST_FIXTURES, each at most once) as signed trees of
# their own, $LAB_TMP/www/fx-NAME/x86_64, and serve $LAB_TMP/www with arch/ a link to
# the first; set WEBROOT, HTTP_PORT.
trust_phase_trees() {
	local name
	for name in "$@"; do
		trust_tree "fx-$name"
		[[ "$name" == good ]] || trust_fixture "$TRUST_IMGDIR" "$name"
	done
	trust_phase_serve "$1"
	nginx_start "$WEBROOT"
}

# Make arch/ of $WEBROOT the tree of fixture $1 (one rename: a request sees the old
# tree or the new one whole).
trust_phase_serve() {
	ln -sfn "fx-$1" "$WEBROOT/arch.next"
	mv -T "$WEBROOT/arch.next" "$WEBROOT/arch"
}

# The fixtures of the boot under way, in the order they are served.
TRUST_PHASES=()

# Serve the fixture of the attempt after retry number $1 (qemu_on_retry's callback; nothing
# after the last fixture).
# shellcheck disable=SC2317  # called through qemu_on_retry
trust_phase_next() {
	local k=$1
	[[ $k -lt ${#TRUST_PHASES[@]} ]] || return 0
	trust_phase_serve "${TRUST_PHASES[$k]}"
	lab_note "attempt $((k + 1)): fixture ${TRUST_PHASES[$k]} served"
}

# Boot the trust image once through the fixtures $2... in turn, the command line's checks
# being the words of $1: pxeroot.onerror=retry with as many retries as there are fixtures
# before the last, so that each of them is one attempt of the root stage and the last one
# (good) boots. Sets LOG (the serial log), URL_RE (the image URL as a regex), SRV.
trust_boot_phases() {
	local words=$1
	shift
	lab_tmpdir
	trust_setup
	LOG="$LAB_TMP/serial.log"
	: >"$LOG"
	trust_phase_trees "$@"
	SRV="http://10.0.2.2:$HTTP_PORT/"
	URL_RE=$(trust_image_re "$SRV")
	TRUST_PHASES=("$@")
	qemu_on_retry "$LOG" trust_phase_next
	# shellcheck disable=SC2086  # $words are words of the command line
	QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} qemu_boot "$LOG" \
		"$(trust_append "$SRV" $words pxeroot.onerror=retry "pxeroot.retries=$(($# - 1))" pxeroot.debug)"
	qemu_on_retry_stop
}

# Write attempt $1 (from 1) of the root stage in serial log LOG to $LAB_TMP/attempt-$1.log
# (qemu_attempt_log); print that file's name.
trust_attempt_log() {
	local out=$LAB_TMP/attempt-$1.log
	qemu_attempt_log "$LOG" "$1" "$out"
	echo "$out"
}
