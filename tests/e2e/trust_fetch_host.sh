#!/usr/bin/env bash
# `pxeroot fetch URL FILE --checksum --cms-cert ... --cms-ca ... --gpg-keyring ...`
# on the host against every fixture, one tree each (BASEDIR = fixture name)
# behind one nginx, plus HTTPS with and without --ca and CMS without --cms-ca
# (a CA-issued signer is then not trusted, as with archiso's default CAfile):
# exit 0 and the three ok lines only for the good tree, else exit 1, the cause
# named and no file left behind. A companion over the 64 KiB limit, announced
# by its Content-Length or sent chunked (nginx's SSI drops the length), is
# refused with the limit named.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"
FETCH_RC=0
FETCH_LOG=""
FETCH_OUT=""

# Run pxeroot fetch of URL $1 with label $2 and the extra flags $3...; set
# FETCH_RC, FETCH_LOG (its output) and FETCH_OUT (the destination).
run_fetch() {
	local url=$1 label=$2
	shift 2
	FETCH_LOG="$LAB_TMP/fetch-$label.log"
	FETCH_OUT="$LAB_TMP/out/$label.sfs"
	mkdir -p "$LAB_TMP/out"
	FETCH_RC=0
	"$PXEROOT" fetch "$url" "$FETCH_OUT" "$@" >"$FETCH_LOG" 2>&1 </dev/null || FETCH_RC=$?
	LAB_LAST_LOG=$FETCH_LOG
}

# Assert the last fetch (label $1) exited $2; print its output when not.
expect_rc() {
	local rc=0
	[[ "$FETCH_RC" -eq "$2" ]] || rc=1
	lab_assert "$rc" "$1: pxeroot fetch exits $2 (it exited $FETCH_RC)"
	[[ $rc -eq 0 ]] || sed 's/^/#   /' "$FETCH_LOG"
}

# Assert the last fetch (label $1) refused: exit 1, a line matching $2
# (described by $3), no ok line for a refused check, no file left.
expect_refused() {
	local label=$1 re=$2 desc=$3 rc=0
	expect_rc "$label" 1
	expect_line "$FETCH_LOG" "$re" "$label: $desc"
	[[ ! -e "$FETCH_OUT" ]] || rc=1
	lab_assert "$rc" "$label: no file left at the destination"
}

# The three check flags, archiso's way (signer, CA, keyring).
check_flags() {
	printf '%s\n' --checksum --cms-cert "$TRUST_CMS_CERT" --cms-ca "$TRUST_CMS_CA" --gpg-keyring "$TRUST_KEYRING"
}

# Fetch each fixture over HTTP with every check and assert the outcome.
check_fixtures() {
	local name url re flags=() rc
	mapfile -t flags < <(check_flags)
	for name in $TRUST_FIXTURES; do
		url=$(trust_image_url "http://127.0.0.1:$HTTP_PORT/" "$name")
		re=$(trust_image_re "http://127.0.0.1:$HTTP_PORT/" "$name")
		run_fetch "$url" "$name" "${flags[@]}"
		case "$name" in
		good)
			expect_rc "$name" 0
			expect_line "$FETCH_LOG" "pxeroot: verify $re: sha512 ok" "$name: sha512 ok"
			expect_line "$FETCH_LOG" "pxeroot: verify $re: cms ok \\(signer .*$TRUST_CMS_CN" "$name: cms ok"
			expect_line "$FETCH_LOG" "pxeroot: verify $re: gpg ok \\(key $TRUST_GPG_GOOD_FPR\\)" "$name: gpg ok"
			rc=0
			cmp -s "$FETCH_OUT" "$(trust_imgdir "$WEBROOT" "$name")/airootfs.sfs" || rc=1
			lab_assert "$rc" "$name: the file is the image"
			;;
		tampered | truncated)
			expect_refused "$name" "pxeroot: verify $re: (sha512|cms|gpg)[: ].*image refused" "refused"
			expect_no_line "$FETCH_LOG" 'pxeroot: verify .*: (sha512|cms|gpg) ok' "$name: no check passed"
			;;
		wrong_cms_signer)
			expect_refused "$name" "pxeroot: verify $re: cms[: ].*image refused" "cms refused"
			;;
		bad_gpg)
			expect_refused "$name" "pxeroot: verify $re: gpg bad signature .*image refused" "gpg bad signature"
			;;
		gpg_unknown_key)
			expect_refused "$name" "pxeroot: verify $re: gpg key [^ ]*${TRUST_GPG_OTHER_FPR: -16} is not in $(lab_re_escape "$TRUST_KEYRING"): image refused" \
				"gpg names the key that is not in the keyring"
			;;
		no_sig)
			expect_refused "$name" "pxeroot: verify $re: gpg check requested \\(verify=y\\) but .*airootfs\\.sfs\\.sig cannot be fetched" \
				"the signature cannot be fetched"
			;;
		no_cms)
			expect_refused "$name" "pxeroot: verify $re: cms check requested \\(cms_verify=y\\) but .*airootfs\\.sfs\\.cms\\.sig cannot be fetched" \
				"the CMS signature cannot be fetched"
			;;
		no_sha512)
			expect_refused "$name" "pxeroot: verify $re: sha512 check requested \\(checksum=y\\) but .*airootfs\\.sha512 cannot be fetched" \
				"the sha512 list cannot be fetched"
			;;
		esac
	done
}

