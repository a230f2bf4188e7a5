#!/usr/bin/env bash
# OpenPGP signatures and the clock, on the host, without a VM: a key made now
# signs with gpg --faked-system-time one day ahead (a signature from the future
# of the clock, as a machine whose clock was set to pxeroot's build time sees an
# image signed after the build); gpgv accepts it and so must
# `pxeroot fetch --gpg-keyring`. The same key signing one day back (a
# signature older than its key, gpg --ignore-time-conflict) is refused by both,
# pxeroot with a line saying the key was created after the signature.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"
GHOME=""
FPR=""
KEY_CREATED=""

# Run gpg on the throwaway GnuPG home with the rest as arguments (batch, no
# passphrase, the real clock unless the arguments fake it).
gpg_run() {
	gpg --homedir "$GHOME" --batch --no-tty --quiet --yes --pinentry-mode loopback --passphrase '' "$@" \
		2>>"$LAB_TMP/gpg.log"
}

# Make the key now (real clock) and export it as $LAB_TMP/keyring.gpg; set FPR
# and KEY_CREATED (seconds since the epoch); the agent is stopped on exit.
make_key() {
	local pid
	GHOME=$LAB_TMP/gnupg
	mkdir -m 0700 "$GHOME"
	gpg_run --quick-gen-key "pxeroot future signer <future@pxeroot.test>" default default never
	pid=$(trust_gpg_agent_pid "$GHOME")
	[[ -z "$pid" ]] || lab_track "$pid"
	FPR=$(gpg_run --with-colons --list-keys future@pxeroot.test | awk -F: '$1 == "fpr" { print $10; exit }')
	KEY_CREATED=$(gpg_run --with-colons --list-keys future@pxeroot.test | awk -F: '$1 == "pub" { print $6; exit }')
	[[ "$FPR" =~ ^[0-9A-F]{40}$ && "$KEY_CREATED" =~ ^[0-9]+$ ]] || lab_die "gpg key generation failed (see $LAB_TMP/gpg.log)"
	gpg_run --export "$FPR" >"$LAB_TMP/keyring.gpg"
}

# Sign file $1 into detached signature $2 with the clock at epoch $3, more gpg
# arguments after it.
sign_at() {
	local in=$1 out=$2 at=$3
	shift 3
	gpg_run --faked-system-time "$at!" --local-user "$FPR!" "$@" --detach-sign --output "$out" "$in" ||
		lab_die "gpg --detach-sign at $at failed (see $LAB_TMP/gpg.log)"
}

# Print the creation time gpgv reports for signature $1 of file $2 when it
# accepts it (VALIDSIG), else nothing.
gpgv_valid_at() {
	[[ -d "$LAB_TMP/gpgv-home" ]] || mkdir -m 0700 "$LAB_TMP/gpgv-home"
	gpgv --homedir "$LAB_TMP/gpgv-home" --status-fd 1 --keyring "$LAB_TMP/keyring.gpg" "$1" "$2" 2>/dev/null |
		awk '$2 == "VALIDSIG" { print $5; exit }' || true
}

# Fetch $LAB_TMP/www/$1/img with the keyring into $LAB_TMP/out/$1; print the
# exit status, the log is $LAB_TMP/fetch-$1.log.
fetch_rc() {
	local rc=0
	mkdir -p "$LAB_TMP/out"
	"$PXEROOT" fetch "http://127.0.0.1:$HTTP_PORT/$1/img" "$LAB_TMP/out/$1" --gpg-keyring "$LAB_TMP/keyring.gpg" \
		>"$LAB_TMP/fetch-$1.log" 2>&1 </dev/null || rc=$?
	LAB_LAST_LOG=$LAB_TMP/fetch-$1.log
	echo "$rc"
}

# The signature from one day ahead: gpgv and pxeroot accept it.
check_future() {
	local dir=$LAB_TMP/www/future at made rc now
	now=$(date +%s)
	at=$((now + 86400))
	sign_at "$dir/img" "$dir/img.sig" "$at"
	made=$(gpgv_valid_at "$dir/img.sig" "$dir/img")
	expect_ok "future: gpgv accepts the signature (VALIDSIG)" test -n "$made"
	expect_ok "future: the signature ($made) is from the future of the clock ($now)" test "${made:-0}" -gt "$now"
	expect_ok "future: the key ($KEY_CREATED) is older than the signature and not from the future" \
		test "$KEY_CREATED" -le "${made:-0}" -a "$KEY_CREATED" -le "$now"
	rc=$(fetch_rc future)
	expect_ok "future: pxeroot fetch --gpg-keyring exits 0 (it exited $rc)" test "$rc" -eq 0
	expect_line "$LAB_TMP/fetch-future.log" "pxeroot: verify .*/future/img: gpg ok \\(key $FPR\\)" \
		"future: pxeroot says gpg ok with the key's fingerprint"
	rc=0
	cmp -s "$dir/img" "$LAB_TMP/out/future" || rc=1
	lab_assert "$rc" "future: the file is the image"
}

# Whether exit status $1 is 1 and file $2 is not there.
# shellcheck disable=SC2317  # run by expect_ok
refused_without_file() {
	[[ "$1" -eq 1 && ! -e "$2" ]]
}

# The signature from one day back, older than its key: gpgv and pxeroot refuse it.
check_before_key() {
	local dir=$LAB_TMP/www/before made rc
	sign_at "$dir/img" "$dir/img.sig" $((KEY_CREATED - 86400)) --ignore-time-conflict
	made=$(gpgv_valid_at "$dir/img.sig" "$dir/img")
	expect_ok "before-key: gpgv refuses the signature" test -z "$made"
	rc=$(fetch_rc before)
	expect_ok "before-key: pxeroot fetch exits 1 (it exited $rc), no file left" refused_without_file "$rc" "$LAB_TMP/out/before"
	expect_line "$LAB_TMP/fetch-before.log" \
		"pxeroot: verify .*/before/img: gpg signature .*: key $FPR was created on .*, after the signature \\(.*\\): image refused" \
		"before-key: pxeroot says the key was created after the signature"
}

# Make the key, the images and their signatures, serve them, check both cases.
main() {
	local name
	lab_tmpdir
	lab_need gpg gpgv gpg-connect-agent
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	make_key
	for name in future before; do
		mkdir -p "$LAB_TMP/www/$name"
		head -c 131072 /dev/urandom >"$LAB_TMP/www/$name/img"
	done
	nginx_start "$LAB_TMP/www"
	check_future
	check_before_key
	scenario_end ""
}

main "$@"
