#!/usr/bin/env bash
# script= in a busybox root (no systemd): the script is fetched in the
# initramfs, checked, and run once beside the live root's init, with the
# network facts in its environment; its output and exit status land in
# /run/pxeroot/script.log. Over HTTP with verify=y (its .sig checked with the
# image's keyring), over TFTP (QEMU's) pinned by pxeroot.script_sha512=.
# Failure twins: a 404, an unsigned script under verify=y, a script whose
# signature is another file's, a wrong pin, and a body of no announced size
# that runs past the 16 MiB limit (nginx's SSI sends it chunked; cut off there,
# nothing of it left in /run) are not run, each with one line saying why, and
# the boot goes on; with pxeroot.script_required=1 a script whose Content-Length
# is over the limit is refused before its body and the failure policy (power
# off) runs.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

# Write the hook script $1: print the environment it got, exit 3.
write_hook() {
	cat >"$1" <<-'EOF2'
		#!/bin/sh
		echo "hook: iface=$PXEROOT_IFACE address=$PXEROOT_ADDRESS gateway=$PXEROOT_GATEWAY pxeserver=$pxeserver method=$PXEROOT_METHOD"
		echo "hook: running as pid $$ in $(readlink /proc/1/exe)"
		exit 3
	EOF2
}

# Boot NAME ($1) with the signed tree and the words $2...; serial log in LOG.
boot() {
	local name=$1
	shift
	LOG="$LAB_TMP/serial-$name.log"
	qemu_boot "$LOG" "$(trust_append "http://10.0.2.2:$HTTP_PORT/" "$@")"
}

# Assert that the hook of LOG ($1, case $2) was not run for the reason $3 (regex) and the boot went on.
expect_not_run() {
	expect_line "$1" "pxeroot: script [^ ]+: not run: $3; the boot goes on" "$2: not run, the reason named"
	expect_line "$1" 'PXEROOT-E2E: init started' "$2: the boot went on"
	expect_no_line "$1" 'PXEROOT-E2E: script.log' "$2: nothing ran"
}

# Assert that the booted system of LOG ($1, case $2) has less than 1 MiB in use on /run.
expect_run_empty() {
	local kib rc=1
	kib=$(lab_log_text "$1" | sed -n 's/.*PXEROOT-E2E: run used: \([0-9]*\) KiB.*/\1/p' | head -n1)
	[[ -n "$kib" && "$kib" -lt 1024 ]] && rc=0
	lab_assert "$rc" "$2: nothing of it kept: ${kib:-?} KiB in use on /run"
}

main() {
	local url sum
	lab_tmpdir
	trust_setup
	NGINX_SERVER_EXTRA='location /chunked/ { ssi on; ssi_types *; }' trust_serve arch
	write_hook "$WEBROOT/hook.sh"
	mkdir -p "$WEBROOT/chunked"
	truncate -s 17M "$WEBROOT/big.sh" "$WEBROOT/chunked/big.sh"
	trust_sign_gpg "$WEBROOT/hook.sh" "$TRUST_GPG_GOOD_FPR" "$WEBROOT/hook.sh.sig"
	cp "$WEBROOT/hook.sh" "$WEBROOT/unsigned.sh"
	sed 's/exit 3/exit 0/' "$WEBROOT/hook.sh" >"$WEBROOT/tampered.sh"
	cp "$WEBROOT/hook.sh.sig" "$WEBROOT/tampered.sh.sig"
	sum=$(sha512sum "$WEBROOT/hook.sh" | cut -d' ' -f1)
	export QEMU_NETDEV_OPTS="tftp=$WEBROOT"
	url="http://10.0.2.2:$HTTP_PORT/hook.sh"

	boot signed verify=y "script=$url"
	expect_line "$LOG" "pxeroot: script $(lab_re_escape "$url"): fetched, signature ok" "signed: fetched, its .sig checked"
	expect_line "$LOG" 'PXEROOT-E2E: script.log: hook: iface=eth0 address=10\.0\.2\.15/24 gateway=10\.0\.2\.2 pxeserver=10\.0\.2\.2 method=dhcp' "signed: ran with the network facts"
	expect_line "$LOG" 'PXEROOT-E2E: script.log: hook: running as pid [0-9]+ in /bin/busybox' "signed: ran in the booted system"
	expect_line "$LOG" "PXEROOT-E2E: script.log: pxeroot: script $(lab_re_escape "$url") exited with status 3" "signed: its exit status logged"
	trust_expect_booted "$LOG"

	boot tftp "script=tftp://10.0.2.2/hook.sh" "pxeroot.script_sha512=$sum"
	expect_line "$LOG" 'pxeroot: script tftp://10\.0\.2\.2/hook\.sh: fetched, sha512 ok' "tftp: fetched, its pinned sha512 matches"
	expect_line "$LOG" 'PXEROOT-E2E: script.log: pxeroot: script tftp://10\.0\.2\.2/hook\.sh exited with status 3' "tftp: ran"

	boot missing "script=http://10.0.2.2:$HTTP_PORT/missing.sh"
	expect_line "$LOG" 'pxeroot: fetch http://10\.0\.2\.2:[0-9]+/missing\.sh: HTTP 404' "missing: the 404 named"
	expect_not_run "$LOG" missing 'it cannot be fetched \(the line above says why\)'

	boot unsigned verify=y "script=http://10.0.2.2:$HTTP_PORT/unsigned.sh"
	expect_line "$LOG" 'pxeroot: fetch http://10\.0\.2\.2:[0-9]+/unsigned\.sh\.sig: HTTP 404' "unsigned: the missing signature named"
	expect_not_run "$LOG" unsigned 'its signature cannot be fetched \(verify=y or cms_verify=y asks for it\)'

	boot tampered verify=y "script=http://10.0.2.2:$HTTP_PORT/tampered.sh"
	expect_not_run "$LOG" tampered 'it failed verify=y'

	boot pin "script=$url" "pxeroot.script_sha512=${sum//[0-9]/0}"
	expect_not_run "$LOG" pin 'its sha512 is not pxeroot\.script_sha512='

	boot chunked "script=http://10.0.2.2:$HTTP_PORT/chunked/big.sh"
	expect_line "$LOG" 'pxeroot: fetch http://10\.0\.2\.2:[0-9]+/chunked/big\.sh: larger than the limit of 16 MiB \(no size announced; cut off there\)' \
		"chunked: cut off at the limit, the URL and the limit named"
	expect_not_run "$LOG" chunked 'it cannot be fetched \(the line above says why\)'
	expect_run_empty "$LOG" chunked

	boot required "script=http://10.0.2.2:$HTTP_PORT/big.sh" pxeroot.script_required=1 pxeroot.retries=0 pxeroot.debug
	expect_line "$LOG" 'pxeroot: fetch http://10\.0\.2\.2:[0-9]+/big\.sh: larger than the limit of 16 MiB \(17825792 bytes announced\)' \
		"required: refused by its Content-Length, the URL and the limit named"
	expect_line "$LOG" 'pxeroot: script [^ ]+: not run: it cannot be fetched \(the line above says why\) \(pxeroot\.script_required=1\)' "required: not run"
	expect_line "$LOG" 'pxeroot: powering off' "required: the failure policy ran"
	expect_no_line "$LOG" 'PXEROOT-E2E: init started' "required: no init"
	expect_no_line "$LOG" 'Kernel panic' "required: no kernel panic"
	scenario_end "$LOG"
}

main "$@"
