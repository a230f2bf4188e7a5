# shellcheck shell=bash disable=SC2034
# nginx for the trust trees, sourced by lib_trust.sh: plain HTTP, or TLS with
# the test CA's server certificate (10.0.2.2 and 127.0.0.1), beside the
# scenario's plain server; the image URL under an archiso_http_srv.

# Build a signed archiso tree (BASEDIR $1, default arch) as trust_tree does and
# serve $LAB_TMP/www with nginx; set WEBROOT, TRUST_IMGDIR and HTTP_PORT.
trust_serve() {
	trust_tree "${1:-arch}"
	nginx_start "$WEBROOT"
}

# Start nginx serving directory $1 on a free port of 127.0.0.1 with scheme $2
# (http, or https with the test CA's server certificate) and nginx limit_rate $3
# (optional); export TRUST_NGINX_PORT, TRUST_NGINX_PID and TRUST_NGINX_LOG (its
# access log). HTTP_PORT and the other exports of nginx_start are left as they
# were, so a scenario can run this beside a plain server.
trust_nginx_start() {
	local root=${1:?trust_nginx_start ROOTDIR [http|https] [RATE]} scheme=${2:-http} rate=${3:-} tls=""
	local keep_port=${HTTP_PORT:-} keep_addr=${HTTP_ADDR:-} keep_pid=${NGINX_PID:-} keep_log=${NGINX_LOG:-}
	if [[ "$scheme" == https ]]; then
		[[ -f "${TRUST_TLS_CERT:-}" ]] || lab_die "trust_nginx_start: no server certificate (call trust_setup)"
		tls=" ssl; ssl_certificate $TRUST_TLS_CERT; ssl_certificate_key $TRUST_TLS_KEY"
	fi
	NGINX_ADDR=127.0.0.1 NGINX_NETNS="" NGINX_LISTEN_EXTRA=$tls NGINX_RATE=$rate nginx_start "$root"
	export TRUST_NGINX_PORT=$HTTP_PORT TRUST_NGINX_PID=$NGINX_PID TRUST_NGINX_LOG=$NGINX_LOG
	export HTTP_PORT=$keep_port HTTP_ADDR=$keep_addr NGINX_PID=$keep_pid NGINX_LOG=$keep_log
}

# Start nginx serving directory $1 over TLS on a free port of 127.0.0.1 (the
# guest reaches it as https://10.0.2.2:PORT/); export HTTPS_PORT,
# NGINX_TLS_PID and NGINX_TLS_LOG (its access log). Needs trust_setup.
nginx_tls_start() {
	trust_nginx_start "${1:?nginx_tls_start ROOTDIR}" https
	export HTTPS_PORT=$TRUST_NGINX_PORT NGINX_TLS_PID=$TRUST_NGINX_PID NGINX_TLS_LOG=$TRUST_NGINX_LOG
}

# Print the image URL for archiso_http_srv $1 (ending in /), BASEDIR $2, ARCH $3.
trust_image_url() {
	echo "${1:?trust_image_url SRV}${2:-arch}/${3:-x86_64}/airootfs.sfs"
}

# Print trust_image_url's URL as an extended regex matching just that URL.
trust_image_re() {
	lab_re_escape "$(trust_image_url "$@")"
}
