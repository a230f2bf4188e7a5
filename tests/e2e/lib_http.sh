# shellcheck shell=bash disable=SC2034
# HTTP on the host, sourced by lib.sh: nginx serving a directory to the guests
# (plain, TLS or rate-limited; on the host or inside a network namespace), and
# `pxeroot fetch` (build/pxeroot) run on the host as the client.
#
# Environment, read by nginx_start: NGINX_ADDR (127.0.0.1), NGINX_NETNS (run
# nginx inside that network namespace), NGINX_PORT (that port, not a free one), NGINX_LISTEN_EXTRA (appended to the
# listen directive), NGINX_RATE (limit_rate), NGINX_HTTP_EXTRA and
# NGINX_SERVER_EXTRA (directives for the http and server blocks).

# Write an nginx config serving $1 on $4 (an IPv4 address) port $2 with all
# state in $3; $5 is appended to the listen directive (e.g. TLS settings) and
# $6, when set, is a per-connection rate limit (nginx limit_rate).
nginx_config() {
	local root=$1 port=$2 dir=$3 addr=${4:-127.0.0.1} listen_extra=${5:-} rate=${6:-} extra=${7:-} server_extra=${8:-}
	[[ $EUID -eq 0 ]] && echo "user root;"
	cat <<-EOF
		daemon off;
		master_process off;
		worker_processes 1;
		pid $dir/nginx.pid;
		error_log $dir/error.log info;
		events { worker_connections 64; }
		http {
		    access_log $dir/access.log;
		    client_body_temp_path $dir/body;
		    proxy_temp_path $dir/proxy;
		    fastcgi_temp_path $dir/fastcgi;
		    uwsgi_temp_path $dir/uwsgi;
		    scgi_temp_path $dir/scgi;
		    default_type application/octet-stream;
		    types { text/plain sha512 txt; }
		    sendfile on;
		    ${rate:+limit_rate $rate;}
		    $extra
		    server {
		        listen $addr:$port$listen_extra;
		        root $root;
		        autoindex off;
		        $server_extra
		    }
		}
	EOF
}

# Start nginx serving directory $1 on a free port of NGINX_ADDR (default
# 127.0.0.1), inside network namespace NGINX_NETNS when set (the port is probed
# there too), with NGINX_LISTEN_EXTRA appended to its listen directive (TLS)
# NGINX_RATE as limit_rate, NGINX_HTTP_EXTRA (directives, e.g. "max_ranges 0;")
# in its http block and NGINX_SERVER_EXTRA in its server block when set; ready
# once this nginx itself listens there (another port is tried when it cannot);
# export HTTP_PORT, HTTP_ADDR, NGINX_PID and NGINX_LOG (its access log).
nginx_start() {
	local root dir port pid try addr=${NGINX_ADDR:-127.0.0.1} ns=${NGINX_NETNS:-} prefix=()
	root=$(cd "${1:?nginx_start ROOTDIR}" && pwd)
	lab_tmpdir
	lab_need /usr/sbin/nginx ss
	mapfile -t prefix < <(lab_netns_prefix "$ns")
	for ((try = 0; try < 5; try++)); do
		port=${NGINX_PORT:-$(free_port "$ns")}
		dir="$LAB_TMP/nginx-$port"
		mkdir -p "$dir"
		nginx_config "$root" "$port" "$dir" "$addr" "${NGINX_LISTEN_EXTRA:-}" "${NGINX_RATE:-}" "${NGINX_HTTP_EXTRA:-}" \
			"${NGINX_SERVER_EXTRA:-}" >"$dir/nginx.conf"
		"${prefix[@]}" /usr/sbin/nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" \
			</dev/null >"$dir/stdout.log" 2>&1 &
		pid=$!
		lab_track "$pid"
		if lab_wait_ready "$pid" lab_listens "$pid" "$port" "$addr" "$ns"; then
			export HTTP_PORT=$port HTTP_ADDR=$addr NGINX_PID=$pid NGINX_LOG=$dir/access.log
			lab_note "nginx: pid $pid, http://$addr:$port/${ns:+ in netns $ns} serving $root"
			return 0
		fi
		lab_note "nginx on $addr:$port did not come up:"
		sed 's/^/#   /' "$dir/error.log" "$dir/stdout.log" 2>/dev/null || true
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		lab_untrack "$pid"
	done
	lab_die "nginx did not start"
}

# Run `pxeroot fetch` (build/pxeroot, on the host) of URL $1 into $LAB_TMP/out/$2 with the flags
# $3...; its output in $LAB_TMP/$2.log, its exit status in FETCH_RC.
run_fetch() {
	local url=$1 name=$2
	shift 2
	mkdir -p "$LAB_TMP/out"
	FETCH_RC=0
	"$LAB_ROOT/build/pxeroot" fetch "$url" "$LAB_TMP/out/$name" "$@" >"$LAB_TMP/$name.log" 2>&1 </dev/null || FETCH_RC=$?
	LAB_LAST_LOG="$LAB_TMP/$name.log"
}
