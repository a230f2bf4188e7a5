#!/usr/bin/env bash
# `pxeroot fetch` on the host (no QEMU), HTTPS redirects: nginx with the test
# CA's certificate answers 302 to the same file on a plain http nginx of
# another port: the fetch is refused with one line naming both URLs, not
# retried, no file left; a 302 to https on the same server is followed and the
# file checks out (--checksum).
set -euo pipefail
# shellcheck source=tests/e2e/lib_trust.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_trust.sh"

PXEROOT="$LAB_ROOT/build/pxeroot"

# Serve directory $1 over http, and over https with /down/X redirected to the
# http server's X and /up/X to the https server's own X; set PLAIN_PORT and
# HTTPS_PORT.
start_servers() {
	local www=$1
	nginx_start "$www"
	PLAIN_PORT=$HTTP_PORT
	# shellcheck disable=SC2016  # $1 and $server_port are nginx's
	NGINX_SERVER_EXTRA="rewrite ^/down/(.*)\$ http://127.0.0.1:$PLAIN_PORT/\$1 redirect;
		rewrite ^/up/(.*)\$ https://127.0.0.1:\$server_port/\$1 redirect;" nginx_tls_start "$www"
}

# https -> http: refused, both URLs named, no retry, no file; the http server, whose
# access log shows a request of its own first (so that an empty log is not taken for
# no request), never asked for the file.
check_downgrade() {
	local from="https://127.0.0.1:$HTTPS_PORT/down/img.sfs" to="http://127.0.0.1:$PLAIN_PORT/img.sfs"
	curl -s -o /dev/null "http://127.0.0.1:$PLAIN_PORT/probe" || true
	run_fetch "$from" down.sfs --ca "$TRUST_TLS_CA"
	expect_ok "downgrade: pxeroot fetch exits 1" test "$FETCH_RC" -eq 1
	expect_line "$LAB_TMP/down.sfs.log" "^pxeroot: fetch $(lab_re_escape "$from"): redirected to $(lab_re_escape "$to"), .*https" \
		"downgrade: one line names both URLs"
	expect_no_line "$LAB_TMP/down.sfs.log" 'retrying|attempt [0-9]' "downgrade: not retried"
	expect_line "$NGINX_LOG" '"GET /probe ' "the http server logs the requests it gets"
	expect_no_line "$NGINX_LOG" '"GET /img\.sfs' "downgrade: the http server was never asked"
	expect_ok "downgrade: no file left" test ! -e "$LAB_TMP/out/down.sfs"
}

# https -> https: followed, checksum ok, file identical.
check_https_redirect() {
	local www=$1
	run_fetch "https://127.0.0.1:$HTTPS_PORT/up/img.sfs" up.sfs --ca "$TRUST_TLS_CA" --checksum
	lab_assert "$FETCH_RC" "https to https: pxeroot fetch exits 0"
	expect_line "$LAB_TMP/up.sfs.log" 'sha512 ok' "https to https: sha512 ok"
	expect_ok "https to https: the file is identical" cmp -s "$www/img.sfs" "$LAB_TMP/out/up.sfs"
}

main() {
	local www
	lab_tmpdir
	[[ -x "$PXEROOT" ]] || lab_die "$PXEROOT missing (make)"
	lab_need curl
	trust_keys
	www="$LAB_TMP/www"
	mkdir -p "$www"
	head -c 1M /dev/urandom >"$www/img.sfs"
	(cd "$www" && sha512sum img.sfs >img.sha512)
	start_servers "$www"
	check_downgrade
	check_https_redirect "$www"
	scenario_end "$LAB_LAST_LOG"
}

main "$@"
