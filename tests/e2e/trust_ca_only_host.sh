#!/usr/bin/env bash
# `pxeroot fetch --ca` on the host (no QEMU) replaces the CA store, it does not
# add to it: in a private mount namespace where a tmpfs with the test TLS CA,
# hashed as OpenSSL's CA directories are, lies over /etc/ssl/certs, a fetch
# from nginx with the test CA's certificate and --ca another CA is refused with
# a certificate problem and no file left; with --ca the test CA it succeeds.
# The host's /etc/ssl is never touched.
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"
FETCH_RC=0

# Run command $@ in a new mount namespace whose /etc/ssl/certs is a tmpfs
# holding only the test TLS CA and its hash link (the host's stays as it is).
with_test_ca_dir() {
	# shellcheck disable=SC2016  # expanded by the inner shell
	unshare -m --propagation private sh -c '
		mount -t tmpfs -o size=1m pxeroot-test-ca /etc/ssl/certs &&
		cp "$1" /etc/ssl/certs/pxeroot-test-ca.pem &&
		openssl rehash /etc/ssl/certs &&
		shift && exec "$@"' sh "$TRUST_TLS_CA" "$@"
}

# Run pxeroot fetch $1 into $LAB_TMP/out/$2 with the flags $3... under
# with_test_ca_dir; log in $LAB_TMP/$2.log, exit status in FETCH_RC.
fetch_with_ca_dir() {
	local url=$1 name=$2
	shift 2
	mkdir -p "$LAB_TMP/out"
	FETCH_RC=0
	with_test_ca_dir "$PXEROOT" fetch "$url" "$LAB_TMP/out/$name" "$@" >"$LAB_TMP/$name.log" 2>&1 </dev/null || FETCH_RC=$?
	LAB_LAST_LOG="$LAB_TMP/$name.log"
}

# Check that the namespace's CA directory alone vouches for the server on
# 127.0.0.1:$1 (openssl s_client with only -CApath), so that a refusal is
# pxeroot's doing.
check_dir_vouches() {
	local rc=0
	with_test_ca_dir openssl s_client -connect "127.0.0.1:$1" -no-CAfile -no-CAstore -CApath /etc/ssl/certs \
		-verify_return_error </dev/null >"$LAB_TMP/s_client.log" 2>&1 || rc=1
	lab_assert "$rc" "the hashed CA directory alone vouches for the server (openssl s_client -CApath)"
}

main() {
	local www url
	lab_tmpdir
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	[[ $EUID -eq 0 ]] || lab_die "needs root (unshare -m, mount)"
	lab_need unshare openssl
	trust_keys
	www="$LAB_TMP/www"
	mkdir -p "$www"
	head -c 1M /dev/urandom >"$www/img.sfs"
	nginx_tls_start "$www"
	url="https://127.0.0.1:$HTTPS_PORT/img.sfs"
	check_dir_vouches "$HTTPS_PORT"

	fetch_with_ca_dir "$url" other.sfs --ca "$TRUST_CMS_CA"
	expect_ok "--ca another CA: pxeroot fetch exits 1" test "$FETCH_RC" -eq 1
	expect_line "$LAB_TMP/other.sfs.log" "^pxeroot: fetch $(lab_re_escape "$url"): SSL certificate problem" \
		"--ca another CA: the certificate problem named"
	expect_ok "--ca another CA: no file left" test ! -e "$LAB_TMP/out/other.sfs"

	fetch_with_ca_dir "$url" right.sfs --ca "$TRUST_TLS_CA"
	lab_assert "$FETCH_RC" "--ca the test CA: pxeroot fetch exits 0"
	expect_ok "--ca the test CA: the file is identical" cmp -s "$www/img.sfs" "$LAB_TMP/out/right.sfs"
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
