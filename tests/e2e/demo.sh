#!/usr/bin/env bash
# shellcheck disable=SC2119  # archiso_http_append takes optional extra words
# `make demo`: the http_boot scenario with the guest's serial console on the
# terminal, so that a person can watch pxeroot boot the live root.
# Files (serial log, nginx config and logs, web root) are kept afterwards.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TAIL_PID=""

# Follow LOG ($1) on stdout in the background (used when stdin is not a terminal).
follow_log() {
	touch "$1"
	tail -n +1 -f "$1" &
	TAIL_PID=$!
	lab_track "$TAIL_PID"
}

# Stop the background tail, if any, after it caught up.
stop_follow() {
	[[ -n "$TAIL_PID" ]] || return 0
	sleep 0.5
	kill "$TAIL_PID" 2>/dev/null || true
	wait "$TAIL_PID" 2>/dev/null || true
	lab_untrack "$TAIL_PID"
	TAIL_PID=""
}

# Serve the archiso tree, boot it with the console visible, say where files are.
main() {
	local log
	export LAB_KEEP=1
	lab_tmpdir
	log="$LAB_TMP/serial.log"
	serve_archiso arch
	if [[ -t 0 && -t 1 ]]; then
		echo "# serial console follows (Ctrl-a x quits QEMU)"
		QEMU_CONSOLE="tty" qemu_boot "$log" "$(archiso_http_append)"
		stty sane 2>/dev/null || true
	else
		follow_log "$log"
		qemu_boot "$log" "$(archiso_http_append)"
		stop_follow
	fi
	echo
	echo "# boot finished: $QEMU_RESULT after $QEMU_SECONDS s"
	if tr -d '\r' <"$log" | grep -q 'PXEROOT-E2E: init started'; then
		echo "# the live root's /sbin/init ran"
	else
		echo "# the live root's /sbin/init did NOT run"
	fi
	echo "# serial log:   $log"
	echo "# web root:     $WEBROOT"
	echo "# nginx files:  $(echo "$LAB_TMP"/nginx-*)"
	echo "# remove with:  rm -rf $LAB_TMP"
}

main "$@"
