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

# Follow serial log $1 while the guest boots: each time it shows one more "retry: stage
# root failed" line, serve the next of the fixtures $2... (run in the background; the
# retry waits 1 s or more before the next attempt).
trust_phase_follow() {
	local log=$1 seen=0 n
	shift
	while [[ $# -gt 0 ]]; do
		n=$(lab_log_text "$log" | grep -c 'pxeroot: retry: stage root failed') || true
		if [[ "$n" -gt "$seen" ]]; then
			seen=$((seen + 1))
			trust_phase_serve "$1"
			lab_note "attempt $((seen + 1)): fixture $1 served"
			shift
		else
			sleep 0.1
		fi
	done
}

# Boot the trust image once through the fixtures $2... in turn, the command line's checks
# being the words of $1: pxeroot.onerror=retry with as many retries as there are fixtures
# before the last, so that each of them is one attempt of the root stage and the last one
# (good) boots. Sets LOG (the serial log), URL_RE (the image URL as a regex), SRV.
trust_boot_phases() {
	local words=$1 follower
	shift
	lab_tmpdir
	trust_setup
	LOG="$LAB_TMP/serial.log"
	: >"$LOG"
	trust_phase_trees "$@"
	SRV="http://10.0.2.2:$HTTP_PORT/"
	URL_RE=$(trust_image_re "$SRV")
	trust_phase_follow "$LOG" "${@:2}" &
	follower=$!
	lab_track "$follower"
	# shellcheck disable=SC2086  # $words are words of the command line
	QEMU_TIMEOUT=${QEMU_TIMEOUT:-240} qemu_boot "$LOG" \
		"$(trust_append "$SRV" $words pxeroot.onerror=retry "pxeroot.retries=$(($# - 1))" pxeroot.debug)"
	kill "$follower" 2>/dev/null || true # it ends on TERM at once, or has ended after the last fixture
	wait "$follower" 2>/dev/null || true
	lab_untrack "$follower"
}

# Write attempt $1 (from 1) of the root stage in serial log LOG to $LAB_TMP/attempt-$1.log
# (its lines from the end of the attempt before it to its own retry line; the last attempt:
# to the end); print that file's name.
trust_attempt_log() {
	local k=$1 out=$LAB_TMP/attempt-$1.log
	lab_log_text "$LOG" | awk -v k="$k" 'n == k - 1 { print } /pxeroot: retry: stage root failed/ { n++ }' >"$out"
	echo "$out"
}
