# shellcheck shell=bash disable=SC2034
# HTTP on the host, sourced by lib.sh: nginx serving a directory to the guests
# (plain, TLS or rate-limited; on the host or inside a network namespace), and
# `pxeroot fetch` (build/pxeroot) run on the host as the client.
#
# Environment, read by nginx_start: NGINX_ADDR (127.0.0.1), NGINX_NETNS (run
# nginx inside that network namespace), NGINX_PORT (that port, not a free one), NGINX_LISTEN_EXTRA (appended to the
# listen directive), NGINX_RATE (limit_rate), NGINX_HTTP_EXTRA and
# NGINX_SERVER_EXTRA (directives for the http and server blocks); NGINX_CONNECTIONS
# (64), read by nginx_config: its worker_connections.

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
		events { worker_connections ${NGINX_CONNECTIONS:-64}; }
		http {
		    access_log $dir/access.log;
		$(nginx_http_common "$dir")
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

# Print the lines of an http block that keep nginx's temporary files in directory $1 and
# name the default type (nginx_config's and the fleet's cache's).
nginx_http_common() {
	local kind
	for kind in client_body:body proxy:proxy fastcgi:fastcgi uwsgi:uwsgi scgi:scgi; do
		echo "    ${kind%%:*}_temp_path $1/${kind#*:};"
	done
	echo "    default_type application/octet-stream;"
}

# Start nginx serving directory $1 on a free port of NGINX_ADDR (default
# 127.0.0.1), inside network namespace NGINX_NETNS when set (the port is probed
# there too), with NGINX_LISTEN_EXTRA appended to its listen directive (TLS)
# NGINX_RATE as limit_rate, NGINX_HTTP_EXTRA (directives, e.g. "max_ranges 0;")
# in its http block and NGINX_SERVER_EXTRA in its server block when set; ready
# once this nginx itself listens there (another port is tried when it cannot);
# export HTTP_PORT, HTTP_ADDR, NGINX_PID and NGINX_LOG (its access log).
nginx_start() {
	local root
	root=$(cd "${1:?nginx_start ROOTDIR}" && pwd)
	nginx_launch nginx_root_config "$root"
	lab_note "nginx: pid $NGINX_PID, http://$HTTP_ADDR:$HTTP_PORT/${NGINX_NETNS:+ in netns $NGINX_NETNS} serving $root"
}

# Print nginx_config's config serving directory $3 on port $1 with its state in $2, from the
# NGINX_* settings nginx_start reads (nginx_launch's config writer for nginx_start).
nginx_root_config() {
	nginx_config "$3" "$1" "$2" "${NGINX_ADDR:-127.0.0.1}" "${NGINX_LISTEN_EXTRA:-}" "${NGINX_RATE:-}" \
		"${NGINX_HTTP_EXTRA:-}" "${NGINX_SERVER_EXTRA:-}"
}

# Start nginx with the config that "$1 PORT DIR $2..." prints (PORT: NGINX_PORT or a free port
# of NGINX_ADDR, default 127.0.0.1, probed in NGINX_NETNS when set; DIR: its state directory,
# $LAB_TMP/nginx-PORT), run inside network namespace NGINX_NETNS when set; ready once this
# nginx itself listens there (another port is tried when it cannot); export HTTP_PORT,
# HTTP_ADDR, NGINX_PID, NGINX_DIR and NGINX_LOG (DIR/access.log).
nginx_launch() {
	local writer=${1:?nginx_launch WRITER [ARGS...]} dir port pid try addr=${NGINX_ADDR:-127.0.0.1} ns=${NGINX_NETNS:-} prefix=()
	shift
	lab_tmpdir
	lab_need /usr/sbin/nginx ss
	mapfile -t prefix < <(lab_netns_prefix "$ns")
	for ((try = 0; try < 5; try++)); do
		port=${NGINX_PORT:-$(free_port "$ns")}
		dir="$LAB_TMP/nginx-$port"
		mkdir -p "$dir"
		"$writer" "$port" "$dir" "$@" >"$dir/nginx.conf"
		"${prefix[@]}" /usr/sbin/nginx -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" \
			</dev/null >"$dir/stdout.log" 2>&1 &
		pid=$!
		lab_track "$pid"
		if lab_wait_ready "$pid" lab_listens "$pid" "$port" "$addr" "$ns"; then
			export HTTP_PORT=$port HTTP_ADDR=$addr NGINX_PID=$pid NGINX_DIR=$dir NGINX_LOG=$dir/access.log
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