# CMS without --cms-ca: the CA is the signer's own certificate, which the
# signer (issued by the code-signing CA) does not chain to.
check_cms_default_ca() {
	local url re
	url=$(trust_image_url "http://127.0.0.1:$HTTP_PORT/" good)
	re=$(trust_image_re "http://127.0.0.1:$HTTP_PORT/" good)
	run_fetch "$url" cms-no-ca --cms-cert "$TRUST_CMS_CERT"
	expect_refused cms-no-ca "pxeroot: verify $re: cms signer not trusted \\(.*\\): image refused" "cms signer not trusted"
}

# HTTPS: accepted with --ca test-ca, refused with the system bundle.
check_https() {
	local srv url flags=()
	mapfile -t flags < <(check_flags)
	nginx_tls_start "$WEBROOT"
	srv="https://127.0.0.1:$HTTPS_PORT/"
	url=$(trust_image_url "$srv" good)
	run_fetch "$url" https-ca "${flags[@]}" --ca "$TRUST_TLS_CA"
	expect_rc https-ca 0
	expect_line "$FETCH_LOG" "pxeroot: verify $(trust_image_re "$srv" good): gpg ok" "https-ca: checks pass over TLS"
	run_fetch "$url" https-no-ca "${flags[@]}"
	expect_refused https-no-ca "pxeroot: fetch $(lab_re_escape "$srv")[^ ]*: SSL certificate problem" \
		"names the URL and the certificate problem"
}

# The good tree's .sig grown past the companion limit: 64 KiB and one byte
# with its length (big_sig), 1 MiB sent chunked (chunked/big_sig).
check_companion_limit() {
	local name url re
	for name in big_sig chunked/big_sig; do
		url=$(trust_image_url "http://127.0.0.1:$HTTP_PORT/" "$name")
		re=$(trust_image_re "http://127.0.0.1:$HTTP_PORT/" "$name")
		run_fetch "$url" "${name//\//-}" --gpg-keyring "$TRUST_KEYRING"
		expect_refused "$name" "pxeroot: verify $re: gpg check requested \\(verify=y\\) but .*airootfs\\.sfs\\.sig cannot be fetched" \
			"the oversized signature refuses the image"
	done
	expect_line "$LAB_TMP/fetch-big_sig.log" 'pxeroot: fetch http://[^ ]*/big_sig/x86_64/airootfs\.sfs\.sig: larger than the limit of 64 KiB \(65537 bytes announced\)' \
		"big_sig: refused by its Content-Length, the limit named"
	expect_line "$LAB_TMP/fetch-chunked-big_sig.log" 'pxeroot: fetch .*/chunked/big_sig/x86_64/airootfs\.sfs\.sig: larger than the limit of 64 KiB \(no size announced; cut off there\)' \
		"chunked/big_sig: cut off at the limit, the limit named"
}

# Build the trees, serve them, run every fetch.
main() {
	local name usage
	lab_tmpdir
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	usage=$("$PXEROOT" fetch --help 2>&1 || true)
	[[ "$usage" == *--cms-cert* && "$usage" == *--gpg-keyring* ]] ||
		lab_die "$PXEROOT fetch does not take --cms-cert/--gpg-keyring yet"
	trust_setup
	for name in $TRUST_FIXTURES; do
		trust_tree "$name"
		trust_fixture "$TRUST_IMGDIR" "$name"
	done
	trust_tree big_sig
	truncate -s 65537 "$TRUST_IMGDIR/airootfs.sfs.sig"
	mkdir -p "$WEBROOT/chunked"
	cp -a "$WEBROOT/big_sig" "$WEBROOT/chunked/"
	truncate -s 1M "$WEBROOT/chunked/big_sig/x86_64/airootfs.sfs.sig"
	NGINX_SERVER_EXTRA='location /chunked/ { ssi on; ssi_types *; }' nginx_start "$WEBROOT"
	check_fixtures
	check_companion_limit
	check_cms_default_ca
	check_https
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
